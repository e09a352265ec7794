//! The host-side directory layout of one session and its upkeep:
//!
//! ```text
//! <session_dir>/root/   the sandbox's writable `/` (home, /tmp, anything written outside mounts)
//! <session_dir>/sys/    server-owned files bound read-only into the sandbox (passwd, masks)
//! <session_dir>/mounts/ context mount host dirs (created by the server core, kept on destroy)
//! ```

use super::error::SandboxError;
use super::mount_path::is_under;
use std::fs;
use std::io::{self, ErrorKind};
use std::os::unix::fs::{symlink, DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub const HOME: &str = "/home/wuying";
pub const USER: &str = "wuying";
pub const UID: u32 = 1000;
pub const GID: u32 = 1000;

/// Top-level system entries mirrored from the host: a host symlink (merged /usr) is
/// recreated as the same symlink in the session root, a real directory is ro-bound.
pub const SYSTEM_ENTRIES: &[&str] = &["bin", "sbin", "lib", "lib32", "lib64", "libx32"];

pub struct Layout {
    pub session_dir: PathBuf,
    pub root: PathBuf,
    pub sys: PathBuf,
}

impl Layout {
    pub fn new(session_dir: &Path) -> Layout {
        Layout { session_dir: session_dir.to_path_buf(), root: session_dir.join("root"), sys: session_dir.join("sys") }
    }

    pub fn passwd(&self) -> PathBuf {
        self.sys.join("passwd")
    }
    pub fn group(&self) -> PathBuf {
        self.sys.join("group")
    }
    pub fn mask_file(&self) -> PathBuf {
        self.sys.join("mask-file")
    }
    pub fn mask_dir(&self) -> PathBuf {
        self.sys.join("mask-dir")
    }

    /// Creates root/ and sys/ for a new session.
    pub fn create(&self) -> Result<(), SandboxError> {
        fs::create_dir_all(&self.root).map_err(SandboxError::io(format!("creating {}", self.root.display())))?;
        fs::create_dir_all(&self.sys).map_err(SandboxError::io(format!("creating {}", self.sys.display())))?;
        let io = |what: &str| SandboxError::io(format!("preparing {what} in {}", self.session_dir.display()));
        for entry in SYSTEM_ENTRIES {
            let host = Path::new("/").join(entry);
            if let Ok(target) = fs::read_link(&host) {
                let ours = self.root.join(entry);
                if fs::symlink_metadata(&ours).is_err() {
                    symlink(&target, &ours).map_err(io(entry))?;
                }
            }
        }
        let tmp = self.root.join("tmp");
        fs::create_dir_all(&tmp).map_err(io("/tmp"))?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o1777)).map_err(io("/tmp"))?;
        fs::create_dir_all(self.root.join(&HOME[1..])).map_err(io(HOME))?;

        // The sandbox user maps to the server's own uid (root when the server runs as
        // root), so a generated passwd/group gives it a name without exposing the host's.
        let passwd = format!(
            "root:x:0:0:root:/root:/usr/sbin/nologin\n{USER}:x:{UID}:{GID}:{USER}:{HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        );
        let group = format!("root:x:0:\n{USER}:x:{GID}:\nnogroup:x:65534:\n");
        fs::write(self.passwd(), passwd).map_err(io("passwd"))?;
        fs::write(self.group(), group).map_err(io("group"))?;
        // Masks are mode 000: even a sandbox user that maps to host root (no capabilities)
        // cannot read through them.
        fs::write(self.mask_file(), b"").map_err(io("mask"))?;
        fs::set_permissions(self.mask_file(), fs::Permissions::from_mode(0o000)).map_err(io("mask"))?;
        if fs::symlink_metadata(self.mask_dir()).is_err() {
            fs::DirBuilder::new().mode(0o000).create(self.mask_dir()).map_err(io("mask"))?;
        }
        fs::set_permissions(self.mask_dir(), fs::Permissions::from_mode(0o000)).map_err(io("mask"))?;
        Ok(())
    }
}

/// Host entries under /etc that other users cannot read (shadow, private keys, …).
/// When the server runs as root the sandbox user is host root without capabilities
/// and would pass owner checks on them, so they are covered by the mode-000 masks.
/// Only /etc is scanned: it is small and is where host secrets live; /usr is not.
pub fn etc_secrets() -> &'static [(PathBuf, bool)] {
    static SECRETS: OnceLock<Vec<(PathBuf, bool)>> = OnceLock::new();
    SECRETS.get_or_init(|| {
        let mut out = Vec::new();
        scan_secrets(Path::new("/etc"), &mut out);
        out
    })
}

fn scan_secrets(dir: &Path, out: &mut Vec<(PathBuf, bool)>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else { continue };
        let mode = meta.permissions().mode();
        if meta.is_dir() {
            if mode & 0o005 != 0o005 {
                out.push((path, true));
            } else {
                scan_secrets(&path, out);
            }
        } else if meta.is_file() && mode & 0o004 == 0 {
            out.push((path, false));
        }
    }
}

/// Makes `base/rel` a chain of real directories, never following a symlink: a symlink
/// or file the session planted where a mount point belongs is replaced by a directory.
/// Runs while no process of the session exists (calls are serialised), so the session
/// cannot race it; this keeps bubblewrap from following session-made symlinks out of
/// the session root while it sets up mounts.
pub fn ensure_real_dir(base: &Path, rel: &str) -> io::Result<()> {
    let mut cur = base.to_path_buf();
    for comp in rel.split('/').filter(|c| !c.is_empty()) {
        cur.push(comp);
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                fs::remove_file(&cur)?;
                fs::create_dir(&cur)?;
            }
            Err(e) if e.kind() == ErrorKind::NotFound => fs::create_dir(&cur)?,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The host directory (and the path below it) where the mount point for `path` lives:
/// inside the closest enclosing context mount, else inside the session root.
pub fn mount_point_base<'a>(root: &'a Path, mounts: &'a [(String, PathBuf)], path: &'a str) -> (&'a Path, &'a str) {
    mounts
        .iter()
        .filter(|(p, _)| is_under(path, p))
        .max_by_key(|(p, _)| p.len())
        .map(|(p, host)| (host.as_path(), &path[p.len()..]))
        .unwrap_or((root, path))
}

/// Deletes everything under `dir` except the `keep` paths (and the directories leading
/// to them). Unreadable directories the session left behind are chmod-ed first.
pub fn remove_all_except(dir: &Path, keep: &[PathBuf]) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if keep.iter().any(|k| k == &path) {
            continue;
        }
        if keep.iter().any(|k| k.starts_with(&path)) {
            remove_all_except(&path, keep)?;
        } else {
            force_remove(&path)?;
        }
    }
    Ok(())
}

fn force_remove(path: &Path) -> io::Result<()> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if meta.is_dir() {
        // symlink_metadata said directory, so set_permissions (which follows links) hits it.
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o700));
        for entry in fs::read_dir(path)? {
            force_remove(&entry?.path())?;
        }
        fs::remove_dir(path)
    } else {
        fs::remove_file(path)
    }
}
