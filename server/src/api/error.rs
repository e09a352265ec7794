//! Errors a request can end in, each with its wire `Code` and HTTP status.

use crate::presign::PresignError;
use agentbay_wire::codes;
use axum::http::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Authorization is required: send the parameter Authorization=Bearer <apiKey>")]
    MissingApiKey,
    #[error("The API key is not valid")]
    InvalidApiKey,
    #[error("Authorization must have the form 'Bearer <apiKey>'")]
    MalformedAuthorization,
    #[error("The parameter Action is required (query string or x-acs-action header)")]
    MissingAction,
    #[error("The action '{0}' is not supported by agentbay-local")]
    UnknownAction(String),
    #[error("The API version '{0}' is not supported; use {v}", v = agentbay_wire::API_VERSION)]
    InvalidVersion(String),
    #[error("The parameter {0} is required")]
    MissingParameter(String),
    #[error("The parameter {name} is invalid: {reason}")]
    InvalidParameter { name: String, reason: String },
    #[error("The parameter {name} is not supported by agentbay-local: {reason}")]
    UnsupportedParameter { name: String, reason: String },
    #[error("The request is malformed: {0}")]
    MalformedRequest(String),
    #[error("The path is invalid: {0}")]
    InvalidPath(String),
    #[error("{0}")]
    InvalidPolicy(String),
    #[error("PersistenceDataList is invalid: {0}")]
    InvalidPersistenceDataList(String),
    #[error("Labels is invalid: {0}")]
    InvalidLabels(String),
    #[error("The image '{0}' is not supported; supported image ids: {list}", list = crate::sandbox::SUPPORTED_IMAGES.join(", "))]
    InvalidImage(String),
    #[error("{0}")]
    InvalidTool(String),
    #[error("{0}")]
    InvalidArgs(String),
    #[error("The session '{0}' does not exist")]
    SessionNotFound(String),
    /// The session is not RUNNING (paused, pausing, resuming or being deleted): `{1}` is its status.
    #[error("The session '{0}' is {1}, not RUNNING{hint}", hint = not_running_hint(.1))]
    SessionNotRunning(String, &'static str),
    /// ResumeSessionAsync on a session that is not PAUSED.
    #[error("The session '{0}' is {1}; only a PAUSED session can be resumed")]
    SessionNotPaused(String, &'static str),

    #[error("The context '{0}' does not exist")]
    ContextNotFound(String),
    #[error("The context '{0}' is mounted by a live session ({1}); delete the session first")]
    ContextInUse(String, String),
    /// A write through the API to a context sessions mount live (`crate::live`).
    /// The context and the sessions mounting it live.
    #[error("The context '{0}' is mounted live (BetaContextMount) by session(s) {s}: write through the mount, or once it is released", s = .1.join(", "))]
    ContextLive(String, Vec<String>),
    #[error("A context named '{0}' already exists")]
    ContextNameExists(String),
    /// The cloud's wording ("file not exist"), which official code and tests look for.
    #[error("file not exist: '{0}' is not in the context")]
    FileNotFound(String),
    #[error("The URL signature does not match (the URL was altered or is not from this server)")]
    BadSignature,
    #[error("The URL expired at {0} (unix seconds)")]
    UrlExpired(u64),
    #[error("Internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            MissingApiKey | MalformedAuthorization => codes::MISSING_API_KEY,
            InvalidApiKey => codes::INVALID_API_KEY,
            MissingAction | UnknownAction(_) => codes::INVALID_ACTION,
            InvalidVersion(_) => codes::INVALID_VERSION,
            MissingParameter(_) => codes::MISSING_PARAMETER,
            InvalidParameter { .. } | MalformedRequest(_) => codes::INVALID_PARAMETER,
            UnsupportedParameter { .. } => codes::UNSUPPORTED_PARAMETER,
            InvalidPath(_) => codes::INVALID_PATH,
            InvalidPolicy(_) => codes::INVALID_POLICY,
            InvalidPersistenceDataList(_) => codes::INVALID_PERSISTENCE_DATA_LIST,
            InvalidLabels(_) => codes::INVALID_LABELS,
            InvalidImage(_) => codes::INVALID_IMAGE,
            InvalidTool(_) => codes::INVALID_TOOL,
            InvalidArgs(_) => codes::INVALID_ARGS,
            SessionNotFound(_) => codes::SESSION_NOT_FOUND,
            SessionNotRunning(..) | SessionNotPaused(..) => codes::SESSION_NOT_RUNNING,
            ContextNotFound(_) => codes::CONTEXT_NOT_FOUND,
            ContextInUse(..) | ContextLive(..) => codes::CONTEXT_IN_USE,
            ContextNameExists(_) => codes::CONTEXT_NAME_EXISTS,
            FileNotFound(_) => codes::FILE_NOT_FOUND,
            BadSignature => codes::INVALID_SIGNATURE,
            UrlExpired(_) => codes::URL_EXPIRED,
            Internal(_) => codes::INTERNAL_ERROR,
        }
    }

    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            MissingApiKey | InvalidApiKey | MalformedAuthorization => StatusCode::UNAUTHORIZED,
            BadSignature | UrlExpired(_) => StatusCode::FORBIDDEN,
            ContextInUse(..)
            | ContextLive(..)
            | ContextNameExists(_)
            | SessionNotRunning(..)
            | SessionNotPaused(..) => StatusCode::CONFLICT,
            // The SDKs' not-found detection keys on HTTP 400 + code.
            SessionNotFound(_) | ContextNotFound(_) | FileNotFound(_) => StatusCode::BAD_REQUEST,
            Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    pub fn invalid(name: &str, reason: impl Into<String>) -> ApiError {
        ApiError::InvalidParameter { name: name.into(), reason: reason.into() }
    }

    pub fn unsupported(name: &str, reason: impl Into<String>) -> ApiError {
        ApiError::UnsupportedParameter { name: name.into(), reason: reason.into() }
    }
}

/// A refused presigned-URL request, with the codes the file route has always answered.
impl From<PresignError> for ApiError {
    fn from(e: PresignError) -> Self {
        match e {
            PresignError::BadSignature => ApiError::BadSignature,
            e @ PresignError::WrongMethod(_) => ApiError::MalformedRequest(e.to_string()),
            PresignError::UrlExpired(t) => ApiError::UrlExpired(t),
        }
    }
}

/// A checked session that still could not be created, with the codes CreateMcpSession has
/// always answered.
impl From<crate::lifecycle::CreateError> for ApiError {
    fn from(e: crate::lifecycle::CreateError) -> Self {
        use crate::lifecycle::CreateError;
        use crate::state::ReserveError;
        match e {
            CreateError::Reserve(ReserveError::ContextNotFound(id)) => ApiError::ContextNotFound(id),
            CreateError::Reserve(ReserveError::Db(e)) => e.into(),
            e @ CreateError::Sandbox(_) => ApiError::Internal(e.to_string()),
            CreateError::Live(e) => e.into(),
        }
    }
}

impl From<crate::live::LiveError> for ApiError {
    fn from(e: crate::live::LiveError) -> Self {
        ApiError::Internal(format!("writing back a live mount: {e}"))
    }
}

impl From<crate::lifecycle::LiveMountError> for ApiError {
    fn from(e: crate::lifecycle::LiveMountError) -> Self {
        use crate::lifecycle::LiveMountError;
        use crate::live::LiveError;
        use crate::sandbox::SandboxError;
        match e {
            e @ LiveMountError::Sandbox(_, SandboxError::InvalidMount { .. }) => ApiError::InvalidPath(e.to_string()),
            e @ LiveMountError::Tree(_, LiveError::Overlap { .. }) => {
                ApiError::InvalidPersistenceDataList(e.to_string())
            }
            e => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<crate::lifecycle::BindError> for ApiError {
    fn from(e: crate::lifecycle::BindError) -> Self {
        use crate::lifecycle::BindError;
        use crate::sandbox::SandboxError;
        use crate::state::ReserveError;
        match e {
            BindError::NotRunning(id, status) => ApiError::SessionNotRunning(id, status),
            BindError::Reserve(ReserveError::ContextNotFound(id)) => ApiError::ContextNotFound(id),
            BindError::Reserve(ReserveError::Db(e)) => e.into(),
            BindError::Live(e) => e.into(),
            // The API layer checked the path; what is left is the session's own tree in the way.
            BindError::Sandbox(e @ SandboxError::InvalidMount { .. }) => ApiError::InvalidPath(e.to_string()),
            e @ BindError::Sandbox(_) => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Internal(format!("database error: {e}"))
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::Internal(format!("I/O error: {e}"))
    }
}

/// A request field the contract could not read, as the error code the field calls for.
impl From<agentbay_wire::request::FieldError> for ApiError {
    fn from(e: agentbay_wire::request::FieldError) -> Self {
        use agentbay_wire::request::FieldError as F;
        match e {
            F::Missing(name) => ApiError::MissingParameter(name.into()),
            // A tool's arguments have their own code, so SDKs can tell them from other fields.
            F::Invalid { name: "Args", reason } => ApiError::InvalidArgs(format!("Args {reason}")),
            F::Invalid { name, reason } => ApiError::invalid(name, reason),
            F::Labels(m) => ApiError::InvalidLabels(m),
            F::PersistenceDataList(m) => ApiError::InvalidPersistenceDataList(m),
            F::Unsupported { name, reason } => ApiError::unsupported(&name, reason),
        }
    }
}

/// What a caller of a session that is not RUNNING can do about it.
fn not_running_hint(status: &str) -> &'static str {
    use agentbay_wire::envelope::session_status as st;
    match status {
        st::PAUSED | st::PAUSING => " (it is paused: resume it with betaResumeAsync first)",
        st::RESUMING => " (it is resuming: wait until it is RUNNING)",
        _ => "",
    }
}
