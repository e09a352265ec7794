//! Test harness: an in-process agentbay-local on a free port and a small HTTP
//! client that builds requests the way the official SDKs do (reference Appendix A).
#![allow(dead_code)]

pub mod native;

use agentbay_local::{Config, Running, Server};
use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use serde_json::Value;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

pub const VERSION: &str = "2025-05-06";

pub struct TestServer {
    pub running: Option<Running>,
    pub dir: tempfile::TempDir,
    pub endpoint: String,
    pub key: String,
    pub addr: std::net::SocketAddr,
}

/// The binary sandboxes run as their in-sandbox helper: the server binary in tests; in a
/// bench example (no `CARGO_BIN_EXE_*` there) the example itself, which serves the helper
/// subcommand like the server binary does.
pub fn helper_exe() -> std::path::PathBuf {
    match option_env!("CARGO_BIN_EXE_agentbay-local") {
        Some(p) => p.into(),
        None => std::env::current_exe().expect("own executable"),
    }
}

pub fn config(dir: &std::path::Path, keys: &[&str]) -> Config {
    let mut cfg = Config::new(dir, helper_exe());
    cfg.api_keys = keys.iter().map(|k| k.to_string()).collect();
    cfg
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(f: impl FnOnce(&mut Config)) -> TestServer {
        Self::start_in(tempfile::tempdir().unwrap(), f).await
    }

    /// Starts on `dir`, which may hold an earlier server's data (what a restart does).
    pub async fn start_in(dir: tempfile::TempDir, f: impl FnOnce(&mut Config)) -> TestServer {
        let mut cfg = config(dir.path(), &["akm-test-a", "akm-test-b"]);
        f(&mut cfg);
        let running = Server::start(cfg).await.expect("server starts");
        TestServer {
            endpoint: running.endpoint.clone(),
            key: running.api_keys[0].clone(),
            addr: running.addr,
            running: Some(running),
            dir,
        }
    }

    pub fn client(&self) -> Client {
        Client { addr: self.addr, key: self.key.clone(), style: Style::Ts, tls: None }
    }

    pub fn client_with_key(&self, key: &str) -> Client {
        Client { addr: self.addr, key: key.into(), style: Style::Ts, tls: None }
    }

    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
        self.dir
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().canonicalize().unwrap()
    }
}

/// How a request is framed and encoded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// TS SDK: chunked body, `%20` for spaces, `true`.
    Ts,
    /// Python SDK: Content-Length, `+` for spaces, `True`, `Host: http://…`.
    Python,
}

/// A request body sent chunked (no size hint) or with Content-Length.
pub struct TestBody {
    chunks: VecDeque<Bytes>,
    exact: Option<u64>,
}

impl TestBody {
    pub fn new(data: Vec<u8>, chunked: bool) -> TestBody {
        let len = data.len() as u64;
        let mut chunks = VecDeque::new();
        if chunked && data.len() > 1 {
            // Split so the server really has to reassemble chunks.
            let mid = data.len() / 2;
            chunks.push_back(Bytes::copy_from_slice(&data[..mid]));
            chunks.push_back(Bytes::copy_from_slice(&data[mid..]));
        } else if !data.is_empty() {
            chunks.push_back(Bytes::from(data));
        }
        TestBody { chunks, exact: if chunked { None } else { Some(len) } }
    }
}

impl Body for TestBody {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.chunks.pop_front().map(|b| Ok(Frame::data(b))))
    }
    fn size_hint(&self) -> SizeHint {
        match self.exact {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty() && self.exact.is_some()
    }
}

pub struct Response {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}

/// One HTTP/1.1 request on a fresh connection.
pub async fn send(
    addr: std::net::SocketAddr,
    tls: Option<&Arc<rustls::ClientConfig>>,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: TestBody,
) -> Response {
    try_send(addr, tls, method, path_and_query, headers, body)
        .await
        .unwrap_or_else(|e| panic!("{method} {path_and_query}: {e}"))
}

/// Like [`send`], but a connection that fails (a server killed on purpose) is an `Err`.
pub async fn try_send(
    addr: std::net::SocketAddr,
    tls: Option<&Arc<rustls::ClientConfig>>,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: TestBody,
) -> Result<Response, String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let tcp = tokio::net::TcpStream::connect(addr).await.map_err(|x| e(&x))?;
    let io: Box<dyn Io> = match tls {
        Some(cfg) => {
            let conn = tokio_rustls::TlsConnector::from(cfg.clone());
            let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
            Box::new(conn.connect(name, tcp).await.map_err(|x| e(&x))?)
        }
        None => Box::new(tcp),
    };
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io)).await.map_err(|x| e(&x))?;
    tokio::spawn(conn);
    let mut req = hyper::Request::builder().method(method).uri(path_and_query);
    let mut has_host = false;
    for (k, v) in headers {
        has_host |= k.eq_ignore_ascii_case("host");
        req = req.header(*k, *v);
    }
    if !has_host {
        req = req.header("host", addr.to_string());
    }
    let resp = tokio::time::timeout(Duration::from_secs(120), sender.send_request(req.body(body).unwrap()))
        .await
        .map_err(|_| "no response within 120 s".to_string())?
        .map_err(|x| e(&x))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = http_body_util::BodyExt::collect(resp.into_body()).await.map_err(|x| e(&x))?.to_bytes().to_vec();
    Ok(Response { status, headers, body })
}

/// Percent-encodes like the TS SDK (`%20`) or Python (`+`).
pub fn encode(pairs: &[(&str, &str)], style: Style) -> String {
    let enc = agentbay_wire::form::encode(pairs.iter().copied());
    match style {
        Style::Ts => enc,
        Style::Python => enc.replace("%20", "+"),
    }
}

#[derive(Clone)]
pub struct Client {
    pub addr: std::net::SocketAddr,
    pub key: String,
    pub style: Style,
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

impl Client {
    pub fn python(mut self) -> Client {
        self.style = Style::Python;
        self
    }

    /// A POP call shaped like the captured SDK requests: `Authorization` in the body,
    /// plus `query_fields` in the query string (e.g. GetSessionDetail's SessionId).
    pub async fn call_q(&self, action: &str, query_fields: &[(&str, &str)], body: &[(&str, &str)]) -> Response {
        let auth = format!("Bearer {}", self.key);
        let mut q: Vec<(&str, &str)> = vec![
            ("Action", action),
            ("Format", "json"),
            ("Version", VERSION),
            ("Timestamp", "2026-11-30T17:35:05Z"),
            ("SignatureNonce", "6e87aa0ff0"),
        ];
        q.extend_from_slice(query_fields);
        let mut b: Vec<(&str, &str)> = Vec::new();
        if !query_fields.iter().any(|(k, _)| *k == "Authorization") {
            b.push(("Authorization", &auth));
        }
        b.extend_from_slice(body);
        let path = format!("/?{}", encode(&q, Style::Ts));
        let form = encode(&b, self.style);
        let host_py = format!("http://{}", self.addr);
        let mut headers = vec![
            ("x-acs-version", VERSION),
            ("x-acs-action", action),
            ("user-agent", "AlibabaCloud (linux; x64) Node.js/v20 Core/1.0.1 TeaDSL/2"),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        if self.style == Style::Python && self.tls.is_none() {
            headers.push(("host", &host_py));
        }
        send(
            self.addr,
            self.tls.as_ref(),
            "POST",
            &path,
            &headers,
            TestBody::new(form.into_bytes(), self.style == Style::Ts),
        )
        .await
    }

    pub async fn call(&self, action: &str, body: &[(&str, &str)]) -> Response {
        self.call_q(action, &[], body).await
    }

    /// A call to a server that may be gone (killed on purpose): `None` when nothing answered.
    pub async fn try_call(&self, action: &str, body: &[(&str, &str)]) -> Option<Response> {
        let auth = format!("Bearer {}", self.key);
        let q = encode(&[("Action", action), ("Version", VERSION)], Style::Ts);
        let mut b: Vec<(&str, &str)> = vec![("Authorization", &auth)];
        b.extend_from_slice(body);
        let form = encode(&b, Style::Ts);
        let headers = [("content-type", "application/x-www-form-urlencoded")];
        try_send(self.addr, None, "POST", &format!("/?{q}"), &headers, TestBody::new(form.into_bytes(), false))
            .await
            .ok()
    }

    /// Calls and asserts `Success: true`; returns the body JSON.
    pub async fn ok(&self, action: &str, body: &[(&str, &str)]) -> Value {
        let r = self.call(action, body).await;
        let v = r.json();
        assert_eq!(r.status, 200, "{action} failed: {v}");
        assert_eq!(v["Success"], true, "{action}: {v}");
        assert!(v["RequestId"].as_str().is_some_and(|s| !s.is_empty()));
        v
    }

    /// Calls and asserts an error with `code` and HTTP `status`; returns the message.
    pub async fn err(&self, action: &str, body: &[(&str, &str)], status: u16, code: &str) -> String {
        let r = self.call(action, body).await;
        expect_err(&r, status, code)
    }

    pub async fn context(&self, name: &str) -> String {
        let v = self.ok("GetContext", &[("Name", name), ("AllowCreate", "true")]).await;
        v["Data"]["Id"].as_str().unwrap().to_string()
    }

    /// Stores `content` at `path` in context `ctx` through a presigned URL.
    pub async fn put_file(&self, ctx: &str, path: &str, content: &[u8]) {
        let v = self.ok("GetContextFileUploadUrl", &[("ContextId", ctx), ("FilePath", path)]).await;
        let url = v["Data"]["Url"].as_str().unwrap();
        let r = fetch(self, "PUT", url, content.to_vec()).await;
        assert_eq!(r.status, 200, "PUT {url}: {}", String::from_utf8_lossy(&r.body));
    }

    pub async fn get_file(&self, ctx: &str, path: &str) -> Vec<u8> {
        self.try_get_file(ctx, path).await.unwrap_or_else(|| panic!("{path}: InvalidFile.NotFound"))
    }

    /// Like [`Self::get_file`], but `None` when the file is gone by the time it is asked for
    /// (a concurrent upload removed it), for views taken while a session keeps uploading.
    pub async fn try_get_file(&self, ctx: &str, path: &str) -> Option<Vec<u8>> {
        let r = self.call("GetContextFileDownloadUrl", &[("ContextId", ctx), ("FilePath", path)]).await;
        if r.status == 400 && r.json()["Code"] == "InvalidFile.NotFound" {
            return None;
        }
        assert_eq!(r.status, 200, "GetContextFileDownloadUrl: {}", String::from_utf8_lossy(&r.body));
        let url = r.json()["Data"]["Url"].as_str().unwrap().to_string();
        let got = fetch(self, "GET", &url, Vec::new()).await;
        if got.status == 400 && got.json()["Code"] == "InvalidFile.NotFound" {
            return None;
        }
        assert_eq!(got.status, 200, "GET {url}: {}", String::from_utf8_lossy(&got.body));
        Some(got.body)
    }

    pub async fn list_files(&self, ctx: &str, parent: &str) -> Vec<(String, String, u64)> {
        let v = self
            .ok(
                "DescribeContextFiles",
                &[("ContextId", ctx), ("ParentFolderPath", parent), ("PageNumber", "1"), ("PageSize", "50")],
            )
            .await;
        v["Data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["FileName"].as_str().unwrap().into(),
                    f["FileType"].as_str().unwrap().into(),
                    f["Size"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    pub async fn create_session(&self, pdl: &str) -> String {
        let v = self
            .ok("CreateMcpSession", &[("ImageId", "linux_latest"), ("Labels", "{}"), ("PersistenceDataList", pdl)])
            .await;
        v["Data"]["SessionId"].as_str().unwrap().to_string()
    }

    /// GetContextInfo tasks for the session (decoded).
    pub async fn tasks(&self, sid: &str, extra: &[(&str, &str)]) -> Vec<agentbay_wire::context_status::TaskStatus> {
        let mut b = vec![("SessionId", sid)];
        b.extend_from_slice(extra);
        let v = self.ok("GetContextInfo", &b).await;
        let s = v["Data"]["ContextStatus"].as_str().expect("ContextStatus is a string");
        agentbay_wire::context_status::decode(s).unwrap()
    }

    /// Polls like the SDK until every listed task is terminal.
    pub async fn wait_tasks(&self, sid: &str) -> Vec<agentbay_wire::context_status::TaskStatus> {
        self.wait_tasks_every(sid, Duration::from_millis(50)).await
    }

    /// [`Self::wait_tasks`] polling every `every`, for at most 30 s (benchmarks poll finely).
    pub async fn wait_tasks_every(&self, sid: &str, every: Duration) -> Vec<agentbay_wire::context_status::TaskStatus> {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            let t = self.tasks(sid, &[]).await;
            if t.iter().all(|t| t.status == "Success" || t.status == "Failed") {
                return t;
            }
            tokio::time::sleep(every).await;
        }
        panic!("tasks never finished");
    }

    /// DeleteSessionAsync then GetSessionDetail polling until NotFound (as the SDKs do).
    /// Returns the statuses seen while polling.
    pub async fn delete_session(&self, sid: &str) -> Vec<String> {
        self.delete_session_every(sid, Duration::from_millis(50)).await
    }

    /// [`Self::delete_session`] polling every `every`, for at most 60 s.
    pub async fn delete_session_every(&self, sid: &str, every: Duration) -> Vec<String> {
        self.ok("DeleteSessionAsync", &[("SessionId", sid)]).await;
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            let r = self.call_q("GetSessionDetail", &[("SessionId", sid)], &[]).await;
            if r.status == 400 && r.json()["Code"] == "InvalidMcpSession.NotFound" {
                return seen;
            }
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
            seen.push(r.json()["Data"]["Status"].as_str().unwrap().to_string());
            tokio::time::sleep(every).await;
        }
        panic!("session {sid} never went away");
    }

    /// Runs `command` in the session and asserts it exited 0.
    pub async fn run(&self, sid: &str, command: &str) -> agentbay_wire::tool::ShellPayload {
        let out = self.shell(sid, command).await;
        assert_eq!(out.exit_code, 0, "{command}: {out:?}");
        out
    }

    pub async fn shell(&self, sid: &str, command: &str) -> agentbay_wire::tool::ShellPayload {
        let args = serde_json::json!({"command": command, "timeout_ms": 20000}).to_string();
        let v = self
            .ok(
                "CallMcpTool",
                &[("Args", &args), ("AutoGenSession", "false"), ("Name", "shell"), ("Server", ""), ("SessionId", sid)],
            )
            .await;
        assert_eq!(v["Data"]["isError"], false, "{v}");
        let text = v["Data"]["content"][0]["text"].as_str().unwrap();
        serde_json::from_str(text).unwrap()
    }
}

pub fn expect_err(r: &Response, status: u16, code: &str) -> String {
    let v = r.json();
    assert_eq!(r.status, status, "expected HTTP {status} {code}, got {v}");
    assert_eq!(v["Code"], code, "{v}");
    assert_eq!(v["Success"], false, "{v}");
    assert!(v["RequestId"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
    let msg = v["Message"].as_str().unwrap().to_string();
    assert!(!msg.is_empty());
    msg
}

/// GET/PUT of a presigned URL (`http://host:port/files?...`).
pub async fn fetch(c: &Client, method: &str, url: &str, body: Vec<u8>) -> Response {
    let rest = url.split_once("://").unwrap().1;
    let (host, pq) = rest.split_at(rest.find('/').unwrap());
    send(c.addr, c.tls.as_ref(), method, pq, &[("host", host)], TestBody::new(body, false)).await
}

/// Like [`fetch`], for a server that may be gone: `None` when nothing answered.
pub async fn try_fetch(c: &Client, method: &str, url: &str, body: Vec<u8>) -> Option<Response> {
    let rest = url.split_once("://")?.1;
    let (host, pq) = rest.split_at(rest.find('/')?);
    try_send(c.addr, c.tls.as_ref(), method, pq, &[("host", host)], TestBody::new(body, false)).await.ok()
}

/// PersistenceDataList as the SDKs send it (the contract's encoding: Policy double encoded, optional).
pub fn pdl(items: &[(&str, &str, Option<&str>)]) -> String {
    use agentbay_wire::persistence::{PersistenceData, PersistenceDataList};
    use agentbay_wire::request::FieldValue;
    let list = items
        .iter()
        .map(|(c, p, pol)| PersistenceData {
            context_id: c.to_string(),
            path: p.to_string(),
            policy: pol.map(String::from),
            ..Default::default()
        })
        .collect();
    PersistenceDataList(list).encode().unwrap_or_default()
}

/// The official default policy JSON (pinned byte for byte in crates/agentbay-wire/src/policy.rs).
pub fn default_policy() -> String {
    serde_json::to_string(&agentbay_wire::policy::SyncPolicy::default()).unwrap()
}

/// The real `agentbay-local` binary on a free port with `--data-dir data` and `extra` flags.
/// Returns the child and the endpoint and API key from its startup line.
pub fn spawn_binary(data: &std::path::Path, extra: &[&str]) -> (std::process::Child, String, String) {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::CommandExt;
    // AGENTBAY_TEST_BINARY runs the binary-level tests against another build (an older
    // version, to show a regression test fails there).
    let exe = std::env::var_os("AGENTBAY_TEST_BINARY").map(std::path::PathBuf::from).unwrap_or_else(helper_exe);
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit());
    // A test that panics before it stops its server must not leave it running (it would
    // hold the test's stderr open, and cargo would wait for it forever).
    // SAFETY: prctl only sets this child's parent-death signal.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
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

/// A client of a spawned binary's plain-HTTP endpoint.
pub fn binary_client(endpoint: &str, key: &str) -> Client {
    let addr = endpoint.strip_prefix("http://").unwrap().parse().unwrap();
    Client { addr, key: key.into(), style: Style::Ts, tls: None }
}

/// SIGTERM, then the exit status must be success (a graceful shutdown).
pub fn terminate(mut child: std::process::Child) {
    // SAFETY: plain kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful exit: {status:?}");
}

/// Number of stored blobs (distinct contents) in a data dir.
pub fn blob_count(data_dir: &std::path::Path) -> usize {
    let mut n = 0;
    for d in std::fs::read_dir(data_dir.join("blobs")).unwrap() {
        let d = d.unwrap();
        if d.file_name() != "tmp" && d.file_type().unwrap().is_dir() {
            n += std::fs::read_dir(d.path())
                .unwrap()
                .filter(|e| e.as_ref().unwrap().file_type().unwrap().is_file())
                .count();
        }
    }
    n
}

/// xorshift64*: deterministic pseudo-random numbers without a dependency (test data, kill moments).
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}
