//! The `agentbay-local` binary: startup line, generated key reuse, SIGTERM shutdown (issue 2 §2).

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

fn spawn(data: &std::path::Path, extra: &[&str]) -> (Child, String, String) {
    let mut child = Command::new(helper_exe())
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let field = |k: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .unwrap_or_else(|| panic!("no {k} in {line:?}"))
            .to_string()
    };
    assert!(line.starts_with("agentbay-local listening endpoint="), "{line:?}");
    assert!(line.contains(&format!("data_dir={}", data.canonicalize().unwrap().display())), "{line:?}");
    (child, field("endpoint="), field("api_key="))
}

fn terminate(mut child: Child) {
    // SAFETY: plain kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful exit: {status:?}");
}

fn client(endpoint: &str, key: &str) -> Client {
    let addr = endpoint.strip_prefix("http://").unwrap().parse().unwrap();
    Client { addr, key: key.into(), style: Style::Ts, tls: None }
}

#[tokio::test]
async fn binary_prints_startup_line_reuses_generated_key_and_shuts_down_on_sigterm() {
    let data = tempfile::tempdir().unwrap();
    let (child, endpoint, key) = spawn(data.path(), &[]);
    assert!(key.starts_with("akm-"), "{key}");
    let c = client(&endpoint, &key);
    let ctx = c.context("cli").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    c.wait_tasks(&sid).await;
    c.shell(&sid, "echo kept > /mnt/data/k.txt").await;
    terminate(child);

    let (child, endpoint, key2) = spawn(data.path(), &[]);
    assert_eq!(key2, key, "generated key stored and reused");
    let c = client(&endpoint, &key);
    assert_eq!(c.get_file(&ctx, "/mnt/data/k.txt").await, b"kept\n", "SIGTERM released the session with upload");
    terminate(child);

    // Explicit keys replace the stored one; each is a tenant.
    let (child, endpoint, key3) = spawn(data.path(), &["--api-key", "k1", "--api-key", "k2"]);
    assert_eq!(key3, "k1");
    client(&endpoint, "k2").ok("ListContexts", &[]).await;
    client(&endpoint, &key).err("ListContexts", &[], 401, "InvalidApiKey").await;
    terminate(child);

    let (child, endpoint, _) = spawn(data.path(), &["--tls-self-signed"]);
    assert!(endpoint.starts_with("https://127.0.0.1:"), "{endpoint}");
    terminate(child);
}

#[test]
fn bad_arguments_fail_with_a_message() {
    let out = Command::new(helper_exe()).args(["--tls-cert", "/nonexistent"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"));
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(helper_exe())
        .args([
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            "/nonexistent.pem",
            "--tls-key",
            "/nonexistent.key",
            "--data-dir",
        ])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nonexistent.pem"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
