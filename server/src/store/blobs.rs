//! Content-addressed blob store: `<data>/blobs/<h[0..2]>/<sha256>`.
//!
//! Blobs are immutable and written tmp + fsync + rename, so a crash never
//! leaves a partial blob under its final name; identical content is stored once.

use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

pub struct BlobStore {
    root: PathBuf,
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
        let store = BlobStore { root };
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

    pub fn writer(&self) -> io::Result<BlobWriter<'_>> {
        let tmp_path = self.root.join("tmp").join(crate::util::random_hex(12));
        let file = File::options().write(true).create_new(true).open(&tmp_path)?;
        Ok(BlobWriter { store: self, tmp_path, file, hasher: Sha256::new(), size: 0 })
    }

    /// Stores everything `r` yields; returns (hash, size).
    pub fn put_reader(&self, r: &mut impl Read) -> io::Result<(String, u64)> {
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
        w.finish()
    }

    /// Deletes every blob not in `keep`. Returns how many were removed.
    pub fn gc(&self, keep: &HashSet<String>) -> io::Result<usize> {
        let mut removed = 0;
        for shard in fs::read_dir(&self.root)? {
            let shard = shard?;
            if shard.file_name() == "tmp" || !shard.file_type()?.is_dir() {
                continue;
            }
            for blob in fs::read_dir(shard.path())? {
                let blob = blob?;
                let name = blob.file_name().to_string_lossy().into_owned();
                if !keep.contains(&name) {
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

    /// fsyncs and moves the blob to its content address (dropping it if already there).
    pub fn finish(self) -> io::Result<(String, u64)> {
        let hash = hex::encode(self.hasher.finalize());
        let result = (|| {
            self.file.sync_all()?;
            let dest = self.store.path_of(&hash);
            if dest.is_file() {
                fs::remove_file(&self.tmp_path)?;
                return Ok(());
            }
            let shard = dest.parent().unwrap_or(Path::new("."));
            fs::create_dir_all(shard)?;
            fs::rename(&self.tmp_path, &dest)?;
            File::open(shard)?.sync_all()
        })();
        if result.is_err() {
            let _ = fs::remove_file(&self.tmp_path);
        }
        result.map(|_| (hash, self.size))
    }
}
