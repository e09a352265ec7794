//! Result shapes returned to JavaScript (camelCase; absent optionals are omitted so
//! JS sees `undefined`, matching the official SDK's `toBeUndefined()` expectations).
//!
//! Their TypeScript declarations are generated from these types (feature `ts`, see
//! tests/typescript.rs): doc comments become JSDoc, `Option` fields become `field?: T`.

use super::wire::context_status::TaskStatus;
use super::wire::envelope::McpTool;
use super::wire::tool::FileInfo;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

macro_rules! result_struct {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// The id of the API request behind this result (`""` when none was sent).
            pub request_id: String,
            /// Whether the operation succeeded; when false, `errorMessage` says why.
            pub success: bool,
            $($(#[$fm])* pub $f: $t,)*
            /// Why the operation failed.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub error_message: Option<String>,
        }

        impl $name {
            #[allow(clippy::needless_update)]
            pub fn fail(request_id: impl Into<String>, msg: impl Into<String>) -> Self {
                $name { request_id: request_id.into(), success: false, error_message: Some(msg.into()), ..Default::default() }
            }
        }

        impl super::api::Failure for $name {
            fn fail(request_id: impl Into<String>, msg: impl Into<String>) -> Self {
                $name::fail(request_id, msg)
            }
        }
    };
}

result_struct!(
    /// What every result has. The other results repeat these three fields.
    ApiResult {}
);

/// The session part of a create/get result; the JS layer turns it into a `Session`, whose
/// getters read these fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionData {
    pub session_id: String,
    pub resource_url: String,
    pub token: String,
    pub link_url: String,
    pub image_id: String,
    /// `AppInstanceId` of CreateMcpSession / GetSession (`""` for `new Session(agentBay, id)`).
    pub app_instance_id: String,
    /// The streaming WebSocket URL (`WsUrl`; `""` when the server gives none, as agentbay-local).
    pub ws_url: String,
    /// What `create()`'s `enableBrowserReplay` said (`false` when absent, and for sessions from
    /// `get()` or `new Session`).
    pub enable_browser_replay: bool,
    /// The tools of the reply's `ToolList` (`[]` when it is absent or malformed).
    pub mcp_tools: Vec<McpTool>,
}

result_struct!(
    /// `create` / `get`.
    SessionResult {
        /// The session. Also set when `create()` failed only because a context download was
        /// not confirmed: delete it then.
        #[cfg_attr(feature = "ts", ts(type = "Session", optional))]
        #[serde(skip_serializing_if = "Option::is_none")]
        session: Option<SessionData>,
        /// Context downloads that ended `Failed` while `create` waited.
        #[serde(skip_serializing_if = "Option::is_none")]
        context_sync_failures: Option<Vec<TaskStatus>>,
        /// Downloads still unfinished when the bounded wait ran out.
        #[serde(skip_serializing_if = "Option::is_none")]
        context_sync_pending: Option<Vec<TaskStatus>>,
    }
);

/// `session.callMcpTool()` (the official `McpToolResult`): `errorMessage` is always there, `""`
/// on success.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct McpToolResult {
    /// The id of the `CallMcpTool` request (`""` when none was sent or none came back).
    pub request_id: String,
    /// Whether the tool ran and did not report an error (`isError`).
    pub success: bool,
    /// The tool's text output (`content[0].text`; the result object as JSON when that is empty);
    /// `""` on failure (except for `run_code`, whose error text it keeps, as officially).
    pub data: String,
    /// Why the call failed: the tool's error texts joined with `"; "`, or the API error; `""` on
    /// success.
    pub error_message: String,
}

impl McpToolResult {
    pub fn fail(request_id: impl Into<String>, msg: impl Into<String>) -> Self {
        McpToolResult { request_id: request_id.into(), success: false, data: String::new(), error_message: msg.into() }
    }
}

result_struct!(
    /// `session.listMcpTools()` (the official `McpToolsResult`).
    McpToolsResult {
        /// The tools the image offers (`[]` on failure).
        tools: Vec<McpTool>,
    }
);

result_struct!(
    /// `delete(syncContext)`: the deletion's outcome, plus what the pre-delete sync
    /// reported when it did not fully succeed (the deletion goes ahead, as officially).
    DeleteResult {
        /// With `syncContext`: why the pre-delete upload did not fully succeed (the session is
        /// deleted anyway).
        #[serde(skip_serializing_if = "Option::is_none")]
        context_sync_error: Option<String>,
        /// With `syncContext`: the upload tasks that ended `Failed`.
        #[serde(skip_serializing_if = "Option::is_none")]
        context_sync_failures: Option<Vec<TaskStatus>>,
    }
);

result_struct!(
    /// `context.update` / `context.delete` / `context.deleteFile`: an action without data.
    OperationResult {
        /// `true` on success, `false` when the server refused (as officially).
        #[cfg_attr(feature = "ts", ts(type = "boolean", optional))]
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<Value>,
    }
);

result_struct!(
    /// A filesystem action without data (`writeFile`, `createDirectory`, `deleteFile`, …).
    BoolResult {
        /// `true` on success.
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<bool>,
    }
);

result_struct!(
    /// `command.executeCommand`.
    CommandResult {
        /// What the command printed (stdout, or stderr when it failed), as officially.
        output: String,
        /// The exit code, when the command ran to the end.
        #[serde(skip_serializing_if = "Option::is_none")]
        exit_code: Option<i64>,
        /// Standard output, when the tool reports it separately.
        #[serde(skip_serializing_if = "Option::is_none")]
        stdout: Option<String>,
        /// Standard error, when the tool reports it separately.
        #[serde(skip_serializing_if = "Option::is_none")]
        stderr: Option<String>,
        /// The tool call's trace id, when the server gives one.
        #[serde(skip_serializing_if = "Option::is_none")]
        trace_id: Option<String>,
    }
);

/// The fields of a context (the official `Context` plus the `state`/`osType` it dropped). In
/// TypeScript `ContextData`: results hold `Context` class instances with these fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields, rename = "ContextData"))]
#[serde(rename_all = "camelCase")]
pub struct Context {
    /// The context id (`SdkCtx-…`): what `ContextSync` and the file calls take.
    pub id: String,
    /// The context's unique name.
    pub name: String,
    /// When it was created, as the server formats it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When a session last used it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    /// Its state (`available`, `in-use`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The OS of the sessions that used it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,
}

result_struct!(
    /// `context.get` / `context.create`.
    ContextResult {
        /// The context's id (`""` when not found).
        context_id: String,
        /// The context, when found or created.
        #[cfg_attr(feature = "ts", ts(type = "Context", optional))]
        #[serde(skip_serializing_if = "Option::is_none")]
        context: Option<Context>,
    }
);

result_struct!(
    /// `context.list`: one page of contexts.
    ContextListResult {
        /// The contexts of this page.
        #[cfg_attr(feature = "ts", ts(type = "Array<Context>"))]
        contexts: Vec<Context>,
        /// Pass it as `nextToken` for the next page; absent on the last page.
        #[serde(skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
        /// The page size used.
        #[serde(skip_serializing_if = "Option::is_none")]
        max_results: Option<u64>,
        /// How many contexts there are in all.
        #[serde(skip_serializing_if = "Option::is_none")]
        total_count: Option<u64>,
    }
);

result_struct!(
    /// `context.getFileUploadUrl` / `context.getFileDownloadUrl`: a presigned URL.
    FileUrlResult {
        /// The presigned URL (`""` on failure).
        url: String,
        /// When the URL expires (Unix seconds), when the server says.
        #[serde(skip_serializing_if = "Option::is_none")]
        expire_time: Option<u64>,
    }
);

/// One file of a context (`context.listFiles`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct ContextFileEntry {
    /// The file's id in the context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_id: Option<String>,
    /// The file's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// The file's path in the context.
    pub file_path: String,
    /// `file` or `folder`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    /// When it was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gmt_create: Option<String>,
    /// When it was last modified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gmt_modified: Option<String>,
    /// Size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Its status in the context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

result_struct!(
    /// `context.listFiles`: one page of a context folder.
    ContextFileListResult {
        /// The files of this page.
        entries: Vec<ContextFileEntry>,
        /// How many files the folder has in all.
        #[serde(skip_serializing_if = "Option::is_none")]
        count: Option<u64>,
        /// The token of the next page (token paging; absent on the last page).
        #[serde(skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
    }
);

result_struct!(
    /// `session.betaPauseAsync` / `betaResumeAsync` (the official `SessionPauseResult` and
    /// `SessionResumeResult`, which have the same fields).
    SessionPauseResult {
        /// The session's status at the end (`PAUSED` / `RUNNING` on success).
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        /// The server's error code, when it refused the request.
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        /// The server's message, when it refused the request.
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// The HTTP status the server gave with a refusal.
        #[serde(skip_serializing_if = "Option::is_none")]
        http_status_code: Option<u16>,
    }
);

result_struct!(
    /// `context.clear` / `context.clearAsync` / `context.getClearStatus`.
    ClearContextResult {
        /// The clearing state (`clearing`, then `available` once done).
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        /// The context being cleared.
        #[serde(skip_serializing_if = "Option::is_none")]
        context_id: Option<String>,
    }
);

result_struct!(
    /// `session.context.info`: the session's sync tasks.
    ContextInfoResult {
        /// Every upload/download task the server reports (filtered by the call's arguments).
        context_status_data: Vec<TaskStatus>,
    }
);

result_struct!(
    /// `session.context.sync()`: which tasks failed (or were still running at the bound).
    ContextSyncResult {
        /// Tasks that ended `Failed`.
        #[serde(skip_serializing_if = "Option::is_none")]
        failed_tasks: Option<Vec<TaskStatus>>,
        /// Tasks still running when the wait ran out.
        #[serde(skip_serializing_if = "Option::is_none")]
        pending_tasks: Option<Vec<TaskStatus>>,
    }
);

result_struct!(
    /// `session.context.bind()`: whether the contexts were bound (and, when waited for, listed
    /// by the session and downloaded).
    ContextBindResult {}
);

/// One context a session mounts (`session.context.listBindings()`): at create or by a bind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct ContextBinding {
    /// The context's id.
    pub context_id: String,
    /// The context's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_name: Option<String>,
    /// Where it is mounted in the session.
    pub path: String,
    /// Its sync policy, as JSON text; absent for a live mount (`BetaContextMount`), which has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// When it was bound (ISO 8601, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind_time: Option<String>,
}

result_struct!(
    /// `session.context.listBindings()`: every context the session mounts, in order.
    ContextBindingsResult {
        /// The mounts (`[]` on failure).
        bindings: Vec<ContextBinding>,
    }
);

/// `fileSystem.uploadFile()` (the official file-transfer `UploadResult`; named apart from
/// `context.uploadFile`'s `UploadResult`). Failures are `success: false` with `error`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct FileTransferUploadResult {
    /// Whether the file is in the session (with `wait`), or at least uploaded and its sync started.
    pub success: bool,
    /// The request id of GetContextFileUploadUrl.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id_upload_url: Option<String>,
    /// The request id of SyncContext.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id_sync: Option<String>,
    /// The HTTP status of the presigned PUT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The ETag of the upload (`""`: the server gives none, as officially).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// How many bytes were sent.
    pub bytes_sent: u64,
    /// The remote path (in the session).
    pub path: String,
    /// Why the upload failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl FileTransferUploadResult {
    pub fn fail(path: &str, error: impl Into<String>) -> Self {
        FileTransferUploadResult { path: path.into(), error: Some(error.into()), ..Default::default() }
    }
}

/// `fileSystem.downloadFile()` (the official file-transfer `DownloadResult`; TypeScript
/// `FileTransferDownloadResult`, with `content` when no local path was given).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields, rename = "FileTransferDownloadFields"))]
#[serde(rename_all = "camelCase")]
pub struct FileTransferDownloadResult {
    /// Whether the file was downloaded (and written to `localPath`, when one was given).
    pub success: bool,
    /// The request id of GetContextFileDownloadUrl.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id_download_url: Option<String>,
    /// The request id of SyncContext.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id_sync: Option<String>,
    /// The HTTP status of the presigned GET.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// How many bytes were received.
    pub bytes_received: u64,
    /// The remote path (in the session).
    pub path: String,
    /// Where the file was written (`""` when no local path was given).
    pub local_path: String,
    /// Why the download failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The bytes, when no local path was given (the JS layer sets them as `content`).
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

impl FileTransferDownloadResult {
    pub fn fail(path: &str, local_path: &str, error: impl Into<String>) -> Self {
        FileTransferDownloadResult {
            path: path.into(),
            local_path: local_path.into(),
            error: Some(error.into()),
            ..Default::default()
        }
    }
}

/// One session of `agentBay.list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SessionListItem {
    /// The session's id (`agentBay.get(sessionId)` opens it).
    pub session_id: String,
    /// Its status (`RUNNING`, …).
    pub session_status: String,
}

result_struct!(
    /// `agentBay.list`: one page of session ids.
    SessionListResult {
        /// The sessions of this page.
        session_ids: Vec<SessionListItem>,
        /// Set when there are more pages.
        #[serde(skip_serializing_if = "Option::is_none")]
        next_token: Option<String>,
        /// The page size used.
        #[serde(skip_serializing_if = "Option::is_none")]
        max_results: Option<u64>,
        /// How many sessions match in all.
        #[serde(skip_serializing_if = "Option::is_none")]
        total_count: Option<u64>,
    }
);

result_struct!(
    /// `session.getLabels`.
    LabelResult {
        /// The session's labels.
        #[cfg_attr(feature = "ts", ts(type = "Record<string, string>", optional))]
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<BTreeMap<String, String>>,
    }
);

/// `session.info()`'s data: how to reach the session's resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// The session's id.
    pub session_id: String,
    /// The resource URL.
    pub resource_url: String,
    /// The app id of the resource.
    pub app_id: String,
    /// The auth code for connecting.
    pub auth_code: String,
    /// Connection properties (JSON text).
    pub connection_properties: String,
    /// The resource id.
    pub resource_id: String,
    /// The resource type.
    pub resource_type: String,
    /// The connection ticket.
    pub ticket: String,
}

result_struct!(
    /// `session.info`.
    SessionInfoResult {
        /// The session's connection information.
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<SessionInfo>,
    }
);

result_struct!(
    /// `session.getStatus`.
    SessionStatusResult {
        /// The session's status (`RUNNING`, `DELETING`, …).
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        /// The server's error code, when the call failed.
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        /// The HTTP status of a failed call.
        #[serde(skip_serializing_if = "Option::is_none")]
        http_status_code: Option<u16>,
    }
);

result_struct!(
    /// `fileSystem.readFile` (text).
    FileContentResult {
        /// The file's text (`""` on failure).
        content: String,
    }
);

result_struct!(
    /// Bytes read from a session file or a context file (the JS layer makes a `Uint8Array`;
    /// TypeScript calls it `DownloadResult` / `BinaryFileContentResult`, see src/typescript.rs).
    BinaryResult {
        /// The bytes (the JS layer sets them as `content`).
        #[serde(skip)]
        bytes: Vec<u8>,
        /// How many bytes were read.
        #[serde(skip_serializing_if = "Option::is_none")]
        size: Option<u64>,
        /// The HTTP status of the presigned download (context files only).
        #[serde(skip_serializing_if = "Option::is_none")]
        http_status: Option<u16>,
    }
);

result_struct!(
    /// `fileSystem.getFileInfo`.
    FileInfoResult {
        /// The parsed `get_file_info` output.
        #[serde(skip_serializing_if = "Option::is_none")]
        file_info: Option<FileInfo>,
    }
);

/// One entry of `fileSystem.listDirectory`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DirectoryEntry {
    /// The entry's name.
    pub name: String,
    /// Whether it is a directory.
    pub is_directory: bool,
}

result_struct!(
    /// `fileSystem.listDirectory`.
    DirectoryListResult {
        /// The directory's entries (`[]` on failure).
        entries: Vec<DirectoryEntry>,
    }
);

result_struct!(
    /// `context.uploadFile`.
    UploadResult {
        /// The HTTP status of the presigned upload.
        #[serde(skip_serializing_if = "Option::is_none")]
        http_status: Option<u16>,
        /// How many bytes were sent.
        bytes_sent: u64,
    }
);

result_struct!(
    /// `searchFiles`: the matching paths (`[]` on failure, as officially).
    FileSearchResult {
        /// The matching paths.
        matches: Vec<String>,
    }
);

result_struct!(
    /// `readMultipleFiles`: path → content (`{}` on failure, as officially).
    MultipleFileContentResult {
        /// Path → content; a file the tool could not read maps to its `Error - <reason>` text.
        #[cfg_attr(feature = "ts", ts(type = "Record<string, string>"))]
        contents: BTreeMap<String, String>,
    }
);
