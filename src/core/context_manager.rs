//! `session.context`: context status (`GetContextInfo`) and explicit sync (`SyncContext`
//! + completion polling).

use super::api::{Api, ApiError, Check, Reply};
use super::handle::SessionHandle;
use super::poll::{poll, Fault, GaveUp, Step, WaitOptions};
use super::results::{ContextInfoResult, ContextSyncResult};
use super::runtime::Env;
use super::wire::context_status::{self, status, task_type, TaskStatus};
use super::wire::envelope::ContextInfoData;
use super::wire::request::{GetContextInfoRequest, SyncContextRequest};

/// The official bound (150 polls × 1.5 s = 225 s), on the fast schedule (see
/// [`super::poll::FAST_CAP_MS`]), at most 1.5 s apart.
pub const SYNC_WAIT: WaitOptions = WaitOptions::fast(225_000, 1_500);

pub const TOGETHER_MESSAGE: &str = "contextId and path must be provided together or both omitted. If you want to sync a specific context, both contextId and path are required. If you want to sync all contexts, omit both parameters.";

fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// The official together-or-omitted rule (the JS layer throws this message).
pub fn check_together(context_id: Option<&str>, path: Option<&str>) -> Result<(), &'static str> {
    match (given(context_id), given(path)) {
        (Some(_), None) | (None, Some(_)) => Err(TOGETHER_MESSAGE),
        _ => Ok(()),
    }
}

/// `sync(…, maxRetries, retryInterval)` as a wait budget: `maxRetries × retryInterval`
/// (default 150 × 1.5 s). A given `retryInterval` is the cadence (after a first poll at
/// ≤100 ms); without one the wait is on the fast schedule, at most 1.5 s apart.
pub fn wait_from_retries(max_retries: Option<u32>, retry_interval_ms: Option<u64>) -> WaitOptions {
    let retries = u64::from(max_retries.unwrap_or(150));
    match retry_interval_ms {
        Some(interval) => {
            let interval = interval.max(1);
            WaitOptions::new(retries * interval, interval.min(100), interval)
        }
        None => WaitOptions::fast(retries * SYNC_WAIT.max_interval_ms, SYNC_WAIT.max_interval_ms),
    }
}

/// `GetContextInfo` for a session, optionally narrowed to one mount and one direction.
pub fn info_request(
    session_id: &str,
    context_id: Option<&str>,
    path: Option<&str>,
    task: Option<&str>,
) -> GetContextInfoRequest {
    let owned = |s: Option<&str>| s.filter(|v| !v.is_empty()).map(String::from);
    GetContextInfoRequest {
        session_id: session_id.into(),
        context_id: owned(context_id),
        path: owned(path),
        task_type: owned(task),
    }
}

pub async fn info<E: Env>(
    api: &Api<E>,
    session_id: &str,
    context_id: Option<&str>,
    path: Option<&str>,
    task: Option<&str>,
) -> ContextInfoResult {
    let req = info_request(session_id, context_id, path, task);
    let r = match api.exchange(&req, "Failed to get context info", Check::Body).await {
        Ok(r) => r,
        Err(f) => return f,
    };
    let d = r.data.unwrap_or_default();
    match context_status::decode(&d.context_status) {
        Ok(tasks) => ContextInfoResult {
            request_id: r.request_id,
            success: true,
            context_status_data: tasks,
            error_message: None,
        },
        Err(e) => ContextInfoResult::fail(r.request_id, format!("Failed to get context info: {e}")),
    }
}

/// The tasks of one `GetContextInfo` poll. Stricter than [`info`]: a poll that decides whether
/// a wait is over must not read a reply without `Data` as "no tasks, nothing to wait for".
fn polled_tasks(r: Result<Reply<ContextInfoData>, ApiError>) -> Result<Vec<TaskStatus>, Fault> {
    let r = r?;
    if r.success == Some(false) {
        return Err(Fault::Refused(r.strict_error("GetContextInfo failed").unwrap_or_default()));
    }
    let Some(d) = r.data else {
        return Err(Fault::Invalid("GetContextInfo reply has no Data object".into()));
    };
    context_status::decode(&d.context_status).map_err(|e| Fault::Invalid(e.to_string()))
}

/// What a wait for sync tasks saw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskWait {
    /// Tasks that ended `Failed` (when every watched task ended).
    pub failed: Vec<TaskStatus>,
    /// Watched tasks still unfinished at the last successful poll.
    pub pending: Vec<TaskStatus>,
    /// Required contexts that had reported no task at the last successful poll.
    pub unreported: Vec<String>,
    /// Whether any poll got an answer.
    pub answered: bool,
    /// Set when the wait ended before every watched task did.
    pub gave_up: Option<GaveUp>,
}

impl TaskWait {
    /// Every watched task ended and none failed.
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty() && self.gave_up.is_none()
    }
}

/// Polls `GetContextInfo` until every task `watched` selects is `Success`/`Failed`; no such task
/// means nothing to wait for (official rule). `progress` sees the watched tasks of each poll.
pub async fn wait_tasks<E: Env>(
    api: &Api<E>,
    req: GetContextInfoRequest,
    watched: &dyn Fn(&TaskStatus) -> bool,
    required: &[&str],
    wait: WaitOptions,
    progress: &mut dyn FnMut(&[TaskStatus]),
) -> TaskWait {
    let mut pending = Vec::new();
    let mut unreported = Vec::new();
    let mut answered = false;
    let outcome = poll(
        &api.env,
        wait,
        api.cfg.timeout_ms,
        || api.call(&req),
        |r| match polled_tasks(r) {
            Err(f) => Step::Failed(f),
            Ok(all) => {
                answered = true;
                let tasks: Vec<TaskStatus> = all.into_iter().filter(|t| watched(t)).collect();
                progress(&tasks);
                unreported = required
                    .iter()
                    .filter(|id| !tasks.iter().any(|t| t.context_id == **id))
                    .map(|id| id.to_string())
                    .collect();
                if unreported.is_empty() && tasks.iter().all(|t| status::is_terminal(&t.status)) {
                    return Step::Done(tasks.into_iter().filter(|t| t.status == status::FAILED).collect());
                }
                pending = tasks.into_iter().filter(|t| !status::is_terminal(&t.status)).collect();
                Step::Pending
            }
        },
    )
    .await;
    match outcome {
        Ok(failed) => TaskWait { failed, answered, ..Default::default() },
        Err(g) => TaskWait { pending, unreported, answered, gave_up: Some(g), ..Default::default() },
    }
}

/// How `sync()` words a SyncContext that got no usable answer (the official client's exception).
pub(crate) fn sync_failed(e: &ApiError) -> String {
    format!("Failed to sync context: {e}")
}

/// Sends `SyncContext`; `Ok(request_id)` when the server accepted it. `failed` words an
/// exchange that failed (a refusal in the body reads `[Code] Message`).
pub(crate) async fn sync_start<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    context_id: Option<&str>,
    path: Option<&str>,
    mode: Option<&str>,
    failed: fn(&ApiError) -> String,
) -> Result<String, ContextSyncResult> {
    if let Some(m) = s.deleted_error() {
        return Err(ContextSyncResult::fail("", m));
    }
    check_together(context_id, path).map_err(|m| ContextSyncResult::fail("", m))?;
    let req = SyncContextRequest {
        session_id: s.id().into(),
        context_id: given(context_id).map(String::from),
        path: given(path).map(String::from),
        mode: given(mode).map(String::from),
    };
    let r = api.call(&req).await.map_err(|e| ContextSyncResult::fail(e.request_id(), failed(&e)))?;
    if let Some(m) = r.body_error() {
        return Err(ContextSyncResult::fail(r.request_id, m));
    }
    if r.success != Some(true) {
        return Err(ContextSyncResult::fail(r.request_id, "SyncContext was not acknowledged (Success missing)"));
    }
    Ok(r.request_id)
}

/// Waits for the sync's tasks: those of its direction (`mode`, default upload).
pub(crate) async fn sync_wait<E: Env>(
    api: &Api<E>,
    session_id: &str,
    context_id: Option<&str>,
    path: Option<&str>,
    mode: Option<&str>,
    wait: WaitOptions,
    progress: &mut dyn FnMut(&[TaskStatus]),
) -> TaskWait {
    // SyncContext without Mode uploads (the official delete(syncContext) relies on it), so
    // only upload tasks are this call's business: an old failed download from create()
    // must not make a later upload-sync report failure (official bug).
    let wanted = given(mode).unwrap_or(task_type::UPLOAD);
    let req = info_request(session_id, given(context_id), given(path), None);
    wait_tasks(api, req, &|t| t.task_type.eq_ignore_ascii_case(wanted), &[], wait, progress).await
}

/// Result of a finished wait.
fn sync_outcome(request_id: String, waited: TaskWait) -> ContextSyncResult {
    let TaskWait { failed, pending, gave_up, .. } = waited;
    let error_message = if !failed.is_empty() {
        let list: Vec<String> = failed
            .iter()
            .map(|t| {
                let why = if t.error_message.is_empty() { String::new() } else { format!(": {}", t.error_message) };
                format!("{} {} ({}){why}", t.task_type, t.path, t.context_id)
            })
            .collect();
        Some(format!("Context sync failed for {} task(s): {}", failed.len(), list.join("; ")))
    } else {
        match gave_up {
            None => None,
            Some(GaveUp::Budget { last: None, .. }) => {
                Some(format!("Context sync did not finish in time; {} task(s) still running", pending.len()))
            }
            Some(g) => Some(format!("Context sync gave up: {g}")),
        }
    };
    ContextSyncResult {
        request_id,
        success: error_message.is_none(),
        failed_tasks: (!failed.is_empty()).then_some(failed),
        pending_tasks: (!pending.is_empty()).then_some(pending),
        error_message,
    }
}

/// `sync()`: SyncContext, then the wait for its tasks, then the outcome. `started` hears the
/// request id as soon as SyncContext is acknowledged: the official callback mode answers the
/// caller there and reports the outcome later (src/js/session.rs), so both modes are this one call.
#[allow(clippy::too_many_arguments)]
pub async fn sync<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    context_id: Option<&str>,
    path: Option<&str>,
    mode: Option<&str>,
    wait: WaitOptions,
    progress: &mut dyn FnMut(&[TaskStatus]),
    started: &mut dyn FnMut(&str),
) -> ContextSyncResult {
    let request_id = match sync_start(api, s, context_id, path, mode, sync_failed).await {
        Ok(id) => id,
        Err(r) => return r,
    };
    started(&request_id);
    let waited = sync_wait(api, s.id(), context_id, path, mode, wait, progress).await;
    sync_outcome(request_id, waited)
}
