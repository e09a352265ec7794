//! The host environment: `fetch`, `setTimeout` and `Date.now` from the global scope
//! (Node ≥ 18, browsers and workers alike; never `window`), or the HTTP function a Node entry
//! hands in (`__agentbayHostHttp`, a keep-alive `node:http`/`node:https` client in
//! pkg-template/extras.mjs): the .wasm itself imports no `node:` module.

use crate::core::config::EnvVars;
use crate::core::runtime::{Clock, HttpRequest, HttpResponse, Limits, OnBytes, Transport, TransportError};
use js_sys::{Object, Promise, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (resolved on `globalThis` at call time).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &Object) -> Promise;
}

thread_local! {
    static HOST_HTTP: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Called by the entries with their HTTP function; not part of the public API.
/// `http(url, method, headers, body, timeoutMs, maxBodyBytes, onBytes?)` returns `undefined`
/// (use `fetch` for this request) or a promise of `{ status, body: Uint8Array }`. `onBytes(done,
/// total?)`, given for file transfers, hears the request body's bytes sent when there is a body,
/// else the response body's bytes read (the Node entries' node:http client; the browser entries
/// handle only uploads with it, through XMLHttpRequest, which alone reports upload progress). It rejects with an error
/// whose `agentbayKind` is `"timeout"` or `"too-large"` (with `declared`, the Content-Length,
/// when that is what was refused), or any other error (a network error, described like fetch's).
#[wasm_bindgen(js_name = __agentbayHostHttp, skip_typescript)]
pub fn set_host_http(http: JsValue) {
    HOST_HTTP.with(|h| *h.borrow_mut() = http.dyn_into().ok());
}

/// The JS host as the core's [`crate::core::runtime::Env`]: `fetch`, timers, `Date.now`, and
/// the `authorize` option (a JS function giving each API request its credential).
#[derive(Clone, Default)]
pub struct JsEnv {
    /// `authorize(action)`: a credential (or a promise of one) per API request; `None`, the key.
    pub authorize: Option<js_sys::Function>,
}

/// The core API client over the JS host.
pub type JsApi = crate::core::api::Api<JsEnv>;

/// Best-effort text of a thrown JS value, including Node's `cause` (e.g. ECONNREFUSED).
pub fn describe(err: &JsValue) -> String {
    let mut msg = match err.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => err.as_string().unwrap_or_else(|| format!("{err:?}")),
    };
    if let Ok(cause) = Reflect::get(err, &"cause".into()) {
        if !cause.is_undefined() && !cause.is_null() {
            let code = Reflect::get(&cause, &"code".into()).ok().and_then(|c| c.as_string());
            let text = cause.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message()));
            match (code, text) {
                (Some(c), Some(t)) if !t.contains(&c) => msg.push_str(&format!(" ({c}: {t})")),
                (_, Some(t)) => msg.push_str(&format!(" ({t})")),
                (Some(c), None) => msg.push_str(&format!(" ({c})")),
                _ => {}
            }
        }
    }
    msg
}

impl Transport for JsEnv {
    async fn send(&self, req: HttpRequest, limits: Limits) -> Result<HttpResponse, TransportError> {
        self.exchange(req, limits, None).await
    }

    async fn send_reporting(
        &self,
        req: HttpRequest,
        limits: Limits,
        on_bytes: OnBytes,
    ) -> Result<HttpResponse, TransportError> {
        self.exchange(req, limits, Some(on_bytes)).await
    }

    async fn credential(&self, action: &'static str) -> Result<Option<String>, TransportError> {
        let Some(f) = &self.authorize else {
            return Ok(None);
        };
        let failed = |e: JsValue| TransportError::Network(format!("authorize({action}) failed: {}", describe(&e)));
        let mut v = f.call1(&JsValue::UNDEFINED, &action.into()).map_err(failed)?;
        if let Some(p) = v.dyn_ref::<Promise>() {
            v = JsFuture::from(p.clone()).await.map_err(failed)?;
        }
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        match v.as_string() {
            Some(s) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
            _ => Err(TransportError::Network(format!(
                "authorize({action}) failed: it must return a non-empty string or undefined"
            ))),
        }
    }
}

impl JsEnv {
    /// One exchange through the host's HTTP function, or `fetch` when there is none or it
    /// declines; `on_bytes` hears the data's progress where the path can tell it.
    async fn exchange(
        &self,
        req: HttpRequest,
        limits: Limits,
        on_bytes: Option<OnBytes>,
    ) -> Result<HttpResponse, TransportError> {
        if let Some(http) = HOST_HTTP.with(|h| h.borrow().clone()) {
            if let Some(r) = send_host(&http, &req, limits, on_bytes.as_ref()).await {
                return r;
            }
        }
        let timeout_ms = limits.timeout_ms;
        let net = |e: JsValue| TransportError::Network(describe(&e));
        let init = Object::new();
        let set = |k: &str, v: &JsValue| Reflect::set(&init, &k.into(), v).map(|_| ()).map_err(net);
        set("method", &req.method.into())?;
        let headers = Object::new();
        for (k, v) in &req.headers {
            Reflect::set(&headers, &k.into(), &v.into()).map_err(net)?;
        }
        set("headers", &headers)?;
        if let Some(body) = &req.body {
            set("body", &Uint8Array::from(body.as_slice()))?;
        }
        let controller = web_sys::AbortController::new().map_err(net)?;
        set("signal", &controller.signal())?;
        let fired = Rc::new(Cell::new(false));
        let (fired2, controller2) = (fired.clone(), controller.clone());
        let ms = timeout_ms.min(u64::from(u32::MAX / 2)) as u32;
        // Dropping the guard clears the timer; it lives until the body is read.
        let _guard = gloo_timers::callback::Timeout::new(ms, move || {
            fired2.set(true);
            controller2.abort();
        });
        let map = |e: JsValue| if fired.get() { TransportError::Timeout(timeout_ms) } else { net(e) };
        let resp = JsFuture::from(global_fetch(&req.url, &init)).await.map_err(map)?;
        let resp: web_sys::Response =
            resp.dyn_into().map_err(|_| TransportError::Network("fetch did not return a Response".into()))?;
        let status = resp.status();
        // Only a response that carries the data reports it (not the reply to an upload).
        let on_body = on_bytes.filter(|_| req.body.is_none());
        let body = read_body(&resp, limits.max_body_bytes, map, on_body).await;
        if body.is_err() {
            // Stop the download and free the connection; the body may already be done or cancelled.
            controller.abort();
        }
        Ok(HttpResponse { status, body: body? })
    }
}

/// One exchange through the host's HTTP function; `None` when it declined (use `fetch`).
async fn send_host(
    http: &js_sys::Function,
    req: &HttpRequest,
    limits: Limits,
    on_bytes: Option<&OnBytes>,
) -> Option<Result<HttpResponse, TransportError>> {
    let net = |e: JsValue| TransportError::Network(describe(&e));
    let headers = Object::new();
    for (k, v) in &req.headers {
        if let Err(e) = Reflect::set(&headers, &k.into(), &v.into()) {
            return Some(Err(net(e)));
        }
    }
    let body = req.body.as_ref().map_or(JsValue::UNDEFINED, |b| Uint8Array::from(b.as_slice()).into());
    // Lives until the exchange ends; the host must not call it after that.
    let listener = on_bytes.map(|f| {
        let f = f.clone();
        Closure::<dyn Fn(f64, JsValue)>::new(move |done: f64, total: JsValue| {
            let total = total.as_f64().filter(|t| t.is_finite() && *t >= 0.0).map(|t| t as u64);
            if done.is_finite() && done >= 0.0 {
                f(done as u64, total);
            }
        })
    });
    let args: js_sys::Array = [
        JsValue::from(req.url.as_str()),
        JsValue::from(req.method),
        headers.into(),
        body,
        JsValue::from(limits.timeout_ms as f64),
        JsValue::from(limits.max_body_bytes as f64),
        listener.as_ref().map_or(JsValue::UNDEFINED, |l| l.as_ref().clone()),
    ]
    .iter()
    .collect();
    let p = match http.apply(&JsValue::UNDEFINED, &args) {
        Ok(v) if v.is_undefined() => return None,
        Ok(v) => match v.dyn_into::<Promise>() {
            Ok(p) => p,
            Err(_) => return Some(Err(TransportError::Network("host http did not return a promise".into()))),
        },
        Err(e) => return Some(Err(net(e))),
    };
    let r = match JsFuture::from(p).await {
        Ok(r) => r,
        Err(e) => {
            let kind = Reflect::get(&e, &"agentbayKind".into()).ok().and_then(|k| k.as_string());
            return Some(Err(match kind.as_deref() {
                Some("timeout") => TransportError::Timeout(limits.timeout_ms),
                Some("too-large") => TransportError::TooLarge {
                    limit: limits.max_body_bytes,
                    declared: Reflect::get(&e, &"declared".into()).ok().and_then(|d| d.as_f64()).map(|d| d as u64),
                },
                _ => net(e),
            }));
        }
    };
    let status = Reflect::get(&r, &"status".into()).ok().and_then(|s| s.as_f64()).unwrap_or(0.0) as u16;
    let body = match Reflect::get(&r, &"body".into()).ok().and_then(|b| b.dyn_into::<Uint8Array>().ok()) {
        Some(b) => b.to_vec(),
        None => return Some(Err(TransportError::Network("response body is not bytes".into()))),
    };
    Some(Ok(HttpResponse { status, body }))
}

/// Reads the body chunk by chunk, never holding more than `cap` bytes: a declared
/// Content-Length over the cap is refused before reading, a chunked or unknown-length body as
/// soon as it passes the cap (`array_buffer()` would buffer any size, several times over).
async fn read_body(
    resp: &web_sys::Response,
    cap: u64,
    map: impl Fn(JsValue) -> TransportError,
    on_bytes: Option<OnBytes>,
) -> Result<Vec<u8>, TransportError> {
    let declared = resp.headers().get("content-length").ok().flatten().and_then(|v| v.trim().parse::<u64>().ok());
    let Some(stream) = resp.body() else {
        return Ok(Vec::new());
    };
    if let Some(n) = declared.filter(|n| *n > cap) {
        settle_quietly(stream.cancel());
        return Err(TransportError::TooLarge { limit: cap, declared: Some(n) });
    }
    let reader = web_sys::ReadableStreamDefaultReader::new(&stream).map_err(&map)?;
    // The chunks stay JS objects until the end: a body refused midway never touches wasm memory
    // (which never shrinks), and an accepted one is copied once into an allocation of exactly
    // its size instead of a doubling Vec.
    let mut chunks: Vec<Uint8Array> = Vec::new();
    let mut total: u64 = 0;
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(&map)?;
        if Reflect::get(&chunk, &"done".into()).map_or(true, |d| d.is_truthy()) {
            break;
        }
        let bytes: Uint8Array = Reflect::get(&chunk, &"value".into())
            .ok()
            .and_then(|v| v.dyn_into().ok())
            .ok_or_else(|| TransportError::Network("response body chunk is not bytes".into()))?;
        total += u64::from(bytes.length());
        if total > cap {
            settle_quietly(reader.cancel());
            return Err(TransportError::TooLarge { limit: cap, declared: None });
        }
        chunks.push(bytes);
        if let Some(f) = &on_bytes {
            f(total, declared);
        }
    }
    let mut out = vec![0; total as usize];
    let mut at = 0;
    for c in &chunks {
        let end = at + c.length() as usize;
        c.copy_to(&mut out[at..end]);
        at = end;
    }
    Ok(out)
}

/// Awaits a promise nobody else waits for, so that its rejection (e.g. `cancel()` on an
/// errored stream) is handled instead of surfacing as an unhandled rejection.
fn settle_quietly(p: Promise) {
    spawn_local(async move {
        let _ = JsFuture::from(p).await;
    });
}

impl Clock for JsEnv {
    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }

    async fn sleep(&self, ms: u64) {
        gloo_timers::future::TimeoutFuture::new(ms.min(u64::from(u32::MAX / 2)) as u32).await;
    }
}

/// `globalThis.process?.env?.<name>` when the host has one (Node, Deno, Bun).
fn env_var(name: &str) -> Option<String> {
    let process = Reflect::get(&js_sys::global(), &"process".into()).ok().filter(|p| p.is_object())?;
    let env = Reflect::get(&process, &"env".into()).ok().filter(|e| e.is_object())?;
    Reflect::get(&env, &name.into()).ok()?.as_string()
}

/// The `AGENTBAY_*` variables of the host's environment, where it has one.
pub fn env_vars() -> EnvVars {
    EnvVars {
        api_key: env_var("AGENTBAY_API_KEY"),
        endpoint: env_var("AGENTBAY_ENDPOINT"),
        timeout_ms: env_var("AGENTBAY_TIMEOUT_MS"),
        region_id: env_var("AGENTBAY_REGION_ID"),
    }
}
