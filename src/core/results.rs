//! Result shapes returned to JavaScript (camelCase; absent optionals are omitted so
//! JS sees `undefined`, matching the official SDK's `toBeUndefined()` expectations).

use super::wire::context_status::TaskStatus;
use super::wire::tool::FileInfo;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

macro_rules! result_struct {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub request_id: String,
            pub success: bool,
            $($(#[$fm])* pub $f: $t,)*
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

/// The session part of a create/get result; the JS layer turns it into a `Session`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionData {
    pub session_id: String,
    pub resource_url: String,
    pub token: String,
    pub link_url: String,
    pub image_id: String,
}

result_struct!(
    /// `create` / `get`.
    SessionResult {
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

result_struct!(
    /// `delete(syncContext)`: the deletion's outcome, plus what the pre-delete sync
    /// reported when it did not fully succeed (the deletion goes ahead, as officially).
    DeleteResult {
        #[serde(skip_serializing_if = "Option::is_none")]
        context_sync_error: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        context_sync_failures: Option<Vec<TaskStatus>>,
    }
);

result_struct!(OperationResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Value>,
});

result_struct!(BoolResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<bool>,
});

result_struct!(CommandResult {
    output: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stdout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stderr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace_id: Option<String>,
});

/// A context (the official `Context` plus the `state`/`osType` it dropped).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Context {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,
}

result_struct!(ContextResult {
    context_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<Context>,
});

result_struct!(ContextListResult {
    contexts: Vec<Context>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_results: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_count: Option<u64>,
});

result_struct!(FileUrlResult {
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expire_time: Option<u64>,
});

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextFileEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    pub file_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gmt_create: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gmt_modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

result_struct!(ContextFileListResult {
    entries: Vec<ContextFileEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u64>,
});

result_struct!(ClearContextResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context_id: Option<String>,
});

result_struct!(ContextInfoResult {
    context_status_data: Vec<TaskStatus>,
});

result_struct!(
    /// `session.context.sync()`: which tasks failed (or were still running at the bound).
    ContextSyncResult {
        #[serde(skip_serializing_if = "Option::is_none")]
        failed_tasks: Option<Vec<TaskStatus>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pending_tasks: Option<Vec<TaskStatus>>,
    }
);

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionListItem {
    pub session_id: String,
    pub session_status: String,
}

result_struct!(SessionListResult {
    session_ids: Vec<SessionListItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_results: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_count: Option<u64>,
});

result_struct!(LabelResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<BTreeMap<String, String>>,
});

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub session_id: String,
    pub resource_url: String,
    pub app_id: String,
    pub auth_code: String,
    pub connection_properties: String,
    pub resource_id: String,
    pub resource_type: String,
    pub ticket: String,
}

result_struct!(SessionInfoResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<SessionInfo>,
});

result_struct!(SessionStatusResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_status_code: Option<u16>,
});

result_struct!(FileContentResult { content: String });

result_struct!(
    /// Bytes read from a session file or a context file (the JS layer makes a `Uint8Array`).
    BinaryResult {
    #[serde(skip)]
    bytes: Vec<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_status: Option<u16>,
    }
);

result_struct!(FileInfoResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    file_info: Option<FileInfo>,
});

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryEntry {
    pub name: String,
    pub is_directory: bool,
}

result_struct!(DirectoryListResult {
    entries: Vec<DirectoryEntry>,
});

result_struct!(UploadResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    http_status: Option<u16>,
    bytes_sent: u64,
});

result_struct!(
    /// `searchFiles`: the matching paths (`[]` on failure, as officially).
    FileSearchResult { matches: Vec<String> }
);

result_struct!(
    /// `readMultipleFiles`: path → content (`{}` on failure, as officially).
    MultipleFileContentResult { contents: BTreeMap<String, String> }
);
