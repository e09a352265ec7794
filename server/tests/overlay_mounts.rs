//! Overlay mounts of synced contexts (`server/src/overlay/`, `server/src/sync/delta.rs`), end to
//! end over HTTP with real sandboxes: what a session sees, what its uploads store, what two
//! sessions of one context see of each other, what a hostile upper layer gets, and the copy
//! path (`--mounts copy`, and every server without root) doing the same.
//!
//! Run as root the overlay path is used (each test checks it is); run as a user without root
//! (`su tester -c '<test binary> overlay'`) every test still holds, on the copy path.

mod common;

use agentbay_local::overlay::MountMode;
use common::*;

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// The overlays mounted on the mount dirs of session `sid`, with their mount options.
fn overlays_of(sid: &str) -> Vec<String> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    info.lines().filter(|l| l.contains(" - overlay ") && l.contains(&format!("/{sid}/"))).map(String::from).collect()
}

/// Asserts mount 0 of `sid` is an overlay exactly when the server is root (and not forced to copy).
fn expect_overlay(sid: &str, expected: bool) {
    let got = overlays_of(sid);
    if expected {
        assert_eq!(got.len(), 1, "one overlay for the session's mount: {got:?}");
        let line = &got[0];
        let opts = line.split(' ').nth(5).unwrap();
        assert!(opts.contains("nosuid") && opts.contains("nodev"), "mounted nosuid,nodev: {line}");
        assert!(!line.contains("redirect_dir=on") && !line.contains("metacopy=on"), "{line}");
    } else {
        assert!(got.is_empty(), "no overlay on the copy path: {got:?}");
    }
}

/// Every entry below /mnt/data of a fresh session of `ctx`, as `type path[=content]`, sorted.
async fn view(c: &Client, ctx: &str) -> String {
    let sid = c.create_session(&pdl(&[(ctx, "/mnt/data", None)])).await;
    let tasks = c.wait_tasks(&sid).await;
    assert!(tasks.iter().all(|t| t.status == "Success"), "{tasks:?}");
    let out = c
        .run(
            &sid,
            "cd /mnt/data && find . -mindepth 1 | sort | while read -r p; do \
             if [ -f \"$p\" ]; then echo \"f $p=$(cat \"$p\")\"; else echo \"$(stat -c %F \"$p\" | cut -c1) $p\"; fi; done",
        )
        .await;
    c.delete_session(&sid).await;
    out.stdout
}

async fn seeded(c: &Client, name: &str) -> String {
    let ctx = c.context(name).await;
    for (p, body) in [
        ("/mnt/data/a.txt", "A"),
        ("/mnt/data/keep.txt", "K"),
        ("/mnt/data/d/b.txt", "B"),
        ("/mnt/data/d/e/c.txt", "C"),
        ("/mnt/data/old/x.txt", "X"),
    ] {
        c.put_file(&ctx, p, body.as_bytes()).await;
    }
    ctx
}

async fn sync(c: &Client, sid: &str, ctx: &str) {
    c.ok("SyncContext", &[("SessionId", sid), ("ContextId", ctx), ("Path", "/mnt/data"), ("Mode", "upload")]).await;
    let tasks = c.wait_tasks(sid).await;
    assert!(tasks.iter().all(|t| t.status == "Success"), "{tasks:?}");
}

async fn writes_deletes_and_renames_come_back(mode: MountMode) {
    let s = TestServer::start_with(|cfg| cfg.sandbox.mounts = mode).await;
    let c = s.client();
    let ctx = seeded(&c, "ovl").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    assert!(c.wait_tasks(&sid).await.iter().all(|t| t.status == "Success"));
    expect_overlay(&sid, is_root() && mode == MountMode::Overlay);
    let seen =
        c.run(&sid, "cd /mnt/data && cat a.txt keep.txt d/b.txt d/e/c.txt && id -u && ls -ld . | cut -c1-10").await;
    assert_eq!(seen.stdout, "AKBC1000\ndrwxr-xr-x\n", "the session sees the context's files, as its own");
    // Changed, deleted, created, a renamed folder of the context, a file changed and changed back,
    // and a folder deleted and made again with other content (opaque in the upper layer).
    c.run(
        &sid,
        "cd /mnt/data && printf A2 > a.txt && rm keep.txt && mkdir -p new/deep && printf N > new/deep/n.txt \
         && mv d d2 && printf tmp > d2/b.txt && printf B > d2/b.txt \
         && rm -r old && mkdir old && printf Y > old/y.txt",
    )
    .await;
    sync(&c, &sid, &ctx).await;
    let after_sync = "d ./d2\nf ./d2/b.txt=B\nd ./d2/e\nf ./d2/e/c.txt=C\nf ./a.txt=A2\nd ./new\nd ./new/deep\nf ./new/deep/n.txt=N\nd ./old\nf ./old/y.txt=Y\n";
    assert_eq!(sorted(&view(&c, &ctx).await), sorted(after_sync), "SyncContext stored every change");
    // More changes, stored by the release.
    c.run(&sid, "cd /mnt/data && printf A3 > a.txt && rm -r new && printf Z > z.txt").await;
    c.delete_session(&sid).await;
    let after_release =
        "d ./d2\nf ./d2/b.txt=B\nd ./d2/e\nf ./d2/e/c.txt=C\nf ./a.txt=A3\nd ./old\nf ./old/y.txt=Y\nf ./z.txt=Z\n";
    assert_eq!(sorted(&view(&c, &ctx).await), sorted(after_release), "the release stored every change");
    s.stop().await;
}

fn sorted(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s.lines().map(String::from).collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlay_writes_deletes_and_renames_come_back() {
    writes_deletes_and_renames_come_back(MountMode::Overlay).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlay_copy_fallback_does_the_same() {
    writes_deletes_and_renames_come_back(MountMode::Copy).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlay_sessions_of_one_context_do_not_see_each_others_writes() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = seeded(&c, "two").await;
    let list = pdl(&[(&ctx, "/mnt/data", None)]);
    let (a, b) = (c.create_session(&list).await, c.create_session(&list).await);
    for sid in [&a, &b] {
        assert!(c.wait_tasks(sid).await.iter().all(|t| t.status == "Success"));
        expect_overlay(sid, is_root());
    }
    c.run(&a, "cd /mnt/data && printf fromA > a.txt && printf onlyA > mine.txt && rm d/b.txt").await;
    c.run(&b, "cd /mnt/data && printf fromB > keep.txt").await;
    let in_b = c.run(&b, "cd /mnt/data && cat a.txt d/b.txt keep.txt && ls").await.stdout;
    assert_eq!(in_b, "ABfromBa.txt\nd\nkeep.txt\nold\n", "b sees none of a's writes");
    let in_a = c.run(&a, "cd /mnt/data && cat a.txt keep.txt mine.txt && ls d").await.stdout;
    assert_eq!(in_a, "fromAKonlyAe\n", "a sees none of b's writes");
    // As with copies, an upload stores the session's whole mount: b's, after a's, stores b's
    // a.txt and d/b.txt again (b still has them as they were), and keeps mine.txt, which b never had.
    sync(&c, &a, &ctx).await;
    assert_eq!(c.get_file(&ctx, "/mnt/data/a.txt").await, b"fromA");
    assert!(c.try_get_file(&ctx, "/mnt/data/d/b.txt").await.is_none());
    sync(&c, &b, &ctx).await;
    assert_eq!(c.get_file(&ctx, "/mnt/data/a.txt").await, b"A");
    assert_eq!(c.get_file(&ctx, "/mnt/data/keep.txt").await, b"fromB");
    assert_eq!(c.get_file(&ctx, "/mnt/data/mine.txt").await, b"onlyA");
    assert_eq!(c.get_file(&ctx, "/mnt/data/d/b.txt").await, b"B");
    c.delete_session(&a).await;
    c.delete_session(&b).await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlay_hostile_upper_layer_is_neither_followed_nor_stored() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = seeded(&c, "hostile").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    assert!(c.wait_tasks(&sid).await.iter().all(|t| t.status == "Success"));
    expect_overlay(&sid, is_root());
    // A context file replaced by a symlink to a host secret, a folder by a symlink out, a FIFO
    // nobody writes, a hard link, a sparse file, and a whiteout-like device if the kernel lets
    // an unprivileged process make one (0/0: it deletes the file in the session's view).
    let out = c
        .shell(
            &sid,
            "cd /mnt/data && rm a.txt && ln -s /etc/shadow a.txt && rm -r d && ln -s /etc d && mkfifo fifo \
             && ln keep.txt hard.txt && truncate -s 64M sparse && (mknod old/x.txt c 0 0 2>/dev/null || rm old/x.txt); \
             ls old | wc -l",
        )
        .await;
    assert_eq!(out.exit_code, 0, "{out:?}");
    assert_eq!(out.stdout.trim(), "0", "old/x.txt is gone from the session's view either way");
    sync(&c, &sid, &ctx).await;
    let v = view(&c, &ctx).await;
    assert_eq!(
        sorted(&v),
        sorted("f ./hard.txt=K\nf ./keep.txt=K\nd ./old\nf ./sparse=\n"),
        "symlinks, the FIFO and the whiteout are not stored (nor followed); what they replaced is deleted"
    );
    let sparse = c.get_file(&ctx, "/mnt/data/sparse").await;
    assert_eq!(sparse.len(), 64 << 20);
    assert!(sparse.iter().all(|b| *b == 0));
    c.delete_session(&sid).await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlay_lower_tree_is_the_servers_alone() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = seeded(&c, "lower").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    assert!(c.wait_tasks(&sid).await.iter().all(|t| t.status == "Success"));
    expect_overlay(&sid, is_root());
    if is_root() {
        use std::os::unix::fs::MetadataExt;
        let lower = s.data_dir().join("lower");
        let m = std::fs::metadata(&lower).unwrap();
        assert_eq!((m.uid(), m.mode() & 0o777), (0, 0o700), "no sandbox uid gets through to the lower trees");
        let line = &overlays_of(&sid)[0];
        assert!(line.contains(&format!("lowerdir={}/", lower.display())), "{line}");
    }
    // Writing through the mount never reaches the shared tree: a second session sees the original.
    c.run(&sid, "cd /mnt/data && printf changed > a.txt && chmod 4755 a.txt && rm keep.txt").await;
    let v = view(&c, &ctx).await;
    assert!(v.contains("f ./a.txt=A\n") && v.contains("f ./keep.txt=K\n"), "{v}");
    // Once it stores its changes, the next session mounts the new version: a tree of its own,
    // sharing the unchanged files with the old one (hard links), which the first session still uses.
    sync(&c, &sid, &ctx).await;
    let other = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    assert!(c.wait_tasks(&other).await.iter().all(|t| t.status == "Success"));
    let got = c.run(&other, "cd /mnt/data && cat a.txt d/b.txt && ls").await.stdout;
    assert_eq!(got, "changedBa.txt\nd\nold\n");
    if is_root() {
        use std::os::unix::fs::MetadataExt;
        let trees = lower_trees(&s);
        assert_eq!(trees.len(), 2, "one tree per version in use: {trees:?}");
        for t in &trees {
            assert_eq!(std::fs::metadata(t.join("d/b.txt")).unwrap().nlink(), 2, "unchanged files are shared");
        }
    }
    c.delete_session(&sid).await;
    c.delete_session(&other).await;
    if is_root() {
        assert_eq!(lower_trees(&s).len(), 1, "the old version's tree goes once unused; the newest stays cached");
    }
    c.ok("DeleteContext", &[("Id", &ctx)]).await;
    if is_root() {
        assert!(lower_trees(&s).is_empty(), "a deleted context's tree goes with it");
    }
    s.stop().await;
}

fn lower_trees(s: &TestServer) -> Vec<std::path::PathBuf> {
    let dir = s.data_dir().join("lower");
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlay_sync_download_writes_only_what_changed() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = seeded(&c, "download").await;
    let list = pdl(&[(&ctx, "/mnt/data", None)]);
    let (a, b) = (c.create_session(&list).await, c.create_session(&list).await);
    for sid in [&a, &b] {
        assert!(c.wait_tasks(sid).await.iter().all(|t| t.status == "Success"));
        expect_overlay(sid, is_root());
    }
    c.run(&b, "cd /mnt/data && printf B2 > d/b.txt").await;
    sync(&c, &b, &ctx).await;
    c.ok("SyncContext", &[("SessionId", &a), ("ContextId", &ctx), ("Path", "/mnt/data"), ("Mode", "download")]).await;
    assert!(c.wait_tasks(&a).await.iter().all(|t| t.status == "Success"));
    let got = c.run(&a, "cd /mnt/data && cat a.txt d/b.txt d/e/c.txt keep.txt").await.stdout;
    assert_eq!(got, "AB2CK", "the download delivered the change and kept the rest");
    if is_root() {
        // Only the changed file was written (so copied up); the rest is still the shared tree.
        let upper = s.data_dir().join("sessions").join(&a).join("fs/ovl/0/upper");
        let out = std::process::Command::new("find").arg(&upper).args(["-type", "f"]).output().unwrap();
        let files: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| l.strip_prefix(upper.to_str().unwrap()).unwrap().to_string())
            .collect();
        assert_eq!(files, ["/d/b.txt"]);
    }
    c.delete_session(&a).await;
    c.delete_session(&b).await;
    assert_eq!(c.get_file(&ctx, "/mnt/data/d/b.txt").await, b"B2");
    s.stop().await;
}
