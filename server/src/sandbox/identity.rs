//! Who sandbox processes are on the host.
//!
//! bubblewrap maps the sandbox user (uid 1000 inside) onto the host uid that started it.
//! When agentbay-local runs as root, that would be host root: files a session creates
//! would be root-owned on the host (a `chmod 4755` copy of bash becomes a setuid-root
//! binary) and root-owned host files such as `/proc/sys/kernel/hostname` stay writable.
//! So a root server never starts bwrap as root: it drops to a dedicated unprivileged
//! uid/gid first ([`DEFAULT_UID`], or `--sandbox-uid`), in the forked child before exec
//! (see `process::Launch`). Without root, bwrap runs as the server's own user, which is
//! all an unprivileged user namespace can map to anyway.

use super::error::SandboxError;

/// The host uid (and gid) sandbox processes run as when the server runs as root. It sits
/// above every range Debian and systemd allocate (normal and system users, subordinate
/// uids of `useradd`, systemd's container and dynamic ranges) and below 2^31, where some
/// tools start to misread uids as negative.
pub const DEFAULT_UID: u32 = 2_147_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub uid: u32,
    pub gid: u32,
    /// The server runs as root and switches to `uid`/`gid` before starting bwrap.
    pub drops_privileges: bool,
}

impl Identity {
    /// The identity for this server process; `requested` is `--sandbox-uid`.
    pub fn resolve(requested: Option<u32>) -> Result<Identity, SandboxError> {
        let euid = rustix::process::geteuid().as_raw();
        if euid == 0 {
            let uid = requested.unwrap_or(DEFAULT_UID);
            if uid == 0 {
                return Err(SandboxError::Identity("--sandbox-uid 0 would run sessions as host root".into()));
            }
            return Ok(Identity { uid, gid: uid, drops_privileges: true });
        }
        if let Some(uid) = requested.filter(|u| *u != euid) {
            return Err(SandboxError::Identity(format!(
                "--sandbox-uid {uid} needs agentbay-local to run as root (it runs as uid {euid}; \
                 without root, sessions run as the server's own user)"
            )));
        }
        Ok(Identity { uid: euid, gid: rustix::process::getegid().as_raw(), drops_privileges: false })
    }

    /// Owner for what the server creates in a session's tree: the sandbox uid when the
    /// server is root (else the session could not change its own files), otherwise none
    /// (the server's own files are already the sandbox user's).
    pub fn owner(&self) -> Option<(u32, u32)> {
        self.drops_privileges.then_some((self.uid, self.gid))
    }
}
