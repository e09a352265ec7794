//! Upload mode `Archive`: the mount is stored as one tar.gz snapshot.
//!
//! The snapshot is the single manifest entry `<mount>/.agentbay-archive.tar.gz`
//! (so listFiles on the mount path shows it and every session mounting the path
//! receives it). It packs exactly the files and folders the File-mode walk finds,
//! with their modes and mtimes, goes through the same content-addressed blob store,
//! and becomes current in the same one-transaction manifest switch as File mode.
//! Every download (File or Archive mode) unpacks it; see `expand` (and `extract`).

use super::cache::StatCache;
use super::error::{commit_err, SyncError};
use super::expand::carry_extracted_sources;
use super::extract::clean;
use super::mount::{join, FaultHook, Report, ARCHIVE_NAME};
use crate::safe_fs::{self, Tree};
use crate::store::blobs::BlobWriter;
use crate::store::db::{self, Entry, Kind};
use crate::store::{expiry, Store};
use agentbay_wire::policy::SyncPolicy;
use std::collections::HashSet;
use std::io::{self, Read, Write};

/// Whether `policy` asks for Archive uploads.
pub fn is_archive_mode(policy: &SyncPolicy) -> bool {
    policy.upload_policy.upload_mode == agentbay_wire::policy::UploadMode::Archive
}

struct BlobSink<'a>(BlobWriter<'a>);

impl Write for BlobSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_chunk(buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Yields exactly `left` bytes of a file or fails: a file that shrinks while being
/// packed would otherwise make the tar entry shorter than its header says.
struct Exact<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let max = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..max])?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shrank while being archived"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn header(kind: tar::EntryType, size: u64, mode: u32, mtime: i64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(mtime.max(0) as u64);
    h.set_uid(0);
    h.set_gid(0);
    h
}

fn io_err(path: &str) -> impl FnOnce(io::Error) -> SyncError + '_ {
    move |source| SyncError::Io { path: path.to_string(), source }
}

/// Packs `found` (the walk's `(rel, is_dir)` list) into a new snapshot and switches the
/// mount's manifest to it. With `deletePolicy.syncLocalFile=false`, everything the previous
/// state had that is missing locally is carried into the new snapshot.
#[allow(clippy::too_many_arguments)]
pub(super) fn upload(
    store: &Store,
    ctx: &str,
    mount_path: &str,
    policy: &SyncPolicy,
    root: &Tree,
    found: Vec<(String, bool)>,
    cache: &mut StatCache,
    droppable: &dyn Fn(&str) -> bool,
    fault: Option<FaultHook<'_>>,
) -> Result<Report, SyncError> {
    let now = crate::util::now_secs();
    let archive_path = join(mount_path, ARCHIVE_NAME);
    // The previous state's blobs are read while packing, so they stay pinned until the switch.
    let (previous, mut pins) = store.read_pinned(
        |c| db::entries_below(c, ctx, mount_path),
        |rows| rows.iter().filter_map(|e| e.hash.as_deref()).collect(),
    )?;
    let mut report = Report::default();
    let writer = store.blobs.writer().map_err(io_err(&archive_path))?;
    let mut gz = flate2::write::GzEncoder::new(BlobSink(writer), flate2::Compression::default());
    // Mount-relative paths in the new snapshot: packed from the mount, or carried.
    let mut local = HashSet::new();
    let packed = (|| -> Result<(), SyncError> {
        let mut tar = tar::Builder::new(&mut gz);
        for (rel, is_dir) in &found {
            if rel == ARCHIVE_NAME {
                continue; // a stray local copy of the snapshot is never packed into itself
            }
            if *is_dir {
                let mut h = header(tar::EntryType::Directory, 0, 0o755, now);
                tar.append_data(&mut h, rel, io::empty()).map_err(io_err(rel))?;
                local.insert(rel.clone());
                continue;
            }
            let (file, st) = match root.open_file(rel) {
                Ok(x) => x,
                // Vanished or replaced by a symlink/special since the walk: not synced, as in File mode.
                Err(e) if e.kind() == io::ErrorKind::NotFound || safe_fs::is_redirect(&e) => continue,
                Err(e) => return Err(io_err(rel)(e)),
            };
            let size = st.st_size as u64;
            // Never setuid, setgid or sticky: stored modes are plain permissions.
            let mut h = header(tar::EntryType::Regular, size, st.st_mode & 0o777, st.st_mtime);
            tar.append_data(&mut h, rel, Exact { inner: file, left: size }).map_err(io_err(rel))?;
            local.insert(rel.clone());
            report.files += 1;
            report.transferred += 1;
        }
        // The snapshot replaces everything stored below the mount, so whatever an upload may not
        // drop (unknown to this session, outside the white lists, or any of it without delete
        // sync) is carried into it; a previous snapshot is judged member by member.
        report.files += carry_previous(store, mount_path, &previous, &mut local, droppable, &mut tar)?;
        tar.finish().map_err(io_err(&archive_path))
    })();
    let finished = gz.finish();
    let sink = match (packed, finished) {
        (Ok(()), Ok(sink)) => sink,
        (Err(e), finished) => {
            if let Ok(s) = finished {
                s.0.abort();
            }
            return Err(e);
        }
        (Ok(()), Err(e)) => return Err(io_err(&archive_path)(e)),
    };
    let (hash, size) = sink.0.finish(&mut pins).map_err(io_err(&archive_path))?;
    if let Some(hook) = fault {
        hook(1).map_err(SyncError::Aborted)?;
    }
    let mut entries = vec![Entry::stored_file(archive_path, hash, size, now)];
    carry_extracted_sources(store, cache, &mut entries, &mut pins);
    expiry::record_upload(store, ctx, mount_path, &policy.recycle_policy, &entries)?;
    db::replace_subtree(&mut store.db(), ctx, mount_path, &entries, now).map_err(|e| commit_err(ctx, e))?;
    drop(pins);
    // The session knows the snapshot's members by their paths (what it packed or carried).
    let members = local.into_iter().map(|rel| join(mount_path, &rel));
    cache.set_baseline(entries.iter().map(|e| e.path.clone()).chain(members));
    Ok(report)
}

/// Appends what the previous state had below the mount and `local` lacks: the previous
/// snapshot's members and individually stored files. Returns the number of files carried.
fn carry_previous<W: Write>(
    store: &Store,
    mount_path: &str,
    previous: &[Entry],
    local: &mut HashSet<String>,
    droppable: &dyn Fn(&str) -> bool,
    tar: &mut tar::Builder<W>,
) -> Result<usize, SyncError> {
    let prefix_len = if mount_path == "/" { 1 } else { mount_path.len() + 1 };
    let mut carried = 0;
    for e in previous {
        let rel = &e.path[prefix_len..];
        let is_snapshot = rel == ARCHIVE_NAME;
        if local.contains(rel) || (!is_snapshot && droppable(&e.path)) {
            continue;
        }
        if !is_snapshot {
            local.insert(rel.to_string());
        }
        match (e.kind, &e.hash) {
            (Kind::Dir, _) => {
                let mut h = header(tar::EntryType::Directory, 0, 0o755, e.mtime);
                tar.append_data(&mut h, rel, io::empty()).map_err(io_err(&e.path))?;
            }
            (Kind::File, Some(hash)) if rel == ARCHIVE_NAME => {
                let blob = store.blobs.open_blob(hash).map_err(io_err(&e.path))?;
                let mut old = tar::Archive::new(flate2::read::GzDecoder::new(io::BufReader::new(blob)));
                for member in old.entries().map_err(io_err(&e.path))? {
                    let mut member = member.map_err(io_err(&e.path))?;
                    let name = String::from_utf8_lossy(&member.path_bytes()).into_owned();
                    let name = name.trim_end_matches('/').to_string();
                    let kind = member.header().entry_type();
                    let valid = clean(&name).is_some_and(|c| c == name && !c.is_empty());
                    if !valid || local.contains(&name) || !(kind.is_file() || kind.is_dir()) {
                        continue;
                    }
                    if droppable(&join(mount_path, &name)) {
                        continue;
                    }
                    local.insert(name.clone());
                    let mut h = member.header().clone();
                    if let Ok(mode) = h.mode() {
                        h.set_mode(mode & 0o777); // a snapshot written before modes were masked
                    }
                    carried += usize::from(kind.is_file());
                    tar.append_data(&mut h, &name, &mut member).map_err(io_err(&e.path))?;
                }
            }
            (Kind::File, Some(hash)) => {
                let blob = store.blobs.open_blob(hash).map_err(io_err(&e.path))?;
                let mut h = header(tar::EntryType::Regular, e.size, e.mode, e.mtime);
                tar.append_data(&mut h, rel, Exact { inner: blob, left: e.size }).map_err(io_err(&e.path))?;
                carried += 1;
            }
            (Kind::File, None) => {}
        }
    }
    Ok(carried)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(p: &std::path::Path) -> crate::safe_fs::Tree {
        crate::safe_fs::Tree::open(p, None).unwrap()
    }
    use crate::sync::{self, MountSpec};
    use std::fs;

    fn setup() -> (tempfile::TempDir, Store) {
        crate::store::test_store("ctx")
    }

    fn paths(store: &Store) -> Vec<String> {
        db::entries_below(&store.db(), "ctx", "/m").unwrap().into_iter().map(|e| e.path).collect()
    }

    #[test]
    fn snapshot_is_one_entry_and_a_file_mode_upload_converts_it_back() {
        let (_d, store) = setup();
        let archive = SyncPolicy::parse(r#"{"uploadPolicy":{"uploadMode":"Archive"}}"#).unwrap();
        let file = SyncPolicy::default();
        let src = tempfile::tempdir().unwrap();
        fs::create_dir(src.path().join("d")).unwrap();
        fs::write(src.path().join("d/x.txt"), "x").unwrap();
        // A local file that happens to carry the snapshot's name is never packed into the snapshot.
        fs::write(src.path().join(ARCHIVE_NAME), "stray").unwrap();
        let spec = |p| MountSpec { ctx: "ctx", mount_path: "/m", policy: p };
        let r = sync::upload(&store, spec(&archive), &t(src.path()), &mut StatCache::default(), None).unwrap();
        assert_eq!(r.files, 1);
        assert_eq!(paths(&store), [format!("/m/{ARCHIVE_NAME}")]);

        let dst = tempfile::tempdir().unwrap();
        let mut cache = StatCache::default();
        sync::download(&store, spec(&file), &t(dst.path()), &mut cache).unwrap();
        assert_eq!(fs::read_to_string(dst.path().join("d/x.txt")).unwrap(), "x");
        assert!(!dst.path().join(ARCHIVE_NAME).exists(), "the snapshot itself is not delivered");
        sync::upload(&store, spec(&file), &t(dst.path()), &mut cache, None).unwrap();
        assert_eq!(paths(&store), ["/m/d", "/m/d/x.txt"]);
    }
}
