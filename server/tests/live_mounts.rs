//! Live context mounts (`BetaContextMount`: `PersistenceDataList` items with `Type: "mount"`),
//! driven with the typed wire items against agentbay-local: writes are the context's content at
//! once and shared by every session mounting it, read-only is read-only, `SourcePath` shows one
//! folder, the cloud's limits hold, API writes are refused while live, and a killed server's
//! live tree is written back at the next start.

mod common;

use agentbay_wire::persistence::{AccessMode, MountConfig, PersistenceData, PersistenceDataList, MOUNT_TYPE};
use agentbay_wire::request::FieldValue;
use common::*;

fn live(ctx: &str, path: &str, access: AccessMode, source: &str) -> PersistenceData {
    PersistenceData {
        context_id: ctx.into(),
        path: path.into(),
        r#type: Some(MOUNT_TYPE.into()),
        mount_config: Some(MountConfig { access_mode: access, source_path: source.into(), ..Default::default() }),
        ..Default::default()
    }
}

fn list(items: Vec<PersistenceData>) -> String {
    PersistenceDataList(items).encode().unwrap_or_default()
}

async fn create(c: &Client, items: Vec<PersistenceData>) -> String {
    let sid = c.create_session(&list(items)).await;
    c.wait_tasks(&sid).await;
    sid
}

async fn names(c: &Client, ctx: &str, parent: &str) -> Vec<String> {
    c.list_files(ctx, parent).await.into_iter().map(|(name, _, _)| name).collect()
}

#[tokio::test]
async fn writes_are_the_context_at_once_and_every_session_mounting_it_shares_them() {
    let server = TestServer::start().await;
    let c = server.client();
    let ctx = c.context("live").await;
    c.put_file(&ctx, "/hello.txt", b"stored before").await;
    let a = create(&c, vec![live(&ctx, "/tmp/live", AccessMode::ReadWrite, "")]).await;
    // Mounted is reported as a finished download at the mount path (what create() waits for).
    let tasks = c.tasks(&a, &[]).await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(
        (tasks[0].path.as_str(), tasks[0].status.as_str(), tasks[0].task_type.as_str()),
        ("/tmp/live", "Success", "download")
    );
    assert_eq!(c.run(&a, "cat /tmp/live/hello.txt").await.stdout, "stored before");

    // A write is in the context with no sync, for the API and for another session alike.
    c.run(&a, "mkdir -p /tmp/live/sub && echo from-a > /tmp/live/sub/a.txt").await;
    assert_eq!(c.get_file(&ctx, "/sub/a.txt").await, b"from-a\n");
    assert_eq!(names(&c, &ctx, "/").await, ["hello.txt", "sub"]);
    let b = create(&c, vec![live(&ctx, "/mnt/elsewhere", AccessMode::ReadWrite, "")]).await;
    assert_eq!(c.run(&b, "cat /mnt/elsewhere/sub/a.txt").await.stdout, "from-a\n");
    c.run(&b, "echo from-b > /mnt/elsewhere/b.txt").await;
    assert_eq!(c.run(&a, "cat /tmp/live/b.txt").await.stdout, "from-b\n", "seen at once by the other session");

    // Listed as a binding without a sync policy.
    let v = c.ok("DescribeSessionContexts", &[("SessionId", &a)]).await;
    assert_eq!(
        (v["Data"][0]["ContextName"].as_str(), v["Data"][0]["Path"].as_str(), v["Data"][0]["Policy"].as_str()),
        (Some("live"), Some("/tmp/live"), Some("")),
        "{v}"
    );

    // Writes through the API would race the sessions: refused, saying why.
    let m =
        c.err("GetContextFileUploadUrl", &[("ContextId", &ctx), ("FilePath", "/x")], 409, "InvalidContext.InUse").await;
    assert!(m.contains("mounted live (BetaContextMount)") && m.contains(&a), "{m}");
    c.err("DeleteContextFile", &[("ContextId", &ctx), ("FilePath", "/hello.txt")], 409, "InvalidContext.InUse").await;
    c.err("ClearContext", &[("Id", &ctx)], 409, "InvalidContext.InUse").await;
    let m = c.err("DeleteContext", &[("Id", &ctx)], 409, "InvalidContext.InUse").await;
    assert!(m.contains(&a) || m.contains(&b), "names a session mounting it: {m}");

    // The last session out writes the tree back and removes it; then the API writes again.
    c.run(&a, "rm /tmp/live/hello.txt").await;
    c.delete_session(&a).await;
    assert_eq!(c.run(&b, "ls /mnt/elsewhere").await.stdout, "b.txt\nsub\n");
    c.delete_session(&b).await;
    assert_eq!(names(&c, &ctx, "/").await, ["b.txt", "sub"]);
    assert_eq!(c.try_get_file(&ctx, "/hello.txt").await, None, "a deletion in the mount deletes it from the context");
    let left = std::fs::read_dir(server.data_dir().join("live")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "no live tree is left");
    c.put_file(&ctx, "/after.txt", b"ok").await;
    server.stop().await;
}

#[tokio::test]
async fn read_only_is_read_only_and_a_source_path_shows_one_folder() {
    let server = TestServer::start().await;
    let c = server.client();
    let ctx = c.context("datasets").await;
    c.put_file(&ctx, "/datasets/train/foo.csv", b"a,b\n").await;
    c.put_file(&ctx, "/datasets/val/bar.csv", b"c,d\n").await;
    let s = create(&c, vec![live(&ctx, "/mnt/train", AccessMode::ReadOnly, "/datasets/train")]).await;
    assert_eq!(c.run(&s, "ls /mnt/train && cat /mnt/train/foo.csv").await.stdout, "foo.csv\na,b\n");
    let touched = c.shell(&s, "touch /mnt/train/new.csv").await;
    assert_ne!(touched.exit_code, 0, "{touched:?}");
    assert!(touched.stderr.contains("Read-only file system"), "{touched:?}");
    let args = serde_json::json!({"path": "/mnt/train/foo.csv", "content": "changed", "mode": "overwrite"}).to_string();
    let v = c.ok("CallMcpTool", &[("SessionId", &s), ("Name", "write_file"), ("Args", &args)]).await;
    assert_eq!(v["Data"]["isError"], true, "{v}");
    assert_eq!(c.get_file(&ctx, "/datasets/train/foo.csv").await, b"a,b\n");

    // A folder beside it may be live at the same time; one around it may not.
    let other = create(&c, vec![live(&ctx, "/mnt/val", AccessMode::ReadWrite, "/datasets/val")]).await;
    c.run(&other, "echo e,f > /mnt/val/new.csv").await;
    assert_eq!(c.get_file(&ctx, "/datasets/val/new.csv").await, b"e,f\n");
    let m = c
        .err(
            "CreateMcpSession",
            &[("PersistenceDataList", &list(vec![live(&ctx, "/mnt/all", AccessMode::ReadWrite, "/datasets")]))],
            400,
            "InvalidParameter.PersistenceDataList",
        )
        .await;
    assert!(m.contains("source path '/datasets/train'") && m.contains("would overlap"), "{m}");
    for sid in [s, other] {
        c.delete_session(&sid).await;
    }
    assert_eq!(names(&c, &ctx, "/datasets").await, ["train", "val"]);
    assert_eq!(names(&c, &ctx, "/datasets/val").await, ["bar.csv", "new.csv"]);
    server.stop().await;
}

#[tokio::test]
async fn the_clouds_limits_hold_at_create_and_at_bind() {
    let server = TestServer::start().await;
    let c = server.client();
    let ctxs = [c.context("l1").await, c.context("l2").await, c.context("l3").await, c.context("l4").await];
    let four: Vec<_> =
        ctxs.iter().enumerate().map(|(i, x)| live(x, &format!("/mnt/l{i}"), AccessMode::ReadWrite, "")).collect();
    let m = c
        .err("CreateMcpSession", &[("PersistenceDataList", &list(four))], 400, "InvalidParameter.PersistenceDataList")
        .await;
    assert!(m.contains("at most 3 context mounts"), "{m}");
    let same_path =
        vec![live(&ctxs[0], "/mnt/a", AccessMode::ReadWrite, ""), live(&ctxs[1], "/mnt/a", AccessMode::ReadWrite, "")];
    c.err("CreateMcpSession", &[("PersistenceDataList", &list(same_path))], 400, "InvalidParameter.Path").await;
    let mut both = vec![live(&ctxs[0], "/mnt/live", AccessMode::ReadWrite, "")];
    both.push(PersistenceData { context_id: ctxs[0].clone(), path: "/mnt/sync".into(), ..Default::default() });
    let m = c
        .err("CreateMcpSession", &[("PersistenceDataList", &list(both))], 400, "InvalidParameter.PersistenceDataList")
        .await;
    assert!(m.contains("mounted live (BetaContextMount) and synced (ContextSync)"), "{m}");
    c.err(
        "CreateMcpSession",
        &[("PersistenceDataList", &list(vec![live("SdkCtx-none", "/mnt/x", AccessMode::ReadWrite, "")]))],
        400,
        "InvalidContext.NotFound",
    )
    .await;

    // Bind: a live mount at run time; not over files the session has; not a fourth.
    let sid = create(
        &c,
        vec![
            live(&ctxs[0], "/mnt/l0", AccessMode::ReadWrite, ""),
            live(&ctxs[1], "/mnt/l1", AccessMode::ReadWrite, ""),
        ],
    )
    .await;
    c.run(&sid, "mkdir -p /mnt/busy && echo x > /mnt/busy/f").await;
    let bind = |items: Vec<PersistenceData>| vec![("SessionId", sid.clone()), ("PersistenceDataList", list(items))];
    let busy = bind(vec![live(&ctxs[2], "/mnt/busy", AccessMode::ReadWrite, "")]);
    let pairs: Vec<(&str, &str)> = busy.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let m = c.err("BindContexts", &pairs, 400, "InvalidParameter.Path").await;
    assert!(m.contains("not empty"), "{m}");
    c.put_file(&ctxs[2], "/seed.txt", b"seed").await;
    let ok = bind(vec![live(&ctxs[2], "/mnt/l2", AccessMode::ReadWrite, "")]);
    let pairs: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.ok("BindContexts", &pairs).await;
    assert_eq!(c.run(&sid, "cat /mnt/l2/seed.txt").await.stdout, "seed");
    let fourth = bind(vec![live(&ctxs[3], "/mnt/l3", AccessMode::ReadWrite, "")]);
    let pairs: Vec<(&str, &str)> = fourth.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.err("BindContexts", &pairs, 400, "InvalidParameter.PersistenceDataList").await;
    c.delete_session(&sid).await;
    server.stop().await;
}

#[tokio::test]
async fn a_synced_mount_of_a_live_context_reads_the_live_files_and_may_not_upload_into_them() {
    let server = TestServer::start().await;
    let c = server.client();
    let ctx = c.context("both-ways").await;
    let writer = create(&c, vec![live(&ctx, "/tmp/live", AccessMode::ReadWrite, "")]).await;
    c.run(&writer, "mkdir -p /tmp/live/mnt/data && echo live > /tmp/live/mnt/data/w.txt").await;
    // Another session syncs the same context at /mnt/data: its download sees the live file.
    let synced = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    c.wait_tasks(&synced).await;
    assert_eq!(c.run(&synced, "cat /mnt/data/w.txt").await.stdout, "live\n");
    c.run(&synced, "echo mine > /mnt/data/mine.txt").await;
    c.ok("SyncContext", &[("SessionId", &synced), ("Mode", "upload")]).await;
    let tasks = c.wait_tasks(&synced).await;
    let up = tasks.iter().find(|t| t.task_type == "upload").expect("an upload task");
    assert_eq!(up.status, "Failed");
    assert!(
        up.error_message.contains("mounted live") && up.error_message.contains("files stay in the session"),
        "{up:?}"
    );
    assert_eq!(c.try_get_file(&ctx, "/mnt/data/mine.txt").await, None);
    c.delete_session(&writer).await;
    c.delete_session(&synced).await;
    // Once nobody mounts it live, the synced session's release upload went in (or is kept): here
    // the writer left first, so the release upload is allowed and stores the file.
    assert_eq!(c.get_file(&ctx, "/mnt/data/mine.txt").await, b"mine\n");
    assert_eq!(c.get_file(&ctx, "/mnt/data/w.txt").await, b"live\n");
    server.stop().await;
}

#[tokio::test]
async fn a_killed_servers_live_tree_is_written_back_at_the_next_start() {
    let data = tempfile::tempdir().unwrap();
    let (mut child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    let ctx = c.context("crash").await;
    let sid = create(&c, vec![live(&ctx, "/tmp/live", AccessMode::ReadWrite, "")]).await;
    c.run(&sid, "echo survived > /tmp/live/kept.txt").await;
    child.kill().unwrap();
    child.wait().unwrap();
    let (mut child, endpoint, key) = spawn_binary(data.path(), &[]);
    let c = binary_client(&endpoint, &key);
    assert_eq!(c.get_file(&ctx, "/kept.txt").await, b"survived\n");
    assert_eq!(std::fs::read_dir(data.path().join("live")).map(|d| d.count()).unwrap_or(0), 0);
    child.kill().unwrap();
    child.wait().unwrap();
}
