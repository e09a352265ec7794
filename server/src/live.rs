//! Live context mounts (`BetaContextMount`): a folder of a context shown in sessions as a
//! directory whose writes are the context's content at once, with no sync step, and which every
//! session that mounts the same folder shares (writes are visible to the others immediately; the
//! last writer of a file wins).
//!
//! While at least one session mounts it, the folder's content *is* one directory on the server,
//! `<data>/live/<context id>/<n>/fs` (its "tree"): made from the manifest by the first mount (on
//! a disk of its own with the session quota, see `sandbox::disk`), bound into each session
//! (read-only if asked), and written back into the manifest:
//! - before anything reads the context through the API or a sync (`flush_if_live`), so a
//!   listing, a download URL or another session's `ContextSync` sees the live files;
//! - when the last session mounting it is released, after which the tree is removed.
//!
//! One tree per (context, folder): the directory bound into a session is always the tree's root,
//! a path sessions cannot change (a folder *inside* a tree could be swapped for a symlink by a
//! session sharing it). Two different folders of one context are live at once only if neither
//! contains the other. Writes to a live context through the API (an upload URL,
//! `DeleteContextFile`, `ClearContext`, a `ContextSync` upload) are refused: they would race the
//! trees the sessions write. A server killed meanwhile leaves the trees behind; the next start
//! writes them back (`recover`). Writing back goes through the sync engine (`crate::sync`), so
//! the same rules hold as for any upload: nothing a session planted is followed, and a file that
//! cannot be stored stays in the tree and reaches lost+found rather than vanish.

use crate::safe_fs::Tree;
use crate::sandbox::{Sandboxes, SessionDisk};
use crate::store::Store;
use crate::sync::{self, MountSpec, StatCache, SyncError};
use crate::util::lock;
use agentbay_wire::policy::SyncPolicy;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why a live context could not be made, read or written back.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error("{0}")]
    Sync(#[from] SyncError),
    #[error("context {ctx} is mounted live with source path '{other}' by {sessions:?}; a mount of '{folder}' would overlap it (mount the same source path, or one beside it)")]
    Overlap { ctx: String, folder: String, other: String, sessions: Vec<String> },
}

/// The live contexts of this server.
pub struct LiveContexts {
    dir: PathBuf,
    /// Context id → its live trees. Every change of a tree's users, every materialisation and
    /// every write-back happens under this lock: simple, and a folder never has two trees. It is
    /// taken before the database's lock (`Store::db`), never while holding it.
    map: Mutex<Trees>,
    /// Signalled when a sync upload into a context ends ([`UploadClaim`]).
    idle: std::sync::Condvar,
}

#[derive(Default)]
struct Trees {
    by_ctx: HashMap<String, Vec<Live>>,
    /// Context id → sync uploads into it running now; a tree is made only when there are none,
    /// so no upload commits into a manifest a tree was already made from.
    uploading: HashMap<String, usize>,
}

impl std::ops::Deref for Trees {
    type Target = HashMap<String, Vec<Live>>;
    fn deref(&self) -> &Self::Target {
        &self.by_ctx
    }
}

impl std::ops::DerefMut for Trees {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.by_ctx
    }
}

/// A sync upload into a context that is not live, running (see [`LiveContexts::claim_upload`]).
pub struct UploadClaim<'a> {
    live: &'a LiveContexts,
    ctx: String,
}

impl Drop for UploadClaim<'_> {
    fn drop(&mut self) {
        let mut map = lock(&self.live.map);
        if let Some(n) = map.uploading.get_mut(&self.ctx) {
            *n -= 1;
            if *n == 0 {
                map.uploading.remove(&self.ctx);
            }
        }
        self.live.idle.notify_all();
    }
}

struct Live {
    /// The context folder it holds (`/`: all of it).
    source: String,
    /// `<data>/live/<context id>/<n>`.
    dir: PathBuf,
    /// The sessions mounting it (one entry per mount).
    sessions: Vec<String>,
    disk: SessionDisk,
    /// `tree/` on the disk: the folder's files (the disk's own root holds `lost+found`).
    root: PathBuf,
    cache: StatCache,
}

/// The tree's directory on its disk.
const TREE_DIR: &str = "tree";

/// Where a tree records the folder it holds, next to its disk (sessions cannot reach it).
const SOURCE_FILE: &str = "source";

/// How a live tree maps to the context: its root is the context's root, and it is a plain
/// mirror (no extraction, every file).
fn mirror_policy() -> SyncPolicy {
    let mut p = SyncPolicy::default();
    p.extract_policy.extract = false;
    p
}

/// The tree of folder `source` of `ctx`: its root is that folder (the sync engine's stored root).
fn spec<'a>(ctx: &'a str, source: &'a str, policy: &'a SyncPolicy) -> MountSpec<'a> {
    MountSpec { ctx, mount_path: source, policy }
}

impl LiveContexts {
    pub fn new(data_dir: &Path) -> LiveContexts {
        LiveContexts { dir: data_dir.join("live"), map: Mutex::new(Trees::default()), idle: Default::default() }
    }

    /// Adds `session` as a user of the tree of folder `source` of context `ctx`, making the tree
    /// from the manifest if it is the first. Returns the tree's root, the directory to bind.
    /// Blocking.
    pub fn acquire(
        &self,
        store: &Store,
        sandboxes: &Sandboxes,
        ctx: &str,
        source: &str,
        session: &str,
    ) -> Result<PathBuf, LiveError> {
        let mut map = lock(&self.map);
        // A sync upload into it finishes first (it is short): the tree is made from its result.
        while map.uploading.contains_key(ctx) {
            map = self.idle.wait(map).unwrap_or_else(|p| p.into_inner());
        }
        let trees = map.entry(ctx.to_string()).or_default();
        if let Some(l) = trees.iter_mut().find(|l| l.source == source) {
            l.sessions.push(session.to_string());
            return Ok(l.root.clone());
        }
        if let Some(l) = trees
            .iter()
            .find(|l| crate::paths::is_within(&l.source, source) || crate::paths::is_within(source, &l.source))
        {
            return Err(LiveError::Overlap {
                ctx: ctx.into(),
                folder: source.into(),
                other: l.source.clone(),
                sessions: l.sessions.clone(),
            });
        }
        let ctx_dir = self.dir.join(ctx);
        let dir = ctx_dir.join(crate::util::random_hex(6));
        let io = |what: &str| {
            let what = format!("{what} {}", dir.display());
            move |e| LiveError::Io(what, e)
        };
        // The sandbox user passes through to the trees (as through `sessions/`), but cannot list.
        for d in [&self.dir, &ctx_dir, &dir] {
            std::fs::create_dir_all(d).map_err(io("making"))?;
            std::fs::set_permissions(d, std::os::unix::fs::PermissionsExt::from_mode(0o711)).map_err(io("securing"))?;
        }
        std::fs::write(dir.join(SOURCE_FILE), source).map_err(io("making"))?;
        let made = sandboxes.make_disk(&dir).map_err(io("making the disk of")).and_then(|mut disk| {
            let mut cache = StatCache::default();
            let policy = mirror_policy();
            let root = disk.dir().join(TREE_DIR);
            let filled = Tree::open(disk.dir(), sandboxes.owner())
                .and_then(|d| d.open_dir(TREE_DIR, true))
                .and_then(|_| Tree::open(&root, sandboxes.owner()))
                .map_err(io("opening"))
                .and_then(|tree| {
                    sync::download(store, spec(ctx, source, &policy), &tree, &mut cache).map_err(LiveError::from)
                });
            match filled {
                Ok(_) => Ok((disk, cache)),
                Err(e) => {
                    let _ = disk.remove();
                    Err(e)
                }
            }
        });
        let (disk, cache) = match made {
            Ok(m) => m,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        let root = disk.dir().join(TREE_DIR);
        trees.push(Live {
            source: source.into(),
            dir,
            sessions: vec![session.to_string()],
            disk,
            root: root.clone(),
            cache,
        });
        Ok(root)
    }

    /// Takes one mount of `session` off the tree of folder `source` of `ctx`; the last one writes
    /// the tree back into the manifest and removes it. A tree that cannot be written back is kept
    /// under `lost` (and the error returned), never deleted. Blocking; call it once the session's
    /// processes are gone.
    pub fn release(&self, store: &Store, ctx: &str, source: &str, session: &str, lost: &Path) -> Result<(), LiveError> {
        let mut map = lock(&self.map);
        let Some(trees) = map.get_mut(ctx) else { return Ok(()) };
        let Some(n) = trees.iter().position(|l| l.source == source) else { return Ok(()) };
        let l = &mut trees[n];
        if let Some(i) = l.sessions.iter().position(|s| s == session) {
            l.sessions.remove(i);
        }
        if !l.sessions.is_empty() {
            return Ok(());
        }
        let mut l = trees.remove(n);
        if trees.is_empty() {
            map.remove(ctx);
        }
        let flushed = write_back(store, ctx, &mut l);
        if let Err(e) = &flushed {
            let dest = lost.join(format!("live-{ctx}-{}", crate::util::random_hex(4)));
            let kept = crate::util::private_dir(lost)
                .and_then(|_| Tree::open(&l.root, None))
                .and_then(|t| crate::safe_fs::copy_tree(t.root(), &dest));
            if let Err(copy) = kept {
                // Leave the tree where it is: the next start writes it back or rescues it.
                eprintln!("agentbay-local: keeping the live tree of {ctx} in place ({e}; copying it failed: {copy})");
                return flushed;
            }
            eprintln!(
                "agentbay-local: the live tree of {ctx} could not be written back ({e}); it is in {}",
                dest.display()
            );
        }
        l.disk.remove().map_err(|e| LiveError::Io(format!("removing the disk of {}", l.dir.display()), e))?;
        let _ = std::fs::remove_dir_all(&l.dir);
        let _ = std::fs::remove_dir(self.dir.join(ctx));
        flushed
    }

    /// Claims a sync upload into `ctx` (a `ContextSync` mount's): refused with the live users'
    /// ids while `ctx` is live; otherwise no tree of `ctx` is made until the claim is dropped.
    pub fn claim_upload(&self, ctx: &str) -> Result<UploadClaim<'_>, Vec<String>> {
        let mut map = lock(&self.map);
        if let Some(trees) = map.get(ctx) {
            return Err(trees.iter().flat_map(|l| l.sessions.iter().cloned()).collect());
        }
        *map.uploading.entry(ctx.to_string()).or_insert(0) += 1;
        Ok(UploadClaim { live: self, ctx: ctx.to_string() })
    }

    /// Runs `write` (a write to context `ctx` through the API) unless sessions mount `ctx` live,
    /// in which case it returns their ids instead. Under the lock that making a tree takes, so a
    /// write either lands before a tree is made from the manifest (and is in it) or is refused.
    pub fn unless_live<T>(&self, ctx: &str, write: impl FnOnce() -> T) -> Result<T, Vec<String>> {
        let map = lock(&self.map);
        match map.get(ctx) {
            Some(trees) => Err(trees.iter().flat_map(|l| l.sessions.iter().cloned()).collect()),
            None => Ok(write()),
        }
    }

    /// The sessions mounting `ctx` live, if any.
    pub fn users(&self, ctx: &str) -> Option<Vec<String>> {
        let map = lock(&self.map);
        let trees = map.get(ctx)?;
        let mut ids: Vec<String> = trees.iter().flat_map(|l| l.sessions.iter().cloned()).collect();
        ids.dedup();
        Some(ids)
    }

    /// Writes `ctx`'s live tree (if it has one) into its manifest, so what reads the manifest
    /// next sees the live files. Blocking.
    pub fn flush_if_live(&self, store: &Store, ctx: &str) -> Result<(), LiveError> {
        let mut map = lock(&self.map);
        for l in map.get_mut(ctx).into_iter().flatten() {
            match write_back(store, ctx, l) {
                // Everything else was stored; the files the store cannot keep stay in the tree
                // (and reach lost+found if they are still there at the release).
                Err(LiveError::Sync(e @ SyncError::Unstorable(_))) => {
                    eprintln!("agentbay-local: live context {ctx}: {e}")
                }
                r => r?,
            }
        }
        Ok(())
    }

    /// At start-up: trees a killed server left behind are written back into their contexts (or,
    /// when that fails or the context is gone, kept in `lost`). Blocking.
    pub fn recover(&self, store: &Store, lost: &Path) -> std::io::Result<()> {
        let Ok(contexts) = std::fs::read_dir(&self.dir) else { return Ok(()) };
        for c in contexts {
            let c = c?;
            let ctx = c.file_name().to_string_lossy().into_owned();
            for t in std::fs::read_dir(c.path())? {
                let t = t?;
                let source = std::fs::read_to_string(t.path().join(SOURCE_FILE)).unwrap_or_else(|_| "/".into());
                let rescued =
                    crate::util::private_dir(lost)?.join(format!("live-{ctx}-{}", t.file_name().to_string_lossy()));
                let files = crate::sandbox::rescue_disk(&t.path(), &rescued)?;
                let policy = mirror_policy();
                let back = Tree::open(&rescued.join(TREE_DIR), None)
                    .map_err(|source| SyncError::Io { path: rescued.display().to_string(), source })
                    .and_then(|tree| {
                        sync::upload(store, spec(&ctx, &source, &policy), &tree, &mut StatCache::default(), None)
                    });
                match back {
                    Ok(_) => {
                        crate::safe_fs::remove_tree(&rescued)?;
                        eprintln!("agentbay-local: wrote back the live tree of {ctx} ({files} file(s)) a crash left");
                    }
                    Err(err) => eprintln!(
                        "agentbay-local: the live tree of {ctx} a crash left could not be written back ({err}); it is in {}",
                        rescued.display()
                    ),
                }
            }
            let _ = std::fs::remove_dir(c.path());
        }
        Ok(())
    }
}

fn write_back(store: &Store, ctx: &str, l: &mut Live) -> Result<(), LiveError> {
    let policy = mirror_policy();
    let tree = Tree::open(&l.root, None).map_err(|e| LiveError::Io(format!("opening {}", l.root.display()), e))?;
    sync::upload(store, spec(ctx, &l.source, &policy), &tree, &mut l.cache, None)?;
    Ok(())
}
