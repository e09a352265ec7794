//! Per-session bubblewrap sandboxes and the CallMcpTool tools run in them.
//!
//! Every tool call is one fresh `bwrap` process over the session's persistent disk
//! (`disk`), whose `root/` is bound as `/`, so `/tmp`, the home directory and every
//! other write outside context mounts last exactly as long as the session. Every tool,
//! `shell` included, runs this binary's `__sandbox-tool` helper inside the sandbox
//! (`helper`), which gets the call on stdin: nothing the call supplies reaches a process
//! outside the sandbox.
//!
//! `host` holds what all sessions share, settled once at start-up (`Sandboxes`); `session`
//! holds one session's sandbox (`Sandbox`), which runs the calls.
//! `image` names the one session image that this is (`linux_latest`).
//!
//! What keeps a session in (each piece in its own module):
//! * `identity`: the sandbox user is never host root; a root server drops to an
//!   unprivileged uid before starting bwrap.
//! * `bwrap`: user, pid, ipc, uts, cgroup and (by default) network namespaces; no nested
//!   user namespaces; read-only system directories and `/proc/sys`; `nosuid,nodev` binds.
//! * `limits`: processes, memory and CPU per session (cgroups, or rlimits).
//! * `disk`: a size-limited file system per session.
//! * `net`: what the session can reach.
//! * `env`: bwrap and slirp4netns run with a fixed environment.
//!
//! Calls of one session are serialised: bwrap creates mount points inside the
//! session-writable root, and the host-side check that they are real directories
//! (`safe_fs::Tree::make_real_dir`) is only sound while no session process can race it.

mod bwrap;
mod disk;
mod env;
mod error;
mod helper;
mod host;
mod identity;
mod image;
mod layout;
mod limits;
mod mount_path;
mod net;
mod process;
mod session;
mod shell;
mod slirp;

pub use disk::{private_mount_namespace, rescue as rescue_disk, DiskKind, SessionDisk};
// Sandbox::call_tool refuses calls with the tools' error; it is part of the sandbox API.
pub use crate::tools::ToolError;
pub use error::SandboxError;
pub use helper::{helper_main, HELPER_SUBCOMMAND};
pub use host::{rescue_stale_session, SandboxConfig, Sandboxes};
pub use identity::{Identity, DEFAULT_UID};
pub use image::SUPPORTED_IMAGES;
pub use layout::{GID, HOME, UID, USER};
pub use limits::{Enforcement, Limits};
pub use mount_path::validate_mount_path;
pub use net::Network;
pub use session::{PauseMethod, Sandbox, SandboxSpec};
pub use shell::{OUTPUT_CAP, TIMEOUT_EXIT_CODE};
