//! The sync task runner: runs a session's recorded upload and download tasks through the
//! sync engine, one at a time per session, and records how each ended.
//!
//! A task is listed on its session (`Session::add_task`, `Pending`) before it runs, so the
//! first GetContextInfo poll already sees it; the runner moves it to `Running` and then to
//! `Success` or `Failed` with the error. The session's sync lock serialises tasks (creation
//! downloads, SyncContext, periodic uploads, the release uploads) and holds one stat cache per
//! mount.

use crate::safe_fs::Tree;
use crate::state::{AppState, Direction, Session};
use crate::sync::{self, StatCache};
use crate::util::lock;
use agentbay_wire::context_status::status;
use agentbay_wire::envelope::session_status;
use std::sync::Arc;

/// Runs one (already recorded) sync task of `mount`, listed under `path`, to completion.
/// Returns whether it succeeded.
pub(super) async fn run_task(
    st: &Arc<AppState>,
    session: &Arc<Session>,
    mount: usize,
    dir: Direction,
    path: &str,
) -> bool {
    let caches = session.sync.lock().await;
    run_locked(st, session, caches, mount, dir, path).await
}

/// A periodic upload: recorded and run only if the session is still running once it
/// holds the session's sync lock, so a tick racing a release neither replaces the
/// release's listed task nor uploads after it. Returns whether it ran.
pub(super) async fn run_periodic_upload(st: &Arc<AppState>, session: &Arc<Session>, mount: usize) -> bool {
    let caches = session.sync.lock().await;
    {
        // begin_delete flips the status and lists its tasks under this same lock.
        let s = lock(&session.status);
        if *s != session_status::RUNNING {
            return false;
        }
        session.add_task(mount, Direction::Upload, &session.mount(mount).path);
    }
    run_locked(st, session, caches, mount, Direction::Upload, &session.mount(mount).path).await;
    true
}

async fn run_locked(
    st: &Arc<AppState>,
    session: &Arc<Session>,
    mut caches: tokio::sync::MutexGuard<'_, Vec<StatCache>>,
    mount: usize,
    dir: Direction,
    path: &str,
) -> bool {
    session.update_task(mount, dir, path, status::RUNNING, None);
    // A mount added after creation gets its stat cache here.
    if caches.len() <= mount {
        caches.resize_with(mount + 1, StatCache::default);
    }
    let m = session.mount(mount);
    if m.missing {
        let e = match dir {
            Direction::Download => format!("context {} does not exist: there is nothing to download", m.context_id),
            Direction::Upload => {
                format!("context {} does not exist: nothing was uploaded, the files stay in the session", m.context_id)
            }
        };
        session.update_task(mount, dir, path, status::FAILED, Some(e));
        return false;
    }
    let mut cache = std::mem::take(&mut caches[mount]);
    let st = st.clone();
    let sess = session.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let m = sess.mount(mount);
        let spec = sync::MountSpec { ctx: &m.context_id, mount_path: &m.path, policy: &m.policy };
        let r = match Tree::open(&m.host_dir, sess.sandbox.owner()) {
            Err(e) => Err(sync::SyncError::Io { path: m.path.clone(), source: e }),
            Ok(tree) => match dir {
                // Not into a context sessions mount live: their tree is its content (`crate::live`).
                Direction::Upload => match st.live.claim_upload(&m.context_id) {
                    Err(users) => Err(sync::SyncError::Aborted(format!(
                        "context {} is mounted live (BetaContextMount) by session(s) {}; nothing was uploaded, the files stay in the session",
                        m.context_id,
                        users.join(", ")
                    ))),
                    Ok(_claim) => {
                        let hook = st.upload_fault.clone();
                        let hook_ref = hook.as_deref().map(|h| h as &(dyn Fn(usize) -> Result<(), String> + Sync));
                        // An overlay mount's changes are its upper dir (`sync::delta`); under a
                        // policy that needs every path, the merged mount is walked as before.
                        match sess.sandbox.overlay_upper(mount) {
                            Some(upper) if sync::delta::upload_eligible(&m.policy, &cache) => {
                                match Tree::open(&upper, None) {
                                    Ok(upper) => sync::delta::upload_changes(&st.store, spec, &tree, &upper, &mut cache, hook_ref),
                                    Err(e) => Err(sync::SyncError::Io { path: m.path.clone(), source: e }),
                                }
                            }
                            _ => sync::upload(&st.store, spec, &tree, &mut cache, hook_ref),
                        }
                    }
                },
                // What sessions wrote into a live mount of it is the context's content.
                Direction::Download => match st.live.flush_if_live(&st.store, &m.context_id) {
                    Err(e) => Err(sync::SyncError::Download(e.to_string())),
                    Ok(()) => match crate::overlay::mount_download(&st.store, &sess.sandbox, mount, spec, &mut cache) {
                        Some(r) => r,
                        None => {
                            if let Some(upper) = sess.sandbox.overlay_upper(mount) {
                                if let Ok(upper) = Tree::open(&upper, None) {
                                    sync::delta::before_download(spec, &tree, &upper, &mut cache);
                                }
                            }
                            sync::download(&st.store, spec, &tree, &mut cache)
                        }
                    },
                },
            },
        };
        let r = r.map_err(|e| {
            // ENOSPC in a download means the session's disk quota, not the server's disk.
            let full = sess.sandbox.disk_full();
            let quota = sess.sandbox.disk_quota().unwrap_or(0) >> 20;
            match full {
                true => format!("{e} (the session's disk quota of {quota} MiB is full; --session-disk)"),
                false => e.to_string(),
            }
        });
        (r, cache)
    })
    .await;
    let (result, cache) = match joined {
        Ok((r, c)) => (r, c),
        // A panic in the sync engine fails this task; the server and its other sessions go on.
        Err(e) => (Err(format!("sync task crashed: {}", crate::util::panic_text(e))), StatCache::default()),
    };
    caches[mount] = cache;
    match result {
        Ok(_) => {
            session.update_task(mount, dir, path, status::SUCCESS, None);
            true
        }
        Err(e) => {
            eprintln!(
                "agentbay-local: {} of context {} at {} in session {} failed: {e}",
                dir.task_type(),
                session.mount(mount).context_id,
                path,
                session.id
            );
            session.update_task(mount, dir, path, status::FAILED, Some(e));
            false
        }
    }
}

/// Records tasks for `mounts` at once, each listed under its mount path, then runs them in
/// the background.
pub fn spawn_tasks(st: &Arc<AppState>, session: &Arc<Session>, mounts: Vec<usize>, dir: Direction) {
    let labelled = mounts.into_iter().map(|i| (i, session.mount(i).path.clone())).collect();
    spawn_labelled_tasks(st, session, labelled, dir);
}

/// [`spawn_tasks`] with the path each task is listed under given: a `SyncContext` that named a
/// path below a mount (a file of the file-transfer context) syncs the mount and reports under
/// the path it named, which is what the SDK then polls for.
pub fn spawn_labelled_tasks(st: &Arc<AppState>, session: &Arc<Session>, tasks: Vec<(usize, String)>, dir: Direction) {
    for (i, path) in &tasks {
        session.add_task(*i, dir, path);
    }
    let st = st.clone();
    let sess = session.clone();
    tokio::spawn(async move {
        for (i, path) in tasks {
            run_task(&st, &sess, i, dir, &path).await;
        }
    });
}
