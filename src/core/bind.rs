//! `session.context.bind()` / `listBindings()`: BindContexts mounts more contexts into a
//! running session (synced ones, `ContextSync`, and live ones, `BetaContextMount`, mixed as
//! officially), DescribeSessionContexts lists every mount.
//!
//! With `waitForCompletion` the official SDK polls `listBindings()` until every bound id is
//! listed (60 × 2 s, and reports success even when they never are). Here a bind that was not
//! confirmed is no success, and the wait goes on, as `create()`'s does, until the download of
//! every bound context that auto-downloads has ended: a bound context is usable once `bind()`
//! resolves.

use super::api::{Api, ApiError, Reply};
use super::handle::SessionHandle;
use super::mount::Binding;
use super::poll::{poll, Fault, GaveUp, Step, WaitOptions};
use super::results::{ContextBindResult, ContextBinding, ContextBindingsResult};
use super::runtime::Env;
use super::session::{unconfirmed_downloads, wait_for_downloads};
use super::wire::envelope::ContextBindingData;
use super::wire::persistence::PersistenceDataList;
use super::wire::request::{BindContextsRequest, DescribeSessionContextsRequest};
use serde_json::Value;

/// The official bound (60 polls, 2 s apart), on the fast schedule (see [`super::poll::FAST_CAP_MS`]).
pub const BIND_WAIT: WaitOptions = WaitOptions::fast(120_000, 2_000);

pub const EMPTY_MESSAGE: &str = "At least one context is required";

/// The `contexts` argument: one `ContextSync` or `BetaContextMount` (or their plain-object
/// forms) or an array of them, read as `create()` reads its `contextSync` and
/// `betaContextMount` items.
pub fn specs_from_value(v: &Value) -> Result<Vec<Binding>, String> {
    let items = match v {
        Value::Array(items) => items.as_slice(),
        one => std::slice::from_ref(one),
    };
    items.iter().enumerate().map(|(i, item)| Binding::from_value(i, item)).collect()
}

/// `bind(contexts, waitForCompletion)`. `wait` bounds the wait for the bindings to be listed;
/// `downloads` the wait for their downloads.
pub async fn bind<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    contexts: &[Binding],
    wait_for_completion: bool,
    wait: WaitOptions,
    downloads: WaitOptions,
) -> ContextBindResult {
    if let Some(m) = s.deleted_error() {
        return ContextBindResult::fail("", m);
    }
    if contexts.is_empty() {
        return ContextBindResult::fail("", EMPTY_MESSAGE);
    }
    let req = BindContextsRequest {
        session_id: s.id().into(),
        persistence_data_list: PersistenceDataList(contexts.iter().map(Binding::to_persistence).collect()),
    };
    let reply = match api.call(&req).await {
        Ok(r) => r,
        Err(e) => return ContextBindResult::fail(e.request_id(), e.worded("Failed to bind contexts")),
    };
    if let Some(m) = reply.explicit_failure("Unknown error") {
        return ContextBindResult::fail(reply.request_id, m);
    }
    let request_id = reply.request_id;
    if !wait_for_completion {
        return ContextBindResult { request_id, success: true, error_message: None };
    }
    let ids: Vec<&str> = contexts.iter().map(Binding::context_id).collect();
    if let Err(why) = wait_until_listed(api, s.id(), &ids, wait).await {
        let m = format!("Bound, but the session did not list context(s) {}: {why}", ids.join(", "));
        return ContextBindResult::fail(request_id, m);
    }
    // As in create(): only synced contexts whose policy downloads (and that did not opt out of
    // the wait with betaWaitForCompletion: false) have a download to wait for, and every live
    // mount (its download task succeeds once it is mounted).
    let waited: Vec<&str> = contexts.iter().filter(|c| c.waits_for_download()).map(Binding::context_id).collect();
    if waited.is_empty() {
        return ContextBindResult { request_id, success: true, error_message: None };
    }
    let outcome = wait_for_downloads(api, s.id(), &waited, &waited, downloads).await;
    let error_message = if let Some(t) = outcome.failed.first() {
        let why = if t.error_message.is_empty() { "the task failed" } else { t.error_message.as_str() };
        Some(format!("Download of context {} at {} failed: {why}", t.context_id, t.path))
    } else {
        outcome.gave_up.as_ref().map(|g| format!("Bound, but {}", unconfirmed_downloads(&waited, &outcome, g)))
    };
    ContextBindResult { request_id, success: error_message.is_none(), error_message }
}

/// Polls DescribeSessionContexts until each of `ids` is listed.
async fn wait_until_listed<E: Env>(
    api: &Api<E>,
    session_id: &str,
    ids: &[&str],
    wait: WaitOptions,
) -> Result<(), GaveUp> {
    let req = DescribeSessionContextsRequest { session_id: session_id.into() };
    poll(&api.env, wait, api.cfg.timeout_ms, || api.call(&req), |r| listed_step(r, ids)).await
}

fn listed_step(r: Result<Reply<Vec<ContextBindingData>>, ApiError>, ids: &[&str]) -> Step<()> {
    match r {
        Err(e) => Step::Failed(e.into()),
        Ok(r) => match r.explicit_failure("Unknown error") {
            Some(m) => Step::Failed(Fault::Refused(m)),
            None => {
                let listed = r.data.unwrap_or_default();
                if ids.iter().all(|id| listed.iter().any(|b| b.context_id == *id)) {
                    Step::Done(())
                } else {
                    Step::Pending
                }
            }
        },
    }
}

/// `listBindings()`.
pub async fn list_bindings<E: Env>(api: &Api<E>, s: &SessionHandle) -> ContextBindingsResult {
    if let Some(m) = s.deleted_error() {
        return ContextBindingsResult::fail("", m);
    }
    let req = DescribeSessionContextsRequest { session_id: s.id().into() };
    let reply = match api.call(&req).await {
        Ok(r) => r,
        Err(e) => return ContextBindingsResult::fail(e.request_id(), e.worded("Failed to list bindings")),
    };
    if let Some(m) = reply.explicit_failure("Unknown error") {
        return ContextBindingsResult::fail(reply.request_id, m);
    }
    let given = |s: String| (!s.is_empty()).then_some(s);
    let bindings = reply
        .data
        .unwrap_or_default()
        .into_iter()
        .map(|b| ContextBinding {
            context_id: b.context_id,
            context_name: given(b.context_name),
            path: b.path,
            policy: given(b.policy),
            bind_time: given(b.bind_time),
        })
        .collect();
    ContextBindingsResult { request_id: reply.request_id, success: true, bindings, error_message: None }
}
