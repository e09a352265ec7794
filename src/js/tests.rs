//! The host bindings of [`super::env::JsEnv`] on a real JS engine (wasm-bindgen-test, in Node
//! and in headless Chromium: scripts/test.sh): `Date.now` and `setTimeout` as the core's clock,
//! the global `fetch` with its streamed body, size cap and abort timer, the `authorize` hook, the
//! Node entry's host HTTP function, and the core's polling schedule running on all of them.
//! Requests go to `data:` URLs (real fetches that need no server) and to a closed loopback port.

use super::env::{describe, set_host_http, JsEnv};
use crate::core::poll::{self, Fault, GaveUp, Step, WaitOptions};
use crate::core::runtime::{Clock, HttpRequest, Limits, Transport, TransportError};
use js_sys::{Function, Reflect};
use std::cell::Cell;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const LIMITS: Limits = Limits { timeout_ms: 10_000, max_body_bytes: 1 << 20 };
/// Nothing listens on the discard port; Chromium also refuses it outright (ERR_UNSAFE_PORT).
const CLOSED: &str = "http://127.0.0.1:9/";

fn get(url: &str) -> HttpRequest {
    HttpRequest { method: "GET", url: url.to_string(), headers: vec![("accept".into(), "*/*".into())], body: None }
}

fn js_fn(args: &str, body: &str) -> Function {
    Function::new_with_args(args, body)
}

fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// Replaces `globalThis.fetch` until dropped (the binding resolves `fetch` at each call).
struct FetchSwap(JsValue);

impl FetchSwap {
    fn new(fetch: Function) -> FetchSwap {
        let global = js_sys::global();
        let old = Reflect::get(&global, &"fetch".into()).unwrap();
        Reflect::set(&global, &"fetch".into(), &fetch).unwrap();
        FetchSwap(old)
    }
}

impl Drop for FetchSwap {
    fn drop(&mut self) {
        Reflect::set(&js_sys::global(), &"fetch".into(), &self.0).unwrap();
    }
}

#[wasm_bindgen_test]
async fn the_clock_is_date_now_and_sleep_is_a_real_timer() {
    let env = JsEnv::default();
    let (before, clock, after) = (now(), env.now_ms(), now());
    assert!(before <= clock && clock <= after, "{before} <= {clock} <= {after}");
    let start = now();
    env.sleep(30).await;
    // setTimeout never fires early; Date.now may be coarsened by a millisecond.
    assert!(now() - start >= 29, "slept {} ms", now() - start);
    // Beyond setTimeout's 32-bit range: clamped, not wrapped to an immediate timer (checked by
    // not awaiting it: a wrapped delay would be ready at once).
    let far = env.sleep(u64::MAX);
    let quick = env.sleep(5);
    let winner = futures_select(far, quick).await;
    assert_eq!(winner, "second");
}

/// Which of two futures finishes first ("first" / "second"), without another dependency.
async fn futures_select(
    a: impl std::future::Future<Output = ()>,
    b: impl std::future::Future<Output = ()>,
) -> &'static str {
    let (mut a, mut b) = (Box::pin(a), Box::pin(b));
    std::future::poll_fn(move |cx| {
        if a.as_mut().poll(cx).is_ready() {
            return std::task::Poll::Ready("first");
        }
        if b.as_mut().poll(cx).is_ready() {
            return std::task::Poll::Ready("second");
        }
        std::task::Poll::Pending
    })
    .await
}

#[wasm_bindgen_test]
async fn fetch_reads_a_body_through_the_stream_reader() {
    let body = r#"{"RequestId":"R","Success":true,"Data":"é ✓"}"#;
    let url = format!("data:application/json;charset=utf-8,{}", js_sys::encode_uri_component(body));
    let r = JsEnv::default().send(get(&url), LIMITS).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(String::from_utf8(r.body).unwrap(), body);
    let empty = JsEnv::default().send(get("data:,"), LIMITS).await.unwrap();
    assert_eq!((empty.status, empty.body.len()), (200, 0));
}

#[wasm_bindgen_test]
async fn fetch_refuses_a_body_over_the_cap() {
    let url = format!("data:text/plain,{}", "x".repeat(4096));
    let err = JsEnv::default().send(get(&url), Limits { timeout_ms: 10_000, max_body_bytes: 1000 }).await.unwrap_err();
    // By Content-Length when the runtime declares one, else while streaming.
    assert!(matches!(err, TransportError::TooLarge { limit: 1000, .. }), "{err:?}");
    // Exactly the cap is allowed.
    let ok = JsEnv::default().send(get(&url), Limits { timeout_ms: 10_000, max_body_bytes: 4096 }).await.unwrap();
    assert_eq!(ok.body.len(), 4096);
}

#[wasm_bindgen_test]
async fn a_refused_connection_is_a_network_error() {
    let err = JsEnv::default().send(get(CLOSED), LIMITS).await.unwrap_err();
    let TransportError::Network(msg) = err else { panic!("{err:?}") };
    // Node: "fetch failed (ECONNREFUSED: …)"; Chromium: "Failed to fetch".
    assert!(msg.to_lowercase().contains("fetch"), "{msg}");
}

#[wasm_bindgen_test]
async fn the_abort_timer_turns_a_hanging_fetch_into_a_timeout() {
    // A fetch that answers only by rejecting when its signal aborts, as every fetch does.
    let _swap = FetchSwap::new(js_fn(
        "url, init",
        "return new Promise((_, reject) => init.signal.addEventListener('abort', \
         () => reject(new DOMException('The operation was aborted.', 'AbortError'))));",
    ));
    let start = now();
    let err = JsEnv::default().send(get(CLOSED), Limits { timeout_ms: 40, max_body_bytes: 10 }).await.unwrap_err();
    assert_eq!(err, TransportError::Timeout(40));
    assert!(now() - start >= 39, "timed out after {} ms", now() - start);
}

#[wasm_bindgen_test]
async fn authorize_gives_each_request_its_credential() {
    let with = |f: Function| JsEnv { authorize: Some(f) };
    let sync = with(js_fn("action", "return ' tok-' + action + ' ';"));
    assert_eq!(sync.credential("GetContext").await, Ok(Some("tok-GetContext".into())));
    let later = with(js_fn("action", "return new Promise((r) => setTimeout(() => r('late-' + action), 5));"));
    assert_eq!(later.credential("ListContexts").await, Ok(Some("late-ListContexts".into())));
    let keep = with(js_fn("action", "return undefined;"));
    assert_eq!(keep.credential("GetContext").await, Ok(None));
    assert_eq!(JsEnv::default().credential("GetContext").await, Ok(None));

    let bad = with(js_fn("action", "return 42;"));
    assert_eq!(
        bad.credential("GetContext").await,
        Err(TransportError::Network(
            "authorize(GetContext) failed: it must return a non-empty string or undefined".into()
        ))
    );
    let throws = with(js_fn("action", "throw new Error('no login');"));
    assert_eq!(
        throws.credential("CreateMcpSession").await,
        Err(TransportError::Network("authorize(CreateMcpSession) failed: no login".into()))
    );
    let rejects = with(js_fn("action", "return Promise.reject(new Error('expired'));"));
    assert_eq!(
        rejects.credential("GetContext").await,
        Err(TransportError::Network("authorize(GetContext) failed: expired".into()))
    );
}

#[wasm_bindgen_test]
fn describe_names_the_cause_of_a_js_error() {
    let e = js_fn("", "const e = new TypeError('fetch failed'); e.cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }); return e;")
        .call0(&JsValue::UNDEFINED)
        .unwrap();
    assert_eq!(describe(&e), "fetch failed (connect ECONNREFUSED 127.0.0.1:9)");
    let coded = js_fn("", "const e = new TypeError('fetch failed'); e.cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }); return e;")
        .call0(&JsValue::UNDEFINED)
        .unwrap();
    assert_eq!(describe(&coded), "fetch failed (ECONNRESET: socket hang up)");
    assert_eq!(describe(&JsValue::from_str("plain string")), "plain string");
}

#[wasm_bindgen_test]
async fn the_node_entrys_host_http_is_used_declined_and_its_errors_mapped() {
    let url = "data:text/plain,from-fetch";
    // The function the Node entries install (pkg-template/extras.mjs): it may decline (undefined)…
    set_host_http(js_fn("url", "return undefined;").into());
    let r = JsEnv::default().send(get(url), LIMITS).await;
    // …answer…
    set_host_http(
        js_fn("url, method, headers, body, timeoutMs, maxBodyBytes", "return Promise.resolve({ status: 201, body: new TextEncoder().encode(method + ' ' + headers.accept + ' ' + timeoutMs + ' ' + maxBodyBytes) });")
            .into(),
    );
    let answered = JsEnv::default().send(get(url), LIMITS).await;
    // …or fail the ways it reports.
    set_host_http(
        js_fn(
            "",
            "return Promise.reject(Object.assign(new Error('big'), { agentbayKind: 'too-large', declared: 5000 }));",
        )
        .into(),
    );
    let big = JsEnv::default().send(get(url), LIMITS).await;
    set_host_http(
        js_fn("", "return Promise.reject(Object.assign(new Error('slow'), { agentbayKind: 'timeout' }));").into(),
    );
    let slow = JsEnv::default().send(get(url), LIMITS).await;
    set_host_http(js_fn("", "return Promise.resolve({ status: 200, body: 'not bytes' });").into());
    let not_bytes = JsEnv::default().send(get(url), LIMITS).await;
    set_host_http(JsValue::UNDEFINED);

    assert_eq!(String::from_utf8(r.unwrap().body).unwrap(), "from-fetch", "declined: fetch was used");
    let answered = answered.unwrap();
    assert_eq!((answered.status, String::from_utf8(answered.body).unwrap().as_str()), (201, "GET */* 10000 1048576"));
    assert_eq!(big.unwrap_err(), TransportError::TooLarge { limit: 1 << 20, declared: Some(5000) });
    assert_eq!(slow.unwrap_err(), TransportError::Timeout(10_000));
    assert_eq!(not_bytes.unwrap_err(), TransportError::Network("response body is not bytes".into()));
}

#[wasm_bindgen_test]
async fn a_wait_polls_real_fetches_on_the_real_clock_until_done() {
    let env = JsEnv::default();
    let polls = Cell::new(0u32);
    let start = now();
    let done = poll::poll(
        &env,
        WaitOptions::fast(10_000, 1_000),
        5_000,
        || {
            polls.set(polls.get() + 1);
            env.send(get(&format!("data:text/plain,{}", polls.get())), LIMITS)
        },
        |r| match r {
            Ok(resp) if resp.body == b"3" => Step::Done(polls.get()),
            Ok(_) => Step::Pending,
            Err(e) => Step::Failed(Fault::Unreachable(e.to_string())),
        },
    )
    .await;
    assert_eq!(done, Ok(3));
    // The fast schedule's first two pauses, 10 then 20 ms, were slept on setTimeout.
    assert!(now() - start >= 29, "3 polls in {} ms", now() - start);
}

#[wasm_bindgen_test]
async fn a_wait_gives_up_on_an_unreachable_server_after_three_faults() {
    let env = JsEnv::default();
    let polls = Cell::new(0u32);
    let out = poll::poll(
        &env,
        WaitOptions::fast(10_000, 1_000),
        5_000,
        || {
            polls.set(polls.get() + 1);
            env.send(get(CLOSED), LIMITS)
        },
        |r| match r {
            Ok(_) => Step::Done(()),
            Err(e) => Step::<()>::Failed(Fault::Unreachable(e.to_string())),
        },
    )
    .await;
    let Err(GaveUp::Faults(Fault::Unreachable(_), 3)) = out else { panic!("{out:?}") };
    assert_eq!(polls.get(), 3);
}

#[wasm_bindgen_test]
async fn a_wait_ends_on_its_budget_measured_by_date_now() {
    let env = JsEnv::default();
    let start = now();
    let out: Result<(), GaveUp> =
        poll::poll(&env, WaitOptions::new(60, 20, 20), 5_000, || async {}, |()| Step::Pending).await;
    assert_eq!(out, Err(GaveUp::Budget { waited_ms: 60, last: None }));
    assert!(now() - start >= 59, "gave up after {} ms", now() - start);
}
