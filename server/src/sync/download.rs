//! Download: the context's files into the mount dir (see the module doc of `sync`).

use super::cache::{StatCache, StatKey};
use super::error::{summarize, SyncError};
use super::expand::expand_before_download;
use super::extract::Keep;
use super::mount::{join, snapshot_format, MountSpec, Report};
use crate::safe_fs::Tree;
use crate::store::db::{self, Kind};
use crate::store::Store;
use std::collections::HashSet;

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
                s || (e.kind == Kind::Dir && needed.contains(rel)) || snapshot_format(rel).is_some()
            })
            .collect();
        let mut k = keep.into_iter();
        entries.retain(|_| k.next().unwrap_or(false));
    }
    let mut report = Report::default();
    let mut failures = Vec::new();
    let keep = |rel: &str, is_dir: bool| sel.selects(rel) || (is_dir && sel.may_contain(rel));
    let snapshot_keep: Option<Keep<'_>> = if sel.is_all() { None } else { Some(&keep) };
    let (expanded, unpacked) =
        expand_before_download(store, spec.policy, tree, &entries, prefix_len, cache, snapshot_keep, &mut failures);
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
    let is_snapshot = |p: &str| p.len() >= prefix_len && snapshot_format(&p[prefix_len..]).is_some();
    synced.retain(|p| !undelivered.contains(p) && (failures.is_empty() || !is_snapshot(p)));
    cache.baseline.extend(synced);
    db::touch_context(&store.db(), ctx, crate::util::now_secs())?;
    if !failures.is_empty() {
        return Err(SyncError::Download(summarize(&failures)));
    }
    Ok(report)
}
