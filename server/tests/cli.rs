//! The `agentbay-local` binary: startup line, generated key reuse, SIGTERM shutdown (issue 2 §2).

mod common;
use common::*;
use std::process::Command;

#[tokio::test]
async fn binary_prints_startup_line_reuses_generated_key_and_shuts_down_on_sigterm() {
    let data = tempfile::tempdir().unwrap();
    let (child, endpoint, key) = spawn_binary(data.path(), &[]);
    assert!(key.starts_with("akm-"), "{key}");
    let c = binary_client(&endpoint, &key);
    let ctx = c.context("cli").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    c.wait_tasks(&sid).await;
    c.shell(&sid, "echo kept > /mnt/data/k.txt").await;
    terminate(child);

    let (child, endpoint, key2) = spawn_binary(data.path(), &[]);
    assert_eq!(key2, key, "generated key stored and reused");
    let c = binary_client(&endpoint, &key);
    assert_eq!(c.get_file(&ctx, "/mnt/data/k.txt").await, b"kept\n", "SIGTERM released the session with upload");
    terminate(child);

    // Explicit keys replace the stored one; each is a tenant.
    let (child, endpoint, key3) = spawn_binary(data.path(), &["--api-key", "k1", "--api-key", "k2"]);
    assert_eq!(key3, "k1");
    binary_client(&endpoint, "k2").ok("ListContexts", &[]).await;
    binary_client(&endpoint, &key).err("ListContexts", &[], 401, "InvalidApiKey").await;
    terminate(child);

    let (child, endpoint, _) = spawn_binary(data.path(), &["--tls-self-signed"]);
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
