//! Helpers shared by the policy test files (`policy_time.rs`, `policy_auto.rs`):
//! whole-tree views of a context and of a mount, restarts on the same data dir,
//! and deadline-bounded polling.
#![allow(dead_code)]

use crate::common::*;
use std::future::Future;
use std::time::{Duration, Instant};

/// Every entry of context `ctx` below `root`, relative to it: `dir/` for folders,
/// `path=content` for files (contents fetched through presigned URLs). Sorted.
pub async fn ctx_tree(c: &Client, ctx: &str, root: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_string()];
    while let Some(dir) = todo.pop() {
        for (name, kind, _) in c.list_files(ctx, &dir).await {
            let full = format!("{dir}/{name}");
            let rel = full[root.len() + 1..].to_string();
            if kind == "folder" {
                out.push(format!("{rel}/"));
                todo.push(full);
            } else {
                // A periodic upload may remove it between the listing and the fetch: that view
                // matches no expected tree, so a poll simply looks again.
                match c.try_get_file(ctx, &full).await {
                    Some(body) => out.push(format!("{rel}={}", String::from_utf8_lossy(&body))),
                    None => out.push(format!("{rel} (vanished while listing)")),
                }
            }
        }
    }
    out.sort();
    out
}

/// The same view of directory `dir` inside the running session `sid`.
pub async fn mount_tree(c: &Client, sid: &str, dir: &str) -> Vec<String> {
    let cmd = format!(
        r#"cd '{dir}' && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r f; do if [ -d "$f" ]; then echo "${{f#./}}/"; else echo "${{f#./}}=$(cat "$f")"; fi; done"#
    );
    let r = c.shell(sid, &cmd).await;
    assert_eq!(r.exit_code, 0, "{}", r.stderr);
    let mut v: Vec<String> = r.stdout.lines().map(str::to_string).collect();
    v.sort();
    v
}

pub fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Polls `f` every 100 ms until it returns `Some`, or panics after `limit`.
pub async fn poll<T, F, Fut>(limit: Duration, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < limit, "timed out after {limit:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Stops `s` and starts it again on the same data dir with the lifecycle clock shifted by `offset` seconds.
pub async fn restart_with_offset(s: TestServer, offset: i64) -> TestServer {
    let dir = s.stop().await;
    TestServer::start_in(dir, |cfg| cfg.clock_offset_secs = offset).await
}

/// GetContextInfo tasks of `sid` as `(context, path, type, status)`, sorted.
pub async fn task_summary(c: &Client, sid: &str) -> Vec<(String, String, String, String)> {
    let mut v: Vec<_> =
        c.tasks(sid, &[]).await.into_iter().map(|t| (t.context_id, t.path, t.task_type, t.status)).collect();
    v.sort();
    v
}
