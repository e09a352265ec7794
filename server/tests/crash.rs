//! Crash safety of the real binary: SIGKILL while an upload is running, then a restart on the
//! same data dir. The context must hold either the old or the new complete state (the manifest
//! switches in one transaction, after the new blobs are durable), the blob store must hold exactly
//! what the manifest references, and the killed session's files must be kept in lost+found.

mod common;
use common::*;
use std::time::{Duration, Instant};

const FILES: usize = 1500;

/// Writes FILES files whose content names `version`, all distinct (no deduplication).
fn write_all(version: &str) -> String {
    format!("cd /mnt/data && i=0; while [ $i -lt {FILES} ]; do printf '{version} %0512d' $i > f$i; i=$((i+1)); done")
}

/// In a fresh session: how many files the context delivered, and how many carry each version.
async fn versions(c: &Client, ctx: &str) -> (usize, usize, usize) {
    let sid = c.create_session(&pdl(&[(ctx, "/mnt/data", None)])).await;
    let tasks = c.wait_tasks(&sid).await;
    assert!(tasks.iter().all(|t| t.status == "Success"), "{tasks:?}");
    let out =
        c.run(&sid, "cd /mnt/data && ls | wc -l && (grep -l '^v1 ' * | wc -l) && (grep -l '^v2 ' * | wc -l)").await;
    let n: Vec<usize> = out.stdout.split_whitespace().map(|x| x.parse().unwrap()).collect();
    c.delete_session(&sid).await;
    (n[0], n[1], n[2])
}

/// One crash: v1 is uploaded completely, v2 is being uploaded when the server is killed
/// `delay` after its task is seen running (`None`: right after the task reports Success).
async fn crash_during_upload(delay: Option<Duration>) {
    let data = tempfile::tempdir().unwrap();
    let (mut child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let ctx = c.context("crash").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    c.wait_tasks(&sid).await;
    let sync = [("SessionId", sid.as_str()), ("ContextId", ctx.as_str()), ("Path", "/mnt/data")];
    c.run(&sid, &write_all("v1")).await;
    c.ok("SyncContext", &sync).await;
    assert!(c.wait_tasks(&sid).await.iter().all(|t| t.status == "Success"));

    c.run(&sid, &write_all("v2")).await;
    c.ok("SyncContext", &sync).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let tasks = c.tasks(&sid, &[]).await;
        if tasks.iter().any(|t| t.task_type == "upload" && t.status != "Pending") {
            break;
        }
        assert!(Instant::now() < deadline, "upload never started: {tasks:?}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    match delay {
        Some(d) => tokio::time::sleep(d).await,
        None => assert!(c.wait_tasks(&sid).await.iter().all(|t| t.status == "Success")),
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let (child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let (files, v1, v2) = versions(&c, &ctx).await;
    assert_eq!(files, FILES, "every file is there after the crash");
    assert!((v1, v2) == (FILES, 0) || (v1, v2) == (0, FILES), "old or new state, never a mix: v1={v1} v2={v2}");
    let state = if v2 > 0 { "v2 (committed)" } else { "v1 (rolled back)" };
    let when = delay.map_or("right after its Success".to_string(), |d| format!("{d:?} into the upload"));
    eprintln!("killed {when}: the context holds {state}");
    if delay.is_none() {
        assert_eq!(v2, FILES, "an upload reported Success survives a SIGKILL");
    }
    // The start-up GC left exactly the referenced blobs: the uncommitted (or superseded) version is gone.
    assert_eq!(blob_count(data.path()), FILES);
    let rescued = std::fs::read_dir(data.path().join("lost+found")).unwrap().count();
    assert_eq!(rescued, 1, "the killed session's files are kept for the user");
    // The restarted server takes new uploads of the same context.
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    c.wait_tasks(&sid).await;
    c.run(&sid, "echo after > /mnt/data/after.txt").await;
    c.delete_session(&sid).await;
    assert_eq!(c.get_file(&ctx, "/mnt/data/after.txt").await, b"after\n");
    terminate(child);
}

#[tokio::test]
async fn sigkill_at_the_start_of_an_upload_keeps_a_complete_state() {
    crash_during_upload(Some(Duration::ZERO)).await;
}

#[tokio::test]
async fn sigkill_in_the_middle_of_an_upload_keeps_a_complete_state() {
    crash_during_upload(Some(Duration::from_millis(60))).await;
}

#[tokio::test]
async fn sigkill_right_after_a_successful_upload_keeps_it() {
    crash_during_upload(None).await;
}
