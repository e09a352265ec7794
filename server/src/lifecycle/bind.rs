//! `BindContexts`: more context mounts for a running session. Each is mounted for every later
//! tool call, claimed against `DeleteContext` like a mount made at create, downloaded when its
//! policy says so, and from then on synced by its policy (periodic uploads, `SyncContext`, the
//! release upload) exactly like one.

use super::{periodic, spawn_tasks, LivePlan, MountPlan};
use crate::sandbox::SandboxError;
use crate::state::{AppState, Direction, MountState, ReserveError, Session};
use crate::util::lock;
use agentbay_wire::envelope::session_status;
use std::sync::Arc;

/// Why checked mounts could still not be bound.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// Mounts are added only while the session runs: a release lists its uploads when it
    /// begins, and a mount added after that would never be uploaded.
    #[error("session {0} is {1}, not RUNNING")]
    NotRunning(String, &'static str),
    #[error(transparent)]
    Reserve(#[from] ReserveError),
    #[error("could not mount the context: {0}")]
    Sandbox(#[from] SandboxError),
    #[error(transparent)]
    Live(#[from] super::live::LiveMountError),
}

/// Adds `plans` and `live` (checked by the caller against each other and the session's mounts)
/// as mounts of `session`, then starts the downloads and periodic uploads of the synced ones.
/// Should one fail to mount, those before it stay bound (they are real mounts, listed and
/// synced). Returns the indices of the synced ones. Blocking (SQLite, directories, and the first
/// live mount of a context copies it): call it from a blocking thread.
pub fn bind(
    st: &Arc<AppState>,
    session: &Arc<Session>,
    plans: Vec<MountPlan>,
    live: Vec<LivePlan>,
) -> Result<Vec<usize>, BindError> {
    if !live.is_empty() {
        // Under the status lock, as synced mounts are added: a release beginning meanwhile
        // either lets go of these mounts too or refuses them.
        let status = lock(&session.status);
        if *status != session_status::RUNNING {
            return Err(BindError::NotRunning(session.id.clone(), *status));
        }
        let ids: Vec<String> = live.iter().map(|m| m.context_id.clone()).collect();
        let claim = st.reserve_contexts(&session.tenant, &ids)?;
        match lock(&session.reservation).as_mut() {
            Some(r) => r.absorb(claim),
            None => return Err(BindError::NotRunning(session.id.clone(), session_status::DELETING)),
        }
        super::live::mount_all(st, session, live)?;
    }
    if plans.is_empty() {
        return Ok(Vec::new());
    }
    let added = add_mounts(st, session, plans, false)?;
    let downloads: Vec<usize> =
        added.iter().copied().filter(|&i| session.mount(i).policy.download_policy.auto_download).collect();
    spawn_tasks(st, session, downloads, Direction::Download);
    for &i in &added {
        periodic::spawn_one(st, session, i);
    }
    Ok(added)
}

/// Mounts `plans` in the sandbox and records them on the session, under the session's status
/// lock so that a release beginning meanwhile either sees them or refuses them.
pub(super) fn add_mounts(
    st: &Arc<AppState>,
    session: &Arc<Session>,
    plans: Vec<MountPlan>,
    internal: bool,
) -> Result<Vec<usize>, BindError> {
    let status = lock(&session.status);
    if *status != session_status::RUNNING {
        return Err(BindError::NotRunning(session.id.clone(), *status));
    }
    let ids: Vec<String> = plans.iter().filter(|m| !m.missing).map(|m| m.context_id.clone()).collect();
    let claim = st.reserve_contexts(&session.tenant, &ids)?;
    match lock(&session.reservation).as_mut() {
        Some(r) => r.absorb(claim),
        // Not reachable while RUNNING (the claim goes once the release uploads are done).
        None => return Err(BindError::NotRunning(session.id.clone(), session_status::DELETING)),
    }
    let now = crate::util::now_secs();
    let mut added = Vec::with_capacity(plans.len());
    for m in plans {
        let (n, host_dir) = session.sandbox.add_mount(&m.path)?;
        let i = session.add_mount(MountState {
            context_id: m.context_id,
            path: m.path,
            policy: m.policy,
            host_dir,
            bind_time: now,
            internal,
            missing: m.missing,
        });
        // Both lists only grow, and only here and at create, under this lock.
        debug_assert_eq!(n, i, "sandbox and session mount lists out of step");
        added.push(i);
    }
    Ok(added)
}
