//! Real bubblewrap sandboxes, no mocks. bwrap must be installed: without it these
//! tests fail (probe_works_here) rather than skip.

use agentbay_local::sandbox::{
    validate_mount_path, Sandbox, SandboxConfig, SandboxError, SandboxSpec, Sandboxes, ToolError,
};
use agentbay_wire::tool::{parse_dir_listing, FileInfo, ShellPayload, ToolResult};
use base64::Engine;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const HELPER: &str = env!("CARGO_BIN_EXE_agentbay-local");

struct Session {
    _dir: TempDir,
    session_dir: PathBuf,
    sb: Sandbox,
}

/// A data dir prepared as the server prepares it, and the host's sandbox factory on it.
fn host_with(cfg: &SandboxConfig) -> (TempDir, Arc<Sandboxes>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = rustix::process::geteuid().is_root();
    agentbay_local::server::secure_data_dir(dir.path(), root).expect("data dir");
    let host = Sandboxes::start(cfg, Path::new(HELPER), dir.path()).expect("sandboxes start");
    (dir, Arc::new(host))
}

fn session_dir_seq() -> usize {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
}

fn session_in(dir: TempDir, host: &Arc<Sandboxes>, mounts: &[&str]) -> (Session, Vec<PathBuf>) {
    let session_dir = dir.path().join("sessions").join("s-1");
    let sb = host
        .create(SandboxSpec {
            id: format!("test-{}-{}", std::process::id(), session_dir_seq()),
            session_dir: session_dir.clone(),
            mount_paths: mounts.iter().map(|m| m.to_string()).collect(),
        })
        .expect("create sandbox");
    let hosts = (0..mounts.len()).map(|i| sb.mount_dir(i).to_path_buf()).collect();
    (Session { _dir: dir, session_dir, sb }, hosts)
}

fn session_with(mounts: &[&str]) -> (Session, Vec<PathBuf>) {
    let (dir, host) = host_with(&SandboxConfig::default());
    session_in(dir, &host, mounts)
}

fn session() -> Session {
    session_with(&[]).0
}

async fn tool(s: &Session, name: &str, args: Value) -> ToolResult {
    s.sb.call_tool(name, &args).await.unwrap_or_else(|e| panic!("{name} {args}: {e}"))
}

async fn ok_text(s: &Session, name: &str, args: Value) -> String {
    let r = tool(s, name, args.clone()).await;
    assert!(!r.is_error, "{name} {args} failed: {}", r.joined_text());
    r.joined_text()
}

async fn err_text(s: &Session, name: &str, args: Value) -> String {
    let r = tool(s, name, args.clone()).await;
    assert!(r.is_error, "{name} {args} unexpectedly succeeded: {}", r.joined_text());
    r.joined_text()
}

async fn sh(s: &Session, args: Value) -> (ShellPayload, bool) {
    let r = tool(s, "shell", args).await;
    let p: ShellPayload = serde_json::from_str(&r.content[0].text).expect("shell payload is JSON");
    (p, r.is_error)
}

async fn run(s: &Session, command: &str) -> ShellPayload {
    let (p, is_err) = sh(s, json!({"command": command, "timeout_ms": 10000})).await;
    assert!(!is_err, "{command}: {p:?}");
    p
}

#[test]
fn sandboxes_start_here() {
    let (_dir, host) = host_with(&SandboxConfig::default());
    eprintln!("{}", host.describe());
}

#[tokio::test]
async fn shell_stdout_stderr_exit_code() {
    let s = session();
    let (p, is_err) = sh(&s, json!({"command": "echo out; echo err >&2; exit 3"})).await;
    assert!(!is_err);
    assert_eq!(p.stdout, "out\n");
    assert_eq!(p.stderr, "err\n");
    assert_eq!(p.exit_code, 3);
    let p = run(&s, "true").await;
    assert_eq!(p.exit_code, 0);
}

#[tokio::test]
async fn shell_envs_cwd_and_identity() {
    let s = session();
    let (p, _) = sh(&s, json!({"command": "echo \"$FOO|$HOME|$USER|$(pwd)\"", "envs": {"FOO": "bar baz"}})).await;
    assert_eq!(p.stdout, "bar baz|/home/wuying|wuying|/home/wuying\n");
    let p = run(&s, "mkdir -p /tmp/w && cd /tmp && pwd").await;
    assert_eq!(p.stdout, "/tmp\n");
    let (p, _) = sh(&s, json!({"command": "pwd", "cwd": "/tmp/w"})).await;
    assert_eq!(p.stdout, "/tmp/w\n");
    let (p, is_err) = sh(&s, json!({"command": "pwd", "cwd": "/no/such/dir"})).await;
    assert!(is_err, "missing cwd must be an error: {p:?}");
    assert!(p.stderr.contains("/no/such/dir"), "{p:?}");
    let p = run(&s, "id -u; id -g; id -un").await;
    assert_eq!(p.stdout, "1000\n1000\nwuying\n");
}

#[tokio::test]
async fn shell_timeout_kills_process_tree() {
    let s = session();
    for cmd in ["sleep 30", "sleep 30 & sleep 30", "setsid sleep 30 & nohup sleep 30 >/dev/null 2>&1 & wait"] {
        let t = Instant::now();
        let (p, is_err) = sh(&s, json!({"command": format!("echo started; {cmd}"), "timeout_ms": 500})).await;
        let took = t.elapsed();
        assert!(is_err, "{cmd}: timeout must be isError");
        assert_eq!(p.exit_code, 124);
        assert!(p.stderr.contains("command timed out after 500 ms"), "{p:?}");
        assert_eq!(p.stdout, "started\n");
        assert!(took < Duration::from_millis(2500), "{cmd}: took {took:?}");
    }
    // Nothing from those commands survives: a fresh call sees only its own processes.
    let p = run(&s, "ps -e -o comm= | grep -c sleep || true").await;
    assert_eq!(p.stdout.trim(), "0");
}

/// Calls of one session are serialised (see sandbox/mod.rs); concurrent callers all
/// get their own correct results.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_in_one_session() {
    let s = session();
    let calls = (0..6).map(|i| {
        let sb = s.sb.clone();
        tokio::spawn(async move {
            if i % 2 == 0 {
                sb.call_tool("shell", &json!({"command": format!("sleep 0.1; echo {i} > /tmp/c{i}; echo {i}")})).await
            } else {
                sb.call_tool("write_file", &json!({"path": format!("/tmp/w{i}"), "content": i.to_string()})).await
            }
        })
    });
    for (i, c) in calls.collect::<Vec<_>>().into_iter().enumerate() {
        let r = c.await.expect("join").expect("tool");
        assert!(!r.is_error, "{i}: {r:?}");
    }
    let p = run(&s, "cat /tmp/c0 /tmp/c2 /tmp/c4 /tmp/w1 /tmp/w3 /tmp/w5").await;
    assert_eq!(p.stdout, "0\n2\n4\n135");
}

#[tokio::test]
async fn default_timeout_is_one_second() {
    let s = session();
    let t = Instant::now();
    let (p, is_err) = sh(&s, json!({"command": "sleep 5"})).await;
    assert!(is_err && p.exit_code == 124 && p.stderr.contains("after 1000 ms"), "{p:?}");
    assert!(t.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn system_dirs_are_read_only() {
    let s = session();
    for path in ["/usr/agentbay-test", "/etc/agentbay-test", "/usr/bin/agentbay-test"] {
        let p = run(&s, &format!("touch {path} 2>&1; echo rc=$?")).await;
        assert!(p.stdout.contains("Read-only file system"), "{path}: {p:?}");
        assert!(!Path::new(path).exists());
        err_text(&s, "write_file", json!({"path": path, "content": "x"})).await;
    }
}

#[tokio::test]
async fn host_secrets_are_not_readable() {
    let s = session();
    let p = run(&s, "cat /etc/shadow 2>&1; echo rc=$?").await;
    assert!(!p.stdout.contains("root:"), "shadow leaked: {p:?}");
    assert!(p.stdout.contains("rc=1"), "{p:?}");
    // The generated passwd, not the host's.
    let passwd = ok_text(&s, "read_file", json!({"path": "/etc/passwd"})).await;
    assert!(passwd.contains("wuying:x:1000:1000"));
}

#[tokio::test]
async fn writes_persist_until_destroy() {
    let s = session();
    run(&s, "echo keep > /tmp/a; echo home > ~/h; mkdir -p /opt/x && echo o > /opt/x/f").await;
    let p = run(&s, "cat /tmp/a ~/h /opt/x/f").await;
    assert_eq!(p.stdout, "keep\nhome\no\n");
    // Even a session that locks its own root keeps working.
    run(&s, "chmod 000 /").await;
    assert_eq!(run(&s, "cat /tmp/a").await.stdout, "keep\n");
    let root = s.sb.root_dir().to_path_buf();
    assert!(root.join("tmp/a").is_file());
    s.sb.destroy(Vec::new()).await.expect("destroy");
    assert!(!root.exists(), "session root must be deleted");
    assert!(!s.session_dir.exists(), "the whole session dir goes");
    s.sb.destroy(Vec::new()).await.expect("destroy is idempotent");
    let r = tool(&s, "shell", json!({"command": "true"})).await;
    assert!(r.is_error, "calls after destroy fail");
}

#[tokio::test]
async fn destroy_kills_running_commands_and_keeps_mounts() {
    let (s, _hosts) = session_with(&["/mnt/data"]);
    run(&s, "echo ctx > /mnt/data/f; chmod 000 /tmp; mkdir /tmp2; chmod 000 /tmp2").await;
    let sb = s.sb.clone();
    let long =
        tokio::spawn(async move { sb.call_tool("shell", &json!({"command": "sleep 30", "timeout_ms": 40000})).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t = Instant::now();
    let kept = s._dir.path().join("lost+found").join("kept-0");
    s.sb.destroy(vec![(0, kept.clone())]).await.expect("destroy");
    assert!(t.elapsed() < Duration::from_secs(3), "destroy waited for the command");
    let r = long.await.expect("join").expect("tool");
    let p: ShellPayload = serde_json::from_str(&r.content[0].text).expect("payload");
    assert_eq!(p.exit_code, 137, "killed by SIGKILL: {p:?}");
    assert_eq!(std::fs::read_to_string(kept.join("f")).expect("mount kept"), "ctx\n");
    assert!(!s.session_dir.exists(), "everything else is deleted");
}

#[tokio::test]
async fn context_mount_writes_through() {
    let (s, hosts) = session_with(&["/mnt/data", "/home/wuying/下载", "/mnt/data/nested"]);
    std::fs::write(hosts[0].join("pre.txt"), "from host").expect("seed");
    let p =
        run(&s, "cat /mnt/data/pre.txt; echo x > /mnt/data/new.txt; echo y > ~/下载/z; echo n > /mnt/data/nested/n")
            .await;
    assert_eq!(p.stdout, "from host");
    assert_eq!(std::fs::read_to_string(hosts[0].join("new.txt")).expect("new"), "x\n");
    assert_eq!(std::fs::read_to_string(hosts[1].join("z")).expect("z"), "y\n");
    assert_eq!(std::fs::read_to_string(hosts[2].join("n")).expect("n"), "n\n");
    ok_text(&s, "write_file", json!({"path": "/mnt/data/tool.txt", "content": "t"})).await;
    assert_eq!(std::fs::read_to_string(hosts[0].join("tool.txt")).expect("tool"), "t");
}

#[tokio::test]
async fn sandboxes_are_isolated() {
    let (a, ha) = session_with(&["/mnt/data"]);
    let (b, hb) = session_with(&["/mnt/data"]);
    run(&a, "echo A > /mnt/data/f; echo A > /tmp/t").await;
    run(&b, "echo B > /mnt/data/f").await;
    assert_eq!(run(&a, "cat /mnt/data/f").await.stdout, "A\n");
    assert_eq!(run(&b, "cat /mnt/data/f").await.stdout, "B\n");
    assert_eq!(std::fs::read_to_string(ha[0].join("f")).expect("a"), "A\n");
    assert_eq!(std::fs::read_to_string(hb[0].join("f")).expect("b"), "B\n");
    let p = run(&b, "cat /tmp/t 2>&1; ls /tmp").await;
    assert!(p.stdout.contains("No such file"), "/tmp must be private: {p:?}");
}

#[tokio::test]
async fn read_and_write_file() {
    let s = session();
    ok_text(&s, "write_file", json!({"path": "/home/wuying/d/e/f.txt", "content": "hello"})).await;
    assert_eq!(ok_text(&s, "read_file", json!({"path": "/home/wuying/d/e/f.txt"})).await, "hello");
    ok_text(&s, "write_file", json!({"path": "/home/wuying/d/e/f.txt", "content": " world", "mode": "append"})).await;
    assert_eq!(ok_text(&s, "read_file", json!({"path": "/home/wuying/d/e/f.txt"})).await, "hello world");
    assert_eq!(
        ok_text(&s, "read_file", json!({"path": "/home/wuying/d/e/f.txt", "offset": 6, "length": 3})).await,
        "wor"
    );
    assert_eq!(
        ok_text(&s, "read_file", json!({"path": "/home/wuying/d/e/f.txt", "offset": 6, "length": 0})).await,
        "world"
    );
    let e = err_text(&s, "write_file", json!({"path": "/home/wuying/d/e/f.txt", "content": "x", "mode": "create_new"}))
        .await;
    assert!(e.contains("already exists"), "{e}");
    ok_text(&s, "write_file", json!({"path": "/home/wuying/d/e/f.txt", "content": "new", "mode": "overwrite"})).await;
    assert_eq!(ok_text(&s, "read_file", json!({"path": "/home/wuying/d/e/f.txt"})).await, "new");
    ok_text(&s, "write_file", json!({"path": "rel.txt", "content": "r", "mode": "create_new"})).await;
    assert_eq!(run(&s, "cat ~/rel.txt").await.stdout, "r");
    let e = err_text(&s, "read_file", json!({"path": "/nope"})).await;
    assert!(e.contains("/nope") && e.contains("no such file"), "{e}");
    let e = err_text(&s, "read_file", json!({"path": "/tmp"})).await;
    assert!(e.contains("is a directory"), "{e}");
}

#[tokio::test]
async fn binary_read_is_base64() {
    let s = session();
    run(&s, "printf '\\x00\\x01\\xff\\xfeabc' > /tmp/bin").await;
    let b64 = ok_text(&s, "read_file", json!({"path": "/tmp/bin", "format": "binary"})).await;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).expect("base64");
    assert_eq!(bytes, vec![0, 1, 0xff, 0xfe, b'a', b'b', b'c']);
    let b64 = ok_text(&s, "read_file", json!({"path": "/tmp/bin", "format": "binary", "offset": 2, "length": 2})).await;
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(b64).expect("b64"), vec![0xff, 0xfe]);
}

#[tokio::test]
async fn directories_info_move_delete() {
    let s = session();
    ok_text(&s, "create_directory", json!({"path": "/tmp/a/b/c"})).await;
    ok_text(&s, "create_directory", json!({"path": "/tmp/a/b/c"})).await;
    ok_text(&s, "write_file", json!({"path": "/tmp/a/f.txt", "content": "12345"})).await;
    let listing = parse_dir_listing(&ok_text(&s, "list_directory", json!({"path": "/tmp/a"})).await);
    assert_eq!(listing, vec![("b".to_string(), true), ("f.txt".to_string(), false)]);
    let e = err_text(&s, "list_directory", json!({"path": "/tmp/a/f.txt"})).await;
    assert!(e.contains("not a directory"), "{e}");

    let info = FileInfo::parse(&ok_text(&s, "get_file_info", json!({"path": "/tmp/a/f.txt"})).await);
    assert_eq!(
        (info.name.as_str(), info.path.as_str(), info.size, info.is_directory),
        ("f.txt", "/tmp/a/f.txt", 5, false)
    );
    assert_eq!(info.mode, "-rw-r--r--");
    assert_eq!(info.owner.as_deref(), Some("wuying"));
    assert!(
        info.mod_time.len() == 20 && info.mod_time.ends_with('Z') && info.mod_time.contains('T'),
        "{}",
        info.mod_time
    );
    let dinfo = FileInfo::parse(&ok_text(&s, "get_file_info", json!({"path": "/tmp/a/b"})).await);
    assert!(dinfo.is_directory);
    assert!(dinfo.mode.starts_with('d'));
    err_text(&s, "get_file_info", json!({"path": "/tmp/none"})).await;

    ok_text(&s, "move_file", json!({"source": "/tmp/a/f.txt", "destination": "/tmp/a/b/g.txt"})).await;
    assert_eq!(ok_text(&s, "read_file", json!({"path": "/tmp/a/b/g.txt"})).await, "12345");
    err_text(&s, "read_file", json!({"path": "/tmp/a/f.txt"})).await;
    err_text(&s, "move_file", json!({"source": "/tmp/a/missing", "destination": "/tmp/x"})).await;

    ok_text(&s, "delete_file", json!({"path": "/tmp/a/b/g.txt"})).await;
    err_text(&s, "read_file", json!({"path": "/tmp/a/b/g.txt"})).await;
    ok_text(&s, "delete_file", json!({"path": "/tmp/a"})).await;
    err_text(&s, "delete_file", json!({"path": "/tmp/a"})).await;
}

#[tokio::test]
async fn move_across_context_mount() {
    let (s, hosts) = session_with(&["/mnt/data"]);
    ok_text(&s, "write_file", json!({"path": "/tmp/d/x.txt", "content": "moved"})).await;
    ok_text(&s, "move_file", json!({"source": "/tmp/d", "destination": "/mnt/data/d"})).await;
    assert_eq!(std::fs::read_to_string(hosts[0].join("d/x.txt")).expect("moved"), "moved");
    err_text(&s, "list_directory", json!({"path": "/tmp/d"})).await;
}

#[tokio::test]
async fn edit_file_applies_and_previews() {
    let s = session();
    ok_text(&s, "write_file", json!({"path": "/tmp/e.txt", "content": "alpha\nbeta\ngamma\n"})).await;
    let diff = ok_text(
        &s,
        "edit_file",
        json!({"path": "/tmp/e.txt", "edits": [{"oldText": "beta", "newText": "BETA"}], "dryRun": true}),
    )
    .await;
    assert!(diff.contains("-beta") && diff.contains("+BETA"), "{diff}");
    assert_eq!(ok_text(&s, "read_file", json!({"path": "/tmp/e.txt"})).await, "alpha\nbeta\ngamma\n");
    ok_text(&s, "edit_file", json!({"path": "/tmp/e.txt", "edits": [{"oldText": "beta", "newText": "BETA"}, {"oldText": "gamma", "newText": "G"}]})).await;
    assert_eq!(ok_text(&s, "read_file", json!({"path": "/tmp/e.txt"})).await, "alpha\nBETA\nG\n");
    let e = err_text(&s, "edit_file", json!({"path": "/tmp/e.txt", "edits": [{"oldText": "alpha", "newText": "A"}, {"oldText": "nope", "newText": "x"}]})).await;
    assert!(e.contains("oldText not found"), "{e}");
    assert_eq!(
        ok_text(&s, "read_file", json!({"path": "/tmp/e.txt"})).await,
        "alpha\nBETA\nG\n",
        "failed edit changes nothing"
    );
}

#[tokio::test]
async fn read_multiple_files_blocks() {
    let s = session();
    ok_text(&s, "write_file", json!({"path": "/tmp/1", "content": "one"})).await;
    ok_text(&s, "write_file", json!({"path": "/tmp/2", "content": "two"})).await;
    let t = ok_text(&s, "read_multiple_files", json!({"paths": ["/tmp/1", "/tmp/2", "/tmp/3"]})).await;
    let mut blocks = t.split("\n---\n");
    assert_eq!(blocks.next(), Some("/tmp/1: one"));
    assert_eq!(blocks.next(), Some("/tmp/2: two"));
    let third = blocks.next().expect("third block");
    assert!(third.starts_with("/tmp/3: Error - ") && third.contains("no such file"), "{third}");
}

#[tokio::test]
async fn search_files_glob_substring_and_excludes() {
    let s = session();
    run(&s, "mkdir -p /tmp/s/sub /tmp/s/node_modules && touch /tmp/s/a.txt /tmp/s/b.md /tmp/s/sub/c.txt /tmp/s/node_modules/d.txt /tmp/s/README.TXT").await;
    let found = ok_text(&s, "search_files", json!({"path": "/tmp/s", "pattern": "*.txt"})).await;
    let mut lines: Vec<&str> = found.lines().collect();
    lines.sort();
    assert_eq!(lines, vec!["/tmp/s/a.txt", "/tmp/s/node_modules/d.txt", "/tmp/s/sub/c.txt"]);
    for ex in [json!(["node_modules"]), json!("node_modules, sub"), json!(["node_*"])] {
        let found =
            ok_text(&s, "search_files", json!({"path": "/tmp/s", "pattern": "*.txt", "excludePatterns": ex})).await;
        assert!(!found.contains("node_modules"), "{ex}: {found}");
        assert!(found.contains("/tmp/s/a.txt"));
    }
    let found = ok_text(&s, "search_files", json!({"path": "/tmp/s", "pattern": "readme"})).await;
    assert_eq!(found, "/tmp/s/README.TXT");
    assert_eq!(ok_text(&s, "search_files", json!({"path": "/tmp/s", "pattern": "*.none"})).await, "");
    err_text(&s, "search_files", json!({"path": "/tmp/missing", "pattern": "*"})).await;
}

#[tokio::test]
async fn symlinks_cannot_reach_host_files() {
    let (s, hosts) = session_with(&["/mnt/data"]);
    let outside = tempfile::tempdir().expect("outside");
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "host secret").expect("secret");
    let session_root = s.sb.root_dir().to_path_buf();
    run(&s, &format!(
        "ln -s /etc/shadow ~/shadow; ln -s {0} ~/secret; ln -s {1} ~/rootlink; ln -s {2} /mnt/data/escape; ln -s / ~/slash",
        secret.display(), session_root.parent().expect("parent").display(), outside.path().display()
    )).await;
    let r = tool(&s, "read_file", json!({"path": "/home/wuying/shadow"})).await;
    assert!(r.is_error && !r.joined_text().contains("root:"), "{r:?}");
    err_text(&s, "read_file", json!({"path": "/home/wuying/secret"})).await;
    err_text(&s, "write_file", json!({"path": "/home/wuying/secret", "content": "pwned"})).await;
    assert_eq!(std::fs::read_to_string(&secret).expect("secret"), "host secret");
    err_text(&s, "list_directory", json!({"path": "/home/wuying/rootlink/sys"})).await;
    // A write through a link to a host directory lands inside the sandbox, never on the host.
    let _ = tool(&s, "write_file", json!({"path": "/mnt/data/escape/new.txt", "content": "x"})).await;
    assert!(!outside.path().join("new.txt").exists());
    let multi =
        ok_text(&s, "read_multiple_files", json!({"paths": ["/home/wuying/secret", "/home/wuying/shadow"]})).await;
    assert!(!multi.contains("host secret") && !multi.contains("root:"), "{multi}");
    let ls = ok_text(&s, "list_directory", json!({"path": "/home/wuying/slash"})).await;
    assert!(!ls.contains("work") && !ls.contains("root]"), "{ls}");
    assert!(hosts[0].join("escape").is_symlink());
}

#[tokio::test]
async fn planted_symlink_at_mount_point_is_replaced() {
    let (s, _hosts) = session_with(&["/mnt/data"]);
    let victim = tempfile::tempdir().expect("victim");
    // Session replaces the parent of its mount point with a link to a host directory.
    // bwrap sets mounts up with the host root at /oldroot, so that is where such a link
    // would have to point to reach the host.
    let staged =
        run(&s, &format!("mv /mnt /mnt.old && ln -s /oldroot{} /mnt && ls -ld /mnt", victim.path().display())).await;
    assert!(staged.stdout.starts_with('l'), "attack staged: {staged:?}");
    let p = run(&s, "ls -ld /mnt; echo hi > /mnt/data/f").await;
    assert_eq!(std::fs::read_dir(victim.path()).expect("victim").count(), 0, "bwrap must not create dirs on the host");
    assert!(p.stdout.starts_with('d'), "/mnt is a real directory again: {p:?}");
    assert_eq!(p.stdout.lines().count(), 1);
}

#[tokio::test]
async fn bad_calls_are_tool_errors() {
    let s = session();
    assert_eq!(s.sb.call_tool("rm_rf", &json!({})).await, Err(ToolError::UnknownTool("rm_rf".into())));
    for (name, args) in [
        ("shell", json!({})),
        ("shell", json!({"command": 1})),
        ("shell", json!({"command": "x", "extra": true})),
        ("read_file", json!({"path": 5})),
        ("read_file", json!({"path": "/a", "format": "hex"})),
        ("write_file", json!({"path": "/a"})),
        ("search_files", json!({"path": "/", "pattern": "*", "excludePatterns": 3})),
        ("edit_file", json!({"path": "/a", "edits": [{"oldText": "a"}]})),
        ("read_multiple_files", json!({"paths": "x"})),
        ("move_file", json!({"source": "/a"})),
    ] {
        match s.sb.call_tool(name, &args).await {
            Err(ToolError::InvalidArgs(msg)) => assert!(msg.starts_with(name), "{msg}"),
            other => panic!("{name} {args}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn output_is_bounded() {
    let s = session();
    let (p, is_err) = sh(&s, json!({"command": "head -c 20000000 /dev/zero | tr '\\0' a", "timeout_ms": 20000})).await;
    assert!(!is_err);
    assert!(p.stdout.len() < 9 * 1024 * 1024, "{}", p.stdout.len());
    assert!(p.stdout.ends_with("truncated after 8388608 bytes]"));
}

#[test]
fn mount_path_validation() {
    for ok in ["/mnt/data", "/home/wuying/下载", "/data", "/tmp/x", "/mnt/data/", "/home/wuying"] {
        assert_eq!(validate_mount_path(ok), Ok(()), "{ok}");
    }
    for bad in [
        "",
        "relative/x",
        "/",
        "//",
        "/mnt/../etc",
        "/mnt/./x",
        "/mnt//x",
        "/usr",
        "/usr/local/x",
        "/etc/x",
        "/proc",
        "/dev/shm",
        "/sys/x",
        "/bin",
        "/lib/x",
        "/lib64",
        "/sbin",
        "/.agentbay",
        "/.agentbay/x",
        "/mnt/a\nb",
    ] {
        assert!(validate_mount_path(bad).is_err(), "{bad:?} must be rejected");
    }
    assert!(validate_mount_path("/usrdata").is_ok());
}

#[test]
fn create_rejects_bad_specs() {
    let (dir, host) = host_with(&SandboxConfig::default());
    let spec = |mounts: &[&str]| SandboxSpec {
        id: "bad".into(),
        session_dir: dir.path().join("sessions").join("s"),
        mount_paths: mounts.iter().map(|m| m.to_string()).collect(),
    };
    assert!(matches!(host.create(spec(&["/etc/x"])), Err(SandboxError::InvalidMount { .. })));
    assert!(matches!(host.create(spec(&["/a", "/a/"])), Err(SandboxError::InvalidMount { .. })));
    let missing = Sandboxes::start(&SandboxConfig::default(), Path::new("/nonexistent/helper"), dir.path());
    assert!(matches!(missing, Err(SandboxError::HelperMissing(_))));
}
