//! SQLite metadata: contexts and each context's manifest (path → blob).
//!
//! A context's current content is exactly its `entries` rows; uploads switch a
//! whole mount subtree in one transaction, so readers see either the old or the
//! new complete state.

use rusqlite::{params, Connection, OptionalExtension};
use std::collections::{HashMap, HashSet};
use std::path::Path;

pub type DbResult<T> = Result<T, rusqlite::Error>;

/// Why a write into a context's manifest did not commit.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// The context was deleted before the write could commit; nothing was written.
    #[error("the context no longer exists")]
    ContextGone,
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// `apply_delta`'s reconciliation could not vouch for what it would write again; nothing
    /// was written.
    #[error("the context changed meanwhile and the session's copy must be uploaded whole")]
    Reconcile,
}

/// Inside a writer's transaction: marks the context used at `now`, and fails when it is
/// gone. Every manifest writer commits through this, and `delete_context` removes the row
/// in a transaction of its own; SQLite serialises the two, so nothing is ever committed
/// into a deleted context.
fn touch_existing(tx: &rusqlite::Transaction<'_>, ctx: &str, now: i64) -> Result<(), CommitError> {
    match tx.execute("UPDATE contexts SET last_used_time=?2 WHERE id=?1", params![ctx, now])? {
        0 => Err(CommitError::ContextGone),
        _ => Ok(()),
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS contexts(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  last_used_time INTEGER NOT NULL,
  UNIQUE(tenant, name)
);
CREATE TABLE IF NOT EXISTS entries(
  context_id TEXT NOT NULL,
  path TEXT NOT NULL,
  kind TEXT NOT NULL,
  hash TEXT,
  size INTEGER NOT NULL,
  mode INTEGER NOT NULL,
  mtime INTEGER NOT NULL,
  create_time INTEGER NOT NULL,
  PRIMARY KEY(context_id, path)
) WITHOUT ROWID;
-- Bumped by every change to a context's entries, whoever makes it (see `generation`).
CREATE TABLE IF NOT EXISTS context_gen(
  context_id TEXT PRIMARY KEY,
  gen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS entries_gen_insert AFTER INSERT ON entries BEGIN
  INSERT INTO context_gen(context_id, gen) VALUES (NEW.context_id, 1)
    ON CONFLICT(context_id) DO UPDATE SET gen=gen+1;
END;
CREATE TRIGGER IF NOT EXISTS entries_gen_update AFTER UPDATE ON entries BEGIN
  INSERT INTO context_gen(context_id, gen) VALUES (NEW.context_id, 1)
    ON CONFLICT(context_id) DO UPDATE SET gen=gen+1;
END;
CREATE TRIGGER IF NOT EXISTS entries_gen_delete AFTER DELETE ON entries BEGIN
  INSERT INTO context_gen(context_id, gen) VALUES (OLD.context_id, 1)
    ON CONFLICT(context_id) DO UPDATE SET gen=gen+1;
END;
";

#[derive(Debug, Clone, PartialEq)]
pub struct ContextRow {
    pub id: String,
    pub tenant: String,
    pub name: String,
    pub state: String,
    pub create_time: i64,
    pub last_used_time: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub path: String,
    pub kind: Kind,
    /// sha256 of the content (files only).
    pub hash: Option<String>,
    pub size: u64,
    pub mode: u32,
    pub mtime: i64,
    pub create_time: i64,
}

impl Entry {
    /// A file the server itself stores now (a presigned PUT, an Archive-mode archive): mode
    /// 0644, modified and created at `now`.
    pub fn stored_file(path: String, hash: String, size: u64, now: i64) -> Entry {
        Entry { path, kind: Kind::File, hash: Some(hash), size, mode: 0o644, mtime: now, create_time: now }
    }
}

pub fn open(path: &Path) -> DbResult<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

fn ctx_row(r: &rusqlite::Row<'_>) -> DbResult<ContextRow> {
    Ok(ContextRow {
        id: r.get(0)?,
        tenant: r.get(1)?,
        name: r.get(2)?,
        state: r.get(3)?,
        create_time: r.get(4)?,
        last_used_time: r.get(5)?,
    })
}

/// Id prefix of the internal contexts agentbay-local makes itself (a session's file-transfer
/// context, `crate::lifecycle::load_file_transfer`); `ListContexts` leaves them out.
pub const INTERNAL_ID_PREFIX: &str = "SdkFtCtx-";

const CTX_COLS: &str = "id, tenant, name, state, create_time, last_used_time";

pub fn insert_context(c: &Connection, row: &ContextRow) -> DbResult<()> {
    c.execute(
        "INSERT INTO contexts(id, tenant, name, state, create_time, last_used_time) VALUES (?1,?2,?3,?4,?5,?6)",
        params![row.id, row.tenant, row.name, row.state, row.create_time, row.last_used_time],
    )?;
    Ok(())
}

pub fn context_by_id(c: &Connection, tenant: &str, id: &str) -> DbResult<Option<ContextRow>> {
    c.query_row(&format!("SELECT {CTX_COLS} FROM contexts WHERE tenant=?1 AND id=?2"), params![tenant, id], ctx_row)
        .optional()
}

pub fn context_by_name(c: &Connection, tenant: &str, name: &str) -> DbResult<Option<ContextRow>> {
    c.query_row(&format!("SELECT {CTX_COLS} FROM contexts WHERE tenant=?1 AND name=?2"), params![tenant, name], ctx_row)
        .optional()
}

/// Newest first. Returns (page, total).
pub fn list_contexts(c: &Connection, tenant: &str, offset: u64, limit: u64) -> DbResult<(Vec<ContextRow>, u64)> {
    let listed = "tenant=?1 AND substr(id, 1, length(?2)) != ?2";
    let total: i64 = c.query_row(
        &format!("SELECT COUNT(*) FROM contexts WHERE {listed}"),
        params![tenant, INTERNAL_ID_PREFIX],
        |r| r.get(0),
    )?;
    let mut st =
        c.prepare(&format!("SELECT {CTX_COLS} FROM contexts WHERE {listed} ORDER BY seq DESC LIMIT ?3 OFFSET ?4"))?;
    let rows = st
        .query_map(params![tenant, INTERNAL_ID_PREFIX, limit as i64, offset as i64], ctx_row)?
        .collect::<DbResult<Vec<_>>>()?;
    Ok((rows, total as u64))
}

pub fn rename_context(c: &Connection, id: &str, name: &str) -> DbResult<()> {
    c.execute("UPDATE contexts SET name=?2 WHERE id=?1", params![id, name])?;
    Ok(())
}

pub fn set_state(c: &Connection, id: &str, state: &str) -> DbResult<()> {
    c.execute("UPDATE contexts SET state=?2 WHERE id=?1", params![id, state])?;
    Ok(())
}

pub fn touch_context(c: &Connection, id: &str, now: i64) -> DbResult<()> {
    c.execute("UPDATE contexts SET last_used_time=?2 WHERE id=?1", params![id, now])?;
    Ok(())
}

/// Deletes the context, its manifest and its expiry rows in one transaction.
pub fn delete_context(c: &mut Connection, id: &str) -> DbResult<()> {
    let tx = c.transaction()?;
    tx.execute("DELETE FROM entries WHERE context_id=?1", [id])?;
    tx.execute("DELETE FROM expiry WHERE context_id=?1", [id])?;
    tx.execute("DELETE FROM context_gen WHERE context_id=?1", [id])?;
    tx.execute("DELETE FROM contexts WHERE id=?1", [id])?;
    tx.commit()
}

pub fn clear_entries(c: &Connection, id: &str) -> DbResult<()> {
    c.execute("DELETE FROM entries WHERE context_id=?1", [id])?;
    Ok(())
}

fn entry_row(r: &rusqlite::Row<'_>) -> DbResult<Entry> {
    let kind: String = r.get(1)?;
    Ok(Entry {
        path: r.get(0)?,
        kind: if kind == "dir" { Kind::Dir } else { Kind::File },
        hash: r.get(2)?,
        size: r.get::<_, i64>(3)? as u64,
        mode: r.get::<_, i64>(4)? as u32,
        mtime: r.get(5)?,
        create_time: r.get(6)?,
    })
}

const ENTRY_COLS: &str = "path, kind, hash, size, mode, mtime, create_time";

/// Bounds of the subtree strictly below `dir`: `dir/` ≤ path < `dir0` ('0' follows '/').
fn below(dir: &str) -> (String, String) {
    if dir == "/" {
        ("/".into(), "0".into())
    } else {
        (format!("{dir}/"), format!("{dir}0"))
    }
}

/// Every entry strictly below `dir`, ordered by path.
pub fn entries_below(c: &Connection, ctx: &str, dir: &str) -> DbResult<Vec<Entry>> {
    let (lo, hi) = below(dir);
    let mut st = c.prepare(&format!(
        "SELECT {ENTRY_COLS} FROM entries WHERE context_id=?1 AND path>=?2 AND path<?3 ORDER BY path"
    ))?;
    let rows = st.query_map(params![ctx, lo, hi], entry_row)?.collect::<DbResult<Vec<_>>>()?;
    Ok(rows)
}

pub fn entry(c: &Connection, ctx: &str, path: &str) -> DbResult<Option<Entry>> {
    c.query_row(
        &format!("SELECT {ENTRY_COLS} FROM entries WHERE context_id=?1 AND path=?2"),
        params![ctx, path],
        entry_row,
    )
    .optional()
}

fn insert_entry(c: &Connection, ctx: &str, e: &Entry) -> DbResult<()> {
    c.execute(
        "INSERT OR REPLACE INTO entries(context_id, path, kind, hash, size, mode, mtime, create_time) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
        params![
            ctx,
            e.path,
            if e.kind == Kind::Dir { "dir" } else { "file" },
            e.hash,
            e.size as i64,
            e.mode as i64,
            e.mtime,
            e.create_time
        ],
    )?;
    Ok(())
}

/// Stores one file (presigned PUT). A file replaces whatever was at its path,
/// including a folder subtree of the same name.
pub fn put_file(c: &mut Connection, ctx: &str, e: &Entry, now: i64) -> Result<(), CommitError> {
    let tx = c.transaction()?;
    touch_existing(&tx, ctx, now)?;
    let (lo, hi) = below(&e.path);
    tx.execute("DELETE FROM entries WHERE context_id=?1 AND path>=?2 AND path<?3", params![ctx, lo, hi])?;
    // A file stored at an ancestor path would make this one unreachable in a mount.
    let mut anc = e.path.as_str();
    while let Some((parent, _)) = anc.rsplit_once('/') {
        if parent.is_empty() {
            break;
        }
        tx.execute("DELETE FROM entries WHERE context_id=?1 AND path=?2 AND kind='file'", params![ctx, parent])?;
        anc = parent;
    }
    let created: Option<i64> = tx
        .query_row("SELECT create_time FROM entries WHERE context_id=?1 AND path=?2", params![ctx, e.path], |r| {
            r.get(0)
        })
        .optional()?;
    let mut e = e.clone();
    if let Some(t) = created {
        e.create_time = t;
    }
    insert_entry(&tx, ctx, &e)?;
    Ok(tx.commit()?)
}

/// Deletes `path` and everything below it. Returns how many entries went.
pub fn delete_path(c: &mut Connection, ctx: &str, path: &str) -> DbResult<usize> {
    let tx = c.transaction()?;
    let (lo, hi) = below(path);
    let mut n = tx.execute("DELETE FROM entries WHERE context_id=?1 AND path>=?2 AND path<?3", params![ctx, lo, hi])?;
    n += tx.execute("DELETE FROM entries WHERE context_id=?1 AND path=?2", params![ctx, path])?;
    tx.commit()?;
    Ok(n)
}

/// Replaces the whole subtree below `dir` with `entries` in ONE transaction
/// (the atomic switch of an upload). Creation times of surviving paths are kept.
pub fn replace_subtree(
    c: &mut Connection,
    ctx: &str,
    dir: &str,
    entries: &[Entry],
    now: i64,
) -> Result<(), CommitError> {
    let tx = c.transaction()?;
    touch_existing(&tx, ctx, now)?;
    let old: HashMap<String, i64> = {
        let (lo, hi) = below(dir);
        let mut st =
            tx.prepare("SELECT path, create_time FROM entries WHERE context_id=?1 AND path>=?2 AND path<?3")?;
        let rows = st.query_map(params![ctx, lo, hi], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<DbResult<_>>()?
    };
    let (lo, hi) = below(dir);
    tx.execute("DELETE FROM entries WHERE context_id=?1 AND path>=?2 AND path<?3", params![ctx, lo, hi])?;
    // A plain file stored exactly at the mount path cannot coexist with the mounted dir.
    tx.execute("DELETE FROM entries WHERE context_id=?1 AND path=?2 AND kind='file'", params![ctx, dir])?;
    for e in entries {
        let mut e = e.clone();
        if let Some(t) = old.get(&e.path) {
            e.create_time = *t;
        }
        insert_entry(&tx, ctx, &e)?;
    }
    Ok(tx.commit()?)
}

pub fn all_hashes(c: &Connection) -> DbResult<HashSet<String>> {
    let mut st = c.prepare("SELECT DISTINCT hash FROM entries WHERE hash IS NOT NULL")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// Contexts left `clearing` by a crash.
pub fn clearing_contexts(c: &Connection) -> DbResult<Vec<String>> {
    let mut st = c.prepare("SELECT id FROM contexts WHERE state='clearing'")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// The upload switch under a narrowing policy (white lists, `syncLocalFile=false`), in ONE
/// transaction: keeps the old entries below `dir` unless `remove(path, kind)` says otherwise,
/// then writes `entries`. Old entries the new ones would contradict go too (a stored file
/// where a new entry needs a directory, a stored subtree where a new file now is), so the
/// manifest stays a tree. Creation times of surviving paths are kept.
pub fn merge_subtree(
    c: &mut Connection,
    ctx: &str,
    dir: &str,
    entries: &[Entry],
    remove: &dyn Fn(&str, Kind) -> bool,
    now: i64,
) -> Result<(), CommitError> {
    let tx = c.transaction()?;
    touch_existing(&tx, ctx, now)?;
    let old: std::collections::BTreeMap<String, (Kind, i64)> = {
        let (lo, hi) = below(dir);
        let mut st =
            tx.prepare("SELECT path, kind, create_time FROM entries WHERE context_id=?1 AND path>=?2 AND path<?3")?;
        let rows = st.query_map(params![ctx, lo, hi], |r| {
            let kind: String = r.get(1)?;
            Ok((r.get::<_, String>(0)?, (if kind == "dir" { Kind::Dir } else { Kind::File }, r.get::<_, i64>(2)?)))
        })?;
        rows.collect::<DbResult<_>>()?
    };
    let new: HashSet<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    let mut gone: HashSet<&str> =
        old.iter().filter(|(p, (k, _))| !new.contains(p.as_str()) && remove(p, *k)).map(|(p, _)| p.as_str()).collect();
    for e in entries {
        if e.kind == Kind::File {
            let (lo, hi) = below(&e.path);
            gone.extend(old.range(lo..hi).map(|(p, _)| p.as_str()));
        }
        let mut anc = e.path.as_str();
        while let Some((parent, _)) = anc.rsplit_once('/') {
            if parent.len() <= dir.len() {
                break;
            }
            if matches!(old.get(parent), Some((Kind::File, _))) {
                gone.insert(parent);
            }
            anc = parent;
        }
    }
    {
        let mut del = tx.prepare("DELETE FROM entries WHERE context_id=?1 AND path=?2")?;
        for p in &gone {
            del.execute(params![ctx, p])?;
        }
    }
    tx.execute("DELETE FROM entries WHERE context_id=?1 AND path=?2 AND kind='file'", params![ctx, dir])?;
    for e in entries {
        let mut e = e.clone();
        if let Some((_, t)) = old.get(&e.path) {
            e.create_time = *t;
        }
        insert_entry(&tx, ctx, &e)?;
    }
    Ok(tx.commit()?)
}

/// How many changes context `ctx`'s entries have seen (0: none yet). Any writer bumps it
/// (triggers on `entries`), so an unchanged number proves nobody wrote in between.
pub fn generation(c: &Connection, ctx: &str) -> DbResult<i64> {
    Ok(c.query_row("SELECT gen FROM context_gen WHERE context_id=?1", [ctx], |r| r.get(0)).optional()?.unwrap_or(0))
}

/// What an overlay upload changes below a mount (see [`apply_delta`]).
pub struct Delta<'a> {
    /// Entries to write: what the session made or changed.
    pub entries: Vec<Entry>,
    /// Stored paths to delete: what it deleted.
    pub gone: &'a [String],
    /// The context's [`generation`] when the session last mounted or uploaded it.
    pub known: i64,
}

/// The upload switch of an overlay mount (`sync::delta`), in ONE transaction: writes
/// `delta.entries` (what the session changed) and deletes exactly the paths in `delta.gone` (what it
/// deleted, already filtered by the policy), leaving every other entry below `dir` as it is.
/// Old entries the new ones contradict go too, as in [`merge_subtree`]: a stored subtree
/// where a new file now is, a stored file where a new entry needs a directory. Creation
/// times of surviving paths are kept. Costs what changed, not the size of the subtree, while
/// the context's [`generation`] is still `delta.known` (nobody else wrote since the caller last
/// did); otherwise `reconcile` is given every entry below `dir` and returns what must be
/// written again besides `entries` (what the session still has and the context lost), or
/// `None` to give up ([`CommitError::Reconcile`], nothing written).
/// Returns the generation after the switch, and the entries written.
pub fn apply_delta(
    c: &mut Connection,
    ctx: &str,
    dir: &str,
    delta: Delta<'_>,
    reconcile: &mut dyn FnMut(Vec<Entry>) -> Option<Vec<Entry>>,
    now: i64,
) -> Result<(i64, Vec<Entry>), CommitError> {
    let Delta { mut entries, gone, known } = delta;
    let tx = c.transaction()?;
    touch_existing(&tx, ctx, now)?;
    if generation(&tx, ctx)? != known {
        let (lo, hi) = below(dir);
        let mut st = tx.prepare(&format!(
            "SELECT {ENTRY_COLS} FROM entries WHERE context_id=?1 AND path>=?2 AND path<?3 ORDER BY path"
        ))?;
        let stored = st.query_map(params![ctx, lo, hi], entry_row)?.collect::<DbResult<Vec<_>>>()?;
        drop(st);
        entries.extend(reconcile(stored).ok_or(CommitError::Reconcile)?);
    }
    let entries = entries;
    {
        let mut del = tx.prepare("DELETE FROM entries WHERE context_id=?1 AND path=?2")?;
        for p in gone {
            del.execute(params![ctx, p])?;
        }
        let mut del_below = tx.prepare("DELETE FROM entries WHERE context_id=?1 AND path>=?2 AND path<?3")?;
        let mut del_file = tx.prepare("DELETE FROM entries WHERE context_id=?1 AND path=?2 AND kind='file'")?;
        for e in &entries {
            if e.kind == Kind::File {
                let (lo, hi) = below(&e.path);
                del_below.execute(params![ctx, lo, hi])?;
            }
            let mut anc = e.path.as_str();
            while let Some((parent, _)) = anc.rsplit_once('/') {
                if parent.len() <= dir.len() {
                    break;
                }
                del_file.execute(params![ctx, parent])?;
                anc = parent;
            }
        }
        del_file.execute(params![ctx, dir])?;
    }
    {
        let mut created = tx.prepare("SELECT create_time FROM entries WHERE context_id=?1 AND path=?2")?;
        for e in &entries {
            let mut e = e.clone();
            if let Some(t) = created.query_row(params![ctx, e.path], |r| r.get::<_, i64>(0)).optional()? {
                e.create_time = t;
            }
            insert_entry(&tx, ctx, &e)?;
        }
    }
    let gen = generation(&tx, ctx)?;
    tx.commit()?;
    Ok((gen, entries))
}
