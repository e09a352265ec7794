//! The sync engine: a live session's mount dir ⇄ its context's manifest.
//!
//! Upload walks the mount dir without following symlinks, reuses the hash of
//! every file whose (size, mtime, ctime, inode) matches the per-session stat
//! cache (so unchanged content is neither re-read nor copied), stores new
//! content as deduplicated blobs, then switches the manifest subtree in one
//! SQLite transaction. Download copies blobs into the mount dir through
//! `safe_fs` (no planted symlink is ever followed) and skips files the cache
//! proves unchanged.
//!
//! Durable storage (manifest, blobs, expiry) is `crate::store`; this engine only uses it.
//! The pieces: `upload` (File mode) and `archive` (Archive mode) over `walk`; `delta` (File-mode
//! uploads of an overlay mount, `crate::overlay`, read off its upper layer); `download`;
//! `expand` (snapshots and extractPolicy) over `extract` (untrusted archives); `select`
//! (the white lists); and what they all share: `mount` (the spec, stored paths, reports),
//! `cache` (the stat cache) and `error`.

mod archive;
mod cache;
pub mod delta;
mod download;
mod error;
mod expand;
mod extract;
mod mount;
pub mod select;
#[cfg(test)]
mod tests;
mod upload;
mod walk;

pub use cache::StatCache;
pub use download::download;
pub use error::{SyncError, Unstorable};
pub use mount::{FaultHook, MountSpec, Report, ARCHIVE_NAME, LEGACY_ARCHIVE_NAME};
pub use upload::upload;
pub use walk::{walk_selected, Walk};
