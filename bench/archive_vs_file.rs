//! Archive vs File upload mode on 10,000 small text files, driving the sync
//! engine directly (no HTTP, no sandbox): what each mode costs to upload,
//! to download into an empty dir, to store, and to re-upload after 10 edits.
//!
//! `cargo run --release -p agentbay-local --example archive_vs_file`

use agentbay_local::safe_fs::Tree;
use agentbay_local::store::{db, Store};
use agentbay_local::sync::{self, MountSpec, StatCache};
use agentbay_wire::policy::SyncPolicy;
use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, Instant};

#[path = "../server/tests/common/mod.rs"]
mod common;
use common::Rng;

const FILES: usize = 10_000;
const RUNS: usize = 5;

const WORDS: &[&str] = &[
    "session", "context", "upload", "download", "policy", "archive", "file", "sandbox", "agent", "result", "error",
    "value", "config", "token", "request", "response", "the", "a", "of", "and", "to", "in", "is", "for", "with",
    "import", "return", "fn", "let", "const", "{", "}", "(", ")", ";", "=", "0", "1", "42", "true", "false",
];

fn text(rng: &mut Rng, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 16);
    while out.len() < size {
        out.extend_from_slice(WORDS[rng.below(WORDS.len() as u64) as usize].as_bytes());
        out.push(if rng.below(12) == 0 { b'\n' } else { b' ' });
    }
    out.truncate(size);
    out
}

/// 10,000 files in 3 levels of folders, 50 B–4 KiB, 10 % duplicating an earlier file.
fn make_tree(root: &Path) -> u64 {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    let mut total = 0;
    for i in 0..FILES {
        let dir = root.join(format!("src{}/mod{}/part{}", i % 7, i % 23, i % 5));
        fs::create_dir_all(&dir).unwrap();
        let body = if !bodies.is_empty() && rng.below(10) == 0 {
            bodies[rng.below(bodies.len() as u64) as usize].clone()
        } else {
            let size = 50 + rng.below(4096 - 50) as usize;
            text(&mut rng, size)
        };
        total += body.len() as u64;
        fs::write(dir.join(format!("file{i}.txt")), &body).unwrap();
        bodies.push(body);
    }
    total
}

/// (apparent bytes, allocated bytes) of the blobs the context references.
fn stored(store: &Store, ctx: &str) -> (u64, u64) {
    let hashes: HashSet<String> =
        db::entries_below(&store.db(), ctx, "/").unwrap().into_iter().filter_map(|e| e.hash).collect();
    hashes.iter().fold((0, 0), |(a, b), h| {
        let m = fs::metadata(store.blobs.path_of(h)).unwrap();
        (a + m.len(), b + m.blocks() * 512)
    })
}

struct Row {
    upload: Duration,
    download: Duration,
    reupload: Duration,
    bytes: (u64, u64),
    blobs: usize,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One measurement of `mode`: (upload, download, re-upload, stored bytes, blob count).
fn run_once(mode: &str, run: usize, src_template: &Path) -> (Duration, Duration, Duration, (u64, u64), usize) {
    let policy = SyncPolicy::parse(&format!(r#"{{"uploadPolicy":{{"uploadMode":"{mode}"}}}}"#)).unwrap();
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let ctx = format!("ctx-{mode}-{run}");
    let row = db::ContextRow {
        id: ctx.clone(),
        tenant: "bench".into(),
        name: ctx.clone(),
        state: "available".into(),
        create_time: 0,
        last_used_time: 0,
    };
    db::insert_context(&store.db(), &row).unwrap();
    let spec = MountSpec { ctx: &ctx, mount_path: "/mnt/data", policy: &policy };
    // A fresh copy per run so the first upload really reads every file.
    let src = tempfile::tempdir().unwrap();
    copy_tree(src_template, src.path());
    let mut cache = StatCache::default();
    let t = Instant::now();
    sync::upload(&store, spec, &Tree::open(src.path(), None).unwrap(), &mut cache, None).unwrap();
    let up = t.elapsed();

    let dst = tempfile::tempdir().unwrap();
    let t = Instant::now();
    sync::download(&store, spec, &Tree::open(dst.path(), None).unwrap(), &mut StatCache::default()).unwrap();
    let down = t.elapsed();

    for i in (0..FILES).step_by(FILES / 10) {
        let p = src.path().join(format!("src{}/mod{}/part{}/file{i}.txt", i % 7, i % 23, i % 5));
        fs::write(&p, format!("edited {i}\n")).unwrap();
    }
    let t = Instant::now();
    sync::upload(&store, spec, &Tree::open(src.path(), None).unwrap(), &mut cache, None).unwrap();
    let re = t.elapsed();
    store.gc().unwrap();
    (up, down, re, stored(&store, &ctx), store.blobs.count().unwrap())
}

fn copy_tree(from: &Path, to: &Path) {
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            fs::create_dir_all(&dest).unwrap();
            copy_tree(&e.path(), &dest);
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
}

fn main() {
    let template = tempfile::tempdir().unwrap();
    let raw = make_tree(template.path());
    println!("{FILES} files, {raw} bytes of text; median of {RUNS} runs each");
    println!("| mode | upload | download (empty dir) | re-upload after 10 edits | stored bytes | allocated on disk | blobs |");
    println!("|---|---|---|---|---|---|---|");
    // BENCH_MODE=File|Archive runs one mode only (for profiling).
    let only = std::env::var("BENCH_MODE").ok();
    let modes: Vec<&str> =
        ["File", "Archive"].into_iter().filter(|m| only.as_deref().is_none_or(|o| o == *m)).collect();
    // Runs alternate between modes so neither always meets a file system full of just-deleted inodes.
    let mut results: Vec<Vec<_>> = modes.iter().map(|_| Vec::new()).collect();
    for run in 0..RUNS {
        for (i, mode) in modes.iter().enumerate() {
            results[i].push(run_once(mode, run, template.path()));
        }
    }
    for (mode, rs) in modes.iter().zip(results) {
        let r = Row {
            upload: median(rs.iter().map(|r| r.0).collect()),
            download: median(rs.iter().map(|r| r.1).collect()),
            reupload: median(rs.iter().map(|r| r.2).collect()),
            bytes: rs[0].3,
            blobs: rs[0].4,
        };
        println!(
            "| {mode} | {:.0} ms | {:.0} ms | {:.0} ms | {} | {} | {} |",
            r.upload.as_secs_f64() * 1e3,
            r.download.as_secs_f64() * 1e3,
            r.reupload.as_secs_f64() * 1e3,
            r.bytes.0,
            r.bytes.1,
            r.blobs
        );
    }
}
