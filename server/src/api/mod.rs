//! HTTP layer: the POP RPC endpoint (`POST /`, `GET /`) and the presigned file route.

pub mod contexts;
pub mod error;
pub mod files;
pub mod mount_policy;
pub mod params;
pub mod sessions;

use crate::state::AppState;
use agentbay_wire::request::{self as wire, Request as WireRequest};
use agentbay_wire::{action::Action, envelope::Envelope, field, API_VERSION};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use error::ApiError;
use params::Params;
use serde_json::Value;
use std::sync::Arc;

/// Largest API request body (form fields only; file content goes through presigned URLs).
const MAX_BODY: usize = 16 * 1024 * 1024;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(rpc).post(rpc))
        .route(crate::presign::ROUTE, get(files::get_file).put(files::put_file))
        .fallback(|| async {
            error_response(
                &ApiError::MalformedRequest("unknown path; the API is served at '/'".into()),
                &crate::util::request_id(),
            )
        })
        .with_state(state)
}

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

fn erase<D: serde::Serialize>(a: Answer<D>) -> Reply {
    Answer {
        data: a.data.map(|d| serde_json::to_value(d).unwrap_or(Value::Null)),
        next_token: a.next_token,
        max_results: a.max_results,
        total_count: a.total_count,
        count: a.count,
    }
}

/// Reads `R` and runs its handler on the blocking pool (handlers touch SQLite, the file system
/// and `std` locks).
async fn blocking<R: WireRequest + Send + 'static>(c: Call, handler: fn(Call, R) -> Handled<R>) -> ApiResult {
    let run = move || {
        let r = c.request::<R>()?;
        handler(c, r).map(erase)
    };
    tokio::task::spawn_blocking(run).await.map_err(|e| ApiError::Internal(panic_text(e)))?
}

fn json_response(status: StatusCode, env: &Envelope<Value>) -> Response {
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

/// Normalises the `Host` header: the Python SDK sends `http://127.0.0.1:8080`.
pub fn host_of(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(header::HOST)?.to_str().ok()?.trim();
    let raw = raw.strip_prefix("http://").or_else(|| raw.strip_prefix("https://")).unwrap_or(raw);
    let host = raw.split('/').next()?;
    let ok = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(c));
    ok.then(|| host.to_string())
}

/// Runs a request's future as a task of its own, so a panic anywhere in it (a bug an input
/// found) becomes an `InternalError` reply instead of a dropped connection or worse.
pub async fn caught<F>(fut: F) -> Result<F::Output, ApiError>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(fut).await.map_err(|e| ApiError::Internal(panic_text(e)))
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
    }
}

/// What a crashed handler task says (a panic is reported as an internal error, never an abort).
pub fn panic_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => {
            let msg = p
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| p.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            format!("the request handler panicked: {msg}")
        }
        Err(e) => format!("the request handler did not finish: {e}"),
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
