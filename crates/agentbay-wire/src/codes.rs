//! Error codes in response envelopes (`Code`), with the HTTP status each is sent with.
//!
//! `InvalidMcpSession.NotFound` is the one code the official SDKs match on
//! (delete polling, `get`); the rest follow the POP naming style so an SDK
//! user can branch on them.

pub const INVALID_API_KEY: &str = "InvalidApiKey";
pub const MISSING_API_KEY: &str = "MissingParameter.Authorization";
pub const INVALID_ACTION: &str = "InvalidAction.NotFound";
pub const MISSING_PARAMETER: &str = "MissingParameter";
pub const INVALID_PARAMETER: &str = "InvalidParameter";
pub const UNSUPPORTED_PARAMETER: &str = "UnsupportedParameter";
pub const INVALID_VERSION: &str = "InvalidVersion";
pub const SESSION_NOT_FOUND: &str = "InvalidMcpSession.NotFound";
pub const SESSION_NOT_RUNNING: &str = "InvalidMcpSession.NotRunning";
pub const CONTEXT_NOT_FOUND: &str = "InvalidContext.NotFound";
pub const CONTEXT_IN_USE: &str = "InvalidContext.InUse";
pub const CONTEXT_NAME_EXISTS: &str = "InvalidContext.NameExists";
pub const FILE_NOT_FOUND: &str = "InvalidFile.NotFound";
pub const INVALID_PATH: &str = "InvalidParameter.Path";
pub const INVALID_POLICY: &str = "InvalidParameter.Policy";
pub const INVALID_PERSISTENCE_DATA_LIST: &str = "InvalidParameter.PersistenceDataList";
pub const INVALID_LABELS: &str = "InvalidParameter.Labels";
pub const INVALID_IMAGE: &str = "InvalidParameter.ImageId";
pub const INVALID_TOOL: &str = "InvalidParameter.Tool";
pub const INVALID_ARGS: &str = "InvalidParameter.Args";
pub const INVALID_SIGNATURE: &str = "SignatureDoesNotMatch";
pub const URL_EXPIRED: &str = "RequestExpired";
pub const INTERNAL_ERROR: &str = "InternalError";
