//! Core tests with a scripted transport and a fake clock: request bytes against the
//! captured official requests (reference Appendix A), and the polling loops.

use super::api::Api;
use super::config::Config;
use super::handle::SessionHandle;
use super::poll::{self, WaitOptions};
use super::progress::{self, TransferProgress};
use super::request;
use super::runtime::{Clock, HttpRequest, HttpResponse, Limits, Transport, TransportError};
use super::session;
use super::sync_config::ContextSyncSpec;
use super::wire::context_status::{self, TaskStatus};
use super::wire::form;
use super::wire::labels::Labels;
use super::wire::persistence::PersistenceDataList;
use super::wire::request::{
    BindContextsRequest, CreateMcpSessionRequest, GetAndLoadInternalContextRequest, GetSessionDetailRequest, Request,
    SyncContextRequest,
};
use super::{bind, context, context_manager, file_transfer, filesystem, params};
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;
// Under wasm32 these run in Node and headless Chromium (scripts/test.sh), as the SDK does.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// The fakes never return `Pending`, so polling once per step is enough.
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// One decoded request as a server would see it: action + merged query/body fields.
#[derive(Debug, Clone)]
struct Seen {
    action: String,
    query: BTreeMap<String, String>,
    body: BTreeMap<String, String>,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn get(&self, k: &str) -> Option<&str> {
        self.body.get(k).or_else(|| self.query.get(k)).map(String::as_str)
    }
}

type Handler = Box<dyn FnMut(&Seen, u64) -> Result<(u16, Value), TransportError>>;

struct Fake {
    handler: RefCell<Handler>,
    seen: RefCell<Vec<Seen>>,
    now: Cell<u64>,
    sleeps: RefCell<Vec<u64>>,
}

#[derive(Clone)]
struct FakeEnv(Rc<Fake>);

impl FakeEnv {
    fn new(h: impl FnMut(&Seen, u64) -> Result<(u16, Value), TransportError> + 'static) -> Self {
        FakeEnv(Rc::new(Fake {
            handler: RefCell::new(Box::new(h)),
            seen: RefCell::new(Vec::new()),
            now: Cell::new(1_796_060_105_000),
            sleeps: RefCell::new(Vec::new()),
        }))
    }
    fn actions(&self) -> Vec<String> {
        self.0.seen.borrow().iter().map(|s| s.action.clone()).collect()
    }
}

impl Transport for FakeEnv {
    async fn send(&self, req: HttpRequest, limits: Limits) -> Result<HttpResponse, TransportError> {
        let headers = req.headers.clone();
        let qs = req.url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let query: BTreeMap<_, _> = form::decode(qs).into_iter().collect();
        let body: BTreeMap<_, _> =
            form::decode(&String::from_utf8(req.body.unwrap_or_default()).unwrap()).into_iter().collect();
        let seen = Seen { action: query.get("Action").cloned().unwrap_or_default(), query, body, headers };
        self.0.seen.borrow_mut().push(seen.clone());
        let (status, v) = match (self.0.handler.borrow_mut())(&seen, self.0.now.get()) {
            // A stalled server: the request takes its whole timeout, then fails.
            Err(TransportError::Timeout(_)) => {
                self.0.now.set(self.0.now.get() + limits.timeout_ms);
                return Err(TransportError::Timeout(limits.timeout_ms));
            }
            other => other?,
        };
        self.0.now.set(self.0.now.get() + 5); // every call costs a little time
                                              // `{"__raw": "..."}` stands for a body that is not JSON.
        let body = match v.get("__raw").and_then(Value::as_str) {
            Some(raw) => raw.as_bytes().to_vec(),
            None => v.to_string().into_bytes(),
        };
        Ok(HttpResponse { status, body })
    }
}

impl Clock for FakeEnv {
    fn now_ms(&self) -> u64 {
        self.0.now.get()
    }
    async fn sleep(&self, ms: u64) {
        self.0.sleeps.borrow_mut().push(ms);
        self.0.now.set(self.0.now.get() + ms);
    }
}

fn cfg(base: &str) -> Config {
    Config {
        api_key: "akm-xxx".into(),
        base_url: base.into(),
        region_id: None,
        timeout_ms: 60_000,
        max_response_bytes: super::config::DEFAULT_MAX_RESPONSE_BYTES,
        max_download_bytes: super::config::DEFAULT_MAX_DOWNLOAD_BYTES,
    }
}

fn api(env: &FakeEnv) -> Api<FakeEnv> {
    Api::new(env.clone(), cfg("http://127.0.0.1:18080"))
}

fn ok(data: Value) -> Result<(u16, Value), TransportError> {
    Ok((200, json!({"RequestId": "req-1", "Success": true, "Data": data})))
}

/// `session.context.sync(undefined, undefined, mode)` of session `id`, waiting by `wait`, with no
/// listeners: what most sync tests drive.
fn sync_all(api: &Api<FakeEnv>, id: &str, mode: Option<&str>, wait: WaitOptions) -> super::results::ContextSyncResult {
    block_on(context_manager::sync(api, &handle(id), None, None, mode, wait, &mut |_| {}, &mut |_| {}))
}

fn handle(id: &str) -> SessionHandle {
    SessionHandle::new(super::results::SessionData { session_id: id.into(), ..Default::default() })
}

fn task(cid: &str, kind: &str, status: &str) -> TaskStatus {
    TaskStatus {
        context_id: cid.into(),
        path: "/p".into(),
        status: status.into(),
        task_type: kind.into(),
        ..Default::default()
    }
}

fn info_data(tasks: &[TaskStatus]) -> Value {
    json!({"ContextStatus": context_status::encode(tasks)})
}

// ---- request bytes (Appendix A) ----

#[test]
fn create_mcp_session_bytes_match_the_capture() {
    let cs = ContextSyncSpec::from_value(
        0,
        &json!({"contextId": "SdkCtx-abc", "path": "/tmp/data", "policy": {"uploadPolicy": {"autoUpload": true, "uploadStrategy": "UploadBeforeResourceRelease", "uploadMode": "Archive"}}}),
    )
    .unwrap();
    let p = CreateMcpSessionRequest {
        image_id: Some("linux_latest".into()),
        labels: Some(Labels([("project".to_string(), "demo".to_string())].into())),
        persistence_data_list: Some(PersistenceDataList(vec![cs.to_persistence()])),
        sdk_stats: Some(
            r#"{"source":"sdk","sdk_language":"typescript","sdk_version":"0.15.1","is_release":false,"framework":""}"#
                .into(),
        ),
        ..Default::default()
    };
    let req = request::build(
        &cfg("http://127.0.0.1:18080"),
        CreateMcpSessionRequest::ACTION,
        p.to_fields(),
        "2026-11-30T17:35:05Z",
        "6e87ff0",
    );
    assert_eq!(req.method, "POST");
    assert_eq!(req.url, "http://127.0.0.1:18080/?Action=CreateMcpSession&Format=json&Version=2025-05-06&Timestamp=2026-11-30T17%3A35%3A05Z&SignatureNonce=6e87ff0");
    let body = String::from_utf8(req.body.unwrap()).unwrap();
    assert_eq!(body, "Authorization=Bearer%20akm-xxx&ImageId=linux_latest&Labels=%7B%22project%22%3A%22demo%22%7D&PersistenceDataList=%5B%7B%22ContextId%22%3A%22SdkCtx-abc%22%2C%22Path%22%3A%22%2Ftmp%2Fdata%22%2C%22Policy%22%3A%22%7B%5C%22uploadPolicy%5C%22%3A%7B%5C%22autoUpload%5C%22%3Atrue%2C%5C%22uploadStrategy%5C%22%3A%5C%22UploadBeforeResourceRelease%5C%22%2C%5C%22uploadMode%5C%22%3A%5C%22Archive%5C%22%7D%7D%22%7D%5D&SdkStats=%7B%22source%22%3A%22sdk%22%2C%22sdk_language%22%3A%22typescript%22%2C%22sdk_version%22%3A%220.15.1%22%2C%22is_release%22%3Afalse%2C%22framework%22%3A%22%22%7D");
    assert!(req.headers.contains(&("x-acs-action".into(), "CreateMcpSession".into())));
    assert!(req.headers.contains(&("x-acs-version".into(), "2025-05-06".into())));
    assert!(req.headers.contains(&("content-type".into(), "application/x-www-form-urlencoded".into())));
}

#[test]
fn sync_context_puts_authorization_in_the_query() {
    let p = SyncContextRequest {
        session_id: "session-2f93be657472".into(),
        context_id: Some("SdkCtx-abc".into()),
        path: Some("/tmp/data".into()),
        mode: Some("upload".into()),
    };
    let req = request::build(&cfg("http://h:1"), SyncContextRequest::ACTION, p.to_fields(), "T", "N");
    assert_eq!(req.url, "http://h:1/?Action=SyncContext&Format=json&Version=2025-05-06&Timestamp=T&SignatureNonce=N&Authorization=Bearer%20akm-xxx");
    assert_eq!(
        String::from_utf8(req.body.unwrap()).unwrap(),
        "ContextId=SdkCtx-abc&Mode=upload&Path=%2Ftmp%2Fdata&SessionId=session-2f93be657472"
    );
}

#[test]
fn get_session_detail_puts_session_id_in_the_query() {
    let p = GetSessionDetailRequest { session_id: "session-9".into() };
    let req = request::build(&cfg("http://h:1"), GetSessionDetailRequest::ACTION, p.to_fields(), "T", "N");
    assert_eq!(req.url, "http://h:1/?Action=GetSessionDetail&Format=json&Version=2025-05-06&Timestamp=T&SignatureNonce=N&SessionId=session-9");
    assert_eq!(String::from_utf8(req.body.unwrap()).unwrap(), "Authorization=Bearer%20akm-xxx");
}

#[test]
fn create_params_encode_seed_and_official_forms() {
    let p = params::CreateParams::from_value(&json!({
        "labels": {"project": "demo"},
        "imageId": "linux_latest",
        "contextSync": [{"contextId": "c1", "path": "/mnt/data", "policy": {"uploadPolicy": {"uploadStrategy": "BeforeResourceRelease", "period": 30}}}],
        "contextSyncs": [{"contextId": "c2", "path": "/mnt/other", "betaWaitForCompletion": false}],
    }))
    .unwrap();
    assert_eq!(p.context_syncs.len(), 2);
    let env = FakeEnv::new(|s, _| {
        if s.action == "CreateMcpSession" {
            let list: Value = serde_json::from_str(s.get("PersistenceDataList").unwrap()).unwrap();
            assert_eq!(
                list[0]["Policy"],
                r#"{"uploadPolicy":{"uploadStrategy":"UploadBeforeResourceRelease","period":30}}"#
            );
            assert!(list[1].get("Policy").is_none());
            assert_eq!(s.get("Labels"), Some(r#"{"project":"demo"}"#));
            assert!(s.get("SdkStats").unwrap().contains(r#""sdk_language":"typescript""#));
            return ok(json!({"SessionId": "s-1", "Success": true}));
        }
        ok(info_data(&[task("c1", "download", "Success"), task("c2", "download", "Running")]))
    });
    let r = block_on(session::create(
        &api(&env),
        &json!({
            "contextSync": [{"contextId": "c1", "path": "/mnt/data", "policy": {"uploadPolicy": {"uploadStrategy": "BeforeResourceRelease", "period": 30}}}],
            "contextSyncs": [{"contextId": "c2", "path": "/mnt/other", "betaWaitForCompletion": false}],
            "labels": {"project": "demo"},
        }),
    ));
    assert!(r.success, "{r:?}");
    // c2 opted out of the wait, so its Running task does not hold create() up.
    assert_eq!(env.actions(), vec!["CreateMcpSession", "GetContextInfo"]);
    let e = params::CreateParams::from_value(&json!({"contextsync": []})).unwrap_err();
    assert!(e.starts_with("Unknown property in CreateSessionParams: 'contextsync'"), "{e}");
}

#[test]
fn create_rejects_bad_policy_as_a_result() {
    let env = FakeEnv::new(|_, _| panic!("no request expected"));
    let r = block_on(session::create(
        &api(&env),
        &json!({"contextSync": [{"contextId": "c", "path": "/p", "policy": {"uploadPolicy": {"uploadMode": "Zip"}}}]}),
    ));
    assert!(!r.success);
    assert_eq!(
        r.error_message.as_deref(),
        Some("Failed to create session: Error: Invalid uploadMode value: Zip. Valid values are: File, Archive")
    );
}

// ---- polling loops ----

#[test]
fn create_waits_for_downloads_fast_first_and_reports_failures() {
    let polls = Rc::new(Cell::new(0));
    let p2 = polls.clone();
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-1"})),
        "GetContextInfo" => {
            p2.set(p2.get() + 1);
            let st = if p2.get() < 4 { "Running" } else { "Failed" };
            ok(info_data(&[
                task("c1", "download", "Success"),
                task("c2", "download", st),
                task("other", "download", "Running"),
            ]))
        }
        a => panic!("unexpected {a}"),
    });
    let r = block_on(session::create(
        &api(&env),
        &json!({"contextSync": [{"contextId": "c1", "path": "/a"}, {"contextId": "c2", "path": "/b"}]}),
    ));
    assert!(r.success);
    let failures = r.context_sync_failures.expect("failure reported");
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].context_id, "c2");
    assert_eq!(*env.0.sleeps.borrow(), vec![10, 20, 40]);
}

#[test]
fn create_waits_until_each_waited_context_has_reported() {
    // c2 reports only from the third poll on; c3 downloads nothing (autoDownload false), so it
    // has nothing to report and is not waited for.
    let polls = Rc::new(Cell::new(0));
    let p2 = polls.clone();
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-1"})),
        "GetContextInfo" => {
            p2.set(p2.get() + 1);
            let mut tasks = vec![task("c1", "download", "Success")];
            if p2.get() >= 3 {
                tasks.push(task("c2", "download", "Success"));
            }
            ok(info_data(&tasks))
        }
        a => panic!("unexpected {a}"),
    });
    let r = block_on(session::create(
        &api(&env),
        &json!({"contextSync": [
            {"contextId": "c1", "path": "/a"},
            {"contextId": "c2", "path": "/b"},
            {"contextId": "c3", "path": "/c", "policy": {"downloadPolicy": {"autoDownload": false}}},
        ]}),
    ));
    assert!(r.success, "{r:?}");
    assert_eq!(polls.get(), 3);

    // A context that never reports: create() gives up and names it.
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-1"})),
        _ => ok(info_data(&[task("c1", "download", "Success")])),
    });
    let r = block_on(session::create(
        &api(&env),
        &json!({"contextSync": [{"contextId": "c1", "path": "/a"}, {"contextId": "c2", "path": "/b"}], "syncWait": {"timeoutMs": 1000}}),
    ));
    assert!(!r.success);
    let m = r.error_message.unwrap();
    assert!(m.contains("the download of context(s) c2 was not confirmed"), "{m}");
    assert!(m.contains("1 context(s) not reported yet"), "{m}");
}

#[test]
fn create_sends_browser_context_and_lifecycle_as_officially() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "CreateMcpSession" => {
            let items: Value = serde_json::from_str(s.get("PersistenceDataList").unwrap()).unwrap();
            assert_eq!(items[0]["Path"], "/tmp/agentbay_browser");
            assert_eq!(
                items[0]["Policy"],
                r#"{"uploadPolicy":{"autoUpload":false},"downloadPolicy":null,"deletePolicy":null,"bwList":{"whiteLists":[{"path":"/Local State","excludePaths":[]},{"path":"/Default/Cookies","excludePaths":[]},{"path":"/Default/Cookies-journal","excludePaths":[]}]},"recyclePolicy":null}"#
            );
            assert_eq!((s.get("Timeout"), s.get("MaxRuntime"), s.get("ManualRelease")), (Some("5"), Some("30"), None));
            ok(json!({"SessionId": "s-1"}))
        }
        _ => ok(info_data(&[task("b", "download", "Success")])),
    });
    let r = block_on(session::create(
        &api(&env),
        &json!({"browserContext": {"contextId": "b", "autoUpload": false, "syncMode": "minimal", "extensionIds": []}, "lifecyclePolicy": {}}),
    ));
    assert!(r.success, "{r:?}");
}

#[test]
fn create_wait_is_bounded_and_reports_pending() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-1"})),
        _ => ok(info_data(&[task("c1", "download", "Running")])),
    });
    let start = env.now_ms();
    let r = block_on(session::create(
        &api(&env),
        &json!({"contextSync": [{"contextId": "c1", "path": "/a"}], "syncWait": {"timeoutMs": 3000, "initialIntervalMs": 50, "maxIntervalMs": 500}}),
    ));
    // Unlike the official SDK (success with the download still running), this is a failure that
    // names the context and still hands out the session so that it can be deleted.
    assert!(!r.success);
    assert_eq!(
        r.error_message.as_deref(),
        Some("Session s-1 was created, but the download of context(s) c1 was not confirmed: timed out waiting after 3000ms (1 task(s) still running)")
    );
    assert_eq!(r.session.as_ref().map(|s| s.session_id.as_str()), Some("s-1"));
    assert_eq!(r.context_sync_pending.unwrap().len(), 1);
    let elapsed = env.now_ms() - start;
    assert!((3000..3200).contains(&elapsed), "elapsed {elapsed}");
    assert!(env.0.sleeps.borrow().iter().all(|s| *s <= 500));
    // Given intervals are used as given: the first pause is 50 ms, growing ×1.5.
    assert_eq!(env.0.sleeps.borrow()[..3], [50, 75, 112]);
}

#[test]
fn create_wait_with_only_a_budget_polls_on_the_fast_schedule() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-1"})),
        _ => ok(info_data(&[task("c1", "download", "Running")])),
    });
    let r = block_on(session::create(
        &api(&env),
        &json!({"contextSync": [{"contextId": "c1", "path": "/a"}], "syncWait": {"timeoutMs": 1000}}),
    ));
    assert!(!r.success);
    let sleeps = env.0.sleeps.borrow();
    assert_eq!(sleeps[..4], [10, 20, poll::FAST_CAP_MS, poll::FAST_CAP_MS]);
    assert!(sleeps.iter().all(|s| *s <= poll::FAST_CAP_MS));

    // Only the longest pause given: the first pause is today's default, 100 ms.
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-1"})),
        _ => ok(info_data(&[task("c1", "download", "Running")])),
    });
    block_on(session::create(
        &api(&env),
        &json!({"contextSync": [{"contextId": "c1", "path": "/a"}], "syncWait": {"timeoutMs": 1000, "maxIntervalMs": 200}}),
    ));
    assert_eq!(env.0.sleeps.borrow()[..3], [100, 150, 200]);
}

#[test]
fn sync_retries_keep_their_cadence_and_the_default_is_fast() {
    assert_eq!(context_manager::wait_from_retries(Some(3), Some(200)), WaitOptions::new(600, 100, 200));
    assert_eq!(context_manager::wait_from_retries(None, Some(2000)), WaitOptions::new(300_000, 100, 2000));
    assert_eq!(context_manager::wait_from_retries(Some(10), None), WaitOptions::fast(15_000, 1_500));
    assert_eq!(context_manager::wait_from_retries(None, None), context_manager::SYNC_WAIT);

    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "SyncContext" => ok(Value::Null),
        _ => ok(info_data(&[task("c1", "upload", "Running")])),
    });
    let wait = context_manager::wait_from_retries(Some(4), Some(500));
    let r = sync_all(&api(&env), "s-1", None, wait);
    assert!(!r.success);
    // 4 × 500 ms: from 100 ms growing ×1.5 to the given interval, as before.
    assert_eq!(*env.0.sleeps.borrow(), vec![100, 150, 225, 337, 500, 500, 153]);
}

#[test]
fn create_maps_errors_like_the_official_sdk() {
    let env = FakeEnv::new(|_, _| {
        Ok((200, json!({"RequestId": "r9", "Success": false, "Code": "InvalidApiKey", "Message": "bad key"})))
    });
    let r = block_on(session::create(&api(&env), &Value::Null));
    assert_eq!(
        (r.success, r.request_id.as_str(), r.error_message.as_deref()),
        (false, "r9", Some("[InvalidApiKey] bad key"))
    );
    let env = FakeEnv::new(|_, _| Err(TransportError::Timeout(60_000)));
    let r = block_on(session::create(&api(&env), &Value::Null));
    assert_eq!(r.error_message.as_deref(), Some("Failed to create session: request timed out after 60000ms"));
    let env = FakeEnv::new(|_, _| ok(json!({})));
    let r = block_on(session::create(&api(&env), &Value::Null));
    assert_eq!(r.error_message.as_deref(), Some("SessionId not found in response"));
}

#[test]
fn sync_waits_and_says_which_task_failed() {
    let n = Rc::new(Cell::new(0));
    let n2 = n.clone();
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "SyncContext" => {
            assert_eq!(s.query.get("Authorization").map(String::as_str), Some("Bearer akm-xxx"));
            ok(Value::Null)
        }
        "GetContextInfo" => {
            n2.set(n2.get() + 1);
            let st = if n2.get() < 3 { "Pending" } else { "Failed" };
            let mut t = task("c1", "upload", st);
            t.error_message = "disk full".into();
            ok(info_data(&[t, task("c1", "download", "Failed")]))
        }
        a => panic!("unexpected {a}"),
    });
    let s = handle("s-1");
    let mut seen = 0;
    let r = block_on(context_manager::sync(
        &api(&env),
        &s,
        Some("c1"),
        Some("/p"),
        Some("upload"),
        context_manager::SYNC_WAIT,
        &mut |_| seen += 1,
        &mut |_| {},
    ));
    assert!(!r.success);
    assert_eq!(seen, 3);
    // The old failed download is not this upload's business.
    assert_eq!(r.failed_tasks.as_ref().unwrap().len(), 1);
    assert_eq!(r.error_message.as_deref(), Some("Context sync failed for 1 task(s): upload /p (c1): disk full"));
    assert_eq!(context_manager::check_together(Some("c1"), None).unwrap_err(), context_manager::TOGETHER_MESSAGE);
    assert!(context_manager::check_together(Some(" "), None).is_ok());
}

#[test]
fn default_waits_are_fast_first_bounded_in_polls_and_end_at_their_deadline() {
    // A deletion that never finishes: delete's 300 s wait, at most MAX_POLLS polls.
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "DeleteSessionAsync" => ok(Value::Null),
        "GetSessionDetail" => ok(json!({"Status": "DELETING"})),
        a => panic!("unexpected {a}"),
    });
    let start = env.now_ms();
    let r = block_on(session::delete(&api(&env), &handle("s-1"), false, session::DELETE_WAIT));
    assert_eq!(r.error_message.as_deref(), Some("Timeout waiting for session deletion after 300000ms"));
    let polls = env.actions().iter().filter(|a| *a == "GetSessionDetail").count();
    assert_eq!(polls, poll::MAX_POLLS as usize);
    let elapsed = env.now_ms() - start;
    assert!((300_000..300_100).contains(&elapsed), "elapsed {elapsed}");
    let sleeps = env.0.sleeps.borrow();
    assert_eq!(sleeps[..4], [10, 20, 40, 40]);

    // A sync that never finishes: 225 s, at most MAX_POLLS polls, each pause at most the 1.5 s
    // cap until the poll bound stretches the later ones.
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "SyncContext" => ok(Value::Null),
        _ => ok(info_data(&[task("c1", "upload", "Running")])),
    });
    let start = env.now_ms();
    let r = sync_all(&api(&env), "s-1", None, context_manager::SYNC_WAIT);
    assert!(!r.success);
    let polls = env.actions().iter().filter(|a| *a == "GetContextInfo").count();
    assert!(polls <= poll::MAX_POLLS as usize, "{polls}");
    let elapsed = env.now_ms() - start;
    assert!((225_000..225_100).contains(&elapsed), "elapsed {elapsed}");
    // Up to 150 polls in the first 6 s (10, 20, then 40 ms apart, 5 ms per fake answer).
    let sleeps = env.0.sleeps.borrow();
    let mut t = 0;
    let fast = sleeps
        .iter()
        .take_while(|s| {
            t += *s + 5;
            t < 6_000
        })
        .count();
    assert!((100..=150).contains(&fast), "{fast}");
}

#[test]
fn delete_syncs_then_polls_until_not_found() {
    let detail = Rc::new(Cell::new(0));
    let d2 = detail.clone();
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "SyncContext" => ok(Value::Null),
        "GetContextInfo" => ok(info_data(&[task("c1", "upload", "Success")])),
        "DeleteSessionAsync" => ok(Value::Null),
        "GetSessionDetail" => {
            d2.set(d2.get() + 1);
            assert_eq!(s.query.get("SessionId").map(String::as_str), Some("s-1"));
            if d2.get() < 3 {
                ok(json!({"Status": "DELETING"}))
            } else {
                Ok((
                    400,
                    json!({"RequestId": "r", "Code": "InvalidMcpSession.NotFound", "Message": "Session s-1 not found"}),
                ))
            }
        }
        a => panic!("unexpected {a}"),
    });
    let s = handle("s-1");
    let r = block_on(session::delete(&api(&env), &s, true, session::DELETE_WAIT));
    assert!(r.success, "{r:?}");
    assert_eq!(
        env.actions(),
        vec![
            "SyncContext",
            "GetContextInfo",
            "DeleteSessionAsync",
            "GetSessionDetail",
            "GetSessionDetail",
            "GetSessionDetail"
        ]
    );
    assert!(s.is_deleted());
    // A deleted session fails fast without touching the network.
    let before = env.actions().len();
    let again = block_on(super::command::execute(&api(&env), &s, "true", None, None, None));
    assert_eq!(again.error_message.as_deref(), Some("Session s-1 has been deleted; create a new session"));
    assert_eq!(env.actions().len(), before);
}

#[test]
fn delete_polling_is_bounded() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "DeleteSessionAsync" => ok(Value::Null),
        _ => ok(json!({"Status": "DELETING"})),
    });
    let s = handle("s-1");
    let r = block_on(session::delete(&api(&env), &s, false, WaitOptions::new(2000, 100, 1000)));
    assert_eq!(r.error_message.as_deref(), Some("Timeout waiting for session deletion after 2000ms"));
    assert!(!s.is_deleted());
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "DeleteSessionAsync" => ok(Value::Null),
        _ => ok(json!({"Status": "FINISH"})),
    });
    assert!(block_on(session::delete(&api(&env), &handle("s-2"), false, session::DELETE_WAIT)).success);
}

// ---- contexts ----

#[test]
fn context_get_uses_get_context_times_without_listing() {
    let env = FakeEnv::new(|s, _| {
        assert_eq!(s.action, "GetContext");
        assert_eq!((s.get("Name"), s.get("AllowCreate")), (Some("demo"), Some("true")));
        ok(
            json!({"Id": "SdkCtx-1", "Name": "demo", "State": "available", "CreateTime": "2026-11-30T10:00:00Z", "LastUsedTime": "2026-11-30T11:00:00Z"}),
        )
    });
    let r = block_on(context::get(&api(&env), "demo", true));
    assert!(r.success);
    let c = r.context.unwrap();
    assert_eq!(
        (c.id.as_str(), c.created_at.as_deref(), c.state.as_deref()),
        ("SdkCtx-1", Some("2026-11-30T10:00:00Z"), Some("available"))
    );
    assert_eq!(env.actions().len(), 1);
}

#[test]
fn context_get_searches_every_list_page() {
    let env = FakeEnv::new(|s, _| match (s.action.as_str(), s.get("NextToken")) {
        ("GetContext", _) => ok(json!({"Id": "SdkCtx-2"})),
        ("ListContexts", None) => Ok((
            200,
            json!({"RequestId": "r", "Success": true, "Data": [{"Id": "SdkCtx-1", "Name": "a"}], "NextToken": "p2"}),
        )),
        ("ListContexts", Some("p2")) => Ok((
            200,
            json!({"RequestId": "r", "Success": true, "Data": [{"Id": "SdkCtx-2", "Name": "b", "CreateTime": "t1"}]}),
        )),
        other => panic!("unexpected {other:?}"),
    });
    let r = block_on(context::get(&api(&env), "b", false));
    assert_eq!(r.context.unwrap().created_at.as_deref(), Some("t1"));
    assert_eq!(env.actions(), vec!["GetContext", "ListContexts", "ListContexts"]);
}

#[test]
fn context_clear_polls_until_available() {
    let n = Rc::new(Cell::new(0));
    let n2 = n.clone();
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "ClearContext" => ok(Value::Null),
        "GetContext" => {
            assert_eq!(s.get("ContextId"), Some("c1"));
            n2.set(n2.get() + 1);
            ok(json!({"Id": "c1", "State": if n2.get() < 3 { "clearing" } else { "available" }}))
        }
        a => panic!("unexpected {a}"),
    });
    let r = block_on(context::clear(&api(&env), "c1", 60.0, 2.0));
    assert_eq!((r.success, r.status.as_deref()), (true, Some("available")));
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "ClearContext" => ok(Value::Null),
        _ => ok(json!({"Id": "c1", "State": "clearing"})),
    });
    let r = block_on(context::clear(&api(&env), "c1", 5.0, 2.0));
    assert!(!r.success);
    assert!(r.error_message.unwrap().starts_with("Context clearing timed out after 5."));
}

#[test]
fn context_file_urls_and_presigned_transfers() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "GetContextFileUploadUrl" => {
            ok(json!({"Url": "http://127.0.0.1:18080/presigned/up?sig=1", "ExpireTime": 1_800_000_000u64}))
        }
        "" => Ok((200, json!({}))), // the PUT itself
        a => panic!("unexpected {a}"),
    });
    let r = block_on(context::upload_file(&api(&env), "c1", "/a.txt", b"hello".to_vec()));
    assert!(r.success, "{r:?}");
    assert_eq!(r.bytes_sent, 5);
    let env = FakeEnv::new(|_, _| {
        Ok((
            200,
            json!({"RequestId": "r", "Success": false, "Code": "InvalidFile.NotFound", "Message": "file not exist"}),
        ))
    });
    let r = block_on(context::download_file(&api(&env), "c1", "/nope"));
    assert_eq!(r.error_message.as_deref(), Some("[InvalidFile.NotFound] file not exist"));
}

// ---- filesystem ----

#[test]
fn large_reads_are_chunked_in_binary_and_utf8_survives() {
    let content = "日本語".repeat(30_000); // 270000 bytes, chunk boundaries fall inside characters
    let bytes = content.clone().into_bytes();
    let env = FakeEnv::new(move |s, _| {
        let args: Value = serde_json::from_str(s.get("Args").unwrap()).unwrap();
        match s.get("Name").unwrap() {
            "get_file_info" => ok(
                json!({"content": [{"type": "text", "text": format!("name: f\npath: /f\nsize: {}\nisDirectory: false\nmodTime: 2025-01-02T03:04:05Z\nmode: -rw-r--r--\n", bytes.len())}], "isError": false}),
            ),
            "read_file" => {
                assert_eq!(args["format"], "binary");
                let off = args["offset"].as_u64().unwrap() as usize;
                let len = args["length"].as_u64().unwrap() as usize;
                assert!(len <= filesystem::CHUNK);
                use base64::Engine;
                let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes[off..off + len]);
                ok(json!({"content": [{"type": "text", "text": b64}], "isError": false}))
            }
            n => panic!("unexpected tool {n}"),
        }
    });
    let r = block_on(filesystem::read_file(&api(&env), &handle("s"), "/f"));
    assert!(r.success);
    assert!(r.content == content);
    assert_eq!(env.actions().len(), 1 + 270_000usize.div_ceil(filesystem::CHUNK));
}

#[test]
fn writes_are_chunked_first_with_mode_then_append() {
    let modes = Rc::new(RefCell::new(Vec::new()));
    let m2 = modes.clone();
    let env = FakeEnv::new(move |s, _| {
        let args: Value = serde_json::from_str(s.get("Args").unwrap()).unwrap();
        m2.borrow_mut()
            .push((args["mode"].as_str().unwrap().to_string(), args["content"].as_str().unwrap().chars().count()));
        ok(json!({"content": [{"type": "text", "text": "ok"}], "isError": false}))
    });
    let r = block_on(filesystem::write_file(&api(&env), &handle("s"), "/f", &"x".repeat(150_000), "overwrite"));
    assert!(r.success);
    assert_eq!(
        *modes.borrow(),
        vec![("overwrite".into(), 61_440), ("append".into(), 61_440), ("append".into(), 27_120)]
    );
    let bad = block_on(filesystem::write_file(&api(&env), &handle("s"), "/f", "x", "replace"));
    assert_eq!(
        bad.error_message.as_deref(),
        Some("Invalid mode: replace. Must be one of overwrite, append, create_new")
    );
}

#[test]
fn tool_errors_and_file_info() {
    let env = FakeEnv::new(|s, _| match s.get("Name").unwrap() {
        "get_file_info" => ok(
            json!({"content": [{"type": "text", "text": "name: d\npath: /d\nsize: 0\nisDirectory: true\nmodTime: 2025-01-02T03:04:05Z\nmode: drwxr-xr-x\n"}], "isError": false}),
        ),
        _ => ok(
            json!({"content": [{"type": "text", "text": "No such file"}, {"type": "text", "text": "/x"}], "isError": true}),
        ),
    });
    let fi = block_on(filesystem::get_file_info(&api(&env), &handle("s"), "/d"));
    assert_eq!(fi.file_info.unwrap().mod_time, "2025-01-02T03:04:05Z");
    let r = block_on(filesystem::read_file(&api(&env), &handle("s"), "/d"));
    assert_eq!(r.error_message.as_deref(), Some("Path does not exist or is a directory: /d"));
    let r = block_on(filesystem::list_directory(&api(&env), &handle("s"), "/x"));
    assert_eq!(r.error_message.as_deref(), Some("No such file; /x"));
}

/// A transport that records each tool call's `(Name, Args)` and answers from `reply`.
type ToolCalls = Rc<RefCell<Vec<(String, Value)>>>;

fn tool_env(reply: impl Fn(&str, &Value) -> Value + 'static) -> (FakeEnv, ToolCalls) {
    let calls = Rc::new(RefCell::new(Vec::new()));
    let c2 = calls.clone();
    let env = FakeEnv::new(move |s, _| {
        let name = s.get("Name").unwrap().to_string();
        let args: Value = serde_json::from_str(s.get("Args").unwrap()).unwrap();
        let data = reply(&name, &args);
        c2.borrow_mut().push((name, args));
        ok(data)
    });
    (env, calls)
}

fn text(t: &str, is_error: bool) -> Value {
    json!({"content": [{"type": "text", "text": t}], "isError": is_error})
}

#[test]
fn search_files_sends_exclusions_only_when_given_and_splits_lines() {
    let (env, calls) = tool_env(|_, _| text("/w/a.txt\n/w/sub/b.txt\n", false));
    let r = block_on(filesystem::search_files(&api(&env), &handle("s"), "/w", "*.txt", &[]));
    assert_eq!((r.success, r.request_id.as_str()), (true, "req-1"));
    assert_eq!(r.matches, vec!["/w/a.txt", "/w/sub/b.txt"]);
    let ex = vec!["sub".to_string(), "*.log".to_string()];
    block_on(filesystem::search_files(&api(&env), &handle("s"), "/w", "*.txt", &ex));
    assert_eq!(
        *calls.borrow(),
        vec![
            ("search_files".to_string(), json!({"path": "/w", "pattern": "*.txt"})),
            (
                "search_files".to_string(),
                json!({"path": "/w", "pattern": "*.txt", "excludePatterns": ["sub", "*.log"]})
            ),
        ]
    );
    let (env, _) = tool_env(|_, _| text("", false));
    let none = block_on(filesystem::search_files(&api(&env), &handle("s"), "/w", "*.none", &[]));
    assert_eq!((none.success, none.matches.len(), none.error_message), (true, 0, None));
    let (env, _) = tool_env(|_, _| text("/missing: no such file or directory", true));
    let bad = block_on(filesystem::search_files(&api(&env), &handle("s"), "/missing", "*", &[]));
    assert_eq!((bad.success, bad.matches.len()), (false, 0));
    assert_eq!(bad.error_message.as_deref(), Some("/missing: no such file or directory"));
}

#[test]
fn read_multiple_files_maps_paths_to_exact_contents() {
    let (env, calls) =
        tool_env(|_, _| text("/a: one\n---\ntwo\n---\n/b c: \n---\n/x: Error - /x: no such file or directory", false));
    let paths: Vec<String> = ["/a", "/b c", "/x"].iter().map(|p| p.to_string()).collect();
    let r = block_on(filesystem::read_multiple_files(&api(&env), &handle("s"), &paths));
    assert!(r.success);
    let want: BTreeMap<String, String> = [
        ("/a".to_string(), "one\n---\ntwo".to_string()),
        ("/b c".to_string(), String::new()),
        ("/x".to_string(), "Error - /x: no such file or directory".to_string()),
    ]
    .into();
    assert_eq!(r.contents, want);
    assert_eq!(*calls.borrow(), vec![("read_multiple_files".to_string(), json!({"paths": ["/a", "/b c", "/x"]}))]);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["contents"]["/b c"], "");
    assert!(v.get("errorMessage").is_none());

    let env = FakeEnv::new(|_, _| {
        Ok((400, json!({"RequestId": "r-9", "Code": "InvalidParameter.Args", "Message": "read_multiple_files: bad"})))
    });
    let f = block_on(filesystem::read_multiple_files(&api(&env), &handle("s"), &paths));
    assert_eq!((f.success, f.request_id.as_str(), f.contents.len()), (false, "r-9", 0));
    assert!(f.error_message.unwrap().contains("read_multiple_files: bad"));
}

#[test]
fn edit_file_sends_edits_and_dry_run_and_reports_the_tool_error() {
    let (env, calls) = tool_env(|_, args| {
        if args["edits"][0]["oldText"] == "missing" {
            text("/f: edit 1: oldText not found: \"missing\"", true)
        } else {
            text("--- /f\n+++ /f\n", false)
        }
    });
    let edits = vec![filesystem_edit("a", "b"), filesystem_edit("c", "")];
    let r = block_on(filesystem::edit_file(&api(&env), &handle("s"), "/f", &edits, false));
    assert_eq!((r.success, r.data, r.error_message), (true, Some(true), None));
    block_on(filesystem::edit_file(&api(&env), &handle("s"), "/f", &edits[..1], true));
    let bad =
        block_on(filesystem::edit_file(&api(&env), &handle("s"), "/f", &[filesystem_edit("missing", "x")], false));
    assert_eq!((bad.success, bad.data), (false, None));
    assert_eq!(bad.error_message.as_deref(), Some("/f: edit 1: oldText not found: \"missing\""));
    let calls = calls.borrow();
    assert_eq!(
        calls[0].1,
        json!({"path": "/f", "edits": [{"oldText": "a", "newText": "b"}, {"oldText": "c", "newText": ""}], "dryRun": false})
    );
    assert_eq!(calls[1].1, json!({"path": "/f", "edits": [{"oldText": "a", "newText": "b"}], "dryRun": true}));
}

fn filesystem_edit(old: &str, new: &str) -> super::wire::tool::Edit {
    super::wire::tool::Edit { old_text: old.into(), new_text: new.into() }
}

#[test]
fn delete_reports_a_failed_pre_delete_upload() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "SyncContext" | "DeleteSessionAsync" => ok(Value::Null),
        "GetContextInfo" => ok(info_data(&[task("c1", "upload", "Failed")])),
        _ => Ok((400, json!({"RequestId": "r", "Code": "InvalidMcpSession.NotFound", "Message": "gone"}))),
    });
    let r = block_on(session::delete(&api(&env), &handle("s-1"), true, session::DELETE_WAIT));
    assert!(r.success);
    assert_eq!(r.context_sync_failures.unwrap()[0].context_id, "c1");
    assert!(r.context_sync_error.unwrap().starts_with("Context sync failed for 1 task(s): upload /p (c1)"));
}

#[test]
fn session_list_walks_next_token_to_the_page() {
    let env = FakeEnv::new(|s, _| {
        assert_eq!(s.get("Labels"), Some(r#"{"project":"x"}"#));
        assert_eq!(s.get("MaxResults"), Some("2"));
        match s.get("NextToken") {
            None => Ok((
                200,
                json!({"RequestId": "r1", "Success": true, "Data": [{"SessionId": "a"}, {"SessionId": "b"}], "NextToken": "t2", "TotalCount": 3}),
            )),
            Some("t2") => Ok((
                200,
                json!({"RequestId": "r2", "Success": true, "Data": [{"SessionId": "c", "SessionStatus": "RUNNING"}], "TotalCount": 3}),
            )),
            other => panic!("unexpected token {other:?}"),
        }
    });
    let labels: BTreeMap<String, String> = [("project".to_string(), "x".to_string())].into();
    let r = block_on(session::list(&api(&env), &labels, Some(2), 2, None));
    assert!(r.success);
    assert_eq!(r.session_ids.len(), 1);
    assert_eq!((r.session_ids[0].session_id.as_str(), r.session_ids[0].session_status.as_str()), ("c", "RUNNING"));
    assert_eq!((r.request_id.as_str(), r.total_count), ("r2", Some(3)));
    let r = block_on(session::list(&api(&env), &labels, Some(3), 2, None));
    assert_eq!(r.error_message.as_deref(), Some("Cannot reach page 3: No more pages available"));
    let r = block_on(session::list(&api(&env), &labels, Some(1), 2, Some("SLEEPING")));
    assert_eq!(
        r.error_message.as_deref(),
        Some("Invalid status 'SLEEPING'. Must be one of: RUNNING, PAUSING, PAUSED, RESUMING, DELETING, DELETED")
    );
}

#[test]
fn labels_validation_and_round_trip() {
    let msg = |v: Value| params::validate_labels(&v).unwrap_err();
    assert_eq!(
        msg(Value::Null),
        "Labels cannot be null, undefined, or invalid type. Please provide a valid labels object."
    );
    assert_eq!(msg(json!([])), "Labels cannot be an array. Please provide a valid labels object.");
    assert_eq!(msg(json!({})), "Labels cannot be empty. Please provide at least one label.");
    assert_eq!(msg(json!({" ": "v"})), "Label keys cannot be empty Please provide valid keys.");
    assert_eq!(msg(json!({"k": ""})), "Label values cannot be empty Please provide valid values.");
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "SetLabel" => {
            assert_eq!(s.get("Labels"), Some(r#"{"env":"dev","owner":"u1"}"#));
            ok(Value::Null)
        }
        _ => ok(json!({"Labels": r#"{"env":"dev","owner":"u1"}"#})),
    });
    let s = handle("s-1");
    assert!(block_on(session::set_labels(&api(&env), &s, &json!({"owner": "u1", "env": "dev"}))).success);
    let got = block_on(session::get_labels(&api(&env), &s)).data.unwrap();
    assert_eq!(got.get("owner").map(String::as_str), Some("u1"));
}

#[test]
fn create_sends_region_and_optional_fields_only_when_set() {
    let env = FakeEnv::new(|s, _| {
        assert_eq!(s.action, "CreateMcpSession");
        assert_eq!(s.get("LoginRegionId"), Some("ap-southeast-1"));
        assert_eq!(s.get("ContextId"), Some("SdkCtx-old"));
        assert_eq!(s.get("EnableRecord"), Some("false"));
        for absent in ["PersistenceDataList", "Labels", "ImageId", "McpPolicyId", "NetworkId", "ExtraConfigs"] {
            assert!(s.get(absent).is_none(), "{absent} should be absent");
        }
        ok(json!({"SessionId": "s-1"}))
    });
    let mut c = cfg("http://h:1");
    c.region_id = Some("ap-southeast-1".into());
    let a = Api::new(env.clone(), c);
    let r = block_on(session::create(&a, &json!({"contextId": "SdkCtx-old", "enableBrowserReplay": false})));
    assert!(r.success);
    // No context sync → no wait.
    assert_eq!(env.actions(), vec!["CreateMcpSession"]);
}

/// A host that records the HTTP timeout of each tool call and answers it with a tool result
/// whose text is `.1`.
struct TimeoutProbe(Cell<u64>, &'static str);

impl Transport for Rc<TimeoutProbe> {
    async fn send(&self, _req: HttpRequest, limits: Limits) -> Result<HttpResponse, TransportError> {
        self.0.set(limits.timeout_ms);
        let body = json!({"RequestId": "r", "Success": true, "Data": {"content": [{"type": "text", "text": self.1}], "isError": false}});
        Ok(HttpResponse { status: 200, body: body.to_string().into_bytes() })
    }
}

impl Clock for Rc<TimeoutProbe> {
    fn now_ms(&self) -> u64 {
        0
    }
    async fn sleep(&self, _ms: u64) {}
}

#[test]
fn long_shell_commands_get_a_longer_http_timeout() {
    let probe = Rc::new(TimeoutProbe(Cell::new(0), r#"{"stdout":"","stderr":"","exit_code":0}"#));
    let mut c = cfg("http://h:1");
    c.timeout_ms = 10_000;
    let a = Api::new(probe.clone(), c);
    block_on(super::command::execute(&a, &handle("s"), "sleep 30", Some(30_000), None, None));
    assert_eq!(probe.0.get(), 35_000);
    block_on(super::command::execute(&a, &handle("s"), "true", None, None, None));
    assert_eq!(probe.0.get(), 10_000);
}

#[test]
fn sync_without_mode_ignores_an_old_failed_download() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "SyncContext" => ok(Value::Null),
        _ => ok(info_data(&[task("c1", "download", "Failed"), task("c1", "upload", "Success")])),
    });
    let r = sync_all(&api(&env), "s", None, context_manager::SYNC_WAIT);
    assert!(r.success, "{r:?}");
    let r = sync_all(&api(&env), "s", Some("download"), context_manager::SYNC_WAIT);
    assert!(!r.success);
}

// ---- faults: a server that is gone, stalled, broken or too talkative ----

const REFUSED: &str = "connect ECONNREFUSED 127.0.0.1:18080";

fn refused() -> Result<(u16, Value), TransportError> {
    Err(TransportError::Network(REFUSED.into()))
}

/// The fake's stand-in for a server that never answers (it costs the request's whole timeout).
fn stalled() -> Result<(u16, Value), TransportError> {
    Err(TransportError::Timeout(0))
}

fn raw(status: u16, text: &str) -> Result<(u16, Value), TransportError> {
    Ok((status, json!({ "__raw": text })))
}

fn api_with(env: &FakeEnv, edit: impl FnOnce(&mut Config)) -> Api<FakeEnv> {
    let mut c = cfg("http://127.0.0.1:18080");
    edit(&mut c);
    Api::new(env.clone(), c)
}

fn two_contexts() -> Value {
    json!({"contextSync": [{"contextId": "c1", "path": "/a"}, {"contextId": "c2", "path": "/b"}]})
}

#[test]
fn create_gives_up_after_three_refused_polls_and_keeps_the_session() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-1"})),
        _ => refused(),
    });
    let start = env.now_ms();
    let r = block_on(session::create(&api(&env), &two_contexts()));
    assert!(!r.success);
    assert_eq!(
        r.error_message.as_deref(),
        Some("Session s-1 was created, but the download of context(s) c1, c2 was not confirmed: server unreachable: connect ECONNREFUSED 127.0.0.1:18080 (3 polls failed in a row)")
    );
    assert_eq!(r.session.as_ref().map(|s| s.session_id.as_str()), Some("s-1"));
    assert_eq!(r.context_sync_pending, None);
    assert_eq!(env.actions(), vec!["CreateMcpSession", "GetContextInfo", "GetContextInfo", "GetContextInfo"]);
    // The default wait would have polled for 180 s; this one ends after two short sleeps.
    assert_eq!(*env.0.sleeps.borrow(), vec![10, 20]);
    assert_eq!(env.now_ms() - start, 35);
}

#[test]
fn create_against_a_stalled_info_ends_after_one_request_timeout() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-1"})),
        _ => stalled(),
    });
    let start = env.now_ms();
    let r = block_on(session::create(&api_with(&env, |c| c.timeout_ms = 2000), &two_contexts()));
    assert_eq!(
        r.error_message.as_deref(),
        Some("Session s-1 was created, but the download of context(s) c1, c2 was not confirmed: server not answering: request timed out after 2000ms (no successful poll for 2000ms)")
    );
    assert!(r.session.is_some());
    assert_eq!(env.now_ms() - start, 5 + 2000);
}

#[test]
fn create_names_only_the_contexts_still_downloading() {
    let n = Rc::new(Cell::new(0));
    let n2 = n.clone();
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-1"})),
        _ => {
            n2.set(n2.get() + 1);
            if n2.get() == 1 {
                ok(info_data(&[task("c1", "download", "Success"), task("c2", "download", "Running")]))
            } else {
                raw(200, "<html>oops</html>")
            }
        }
    });
    let r = block_on(session::create(&api(&env), &two_contexts()));
    assert!(!r.success);
    assert_eq!(
        r.error_message.as_deref(),
        Some("Session s-1 was created, but the download of context(s) c2 was not confirmed: invalid response: HTTP 200: body is not JSON (expected value at line 1 column 1): <html>oops</html> (3 polls failed in a row)")
    );
    let pending = r.context_sync_pending.unwrap();
    assert_eq!((pending.len(), pending[0].context_id.as_str()), (1, "c2"));
    assert_eq!(n.get(), 4);
}

#[test]
fn create_reads_a_reply_without_data_as_invalid_not_as_no_tasks() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-1"})),
        _ => Ok((200, json!({"RequestId": "r", "Success": true}))),
    });
    let r = block_on(session::create(&api(&env), &two_contexts()));
    assert_eq!(
        r.error_message.as_deref(),
        Some("Session s-1 was created, but the download of context(s) c1, c2 was not confirmed: invalid response: GetContextInfo reply has no Data object (3 polls failed in a row)")
    );
}

#[test]
fn faults_only_give_up_when_they_come_in_a_row() {
    let n = Rc::new(Cell::new(0));
    let n2 = n.clone();
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-1"})),
        _ => {
            n2.set(n2.get() + 1);
            match n2.get() {
                1 | 2 => refused(),
                3 => ok(info_data(&[task("c1", "download", "Running")])),
                4 => Ok((503, json!({"RequestId": "r", "Code": "ServiceUnavailable", "Message": "busy"}))),
                5 => raw(200, "garbage"),
                _ => ok(info_data(&[task("c1", "download", "Success")])),
            }
        }
    });
    let r = block_on(session::create(&api(&env), &json!({"contextSync": [{"contextId": "c1", "path": "/a"}]})));
    assert!(r.success, "{r:?}");
    assert_eq!(r.error_message, None);
    assert_eq!(n.get(), 6);
}

#[test]
fn refusals_end_a_wait_once_nothing_succeeded_for_the_request_timeout() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "SyncContext" => ok(Value::Null),
        _ => Ok((400, json!({"RequestId": "r-9", "Code": "Throttling", "Message": "too many requests"}))),
    });
    let a = api_with(&env, |c| c.timeout_ms = 2000);
    let r = sync_all(&a, "s-1", None, context_manager::SYNC_WAIT);
    assert!(!r.success);
    // 4xx answers in a row: the server is up, so no faults-in-a-row; but 2 s passed.
    assert_eq!(
        r.error_message.as_deref(),
        Some("Context sync gave up: Throttling: code: 400, too many requests request id: r-9 (no successful poll for 2025ms)")
    );
    let sleeps = env.0.sleeps.borrow();
    assert_eq!(sleeps[..3], [10, 20, 40]);
    assert!(sleeps[2..].iter().all(|s| *s == 40), "{sleeps:?}");
}

#[test]
fn a_wait_budget_ending_on_a_failed_poll_says_what_the_poll_saw() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "SyncContext" => ok(Value::Null),
        _ => Ok((400, json!({"RequestId": "r-9", "Code": "Throttling", "Message": "too many requests"}))),
    });
    let r = sync_all(&api(&env), "s-1", None, WaitOptions::new(300, 100, 100));
    assert_eq!(
        r.error_message.as_deref(),
        Some("Context sync gave up: timed out waiting after 300ms; last poll: Throttling: code: 400, too many requests request id: r-9")
    );
}

#[test]
fn delete_with_sync_ends_fast_when_the_server_dies_mid_sync() {
    let polls = Rc::new(Cell::new(0));
    let p2 = polls.clone();
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "SyncContext" => ok(Value::Null),
        "GetContextInfo" => {
            p2.set(p2.get() + 1);
            if p2.get() == 1 {
                ok(info_data(&[task("c1", "upload", "Running")]))
            } else {
                refused()
            }
        }
        _ => refused(),
    });
    let s = handle("s-1");
    let start = env.now_ms();
    let r = block_on(session::delete(&api(&env), &s, true, session::DELETE_WAIT));
    assert!(!r.success);
    assert_eq!(
        r.error_message.as_deref(),
        Some("Failed to delete session s-1: network error: connect ECONNREFUSED 127.0.0.1:18080")
    );
    assert_eq!(
        r.context_sync_error.as_deref(),
        Some(
            "Context sync gave up: server unreachable: connect ECONNREFUSED 127.0.0.1:18080 (3 polls failed in a row)"
        )
    );
    assert_eq!(
        env.actions(),
        vec![
            "SyncContext",
            "GetContextInfo",
            "GetContextInfo",
            "GetContextInfo",
            "GetContextInfo",
            "DeleteSessionAsync"
        ]
    );
    assert!(!s.is_deleted());
    // Was 225 s of polling (the sync bound) before the deletion was even tried.
    assert_eq!(env.now_ms() - start, 2 * 5 + 10 + 20 + 40); // the fake charges 5 ms per answered call
}

#[test]
fn delete_gives_up_on_a_broken_deletion_poll() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "DeleteSessionAsync" => ok(Value::Null),
        _ => raw(502, "<html>bad gateway</html>"),
    });
    let s = handle("s-1");
    let r = block_on(session::delete(&api(&env), &s, false, session::DELETE_WAIT));
    assert_eq!(
        r.error_message.as_deref(),
        Some("Failed to confirm deletion of session s-1: invalid response: HTTP 502: body is not JSON (expected value at line 1 column 1): <html>bad gateway</html> (3 polls failed in a row)")
    );
    assert!(!s.is_deleted());
}

#[test]
fn delete_against_a_stalled_server_ends_after_one_request_timeout() {
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "DeleteSessionAsync" => ok(Value::Null),
        _ => stalled(),
    });
    let start = env.now_ms();
    let r = block_on(session::delete(
        &api_with(&env, |c| c.timeout_ms = 2000),
        &handle("s-1"),
        false,
        session::DELETE_WAIT,
    ));
    assert_eq!(
        r.error_message.as_deref(),
        Some("Failed to confirm deletion of session s-1: server not answering: request timed out after 2000ms (no successful poll for 2000ms)")
    );
    assert_eq!(env.now_ms() - start, 5 + 2000);
}

#[test]
fn sync_callback_outcome_is_false_when_the_wait_gives_up() {
    let env = FakeEnv::new(|_, _| Ok((500, json!({"RequestId": "r", "Code": "InternalError", "Message": "boom"}))));
    let waited = block_on(context_manager::sync_wait(
        &api(&env),
        "s-1",
        None,
        None,
        None,
        context_manager::SYNC_WAIT,
        &mut |_| {},
    ));
    assert!(!waited.succeeded());
    assert_eq!(
        waited.gave_up.map(|g| g.to_string()).as_deref(),
        Some("server error: InternalError: code: 500, boom request id: r (3 polls failed in a row)")
    );
}

#[test]
fn responses_over_the_cap_are_refused_and_downloads_have_their_own_cap() {
    let big = "x".repeat(500);
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "GetContext" => ok(json!({"Id": "SdkCtx-1", "Name": big.clone()})),
        "GetContextFileDownloadUrl" => ok(json!({"Url": "http://h/d"})),
        "" => raw(200, &"y".repeat(500)), // the presigned GET
        "GetContextInfo" => ok(json!({"ContextStatus": "z".repeat(500)})),
        a => panic!("unexpected {a}"),
    });
    let a = api_with(&env, |c| {
        c.max_response_bytes = 100;
        c.max_download_bytes = 1000;
    });
    let r = block_on(context::get(&a, "demo", false));
    assert_eq!(r.error_message.as_deref(), Some("Failed to get context demo: response larger than 100 bytes"));
    // A file is no API reply: 500 bytes pass the download cap although they exceed the API cap.
    let d = block_on(context::download_file(&a, "c1", "/f"));
    assert_eq!((d.success, d.bytes.len()), (true, 500));
    let a = api_with(&env, |c| {
        c.max_response_bytes = 100;
        c.max_download_bytes = 200;
    });
    let d = block_on(context::download_file(&a, "c1", "/f"));
    assert_eq!(d.error_message.as_deref(), Some("Download failed: response larger than 200 bytes"));
    // A poll whose reply is over the cap counts as an invalid response.
    let w = block_on(context_manager::sync_wait(&a, "s-1", None, None, None, context_manager::SYNC_WAIT, &mut |_| {}));
    assert_eq!(
        w.gave_up.map(|g| g.to_string()).as_deref(),
        Some("invalid response: response larger than 100 bytes (3 polls failed in a row)")
    );
    assert_eq!(
        TransportError::TooLarge { limit: 100, declared: Some(4096) }.to_string(),
        "response larger than 100 bytes (Content-Length 4096)"
    );
}

// ---- bind / listBindings ----

fn binding(cid: &str, path: &str) -> Value {
    json!({"ContextId": cid, "ContextName": format!("name-{cid}"), "Path": path, "Policy": "{}", "BindTime": "2026-12-06T10:00:00Z"})
}

#[test]
fn bind_contexts_bytes_carry_the_persistence_list() {
    let cs = ContextSyncSpec::from_value(0, &json!({"contextId": "SdkCtx-abc", "path": "/tmp/ctx-data", "policy": {"downloadPolicy": {"autoDownload": false}}})).unwrap();
    let req = BindContextsRequest {
        session_id: "s-1".into(),
        persistence_data_list: PersistenceDataList(vec![cs.to_persistence()]),
    };
    let http = request::build(&cfg("http://h:1"), BindContextsRequest::ACTION, req.to_fields(), "T", "N");
    assert_eq!(http.url, "http://h:1/?Action=BindContexts&Format=json&Version=2025-05-06&Timestamp=T&SignatureNonce=N");
    assert_eq!(
        String::from_utf8(http.body.unwrap()).unwrap(),
        "Authorization=Bearer%20akm-xxx&PersistenceDataList=%5B%7B%22ContextId%22%3A%22SdkCtx-abc%22%2C%22Path%22%3A%22%2Ftmp%2Fctx-data%22%2C%22Policy%22%3A%22%7B%5C%22downloadPolicy%5C%22%3A%7B%5C%22autoDownload%5C%22%3Afalse%7D%7D%22%7D%5D&SessionId=s-1"
    );
    // The file-transfer context is asked for in the flattened form, as the official Python/Go SDKs do.
    let req = GetAndLoadInternalContextRequest {
        session_id: "s-1".into(),
        context_types: None,
        context_types_1: Some("file_transfer".into()),
    };
    assert_eq!(req.to_fields(), [("SessionId", "s-1".to_string()), ("ContextTypes.1", "file_transfer".into())]);
}

#[test]
fn bind_waits_until_listed_then_for_the_downloads() {
    let (lists, infos) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    let (l2, i2) = (lists.clone(), infos.clone());
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "BindContexts" => {
            assert_eq!(s.get("SessionId"), Some("s-1"));
            let items: Value = serde_json::from_str(s.get("PersistenceDataList").unwrap()).unwrap();
            assert_eq!(
                items,
                json!([{"ContextId": "c1", "Path": "/a"}, {"ContextId": "c2", "Path": "/b", "Policy": "{\"downloadPolicy\":{\"autoDownload\":false}}"}])
            );
            ok(Value::Null)
        }
        "DescribeSessionContexts" => {
            l2.set(l2.get() + 1);
            let mut listed = vec![binding("c1", "/a")];
            if l2.get() >= 2 {
                listed.push(binding("c2", "/b"));
            }
            ok(Value::Array(listed))
        }
        "GetContextInfo" => {
            i2.set(i2.get() + 1);
            let st = if i2.get() < 3 { "Running" } else { "Success" };
            ok(info_data(&[task("c1", "download", st)]))
        }
        a => panic!("unexpected {a}"),
    });
    let specs = bind::specs_from_value(&json!([
        {"contextId": "c1", "path": "/a"},
        {"contextId": "c2", "path": "/b", "policy": {"downloadPolicy": {"autoDownload": false}}},
    ]))
    .unwrap();
    let r = block_on(bind::bind(&api(&env), &handle("s-1"), &specs, true, bind::BIND_WAIT, WaitOptions::default()));
    assert_eq!((r.success, r.request_id.as_str(), r.error_message), (true, "req-1", None));
    // Listed at the second poll; c1's download (c2 downloads nothing) ended at the third.
    assert_eq!((lists.get(), infos.get()), (2, 3));
    assert_eq!(
        env.actions(),
        [
            "BindContexts",
            "DescribeSessionContexts",
            "DescribeSessionContexts",
            "GetContextInfo",
            "GetContextInfo",
            "GetContextInfo"
        ]
    );

    // Without waitForCompletion: the one request.
    let env = FakeEnv::new(|_, _| ok(Value::Null));
    let r = block_on(bind::bind(&api(&env), &handle("s-1"), &specs, false, bind::BIND_WAIT, WaitOptions::default()));
    assert!(r.success);
    assert_eq!(env.actions(), ["BindContexts"]);
}

#[test]
fn bind_failures_are_results() {
    let env = FakeEnv::new(|s, _| panic!("no request expected, got {}", s.action));
    let r = block_on(bind::bind(&api(&env), &handle("s-1"), &[], true, bind::BIND_WAIT, WaitOptions::default()));
    assert_eq!((r.request_id.as_str(), r.success), ("", false));
    assert_eq!(r.error_message.as_deref(), Some("At least one context is required"));
    assert_eq!(bind::specs_from_value(&json!([])).unwrap(), vec![]);
    assert_eq!(
        bind::specs_from_value(&json!({"path": "/a"})).unwrap_err(),
        "contextSync[0]: contextId must be a non-empty string"
    );

    // An HTTP refusal reads `[Code] Message`, as a body with Success:false does.
    let specs = bind::specs_from_value(&json!({"contextId": "nope", "path": "/a"})).unwrap();
    let env = FakeEnv::new(|_, _| {
        Ok((
            400,
            json!({"RequestId": "r-9", "Success": false, "Code": "InvalidContext.NotFound", "Message": "The context 'nope' does not exist"}),
        ))
    });
    let r = block_on(bind::bind(&api(&env), &handle("s-1"), &specs, true, bind::BIND_WAIT, WaitOptions::default()));
    assert_eq!(r.request_id, "r-9");
    assert_eq!(r.error_message.as_deref(), Some("[InvalidContext.NotFound] The context 'nope' does not exist"));

    // A failed download makes the bind fail with the task's error.
    let specs = bind::specs_from_value(&json!({"contextId": "c1", "path": "/a"})).unwrap();
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "BindContexts" => ok(Value::Null),
        "DescribeSessionContexts" => ok(json!([binding("c1", "/a")])),
        "GetContextInfo" => {
            let mut t = task("c1", "download", "Failed");
            t.path = "/a".into();
            t.error_message = "disk full".into();
            ok(info_data(&[t]))
        }
        a => panic!("unexpected {a}"),
    });
    let r = block_on(bind::bind(&api(&env), &handle("s-1"), &specs, true, bind::BIND_WAIT, WaitOptions::default()));
    assert!(!r.success);
    assert_eq!(r.error_message.as_deref(), Some("Download of context c1 at /a failed: disk full"));

    // A download that never reports within the wait: no success, the context named.
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "BindContexts" => ok(Value::Null),
        "DescribeSessionContexts" => ok(json!([binding("c1", "/a")])),
        _ => ok(info_data(&[])),
    });
    let r = block_on(bind::bind(
        &api(&env),
        &handle("s-1"),
        &specs,
        true,
        bind::BIND_WAIT,
        WaitOptions::new(1000, 100, 500),
    ));
    assert_eq!(
        r.error_message.as_deref(),
        Some("Bound, but the download of context(s) c1 was not confirmed: timed out waiting after 1000ms (0 task(s) still running, 1 context(s) not reported yet)")
    );

    // Never listed: no success (the official SDK reports one).
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "BindContexts" => ok(Value::Null),
        _ => ok(json!([])),
    });
    let r = block_on(bind::bind(
        &api(&env),
        &handle("s-1"),
        &specs,
        true,
        WaitOptions::new(1000, 100, 500),
        WaitOptions::default(),
    ));
    assert_eq!(
        r.error_message.as_deref(),
        Some("Bound, but the session did not list context(s) c1: timed out waiting after 1000ms")
    );
}

#[test]
fn list_bindings_maps_every_mount() {
    let env = FakeEnv::new(|s, _| {
        assert_eq!((s.action.as_str(), s.get("SessionId")), ("DescribeSessionContexts", Some("s-1")));
        ok(json!([binding("c1", "/a"), {"ContextId": "c2", "Path": "/b"}]))
    });
    let r = block_on(bind::list_bindings(&api(&env), &handle("s-1")));
    assert!(r.success);
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({"requestId": "req-1", "success": true, "bindings": [
            {"contextId": "c1", "contextName": "name-c1", "path": "/a", "policy": "{}", "bindTime": "2026-12-06T10:00:00Z"},
            {"contextId": "c2", "path": "/b"},
        ]})
    );
    let env =
        FakeEnv::new(|_, _| Ok((200, json!({"RequestId": "r", "Success": false, "Code": "X.Y", "Message": "nope"}))));
    let r = block_on(bind::list_bindings(&api(&env), &handle("s-1")));
    assert_eq!((r.success, r.bindings.len(), r.error_message.as_deref()), (false, 0, Some("[X.Y] nope")));
}

// ---- file transfer ----

/// An in-memory local file system.
#[derive(Default)]
struct MemFs(RefCell<BTreeMap<String, Vec<u8>>>);

impl file_transfer::LocalFiles for MemFs {
    fn exists(&self, path: &str) -> bool {
        self.0.borrow().contains_key(path)
    }
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        self.0.borrow().get(path).cloned().ok_or_else(|| "ENOENT".into())
    }
    fn make_parent_dirs(&self, _path: &str) -> Result<(), String> {
        Ok(())
    }
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), String> {
        self.0.borrow_mut().insert(path.into(), bytes.to_vec());
        Ok(())
    }
}

const FT_DIR: &str = "/tmp/file_transfer";

/// A server for transfers: the transfer context `ft`, its tasks ending with `end` (status,
/// error) at the second poll, and `file` as the presigned GET's body.
fn transfer_env(end: (&'static str, &'static str), file: &'static str) -> FakeEnv {
    let polls = Rc::new(Cell::new(0));
    FakeEnv::new(move |s, _| match s.action.as_str() {
        "GetAndLoadInternalContext" => {
            assert_eq!((s.get("ContextTypes.1"), s.get("ContextTypes")), (Some("file_transfer"), None));
            ok(json!([{"ContextId": "ft", "ContextPath": FT_DIR, "ContextType": "file_transfer"}]))
        }
        "GetContextFileUploadUrl" | "GetContextFileDownloadUrl" => {
            assert_eq!(s.get("ContextId"), Some("ft"));
            ok(json!({"Url": "http://h/presigned"}))
        }
        "SyncContext" => ok(Value::Null),
        "GetContextInfo" => {
            polls.set(polls.get() + 1);
            let (st, err) = if polls.get() < 2 { ("Running", "") } else { end };
            let t = TaskStatus {
                context_id: "ft".into(),
                path: s.get("Path").unwrap().into(),
                status: st.into(),
                error_message: err.into(),
                task_type: s.get("TaskType").unwrap().into(),
                ..Default::default()
            };
            ok(info_data(&[t]))
        }
        "DeleteContextFile" => ok(Value::Null),
        "" => raw(200, file), // the presigned PUT or GET
        a => panic!("unexpected {a}"),
    })
}

/// A progress listener and what it heard.
fn recorded_progress() -> (Rc<progress::Progress>, Rc<RefCell<Vec<TransferProgress>>>) {
    let heard = Rc::new(RefCell::new(Vec::new()));
    let h = heard.clone();
    (progress::Progress::new(move |p| h.borrow_mut().push(p)), heard)
}

#[test]
fn upload_puts_syncs_the_path_down_waits_and_cleans_up() {
    let env = transfer_env(("Success", ""), "");
    let s = handle("s-1");
    let a = api(&env);
    assert_eq!(block_on(file_transfer::context_path(&a, &s)).as_deref(), Some(FT_DIR));
    let opts = file_transfer::TransferOptions { content_type: Some("text/plain".into()), ..Default::default() };
    let (progress, heard) = recorded_progress();
    let remote = format!("{FT_DIR}/a.txt");
    let r = block_on(file_transfer::upload(
        &a,
        &s,
        file_transfer::Source::Bytes(b"hello".to_vec()),
        None,
        &remote,
        &opts,
        &progress,
    ));
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({"success": true, "requestIdUploadUrl": "req-1", "requestIdSync": "req-1", "httpStatus": 200, "etag": "", "bytesSent": 5, "path": remote})
    );
    // A transport that cannot tell the progress: one report, the whole file.
    assert_eq!(*heard.borrow(), [TransferProgress { bytes_done: 5, total: Some(5) }]);
    // The context was asked for once (the handle keeps it).
    assert_eq!(
        env.actions(),
        [
            "GetAndLoadInternalContext",
            "GetContextFileUploadUrl",
            "",
            "SyncContext",
            "GetContextInfo",
            "GetContextInfo",
            "DeleteContextFile"
        ]
    );
    let seen = env.0.seen.borrow();
    assert!(seen[2].headers.contains(&("Content-Type".into(), "text/plain".into())));
    let sync = &seen[3];
    assert_eq!(
        (sync.get("ContextId"), sync.get("Path"), sync.get("Mode")),
        (Some("ft"), Some(remote.as_str()), Some("download"))
    );
    let info = &seen[4];
    assert_eq!(
        (info.get("ContextId"), info.get("Path"), info.get("TaskType")),
        (Some("ft"), Some(remote.as_str()), Some("download"))
    );
    assert_eq!((seen[6].get("ContextId"), seen[6].get("FilePath")), (Some("ft"), Some(remote.as_str())));
}

#[test]
fn upload_failures_say_which_step_failed() {
    let s = handle("s-1");
    let remote = format!("{FT_DIR}/a.txt");
    let opts = file_transfer::TransferOptions::default();
    let env = transfer_env(("Failed", "disk full"), "");
    let fs = MemFs::default();
    // Local paths: missing file, no file system (browsers).
    let r = block_on(file_transfer::upload(
        &api(&env),
        &s,
        file_transfer::Source::Local("/x/nope.txt"),
        Some(&fs),
        &remote,
        &opts,
        &progress::Progress::none(),
    ));
    assert_eq!((r.success, r.bytes_sent, r.error.as_deref()), (false, 0, Some("Local file not found: /x/nope.txt")));
    let r = block_on(file_transfer::upload(
        &api(&env),
        &s,
        file_transfer::Source::Local("/x/a.txt"),
        None,
        &remote,
        &opts,
        &progress::Progress::none(),
    ));
    assert_eq!(r.error.as_deref(), Some(file_transfer::NO_FS_UPLOAD));
    assert!(env.actions().is_empty());
    // The session's download task failed: no success, and the key is left for the caller to see.
    fs.0.borrow_mut().insert("/x/a.txt".into(), b"abc".to_vec());
    let r = block_on(file_transfer::upload(
        &api(&env),
        &s,
        file_transfer::Source::Local("/x/a.txt"),
        Some(&fs),
        &remote,
        &opts,
        &progress::Progress::none(),
    ));
    assert_eq!((r.success, r.bytes_sent), (false, 3));
    assert_eq!(r.error.as_deref(), Some("Upload sync not finished: Task error: disk full"));
    assert!(!env.actions().contains(&"DeleteContextFile".to_string()));
    // A path outside the transfer directory: SyncContext refuses it, `[Code] Message`.
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "GetAndLoadInternalContext" => ok(json!([{"ContextId": "ft", "ContextPath": FT_DIR}])),
        "GetContextFileUploadUrl" => ok(json!({"Url": "http://h/presigned"})),
        "" => raw(200, ""),
        "SyncContext" => {
            Ok((400, json!({"RequestId": "r-s", "Success": false, "Code": "InvalidParameter", "Message": "outside"})))
        }
        a => panic!("unexpected {a}"),
    });
    let r = block_on(file_transfer::upload(
        &api(&env),
        &handle("s-2"),
        file_transfer::Source::Bytes(vec![1]),
        None,
        "/etc/x",
        &opts,
        &progress::Progress::none(),
    ));
    assert_eq!(r.request_id_sync.as_deref(), Some("r-s"));
    assert_eq!(r.error.as_deref(), Some("session.context.sync(upload) failed: [InvalidParameter] outside"));
    // No transfer context: the server's refusal.
    let env = FakeEnv::new(|_, _| Ok((200, json!({"RequestId": "r", "Success": true, "Data": []}))));
    let r = block_on(file_transfer::upload(
        &api(&env),
        &handle("s-3"),
        file_transfer::Source::Bytes(vec![1]),
        None,
        "/a",
        &opts,
        &progress::Progress::none(),
    ));
    assert_eq!(r.error.as_deref(), Some("Response contains no data"));
    assert_eq!(block_on(file_transfer::context_path(&api(&env), &handle("s-3"))), None);
}

#[test]
fn download_syncs_the_path_up_then_gets_the_bytes() {
    let s = handle("s-1");
    let remote = format!("{FT_DIR}/b.txt");
    let opts = file_transfer::TransferOptions::default();
    // Into memory (no local path).
    let env = transfer_env(("Success", ""), "from session");
    let (progress, heard) = recorded_progress();
    let r = block_on(file_transfer::download(&api(&env), &s, &remote, None, None, &opts, &progress));
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({"success": true, "requestIdDownloadUrl": "req-1", "requestIdSync": "req-1", "httpStatus": 200, "bytesReceived": 12, "path": remote, "localPath": ""})
    );
    assert_eq!(r.bytes.as_slice(), &b"from session"[..]);
    assert_eq!(*heard.borrow(), [TransferProgress { bytes_done: 12, total: Some(12) }]);
    assert_eq!(
        env.actions(),
        [
            "GetAndLoadInternalContext",
            "SyncContext",
            "GetContextInfo",
            "GetContextInfo",
            "GetContextFileDownloadUrl",
            "",
            "DeleteContextFile"
        ]
    );
    assert_eq!(env.0.seen.borrow()[1].get("Mode"), Some("upload"));
    assert_eq!(env.0.seen.borrow()[2].get("TaskType"), Some("upload"));
    // Into a local file, then overwrite=false on it.
    let env = transfer_env(("Success", ""), "from session");
    let fs = MemFs::default();
    let r = block_on(file_transfer::download(
        &api(&env),
        &s,
        &remote,
        Some("/l/b.txt"),
        Some(&fs),
        &opts,
        &progress::Progress::none(),
    ));
    assert_eq!((r.success, r.local_path.as_str(), r.bytes.len()), (true, "/l/b.txt", 0));
    assert_eq!(fs.0.borrow().get("/l/b.txt").map(Vec::as_slice), Some(&b"from session"[..]));
    let keep = file_transfer::TransferOptions { overwrite: false, ..Default::default() };
    let r = block_on(file_transfer::download(
        &api(&env),
        &s,
        &remote,
        Some("/l/b.txt"),
        Some(&fs),
        &keep,
        &progress::Progress::none(),
    ));
    assert_eq!(r.error.as_deref(), Some("Destination exists and overwrite=false: /l/b.txt"));
    // A local path without a file system (browsers).
    let r = block_on(file_transfer::download(
        &api(&env),
        &s,
        &remote,
        Some("/l/c.txt"),
        None,
        &opts,
        &progress::Progress::none(),
    ));
    assert_eq!((r.local_path.as_str(), r.error.as_deref()), ("/l/c.txt", Some(file_transfer::NO_FS_DOWNLOAD)));
    // The session's upload never ends within waitTimeout.
    let env = transfer_env(("Running", ""), "");
    let quick = file_transfer::TransferOptions { wait_timeout_ms: 1_000, poll_interval_ms: 200, ..Default::default() };
    let r = block_on(file_transfer::download(&api(&env), &s, &remote, None, None, &quick, &progress::Progress::none()));
    assert_eq!(r.error.as_deref(), Some("Download sync not finished: task not finished"));
}

// ---- live mounts (BetaContextMount) ----

#[test]
fn a_live_mount_is_the_wire_mount_item_with_its_config() {
    use super::mount::{mode_value, ModeField, MountSpec};
    use super::wire::persistence::{AccessMode, StorageMode};
    use super::wire::wire_enum::WireEnum;
    // What JSON.stringify(new BetaContextMount(id, path)) gives: the official defaults.
    let m = MountSpec::from_value(
        "betaContextMount[0]",
        &json!({"contextId": "SdkCtx-1", "path": "/tmp/live", "accessMode": "readWrite", "strategy": "standard", "sourcePath": ""}),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_string(&m.to_persistence()).unwrap(),
        r#"{"ContextId":"SdkCtx-1","Path":"/tmp/live","Type":"mount","MountConfig":{"AccessMode":"readWrite","StorageMode":"standard"}}"#
    );
    // A plain object without the modes takes the defaults; sourcePath is sent when given.
    let m = MountSpec::from_value(
        "betaContextMount[1]",
        &json!({"contextId": "c", "path": "/mnt/train", "strategy": "performance", "accessMode": "readOnly", "sourcePath": "/datasets/train"}),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_string(&m.to_persistence()).unwrap(),
        r#"{"ContextId":"c","Path":"/mnt/train","Type":"mount","MountConfig":{"AccessMode":"readOnly","StorageMode":"performance","SourcePath":"/datasets/train"}}"#
    );
    let m = MountSpec::from_value("x", &json!({"contextId": "c", "path": "/p"})).unwrap();
    assert_eq!(
        (m.access_mode, m.storage_mode, m.source_path.as_str()),
        (AccessMode::ReadWrite, StorageMode::Standard, "")
    );

    for (item, says) in [
        (
            json!({"contextId": "c", "path": "/p", "accessMode": "rw"}),
            "betaContextMount[0]: Invalid accessMode value: rw. Valid values are: readWrite, readOnly",
        ),
        (
            json!({"contextId": "c", "path": "/p", "strategy": "fast"}),
            "betaContextMount[0]: Invalid strategy value: fast. Valid values are: standard, performance",
        ),
        (
            json!({"contextId": "c", "path": "/p", "accessMode": 1}),
            "betaContextMount[0]: Invalid accessMode value: 1. Valid values are: readWrite, readOnly",
        ),
        (
            json!({"contextId": "c", "path": "/p", "sourcePath": 7}),
            "betaContextMount[0]: sourcePath must be a string, got 7",
        ),
        (json!({"path": "/p"}), "betaContextMount[0]: contextId must be a non-empty string"),
        (json!({"contextId": "c", "path": " "}), "betaContextMount[0]: path must be a non-empty string"),
        (
            json!({"contextId": "c", "path": "/p", "policy": {}}),
            "betaContextMount[0]: a BetaContextMount has no policy",
        ),
        (json!("c"), "betaContextMount[0] must be a BetaContextMount or an object"),
    ] {
        let e = MountSpec::from_value("betaContextMount[0]", &item).unwrap_err();
        assert!(e.starts_with(says), "{item}: {e}");
    }
    // The class's check: the canonical value, the default for undefined/null, the same message.
    assert_eq!(mode_value(ModeField::AccessMode, &json!("readOnly")), Ok("readOnly"));
    assert_eq!(mode_value(ModeField::AccessMode, &Value::Null), Ok("readWrite"));
    assert_eq!(mode_value(ModeField::Strategy, &Value::Null), Ok("standard"));
    assert_eq!(
        mode_value(ModeField::Strategy, &json!("Standard")).unwrap_err(),
        "Invalid strategy value: Standard. Valid values are: standard, performance"
    );
    assert_eq!(ModeField::named("strategy"), Some(ModeField::Strategy));
    assert_eq!(ModeField::named("path"), None);
    // The enum objects the loaders export (official keys), from the wire enums.
    assert_eq!(AccessMode::VARIANT_LINE, "AccessMode ReadWrite=readWrite ReadOnly=readOnly");
    assert_eq!(StorageMode::VARIANT_LINE, "StorageMode Standard=standard Performance=performance");
}

#[test]
fn create_sends_live_mounts_after_the_syncs_and_waits_until_each_is_mounted() {
    let polls = Rc::new(Cell::new(0));
    let p2 = polls.clone();
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "CreateMcpSession" => {
            let items: Value = serde_json::from_str(s.get("PersistenceDataList").unwrap()).unwrap();
            // The official order: contextSync, betaContextMount (then betaContextMounts), browserContext.
            let paths: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["Path"].as_str().unwrap()).collect();
            assert_eq!(paths, ["/mnt/sync", "/tmp/live", "/tmp/ro", "/tmp/agentbay_browser"]);
            assert_eq!(items[0], json!({"ContextId": "c-sync", "Path": "/mnt/sync"}));
            assert_eq!(
                items[1],
                json!({"ContextId": "c-live", "Path": "/tmp/live", "Type": "mount", "MountConfig": {"AccessMode": "readWrite", "StorageMode": "standard"}})
            );
            assert_eq!(
                items[2],
                json!({"ContextId": "c-ro", "Path": "/tmp/ro", "Type": "mount", "MountConfig": {"AccessMode": "readOnly", "StorageMode": "performance", "SourcePath": "/sub"}})
            );
            assert!(items[3].get("Type").is_none());
            ok(json!({"SessionId": "s-1"}))
        }
        "GetContextInfo" => {
            p2.set(p2.get() + 1);
            let mut tasks = vec![task("c-sync", "download", "Success"), task("b", "download", "Success")];
            // The live mounts report their download once mounted: c-ro only from the third poll.
            tasks.push(task("c-live", "download", "Success"));
            if p2.get() >= 3 {
                tasks.push(task("c-ro", "download", "Success"));
            }
            ok(info_data(&tasks))
        }
        a => panic!("unexpected {a}"),
    });
    let r = block_on(session::create(
        &api(&env),
        &json!({
            "browserContext": {"contextId": "b"},
            "betaContextMounts": [{"contextId": "c-ro", "path": "/tmp/ro", "accessMode": "readOnly", "strategy": "performance", "sourcePath": "/sub"}],
            "betaContextMount": [{"contextId": "c-live", "path": "/tmp/live", "accessMode": "readWrite", "strategy": "standard", "sourcePath": ""}],
            "contextSync": [{"contextId": "c-sync", "path": "/mnt/sync"}],
        }),
    ));
    assert!(r.success, "{r:?}");
    assert_eq!(polls.get(), 3);

    // A live mount that never reports: create() gives up and names it.
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-2"})),
        _ => ok(info_data(&[])),
    });
    let r = block_on(session::create(
        &api(&env),
        &json!({"betaContextMount": [{"contextId": "c-live", "path": "/tmp/live"}], "syncWait": {"timeoutMs": 1000}}),
    ));
    assert!(!r.success);
    assert_eq!(
        r.error_message.as_deref(),
        Some("Session s-2 was created, but the download of context(s) c-live was not confirmed: timed out waiting after 1000ms (0 task(s) still running, 1 context(s) not reported yet)")
    );

    // The waited contexts are named in the official order: contextSync, betaContextMount, browserContext.
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-3"})),
        _ => ok(info_data(&[])),
    });
    let r = block_on(session::create(
        &api(&env),
        &json!({"browserContext": {"contextId": "b"}, "betaContextMount": [{"contextId": "c-live", "path": "/tmp/live"}], "contextSync": [{"contextId": "c-sync", "path": "/a"}], "syncWait": {"timeoutMs": 1000}}),
    ));
    let m = r.error_message.unwrap();
    assert!(m.contains("the download of context(s) c-sync, c-live, b was not confirmed"), "{m}");

    // Refusals before any request: an invalid mode, a mount in contextSync, a list that is not one.
    let env = FakeEnv::new(|s, _| panic!("no request expected, got {}", s.action));
    for (params, says) in [
        (
            json!({"betaContextMount": [{"contextId": "c", "path": "/a"}, {"contextId": "c", "path": "/b", "accessMode": "write"}]}),
            "Failed to create session: Error: betaContextMount[1]: Invalid accessMode value: write. Valid values are: readWrite, readOnly",
        ),
        (
            json!({"betaContextMount": [{"contextId": "c", "path": "/a"}], "betaContextMounts": [{"contextId": "c", "path": "/b", "strategy": "turbo"}]}),
            "Failed to create session: Error: betaContextMounts[1]: Invalid strategy value: turbo. Valid values are: standard, performance",
        ),
        (
            json!({"contextSync": [{"contextId": "c", "path": "/a", "accessMode": "readOnly"}]}),
            "Failed to create session: Error: contextSync[0] is a BetaContextMount (it has accessMode, strategy or sourcePath): pass it in betaContextMount",
        ),
        (
            json!({"betaContextMount": {"contextId": "c", "path": "/a"}}),
            "Failed to create session: Error: betaContextMount must be an array of BetaContextMount",
        ),
    ] {
        let r = block_on(session::create(&api(&env), &params));
        assert_eq!((r.success, r.error_message.as_deref()), (false, Some(says)));
    }
    let e = params::CreateParams::from_value(&json!({"betaContextMountz": []})).unwrap_err();
    assert!(
        e.contains("Valid properties are: labels, imageId, contextSync, betaContextMount, browserContext,")
            && e.contains("contextSyncs, betaContextMounts, contextId, syncWait"),
        "{e}"
    );
}

#[test]
fn bind_takes_live_mounts_alone_or_mixed_and_waits_until_they_are_mounted() {
    let infos = Rc::new(Cell::new(0));
    let i2 = infos.clone();
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "BindContexts" => {
            let items: Value = serde_json::from_str(s.get("PersistenceDataList").unwrap()).unwrap();
            assert_eq!(
                items,
                json!([
                    {"ContextId": "c-sync", "Path": "/a"},
                    {"ContextId": "c-live", "Path": "/tmp/dynamic", "Type": "mount", "MountConfig": {"AccessMode": "readOnly", "StorageMode": "standard", "SourcePath": "/x"}},
                ])
            );
            ok(Value::Null)
        }
        "DescribeSessionContexts" => {
            ok(json!([binding("c-sync", "/a"), {"ContextId": "c-live", "Path": "/tmp/dynamic", "Policy": ""}]))
        }
        "GetContextInfo" => {
            i2.set(i2.get() + 1);
            let mut tasks = vec![task("c-sync", "download", "Success")];
            if i2.get() >= 2 {
                tasks.push(task("c-live", "download", "Success"));
            }
            ok(info_data(&tasks))
        }
        a => panic!("unexpected {a}"),
    });
    // A ContextSync and a BetaContextMount (its JSON.stringify form) in one call, as officially.
    let specs = bind::specs_from_value(&json!([
        {"contextId": "c-sync", "path": "/a"},
        {"contextId": "c-live", "path": "/tmp/dynamic", "accessMode": "readOnly", "strategy": "standard", "sourcePath": "/x"},
    ]))
    .unwrap();
    let r = block_on(bind::bind(&api(&env), &handle("s-1"), &specs, true, bind::BIND_WAIT, WaitOptions::default()));
    assert_eq!((r.success, r.error_message), (true, None));
    // The live mount's download (reported at the second poll) was waited for.
    assert_eq!(infos.get(), 2);

    // A mount alone (not in an array); a plain object with only sourcePath is a mount too.
    let one = bind::specs_from_value(&json!({"contextId": "c", "path": "/m", "sourcePath": "/d"})).unwrap();
    assert_eq!(
        serde_json::to_value(one[0].to_persistence()).unwrap(),
        json!({"ContextId": "c", "Path": "/m", "Type": "mount", "MountConfig": {"AccessMode": "readWrite", "StorageMode": "standard", "SourcePath": "/d"}})
    );
    // A live mount that failed to mount fails the bind with the task's error.
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "BindContexts" => ok(Value::Null),
        "DescribeSessionContexts" => ok(json!([{"ContextId": "c", "Path": "/m"}])),
        _ => {
            let mut t = task("c", "download", "Failed");
            t.path = "/m".into();
            t.error_message = "mount path '/m' is not empty".into();
            ok(info_data(&[t]))
        }
    });
    let r = block_on(bind::bind(&api(&env), &handle("s-1"), &one, true, bind::BIND_WAIT, WaitOptions::default()));
    assert_eq!(r.error_message.as_deref(), Some("Download of context c at /m failed: mount path '/m' is not empty"));
    // Without waitForCompletion: the one request.
    let env = FakeEnv::new(|_, _| ok(Value::Null));
    let r = block_on(bind::bind(&api(&env), &handle("s-1"), &one, false, bind::BIND_WAIT, WaitOptions::default()));
    assert!(r.success);
    assert_eq!(env.actions(), ["BindContexts"]);
    // An invalid mode names the item and the valid values.
    assert_eq!(
        bind::specs_from_value(
            &json!([{"contextId": "c", "path": "/a"}, {"contextId": "c", "path": "/m", "strategy": "fast"}])
        )
        .unwrap_err(),
        "betaContextMount[1]: Invalid strategy value: fast. Valid values are: standard, performance"
    );
}

#[test]
fn list_bindings_gives_a_live_mount_without_a_policy() {
    let env = FakeEnv::new(|_, _| {
        ok(json!([{"ContextId": "c", "ContextName": "n", "Path": "/tmp/live", "Policy": "", "BindTime": "t"}]))
    });
    let r = block_on(bind::list_bindings(&api(&env), &handle("s-1")));
    assert_eq!(
        serde_json::to_value(&r.bindings).unwrap(),
        json!([{"contextId": "c", "contextName": "n", "path": "/tmp/live", "bindTime": "t"}])
    );
}

// ---- MCP tools: ToolList, callMcpTool, listMcpTools ----

fn mcp_tool(name: &str, server: &str) -> super::wire::envelope::McpTool {
    super::wire::envelope::McpTool {
        name: name.into(),
        description: format!("{name} tool"),
        input_schema: json!({"type": "object"}),
        server: server.into(),
        tool: name.into(),
    }
}

#[test]
fn tool_list_parsing_follows_the_official_reader() {
    use super::mcp::{parse_tool_list, tools_of_reply};
    let list = r#"[{"name":"shell","description":"shell tool","inputSchema":{"type":"object"},"server":"srv","tool":"shell"}]"#;
    assert_eq!(parse_tool_list(list).unwrap(), vec![mcp_tool("shell", "srv")]);
    // The other spellings the official parser reads, entries that are not objects skipped, and
    // a missing inputSchema is `{}`.
    let odd = r#"[{"Name":"a","serverName":"s1","Description":"d","input_schema":{"x":1},"Tool":"ta"},
                  {"name":"b","Server":"s2"}, 3, "x", null, {"name":"","Name":"c","server":""}]"#;
    let tools = parse_tool_list(odd).unwrap();
    assert_eq!(tools.len(), 3);
    assert_eq!(
        (tools[0].name.as_str(), tools[0].server.as_str(), tools[0].description.as_str(), tools[0].tool.as_str()),
        ("a", "s1", "d", "ta")
    );
    assert_eq!(tools[0].input_schema, json!({"x": 1}));
    assert_eq!((tools[1].name.as_str(), tools[1].server.as_str()), ("b", "s2"));
    assert_eq!(tools[1].input_schema, json!({}));
    assert_eq!((tools[2].name.as_str(), tools[2].server.as_str()), ("c", ""));
    // Absent or empty: no tools. Malformed: an error here, `[]` for a session's ToolList.
    assert_eq!(parse_tool_list("").unwrap(), vec![]);
    assert_eq!(parse_tool_list("  ").unwrap(), vec![]);
    assert!(parse_tool_list("[{").unwrap_err().starts_with("ToolList is not JSON"));
    assert_eq!(parse_tool_list(r#"{"name":"shell"}"#).unwrap_err(), "ToolList is not a JSON array");
    assert_eq!(tools_of_reply("[{"), vec![]);
    assert_eq!(tools_of_reply("null"), vec![]);
    // The official field names, in camelCase, for JS.
    assert_eq!(
        serde_json::to_value(mcp_tool("shell", "srv")).unwrap(),
        json!({"name": "shell", "description": "shell tool", "inputSchema": {"type": "object"}, "server": "srv", "tool": "shell"})
    );
}

#[test]
fn create_and_get_fill_app_instance_ws_url_replay_and_tools() {
    let list = serde_json::to_string(&vec![mcp_tool("shell", "srv"), mcp_tool("read_file", "srv")]).unwrap();
    let l2 = list.clone();
    let env = FakeEnv::new(move |s, _| match s.action.as_str() {
        "CreateMcpSession" => {
            ok(json!({"SessionId": "s-1", "AppInstanceId": "ai-1", "WsUrl": "wss://w", "ToolList": l2}))
        }
        "GetSession" => ok(json!({"SessionId": "s-1", "AppInstanceId": "ai-1", "ToolList": l2, "Status": "RUNNING"})),
        a => panic!("unexpected {a}"),
    });
    let r = block_on(session::create(&api(&env), &json!({"enableBrowserReplay": true})));
    let d = r.session.unwrap();
    assert_eq!((d.app_instance_id.as_str(), d.ws_url.as_str(), d.enable_browser_replay), ("ai-1", "wss://w", true));
    assert_eq!(d.mcp_tools, vec![mcp_tool("shell", "srv"), mcp_tool("read_file", "srv")]);
    let d = block_on(session::create(&api(&env), &json!({}))).session.unwrap();
    assert!(!d.enable_browser_replay, "absent: false");
    assert!(
        !block_on(session::create(&api(&env), &json!({"enableBrowserReplay": false})))
            .session
            .unwrap()
            .enable_browser_replay
    );

    let g = block_on(session::get(&api(&env), "s-1")).session.unwrap();
    assert_eq!((g.app_instance_id.as_str(), g.ws_url.as_str(), g.enable_browser_replay), ("ai-1", "", false));
    assert_eq!(g.mcp_tools.len(), 2);

    // A malformed ToolList: the session is created all the same, with no tools.
    let env = FakeEnv::new(|s, _| match s.action.as_str() {
        "CreateMcpSession" => ok(json!({"SessionId": "s-2", "ToolList": "not json"})),
        _ => ok(json!({"SessionId": "s-2", "ToolList": "{\"name\":\"shell\"}"})),
    });
    let r = block_on(session::create(&api(&env), &json!({})));
    assert!(r.success, "{r:?}");
    let d = r.session.unwrap();
    assert_eq!((d.mcp_tools.len(), d.app_instance_id.as_str(), d.ws_url.as_str()), (0, "", ""));
    let g = block_on(session::get(&api(&env), "s-2"));
    assert!(g.success);
    assert_eq!(g.session.unwrap().mcp_tools, vec![]);
}

fn handle_with_tools(id: &str, tools: Vec<super::wire::envelope::McpTool>) -> SessionHandle {
    SessionHandle::new(super::results::SessionData { session_id: id.into(), mcp_tools: tools, ..Default::default() })
}

#[test]
fn call_mcp_tool_maps_success_tool_errors_and_api_errors() {
    use super::results::McpToolResult;
    use super::tool_call::call_mcp_tool;
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s2 = seen.clone();
    let env = FakeEnv::new(move |s, _| {
        s2.borrow_mut().push((
            s.get("Name").unwrap_or_default().to_string(),
            s.get("Args").map(String::from),
            s.get("Server").map(String::from),
            s.get("AutoGenSession").map(String::from),
        ));
        match s.get("Name").unwrap() {
            "shell" => ok(text(r#"{"stdout":"hi\n","stderr":"","exit_code":0}"#, false)),
            "empty" => ok(json!({"content": [], "isError": false})),
            "failing" => ok(
                json!({"content": [{"type": "text", "text": "bad"}, {"type": "text", "text": ""}, {"type": "text", "text": "worse"}], "isError": true}),
            ),
            "run_code" => ok(text("Traceback: boom", true)),
            "refused" => Ok((
                200,
                json!({"RequestId": "r-2", "Success": false, "Code": "Tool.Denied", "Message": "not allowed"}),
            )),
            "no_data" => Ok((200, json!({"RequestId": "r-3", "Success": true}))),
            _ => Ok((
                400,
                json!({"RequestId": "r-4", "Code": "InvalidParameter.Tool", "Message": "unknown tool 'nope'"}),
            )),
        }
    });
    let s = handle_with_tools("s-1", vec![mcp_tool("shell", "srv-a")]);
    let a = api(&env);

    let r = block_on(call_mcp_tool(&a, &s, "shell", &json!({"command": "echo hi", "timeout_ms": 5000}), false));
    assert_eq!(
        r,
        McpToolResult {
            request_id: "req-1".into(),
            success: true,
            data: r#"{"stdout":"hi\n","stderr":"","exit_code":0}"#.into(),
            error_message: String::new(),
        }
    );
    // errorMessage is always there, "" on success (the official shape).
    assert_eq!(serde_json::to_value(&r).unwrap()["errorMessage"], "");
    // No text: the result object as JSON.
    let r = block_on(call_mcp_tool(&a, &s, "empty", &json!({}), true));
    assert_eq!((r.success, r.data.as_str()), (true, r#"{"content":[],"isError":false}"#));
    // isError: the texts joined with "; " (an empty one reads "Unknown error"), no data.
    let r = block_on(call_mcp_tool(&a, &s, "failing", &Value::Null, false));
    assert_eq!((r.success, r.data.as_str()), (false, ""));
    assert_eq!(r.error_message, "bad; Unknown error; worse");
    // run_code keeps the raw text as data, also on error.
    let r = block_on(call_mcp_tool(&a, &s, "run_code", &json!({"code": "x"}), false));
    assert_eq!((r.success, r.data.as_str(), r.error_message.as_str()), (false, "Traceback: boom", "Traceback: boom"));
    // A refusal in the body, a reply without Data, an HTTP error with the server's message.
    let r = block_on(call_mcp_tool(&a, &s, "refused", &json!({}), false));
    assert_eq!(
        (r.success, r.request_id.as_str(), r.error_message.as_str()),
        (false, "r-2", "[Tool.Denied] not allowed")
    );
    let r = block_on(call_mcp_tool(&a, &s, "no_data", &json!({}), false));
    assert_eq!((r.success, r.error_message.as_str()), (false, "Invalid response data format: missing Data"));
    let r = block_on(call_mcp_tool(&a, &s, "nope", &json!({}), false));
    assert_eq!((r.success, r.request_id.as_str(), r.data.as_str()), (false, "r-4", ""));
    assert!(
        r.error_message.contains("InvalidParameter.Tool") && r.error_message.contains("unknown tool 'nope'"),
        "{r:?}"
    );

    // What was sent: Args as given (none for null), Server from mcpTools ("" for tools it does
    // not list), AutoGenSession as given.
    let seen = seen.borrow();
    assert_eq!(
        seen[0],
        (
            "shell".into(),
            Some(r#"{"command":"echo hi","timeout_ms":5000}"#.into()),
            Some("srv-a".into()),
            Some("false".into())
        )
    );
    assert_eq!(seen[1], ("empty".into(), Some("{}".into()), Some(String::new()), Some("true".into())));
    assert_eq!(seen[2].1, None);

    // Arguments that are not an object are refused before any request.
    let before = env.actions().len();
    let r = block_on(call_mcp_tool(&a, &s, "shell", &json!(["echo"]), false));
    assert_eq!(r.error_message, "args must be an object of the tool's arguments, not an array");
    assert_eq!(env.actions().len(), before);
    // A deleted session fails fast.
    s.mark_deleted();
    let r = block_on(call_mcp_tool(&a, &s, "shell", &json!({}), false));
    assert!(r.error_message.contains("has been deleted"), "{r:?}");
    assert_eq!(env.actions().len(), before);
}

#[test]
fn typed_tool_calls_share_the_exchange_and_send_the_listed_server() {
    let servers = Rc::new(RefCell::new(Vec::new()));
    let s2 = servers.clone();
    let env = FakeEnv::new(move |s, _| {
        s2.borrow_mut().push((s.get("Server").unwrap().to_string(), s.get("AutoGenSession").unwrap().to_string()));
        ok(text(r#"{"stdout":"x","stderr":"","exit_code":0}"#, false))
    });
    let s = handle_with_tools("s", vec![mcp_tool("shell", "srv-a")]);
    assert!(block_on(super::command::execute(&api(&env), &s, "true", None, None, None)).success);
    block_on(filesystem::create_directory(&api(&env), &s, "/d"));
    assert_eq!(*servers.borrow(), vec![("srv-a".into(), "false".into()), (String::new(), "false".into())]);
}

#[test]
fn a_long_shell_timeout_stretches_call_mcp_tool_too() {
    let probe = Rc::new(TimeoutProbe(Cell::new(0), "ok"));
    let mut c = cfg("http://h:1");
    c.timeout_ms = 10_000;
    let a = Api::new(probe.clone(), c);
    let call = |tool: &str, args: Value| {
        block_on(super::tool_call::call_mcp_tool(&a, &handle("s"), tool, &args, false));
        probe.0.get()
    };
    assert_eq!(call("shell", json!({"command": "sleep 30", "timeout_ms": 30_000})), 35_000);
    assert_eq!(call("shell", json!({"command": "sleep 90", "timeout_ms": 90_000})), 55_000);
    assert_eq!(call("shell", json!({"command": "true"})), 10_000);
    assert_eq!(call("read_file", json!({"path": "/f", "timeout_ms": 30_000})), 10_000);
}

#[test]
fn list_mcp_tools_sends_the_image_and_reads_the_tools() {
    use super::mcp::list_mcp_tools;
    let list = serde_json::to_string(&vec![mcp_tool("shell", "srv")]).unwrap();
    let images = Rc::new(RefCell::new(Vec::new()));
    let i2 = images.clone();
    let env = FakeEnv::new(move |s, _| {
        assert_eq!(s.action, "ListMcpTools");
        let image = s.get("ImageId").unwrap().to_string();
        i2.borrow_mut().push(image.clone());
        match image.as_str() {
            "garbled" => ok(json!("[{")),
            "empty" => ok(json!("")),
            "nope" => Ok((
                400,
                json!({"RequestId": "r-5", "Code": "InvalidParameter.ImageId", "Message": "The image 'nope' is not supported"}),
            )),
            _ => ok(json!(list)),
        }
    });
    let a = api(&env);
    let plain = handle("s");
    let r = block_on(list_mcp_tools(&a, &plain, None));
    assert_eq!((r.success, r.request_id.as_str(), r.tools.clone()), (true, "req-1", vec![mcp_tool("shell", "srv")]));
    assert!(serde_json::to_value(&r).unwrap().get("errorMessage").is_none());
    let imaged = SessionHandle::new(super::results::SessionData {
        session_id: "s".into(),
        image_id: "my_image".into(),
        ..Default::default()
    });
    block_on(list_mcp_tools(&a, &imaged, None));
    block_on(list_mcp_tools(&a, &imaged, Some("other")));
    block_on(list_mcp_tools(&a, &imaged, Some("")));
    assert_eq!(*images.borrow(), vec!["linux_latest", "my_image", "other", "my_image"]);
    // The session's own list is left as it was (as officially).
    assert!(imaged.data.mcp_tools.is_empty());

    let r = block_on(list_mcp_tools(&a, &plain, Some("empty")));
    assert_eq!((r.success, r.tools.len()), (true, 0));
    let r = block_on(list_mcp_tools(&a, &plain, Some("garbled")));
    assert_eq!((r.success, r.tools.len()), (false, 0));
    assert!(r.error_message.unwrap().starts_with("Failed to list MCP tools: invalid response: ToolList is not JSON"));
    let r = block_on(list_mcp_tools(&a, &plain, Some("nope")));
    assert_eq!((r.success, r.request_id.as_str()), (false, "r-5"));
    assert!(r.error_message.unwrap().contains("The image 'nope' is not supported"));
}

/// The `FromJson` readers of the JS arguments read what serde's derives (kept for the TypeScript
/// declarations) read, and fail with the same words.
#[test]
fn argument_readers_match_the_serde_derives() {
    use super::config::AgentBayOptions;
    use super::context::ContextListParams;
    use super::wire::from_json::FromJson;
    use serde::de::DeserializeOwned;
    use serde_json::json;
    fn same<T: FromJson + DeserializeOwned + std::fmt::Debug>(v: Value) {
        let serde_read = T::deserialize(&v).map(|t| format!("{t:?}")).map_err(|e| e.to_string());
        assert_eq!(T::from_json(&v).map(|t| format!("{t:?}")), serde_read, "{v}");
    }
    for v in [
        json!({}),
        json!({"apiKey": "k", "endpoint": "e", "timeoutMs": 1.5, "regionId": "r", "maxResponseBytes": 10,
               "maxDownloadBytes": 20, "envFile": "f", "proxied": true, "other": 1,
               "config": {"endpoint": "x", "timeout_ms": 3, "region_id": "y", "max_response_bytes": 4, "max_download_bytes": 5}}),
        json!({"timeout_ms": 2, "region_id": "r", "max_response_bytes": 1, "max_download_bytes": 2,
               "config": {"timeoutMs": 3, "regionId": "y", "maxResponseBytes": 4, "maxDownloadBytes": 5}}),
        json!({"timeoutMs": 1, "timeout_ms": 2}),
        json!({"config": {"timeoutMs": 1, "timeout_ms": 2}}),
        json!({"timeoutMs": "60"}),
        json!({"apiKey": 5}),
        json!({"apiKey": null, "config": null}),
        json!({"proxied": "yes"}),
        json!("key"),
    ] {
        same::<AgentBayOptions>(v);
    }
    // The one difference: serde's derive also took an array, field by field in declaration order
    // (`["key"]` as `{apiKey: "key"}`); the readers refuse it as the non-object it is.
    assert_eq!(
        AgentBayOptions::from_json(&json!({"config": []})).unwrap_err(),
        "invalid type: sequence, expected struct OfficialConfig"
    );
    for v in [
        json!({}),
        json!({"timeoutMs": 5, "initialIntervalMs": 6, "maxIntervalMs": 7}),
        json!({"timeoutMs": 1.5}),
        json!({"timeoutMs": -1}),
        json!({"maxIntervalMs": null}),
        json!({"initialIntervalMs": "1"}),
        json!(3),
    ] {
        same::<WaitOptions>(v);
    }
    for v in [
        json!({"maxResults": 5, "nextToken": "t", "sessionId": "s"}),
        json!({"maxResults": 5_000_000_000u64}),
        json!({"maxResults": -1}),
        json!({"maxResults": 2.5}),
        json!({"nextToken": 1}),
        json!(true),
    ] {
        same::<ContextListParams>(v);
    }
}
