//! Upload mode `Archive`: the mount is stored as one zip snapshot, as the official Archive mode.
//!
//! The snapshot is the manifest entry `<mount>/.agentbay-archive.zip` (so listFiles on the
//! mount path shows it and every session mounting the path receives it). It packs the files and
//! folders the File-mode walk finds, with their modes and mtimes (zip keeps mtimes to two
//! seconds), except those under `uploadPolicy.archiveExcludePaths`: those are stored as single
//! files next to it, as File mode stores them. Everything goes through the same
//! content-addressed blob store and becomes current in the same one-transaction manifest switch
//! as File mode. Every download (File or Archive mode) unpacks the snapshot, and also the
//! tar.gz snapshot (`.agentbay-archive.tar.gz`) earlier versions wrote; see `expand` (and
//! `extract`). The next Archive upload re-packs a tar.gz snapshot's members into the zip.

use super::cache::StatCache;
use super::error::{commit_err, SyncError};
use super::expand::carry_extracted_sources;
use super::extract::{clean, Format};
use super::mount::{join, snapshot_format, FaultHook, Report, ARCHIVE_NAME};
use crate::safe_fs::{self, Tree};
use crate::store::blobs::Pins;
use crate::store::db::{self, Entry, Kind};
use crate::store::{expiry, Store};
use agentbay_wire::policy::SyncPolicy;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read, Seek};
use zip::write::SimpleFileOptions;

/// Whether `policy` asks for Archive uploads.
pub fn is_archive_mode(policy: &SyncPolicy) -> bool {
    policy.upload_policy.upload_mode == agentbay_wire::policy::UploadMode::Archive
}

/// Yields exactly `left` bytes of a file or fails: a file that shrinks while being
/// packed would otherwise store less than was stat'ed.
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

fn io_err(path: &str) -> impl FnOnce(io::Error) -> SyncError + '_ {
    move |source| SyncError::Io { path: path.to_string(), source }
}

fn zip_err(path: &str) -> impl FnOnce(zip::result::ZipError) -> SyncError + '_ {
    move |e| SyncError::Io { path: path.to_string(), source: io::Error::other(e.to_string()) }
}

/// A zip timestamp for unix `secs` (taken as UTC, as `extract` reads it back); outside zip's
/// 1980..2107 range it is clamped.
fn zip_time(secs: i64) -> zip::DateTime {
    let (y, m, d) = agentbay_wire::time::civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    let (y, m, d, t) = if y < 1980 {
        (1980, 1, 1, 0)
    } else if y > 2107 {
        (2107, 12, 31, 86_399)
    } else {
        (y, m, d, t)
    };
    zip::DateTime::from_date_and_time(y as u16, m as u8, d as u8, (t / 3600) as u8, (t / 60 % 60) as u8, (t % 60) as u8)
        .unwrap_or_default()
}

fn options(mode: u32, mtime: i64, size: u64) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        // Never setuid, setgid or sticky: stored modes are plain permissions.
        .unix_permissions(mode & 0o777)
        .last_modified_time(zip_time(mtime))
        .large_file(size >= u64::from(u32::MAX))
}

/// Whether mount-relative `rel` is under one of `archiveExcludePaths` (plain string prefixes,
/// a directory ending with `/`), so it is stored as a single file rather than in the snapshot.
fn excluded(prefixes: &[String], rel: &str) -> bool {
    prefixes.iter().any(|p| rel.starts_with(p.as_str()))
}

/// Whether a folder is stored as a manifest entry rather than in the snapshot: it is excluded
/// itself (`logs/`) or it holds an excluded prefix (`a` for `a/b.txt`), so the single files
/// below it have their folder in the manifest.
fn dir_outside(prefixes: &[String], rel: &str) -> bool {
    let slashed = format!("{rel}/");
    prefixes.iter().any(|p| slashed.starts_with(p.as_str()) || p.starts_with(&slashed))
}

/// Where the new state goes: the zip (in a temp file of the blob store) and the single entries.
struct Out<'a, 'p> {
    store: &'a Store,
    mount_path: &'a str,
    prefixes: &'a [String],
    zip: zip::ZipWriter<File>,
    singles: Vec<Entry>,
    pins: &'a mut Pins<'p>,
    now: i64,
    fault: Option<FaultHook<'a>>,
    stored: usize,
}

impl Out<'_, '_> {
    fn dir(&mut self, rel: &str, mtime: i64) -> Result<(), SyncError> {
        if dir_outside(self.prefixes, rel) {
            let path = join(self.mount_path, rel);
            self.singles.push(Entry {
                path,
                kind: Kind::Dir,
                hash: None,
                size: 0,
                mode: 0o755,
                mtime,
                create_time: self.now,
            });
            return Ok(());
        }
        self.zip.add_directory(rel, options(0o755, mtime, 0)).map_err(zip_err(rel))
    }

    fn file(&mut self, rel: &str, data: &mut dyn Read, size: u64, mode: u32, mtime: i64) -> Result<(), SyncError> {
        let path = join(self.mount_path, rel);
        if excluded(self.prefixes, rel) {
            let mut exact = Exact { inner: data, left: size };
            let (hash, size) = self.store.blobs.put_reader(&mut exact, self.pins).map_err(io_err(&path))?;
            self.stored += 1;
            if let Some(hook) = self.fault {
                hook(self.stored).map_err(SyncError::Aborted)?;
            }
            let mut e = Entry::stored_file(path, hash, size, self.now);
            e.mode = mode & 0o777;
            e.mtime = mtime;
            self.singles.push(e);
            return Ok(());
        }
        self.zip.start_file(rel, options(mode, mtime, size)).map_err(zip_err(&path))?;
        io::copy(&mut Exact { inner: data, left: size }, &mut self.zip).map_err(io_err(&path))?;
        Ok(())
    }
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
    // The zip is written to an unnamed temp file next to the blobs (its central directory is
    // written last, so it needs a seekable file), then streamed into the blob store.
    let tmp = tempfile::tempfile_in(store.blobs.tmp_dir()).map_err(io_err(&archive_path))?;
    let mut out = Out {
        store,
        mount_path,
        prefixes: &policy.upload_policy.archive_exclude_paths,
        zip: zip::ZipWriter::new(tmp),
        singles: Vec::new(),
        pins: &mut pins,
        now,
        fault,
        stored: 0,
    };
    // Mount-relative paths in the new state: packed from the mount, or carried.
    let mut local = HashSet::new();
    for (rel, is_dir) in &found {
        if snapshot_format(rel).is_some() {
            continue; // a stray local copy of a snapshot is never packed into the snapshot
        }
        if *is_dir {
            out.dir(rel, now)?;
            local.insert(rel.clone());
            continue;
        }
        let (file, st) = match root.open_file(rel) {
            Ok(x) => x,
            // Vanished or replaced by a symlink/special since the walk: not synced, as in File mode.
            Err(e) if e.kind() == io::ErrorKind::NotFound || safe_fs::is_redirect(&e) => continue,
            Err(e) => return Err(io_err(rel)(e)),
        };
        let mut file = file;
        out.file(rel, &mut file, st.st_size as u64, st.st_mode, st.st_mtime)?;
        local.insert(rel.clone());
        report.files += 1;
        report.transferred += 1;
    }
    // The snapshot replaces everything stored below the mount, so whatever an upload may not
    // drop (unknown to this session, outside the white lists, or any of it without delete
    // sync) is carried into it; a previous snapshot is judged member by member.
    report.files += carry_previous(&previous, &mut local, droppable, &mut out)?;
    let Out { zip, mut singles, .. } = out;
    let mut tmp = zip.finish().map_err(zip_err(&archive_path))?;
    tmp.rewind().map_err(io_err(&archive_path))?;
    let (hash, size) = store.blobs.put_reader(&mut tmp, &mut pins).map_err(io_err(&archive_path))?;
    if let Some(hook) = fault {
        hook(1 + singles.len()).map_err(SyncError::Aborted)?;
    }
    let mut entries = vec![Entry::stored_file(archive_path, hash, size, now)];
    entries.append(&mut singles);
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
/// snapshot's members (zip, or the tar.gz of earlier versions) and individually stored files.
/// Returns the number of files carried.
fn carry_previous(
    previous: &[Entry],
    local: &mut HashSet<String>,
    droppable: &dyn Fn(&str) -> bool,
    out: &mut Out<'_, '_>,
) -> Result<usize, SyncError> {
    let mount_path = out.mount_path;
    let prefix_len = if mount_path == "/" { 1 } else { mount_path.len() + 1 };
    let mut carried = 0;
    for e in previous {
        let rel = &e.path[prefix_len..];
        let format = snapshot_format(rel);
        if local.contains(rel) || (format.is_none() && droppable(&e.path)) {
            continue;
        }
        if format.is_none() {
            local.insert(rel.to_string());
        }
        // A previous snapshot is untrusted (anyone with the context can store one): what is carried
        // from it is bounded like an extraction, by the declared sizes (`Exact` holds members to them).
        let limits = super::extract::Limits::default();
        let (mut entries, mut bytes) = (0u64, 0u64);
        let mut within = |size: u64| -> Result<(), SyncError> {
            entries += 1;
            bytes = bytes.saturating_add(size);
            if entries > limits.max_entries || bytes > limits.max_bytes {
                return Err(SyncError::Io {
                    path: e.path.clone(),
                    source: io::Error::other(format!(
                        "previous snapshot is over the limits of {} entries and {} bytes",
                        limits.max_entries, limits.max_bytes
                    )),
                });
            }
            Ok(())
        };
        // Whether a member of a previous snapshot is carried (and now known to be in the new state).
        let mut take = |name: &str, is_file: bool, is_dir: bool| -> bool {
            let valid = clean(name).is_some_and(|c| c == name && !c.is_empty());
            if !valid || local.contains(name) || !(is_file || is_dir) || droppable(&join(mount_path, name)) {
                return false;
            }
            local.insert(name.to_string());
            true
        };
        match (e.kind, &e.hash, format) {
            (Kind::Dir, _, _) => out.dir(rel, e.mtime)?,
            (Kind::File, Some(hash), Some(Format::TarGz)) => {
                let blob = out.store.blobs.open_blob(hash).map_err(io_err(&e.path))?;
                let mut old = tar::Archive::new(flate2::read::GzDecoder::new(io::BufReader::new(blob)));
                for member in old.entries().map_err(io_err(&e.path))? {
                    let mut member = member.map_err(io_err(&e.path))?;
                    let name = String::from_utf8_lossy(&member.path_bytes()).into_owned();
                    let name = name.trim_end_matches('/').to_string();
                    let kind = member.header().entry_type();
                    if !take(&name, kind.is_file(), kind.is_dir()) {
                        continue;
                    }
                    within(member.size())?;
                    let h = member.header();
                    let mtime = h.mtime().map(|t| t as i64).unwrap_or(0);
                    if kind.is_dir() {
                        out.dir(&name, mtime)?;
                    } else {
                        let (mode, size) = (h.mode().unwrap_or(0o644), member.size());
                        out.file(&name, &mut member, size, mode, mtime)?;
                        carried += 1;
                    }
                }
            }
            (Kind::File, Some(hash), Some(Format::Zip)) => {
                let blob = out.store.blobs.open_blob(hash).map_err(io_err(&e.path))?;
                let mut old = zip::ZipArchive::new(io::BufReader::new(blob)).map_err(zip_err(&e.path))?;
                for i in 0..old.len() {
                    let mut member = old.by_index(i).map_err(zip_err(&e.path))?;
                    let name = member.name().trim_end_matches('/').to_string();
                    let unix = member.unix_mode().unwrap_or(0);
                    let is_dir = member.is_dir();
                    let is_file = !is_dir && matches!(unix & 0o170000, 0 | 0o100000);
                    if !take(&name, is_file, is_dir) {
                        continue;
                    }
                    within(member.size())?;
                    let mtime = member
                        .last_modified()
                        .map(|t| {
                            super::extract::days_from_civil(t.year().into(), t.month().into(), t.day().into()) * 86_400
                                + i64::from(t.hour()) * 3600
                                + i64::from(t.minute()) * 60
                                + i64::from(t.second())
                        })
                        .unwrap_or(0);
                    if is_dir {
                        out.dir(&name, mtime)?;
                    } else {
                        let mode = if unix & 0o777 != 0 { unix & 0o777 } else { 0o644 };
                        let size = member.size();
                        out.file(&name, &mut member, size, mode, mtime)?;
                        carried += 1;
                    }
                }
            }
            (Kind::File, Some(hash), _) if excluded(out.prefixes, rel) => {
                // Still a single file: kept as it is (its blob is pinned with the previous state).
                out.pins.add(hash);
                out.singles.push(e.clone());
                carried += 1;
            }
            (Kind::File, Some(hash), _) => {
                let mut blob = out.store.blobs.open_blob(hash).map_err(io_err(&e.path))?;
                out.file(rel, &mut blob, e.size, e.mode, e.mtime)?;
                carried += 1;
            }
            (Kind::File, None, _) => {}
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
