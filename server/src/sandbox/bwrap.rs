//! The bubblewrap command line for one tool call.
//!
//! Nothing a session or a request supplies appears here except the validated mount paths
//! (destinations inside the new root): the tool's arguments, the shell command, its
//! working directory and its environment travel on stdin to the helper inside the
//! sandbox (see `helper`), and bwrap itself gets a fixed environment.

use super::layout::{self, Layout, GID, UID};
use super::net::Network;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where the helper binary appears inside the sandbox (a fresh tmpfs each call, so the
/// session cannot plant anything there).
pub const HELPER_DIR: &str = "/.agentbay";
pub const HELPER_PATH: &str = "/.agentbay/helper";
/// The hostname sessions see (their own uts namespace).
pub const HOSTNAME: &str = "agentbay";

/// How bubblewrap reports the loopback set-up failure that `call_tool` retries.
pub const LOOPBACK_FLAKE: &[u8] = b"bwrap: loopback:";

/// bwrap found on the server's PATH (falls back to the bare name so spawn errors say so).
pub fn bwrap_program() -> &'static Path {
    static BWRAP: OnceLock<PathBuf> = OnceLock::new();
    BWRAP.get_or_init(|| {
        std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .map(|d| d.join("bwrap"))
            .find(|p| p.is_file())
            .unwrap_or_else(|| PathBuf::from("bwrap"))
    })
}

/// Host system directories bound read-only: /usr plus any top-level entry that is a real
/// directory on the host rather than a merged-/usr symlink.
pub fn system_dirs() -> Vec<String> {
    let mut dirs = vec!["usr".to_string()];
    for e in layout::SYSTEM_ENTRIES {
        let p = Path::new("/").join(e);
        if let Ok(m) = std::fs::symlink_metadata(&p) {
            if m.is_dir() {
                dirs.push(e.to_string());
            }
        }
    }
    dirs
}

/// Directories the call needs as real mount points inside the session root.
pub fn root_mount_points() -> Vec<String> {
    let mut v = system_dirs();
    v.extend(["etc", "dev", "proc", HELPER_DIR.trim_start_matches('/')].map(String::from));
    v
}

/// The namespaces and restrictions every sandbox gets (also used by the start-up probe).
pub fn isolation(network: &Network) -> Vec<OsString> {
    let (uid, gid) = (UID.to_string(), GID.to_string());
    let mut a: Vec<&str> = vec![
        "--unshare-user",
        "--uid",
        &uid,
        "--gid",
        &gid,
        // No nested user namespaces: they are where most kernel privilege bugs are reached from.
        "--disable-userns",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--hostname",
        HOSTNAME,
        "--unshare-cgroup-try",
    ];
    if network.unshares() {
        a.push("--unshare-net");
    }
    a.extend(["--die-with-parent", "--new-session"]);
    a.into_iter().map(OsString::from).collect()
}

/// The read-only system view: /usr and friends, /etc, /dev, /proc with a read-only /proc/sys.
pub fn system_view() -> Vec<OsString> {
    let mut a: Vec<OsString> = Vec::new();
    for d in system_dirs() {
        let p = format!("/{d}");
        a.extend(["--ro-bind".into(), p.clone().into(), p.into()]);
    }
    for s in ["--ro-bind", "/etc", "/etc", "--dev", "/dev", "--proc", "/proc"] {
        a.push(s.into());
    }
    // Sysctls are global or resolved against the reader's own namespaces; either way a
    // session may read them but must never write them.
    for s in ["--ro-bind", "/proc/sys", "/proc/sys", "--ro-bind-try", "/proc/sysrq-trigger", "/proc/sysrq-trigger"] {
        a.push(s.into());
    }
    a
}

pub struct Invocation<'a> {
    pub layout: &'a Layout,
    /// (sandbox path, host dir), parents before children.
    pub mounts: &'a [(String, PathBuf)],
    /// The sandbox paths of `mounts` bound read-only.
    pub read_only: &'a [String],
    pub helper_exe: &'a Path,
    pub network: &'a Network,
    /// More bwrap options (the network setup's descriptors).
    pub extra: Vec<OsString>,
}

impl Invocation<'_> {
    /// Everything up to and including the helper's command line.
    pub fn args(&self) -> Vec<OsString> {
        let mut a: Vec<OsString> = vec!["--bind".into(), self.layout.root.clone().into(), "/".into()];
        a.extend(system_view());
        for (file, dest) in [(self.layout.passwd(), "/etc/passwd"), (self.layout.group(), "/etc/group")] {
            a.extend(["--ro-bind".into(), file.into(), dest.into()]);
        }
        if *self.network == Network::Slirp4netns {
            // The host's resolver (often 127.0.0.53) is not reachable from the sandbox; slirp's is.
            a.extend(["--ro-bind".into(), self.layout.resolv_conf().into(), "/etc/resolv.conf".into()]);
        }
        a.extend(["--tmpfs".into(), HELPER_DIR.into(), "--ro-bind".into(), self.helper_exe.into(), HELPER_PATH.into()]);
        for (path, host) in self.mounts {
            let bind = if self.read_only.contains(path) { "--ro-bind" } else { "--bind" };
            a.extend([bind.into(), host.clone().into(), path.into()]);
        }
        a.extend(isolation(self.network));
        a.extend(self.extra.iter().cloned());
        // Relative paths of the filesystem tools are relative to home, as on the cloud.
        a.extend(["--chdir".into(), layout::HOME.into(), "--".into()]);
        a.extend([HELPER_PATH.into(), super::helper::HELPER_SUBCOMMAND.into()]);
        a
    }
}
