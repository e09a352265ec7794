//! The two things the core needs from its host: an HTTP transport and a clock.
//! The wasm layer implements them with `fetch`/`setTimeout`; tests script them.

#![allow(async_fn_in_trait)] // single-threaded wasm futures: no Send bound wanted

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("request timed out after {0}ms")]
    Timeout(u64),
    #[error("network error: {0}")]
    Network(String),
}

pub trait Transport {
    /// Sends one request; the whole exchange (including reading the body) must end
    /// within `timeout_ms` or fail with [`TransportError::Timeout`].
    async fn send(&self, req: HttpRequest, timeout_ms: u64) -> Result<HttpResponse, TransportError>;
}

pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    async fn sleep(&self, ms: u64);
}

/// What the SDK core runs on.
pub trait Env: Transport + Clock + 'static {}
impl<T: Transport + Clock + 'static> Env for T {}
