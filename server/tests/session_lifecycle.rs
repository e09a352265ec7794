//! Session lifecycles (`CreateMcpSession` `Timeout` / `MaxRuntime` / `ManualRelease`, as the
//! official `LifecyclePolicy` and the deprecated `idleReleaseTimeout` send them): a session is
//! released by itself once idle or overlong on the shiftable clock, uploading its auto-upload
//! contexts first, as a delete does; `ManualRelease` sessions never are. Time moves with
//! `Running::advance_clock`, never by sleeping through a timeout.

mod common;
mod policy_common;
use common::*;
use policy_common::*;
use std::time::Duration;

const MINUTE: i64 = 60;

/// A server whose reaper looks every 20 ms.
async fn server() -> TestServer {
    TestServer::start_with(|cfg| cfg.reap_interval = Duration::from_millis(20)).await
}

fn advance(s: &TestServer, secs: i64) {
    s.running.as_ref().expect("running").advance_clock(secs);
}

/// Creates a session with the extra `CreateMcpSession` fields, mounting `ctx` (if any) at /mnt/data.
async fn create(c: &Client, ctx: Option<&str>, extra: &[(&str, &str)]) -> String {
    let pdl_json = ctx.map(|ctx| pdl(&[(ctx, "/mnt/data", Some(&default_policy()))]));
    let mut body: Vec<(&str, &str)> = vec![("ImageId", "linux_latest"), ("Labels", "{}")];
    if let Some(p) = &pdl_json {
        body.push(("PersistenceDataList", p));
    }
    body.extend_from_slice(extra);
    let v = c.ok("CreateMcpSession", &body).await;
    let sid = v["Data"]["SessionId"].as_str().unwrap().to_string();
    c.wait_tasks(&sid).await;
    sid
}

async fn gone(c: &Client, sid: &str) -> bool {
    let r = c.call_q("GetSessionDetail", &[("SessionId", sid)], &[]).await;
    r.status == 400 && r.json()["Code"] == "InvalidMcpSession.NotFound"
}

/// Waits (real time, bounded) for the reaper to finish releasing `sid`.
async fn wait_gone(c: &Client, sid: &str) {
    poll(Duration::from_secs(30), "the session's release", || async { gone(c, sid).await.then_some(()) }).await;
}

/// Gives the reaper many chances to act, then says whether `sid` is still there.
async fn still_there(c: &Client, sid: &str) -> bool {
    tokio::time::sleep(Duration::from_millis(300)).await;
    !gone(c, sid).await
}

#[tokio::test]
async fn idle_minutes_release_an_idle_session_after_uploading_and_activity_restarts_the_timer() {
    let s = server().await;
    let c = s.client();
    let ctx = c.context("idle").await;
    // LifecyclePolicy({ idleReleaseTimeout: 10, maxRuntime: 60 }): minutes.
    let sid = create(&c, Some(&ctx), &[("Timeout", "10"), ("MaxRuntime", "60")]).await;
    c.shell(&sid, "printf kept > /mnt/data/a.txt").await;

    advance(&s, 9 * MINUTE);
    assert!(still_there(&c, &sid).await, "released before 10 idle minutes");
    // Activity (a tool call) starts the idle timer over.
    c.shell(&sid, "true").await;
    advance(&s, 9 * MINUTE);
    assert!(still_there(&c, &sid).await, "a tool call did not count as activity");

    advance(&s, 2 * MINUTE);
    wait_gone(&c, &sid).await;
    // Released like a delete: the auto-upload context was uploaded first.
    assert_eq!(c.get_file(&ctx, "/mnt/data/a.txt").await, b"kept");
    s.stop().await;
}

#[tokio::test]
async fn max_runtime_releases_a_busy_session() {
    let s = server().await;
    let c = s.client();
    let sid = create(&c, None, &[("Timeout", "10"), ("MaxRuntime", "30")]).await;
    for _ in 0..4 {
        advance(&s, 7 * MINUTE);
        c.shell(&sid, "true").await; // never idle
    }
    assert!(still_there(&c, &sid).await, "released before its 30 minutes");
    advance(&s, 3 * MINUTE);
    wait_gone(&c, &sid).await;
    s.stop().await;
}

#[tokio::test]
async fn deprecated_timeout_alone_is_seconds() {
    let s = server().await;
    let c = s.client();
    let sid = create(&c, None, &[("Timeout", "120")]).await;
    advance(&s, 100);
    assert!(still_there(&c, &sid).await, "Timeout alone was not read as seconds");
    advance(&s, 30);
    wait_gone(&c, &sid).await;
    s.stop().await;
}

#[tokio::test]
async fn manual_release_and_no_policy_are_never_released_automatically() {
    let s = server().await;
    let c = s.client();
    let manual = create(&c, None, &[("ManualRelease", "true")]).await;
    let plain = create(&c, None, &[]).await;
    advance(&s, 365 * 24 * 60 * MINUTE);
    assert!(still_there(&c, &manual).await, "a ManualRelease session was released");
    assert!(still_there(&c, &plain).await, "a session without a lifecycle was released");
    c.delete_session(&manual).await;
    c.delete_session(&plain).await;
    s.stop().await;
}

#[tokio::test]
async fn out_of_range_limits_are_refused() {
    let s = server().await;
    let c = s.client();
    for (k, v) in [("Timeout", "0"), ("MaxRuntime", "-1"), ("Timeout", "x"), ("ManualRelease", "maybe")] {
        let r = c.call("CreateMcpSession", &[("ImageId", "linux_latest"), (k, v)]).await;
        assert_eq!(r.status, 400, "{k}={v}: {}", String::from_utf8_lossy(&r.body));
    }
    s.stop().await;
}

#[tokio::test]
async fn keep_alive_restarts_the_idle_timer() {
    let s = server().await;
    let c = s.client();
    let sid = create(&c, None, &[("Timeout", "10"), ("MaxRuntime", "60")]).await;
    advance(&s, 9 * MINUTE);
    // session.keepAlive(): RefreshSessionIdleTime counts as activity.
    c.ok("RefreshSessionIdleTime", &[("SessionId", sid.as_str())]).await;
    advance(&s, 9 * MINUTE);
    assert!(still_there(&c, &sid).await, "keepAlive did not restart the idle timer");
    advance(&s, 2 * MINUTE);
    wait_gone(&c, &sid).await;
    s.stop().await;
}
