//! `fileSystem.uploadFile()` / `downloadFile()` / `getFileTransferContextPath()`: files moved
//! between the caller and a session through the session's file-transfer context (official
//! `FileTransfer`).
//!
//! The context comes from GetAndLoadInternalContext (once per session handle). An upload PUTs
//! the bytes to the context's presigned URL and has the session download that key
//! (SyncContext `download`); a download has the session upload the file (SyncContext `upload`)
//! and GETs it. Both wait for that one task, then delete the key from the context, as the
//! official SDK does. Local files (Node) are read and written through [`LocalFiles`], which the
//! host provides; without one, only bytes go in and out.

use super::api::{Api, ApiError};
use super::context;
use super::context_manager::{self, TaskWait};
use super::handle::{SessionHandle, TransferContext};
use super::poll::{GaveUp, WaitOptions};
use super::progress::Progress;
use super::results::{FileTransferDownloadResult, FileTransferUploadResult};
use super::runtime::Env;
use super::wire::context_status::{task_type, TaskStatus};
use super::wire::envelope::internal_context_type;
use super::wire::request::GetAndLoadInternalContextRequest;
use std::rc::Rc;

/// The host's file system (Node's `fs`), for local paths.
pub trait LocalFiles {
    fn exists(&self, path: &str) -> bool;
    /// The whole file.
    fn read(&self, path: &str) -> Result<Vec<u8>, String>;
    /// `mkdir -p` of the directory `path` is in.
    fn make_parent_dirs(&self, path: &str) -> Result<(), String>;
    /// Creates or replaces the file.
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), String>;
}

/// What `uploadFile` sends.
pub enum Source<'a> {
    /// The bytes themselves.
    Bytes(Vec<u8>),
    /// A local file (needs [`LocalFiles`]).
    Local(&'a str),
}

/// The official options, in milliseconds.
#[derive(Debug, Clone)]
pub struct TransferOptions {
    /// `contentType` of the PUT (upload).
    pub content_type: Option<String>,
    /// Wait for the session's sync task (default true).
    pub wait: bool,
    /// `waitTimeout` (default 30 s).
    pub wait_timeout_ms: u64,
    /// `pollInterval` (default 1.5 s): the longest pause between two polls.
    pub poll_interval_ms: u64,
    /// Replace an existing local file (download; default true).
    pub overwrite: bool,
}

impl Default for TransferOptions {
    fn default() -> Self {
        TransferOptions {
            content_type: None,
            wait: true,
            wait_timeout_ms: 30_000,
            poll_interval_ms: 1_500,
            overwrite: true,
        }
    }
}

pub const NO_FS_UPLOAD: &str =
    "uploadFile(localPath, …) needs a file system (Node.js); here, pass the data instead (Uint8Array, ArrayBuffer or Blob)";
pub const NO_FS_DOWNLOAD: &str =
    "downloadFile(remotePath, localPath) needs a file system (Node.js); here, leave localPath out and use the result's content";

/// The session's file-transfer context: GetAndLoadInternalContext on first use, then the
/// handle's copy. `Err` is why there is none.
pub async fn ensure_context<E: Env>(api: &Api<E>, s: &SessionHandle) -> Result<TransferContext, String> {
    if let Some(m) = s.deleted_error() {
        return Err(m);
    }
    if let Some(c) = s.file_transfer() {
        return Ok(c);
    }
    // The flattened form (`ContextTypes.1`), as the official Python and Go SDKs send it.
    let req = GetAndLoadInternalContextRequest {
        session_id: s.id().into(),
        context_types: None,
        context_types_1: Some(internal_context_type::FILE_TRANSFER.into()),
    };
    let reply = match api.call(&req).await {
        Ok(r) => r,
        Err(e) => return Err(e.worded("Failed to call GetAndLoadInternalContext")),
    };
    if let Some(m) = reply.strict_error("Unknown error") {
        return Err(m);
    }
    let found =
        reply.data.unwrap_or_default().into_iter().find(|c| !c.context_id.is_empty() && !c.context_path.is_empty());
    match found {
        Some(c) => {
            let ctx = TransferContext { id: c.context_id, path: c.context_path };
            s.set_file_transfer(ctx.clone());
            Ok(ctx)
        }
        None => Err("Response contains no data".into()),
    }
}

/// `getFileTransferContextPath()`: where transferred files live in the session, if anywhere.
pub async fn context_path<E: Env>(api: &Api<E>, s: &SessionHandle) -> Option<String> {
    ensure_context(api, s).await.ok().map(|c| c.path)
}

/// `uploadFile(source, remotePath, options)`.
pub async fn upload<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    source: Source<'_>,
    fs: Option<&dyn LocalFiles>,
    remote: &str,
    opts: &TransferOptions,
    progress: &Rc<Progress>,
) -> FileTransferUploadResult {
    let fail = |m: String| FileTransferUploadResult::fail(remote, m);
    let data = match source {
        Source::Bytes(b) => b,
        Source::Local(local) => match fs {
            None => return fail(NO_FS_UPLOAD.into()),
            Some(fs) if !fs.exists(local) => return fail(format!("Local file not found: {local}")),
            Some(fs) => match fs.read(local) {
                Ok(b) => b,
                Err(e) => return fail(format!("Upload failed: {e}")),
            },
        },
    };
    let ctx = match ensure_context(api, s).await {
        Ok(c) => c,
        Err(m) => return fail(m),
    };
    let url = context::upload_url(api, &ctx.id, remote).await;
    let mut r = FileTransferUploadResult { request_id_upload_url: Some(url.request_id.clone()), ..fail(String::new()) };
    if !url.success {
        r.error = Some(format!("getFileUploadUrl failed: {}", url.error_message.unwrap_or_default()));
        return r;
    }
    let sent = data.len() as u64;
    let headers = opts.content_type.iter().map(|t| ("Content-Type".to_string(), t.clone())).collect();
    let put = api.raw_reporting("PUT", &url.url, headers, Some(data), api.cfg.max_response_bytes, progress.on_bytes());
    let status = match put.await {
        Ok(resp) => resp.status,
        Err(e) => {
            r.error = Some(format!("Upload exception: {e}"));
            return r;
        }
    };
    r.http_status = Some(status);
    if !matches!(status, 200 | 201 | 204) {
        r.bytes_sent = sent;
        r.error = Some(format!("Upload failed with HTTP {status}"));
        return r;
    }
    progress.finish(sent);
    r.bytes_sent = sent;
    r.etag = Some(String::new());
    // The session downloads the key from the context.
    let sync_id = match sync_one(api, s, &ctx, remote, task_type::DOWNLOAD).await {
        Ok(id) => id,
        Err((id, m)) => {
            r.request_id_sync = Some(id).filter(|i| !i.is_empty());
            r.error = Some(format!("session.context.sync(upload) failed: {m}"));
            return r;
        }
    };
    r.request_id_sync = Some(sync_id);
    if opts.wait {
        if let Err(why) = wait_task(api, s, &ctx, remote, task_type::DOWNLOAD, opts).await {
            r.error = Some(format!("Upload sync not finished: {why}"));
            return r;
        }
    }
    r.success = true;
    r.error = None;
    // The session has the file: the copy in the context is no longer needed (official cleanup).
    let _ = context::delete_file(api, &ctx.id, remote).await;
    r
}

/// `downloadFile(remotePath, localPath?, options)`: into `local` (needs `fs`), or into the
/// result's bytes.
pub async fn download<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    remote: &str,
    local: Option<&str>,
    fs: Option<&dyn LocalFiles>,
    opts: &TransferOptions,
    progress: &Rc<Progress>,
) -> FileTransferDownloadResult {
    let local_path = local.unwrap_or("");
    let fail = |m: String| FileTransferDownloadResult::fail(remote, local_path, m);
    let dest = match (local, fs) {
        (Some(_), None) => return fail(NO_FS_DOWNLOAD.into()),
        (Some(p), Some(fs)) => Some((p, fs)),
        (None, _) => None,
    };
    let ctx = match ensure_context(api, s).await {
        Ok(c) => c,
        Err(m) => return fail(m),
    };
    // The session uploads the file into the context.
    let mut r = fail(String::new());
    let sync_id = match sync_one(api, s, &ctx, remote, task_type::UPLOAD).await {
        Ok(id) => id,
        Err((id, m)) => {
            r.request_id_sync = Some(id).filter(|i| !i.is_empty());
            r.error = Some(format!("session.context.sync(download) failed: {m}"));
            return r;
        }
    };
    r.request_id_sync = Some(sync_id);
    if opts.wait {
        if let Err(why) = wait_task(api, s, &ctx, remote, task_type::UPLOAD, opts).await {
            r.error = Some(format!("Download sync not finished: {why}"));
            return r;
        }
    }
    let url = context::download_url(api, &ctx.id, remote).await;
    r.request_id_download_url = Some(url.request_id.clone());
    if !url.success {
        r.error = Some(format!("getFileDownloadUrl failed: {}", url.error_message.unwrap_or_default()));
        return r;
    }
    if let Some((path, fs)) = dest {
        if let Err(e) = fs.make_parent_dirs(path) {
            r.error = Some(format!("Download exception: {e}"));
            return r;
        }
        if !opts.overwrite && fs.exists(path) {
            r.error = Some(format!("Destination exists and overwrite=false: {path}"));
            return r;
        }
    }
    let get = api.raw_reporting("GET", &url.url, Vec::new(), None, api.cfg.max_download_bytes, progress.on_bytes());
    let body = match get.await {
        Ok(resp) if resp.status == 200 => resp.body,
        Ok(resp) => {
            r.http_status = Some(resp.status);
            r.error = Some(format!("Download exception: HTTP {}", resp.status));
            return r;
        }
        Err(e) => {
            r.error = Some(format!("Download exception: {e}"));
            return r;
        }
    };
    r.http_status = Some(200);
    r.bytes_received = body.len() as u64;
    match dest {
        Some((path, fs)) => {
            if let Err(e) = fs.write(path, &body) {
                r.error = Some(format!("Download exception: {e}"));
                return r;
            }
        }
        None => r.bytes = body,
    }
    progress.finish(r.bytes_received);
    r.success = true;
    r.error = None;
    // The caller has the file: the copy in the context is no longer needed (official cleanup).
    let _ = context::delete_file(api, &ctx.id, remote).await;
    r
}

/// SyncContext of the transfer context for one path; `Err((request id, message))`.
async fn sync_one<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    ctx: &TransferContext,
    remote: &str,
    mode: &str,
) -> Result<String, (String, String)> {
    // A refusal reads `[Code] Message` (e.g. a path outside the transfer directory).
    let worded: fn(&ApiError) -> String = |e| e.worded("Failed to sync context");
    context_manager::sync_start(api, s, Some(&ctx.id), Some(remote), Some(mode), worded)
        .await
        .map_err(|f| (f.request_id, f.error_message.unwrap_or_default()))
}

/// Waits for the task of `kind` the sync of `remote` started (official `waitForTask`): until it
/// is `Success`, or `Failed` with its error, within `waitTimeout`.
async fn wait_task<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    ctx: &TransferContext,
    remote: &str,
    kind: &str,
    opts: &TransferOptions,
) -> Result<(), String> {
    let interval = opts.poll_interval_ms.max(1);
    let wait = WaitOptions::new(opts.wait_timeout_ms, interval.min(100), interval);
    let req = context_manager::info_request(s.id(), Some(&ctx.id), Some(remote), Some(kind));
    let watched = |t: &TaskStatus| t.context_id == ctx.id && t.path == remote && t.task_type == kind;
    let required = [ctx.id.as_str()];
    let waited = context_manager::wait_tasks(api, req, &watched, &required, wait, &mut |_| {}).await;
    task_outcome(waited)
}

/// The official wording of a wait's end.
fn task_outcome(w: TaskWait) -> Result<(), String> {
    if let Some(t) = w.failed.first() {
        let why = if t.error_message.is_empty() { "the task failed" } else { t.error_message.as_str() };
        return Err(format!("Task error: {why}"));
    }
    match w.gave_up {
        None => Ok(()),
        Some(GaveUp::Budget { last: None, .. }) => Err("task not finished".into()),
        Some(g) => Err(format!("info error: {g}")),
    }
}
