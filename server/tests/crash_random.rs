//! SIGKILL at random moments (issue 8): many trials on one data dir, each starting the real
//! binary, setting work in motion (session uploads and releases, a download, presigned PUTs
//! racing GC, ClearContext, DeleteContext, DeleteSessionAsync), killing the server after a
//! random delay, and checking after the restart that:
//! * every acknowledged write is there, byte for byte (a PUT answered 200, an upload task
//!   seen `Success`, a release seen finished);
//! * every unacknowledged one is all there or not at all (never a mix);
//! * an acknowledged ClearContext or DeleteContext took effect;
//! * the manifest has no rows without a context, and the blob store holds exactly the
//!   referenced blobs;
//! * the killed sessions' files are in lost+found and nothing of them stays mounted.
//!
//! `AGENTBAY_CRASH_TRIALS` sets the number of trials (50 by default; `npm run test:stress`
//! runs 200) and `AGENTBAY_CRASH_SEED` replays a run (the seed is printed).

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Files each upload writes; an upload is all of them or none.
const FILES: usize = 150;

#[derive(Default)]
struct Ledger {
    /// (context, path) → content of every PUT answered 200.
    puts: BTreeMap<(String, String), Vec<u8>>,
    /// Upload prefixes (`t7`, `r7`) attempted, and whether each was acknowledged.
    uploads: BTreeMap<String, bool>,
    /// Contexts a clear was attempted on, and whether it was acknowledged.
    clears: BTreeMap<String, bool>,
    /// Contexts a delete was attempted on, and whether it was acknowledged.
    deletes: BTreeMap<String, bool>,
}

fn content(prefix: &str, i: usize) -> String {
    format!("{prefix} file {i} {}", "z".repeat(i * 37 % 700))
}

/// Writes an upload's files into the session's mount.
fn write_cmd(prefix: &str) -> String {
    let mut cmd = format!("mkdir -p /mnt/data/{prefix}");
    for i in 0..FILES {
        cmd.push_str(&format!(" && printf '%s' '{}' > /mnt/data/{prefix}/f{i}", content(prefix, i)));
    }
    cmd
}

fn orphan_rows(data: &Path) -> i64 {
    let db = rusqlite::Connection::open(data.join("agentbay.db")).unwrap();
    db.query_row("SELECT COUNT(*) FROM entries WHERE context_id NOT IN (SELECT id FROM contexts)", [], |r| r.get(0))
        .unwrap()
}

fn referenced_blobs(data: &Path) -> usize {
    let db = rusqlite::Connection::open(data.join("agentbay.db")).unwrap();
    db.query_row("SELECT COUNT(DISTINCT hash) FROM entries WHERE hash IS NOT NULL", [], |r| r.get::<_, i64>(0)).unwrap()
        as usize
}

/// How many entries a context folder has (all pages).
async fn count(c: &Client, ctx: &str, dir: &str) -> u64 {
    let v = c
        .ok(
            "DescribeContextFiles",
            &[("ContextId", ctx), ("ParentFolderPath", dir), ("PageNumber", "1"), ("PageSize", "1")],
        )
        .await;
    v["Count"].as_u64().unwrap_or_else(|| panic!("{v}"))
}

/// Everything the ledger promises, checked against a freshly restarted server.
async fn verify(c: &Client, data: &Path, uploads_ctx: &str, ledger: &Ledger, trial: usize) {
    let data = data.canonicalize().unwrap();
    // Right after start-up (its GC and crash recovery done, nothing else running yet).
    assert_eq!(orphan_rows(&data), 0, "trial {trial}: manifest rows without a context");
    assert_eq!(blob_count(&data), referenced_blobs(&data), "trial {trial}: blobs on disk vs referenced");
    assert!(std::fs::read_dir(data.join("sessions")).unwrap().next().is_none(), "trial {trial}: session dirs left");
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(&*data.to_string_lossy()), "trial {trial}: a session disk is still mounted");
    for ((ctx, path), body) in &ledger.puts {
        if ledger.deletes.contains_key(ctx) || ledger.clears.contains_key(ctx) {
            continue;
        }
        assert_eq!(&c.get_file(ctx, path).await, body, "trial {trial}: acknowledged PUT {ctx} {path}");
    }
    for (prefix, acked) in &ledger.uploads {
        let n = count(c, uploads_ctx, &format!("/mnt/data/{prefix}")).await;
        assert!(n == FILES as u64 || n == 0, "trial {trial}: upload {prefix} is a mix: {n} of {FILES} files");
        if *acked {
            assert_eq!(n, FILES as u64, "trial {trial}: acknowledged upload {prefix} lost");
        }
    }
    for (ctx, acked) in &ledger.clears {
        let n = count(c, ctx, "/").await;
        assert!(n == 0 || (!acked && n == 1), "trial {trial}: clear of {ctx}: {n} folders left (acked: {acked})");
    }
    for (ctx, acked) in &ledger.deletes {
        let r = c.call("GetContext", &[("ContextId", ctx)]).await;
        if *acked {
            assert_eq!(r.status, 400, "trial {trial}: acknowledged DeleteContext of {ctx} undone");
        } else if r.status == 200 {
            assert_eq!(count(c, ctx, "/d").await, 3, "trial {trial}: half-deleted {ctx}");
        }
    }
}

/// The newest trial's acknowledged uploads, byte for byte.
async fn verify_contents(c: &Client, uploads_ctx: &str, ledger: &Ledger, trial: usize) {
    for prefix in [format!("t{trial}"), format!("r{trial}")] {
        if ledger.uploads.get(&prefix) == Some(&true) {
            for i in 0..FILES {
                let got = c.get_file(uploads_ctx, &format!("/mnt/data/{prefix}/f{i}")).await;
                assert_eq!(got, content(&prefix, i).as_bytes(), "trial {trial}: {prefix}/f{i}");
            }
        }
    }
}

/// Polls GetContextInfo until the session's upload is terminal; true if it succeeded.
async fn upload_succeeded(c: &Client, sid: &str) -> bool {
    loop {
        let Some(r) = c.try_call("GetContextInfo", &[("SessionId", sid), ("TaskType", "upload")]).await else {
            return false;
        };
        let v = r.json();
        let Some(s) = v["Data"]["ContextStatus"].as_str() else { return false };
        let tasks = agentbay_wire::context_status::decode(s).unwrap_or_default();
        if tasks.iter().any(|t| t.status == "Success") {
            return true;
        }
        if tasks.iter().any(|t| t.status == "Failed") {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_at_random_moments_loses_nothing_acknowledged() {
    let trials: usize = std::env::var("AGENTBAY_CRASH_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let seed: u64 = std::env::var("AGENTBAY_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("crash harness: {trials} trials, AGENTBAY_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let data = tempfile::tempdir().unwrap();
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut uploads_ctx = String::new();
    let mut puts_ctx = String::new();
    let mut kills = Vec::new();
    let started = Instant::now();
    for trial in 0..trials {
        let (mut child, endpoint, key) = spawn_binary(data.path(), &[]);
        let c = binary_client(&endpoint, &key);
        if trial == 0 {
            uploads_ctx = c.context("uploads").await;
            puts_ctx = c.context("puts").await;
        } else {
            let l = std::mem::take(&mut *ledger.lock().unwrap());
            verify(&c, data.path(), &uploads_ctx, &l, trial).await;
            verify_contents(&c, &uploads_ctx, &l, trial - 1).await;
            *ledger.lock().unwrap() = l;
        }
        // Set-up, not killed: the contexts to clear and delete, the sessions whose files to upload.
        let clear_ctx = c.context(&format!("clear-{trial}")).await;
        let delete_ctx = c.context(&format!("delete-{trial}")).await;
        for (ctx, i) in
            [(&clear_ctx, 0), (&clear_ctx, 1), (&clear_ctx, 2), (&delete_ctx, 0), (&delete_ctx, 1), (&delete_ctx, 2)]
        {
            c.put_file(ctx, &format!("/d/f{i}"), format!("{ctx} {i}").as_bytes()).await;
        }
        let list = pdl(&[(&uploads_ctx, "/mnt/data", None)]);
        let (sync_sid, release_sid) = (c.create_session(&list).await, c.create_session(&list).await);
        c.wait_tasks(&sync_sid).await;
        c.wait_tasks(&release_sid).await;
        let (t, r) = (format!("t{trial}"), format!("r{trial}"));
        c.run(&sync_sid, &write_cmd(&t)).await;
        c.run(&release_sid, &write_cmd(&r)).await;
        {
            let mut l = ledger.lock().unwrap();
            l.uploads.insert(t.clone(), false);
            l.uploads.insert(r.clone(), false);
        }

        // The window: everything at once, then SIGKILL.
        let mut tasks = Vec::new();
        let ops = rng.next();
        let (cc, l) = (c.clone(), ledger.clone());
        let sid = sync_sid.clone();
        let prefix = t.clone();
        tasks.push(tokio::spawn(async move {
            if cc.try_call("SyncContext", &[("SessionId", &sid)]).await.is_some_and(|r| r.status == 200)
                && upload_succeeded(&cc, &sid).await
            {
                l.lock().unwrap().uploads.insert(prefix, true);
            }
        }));
        let (cc, l, sid, prefix) = (c.clone(), ledger.clone(), release_sid.clone(), r.clone());
        tasks.push(tokio::spawn(async move {
            if cc.try_call("DeleteSessionAsync", &[("SessionId", &sid)]).await.is_none_or(|r| r.status != 200) {
                return;
            }
            // A release is done when the session is gone; its upload then succeeded (no lost+found).
            loop {
                let Some(r) = cc.try_call("GetSessionDetail", &[("SessionId", &sid)]).await else { return };
                if r.status == 400 {
                    l.lock().unwrap().uploads.insert(prefix, true);
                    return;
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        }));
        if ops & 1 == 1 {
            let (cc, l, ctx) = (c.clone(), ledger.clone(), clear_ctx.clone());
            l.lock().unwrap().clears.insert(ctx.clone(), false);
            tasks.push(tokio::spawn(async move {
                if cc.try_call("ClearContext", &[("Id", &ctx)]).await.is_some_and(|r| r.status == 200) {
                    l.lock().unwrap().clears.insert(ctx, true);
                }
            }));
        }
        if ops & 2 == 2 {
            let (cc, l, ctx) = (c.clone(), ledger.clone(), delete_ctx.clone());
            l.lock().unwrap().deletes.insert(ctx.clone(), false);
            tasks.push(tokio::spawn(async move {
                if cc.try_call("DeleteContext", &[("Id", &ctx)]).await.is_some_and(|r| r.status == 200) {
                    l.lock().unwrap().deletes.insert(ctx, true);
                }
            }));
        }
        if ops & 4 == 4 {
            // A download: a new session mounting the (growing) uploads context.
            let (cc, list) = (c.clone(), list.clone());
            tasks.push(tokio::spawn(async move {
                let _ = cc.try_call("CreateMcpSession", &[("PersistenceDataList", &list)]).await;
            }));
        }
        // PUTs, and GCs triggered by DeleteContextFile, until the kill.
        for worker in 0..2 {
            let (cc, l, ctx) = (c.clone(), ledger.clone(), puts_ctx.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0.. {
                    if worker == 1 {
                        let Some(url) =
                            cc.try_call("GetContextFileUploadUrl", &[("ContextId", &ctx), ("FilePath", "/junk")]).await
                        else {
                            return;
                        };
                        let url = url.json()["Data"]["Url"].as_str().unwrap_or_default().to_string();
                        if try_fetch(&cc, "PUT", &url, format!("junk {trial} {i}").into_bytes()).await.is_none() {
                            return;
                        }
                        if cc
                            .try_call("DeleteContextFile", &[("ContextId", &ctx), ("FilePath", "/junk")])
                            .await
                            .is_none()
                        {
                            return;
                        }
                        continue;
                    }
                    let path = format!("/p/{trial}-{i}");
                    let Some(url) =
                        cc.try_call("GetContextFileUploadUrl", &[("ContextId", &ctx), ("FilePath", &path)]).await
                    else {
                        return;
                    };
                    let url = url.json()["Data"]["Url"].as_str().unwrap_or_default().to_string();
                    let body = format!("put {trial} {i} {}", "q".repeat(i * 131 % 3000)).into_bytes();
                    match try_fetch(&cc, "PUT", &url, body.clone()).await {
                        Some(r) if r.status == 200 => {
                            l.lock().unwrap().puts.insert((ctx.clone(), path), body);
                        }
                        Some(_) => {}
                        None => return,
                    }
                }
            }));
        }
        // Mostly early, while uploads, releases and the download are still running.
        let delay = Duration::from_millis(match rng.below(10) {
            0..=4 => rng.below(40),
            5..=7 => 40 + rng.below(120),
            _ => 160 + rng.below(300),
        });
        tokio::time::sleep(delay).await;
        child.kill().unwrap();
        child.wait().unwrap();
        for t in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(30), t).await;
        }
        kills.push(delay.as_millis());
    }
    // The last trial's checks, then new work on the restarted server.
    let (child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let l = std::mem::take(&mut *ledger.lock().unwrap());
    verify(&c, data.path(), &uploads_ctx, &l, trials).await;
    verify_contents(&c, &uploads_ctx, &l, trials - 1).await;
    let sid = c.create_session(&pdl(&[(&uploads_ctx, "/mnt/data", None)])).await;
    assert!(c.wait_tasks(&sid).await.iter().all(|t| t.status == "Success"));
    c.run(&sid, "echo after > /mnt/data/after.txt").await;
    c.delete_session(&sid).await;
    assert_eq!(c.get_file(&uploads_ctx, "/mnt/data/after.txt").await, b"after\n");
    let acked_uploads = l.uploads.values().filter(|a| **a).count();
    let rescued = std::fs::read_dir(data.path().join("lost+found")).map(|d| d.count()).unwrap_or(0);
    eprintln!(
        "crash harness: {trials} kills at {kills:?} ms; {} acknowledged PUTs, {acked_uploads} of {} uploads \
         acknowledged, {} clears and {} deletes attempted, {rescued} killed sessions kept in lost+found; {:?}",
        l.puts.len(),
        l.uploads.len(),
        l.clears.len(),
        l.deletes.len(),
        started.elapsed()
    );
    terminate(child);
}
