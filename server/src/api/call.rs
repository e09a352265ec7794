//! What the action handlers (`sessions`, `contexts`) and the file route (`files`) share, so
//! they import it instead of the dispatcher in `api/mod.rs` or each other: the call a handler
//! gets ([`Call`], with the tenant's session and context lookups), the answer it gives
//! ([`Answer`], [`Handled`]), list paging tokens, and how a failed or crashed request is
//! answered ([`error_response`], [`caught`]).

use super::error::ApiError;
use super::params::Params;
use crate::state::{AppState, Session};
use crate::store::db::{self, ContextRow};
use agentbay_wire::envelope::Envelope;
use agentbay_wire::field;
use agentbay_wire::request::Request as WireRequest;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

/// Everything an action handler needs.
pub struct Call {
    pub st: Arc<AppState>,
    pub tenant: String,
    pub p: Params,
    /// `scheme://host[:port]` as the client reached us (for presigned URLs).
    pub base_url: String,
}

impl Call {
    /// The action's request, read from the parameters through the wire contract: names the
    /// action does not take are refused first, then every field is decoded.
    pub fn request<R: WireRequest>(&self) -> Result<R, ApiError> {
        self.p.check_names(R::ACTION.as_str(), R::FIELDS)?;
        R::from_fields(&|k| self.p.raw(k)).map_err(ApiError::from)
    }

    /// The tenant's live session `id`, or not-found (also for other tenants' ids).
    pub fn session(&self, id: &str) -> Result<Arc<Session>, ApiError> {
        self.st.session(&self.tenant, id).ok_or_else(|| ApiError::SessionNotFound(id.into()))
    }

    /// The tenant's context `id`, or not-found (also for other tenants' ids).
    pub fn context(&self, id: &str) -> Result<ContextRow, ApiError> {
        db::context_by_id(&self.st.store.db(), &self.tenant, id)?.ok_or_else(|| ApiError::ContextNotFound(id.into()))
    }

    /// The tenant's context `id`, about to be read: a live tree of it is written back first
    /// (`crate::live`), so the read sees what sessions wrote there.
    pub fn context_to_read(&self, id: &str) -> Result<ContextRow, ApiError> {
        let row = self.context(id)?;
        self.st.live.flush_if_live(&self.st.store, id)?;
        Ok(row)
    }

    /// The tenant's context `id`, about to be written through the API: refused while sessions
    /// mount it live, whose trees would overwrite the write (`crate::live`).
    pub fn context_to_write(&self, id: &str) -> Result<ContextRow, ApiError> {
        let row = self.context(id)?;
        live_refusal(&self.st, id)?;
        Ok(row)
    }
}

/// `Err(ContextLive)` while sessions mount context `id` live.
pub fn live_refusal(st: &crate::state::AppState, id: &str) -> Result<(), ApiError> {
    match st.live.users(id) {
        Some(ids) => Err(ApiError::ContextLive(id.into(), ids)),
        None => Ok(()),
    }
}

/// A handler's successful answer: the action's `Data` (typed by the contract) plus the list
/// fields some actions add to the envelope.
pub struct Answer<D> {
    pub data: Option<D>,
    pub next_token: Option<String>,
    pub max_results: Option<u32>,
    pub total_count: Option<u64>,
    pub count: Option<u64>,
}

impl<D> Answer<D> {
    pub fn data(d: D) -> Answer<D> {
        Answer { data: Some(d), next_token: None, max_results: None, total_count: None, count: None }
    }
    /// No `Data` at all (the actions whose reply is [`Empty`]).
    pub fn empty() -> Answer<D> {
        Answer { data: None, next_token: None, max_results: None, total_count: None, count: None }
    }
}

/// A handler of action `R`: its result type is the contract's reply type.
pub type Handled<R> = Result<Answer<<R as WireRequest>::Reply>, ApiError>;

/// An answer as it goes into the envelope.
pub type Reply = Answer<Value>;
pub type ApiResult = Result<Reply, ApiError>;

pub(super) fn erase<D: serde::Serialize>(a: Answer<D>) -> Reply {
    Answer {
        data: a.data.map(|d| serde_json::to_value(d).unwrap_or(Value::Null)),
        next_token: a.next_token,
        max_results: a.max_results,
        total_count: a.total_count,
        count: a.count,
    }
}

/// Largest page offset a token may carry: SQLite takes offsets as signed 64-bit integers,
/// and no listing here comes near it.
const MAX_OFFSET: u64 = i64::MAX as u64;

/// Parses a page token (a decimal offset this server issued).
pub fn parse_token(token: Option<&str>) -> Result<u64, ApiError> {
    match token {
        None => Ok(0),
        Some(t) => t
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= MAX_OFFSET)
            .ok_or_else(|| ApiError::invalid(field::NEXT_TOKEN, format!("'{t}' is not a token this server issued"))),
    }
}

/// Next token after a page at `offset` of `len` items out of `total` (None = last page).
pub fn next_token(offset: u64, len: usize, total: u64) -> Option<String> {
    let next = offset.saturating_add(len as u64);
    (next < total && len > 0).then(|| next.to_string())
}

pub(super) fn json_response(status: StatusCode, env: &Envelope<Value>) -> Response {
    let body = serde_json::to_vec(env).unwrap_or_else(|_| b"{}".to_vec());
    (status, [(header::CONTENT_TYPE, "application/json;charset=utf-8")], body).into_response()
}

pub fn error_response(e: &ApiError, request_id: &str) -> Response {
    let status = e.status();
    json_response(
        status,
        &Envelope {
            request_id: request_id.into(),
            success: Some(false),
            code: Some(e.code().into()),
            message: Some(e.to_string()),
            http_status_code: Some(status.as_u16()),
            ..Default::default()
        },
    )
}

/// Runs a request's future as a task of its own, so a panic anywhere in it (a bug an input
/// found) becomes an `InternalError` reply instead of a dropped connection or worse.
pub async fn caught<F>(fut: F) -> Result<F::Output, ApiError>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(fut).await.map_err(|e| ApiError::Internal(crate::util::panic_text(e)))
}
