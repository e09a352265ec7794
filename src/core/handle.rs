//! A live session as the core tracks it, shared by every API that works on one session.

use super::results::SessionData;
use std::cell::{Cell, RefCell};

/// The session's file-transfer context (GetAndLoadInternalContext).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferContext {
    pub id: String,
    /// Where it is mounted in the session.
    pub path: String,
}

/// A live session as the core tracks it; `deleted` makes later calls fail fast.
#[derive(Debug)]
pub struct SessionHandle {
    pub data: SessionData,
    deleted: Cell<bool>,
    file_transfer: RefCell<Option<TransferContext>>,
}

impl SessionHandle {
    pub fn new(data: SessionData) -> Self {
        SessionHandle { data, deleted: Cell::new(false), file_transfer: RefCell::new(None) }
    }

    /// The file-transfer context, once known.
    pub fn file_transfer(&self) -> Option<TransferContext> {
        self.file_transfer.borrow().clone()
    }

    pub fn set_file_transfer(&self, ctx: TransferContext) {
        *self.file_transfer.borrow_mut() = Some(ctx);
    }

    pub fn id(&self) -> &str {
        &self.data.session_id
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted.get()
    }

    /// Marks the session deleted once its deletion is confirmed.
    pub fn mark_deleted(&self) {
        self.deleted.set(true);
    }

    /// The message every call on a deleted session resolves with.
    pub fn deleted_error(&self) -> Option<String> {
        self.is_deleted().then(|| format!("Session {} has been deleted; create a new session", self.id()))
    }
}
