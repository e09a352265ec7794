//! The SDK core's host on tokio, for tests that drive agentbay-local through `src/core/`
//! (sdk_contract.rs, pause.rs): hyper for HTTP (`super::try_send`), tokio's timer for sleeps.

use super::{TestBody, TestServer};
use agentbay_wasm::core::api::Api;
use agentbay_wasm::core::config::Config;
use agentbay_wasm::core::runtime::{Clock, HttpRequest, HttpResponse, Limits, Transport, TransportError};
use std::time::Duration;

pub struct NativeEnv {
    addr: std::net::SocketAddr,
}

impl Transport for NativeEnv {
    async fn send(&self, req: HttpRequest, limits: Limits) -> Result<HttpResponse, TransportError> {
        let path = req.url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap_or_else(|| "/".into());
        let headers: Vec<(&str, &str)> = req.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let body = TestBody::new(req.body.unwrap_or_default(), false);
        let exchange = super::try_send(self.addr, None, req.method, &path, &headers, body);
        let r = tokio::time::timeout(Duration::from_millis(limits.timeout_ms), exchange)
            .await
            .map_err(|_| TransportError::Timeout(limits.timeout_ms))?
            .map_err(TransportError::Network)?;
        if r.body.len() as u64 > limits.max_body_bytes {
            return Err(TransportError::TooLarge { limit: limits.max_body_bytes, declared: None });
        }
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

/// Wall-clock milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The SDK core, configured for `server`.
pub fn sdk(server: &TestServer) -> Api<NativeEnv> {
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
