//! Per-session bubblewrap sandboxes and the CallMcpTool tools run in them.
//!
//! Every tool call is one fresh `bwrap` process over the session's persistent host
//! directory (bound as `/`), so `/tmp`, the home directory and every other write
//! outside context mounts last exactly as long as the session. Filesystem tools run
//! this binary's `__sandbox-tool` helper inside the sandbox, never on the host, so
//! symlinks made by the session resolve inside its own view.
//!
//! Calls of one session are serialised: bwrap creates mount points inside the
//! session-writable root, and the host-side check that they are real directories
//! (`layout::ensure_real_dir`) is only sound while no session process can race it.

mod bwrap;
mod error;
mod helper;
mod layout;
mod mount_path;
mod process;
mod shell;

pub use error::{SandboxError, ToolError};
pub use helper::{helper_main, HELPER_SUBCOMMAND};
pub use layout::{GID, HOME, UID, USER};
pub use mount_path::validate_mount_path;
pub use shell::{OUTPUT_CAP, TIMEOUT_EXIT_CODE};

use crate::tools::ToolCall;
use agentbay_wasm::core::wire::tool::ToolResult;
use layout::Layout;
use mount_path::normalize_mount_path;
use process::Running;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub host_dir: PathBuf,
    /// Absolute path inside the sandbox.
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct SandboxSpec {
    /// Host dir private to this session; the module creates `root/` and `sys/` under it.
    pub session_dir: PathBuf,
    /// Context mounts; host dirs must exist (the server's sync engine creates them).
    pub mounts: Vec<Mount>,
    /// The agentbay-local binary, run inside the sandbox for filesystem tools.
    pub helper_exe: PathBuf,
}

/// Deadline of one filesystem tool (guards against e.g. reading a FIFO nobody writes).
const FS_TOOL_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest helper response accepted (base64 of a big `read_file` chunk fits easily).
const FS_OUTPUT_CAP: usize = 256 * 1024 * 1024;

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
    layout: Layout,
    /// (sandbox path, host dir), sorted so parents mount before children.
    mounts: Vec<(String, PathBuf)>,
    helper_exe: PathBuf,
    call_lock: tokio::sync::Mutex<()>,
    running: Running,
    destroyed: AtomicBool,
}

impl Sandbox {
    pub fn create(spec: SandboxSpec) -> Result<Sandbox, SandboxError> {
        let mut mounts = Vec::with_capacity(spec.mounts.len());
        for m in &spec.mounts {
            validate_mount_path(&m.path)
                .map_err(|reason| SandboxError::InvalidMount { path: m.path.clone(), reason })?;
            let path = normalize_mount_path(&m.path).to_string();
            if mounts.iter().any(|(p, _): &(String, PathBuf)| p == &path) {
                return Err(SandboxError::InvalidMount { path, reason: "mounted twice in one session".into() });
            }
            if !m.host_dir.is_dir() {
                return Err(SandboxError::MountHostDirMissing(m.host_dir.clone()));
            }
            let host =
                m.host_dir.canonicalize().map_err(SandboxError::io(format!("resolving {}", m.host_dir.display())))?;
            mounts.push((path, host));
        }
        // Parents before children: fewer components first, then by name for stability.
        mounts.sort_by(|a, b| (a.0.matches('/').count(), &a.0).cmp(&(b.0.matches('/').count(), &b.0)));
        if !spec.helper_exe.is_file() {
            return Err(SandboxError::HelperMissing(spec.helper_exe));
        }
        std::fs::create_dir_all(&spec.session_dir)
            .map_err(SandboxError::io(format!("creating {}", spec.session_dir.display())))?;
        let session_dir = spec
            .session_dir
            .canonicalize()
            .map_err(SandboxError::io(format!("resolving {}", spec.session_dir.display())))?;
        let layout = Layout::new(&session_dir);
        layout.create()?;
        Ok(Sandbox {
            inner: Arc::new(Inner {
                layout,
                mounts,
                helper_exe: spec.helper_exe,
                call_lock: tokio::sync::Mutex::new(()),
                running: Running::default(),
                destroyed: AtomicBool::new(false),
            }),
        })
    }

    /// The session's writable root on the host (what `/` is inside the sandbox).
    pub fn root_dir(&self) -> &Path {
        &self.inner.layout.root
    }

    pub async fn call_tool(&self, name: &str, args: &serde_json::Value) -> Result<ToolResult, ToolError> {
        let call = ToolCall::parse(name, args)?;
        let _turn = self.inner.call_lock.lock().await;
        if self.inner.destroyed.load(Ordering::SeqCst) {
            return Ok(ToolResult::text("session sandbox has been destroyed", true));
        }
        if let Err(e) = self.prepare_mount_points() {
            return Ok(ToolResult::text(format!("sandbox setup failed: {e}"), true));
        }
        Ok(match call {
            ToolCall::Shell(a) => self.run_shell(&a).await,
            _ => self.run_fs_tool(name, args).await,
        })
    }

    fn prepare_mount_points(&self) -> std::io::Result<()> {
        let inner = &self.inner;
        // A session may `chmod 000 /`; a server without root could then not even set up
        // the next call, so the owner bits of the session root are restored first.
        let root_meta = std::fs::metadata(&inner.layout.root)?;
        if root_meta.permissions().mode() & 0o700 != 0o700 {
            std::fs::set_permissions(&inner.layout.root, std::fs::Permissions::from_mode(0o755))?;
        }
        for d in bwrap::root_mount_points() {
            layout::ensure_real_dir(&inner.layout.root, &d)?;
        }
        for (path, _) in &inner.mounts {
            let (base, rel) = layout::mount_point_base(&inner.layout.root, &inner.mounts, path);
            layout::ensure_real_dir(base, rel)?;
        }
        Ok(())
    }

    fn command(&self, helper: bool, chdir: &str, extra_env: &[(String, String)]) -> tokio::process::Command {
        let inner = &self.inner;
        let inv = bwrap::Invocation {
            layout: &inner.layout,
            mounts: &inner.mounts,
            helper_exe: helper.then_some(inner.helper_exe.as_path()),
            chdir,
        };
        let mut cmd = tokio::process::Command::new(bwrap::bwrap_program());
        cmd.args(inv.args()).env_clear().envs(bwrap::base_env());
        cmd.envs(extra_env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd
    }

    async fn run_shell(&self, a: &crate::tools::args::ShellArgs) -> ToolResult {
        let timeout_ms = a.effective_timeout_ms();
        let envs: Vec<(String, String)> = a.envs.clone().unwrap_or_default().into_iter().collect();
        let mut cmd = self.command(false, "/", &envs);
        cmd.args(shell::argv(a.cwd.as_deref().unwrap_or(HOME), &a.command));
        match process::run(cmd, None, Duration::from_millis(timeout_ms), OUTPUT_CAP, &self.inner.running).await {
            Ok(c) => shell::result(&c, timeout_ms),
            Err(e) => ToolResult::text(format!("cannot start sandbox (bwrap): {e}"), true),
        }
    }

    async fn run_fs_tool(&self, name: &str, args: &serde_json::Value) -> ToolResult {
        let request = helper::HelperRequest { tool: name.to_string(), args: args.clone() };
        let Ok(body) = serde_json::to_vec(&request) else {
            return ToolResult::text("internal error: cannot encode helper request", true);
        };
        let mut cmd = self.command(true, HOME, &[]);
        cmd.args([bwrap::HELPER_PATH, HELPER_SUBCOMMAND]);
        let c = match process::run(cmd, Some(body), FS_TOOL_TIMEOUT, FS_OUTPUT_CAP, &self.inner.running).await {
            Ok(c) => c,
            Err(e) => return ToolResult::text(format!("cannot start sandbox (bwrap): {e}"), true),
        };
        if c.status.is_none() {
            return ToolResult::text(format!("{name} timed out after {} s", FS_TOOL_TIMEOUT.as_secs()), true);
        }
        if c.stdout_truncated {
            return ToolResult::text(format!("{name}: result larger than {FS_OUTPUT_CAP} bytes"), true);
        }
        match (c.exit_code(), serde_json::from_slice::<ToolResult>(&c.stdout)) {
            (0, Ok(r)) => r,
            (code, _) => ToolResult::text(
                format!(
                    "internal error: sandbox helper failed (exit {code}): {}",
                    String::from_utf8_lossy(&c.stderr).trim()
                ),
                true,
            ),
        }
    }

    /// Kills every process still running in the session and deletes everything under
    /// session_dir except the mount host dirs. Idempotent.
    pub async fn destroy(&self) -> Result<(), SandboxError> {
        let inner = &self.inner;
        inner.destroyed.store(true, Ordering::SeqCst);
        inner.running.close_and_kill_all();
        // Waits for the in-flight call (now killed) to finish before deleting its files.
        let _turn = inner.call_lock.lock().await;
        let dir = inner.layout.session_dir.clone();
        let keep: Vec<PathBuf> = inner.mounts.iter().map(|(_, h)| h.clone()).collect();
        tokio::task::spawn_blocking(move || layout::remove_all_except(&dir, &keep))
            .await
            .map_err(|e| SandboxError::Io { context: "destroy task".into(), source: std::io::Error::other(e) })?
            .map_err(SandboxError::io(format!("deleting {}", inner.layout.session_dir.display())))
    }
}

/// Checks that bubblewrap can create the namespaces a sandbox needs.
pub fn probe() -> Result<(), SandboxError> {
    let mut cmd = std::process::Command::new(bwrap::bwrap_program());
    cmd.args(["--ro-bind", "/usr", "/usr"]);
    for d in bwrap::system_dirs().iter().skip(1) {
        let p = format!("/{d}");
        cmd.args(["--ro-bind", &p, &p]);
    }
    for e in layout::SYSTEM_ENTRIES {
        if let Ok(t) = std::fs::read_link(Path::new("/").join(e)) {
            cmd.arg("--symlink").arg(t).arg(format!("/{e}"));
        }
    }
    cmd.args(["--proc", "/proc", "--dev", "/dev", "--unshare-user", "--uid", "1000", "--gid", "1000"]);
    cmd.args(["--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session", "--", "/usr/bin/true"]);
    let hint = "install bubblewrap (apt-get install bubblewrap) and, when not running as root, allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)";
    match cmd.output() {
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
