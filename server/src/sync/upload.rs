//! Upload: the mount dir into the context manifest, in File mode here and in Archive
//! mode through `archive` (see the module doc of `sync`).

use super::archive;
use super::cache::{StatCache, StatKey};
use super::error::{commit_err, io_err, SyncError};
use super::expand::carry_extracted_sources;
use super::mount::{join, FaultHook, MountSpec, Report};
use super::walk::walk_selected;
use crate::safe_fs::{self, Tree};
use crate::store::db::{self, Entry, Kind};
use crate::store::{expiry, Store};
use std::collections::HashMap;
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
    let mut report = Report::default();
    let mut new_cache = HashMap::new();
    let mut written = Vec::new();
    // Every blob the new manifest references stays pinned until it has committed.
    let mut pins = store.blobs.pins();
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
        let key = StatKey::of(&st);
        let cached = cache.files.get(&rel).filter(|(k, _)| *k == key).map(|(_, h)| h.clone());
        let reused = cached.filter(|h| {
            pins.add(h);
            store.blobs.exists(h)
        });
        let hash = match reused {
            Some(h) => {
                report.unchanged += 1;
                h
            }
            None => {
                let (h, _) = store.blobs.put_reader_batched(&mut file, &mut pins).map_err(io_err(&rel))?;
                written.push(h.clone());
                report.transferred += 1;
                if let Some(hook) = fault {
                    hook(report.transferred).map_err(SyncError::Aborted)?;
                }
                h
            }
        };
        new_cache.insert(rel.clone(), (key, hash.clone()));
        entries.push(Entry {
            path: join(stored, &rel),
            kind: Kind::File,
            hash: Some(hash),
            size: st.st_size as u64,
            // Never setuid, setgid or sticky: stored modes are plain permissions.
            mode: st.st_mode & 0o777,
            mtime: st.st_mtime,
            create_time: now,
        });
        report.files += 1;
    }
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
