//! Issue 4, auto flags: `autoDownload` / `autoUpload` alone and in the official
//! recipes (manual, upload-only, download-only), and several contexts with
//! different policies in one session, each synced by its own policy.

mod common;
mod policy_common;
use common::*;
use policy_common::*;
use std::time::Duration;

const NO_DOWNLOAD: &str = r#"{"downloadPolicy":{"autoDownload":false}}"#;
const NO_UPLOAD: &str = r#"{"uploadPolicy":{"autoUpload":false}}"#;
const MANUAL: &str = r#"{"uploadPolicy":{"autoUpload":false},"downloadPolicy":{"autoDownload":false}}"#;

async fn sync(c: &Client, sid: &str, ctx: &str, path: &str, mode: Option<&str>) {
    let mut b = vec![("SessionId", sid), ("ContextId", ctx), ("Path", path)];
    if let Some(m) = mode {
        b.push(("Mode", m));
    }
    c.ok("SyncContext", &b).await;
    let tasks = c.wait_tasks(sid).await;
    assert!(tasks.iter().all(|t| t.status == "Success"), "{tasks:?}");
}

#[tokio::test]
async fn auto_download_false_starts_empty_and_sync_download_fills_the_mount() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("nodl").await;
    c.put_file(&ctx, "/mnt/data/a.txt", b"a").await;
    c.put_file(&ctx, "/mnt/data/d/b.txt", b"b").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", Some(NO_DOWNLOAD))])).await;
    assert!(c.tasks(&sid, &[]).await.is_empty(), "no download task");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(mount_tree(&c, &sid, "/mnt/data").await.is_empty());

    // Wrong selections and modes are refused; nothing runs.
    let msg = c
        .err(
            "SyncContext",
            &[("SessionId", &sid), ("ContextId", &ctx), ("Path", "/mnt/other"), ("Mode", "download")],
            400,
            "InvalidParameter",
        )
        .await;
    assert!(msg.contains("/mnt/other"), "{msg}");
    c.err("SyncContext", &[("SessionId", &sid), ("Mode", "both")], 400, "InvalidParameter").await;
    assert!(c.tasks(&sid, &[]).await.is_empty());

    sync(&c, &sid, &ctx, "/mnt/data", Some("download")).await;
    assert_eq!(task_summary(&c, &sid).await, [(ctx.clone(), "/mnt/data".into(), "download".into(), "Success".into())]);
    assert_eq!(mount_tree(&c, &sid, "/mnt/data").await, strs(&["a.txt=a", "d/", "d/b.txt=b"]));
    // autoUpload is still on: the release stores the session's changes.
    c.run(&sid, "printf A > /mnt/data/a.txt").await;
    c.delete_session(&sid).await;
    assert_eq!(ctx_tree(&c, &ctx, "/mnt/data").await, strs(&["a.txt=A", "d/", "d/b.txt=b"]));
    s.stop().await;
}

#[tokio::test]
async fn auto_upload_false_release_uploads_nothing_but_sync_context_uploads() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("noup").await;
    c.put_file(&ctx, "/mnt/data/a.txt", b"v1").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", Some(NO_UPLOAD))])).await;
    c.wait_tasks(&sid).await;
    assert_eq!(mount_tree(&c, &sid, "/mnt/data").await, strs(&["a.txt=v1"]), "autoDownload still on");

    c.run(&sid, "printf v2 > /mnt/data/a.txt && printf n > /mnt/data/n.txt").await;
    sync(&c, &sid, &ctx, "/mnt/data", None).await; // no Mode: upload
    assert_eq!(ctx_tree(&c, &ctx, "/mnt/data").await, strs(&["a.txt=v2", "n.txt=n"]));
    c.run(&sid, "printf v3 > /mnt/data/a.txt").await;
    sync(&c, &sid, &ctx, "/mnt/data", Some("upload")).await;
    assert_eq!(ctx_tree(&c, &ctx, "/mnt/data").await, strs(&["a.txt=v3", "n.txt=n"]));

    c.run(&sid, "printf v4 > /mnt/data/a.txt && printf late > /mnt/data/late.txt && rm /mnt/data/n.txt").await;
    c.delete_session(&sid).await;
    assert_eq!(ctx_tree(&c, &ctx, "/mnt/data").await, strs(&["a.txt=v3", "n.txt=n"]), "release uploaded nothing");
    assert!(!s.data_dir().join("lost+found").exists(), "a skipped upload is not a failed one");
    s.stop().await;
}

#[tokio::test]
async fn recipe_manual_nothing_moves_unless_sync_context() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("manual").await;
    c.put_file(&ctx, "/mnt/data/a.txt", b"a").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", Some(MANUAL))])).await;
    assert!(c.tasks(&sid, &[]).await.is_empty());
    assert!(mount_tree(&c, &sid, "/mnt/data").await.is_empty());
    c.run(&sid, "printf b > /mnt/data/b.txt").await;
    c.delete_session(&sid).await;
    assert_eq!(ctx_tree(&c, &ctx, "/mnt/data").await, strs(&["a.txt=a"]));

    // Both directions on request only.
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", Some(MANUAL))])).await;
    sync(&c, &sid, &ctx, "/mnt/data", Some("download")).await;
    assert_eq!(mount_tree(&c, &sid, "/mnt/data").await, strs(&["a.txt=a"]));
    c.run(&sid, "printf c > /mnt/data/c.txt").await;
    sync(&c, &sid, &ctx, "/mnt/data", Some("upload")).await;
    assert_eq!(ctx_tree(&c, &ctx, "/mnt/data").await, strs(&["a.txt=a", "c.txt=c"]));
    c.run(&sid, "printf z > /mnt/data/z.txt").await;
    c.delete_session(&sid).await;
    assert_eq!(ctx_tree(&c, &ctx, "/mnt/data").await, strs(&["a.txt=a", "c.txt=c"]));
    s.stop().await;
}

#[tokio::test]
async fn recipe_upload_only_collects_outputs_without_downloading() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("uponly").await;
    c.put_file(&ctx, "/mnt/out/seed.txt", b"seed").await;
    c.put_file(&ctx, "/mnt/elsewhere/x.txt", b"x").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/out", Some(NO_DOWNLOAD))])).await;
    assert!(c.tasks(&sid, &[]).await.is_empty());
    assert!(mount_tree(&c, &sid, "/mnt/out").await.is_empty(), "nothing downloaded");
    c.run(&sid, "mkdir /mnt/out/run1 && printf r > /mnt/out/run1/result.txt").await;
    c.delete_session(&sid).await;
    // Delete sync (on by default) drops only what the session had synced: seed.txt was never
    // downloaded, so it was not deleted in the session and stays. Outputs accumulate run by run.
    assert_eq!(ctx_tree(&c, &ctx, "/mnt/out").await, strs(&["run1/", "run1/result.txt=r", "seed.txt=seed"]));
    assert_eq!(ctx_tree(&c, &ctx, "/mnt/elsewhere").await, strs(&["x.txt=x"]));
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/out", Some(NO_DOWNLOAD))])).await;
    c.run(&sid, "mkdir /mnt/out/run2 && printf r2 > /mnt/out/run2/result.txt").await;
    sync(&c, &sid, &ctx, "/mnt/out", None).await;
    // Deleting a file this session uploaded is mirrored by its next upload.
    c.run(&sid, "rm -r /mnt/out/run2 && printf r3 > /mnt/out/run3.txt").await;
    c.delete_session(&sid).await;
    assert_eq!(
        ctx_tree(&c, &ctx, "/mnt/out").await,
        strs(&["run1/", "run1/result.txt=r", "run3.txt=r3", "seed.txt=seed"])
    );
    s.stop().await;
}

#[tokio::test]
async fn recipe_download_only_reads_the_context_and_never_writes_it() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("dlonly").await;
    c.put_file(&ctx, "/mnt/in/cfg/app.json", b"{}").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/in", Some(NO_UPLOAD))])).await;
    let tasks = c.wait_tasks(&sid).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!((tasks[0].task_type.as_str(), tasks[0].status.as_str()), ("download", "Success"));
    assert_eq!(mount_tree(&c, &sid, "/mnt/in").await, strs(&["cfg/", "cfg/app.json={}"]));
    c.run(&sid, "printf broken > /mnt/in/cfg/app.json && printf t > /mnt/in/tmp.txt").await;
    c.delete_session(&sid).await;
    assert_eq!(ctx_tree(&c, &ctx, "/mnt/in").await, strs(&["cfg/", "cfg/app.json={}"]));
    // The next session starts from the untouched context again.
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/in", Some(NO_UPLOAD))])).await;
    c.wait_tasks(&sid).await;
    assert_eq!(mount_tree(&c, &sid, "/mnt/in").await, strs(&["cfg/", "cfg/app.json={}"]));
    c.delete_session(&sid).await;
    s.stop().await;
}

#[tokio::test]
async fn three_contexts_in_one_session_each_follow_their_own_policy() {
    let s = TestServer::start().await;
    let c = s.client();
    let (a, b, p) = (c.context("multi-a").await, c.context("multi-b").await, c.context("multi-p").await);
    c.put_file(&a, "/mnt/a/a0.txt", b"a0").await;
    c.put_file(&b, "/mnt/b/b0.txt", b"b0").await;
    c.put_file(&p, "/mnt/p/p0.txt", b"p0").await;
    let sid = c
        .create_session(&pdl(&[
            (&a, "/mnt/a", None),
            (&b, "/mnt/b", Some(NO_UPLOAD)),
            (&p, "/mnt/p", Some(r#"{"uploadPolicy":{"period":1}}"#)),
        ]))
        .await;
    c.wait_tasks(&sid).await;
    let dl = |ctx: &str, path: &str| (ctx.to_string(), path.to_string(), "download".to_string(), "Success".to_string());
    assert_eq!(task_summary(&c, &sid).await, {
        let mut v = vec![dl(&a, "/mnt/a"), dl(&b, "/mnt/b"), dl(&p, "/mnt/p")];
        v.sort();
        v
    });
    assert_eq!(mount_tree(&c, &sid, "/mnt/a").await, strs(&["a0.txt=a0"]));
    assert_eq!(mount_tree(&c, &sid, "/mnt/b").await, strs(&["b0.txt=b0"]));
    assert_eq!(mount_tree(&c, &sid, "/mnt/p").await, strs(&["p0.txt=p0"]));
    c.run(&sid, "printf a1 > /mnt/a/a1.txt && printf b1 > /mnt/b/b1.txt && printf p1 > /mnt/p/p1.txt").await;

    // The periodic one uploads on its own; the others do not.
    poll(Duration::from_secs(10), "the periodic upload of /mnt/p", || async {
        (ctx_tree(&c, &p, "/mnt/p").await == strs(&["p0.txt=p0", "p1.txt=p1"])).then_some(())
    })
    .await;
    assert_eq!(ctx_tree(&c, &a, "/mnt/a").await, strs(&["a0.txt=a0"]));
    assert_eq!(ctx_tree(&c, &b, "/mnt/b").await, strs(&["b0.txt=b0"]));

    // SyncContext for B touches only B: A's and P's tasks keep their state and A's files stay.
    let before = c.tasks(&sid, &[]).await;
    let other = |t: &Vec<agentbay_wire::context_status::TaskStatus>| -> Vec<_> {
        let mut v: Vec<_> = t
            .iter()
            .filter(|t| t.context_id == a)
            .map(|t| (t.context_id.clone(), t.path.clone(), t.task_type.clone(), t.status.clone(), t.start_time))
            .collect();
        v.sort();
        v
    };
    sync(&c, &sid, &b, "/mnt/b", None).await;
    let after = c.tasks(&sid, &[]).await;
    assert_eq!(other(&after), other(&before), "context A's tasks untouched");
    assert!(after.iter().any(|t| t.context_id == b && t.task_type == "upload" && t.status == "Success"), "{after:?}");
    assert!(!after.iter().any(|t| t.context_id == a && t.task_type == "upload"), "{after:?}");
    assert_eq!(ctx_tree(&c, &b, "/mnt/b").await, strs(&["b0.txt=b0", "b1.txt=b1"]));
    assert_eq!(ctx_tree(&c, &a, "/mnt/a").await, strs(&["a0.txt=a0"]));
    // GetContextInfo filtered by ContextId shows only that context.
    let only_b = c.tasks(&sid, &[("ContextId", &b)]).await;
    assert!(!only_b.is_empty() && only_b.iter().all(|t| t.context_id == b), "{only_b:?}");

    // Release: A (autoUpload) and P (autoUpload default + period) upload; B does not.
    c.run(&sid, "printf a2 > /mnt/a/a2.txt && printf b2 > /mnt/b/b2.txt && printf p2 > /mnt/p/p2.txt").await;
    c.delete_session(&sid).await;
    assert_eq!(ctx_tree(&c, &a, "/mnt/a").await, strs(&["a0.txt=a0", "a1.txt=a1", "a2.txt=a2"]));
    assert_eq!(ctx_tree(&c, &b, "/mnt/b").await, strs(&["b0.txt=b0", "b1.txt=b1"]));
    assert_eq!(ctx_tree(&c, &p, "/mnt/p").await, strs(&["p0.txt=p0", "p1.txt=p1", "p2.txt=p2"]));
    s.stop().await;
}
