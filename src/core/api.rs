//! One API call: build, send, parse the envelope, map errors the way the official
//! SDK words them.

use super::config::Config;
use super::request::{self, Params};
use super::runtime::{Env, HttpRequest, HttpResponse, Limits, TransportError};
use super::wire::{action::Action, codes};
use serde_json::Value;
use std::cell::Cell;

/// A call that did not produce a usable envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// HTTP 4xx/5xx with a JSON body, worded like the official client's exception.
    #[error("{code}: code: {status}, {message} request id: {request_id}")]
    Http { status: u16, code: String, message: String, request_id: String },
    #[error("invalid response (HTTP {status}): {detail}")]
    BadBody { status: u16, detail: String },
}

impl ApiError {
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Http { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn request_id(&self) -> String {
        match self {
            ApiError::Http { request_id, .. } => request_id.clone(),
            _ => String::new(),
        }
    }

    /// Session/context "not found", detected the way the official pollers do.
    pub fn is_not_found(&self) -> bool {
        match self {
            ApiError::Http { code, message, .. } => {
                code == codes::SESSION_NOT_FOUND
                    || code.contains("NotFound")
                    || message.to_ascii_lowercase().contains("not found")
            }
            _ => false,
        }
    }
}

/// A parsed JSON envelope (HTTP 2xx).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub request_id: String,
    pub body: Value,
}

impl Reply {
    pub fn success(&self) -> Option<bool> {
        self.body.get("Success").and_then(Value::as_bool)
    }

    pub fn str_field(&self, name: &str) -> Option<&str> {
        self.body.get(name).and_then(Value::as_str)
    }

    pub fn num_field(&self, name: &str) -> Option<u64> {
        let v = self.body.get(name)?;
        v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    }

    pub fn data(&self) -> &Value {
        self.body.get("Data").unwrap_or(&Value::Null)
    }

    /// `[Code] Message` when the body says `Success:false` with a `Code` (official rule).
    pub fn body_error(&self) -> Option<String> {
        let code = self.str_field("Code").filter(|c| !c.is_empty());
        match (self.success(), code) {
            (Some(false), Some(code)) => {
                Some(format!("[{code}] {}", self.str_field("Message").unwrap_or("Unknown error")))
            }
            _ => None,
        }
    }

    /// Like [`Self::body_error`] but any `Success:false` counts (actions whose success the
    /// official SDK computes as `!!body.success`).
    pub fn strict_error(&self, fallback: &str) -> Option<String> {
        if self.success() == Some(true) {
            return None;
        }
        Some(format!(
            "[{}] {}",
            self.str_field("Code").filter(|c| !c.is_empty()).unwrap_or("Unknown"),
            self.str_field("Message").filter(|m| !m.is_empty()).unwrap_or(fallback)
        ))
    }

    /// Typed view of `Data`, tolerating absent fields.
    pub fn data_as<T: serde::de::DeserializeOwned + Default>(&self) -> T {
        serde_json::from_value(self.data().clone()).unwrap_or_default()
    }
}

/// The API client: configuration plus the host environment.
pub struct Api<E: Env> {
    pub env: E,
    pub cfg: Config,
    nonce: Cell<u64>,
}

impl<E: Env> Api<E> {
    pub fn new(env: E, cfg: Config) -> Self {
        let seed = env.now_ms() ^ 0x5DEE_CE66_D1CE_5EED;
        Api { env, cfg, nonce: Cell::new(seed) }
    }

    pub fn build(&self, action: Action, params: &Params) -> HttpRequest {
        let mut state = self.nonce.get();
        let nonce = request::next_nonce(&mut state);
        self.nonce.set(state);
        request::build(&self.cfg, action, params, &request::utc_timestamp(self.env.now_ms()), &nonce)
    }

    pub async fn call(&self, action: Action, params: Params) -> Result<Reply, ApiError> {
        self.call_within(action, params, self.cfg.timeout_ms).await
    }

    /// Like [`Self::call`] with an explicit HTTP timeout (a long shell command must not
    /// be cut off by a shorter client timeout while it is still running server-side).
    pub async fn call_within(&self, action: Action, params: Params, timeout_ms: u64) -> Result<Reply, ApiError> {
        let req = self.build(action, &params);
        let resp = self.send(req, Limits { timeout_ms, max_body_bytes: self.cfg.max_response_bytes }).await?;
        parse_response(resp)
    }

    /// A raw HTTP exchange (presigned URLs), bounded by the configured timeout and the given
    /// body cap (`cfg.max_download_bytes` for a download, `cfg.max_response_bytes` otherwise).
    pub async fn raw(
        &self,
        method: &'static str,
        url: &str,
        body: Option<Vec<u8>>,
        max_body_bytes: u64,
    ) -> Result<HttpResponse, TransportError> {
        let req = HttpRequest { method, url: url.to_string(), headers: Vec::new(), body };
        self.send(req, Limits { timeout_ms: self.cfg.timeout_ms, max_body_bytes }).await
    }

    /// The transport enforces the cap while reading; checking again here keeps the promise for
    /// any transport that buffers first.
    async fn send(&self, req: HttpRequest, limits: Limits) -> Result<HttpResponse, TransportError> {
        let resp = self.env.send(req, limits).await?;
        if resp.body.len() as u64 > limits.max_body_bytes {
            return Err(TransportError::TooLarge { limit: limits.max_body_bytes, declared: None });
        }
        Ok(resp)
    }
}

fn field_ci<'a>(v: &'a Value, a: &str, b: &str) -> Option<&'a str> {
    v.get(a).or_else(|| v.get(b)).and_then(Value::as_str)
}

pub fn parse_response(resp: HttpResponse) -> Result<Reply, ApiError> {
    let status = resp.status;
    let body: Value = serde_json::from_slice(&resp.body).map_err(|e| {
        let text = String::from_utf8_lossy(&resp.body);
        let snippet: String = text.chars().take(200).collect();
        ApiError::BadBody { status, detail: format!("body is not JSON ({e}): {snippet}") }
    })?;
    if !body.is_object() {
        return Err(ApiError::BadBody { status, detail: "expected a JSON object".into() });
    }
    let request_id = field_ci(&body, "RequestId", "requestId").unwrap_or("").to_string();
    if status >= 400 {
        return Err(ApiError::Http {
            status,
            code: field_ci(&body, "Code", "code").unwrap_or("Unknown").to_string(),
            message: field_ci(&body, "Message", "message").unwrap_or("").to_string(),
            request_id,
        });
    }
    Ok(Reply { request_id, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, body: body.as_bytes().to_vec() }
    }

    #[test]
    fn http_errors_read_like_the_official_client() {
        let e = parse_response(resp(
            400,
            r#"{"RequestId":"r-1","Code":"InvalidMcpSession.NotFound","Message":"Session s-1 not found"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.to_string(), "InvalidMcpSession.NotFound: code: 400, Session s-1 not found request id: r-1");
        assert!(e.is_not_found());
        assert_eq!(e.request_id(), "r-1");
        let e = parse_response(resp(502, "<html>bad gateway</html>")).unwrap_err();
        assert!(e.to_string().starts_with("invalid response (HTTP 502): body is not JSON"), "{e}");
    }

    #[test]
    fn body_errors() {
        let r =
            parse_response(resp(200, r#"{"RequestId":"r","Success":false,"Code":"X.Y","Message":"nope"}"#)).unwrap();
        assert_eq!(r.body_error().as_deref(), Some("[X.Y] nope"));
        let r = parse_response(resp(200, r#"{"RequestId":"r","Success":true,"Data":{"Id":"c"}}"#)).unwrap();
        assert_eq!(r.body_error(), None);
        assert_eq!(r.strict_error("x"), None);
        let r = parse_response(resp(200, r#"{"RequestId":"r"}"#)).unwrap();
        assert_eq!(r.strict_error("Failed to delete file").as_deref(), Some("[Unknown] Failed to delete file"));
    }
}
