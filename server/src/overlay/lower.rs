//! The lower layers: one read-only tree per stored version of a mounted subtree, made once,
//! shared by every session mounting that version, and deleted once no session uses it and a
//! newer version of the same subtree has been mounted (or at the next start).
//!
//! A tree is named by the SHA-256 of what a download would write (each entry's path below
//! the mount, kind, content hash, mode and mtime), so equal content is one tree whatever
//! context it came from. A new version of a subtree already mounted is made by hard-linking
//! every unchanged file from the previous version's tree (trees are never written once made,
//! so they may share inodes) and copying only what changed from the blob store.
//!
//! Files belong to the sandbox uid (overlayfs copies a file up with its owner, and the session
//! must be able to change its files), but the trees live below `<data>/lower/`, which is the
//! server's alone (0700), and no sandbox binds anything below it: sessions only ever see a
//! tree through an overlay, which never writes to it.

use crate::safe_fs::Tree;
use crate::store::db::{Entry, Kind};
use crate::store::Store;
use crate::util::lock;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What a made tree holds, by mount-relative path: (content hash, mode, mtime) of each file.
type Files = HashMap<String, (String, u32, i64)>;

#[derive(Default)]
struct State {
    /// Made trees: sessions using each, and its files (for the next version's hard links).
    trees: HashMap<String, (usize, Arc<Files>)>,
    /// The tree of the newest version mounted, per (context, stored subtree).
    latest: HashMap<(String, String), String>,
}

/// The lower trees of this server, below `<data>/lower/`.
pub struct Lowers {
    dir: PathBuf,
    owner: (u32, u32),
    state: Mutex<State>,
}

impl std::fmt::Debug for Lowers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lowers").field("dir", &self.dir).finish_non_exhaustive()
    }
}

/// One session's use of a lower tree; the tree stays until the last use is dropped (and a
/// newer version exists).
#[derive(Debug)]
pub struct LowerRef {
    lowers: Arc<Lowers>,
    key: String,
}

impl LowerRef {
    pub fn path(&self) -> PathBuf {
        self.lowers.dir.join(&self.key)
    }
}

impl Drop for LowerRef {
    fn drop(&mut self) {
        let stale = {
            let mut st = lock(&self.lowers.state);
            if let Some((users, _)) = st.trees.get_mut(&self.key) {
                *users = users.saturating_sub(1);
            }
            self.lowers.take_if_stale(&mut st, &self.key)
        };
        if let Some(p) = stale {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

impl Lowers {
    /// Starts afresh in `<data>/lower/` (trees of an earlier run are deleted: no session uses them).
    pub fn open(data_dir: &Path, owner: (u32, u32)) -> io::Result<Lowers> {
        let dir = data_dir.join("lower");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        Ok(Lowers { dir, owner, state: Mutex::new(State::default()) })
    }

    /// Removes `key` from the state if nothing uses it and it is not the newest version of
    /// anything; returns its path (moved aside, to delete outside the lock).
    fn take_if_stale(&self, st: &mut State, key: &str) -> Option<PathBuf> {
        let unused = st.trees.get(key).is_some_and(|(users, _)| *users == 0);
        if !unused || st.latest.values().any(|k| k == key) {
            return None;
        }
        st.trees.remove(key);
        let trash = self.dir.join(format!("trash-{}", crate::util::random_hex(8)));
        std::fs::rename(self.dir.join(key), &trash).ok().map(|_| trash)
    }

    /// Context `ctx` was deleted: its trees go as soon as nothing uses them (nothing does:
    /// a context is deleted only while no session mounts it), unless another context's newest
    /// version is the same tree.
    pub fn forget(&self, ctx: &str) {
        let stale: Vec<PathBuf> = {
            let mut st = lock(&self.state);
            let keys: Vec<String> = st.latest.iter().filter(|((c, _), _)| c == ctx).map(|(_, k)| k.clone()).collect();
            st.latest.retain(|(c, _), _| c != ctx);
            keys.iter().filter_map(|k| self.take_if_stale(&mut st, k)).collect()
        };
        for p in stale {
            let _ = std::fs::remove_dir_all(p);
        }
    }

    /// The tree of `entries` (the stored entries below `stored` of context `ctx`, in path
    /// order; `prefix_len` cuts the stored root off their paths), made if needed. The blobs
    /// of `entries` must be pinned by the caller. Blocking.
    pub fn get(
        self: &Arc<Self>,
        store: &Store,
        ctx: &str,
        stored: &str,
        entries: &[Entry],
        prefix_len: usize,
    ) -> io::Result<LowerRef> {
        let key = version_key(entries, prefix_len);
        // One tree is made at a time: two sessions mounting a new version make it once.
        let mut st = lock(&self.state);
        let previous = st.latest.insert((ctx.to_string(), stored.to_string()), key.clone());
        let mut stale = None;
        if !st.trees.contains_key(&key) {
            let reuse = previous.as_ref().and_then(|k| st.trees.get(k).map(|(_, f)| (self.dir.join(k), f.clone())));
            let files = self.make(store, &key, entries, prefix_len, reuse)?;
            st.trees.insert(key.clone(), (0, Arc::new(files)));
        }
        if let Some((users, _)) = st.trees.get_mut(&key) {
            *users += 1;
        }
        if let Some(prev) = previous.filter(|p| *p != key) {
            stale = self.take_if_stale(&mut st, &prev);
        }
        drop(st);
        if let Some(p) = stale {
            let _ = std::fs::remove_dir_all(p);
        }
        Ok(LowerRef { lowers: self.clone(), key })
    }

    fn make(
        &self,
        store: &Store,
        key: &str,
        entries: &[Entry],
        prefix_len: usize,
        reuse: Option<(PathBuf, Arc<Files>)>,
    ) -> io::Result<Files> {
        let tmp = self.dir.join(format!("tmp-{}", crate::util::random_hex(8)));
        std::fs::create_dir(&tmp)?;
        let made = (|| {
            let root = Tree::open(&tmp, Some(self.owner))?;
            std::os::unix::fs::chown(&tmp, Some(self.owner.0), Some(self.owner.1))?;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))?;
            let mut files = Files::new();
            for e in entries {
                let rel = &e.path[prefix_len.min(e.path.len())..];
                match (e.kind, &e.hash) {
                    (Kind::Dir, _) => drop(root.open_dir(rel, true)?),
                    (Kind::File, Some(hash)) => {
                        let me = (hash.clone(), e.mode & 0o777, e.mtime);
                        let linked = reuse.as_ref().is_some_and(|(dir, had)| {
                            had.get(rel) == Some(&me) && {
                                // Parents first (the manifest need not list them), then the link.
                                let parent = rel.rsplit_once('/').map_or("", |(d, _)| d);
                                root.open_dir(parent, true).is_ok()
                                    && std::fs::hard_link(dir.join(rel), tmp.join(rel)).is_ok()
                            }
                        });
                        if !linked {
                            let mut blob = store.blobs.open_blob(hash)?;
                            root.write_file(rel, &mut blob, e.mode, e.mtime)?;
                        }
                        files.insert(rel.to_string(), me);
                    }
                    (Kind::File, None) => {}
                }
            }
            std::fs::rename(&tmp, self.dir.join(key))?;
            Ok(files)
        })();
        if made.is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        made
    }
}

/// The name of the tree `entries` make.
fn version_key(entries: &[Entry], prefix_len: usize) -> String {
    let mut h = Sha256::new();
    for e in entries {
        let rel = &e.path[prefix_len.min(e.path.len())..];
        let kind = if e.kind == Kind::Dir { "d" } else { "f" };
        let hash = e.hash.as_deref().unwrap_or("");
        // NUL never occurs in a stored path or hash, so the fields cannot run into each other.
        h.update(format!("{rel}\0{kind}\0{hash}\0{:o}\0{}\n", e.mode & 0o777, e.mtime));
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
