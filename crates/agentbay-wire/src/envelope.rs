//! The JSON response envelope and the typed `Data` payloads of each action.
//!
//! Field spellings follow the official SDK models exactly. Note the deliberate JSON-in-a-string fields (`ToolList`,
//! `Labels`, `ContextStatus`): the TS SDK throws if they arrive as objects.

use crate::from_json::{field, from_json, object, FromJson};
use serde::{Deserialize, Serialize};

/// Every response body. Reading tolerates missing fields (so the SDK can say precisely what a
/// server left out), the lower-case spellings some gateways use, and list numbers sent as
/// strings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Envelope<D> {
    #[serde(alias = "requestId")]
    pub request_id: String,
    #[serde(skip_serializing_if = "Option::is_none", alias = "success")]
    pub success: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", alias = "code")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", alias = "message")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "lenient::number")]
    pub http_status_code: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<D>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "lenient::number")]
    pub max_results: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "lenient::number")]
    pub total_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "lenient::number")]
    pub count: Option<u64>,
}

mod lenient {
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    /// A number, or a string holding one (anything else reads as absent).
    pub fn number<'de, D: Deserializer<'de>, T: TryFrom<u64>>(d: D) -> Result<Option<T>, D::Error> {
        Ok(of(Some(&Value::deserialize(d)?)))
    }

    /// [`number`] for the `FromJson` reader: `v` is the field's value, if present.
    pub fn of<T: TryFrom<u64>>(v: Option<&Value>) -> Option<T> {
        v.and_then(whole).and_then(|n| T::try_from(n).ok())
    }

    fn whole(v: &Value) -> Option<u64> {
        match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// The SDK's reader of an envelope (`FromJson`, see `from_json.rs`): the serde attributes
/// above, key by key.
impl FromJson for Envelope<serde_json::Value> {
    fn from_json(v: &serde_json::Value) -> Result<Self, String> {
        let m = object(v, "Envelope")?;
        let mut e = Envelope::<serde_json::Value>::default();
        field(m, &["RequestId", "requestId"], &mut e.request_id)?;
        field(m, &["Success", "success"], &mut e.success)?;
        field(m, &["Code", "code"], &mut e.code)?;
        field(m, &["Message", "message"], &mut e.message)?;
        e.http_status_code = lenient::of(m.get("HttpStatusCode"));
        field(m, &["Data"], &mut e.data)?;
        field(m, &["NextToken"], &mut e.next_token)?;
        e.max_results = lenient::of(m.get("MaxResults"));
        e.total_count = lenient::of(m.get("TotalCount"));
        e.count = lenient::of(m.get("Count"));
        Ok(e)
    }
}

impl<D> Envelope<D> {
    // The rules below do not depend on `D`; they live in `Status` so that they are compiled once,
    // not once per reply type.
    #[inline]
    fn status(&self) -> Status<'_> {
        Status { success: self.success, code: self.code.as_deref(), message: self.message.as_deref() }
    }

    /// `[Code] Message` when the body says `Success:false` with a `Code` (the official rule).
    #[inline]
    pub fn body_error(&self) -> Option<String> {
        self.status().body_error()
    }

    /// Like [`Self::body_error`], but anything short of `Success:true` fails (the actions
    /// whose success the official SDK computes as `!!body.success`).
    #[inline]
    pub fn strict_error(&self, fallback: &str) -> Option<String> {
        self.status().strict_error(fallback)
    }

    /// `[Code] Message` when the body says `Success:false`, whatever else it says (update,
    /// delete: `success = Success !== false`).
    #[inline]
    pub fn explicit_failure(&self, fallback: &str) -> Option<String> {
        self.status().explicit_failure(fallback)
    }

    /// The same envelope with `data` as its `Data`.
    pub fn with_data<T>(self, data: Option<T>) -> Envelope<T> {
        Envelope {
            request_id: self.request_id,
            success: self.success,
            code: self.code,
            message: self.message,
            http_status_code: self.http_status_code,
            data,
            next_token: self.next_token,
            max_results: self.max_results,
            total_count: self.total_count,
            count: self.count,
        }
    }
}

fn yes() -> bool {
    true
}

/// The part of an envelope that says whether the action succeeded.
struct Status<'a> {
    success: Option<bool>,
    code: Option<&'a str>,
    message: Option<&'a str>,
}

impl Status<'_> {
    fn body_error(&self) -> Option<String> {
        match (self.success, self.code.filter(|c| !c.is_empty())) {
            (Some(false), Some(code)) => Some(format!("[{code}] {}", self.message.unwrap_or("Unknown error"))),
            _ => None,
        }
    }

    fn strict_error(&self, fallback: &str) -> Option<String> {
        if self.success == Some(true) {
            return None;
        }
        Some(format!(
            "[{}] {}",
            self.code.filter(|c| !c.is_empty()).unwrap_or("Unknown"),
            self.message.filter(|m| !m.is_empty()).unwrap_or(fallback)
        ))
    }

    fn explicit_failure(&self, fallback: &str) -> Option<String> {
        (self.success == Some(false))
            .then(|| format!("[{}] {}", self.code.unwrap_or("Unknown"), self.message.unwrap_or(fallback)))
    }
}

/// `CreateMcpSession` → `Data`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateSessionData {
    pub session_id: String,
    /// Only an explicit `false` is a refusal (the official SDK reads it so).
    #[serde(default = "yes")]
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub err_msg: Option<String>,
    pub resource_url: String,
    pub resource_id: String,
    pub app_instance_id: String,
    /// Left empty so the SDKs send every tool call to the API endpoint (no LinkUrl route).
    pub token: String,
    pub link_url: String,
    /// JSON string of `[McpTool]`.
    pub tool_list: String,
    /// The streaming WebSocket URL (official `wsUrl`); agentbay-local has none and sends none.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ws_url: String,
}

/// An MCP tool a session offers: one entry of the `ToolList` JSON string (`CreateMcpSession`,
/// `GetSession`) and of `ListMcpTools`' `Data` (`session.mcpTools`, `session.listMcpTools()`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct McpTool {
    /// The tool's name: what `session.callMcpTool(name, args)` takes (`shell`, `read_file`, …).
    pub name: String,
    /// What the tool does.
    pub description: String,
    /// The JSON Schema of the tool's arguments.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub input_schema: serde_json::Value,
    /// The MCP server that serves the tool (`CallMcpTool`'s `Server`).
    pub server: String,
    /// The tool's name on its server.
    pub tool: String,
}

/// `GetSession` → `Data`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GetSessionData {
    pub session_id: String,
    pub success: bool,
    pub status: String,
    pub resource_url: String,
    pub resource_id: String,
    pub app_instance_id: String,
    pub token: String,
    pub http_port: String,
    pub network_interface_ip: String,
    pub vpc_resource: bool,
    pub tool_list: String,
    /// The streaming WebSocket URL (official `wsUrl`); agentbay-local has none and sends none.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ws_url: String,
    /// Lowercase on the wire, unlike everything else (official model quirk).
    #[serde(rename = "contexts")]
    pub contexts: Vec<SessionContextRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionContextRef {
    pub id: String,
    pub name: String,
}

/// `GetSessionDetail` → `Data`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SessionDetailData {
    pub status: String,
    pub image_id: String,
    pub app_instance_id: String,
    pub region_id: String,
    pub end_reason: String,
}

/// One `ListSession` → `Data[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SessionListItem {
    pub session_id: String,
    pub session_status: String,
}

/// `GetLabel` → `Data`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LabelsData {
    /// JSON string of `{string: string}`.
    pub labels: String,
}

/// `GetContext` → `Data` and `ListContexts` → `Data[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ContextData {
    pub id: String,
    pub name: String,
    pub state: String,
    pub create_time: String,
    pub last_used_time: String,
    pub os_type: String,
}

/// `DescribeContextFiles` → `Data[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ContextFileData {
    pub file_id: String,
    pub file_name: String,
    pub file_path: String,
    /// `file` or `folder`.
    pub file_type: String,
    pub gmt_create: String,
    pub gmt_modified: String,
    pub size: u64,
    pub status: String,
}

/// `GetContextFileUploadUrl` / `GetContextFileDownloadUrl` → `Data`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FileUrlData {
    pub url: String,
    /// Unix seconds at which the URL stops working.
    pub expire_time: u64,
}

/// `GetMcpResource` → `Data`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct McpResourceData {
    pub session_id: String,
    pub resource_url: String,
    pub desktop_info: DesktopInfo,
}

/// `GetMcpResource` → `Data.DesktopInfo` (empty locally: there is no desktop).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DesktopInfo {
    pub app_id: String,
    pub auth_code: String,
    pub connection_properties: String,
    pub resource_id: String,
    pub resource_type: String,
    pub ticket: String,
}

/// `GetContextInfo` → `Data`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ContextInfoData {
    /// Doubly encoded; see [`super::context_status`].
    pub context_status: String,
}

/// One `DescribeSessionContexts` → `Data[]` item: a context the session mounts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ContextBindingData {
    pub context_id: String,
    pub context_name: String,
    /// Where it is mounted in the session.
    pub path: String,
    /// The sync policy as JSON text.
    pub policy: String,
    /// When it was bound (at create, or by `BindContexts`), ISO 8601 UTC.
    pub bind_time: String,
}

/// One `GetAndLoadInternalContext` → `Data[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InternalContextData {
    pub context_id: String,
    /// The session directory the context is mounted at; transferred files live below it.
    pub context_path: String,
    /// `file_transfer`.
    pub context_type: String,
}

/// Internal context kinds (`GetAndLoadInternalContext.ContextTypes`).
pub mod internal_context_type {
    pub const FILE_TRANSFER: &str = "file_transfer";
}

/// Context states (`Data.State`).
pub mod context_state {
    pub const AVAILABLE: &str = "available";
    pub const IN_USE: &str = "in-use";
    pub const CLEARING: &str = "clearing";
}

/// Session statuses as the SDKs know them.
pub mod session_status {
    pub const RUNNING: &str = "RUNNING";
    pub const PAUSING: &str = "PAUSING";
    pub const PAUSED: &str = "PAUSED";
    pub const RESUMING: &str = "RESUMING";
    pub const DELETING: &str = "DELETING";
    pub const DELETED: &str = "DELETED";
    /// What `GetSessionDetail` reports once a session is gone (the TS/Python pollers wait for it).
    pub const FINISH: &str = "FINISH";
    /// The values `ListSession`'s `Status` filter accepts.
    pub const FILTERABLE: &[&str] = &["RUNNING", "PAUSING", "PAUSED", "RESUMING", "DELETING", "DELETED"];
}

// The SDK reads these with `FromJson` (see `from_json.rs`); the keys are the serde names above.
from_json! {
    CreateSessionData (CreateSessionData { success: yes(), ..Default::default() }) {
        session_id: "SessionId", success: "Success", err_msg: "ErrMsg", resource_url: "ResourceUrl",
        resource_id: "ResourceId", app_instance_id: "AppInstanceId", token: "Token", link_url: "LinkUrl",
        tool_list: "ToolList", ws_url: "WsUrl",
    }
    GetSessionData {
        session_id: "SessionId", success: "Success", status: "Status", resource_url: "ResourceUrl",
        resource_id: "ResourceId", app_instance_id: "AppInstanceId", token: "Token", http_port: "HttpPort",
        network_interface_ip: "NetworkInterfaceIp", vpc_resource: "VpcResource", tool_list: "ToolList",
        ws_url: "WsUrl", contexts: "contexts",
    }
    SessionContextRef { id: "id", name: "name" }
    SessionDetailData {
        status: "Status", image_id: "ImageId", app_instance_id: "AppInstanceId", region_id: "RegionId",
        end_reason: "EndReason",
    }
    SessionListItem { session_id: "SessionId", session_status: "SessionStatus" }
    LabelsData { labels: "Labels" }
    ContextData {
        id: "Id", name: "Name", state: "State", create_time: "CreateTime", last_used_time: "LastUsedTime",
        os_type: "OsType",
    }
    ContextFileData {
        file_id: "FileId", file_name: "FileName", file_path: "FilePath", file_type: "FileType",
        gmt_create: "GmtCreate", gmt_modified: "GmtModified", size: "Size", status: "Status",
    }
    FileUrlData { url: "Url", expire_time: "ExpireTime" }
    McpResourceData { session_id: "SessionId", resource_url: "ResourceUrl", desktop_info: "DesktopInfo" }
    DesktopInfo {
        app_id: "AppId", auth_code: "AuthCode", connection_properties: "ConnectionProperties",
        resource_id: "ResourceId", resource_type: "ResourceType", ticket: "Ticket",
    }
    ContextInfoData { context_status: "ContextStatus" }
    ContextBindingData {
        context_id: "ContextId", context_name: "ContextName", path: "Path", policy: "Policy", bind_time: "BindTime",
    }
    InternalContextData { context_id: "ContextId", context_path: "ContextPath", context_type: "ContextType" }
}
