//! Shared server state: tenants, live sessions and their sync tasks.

use crate::presign::Presigner;
use crate::sandbox::Sandbox;
use crate::store::Store;
use crate::sync::{self, StatCache};
use crate::util::lock;
use agentbay_wire::context_status::{status, task_type, TaskStatus};
use agentbay_wire::envelope::session_status;
use agentbay_wire::policy::SyncPolicy;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

/// Test hook: see [`crate::Config::upload_fault`].
pub type UploadFault = Arc<dyn Fn(usize) -> Result<(), String> + Send + Sync>;
/// Test hook: see [`crate::Config::request_fault`].
pub type RequestFault = Arc<dyn Fn(&str) + Send + Sync>;

pub struct AppState {
    pub store: Arc<Store>,
    /// API key → tenant id (a hash of the key, so the database never holds keys).
    pub tenants: HashMap<String, String>,
    pub presigner: Presigner,
    pub sessions: RwLock<HashMap<String, Arc<Session>>>,
    pub data_dir: PathBuf,
    pub sandboxes: Arc<crate::sandbox::Sandboxes>,
    pub tls: bool,
    /// Where the server listens; the presigned-URL host when a request has no usable Host header.
    pub local_addr: std::net::SocketAddr,
    pub upload_fault: Option<UploadFault>,
    pub request_fault: Option<RequestFault>,
    pub session_seq: std::sync::atomic::AtomicU64,
    /// Context id → live sessions mounting it (created and not yet released). DeleteContext
    /// checks and deletes under this lock, and creation reserves under it, so a context is
    /// never deleted while a session that mounts it is being created or is alive.
    pub mounted: Mutex<HashMap<String, usize>>,
}

/// A session's claim on its contexts; released once its release uploads are done.
pub struct ContextReservation {
    st: std::sync::Weak<AppState>,
    ids: Vec<String>,
}

impl Drop for ContextReservation {
    fn drop(&mut self) {
        let Some(st) = self.st.upgrade() else { return };
        let mut m = lock(&st.mounted);
        for id in self.ids.drain(..) {
            if let Some(n) = m.get_mut(&id) {
                *n -= 1;
                if *n == 0 {
                    m.remove(&id);
                }
            }
        }
    }
}

pub struct MountState {
    pub context_id: String,
    pub path: String,
    pub policy: SyncPolicy,
    pub host_dir: PathBuf,
}

pub struct Session {
    pub id: String,
    pub tenant: String,
    pub image_id: String,
    pub seq: u64,
    pub labels: Mutex<BTreeMap<String, String>>,
    pub status: Mutex<&'static str>,
    pub mounts: Vec<MountState>,
    pub sandbox: Sandbox,
    reservation: Mutex<Option<ContextReservation>>,
    tasks: Mutex<Vec<TaskStatus>>,
    /// Serialises sync operations of this session; holds one stat cache per mount.
    sync: tokio::sync::Mutex<Vec<StatCache>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Upload,
    Download,
}

impl Direction {
    fn task_type(self) -> &'static str {
        match self {
            Direction::Upload => task_type::UPLOAD,
            Direction::Download => task_type::DOWNLOAD,
        }
    }
}

impl Session {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        tenant: String,
        image_id: String,
        seq: u64,
        labels: BTreeMap<String, String>,
        mounts: Vec<MountState>,
        sandbox: Sandbox,
        reservation: ContextReservation,
    ) -> Session {
        let caches = mounts.iter().map(|_| StatCache::default()).collect();
        Session {
            id,
            tenant,
            image_id,
            seq,
            labels: Mutex::new(labels),
            status: Mutex::new(session_status::RUNNING),
            mounts,
            sandbox,
            reservation: Mutex::new(Some(reservation)),
            tasks: Mutex::new(Vec::new()),
            sync: tokio::sync::Mutex::new(caches),
        }
    }

    pub fn status(&self) -> &'static str {
        *lock(&self.status)
    }

    pub fn labels(&self) -> BTreeMap<String, String> {
        lock(&self.labels).clone()
    }

    pub fn set_labels(&self, l: BTreeMap<String, String>) {
        *lock(&self.labels) = l;
    }

    pub fn tasks(&self) -> Vec<TaskStatus> {
        lock(&self.tasks).clone()
    }

    /// Records a new `Pending` task (replacing the previous one for the same
    /// context, path and direction) so it is visible before any work starts.
    pub fn add_task(&self, mount: usize, dir: Direction) {
        let m = &self.mounts[mount];
        let mut tasks = lock(&self.tasks);
        tasks.retain(|t| !(t.context_id == m.context_id && t.path == m.path && t.task_type == dir.task_type()));
        tasks.push(TaskStatus {
            context_id: m.context_id.clone(),
            path: m.path.clone(),
            error_message: String::new(),
            status: status::PENDING.into(),
            start_time: crate::util::now_secs(),
            finish_time: 0,
            task_type: dir.task_type().into(),
        });
    }

    fn update_task(&self, mount: usize, dir: Direction, new_status: &str, error: Option<String>) {
        let m = &self.mounts[mount];
        let mut tasks = lock(&self.tasks);
        if let Some(t) = tasks
            .iter_mut()
            .rev()
            .find(|t| t.context_id == m.context_id && t.path == m.path && t.task_type == dir.task_type())
        {
            t.status = new_status.into();
            if status::is_terminal(new_status) {
                t.finish_time = crate::util::now_secs();
            }
            if let Some(e) = error {
                t.error_message = e;
            }
        }
    }
}

impl AppState {
    pub fn session(&self, tenant: &str, id: &str) -> Option<Arc<Session>> {
        let map = self.sessions.read().unwrap_or_else(|p| p.into_inner());
        map.get(id).filter(|s| s.tenant == tenant).cloned()
    }

    /// Live sessions of `tenant`, oldest first.
    pub fn tenant_sessions(&self, tenant: &str) -> Vec<Arc<Session>> {
        let map = self.sessions.read().unwrap_or_else(|p| p.into_inner());
        let mut v: Vec<_> = map.values().filter(|s| s.tenant == tenant).cloned().collect();
        v.sort_by_key(|s| s.seq);
        v
    }

    /// The id of a live session mounting context `ctx`, if any.
    pub fn session_using(&self, ctx: &str) -> Option<String> {
        let map = self.sessions.read().unwrap_or_else(|p| p.into_inner());
        map.values().find(|s| s.mounts.iter().any(|m| m.context_id == ctx)).map(|s| s.id.clone())
    }

    /// Claims `ids` (which must be `tenant`'s contexts) for a session being created.
    /// Blocking (SQLite).
    pub fn reserve_contexts(
        self: &Arc<Self>,
        tenant: &str,
        ids: &[String],
    ) -> Result<ContextReservation, crate::api::error::ApiError> {
        let mut m = lock(&self.mounted);
        {
            let db = self.store.db();
            for id in ids {
                if crate::store::db::context_by_id(&db, tenant, id)?.is_none() {
                    return Err(crate::api::error::ApiError::ContextNotFound(id.clone()));
                }
            }
        }
        for id in ids {
            *m.entry(id.clone()).or_insert(0) += 1;
        }
        Ok(ContextReservation { st: Arc::downgrade(self), ids: ids.to_vec() })
    }

    /// Deletes context `id` unless a live session mounts it; then returns that session's id
    /// (or `"a session being created"`). Blocking (SQLite).
    pub fn delete_context_unless_mounted(&self, id: &str) -> Result<Option<String>, rusqlite::Error> {
        let m = lock(&self.mounted);
        if m.get(id).is_some_and(|n| *n > 0) {
            return Ok(Some(self.session_using(id).unwrap_or_else(|| "a session being created".into())));
        }
        crate::store::db::delete_context(&mut self.store.db(), id)?;
        Ok(None)
    }

    /// Runs one (already recorded) sync task to completion. Returns whether it succeeded.
    pub async fn run_task(self: &Arc<Self>, session: &Arc<Session>, mount: usize, dir: Direction) -> bool {
        let caches = session.sync.lock().await;
        self.run_locked(session, caches, mount, dir).await
    }

    /// A periodic upload: recorded and run only if the session is still running once it
    /// holds the session's sync lock, so a tick racing a release neither replaces the
    /// release's listed task nor uploads after it. Returns whether it ran.
    pub async fn run_periodic_upload(self: &Arc<Self>, session: &Arc<Session>, mount: usize) -> bool {
        let caches = session.sync.lock().await;
        {
            // begin_delete flips the status and lists its tasks under this same lock.
            let s = lock(&session.status);
            if *s != session_status::RUNNING {
                return false;
            }
            session.add_task(mount, Direction::Upload);
        }
        self.run_locked(session, caches, mount, Direction::Upload).await;
        true
    }

    async fn run_locked(
        self: &Arc<Self>,
        session: &Arc<Session>,
        mut caches: tokio::sync::MutexGuard<'_, Vec<StatCache>>,
        mount: usize,
        dir: Direction,
    ) -> bool {
        session.update_task(mount, dir, status::RUNNING, None);
        let mut cache = std::mem::take(&mut caches[mount]);
        let st = self.clone();
        let sess = session.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let m = &sess.mounts[mount];
            let spec = sync::MountSpec { ctx: &m.context_id, mount_path: &m.path, policy: &m.policy };
            let r = match crate::safe_fs::Tree::open(&m.host_dir, sess.sandbox.owner()) {
                Err(e) => Err(sync::SyncError::Io { path: m.path.clone(), source: e }),
                Ok(tree) => match dir {
                    Direction::Upload => {
                        let hook = st.upload_fault.clone();
                        let hook_ref = hook.as_deref().map(|h| h as &(dyn Fn(usize) -> Result<(), String> + Sync));
                        sync::upload(&st.store, spec, &tree, &mut cache, hook_ref)
                    }
                    Direction::Download => sync::download(&st.store, spec, &tree, &mut cache),
                },
            };
            let r = r.map_err(|e| {
                // ENOSPC in a download means the session's disk quota, not the server's disk.
                let full = sess.sandbox.disk_full();
                let quota = sess.sandbox.disk_quota().unwrap_or(0) >> 20;
                match full {
                    true => format!("{e} (the session's disk quota of {quota} MiB is full; --session-disk)"),
                    false => e.to_string(),
                }
            });
            (r, cache)
        })
        .await;
        let (result, cache) = match joined {
            Ok((r, c)) => (r, c),
            // A panic in the sync engine fails this task; the server and its other sessions go on.
            Err(e) => (Err(format!("sync task crashed: {}", crate::util::panic_text(e))), StatCache::default()),
        };
        caches[mount] = cache;
        match result {
            Ok(_) => {
                session.update_task(mount, dir, status::SUCCESS, None);
                true
            }
            Err(e) => {
                eprintln!(
                    "agentbay-local: {} of context {} at {} in session {} failed: {e}",
                    dir.task_type(),
                    session.mounts[mount].context_id,
                    session.mounts[mount].path,
                    session.id
                );
                session.update_task(mount, dir, status::FAILED, Some(e));
                false
            }
        }
    }

    /// Records tasks for `mounts` at once, then runs them in the background.
    pub fn spawn_tasks(self: &Arc<Self>, session: &Arc<Session>, mounts: Vec<usize>, dir: Direction) {
        for &i in &mounts {
            session.add_task(i, dir);
        }
        let st = self.clone();
        let sess = session.clone();
        tokio::spawn(async move {
            for i in mounts {
                st.run_task(&sess, i, dir).await;
            }
        });
    }

    /// Marks the session DELETING and returns true if this call started the deletion.
    pub fn begin_delete(&self, session: &Session) -> bool {
        let mut s = lock(&session.status);
        if *s == session_status::DELETING {
            return false;
        }
        *s = session_status::DELETING;
        // Listed before the call returns, so the first poll after a delete sees the uploads;
        // under the status lock, so a periodic upload cannot list itself in between.
        for i in Self::auto_uploads(session) {
            session.add_task(i, Direction::Upload);
        }
        true
    }

    fn auto_uploads(session: &Session) -> Vec<usize> {
        (0..session.mounts.len()).filter(|&i| session.mounts[i].policy.upload_policy.auto_upload).collect()
    }

    /// After [`Self::begin_delete`]: releases a session under its policies: uploads auto-upload contexts, destroys
    /// the sandbox, removes its files, and only then forgets it. A mount whose
    /// upload failed is kept under `<data>/lost+found/` rather than deleted.
    pub async fn finish_delete(self: &Arc<Self>, session: Arc<Session>) {
        // begin_delete already listed these tasks.
        let uploads = Self::auto_uploads(&session);
        let mut failed = Vec::new();
        for i in uploads {
            if !self.run_task(&session, i, Direction::Upload).await {
                failed.push(i);
            }
        }
        let lost = self.data_dir.join("lost+found");
        let keep: Vec<(usize, PathBuf)> =
            failed.into_iter().map(|i| (i, lost.join(format!("{}-{i}", session.id)))).collect();
        for (_, dest) in &keep {
            eprintln!("agentbay-local: keeping un-uploaded files of session {} in {}", session.id, dest.display());
        }
        if let Err(e) = session.sandbox.destroy(keep).await {
            eprintln!("agentbay-local: destroying sandbox of session {}: {e}", session.id);
        }
        // Its uploads are done: its contexts may be deleted from now on.
        drop(lock(&session.reservation).take());
        self.sessions.write().unwrap_or_else(|p| p.into_inner()).remove(&session.id);
    }

    /// Graceful shutdown: every live session is released under its policies.
    pub async fn release_all(self: &Arc<Self>) {
        let all: Vec<Arc<Session>> =
            self.sessions.read().unwrap_or_else(|p| p.into_inner()).values().cloned().collect();
        let mut handles = Vec::new();
        for s in all {
            if self.begin_delete(&s) {
                let st = self.clone();
                handles.push(tokio::spawn(async move { st.finish_delete(s).await }));
            }
        }
        for h in handles {
            let _ = h.await;
        }
        // Deletions started earlier by clients finish on their own tasks; wait for them.
        for _ in 0..6000 {
            if self.sessions.read().unwrap_or_else(|p| p.into_inner()).is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}
