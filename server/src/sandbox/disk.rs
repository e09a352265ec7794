//! A session's disk: everything a session writes (its context mounts, `/tmp`, its home,
//! anything else outside the read-only system) lives below one host directory,
//! `<session>/fs`.
//!
//! As root, with loop devices and `mkfs.ext4`, that directory is a file system of its own:
//! a sparse image `<session>/disk.img` of `--session-disk` bytes, formatted ext4 and
//! mounted `nosuid,nodev,noatime`. Its size is a real quota (a write past it fails with
//! ENOSPC, which the caller is told about), setuid bits and device nodes in it mean
//! nothing even on the host, and it costs only the blocks written. Formatting and
//! mounting take a few milliseconds (BENCHMARKS.md). Without root it is a plain
//! directory: no quota beyond the `RLIMIT_FSIZE` largest-file limit (see `limits`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Moves this process into a mount namespace of its own (call it first thing in `main`, while
/// the process has one thread), so session disks are mounted where no other process sees them
/// and vanish with the server, even when it is killed: nothing is left mounted under the data
/// dir to block its deletion. The next start copies a killed server's session files out of the
/// images (see [`rescue`]). Needs root; returns why when it cannot.
pub fn private_mount_namespace() -> io::Result<()> {
    // SAFETY: unshare and mount only change this process's mount namespace.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            return Err(io::Error::last_os_error());
        }
        // Private: mounts made here never propagate back to the host's namespace.
        let root = c"/";
        if libc::mount(
            std::ptr::null(),
            root.as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// How session disks are made on this host; chosen once at start-up.
#[derive(Debug, Clone)]
pub enum DiskKind {
    /// A loop-mounted ext4 image of this many bytes per session.
    Image { bytes: u64 },
    /// A plain directory on the data dir's file system.
    Directory { why: String },
}

const IMAGE: &str = "disk.img";
const FS_DIR: &str = "fs";

fn run(cmd: &mut Command) -> io::Result<()> {
    let out = cmd.output()?;
    if out.status.success() {
        return Ok(());
    }
    let prog = cmd.get_program().to_string_lossy().into_owned();
    Err(io::Error::other(format!("{prog} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim())))
}

/// Creates a sparse ext4 image of `bytes` at `img` whose root directory belongs to `owner`.
fn make_image(img: &Path, bytes: u64, owner: (u32, u32)) -> io::Result<()> {
    fs::File::create(img)?.set_len(bytes)?;
    run(Command::new("mkfs.ext4")
        .args(["-q", "-F", "-m", "0", "-i", "4096", "-E"])
        .arg(format!("lazy_itable_init=1,lazy_journal_init=1,nodiscard,root_owner={}:{}", owner.0, owner.1))
        .arg(img))
}

fn mount_image(img: &Path, dir: &Path, read_only: bool) -> io::Result<()> {
    let opts = if read_only { "loop,ro,nosuid,nodev,noexec,noatime" } else { "loop,nosuid,nodev,noatime" };
    run(Command::new("mount").args(["-t", "ext4", "-o", opts]).arg(img).arg(dir))
}

fn unmount(dir: &Path) -> io::Result<()> {
    // A process of the session that is still exiting can keep the file system busy for a moment.
    for _ in 0..100 {
        match run(Command::new("umount").arg(dir)) {
            Ok(()) => return Ok(()),
            Err(_) if is_mount_point(dir) => std::thread::sleep(std::time::Duration::from_millis(10)),
            Err(e) => return Err(e),
        }
    }
    // Detach it now; the kernel frees it when the last user goes.
    run(Command::new("umount").arg("-l").arg(dir))
}

/// Whether `dir` is the root of a mounted file system.
pub fn is_mount_point(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::symlink_metadata(dir), dir.parent().map(fs::symlink_metadata)) {
        (Ok(d), Some(Ok(p))) => d.is_dir() && d.dev() != p.dev(),
        _ => false,
    }
}

impl DiskKind {
    /// Images when this process can make and mount one (tried once in `scratch`), else directories.
    pub fn detect(scratch: &Path, bytes: u64, owner: Option<(u32, u32)>) -> DiskKind {
        let Some(owner) = owner else {
            return DiskKind::Directory { why: "needs root".into() };
        };
        let img = scratch.join("probe-disk.img");
        let dir = scratch.join("probe-disk");
        let tried = (|| {
            fs::create_dir_all(&dir)?;
            make_image(&img, 16 << 20, owner)?;
            mount_image(&img, &dir, false)?;
            unmount(&dir)
        })();
        let _ = fs::remove_file(&img);
        let _ = fs::remove_dir(&dir);
        match tried {
            Ok(()) => DiskKind::Image { bytes },
            Err(e) => DiskKind::Directory { why: format!("cannot make a loop-mounted ext4 image: {e}") },
        }
    }

    pub fn describe(&self) -> String {
        match self {
            DiskKind::Image { bytes } => format!("ext4 image of {} MiB per session", bytes >> 20),
            DiskKind::Directory { why } => format!("plain directories, no quota ({why})"),
        }
    }

    /// Makes the disk of a new session in `session_dir` (which exists).
    pub fn create(&self, session_dir: &Path, owner: Option<(u32, u32)>) -> io::Result<SessionDisk> {
        let dir = session_dir.join(FS_DIR);
        fs::create_dir_all(&dir)?;
        match (self, owner) {
            (DiskKind::Image { bytes }, Some(owner)) => {
                let img = session_dir.join(IMAGE);
                make_image(&img, *bytes, owner)?;
                mount_image(&img, &dir, false)?;
                Ok(SessionDisk { dir, image: Some(img), quota: Some(*bytes) })
            }
            _ => {
                if let Some((u, g)) = owner {
                    std::os::unix::fs::chown(&dir, Some(u), Some(g))?;
                }
                Ok(SessionDisk { dir, image: None, quota: None })
            }
        }
    }
}

/// One session's disk.
#[derive(Debug)]
pub struct SessionDisk {
    dir: PathBuf,
    image: Option<PathBuf>,
    quota: Option<u64>,
}

impl SessionDisk {
    /// The directory holding the session's files (`root/`, `mounts/<n>/`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The quota in bytes, if the disk has one.
    pub fn quota(&self) -> Option<u64> {
        self.quota
    }

    /// Whether the quota is (nearly) used up: under 1 MiB or 1% of it left, or no inode left.
    /// A write that failed for space leaves a few blocks of slack behind (ext4 allocates
    /// late), so "exactly full" would miss it.
    pub fn is_full(&self) -> bool {
        let Some(quota) = self.quota else { return false };
        rustix::fs::statvfs(&self.dir).is_ok_and(|s| {
            let free = s.f_bavail.saturating_mul(s.f_frsize);
            free < (1 << 20).max(quota / 100) || s.f_favail == 0
        })
    }

    /// Unmounts and deletes the disk. Every session process must be gone.
    pub fn remove(&mut self) -> io::Result<()> {
        if let Some(img) = self.image.take() {
            if is_mount_point(&self.dir) {
                unmount(&self.dir)?;
            }
            fs::remove_file(&img)?;
        }
        crate::safe_fs::remove_tree(&self.dir)
    }
}

/// Start-up rescue of a session dir a crash left behind: its files are copied to `dest`,
/// then its disk is unmounted and removed. Returns how many files were kept.
pub fn rescue(session_dir: &Path, dest: &Path) -> io::Result<usize> {
    let dir = session_dir.join(FS_DIR);
    let img = session_dir.join(IMAGE);
    let mounted_here = !is_mount_point(&dir) && img.is_file() && {
        // Read-only and noexec: only to copy the files out.
        fs::create_dir_all(&dir)?;
        mount_image(&img, &dir, true).is_ok()
    };
    let copied = if dir.is_dir() {
        let src = crate::safe_fs::Tree::open(&dir, None)?;
        crate::safe_fs::copy_tree(src.root(), dest)?
    } else {
        0
    };
    if is_mount_point(&dir) || mounted_here {
        unmount(&dir)?;
    }
    fs::remove_dir_all(session_dir)?;
    Ok(copied)
}
