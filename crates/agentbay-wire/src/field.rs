//! Request field names (form body or query string; the server merges both).

pub const ACTION: &str = "Action";
pub const FORMAT: &str = "Format";
pub const VERSION: &str = "Version";
pub const TIMESTAMP: &str = "Timestamp";
pub const SIGNATURE_NONCE: &str = "SignatureNonce";
pub const AUTHORIZATION: &str = "Authorization";
/// Prefix of the `Authorization` value: `Bearer <apiKey>`.
pub const BEARER_PREFIX: &str = "Bearer ";

pub const SESSION_ID: &str = "SessionId";
pub const IMAGE_ID: &str = "ImageId";
pub const LABELS: &str = "Labels";
pub const PERSISTENCE_DATA_LIST: &str = "PersistenceDataList";
pub const CONTEXT_ID: &str = "ContextId";
pub const EXTRA_CONFIGS: &str = "ExtraConfigs";
pub const SDK_STATS: &str = "SdkStats";
pub const LOGIN_REGION_ID: &str = "LoginRegionId";
pub const MCP_POLICY_ID: &str = "McpPolicyId";
pub const NETWORK_ID: &str = "NetworkId";
pub const ENABLE_RECORD: &str = "EnableRecord";
pub const EXTERNAL_USER_ID: &str = "ExternalUserId";
pub const VPC_RESOURCE: &str = "VpcResource";
/// Idle release timeout: minutes with `MaxRuntime` (a `LifecyclePolicy`), else the deprecated seconds.
pub const TIMEOUT: &str = "Timeout";
/// Minutes a session may run at most (`LifecyclePolicy.maxRuntime`).
pub const MAX_RUNTIME: &str = "MaxRuntime";
/// `true`: the session is never released automatically (`LifecyclePolicy.manualRelease`).
pub const MANUAL_RELEASE: &str = "ManualRelease";

pub const MAX_RESULTS: &str = "MaxResults";
pub const NEXT_TOKEN: &str = "NextToken";
pub const STATUS: &str = "Status";

pub const NAME: &str = "Name";
pub const ID: &str = "Id";
pub const ALLOW_CREATE: &str = "AllowCreate";
pub const CONTEXT_TYPE: &str = "ContextType";
/// `GetAndLoadInternalContext`: the internal context kinds wanted, as a JSON array (the TS SDK)…
pub const CONTEXT_TYPES: &str = "ContextTypes";
/// …or flattened with 1-based indices (the Python and Go SDKs send `ContextTypes.1=file_transfer`).
pub const CONTEXT_TYPES_1: &str = "ContextTypes.1";

pub const PARENT_FOLDER_PATH: &str = "ParentFolderPath";
pub const PAGE_NUMBER: &str = "PageNumber";
pub const PAGE_SIZE: &str = "PageSize";
pub const FILE_PATH: &str = "FilePath";

pub const MODE: &str = "Mode";
pub const PATH: &str = "Path";
pub const TASK_TYPE: &str = "TaskType";

pub const ARGS: &str = "Args";
pub const AUTO_GEN_SESSION: &str = "AutoGenSession";
pub const SERVER: &str = "Server";
pub const TOOL: &str = "Tool";
