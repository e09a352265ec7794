//! The sync engine (upload mode `File`): mount dir ⇄ context manifest.
//!
//! Upload walks the mount dir without following symlinks, reuses the hash of
//! every file whose (size, mtime, ctime, inode) matches the per-session stat
//! cache (so unchanged content is neither re-read nor copied), stores new
//! content as deduplicated blobs, then switches the manifest subtree in one
//! SQLite transaction. Download copies blobs into the mount dir through
//! `safe_fs` (no planted symlink is ever followed) and skips files the cache
//! proves unchanged.

use super::db::{self, Entry, Kind};
use super::select::Selector;
use super::Store;
use crate::safe_fs::{self, Tree};
use agentbay_wire::policy::SyncPolicy;
use rustix::fs::{FileType, Mode, OFlags};
use rustix::io::Errno;
use std::collections::{HashMap, HashSet};
use std::io;
use std::os::fd::OwnedFd;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("{0}")]
    Store(#[from] super::StoreError),
    #[error("upload aborted: {0}")]
    Aborted(String),
    /// Refused at CreateMcpSession already; kept for policies built elsewhere.
    #[error("policy: {0}")]
    Policy(String),
    /// Entries (or archives) that could not be written, unpacked or extracted; the rest of
    /// the download was delivered.
    #[error("{0}")]
    Download(String),
    #[error("context {0} was deleted while the upload ran; nothing was stored")]
    ContextGone(String),
    /// Files the store cannot keep under their names; everything else was uploaded.
    #[error("{} file(s) could not be stored and stay only in the session: {}", .0.len(), describe_unstorable(.0))]
    Unstorable(Vec<Unstorable>),
}

/// The first failures of a download, and how many more there were.
fn summarize(failures: &[String]) -> String {
    let shown = &failures[..failures.len().min(20)];
    match failures.len() - shown.len() {
        0 => shown.join("; "),
        more => format!("{}; and {more} more", shown.join("; ")),
    }
}

fn describe_unstorable(list: &[Unstorable]) -> String {
    let shown: Vec<String> = list.iter().take(20).map(|u| format!("'{}' ({})", u.path, u.why)).collect();
    let more = list.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{}; and {more} more", shown.join("; "))
    } else {
        shown.join("; ")
    }
}

fn io_err(path: impl Into<String>) -> impl FnOnce(io::Error) -> SyncError {
    let path = path.into();
    move |source| SyncError::Io { path, source }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StatKey {
    size: i64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    ino: u64,
}

impl StatKey {
    fn of(st: &rustix::fs::Stat) -> StatKey {
        StatKey {
            size: st.st_size,
            mtime: (st.st_mtime, st.st_mtime_nsec as i64),
            ctime: (st.st_ctime, st.st_ctime_nsec as i64),
            ino: st.st_ino,
        }
    }
}

/// Per-mount memory of what each file's content hash was at a given stat, and of
/// which stored entries this session has synced with.
#[derive(Debug, Default)]
pub struct StatCache {
    files: HashMap<String, (StatKey, String)>,
    /// Stored paths this session received (complete download) or sent (upload). Mirroring
    /// (`deletePolicy.syncLocalFile`) deletes only these when they are missing locally: a
    /// file the session never had (not downloaded, a failed download, or stored by another
    /// session meanwhile) was not "deleted in the session", so an upload must not drop it.
    baseline: HashSet<String>,
    /// Archives extracted in this session (mount-relative path → manifest entry, and
    /// whether the session copy was removed), see `extract`.
    pub(crate) extracted: HashMap<String, (Entry, bool)>,
}

impl StatCache {
    pub(crate) fn set_baseline(&mut self, paths: impl IntoIterator<Item = String>) {
        self.baseline = paths.into_iter().collect();
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Files in the resulting state.
    pub files: usize,
    /// Files whose content was read and hashed (upload) or copied (download).
    pub transferred: usize,
    /// Files skipped thanks to the stat cache.
    pub unchanged: usize,
}

/// Called after each newly stored blob with the running count; an `Err` aborts
/// the upload before the manifest switch (used to prove atomicity in tests).
pub type FaultHook<'a> = &'a (dyn Fn(usize) -> Result<(), String> + Sync);

/// What a mount dir walk found: `(mount-relative path, is_dir)` of the selected files, the
/// selected directories and the directories on the way to them, parents before children.
#[derive(Debug, Default)]
pub struct Walk {
    pub entries: Vec<(String, bool)>,
    /// Directories listed; subtrees the selector rules out are never opened.
    pub dirs_read: usize,
    /// Selected files and directories whose names the store cannot keep, with the reason.
    pub unstorable: Vec<Unstorable>,
}

/// A file or directory an upload cannot store under its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unstorable {
    /// Mount-relative, with non-UTF-8 bytes escaped.
    pub path: String,
    pub why: &'static str,
}

/// Walks the tree (through descriptors, never following a symlink) under `sel`. `stored_len`
/// is the length of the stored root the paths will be joined to (for the path limit).
pub fn walk_selected(tree: &Tree, sel: &Selector, stored_len: usize) -> Result<Walk, SyncError> {
    let mut w = Walk::default();
    walk(tree.root(), "", sel, stored_len, &mut w)?;
    if sel.is_all() {
        return Ok(w);
    }
    let mut needed = std::collections::HashSet::new();
    let mut keep = vec![false; w.entries.len()];
    // Children follow their parents, so one backwards pass marks every dir a kept entry needs.
    for (i, (rel, is_dir)) in w.entries.iter().enumerate().rev() {
        if sel.selects(rel) || (*is_dir && needed.contains(rel.as_str())) {
            keep[i] = true;
            let mut anc = rel.as_str();
            while let Some((parent, _)) = anc.rsplit_once('/') {
                needed.insert(parent.to_string());
                anc = parent;
            }
        }
    }
    let entries = std::mem::take(&mut w.entries);
    w.entries = entries.into_iter().zip(keep).filter_map(|(e, k)| k.then_some(e)).collect();
    Ok(w)
}

fn walk(dir: &OwnedFd, rel: &str, sel: &Selector, stored_len: usize, w: &mut Walk) -> Result<(), SyncError> {
    let listed = safe_fs::read_dir(dir).map_err(io_err(rel))?;
    w.dirs_read += 1;
    let child_of = |name: &str| if rel.is_empty() { name.to_string() } else { format!("{rel}/{name}") };
    let mut children = Vec::new();
    for ent in listed {
        let kind = ent.kind;
        if !matches!(kind, FileType::Directory | FileType::RegularFile) {
            continue; // Symlinks, sockets, FIFOs and devices are not synced.
        }
        let Some(name) = ent.name.to_str() else {
            // Named in the task's error, never silently dropped (when the policy selects it).
            let shown = child_of(format!("{:?}", ent.name).trim_matches('"'));
            if sel.selects(&shown) {
                w.unstorable.push(Unstorable { path: shown, why: "its name is not valid UTF-8" });
            }
            continue;
        };
        if name.starts_with(safe_fs::TMP_PREFIX) {
            continue;
        }
        let child = child_of(name);
        // The context file API takes paths up to this long (crate::paths).
        if stored_len + 1 + child.len() > crate::paths::MAX_LEN {
            if sel.selects(&child) {
                w.unstorable
                    .push(Unstorable { path: child, why: "its path in the context would be longer than 4096 bytes" });
            }
            continue;
        }
        if kind == FileType::Directory {
            if sel.may_contain(&child) {
                children.push((child, ent.name));
            }
        } else {
            w.entries.push((child, false));
        }
    }
    for (child, name) in children {
        let flags = OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::RDONLY | OFlags::CLOEXEC;
        let sub = match rustix::fs::openat(dir, name.as_os_str(), flags, Mode::empty()) {
            Ok(fd) => fd,
            // Deleted, or swapped for a symlink or a file, since it was listed: not a directory to sync.
            Err(Errno::NOENT) | Err(Errno::LOOP) | Err(Errno::NOTDIR) => continue,
            Err(e) => return Err(io_err(&child)(io::Error::from_raw_os_error(e.raw_os_error()))),
        };
        w.entries.push((child.clone(), true));
        walk(&sub, &child, sel, stored_len, w)?;
    }
    Ok(())
}

pub(crate) fn join(mount_path: &str, rel: &str) -> String {
    if mount_path == "/" {
        format!("/{rel}")
    } else {
        format!("{mount_path}/{rel}")
    }
}

/// One context mount as the sync engine sees it: where it is mounted in the
/// session and under which policy. Every policy knob is applied from here.
#[derive(Debug, Clone, Copy)]
pub struct MountSpec<'a> {
    pub ctx: &'a str,
    pub mount_path: &'a str,
    pub policy: &'a SyncPolicy,
}

impl MountSpec<'_> {
    /// Where the mount's files live in the context: `mappingPolicy.path` (canonical form,
    /// Windows paths included) when set, else the mount path.
    pub fn stored_root(&self) -> Result<String, SyncError> {
        match self.policy.mapping_policy.as_ref().map(|m| m.path.as_str()).filter(|p| !p.is_empty()) {
            Some(p) => {
                crate::paths::normalize_context(p).map_err(|e| SyncError::Policy(format!("mappingPolicy.path: {e}")))
            }
            None => Ok(self.mount_path.to_string()),
        }
    }

    pub fn selector(&self) -> Result<Selector, SyncError> {
        Selector::compile(self.policy, self.mount_path).map_err(|e| SyncError::Policy(e.to_string()))
    }
}

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
    let report = if super::archive::is_archive_mode(spec.policy) {
        super::archive::upload(store, ctx, &stored, spec.policy, tree, found, cache, &droppable, fault)?
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
    super::extract::carry_extracted_sources(store, cache, &mut entries, &mut pins);
    // The new blobs were written unsynced; they are durable before anything references them.
    store.blobs.sync(&written).map_err(io_err(spec.mount_path))?;
    // Expiry first: a sweep between the two writes then finds fresh times, never the new manifest with
    // stale ones. If the switch fails, the rows describe an upload that did not happen until the next one.
    super::expiry::record_upload(store, ctx, stored, &spec.policy.recycle_policy, &entries)?;
    // Mirror only what this session synced, within the white-listed scope; without
    // syncLocalFile nothing stored goes.
    let remove = |path: &str, _: Kind| droppable(path);
    db::merge_subtree(&mut store.db(), ctx, stored, &entries, &remove, now).map_err(|e| commit_err(ctx, e))?;
    drop(pins);
    cache.files = new_cache;
    cache.set_baseline(entries.into_iter().map(|e| e.path));
    Ok(report)
}

pub(crate) fn commit_err(ctx: &str, e: db::CommitError) -> SyncError {
    match e {
        db::CommitError::ContextGone => SyncError::ContextGone(ctx.to_string()),
        db::CommitError::Db(e) => SyncError::Db(e),
    }
}

/// Copies context `spec.ctx`'s files below `spec.mount_path` into `host_dir`.
/// Local files the context does not have are left alone. Only white-listed files (and
/// the directories on the way to them) are delivered.
pub fn download(store: &Store, spec: MountSpec<'_>, tree: &Tree, cache: &mut StatCache) -> Result<Report, SyncError> {
    let ctx = spec.ctx;
    let stored = spec.stored_root()?;
    let sel = spec.selector()?;
    // The blobs stay pinned (readable) until the download is done.
    let (mut entries, _pins) = store.read_pinned(
        |c| db::entries_below(c, ctx, &stored),
        |rows| rows.iter().filter_map(|e| e.hash.as_deref()).collect(),
    )?;
    let prefix_len = if stored == "/" { 1 } else { stored.len() + 1 };
    if !sel.is_all() {
        let selected: Vec<bool> = entries.iter().map(|e| sel.selects(&e.path[prefix_len..])).collect();
        let needed: std::collections::HashSet<&str> = entries
            .iter()
            .zip(&selected)
            .filter(|(_, s)| **s)
            .flat_map(|(e, _)| {
                e.path[prefix_len..].match_indices('/').map(|(i, _)| &e.path[prefix_len..prefix_len + i])
            })
            .collect();
        let keep: Vec<bool> = entries
            .iter()
            .zip(selected)
            // The snapshot always goes on: its members are selected while it is unpacked.
            .map(|(e, s)| {
                let rel = &e.path[prefix_len..];
                s || (e.kind == Kind::Dir && needed.contains(rel)) || rel == super::archive::ARCHIVE_NAME
            })
            .collect();
        let mut k = keep.into_iter();
        entries.retain(|_| k.next().unwrap_or(false));
    }
    let mut report = Report::default();
    let mut failures = Vec::new();
    let keep = |rel: &str, is_dir: bool| sel.selects(rel) || (is_dir && sel.may_contain(rel));
    let snapshot_keep: Option<super::extract::Keep<'_>> = if sel.is_all() { None } else { Some(&keep) };
    let (expanded, unpacked) = super::extract::expand_before_download(
        store,
        spec.policy,
        tree,
        &entries,
        prefix_len,
        cache,
        snapshot_keep,
        &mut failures,
    );
    report.transferred += unpacked.files;
    let mut synced: Vec<String> = entries.iter().map(|e| e.path.clone()).collect();
    let mut undelivered = HashSet::new();
    synced.extend(unpacked.paths.iter().map(|rel| join(&stored, rel)));
    for e in entries {
        let rel = &e.path[prefix_len..];
        if expanded.contains(rel) {
            continue;
        }
        // One entry that cannot be written (a name the session's file system refuses, a
        // symlink the session planted on the way) fails the task, not the rest of the download.
        let written = match (e.kind, &e.hash) {
            (Kind::Dir, _) => tree.open_dir(rel, true).map(drop),
            (Kind::File, Some(hash)) => {
                report.files += 1;
                let unchanged = cache.files.get(rel).is_some_and(|(k, h)| {
                    h == hash && tree.stat(rel).ok().flatten().map(|s| StatKey::of(&s)) == Some(*k)
                });
                if unchanged {
                    report.unchanged += 1;
                    continue;
                }
                store.blobs.open_blob(hash).and_then(|mut blob| tree.write_file(rel, &mut blob, e.mode, e.mtime)).map(
                    |st| {
                        cache.files.insert(rel.to_string(), (StatKey::of(&st), hash.clone()));
                        report.transferred += 1;
                    },
                )
            }
            (Kind::File, None) => Ok(()),
        };
        if let Err(err) = written {
            let full = err.raw_os_error() == Some(libc::ENOSPC);
            failures.push(format!("{}: {err}", e.path));
            undelivered.insert(e.path.clone());
            if full {
                break; // every later write would fail the same way
            }
        }
    }
    // Everything delivered is now known to the session (a snapshot's members by their own
    // paths, so an Archive upload judges each of them), except a snapshot that did not unpack:
    // its members never arrived, so a File-mode upload must not drop it.
    // Nor does an entry that could not be written.
    let snapshot = join(&stored, super::archive::ARCHIVE_NAME);
    synced.retain(|p| !undelivered.contains(p) && (failures.is_empty() || *p != snapshot));
    cache.baseline.extend(synced);
    db::touch_context(&store.db(), ctx, crate::util::now_secs())?;
    if !failures.is_empty() {
        return Err(SyncError::Download(summarize(&failures)));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(p: &std::path::Path) -> crate::safe_fs::Tree {
        crate::safe_fs::Tree::open(p, None).unwrap()
    }
    use std::fs;

    fn setup() -> (tempfile::TempDir, Store, String) {
        let (data, store) = crate::store::test_store("ctx-1");
        (data, store, "ctx-1".to_string())
    }

    fn spec<'a>(ctx: &'a str, policy: &'a SyncPolicy) -> MountSpec<'a> {
        MountSpec { ctx, mount_path: "/mnt/data", policy }
    }

    fn manifest(store: &Store, ctx: &str) -> Vec<(String, Option<String>)> {
        db::entries_below(&store.db(), ctx, "/mnt/data").unwrap().into_iter().map(|e| (e.path, e.hash)).collect()
    }

    #[test]
    fn upload_skips_unchanged_and_dedups() {
        let (_d, store, ctx) = setup();
        let mnt = tempfile::tempdir().unwrap();
        fs::write(mnt.path().join("a.txt"), "same").unwrap();
        fs::create_dir(mnt.path().join("sub")).unwrap();
        fs::write(mnt.path().join("sub/b.txt"), "same").unwrap();
        let mut cache = StatCache::default();
        let r = upload(&store, spec(&ctx, &SyncPolicy::default()), &t(mnt.path()), &mut cache, None).unwrap();
        assert_eq!((r.files, r.transferred, r.unchanged), (2, 2, 0));
        assert_eq!(store.blobs.count().unwrap(), 1, "identical content stored once");
        fs::write(mnt.path().join("c.txt"), "new").unwrap();
        let r = upload(&store, spec(&ctx, &SyncPolicy::default()), &t(mnt.path()), &mut cache, None).unwrap();
        assert_eq!((r.files, r.transferred, r.unchanged), (3, 1, 2));
        let m = manifest(&store, &ctx);
        let paths: Vec<_> = m.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["/mnt/data/a.txt", "/mnt/data/c.txt", "/mnt/data/sub", "/mnt/data/sub/b.txt"]);
    }

    #[test]
    fn failed_upload_leaves_old_manifest() {
        let (_d, store, ctx) = setup();
        let mnt = tempfile::tempdir().unwrap();
        fs::write(mnt.path().join("a.txt"), "v1").unwrap();
        let mut cache = StatCache::default();
        upload(&store, spec(&ctx, &SyncPolicy::default()), &t(mnt.path()), &mut cache, None).unwrap();
        let before = manifest(&store, &ctx);
        fs::write(mnt.path().join("a.txt"), "v2").unwrap();
        fs::write(mnt.path().join("b.txt"), "v2b").unwrap();
        let hook = |n: usize| {
            if n >= 1 {
                Err("injected".to_string())
            } else {
                Ok(())
            }
        };
        let e =
            upload(&store, spec(&ctx, &SyncPolicy::default()), &t(mnt.path()), &mut cache, Some(&hook)).unwrap_err();
        assert!(e.to_string().contains("injected"));
        assert_eq!(manifest(&store, &ctx), before);
        // The half-written blob is an orphan and GC removes it; the old one stays.
        store.gc().unwrap();
        let h = before[0].1.clone().unwrap();
        assert_eq!(fs::read_to_string(store.blobs.path_of(&h)).unwrap(), "v1");
        assert_eq!(store.blobs.count().unwrap(), 1);
    }

    #[test]
    fn downloaded_files_are_not_rehashed_by_the_next_upload() {
        let (_d, store, ctx) = setup();
        let src = tempfile::tempdir().unwrap();
        fs::write(src.path().join("a.txt"), "a").unwrap();
        fs::write(src.path().join("b.txt"), "b").unwrap();
        upload(&store, spec(&ctx, &SyncPolicy::default()), &t(src.path()), &mut StatCache::default(), None).unwrap();
        let dst = tempfile::tempdir().unwrap();
        let mut cache = StatCache::default();
        download(&store, spec(&ctx, &SyncPolicy::default()), &t(dst.path()), &mut cache).unwrap();
        fs::write(dst.path().join("b.txt"), "changed").unwrap();
        let r = upload(&store, spec(&ctx, &SyncPolicy::default()), &t(dst.path()), &mut cache, None).unwrap();
        assert_eq!((r.files, r.transferred, r.unchanged), (2, 1, 1));
    }

    #[test]
    fn download_round_trip_and_symlink_refusal() {
        let (_d, store, ctx) = setup();
        let src = tempfile::tempdir().unwrap();
        fs::create_dir_all(src.path().join("d/e")).unwrap();
        fs::write(src.path().join("d/e/f.txt"), "deep").unwrap();
        fs::create_dir(src.path().join("empty")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", src.path().join("link")).unwrap();
        upload(&store, spec(&ctx, &SyncPolicy::default()), &t(src.path()), &mut StatCache::default(), None).unwrap();
        assert!(manifest(&store, &ctx).iter().all(|(p, _)| p != "/mnt/data/link"), "symlinks are not synced");

        let dst = tempfile::tempdir().unwrap();
        let mut cache = StatCache::default();
        let r = download(&store, spec(&ctx, &SyncPolicy::default()), &t(dst.path()), &mut cache).unwrap();
        assert_eq!((r.files, r.transferred), (1, 1));
        assert_eq!(fs::read_to_string(dst.path().join("d/e/f.txt")).unwrap(), "deep");
        assert!(dst.path().join("empty").is_dir());
        let r = download(&store, spec(&ctx, &SyncPolicy::default()), &t(dst.path()), &mut cache).unwrap();
        assert_eq!(r.unchanged, 1);

        // A session replaces a directory by a symlink to a host dir: download must not write through it.
        let victim = tempfile::tempdir().unwrap();
        fs::remove_dir_all(dst.path().join("d")).unwrap();
        std::os::unix::fs::symlink(victim.path(), dst.path().join("d")).unwrap();
        assert!(
            download(&store, spec(&ctx, &SyncPolicy::default()), &t(dst.path()), &mut StatCache::default()).is_err()
        );
        assert_eq!(fs::read_dir(victim.path()).unwrap().count(), 0);
    }
}
