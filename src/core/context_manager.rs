//! `session.context`: context status (`GetContextInfo`) and explicit sync (`SyncContext`
//! + completion polling).

use super::api::Api;
use super::poll::{Backoff, WaitOptions};
use super::request::Params;
use super::results::{ContextInfoResult, ContextSyncResult};
use super::runtime::Env;
use super::session::SessionHandle;
use super::wire::context_status::{self, status, task_type, TaskStatus};
use super::wire::envelope::ContextInfoData;
use super::wire::{action::Action, field};

/// The official bound (150 polls × 1.5 s = 225 s), with faster first polls.
pub const SYNC_WAIT: WaitOptions = WaitOptions::new(225_000, 100, 1_500);

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

/// `sync(…, maxRetries, retryInterval)` as a wait budget.
pub fn wait_from_retries(max_retries: Option<u32>, retry_interval_ms: Option<u64>) -> WaitOptions {
    let interval = retry_interval_ms.unwrap_or(SYNC_WAIT.max_interval_ms).max(1);
    let retries = u64::from(max_retries.unwrap_or(150));
    WaitOptions::new(retries * interval, interval.min(SYNC_WAIT.initial_interval_ms), interval)
}

pub async fn info<E: Env>(
    api: &Api<E>,
    session_id: &str,
    context_id: Option<&str>,
    path: Option<&str>,
    task: Option<&str>,
) -> ContextInfoResult {
    let p = Params::new()
        .set(field::SESSION_ID, session_id)
        .set_opt(field::CONTEXT_ID, context_id)
        .set_opt(field::PATH, path)
        .set_opt(field::TASK_TYPE, task);
    let r = match api.call(Action::GetContextInfo, p).await {
        Ok(r) => r,
        Err(e) => return ContextInfoResult::fail(e.request_id(), format!("Failed to get context info: {e}")),
    };
    if let Some(m) = r.body_error() {
        return ContextInfoResult::fail(r.request_id, m);
    }
    let d: ContextInfoData = r.data_as();
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

/// Sends `SyncContext`; `Ok(request_id)` when the server accepted it.
pub async fn sync_start<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    context_id: Option<&str>,
    path: Option<&str>,
    mode: Option<&str>,
) -> Result<String, ContextSyncResult> {
    if let Some(m) = s.deleted_error() {
        return Err(ContextSyncResult::fail("", m));
    }
    check_together(context_id, path).map_err(|m| ContextSyncResult::fail("", m))?;
    let p = Params::new()
        .set(field::SESSION_ID, s.id())
        .set_opt(field::CONTEXT_ID, given(context_id))
        .set_opt(field::PATH, given(path))
        .set_opt(field::MODE, given(mode));
    let r = match api.call(Action::SyncContext, p).await {
        Ok(r) => r,
        Err(e) => return Err(ContextSyncResult::fail(e.request_id(), format!("Failed to sync context: {e}"))),
    };
    if let Some(m) = r.body_error() {
        return Err(ContextSyncResult::fail(r.request_id, m));
    }
    if r.success() != Some(true) {
        return Err(ContextSyncResult::fail(r.request_id, "SyncContext was not acknowledged (Success missing)"));
    }
    Ok(r.request_id)
}

/// Polls until every task of the sync's direction (`mode`, default upload) is terminal.
/// No such task means nothing to wait for (official rule). `progress` sees each poll.
pub async fn sync_wait<E: Env>(
    api: &Api<E>,
    session_id: &str,
    context_id: Option<&str>,
    path: Option<&str>,
    mode: Option<&str>,
    wait: WaitOptions,
    progress: &mut dyn FnMut(&[TaskStatus]),
) -> (Vec<TaskStatus>, Vec<TaskStatus>) {
    // SyncContext without Mode uploads (the official delete(syncContext) relies on it), so
    // only upload tasks are this call's business: an old failed download from create()
    // must not make a later upload-sync report failure (official bug).
    let wanted = given(mode).unwrap_or(task_type::UPLOAD);
    let mut backoff = Backoff::new(wait, api.env.now_ms());
    let mut pending = Vec::new();
    loop {
        let res = info(api, session_id, given(context_id), given(path), None).await;
        if res.success {
            let tasks: Vec<TaskStatus> =
                res.context_status_data.into_iter().filter(|t| t.task_type.eq_ignore_ascii_case(wanted)).collect();
            progress(&tasks);
            if tasks.iter().all(|t| status::is_terminal(&t.status)) {
                return (tasks.into_iter().filter(|t| t.status == status::FAILED).collect(), Vec::new());
            }
            pending = tasks.into_iter().filter(|t| !status::is_terminal(&t.status)).collect();
        }
        match backoff.next_sleep(api.env.now_ms()) {
            Some(ms) => api.env.sleep(ms).await,
            None => return (Vec::new(), pending),
        }
    }
}

/// Result of a finished wait.
pub fn sync_outcome(request_id: String, failed: Vec<TaskStatus>, pending: Vec<TaskStatus>) -> ContextSyncResult {
    let error_message = if !failed.is_empty() {
        let list: Vec<String> = failed
            .iter()
            .map(|t| {
                let why = if t.error_message.is_empty() { String::new() } else { format!(": {}", t.error_message) };
                format!("{} {} ({}){why}", t.task_type, t.path, t.context_id)
            })
            .collect();
        Some(format!("Context sync failed for {} task(s): {}", failed.len(), list.join("; ")))
    } else if !pending.is_empty() {
        Some(format!("Context sync did not finish in time; {} task(s) still running", pending.len()))
    } else {
        None
    };
    ContextSyncResult {
        request_id,
        success: error_message.is_none(),
        failed_tasks: (!failed.is_empty()).then_some(failed),
        pending_tasks: (!pending.is_empty()).then_some(pending),
        error_message,
    }
}

/// `sync()` in await mode.
pub async fn sync<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    context_id: Option<&str>,
    path: Option<&str>,
    mode: Option<&str>,
    wait: WaitOptions,
    progress: &mut dyn FnMut(&[TaskStatus]),
) -> ContextSyncResult {
    let request_id = match sync_start(api, s, context_id, path, mode).await {
        Ok(id) => id,
        Err(r) => return r,
    };
    let (failed, pending) = sync_wait(api, s.id(), context_id, path, mode, wait, progress).await;
    sync_outcome(request_id, failed, pending)
}
