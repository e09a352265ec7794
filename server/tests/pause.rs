//! The actions of official 0.20+ that agentbay-local learned here, each driven through the SDK
//! core (the typed wire contract on both sides) against an in-process server:
//! `DescribeContextFiles` token paging, `RefreshSessionIdleTime` (`keepAlive`) and
//! `PauseSessionAsync` / `ResumeSessionAsync` (`betaPauseAsync` / `betaResumeAsync`).

mod common;

use agentbay_wasm::core::context::FilePaging;
use agentbay_wasm::core::handle::SessionHandle;
use agentbay_wasm::core::results::SessionData;
use agentbay_wasm::core::session::DELETE_WAIT;
use agentbay_wasm::core::{command, context, filesystem, session};
use common::native::{now_ms, sdk};
use common::TestServer;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn list_files_pages_by_token_and_refuses_tokens_it_did_not_issue() {
    let server = TestServer::start().await;
    let api = sdk(&server);
    let ctx = context::get(&api, "paged", true).await.context_id;
    for n in 1..=5 {
        let up = context::upload_file(&api, &ctx, &format!("/mnt/data/f{n}.txt"), vec![b'x'; n]).await;
        assert!(up.success, "{up:?}");
    }
    let mut names = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let paging = FilePaging::Tokens { max_results: Some(2), next_token: token.take() };
        let page = context::list_files(&api, &ctx, "/mnt/data", paging).await;
        assert!(page.success, "{page:?}");
        assert_eq!(page.count, Some(5), "Count is the folder's total: {page:?}");
        assert!(page.entries.len() <= 2, "{page:?}");
        names.extend(page.entries.iter().map(|e| e.file_name.clone().unwrap_or_default()));
        pages += 1;
        match page.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["f1.txt", "f2.txt", "f3.txt", "f4.txt", "f5.txt"]);
    // Page number and size still work, and give no token.
    let page2 = context::list_files(&api, &ctx, "/mnt/data", FilePaging::Pages { page: 2, size: 2 }).await;
    let got: Vec<_> = page2.entries.iter().map(|e| e.file_name.clone().unwrap_or_default()).collect();
    assert_eq!((got, page2.next_token), (vec!["f3.txt".to_string(), "f4.txt".into()], None));

    // Hostile tokens: a clear InvalidParameter, never a panic or a wrong page.
    let c = server.client();
    for bad in ["abc", "-1", "1e3", " 2", "18446744073709551616", "9223372036854775808", "2;DROP"] {
        let m =
            c.err("DescribeContextFiles", &[("ContextId", &ctx), ("NextToken", bad)], 400, "InvalidParameter").await;
        assert!(m.contains("NextToken") && m.contains("not a token this server issued"), "{bad}: {m}");
    }
    let huge = c.ok("DescribeContextFiles", &[("ContextId", &ctx), ("NextToken", "9223372036854775807")]).await;
    assert_eq!(huge["Data"].as_array().map(Vec::len), Some(0), "{huge}");
    c.err("DescribeContextFiles", &[("ContextId", &ctx), ("MaxResults", "0")], 400, "InvalidParameter").await;
    server.stop().await;
}

#[tokio::test]
async fn keep_alive_refreshes_a_live_session_and_fails_for_an_unknown_one() {
    let server = TestServer::start().await;
    let api = sdk(&server);
    let created = session::create(&api, &json!({})).await;
    let s = SessionHandle::new(created.session.unwrap());
    let r = session::keep_alive(&api, &s).await;
    assert!(r.success && !r.request_id.is_empty(), "{r:?}");
    let ghost = SessionHandle::new(SessionData { session_id: "session-nope".into(), ..Default::default() });
    let r = session::keep_alive(&api, &ghost).await;
    assert!(!r.success, "{r:?}");
    assert!(r.error_message.as_deref().unwrap_or_default().contains("session-nope"), "{r:?}");
    assert!(session::delete(&api, &s, false, DELETE_WAIT).await.success);
    let r = session::keep_alive(&api, &s).await;
    assert!(!r.success, "a deleted session: {r:?}");
    server.stop().await;
}

/// The freezer state of a session's cgroup, when the host gives sessions a freezer.
fn freezer_state(session_id: &str) -> Option<String> {
    fn find(dir: &std::path::Path, name: &str, depth: u32) -> Option<std::path::PathBuf> {
        for e in std::fs::read_dir(dir).ok()?.flatten() {
            let p = e.path();
            if !p.is_dir() {
                continue;
            }
            if p.file_name().is_some_and(|n| n == name) {
                return Some(p);
            }
            if depth > 0 {
                if let Some(found) = find(&p, name, depth - 1) {
                    return Some(found);
                }
            }
        }
        None
    }
    let dir = find(std::path::Path::new("/sys/fs/cgroup/freezer"), session_id, 6)?;
    std::fs::read_to_string(dir.join("freezer.state")).ok().map(|s| s.trim().to_string())
}

#[tokio::test]
async fn a_paused_session_is_frozen_refuses_calls_keeps_its_files_and_resumes() {
    let server = TestServer::start().await;
    let api = sdk(&server);
    let c = server.client();
    let ctx = context::get(&api, "paused-mount", true).await.context_id;
    let created = session::create(&api, &json!({"contextSync": [{"contextId": ctx, "path": "/mnt/data"}]})).await;
    assert!(created.success, "{created:?}");
    let s = SessionHandle::new(created.session.unwrap());
    let sid = s.id().to_string();
    for (path, text) in [("/tmp/before.txt", "home"), ("/mnt/data/before.txt", "mount")] {
        assert!(filesystem::write_file(&api, &s, path, text, "overwrite").await.success);
    }

    // A command that writes a tick (ns) every 0.1 s runs while the session is paused and resumed.
    let ticks = "for i in $(seq 1 40); do date +%s%N >> /tmp/ticks; sleep 0.1; done; echo done";
    let counter = command::execute(&api, &s, ticks, Some(50_000), None, None);
    let pause_and_resume = async {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let paused = session::pause_or_resume(&api, &s, true, 30.0, 0.1).await;
        assert!(paused.success, "{paused:?}");
        assert_eq!(paused.status.as_deref(), Some("PAUSED"));
        let paused_at = now_ms();
        let st = c.ok("GetSession", &[("SessionId", &sid)]).await;
        assert_eq!(st["Data"]["Status"], "PAUSED");
        let how = freezer_state(&sid);
        if let Some(state) = &how {
            assert_eq!(state, "FROZEN");
        }
        // Calls on a paused session: a clear refusal.
        let args = json!({"command": "true"}).to_string();
        let m = c
            .err(
                "CallMcpTool",
                &[("SessionId", &sid), ("Name", "shell"), ("Args", &args)],
                409,
                "InvalidMcpSession.NotRunning",
            )
            .await;
        assert!(m.contains("PAUSED") && m.contains("betaResumeAsync"), "{m}");
        let again = session::pause_or_resume(&api, &s, true, 5.0, 0.1).await;
        assert!(!again.success && again.code.as_deref() == Some("InvalidMcpSession.NotRunning"), "{again:?}");
        tokio::time::sleep(Duration::from_millis(2000)).await;
        let resume_at = now_ms();
        let resumed = session::pause_or_resume(&api, &s, false, 30.0, 0.1).await;
        assert!(resumed.success, "{resumed:?}");
        assert_eq!(resumed.status.as_deref(), Some("RUNNING"));
        (paused_at, resume_at, how)
    };
    let (ran, (paused_at, resume_at, how)) = tokio::join!(counter, pause_and_resume);
    eprintln!("pause method: {}", if how.is_some() { "cgroup freezer" } else { "signals (no freezer cgroup)" });
    assert!(ran.success && ran.output.contains("done"), "{ran:?}");

    let text = filesystem::read_file(&api, &s, "/tmp/ticks").await.content;
    let ticks: Vec<u64> = text.lines().map(|l| l.trim().parse::<u64>().unwrap() / 1_000_000).collect();
    assert_eq!(ticks.len(), 40, "the command went on after the resume: {text}");
    let while_paused: Vec<_> = ticks.iter().filter(|t| **t > paused_at + 50 && **t < resume_at).collect();
    assert!(while_paused.is_empty(), "ticks while paused ({paused_at}..{resume_at}): {while_paused:?}");
    let longest_gap = ticks.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(longest_gap >= 1500, "no pause visible in the ticks (longest gap {longest_gap} ms)");
    assert!(ticks.iter().any(|t| *t >= resume_at), "no tick after the resume");

    // Files and mounts survive.
    assert_eq!(filesystem::read_file(&api, &s, "/tmp/before.txt").await.content, "home");
    assert_eq!(filesystem::read_file(&api, &s, "/mnt/data/before.txt").await.content, "mount");
    // Resuming a running session is refused.
    let r = session::pause_or_resume(&api, &s, false, 5.0, 0.1).await;
    assert!(!r.success && r.error_message.as_deref().unwrap_or_default().contains("only a PAUSED session"), "{r:?}");
    assert!(session::delete(&api, &s, false, DELETE_WAIT).await.success);
    server.stop().await;
}

#[tokio::test]
async fn a_paused_session_with_a_call_in_flight_can_be_deleted() {
    let server = TestServer::start().await;
    let api = sdk(&server);
    let s = SessionHandle::new(session::create(&api, &json!({})).await.session.unwrap());
    let sid = s.id().to_string();
    let long = command::execute(&api, &s, "sleep 40; echo finished", Some(50_000), None, None);
    let pause_then_delete = async {
        tokio::time::sleep(Duration::from_millis(800)).await;
        let paused = session::pause_or_resume(&api, &s, true, 30.0, 0.1).await;
        assert!(paused.success, "{paused:?}");
        let started = now_ms();
        let deleted = session::delete(&api, &s, false, DELETE_WAIT).await;
        assert!(deleted.success, "{deleted:?}");
        now_ms() - started
    };
    let (ran, took) = tokio::join!(long, pause_then_delete);
    assert!(!ran.output.contains("finished"), "the command was killed, not finished: {ran:?}");
    assert!(took < 20_000, "deleting a paused session took {took} ms");
    assert!(freezer_state(&sid).is_none(), "the session's cgroups are gone");
    server.stop().await;
}

/// Polls GetSession until the session has `status`.
async fn wait_status(c: &common::Client, sid: &str, status: &str) {
    for _ in 0..200 {
        if c.ok("GetSession", &[("SessionId", sid)]).await["Data"]["Status"] == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("session {sid} never became {status}");
}

#[tokio::test]
async fn periodic_uploads_skip_a_pause_and_go_on_after_the_resume() {
    let server = TestServer::start().await;
    let c = server.client();
    let ctx = c.context("periodic-pause").await;
    let sid = c.create_session(&common::pdl(&[(&ctx, "/mnt/data", Some(r#"{"uploadPolicy":{"period":1}}"#))])).await;
    c.wait_tasks(&sid).await;
    c.ok("PauseSessionAsync", &[("SessionId", &sid)]).await;
    wait_status(&c, &sid, "PAUSED").await;
    // Ticks pass while paused: they must not end the periodic uploads.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    c.ok("ResumeSessionAsync", &[("SessionId", &sid)]).await;
    wait_status(&c, &sid, "RUNNING").await;
    c.shell(&sid, "echo after > /mnt/data/after.txt").await;
    let mut uploaded = false;
    for _ in 0..100 {
        if c.list_files(&ctx, "/mnt/data").await.iter().any(|f| f.0 == "after.txt") {
            uploaded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(uploaded, "a periodic upload after the resume");
    c.delete_session(&sid).await;
    server.stop().await;
}
