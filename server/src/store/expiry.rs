//! Data lifecycles (`recyclePolicy`): when each uploaded path expires.
//!
//! Kept in its own table rather than as a column of `entries`, so manifest code
//! stays unaware of lifecycles: a row `(context, path, expire_time)` exists only
//! for data uploaded under a finite lifecycle. Every upload rewrites the rows of
//! the paths it stored (fresh expiry, or none for `Lifecycle_Forever` and paths
//! outside the recycle paths); a presigned PUT drops the row (such a file is
//! permanent). Rows whose entry went away another way (DeleteContextFile,
//! ClearContext) are harmless leftovers the sweeper drops when they come due.

use super::db::{DbResult, Entry, Kind};
use crate::paths::{self, PathError};
use agentbay_wire::policy::RecyclePolicy;
use rusqlite::{params, Connection, OptionalExtension};

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS expiry(
  context_id TEXT NOT NULL,
  path TEXT NOT NULL,
  expire_time INTEGER NOT NULL,
  PRIMARY KEY(context_id, path)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS expiry_due ON expiry(expire_time);
";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("recyclePolicy.paths entry '{path}' (relative to the mount path): {source}")]
pub struct RecyclePathError {
    pub path: String,
    pub source: PathError,
}

/// The absolute session dirs a recycle policy covers for a mount at `mount_path`.
/// Paths are relative to the mount (`/logs` and `logs` both mean `<mount>/logs`);
/// `""` and `/` mean the whole mount, and so does an empty list (a lifecycle with
/// no paths would otherwise be a silent no-op).
pub fn recycle_dirs(mount_path: &str, policy: &RecyclePolicy) -> Result<Vec<String>, RecyclePathError> {
    if policy.paths.is_empty() {
        return Ok(vec![mount_path.to_string()]);
    }
    policy
        .paths
        .iter()
        .map(|p| {
            let rel = p.trim().trim_start_matches('/');
            if rel.is_empty() {
                return Ok(mount_path.to_string());
            }
            let abs = if mount_path == "/" { format!("/{rel}") } else { format!("{mount_path}/{rel}") };
            paths::normalize(&abs).map_err(|source| RecyclePathError { path: p.clone(), source })
        })
        .collect()
}

/// Records the expiry of every entry an upload of `mount_path` is about to store,
/// at shifted time `now`. Called just before the manifest switch, so a sweep in
/// between never deletes freshly uploaded data on a stale expiry time.
pub fn after_upload(
    c: &mut Connection,
    ctx: &str,
    mount_path: &str,
    policy: &RecyclePolicy,
    entries: &[Entry],
    now: i64,
) -> DbResult<()> {
    // Session creation validated the paths; a path that still fails to resolve covers nothing.
    let dirs = recycle_dirs(mount_path, policy).unwrap_or_default();
    let expire = policy.lifetime_secs().map(|l| now.saturating_add(i64::try_from(l).unwrap_or(i64::MAX)));
    let tx = c.transaction()?;
    // A context deleted meanwhile gets no rows (the manifest switch after this fails for it too).
    let exists: Option<i64> = tx.query_row("SELECT 1 FROM contexts WHERE id=?1", [ctx], |r| r.get(0)).optional()?;
    if exists.is_none() {
        return Ok(());
    }
    {
        let mut set = tx.prepare(
            "INSERT INTO expiry(context_id, path, expire_time) VALUES (?1,?2,?3)
             ON CONFLICT(context_id, path) DO UPDATE SET expire_time=excluded.expire_time",
        )?;
        let mut clear = tx.prepare("DELETE FROM expiry WHERE context_id=?1 AND path=?2")?;
        for e in entries {
            match expire {
                Some(t) if dirs.iter().any(|d| paths::is_within(&e.path, d)) => {
                    set.execute(params![ctx, e.path, t])?;
                }
                _ => {
                    clear.execute(params![ctx, e.path])?;
                }
            }
        }
    }
    tx.commit()
}

/// [`after_upload`] at the store's lifecycle clock.
pub fn record_upload(
    store: &super::Store,
    ctx: &str,
    root: &str,
    policy: &RecyclePolicy,
    entries: &[Entry],
) -> DbResult<()> {
    let now = store.clock.now();
    after_upload(&mut store.db(), ctx, root, policy, entries, now)
}

/// Makes `path` permanent (a file stored through a presigned URL has no lifecycle).
pub fn forget(c: &Connection, ctx: &str, path: &str) -> DbResult<()> {
    c.execute("DELETE FROM expiry WHERE context_id=?1 AND path=?2", params![ctx, path])?;
    Ok(())
}

/// The expiry time of `path`, if it has one.
pub fn expire_time(c: &Connection, ctx: &str, path: &str) -> DbResult<Option<i64>> {
    c.query_row("SELECT expire_time FROM expiry WHERE context_id=?1 AND path=?2", params![ctx, path], |r| r.get(0))
        .optional()
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    pub files: usize,
    pub dirs: usize,
}

/// Deletes every entry whose expiry is at or before `now`, in one transaction.
/// An expired directory goes only once nothing is left below it (rows are taken
/// deepest first, so a dir whose files all expired goes with them).
pub fn sweep(c: &mut Connection, now: i64) -> DbResult<Swept> {
    let tx = c.transaction()?;
    let due: Vec<(String, String)> = {
        let mut st =
            tx.prepare("SELECT context_id, path FROM expiry WHERE expire_time<=?1 ORDER BY context_id, path DESC")?;
        let rows = st.query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<DbResult<_>>()?
    };
    let mut swept = Swept::default();
    for (ctx, path) in due {
        let kind: Option<String> = tx
            .query_row("SELECT kind FROM entries WHERE context_id=?1 AND path=?2", params![ctx, path], |r| r.get(0))
            .optional()?;
        match kind.as_deref().map(|k| if k == "dir" { Kind::Dir } else { Kind::File }) {
            Some(Kind::File) => {
                swept.files += tx.execute("DELETE FROM entries WHERE context_id=?1 AND path=?2", params![ctx, path])?;
            }
            Some(Kind::Dir) => {
                let (lo, hi) = (format!("{path}/"), format!("{path}0"));
                let below: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM entries WHERE context_id=?1 AND path>=?2 AND path<?3",
                    params![ctx, lo, hi],
                    |r| r.get(0),
                )?;
                if below == 0 {
                    swept.dirs +=
                        tx.execute("DELETE FROM entries WHERE context_id=?1 AND path=?2", params![ctx, path])?;
                }
            }
            None => {}
        }
        tx.execute("DELETE FROM expiry WHERE context_id=?1 AND path=?2", params![ctx, path])?;
    }
    tx.commit()?;
    Ok(swept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db;

    fn policy(lifecycle: &str, paths: &[&str]) -> RecyclePolicy {
        use agentbay_wire::wire_enum::WireEnum;
        let lifecycle = agentbay_wire::policy::Lifecycle::parse(lifecycle).expect("a lifecycle spelling");
        RecyclePolicy { lifecycle, paths: paths.iter().map(|p| p.to_string()).collect() }
    }

    fn entry(path: &str, kind: Kind) -> Entry {
        let hash = (kind == Kind::File).then(|| "00".repeat(32));
        Entry { path: path.into(), kind, hash, size: 1, mode: 0o644, mtime: 0, create_time: 0 }
    }

    fn paths_of(c: &Connection) -> Vec<String> {
        db::entries_below(c, "c", "/").unwrap().into_iter().map(|e| e.path).collect()
    }

    #[test]
    fn recycle_paths_are_relative_to_the_mount() {
        let d = |paths: &[&str]| recycle_dirs("/mnt/data", &policy("Lifecycle_1Day", paths));
        assert_eq!(d(&[""]).unwrap(), ["/mnt/data"]);
        assert_eq!(d(&[]).unwrap(), ["/mnt/data"]);
        assert_eq!(d(&["/logs", "tmp/x/"]).unwrap(), ["/mnt/data/logs", "/mnt/data/tmp/x"]);
        assert_eq!(recycle_dirs("/", &policy("Lifecycle_1Day", &["/a"])).unwrap(), ["/a"]);
        let e = d(&["/../etc"]).unwrap_err();
        assert!(e.to_string().contains("'/../etc'"), "{e}");
        assert!(d(&["a//b"]).is_err());
    }

    /// A database holding the one context "c" (manifest writes need their context).
    fn db_with_context(dir: &std::path::Path) -> Connection {
        let c = db::open(&dir.join("db")).unwrap();
        c.execute_batch(SCHEMA).unwrap();
        let row = db::ContextRow {
            id: "c".into(),
            tenant: "t".into(),
            name: "n".into(),
            state: "available".into(),
            create_time: 0,
            last_used_time: 0,
        };
        db::insert_context(&c, &row).unwrap();
        c
    }

    #[test]
    fn upload_sets_and_clears_expiry_and_sweep_removes_due_entries() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = db_with_context(dir.path());
        let entries = [
            entry("/m/keep.txt", Kind::File),
            entry("/m/logs", Kind::Dir),
            entry("/m/logs/a", Kind::File),
            entry("/m/logs/sub", Kind::Dir),
            entry("/m/logs/sub/b", Kind::File),
        ];
        db::replace_subtree(&mut c, "c", "/m", &entries, 0).unwrap();
        after_upload(&mut c, "c", "/m", &policy("Lifecycle_1Day", &["/logs"]), &entries, 1000).unwrap();
        assert_eq!(expire_time(&c, "c", "/m/logs/a").unwrap(), Some(1000 + 86_400));
        assert_eq!(expire_time(&c, "c", "/m/keep.txt").unwrap(), None);

        assert_eq!(sweep(&mut c, 1000 + 86_399).unwrap(), Swept::default());
        assert_eq!(paths_of(&c).len(), 5);
        assert_eq!(sweep(&mut c, 1000 + 86_400).unwrap(), Swept { files: 2, dirs: 2 });
        assert_eq!(paths_of(&c), ["/m/keep.txt"]);
        assert_eq!(c.query_row("SELECT COUNT(*) FROM expiry", [], |r| r.get::<_, i64>(0)).unwrap(), 0);

        // Forever (or a later upload outside the recycle paths) makes data permanent again.
        db::replace_subtree(&mut c, "c", "/m", &entries, 0).unwrap();
        after_upload(&mut c, "c", "/m", &policy("Lifecycle_1Day", &[""]), &entries, 0).unwrap();
        after_upload(&mut c, "c", "/m", &policy("Lifecycle_Forever", &[""]), &entries[..3], 0).unwrap();
        assert_eq!(sweep(&mut c, i64::MAX).unwrap(), Swept { files: 1, dirs: 1 }, "only logs/sub/b and logs/sub");
        assert_eq!(paths_of(&c), ["/m/keep.txt", "/m/logs", "/m/logs/a"]);
    }

    #[test]
    fn dir_with_permanent_children_survives_its_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = db_with_context(dir.path());
        let entries = [entry("/m/logs", Kind::Dir), entry("/m/logs/a", Kind::File)];
        db::replace_subtree(&mut c, "c", "/m", &entries, 0).unwrap();
        after_upload(&mut c, "c", "/m", &policy("Lifecycle_3Days", &[""]), &entries, 0).unwrap();
        // A presigned PUT replaces logs/a: permanent.
        forget(&c, "c", "/m/logs/a").unwrap();
        assert_eq!(sweep(&mut c, 3 * 86_400).unwrap(), Swept::default());
        assert_eq!(paths_of(&c), ["/m/logs", "/m/logs/a"]);
    }
}
