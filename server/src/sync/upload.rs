//! Upload: the mount dir into the context manifest, in File mode here and in Archive
//! mode through `archive` (see the module doc of `sync`).

use super::archive;
use super::cache::{StatCache, StatKey};
use super::error::{commit_err, io_err, SyncError};
use super::expand::carry_extracted_sources;
use super::mount::{join, FaultHook, MountSpec, Report};
use super::walk::walk_selected;
use crate::safe_fs::{self, Stat, Tree};
use crate::store::blobs::Pins;
use crate::store::db::{self, Entry, Kind};
use crate::store::{expiry, Store};
use std::collections::HashMap;
use std::fs::File;
use std::io;

/// Uploads the mount's `tree` (mounted at `spec.mount_path`) into context `spec.ctx`.
///
/// Files whose names the store cannot keep are named in a [`SyncError::Unstorable`] after
/// everything else has been stored: the task fails rather than report Success without them.
pub fn upload(
    store: &Store,
    spec: MountSpec<'_>,
    tree: &Tree,
    cache: &mut StatCache,
    fault: Option<FaultHook<'_>>,
) -> Result<Report, SyncError> {
    let ctx = spec.ctx;
    let stored = spec.stored_root()?;
    let sel = spec.selector()?;
    let walk = walk_selected(tree, &sel, stored.len())?;
    let found = walk.entries;
    let mirror = spec.policy.delete_policy.sync_local_file;
    let prefix_len = if stored == "/" { 1 } else { stored.len() + 1 };
    // What an upload may drop from the context when it is missing locally.
    // A copy, because the archive path needs the cache mutably; on failure the cache keeps the old one.
    let baseline = cache.baseline.clone();
    let droppable = |path: &str| mirror && baseline.contains(path) && sel.selects(&path[prefix_len..]);
    let report = if archive::is_archive_mode(spec.policy) {
        archive::upload(store, ctx, &stored, spec.policy, tree, found, cache, &droppable, fault)?
    } else {
        upload_files(store, spec, &stored, tree, found, cache, &droppable, fault)?
    };
    if !walk.unstorable.is_empty() {
        return Err(SyncError::Unstorable(walk.unstorable));
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)] // the parts of `upload` that File mode needs
fn upload_files(
    store: &Store,
    spec: MountSpec<'_>,
    stored: &str,
    tree: &Tree,
    found: Vec<(String, bool)>,
    cache: &mut StatCache,
    droppable: &dyn Fn(&str) -> bool,
    fault: Option<FaultHook<'_>>,
) -> Result<Report, SyncError> {
    let ctx = spec.ctx;
    let now = crate::util::now_secs();
    let mut entries = Vec::with_capacity(found.len());
    let mut files = FileStore::new(store, stored, now, fault);
    for (rel, is_dir) in found {
        if is_dir {
            entries.push(Entry {
                path: join(stored, &rel),
                kind: Kind::Dir,
                hash: None,
                size: 0,
                mode: 0o755,
                mtime: now,
                create_time: now,
            });
            continue;
        }
        let (mut file, st) = match tree.open_file(&rel) {
            Ok(x) => x,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            // Replaced by a symlink/special file since the walk: not synced, like at walk time.
            Err(e) if safe_fs::is_redirect(&e) => continue,
            Err(e) => return Err(io_err(&rel)(e)),
        };
        entries.push(files.add(&cache.files, &rel, &mut file, &st)?);
    }
    let FileStore { mut pins, new_cache, written, report, .. } = files;
    carry_extracted_sources(store, cache, &mut entries, &mut pins);
    // The new blobs were written unsynced; they are durable before anything references them.
    store.blobs.sync(&written).map_err(io_err(spec.mount_path))?;
    // Expiry first: a sweep between the two writes then finds fresh times, never the new manifest with
    // stale ones. If the switch fails, the rows describe an upload that did not happen until the next one.
    expiry::record_upload(store, ctx, stored, &spec.policy.recycle_policy, &entries)?;
    // Mirror only what this session synced, within the white-listed scope; without
    // syncLocalFile nothing stored goes.
    let remove = |path: &str, _: Kind| droppable(path);
    db::merge_subtree(&mut store.db(), ctx, stored, &entries, &remove, now).map_err(|e| commit_err(ctx, e))?;
    drop(pins);
    cache.files = new_cache;
    cache.set_baseline(entries.into_iter().map(|e| e.path));
    Ok(report)
}

/// What File mode does with each regular file it uploads, for the walk of a mount
/// ([`upload_files`]) and for an overlay's upper layer (`delta::upload_changes`) alike: reuse the
/// blob when the stat cache says the file is unchanged and the blob is still there, else store the
/// content; either way, its manifest entry.
pub(super) struct FileStore<'s> {
    store: &'s Store,
    stored: &'s str,
    now: i64,
    fault: Option<FaultHook<'s>>,
    /// Every blob the new manifest references stays pinned until it has committed.
    pub pins: Pins<'s>,
    /// The stat cache after this upload (the caller installs it once the upload committed).
    pub new_cache: HashMap<String, (StatKey, String)>,
    /// Blobs written unsynced, to make durable before the commit.
    pub written: Vec<String>,
    pub report: Report,
}

impl<'s> FileStore<'s> {
    pub(super) fn new(store: &'s Store, stored: &'s str, now: i64, fault: Option<FaultHook<'s>>) -> Self {
        FileStore {
            store,
            stored,
            now,
            fault,
            pins: store.blobs.pins(),
            new_cache: HashMap::new(),
            written: Vec::new(),
            report: Report::default(),
        }
    }

    /// Stores `file` (at `rel` below the mount, `st` its stat) unless `old` (the stat cache before
    /// this upload) shows it unchanged; returns its entry.
    pub(super) fn add(
        &mut self,
        old: &HashMap<String, (StatKey, String)>,
        rel: &str,
        file: &mut File,
        st: &Stat,
    ) -> Result<Entry, SyncError> {
        let key = StatKey::of(st);
        let cached = old.get(rel).filter(|(k, _)| *k == key).map(|(_, h)| h.clone());
        let reused = cached.filter(|h| {
            self.pins.add(h);
            self.store.blobs.exists(h)
        });
        let hash = match reused {
            Some(h) => {
                self.report.unchanged += 1;
                h
            }
            None => {
                let (h, _) = self.store.blobs.put_reader_batched(file, &mut self.pins).map_err(io_err(rel))?;
                self.written.push(h.clone());
                self.report.transferred += 1;
                if let Some(hook) = self.fault {
                    hook(self.report.transferred).map_err(SyncError::Aborted)?;
                }
                h
            }
        };
        self.new_cache.insert(rel.to_string(), (key, hash.clone()));
        self.report.files += 1;
        Ok(Entry {
            path: join(self.stored, rel),
            kind: Kind::File,
            hash: Some(hash),
            size: st.st_size as u64,
            // Never setuid, setgid or sticky: stored modes are plain permissions.
            mode: st.st_mode & 0o777,
            mtime: st.st_mtime,
            create_time: self.now,
        })
    }
}
