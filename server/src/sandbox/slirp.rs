//! Outbound network through `slirp4netns` (`--session-network slirp4netns`).
//!
//! bwrap is started with `--info-fd` (it reports the sandbox's pid once its namespaces
//! exist) and `--block-fd` (the command waits until the server writes to it). In between,
//! slirp4netns, started as the sandbox uid in the session's cgroups, joins the sandbox's
//! network namespace and brings up `tap0` with NAT to the host's networks, and
//! `--disable-host-loopback` keeps the host's loopback (the server's API included) out of
//! reach. It gets only descriptors and fixed flags, nothing the session supplies.
//!
//! The network namespace belongs to bwrap's outer user namespace, not to the nested one
//! `--disable-userns` leaves the command in, so slirp4netns is handed that owner
//! (`NS_GET_USERNS`) instead of the command's own user namespace.

use super::env::bwrap_env;
use super::process::{futures_attach::BoxedAttach, Attach, Launch};
use std::ffi::OsString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::Stdio;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `ioctl(2)` request that opens the user namespace owning a namespace (linux/nsfs.h).
const NS_GET_USERNS: libc::c_ulong = 0xb701;
/// The DNS forwarder slirp4netns provides inside the sandbox.
pub const RESOLV_CONF: &str = "nameserver 10.0.2.3\n";

/// The pipes of one call: bwrap's ends go to it, the server keeps the others.
pub struct Plan {
    info_read: OwnedFd,
    block_write: OwnedFd,
    /// bwrap's ends: the info pipe's write end and the block pipe's read end.
    pub child_fds: Vec<OwnedFd>,
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).map_err(io::Error::from)
}

impl Plan {
    pub fn new() -> io::Result<Plan> {
        let (info_read, info_write) = pipe()?;
        let (block_read, block_write) = pipe()?;
        Ok(Plan { info_read, block_write, child_fds: vec![info_write, block_read] })
    }

    /// bwrap's extra arguments (the descriptors it inherits).
    pub fn args(&self) -> Vec<OsString> {
        let (info, block) = (self.child_fds[0].as_raw_fd(), self.child_fds[1].as_raw_fd());
        ["--info-fd".to_string(), info.to_string(), "--block-fd".to_string(), block.to_string()]
            .into_iter()
            .map(OsString::from)
            .collect()
    }

    pub fn inherit(&self) -> Vec<i32> {
        self.child_fds.iter().map(|f| f.as_raw_fd()).collect()
    }

    /// bwrap's descriptors (to close once it runs), and the work that brings the network up
    /// once it runs; `launch` is how slirp4netns starts (the session's cgroups, the sandbox uid).
    pub fn split(self, launch: Launch) -> (Vec<OwnedFd>, Attach) {
        let Plan { info_read, block_write, child_fds } = self;
        (child_fds, Box::new(move || -> BoxedAttach { Box::pin(bring_up(info_read, block_write, launch)) }))
    }
}

async fn bring_up(info_read: OwnedFd, block_write: OwnedFd, mut launch: Launch) -> io::Result<tokio::process::Child> {
    let mut info = tokio::net::unix::pipe::Receiver::from_owned_fd(info_read)?;
    let mut text = Vec::new();
    let pid = loop {
        let mut buf = [0u8; 512];
        let n = info.read(&mut buf).await?;
        if n == 0 {
            return Err(io::Error::other("bwrap exited before reporting its pid"));
        }
        text.extend_from_slice(&buf[..n]);
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&text) {
            break v["child-pid"].as_i64().ok_or_else(|| io::Error::other("bwrap reported no child-pid"))?;
        }
    };
    let netns: OwnedFd = std::fs::File::open(format!("/proc/{pid}/ns/net"))?.into();
    // SAFETY: NS_GET_USERNS takes no argument and returns a new descriptor (or -1).
    let owner = unsafe { libc::ioctl(netns.as_raw_fd(), NS_GET_USERNS) };
    if owner < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the ioctl just returned this descriptor and nothing else owns it.
    let owner = unsafe { OwnedFd::from_raw_fd(owner) };
    let (ready_read, ready_write) = pipe()?;
    launch.inherit = vec![netns.as_raw_fd(), owner.as_raw_fd(), ready_write.as_raw_fd()];
    let mut cmd = tokio::process::Command::new("slirp4netns");
    cmd.args(["--configure", "--mtu=65520", "--disable-host-loopback"])
        .arg(format!("--ready-fd={}", ready_write.as_raw_fd()))
        .arg(format!("--userns-path=/proc/self/fd/{}", owner.as_raw_fd()))
        .args(["--netns-type=path"])
        .arg(format!("/proc/self/fd/{}", netns.as_raw_fd()))
        .arg("tap0")
        .env_clear()
        .envs(bwrap_env())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    // SAFETY: `Launch::apply` only makes async-signal-safe system calls.
    unsafe {
        cmd.pre_exec(move || launch.apply());
    }
    let helper = cmd.spawn().map_err(|e| io::Error::new(e.kind(), format!("cannot start slirp4netns: {e}")))?;
    drop((netns, owner, ready_write));
    let mut ready = tokio::net::unix::pipe::Receiver::from_owned_fd(ready_read)?;
    let mut byte = [0u8; 1];
    if ready.read(&mut byte).await? == 0 {
        return Err(io::Error::other("slirp4netns exited before the network was up"));
    }
    let mut go = tokio::net::unix::pipe::Sender::from_owned_fd(block_write)?;
    go.write_all(b"1").await?;
    Ok(helper)
}
