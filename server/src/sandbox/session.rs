//! One session's sandbox: made by [`Sandboxes::create`], it runs each tool call in a fresh
//! bwrap (serialised, see the module doc of `sandbox`) and is destroyed with the session.

use super::bwrap::{self, LOOPBACK_FLAKE};
use super::disk;
use super::env::bwrap_env;
use super::error::SandboxError;
use super::helper;
use super::host::Sandboxes;
use super::layout::{self, Layout};
use super::limits;
use super::mount_path::{normalize_mount_path, validate_mount_path};
use super::net::Network;
use super::process::{self, Launch, Running};
use super::shell::{self, OUTPUT_CAP};
use super::slirp;
use crate::tools::{ToolCall, ToolError};
use crate::util::lock;
use agentbay_wire::tool::ToolResult;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Deadline of one filesystem tool (guards against e.g. reading a FIFO nobody writes).
const FS_TOOL_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest helper response accepted (base64 of a big `read_file` chunk fits easily).
const FS_OUTPUT_CAP: usize = 256 * 1024 * 1024;

impl Sandboxes {
    /// Makes the sandbox of a new session: its disk, root, mount dirs and cgroups.
    pub fn create(self: &Arc<Self>, spec: SandboxSpec) -> Result<Sandbox, SandboxError> {
        let mut mounts = Vec::with_capacity(spec.mount_paths.len());
        for (n, path) in spec.mount_paths.iter().enumerate() {
            validate_mount_path(path).map_err(|reason| SandboxError::InvalidMount { path: path.clone(), reason })?;
            let path = normalize_mount_path(path).to_string();
            if mounts.iter().any(|(p, _): &(String, usize)| p == &path) {
                return Err(SandboxError::InvalidMount { path, reason: "mounted twice in one session".into() });
            }
            mounts.push((path, n));
        }
        let dir = &spec.session_dir;
        std::fs::create_dir_all(dir).map_err(SandboxError::io(format!("creating {}", dir.display())))?;
        // The sandbox uid passes through to its disk; the directory is not listable.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o711))
            .map_err(SandboxError::io(format!("securing {}", dir.display())))?;
        let owner = self.identity.owner();
        let disk = self.disks.create(dir, owner).map_err(SandboxError::io("making the session disk"))?;
        let layout = Layout::new(dir, disk.dir(), owner);
        let made = (|| {
            layout.create(mounts.len())?;
            self.enforcement.session(&spec.id, &self.limits).map_err(SandboxError::io("creating the session's cgroups"))
        })();
        let cgroups = match made {
            Ok(c) => c,
            Err(e) => {
                let mut disk = disk;
                let _ = disk.remove();
                return Err(e);
            }
        };
        let by_index: Vec<PathBuf> = (0..mounts.len()).map(|n| layout.mount_dir(n)).collect();
        let mut sorted: Vec<(String, PathBuf)> = mounts.into_iter().map(|(p, n)| (p, by_index[n].clone())).collect();
        sort_parents_first(&mut sorted);
        Ok(Sandbox {
            inner: Arc::new(Inner {
                host: self.clone(),
                layout,
                mounts: Mutex::new(Mounts { sorted, by_index, read_only: Vec::new() }),
                call_lock: tokio::sync::Mutex::new(()),
                running: Running::default(),
                destroyed: AtomicBool::new(false),
                paused: Mutex::new(None),
                cgroups: Mutex::new(cgroups),
                disk: Mutex::new(disk),
                overlays: Mutex::new(Vec::new()),
            }),
        })
    }
}

#[derive(Debug, Clone)]
pub struct SandboxSpec {
    /// The session id (names its cgroups).
    pub id: String,
    /// Host dir private to this session (see `layout`).
    pub session_dir: PathBuf,
    /// Where each context is mounted inside the sandbox, in `PersistenceDataList` order.
    pub mount_paths: Vec<String>,
}

#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("session_dir", &self.inner.layout.session_dir)
            .field("mounts", &lock(&self.inner.mounts).sorted)
            .finish_non_exhaustive()
    }
}

struct Inner {
    host: Arc<Sandboxes>,
    layout: Layout,
    /// The context mounts; they only grow (`Sandbox::add_mount`), and each call's bwrap
    /// command line is built from what they are when it starts.
    mounts: Mutex<Mounts>,
    call_lock: tokio::sync::Mutex<()>,
    running: Running,
    destroyed: AtomicBool,
    /// How the session is paused, while it is.
    paused: Mutex<Option<PauseMethod>>,
    cgroups: Mutex<limits::SessionCgroups>,
    disk: Mutex<disk::SessionDisk>,
    /// The overlays mounted on mount dirs (`crate::overlay`), unmounted before the disk goes.
    overlays: Mutex<Vec<Overlay>>,
}

/// An overlay mounted on the host dir of mount `n`.
struct Overlay {
    n: usize,
    target: PathBuf,
    upper: PathBuf,
    /// Keeps the shared lower tree while this overlay uses it.
    _lower: crate::overlay::LowerRef,
}

struct Mounts {
    /// (sandbox path, host dir), sorted so parents mount before children.
    sorted: Vec<(String, PathBuf)>,
    /// Host dir of each synced mount, in the order they were added (live mounts have none:
    /// their host dir is the context's shared tree, `crate::live`).
    by_index: Vec<PathBuf>,
    /// Sandbox paths mounted read-only (`--ro-bind`).
    read_only: Vec<String>,
}

/// Whether nothing is at `path` in the session's root, or only an empty directory.
fn empty_in(layout: &Layout, path: &str) -> std::io::Result<bool> {
    let root = layout.root_tree()?;
    let rel = path.trim_start_matches('/');
    match root.stat(rel)? {
        None => Ok(true),
        Some(st) if rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Directory => {
            Ok(crate::safe_fs::read_dir(&root.open_dir(rel, false)?)?.is_empty())
        }
        Some(_) => Ok(false),
    }
}

/// Parents before children: fewer components first, then by name for stability.
fn sort_parents_first(mounts: &mut [(String, PathBuf)]) {
    mounts.sort_by(|a, b| (a.0.matches('/').count(), &a.0).cmp(&(b.0.matches('/').count(), &b.0)));
}

/// How a paused session's processes are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseMethod {
    /// The session's freezer cgroup (v1) is `FROZEN`: every process, whatever it does.
    Freezer,
    /// No freezer on this host: SIGSTOP to every process of the running calls, SIGCONT on
    /// resume. Weaker: a process could be reached between the scan of `/proc` and the signal.
    Signals,
}

impl PauseMethod {
    pub fn describe(self) -> &'static str {
        match self {
            PauseMethod::Freezer => "cgroup freezer",
            PauseMethod::Signals => "SIGSTOP/SIGCONT",
        }
    }
}

impl Sandbox {
    /// Pauses every process of the session (a call in flight included: it resumes where it
    /// stopped). Blocking (cgroup files, `/proc`): call it off the async workers. While
    /// paused, calls are refused (the API layer refuses them first, by the session status).
    pub fn pause(&self) -> std::io::Result<PauseMethod> {
        let inner = &self.inner;
        let mut paused = lock(&inner.paused);
        if let Some(m) = *paused {
            return Ok(m);
        }
        let method = if lock(&inner.cgroups).set_frozen(true)? {
            PauseMethod::Freezer
        } else {
            inner.running.signal_trees(libc::SIGSTOP);
            PauseMethod::Signals
        };
        *paused = Some(method);
        Ok(method)
    }

    /// Undoes [`Self::pause`]; nothing if the session is not paused. Blocking.
    pub fn resume(&self) -> std::io::Result<()> {
        let inner = &self.inner;
        let mut paused = lock(&inner.paused);
        match *paused {
            None => return Ok(()),
            Some(PauseMethod::Freezer) => {
                lock(&inner.cgroups).set_frozen(false)?;
            }
            Some(PauseMethod::Signals) => inner.running.signal_trees(libc::SIGCONT),
        }
        *paused = None;
        Ok(())
    }

    /// How the session is paused, if it is.
    pub fn paused(&self) -> Option<PauseMethod> {
        *lock(&self.inner.paused)
    }

    /// The session's writable root on the host (what `/` is inside the sandbox).
    pub fn root_dir(&self) -> &Path {
        &self.inner.layout.root
    }

    /// The host directory of mount `n` (in the order mounts were added), where the sync engine works.
    pub fn mount_dir(&self, n: usize) -> PathBuf {
        lock(&self.inner.mounts).by_index[n].clone()
    }

    /// The upper dir of mount `n`, if an overlay is mounted there (`Self::try_overlay`).
    pub fn overlay_upper(&self, n: usize) -> Option<PathBuf> {
        lock(&self.inner.overlays).iter().find(|o| o.n == n).map(|o| o.upper.clone())
    }

    /// The shared lower trees, when this host mounts overlays.
    pub fn lowers(&self) -> Option<&Arc<crate::overlay::Lowers>> {
        self.inner.host.lowers()
    }

    /// Mounts an overlay of `lower` on the host dir of mount `n`, with upper and work dirs on
    /// the session's disk (`ovl/<n>/`). Only while no tool call runs (none can write into the
    /// dir meanwhile) and the dir is empty (an overlay would hide what is there): otherwise
    /// `Ok(false)` and nothing changes, and the caller copies instead. Blocking.
    pub fn try_overlay(&self, n: usize, lower: crate::overlay::LowerRef) -> Result<bool, SandboxError> {
        let inner = &self.inner;
        let Ok(_turn) = inner.call_lock.try_lock() else { return Ok(false) };
        let mut overlays = lock(&inner.overlays);
        if inner.destroyed.load(Ordering::SeqCst) || overlays.iter().any(|o| o.n == n) {
            return Ok(false);
        }
        let target = self.mount_dir(n);
        let at = format!("mounting an overlay on mount {n}");
        let empty = crate::safe_fs::Tree::open(&target, None)
            .and_then(|t| crate::safe_fs::read_dir(t.root()))
            .map_err(SandboxError::io(&at))?
            .is_empty();
        if !empty {
            return Ok(false);
        }
        let disk = inner.layout.disk_tree().map_err(SandboxError::io(&at))?;
        // Both belong to the sandbox uid: the merged root shows the upper root's owner and mode.
        disk.open_dir(&format!("ovl/{n}/upper"), true).map_err(SandboxError::io(&at))?;
        disk.open_dir(&format!("ovl/{n}/work"), true).map_err(SandboxError::io(&at))?;
        let (upper, work) =
            (inner.layout.disk.join(format!("ovl/{n}/upper")), inner.layout.disk.join(format!("ovl/{n}/work")));
        crate::overlay::mount(&lower.path(), &upper, &work, &target).map_err(SandboxError::io(&at))?;
        overlays.push(Overlay { n, target, upper, _lower: lower });
        Ok(true)
    }

    /// `path`, normalised, with the mount list locked, if a new mount may go there: a valid path,
    /// neither the same as nor nested with a mount the session has, in a session not being
    /// destroyed.
    fn room_for(&self, path: &str) -> Result<(String, std::sync::MutexGuard<'_, Mounts>), SandboxError> {
        validate_mount_path(path).map_err(|reason| SandboxError::InvalidMount { path: path.into(), reason })?;
        let path = normalize_mount_path(path).to_string();
        let mounts = lock(&self.inner.mounts);
        if self.inner.destroyed.load(Ordering::SeqCst) {
            return Err(SandboxError::InvalidMount { path, reason: "the session is being released".into() });
        }
        if let Some((other, _)) = mounts
            .sorted
            .iter()
            .find(|(p, _)| *p == path || super::mount_path::is_under(&path, p) || super::mount_path::is_under(p, &path))
        {
            return Err(SandboxError::InvalidMount {
                reason: format!("the session already mounts a context at '{other}', which is the same or nested"),
                path,
            });
        }
        Ok((path, mounts))
    }

    /// Mounts a new context directory at `path` for every later call (`BindContexts`, the
    /// file-transfer context); a call already running keeps the mounts it started with.
    /// Returns the mount's index and host directory. Refuses a path that is invalid, the same
    /// as or nested with a mount the session has, or a session being destroyed. Blocking.
    pub fn add_mount(&self, path: &str) -> Result<(usize, PathBuf), SandboxError> {
        let inner = &self.inner;
        let (path, mut mounts) = self.room_for(path)?;
        let n = mounts.by_index.len();
        inner.layout.create_mount_dir(n)?;
        let host = inner.layout.mount_dir(n);
        mounts.by_index.push(host.clone());
        mounts.sorted.push((path, host.clone()));
        sort_parents_first(&mut mounts.sorted);
        Ok((n, host))
    }

    /// Mounts the host directory `host` (a live context's tree, `crate::live`) at `path` for
    /// every later call, read-only if asked. As the cloud requires, the path must hold nothing
    /// in the session yet. Blocking.
    pub fn add_live_mount(&self, path: &str, host: &Path, read_only: bool) -> Result<(), SandboxError> {
        let inner = &self.inner;
        let (path, mut mounts) = self.room_for(path)?;
        if !empty_in(&inner.layout, &path).map_err(SandboxError::io(format!("looking at {path}")))? {
            return Err(SandboxError::InvalidMount { reason: "the mount path is not empty".into(), path });
        }
        mounts.sorted.push((path.clone(), host.to_path_buf()));
        sort_parents_first(&mut mounts.sorted);
        if read_only {
            mounts.read_only.push(path);
        }
        Ok(())
    }

    /// (sandbox path, host dir) of every mount, parents first, and the read-only ones, as they are now.
    fn mounts_now(&self) -> (Vec<(String, PathBuf)>, Vec<String>) {
        let m = lock(&self.inner.mounts);
        (m.sorted.clone(), m.read_only.clone())
    }

    /// Who owns what the server writes into this session's tree (see `Identity::owner`).
    pub fn owner(&self) -> Option<(u32, u32)> {
        self.inner.layout.owner
    }

    /// The session's disk quota in bytes, if it has one.
    pub fn disk_quota(&self) -> Option<u64> {
        lock(&self.inner.disk).quota()
    }

    /// Whether the session's disk quota is used up (for error messages of the sync engine).
    pub fn disk_full(&self) -> bool {
        lock(&self.inner.disk).is_full()
    }

    pub async fn call_tool(&self, name: &str, args: &serde_json::Value) -> Result<ToolResult, ToolError> {
        let call = crate::tools::parse(name, args)?;
        let _turn = self.inner.call_lock.lock().await;
        if self.inner.destroyed.load(Ordering::SeqCst) {
            return Ok(ToolResult::text("session sandbox has been destroyed", true));
        }
        if self.paused().is_some() {
            return Ok(ToolResult::text("the session is paused: resume it (betaResumeAsync) first", true));
        }
        let me = self.clone();
        let before = match tokio::task::spawn_blocking(move || me.prepare()).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return Ok(ToolResult::text(format!("sandbox setup failed: {e}"), true)),
            Err(e) => return Ok(ToolResult::text(format!("sandbox setup failed: {e}"), true)),
        };
        let (deadline, cap) = match &call {
            ToolCall::Shell(a) => (Duration::from_millis(a.effective_timeout_ms()), OUTPUT_CAP),
            _ => (FS_TOOL_TIMEOUT, FS_OUTPUT_CAP),
        };
        let request = helper::HelperRequest { tool: name.to_string(), args: args.clone() };
        let Ok(body) = serde_json::to_vec(&request) else {
            return Ok(ToolResult::text("internal error: cannot encode the tool call", true));
        };
        // bubblewrap's own loopback set-up in a new network namespace fails now and then under
        // load (`bwrap: loopback: Failed RTM_NEWADDR`, about once in a thousand starts here),
        // before anything of the call has run; such a start is simply made again.
        let mut run = self.run_once(&body, deadline, cap).await;
        for _ in 0..2 {
            let setup_failed = match &run {
                Ok(c) => c.exit_code() == 1 && c.stdout.is_empty() && c.stderr.starts_with(LOOPBACK_FLAKE),
                Err(e) => e.to_string().contains("bwrap: loopback:"),
            };
            if !setup_failed {
                break;
            }
            run = self.run_once(&body, deadline, cap).await;
        }
        let me = self.clone();
        let notes = tokio::task::spawn_blocking(move || me.notes(before)).await.unwrap_or_default();
        let c = match run {
            Ok(c) => c,
            Err(e) => return Ok(ToolResult::text(format!("cannot start sandbox (bwrap): {e}"), true)),
        };
        Ok(match call {
            ToolCall::Shell(a) => shell::result(&c, a.effective_timeout_ms(), &notes),
            _ => fs_result(name, &c, &notes),
        })
    }

    /// One start of the helper in a fresh bwrap (and, with slirp4netns, its network).
    async fn run_once(&self, body: &[u8], deadline: Duration, cap: usize) -> std::io::Result<process::Captured> {
        let mut launch = self.inner.host.launch(&lock(&self.inner.cgroups));
        let (mut extra, mut child_fds, mut attach) = (Vec::new(), Vec::new(), None);
        if self.inner.host.network == Network::Slirp4netns {
            let plan = slirp::Plan::new()?;
            extra = plan.args();
            launch.inherit = plan.inherit();
            let (fds, bring_up) = plan.split(Launch { inherit: Vec::new(), ..launch.clone() });
            (child_fds, attach) = (fds, Some(bring_up));
        }
        let cmd = self.command(extra);
        process::run(cmd, launch, child_fds, attach, Some(body.to_vec()), deadline, cap, &self.inner.running).await
    }

    /// Before a call: mount points are real directories and the root is usable. Returns the
    /// limit counters to compare with after the call.
    fn prepare(&self) -> std::io::Result<limits::Counters> {
        let inner = &self.inner;
        // A session may `chmod 000 /`; a server without root could then not even open it. The
        // path is the server's own (the session cannot see or replace `fs/root` itself).
        let root_meta = std::fs::symlink_metadata(&inner.layout.root)?;
        if root_meta.is_dir() && root_meta.permissions().mode() & 0o700 != 0o700 {
            let mode = (root_meta.permissions().mode() & 0o777) | 0o700;
            std::fs::set_permissions(&inner.layout.root, std::fs::Permissions::from_mode(mode))?;
        }
        let root = inner.layout.root_tree()?;
        for d in bwrap::root_mount_points() {
            root.make_real_dir(&d)?;
        }
        let (mounts, _) = self.mounts_now();
        for (path, _) in &mounts {
            let (base, rel) = layout::mount_point_base(&inner.layout.root, &mounts, path);
            crate::safe_fs::Tree::open(base, inner.layout.owner)?.make_real_dir(rel)?;
        }
        Ok(lock(&inner.cgroups).counters())
    }

    /// What the limits refused during a call, in words for the caller.
    fn notes(&self, before: limits::Counters) -> Vec<String> {
        let limits = &self.inner.host.limits;
        let mut notes = limits::notes(before, lock(&self.inner.cgroups).counters(), limits);
        let disk = lock(&self.inner.disk);
        if disk.is_full() {
            notes.push(format!(
                "agentbay-local: the session's disk quota ({} MiB; --session-disk) is full",
                disk.quota().unwrap_or(0) >> 20
            ));
        }
        notes
    }

    fn command(&self, extra: Vec<std::ffi::OsString>) -> tokio::process::Command {
        let inner = &self.inner;
        let (mounts, read_only) = self.mounts_now();
        let inv = bwrap::Invocation {
            layout: &inner.layout,
            mounts: &mounts,
            read_only: &read_only,
            helper_exe: &inner.host.helper_exe,
            network: &inner.host.network,
            extra,
        };
        let mut cmd = tokio::process::Command::new(bwrap::bwrap_program());
        cmd.args(inv.args()).env_clear().envs(bwrap_env());
        cmd
    }

    /// Kills every process still running in the session, keeps the files of the mounts in
    /// `keep` (mount index → a new directory, e.g. under lost+found), then deletes the
    /// session's disk, cgroups and directory. Idempotent.
    pub async fn destroy(&self, keep: Vec<(usize, PathBuf)>) -> Result<(), SandboxError> {
        let inner = &self.inner;
        inner.destroyed.store(true, Ordering::SeqCst);
        inner.running.close_and_kill_all();
        // A paused session is killed, then thawed: frozen (or stopped) processes only die
        // once they run again, and must not run anything before the kill.
        let me = self.clone();
        let thawed = tokio::task::spawn_blocking(move || me.resume()).await;
        if let Ok(Err(e)) = thawed {
            eprintln!("agentbay-local: thawing a paused session before its deletion: {e}");
        }
        // Waits for the in-flight call (now killed) to finish before deleting its files.
        let _turn = inner.call_lock.lock().await;
        let me = self.clone();
        tokio::task::spawn_blocking(move || me.remove(keep))
            .await
            .map_err(|e| SandboxError::Io { context: "destroy task".into(), source: std::io::Error::other(e) })?
    }

    fn remove(&self, keep: Vec<(usize, PathBuf)>) -> Result<(), SandboxError> {
        let inner = &self.inner;
        let mut first_err = None;
        for (n, dest) in keep {
            // The place they go (lost+found) is the server's alone.
            let kept = dest
                .parent()
                .map_or(Ok(()), |p| crate::util::private_dir(p).map(drop))
                .and_then(|_| crate::safe_fs::Tree::open(&self.mount_dir(n), None))
                .and_then(|t| crate::safe_fs::copy_tree(t.root(), &dest));
            if let Err(e) = kept {
                first_err.get_or_insert(SandboxError::Io { context: format!("keeping mount {n}"), source: e });
            }
        }
        // The overlays first: the session disk below them cannot be unmounted while they are.
        for o in lock(&inner.overlays).drain(..) {
            if let Err(e) = crate::overlay::unmount(&o.target) {
                first_err.get_or_insert(SandboxError::Io {
                    context: format!("unmounting the overlay of mount {}", o.n),
                    source: e,
                });
            }
        }
        lock(&inner.cgroups).remove();
        if let Err(e) = lock(&inner.disk).remove() {
            first_err.get_or_insert(SandboxError::Io { context: "removing the session disk".into(), source: e });
        }
        if let Err(e) = crate::safe_fs::remove_tree(&inner.layout.session_dir) {
            first_err.get_or_insert(SandboxError::Io {
                context: format!("deleting {}", inner.layout.session_dir.display()),
                source: e,
            });
        }
        first_err.map_or(Ok(()), Err)
    }
}

fn fs_result(name: &str, c: &process::Captured, notes: &[String]) -> ToolResult {
    if c.status.is_none() {
        return ToolResult::text(format!("{name} timed out after {} s", FS_TOOL_TIMEOUT.as_secs()), true);
    }
    if c.stdout_truncated {
        return ToolResult::text(format!("{name}: result larger than {FS_OUTPUT_CAP} bytes"), true);
    }
    let mut r = match (c.exit_code(), serde_json::from_slice::<ToolResult>(&c.stdout)) {
        (0, Ok(r)) => r,
        (code, _) => ToolResult::text(
            format!(
                "internal error: sandbox helper failed (exit {code}): {}",
                String::from_utf8_lossy(&c.stderr).trim()
            ),
            true,
        ),
    };
    if r.is_error && !notes.is_empty() {
        if let Some(first) = r.content.first_mut() {
            for n in notes {
                first.text.push('\n');
                first.text.push_str(n);
            }
        }
    }
    r
}
