//! File access inside a session's tree (a mount dir, a session root) that no symlink
//! can redirect.
//!
//! Sessions control the content of their trees, and the server reads and writes them
//! as root (or as the user running it). Every access therefore starts from a directory
//! file descriptor of the tree's root and resolves paths with `openat2(RESOLVE_BENEATH |
//! RESOLVE_NO_SYMLINKS)`, or one `openat(O_NOFOLLOW)` per component where the kernel
//! lacks `openat2` or the path is longer than PATH_MAX. No path is ever joined into a
//! host path string, so a directory swapped for a symlink mid-walk cannot send a read
//! or write outside the tree, and host path length limits do not apply below the root.
//!
//! What the server creates in a tree is given the tree's owner (the sandbox uid when
//! the server runs as root, see `sandbox::Identity`) and exactly the mode asked for,
//! whatever the process umask.

use rustix::fs::{self as rfs, AtFlags, Dir, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;
use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStringExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

pub type Stat = rfs::Stat;

fn err(e: Errno) -> io::Error {
    io::Error::from_raw_os_error(e.raw_os_error())
}

fn check_component(c: &str) -> io::Result<()> {
    if c.is_empty() || c == "." || c == ".." || c.contains('/') || c.contains('\0') {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("bad path component '{c}'")));
    }
    Ok(())
}

const DIR_FLAGS: OFlags = OFlags::DIRECTORY.union(OFlags::NOFOLLOW).union(OFlags::RDONLY).union(OFlags::CLOEXEC);
const RESOLVE: ResolveFlags = ResolveFlags::BENEATH.union(ResolveFlags::NO_SYMLINKS).union(ResolveFlags::NO_MAGICLINKS);

/// Cleared the first time the kernel answers `openat2` with ENOSYS (or a seccomp EPERM).
static OPENAT2: AtomicBool = AtomicBool::new(true);

/// Whether a path crossed a symlink or a non-directory where a directory was needed.
pub fn is_redirect(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::InvalidInput
        || matches!(e.raw_os_error(), Some(libc::ELOOP) | Some(libc::ENOTDIR) | Some(libc::EXDEV))
}

fn redirect(rel: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("'{rel}': a component is a symlink or not a directory"))
}

/// A directory tree accessed only through descriptors.
#[derive(Debug)]
pub struct Tree {
    root: OwnedFd,
    owner: Option<(u32, u32)>,
}

/// One directory entry: its name (raw bytes, not necessarily UTF-8) and its type.
#[derive(Debug, Clone)]
pub struct DirEntry {
    pub name: OsString,
    pub kind: FileType,
}

/// Lists `dir` (without `.` and `..`). Entries of unknown type are `lstat`ed.
pub fn read_dir(dir: &OwnedFd) -> io::Result<Vec<DirEntry>> {
    let mut d = Dir::read_from(dir).map_err(err)?;
    let mut out = Vec::new();
    while let Some(ent) = d.read() {
        let ent = ent.map_err(err)?;
        let name = ent.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        let mut kind = ent.file_type();
        if kind == FileType::Unknown {
            kind = match rfs::statat(dir, ent.file_name(), AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => FileType::from_raw_mode(st.st_mode),
                Err(Errno::NOENT) => continue,
                Err(e) => return Err(err(e)),
            };
        }
        out.push(DirEntry { name: OsString::from_vec(name.to_vec()), kind });
    }
    Ok(out)
}

impl Tree {
    /// Opens the root of a tree; the root itself must be a real directory, not a symlink.
    pub fn open(root: &Path, owner: Option<(u32, u32)>) -> io::Result<Tree> {
        Ok(Tree { root: rfs::open(root, DIR_FLAGS, Mode::empty()).map_err(err)?, owner })
    }

    pub fn root(&self) -> &OwnedFd {
        &self.root
    }

    fn chown(&self, fd: impl AsFd) -> io::Result<()> {
        match self.owner {
            Some((u, g)) => rfs::fchown(fd, Some(rfs::Uid::from_raw(u)), Some(rfs::Gid::from_raw(g))).map_err(err),
            None => Ok(()),
        }
    }

    /// `openat2` beneath the root, or `None` where it cannot be used for this path.
    fn openat2(&self, rel: &str, flags: OFlags, mode: Mode) -> Option<io::Result<OwnedFd>> {
        if !OPENAT2.load(Ordering::Relaxed) || rel.len() >= 4096 {
            return None;
        }
        let path = if rel.is_empty() { "." } else { rel };
        match rfs::openat2(&self.root, path, flags, mode, RESOLVE) {
            Ok(fd) => Some(Ok(fd)),
            Err(Errno::NOSYS) | Err(Errno::PERM) => {
                OPENAT2.store(false, Ordering::Relaxed);
                None
            }
            Err(Errno::LOOP) | Err(Errno::XDEV) => Some(Err(redirect(rel))),
            Err(e) => Some(Err(err(e))),
        }
    }

    /// Opens (optionally creating, mode 0755 and the tree's owner) the directory `rel`.
    pub fn open_dir(&self, rel: &str, create: bool) -> io::Result<OwnedFd> {
        for comp in rel.split('/').filter(|c| !c.is_empty()) {
            check_component(comp)?;
        }
        if !create {
            if let Some(r) = self.openat2(rel, DIR_FLAGS, Mode::empty()) {
                return r.map_err(|e| if e.raw_os_error() == Some(libc::ENOTDIR) { redirect(rel) } else { e });
            }
        }
        let mut cur = rfs::openat(&self.root, ".", DIR_FLAGS, Mode::empty()).map_err(err)?;
        for comp in rel.split('/').filter(|c| !c.is_empty()) {
            let made = create
                && match rfs::mkdirat(&cur, comp, Mode::from_raw_mode(0o700)) {
                    Ok(()) => true,
                    Err(Errno::EXIST) => false,
                    Err(e) => return Err(err(e)),
                };
            cur = rfs::openat(&cur, comp, DIR_FLAGS, Mode::empty()).map_err(|e| {
                if e == Errno::LOOP || e == Errno::NOTDIR {
                    redirect(rel)
                } else {
                    err(e)
                }
            })?;
            if made {
                rfs::fchmod(&cur, Mode::from_raw_mode(0o755)).map_err(err)?;
                self.chown(&cur)?;
            }
        }
        Ok(cur)
    }

    /// Opens the regular file `rel` for reading; symlinks and special files are refused.
    pub fn open_file(&self, rel: &str) -> io::Result<(File, Stat)> {
        let (dir, name) = split(rel)?;
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
        let fd = match self.openat2(rel, flags, Mode::empty()) {
            Some(r) => r?,
            None => rfs::openat(self.open_dir(dir, false)?, name, flags, Mode::empty()).map_err(err)?,
        };
        let st = rfs::fstat(&fd).map_err(err)?;
        if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("'{rel}' is not a regular file")));
        }
        Ok((File::from(fd), st))
    }

    /// lstat of `rel` (None when absent, or when a component on the way is not a directory).
    pub fn stat(&self, rel: &str) -> io::Result<Option<Stat>> {
        let (dir, name) = split(rel)?;
        let d = match self.open_dir(dir, false) {
            Ok(d) => d,
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(None),
            Err(e) => return Err(e),
        };
        match rfs::statat(&d, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some(st)),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(err(e)),
        }
    }

    /// Replaces `rel` with the content of `src` (tmp file + rename, so a planted symlink at
    /// `rel` is replaced, never followed), with exactly `mode & 0o777` and the tree's owner.
    /// Returns the new file's stat.
    pub fn write_file<R: io::Read + ?Sized>(&self, rel: &str, src: &mut R, mode: u32, mtime: i64) -> io::Result<Stat> {
        let (dir, name) = split(rel)?;
        let d = self.open_dir(dir, true)?;
        let tmp = format!("{TMP_PREFIX}{}", crate::util::random_hex(8));
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rfs::openat(&d, tmp.as_str(), flags, Mode::from_raw_mode(0o600)).map_err(err)?;
        let mut f = File::from(fd);
        let res = (|| {
            // std::io::copy between files uses copy_file_range (reflink on filesystems that support it).
            io::copy(src, &mut f)?;
            self.chown(&f)?;
            // After the chown: changing the owner clears setuid/setgid bits, and the mode is exact.
            rfs::fchmod(&f, Mode::from_raw_mode(mode & 0o777)).map_err(err)?;
            let ts = rfs::Timespec { tv_sec: mtime, tv_nsec: 0 };
            rfs::futimens(&f, &rfs::Timestamps { last_access: ts, last_modification: ts }).map_err(err)?;
            rfs::renameat(&d, tmp.as_str(), &d, name).map_err(err)?;
            rfs::statat(&d, name, AtFlags::SYMLINK_NOFOLLOW).map_err(err)
        })();
        if res.is_err() {
            let _ = rfs::unlinkat(&d, tmp.as_str(), AtFlags::empty());
        }
        res
    }

    /// Makes `rel` a chain of real directories: a symlink, file or anything else found
    /// where a directory belongs is removed and replaced. bwrap creates mount points along
    /// such paths and must never meet a symlink the session planted there.
    pub fn make_real_dir(&self, rel: &str) -> io::Result<()> {
        let mut cur = rfs::openat(&self.root, ".", DIR_FLAGS, Mode::empty()).map_err(err)?;
        for comp in rel.split('/').filter(|c| !c.is_empty()) {
            check_component(comp)?;
            let missing = match rfs::statat(&cur, comp, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::Directory => false,
                Ok(_) => {
                    rfs::unlinkat(&cur, comp, AtFlags::empty()).map_err(err)?;
                    true
                }
                Err(Errno::NOENT) => true,
                Err(e) => return Err(err(e)),
            };
            if missing {
                rfs::mkdirat(&cur, comp, Mode::from_raw_mode(0o700)).map_err(err)?;
            }
            cur = rfs::openat(&cur, comp, DIR_FLAGS, Mode::empty()).map_err(err)?;
            if missing {
                rfs::fchmod(&cur, Mode::from_raw_mode(0o755)).map_err(err)?;
                self.chown(&cur)?;
            }
        }
        Ok(())
    }

    /// Removes the file `rel` (not a directory).
    pub fn remove_file(&self, rel: &str) -> io::Result<()> {
        let (dir, name) = split(rel)?;
        let d = self.open_dir(dir, false)?;
        rfs::unlinkat(&d, name, AtFlags::empty()).map_err(err)
    }
}

/// Prefix of the server's temporary files in a tree; walks skip them.
pub const TMP_PREFIX: &str = ".agentbay-tmp-";

fn split(rel: &str) -> io::Result<(&str, &str)> {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    check_component(name)?;
    Ok((dir, name))
}

/// Copies the tree below `src` into the new directory `dest` (a host path the server owns):
/// directories, regular files and symlinks (as links, never followed); other file types are
/// skipped. Used to keep a session's files in `lost+found`. Returns how many files it copied.
pub fn copy_tree(src: &OwnedFd, dest: &Path) -> io::Result<usize> {
    std::fs::create_dir_all(dest)?;
    let out = rfs::open(dest, DIR_FLAGS, Mode::empty()).map_err(err)?;
    copy_dir(src, &out)
}

fn copy_dir(src: &OwnedFd, dest: &OwnedFd) -> io::Result<usize> {
    let mut n = 0;
    for e in read_dir(src)? {
        let name = e.name.as_os_str();
        match e.kind {
            FileType::Directory => {
                let s = rfs::openat(src, name, DIR_FLAGS, Mode::empty()).map_err(err)?;
                match rfs::mkdirat(dest, name, Mode::from_raw_mode(0o700)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(err(e)),
                }
                let d = rfs::openat(dest, name, DIR_FLAGS, Mode::empty()).map_err(err)?;
                n += copy_dir(&s, &d)?;
            }
            FileType::RegularFile => {
                let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
                let mut s = File::from(rfs::openat(src, name, flags, Mode::empty()).map_err(err)?);
                let wflags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
                let mut d = File::from(rfs::openat(dest, name, wflags, Mode::from_raw_mode(0o600)).map_err(err)?);
                io::copy(&mut s, &mut d)?;
                n += 1;
            }
            FileType::Symlink => {
                let target = rfs::readlinkat(src, name, Vec::new()).map_err(err)?;
                rfs::symlinkat(target.as_c_str(), dest, name).map_err(err)?;
            }
            _ => {}
        }
    }
    Ok(n)
}

/// Deletes the directory `path` and everything below it. Directories a session made
/// unreadable (`chmod 000`) stop a server without root, so on EACCES their owner bits are
/// restored (through descriptors, never following a symlink) and the removal is retried.
pub fn remove_tree(path: &Path) -> io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
            open_up(&Tree::open(path, None)?.root)?;
            std::fs::remove_dir_all(path)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn open_up(dir: &OwnedFd) -> io::Result<()> {
    for e in read_dir(dir)? {
        if e.kind == FileType::Directory {
            // No session process exists any more, so the entry stays the directory its dirent says.
            rfs::chmodat(dir, e.name.as_os_str(), Mode::from_raw_mode(0o700), AtFlags::empty()).map_err(err)?;
            let d = rfs::openat(dir, e.name.as_os_str(), DIR_FLAGS, Mode::empty()).map_err(err)?;
            open_up(&d)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planted_symlinks_are_not_followed() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "host").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("link")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), root.path().join("file")).unwrap();
        let t = Tree::open(root.path(), None).unwrap();
        assert!(is_redirect(&t.open_file("link/secret").unwrap_err()));
        assert!(t.open_file("file").is_err());
        assert!(t.open_dir("link", false).is_err());
        let mut src = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut src, b"new").unwrap();
        std::io::Seek::rewind(&mut src).unwrap();
        assert!(t.write_file("link/secret", &mut src, 0o644, 0).is_err());
        std::io::Seek::rewind(&mut src).unwrap();
        // Writing over the symlink replaces the link itself.
        t.write_file("file", &mut src, 0o644, 0).unwrap();
        assert_eq!(std::fs::read_to_string(outside.path().join("secret")).unwrap(), "host");
        assert_eq!(std::fs::read_to_string(root.path().join("file")).unwrap(), "new");
        std::io::Seek::rewind(&mut src).unwrap();
        let st = t.write_file("a/b/c.txt", &mut src, 0o4755, 0).unwrap();
        assert_eq!(std::fs::read_to_string(root.path().join("a/b/c.txt")).unwrap(), "new");
        assert_eq!(st.st_mode & 0o7777, 0o755, "exact mode, never setuid");
    }

    #[test]
    fn the_component_walk_agrees_with_openat2() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("d/e")).unwrap();
        std::fs::write(root.path().join("d/e/f"), "x").unwrap();
        std::os::unix::fs::symlink("/", root.path().join("d/up")).unwrap();
        let t = Tree::open(root.path(), None).unwrap();
        for use_openat2 in [true, false] {
            OPENAT2.store(use_openat2, Ordering::Relaxed);
            assert!(t.open_file("d/e/f").is_ok());
            assert!(is_redirect(&t.open_file("d/up/etc/passwd").unwrap_err()));
            assert!(t.stat("d/nope/f").unwrap().is_none());
        }
        OPENAT2.store(true, Ordering::Relaxed);
    }

    #[test]
    fn paths_longer_than_path_max_below_the_root_work() {
        let root = tempfile::tempdir().unwrap();
        let t = Tree::open(root.path(), None).unwrap();
        let deep: Vec<String> = (0..40).map(|i| format!("{i:0>120}")).collect();
        let rel = format!("{}/leaf.txt", deep.join("/"));
        assert!(rel.len() > 4096);
        t.write_file(&rel, &mut &b"deep"[..], 0o644, 0).unwrap();
        let (mut f, _) = t.open_file(&rel).unwrap();
        let mut s = String::new();
        io::Read::read_to_string(&mut f, &mut s).unwrap();
        assert_eq!(s, "deep");
    }
}
