//! The life of a session, owned in one place: creation (claim the contexts, make the
//! sandbox, register the session, start its auto downloads and periodic uploads), the sync
//! tasks it runs while alive (`tasks`, `periodic`), and its release (list and run the
//! auto uploads, destroy the sandbox, keep what did not upload, forget the session),
//! one session at a time or all of them at shutdown.
//!
//! The shared state all this acts on (sessions, their mounts and task records, the
//! context claims) is `crate::state`; the HTTP handlers in `crate::api::sessions` check a
//! request and then call in here. (Data lifecycles, `recyclePolicy`, are another thing:
//! `crate::store::expiry`.)

mod bind;
mod file_transfer;
mod live;
mod periodic;
mod tasks;

pub use bind::{bind, BindError};
pub use file_transfer::{load_file_transfer, FILE_TRANSFER_PATH};
pub use live::LiveMountError;
pub use tasks::{spawn_labelled_tasks, spawn_tasks};

use crate::sandbox::{SandboxError, SandboxSpec};
use crate::state::{AppState, Direction, MountState, ReleasePolicy, ReserveError, Session};
use crate::util::lock;
use agentbay_wire::envelope::session_status;
use agentbay_wire::policy::SyncPolicy;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use tasks::run_task;

/// One context mount of a session to be created, checked by the caller (paths normalised,
/// the context is the tenant's, the policy fits the mount).
pub struct MountPlan {
    pub context_id: String,
    pub path: String,
    pub policy: SyncPolicy,
    /// The id names no context of the tenant's (see `MountState::missing`).
    pub missing: bool,
}

/// One live mount (`BetaContextMount`) of a session, checked by the caller (`api::live_mounts`).
pub struct LivePlan {
    pub context_id: String,
    pub path: String,
    pub read_only: bool,
    pub storage_mode: agentbay_wire::persistence::StorageMode,
    /// The context folder shown at `path`, normalised (`/`: all of it).
    pub source_path: String,
}

/// A session to be created, as the caller checked it.
pub struct NewSession {
    pub tenant: String,
    pub image: String,
    pub labels: BTreeMap<String, String>,
    pub mounts: Vec<MountPlan>,
    pub live: Vec<LivePlan>,
    /// When it is released by itself.
    pub release: ReleasePolicy,
}

/// Why a checked session could still not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// A context was deleted since it was checked (or the claim could not be recorded).
    #[error(transparent)]
    Reserve(#[from] ReserveError),
    #[error("could not create the sandbox: {0}")]
    Sandbox(SandboxError),
    #[error(transparent)]
    Live(live::LiveMountError),
}

/// Creates and registers a session, then starts its auto-download tasks and periodic
/// uploads in the background. Blocking (SQLite, sandbox set-up): call it from a blocking
/// thread of the runtime.
pub fn create(st: &Arc<AppState>, new: NewSession) -> Result<Arc<Session>, CreateError> {
    let planned = new.mounts;
    let id = format!("session-{}", crate::util::random_hex(10));
    // From here until the session's release, DeleteContext refuses these contexts.
    let contexts: Vec<String> = planned
        .iter()
        .filter(|m| !m.missing)
        .map(|m| m.context_id.clone())
        .chain(new.live.iter().map(|m| m.context_id.clone()))
        .collect();
    let reservation = st.reserve_contexts(&new.tenant, &contexts)?;
    let dir = st.data_dir.join("sessions").join(&id);
    let spec = SandboxSpec {
        id: id.clone(),
        session_dir: dir.clone(),
        mount_paths: planned.iter().map(|m| m.path.clone()).collect(),
    };
    let sandbox = st.sandboxes.create(spec).map_err(|e| {
        let _ = crate::safe_fs::remove_tree(&dir);
        CreateError::Sandbox(e)
    })?;
    let now = crate::util::now_secs();
    let mounts: Vec<MountState> = planned
        .into_iter()
        .enumerate()
        .map(|(n, m)| MountState {
            context_id: m.context_id,
            path: m.path,
            policy: m.policy,
            host_dir: sandbox.mount_dir(n),
            bind_time: now,
            internal: false,
            missing: m.missing,
        })
        .collect();
    let seq = st.session_seq.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let mut session = Session::new(id.clone(), new.tenant, new.image, seq, new.labels, mounts, sandbox, reservation);
    session.release = new.release;
    session.created_at = st.store.clock.now();
    session.touch(session.created_at);
    let session = Arc::new(session);
    // Not yet registered: nothing else can see the session while its live mounts are made.
    if let Err(e) = live::mount_all(st, &session, new.live) {
        let s = session.clone();
        let st2 = st.clone();
        // Undo what was made (sandbox, live trees) off this thread; the caller gets the error.
        tokio::runtime::Handle::current().spawn(async move {
            let _ = s.sandbox.destroy(Vec::new()).await;
            live::release_all(&st2, &s).await;
        });
        return Err(CreateError::Live(e));
    }
    st.sessions.write().unwrap_or_else(|p| p.into_inner()).insert(id, session.clone());
    let downloads: Vec<usize> = session
        .mounts()
        .iter()
        .enumerate()
        .filter(|(_, m)| m.policy.download_policy.auto_download)
        .map(|(i, _)| i)
        .collect();
    spawn_tasks(st, &session, downloads, Direction::Download);
    periodic::spawn(st, &session);
    Ok(session)
}

/// `DeleteSessionAsync` and `ReleaseMcpSession`: starts releasing `session` (unless a
/// release already runs) and returns at once; the release goes on in the background.
pub fn delete(st: &Arc<AppState>, session: Arc<Session>) {
    if begin_delete(&session) {
        let st = st.clone();
        tokio::spawn(async move { finish_delete(&st, session).await });
    }
}

/// Marks the session DELETING and returns true if this call started the deletion.
fn begin_delete(session: &Session) -> bool {
    let mut s = lock(&session.status);
    if *s == session_status::DELETING {
        return false;
    }
    *s = session_status::DELETING;
    // Listed before the call returns, so the first poll after a delete sees the uploads;
    // under the status lock, so a periodic upload cannot list itself in between.
    for i in auto_uploads(session) {
        session.add_task(i, Direction::Upload, &session.mount(i).path);
    }
    true
}

fn auto_uploads(session: &Session) -> Vec<usize> {
    let mounts = session.mounts();
    (0..mounts.len()).filter(|&i| mounts[i].policy.upload_policy.auto_upload).collect()
}

/// After [`begin_delete`]: releases a session under its policies: uploads auto-upload contexts, destroys
/// the sandbox, removes its files, and only then forgets it. A mount whose
/// upload failed is kept under `<data>/lost+found/` rather than deleted.
async fn finish_delete(st: &Arc<AppState>, session: Arc<Session>) {
    // begin_delete already listed these tasks.
    let uploads = auto_uploads(&session);
    let mut failed = Vec::new();
    for i in uploads {
        if !run_task(st, &session, i, Direction::Upload, &session.mount(i).path).await {
            failed.push(i);
        }
    }
    let lost = st.data_dir.join("lost+found");
    let keep: Vec<(usize, PathBuf)> =
        failed.into_iter().map(|i| (i, lost.join(format!("{}-{i}", session.id)))).collect();
    for (_, dest) in &keep {
        eprintln!("agentbay-local: keeping un-uploaded files of session {} in {}", session.id, dest.display());
    }
    if let Err(e) = session.sandbox.destroy(keep).await {
        eprintln!("agentbay-local: destroying sandbox of session {}: {e}", session.id);
    }
    // Its processes are gone: the live trees it used can be written back.
    live::release_all(st, &session).await;
    // Its uploads are done: its contexts may be deleted from now on.
    drop(lock(&session.reservation).take());
    file_transfer::forget(st, &session).await;
    st.sessions.write().unwrap_or_else(|p| p.into_inner()).remove(&session.id);
}

/// `PauseSessionAsync` (`pause`) or `ResumeSessionAsync`: RUNNING → PAUSING → PAUSED, or
/// PAUSED → RESUMING → RUNNING. The first step is taken at once; the second once the sandbox
/// has held (`Sandbox::pause`) or let go (`Sandbox::resume`) every process of the session, on a
/// thread of its own, while the caller polls the status. Should that fail, the session goes back
/// to where it was. `Err` is the status the session had instead of RUNNING (PAUSED).
pub fn pause_or_resume(session: Arc<Session>, pause: bool) -> Result<(), &'static str> {
    use session_status::{PAUSED, PAUSING, RESUMING, RUNNING};
    let (from, during, to) = if pause { (RUNNING, PAUSING, PAUSED) } else { (PAUSED, RESUMING, RUNNING) };
    transition(&session, from, during)?;
    std::thread::spawn(move || {
        let done = if pause { session.sandbox.pause().map(drop) } else { session.sandbox.resume() };
        if let Err(e) = &done {
            let doing = if pause { "pausing" } else { "resuming" };
            eprintln!("agentbay-local: {doing} session {}: {e}", session.id);
        }
        // A deletion that began meanwhile keeps its DELETING.
        let _ = transition(&session, during, if done.is_ok() { to } else { from });
    });
    Ok(())
}

/// Moves the session from `from` to `to`, or returns the status it has instead.
fn transition(session: &Session, from: &'static str, to: &'static str) -> Result<(), &'static str> {
    let mut s = lock(&session.status);
    if *s != from {
        return Err(*s);
    }
    *s = to;
    Ok(())
}

/// Releases (as a delete does: uploads by policy first) every running session whose idle
/// timeout or maximum runtime has passed on the store's clock. Returns the ids it released.
pub fn release_due(st: &Arc<AppState>) -> Vec<String> {
    let now = st.store.clock.now();
    let all: Vec<Arc<Session>> = st.sessions.read().unwrap_or_else(|p| p.into_inner()).values().cloned().collect();
    let mut released = Vec::new();
    for s in all {
        if s.status() != session_status::RUNNING {
            continue;
        }
        if let Some(why) = s.release.due(s.created_at, s.last_active(), now) {
            eprintln!("agentbay-local: releasing session {}: {why}", s.id);
            released.push(s.id.clone());
            delete(st, s);
        }
    }
    released
}

/// How often [`spawn_reaper`] looks for sessions due for release, by default.
pub const DEFAULT_REAP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs [`release_due`] every `interval` (at least 10 ms).
pub fn spawn_reaper(st: std::sync::Weak<AppState>, interval: std::time::Duration) -> tokio::task::JoinHandle<()> {
    let interval = interval.max(std::time::Duration::from_millis(10));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(st) = st.upgrade() else { return };
            release_due(&st);
        }
    })
}

/// Graceful shutdown: every live session is released under its policies.
pub async fn release_all(st: &Arc<AppState>) {
    let all: Vec<Arc<Session>> = st.sessions.read().unwrap_or_else(|p| p.into_inner()).values().cloned().collect();
    let mut handles = Vec::new();
    for s in all {
        if begin_delete(&s) {
            let st = st.clone();
            handles.push(tokio::spawn(async move { finish_delete(&st, s).await }));
        }
    }
    for h in handles {
        let _ = h.await;
    }
    // Deletions started earlier by clients finish on their own tasks; wait for them.
    for _ in 0..6000 {
        if st.sessions.read().unwrap_or_else(|p| p.into_inner()).is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}
