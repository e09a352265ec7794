//! CORS: a browser page on another origin calls the API and the presigned URLs with `fetch`.
//! Requests are shaped like the SDK's browser build sends them (`src/core/request.rs`): `POST /?Action=…`,
//! form body with `Authorization`, headers `x-acs-version`, `x-acs-action`, `content-type`, plus `Origin`.

mod common;
use agentbay_local::cors::{Cors, CorsError};
use agentbay_local::{Server, StartError};
use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const PAGE: &str = "http://localhost:5173";
const OTHER: &str = "https://evil.example";
const SDK_HEADERS: &str = "content-type,x-acs-action,x-acs-version";
const ALL_CORS: [&str; 7] = [
    "access-control-allow-private-network",
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    "access-control-expose-headers",
    "access-control-allow-credentials",
];

fn header<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

fn vary(r: &Response) -> Vec<String> {
    r.headers
        .get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(',').map(|s| s.trim().to_ascii_lowercase()))
        .collect()
}

fn assert_no_cors(r: &Response, what: &str) {
    for h in ALL_CORS {
        assert!(r.headers.get(h).is_none(), "{what}: unexpected {h}: {:?}", r.headers);
    }
}

/// The browser's preflight for a request to `path_and_query`.
async fn preflight(addr: std::net::SocketAddr, path_and_query: &str, origin: &str, method: &str) -> Response {
    let headers = [
        ("origin", origin),
        ("access-control-request-method", method),
        ("access-control-request-headers", SDK_HEADERS),
    ];
    send(addr, None, "OPTIONS", path_and_query, &headers, TestBody::new(Vec::new(), false)).await
}

/// An API call as the SDK's `fetch` sends it, from page `origin` (None: not a browser).
async fn api_call(
    addr: std::net::SocketAddr,
    key: &str,
    origin: Option<&str>,
    action: &str,
    fields: &[(&str, &str)],
) -> Response {
    let q = [("Action", action), ("Format", "json"), ("Version", VERSION), ("SignatureNonce", "a1")];
    let auth = format!("Bearer {key}");
    let mut body = vec![("Authorization", auth.as_str())];
    body.extend_from_slice(fields);
    let mut headers = vec![
        ("x-acs-version", VERSION),
        ("x-acs-action", action),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    if let Some(o) = origin {
        headers.push(("origin", o));
    }
    let path = format!("/?{}", encode(&q, Style::Ts));
    send(addr, None, "POST", &path, &headers, TestBody::new(encode(&body, Style::Ts).into_bytes(), false)).await
}

/// `/files?...` of a presigned URL.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    rest[rest.find('/').unwrap()..].to_string()
}

fn assert_preflight_allows(r: &Response, allow_origin: &str, what: &str) {
    assert_eq!(r.status, 204, "{what}: {}", String::from_utf8_lossy(&r.body));
    assert!(r.body.is_empty(), "{what}: a preflight has no body (no RequestId envelope)");
    assert_eq!(header(r, "access-control-allow-origin"), Some(allow_origin), "{what}");
    assert_eq!(header(r, "access-control-allow-methods"), Some("GET, POST, PUT, OPTIONS"), "{what}");
    assert_eq!(header(r, "access-control-allow-headers"), Some(SDK_HEADERS), "{what}");
    assert_eq!(header(r, "access-control-max-age"), Some("7200"), "{what}");
    assert!(vary(r).contains(&"access-control-request-headers".to_string()), "{what}");
    assert!(r.headers.get("access-control-allow-credentials").is_none(), "{what}: credentials are never allowed");
}

fn assert_actual_allows(r: &Response, allow_origin: &str, what: &str) {
    assert_eq!(header(r, "access-control-allow-origin"), Some(allow_origin), "{what}");
    assert_eq!(header(r, "access-control-expose-headers"), Some("content-length"), "{what}");
    assert!(r.headers.get("access-control-allow-credentials").is_none(), "{what}");
}

#[tokio::test]
async fn preflight_for_api_and_presigned_urls_needs_no_key_and_is_not_an_api_call() {
    let ts = TestServer::start().await;
    let c = ts.client();
    let ctx = c.context("cors-pre").await;
    let up = c.ok("GetContextFileUploadUrl", &[("ContextId", &ctx), ("FilePath", "/mnt/data/a.bin")]).await;
    let up = path_of(up["Data"]["Url"].as_str().unwrap());

    for (path, method) in [
        ("/", "POST"),
        ("/?Action=CreateMcpSession&Format=json&Version=2025-05-06", "POST"),
        (up.as_str(), "PUT"),
        ("/files", "GET"),
    ] {
        let r = preflight(ts.addr, path, PAGE, method).await;
        assert_preflight_allows(&r, "*", &format!("OPTIONS {path}"));
    }
    // A preflight asking for other headers gets exactly those back.
    let r = send(
        ts.addr,
        None,
        "OPTIONS",
        &up,
        &[("origin", PAGE), ("access-control-request-method", "PUT"), ("access-control-request-headers", "x-custom")],
        TestBody::new(Vec::new(), false),
    )
    .await;
    assert_eq!(r.status, 204);
    assert_eq!(header(&r, "access-control-allow-headers"), Some("x-custom"));

    // Chrome's Private Network Access preflight (a public page reaching a loopback server).
    let pna = [
        ("origin", "https://app.example.com"),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", SDK_HEADERS),
        ("access-control-request-private-network", "true"),
    ];
    let r = send(ts.addr, None, "OPTIONS", "/", &pna, TestBody::new(Vec::new(), false)).await;
    assert_preflight_allows(&r, "*", "PNA preflight");
    assert_eq!(header(&r, "access-control-allow-private-network"), Some("true"));
    let r = preflight(ts.addr, "/", PAGE, "POST").await;
    assert!(r.headers.get("access-control-allow-private-network").is_none(), "only when asked");

    // The preflight stored nothing: the context is still empty.
    assert_eq!(c.list_files(&ctx, "/mnt/data").await, vec![]);
    // An OPTIONS that is not a preflight (no Access-Control-Request-Method) is an ordinary request: `/`
    // has no OPTIONS method, so it is refused, still with the CORS headers.
    let r = send(ts.addr, None, "OPTIONS", "/", &[("origin", PAGE)], TestBody::new(Vec::new(), false)).await;
    assert_eq!(r.status, 405);
    assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn api_success_and_error_envelopes_carry_cors_headers() {
    let ts = TestServer::start().await;
    let r =
        api_call(ts.addr, &ts.key, Some(PAGE), "GetContext", &[("Name", "cors-api"), ("AllowCreate", "true")]).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["Success"], true);
    assert!(r.json()["Data"]["Id"].as_str().is_some_and(|s| s.starts_with("SdkCtx-")), "{}", r.json());
    assert_actual_allows(&r, "*", "GetContext");

    let r = api_call(ts.addr, "akm-wrong", Some(PAGE), "ListContexts", &[]).await;
    expect_err(&r, 401, "InvalidApiKey");
    assert_actual_allows(&r, "*", "bad key");

    let r = api_call(ts.addr, &ts.key, Some(PAGE), "NoSuchAction", &[]).await;
    expect_err(&r, 400, "InvalidAction.NotFound");
    assert_actual_allows(&r, "*", "unknown action");

    let r = send(ts.addr, None, "POST", "/nowhere", &[("origin", PAGE)], TestBody::new(Vec::new(), false)).await;
    assert_eq!(r.json()["Success"], false);
    assert_actual_allows(&r, "*", "unknown path");

    // `*` is a constant answer: also sent to non-browser clients, so caches never mix variants.
    let r = api_call(ts.addr, &ts.key, None, "ListContexts", &[]).await;
    assert_eq!(r.status, 200);
    assert_actual_allows(&r, "*", "no Origin");
    assert!(!vary(&r).contains(&"origin".to_string()));
}

#[tokio::test]
async fn presigned_put_and_get_carry_cors_headers() {
    let ts = TestServer::start().await;
    let c = ts.client();
    let ctx = c.context("cors-files").await;
    let up = c.ok("GetContextFileUploadUrl", &[("ContextId", &ctx), ("FilePath", "/mnt/data/pic.png")]).await;
    let up = path_of(up["Data"]["Url"].as_str().unwrap());
    let content: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let r = send(
        ts.addr,
        None,
        "PUT",
        &up,
        &[("origin", PAGE), ("content-type", "image/png")],
        TestBody::new(content.clone(), true),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_actual_allows(&r, "*", "presigned PUT");
    assert_eq!(c.list_files(&ctx, "/mnt/data").await, vec![("pic.png".into(), "file".into(), 70_000)]);

    let down = c.ok("GetContextFileDownloadUrl", &[("ContextId", &ctx), ("FilePath", "/mnt/data/pic.png")]).await;
    let down = path_of(down["Data"]["Url"].as_str().unwrap());
    let r = send(ts.addr, None, "GET", &down, &[("origin", PAGE)], TestBody::new(Vec::new(), false)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, content);
    assert_eq!(header(&r, "content-length"), Some("70000"));
    assert_actual_allows(&r, "*", "presigned GET");

    // A tampered URL's 403 is readable by the page too.
    let bad = down.replace("sig=", "sig=00");
    let r = send(ts.addr, None, "GET", &bad, &[("origin", PAGE)], TestBody::new(Vec::new(), false)).await;
    expect_err(&r, 403, "SignatureDoesNotMatch");
    assert_actual_allows(&r, "*", "presigned GET, bad signature");

    // The stored file survives into a session: the page's upload crossed the sync boundary.
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    c.wait_tasks(&sid).await;
    let out = c.shell(&sid, "ls /mnt/data; sha256sum /mnt/data/pic.png | cut -c1-16").await;
    use sha2::Digest;
    let want = hex::encode(sha2::Sha256::digest(&content));
    assert_eq!(out.stdout.trim_end(), format!("pic.png\n{}", &want[..16]), "{out:?}");
    c.delete_session(&sid).await;
}

#[tokio::test]
async fn cors_origin_list_answers_only_the_named_origins() {
    let ts = TestServer::start_with(|cfg| {
        cfg.cors = Cors::Origins(vec![format!("{PAGE}/"), "https://app.example.com:443".into()]);
    })
    .await;
    let c = ts.client();
    let ctx = c.context("cors-list").await;

    for origin in [PAGE, "https://app.example.com"] {
        let r = preflight(ts.addr, "/", origin, "POST").await;
        assert_preflight_allows(&r, origin, origin);
        assert!(vary(&r).contains(&"origin".to_string()));
        let r = api_call(ts.addr, &ts.key, Some(origin), "ListContexts", &[]).await;
        assert_eq!(r.status, 200);
        assert_actual_allows(&r, origin, origin);
        assert!(vary(&r).contains(&"origin".to_string()));
    }

    // Another origin (also a near miss: other port, other scheme) gets no CORS header at all; the
    // browser then refuses to hand the response to the page.
    for origin in [OTHER, "http://localhost:5174", "https://localhost:5173", "null"] {
        let pna = [
            ("origin", origin),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", SDK_HEADERS),
            ("access-control-request-private-network", "true"),
        ];
        let r = send(ts.addr, None, "OPTIONS", "/", &pna, TestBody::new(Vec::new(), false)).await;
        assert_eq!(r.status, 204, "{origin}");
        assert!(r.body.is_empty());
        assert_no_cors(&r, origin);
        let r = api_call(ts.addr, &ts.key, Some(origin), "GetContext", &[("Name", "cors-list")]).await;
        assert_eq!(r.json()["Data"]["Id"], ctx.as_str());
        assert_no_cors(&r, origin);
        assert!(vary(&r).contains(&"origin".to_string()));
    }
    // Without Origin (curl, the Node SDK): no CORS header, but Vary so a cache keeps variants apart.
    let r = api_call(ts.addr, &ts.key, None, "ListContexts", &[]).await;
    assert_no_cors(&r, "no Origin");
    assert!(vary(&r).contains(&"origin".to_string()));
}

#[tokio::test]
async fn no_cors_sends_no_cors_headers_and_options_reaches_the_api() {
    let ts = TestServer::start_with(|cfg| cfg.cors = Cors::Off).await;
    let r = preflight(ts.addr, "/", PAGE, "POST").await;
    assert_eq!(r.status, 405, "no CORS: OPTIONS is an ordinary, unsupported method");
    assert_no_cors(&r, "preflight");
    let r = api_call(ts.addr, &ts.key, Some(PAGE), "ListContexts", &[]).await;
    assert_eq!(r.status, 200);
    assert_no_cors(&r, "POST");
}

#[tokio::test]
async fn default_is_off_on_a_non_loopback_listener_unless_origins_are_named() {
    let ts = TestServer::start_with(|cfg| cfg.listen = "0.0.0.0:0".parse().unwrap()).await;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], ts.addr.port()));
    let r = api_call(addr, &ts.key, Some(PAGE), "ListContexts", &[]).await;
    assert_eq!(r.status, 200);
    assert_no_cors(&r, "0.0.0.0 default");
    ts.stop().await;

    let ts = TestServer::start_with(|cfg| {
        cfg.listen = "0.0.0.0:0".parse().unwrap();
        cfg.cors = Cors::Origins(vec!["*".into()]);
    })
    .await;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], ts.addr.port()));
    assert_preflight_allows(&preflight(addr, "/", PAGE, "POST").await, "*", "0.0.0.0 with '*'");
}

#[tokio::test]
async fn invalid_cors_config_is_refused_at_start() {
    for (origins, want) in [
        (vec!["http://localhost:5173/app"], CorsError::NotAnOrigin("http://localhost:5173/app".into())),
        (vec!["localhost:5173"], CorsError::NotAnOrigin("localhost:5173".into())),
        (vec!["*", PAGE], CorsError::WildcardWithOthers),
        (vec![], CorsError::Empty),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config(dir.path(), &["akm-test-a"]);
        cfg.cors = Cors::Origins(origins.iter().map(|s| s.to_string()).collect());
        match Server::start(cfg).await {
            Err(StartError::Cors(e)) => assert_eq!(e, want),
            Err(e) => panic!("{origins:?}: wrong error {e}"),
            Ok(_) => panic!("{origins:?}: accepted"),
        }
    }
}

/// Starts the real binary; returns the child and its address, or its stderr if it exited.
fn spawn(
    data: &std::path::Path,
    extra: &[&str],
) -> Result<(std::process::Child, std::net::SocketAddr, String), String> {
    let mut child = Command::new(helper_exe())
        .args(["--listen", "127.0.0.1:0", "--api-key", "akm-cli", "--data-dir"])
        .arg(data)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    if line.is_empty() {
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success());
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let endpoint = line.split_whitespace().find_map(|w| w.strip_prefix("endpoint=")).unwrap();
    let addr = endpoint.strip_prefix("http://").unwrap().parse().unwrap();
    Ok((child, addr, "akm-cli".into()))
}

fn terminate(mut child: std::process::Child) {
    // SAFETY: plain kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());
}

#[tokio::test]
async fn binary_flags_cors_origin_and_no_cors() {
    let data = tempfile::tempdir().unwrap();
    let (child, addr, key) = spawn(data.path(), &[]).unwrap();
    assert_preflight_allows(&preflight(addr, "/", PAGE, "POST").await, "*", "binary default");
    terminate(child);

    let (child, addr, key2) = spawn(data.path(), &["--no-cors"]).unwrap();
    assert_eq!(key2, key);
    assert_eq!(preflight(addr, "/", PAGE, "POST").await.status, 405);
    let r = api_call(addr, &key, Some(PAGE), "ListContexts", &[]).await;
    assert_eq!(r.status, 200);
    assert_no_cors(&r, "--no-cors");
    terminate(child);

    let (child, addr, _) =
        spawn(data.path(), &["--cors-origin", "HTTP://LOCALHOST:5173", "--cors-origin", "https://app.example"])
            .unwrap();
    for origin in [PAGE, "https://app.example"] {
        assert_preflight_allows(&preflight(addr, "/", origin, "POST").await, origin, origin);
        assert_actual_allows(&api_call(addr, &key, Some(origin), "ListContexts", &[]).await, origin, origin);
    }
    assert_no_cors(&api_call(addr, &key, Some(OTHER), "ListContexts", &[]).await, OTHER);
    terminate(child);

    let err = spawn(data.path(), &["--cors-origin", "http://localhost:5173/app"]).unwrap_err();
    assert!(err.contains("'http://localhost:5173/app' is not an origin"), "{err}");
    let err = spawn(data.path(), &["--cors-origin", PAGE, "--no-cors"]).unwrap_err();
    assert!(err.contains("cannot be used with"), "{err}");
    let err = spawn(data.path(), &["--cors-origin", "*", "--cors-origin", PAGE]).unwrap_err();
    assert!(err.contains("give it alone"), "{err}");
}
