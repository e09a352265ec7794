//! Durable state in the data dir: SQLite metadata + content-addressed blobs. The sync
//! engine that fills it from live mount dirs is `crate::sync`.

pub mod blobs;
pub mod db;
pub mod expiry;

use crate::util::lock;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Everything here is blocking (SQLite, file I/O, `std` locks): call it from
/// `spawn_blocking` or another blocking thread, never from an async task.
pub struct Store {
    conn: Mutex<Connection>,
    pub blobs: blobs::BlobStore,
    /// Serialises GC's snapshot of the referenced blobs against [`Store::read_pinned`], so a
    /// reader's manifest read and its pins are never split by a GC (see `blobs`).
    gc_gate: Mutex<()>,
    /// One GC at a time.
    gc_running: Mutex<()>,
    /// "Now" for lifecycles (shiftable, see [`crate::clock`]).
    pub clock: crate::clock::Clock,
}

impl Store {
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        let conn = db::open(&data_dir.join("agentbay.db"))?;
        conn.execute_batch(expiry::SCHEMA)?;
        let blobs = blobs::BlobStore::open(data_dir.join("blobs"))?;
        Ok(Store {
            conn: Mutex::new(conn),
            blobs,
            gc_gate: Mutex::new(()),
            gc_running: Mutex::new(()),
            clock: Default::default(),
        })
    }

    /// The connection. A panic while holding it cannot leave SQLite inconsistent
    /// (transactions roll back), so a poisoned lock is simply taken over.
    pub fn db(&self) -> MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    /// Reads manifest rows with `read` and pins the blobs `hashes` names in them, as one
    /// step no GC can split: the blobs stay readable until the returned pins are dropped.
    pub fn read_pinned<T>(
        &self,
        read: impl FnOnce(&Connection) -> db::DbResult<T>,
        hashes: impl Fn(&T) -> Vec<&str>,
    ) -> Result<(T, blobs::Pins<'_>), StoreError> {
        let _gate = lock(&self.gc_gate);
        let rows = read(&self.db())?;
        let mut pins = self.blobs.pins();
        for h in hashes(&rows) {
            pins.add(h);
        }
        Ok((rows, pins))
    }

    /// Removes blobs no manifest references and nobody has pinned. Returns the number removed.
    pub fn gc(&self) -> Result<usize, StoreError> {
        let _one = lock(&self.gc_running);
        let keep = {
            let _gate = lock(&self.gc_gate);
            self.blobs.begin_gc();
            db::all_hashes(&self.db())
        };
        let removed = keep.map_err(StoreError::from).and_then(|keep| Ok(self.blobs.gc(&keep)?));
        self.blobs.end_gc();
        removed
    }
}

/// A store in a fresh temp dir holding one empty context `id`, for unit tests of the engine (`crate::sync`).
#[cfg(test)]
pub(crate) fn test_store(id: &str) -> (tempfile::TempDir, Store) {
    let data = tempfile::tempdir().expect("temp dir");
    let store = Store::open(data.path()).expect("store");
    let row = db::ContextRow {
        id: id.into(),
        tenant: "t".into(),
        name: "n".into(),
        state: "available".into(),
        create_time: 0,
        last_used_time: 0,
    };
    db::insert_context(&store.db(), &row).expect("context row");
    (data, store)
}
