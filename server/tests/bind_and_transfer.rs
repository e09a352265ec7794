//! The actions of official 0.19–0.21 for mounts made after create, driven with the typed
//! requests and replies of `crates/agentbay-wire` against an in-process server:
//! `BindContexts` (`session.context.bind`), `DescribeSessionContexts`
//! (`session.context.listBindings`) and `GetAndLoadInternalContext` (the file-transfer
//! context behind `fileSystem.uploadFile` / `downloadFile`).

mod common;

use agentbay_wire::envelope::{ContextBindingData, Envelope, InternalContextData};
use agentbay_wire::persistence::{PersistenceData, PersistenceDataList};
use agentbay_wire::request::*;
use common::*;

/// Sends a typed request; returns the HTTP status and the typed envelope.
async fn send_typed<R: Request>(c: &Client, r: &R) -> (u16, Envelope<R::Reply>) {
    let fields = r.to_fields();
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let resp = c.call(R::ACTION.as_str(), &pairs).await;
    let env = serde_json::from_slice(&resp.body).unwrap_or_else(|e| panic!("{}: {e}", R::ACTION.as_str()));
    (resp.status, env)
}

/// A typed request that must succeed: its reply's `Data`.
async fn ok_typed<R: Request>(c: &Client, r: &R) -> R::Reply {
    let (status, env) = send_typed(c, r).await;
    assert_eq!((status, env.success), (200, Some(true)), "{}: {:?} {:?}", R::ACTION.as_str(), env.code, env.message);
    env.data.unwrap_or_default()
}

/// A typed request that must fail with `code`: its message.
async fn err_typed<R: Request>(c: &Client, r: &R, code: &str) -> String {
    let (status, env) = send_typed(c, r).await;
    assert_ne!(status, 200, "{} should fail with {code}", R::ACTION.as_str());
    assert_eq!(env.code.as_deref(), Some(code), "{:?}", env.message);
    env.message.unwrap_or_default()
}

fn item(ctx: &str, path: &str, policy: Option<&str>) -> PersistenceData {
    PersistenceData {
        context_id: ctx.into(),
        path: path.into(),
        policy: policy.map(str::to_string),
        ..Default::default()
    }
}

fn bind(sid: &str, items: Vec<PersistenceData>) -> BindContextsRequest {
    BindContextsRequest { session_id: sid.into(), persistence_data_list: PersistenceDataList(items) }
}

async fn bindings(c: &Client, sid: &str) -> Vec<ContextBindingData> {
    ok_typed(c, &DescribeSessionContextsRequest { session_id: sid.into() }).await
}

#[tokio::test]
async fn a_bound_context_is_listed_downloaded_mounted_and_uploaded_on_release() {
    let server = TestServer::start().await;
    let c = server.client();
    let data = c.context("at-create").await;
    let more = c.context("bound-later").await;
    c.put_file(&more, "/mnt/more/hello.txt", b"from the context").await;
    let sid = c.create_session(&pdl(&[(&data, "/mnt/data", Some(&default_policy()))])).await;
    c.wait_tasks(&sid).await;
    // Nothing is mounted at /mnt/more yet: what the session writes there stays in its root.
    c.run(&sid, "mkdir -p /mnt/more && echo hidden > /mnt/more/before.txt").await;

    ok_typed(&c, &bind(&sid, vec![item(&more, "/mnt/more", Some(&default_policy()))])).await;
    let listed = bindings(&c, &sid).await;
    let summary: Vec<(&str, &str, &str)> =
        listed.iter().map(|b| (b.context_id.as_str(), b.context_name.as_str(), b.path.as_str())).collect();
    assert_eq!(summary, [(data.as_str(), "at-create", "/mnt/data"), (more.as_str(), "bound-later", "/mnt/more")]);
    for b in &listed {
        let policy: serde_json::Value = serde_json::from_str(&b.policy).expect("Policy is JSON text");
        assert_eq!(policy["uploadPolicy"]["autoUpload"], true, "{b:?}");
        assert!(b.bind_time.ends_with('Z') && b.bind_time.len() == 20, "ISO 8601 UTC: {b:?}");
    }

    // Its download is a task like a create-time one, and the file is there once it succeeds.
    let tasks = c.wait_tasks(&sid).await;
    let t = tasks.iter().find(|t| t.context_id == more && t.task_type == "download").expect("a download task");
    assert_eq!((t.status.as_str(), t.path.as_str()), ("Success", "/mnt/more"), "{t:?}");
    assert_eq!(c.run(&sid, "cat /mnt/more/hello.txt").await.stdout, "from the context");
    // The mount covers what the session had written at that path before the bind.
    assert_ne!(c.shell(&sid, "cat /mnt/more/before.txt").await.exit_code, 0);

    // While the session lives, the bound context is claimed like a create-time one.
    c.err("DeleteContext", &[("Id", &more)], 409, "InvalidContext.InUse").await;
    c.run(&sid, "echo written > /mnt/more/new.txt").await;
    c.delete_session(&sid).await;
    assert_eq!(c.get_file(&more, "/mnt/more/new.txt").await, b"written\n");
    assert_eq!(c.get_file(&more, "/mnt/more/hello.txt").await, b"from the context");
    server.stop().await;
}

#[tokio::test]
async fn bind_refuses_what_create_refuses_and_binds_nothing_then() {
    let server = TestServer::start().await;
    let c = server.client();
    let data = c.context("data").await;
    let other = c.context("other").await;
    let sid = c.create_session(&pdl(&[(&data, "/mnt/data", None)])).await;

    let m = err_typed(&c, &bind(&sid, vec![item(&other, "/mnt/data/inner", None)]), "InvalidParameter.Path").await;
    assert!(m.contains("'/mnt/data' and '/mnt/data/inner' are the same or nested"), "{m}");
    let m = err_typed(&c, &bind(&sid, vec![item("SdkCtx-nope", "/mnt/x", None)]), "InvalidContext.NotFound").await;
    assert!(m.contains("SdkCtx-nope"), "{m}");
    let m = err_typed(&c, &bind(&sid, vec![item(&other, "/etc/x", None)]), "InvalidParameter.Path").await;
    assert!(m.contains("/etc is reserved"), "{m}");
    err_typed(
        &c,
        &bind(&sid, vec![item(&other, "/mnt/o", Some(r#"{"uploadPolicy":{"uploadMode":"Zip"}}"#))]),
        "InvalidParameter.Policy",
    )
    .await;
    err_typed(&c, &bind(&sid, vec![]), "InvalidParameter.PersistenceDataList").await;
    // Two items at nested paths refuse the whole request.
    let two = vec![item(&other, "/mnt/a", None), item(&other, "/mnt/a/b", None)];
    err_typed(&c, &bind(&sid, two), "InvalidParameter.Path").await;
    let listed = bindings(&c, &sid).await;
    assert_eq!(listed.iter().map(|b| b.path.as_str()).collect::<Vec<_>>(), ["/mnt/data"]);

    // A session being released takes no more mounts.
    let r = bind(&sid, vec![item(&other, "/mnt/o", None)]);
    c.ok("DeleteSessionAsync", &[("SessionId", &sid)]).await;
    let (status, env) = send_typed(&c, &r).await;
    assert_ne!(status, 200);
    assert!(
        matches!(env.code.as_deref(), Some("InvalidMcpSession.NotRunning" | "InvalidMcpSession.NotFound")),
        "{env:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_file_transfer_context_moves_files_both_ways_and_goes_with_the_session() {
    let server = TestServer::start().await;
    let c = server.client();
    let sid = c.create_session("[]").await;
    // The Python/Go form, then the TypeScript (JSON) form: the same context both times.
    let flat = GetAndLoadInternalContextRequest {
        session_id: sid.clone(),
        context_types_1: Some("file_transfer".into()),
        ..Default::default()
    };
    let got: Vec<InternalContextData> = ok_typed(&c, &flat).await;
    assert_eq!(got.len(), 1);
    let ft = got[0].clone();
    assert_eq!((ft.context_path.as_str(), ft.context_type.as_str()), ("/tmp/file_transfer", "file_transfer"));
    let json = GetAndLoadInternalContextRequest {
        session_id: sid.clone(),
        context_types: Some(JsonStringList(vec!["file_transfer".into()])),
        ..Default::default()
    };
    assert_eq!(ok_typed(&c, &json).await, vec![ft.clone()]);
    let bad = GetAndLoadInternalContextRequest {
        session_id: sid.clone(),
        context_types: Some(JsonStringList(vec!["browser".into()])),
        ..Default::default()
    };
    assert!(err_typed(&c, &bad, "InvalidParameter").await.contains("'browser'; valid values: file_transfer"));
    // Internal: neither a binding nor a listed context.
    assert!(bindings(&c, &sid).await.is_empty());
    let listed = c.ok("ListContexts", &[("MaxResults", "100")]).await;
    assert_eq!(listed["TotalCount"], 0, "{listed}");

    // Upload (local → session): presigned PUT, then a download sync of that one path.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let remote = "/tmp/file_transfer/in.bin";
    c.put_file(&ft.context_id, remote, &bytes).await;
    let sync = |path: &str, mode: &str| SyncContextRequest {
        session_id: sid.clone(),
        context_id: Some(ft.context_id.clone()),
        path: Some(path.into()),
        mode: Some(mode.into()),
    };
    ok_typed(&c, &sync(remote, "download")).await;
    let tasks = c.wait_tasks(&sid).await;
    let t = tasks.iter().find(|t| t.path == remote && t.task_type == "download").expect("listed under the file's path");
    assert_eq!(t.status, "Success", "{t:?}");
    assert_eq!(c.run(&sid, "sha256sum < /tmp/file_transfer/in.bin | cut -c1-16").await.stdout.trim(), {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))[..16].to_string()
    });

    // Download (session → local): an upload sync of that path, then a presigned GET.
    c.run(&sid, "printf 'made in the session' > /tmp/file_transfer/out.txt").await;
    ok_typed(&c, &sync("/tmp/file_transfer/out.txt", "upload")).await;
    let tasks = c.wait_tasks(&sid).await;
    assert!(tasks.iter().any(|t| t.path == "/tmp/file_transfer/out.txt" && t.status == "Success"), "{tasks:?}");
    assert_eq!(c.get_file(&ft.context_id, "/tmp/file_transfer/out.txt").await, b"made in the session");

    // A path outside the transfer directory is refused, naming where it is.
    let m = err_typed(&c, &sync("/home/wuying/x.txt", "upload"), "InvalidParameter").await;
    assert!(m.contains("it mounts that context at: /tmp/file_transfer"), "{m}");

    // Released with the session: nothing of it is left.
    c.delete_session(&sid).await;
    c.err("GetContext", &[("ContextId", &ft.context_id)], 400, "InvalidContext.NotFound").await;
    server.stop().await;
}
