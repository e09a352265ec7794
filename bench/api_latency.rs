//! agentbay-local end to end over loopback HTTP: what each step of the seed flow costs a
//! client, with real bubblewrap sandboxes and the release build.
//!
//! `cargo run --release -p agentbay-local --example api_latency`. Prints a Markdown table.
//! The example is its own in-sandbox helper (as the server binary is), so it needs nothing else built.

#[path = "../server/tests/common/mod.rs"]
mod common;

use common::*;
use std::time::{Duration, Instant};

const RUNS: usize = 30;

/// Tasks and session status are polled every 2 ms: the harness's default 50 ms is too coarse to time.
const POLL: Duration = Duration::from_millis(2);

async fn settle(c: &Client, sid: &str) {
    let t = c.wait_tasks_every(sid, POLL).await;
    assert!(t.iter().all(|t| t.status == "Success"), "{t:?}");
}

async fn release(c: &Client, sid: &str) {
    c.delete_session_every(sid, POLL).await;
}

struct Stat {
    name: &'static str,
    samples: Vec<Duration>,
}

impl Stat {
    fn row(&mut self) -> String {
        self.samples.sort();
        let pick = |q: f64| self.samples[((self.samples.len() - 1) as f64 * q).round() as usize];
        let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
        format!(
            "| {} | {} | {} | {} | {} |",
            self.name,
            self.samples.len(),
            ms(pick(0.5)),
            ms(pick(0.95)),
            ms(pick(1.0))
        )
    }
}

async fn time<F, Fut>(name: &'static str, runs: usize, mut f: F) -> Stat
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Duration>,
{
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        samples.push(f(i).await);
    }
    Stat { name, samples }
}

/// A context holding `n` files of 1 KiB below /mnt/data.
async fn context_with(c: &Client, name: &str, n: usize) -> String {
    let ctx = c.context(name).await;
    if n > 0 {
        let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
        settle(c, &sid).await;
        let cmd = format!("cd /mnt/data && i=0; while [ $i -lt {n} ]; do printf '%01024d' $i > f$i; i=$((i+1)); done");
        c.run(&sid, &cmd).await;
        release(c, &sid).await;
    }
    ctx
}

fn main() -> std::process::ExitCode {
    if std::env::args_os().nth(1).is_some_and(|a| a == agentbay_local::sandbox::HELPER_SUBCOMMAND) {
        return agentbay_local::sandbox::helper_main();
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(run());
    std::process::ExitCode::SUCCESS
}

async fn run() {
    let s = TestServer::start().await;
    let c = s.client();
    let mut stats = Vec::new();

    stats.push(
        time("GetContext (create)", RUNS, |i| {
            let c = &c;
            async move {
                let t = Instant::now();
                c.context(&format!("bench-{i}")).await;
                t.elapsed()
            }
        })
        .await,
    );

    // One warm session for the per-call costs.
    let sid = c.create_session("[]").await;
    c.ok(
        "CallMcpTool",
        &[
            ("SessionId", &sid),
            ("Name", "write_file"),
            ("Args", r#"{"path":"/tmp/b.txt","content":"x","mode":"overwrite"}"#),
        ],
    )
    .await;
    stats.push(
        time("CallMcpTool shell `true`", RUNS, |_| {
            let (c, sid) = (&c, &sid);
            async move {
                let t = Instant::now();
                c.run(sid, "true").await;
                t.elapsed()
            }
        })
        .await,
    );
    stats.push(
        time("CallMcpTool read_file (1 byte)", RUNS, |_| {
            let (c, sid) = (&c, &sid);
            async move {
                let t = Instant::now();
                c.ok("CallMcpTool", &[("SessionId", sid), ("Name", "read_file"), ("Args", r#"{"path":"/tmp/b.txt"}"#)])
                    .await;
                t.elapsed()
            }
        })
        .await,
    );
    release(&c, &sid).await;

    stats.push(
        time("create + release, no context", RUNS, |_| {
            let c = &c;
            async move {
                let t = Instant::now();
                let sid = c.create_session("[]").await;
                release(c, &sid).await;
                t.elapsed()
            }
        })
        .await,
    );

    for (label_create, label_sync, label_release, n) in [
        (
            "create, context of 10 files (ready)",
            "sync upload, 1 of 10 files changed",
            "release with upload, 10 files",
            10,
        ),
        (
            "create, context of 1,000 files (ready)",
            "sync upload, 1 of 1,000 files changed",
            "release with upload, 1,000 files",
            1000,
        ),
    ] {
        let ctx = context_with(&c, &format!("ctx-{n}"), n).await;
        let list = pdl(&[(&ctx, "/mnt/data", None)]);
        let runs = if n > 100 { 10 } else { RUNS };
        let mut create = Vec::new();
        let mut sync = Vec::new();
        let mut rel = Vec::new();
        for i in 0..runs {
            let t = Instant::now();
            let sid = c.create_session(&list).await;
            settle(&c, &sid).await;
            create.push(t.elapsed());
            c.run(&sid, &format!("printf changed{i} > /mnt/data/f0")).await;
            let t = Instant::now();
            c.ok("SyncContext", &[("SessionId", &sid), ("ContextId", &ctx), ("Path", "/mnt/data")]).await;
            settle(&c, &sid).await;
            sync.push(t.elapsed());
            let t = Instant::now();
            release(&c, &sid).await;
            rel.push(t.elapsed());
        }
        stats.push(Stat { name: label_create, samples: create });
        stats.push(Stat { name: label_sync, samples: sync });
        stats.push(Stat { name: label_release, samples: rel });
    }

    println!("| step (loopback HTTP, real sandbox) | runs | median ms | p95 ms | max ms |");
    println!("|---|---|---|---|---|");
    for s in &mut stats {
        println!("{}", s.row());
    }
    s.stop().await;
}
