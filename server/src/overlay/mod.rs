//! Overlay mounts of synced contexts: a mount costs what the session changes, not the size of
//! the context.
//!
//! Instead of copying every file of a context into each session (`sync::download`), a
//! download into an empty mount dir mounts a kernel overlayfs there:
//! * the lower layer is a read-only tree of the stored version (`lower`), made once per
//!   version and shared by every session mounting it;
//! * the upper and work dirs are the session's own, on its disk (`<disk>/ovl/<n>/`), so
//!   its quota counts what it writes and two sessions never see each other's writes;
//! * uploads read the change list off the upper layer (`sync::delta`).
//!
//! The overlay is mounted `nosuid,nodev` with `redirect_dir=off` (the kernel refuses a
//! rename of a lower directory with EXDEV, `mv` copies instead), `metacopy=off` (a changed
//! file is always copied up whole) and `index=off`, `xino=off`, so the upper layer holds
//! plain files, directories and whiteouts only. It needs root (the server's private mount
//! namespace, see `sandbox::disk`); a server without root, or `--mounts copy`, copies as before.

mod lower;

pub use lower::{LowerRef, Lowers};

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// How synced context mounts are made (`--mounts`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MountMode {
    /// An overlay over a shared tree of the stored version where the host can, else a copy.
    #[default]
    Overlay,
    /// Always copy the files into the session (the fallback, forced).
    Copy,
}

impl MountMode {
    pub fn as_str(self) -> &'static str {
        match self {
            MountMode::Overlay => "overlay",
            MountMode::Copy => "copy",
        }
    }
}

impl std::str::FromStr for MountMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "overlay" => Ok(MountMode::Overlay),
            "copy" => Ok(MountMode::Copy),
            other => Err(format!("'{other}': expected overlay or copy")),
        }
    }
}

fn cstr(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in a path"))
}

/// A host path as an overlay option value: the option parser splits on `,` and `:` (and `\`
/// escapes), so a path holding them is refused rather than misread.
fn opt_path(p: &Path) -> io::Result<&str> {
    match p.to_str() {
        Some(s) if !s.contains([',', ':', '\\', '=']) => Ok(s),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} cannot be an overlay layer (a ',', ':', '\\\\' or '=' in the path)", p.display()),
        )),
    }
}

/// Mounts an overlay of `lower` (read-only) under `upper`/`work` at `target`.
pub fn mount(lower: &Path, upper: &Path, work: &Path, target: &Path) -> io::Result<()> {
    let data = format!(
        "lowerdir={},upperdir={},workdir={},redirect_dir=off,metacopy=off,index=off,xino=off",
        opt_path(lower)?,
        opt_path(upper)?,
        opt_path(work)?
    );
    let data = CString::new(data).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in a path"))?;
    let target = cstr(target)?;
    // SAFETY: every pointer is a NUL-terminated string that outlives the call.
    let r = unsafe {
        libc::mount(
            c"overlay".as_ptr(),
            target.as_ptr(),
            c"overlay".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV,
            data.as_ptr().cast(),
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Unmounts the overlay at `target`; a mount still busy (a process of the session exiting)
/// is retried for a second, then detached (the kernel frees it when its last user goes).
pub fn unmount(target: &Path) -> io::Result<()> {
    let t = cstr(target)?;
    for _ in 0..100 {
        // SAFETY: `t` is a NUL-terminated path.
        if unsafe { libc::umount2(t.as_ptr(), libc::UMOUNT_NOFOLLOW) } == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EBUSY) {
            return Err(e);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // SAFETY: as above.
    if unsafe { libc::umount2(t.as_ptr(), libc::MNT_DETACH | libc::UMOUNT_NOFOLLOW) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Whether overlays can be mounted here: one is made, written through and taken down in
/// `scratch`. Returns why not.
pub fn probe(scratch: &Path) -> Result<(), String> {
    let dir = scratch.join("probe-overlay");
    let _ = std::fs::remove_dir_all(&dir);
    let tried = (|| -> io::Result<()> {
        for d in ["lower", "upper", "work", "merged"] {
            std::fs::create_dir_all(dir.join(d))?;
        }
        std::fs::write(dir.join("lower/f"), "lower")?;
        mount(&dir.join("lower"), &dir.join("upper"), &dir.join("work"), &dir.join("merged"))?;
        let wrote = std::fs::write(dir.join("merged/f"), "upper").and_then(|_| std::fs::read(dir.join("upper/f")));
        unmount(&dir.join("merged"))?;
        match wrote? == b"upper" && std::fs::read(dir.join("lower/f"))? == b"lower" {
            true => Ok(()),
            false => Err(io::Error::other("a write through the overlay did not land in its upper dir")),
        }
    })();
    let _ = std::fs::remove_dir_all(&dir);
    tried.map_err(|e| format!("cannot mount an overlay: {e}"))
}

/// A download into mount `n` of `sandbox` made by mounting the stored tree instead of copying
/// it, when the host mounts overlays, the policy delivers every file as it is stored
/// (`sync::delta::mountable`), and the mount dir is empty with no tool call running. `None`:
/// not possible, copy instead (`sync::download`). Blocking.
pub fn mount_download(
    store: &crate::store::Store,
    sandbox: &crate::sandbox::Sandbox,
    n: usize,
    spec: crate::sync::MountSpec<'_>,
    cache: &mut crate::sync::StatCache,
) -> Option<Result<crate::sync::Report, crate::sync::SyncError>> {
    use crate::store::db::{self, Kind};
    use crate::sync::SyncError;
    let lowers = sandbox.lowers()?;
    if sandbox.overlay_upper(n).is_some() {
        return None;
    }
    let stored = spec.stored_root().ok()?;
    let prefix_len = if stored == "/" { 1 } else { stored.len() + 1 };
    // The blobs stay pinned (readable) until the tree is made.
    let read = store.read_pinned(
        |c| Ok((db::entries_below(c, spec.ctx, &stored)?, db::generation(c, spec.ctx)?)),
        |(rows, _)| rows.iter().filter_map(|e| e.hash.as_deref()).collect(),
    );
    let ((entries, generation), pins) = match read {
        Ok(x) => x,
        Err(e) => return Some(Err(e.into())),
    };
    if !crate::sync::delta::mountable(spec.policy, entries.iter().map(|e| e.path.get(prefix_len..).unwrap_or(""))) {
        return None;
    }
    let lower = match lowers.get(store, spec.ctx, &stored, &entries, prefix_len) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("agentbay-local: cannot make the lower tree of context {}: {e}; copying instead", spec.ctx);
            return None;
        }
    };
    drop(pins);
    match sandbox.try_overlay(n, lower) {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => {
            eprintln!("agentbay-local: {e}; copying instead");
            return None;
        }
    }
    let files = entries.iter().filter(|e| e.kind == Kind::File).count();
    crate::sync::delta::adopt_mounted(cache, entries, generation);
    if let Err(e) = db::touch_context(&store.db(), spec.ctx, crate::util::now_secs()) {
        return Some(Err(SyncError::Db(e)));
    }
    Some(Ok(crate::sync::Report { files, transferred: 0, unchanged: files }))
}
