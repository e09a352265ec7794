//! One API call: build, send, parse the envelope, map errors the way the official
//! SDK words them.

use super::config::Config;
use super::request;
use super::runtime::{Env, HttpRequest, HttpResponse, Limits, OnBytes, TransportError};
use super::wire::action::Action;
use super::wire::codes;
use super::wire::envelope::Envelope;
use super::wire::from_json::FromJson;
use super::wire::request::Request;
use serde_json::Value;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

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
    /// A well-formed envelope whose `Data` is not the shape the contract gives the action.
    #[error("invalid response: Data is not what {action} returns: {detail}")]
    BadData { action: &'static str, request_id: String, detail: String },
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
            ApiError::Http { request_id, .. } | ApiError::BadData { request_id, .. } => request_id.clone(),
            _ => String::new(),
        }
    }

    /// `[Code] Message` for a refusal the server worded (HTTP 4xx/5xx with a JSON body: how the
    /// official SDKs word a body with `Success:false`), else `"{what}: {error}"`.
    pub fn worded(&self, what: &str) -> String {
        match self {
            ApiError::Http { code, message, .. } => format!("[{code}] {message}"),
            e => format!("{what}: {e}"),
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

/// A non-generic exchange followed by a synchronous step (typing the reply).
///
/// `call` and `exchange` are generic over the request type; written as `async fn`s, each
/// request type would get its own compiled state machine around the exchange. `Then` keeps one
/// exchange future (boxed) and only the small typing step per request type.
/// A typing step: a plain function and what it needs besides the exchange's output.
type StepFn<A, C, B> = (fn(A, C) -> B, C);

pub struct Then<'a, A, C, B> {
    inner: Pin<Box<dyn Future<Output = A> + 'a>>,
    /// A plain function and what it needs besides the exchange's output: no boxed closure.
    step: Option<StepFn<A, C, B>>,
}

impl<'a, A, C, B> Then<'a, A, C, B> {
    fn new(inner: impl Future<Output = A> + 'a, step: fn(A, C) -> B, context: C) -> Self {
        Then { inner: Box::pin(inner), step: Some((step, context)) }
    }
}

impl<A, C: Unpin, B> Future for Then<'_, A, C, B> {
    type Output = B;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<B> {
        match self.inner.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(a) => match self.step.take() {
                Some((step, context)) => Poll::Ready(step(a, context)),
                // Polled again after completion: a caller bug, as with any future.
                None => Poll::Pending,
            },
        }
    }
}

/// What [`Api::call`] resolves to: the reply with `Data` of type `D`.
pub type Called<'a, D> = Then<'a, Result<Reply<Value>, ApiError>, &'static str, Result<Reply<D>, ApiError>>;
/// What [`Api::exchange`] resolves to: the reply, or the caller's failure result `T`.
pub type Exchanged<'a, D, T> = Then<'a, Result<Reply<Value>, (String, String)>, &'a str, Result<Reply<D>, T>>;

/// A request's fields, by wire name.
pub type Fields = Vec<(&'static str, String)>;

/// A reply: the envelope, with `Data` of the type the contract gives the action.
pub type Reply<D> = Envelope<D>;

/// What a result type does with a failure: every SDK result has an official failure shape.
pub trait Failure: Sized {
    fn fail(request_id: impl Into<String>, message: impl Into<String>) -> Self;
}

/// How an action's `Success:false` counts, by the official rule for that action.
#[derive(Debug, Clone, Copy)]
pub enum Check<'a> {
    /// `[Code] Message` when `Success:false` comes with a `Code`.
    Body,
    /// Anything short of `Success:true` fails, with this message when none came.
    Strict(&'a str),
    /// Only an explicit `Success:false` fails, with this message when none came.
    ExplicitFalse(&'a str),
}

impl Check<'_> {
    /// The refusal `r` carries under this rule, if any.
    pub fn error<D>(self, r: &Reply<D>) -> Option<String> {
        match self {
            Check::Body => r.body_error(),
            Check::Strict(fallback) => r.strict_error(fallback),
            Check::ExplicitFalse(fallback) => r.explicit_failure(fallback),
        }
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

    /// The HTTP request of `action` with `fields` (a fresh nonce each time), signed with
    /// `credential` when the host gave one for this request, else with the configured API key.
    pub fn build(&self, action: Action, fields: Fields, credential: Option<&str>) -> HttpRequest {
        let mut state = self.nonce.get();
        let nonce = request::next_nonce(&mut state);
        self.nonce.set(state);
        let key = credential.unwrap_or(&self.cfg.api_key);
        request::build_with(&self.cfg, key, action, fields, &request::utc_timestamp(self.env.now_ms()), &nonce)
    }

    /// Sends one request of the contract and reads its reply.
    pub fn call<'a, R: Request>(&'a self, req: &R) -> Called<'a, R::Reply> {
        self.call_within(req, self.cfg.timeout_ms)
    }

    /// Like [`Self::call`] with an explicit HTTP timeout (a long shell command must not
    /// be cut off by a shorter client timeout while it is still running server-side).
    pub fn call_within<'a, R: Request>(&'a self, req: &R, timeout_ms: u64) -> Called<'a, R::Reply> {
        let sent = self.send_fields(R::ACTION, req.to_fields(), timeout_ms);
        Then::new(sent, |r, action| typed::<R::Reply>(action, r?), R::ACTION.as_str())
    }

    /// [`Self::call`], with every way it can fail turned into the caller's result type: a
    /// transport or HTTP error becomes `"{what}: {error}"`, a refusal in the body what `check`
    /// says. Write `let r = match api.exchange(..).await { Ok(r) => r, Err(f) => return f };`.
    pub fn exchange<'a, R: Request, T: Failure>(
        &'a self,
        req: &R,
        what: &'a str,
        check: Check<'a>,
    ) -> Exchanged<'a, R::Reply, T> {
        let sent = self.exchange_fields(R::ACTION, req.to_fields(), what, check);
        Then::new(sent, exchanged::<R, T>, what)
    }

    /// [`Self::call`] for a request already taken apart, with `Data` left as JSON.
    pub async fn call_fields(&self, action: Action, fields: Fields) -> Result<Reply<Value>, ApiError> {
        self.send_fields(action, fields, self.cfg.timeout_ms).await
    }

    // The generic methods above only convert; the exchange itself is written (and compiled) once,
    // which keeps one copy of it in the .wasm instead of one per action.
    async fn send_fields(&self, action: Action, fields: Fields, timeout_ms: u64) -> Result<Reply<Value>, ApiError> {
        let credential = self.env.credential(action.as_str()).await?;
        let http = self.build(action, fields, credential.as_deref());
        let resp = self.send(http, Limits { timeout_ms, max_body_bytes: self.cfg.max_response_bytes }).await?;
        parse_response(resp)
    }

    /// [`Self::exchange`] for a request already taken apart, with `Data` left as JSON; a failure
    /// is `(request id, message)`.
    pub async fn exchange_fields(
        &self,
        action: Action,
        fields: Fields,
        what: &str,
        check: Check<'_>,
    ) -> Result<Reply<Value>, (String, String)> {
        let r = self
            .send_fields(action, fields, self.cfg.timeout_ms)
            .await
            .map_err(|e| (e.request_id(), format!("{what}: {e}")))?;
        match check.error(&r) {
            Some(m) => Err((r.request_id, m)),
            None => Ok(r),
        }
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
        self.raw_with(method, url, Vec::new(), body, max_body_bytes).await
    }

    /// [`Self::raw`] with request headers (e.g. the `Content-Type` of an upload).
    pub async fn raw_with(
        &self,
        method: &'static str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
        max_body_bytes: u64,
    ) -> Result<HttpResponse, TransportError> {
        let req = HttpRequest { method, url: url.to_string(), headers, body };
        self.send(req, Limits { timeout_ms: self.cfg.timeout_ms, max_body_bytes }).await
    }

    /// [`Self::raw_with`], reporting the data's progress to `on_bytes` where the host can.
    pub async fn raw_reporting(
        &self,
        method: &'static str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
        max_body_bytes: u64,
        on_bytes: OnBytes,
    ) -> Result<HttpResponse, TransportError> {
        let req = HttpRequest { method, url: url.to_string(), headers, body };
        let limits = Limits { timeout_ms: self.cfg.timeout_ms, max_body_bytes };
        within_cap(self.env.send_reporting(req, limits, on_bytes).await?, limits)
    }

    async fn send(&self, req: HttpRequest, limits: Limits) -> Result<HttpResponse, TransportError> {
        within_cap(self.env.send(req, limits).await?, limits)
    }
}

/// The transport enforces the cap while reading; checking again here keeps the promise for any
/// transport that buffers first.
fn within_cap(resp: HttpResponse, limits: Limits) -> Result<HttpResponse, TransportError> {
    if resp.body.len() as u64 > limits.max_body_bytes {
        return Err(TransportError::TooLarge { limit: limits.max_body_bytes, declared: None });
    }
    Ok(resp)
}

/// The envelope with `Data` read as `D` (absent fields take their defaults).
// Every JSON read of the SDK goes through `&Value` or `&str` deserializers: each deserializer
// kind is compiled again for every type read through it, so using few kinds keeps the .wasm small.
// Replies are read with `FromJson`, not serde's derived `Deserialize` (smaller .wasm; see
// crates/agentbay-wire/src/from_json.rs).
pub fn typed<D: FromJson>(action: &'static str, r: Reply<Value>) -> Result<Reply<D>, ApiError> {
    let data = match r.data.as_ref().filter(|d| !d.is_null()) {
        None => None,
        Some(v) => Some(D::from_json(v).map_err(|e| bad_data(action, &r, e))?),
    };
    Ok(r.with_data(data))
}

/// The typing step of [`Api::exchange`]: failures become the caller's result type.
fn exchanged<R: Request, T: Failure>(
    r: Result<Reply<Value>, (String, String)>,
    what: &str,
) -> Result<Reply<R::Reply>, T> {
    let fail = |(id, m): (String, String)| T::fail(id, m);
    let r = r.map_err(fail)?;
    typed::<R::Reply>(R::ACTION.as_str(), r).map_err(|e| fail(described(&e, what)))
}

/// `(request id, "{what}: {e}")`, written once for every [`exchanged`].
fn described(e: &ApiError, what: &str) -> (String, String) {
    (e.request_id(), format!("{what}: {e}"))
}

// Out of `typed`, which is compiled once per reply type.
fn bad_data(action: &'static str, r: &Reply<Value>, detail: String) -> ApiError {
    ApiError::BadData { action, request_id: r.request_id.clone(), detail }
}

/// Reads an HTTP response as an envelope; HTTP 4xx/5xx become [`ApiError::Http`].
pub fn parse_response(resp: HttpResponse) -> Result<Reply<Value>, ApiError> {
    let status = resp.status;
    let not_json = |e: &dyn std::fmt::Display| {
        let text = String::from_utf8_lossy(&resp.body);
        let snippet: String = text.chars().take(200).collect();
        ApiError::BadBody { status, detail: format!("body is not JSON ({e}): {snippet}") }
    };
    let text = std::str::from_utf8(&resp.body).map_err(|e| not_json(&e))?;
    let body: Value = serde_json::from_str(text).map_err(|e| not_json(&e))?;
    if !body.is_object() {
        return Err(ApiError::BadBody { status, detail: "expected a JSON object".into() });
    }
    let env = Reply::<Value>::from_json(&body)
        .map_err(|e| ApiError::BadBody { status, detail: format!("not an envelope: {e}") })?;
    if status >= 400 {
        return Err(ApiError::Http {
            status,
            code: env.code.clone().unwrap_or_else(|| "Unknown".into()),
            message: env.message.clone().unwrap_or_default(),
            request_id: env.request_id,
        });
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;
    // Under wasm32 these run in Node and Chromium (scripts/test.sh).
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

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
