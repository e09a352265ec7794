//! One context mount as every step of a sync sees it: its spec, where its files are
//! stored in the context, what a sync reports, and the fault hook tests give an upload.

use super::error::SyncError;
use super::select::Selector;
use agentbay_wire::policy::SyncPolicy;

/// File name of the snapshot inside the mount's stored prefix (a zip, as the official Archive mode).
pub const ARCHIVE_NAME: &str = ".agentbay-archive.zip";

/// File name of the tar.gz snapshot earlier versions wrote: still unpacked by downloads and
/// carried (re-packed as a zip) by the next Archive upload.
pub const LEGACY_ARCHIVE_NAME: &str = ".agentbay-archive.tar.gz";

/// The archive format of a mount-relative path if it is a snapshot (current or legacy).
pub fn snapshot_format(rel: &str) -> Option<super::extract::Format> {
    match rel {
        ARCHIVE_NAME => Some(super::extract::Format::Zip),
        LEGACY_ARCHIVE_NAME => Some(super::extract::Format::TarGz),
        _ => None,
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Files in the resulting state.
    pub files: usize,
    /// Files whose content was read and hashed (upload) or copied (download).
    pub transferred: usize,
    /// Files skipped thanks to the stat cache.
    pub unchanged: usize,
}

/// Called after each newly stored blob with the running count; an `Err` aborts
/// the upload before the manifest switch (used to prove atomicity in tests).
pub type FaultHook<'a> = &'a (dyn Fn(usize) -> Result<(), String> + Sync);

pub(super) fn join(mount_path: &str, rel: &str) -> String {
    if mount_path == "/" {
        format!("/{rel}")
    } else {
        format!("{mount_path}/{rel}")
    }
}

/// One context mount as the sync engine sees it: where it is mounted in the
/// session and under which policy. Every policy knob is applied from here.
#[derive(Debug, Clone, Copy)]
pub struct MountSpec<'a> {
    pub ctx: &'a str,
    pub mount_path: &'a str,
    pub policy: &'a SyncPolicy,
}

impl MountSpec<'_> {
    /// Where the mount's files live in the context: `mappingPolicy.path` (canonical form,
    /// Windows paths included) when set, else the mount path.
    pub fn stored_root(&self) -> Result<String, SyncError> {
        match self.policy.mapping_policy.as_ref().map(|m| m.path.as_str()).filter(|p| !p.is_empty()) {
            Some(p) => {
                crate::paths::normalize_context(p).map_err(|e| SyncError::Policy(format!("mappingPolicy.path: {e}")))
            }
            None => Ok(self.mount_path.to_string()),
        }
    }

    pub fn selector(&self) -> Result<Selector, SyncError> {
        Selector::compile(self.policy, self.mount_path).map_err(|e| SyncError::Policy(e.to_string()))
    }
}
