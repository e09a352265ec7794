//! A session's live mounts (`BetaContextMount`): each binds the shared tree of a context folder
//! (`crate::live`) into the sandbox, is listed as a finished download (what the SDKs' `create()`
//! and `bind()` wait for), and is let go once the session's processes are gone, which writes the
//! tree back when it was the last user.

use super::LivePlan;
use crate::live::LiveError;
use crate::sandbox::SandboxError;
use crate::state::{AppState, Direction, LiveMount, Session};
use crate::util::lock;
use std::sync::Arc;

/// Why a live mount could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LiveMountError {
    #[error("context {0}: {1}")]
    Tree(String, LiveError),
    #[error("context {0}: {1}")]
    Sandbox(String, SandboxError),
}

/// Makes every mount of `plans`, in order; stops at the first that fails (those before it stay,
/// and are let go with the session). Blocking.
pub(super) fn mount_all(st: &Arc<AppState>, session: &Session, plans: Vec<LivePlan>) -> Result<(), LiveMountError> {
    for p in plans {
        mount_one(st, session, p)?;
    }
    Ok(())
}

fn mount_one(st: &Arc<AppState>, session: &Session, p: LivePlan) -> Result<(), LiveMountError> {
    let tree = st
        .live
        .acquire(&st.store, &st.sandboxes, &p.context_id, &p.source_path, &session.id)
        .map_err(|e| LiveMountError::Tree(p.context_id.clone(), e))?;
    if let Err(e) = session.sandbox.add_live_mount(&p.path, &tree, p.read_only) {
        let lost = st.data_dir.join("lost+found");
        if let Err(e) = st.live.release(&st.store, &p.context_id, &p.source_path, &session.id, &lost) {
            eprintln!("agentbay-local: letting go of the live tree of {}: {e}", p.context_id);
        }
        return Err(LiveMountError::Sandbox(p.context_id, e));
    }
    session.push_done_task(&p.context_id, &p.path, Direction::Download);
    lock(&session.live).push(LiveMount {
        context_id: p.context_id,
        path: p.path,
        read_only: p.read_only,
        storage_mode: p.storage_mode,
        source_path: p.source_path,
        bind_time: crate::util::now_secs(),
    });
    Ok(())
}

/// Lets go of every live mount of `session` (its processes must be gone).
pub(super) async fn release_all(st: &Arc<AppState>, session: &Arc<Session>) {
    let mounts = std::mem::take(&mut *lock(&session.live));
    if mounts.is_empty() {
        return;
    }
    let (st, id) = (st.clone(), session.id.clone());
    let done = tokio::task::spawn_blocking(move || {
        let lost = st.data_dir.join("lost+found");
        for m in mounts {
            if let Err(e) = st.live.release(&st.store, &m.context_id, &m.source_path, &id, &lost) {
                eprintln!("agentbay-local: writing back the live mount {} of session {id}: {e}", m.path);
            }
        }
    })
    .await;
    if let Err(e) = done {
        eprintln!("agentbay-local: releasing live mounts: {e}");
    }
}
