//! Why a sandbox (or the sandboxing of the whole server, at start-up) could not be set up.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("invalid mount path {path:?}: {reason}")]
    InvalidMount { path: String, reason: String },
    #[error("mount host directory {0} does not exist or is not a directory")]
    MountHostDirMissing(PathBuf),
    #[error("sandbox helper executable {0} does not exist")]
    HelperMissing(PathBuf),
    #[error("sandbox user: {0}")]
    Identity(String),
    #[error("bubblewrap is not usable on this machine: {0}")]
    BwrapUnavailable(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl SandboxError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> SandboxError {
        let context = context.into();
        move |source| SandboxError::Io { context, source }
    }
}
