//! Content-addressed blob store: `<data>/blobs/<h[0..2]>/<sha256>`.
//!
//! Blobs are immutable and written tmp + rename; identical content is stored once.
//! Durability comes before any reference: a single blob is fsynced before its rename
//! ([`BlobWriter::finish`]); a batch (an upload of many files) is renamed unsynced and
//! made durable by one `syncfs` ([`BlobStore::sync`]) before the manifest that
//! references it commits. A crash before that leaves only unreferenced blobs (possibly
//! truncated), which the start-up GC deletes before anything can deduplicate onto them.
//!
//! Garbage collection runs while uploads and downloads go on, so a blob in use is *pinned*:
//! a writer pins its blob before it decides whether the content is already stored and
//! keeps the pin until the manifest that references it has committed; a reader pins what
//! it read from a manifest before it opens the blobs (see `Store::read_pinned`). GC never
//! deletes a blob that is pinned, nor one that was pinned at any moment since GC took its
//! snapshot of the referenced set ([`BlobStore::gc`]). No lock is held while bytes stream.

use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Durability {
    Now,
    Batched,
}

pub struct BlobStore {
    root: PathBuf,
    pins: Mutex<PinTable>,
}

#[derive(Default)]
struct PinTable {
    counts: HashMap<String, usize>,
    /// While a GC runs: every hash pinned since its snapshot (or pinned when it began).
    touched: Option<HashSet<String>>,
}

/// Blobs kept from GC until this is dropped.
pub struct Pins<'a> {
    store: &'a BlobStore,
    hashes: Vec<String>,
}

impl Pins<'_> {
    /// Pins one more blob (before checking whether it exists or opening it).
    pub fn add(&mut self, hash: &str) {
        let mut t = self.store.table();
        *t.counts.entry(hash.to_string()).or_insert(0) += 1;
        if let Some(touched) = &mut t.touched {
            touched.insert(hash.to_string());
        }
        self.hashes.push(hash.to_string());
    }

    /// Moves `other`'s pins into this set.
    pub fn absorb(&mut self, mut other: Pins<'_>) {
        self.hashes.append(&mut other.hashes);
    }
}

impl Drop for Pins<'_> {
    fn drop(&mut self) {
        let mut t = self.store.table();
        for h in self.hashes.drain(..) {
            if let Some(n) = t.counts.get_mut(&h) {
                *n -= 1;
                if *n == 0 {
                    t.counts.remove(&h);
                }
            }
        }
    }
}

/// A blob being written: bytes go to a tmp file and into the hasher.
pub struct BlobWriter<'a> {
    store: &'a BlobStore,
    tmp_path: PathBuf,
    file: File,
    hasher: Sha256,
    size: u64,
}

impl BlobStore {
    pub fn open(root: PathBuf) -> io::Result<BlobStore> {
        fs::create_dir_all(root.join("tmp"))?;
        let store = BlobStore { root, pins: Mutex::new(PinTable::default()) };
        // Leftover tmp files are writes a crash interrupted; they were never referenced.
        for e in fs::read_dir(store.root.join("tmp"))? {
            let _ = fs::remove_file(e?.path());
        }
        Ok(store)
    }

    pub fn path_of(&self, hash: &str) -> PathBuf {
        self.root.join(&hash[..2.min(hash.len())]).join(hash)
    }

    pub fn exists(&self, hash: &str) -> bool {
        self.path_of(hash).is_file()
    }

    pub fn open_blob(&self, hash: &str) -> io::Result<File> {
        File::open(self.path_of(hash))
    }

    fn table(&self) -> MutexGuard<'_, PinTable> {
        crate::util::lock(&self.pins)
    }

    /// An empty pin set.
    pub fn pins(&self) -> Pins<'_> {
        Pins { store: self, hashes: Vec::new() }
    }

    /// Starts a GC: from now until [`Self::end_gc`], every pinned hash is remembered.
    pub(crate) fn begin_gc(&self) {
        let mut t = self.table();
        let now: HashSet<String> = t.counts.keys().cloned().collect();
        t.touched = Some(now);
    }

    pub(crate) fn end_gc(&self) {
        self.table().touched = None;
    }

    /// Where blobs are written before they are renamed into place (temp files go there too).
    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    pub fn writer(&self) -> io::Result<BlobWriter<'_>> {
        let tmp_path = self.root.join("tmp").join(crate::util::random_hex(12));
        let file = File::options().write(true).create_new(true).mode(0o600).open(&tmp_path)?;
        Ok(BlobWriter { store: self, tmp_path, file, hasher: Sha256::new(), size: 0 })
    }

    /// Stores everything `r` yields, durably; returns (hash, size). The blob is pinned in
    /// `pins` before it counts as stored, so GC cannot take it before it is referenced.
    pub fn put_reader(&self, r: &mut impl Read, pins: &mut Pins<'_>) -> io::Result<(String, u64)> {
        self.put(r, Durability::Now, pins)
    }

    /// Like [`Self::put_reader`] but without an fsync per blob: the caller must pass the
    /// hash to [`Self::sync`] before committing anything that references the blob. Two fsyncs
    /// per small file dominated uploads of many files.
    pub fn put_reader_batched(&self, r: &mut impl Read, pins: &mut Pins<'_>) -> io::Result<(String, u64)> {
        self.put(r, Durability::Batched, pins)
    }

    /// Makes the given batched blobs durable: a few are fsynced one by one (with their
    /// shard dirs); many at once take one `syncfs` of the store's file system, which costs
    /// one journal commit instead of two per blob.
    pub fn sync(&self, hashes: &[String]) -> io::Result<()> {
        const ONE_BY_ONE: usize = 32;
        if hashes.len() > ONE_BY_ONE {
            let dir = File::open(&self.root)?;
            return rustix::fs::syncfs(&dir).map_err(io::Error::from);
        }
        let mut shards = HashSet::new();
        for h in hashes {
            let path = self.path_of(h);
            File::open(&path)?.sync_all()?;
            if let Some(shard) = path.parent() {
                shards.insert(shard.to_path_buf());
            }
        }
        for shard in shards {
            File::open(shard)?.sync_all()?;
        }
        Ok(())
    }

    fn put(&self, r: &mut impl Read, durability: Durability, pins: &mut Pins<'_>) -> io::Result<(String, u64)> {
        let mut w = self.writer()?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    w.abort();
                    return Err(e);
                }
            };
            if let Err(e) = w.write_chunk(&buf[..n]) {
                w.abort();
                return Err(e);
            }
        }
        w.complete(durability, pins)
    }

    /// Deletes every blob not in `keep` and not pinned since [`Self::begin_gc`]. Returns how
    /// many were removed.
    pub(crate) fn gc(&self, keep: &HashSet<String>) -> io::Result<usize> {
        let mut removed = 0;
        for shard in fs::read_dir(&self.root)? {
            let shard = shard?;
            if shard.file_name() == "tmp" || !shard.file_type()?.is_dir() {
                continue;
            }
            for blob in fs::read_dir(shard.path())? {
                let blob = blob?;
                let name = blob.file_name().to_string_lossy().into_owned();
                if keep.contains(&name) {
                    continue;
                }
                // Checked and deleted under the pin table, so no pin can slip in between.
                let t = self.table();
                let in_use = t.counts.contains_key(&name) || t.touched.as_ref().is_some_and(|x| x.contains(&name));
                if !in_use {
                    fs::remove_file(blob.path())?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    pub fn count(&self) -> io::Result<usize> {
        let mut n = 0;
        for shard in fs::read_dir(&self.root)? {
            let shard = shard?;
            if shard.file_name() != "tmp" && shard.file_type()?.is_dir() {
                n += fs::read_dir(shard.path())?.count();
            }
        }
        Ok(n)
    }
}

impl BlobWriter<'_> {
    pub fn write_chunk(&mut self, data: &[u8]) -> io::Result<()> {
        self.hasher.update(data);
        self.size += data.len() as u64;
        self.file.write_all(data)
    }

    pub fn abort(self) {
        let _ = fs::remove_file(&self.tmp_path);
    }

    /// fsyncs and moves the blob to its content address (dropping it if already there),
    /// pinned in `pins`.
    pub fn finish(self, pins: &mut Pins<'_>) -> io::Result<(String, u64)> {
        self.complete(Durability::Now, pins)
    }

    fn complete(self, durability: Durability, pins: &mut Pins<'_>) -> io::Result<(String, u64)> {
        let hash = hex::encode(self.hasher.finalize());
        // Pinned before looking for an existing copy: GC may not delete that copy from now on.
        pins.add(&hash);
        let now = durability == Durability::Now;
        let result = (|| {
            if now {
                self.file.sync_all()?;
            }
            let dest = self.store.path_of(&hash);
            if dest.is_file() {
                fs::remove_file(&self.tmp_path)?;
                if now {
                    // It may be a batched blob of an upload still in flight, not yet synced.
                    File::open(&dest)?.sync_all()?;
                }
                return Ok(());
            }
            let shard = dest.parent().unwrap_or(Path::new("."));
            fs::create_dir_all(shard)?;
            fs::rename(&self.tmp_path, &dest)?;
            if now {
                File::open(shard)?.sync_all()?;
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&self.tmp_path);
        }
        result.map(|_| (hash, self.size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batched_blobs_are_stored_and_synced_either_way() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path().join("blobs")).unwrap();
        // 3 blobs take the one-by-one path, 40 the syncfs path; a duplicate is stored once.
        let mut pins = store.pins();
        for n in [3usize, 40] {
            let mut hashes = Vec::new();
            for i in 0..n {
                let (h, size) = store.put_reader_batched(&mut format!("{n}-{i}").as_bytes(), &mut pins).unwrap();
                assert_eq!(size, format!("{n}-{i}").len() as u64);
                hashes.push(h);
            }
            let (dup, _) = store.put_reader_batched(&mut format!("{n}-0").as_bytes(), &mut pins).unwrap();
            assert_eq!(dup, hashes[0]);
            store.sync(&hashes).unwrap();
            for (i, h) in hashes.iter().enumerate() {
                assert_eq!(fs::read_to_string(store.path_of(h)).unwrap(), format!("{n}-{i}"));
            }
        }
        assert_eq!(store.count().unwrap(), 43);
        assert_eq!(fs::read_dir(dir.path().join("blobs/tmp")).unwrap().count(), 0, "no tmp file left");
        // A durable put of content a batch already wrote syncs the existing blob and succeeds.
        let (h, _) = store.put_reader(&mut "3-1".as_bytes(), &mut pins).unwrap();
        assert_eq!(store.count().unwrap(), 43);
        assert_eq!(fs::read_to_string(store.path_of(&h)).unwrap(), "3-1");
    }
}
