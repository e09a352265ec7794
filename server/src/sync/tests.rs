//! Round trips through the engine: uploads, downloads and what the stat cache saves.

use super::cache::StatCache;
use super::download::download;
use super::mount::MountSpec;
use super::upload::upload;
use crate::store::{db, Store};
use agentbay_wire::policy::SyncPolicy;

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
    let e = upload(&store, spec(&ctx, &SyncPolicy::default()), &t(mnt.path()), &mut cache, Some(&hook)).unwrap_err();
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
    assert!(download(&store, spec(&ctx, &SyncPolicy::default()), &t(dst.path()), &mut StatCache::default()).is_err());
    assert_eq!(fs::read_dir(victim.path()).unwrap().count(), 0);
}

/// The change counter `delta` relies on: every writer of a context's entries bumps it, and
/// `apply_delta` reconciles exactly when it moved.
#[test]
fn every_writer_bumps_the_generation_and_apply_delta_reconciles_only_then() {
    let (_d, store, ctx) = setup();
    let g0 = db::generation(&store.db(), &ctx).unwrap();
    let file = |p: &str| db::Entry::stored_file(p.to_string(), "h".repeat(64), 1, 1);
    db::put_file(&mut store.db(), &ctx, &file("/mnt/data/a"), 1).unwrap();
    let g1 = db::generation(&store.db(), &ctx).unwrap();
    assert!(g1 > g0, "a presigned PUT");
    db::delete_path(&mut store.db(), &ctx, "/mnt/data/a").unwrap();
    let g2 = db::generation(&store.db(), &ctx).unwrap();
    assert!(g2 > g1, "a deletion");
    // Nobody wrote since g2: the delta is written as it is, reconcile is never asked.
    let mut asked = 0;
    let delta = db::Delta { entries: vec![file("/mnt/data/b")], gone: &[], known: g2 };
    let (g3, written) = db::apply_delta(
        &mut store.db(),
        &ctx,
        "/mnt/data",
        delta,
        &mut |_| {
            asked += 1;
            Some(Vec::new())
        },
        1,
    )
    .unwrap();
    assert_eq!((asked, written.len()), (0, 1));
    assert_eq!(g3, db::generation(&store.db(), &ctx).unwrap(), "the generation after its own write");
    // Another writer meanwhile: reconcile sees the stored entries and adds to the write; None aborts it.
    db::put_file(&mut store.db(), &ctx, &file("/mnt/data/c"), 1).unwrap();
    let delta = db::Delta { entries: Vec::new(), gone: &[], known: g3 };
    let r = db::apply_delta(&mut store.db(), &ctx, "/mnt/data", delta, &mut |_| None, 1);
    assert!(matches!(r, Err(db::CommitError::Reconcile)));
    let delta = db::Delta { entries: Vec::new(), gone: &[], known: g3 };
    let mut seen = Vec::new();
    let (_, written) = db::apply_delta(
        &mut store.db(),
        &ctx,
        "/mnt/data",
        delta,
        &mut |stored| {
            seen = stored.iter().map(|e| e.path.clone()).collect();
            Some(vec![file("/mnt/data/a")])
        },
        1,
    )
    .unwrap();
    assert_eq!(seen, ["/mnt/data/b", "/mnt/data/c"]);
    assert_eq!(written.len(), 1);
    assert_eq!(manifest(&store, &ctx).len(), 3, "a is back, b and c stay");
}
