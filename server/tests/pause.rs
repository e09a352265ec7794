//! The actions of official 0.20+ that agentbay-local learned here, each driven through the SDK
//! core (the typed wire contract on both sides) against an in-process server:
//! `DescribeContextFiles` token paging and `RefreshSessionIdleTime` (`keepAlive`).

mod common;

use agentbay_wasm::core::api::Api;
use agentbay_wasm::core::config::Config;
use agentbay_wasm::core::context::FilePaging;
use agentbay_wasm::core::handle::SessionHandle;
use agentbay_wasm::core::results::SessionData;
use agentbay_wasm::core::runtime::{Clock, HttpRequest, HttpResponse, Limits, Transport, TransportError};
use agentbay_wasm::core::session::DELETE_WAIT;
use agentbay_wasm::core::{context, session};
use common::{TestBody, TestServer};
use serde_json::json;
use std::time::Duration;

/// The SDK core's host on tokio (as in sdk_contract.rs).
struct NativeEnv {
    addr: std::net::SocketAddr,
}

impl Transport for NativeEnv {
    async fn send(&self, req: HttpRequest, limits: Limits) -> Result<HttpResponse, TransportError> {
        let path = req.url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap_or_else(|| "/".into());
        let headers: Vec<(&str, &str)> = req.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let body = TestBody::new(req.body.unwrap_or_default(), false);
        let exchange = common::try_send(self.addr, None, req.method, &path, &headers, body);
        let r = tokio::time::timeout(Duration::from_millis(limits.timeout_ms), exchange)
            .await
            .map_err(|_| TransportError::Timeout(limits.timeout_ms))?
            .map_err(TransportError::Network)?;
        Ok(HttpResponse { status: r.status, body: r.body })
    }
}

impl Clock for NativeEnv {
    fn now_ms(&self) -> u64 {
        now_ms()
    }
    async fn sleep(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn sdk(server: &TestServer) -> Api<NativeEnv> {
    let cfg = Config {
        api_key: server.key.clone(),
        base_url: server.endpoint.clone(),
        region_id: None,
        timeout_ms: 60_000,
        max_response_bytes: 32 << 20,
        max_download_bytes: 1 << 30,
    };
    Api::new(NativeEnv { addr: server.addr }, cfg)
}

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
