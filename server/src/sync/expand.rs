//! What a download unpacks into the mount dir besides plain files, and what an upload
//! carries back for it: the Archive-mode snapshot (see `archive`) is unpacked by every
//! download, and under extractPolicy archive files are extracted (see `extract`, which
//! treats both as untrusted) and their sources kept in the context.

use super::cache::StatCache;
use super::extract::{corrupt, extract, join, Extracted, Format, Keep, Limits};
use super::mount::snapshot_format;
use crate::safe_fs::Tree;
use crate::store::blobs::Pins;
use crate::store::db::{Entry, Kind};
use crate::store::Store;
use agentbay_wire::policy::SyncPolicy;
use std::collections::HashSet;

/// Where an archive at `rel` (mount-relative) is extracted under `policy`.
fn target_of<'a>(rel: &'a str, stem: &'a str, policy: &SyncPolicy) -> String {
    let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    if policy.extract_policy.extract_to_current_folder {
        dir.to_string()
    } else {
        let folder = stem.rsplit_once('/').map(|(_, n)| n).unwrap_or(stem);
        join(dir, folder)
    }
}

/// Download step run before plain files are written (so files stored individually
/// in the context win over archive content): unpacks the Archive-mode snapshot and
/// extracts archive files under extractPolicy. Returns the mount-relative paths that
/// must not be written as plain files; failures are pushed to `failures`.
#[allow(clippy::too_many_arguments)] // one call site, in download.rs, which owns every piece
pub(super) fn expand_before_download(
    store: &Store,
    policy: &SyncPolicy,
    root: &Tree,
    entries: &[Entry],
    prefix_len: usize,
    cache: &mut StatCache,
    snapshot_keep: Option<Keep<'_>>,
    failures: &mut Vec<String>,
) -> (HashSet<String>, Extracted) {
    let mut skip = HashSet::new();
    let mut written = Extracted::default();
    for e in entries {
        let rel = &e.path[prefix_len..];
        let (Kind::File, Some(hash)) = (e.kind, &e.hash) else {
            continue;
        };
        if let Some(format) = snapshot_format(rel) {
            skip.insert(rel.to_string());
            match store
                .blobs
                .open_blob(hash)
                .map_err(corrupt)
                .and_then(|f| extract(root, "", f, format, Limits::default(), snapshot_keep))
            {
                Ok(x) => written.absorb(x),
                Err(err) => failures.push(format!("unpacking {}: {err}", e.path)),
            }
            continue;
        }
        if !policy.extract_policy.extract {
            continue;
        }
        let name = rel.rsplit_once('/').map(|(_, n)| n).unwrap_or(rel);
        let Some((format, stem)) = Format::of(name) else {
            continue;
        };
        let delete_src = policy.extract_policy.delete_src_file;
        if cache.extracted.get(rel).is_some_and(|(prev, _)| prev.hash == e.hash) {
            // Already extracted in this session: a second download must neither redo nor fail.
            if delete_src {
                skip.insert(rel.to_string());
            }
            continue;
        }
        let target = target_of(rel, stem, policy);
        match store
            .blobs
            .open_blob(hash)
            .map_err(corrupt)
            .and_then(|f| extract(root, &target, f, format, Limits::default(), None))
        {
            Ok(x) => {
                written.absorb(x);
                if delete_src {
                    skip.insert(rel.to_string());
                    // A copy left from an earlier download goes too: the session copy is removed.
                    let _ = root.remove_file(rel);
                }
                cache.extracted.insert(rel.to_string(), (e.clone(), delete_src));
            }
            Err(err) => failures.push(format!("extracting {}: {err}", e.path)),
        }
    }
    (skip, written)
}

/// Upload step: source archives that extraction removed from the session copy stay
/// in the context (deleteSrcFile only affects the session), unless the session
/// created a file at that path itself.
pub(super) fn carry_extracted_sources(
    store: &Store,
    cache: &StatCache,
    uploaded: &mut Vec<Entry>,
    pins: &mut Pins<'_>,
) {
    let present: HashSet<String> = uploaded.iter().map(|e| e.path.clone()).collect();
    for (entry, removed) in cache.extracted.values() {
        // Pinned before the existence check, like every blob an upload is about to reference.
        let blob_ok = entry.hash.as_deref().is_some_and(|h| {
            pins.add(h);
            store.blobs.exists(h)
        });
        if *removed && blob_ok && !present.contains(&entry.path) {
            uploaded.push(entry.clone());
        }
    }
}
