//! `agentBay.context`: contexts and their files.

use super::api::{typed, Api, Check, Fields};
use super::poll::{poll, Step, WaitOptions};
use super::progress::Progress;
use super::results::*;
use super::runtime::Env;
use super::wire::action::Action;
use super::wire::envelope::{ContextData, FileUrlData};
use super::wire::request::*;
use serde::Deserialize;
use serde_json::Value;
use std::rc::Rc;

/// `context.list(params?)`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default)]
pub struct ContextListParams {
    /// Page size.
    pub max_results: Option<u32>,
    /// The `nextToken` of the previous page.
    pub next_token: Option<String>,
    /// Only the contexts this session uses.
    pub session_id: Option<String>,
}

// Read with `FromJson` (crates/agentbay-wire/src/from_json.rs); keys as serde's.
super::wire::from_json! {
    ContextListParams { max_results: "maxResults", next_token: "nextToken", session_id: "sessionId" }
}

/// Walking every page to fix the official first-page-only lookup is bounded so a
/// server that never ends its pages cannot hang `get()`.
const MAX_LOOKUP_PAGES: usize = 100;
const LOOKUP_PAGE_SIZE: u32 = 100;

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

pub fn context_from(d: &ContextData) -> Context {
    Context {
        id: d.id.clone(),
        name: d.name.clone(),
        created_at: opt(&d.create_time),
        last_used_at: opt(&d.last_used_time),
        state: opt(&d.state),
        os_type: opt(&d.os_type),
    }
}

pub async fn get<E: Env>(api: &Api<E>, name: &str, create: bool) -> ContextResult {
    let req = GetContextRequest {
        name: Some(name.into()),
        allow_create: Some(create),
        login_region_id: api.cfg.region_id.clone().filter(|_| create),
        ..Default::default()
    };
    let reply = match api.exchange(&req, &format!("Failed to get context {name}"), Check::Body).await {
        Ok(r) => r,
        Err(f) => return f,
    };
    let data = reply.data.unwrap_or_default();
    if data.id.is_empty() {
        return ContextResult::fail(reply.request_id, "Context ID not found in response");
    }
    let mut ctx = context_from(&data);
    if ctx.name.is_empty() {
        ctx.name = name.to_string();
    }
    // GetContext normally carries the timestamps; only look further when it did not,
    // and then search every page (the official SDK searches only the first).
    if ctx.created_at.is_none() {
        if let Some(found) = find_in_list(api, &ctx.id).await {
            ctx = found;
        }
    }
    ContextResult {
        request_id: reply.request_id,
        success: true,
        context_id: ctx.id.clone(),
        context: Some(ctx),
        error_message: None,
    }
}

async fn find_in_list<E: Env>(api: &Api<E>, id: &str) -> Option<Context> {
    let mut token: Option<String> = None;
    for _ in 0..MAX_LOOKUP_PAGES {
        let params =
            ContextListParams { max_results: Some(LOOKUP_PAGE_SIZE), next_token: token.clone(), session_id: None };
        let page = list(api, &params).await;
        if !page.success {
            return None;
        }
        if let Some(c) = page.contexts.into_iter().find(|c| c.id == id) {
            return Some(c);
        }
        token = page.next_token.filter(|t| !t.is_empty());
        token.as_ref()?;
    }
    None
}

pub async fn list<E: Env>(api: &Api<E>, params: &ContextListParams) -> ContextListResult {
    let max = params.max_results.unwrap_or(10);
    let req = ListContextsRequest {
        max_results: Some(Bounded(u64::from(max))),
        next_token: params.next_token.clone().filter(|t| !t.is_empty()),
        session_id: params.session_id.clone().filter(|s| !s.is_empty()),
        context_type: None,
    };
    let what = "Failed to list contexts";
    let reply = match api.exchange(&req, what, Check::Strict(what)).await {
        Ok(r) => r,
        Err(f) => return f,
    };
    ContextListResult {
        contexts: reply.data.unwrap_or_default().iter().map(context_from).collect(),
        next_token: reply.next_token.filter(|t| !t.is_empty()),
        max_results: Some(reply.max_results.map_or(u64::from(max), u64::from)),
        total_count: reply.total_count,
        request_id: reply.request_id,
        success: true,
        error_message: None,
    }
}

/// `update` / `delete` / `deleteFile`: the outcome of an action that returns no data, with
/// `data` true or false as officially.
async fn operation<E: Env>(
    api: &Api<E>,
    (action, fields): (Action, Fields),
    what: &str,
    check: Check<'_>,
) -> OperationResult {
    let r = match api.call_fields(action, fields).await {
        Ok(r) => r,
        Err(e) => return OperationResult::fail(e.request_id(), format!("{what}: {e}")),
    };
    match check.error(&r) {
        Some(m) => OperationResult { data: Some(Value::Bool(false)), ..OperationResult::fail(r.request_id, m) },
        None => OperationResult {
            request_id: r.request_id,
            success: true,
            data: Some(Value::Bool(true)),
            error_message: None,
        },
    }
}

/// The action and fields of `req`: what [`operation`] and [`file_url`] take, so that they are
/// compiled once rather than once per request type.
fn parts<R: Request>(req: R) -> (Action, Fields) {
    (R::ACTION, req.to_fields())
}

pub async fn update<E: Env>(api: &Api<E>, id: &str, name: &str) -> OperationResult {
    let req = ModifyContextRequest { id: id.into(), name: name.into() };
    operation(api, parts(req), &format!("Failed to update context {id}"), Check::ExplicitFalse("Unknown error")).await
}

pub async fn delete<E: Env>(api: &Api<E>, id: &str) -> OperationResult {
    let req = DeleteContextRequest { id: id.into() };
    operation(api, parts(req), &format!("Failed to delete context {id}"), Check::ExplicitFalse("Unknown error")).await
}

async fn file_url<E: Env>(api: &Api<E>, (action, fields): (Action, Fields)) -> FileUrlResult {
    let what = "Failed to get file URL";
    let reply = match api.exchange_fields(action, fields, what, Check::Strict(what)).await {
        Ok(r) => r,
        Err((id, m)) => return FileUrlResult::fail(id, m),
    };
    let reply = match typed::<FileUrlData>(action.as_str(), reply) {
        Ok(r) => r,
        Err(e) => return FileUrlResult::fail(e.request_id(), format!("{what}: {e}")),
    };
    let d = reply.data.unwrap_or_default();
    if d.url.is_empty() {
        return FileUrlResult::fail(reply.request_id, "File URL not found in response");
    }
    FileUrlResult {
        request_id: reply.request_id,
        success: true,
        url: d.url,
        expire_time: (d.expire_time > 0).then_some(d.expire_time),
        error_message: None,
    }
}

pub async fn upload_url<E: Env>(api: &Api<E>, context_id: &str, path: &str) -> FileUrlResult {
    file_url(api, parts(GetContextFileUploadUrlRequest { context_id: context_id.into(), file_path: path.into() })).await
}

pub async fn download_url<E: Env>(api: &Api<E>, context_id: &str, path: &str) -> FileUrlResult {
    file_url(api, parts(GetContextFileDownloadUrlRequest { context_id: context_id.into(), file_path: path.into() }))
        .await
}

pub async fn delete_file<E: Env>(api: &Api<E>, context_id: &str, path: &str) -> OperationResult {
    let req = DeleteContextFileRequest { context_id: context_id.into(), file_path: path.into() };
    operation(api, parts(req), "Failed to delete file", Check::Strict("Failed to delete file")).await
}

/// How `listFiles` pages, as officially: token paging as soon as `maxResults` or `nextToken`
/// is given (then page number and size are not sent), page number and size otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilePaging {
    Pages { page: u32, size: u32 },
    Tokens { max_results: Option<u32>, next_token: Option<String> },
}

pub async fn list_files<E: Env>(
    api: &Api<E>,
    context_id: &str,
    parent: &str,
    paging: FilePaging,
) -> ContextFileListResult {
    let mut req = DescribeContextFilesRequest {
        context_id: context_id.into(),
        parent_folder_path: Some(parent.into()),
        ..Default::default()
    };
    match paging {
        FilePaging::Pages { page, size } => {
            req.page_number = Some(Bounded(u64::from(page)));
            req.page_size = Some(Bounded(u64::from(size)));
        }
        FilePaging::Tokens { max_results, next_token } => {
            req.max_results = max_results.map(|m| Bounded(u64::from(m)));
            req.next_token = next_token;
        }
    }
    let what = "Failed to list files";
    let reply = match api.exchange(&req, what, Check::Strict(what)).await {
        Ok(r) => r,
        Err(f) => return f,
    };
    let entries = reply
        .data
        .unwrap_or_default()
        .into_iter()
        .map(|f| ContextFileEntry {
            file_id: opt(&f.file_id),
            file_name: opt(&f.file_name),
            file_path: f.file_path,
            file_type: opt(&f.file_type),
            gmt_create: opt(&f.gmt_create),
            gmt_modified: opt(&f.gmt_modified),
            size: Some(f.size),
            status: opt(&f.status),
        })
        .collect();
    ContextFileListResult {
        count: reply.count,
        next_token: reply.next_token.filter(|t| !t.is_empty()),
        request_id: reply.request_id,
        success: true,
        entries,
        error_message: None,
    }
}

pub async fn clear_async<E: Env>(api: &Api<E>, context_id: &str) -> ClearContextResult {
    let req = ClearContextRequest { id: context_id.into() };
    let what = format!("Failed to start context clearing for {context_id}");
    let reply = match api.exchange(&req, &what, Check::Body).await {
        Ok(r) => r,
        Err(f) => return f,
    };
    ClearContextResult {
        request_id: reply.request_id,
        success: true,
        status: Some("clearing".into()),
        context_id: Some(context_id.into()),
        error_message: None,
    }
}

pub async fn clear_status<E: Env>(api: &Api<E>, context_id: &str) -> ClearContextResult {
    let req =
        GetContextRequest { context_id: Some(context_id.into()), allow_create: Some(false), ..Default::default() };
    let reply = match api.exchange(&req, "Failed to get clear status", Check::Body).await {
        Ok(r) => r,
        Err(f) => return f,
    };
    let Some(d) = reply.data else {
        return ClearContextResult::fail(reply.request_id, "No data in response");
    };
    ClearContextResult {
        request_id: reply.request_id,
        success: true,
        status: Some(if d.state.is_empty() { "clearing".into() } else { d.state }),
        context_id: Some(if d.id.is_empty() { context_id.into() } else { d.id }),
        error_message: None,
    }
}

/// `clear(contextId, timeout = 60 s, pollInterval = 2 s)`. Unlike the official SDK the
/// first status check is immediate and a timeout resolves to `success:false`.
/// `ms` as seconds with two decimals (`5.00`), rounded half up, in integers: Rust's float
/// formatting would add about 15 KB to the .wasm for this one message.
fn seconds_2dp(ms: u64) -> String {
    let hundredths = ms.saturating_add(5) / 10;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

pub async fn clear<E: Env>(api: &Api<E>, context_id: &str, timeout_s: f64, poll_s: f64) -> ClearContextResult {
    let started = clear_async(api, context_id).await;
    if !started.success {
        return started;
    }
    let timeout_ms = (timeout_s.max(0.0) * 1000.0) as u64;
    let poll_ms = ((poll_s.max(0.05)) * 1000.0) as u64;
    let start = api.env.now_ms();
    let mut last_status = None;
    // Any failed status check ends the wait with that check's result, so the give-up rules of
    // poll() never come into play here; its fixed-interval schedule (initial = max) is the
    // official one.
    let outcome = poll(
        &api.env,
        WaitOptions::new(timeout_ms, poll_ms, poll_ms),
        api.cfg.timeout_ms,
        || clear_status(api, context_id),
        |st| {
            if !st.success || st.status.as_deref() == Some("available") {
                return Step::Done(st);
            }
            last_status = st.status;
            Step::Pending
        },
    )
    .await;
    match outcome {
        Ok(st) if st.success => ClearContextResult { request_id: started.request_id, ..st },
        Ok(failed) => failed,
        Err(_) => {
            let elapsed = api.env.now_ms().saturating_sub(start);
            ClearContextResult {
                status: last_status,
                context_id: Some(context_id.into()),
                ..ClearContextResult::fail(
                    started.request_id,
                    format!("Context clearing timed out after {} seconds", seconds_2dp(elapsed)),
                )
            }
        }
    }
}

/// PUT bytes to the presigned upload URL (200/201/204 accepted, as officially).
pub async fn upload_file<E: Env>(api: &Api<E>, context_id: &str, path: &str, data: Vec<u8>) -> UploadResult {
    upload_file_reporting(api, context_id, path, data, &Progress::none()).await
}

/// [`upload_file`], telling `progress` how far the bytes went.
pub async fn upload_file_reporting<E: Env>(
    api: &Api<E>,
    context_id: &str,
    path: &str,
    data: Vec<u8>,
    progress: &Rc<Progress>,
) -> UploadResult {
    let url = upload_url(api, context_id, path).await;
    if !url.success {
        return UploadResult::fail(url.request_id, url.error_message.unwrap_or_default());
    }
    let len = data.len() as u64;
    let put =
        api.raw_reporting("PUT", &url.url, Vec::new(), Some(data), api.cfg.max_response_bytes, progress.on_bytes());
    match put.await {
        Err(e) => UploadResult::fail(url.request_id, format!("Upload failed: {e}")),
        Ok(r) if matches!(r.status, 200 | 201 | 204) => {
            progress.finish(len);
            UploadResult {
                request_id: url.request_id,
                success: true,
                http_status: Some(r.status),
                bytes_sent: len,
                error_message: None,
            }
        }
        Ok(r) => UploadResult {
            http_status: Some(r.status),
            ..UploadResult::fail(
                url.request_id,
                format!("Upload failed: HTTP {}: {}", r.status, String::from_utf8_lossy(&r.body)),
            )
        },
    }
}

/// GET the presigned download URL; exactly 200 is success.
pub async fn download_file<E: Env>(api: &Api<E>, context_id: &str, path: &str) -> BinaryResult {
    download_file_reporting(api, context_id, path, &Progress::none()).await
}

/// [`download_file`], telling `progress` how far the bytes came.
pub async fn download_file_reporting<E: Env>(
    api: &Api<E>,
    context_id: &str,
    path: &str,
    progress: &Rc<Progress>,
) -> BinaryResult {
    let url = download_url(api, context_id, path).await;
    if !url.success {
        return BinaryResult::fail(url.request_id, url.error_message.unwrap_or_default());
    }
    let get = api.raw_reporting("GET", &url.url, Vec::new(), None, api.cfg.max_download_bytes, progress.on_bytes());
    match get.await {
        Err(e) => BinaryResult::fail(url.request_id, format!("Download failed: {e}")),
        Ok(r) if r.status == 200 => {
            progress.finish(r.body.len() as u64);
            BinaryResult {
                request_id: url.request_id,
                success: true,
                size: Some(r.body.len() as u64),
                bytes: r.body,
                http_status: Some(200),
                error_message: None,
            }
        }
        Ok(r) => BinaryResult {
            http_status: Some(r.status),
            ..BinaryResult::fail(
                url.request_id,
                format!("Download failed: HTTP {}: {}", r.status, String::from_utf8_lossy(&r.body)),
            )
        },
    }
}
