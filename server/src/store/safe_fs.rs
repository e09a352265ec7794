//! File access inside a live session's mount dir without following symlinks.
//!
//! The server runs as root while sessions control the content of their mount
//! dirs. Every path below a mount root is therefore resolved one component at
//! a time with `openat(O_NOFOLLOW)`, so a symlink planted by a session can
//! never redirect a read or write to a host file.

use rustix::fs::{self as rfs, AtFlags, Mode, OFlags};
use rustix::io::Errno;
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::path::Path;

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

pub fn open_root(root: &Path) -> io::Result<OwnedFd> {
    rfs::open(root, DIR_FLAGS, Mode::empty()).map_err(err)
}

/// Opens (optionally creating) the directory `rel` (components separated by `/`) below `root`.
pub fn open_dir(root: &OwnedFd, rel: &str, create: bool) -> io::Result<OwnedFd> {
    let mut cur = rfs::openat(root, ".", DIR_FLAGS, Mode::empty()).map_err(err)?;
    for comp in rel.split('/').filter(|c| !c.is_empty()) {
        check_component(comp)?;
        if create {
            match rfs::mkdirat(&cur, comp, Mode::from_raw_mode(0o755)) {
                Ok(()) | Err(Errno::EXIST) => {}
                Err(e) => return Err(err(e)),
            }
        }
        cur = rfs::openat(&cur, comp, DIR_FLAGS, Mode::empty()).map_err(|e| {
            if e == Errno::LOOP || e == Errno::NOTDIR {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("'{rel}': '{comp}' is a symlink or not a directory"),
                )
            } else {
                err(e)
            }
        })?;
    }
    Ok(cur)
}

fn split(rel: &str) -> io::Result<(&str, &str)> {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    check_component(name)?;
    Ok((dir, name))
}

/// Opens the regular file `rel` below `root` for reading; symlinks and special files are refused.
pub fn open_file(root: &OwnedFd, rel: &str) -> io::Result<(File, rfs::Stat)> {
    let (dir, name) = split(rel)?;
    let d = open_dir(root, dir, false)?;
    let fd =
        rfs::openat(&d, name, OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK, Mode::empty())
            .map_err(err)?;
    let st = rfs::fstat(&fd).map_err(err)?;
    if rfs::FileType::from_raw_mode(st.st_mode) != rfs::FileType::RegularFile {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("'{rel}' is not a regular file")));
    }
    Ok((File::from(fd), st))
}

/// lstat of `rel` below `root` (None when absent).
pub fn stat(root: &OwnedFd, rel: &str) -> io::Result<Option<rfs::Stat>> {
    let (dir, name) = split(rel)?;
    let d = match open_dir(root, dir, false) {
        Ok(d) => d,
        Err(e) if e.raw_os_error() == Some(Errno::NOENT.raw_os_error()) => return Ok(None),
        Err(e) => return Err(e),
    };
    match rfs::statat(&d, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => Ok(Some(st)),
        Err(Errno::NOENT) => Ok(None),
        Err(e) => Err(err(e)),
    }
}

/// Replaces `rel` below `root` with the content of `src` (tmp file + rename, so
/// a planted symlink at `rel` is replaced, never followed). Returns the new file's stat.
pub fn write_file<R: io::Read + ?Sized>(
    root: &OwnedFd,
    rel: &str,
    src: &mut R,
    mode: u32,
    mtime: i64,
) -> io::Result<rfs::Stat> {
    let (dir, name) = split(rel)?;
    let d = open_dir(root, dir, true)?;
    let tmp = format!(".agentbay-tmp-{}", crate::util::random_hex(8));
    let fd = rfs::openat(
        &d,
        tmp.as_str(),
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(mode & 0o777),
    )
    .map_err(err)?;
    let mut f = File::from(fd);
    let res = (|| {
        // std::io::copy between files uses copy_file_range (reflink on filesystems that support it).
        io::copy(src, &mut f)?;
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
        let fd = open_root(root.path()).unwrap();
        assert!(open_file(&fd, "link/secret").is_err());
        assert!(open_file(&fd, "file").is_err());
        let mut src = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut src, b"new").unwrap();
        std::io::Seek::rewind(&mut src).unwrap();
        assert!(write_file(&fd, "link/secret", &mut src, 0o644, 0).is_err());
        std::io::Seek::rewind(&mut src).unwrap();
        // Writing over the symlink replaces the link itself.
        write_file(&fd, "file", &mut src, 0o644, 0).unwrap();
        assert_eq!(std::fs::read_to_string(outside.path().join("secret")).unwrap(), "host");
        assert_eq!(std::fs::read_to_string(root.path().join("file")).unwrap(), "new");
        std::io::Seek::rewind(&mut src).unwrap();
        write_file(&fd, "a/b/c.txt", &mut src, 0o600, 0).unwrap();
        assert_eq!(std::fs::read_to_string(root.path().join("a/b/c.txt")).unwrap(), "new");
    }
}
