//! Uploads of an overlay mount (`crate::overlay`): what the session changed is exactly the
//! overlay's upper layer, so an upload reads that instead of walking the whole mount.
//!
//! The upper layer (on the session's disk, written only through the overlay) holds:
//! * a regular file for every file the session created or changed (a whole copy: the
//!   overlay is mounted with `metacopy=off`, so even a `chmod` copies the data up);
//! * a directory for every directory on the way to one, and for each it made; one the
//!   kernel marked opaque (`trusted.overlay.opaque` = `y`, made where a deleted directory
//!   was) hides everything the lower layer had below it;
//! * anything else (the 0/0 character device the kernel leaves for a deletion, and the
//!   symlinks, FIFOs and sockets a session makes) hides the lower path and below it, and is
//!   not synced, as the File-mode walk does not sync such files either.
//!
//! Renames of directories the lower layer has are refused by the kernel with EXDEV
//! (`redirect_dir=off`; `mv` then copies and deletes), so no redirect xattr ever needs
//! reading. The upper layer is never emptied: every upload sends all of it again, reusing
//! the hash of every file whose stat is unchanged (the stat cache), so a file changed while
//! an upload ran is caught by the next one, as with the walk. A file made in the upper layer
//! and deleted again leaves no trace there: the paths the last upload read are remembered.
//!
//! The result is the walk's: the context gets the session's whole mount. The files of the
//! lower layer the session did not touch are still what the context holds, unless another
//! writer (a session, a presigned PUT, a file deletion, the expiry sweeper) changed the
//! context since this session last mounted or uploaded it; every such change bumps the
//! context's generation (`db::generation`, SQLite triggers), and only then does the upload
//! compare the lower layer's entries with the stored ones and store again what differs, in
//! the same transaction. Should a blob it needs be gone meanwhile, it walks the whole mount.

use super::cache::{StatCache, StatKey};
use super::error::{commit_err, io_err, SyncError, Unstorable};
use super::mount::{join, FaultHook, MountSpec, Report};
use super::upload::FileStore;
use crate::safe_fs::{self, Tree};
use crate::store::db::{self, Entry, Kind};
use crate::store::{expiry, Store};
use agentbay_wire::policy::{SyncPolicy, UploadMode};
use rustix::fs::{FileType, Mode, OFlags};
use rustix::io::Errno;
use std::collections::{HashMap, HashSet};
use std::io;
use std::os::fd::OwnedFd;

/// The xattr overlayfs (mounted by root) marks an opaque upper directory with.
pub const OPAQUE_XATTR: &str = "trusted.overlay.opaque";

/// Whether an upload of a mount under `policy`, with `cache`, can be read off the upper
/// layer. The others (Archive mode packs the whole mount; white lists, recycle lifetimes
/// and extracted archives need the full set of paths) walk the merged mount as before.
pub fn upload_eligible(policy: &SyncPolicy, cache: &StatCache) -> bool {
    policy.upload_policy.upload_mode == UploadMode::File
        && super::select::Selector::compile(policy, "/").is_ok_and(|s| s.is_all())
        && policy.recycle_policy.lifetime_secs().is_none()
        && cache.extracted.is_empty()
}

/// Whether a download under `policy` may mount the stored tree as it is: every file is
/// delivered as a plain file (no white list narrows it, no snapshot or archive is unpacked).
pub fn mountable<'a>(policy: &SyncPolicy, mut rels: impl Iterator<Item = &'a str>) -> bool {
    super::select::Selector::compile(policy, "/").is_ok_and(|s| s.is_all())
        && rels.all(|rel| {
            let name = rel.rsplit_once('/').map_or(rel, |(_, n)| n);
            super::mount::snapshot_format(rel).is_none()
                && !(policy.extract_policy.extract && super::extract::Format::of(name).is_some())
        })
}

/// What a download that mounted the context's tree (instead of copying it) delivered:
/// every stored entry below the mount (`entries`, read when the context's generation was
/// `generation`) is now known to the session, as after a complete download (see
/// `StatCache::baseline`), and is what its lower layer holds.
pub fn adopt_mounted(cache: &mut StatCache, entries: Vec<Entry>, generation: i64) {
    cache.baseline.extend(entries.iter().map(|e| e.path.clone()));
    cache.lower = std::sync::Arc::new(entries);
    cache.generation = generation;
}

/// Before a download into a mount that is already an overlay (a `SyncContext` download):
/// the files the session still sees from the lower layer are known by their stat, so the
/// download skips those the context still holds as they are (the stat cache) instead of
/// writing, and so copying up, every file again. A stat per lower file, no copies.
pub fn before_download(spec: MountSpec<'_>, merged: &Tree, upper: &Tree, cache: &mut StatCache) {
    let Ok(stored) = spec.stored_root() else { return };
    let prefix_len = if stored == "/" { 1 } else { stored.len() + 1 };
    let lower = cache.lower.clone();
    for e in lower.iter() {
        let (Kind::File, Some(hash), Some(rel)) = (e.kind, &e.hash, e.path.get(prefix_len..)) else { continue };
        if cache.files.contains_key(rel) || !matches!(upper.stat(rel), Ok(None)) {
            continue; // the session's own (or unknown): the download judges it as before
        }
        // Not in the upper layer, and visible: the lower layer's file, as it was mounted.
        if let Ok(Some(st)) = merged.stat(rel) {
            if FileType::from_raw_mode(st.st_mode) == FileType::RegularFile {
                cache.files.insert(rel.to_string(), (StatKey::of(&st), hash.clone()));
            }
        }
    }
}

/// The upper layer, read.
#[derive(Debug, Default)]
struct Upper {
    /// Mount-relative paths, parents before children.
    dirs: Vec<String>,
    files: Vec<String>,
    /// Paths whose lower entries (and everything below them) the upper hides and replaces
    /// with nothing synced.
    hidden: Vec<String>,
    opaque: Vec<String>,
    unstorable: Vec<Unstorable>,
}

fn scan(dir: &OwnedFd, rel: &str, stored_len: usize, up: &mut Upper) -> Result<(), SyncError> {
    let child_of = |name: &str| if rel.is_empty() { name.to_string() } else { format!("{rel}/{name}") };
    for ent in safe_fs::read_dir(dir).map_err(io_err(rel))? {
        let Some(name) = ent.name.to_str() else {
            let shown = child_of(format!("{:?}", ent.name).trim_matches('"'));
            if matches!(ent.kind, FileType::Directory | FileType::RegularFile) {
                up.unstorable.push(Unstorable { path: shown, why: "its name is not valid UTF-8" });
            }
            continue;
        };
        if name.starts_with(safe_fs::TMP_PREFIX) {
            continue;
        }
        let child = child_of(name);
        let synced = matches!(ent.kind, FileType::Directory | FileType::RegularFile);
        if synced && stored_len + 1 + child.len() > crate::paths::MAX_LEN {
            up.unstorable
                .push(Unstorable { path: child, why: "its path in the context would be longer than 4096 bytes" });
            continue;
        }
        match ent.kind {
            FileType::RegularFile => up.files.push(child),
            FileType::Directory => {
                let flags = OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::RDONLY | OFlags::CLOEXEC;
                let sub = match rustix::fs::openat(dir, ent.name.as_os_str(), flags, Mode::empty()) {
                    Ok(fd) => fd,
                    // Gone or replaced since it was listed: the next upload sees what it became.
                    Err(Errno::NOENT) | Err(Errno::LOOP) | Err(Errno::NOTDIR) => continue,
                    Err(e) => return Err(io_err(&child)(io::Error::from_raw_os_error(e.raw_os_error()))),
                };
                let mut flag = [0u8; 2];
                // Only the kernel (as the mounter, root) can set trusted.* xattrs here.
                if matches!(rustix::fs::fgetxattr(&sub, OPAQUE_XATTR, &mut flag[..]), Ok(1) if flag[0] == b'y') {
                    up.opaque.push(child.clone());
                }
                up.dirs.push(child.clone());
                scan(&sub, &child, stored_len, up)?;
            }
            // Whiteouts, symlinks, FIFOs, sockets, devices: never opened, never followed.
            _ => up.hidden.push(child),
        }
    }
    Ok(())
}

/// Uploads the changes of an overlay mount: `upper` is its upper layer. Same result in the
/// context as `sync::upload` of the merged mount under an eligible policy
/// ([`upload_eligible`]); `merged` is the mount as the session sees it. Except that files this session never touched are not written
/// again (so a newer version another session stored meanwhile stays).
pub fn upload_changes(
    store: &Store,
    spec: MountSpec<'_>,
    merged: &Tree,
    upper: &Tree,
    cache: &mut StatCache,
    fault: Option<FaultHook<'_>>,
) -> Result<Report, SyncError> {
    let ctx = spec.ctx;
    let stored = spec.stored_root()?;
    let mut up = Upper::default();
    scan(upper.root(), "", stored.len(), &mut up)?;
    let mirror = spec.policy.delete_policy.sync_local_file;
    let now = crate::util::now_secs();
    let mut entries = Vec::with_capacity(up.dirs.len() + up.files.len());
    for rel in &up.dirs {
        let path = join(&stored, rel);
        entries.push(Entry { path, kind: Kind::Dir, hash: None, size: 0, mode: 0o755, mtime: now, create_time: now });
    }
    let mut files = FileStore::new(store, &stored, now, fault);
    for rel in &up.files {
        let (mut file, st) = match upper.open_file(rel) {
            Ok(x) => x,
            // Deleted or replaced since the scan: the next upload sees what it became.
            Err(e) if e.kind() == io::ErrorKind::NotFound || safe_fs::is_redirect(&e) => continue,
            Err(e) => return Err(io_err(rel)(e)),
        };
        entries.push(files.add(&cache.files, rel, &mut file, &st)?);
    }
    let FileStore { mut pins, new_cache, written, report, .. } = files;
    // Deletions: what the session had (its baseline) and the upper now hides, when mirroring.
    let now_upper: HashSet<String> = up.dirs.iter().chain(&up.files).cloned().collect();
    // Uploaded from the upper layer before and gone from it since, without a whiteout: made and
    // deleted in this session. Unless the session sees something there (the lower layer's), it is gone.
    let vanished: Vec<&String> = cache
        .upper
        .iter()
        .filter(|rel| !now_upper.contains(*rel))
        .filter(|rel| {
            merged.stat(rel).ok().flatten().is_none_or(|st| {
                !matches!(FileType::from_raw_mode(st.st_mode), FileType::RegularFile | FileType::Directory)
            })
        })
        .collect();
    let mut gone = Vec::new();
    if mirror {
        for rel in &vanished {
            let path = join(&stored, rel);
            if cache.baseline.contains(&path) {
                gone.push(path);
            }
        }
    }
    if mirror && (!up.hidden.is_empty() || !up.opaque.is_empty()) {
        let present: HashSet<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        let db = store.db();
        let consider = |path: String, gone: &mut Vec<String>| {
            if cache.baseline.contains(&path) && !present.contains(path.as_str()) {
                gone.push(path);
            }
        };
        for rel in up.hidden.iter().chain(&up.opaque) {
            let path = join(&stored, rel);
            for e in db::entries_below(&db, ctx, &path)? {
                consider(e.path, &mut gone);
            }
            consider(path, &mut gone);
        }
    }
    store.blobs.sync(&written).map_err(io_err(spec.mount_path))?;
    expiry::record_upload(store, ctx, &stored, &spec.policy.recycle_policy, &entries)?;
    // When another writer changed the context since this session last synced, the walk would
    // have stored every file of the session again; so are the lower-layer files the session
    // still has as they were and the context no longer does (deleted or replaced meanwhile).
    let prefix_len = if stored == "/" { 1 } else { stored.len() + 1 };
    let lower = cache.lower.clone();
    let mut reconcile = |now_stored: Vec<Entry>| -> Option<Vec<Entry>> {
        let had: HashMap<&str, &Entry> = now_stored.iter().map(|e| (e.path.as_str(), e)).collect();
        let hide_below: HashSet<&str> =
            up.opaque.iter().chain(&up.files).chain(&up.hidden).map(String::as_str).collect();
        let mut again = Vec::new();
        for e in lower.iter() {
            let Some(rel) = e.path.get(prefix_len..) else { continue };
            let hidden = now_upper.contains(rel)
                || up.hidden.iter().any(|h| h == rel)
                || rel.match_indices('/').any(|(i, _)| hide_below.contains(&rel[..i]));
            let same = had.get(e.path.as_str()).is_some_and(|s| {
                s.kind == e.kind
                    && (e.kind == Kind::Dir || (s.hash == e.hash && s.mode == e.mode && s.mtime == e.mtime))
            });
            if hidden || same {
                continue;
            }
            if let Some(h) = &e.hash {
                pins.add(h);
                if !store.blobs.exists(h) {
                    return None; // its content is only in the session now: the walk reads it
                }
            }
            again.push(e.clone());
        }
        Some(again)
    };
    let known = cache.generation;
    let delta = db::Delta { entries, gone: &gone, known };
    let committed = db::apply_delta(&mut store.db(), ctx, &stored, delta, &mut reconcile, now);
    let (generation, entries) = match committed {
        Ok(x) => x,
        Err(db::CommitError::Reconcile) => {
            drop(pins);
            return upload_whole(store, spec, merged, cache, fault, now_upper);
        }
        Err(e) => return Err(commit_err(ctx, e)),
    };
    drop(pins);
    cache.generation = generation;
    cache.files = new_cache;
    cache.upper = now_upper;
    for p in &gone {
        cache.baseline.remove(p);
    }
    cache.baseline.extend(entries.into_iter().map(|e| e.path));
    if !up.unstorable.is_empty() {
        return Err(SyncError::Unstorable(up.unstorable));
    }
    Ok(report)
}

/// The walk of the whole merged mount (`sync::upload`), for when the change list cannot vouch
/// for the result; the overlay's bookkeeping is brought up to date after it.
fn upload_whole(
    store: &Store,
    spec: MountSpec<'_>,
    merged: &Tree,
    cache: &mut StatCache,
    fault: Option<FaultHook<'_>>,
    now_upper: HashSet<String>,
) -> Result<Report, SyncError> {
    let report = super::upload::upload(store, spec, merged, cache, fault)?;
    cache.upper = now_upper;
    // A writer between the switch and this read goes unnoticed by the next upload, which then
    // stores only what changed, like an upload racing that writer would.
    cache.generation = db::generation(&store.db(), spec.ctx)?;
    Ok(report)
}
