//! `agentBay.context`: contexts and their files.

use super::api::{Api, ApiError, Reply};
use super::poll::{poll, Step, WaitOptions};
use super::request::Params;
use super::results::*;
use super::runtime::Env;
use super::wire::envelope::{ContextData, ContextFileData, FileUrlData};
use super::wire::{action::Action, field};
use serde::Deserialize;
use serde_json::Value;

/// `list(params?)`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContextListParams {
    pub max_results: Option<u32>,
    pub next_token: Option<String>,
    pub session_id: Option<String>,
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

fn err_text(e: &ApiError) -> String {
    e.to_string()
}

pub async fn get<E: Env>(api: &Api<E>, name: &str, create: bool) -> ContextResult {
    let mut p = Params::new().set(field::NAME, name).set_bool(field::ALLOW_CREATE, create);
    if create {
        p = p.set_opt(field::LOGIN_REGION_ID, api.cfg.region_id.as_deref());
    }
    let fail = |rid: &str, m: String| ContextResult::fail(rid, format!("Failed to get context {name}: {m}"));
    let reply = match api.call(Action::GetContext, p).await {
        Ok(r) => r,
        Err(e) => return fail(&e.request_id(), err_text(&e)),
    };
    if let Some(m) = reply.body_error() {
        return ContextResult::fail(reply.request_id, m);
    }
    let data: ContextData = reply.data_as();
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
    let p = Params::new()
        .set(field::MAX_RESULTS, max.to_string())
        .set_opt(field::NEXT_TOKEN, params.next_token.as_deref())
        .set_opt(field::SESSION_ID, params.session_id.as_deref());
    let reply = match api.call(Action::ListContexts, p).await {
        Ok(r) => r,
        Err(e) => return ContextListResult::fail(e.request_id(), format!("Failed to list contexts: {e}")),
    };
    if let Some(m) = reply.strict_error("Failed to list contexts") {
        return ContextListResult::fail(reply.request_id, m);
    }
    let items: Vec<ContextData> = reply.data_as();
    ContextListResult {
        contexts: items.iter().map(context_from).collect(),
        next_token: reply.str_field("NextToken").filter(|t| !t.is_empty()).map(String::from),
        max_results: Some(reply.num_field("MaxResults").unwrap_or(u64::from(max))),
        total_count: reply.num_field("TotalCount"),
        request_id: reply.request_id,
        success: true,
        error_message: None,
    }
}

/// `update` / `delete`: `success = Success !== false` as officially.
async fn operation<E: Env>(api: &Api<E>, action: Action, p: Params, what: &str) -> OperationResult {
    match api.call(action, p).await {
        Err(e) => OperationResult::fail(e.request_id(), format!("{what}: {e}")),
        Ok(reply) => {
            if reply.success() == Some(false) {
                let m = format!(
                    "[{}] {}",
                    reply.str_field("Code").unwrap_or("Unknown"),
                    reply.str_field("Message").unwrap_or("Unknown error")
                );
                let mut r = OperationResult::fail(reply.request_id, m);
                r.data = Some(Value::Bool(false));
                r
            } else {
                OperationResult {
                    request_id: reply.request_id,
                    success: true,
                    data: Some(Value::Bool(true)),
                    error_message: None,
                }
            }
        }
    }
}

pub async fn update<E: Env>(api: &Api<E>, id: &str, name: &str) -> OperationResult {
    let p = Params::new().set(field::ID, id).set(field::NAME, name);
    operation(api, Action::ModifyContext, p, &format!("Failed to update context {id}")).await
}

pub async fn delete<E: Env>(api: &Api<E>, id: &str) -> OperationResult {
    operation(api, Action::DeleteContext, Params::new().set(field::ID, id), &format!("Failed to delete context {id}"))
        .await
}

async fn file_url<E: Env>(api: &Api<E>, action: Action, context_id: &str, path: &str) -> FileUrlResult {
    let p = Params::new().set(field::CONTEXT_ID, context_id).set(field::FILE_PATH, path);
    let reply = match api.call(action, p).await {
        Ok(r) => r,
        Err(e) => return FileUrlResult::fail(e.request_id(), format!("Failed to get file URL: {e}")),
    };
    if let Some(m) = reply.strict_error("Failed to get file URL") {
        return FileUrlResult::fail(reply.request_id, m);
    }
    let d: FileUrlData = reply.data_as();
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
    file_url(api, Action::GetContextFileUploadUrl, context_id, path).await
}

pub async fn download_url<E: Env>(api: &Api<E>, context_id: &str, path: &str) -> FileUrlResult {
    file_url(api, Action::GetContextFileDownloadUrl, context_id, path).await
}

pub async fn delete_file<E: Env>(api: &Api<E>, context_id: &str, path: &str) -> OperationResult {
    let p = Params::new().set(field::CONTEXT_ID, context_id).set(field::FILE_PATH, path);
    match api.call(Action::DeleteContextFile, p).await {
        Err(e) => OperationResult::fail(e.request_id(), format!("Failed to delete file: {e}")),
        Ok(reply) => match reply.strict_error("Failed to delete file") {
            Some(m) => OperationResult { data: Some(Value::Bool(false)), ..OperationResult::fail(reply.request_id, m) },
            None => OperationResult {
                request_id: reply.request_id,
                success: true,
                data: Some(Value::Bool(true)),
                error_message: None,
            },
        },
    }
}

pub async fn list_files<E: Env>(
    api: &Api<E>,
    context_id: &str,
    parent: &str,
    page: u32,
    size: u32,
) -> ContextFileListResult {
    let p = Params::new()
        .set(field::CONTEXT_ID, context_id)
        .set(field::PARENT_FOLDER_PATH, parent)
        .set(field::PAGE_NUMBER, page.to_string())
        .set(field::PAGE_SIZE, size.to_string());
    let reply = match api.call(Action::DescribeContextFiles, p).await {
        Ok(r) => r,
        Err(e) => return ContextFileListResult::fail(e.request_id(), format!("Failed to list files: {e}")),
    };
    if let Some(m) = reply.strict_error("Failed to list files") {
        return ContextFileListResult::fail(reply.request_id, m);
    }
    let items: Vec<ContextFileData> = reply.data_as();
    let entries = items
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
        count: reply.num_field("Count"),
        request_id: reply.request_id,
        success: true,
        entries,
        error_message: None,
    }
}

pub async fn clear_async<E: Env>(api: &Api<E>, context_id: &str) -> ClearContextResult {
    let reply = match api.call(Action::ClearContext, Params::new().set(field::ID, context_id)).await {
        Ok(r) => r,
        Err(e) => {
            return ClearContextResult::fail(
                e.request_id(),
                format!("Failed to start context clearing for {context_id}: {e}"),
            )
        }
    };
    if let Some(m) = reply.body_error() {
        return ClearContextResult::fail(reply.request_id, m);
    }
    ClearContextResult {
        request_id: reply.request_id,
        success: true,
        status: Some("clearing".into()),
        context_id: Some(context_id.into()),
        error_message: None,
    }
}

pub async fn clear_status<E: Env>(api: &Api<E>, context_id: &str) -> ClearContextResult {
    let p = Params::new().set(field::CONTEXT_ID, context_id).set_bool(field::ALLOW_CREATE, false);
    let reply: Reply = match api.call(Action::GetContext, p).await {
        Ok(r) => r,
        Err(e) => return ClearContextResult::fail(e.request_id(), format!("Failed to get clear status: {e}")),
    };
    if let Some(m) = reply.body_error() {
        return ClearContextResult::fail(reply.request_id, m);
    }
    if reply.data().is_null() {
        return ClearContextResult::fail(reply.request_id, "No data in response");
    }
    let d: ContextData = reply.data_as();
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
                    format!("Context clearing timed out after {:.2} seconds", elapsed as f64 / 1000.0),
                )
            }
        }
    }
}

/// PUT bytes to the presigned upload URL (200/201/204 accepted, as officially).
pub async fn upload_file<E: Env>(api: &Api<E>, context_id: &str, path: &str, data: Vec<u8>) -> UploadResult {
    let url = upload_url(api, context_id, path).await;
    if !url.success {
        return UploadResult::fail(url.request_id, url.error_message.unwrap_or_default());
    }
    let len = data.len() as u64;
    match api.raw("PUT", &url.url, Some(data), api.cfg.max_response_bytes).await {
        Err(e) => UploadResult::fail(url.request_id, format!("Upload failed: {e}")),
        Ok(r) if matches!(r.status, 200 | 201 | 204) => UploadResult {
            request_id: url.request_id,
            success: true,
            http_status: Some(r.status),
            bytes_sent: len,
            error_message: None,
        },
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
    let url = download_url(api, context_id, path).await;
    if !url.success {
        return BinaryResult::fail(url.request_id, url.error_message.unwrap_or_default());
    }
    match api.raw("GET", &url.url, None, api.cfg.max_download_bytes).await {
        Err(e) => BinaryResult::fail(url.request_id, format!("Download failed: {e}")),
        Ok(r) if r.status == 200 => BinaryResult {
            request_id: url.request_id,
            success: true,
            size: Some(r.body.len() as u64),
            bytes: r.body,
            http_status: Some(200),
            error_message: None,
        },
        Ok(r) => BinaryResult {
            http_status: Some(r.status),
            ..BinaryResult::fail(
                url.request_id,
                format!("Download failed: HTTP {}: {}", r.status, String::from_utf8_lossy(&r.body)),
            )
        },
    }
}
