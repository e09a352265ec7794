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

/// Bounds of one HTTP exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The whole exchange, reading the body included, must end within this.
    pub timeout_ms: u64,
    /// A body larger than this is refused: by its Content-Length before any of it is read, or
    /// as soon as the bytes read so far pass it (chunked or unknown length).
    pub max_body_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("request timed out after {0}ms")]
    Timeout(u64),
    #[error("network error: {0}")]
    Network(String),
    #[error("response larger than {limit} bytes{}", declared.map(|n| format!(" (Content-Length {n})")).unwrap_or_default())]
    TooLarge { limit: u64, declared: Option<u64> },
}

/// Hears how far one exchange's data has moved: the bytes of the request body sent when it has
/// one, else of the response body read, and the total when it is known. Shared (`Rc`) because a
/// host calls it from its own callbacks (src/js/env.rs).
pub type OnBytes = std::rc::Rc<dyn Fn(u64, Option<u64>)>;

pub trait Transport {
    /// Sends one request within `limits`: the exchange fails with [`TransportError::Timeout`]
    /// past `timeout_ms` and with [`TransportError::TooLarge`] for a body over `max_body_bytes`.
    async fn send(&self, req: HttpRequest, limits: Limits) -> Result<HttpResponse, TransportError>;

    /// [`Self::send`], telling `on_bytes` how the data moves (file transfers' progress). Hosts
    /// that cannot tell send it whole and say nothing; the caller reports the end itself.
    async fn send_reporting(
        &self,
        req: HttpRequest,
        limits: Limits,
        _on_bytes: OnBytes,
    ) -> Result<HttpResponse, TransportError> {
        self.send(req, limits).await
    }

    /// A short-lived credential for one API request of `action` (the `authorize` option), sent
    /// instead of the configured API key; `None` keeps the key. Hosts without such a hook keep
    /// the default.
    async fn credential(&self, _action: &'static str) -> Result<Option<String>, TransportError> {
        Ok(None)
    }
}

pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    async fn sleep(&self, ms: u64);
}

/// What the SDK core runs on.
pub trait Env: Transport + Clock + 'static {}
impl<T: Transport + Clock + 'static> Env for T {}
