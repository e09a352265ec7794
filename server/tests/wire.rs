//! Wire protocol, authentication and tenant isolation over real HTTP (issue 2 §1, §3).

mod common;
use common::*;

#[tokio::test]
async fn unknown_or_missing_action_and_wrong_version_get_precise_errors() {
    let s = TestServer::start().await;
    let c = s.client();
    let msg = c.err("FlyToTheMoon", &[], 400, "InvalidAction.NotFound").await;
    assert!(msg.contains("FlyToTheMoon"), "{msg}");
    // No Action anywhere.
    let r = send(
        s.addr,
        None,
        "POST",
        "/",
        &[("content-type", "application/x-www-form-urlencoded")],
        TestBody::new(b"Authorization=Bearer%20akm-test-a".to_vec(), false),
    )
    .await;
    expect_err(&r, 400, "InvalidAction.NotFound");
    // Wrong version in the query.
    let r = send(
        s.addr,
        None,
        "POST",
        "/?Action=ListContexts&Version=2017-01-01",
        &[],
        TestBody::new(b"Authorization=Bearer%20akm-test-a".to_vec(), true),
    )
    .await;
    let msg = expect_err(&r, 400, "InvalidVersion");
    assert!(msg.contains("2025-05-06"), "{msg}");
    // Action only in the x-acs-action header is enough.
    let r = send(
        s.addr,
        None,
        "POST",
        "/",
        &[("x-acs-action", "ListContexts")],
        TestBody::new(b"Authorization=Bearer%20akm-test-a".to_vec(), true),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["Success"], true);
    s.stop().await;
}

#[tokio::test]
async fn get_with_everything_in_the_query_works() {
    // The TS SDK's GetAndLoadInternalContext style: GET / with all parameters (incl. Authorization) in the query.
    let s = TestServer::start().await;
    let q = encode(
        &[
            ("Action", "GetContext"),
            ("Version", VERSION),
            ("Authorization", "Bearer akm-test-a"),
            ("Name", "q ctx"),
            ("AllowCreate", "TRUE"),
        ],
        Style::Ts,
    );
    let r = send(s.addr, None, "GET", &format!("/?{q}"), &[], TestBody::new(Vec::new(), false)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    assert_eq!(v["Data"]["Name"], "q ctx");
    assert_eq!(v["HttpStatusCode"], 200);
    s.stop().await;
}

#[tokio::test]
async fn authentication_errors() {
    let s = TestServer::start().await;
    // Missing Authorization.
    let r = send(
        s.addr,
        None,
        "POST",
        "/?Action=ListContexts&Version=2025-05-06",
        &[("content-type", "application/x-www-form-urlencoded")],
        TestBody::new(b"MaxResults=10".to_vec(), true),
    )
    .await;
    expect_err(&r, 401, "MissingParameter.Authorization");
    // Unknown key.
    s.client_with_key("akm-wrong").err("ListContexts", &[], 401, "InvalidApiKey").await;
    // Not a Bearer value.
    let r = send(
        s.addr,
        None,
        "POST",
        "/?Action=ListContexts",
        &[],
        TestBody::new(b"Authorization=akm-test-a".to_vec(), true),
    )
    .await;
    expect_err(&r, 401, "MissingParameter.Authorization");
    // Authorization in the query (SyncContext style) is accepted, `bearer` case-insensitively.
    let r = send(
        s.addr,
        None,
        "POST",
        "/?Action=ListContexts&Authorization=bearer%20akm-test-a",
        &[],
        TestBody::new(Vec::new(), true),
    )
    .await;
    assert_eq!(r.status, 200);
    s.stop().await;
}

#[tokio::test]
async fn malformed_forms_are_refused() {
    let s = TestServer::start().await;
    let post = |body: Vec<u8>, ct: &'static str| {
        let addr = s.addr;
        async move {
            send(
                addr,
                None,
                "POST",
                "/?Action=GetContext&Version=2025-05-06",
                &[("content-type", ct)],
                TestBody::new(body, true),
            )
            .await
        }
    };
    let form = "application/x-www-form-urlencoded";
    let msg =
        expect_err(&post(b"Authorization=Bearer%20akm-test-a&Name".to_vec(), form).await, 400, "InvalidParameter");
    assert!(msg.contains("'Name' has no '='"), "{msg}");
    let mut bad = b"Authorization=Bearer%20akm-test-a&Name=".to_vec();
    bad.push(0xff);
    expect_err(&post(bad, form).await, 400, "InvalidParameter");
    let msg = expect_err(&post(b"{\"Name\":\"x\"}".to_vec(), "application/json").await, 400, "InvalidParameter");
    assert!(msg.contains("Content-Type"), "{msg}");
    let msg = expect_err(
        &post(b"Authorization=Bearer%20akm-test-a&Name=a&Name=b".to_vec(), form).await,
        400,
        "InvalidParameter",
    );
    assert!(msg.contains("Name"), "{msg}");
    // Bad numbers and booleans name the parameter.
    let c = s.client();
    let msg = c.err("ListContexts", &[("MaxResults", "ten")], 400, "InvalidParameter").await;
    assert!(msg.contains("MaxResults"), "{msg}");
    let msg = c.err("GetContext", &[("Name", "x"), ("AllowCreate", "yes")], 400, "InvalidParameter").await;
    assert!(msg.contains("AllowCreate"), "{msg}");
    // Unknown parameter names are not silently ignored.
    let msg = c.err("ListContexts", &[("Colour", "blue")], 400, "UnsupportedParameter").await;
    assert!(msg.contains("Colour"), "{msg}");
    // Harmless SDK extras are accepted.
    c.ok("GetContext", &[("Name", "x"), ("AllowCreate", "true"), ("LoginRegionId", "cn-hangzhou"), ("SdkStats", "{}")])
        .await;
    s.stop().await;
}

#[tokio::test]
async fn python_style_requests_and_host_header() {
    let s = TestServer::start().await;
    let c = s.client().python();
    // `True`, `+` for spaces, Content-Length, `Host: http://127.0.0.1:PORT`.
    let v = c.ok("GetContext", &[("AllowCreate", "True"), ("Name", "my ctx")]).await;
    assert_eq!(v["Data"]["Name"], "my ctx");
    let id = v["Data"]["Id"].as_str().unwrap().to_string();
    let v = c.ok("GetContextFileUploadUrl", &[("ContextId", &id), ("FilePath", "/mnt/data/a.txt")]).await;
    let url = v["Data"]["Url"].as_str().unwrap();
    assert!(url.starts_with(&format!("http://{}/files?", s.addr)), "host normalised: {url}");
    s.stop().await;
}

#[tokio::test]
async fn tenants_are_isolated() {
    let s = TestServer::start().await;
    let a = s.client_with_key("akm-test-a");
    let b = s.client_with_key("akm-test-b");
    let ctx = a.context("private").await;
    a.put_file(&ctx, "/mnt/data/secret.txt", b"a's data").await;
    b.err("GetContext", &[("ContextId", &ctx), ("AllowCreate", "false")], 400, "InvalidContext.NotFound").await;
    b.err(
        "DescribeContextFiles",
        &[("ContextId", &ctx), ("ParentFolderPath", "/mnt/data")],
        400,
        "InvalidContext.NotFound",
    )
    .await;
    b.err(
        "GetContextFileDownloadUrl",
        &[("ContextId", &ctx), ("FilePath", "/mnt/data/secret.txt")],
        400,
        "InvalidContext.NotFound",
    )
    .await;
    b.err("DeleteContext", &[("Id", &ctx)], 400, "InvalidContext.NotFound").await;
    // A session of b naming a's context is created as for any unknown id, and never touches it:
    // its download finds nothing, its upload stores nothing.
    let sid_b = b.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    let tasks = b.wait_tasks(&sid_b).await;
    assert!(tasks[0].error_message.contains("does not exist"), "{tasks:?}");
    assert_ne!(b.shell(&sid_b, "cat /mnt/data/secret.txt").await.exit_code, 0, "a's file must not reach b");
    b.run(&sid_b, "echo b > /mnt/data/secret.txt && echo b > /mnt/data/b.txt").await;
    b.delete_session(&sid_b).await;
    assert_eq!(a.get_file(&ctx, "/mnt/data/secret.txt").await, b"a's data");
    assert_eq!(a.try_get_file(&ctx, "/mnt/data/b.txt").await, None);
    // Same name in another tenant is a different context.
    let ctx_b = b.context("private").await;
    assert_ne!(ctx, ctx_b);
    let v = b.ok("ListContexts", &[("MaxResults", "10")]).await;
    assert_eq!(v["TotalCount"], 1);
    assert_eq!(v["Data"][0]["Id"], ctx_b.as_str());
    // Sessions too.
    let sid = a.create_session("[]").await;
    b.err("GetSession", &[("SessionId", &sid)], 400, "InvalidMcpSession.NotFound").await;
    let r = b.call_q("GetSessionDetail", &[("SessionId", &sid)], &[]).await;
    expect_err(&r, 400, "InvalidMcpSession.NotFound");
    b.err(
        "CallMcpTool",
        &[("SessionId", &sid), ("Name", "shell"), ("Args", "{\"command\":\"id\"}")],
        400,
        "InvalidMcpSession.NotFound",
    )
    .await;
    b.err("DeleteSessionAsync", &[("SessionId", &sid)], 400, "InvalidMcpSession.NotFound").await;
    assert_eq!(b.ok("ListSession", &[("Labels", "{}")]).await["TotalCount"], 0);
    a.delete_session(&sid).await;
    s.stop().await;
}

#[tokio::test]
async fn https_with_self_signed_certificate() {
    let s = TestServer::start_with(|c| c.tls = Some(agentbay_local::Tls::SelfSigned)).await;
    assert!(s.endpoint.starts_with("https://"), "{}", s.endpoint);
    use rustls_pki_types::pem::PemObject;
    let pem = s.data_dir().join("tls/self-signed-cert.pem");
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_file_iter(&pem).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let cfg =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    let mut c = s.client();
    c.tls = Some(std::sync::Arc::new(cfg));
    let ctx = c.context("tls").await;
    c.put_file(&ctx, "/mnt/data/t.txt", b"over tls").await;
    assert_eq!(c.get_file(&ctx, "/mnt/data/t.txt").await, b"over tls");
    s.stop().await;
}

#[tokio::test]
async fn literal_captured_ts_request_bytes_are_understood() {
    // Appendix A, byte for byte (chunked framing written by hand), with this server's key and a real context.
    let s = TestServer::start().await;
    let ctx = s.client().context("abc").await;
    let body = format!(
        "Authorization=Bearer%20akm-test-a&ImageId=linux_latest&Labels=%7B%22project%22%3A%22demo%22%7D&PersistenceDataList=%5B%7B%22ContextId%22%3A%22{ctx}%22%2C%22Path%22%3A%22%2Ftmp%2Fdata%22%2C%22Policy%22%3A%22%7B%5C%22uploadPolicy%5C%22%3A%7B%5C%22autoUpload%5C%22%3Atrue%2C%5C%22uploadStrategy%5C%22%3A%5C%22UploadBeforeResourceRelease%5C%22%2C%5C%22uploadMode%5C%22%3A%5C%22Archive%5C%22%7D%7D%22%7D%5D&SdkStats=%7B%22source%22%3A%22sdk%22%2C%22sdk_language%22%3A%22typescript%22%2C%22sdk_version%22%3A%220.15.1%22%2C%22is_release%22%3Afalse%2C%22framework%22%3A%22%22%7D"
    );
    let (a, b) = body.split_at(100);
    let raw = format!(
        "POST /?Action=CreateMcpSession&Format=json&Version=2025-05-06&Timestamp=2026-11-30T17%3A35%3A05Z&SignatureNonce=6e87ff0 HTTP/1.1\r\nhost: {}\r\nx-acs-version: 2025-05-06\r\nx-acs-action: CreateMcpSession\r\nuser-agent: AlibabaCloud (linux; x64) Node.js/v20.20.2 Core/1.0.1 TeaDSL/2\r\ncontent-type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        s.addr,
        a.len(),
        b.len()
    );
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(raw.as_bytes()).await.unwrap();
    let mut resp = String::new();
    tcp.read_to_string(&mut resp).await.unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    let json: serde_json::Value = serde_json::from_str(resp.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let sid = json["Data"]["SessionId"].as_str().unwrap().to_string();
    let c = s.client();
    let labels = c.ok("GetLabel", &[("SessionId", &sid)]).await;
    assert_eq!(labels["Data"]["Labels"], r#"{"project":"demo"}"#);
    c.wait_tasks(&sid).await;
    c.delete_session(&sid).await;
    s.stop().await;
}

#[tokio::test]
async fn a_data_dir_serves_one_server_at_a_time() {
    let s = TestServer::start().await;
    let err = agentbay_local::Server::start(config(s.dir.path(), &["k"])).await.err().expect("second server refused");
    assert!(err.to_string().contains("in use by another agentbay-local"), "{err}");
    let dir = s.stop().await;
    // Released on shutdown.
    let r = agentbay_local::Server::start(config(dir.path(), &["k"])).await.unwrap();
    r.shutdown().await;
}

#[tokio::test]
async fn https_with_certificate_files() {
    let certs = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert, key) = (certs.path().join("c.pem"), certs.path().join("k.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    let s =
        TestServer::start_with(|c| c.tls = Some(agentbay_local::Tls::Files { cert: cert.clone(), key: key.clone() }))
            .await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ck.cert.der().clone()).unwrap();
    let cfg =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    let mut c = s.client();
    c.tls = Some(std::sync::Arc::new(cfg));
    let v = c.ok("ListContexts", &[]).await;
    assert_eq!(v["TotalCount"], 0);
    // Presigned URLs use https too.
    let ctx = c.context("x").await;
    let v = c.ok("GetContextFileUploadUrl", &[("ContextId", &ctx), ("FilePath", "/a/b")]).await;
    assert!(v["Data"]["Url"].as_str().unwrap().starts_with("https://"));
    // A plain-HTTP request to the TLS port gets no API answer.
    let plain = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        let tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        let r = hyper::client::conn::http1::handshake::<_, TestBody>(hyper_util::rt::TokioIo::new(tcp)).await;
        match r {
            Ok((mut sender, conn)) => {
                tokio::spawn(conn);
                sender
                    .send_request(hyper::Request::get("/").body(TestBody::new(Vec::new(), false)).unwrap())
                    .await
                    .is_err()
            }
            Err(_) => true,
        }
    })
    .await
    .unwrap();
    assert!(plain, "plain HTTP must not be served on the TLS port");
    s.stop().await;
}
