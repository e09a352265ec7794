//! The bubblewrap command line for one tool call.

use super::layout::{self, Layout, GID, HOME, UID, USER};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where the helper binary appears inside the sandbox (a fresh tmpfs each call, so the
/// session cannot plant anything there).
pub const HELPER_DIR: &str = "/.agentbay";
pub const HELPER_PATH: &str = "/.agentbay/helper";

pub const PATH_ENV: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

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
    v.extend(
        ["etc", "dev", "proc", HELPER_DIR.trim_start_matches('/'), HOME.trim_start_matches('/')].map(String::from),
    );
    v
}

pub struct Invocation<'a> {
    pub layout: &'a Layout,
    /// (sandbox path, host dir), parents before children.
    pub mounts: &'a [(String, PathBuf)],
    pub helper_exe: Option<&'a Path>,
    pub chdir: &'a str,
}

impl Invocation<'_> {
    pub fn args(&self) -> Vec<OsString> {
        let mut a: Vec<OsString> = Vec::new();
        let mut push = |items: &[&dyn AsRefOs]| {
            for i in items {
                a.push(i.to_os());
            }
        };
        push(&[&"--bind", &self.layout.root, &"/"]);
        for d in system_dirs() {
            let p = format!("/{d}");
            push(&[&"--ro-bind", &p, &p]);
        }
        push(&[&"--ro-bind", &"/etc", &"/etc"]);
        for (secret, is_dir) in layout::etc_secrets() {
            let mask = if *is_dir { self.layout.mask_dir() } else { self.layout.mask_file() };
            push(&[&"--ro-bind", &mask, secret]);
        }
        push(&[&"--ro-bind", &self.layout.passwd(), &"/etc/passwd"]);
        push(&[&"--ro-bind", &self.layout.group(), &"/etc/group"]);
        push(&[&"--dev", &"/dev", &"--proc", &"/proc"]);
        if let Some(helper) = self.helper_exe {
            push(&[&"--tmpfs", &HELPER_DIR, &"--ro-bind", &helper, &HELPER_PATH]);
        }
        for (path, host) in self.mounts {
            push(&[&"--bind", host, path]);
        }
        let uid = UID.to_string();
        let gid = GID.to_string();
        push(&[&"--unshare-user", &"--uid", &uid, &"--gid", &gid]);
        // Network stays shared: the machine only reaches loopback and package registries,
        // and commands commonly need both (pip/npm installs, talking to local services).
        push(&[&"--unshare-pid", &"--unshare-ipc", &"--die-with-parent", &"--new-session"]);
        push(&[&"--chdir", &self.chdir, &"--"]);
        a
    }
}

/// The sandbox user's base environment; `envs` from the call are layered on top.
pub fn base_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("PATH", PATH_ENV),
        ("HOME", HOME),
        ("USER", USER),
        ("LOGNAME", USER),
        ("SHELL", "/bin/bash"),
        ("LANG", "C.UTF-8"),
    ]
}

trait AsRefOs {
    fn to_os(&self) -> OsString;
}
impl AsRefOs for &str {
    fn to_os(&self) -> OsString {
        OsString::from(*self)
    }
}
impl AsRefOs for String {
    fn to_os(&self) -> OsString {
        OsString::from(self)
    }
}
impl AsRefOs for PathBuf {
    fn to_os(&self) -> OsString {
        self.as_os_str().to_os_string()
    }
}
impl AsRefOs for &Path {
    fn to_os(&self) -> OsString {
        self.as_os_str().to_os_string()
    }
}
