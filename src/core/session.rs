//! Sessions: create (with the context-download wait), get, list, delete (with the
//! official completion polling), status, labels and info. Their parameters are checked in
//! `params.rs`; tool calls go through `tool_call.rs`, the `ToolList` is read in `mcp.rs`.

use super::api::{Api, ApiError, Check, Reply};
use super::context_manager::{self, TaskWait};
use super::handle::SessionHandle;
use super::mcp;
use super::params::{validate_labels, CreateParams};
use super::poll::{poll, Fault, GaveUp, Step, WaitOptions};
use super::results::*;
use super::runtime::Env;
use super::wire::context_status::{task_type, TaskStatus};
use super::wire::envelope::{session_status, SessionDetailData};
use super::wire::labels::Labels;
use super::wire::request::*;
use serde_json::Value;
use std::collections::BTreeMap;

pub async fn create<E: Env>(api: &Api<E>, params: &Value) -> SessionResult {
    let params = match CreateParams::from_value(params) {
        Ok(p) => p,
        Err(e) => return SessionResult::fail("", format!("Failed to create session: Error: {e}")),
    };
    let req = params.to_request(api.cfg.region_id.as_deref());
    let reply = match api.call(&req).await {
        Ok(r) => r,
        Err(e @ ApiError::BadData { .. }) => {
            return SessionResult::fail(
                e.request_id(),
                format!("Invalid response format: 'data' field is not a dictionary ({e})"),
            )
        }
        Err(e) => return SessionResult::fail(e.request_id(), format!("Failed to create session: {e}")),
    };
    if let Some(m) = reply.body_error() {
        return SessionResult::fail(reply.request_id, m);
    }
    let Some(data) = reply.data else {
        return SessionResult::fail(reply.request_id, "Invalid response format: 'data' field is not a dictionary");
    };
    if !data.success {
        return SessionResult::fail(reply.request_id, data.err_msg.unwrap_or_else(|| "Session creation failed".into()));
    }
    if data.session_id.is_empty() {
        return SessionResult::fail(reply.request_id, "SessionId not found in response");
    }
    let session = SessionData {
        session_id: data.session_id,
        resource_url: data.resource_url,
        token: data.token,
        link_url: data.link_url,
        image_id: params.image_id.clone().unwrap_or_else(|| super::wire::DEFAULT_IMAGE_ID.into()),
        app_instance_id: data.app_instance_id,
        ws_url: data.ws_url,
        enable_browser_replay: params.enable_record.unwrap_or(false),
        mcp_tools: mcp::tools_of_reply(&data.tool_list),
    };
    // As officially, each waited context must have reported a status; but a synced one whose
    // policy turns the download off has none to report (agentbay-local lists no task for it).
    // Live mounts are waited for too (officially as well): each reports a download once mounted.
    let (waited, reporting) = params.waited_contexts();
    let outcome = if waited.is_empty() {
        TaskWait::default()
    } else {
        wait_for_downloads(api, &session.session_id, &waited, &reporting, params.sync_wait).await
    };
    let mut result = SessionResult {
        request_id: reply.request_id,
        success: true,
        context_sync_failures: (!outcome.failed.is_empty()).then_some(outcome.failed.clone()),
        context_sync_pending: (!outcome.pending.is_empty()).then_some(outcome.pending.clone()),
        error_message: None,
        session: None,
    };
    // Unlike the official SDK, a download still pending or of unknown state is no success: the
    // caller would otherwise read a half-filled mount. The session is returned all the same so
    // that the caller can delete it.
    if let Some(why) = &outcome.gave_up {
        result.success = false;
        result.error_message = Some(unconfirmed_message(&session.session_id, &waited, &outcome, why));
    }
    result.session = Some(session);
    result
}

/// `Session s-1 was created, but the download of context(s) c1, c2 was not confirmed: <why>`.
fn unconfirmed_message(session_id: &str, waited: &[&str], outcome: &TaskWait, why: &GaveUp) -> String {
    format!("Session {session_id} was created, but {}", unconfirmed_downloads(waited, outcome, why))
}

/// `the download of context(s) c1, c2 was not confirmed: <why>`: the waited contexts still
/// downloading or not reported yet, and why the wait for them ended.
pub(crate) fn unconfirmed_downloads(waited: &[&str], outcome: &TaskWait, why: &GaveUp) -> String {
    // Contexts still downloading or not yet reported at the last answer; all waited ones if
    // there was no answer.
    let ids: Vec<&str> = waited
        .iter()
        .copied()
        .filter(|id| {
            !outcome.answered
                || outcome.pending.iter().any(|t| t.context_id == *id)
                || outcome.unreported.iter().any(|u| u == id)
        })
        .collect();
    let why = match why {
        GaveUp::Budget { last: None, .. } if !outcome.unreported.is_empty() => format!(
            "{why} ({} task(s) still running, {} context(s) not reported yet)",
            outcome.pending.len(),
            outcome.unreported.len()
        ),
        GaveUp::Budget { last: None, .. } => format!("{why} ({} task(s) still running)", outcome.pending.len()),
        _ => why.to_string(),
    };
    format!("the download of context(s) {} was not confirmed: {why}", ids.join(", "))
}

/// Waits until each of `reporting` has reported a download and every download of the waited
/// contexts is `Success`/`Failed` (as officially since `betaWaitForCompletion`), giving up by
/// the rules of [`super::poll::poll`].
pub async fn wait_for_downloads<E: Env>(
    api: &Api<E>,
    session_id: &str,
    context_ids: &[&str],
    reporting: &[&str],
    opts: WaitOptions,
) -> TaskWait {
    let watched = |t: &TaskStatus| {
        context_ids.contains(&t.context_id.as_str()) && (t.task_type.is_empty() || t.task_type == task_type::DOWNLOAD)
    };
    let req = context_manager::info_request(session_id, None, None, None);
    context_manager::wait_tasks(api, req, &watched, reporting, opts, &mut |_| {}).await
}

pub async fn get<E: Env>(api: &Api<E>, session_id: &str) -> SessionResult {
    if session_id.trim().is_empty() {
        return SessionResult::fail("", "session_id is required");
    }
    let fail = |rid: String, m: String| SessionResult::fail(rid, format!("Failed to get session {session_id}: {m}"));
    let reply = match api.call(&GetSessionRequest { session_id: session_id.into() }).await {
        Ok(r) => r,
        Err(e) if e.is_not_found() => return fail(e.request_id(), format!("Session {session_id} not found")),
        Err(e) => return fail(e.request_id(), e.to_string()),
    };
    if let Some(m) = reply.body_error() {
        let m = if m.contains("NotFound") { format!("Session {session_id} not found") } else { m };
        return fail(reply.request_id, m);
    }
    let d = reply.data.unwrap_or_default();
    let session = SessionData {
        session_id: if d.session_id.is_empty() { session_id.into() } else { d.session_id },
        resource_url: d.resource_url,
        token: d.token,
        link_url: String::new(),
        image_id: String::new(),
        app_instance_id: d.app_instance_id,
        ws_url: d.ws_url,
        enable_browser_replay: false,
        mcp_tools: mcp::tools_of_reply(&d.tool_list),
    };
    SessionResult { request_id: reply.request_id, success: true, session: Some(session), ..Default::default() }
}

pub async fn list<E: Env>(
    api: &Api<E>,
    labels: &BTreeMap<String, String>,
    page: Option<u32>,
    limit: u32,
    status_filter: Option<&str>,
) -> SessionListResult {
    if let Some(s) = status_filter {
        if !session_status::FILTERABLE.contains(&s) {
            return SessionListResult::fail(
                "",
                format!("Invalid status '{s}'. Must be one of: {}", session_status::FILTERABLE.join(", ")),
            );
        }
    }
    let page = page.unwrap_or(1);
    if page < 1 {
        return SessionListResult::fail("", format!("Cannot reach page {page}: Page number must be >= 1"));
    }
    let mut token: Option<String> = None;
    let what = "Failed to list sessions";
    for current in 1..=page {
        let req = ListSessionRequest {
            labels: Some(Labels(labels.clone())),
            max_results: Some(Bounded(u64::from(limit))),
            next_token: token.take(),
            status: status_filter.map(String::from),
        };
        let reply: Reply<_> = match api.exchange(&req, what, Check::Strict(what)).await {
            Ok(r) => r,
            Err(f) => return f,
        };
        let next = reply.next_token.clone().filter(|t| !t.is_empty());
        if current < page {
            match next {
                Some(t) => token = Some(t),
                None => {
                    return SessionListResult::fail(
                        reply.request_id,
                        format!("Cannot reach page {page}: No more pages available"),
                    )
                }
            }
            continue;
        }
        return SessionListResult {
            session_ids: reply
                .data
                .unwrap_or_default()
                .into_iter()
                .map(|i| SessionListItem {
                    session_id: i.session_id,
                    session_status: if i.session_status.is_empty() { "UNKNOWN".into() } else { i.session_status },
                })
                .collect(),
            next_token: next,
            max_results: Some(reply.max_results.map_or(u64::from(limit), u64::from)),
            total_count: reply.total_count,
            request_id: reply.request_id,
            success: true,
            error_message: None,
        };
    }
    SessionListResult::fail("", "unreachable page walk")
}

/// The official delete bound (300 s), on the fast schedule (see [`super::poll::FAST_CAP_MS`]),
/// at most 1 s apart until the poll cap stretches it.
pub const DELETE_WAIT: WaitOptions = WaitOptions::fast(300_000, 1_000);

pub async fn delete<E: Env>(api: &Api<E>, s: &SessionHandle, sync_context: bool, wait: WaitOptions) -> DeleteResult {
    if let Some(m) = s.deleted_error() {
        return DeleteResult::fail("", m);
    }
    let id = s.id();
    let mut synced = None;
    if sync_context {
        // As officially: a failed sync is not fatal; the deletion goes ahead, but the
        // result says what did not upload.
        synced = Some(
            context_manager::sync(api, s, None, None, None, context_manager::SYNC_WAIT, &mut |_| {}, &mut |_| {}).await,
        );
    }
    let sync_report = |mut r: DeleteResult| {
        if let Some(sr) = synced.as_ref().filter(|sr| !sr.success) {
            r.context_sync_error = sr.error_message.clone();
            r.context_sync_failures = sr.failed_tasks.clone();
        }
        r
    };
    let req = DeleteSessionAsyncRequest { session_id: id.into() };
    let what = format!("Failed to delete session {id}");
    let reply = match api.exchange(&req, &what, Check::ExplicitFalse("Failed to delete session")).await {
        Ok(r) => r,
        Err(f) => return sync_report(f),
    };
    let detail_request = GetSessionDetailRequest { session_id: id.into() };
    let gone = poll(&api.env, wait, api.cfg.timeout_ms, || api.call(&detail_request), deletion_step).await;
    match gone {
        Ok(()) => {}
        Err(GaveUp::Budget { last: None, .. }) => {
            let m = format!("Timeout waiting for session deletion after {}ms", wait.timeout_ms);
            return sync_report(DeleteResult::fail(reply.request_id, m));
        }
        Err(g) => {
            let m = format!("Failed to confirm deletion of session {id}: {g}");
            return sync_report(DeleteResult::fail(reply.request_id, m));
        }
    }
    s.mark_deleted();
    sync_report(DeleteResult { request_id: reply.request_id, success: true, ..Default::default() })
}

/// One `GetSessionDetail` poll after `DeleteSessionAsync`: "not found" or `FINISH` ends it.
fn deletion_step(r: Result<Reply<SessionDetailData>, ApiError>) -> Step<()> {
    let not_found = |m: &str| m.contains("NotFound") || m.to_ascii_lowercase().contains("not found");
    match r {
        Err(e) if e.is_not_found() => Step::Done(()),
        Err(e) => Step::Failed(e.into()),
        Ok(r) => match r.body_error() {
            Some(m) if not_found(&m) => Step::Done(()),
            Some(m) => Step::Failed(Fault::Refused(m)),
            None => match r.data {
                None => Step::Failed(Fault::Invalid("GetSessionDetail reply has no Data object".into())),
                Some(d) if d.status == session_status::FINISH => Step::Done(()),
                Some(_) => Step::Pending,
            },
        },
    }
}

pub async fn status<E: Env>(api: &Api<E>, s: &SessionHandle) -> SessionStatusResult {
    let id = s.id();
    match api.call(&GetSessionDetailRequest { session_id: id.into() }).await {
        Err(e) => SessionStatusResult {
            code: e.code().map(String::from),
            http_status_code: match &e {
                ApiError::Http { status, .. } => Some(*status),
                _ => None,
            },
            ..SessionStatusResult::fail(
                e.request_id(),
                if e.is_not_found() { format!("Session {id} not found") } else { e.to_string() },
            )
        },
        Ok(r) => match r.body_error() {
            Some(m) => SessionStatusResult { code: r.code, ..SessionStatusResult::fail(r.request_id, m) },
            None => SessionStatusResult {
                status: Some(r.data.unwrap_or_default().status),
                code: Some(r.code.unwrap_or_default()),
                http_status_code: Some(r.http_status_code.unwrap_or(200)),
                request_id: r.request_id,
                success: true,
                error_message: None,
            },
        },
    }
}

pub async fn set_labels<E: Env>(api: &Api<E>, s: &SessionHandle, labels: &Value) -> LabelResult {
    if let Some(m) = s.deleted_error() {
        return LabelResult::fail("", m);
    }
    let labels = match validate_labels(labels) {
        Ok(l) => l,
        Err(m) => return LabelResult::fail("", m),
    };
    match api.call(&SetLabelRequest { session_id: s.id().into(), labels: Labels(labels) }).await {
        Err(e) => LabelResult::fail(e.request_id(), format!("Failed to set labels for session {}: {e}", s.id())),
        Ok(r) => match r.body_error() {
            Some(m) => LabelResult::fail(r.request_id, format!("Failed to set labels for session {}: {m}", s.id())),
            None => LabelResult { request_id: r.request_id, success: true, data: None, error_message: None },
        },
    }
}

pub async fn get_labels<E: Env>(api: &Api<E>, s: &SessionHandle) -> LabelResult {
    if let Some(m) = s.deleted_error() {
        return LabelResult::fail("", m);
    }
    let fail =
        |rid: String, m: String| LabelResult::fail(rid, format!("Failed to get labels for session {}: {m}", s.id()));
    let r = match api.call(&GetLabelRequest { session_id: s.id().into(), ..Default::default() }).await {
        Ok(r) => r,
        Err(e) => return fail(e.request_id(), e.to_string()),
    };
    if let Some(m) = r.body_error() {
        return fail(r.request_id, m);
    }
    let d = r.data.unwrap_or_default();
    let labels = if d.labels.trim().is_empty() {
        Ok(BTreeMap::new())
    } else {
        serde_json::from_str::<Value>(&d.labels)
            .map_err(|e| e.to_string())
            .and_then(|v| Labels::from_value(&v, "Labels"))
            .map(|l| l.0)
    };
    match labels {
        Ok(l) => LabelResult { request_id: r.request_id, success: true, data: Some(l), error_message: None },
        Err(e) => fail(r.request_id, format!("malformed Labels in response: {e}")),
    }
}

pub async fn info<E: Env>(api: &Api<E>, s: &SessionHandle) -> SessionInfoResult {
    if let Some(m) = s.deleted_error() {
        return SessionInfoResult::fail("", m);
    }
    let id = s.id();
    let r = match api.call(&GetMcpResourceRequest { session_id: id.into() }).await {
        Ok(r) => r,
        Err(e) if e.is_not_found() => {
            return SessionInfoResult::fail(e.request_id(), format!("Session {id} not found"))
        }
        Err(e) => {
            return SessionInfoResult::fail(e.request_id(), format!("Failed to get session info for session {id}: {e}"))
        }
    };
    if let Some(m) = r.body_error() {
        return SessionInfoResult::fail(r.request_id, m);
    }
    let d = r.data.unwrap_or_default();
    let desktop = d.desktop_info;
    let info = SessionInfo {
        session_id: Some(d.session_id).filter(|x| !x.is_empty()).unwrap_or_else(|| id.into()),
        resource_url: d.resource_url,
        app_id: desktop.app_id,
        auth_code: desktop.auth_code,
        connection_properties: desktop.connection_properties,
        resource_id: desktop.resource_id,
        resource_type: desktop.resource_type,
        ticket: desktop.ticket,
    };
    SessionInfoResult { request_id: r.request_id, success: true, data: Some(info), error_message: None }
}

/// `session.keepAlive()`: `RefreshSessionIdleTime` (official `OperationResult`).
pub async fn keep_alive<E: Env>(api: &Api<E>, s: &SessionHandle) -> OperationResult {
    if let Some(m) = s.deleted_error() {
        return OperationResult::fail("", m);
    }
    let req = RefreshSessionIdleTimeRequest { session_id: s.id().into() };
    let what = format!("Failed to refresh idle time of session {}", s.id());
    let reply = match api.exchange(&req, &what, Check::Strict(&what)).await {
        Ok(r) => r,
        Err(f) => return f,
    };
    OperationResult { request_id: reply.request_id, success: true, data: None, error_message: None }
}

/// `betaPauseAsync` (`pause`) / `betaResumeAsync`: PauseSessionAsync / ResumeSessionAsync, then,
/// as officially, GetSession every `poll_s` seconds, at most `timeout_s / poll_s` times, until
/// the session is PAUSED / RUNNING; PAUSING / RESUMING keep the wait going, any other status
/// ends it as a failure. A plain loop rather than `poll()`: the official bound is a number of
/// attempts, and a failed status check ends the wait at once.
pub async fn pause_or_resume<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    pause: bool,
    timeout_s: f64,
    poll_s: f64,
) -> SessionPauseResult {
    let (verb, noun, target, passing) = if pause {
        ("pause", "pausing", session_status::PAUSED, session_status::PAUSING)
    } else {
        ("resume", "resuming", session_status::RUNNING, session_status::RESUMING)
    };
    if let Some(m) = s.deleted_error() {
        return SessionPauseResult::fail("", m);
    }
    let id = s.id();
    let (action, fields) = if pause {
        (PauseSessionAsyncRequest::ACTION, PauseSessionAsyncRequest { session_id: id.into() }.to_fields())
    } else {
        (ResumeSessionAsyncRequest::ACTION, ResumeSessionAsyncRequest { session_id: id.into() }.to_fields())
    };
    let r = match api.call_fields(action, fields).await {
        Ok(r) => r,
        Err(ApiError::Http { status, code, message, request_id }) => {
            return SessionPauseResult {
                code: Some(code.clone()),
                message: Some(message.clone()),
                http_status_code: Some(status),
                ..SessionPauseResult::fail(request_id, format!("[{code}] {message}"))
            }
        }
        Err(e) => return SessionPauseResult::fail(e.request_id(), format!("Unexpected error {noun} session: {e}")),
    };
    if r.success == Some(false) {
        let (code, message) = (r.code.unwrap_or_default(), r.message.unwrap_or_default());
        return SessionPauseResult {
            code: Some(code.clone()),
            message: Some(message.clone()),
            http_status_code: r.http_status_code,
            ..SessionPauseResult::fail(r.request_id, format!("[{code}] {message}"))
        };
    }
    // The official loop: at most floor(timeout / pollInterval) GetSession calls, a pause between two.
    let attempts = (timeout_s.max(0.0) / poll_s.max(0.05)).floor() as u64;
    let poll_ms = (poll_s.max(0.05) * 1000.0) as u64;
    let start = api.env.now_ms();
    let get = GetSessionRequest { session_id: id.into() };
    for attempt in 1..=attempts {
        let reply = match api.call(&get).await {
            Ok(r) => r,
            Err(e) => return SessionPauseResult::fail(e.request_id(), format!("Failed to get session status: {e}")),
        };
        if let Some(m) = reply.body_error() {
            return SessionPauseResult::fail(reply.request_id, format!("Failed to get session status: {m}"));
        }
        let status = reply.data.map(|d| d.status).filter(|st| !st.is_empty()).unwrap_or_else(|| "UNKNOWN".into());
        if status == target {
            return SessionPauseResult {
                request_id: reply.request_id,
                success: true,
                status: Some(status),
                ..Default::default()
            };
        }
        if status != passing {
            let elapsed = api.env.now_ms().saturating_sub(start);
            let m = format!("Session {verb} failed: unexpected state '{status}' after {elapsed}ms");
            return SessionPauseResult { status: Some(status), ..SessionPauseResult::fail(reply.request_id, m) };
        }
        if attempt < attempts {
            api.env.sleep(poll_ms).await;
        }
    }
    let elapsed = api.env.now_ms().saturating_sub(start);
    SessionPauseResult::fail("", format!("Session {verb} timed out after {elapsed}ms"))
}
