//! The per-session memory that lets a sync skip what it has already seen.

use crate::store::db::Entry;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StatKey {
    size: i64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    ino: u64,
}

impl StatKey {
    pub(super) fn of(st: &rustix::fs::Stat) -> StatKey {
        StatKey {
            size: st.st_size,
            mtime: (st.st_mtime, st.st_mtime_nsec as i64),
            ctime: (st.st_ctime, st.st_ctime_nsec as i64),
            ino: st.st_ino,
        }
    }
}

/// Per-mount memory of what each file's content hash was at a given stat, and of
/// which stored entries this session has synced with.
#[derive(Debug, Default)]
pub struct StatCache {
    pub(super) files: HashMap<String, (StatKey, String)>,
    /// Stored paths this session received (complete download) or sent (upload). Mirroring
    /// (`deletePolicy.syncLocalFile`) deletes only these when they are missing locally: a
    /// file the session never had (not downloaded, a failed download, or stored by another
    /// session meanwhile) was not "deleted in the session", so an upload must not drop it.
    pub(super) baseline: HashSet<String>,
    /// Archives extracted in this session (mount-relative path → manifest entry, and
    /// whether the session copy was removed), see `expand`.
    pub(super) extracted: HashMap<String, (Entry, bool)>,
    /// Of an overlay mount: the mount-relative paths its upper layer held at the last upload
    /// (`delta`). One gone from it since was deleted in the session without a whiteout (the
    /// lower layer never had it).
    pub(super) upper: HashSet<String>,
    /// Of an overlay mount: the stored entries its lower layer holds (what the session has
    /// unless it changed it), and the context's `db::generation` when this session last
    /// mounted or uploaded. See `delta`.
    pub(super) lower: std::sync::Arc<Vec<Entry>>,
    pub(super) generation: i64,
}

impl StatCache {
    pub(super) fn set_baseline(&mut self, paths: impl IntoIterator<Item = String>) {
        self.baseline = paths.into_iter().collect();
    }
}
