//! Shared server state: tenants, live sessions (their mounts, labels and sync task
//! records) and which contexts live sessions claim, with the locks that keep those
//! consistent. What changes a session's life (creating it, running its sync tasks,
//! releasing it) is `crate::lifecycle`; this module holds what it and the HTTP handlers
//! read and update.

use crate::presign::Presigner;
use crate::sandbox::Sandbox;
use crate::store::Store;
use crate::sync::StatCache;
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
    /// The contexts mounted live (`BetaContextMount`) and their shared trees.
    pub live: crate::live::LiveContexts,
}

/// Why [`AppState::reserve_contexts`] refused.
#[derive(Debug, thiserror::Error)]
pub enum ReserveError {
    #[error("The context '{0}' does not exist")]
    ContextNotFound(String),
    #[error(transparent)]
    Db(#[from] rusqlite::Error),
}

/// A session's claim on its contexts; released once its release uploads are done.
pub struct ContextReservation {
    st: std::sync::Weak<AppState>,
    ids: Vec<String>,
}

impl ContextReservation {
    /// Takes over `other`'s claims (contexts bound to the session later), to be released with these.
    pub fn absorb(&mut self, mut other: ContextReservation) {
        self.ids.append(&mut other.ids);
    }
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
    /// When it was mounted (at create or by `BindContexts`), Unix seconds.
    pub bind_time: i64,
    /// The session's file-transfer context (`GetAndLoadInternalContext`): not listed as a
    /// binding, and deleted with the session.
    pub internal: bool,
    /// Its id named no context of the tenant's when the session was created (the cloud creates
    /// such a session too). The path is mounted empty and every sync of it fails saying so,
    /// without reading or writing the store under that id: it may be another tenant's.
    pub missing: bool,
}

#[derive(Clone)]
/// A live mount of a session (`BetaContextMount`): the context's shared tree (`crate::live`)
/// bound at `path`, never synced (its writes are the context's content at once).
pub struct LiveMount {
    pub context_id: String,
    pub path: String,
    pub read_only: bool,
    pub storage_mode: agentbay_wire::persistence::StorageMode,
    /// The context folder shown at `path` ("" or "/": all of it).
    pub source_path: String,
    pub bind_time: i64,
}

pub struct Session {
    pub id: String,
    pub tenant: String,
    pub image_id: String,
    pub seq: u64,
    pub labels: Mutex<BTreeMap<String, String>>,
    pub status: Mutex<&'static str>,
    /// Its context mounts, in the order they were made; they only grow (`BindContexts`), so an
    /// index names one mount for the session's whole life.
    mounts: RwLock<Vec<Arc<MountState>>>,
    pub sandbox: Sandbox,
    /// Dropped (releasing the contexts) once the session's release uploads are done.
    pub(crate) reservation: Mutex<Option<ContextReservation>>,
    tasks: Mutex<Vec<TaskStatus>>,
    /// Serialises sync operations of this session; holds one stat cache per mount.
    pub(crate) sync: tokio::sync::Mutex<Vec<StatCache>>,
    /// When it is released by itself (`CreateMcpSession` `Timeout`/`MaxRuntime`/`ManualRelease`).
    pub release: ReleasePolicy,
    /// Held while the file-transfer context is looked up or made (`lifecycle::load_file_transfer`).
    pub(crate) file_transfer_lock: Mutex<()>,
    /// Its live mounts, in the order they were made.
    pub(crate) live: Mutex<Vec<LiveMount>>,
    /// Creation and last activity, in seconds on the store's shiftable clock (`crate::clock`).
    pub created_at: i64,
    last_active: std::sync::atomic::AtomicI64,
}

/// A session's own lifecycle: released after `idle_secs` without activity or `max_runtime_secs`
/// after creation, whichever comes first; neither when absent (or `ManualRelease`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReleasePolicy {
    pub idle_secs: Option<u64>,
    pub max_runtime_secs: Option<u64>,
}

impl ReleasePolicy {
    /// Why a session created at `created`, last active at `active`, is due at `now`, if it is.
    pub fn due(&self, created: i64, active: i64, now: i64) -> Option<String> {
        let past = |since: i64, limit: Option<u64>| limit.filter(|l| now.saturating_sub(since) >= *l as i64);
        if let Some(l) = past(created, self.max_runtime_secs) {
            return Some(format!("it ran for its maximum runtime ({l} s)"));
        }
        past(active, self.idle_secs).map(|l| format!("it was idle for {l} s"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Upload,
    Download,
}

impl Direction {
    pub(crate) fn task_type(self) -> &'static str {
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
        let mounts = RwLock::new(mounts.into_iter().map(Arc::new).collect());
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
            release: ReleasePolicy::default(),
            file_transfer_lock: Mutex::new(()),
            live: Mutex::new(Vec::new()),
            created_at: 0,
            last_active: Default::default(),
        }
    }

    /// Its mounts as they are now.
    pub fn mounts(&self) -> Vec<Arc<MountState>> {
        self.mounts.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Mount `i` (an index from [`Self::mounts`] or [`Self::add_mount`]).
    pub fn mount(&self, i: usize) -> Arc<MountState> {
        self.mounts.read().unwrap_or_else(|p| p.into_inner())[i].clone()
    }

    /// Adds a mount and returns its index. Its stat cache is made by its first sync task.
    pub fn add_mount(&self, m: MountState) -> usize {
        let mut mounts = self.mounts.write().unwrap_or_else(|p| p.into_inner());
        mounts.push(Arc::new(m));
        mounts.len() - 1
    }

    /// Its live mounts as they are now.
    pub fn live_mounts(&self) -> Vec<LiveMount> {
        lock(&self.live).clone()
    }

    /// Lists a task that is already over (a live mount reports its mounting as a finished
    /// download, which is what the SDKs' `create()` waits for).
    pub fn push_done_task(&self, context_id: &str, path: &str, dir: Direction) {
        let now = crate::util::now_secs();
        lock(&self.tasks).push(TaskStatus {
            context_id: context_id.into(),
            path: path.into(),
            error_message: String::new(),
            status: status::SUCCESS.into(),
            start_time: now,
            finish_time: now,
            task_type: dir.task_type().into(),
        });
    }

    /// Starts the idle timer over (`now` on the store's clock).
    pub fn touch(&self, now: i64) {
        self.last_active.store(now, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn last_active(&self) -> i64 {
        self.last_active.load(std::sync::atomic::Ordering::Relaxed)
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

    /// Records a new `Pending` task of `mount` under `path` (the mount's path, or the path below
    /// it a `SyncContext` named), replacing the previous one for the same context, path and
    /// direction, so it is visible before any work starts.
    pub fn add_task(&self, mount: usize, dir: Direction, path: &str) {
        let m = self.mount(mount);
        let mut tasks = lock(&self.tasks);
        tasks.retain(|t| !(t.context_id == m.context_id && t.path == path && t.task_type == dir.task_type()));
        tasks.push(TaskStatus {
            context_id: m.context_id.clone(),
            path: path.to_string(),
            error_message: String::new(),
            status: status::PENDING.into(),
            start_time: crate::util::now_secs(),
            finish_time: 0,
            task_type: dir.task_type().into(),
        });
    }

    /// Moves the latest task of `mount` under `path` in direction `dir` to `new_status` (with
    /// `error`, if any).
    pub(crate) fn update_task(
        &self,
        mount: usize,
        dir: Direction,
        path: &str,
        new_status: &str,
        error: Option<String>,
    ) {
        let m = self.mount(mount);
        let mut tasks = lock(&self.tasks);
        if let Some(t) = tasks
            .iter_mut()
            .rev()
            .find(|t| t.context_id == m.context_id && t.path == path && t.task_type == dir.task_type())
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
        map.values()
            .find(|s| {
                s.mounts().iter().any(|m| m.context_id == ctx) || lock(&s.live).iter().any(|m| m.context_id == ctx)
            })
            .map(|s| s.id.clone())
    }

    /// Claims `ids` (which must be `tenant`'s contexts) for a session being created.
    /// Blocking (SQLite).
    pub fn reserve_contexts(
        self: &Arc<Self>,
        tenant: &str,
        ids: &[String],
    ) -> Result<ContextReservation, ReserveError> {
        let mut m = lock(&self.mounted);
        {
            let db = self.store.db();
            for id in ids {
                if crate::store::db::context_by_id(&db, tenant, id)?.is_none() {
                    return Err(ReserveError::ContextNotFound(id.clone()));
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
        if let Some(lowers) = self.sandboxes.lowers() {
            lowers.forget(id);
        }
        Ok(None)
    }
}
