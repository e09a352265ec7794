//! The host's side of sandboxing, settled once at start-up: who sessions run as, how
//! their limits and disks are enforced, what network they get, and the probe that proves
//! bubblewrap works that way on this machine. One session's sandbox is in `session`.

use super::bwrap::{self, LOOPBACK_FLAKE};
use super::disk::{self, DiskKind};
use super::error::SandboxError;
use super::identity::Identity;
use super::layout;
use super::limits::{self, Enforcement, Limits};
use super::net::Network;
use super::process::Launch;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Server-wide sandbox settings (command-line flags).
#[derive(Debug, Clone, Default)]
pub struct SandboxConfig {
    /// `--sandbox-uid`: host uid (and gid) of session processes when running as root.
    pub uid: Option<u32>,
    pub limits: Limits,
    pub network: Network,
    /// `--mounts`: overlays over shared trees (where the host can) or copies.
    pub mounts: crate::overlay::MountMode,
}

/// What this host's sandboxes are made of, settled once at start-up.
#[derive(Debug)]
pub struct Sandboxes {
    pub(super) identity: Identity,
    pub(super) limits: Limits,
    pub(super) enforcement: Enforcement,
    pub(super) disks: DiskKind,
    pub(super) network: Network,
    /// The agentbay-local binary run inside sandboxes, at a path the sandbox uid can reach.
    pub(super) helper_exe: PathBuf,
    /// The shared lower trees of overlay mounts (`crate::overlay`), or why mounts are copies.
    pub(super) overlays: Result<std::sync::Arc<crate::overlay::Lowers>, String>,
}

/// Whether every directory above `path` lets others through and the file is readable and
/// executable by others (the sandbox uid owns nothing on the host and is in no group).
fn reachable_by_others(path: &Path) -> bool {
    let Ok(path) = path.canonicalize() else { return false };
    let file_ok = std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o005 == 0o005);
    file_ok && path.ancestors().skip(1).all(|d| std::fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o001 != 0))
}

impl Sandboxes {
    /// A disk like a session's (the same quota, see `disk`) in `dir`, owned by the sandbox
    /// user: the tree of a live context mount (`crate::live`). Blocking.
    pub fn make_disk(&self, dir: &Path) -> std::io::Result<super::disk::SessionDisk> {
        self.disks.create(dir, self.identity.owner())
    }

    /// Who owns what the server writes for sessions (see `Identity::owner`).
    pub fn owner(&self) -> Option<(u32, u32)> {
        self.identity.owner()
    }

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
        let overlays = match (cfg.mounts, identity.owner()) {
            (crate::overlay::MountMode::Copy, _) => Err("--mounts copy".to_string()),
            (_, None) => Err("overlays need root".to_string()),
            (_, Some(owner)) => crate::overlay::probe(&scratch).and_then(|()| {
                crate::overlay::Lowers::open(data_dir, owner)
                    .map(std::sync::Arc::new)
                    .map_err(|e| format!("cannot make the lower-layer dir: {e}"))
            }),
        };
        Ok(Sandboxes {
            identity,
            limits: cfg.limits,
            enforcement,
            disks,
            network: cfg.network,
            helper_exe: helper,
            overlays,
        })
    }

    /// The shared lower trees, when synced mounts are overlays (`crate::overlay`).
    pub fn lowers(&self) -> Option<&std::sync::Arc<crate::overlay::Lowers>> {
        self.overlays.as_ref().ok()
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
            "sessions run as {who}; limits: {}; disks: {}; network: {}; context mounts: {}",
            self.enforcement.describe(),
            self.disks.describe(),
            self.network.as_str(),
            match &self.overlays {
                Ok(_) => "overlays over shared trees".to_string(),
                Err(why) => format!("copies ({why})"),
            }
        )
    }

    /// Removes what the server made outside the data dir (its cgroups). Sessions are gone.
    pub fn shutdown(&self) {
        self.enforcement.remove();
    }

    /// How a process of this host's sandboxes starts: in the session's cgroups, under its
    /// rlimits, as the sandbox uid.
    pub(super) fn launch(&self, cgroups: &limits::SessionCgroups) -> Launch {
        Launch {
            cgroup_procs: cgroups.procs_fds(),
            rlimits: self.enforcement.rlimits(&self.limits),
            drop_to: self.identity.drops_privileges.then_some((self.identity.uid, self.identity.gid)),
            inherit: Vec::new(),
        }
    }
}

/// Checks that bubblewrap can create the namespaces a sandbox needs, as the sandbox uid.
fn probe(identity: &Identity, network: &Network) -> Result<(), SandboxError> {
    let mut cmd = std::process::Command::new(bwrap::bwrap_program());
    cmd.env_clear().envs(super::env::bwrap_env());
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
            Ok(out) if !out.status.success() && out.stderr.starts_with(LOOPBACK_FLAKE) => output = cmd.output(),
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
