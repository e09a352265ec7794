//! The host-side directory layout of one session and its upkeep:
//!
//! ```text
//! <session_dir>/           0711, the server's: bwrap, running as the sandbox uid, must pass through
//!   disk.img, fs/          the session's disk (see `disk`): everything the session can write
//!     root/                the sandbox's `/` (home, /tmp, anything written outside mounts)
//!     mounts/<n>/          context mount n
//!   sys/                   server-owned files bound read-only into the sandbox (passwd, group)
//! ```
//!
//! Everything below `fs/` belongs to the sandbox uid. The server touches it only through
//! descriptors (`safe_fs::Tree`), so nothing a session plants there redirects it.

use super::error::SandboxError;
use crate::safe_fs::Tree;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

pub const HOME: &str = "/home/wuying";
pub const USER: &str = "wuying";
pub const UID: u32 = 1000;
pub const GID: u32 = 1000;

/// Top-level system entries mirrored from the host: a host symlink (merged /usr) is
/// recreated as the same symlink in the session root, a real directory is ro-bound.
pub const SYSTEM_ENTRIES: &[&str] = &["bin", "sbin", "lib", "lib32", "lib64", "libx32"];

pub struct Layout {
    pub session_dir: PathBuf,
    /// The session's disk directory (`fs/`).
    pub disk: PathBuf,
    pub root: PathBuf,
    pub sys: PathBuf,
    pub owner: Option<(u32, u32)>,
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> SandboxError {
    SandboxError::io(what)
}

impl Layout {
    pub fn new(session_dir: &Path, disk: &Path, owner: Option<(u32, u32)>) -> Layout {
        Layout {
            session_dir: session_dir.to_path_buf(),
            disk: disk.to_path_buf(),
            root: disk.join("root"),
            sys: session_dir.join("sys"),
            owner,
        }
    }

    pub fn passwd(&self) -> PathBuf {
        self.sys.join("passwd")
    }
    pub fn group(&self) -> PathBuf {
        self.sys.join("group")
    }
    pub fn resolv_conf(&self) -> PathBuf {
        self.sys.join("resolv.conf")
    }

    /// The host directory of context mount `n`.
    pub fn mount_dir(&self, n: usize) -> PathBuf {
        self.disk.join("mounts").join(n.to_string())
    }

    /// The session's writable tree, opened through descriptors.
    pub fn disk_tree(&self) -> std::io::Result<Tree> {
        Tree::open(&self.disk, self.owner)
    }

    pub fn root_tree(&self) -> std::io::Result<Tree> {
        Tree::open(&self.root, self.owner)
    }

    /// Creates the host directory of context mount `n` (at creation, or when one is added).
    pub fn create_mount_dir(&self, n: usize) -> Result<(), SandboxError> {
        let at = format!("preparing mount {n} of {}", self.session_dir.display());
        self.disk_tree().and_then(|disk| disk.open_dir(&format!("mounts/{n}"), true)).map(drop).map_err(io(&at))
    }

    /// Creates root/, the mount dirs and sys/ for a new session.
    pub fn create(&self, mounts: usize) -> Result<(), SandboxError> {
        let at = format!("preparing {}", self.session_dir.display());
        let disk = self.disk_tree().map_err(io(&at))?;
        disk.open_dir("root", true).map_err(io(&at))?;
        for n in 0..mounts {
            self.create_mount_dir(n)?;
        }
        let root = self.root_tree().map_err(io(&at))?;
        for entry in SYSTEM_ENTRIES {
            if let Ok(target) = fs::read_link(Path::new("/").join(entry)) {
                // Nothing else can write here yet (no session process exists), so a path is fine.
                symlink(&target, self.root.join(entry)).map_err(io(entry.to_string()))?;
            }
        }
        let tmp = root.open_dir("tmp", true).map_err(io("/tmp"))?;
        rustix::fs::fchmod(&tmp, rustix::fs::Mode::from_raw_mode(0o1777)).map_err(|e| io("/tmp")(e.into()))?;
        root.open_dir(&HOME[1..], true).map_err(io(HOME))?;

        // The sandbox user gets a name without the host's passwd, whose users mean nothing inside.
        let passwd = format!(
            "root:x:0:0:root:/root:/usr/sbin/nologin\n{USER}:x:{UID}:{GID}:{USER}:{HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        );
        let group = format!("root:x:0:\n{USER}:x:{GID}:\nnogroup:x:65534:\n");
        fs::create_dir_all(&self.sys).map_err(io("sys"))?;
        fs::set_permissions(&self.sys, fs::Permissions::from_mode(0o755)).map_err(io("sys"))?;
        let resolv = super::slirp::RESOLV_CONF.to_string();
        for (path, text) in [(self.passwd(), passwd), (self.group(), group), (self.resolv_conf(), resolv)] {
            fs::write(&path, text).map_err(io("passwd"))?;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).map_err(io("passwd"))?;
        }
        Ok(())
    }
}

/// The host directory (and the path below it) where the mount point for `path` lives:
/// inside the closest enclosing context mount, else inside the session root.
pub fn mount_point_base<'a>(root: &'a Path, mounts: &'a [(String, PathBuf)], path: &'a str) -> (&'a Path, &'a str) {
    mounts
        .iter()
        .filter(|(p, _)| super::mount_path::is_under(path, p))
        .max_by_key(|(p, _)| p.len())
        .map(|(p, host)| (host.as_path(), &path[p.len()..]))
        .unwrap_or((root, path))
}
