//! HTTP layer: the POP RPC endpoint (`POST /`, `GET /`) and the presigned file route.
//!
//! This module reads a request, authenticates it and dispatches its action to a handler:
//! `sessions` and `contexts` handle the actions, `files` the presigned route. What they all
//! share (the call, its answer, error replies) is `call`; `error` is how a request fails.

pub mod call;
pub mod contexts;
pub mod error;
pub mod files;
pub mod live_mounts;
pub mod mount_policy;
pub mod params;
pub mod sessions;
pub mod view;

use crate::state::AppState;
use agentbay_wire::request::{self as wire, Request as WireRequest};
use agentbay_wire::{action::Action, envelope::Envelope, field, API_VERSION};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use call::{caught, erase, error_response, json_response, ApiResult, Call, Handled};
use error::ApiError;
use params::Params;
use std::sync::Arc;

/// Largest API request body (form fields only; file content goes through presigned URLs).
const MAX_BODY: usize = 16 * 1024 * 1024;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(rpc).post(rpc))
        .route(crate::presign::ROUTE, get(files::get_file).put(files::put_file))
        .route(crate::presign::VIEW_ROUTE, get(view::session_page))
        .fallback(|| async {
            error_response(
                &ApiError::MalformedRequest("unknown path; the API is served at '/'".into()),
                &crate::util::request_id(),
            )
        })
        .with_state(state)
}

/// Reads `R` and runs its handler on the blocking pool (handlers touch SQLite, the file system
/// and `std` locks).
async fn blocking<R: WireRequest + Send + 'static>(c: Call, handler: fn(Call, R) -> Handled<R>) -> ApiResult {
    let run = move || {
        let r = c.request::<R>()?;
        handler(c, r).map(erase)
    };
    tokio::task::spawn_blocking(run).await.map_err(|e| ApiError::Internal(crate::util::panic_text(e)))?
}

/// Normalises the `Host` header: the Python SDK sends `http://127.0.0.1:8080`.
pub fn host_of(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(header::HOST)?.to_str().ok()?.trim();
    let raw = raw.strip_prefix("http://").or_else(|| raw.strip_prefix("https://")).unwrap_or(raw);
    let host = raw.split('/').next()?;
    let ok = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(c));
    ok.then(|| host.to_string())
}

async fn rpc(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let request_id = crate::util::request_id();
    match caught(handle(st, req)).await.and_then(|r| r) {
        Ok(r) => json_response(
            StatusCode::OK,
            &Envelope {
                request_id,
                success: Some(true),
                code: None,
                message: None,
                http_status_code: Some(200),
                data: r.data,
                next_token: r.next_token,
                max_results: r.max_results,
                total_count: r.total_count,
                count: r.count,
            },
        ),
        Err(e) => error_response(&e, &request_id),
    }
}

async fn handle(st: Arc<AppState>, req: Request) -> ApiResult {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(Body::new(body), MAX_BODY)
        .await
        .map_err(|e| ApiError::MalformedRequest(format!("could not read the body (limit {MAX_BODY} bytes): {e}")))?;
    let ct = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let p = Params::parse(parts.uri.query(), &body, ct)?;

    let header_action = parts.headers.get("x-acs-action").and_then(|v| v.to_str().ok()).filter(|s| !s.is_empty());
    let name = match (p.get(field::ACTION), header_action) {
        (Some(a), Some(h)) if a != h => {
            return Err(ApiError::invalid(field::ACTION, format!("'{a}' differs from the x-acs-action header '{h}'")))
        }
        (Some(a), _) => a.to_string(),
        (None, Some(h)) => h.to_string(),
        (None, None) => return Err(ApiError::MissingAction),
    };
    let action: Action = name.parse().map_err(|_| ApiError::UnknownAction(name.clone()))?;
    let header_version = parts.headers.get("x-acs-version").and_then(|v| v.to_str().ok());
    for v in [p.get(field::VERSION), header_version].into_iter().flatten() {
        if v != API_VERSION {
            return Err(ApiError::InvalidVersion(v.into()));
        }
    }
    let tenant = authenticate(&st, &p)?;
    let scheme = if st.tls { "https" } else { "http" };
    let host = host_of(&parts.headers).unwrap_or_else(|| call_addr(&st));
    let call = Call { st, tenant, p, base_url: format!("{scheme}://{host}") };
    dispatch(action, call).await
}

fn call_addr(st: &AppState) -> String {
    st.local_addr.to_string()
}

fn authenticate(st: &AppState, p: &Params) -> Result<String, ApiError> {
    let auth = p.get(field::AUTHORIZATION).ok_or(ApiError::MissingApiKey)?;
    let key = auth
        .get(..7)
        .filter(|b| b.eq_ignore_ascii_case(field::BEARER_PREFIX))
        .map(|_| auth[7..].trim())
        .filter(|k| !k.is_empty())
        .ok_or(ApiError::MalformedAuthorization)?;
    st.tenants.get(key).cloned().ok_or(ApiError::InvalidApiKey)
}

async fn dispatch(action: Action, c: Call) -> ApiResult {
    use Action::*;
    if let Some(fault) = &c.st.request_fault {
        fault(action.as_str());
    }
    // All but two run on the blocking pool: `CallMcpTool` awaits a sandbox process and
    // `DeleteSessionAsync` only flips a status, on the async workers.
    match action {
        CallMcpTool => {
            let r = c.request::<wire::CallMcpToolRequest>()?;
            sessions::call_tool(c, r).await.map(erase)
        }
        DeleteSessionAsync => {
            sessions::delete(&c, &c.request::<wire::DeleteSessionAsyncRequest>()?.session_id).map(erase)
        }
        ReleaseMcpSession => {
            sessions::delete(&c, &c.request::<wire::ReleaseMcpSessionRequest>()?.session_id).map(erase)
        }
        CreateMcpSession => blocking(c, sessions::create).await,
        GetSession => blocking(c, sessions::get).await,
        GetSessionDetail => blocking(c, sessions::detail).await,
        ListSession => blocking(c, sessions::list).await,
        SetLabel => blocking(c, sessions::set_label).await,
        GetLabel => blocking(c, sessions::get_label).await,
        ListMcpTools => blocking(c, sessions::list_tools).await,
        GetMcpResource => blocking(c, sessions::resource).await,
        SyncContext => blocking(c, sessions::sync_context).await,
        GetContextInfo => blocking(c, sessions::context_info).await,
        GetContext => blocking(c, contexts::get).await,
        ListContexts => blocking(c, contexts::list).await,
        ModifyContext => blocking(c, contexts::modify).await,
        DeleteContext => blocking(c, contexts::delete).await,
        ClearContext => blocking(c, contexts::clear).await,
        DescribeContextFiles => blocking(c, contexts::describe_files).await,
        GetContextFileUploadUrl => blocking(c, contexts::upload_url).await,
        GetContextFileDownloadUrl => blocking(c, contexts::download_url).await,
        DeleteContextFile => blocking(c, contexts::delete_file).await,
        RefreshSessionIdleTime => blocking(c, sessions::keep_alive).await,
        PauseSessionAsync => blocking(c, sessions::pause).await,
        ResumeSessionAsync => blocking(c, sessions::resume).await,
        BindContexts => blocking(c, sessions::bind_contexts).await,
        DescribeSessionContexts => blocking(c, sessions::describe_contexts).await,
        GetAndLoadInternalContext => blocking(c, sessions::internal_context).await,
    }
}
