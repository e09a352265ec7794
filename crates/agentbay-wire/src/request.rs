//! Every action's request, typed: its fields (with their wire names, written once here) and
//! the type of its reply's `Data`.
//!
//! The SDK builds a request struct and sends [`Request::to_fields`]; agentbay-local reads the
//! same struct back with [`Request::from_fields`], refusing names the action does not take
//! ([`Request::FIELDS`]). A field's value is a string on the wire (form body or query string);
//! [`FieldValue`] (in `field_value.rs`) says how each Rust type is written and read, so a
//! boolean, a bounded number or a JSON-in-a-string field is encoded the same way on both sides.

use crate::action::Action;
use crate::envelope::*;
use crate::field;
pub use crate::field_value::{Bounded, FieldError, FieldValue, JsonObject, JsonStringList};
use crate::from_json::{invalid_type, FromJson};
use crate::labels::Labels;
use crate::persistence::PersistenceDataList;
use crate::tool::ToolResult;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `Data` of a reply that carries none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

impl FromJson for Empty {
    /// Any object (its keys ignored) or an empty array, as the derive reads `struct Empty {}`.
    fn from_json(v: &Value) -> Result<Self, String> {
        match v {
            Value::Object(_) => Ok(Empty {}),
            Value::Array(a) if a.is_empty() => Ok(Empty {}),
            Value::Array(a) => Err(format!("invalid length {}, expected struct Empty with 0 elements", a.len())),
            _ => Err(invalid_type(v, "struct Empty")),
        }
    }
}

/// One action's request.
pub trait Request: Sized {
    const ACTION: Action;
    /// Every field the action takes, by wire name (the common POP fields aside).
    const FIELDS: &'static [&'static str];
    /// What the reply's `Data` holds.
    type Reply: Serialize + for<'de> Deserialize<'de> + FromJson + Default;
    /// `(wire name, value)` of every field that is set.
    fn to_fields(&self) -> Vec<(&'static str, String)>;
    /// Reads the fields through `get` (a field's raw value by wire name).
    fn from_fields<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Result<Self, FieldError>;
}

macro_rules! requests {
    ($(
        $(#[$doc:meta])*
        $action:ident => $name:ident -> $reply:ty {
            $( $(#[$fdoc:meta])* $field:ident : $ty:ty = $wire:expr ),* $(,)?
        }
    )*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $( $(#[$fdoc])* pub $field: $ty, )*
        }

        impl Request for $name {
            const ACTION: Action = Action::$action;
            const FIELDS: &'static [&'static str] = &[$($wire),*];
            type Reply = $reply;
            fn to_fields(&self) -> Vec<(&'static str, String)> {
                // One sized allocation, no growth path: this body is compiled once per action.
                #[allow(unused_mut)]
                let mut out = Vec::with_capacity(Self::FIELDS.len());
                $( if let Some(v) = FieldValue::encode(&self.$field) { out.push(($wire, v)); } )*
                out
            }
            #[allow(unused_variables)]
            fn from_fields<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Result<Self, FieldError> {
                Ok($name { $( $field: <$ty as FieldValue>::decode($wire, get($wire))?, )* })
            }
        }
    )*};
}

/// `MaxResults` of list actions.
pub type PageLimit = Bounded<1, 1000>;

/// `Timeout` / `MaxRuntime` of `CreateMcpSession`: at least 1, at most a year in seconds.
pub type LifeLimit = Bounded<1, 31_536_000>;

requests! {
    /// Creates a session (`agentBay.create`).
    CreateMcpSession => CreateMcpSessionRequest -> CreateSessionData {
        image_id: Option<String> = field::IMAGE_ID,
        labels: Option<Labels> = field::LABELS,
        persistence_data_list: Option<PersistenceDataList> = field::PERSISTENCE_DATA_LIST,
        /// Deprecated simple attachment: mounted at `/mnt/context`.
        context_id: Option<String> = field::CONTEXT_ID,
        enable_record: Option<bool> = field::ENABLE_RECORD,
        external_user_id: Option<String> = field::EXTERNAL_USER_ID,
        mcp_policy_id: Option<String> = field::MCP_POLICY_ID,
        network_id: Option<String> = field::NETWORK_ID,
        session_id: Option<String> = field::SESSION_ID,
        vpc_resource: Option<bool> = field::VPC_RESOURCE,
        /// JSON object of mobile/browser settings.
        extra_configs: Option<String> = field::EXTRA_CONFIGS,
        /// The SDK's telemetry (JSON); agentbay-local ignores it.
        sdk_stats: Option<String> = field::SDK_STATS,
        login_region_id: Option<String> = field::LOGIN_REGION_ID,
        /// Idle release timeout: minutes when `MaxRuntime` is sent too (`LifecyclePolicy`),
        /// else seconds (the deprecated `idleReleaseTimeout`), as the official SDK sends them.
        timeout: Option<LifeLimit> = field::TIMEOUT,
        /// Minutes from creation after which the session is released.
        max_runtime: Option<LifeLimit> = field::MAX_RUNTIME,
        /// `true`: never released automatically, only by a delete.
        manual_release: Option<bool> = field::MANUAL_RELEASE,
    }
    GetSession => GetSessionRequest -> GetSessionData { session_id: String = field::SESSION_ID }
    /// Polled by `delete()` until the session is gone.
    GetSessionDetail => GetSessionDetailRequest -> SessionDetailData { session_id: String = field::SESSION_ID }
    ListSession => ListSessionRequest -> Vec<SessionListItem> {
        labels: Option<Labels> = field::LABELS,
        max_results: Option<PageLimit> = field::MAX_RESULTS,
        next_token: Option<String> = field::NEXT_TOKEN,
        status: Option<String> = field::STATUS,
    }
    DeleteSessionAsync => DeleteSessionAsyncRequest -> Empty { session_id: String = field::SESSION_ID }
    /// The older name of `DeleteSessionAsync`.
    ReleaseMcpSession => ReleaseMcpSessionRequest -> Empty { session_id: String = field::SESSION_ID }
    SetLabel => SetLabelRequest -> Empty { session_id: String = field::SESSION_ID, labels: Labels = field::LABELS }
    GetLabel => GetLabelRequest -> LabelsData {
        session_id: String = field::SESSION_ID,
        max_results: Option<PageLimit> = field::MAX_RESULTS,
        next_token: Option<String> = field::NEXT_TOKEN,
    }
    ListMcpTools => ListMcpToolsRequest -> String { image_id: Option<String> = field::IMAGE_ID }
    GetMcpResource => GetMcpResourceRequest -> McpResourceData { session_id: String = field::SESSION_ID }
    CallMcpTool => CallMcpToolRequest -> ToolResult {
        session_id: String = field::SESSION_ID,
        /// The tool (`shell`, `read_file`, …).
        name: String = field::NAME,
        args: Option<JsonObject> = field::ARGS,
        server: Option<String> = field::SERVER,
        auto_gen_session: Option<bool> = field::AUTO_GEN_SESSION,
        external_user_id: Option<String> = field::EXTERNAL_USER_ID,
        image_id: Option<String> = field::IMAGE_ID,
        tool: Option<String> = field::TOOL,
    }
    GetContext => GetContextRequest -> ContextData {
        name: Option<String> = field::NAME,
        context_id: Option<String> = field::CONTEXT_ID,
        allow_create: Option<bool> = field::ALLOW_CREATE,
        login_region_id: Option<String> = field::LOGIN_REGION_ID,
    }
    ListContexts => ListContextsRequest -> Vec<ContextData> {
        max_results: Option<PageLimit> = field::MAX_RESULTS,
        next_token: Option<String> = field::NEXT_TOKEN,
        session_id: Option<String> = field::SESSION_ID,
        context_type: Option<String> = field::CONTEXT_TYPE,
    }
    ModifyContext => ModifyContextRequest -> Empty { id: String = field::ID, name: String = field::NAME }
    DeleteContext => DeleteContextRequest -> Empty { id: String = field::ID }
    ClearContext => ClearContextRequest -> Empty { id: String = field::ID }
    DescribeContextFiles => DescribeContextFilesRequest -> Vec<ContextFileData> {
        context_id: String = field::CONTEXT_ID,
        parent_folder_path: Option<String> = field::PARENT_FOLDER_PATH,
        page_number: Option<Bounded<1, 4_294_967_295>> = field::PAGE_NUMBER,
        page_size: Option<Bounded<1, 1000>> = field::PAGE_SIZE,
        /// Token paging (official 0.20): with either of these, `PageNumber`/`PageSize` are not sent.
        max_results: Option<PageLimit> = field::MAX_RESULTS,
        next_token: Option<String> = field::NEXT_TOKEN,
    }
    GetContextFileUploadUrl => GetContextFileUploadUrlRequest -> FileUrlData {
        context_id: String = field::CONTEXT_ID,
        file_path: String = field::FILE_PATH,
    }
    GetContextFileDownloadUrl => GetContextFileDownloadUrlRequest -> FileUrlData {
        context_id: String = field::CONTEXT_ID,
        file_path: String = field::FILE_PATH,
    }
    DeleteContextFile => DeleteContextFileRequest -> Empty {
        context_id: String = field::CONTEXT_ID,
        file_path: String = field::FILE_PATH,
    }
    SyncContext => SyncContextRequest -> Empty {
        session_id: String = field::SESSION_ID,
        context_id: Option<String> = field::CONTEXT_ID,
        path: Option<String> = field::PATH,
        /// `upload` (default) or `download`.
        mode: Option<String> = field::MODE,
    }
    GetContextInfo => GetContextInfoRequest -> ContextInfoData {
        session_id: String = field::SESSION_ID,
        context_id: Option<String> = field::CONTEXT_ID,
        path: Option<String> = field::PATH,
        /// `upload` or `download`.
        task_type: Option<String> = field::TASK_TYPE,
    }
    /// `session.keepAlive()`: restarts the session's idle timer.
    RefreshSessionIdleTime => RefreshSessionIdleTimeRequest -> Empty { session_id: String = field::SESSION_ID }
    /// `betaPauseAsync`: RUNNING → PAUSING → PAUSED; the SDK polls `GetSession`.
    PauseSessionAsync => PauseSessionAsyncRequest -> Empty { session_id: String = field::SESSION_ID }
    /// `betaResumeAsync`: PAUSED → RESUMING → RUNNING; the SDK polls `GetSession`.
    ResumeSessionAsync => ResumeSessionAsyncRequest -> Empty { session_id: String = field::SESSION_ID }
    /// `session.context.bind`: mounts more contexts into a running session, each downloaded and
    /// then synced by its policy like a mount made at create.
    BindContexts => BindContextsRequest -> Empty {
        session_id: String = field::SESSION_ID,
        persistence_data_list: PersistenceDataList = field::PERSISTENCE_DATA_LIST,
    }
    /// `session.context.listBindings`: every context the session mounts, at create or by a bind.
    DescribeSessionContexts => DescribeSessionContextsRequest -> Vec<ContextBindingData> {
        session_id: String = field::SESSION_ID,
    }
    /// `fileSystem.uploadFile`/`downloadFile`/`getFileTransferContextPath`: the session's
    /// file-transfer context, made and mounted on first use.
    GetAndLoadInternalContext => GetAndLoadInternalContextRequest -> Vec<InternalContextData> {
        session_id: String = field::SESSION_ID,
        /// JSON array form, e.g. `["file_transfer"]`.
        context_types: Option<JsonStringList> = field::CONTEXT_TYPES,
        /// Flattened form: the first (and, for file transfer, only) kind.
        context_types_1: Option<String> = field::CONTEXT_TYPES_1,
    }
}

#[cfg(test)]
mod tests {
    // Under wasm32 these run in Node and Chromium (scripts/test.sh), as the SDK does.
    use super::*;
    use std::collections::BTreeMap;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn read<R: Request>(fields: &[(&str, &str)]) -> Result<R, FieldError> {
        let map: BTreeMap<&str, &str> = fields.iter().copied().collect();
        R::from_fields(&|k| map.get(k).copied())
    }

    #[test]
    fn requests_round_trip_through_their_fields() {
        let r = ListContextsRequest {
            max_results: Some(Bounded(50)),
            next_token: Some("100".into()),
            session_id: None,
            context_type: None,
        };
        let fields = r.to_fields();
        assert_eq!(fields, [("MaxResults", "50".to_string()), ("NextToken", "100".into())]);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(read::<ListContextsRequest>(&pairs).unwrap(), r);
        assert_eq!(ListContextsRequest::FIELDS, ["MaxResults", "NextToken", "SessionId", "ContextType"]);
    }

    #[test]
    fn values_are_checked_with_the_servers_messages() {
        assert_eq!(read::<GetSessionRequest>(&[("SessionId", "")]), Err(FieldError::Missing("SessionId")));
        let e = read::<ListContextsRequest>(&[("MaxResults", "1001")]).unwrap_err();
        assert_eq!(e.to_string(), "The parameter MaxResults is invalid: '1001' is not an integer between 1 and 1000");
        let e = read::<GetContextRequest>(&[("AllowCreate", "yes")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "The parameter AllowCreate is invalid: 'yes' is not a boolean (true/false, any case)"
        );
        let ok = read::<GetContextRequest>(&[("AllowCreate", "TRUE"), ("Name", "n")]).unwrap();
        assert_eq!((ok.allow_create, ok.name.as_deref()), (Some(true), Some("n")));
        let e = read::<CallMcpToolRequest>(&[("SessionId", "s"), ("Name", "shell"), ("Args", "[1]")]).unwrap_err();
        assert_eq!(e.to_string(), "The parameter Args is invalid: must be a JSON object");
    }
}
