//! Durable state in the data dir: SQLite metadata + content-addressed blobs.

pub mod archive;
pub mod blobs;
pub mod db;
pub mod expiry;
pub mod extract;
pub mod safe_fs;
pub mod select;
pub mod sync;

use rusqlite::Connection;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, RwLock};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

pub struct Store {
    conn: Mutex<Connection>,
    pub blobs: blobs::BlobStore,
    /// Held shared while blobs are written and referenced (uploads, PUTs, downloads),
    /// exclusively by blob GC, so GC never deletes a blob a commit is about to reference.
    pub gc_lock: RwLock<()>,
    /// "Now" for lifecycles (shiftable, see [`crate::clock`]).
    pub clock: crate::clock::Clock,
}

impl Store {
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        let conn = db::open(&data_dir.join("agentbay.db"))?;
        conn.execute_batch(expiry::SCHEMA)?;
        let blobs = blobs::BlobStore::open(data_dir.join("blobs"))?;
        Ok(Store { conn: Mutex::new(conn), blobs, gc_lock: RwLock::new(()), clock: Default::default() })
    }

    /// The connection. A panic while holding it cannot leave SQLite inconsistent
    /// (transactions roll back), so a poisoned lock is simply taken over.
    pub fn db(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Removes blobs no manifest references. Returns the number removed.
    pub fn gc(&self) -> Result<usize, StoreError> {
        let _g = self.gc_lock.write().unwrap_or_else(|p| p.into_inner());
        let keep = db::all_hashes(&self.db())?;
        Ok(self.blobs.gc(&keep)?)
    }
}

/// A store in a fresh temp dir holding one empty context `id`, for unit tests of the engine.
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
