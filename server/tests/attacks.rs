//! The attacks of issue 8's table, each against the real `agentbay-local` binary over HTTP,
//! as a tenant with an API key would make them. Every test here failed before containment
//! (see the comment on each); run as root (CI does), they prove the root-server case.

mod common;
use agentbay_wire::tool::ShellPayload;
use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// A shell call with free-form arguments (`envs`, `cwd`, `timeout_ms`).
async fn shell_args(c: &Client, sid: &str, args: Value) -> (ShellPayload, bool) {
    let args = args.to_string();
    let v = c.ok("CallMcpTool", &[("Args", &args), ("Name", "shell"), ("SessionId", sid)]).await;
    let text = v["Data"]["content"][0]["text"].as_str().unwrap();
    (serde_json::from_str(text).unwrap(), v["Data"]["isError"] == true)
}

/// `path` as the server process sees it. As root the server mounts session disks in a mount
/// namespace of its own (sandbox/disk.rs), which `/proc/<pid>/root` leads into.
fn seen_by(server: &std::process::Child, path: &Path) -> PathBuf {
    Path::new(&format!("/proc/{}/root", server.id())).join(path.strip_prefix("/").unwrap())
}

/// The host directory of a session's mount `n` (see sandbox/layout.rs), as the server names it.
fn mount_host_dir(data: &Path, sid: &str, n: usize) -> PathBuf {
    data.canonicalize().unwrap().join("sessions").join(sid).join("fs").join("mounts").join(n.to_string())
}

async fn session(c: &Client, ctx_name: &str) -> (String, String) {
    let ctx = c.context(ctx_name).await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    assert!(c.wait_tasks(&sid).await.iter().all(|t| t.status == "Success"));
    (ctx, sid)
}

/// Row 1. `envs` were applied to the host-side bwrap, which ran as root: an LD_PRELOAD of a
/// library the session built ran its constructor as host root, outside every namespace.
#[tokio::test]
async fn envs_never_reach_a_process_outside_the_sandbox() {
    let data = tempfile::tempdir().unwrap();
    let (child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let (_, sid) = session(&c, "ld-preload").await;
    // The constructor leaves a mark in a host directory anyone may write to; inside the
    // sandbox that directory does not exist.
    let marks = tempfile::tempdir().unwrap();
    std::fs::set_permissions(marks.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let mark = marks.path().join("pwned");
    let src = format!(
        r#"#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void pwn(void) {{
  FILE *f = fopen("{}", "w");
  if (f) {{ fprintf(f, "uid=%d\n", (int)getuid()); fclose(f); }}
}}"#,
        mark.display()
    );
    c.run(
        &sid,
        &format!("cat > /mnt/data/evil.c <<'EOF'\n{src}\nEOF\ncc -shared -fPIC -o /mnt/data/evil.so /mnt/data/evil.c"),
    )
    .await;
    let host_so = mount_host_dir(data.path(), &sid, 0).join("evil.so");
    assert!(seen_by(&child, &host_so).is_file(), "the library is where the attack expects it");
    for var in ["LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT"] {
        let (p, is_err) = shell_args(
            &c,
            &sid,
            // A generous timeout: the point is where the variable goes, not how fast a loaded
            // machine starts a shell (the 1 s default timed out once under a parallel build).
            json!({"command": format!("echo \"${var}\""), "envs": {var: host_so.display().to_string()}, "timeout_ms": 20000}),
        )
        .await;
        assert!(!is_err, "{p:?}");
        assert_eq!(p.stdout.trim(), host_so.display().to_string(), "the command itself still gets its envs");
    }
    assert!(!mark.exists(), "the library ran outside the sandbox: {:?}", std::fs::read_to_string(&mark));
    terminate(child);
}

/// Row 2. The sandbox user was host uid 0 and /proc/sys was writable: a session changed the
/// host's hostname, and core_pattern and friends opened for writing.
#[tokio::test]
async fn host_sysctls_stay_out_of_reach() {
    let data = tempfile::tempdir().unwrap();
    let (child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let (_, sid) = session(&c, "sysctl").await;
    let host_name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let out = c
        .shell(
            &sid,
            "for f in kernel/hostname kernel/core_pattern net/ipv4/ip_forward kernel/randomize_va_space \
             vm/drop_caches fs/protected_symlinks; do if (echo 1 > /proc/sys/$f) 2>/dev/null; then echo WROTE $f; fi; done; \
             hostname evil 2>/dev/null && echo RENAMED; grep -c ' /proc/sys ro,' /proc/self/mountinfo; \
             ls /sys 2>&1 | head -1; ls /proc/sysrq-trigger 2>&1 | head -1",
        )
        .await;
    assert!(!out.stdout.contains("WROTE") && !out.stdout.contains("RENAMED"), "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "1", "/proc/sys is mounted read-only: {out:?}");
    assert!(lines[1].contains("No such file"), "/sys is absent: {out:?}");
    assert_eq!(std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap(), host_name);
    // What the session creates belongs to an unprivileged host uid.
    c.run(&sid, "id -u > /mnt/data/who").await;
    let who = seen_by(&child, &mount_host_dir(data.path(), &sid, 0).join("who"));
    assert_eq!(std::fs::read_to_string(&who).unwrap(), "1000\n");
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&who).unwrap());
    assert_ne!(owner, 0, "the sandbox user is host root");
    terminate(child);
}

/// Row 3. Same root cause as row 2: `chmod 4755` on a copy of bash in the mount or in /tmp
/// left a root-owned setuid binary in the data dir, which an unprivileged host user ran with
/// euid 0. Stored modes kept the bit too.
#[tokio::test]
async fn setuid_files_grant_nothing_on_the_host_or_in_the_context() {
    let data = tempfile::tempdir().unwrap();
    let (child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let (ctx, sid) = session(&c, "setuid").await;
    c.run(&sid, "cp /bin/bash /mnt/data/sb && chmod 4755 /mnt/data/sb && cp /bin/bash /tmp/sb && chmod 6755 /tmp/sb")
        .await;
    let session_dir = data.path().canonicalize().unwrap().join("sessions").join(&sid);
    for host in [mount_host_dir(data.path(), &sid, 0).join("sb"), session_dir.join("fs/root/tmp/sb")] {
        let host = seen_by(&child, &host);
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(&host).unwrap();
        assert_ne!(m.uid(), 0, "{} is owned by host root", host.display());
        if is_root() {
            // The exact attack: an unprivileged host user runs the copy and asks for its privileges.
            let out = std::process::Command::new("setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&host)
                .args(["-p", "-c", "id -u"])
                .output()
                .unwrap();
            let euid = String::from_utf8_lossy(&out.stdout);
            assert_ne!(euid.trim(), "0", "{} gave euid 0", host.display());
        }
    }
    // Stored and delivered without the bits.
    c.delete_session(&sid).await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    c.wait_tasks(&sid).await;
    assert_eq!(c.run(&sid, "stat -c %a /mnt/data/sb").await.stdout, "755\n");
    c.delete_session(&sid).await;
    terminate(child);
}

/// Row 4. A GC between writing a presigned PUT's blob and committing its manifest entry
/// (which any tenant triggers with DeleteContextFile) deleted the new blob: 22-25 of 200 PUTs
/// answered 200 and were unreadable right after.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_puts_survive_concurrent_gc() {
    let data = tempfile::tempdir().unwrap();
    let (child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let ctx = c.context("gc-race").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let gc = {
        let (c, ctx, stop) = (c.clone(), ctx.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                c.put_file(&ctx, "/junk/j", format!("junk {n}").as_bytes()).await;
                c.ok("DeleteContextFile", &[("ContextId", &ctx), ("FilePath", "/junk/j")]).await;
                n += 1;
            }
            n
        })
    };
    const PUTS: usize = 200;
    let mut batches = Vec::new();
    for b in 0..PUTS / 8 {
        let mut batch = Vec::new();
        for i in b * 8..(b + 1) * 8 {
            let (c, ctx) = (c.clone(), ctx.clone());
            batch.push(tokio::spawn(async move {
                let body = format!("file {i} {}", "x".repeat(i * 97 % 4096)).into_bytes();
                let path = format!("/put/f{i}");
                c.put_file(&ctx, &path, &body).await;
                // Read right after the 200, while GCs keep running.
                assert_eq!(c.get_file(&ctx, &path).await, body, "{path} lost after its PUT was acknowledged");
            }));
        }
        batches.push(batch);
    }
    for batch in batches {
        for t in batch {
            t.await.unwrap();
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let gcs = gc.await.unwrap();
    assert!(gcs >= 2, "only {gcs} GCs ran alongside the PUTs");
    for i in 0..PUTS {
        let body = format!("file {i} {}", "x".repeat(i * 97 % 4096)).into_bytes();
        assert_eq!(c.get_file(&ctx, &format!("/put/f{i}")).await, body);
    }
    terminate(child);
    assert_eq!(blob_count(data.path()), PUTS, "exactly the referenced blobs after shutdown");
}

/// One HTTP/1.1 PUT whose body never finishes (a slow client), returned open.
async fn stalled_put(addr: std::net::SocketAddr, url: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let pq = &url[url.find("/files").unwrap()..];
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!("PUT {pq} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: 10000000\r\n\r\npartial");
    s.write_all(head.as_bytes()).await.unwrap();
    s
}

/// Row 5. One slow PUT held the GC read lock, a DeleteContextFile queued for the write lock,
/// and as many presigned GETs as cores blocked every tokio worker on a std lock: every
/// tenant hung for good, and SIGTERM did not stop the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_put_stalls_nobody() {
    let data = tempfile::tempdir().unwrap();
    let (child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let ctx = c.context("stall").await;
    c.put_file(&ctx, "/a.txt", b"a").await;
    c.put_file(&ctx, "/gone.txt", b"g").await;
    let url = c.ok("GetContextFileUploadUrl", &[("ContextId", &ctx), ("FilePath", "/slow.bin")]).await["Data"]["Url"]
        .as_str()
        .unwrap()
        .to_string();
    let slow = [stalled_put(c.addr, &url).await, stalled_put(c.addr, &url).await];
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = Instant::now();
    let mut calls = Vec::new();
    let deleter = c.clone();
    let dctx = ctx.clone();
    calls.push(tokio::spawn(async move {
        deleter.ok("DeleteContextFile", &[("ContextId", &dctx), ("FilePath", "/gone.txt")]).await;
    }));
    for _ in 0..16 {
        let (c, ctx) = (c.clone(), ctx.clone());
        calls.push(tokio::spawn(async move {
            assert_eq!(c.get_file(&ctx, "/a.txt").await, b"a");
            c.ok("ListContexts", &[]).await;
        }));
    }
    for call in calls {
        tokio::time::timeout(Duration::from_secs(15), call).await.expect("a call hung behind the slow PUT").unwrap();
    }
    assert!(t.elapsed() < Duration::from_secs(15));
    let t = Instant::now();
    terminate(child);
    assert!(t.elapsed() < Duration::from_secs(15), "SIGTERM took {:?}", t.elapsed());
    drop(slow);
}

/// Row 6. `uploadPolicy.period` of 1e19 was answered 200, then `Instant::now() + every`
/// overflowed in lifecycle/periodic.rs and `panic = "abort"` took the server down.
#[tokio::test]
async fn out_of_range_numbers_are_refused_not_fatal() {
    let data = tempfile::tempdir().unwrap();
    let (mut child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let ctx = c.context("period").await;
    for period in ["1e19", "1e300", "31536001", "-1", "0"] {
        let policy = format!(r#"{{"uploadPolicy":{{"period":{period}}}}}"#);
        let msg = c
            .err(
                "CreateMcpSession",
                &[("PersistenceDataList", &pdl(&[(&ctx, "/mnt/data", Some(&policy))]))],
                400,
                "InvalidParameter.Policy",
            )
            .await;
        assert!(msg.contains("Invalid period value"), "{msg}");
    }
    // The longest valid period is accepted and runs.
    let policy = r#"{"uploadPolicy":{"period":31536000}}"#;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", Some(policy))])).await;
    c.wait_tasks(&sid).await;
    c.run(&sid, "true").await;
    // Page tokens near the top of u64 neither wrap to page 1 nor crash.
    for token in [u64::MAX.to_string(), (i64::MAX as u64 + 1).to_string()] {
        c.err("ListContexts", &[("NextToken", &token)], 400, "InvalidParameter").await;
        c.err("ListSession", &[("NextToken", &token)], 400, "InvalidParameter").await;
    }
    let far = c.ok("ListContexts", &[("NextToken", &(i64::MAX as u64).to_string())]).await;
    assert!(far["Data"].as_array().is_none_or(|a| a.is_empty()), "{far}");
    assert!(child.try_wait().unwrap().is_none(), "the server is alive");
    c.delete_session(&sid).await;
    terminate(child);
}

/// Row 7. The upload walk followed symlinks (`read_dir` on a joined path): a session that
/// swapped a directory for a symlink to the data dir during repeated syncs got another
/// tenant's directory names into its own context.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_swapped_symlink_never_leaks_other_tenants_names() {
    let data = tempfile::tempdir().unwrap();
    let (child, endpoint, key) = spawn_binary(data.path(), &["--api-key", "tenant-a", "--api-key", "tenant-b"]);
    let _ = key;
    let a = binary_client(&endpoint, "tenant-a");
    let b = binary_client(&endpoint, "tenant-b");
    let (_, bsid) = session(&b, "b-private").await;
    b.run(&bsid, "mkdir -p /mnt/data/B-SECRET-PROJECT-NAME/salaries-2026 && echo 1 > /mnt/data/B-SECRET-PROJECT-NAME/salaries-2026/x").await;
    // B's mount on the host (as this version lays it out, or as versions before containment did).
    let session_dir = data.path().canonicalize().unwrap().join("sessions").join(&bsid);
    let target = [session_dir.join("fs/mounts/0"), session_dir.join("mounts/0")]
        .into_iter()
        .find(|p| seen_by(&child, p).is_dir())
        .unwrap();
    let (actx, asid) = session(&a, "a-attacker").await;
    // Many directories to walk, and `zz` flipping between a real directory and a symlink to
    // B's mount (two atomic renames each way), for as long as the syncs run.
    a.run(
        &asid,
        "cd /mnt/data && for i in $(seq 60); do mkdir d$i && for j in $(seq 20); do echo $j > d$i/f$j; done; done",
    )
    .await;
    let swapper = {
        let (a, asid) = (a.clone(), asid.clone());
        let cmd = format!(
            "cd /mnt/data && python3 -c '\nimport os, time\nos.makedirs(\"zz/x\")\nos.symlink(\"{}\", \"lnk\")\nend = time.time() + 6\nwhile time.time() < end:\n    os.rename(\"zz\", \"tmp\"); os.rename(\"lnk\", \"zz\"); time.sleep(0.001)\n    os.rename(\"zz\", \"lnk\"); os.rename(\"tmp\", \"zz\"); time.sleep(0.001)\n'",
            target.display()
        );
        tokio::spawn(async move { shell_args(&a, &asid, json!({"command": cmd, "timeout_ms": 20000})).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sync = [("SessionId", asid.as_str()), ("ContextId", actx.as_str()), ("Path", "/mnt/data")];
    // Everything A's context holds, recursively (a later sync would mirror a leak away again,
    // so it is looked at after every sync).
    let everything = |a: Client, actx: String| async move {
        let mut seen = Vec::new();
        let mut dirs = vec!["/mnt/data".to_string()];
        while let Some(d) = dirs.pop() {
            let page =
                [("ContextId", actx.as_str()), ("ParentFolderPath", &d), ("PageNumber", "1"), ("PageSize", "1000")];
            let v = a.ok("DescribeContextFiles", &page).await;
            for f in v["Data"].as_array().into_iter().flatten() {
                let (name, kind) = (f["FileName"].as_str().unwrap(), f["FileType"].as_str().unwrap());
                let full = format!("{d}/{name}");
                if kind == "folder" && !name.starts_with('d') {
                    dirs.push(full.clone());
                }
                seen.push(full);
            }
        }
        seen
    };
    for _ in 0..40 {
        a.ok("SyncContext", &sync).await;
        a.wait_tasks_every(&asid, Duration::from_millis(5)).await;
        let seen = everything(a.clone(), actx.clone()).await;
        assert!(!seen.iter().any(|p| p.contains("SECRET") || p.contains("salaries")), "leaked: {seen:?}");
    }
    let (swapped, _) = swapper.await.unwrap();
    assert_eq!(swapped.exit_code, 0, "the swapper ran: {swapped:?}");
    a.ok("SyncContext", &sync).await;
    a.wait_tasks(&asid).await;
    let seen = everything(a.clone(), actx.clone()).await;
    assert!(!seen.iter().any(|p| p.contains("SECRET") || p.contains("salaries")), "leaked: {seen:?}");
    terminate(child);
}

fn orphans(data: &Path) -> i64 {
    let db = rusqlite::Connection::open(data.join("agentbay.db")).unwrap();
    db.query_row("SELECT COUNT(*) FROM entries WHERE context_id NOT IN (SELECT id FROM contexts)", [], |r| r.get(0))
        .unwrap()
}

/// Row 8. DeleteContext racing CreateMcpSession (1 in 40) or a presigned PUT (1 in 30) left
/// manifest rows with no context, whose blobs were never collected, and the session's upload
/// reported Success into the deleted context.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deleting_a_context_never_races_a_writer() {
    let data = tempfile::tempdir().unwrap();
    let (child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let (mut created, mut deleted) = (0, 0);
    for round in 0..40 {
        let ctx = c.context(&format!("race-{round}")).await;
        c.put_file(&ctx, "/mnt/data/seed.txt", b"seed").await;
        let (c1, c2, ctx1, ctx2) = (c.clone(), c.clone(), ctx.clone(), ctx.clone());
        let create = tokio::spawn(async move {
            let list = pdl(&[(&ctx1, "/mnt/data", None)]);
            c1.call("CreateMcpSession", &[("PersistenceDataList", &list)]).await
        });
        let delete = tokio::spawn(async move { c2.call("DeleteContext", &[("Id", &ctx2)]).await });
        let (cr, dr) = (create.await.unwrap(), delete.await.unwrap());
        match (cr.status, dr.status) {
            (200, 409) => {
                assert_eq!(dr.json()["Code"], "InvalidContext.InUse", "{}", dr.json());
                let sid = cr.json()["Data"]["SessionId"].as_str().unwrap().to_string();
                c.wait_tasks(&sid).await;
                c.run(&sid, "echo more > /mnt/data/more.txt").await;
                c.delete_session(&sid).await;
                assert_eq!(c.get_file(&ctx, "/mnt/data/more.txt").await, b"more\n");
                created += 1;
            }
            (400, 200) => {
                assert_eq!(cr.json()["Code"], "InvalidContext.NotFound", "{}", cr.json());
                deleted += 1;
            }
            // The delete won before the create looked: the session mounts a context that does
            // not exist (as the cloud allows), and its syncs write nothing under the old id.
            (200, 200) => {
                let sid = cr.json()["Data"]["SessionId"].as_str().unwrap().to_string();
                let tasks = c.wait_tasks(&sid).await;
                assert!(tasks.iter().all(|t| t.error_message.contains("does not exist")), "{tasks:?}");
                c.delete_session(&sid).await;
                deleted += 1;
            }
            other => panic!("round {round}: create {} / delete {}: {other:?}", cr.json(), dr.json()),
        }
    }
    eprintln!("create won {created} times, delete won {deleted} times");
    for round in 0..30 {
        let ctx = c.context(&format!("put-race-{round}")).await;
        let url = c.ok("GetContextFileUploadUrl", &[("ContextId", &ctx), ("FilePath", "/f.txt")]).await["Data"]["Url"]
            .as_str()
            .unwrap()
            .to_string();
        let (c1, c2, ctx2) = (c.clone(), c.clone(), ctx.clone());
        let put = tokio::spawn(async move { fetch(&c1, "PUT", &url, format!("put {round}").into_bytes()).await });
        let delete = tokio::spawn(async move { c2.call("DeleteContext", &[("Id", &ctx2)]).await });
        let (pr, dr) = (put.await.unwrap(), delete.await.unwrap());
        assert_eq!(dr.status, 200, "{}", String::from_utf8_lossy(&dr.body));
        assert!(
            pr.status == 200 || pr.json()["Code"] == "InvalidContext.NotFound",
            "{}",
            String::from_utf8_lossy(&pr.body)
        );
    }
    assert_eq!(orphans(data.path()), 0, "manifest rows without a context");
    terminate(child);
    // The restart's GC keeps exactly what is referenced: nothing of the deleted contexts.
    let (child, _, _) = spawn_binary(data.path(), &[]);
    let db = rusqlite::Connection::open(data.path().join("agentbay.db")).unwrap();
    let referenced: i64 =
        db.query_row("SELECT COUNT(DISTINCT hash) FROM entries WHERE hash IS NOT NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(blob_count(data.path()) as i64, referenced);
    terminate(child);
}

/// Row 9. No limits: one call started 3,000 processes, 1.5 GB went to the data dir's disk,
/// the sandbox reached a service on the host's loopback, and `unshare -r` worked inside.
#[tokio::test]
async fn sessions_are_held_to_their_limits() {
    let data = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let args = ["--session-pids", "64", "--session-memory", "96", "--session-disk", "64"];
    let (child, endpoint, key) = spawn_binary(data.path(), &args);
    let api_port = endpoint.rsplit(':').next().unwrap().to_string();
    let c = binary_client(&endpoint, &key);
    let (_, sid) = session(&c, "limits").await;
    let long = |cmd: &str| json!({"command": cmd, "timeout_ms": 30000});

    let fork = "python3 -c 'import os,time\nn=0\ntry:\n  while n < 3000:\n    if os.fork() == 0:\n      time.sleep(2); os._exit(0)\n    n += 1\nexcept OSError as e:\n  print(\"refused after\", n)'";
    let (p, _) = shell_args(&c, &sid, long(fork)).await;
    let n: usize = p.stdout.trim().strip_prefix("refused after ").unwrap_or_else(|| panic!("{p:?}")).parse().unwrap();
    assert!(n < 64, "{n} processes started");
    if is_root() {
        assert!(p.stderr.contains("process limit (64 processes"), "{p:?}");
    }

    let (p, _) = shell_args(&c, &sid, long("python3 -c 'x = bytearray(400 << 20); print(\"survived\")'")).await;
    assert!(!p.stdout.contains("survived"), "{p:?}");
    if is_root() {
        assert_eq!(p.exit_code, 137, "killed: {p:?}");
        assert!(p.stderr.contains("memory limit (96 MiB"), "{p:?}");
    }

    for dir in ["/tmp", "/mnt/data"] {
        let (p, _) = shell_args(&c, &sid, long(&format!("head -c 100M /dev/zero > {dir}/big; echo rc=$?"))).await;
        if is_root() {
            assert!(p.stdout.contains("rc=1"), "{dir}: {p:?}");
            assert!(p.stderr.contains("No space left") && p.stderr.contains("disk quota (64 MiB"), "{dir}: {p:?}");
        } else {
            // Without root only RLIMIT_FSIZE applies: the writer gets SIGXFSZ.
            assert!(p.stdout.contains("rc=153") && p.stderr.contains("File size limit exceeded"), "{dir}: {p:?}");
        }
        c.run(&sid, &format!("rm -f {dir}/big")).await;
    }

    for p in [port.to_string(), api_port] {
        let out = c
            .run(
                &sid,
                &format!(
                    "timeout 3 bash -c 'echo > /dev/tcp/127.0.0.1/{p}' 2>/dev/null && echo REACHED || echo refused"
                ),
            )
            .await;
        assert_eq!(out.stdout, "refused\n", "host loopback port {p}");
    }
    let out = c.run(&sid, "unshare -r true 2>&1; echo rc=$?").await;
    assert!(!out.stdout.ends_with("rc=0\n"), "nested user namespace: {out:?}");
    c.delete_session(&sid).await;
    drop(listener);
    terminate(child);
}

/// Row 9's mount count: 10,000 contexts were accepted, then every call failed (bwrap's
/// argument limit). Now a documented limit, enforced with a 4xx before any work.
#[tokio::test]
async fn too_many_mounts_are_refused_up_front() {
    let data = tempfile::tempdir().unwrap();
    let (child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let ctx = c.context("many").await;
    let items: Vec<(String, String)> = (0..10_000).map(|i| (ctx.clone(), format!("/mnt/m{i}"))).collect();
    let refs: Vec<(&str, &str, Option<&str>)> = items.iter().map(|(c, p)| (c.as_str(), p.as_str(), None)).collect();
    let t = Instant::now();
    let msg = c
        .err("CreateMcpSession", &[("PersistenceDataList", &pdl(&refs))], 400, "InvalidParameter.PersistenceDataList")
        .await;
    assert!(msg.contains("at most 64"), "{msg}");
    assert!(t.elapsed() < Duration::from_secs(5));
    let msg = c
        .err(
            "CreateMcpSession",
            &[("PersistenceDataList", &pdl(&refs[..65]))],
            400,
            "InvalidParameter.PersistenceDataList",
        )
        .await;
    assert!(msg.contains("65 contexts requested"), "{msg}");
    let sid = c.create_session(&pdl(&refs[..64])).await;
    assert_eq!(c.wait_tasks(&sid).await.len(), 64);
    c.run(&sid, "ls -d /mnt/m63").await;
    c.delete_session(&sid).await;
    terminate(child);
}

/// Row 10. A path component over 255 bytes was accepted by the upload URL, then broke every
/// later download of the context; a path legal in the sandbox but over PATH_MAX on the host
/// failed the whole upload.
#[tokio::test]
async fn long_names_are_refused_at_the_door_and_long_host_paths_work() {
    let data = tempfile::tempdir().unwrap();
    let (child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let (ctx, sid) = session(&c, "long").await;
    let long = format!("/mnt/data/{}", "n".repeat(256));
    let msg = c
        .err("GetContextFileUploadUrl", &[("ContextId", &ctx), ("FilePath", &long)], 400, "InvalidParameter.Path")
        .await;
    assert!(msg.contains("longer than 255 bytes"), "{msg}");
    // 33 levels of 120-byte names and one of 60: 4,072 bytes in the context (under its 4,096
    // limit), over 4,096 on the host.
    let mut deep: Vec<String> = (0..33).map(|i| format!("{i:0>120}")).collect();
    deep.push("e".repeat(60));
    let rel = deep.join("/");
    assert_eq!(format!("/mnt/data/{rel}/leaf.txt").len(), 4072);
    let host_len = mount_host_dir(data.path(), &sid, 0).join(&rel).join("leaf.txt").as_os_str().len();
    assert!(host_len > 4096, "{host_len}");
    c.run(
        &sid,
        &format!(
            "cd /mnt/data && mkdir -p {rel} && cd {rel} && echo deep > leaf.txt && cd /mnt/data && echo top > top.txt"
        ),
    )
    .await;
    c.ok("SyncContext", &[("SessionId", &sid)]).await;
    let t = c.wait_tasks(&sid).await;
    assert!(t.iter().all(|t| t.status == "Success"), "{t:?}");
    assert_eq!(c.get_file(&ctx, &format!("/mnt/data/{rel}/leaf.txt")).await, b"deep\n");
    c.delete_session(&sid).await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    assert!(c.wait_tasks(&sid).await.iter().all(|t| t.status == "Success"));
    assert_eq!(c.run(&sid, &format!("cd /mnt/data/{rel} && cat leaf.txt")).await.stdout, "deep\n");
    c.delete_session(&sid).await;
    terminate(child);
}

/// Row 11. Non-UTF-8 names were dropped while the upload reported Success; names with control
/// characters were stored but unreachable through the file API.
#[tokio::test]
async fn names_the_store_cannot_keep_fail_the_upload_and_are_kept() {
    let data = tempfile::tempdir().unwrap();
    let (child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let (ctx, sid) = session(&c, "names").await;
    c.run(&sid, "cd /mnt/data && echo bad > $'bad\\xff.txt' && echo nl > $'new\\nline.txt' && echo tab > $'t\\tab.txt' && echo ok > ok.txt").await;
    c.ok("SyncContext", &[("SessionId", &sid)]).await;
    let t = c.wait_tasks(&sid).await;
    let up = t.iter().find(|t| t.task_type == "upload").unwrap();
    assert_eq!(up.status, "Failed", "{t:?}");
    assert!(
        up.error_message.contains("bad\\xFF.txt") && up.error_message.contains("not valid UTF-8"),
        "{}",
        up.error_message
    );
    // Everything else was stored, control characters included, and the file API reaches it.
    assert_eq!(c.get_file(&ctx, "/mnt/data/ok.txt").await, b"ok\n");
    assert_eq!(c.get_file(&ctx, "/mnt/data/new\nline.txt").await, b"nl\n");
    assert_eq!(c.get_file(&ctx, "/mnt/data/t\tab.txt").await, b"tab\n");
    let names: Vec<String> = c.list_files(&ctx, "/mnt/data").await.into_iter().map(|f| f.0).collect();
    assert!(names.contains(&"new\nline.txt".to_string()), "{names:?}");
    c.ok("DeleteContextFile", &[("ContextId", &ctx), ("FilePath", "/mnt/data/t\tab.txt")]).await;
    // The release upload fails the same way, so the mount is kept whole in lost+found.
    c.delete_session(&sid).await;
    let lost = data.path().join("lost+found").join(format!("{sid}-0"));
    let kept: Vec<Vec<u8>> = std::fs::read_dir(&lost)
        .unwrap()
        .map(|e| std::os::unix::ffi::OsStrExt::as_bytes(e.unwrap().file_name().as_os_str()).to_vec())
        .collect();
    assert!(kept.contains(&b"bad\xff.txt".to_vec()), "{kept:?}");
    terminate(child);
}

/// Panics, wherever an input finds one, cost one request or one task, never the process.
#[tokio::test]
async fn a_panicking_handler_or_sync_task_is_contained() {
    let s = TestServer::start_with(|cfg| {
        cfg.request_fault = Some(std::sync::Arc::new(|action: &str| {
            if action == "ModifyContext" {
                panic!("injected handler panic");
            }
        }));
        cfg.upload_fault = Some(std::sync::Arc::new(|n| if n >= 1 { panic!("injected sync panic") } else { Ok(()) }));
    })
    .await;
    let c = s.client();
    let ctx = c.context("panics").await;
    let msg = c.err("ModifyContext", &[("Id", &ctx), ("Name", "x")], 500, "InternalError").await;
    assert!(msg.contains("injected handler panic"), "{msg}");
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    c.wait_tasks(&sid).await;
    c.run(&sid, "echo x > /mnt/data/x").await;
    c.ok("SyncContext", &[("SessionId", &sid)]).await;
    let t = c.wait_tasks(&sid).await;
    let up = t.iter().find(|t| t.task_type == "upload").unwrap();
    assert_eq!(up.status, "Failed");
    assert!(up.error_message.contains("injected sync panic"), "{}", up.error_message);
    c.ok("ListContexts", &[]).await;
    c.delete_session(&sid).await;
    s.stop().await;
}

/// The host's address on its default route (not loopback), for the network-mode tests.
fn host_address() -> std::net::IpAddr {
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    probe.connect("192.0.2.254:9").unwrap(); // no packet is sent; this only picks the route
    probe.local_addr().unwrap().ip()
}

/// What each `--session-network` mode lets a session reach: none reaches nothing but its own
/// loopback; slirp4netns reaches the host's other addresses (and beyond) but never the host's
/// loopback, the server's API included; host reaches everything.
#[tokio::test]
async fn network_modes_reach_what_they_say() {
    let outside = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = outside.local_addr().unwrap().port();
    let host_ip = host_address();
    assert!(!host_ip.is_loopback(), "{host_ip}");
    let probe = |target: String| {
        format!("timeout 3 bash -c 'echo > /dev/tcp/{target}' 2>/dev/null && echo REACHED || echo refused")
    };
    for (mode, via_host_ip, via_loopback) in
        [("none", false, false), ("slirp4netns", true, false), ("host", true, true)]
    {
        let data = tempfile::tempdir().unwrap();
        let (child, endpoint, key) = spawn_binary(data.path(), &["--session-network", mode]);
        let api_port = endpoint.rsplit(':').next().unwrap().to_string();
        let c = binary_client(&endpoint, &key);
        let (_, sid) = session(&c, "net").await;
        let want = |reach: bool| if reach { "REACHED\n" } else { "refused\n" };
        let out = c.run(&sid, &probe(format!("{host_ip}/{port}"))).await;
        assert_eq!(out.stdout, want(via_host_ip), "{mode}: the host's address");
        for p in [port.to_string(), api_port] {
            let out = c.run(&sid, &probe(format!("127.0.0.1/{p}"))).await;
            assert_eq!(out.stdout, want(via_loopback), "{mode}: the host's loopback port {p}");
        }
        if mode == "slirp4netns" {
            let out = c.run(&sid, &probe(format!("10.0.2.2/{port}"))).await;
            assert_eq!(out.stdout, "refused\n", "slirp's gateway is not the host's loopback");
            assert_eq!(c.run(&sid, "cat /etc/resolv.conf").await.stdout, "nameserver 10.0.2.3\n");
        }
        c.delete_session(&sid).await;
        terminate(child);
    }
}
