//! Per-session bubblewrap sandboxes and the CallMcpTool tools run in them.
//!
//! Every tool call is one fresh `bwrap` process over the session's persistent disk
//! (`disk`), whose `root/` is bound as `/`, so `/tmp`, the home directory and every
//! other write outside context mounts last exactly as long as the session. Every tool,
//! `shell` included, runs this binary's `__sandbox-tool` helper inside the sandbox
//! (`helper`), which gets the call on stdin: nothing the call supplies reaches a process
//! outside the sandbox.
//!
//! What keeps a session in (each piece in its own module):
//! * `identity`: the sandbox user is never host root; a root server drops to an
//!   unprivileged uid before starting bwrap.
//! * `bwrap`: user, pid, ipc, uts, cgroup and (by default) network namespaces; no nested
//!   user namespaces; read-only system directories and `/proc/sys`; `nosuid,nodev` binds.
//! * `limits`: processes, memory and CPU per session (cgroups, or rlimits).
//! * `disk`: a size-limited file system per session.
//! * `net`: what the session can reach.
//!
//! Calls of one session are serialised: bwrap creates mount points inside the
//! session-writable root, and the host-side check that they are real directories
//! (`safe_fs::Tree::make_real_dir`) is only sound while no session process can race it.

mod bwrap;
mod disk;
mod error;
mod helper;
mod identity;
mod layout;
mod limits;
mod mount_path;
mod net;
mod process;
mod shell;
mod slirp;

pub use disk::{private_mount_namespace, DiskKind};
pub use error::{SandboxError, ToolError};
pub use helper::{helper_main, HELPER_SUBCOMMAND};
pub use identity::{Identity, DEFAULT_UID};
pub use layout::{GID, HOME, UID, USER};
pub use limits::{Enforcement, Limits};
pub use mount_path::validate_mount_path;
pub use net::Network;
pub use shell::{OUTPUT_CAP, TIMEOUT_EXIT_CODE};

use crate::tools::ToolCall;
use crate::util::lock;
use agentbay_wire::tool::ToolResult;
use layout::Layout;
use mount_path::normalize_mount_path;
use process::{Launch, Running};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Server-wide sandbox settings (command-line flags).
#[derive(Debug, Clone, Default)]
pub struct SandboxConfig {
    /// `--sandbox-uid`: host uid (and gid) of session processes when running as root.
    pub uid: Option<u32>,
    pub limits: Limits,
    pub network: Network,
}

/// How bubblewrap reports the loopback set-up failure that `call_tool` retries.
const BWRAP_LOOPBACK_FLAKE: &[u8] = b"bwrap: loopback:";

/// Deadline of one filesystem tool (guards against e.g. reading a FIFO nobody writes).
const FS_TOOL_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest helper response accepted (base64 of a big `read_file` chunk fits easily).
const FS_OUTPUT_CAP: usize = 256 * 1024 * 1024;

/// What this host's sandboxes are made of, settled once at start-up.
#[derive(Debug)]
pub struct Sandboxes {
    identity: Identity,
    limits: Limits,
    enforcement: Enforcement,
    disks: DiskKind,
    network: Network,
    /// The agentbay-local binary run inside sandboxes, at a path the sandbox uid can reach.
    helper_exe: PathBuf,
}

/// Whether every directory above `path` lets others through and the file is readable and
/// executable by others (the sandbox uid owns nothing on the host and is in no group).
fn reachable_by_others(path: &Path) -> bool {
    let Ok(path) = path.canonicalize() else { return false };
    let file_ok = std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o005 == 0o005);
    file_ok && path.ancestors().skip(1).all(|d| std::fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o001 != 0))
}

impl Sandboxes {
    /// Resolves who sessions run as, checks that bubblewrap works that way, and picks the
    /// limit and disk mechanisms. `data_dir` must already have its final permissions.
    pub fn start(cfg: &SandboxConfig, helper_exe: &Path, data_dir: &Path) -> Result<Sandboxes, SandboxError> {
        let identity = Identity::resolve(cfg.uid)?;
        if !helper_exe.is_file() {
            return Err(SandboxError::HelperMissing(helper_exe.to_path_buf()));
        }
        let mut helper = helper_exe.to_path_buf();
        if identity.drops_privileges && !reachable_by_others(helper_exe) {
            // The sandbox uid cannot reach our own binary (say, below /root): use a copy it can.
            let bin = data_dir.join("bin");
            let copy = bin.join("agentbay-local");
            let io = SandboxError::io(format!("copying the helper binary to {}", copy.display()));
            (|| {
                std::fs::create_dir_all(&bin)?;
                std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755))?;
                let tmp = bin.join(".agentbay-local.tmp");
                std::fs::copy(helper_exe, &tmp)?;
                std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))?;
                std::fs::rename(&tmp, &copy)
            })()
            .map_err(io)?;
            helper = copy;
        }
        probe(&identity, &cfg.network)?;
        if cfg.network == Network::Slirp4netns {
            let found = std::process::Command::new("slirp4netns").arg("--version").output();
            if !found.is_ok_and(|o| o.status.success()) {
                return Err(SandboxError::BwrapUnavailable(
                    "--session-network slirp4netns needs the slirp4netns program (apt-get install slirp4netns)".into(),
                ));
            }
        }
        let enforcement = Enforcement::detect();
        let scratch = data_dir.join("sessions");
        std::fs::create_dir_all(&scratch).map_err(SandboxError::io("creating the sessions dir"))?;
        let disks = DiskKind::detect(&scratch, cfg.limits.disk_bytes, identity.owner());
        Ok(Sandboxes { identity, limits: cfg.limits, enforcement, disks, network: cfg.network, helper_exe: helper })
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// One line for the start-up log: what isolates sessions on this host.
    pub fn describe(&self) -> String {
        let who = if self.identity.drops_privileges {
            format!("host uid {}", self.identity.uid)
        } else {
            format!("the server's uid {} (not root)", self.identity.uid)
        };
        format!(
            "sessions run as {who}; limits: {}; disks: {}; network: {}",
            self.enforcement.describe(),
            self.disks.describe(),
            self.network.as_str()
        )
    }

    /// Removes what the server made outside the data dir (its cgroups). Sessions are gone.
    pub fn shutdown(&self) {
        self.enforcement.remove();
    }

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
        // Parents before children: fewer components first, then by name for stability.
        sorted.sort_by(|a, b| (a.0.matches('/').count(), &a.0).cmp(&(b.0.matches('/').count(), &b.0)));
        Ok(Sandbox {
            inner: Arc::new(Inner {
                host: self.clone(),
                layout,
                mounts: sorted,
                by_index,
                call_lock: tokio::sync::Mutex::new(()),
                running: Running::default(),
                destroyed: AtomicBool::new(false),
                cgroups: Mutex::new(cgroups),
                disk: Mutex::new(disk),
            }),
        })
    }

    fn launch(&self, cgroups: &limits::SessionCgroups) -> Launch {
        Launch {
            cgroup_procs: cgroups.procs_fds(),
            rlimits: self.enforcement.rlimits(&self.limits),
            drop_to: self.identity.drops_privileges.then_some((self.identity.uid, self.identity.gid)),
            inherit: Vec::new(),
        }
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
            .field("mounts", &self.inner.mounts)
            .finish_non_exhaustive()
    }
}

struct Inner {
    host: Arc<Sandboxes>,
    layout: Layout,
    /// (sandbox path, host dir), sorted so parents mount before children.
    mounts: Vec<(String, PathBuf)>,
    /// Host dir of each mount, in request order.
    by_index: Vec<PathBuf>,
    call_lock: tokio::sync::Mutex<()>,
    running: Running,
    destroyed: AtomicBool,
    cgroups: Mutex<limits::SessionCgroups>,
    disk: Mutex<disk::SessionDisk>,
}

impl Sandbox {
    /// The session's writable root on the host (what `/` is inside the sandbox).
    pub fn root_dir(&self) -> &Path {
        &self.inner.layout.root
    }

    /// The host directory of mount `n` (request order), where the sync engine works.
    pub fn mount_dir(&self, n: usize) -> &Path {
        &self.inner.by_index[n]
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
                Ok(c) => c.exit_code() == 1 && c.stdout.is_empty() && c.stderr.starts_with(BWRAP_LOOPBACK_FLAKE),
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
        for (path, _) in &inner.mounts {
            let (base, rel) = layout::mount_point_base(&inner.layout.root, &inner.mounts, path);
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
        let inv = bwrap::Invocation {
            layout: &inner.layout,
            mounts: &inner.mounts,
            helper_exe: &inner.host.helper_exe,
            network: &inner.host.network,
            extra,
        };
        let mut cmd = tokio::process::Command::new(bwrap::bwrap_program());
        cmd.args(inv.args()).env_clear().envs(bwrap::bwrap_env());
        cmd
    }

    /// Kills every process still running in the session, keeps the files of the mounts in
    /// `keep` (mount index → a new directory, e.g. under lost+found), then deletes the
    /// session's disk, cgroups and directory. Idempotent.
    pub async fn destroy(&self, keep: Vec<(usize, PathBuf)>) -> Result<(), SandboxError> {
        let inner = &self.inner;
        inner.destroyed.store(true, Ordering::SeqCst);
        inner.running.close_and_kill_all();
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
                .and_then(|_| crate::safe_fs::Tree::open(&inner.by_index[n], None))
                .and_then(|t| crate::safe_fs::copy_tree(t.root(), &dest));
            if let Err(e) = kept {
                first_err.get_or_insert(SandboxError::Io { context: format!("keeping mount {n}"), source: e });
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

/// Checks that bubblewrap can create the namespaces a sandbox needs, as the sandbox uid.
fn probe(identity: &Identity, network: &Network) -> Result<(), SandboxError> {
    let mut cmd = std::process::Command::new(bwrap::bwrap_program());
    cmd.env_clear().envs(bwrap::bwrap_env());
    cmd.args(bwrap::system_view());
    for e in layout::SYSTEM_ENTRIES {
        if let Ok(t) = std::fs::read_link(Path::new("/").join(e)) {
            cmd.arg("--symlink").arg(t).arg(format!("/{e}"));
        }
    }
    cmd.args(bwrap::isolation(network)).args(["--", "/usr/bin/true"]);
    let launch =
        Launch { drop_to: identity.drops_privileges.then_some((identity.uid, identity.gid)), ..Default::default() };
    // SAFETY: `Launch::apply` only makes async-signal-safe system calls.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || launch.apply());
    }
    let hint = "install bubblewrap (apt-get install bubblewrap) and, when not running as root, allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)";
    // The loopback flake `call_tool` retries can hit the probe too.
    let mut output = cmd.output();
    for _ in 0..2 {
        match &output {
            Ok(out) if !out.status.success() && out.stderr.starts_with(BWRAP_LOOPBACK_FLAKE) => output = cmd.output(),
            _ => break,
        }
    }
    match output {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(SandboxError::BwrapUnavailable(format!(
            "{} exited with {}: {}; {hint}",
            bwrap::bwrap_program().display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
        Err(e) => {
            Err(SandboxError::BwrapUnavailable(format!("cannot run {}: {e}; {hint}", bwrap::bwrap_program().display())))
        }
    }
}

/// Start-up rescue of a session a crash left behind (see `disk::rescue`).
pub fn rescue_stale_session(session_dir: &Path, dest: &Path) -> std::io::Result<usize> {
    disk::rescue(session_dir, dest)
}

#[cfg(test)]
mod tests {
    use super::mount_path::is_under;

    #[test]
    fn under() {
        assert!(is_under("/mnt/data/x", "/mnt/data"));
        assert!(!is_under("/mnt/database", "/mnt/data"));
        assert!(!is_under("/mnt/data", "/mnt/data"));
    }
}
