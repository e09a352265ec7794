//! Context mounts, syncs and releases as the context grows: overlay mounts (a shared
//! read-only tree per stored version, an upper dir per session, uploads read off the upper
//! dir; `server/src/overlay/`) against copies (`--mounts copy`: every file copied into each
//! session, every upload walks every file), in the same run, over loopback HTTP with real
//! sandboxes, on one data dir (the contexts are seeded once).
//!
//! `cargo run --release -p agentbay-local --example mount_scaling` (add `-- --big` for the
//! 1 GiB context). Needs root (overlays and session disks); prints Markdown tables.

#[path = "../server/tests/common/mod.rs"]
mod common;

use agentbay_local::overlay::MountMode;
use common::*;
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(2);

async fn settle(c: &Client, sid: &str) {
    let t = c.wait_tasks_every(sid, POLL).await;
    assert!(t.iter().all(|t| t.status == "Success"), "{t:?}");
}

/// A context of `n` files of `size` bytes each below /mnt/data (10 per folder beyond 1,000).
async fn seed(c: &Client, name: &str, n: usize, size: usize) -> String {
    let ctx = c.context(name).await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    settle(c, &sid).await;
    let fill = if size <= 4096 {
        format!("printf '%0{size}d' $i > f$i")
    } else {
        format!("head -c {size} /dev/urandom > f$i")
    };
    let cmd = format!("cd /mnt/data && i=0; while [ $i -lt {n} ]; do {fill}; i=$((i+1)); done");
    c.run(&sid, &cmd).await;
    c.delete_session_every(&sid, POLL).await;
    ctx
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

#[derive(Default, Clone)]
struct Row {
    cold: f64,
    mount: f64,
    remount: f64,
    sync: f64,
    release: f64,
}

async fn measure(c: &Client, ctx: &str, runs: usize) -> Row {
    let list = pdl(&[(ctx, "/mnt/data", None)]);
    let (mut mount, mut remount, mut sync, mut release) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut cold = 0.0;
    // Unchanged context: mount, release without changes.
    for i in 0..=runs {
        let t = Instant::now();
        let sid = c.create_session(&list).await;
        settle(c, &sid).await;
        if i == 0 {
            cold = t.elapsed().as_secs_f64() * 1000.0;
        } else {
            mount.push(t.elapsed());
        }
        c.delete_session_every(&sid, POLL).await;
    }
    // One changed file per sync and per release; each session mounts the version the last one stored.
    for i in 0..runs {
        let t = Instant::now();
        let sid = c.create_session(&list).await;
        settle(c, &sid).await;
        remount.push(t.elapsed());
        c.run(&sid, &format!("printf sync{i} > /mnt/data/f0")).await;
        let t = Instant::now();
        c.ok("SyncContext", &[("SessionId", &sid), ("ContextId", ctx), ("Path", "/mnt/data")]).await;
        settle(c, &sid).await;
        sync.push(t.elapsed());
        c.run(&sid, &format!("printf release{i} > /mnt/data/f1")).await;
        let t = Instant::now();
        c.delete_session_every(&sid, POLL).await;
        release.push(t.elapsed());
    }
    Row { cold, mount: median(mount), remount: median(remount), sync: median(sync), release: median(release) }
}

fn main() -> std::process::ExitCode {
    if std::env::args_os().nth(1).is_some_and(|a| a == agentbay_local::sandbox::HELPER_SUBCOMMAND) {
        return agentbay_local::sandbox::helper_main();
    }
    let big = std::env::args().any(|a| a == "--big");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(run(big));
    std::process::ExitCode::SUCCESS
}

async fn run(big: bool) {
    let mut shapes: Vec<(String, usize, usize, usize)> = vec![
        ("10 × 1 KiB".into(), 10, 1024, 5),
        ("1,000 × 1 KiB".into(), 1000, 1024, 5),
        ("20,000 × 1 KiB".into(), 20_000, 1024, 3),
        ("10 × 1 MiB (10 MiB)".into(), 10, 1 << 20, 5),
        ("100 × 1 MiB (100 MiB)".into(), 100, 1 << 20, 3),
    ];
    if big {
        shapes.push(("1,000 × 1 MiB (1 GiB)".into(), 1000, 1 << 20, 3));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut ctxs = Vec::new();
    let mut rows: Vec<(String, Row, Row)> = Vec::new();
    let mut by_mode: Vec<Vec<Row>> = Vec::new();
    let mut dir = Some(dir);
    for mode in [MountMode::Copy, MountMode::Overlay] {
        let s = TestServer::start_in(dir.take().unwrap(), |cfg| {
            cfg.sandbox.mounts = mode;
            cfg.sandbox.limits.disk_bytes = 4 << 30;
        })
        .await;
        let c = s.client();
        if ctxs.is_empty() {
            for (i, (_, n, size, _)) in shapes.iter().enumerate() {
                ctxs.push(seed(&c, &format!("scale-{i}"), *n, *size).await);
            }
        }
        let mut got = Vec::new();
        for ((label, _, _, runs), ctx) in shapes.iter().zip(&ctxs) {
            let r = measure(&c, ctx, *runs).await;
            eprintln!(
                "{} {label}: mount {:.1} ms, sync {:.1} ms, release {:.1} ms",
                mode.as_str(),
                r.mount,
                r.sync,
                r.release
            );
            got.push(r);
        }
        by_mode.push(got);
        dir = Some(s.stop().await);
    }
    for (i, (label, _, _, _)) in shapes.iter().enumerate() {
        rows.push((label.clone(), by_mode[0][i].clone(), by_mode[1][i].clone()));
    }
    println!("| context | copy: mount | overlay: first mount | overlay: mount | overlay: mount of a new version | copy: sync, 1 changed | overlay: sync, 1 changed | copy: release, 1 changed | overlay: release, 1 changed |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (label, copy, ovl) in &rows {
        println!(
            "| {label} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            copy.mount, ovl.cold, ovl.mount, ovl.remount, copy.sync, ovl.sync, copy.release, ovl.release
        );
    }
    let (small, large) = (&rows[0], &rows[2]);
    println!();
    println!("| ratio 20,000 files / 10 files | budget | copy | overlay |");
    println!("|---|---|---|---|");
    for (what, budget, f) in [
        ("mount (unchanged context)", 25.0, (|r: &Row| r.mount) as fn(&Row) -> f64),
        ("sync, 1 changed file", 5.0, |r: &Row| r.sync),
        ("release, 1 changed file", 10.0, |r: &Row| r.release),
    ] {
        println!("| {what} | ≤ {budget}× | {:.1}× | {:.1}× |", f(&large.1) / f(&small.1), f(&large.2) / f(&small.2));
    }
}
