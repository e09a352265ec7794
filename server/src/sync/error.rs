//! What a sync task fails with, and the helpers that build those errors.

use crate::store::{db, StoreError};
use std::io;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("upload aborted: {0}")]
    Aborted(String),
    /// Refused at CreateMcpSession already; kept for policies built elsewhere.
    #[error("policy: {0}")]
    Policy(String),
    /// Entries (or archives) that could not be written, unpacked or extracted; the rest of
    /// the download was delivered.
    #[error("{0}")]
    Download(String),
    #[error("context {0} was deleted while the upload ran; nothing was stored")]
    ContextGone(String),
    /// Files the store cannot keep under their names; everything else was uploaded.
    #[error("{} file(s) could not be stored and stay only in the session: {}", .0.len(), describe_unstorable(.0))]
    Unstorable(Vec<Unstorable>),
}

/// The first failures of a download, and how many more there were.
pub(super) fn summarize(failures: &[String]) -> String {
    let shown = &failures[..failures.len().min(20)];
    match failures.len() - shown.len() {
        0 => shown.join("; "),
        more => format!("{}; and {more} more", shown.join("; ")),
    }
}

fn describe_unstorable(list: &[Unstorable]) -> String {
    let shown: Vec<String> = list.iter().take(20).map(|u| format!("'{}' ({})", u.path, u.why)).collect();
    let more = list.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{}; and {more} more", shown.join("; "))
    } else {
        shown.join("; ")
    }
}

pub(super) fn io_err(path: impl Into<String>) -> impl FnOnce(io::Error) -> SyncError {
    let path = path.into();
    move |source| SyncError::Io { path, source }
}

/// A file or directory an upload cannot store under its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unstorable {
    /// Mount-relative, with non-UTF-8 bytes escaped.
    pub path: String,
    pub why: &'static str,
}

pub(super) fn commit_err(ctx: &str, e: db::CommitError) -> SyncError {
    match e {
        db::CommitError::ContextGone => SyncError::ContextGone(ctx.to_string()),
        db::CommitError::Db(e) => SyncError::Db(e),
        e @ db::CommitError::Reconcile => SyncError::Aborted(e.to_string()),
    }
}
