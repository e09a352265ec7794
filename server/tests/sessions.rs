//! Sessions, CallMcpTool dispatch and the sync engine end to end, with real
//! bubblewrap sandboxes (issue 2 §5, §8, §9).

mod common;
use common::*;
use serde_json::Value;
use std::time::Duration;

/// SyncContext exactly as the SDKs send it: Authorization in the QUERY string.
async fn sync(c: &Client, sid: &str, body: &[(&str, &str)]) -> Response {
    let auth = format!("Bearer {}", c.key);
    let mut b = vec![("SessionId", sid)];
    b.extend_from_slice(body);
    c.call_q("SyncContext", &[("Authorization", &auth)], &b).await
}

async fn sync_ok(c: &Client, sid: &str, body: &[(&str, &str)]) -> Vec<agentbay_wire::context_status::TaskStatus> {
    let r = sync(c, sid, body).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // The task is listed from the very first poll (the SDK stops waiting otherwise).
    let first = c.tasks(sid, &[]).await;
    assert!(!first.is_empty(), "no task visible right after SyncContext");
    c.wait_tasks(sid).await
}

#[tokio::test]
async fn create_get_detail_resource_tools_with_the_captured_ts_request() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("demo").await;
    // Appendix A: the TS SDK's CreateMcpSession body (Archive upload mode, SdkStats).
    let policy =
        r#"{"uploadPolicy":{"autoUpload":true,"uploadStrategy":"UploadBeforeResourceRelease","uploadMode":"Archive"}}"#;
    let list = pdl(&[(&ctx, "/tmp/data", Some(policy))]);
    let v = c
        .ok(
            "CreateMcpSession",
            &[
                ("ImageId", "linux_latest"),
                ("Labels", r#"{"project":"demo"}"#),
                ("PersistenceDataList", &list),
                ("SdkStats", r#"{"source":"sdk","sdk_language":"typescript","sdk_version":"0.15.1","is_release":false,"framework":""}"#),
            ],
        )
        .await;
    let d = &v["Data"];
    let sid = d["SessionId"].as_str().unwrap().to_string();
    assert!(sid.starts_with("session-"));
    assert_eq!(d["Success"], true);
    assert_eq!(d["LinkUrl"], "");
    assert_eq!(d["Token"], "");
    let tools: Value = serde_json::from_str(d["ToolList"].as_str().expect("ToolList is a JSON string")).unwrap();
    let shell = tools.as_array().unwrap().iter().find(|t| t["name"] == "shell").expect("shell listed");
    assert_eq!(shell["server"], "agentbay-local");

    let v = c.ok("GetSession", &[("SessionId", &sid)]).await;
    assert_eq!(v["Data"]["Status"], "RUNNING");
    assert_eq!(v["Data"]["contexts"][0]["id"], ctx.as_str());
    assert_eq!(v["Data"]["contexts"][0]["name"], "demo");
    assert!(v["Data"]["ToolList"].is_string());
    let r = c.call_q("GetSessionDetail", &[("SessionId", &sid)], &[]).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["Data"]["Status"], "RUNNING");
    assert_eq!(v["Data"]["ImageId"], "linux_latest");
    assert_eq!(c.ok("GetMcpResource", &[("SessionId", &sid)]).await["Data"]["SessionId"], sid.as_str());
    let v = c.ok("ListMcpTools", &[("ImageId", "linux_latest")]).await;
    assert!(serde_json::from_str::<Value>(v["Data"].as_str().unwrap()).unwrap().as_array().unwrap().len() >= 10);
    let v = c.ok("ListContexts", &[("SessionId", &sid)]).await;
    assert_eq!(v["TotalCount"], 1);
    // A shell call goes through Sandbox::call_tool; Data is an object.
    let out = c.shell(&sid, "echo hi; id -u; pwd").await;
    assert_eq!(out.exit_code, 0);
    assert!(out.stdout.starts_with("hi\n"), "{out:?}");
    let statuses = c.delete_session(&sid).await;
    assert!(statuses.iter().all(|st| st == "RUNNING" || st == "DELETING"), "{statuses:?}");
    c.err("GetSession", &[("SessionId", &sid)], 400, "InvalidMcpSession.NotFound").await;
    s.stop().await;
}

#[tokio::test]
async fn create_session_refuses_bad_and_unsupported_input() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("x").await;
    let msg = c.err("CreateMcpSession", &[("ImageId", "windows_latest")], 400, "InvalidParameter.ImageId").await;
    assert!(msg.contains("windows_latest") && msg.contains("linux_latest"), "{msg}");
    c.err("CreateMcpSession", &[("PersistenceDataList", "[{")], 400, "InvalidParameter.PersistenceDataList").await;
    c.err(
        "CreateMcpSession",
        &[("PersistenceDataList", r#"{"ContextId":"a"}"#)],
        400,
        "InvalidParameter.PersistenceDataList",
    )
    .await;
    c.err(
        "CreateMcpSession",
        &[("PersistenceDataList", r#"[{"Path":"/mnt/data"}]"#)],
        400,
        "InvalidParameter.PersistenceDataList",
    )
    .await;
    let msg = c
        .err(
            "CreateMcpSession",
            &[("PersistenceDataList", &pdl(&[(&ctx, "/mnt/data", Some("{not json"))]))],
            400,
            "InvalidParameter.Policy",
        )
        .await;
    assert!(msg.contains("not valid JSON"), "{msg}");
    let msg = c
        .err(
            "CreateMcpSession",
            &[("PersistenceDataList", &pdl(&[(&ctx, "/mnt/data", Some(r#"{"foo":1}"#))]))],
            400,
            "InvalidParameter.Policy",
        )
        .await;
    assert!(msg.contains("Unknown property in SyncPolicy: 'foo'"), "{msg}");
    let msg = c
        .err(
            "CreateMcpSession",
            &[("PersistenceDataList", &pdl(&[(&ctx, "/mnt/data", Some(r#"{"uploadPolicy":{"autoUplaod":false}}"#))]))],
            400,
            "InvalidParameter.Policy",
        )
        .await;
    assert!(msg.contains("autoUplaod"), "{msg}");
    // A MountConfig belongs to a live mount (Type "mount"); keys nobody sends are unsupported.
    let msg = c
        .err(
            "CreateMcpSession",
            &[("PersistenceDataList", r#"[{"ContextId":"x","Path":"/a","MountConfig":{}}]"#)],
            400,
            "InvalidParameter.PersistenceDataList",
        )
        .await;
    assert!(msg.contains("MountConfig needs Type \"mount\""), "{msg}");
    c.err(
        "CreateMcpSession",
        &[("PersistenceDataList", r#"[{"ContextId":"x","Path":"/a","Mount":{}}]"#)],
        400,
        "UnsupportedParameter",
    )
    .await;
    c.err(
        "CreateMcpSession",
        &[("PersistenceDataList", &pdl(&[(&ctx, "/mnt/data", None), (&ctx, "/mnt/data/sub", None)]))],
        400,
        "InvalidParameter.Path",
    )
    .await;
    c.err("CreateMcpSession", &[("NetworkId", "net-1")], 400, "UnsupportedParameter").await;
    c.err("CreateMcpSession", &[("VpcResource", "True")], 400, "UnsupportedParameter").await;
    c.err("CreateMcpSession", &[("McpPolicyId", "p-1")], 400, "UnsupportedParameter").await;
    c.err(
        "CreateMcpSession",
        &[("ExtraConfigs", r#"{"mobile":{"lockResolution":true}}"#)],
        400,
        "UnsupportedParameter",
    )
    .await;
    let msg =
        c.err("CreateMcpSession", &[("ExtraConfigs.Mobile.LockResolution", "True")], 400, "UnsupportedParameter").await;
    assert!(msg.contains("ExtraConfigs"), "{msg}");
    // Timeout, MaxRuntime and ManualRelease are taken (session_lifecycle.rs); names outside the contract are not.
    c.err("CreateMcpSession", &[("IdleTimeout", "60")], 400, "UnsupportedParameter").await;
    c.err("CreateMcpSession", &[("Labels", r#"{"a":1}"#)], 400, "InvalidParameter.Labels").await;
    c.err("CreateMcpSession", &[("Labels", "nope")], 400, "InvalidParameter.Labels").await;
    // Harmless values of known parameters are accepted (Go sends these).
    let v = c
        .ok(
            "CreateMcpSession",
            &[
                ("EnableRecord", "false"),
                ("VpcResource", "false"),
                ("NetworkId", ""),
                ("ExtraConfigs", "{}"),
                ("LoginRegionId", "cn-hangzhou"),
            ],
        )
        .await;
    let sid = v["Data"]["SessionId"].as_str().unwrap().to_string();
    assert_eq!(c.ok("ListSession", &[]).await["TotalCount"], 1, "failed creates left no session");
    c.delete_session(&sid).await;
    s.stop().await;
}

#[tokio::test]
async fn labels_and_list_session_filters_and_paging() {
    let s = TestServer::start().await;
    let c = s.client();
    let mut ids = Vec::new();
    for labels in [r#"{"team":"a","env":"dev"}"#, r#"{"team":"a","env":"prod"}"#, r#"{"team":"b"}"#] {
        let v = c.ok("CreateMcpSession", &[("Labels", labels)]).await;
        ids.push(v["Data"]["SessionId"].as_str().unwrap().to_string());
    }
    let list = |labels: &'static str, extra: Vec<(&'static str, String)>| {
        let c = c.clone();
        async move {
            let mut b: Vec<(&str, &str)> = vec![("Labels", labels)];
            b.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
            c.ok("ListSession", &b).await
        }
    };
    let v = list(r#"{"team":"a"}"#, vec![]).await;
    assert_eq!(v["TotalCount"], 2);
    // Python spells the JSON with spaces; every given label must match.
    let v = list(r#"{"team": "a", "env": "prod"}"#, vec![]).await;
    assert_eq!(v["TotalCount"], 1);
    assert_eq!(v["Data"][0]["SessionId"], ids[1].as_str());
    assert_eq!(v["Data"][0]["SessionStatus"], "RUNNING");
    let v = list("{}", vec![("MaxResults", "2".into())]).await;
    assert_eq!(v["Data"].as_array().unwrap().len(), 2);
    let tok = v["NextToken"].as_str().unwrap().to_string();
    let v = list("{}", vec![("MaxResults", "2".into()), ("NextToken", tok)]).await;
    assert_eq!(v["Data"][0]["SessionId"], ids[2].as_str());
    assert_eq!(list("{}", vec![("Status", "RUNNING".into())]).await["TotalCount"], 3);
    assert_eq!(list("{}", vec![("Status", "PAUSED".into())]).await["TotalCount"], 0);
    c.err("ListSession", &[("Labels", "{}"), ("Status", "SLEEPY")], 400, "InvalidParameter").await;

    // SetLabel replaces the labels; GetLabel returns them as a JSON string.
    c.ok("SetLabel", &[("SessionId", &ids[2]), ("Labels", r#"{"team":"c","x":"y"}"#)]).await;
    let v = c.ok("GetLabel", &[("SessionId", &ids[2])]).await;
    let labels: Value = serde_json::from_str(v["Data"]["Labels"].as_str().expect("Labels is a string")).unwrap();
    assert_eq!(labels, serde_json::json!({"team":"c","x":"y"}));
    c.err("SetLabel", &[("SessionId", &ids[2]), ("Labels", "[1]")], 400, "InvalidParameter.Labels").await;
    c.err("GetLabel", &[("SessionId", "session-nope")], 400, "InvalidMcpSession.NotFound").await;
    for id in &ids {
        c.delete_session(id).await;
    }
    s.stop().await;
}

#[tokio::test]
async fn call_mcp_tool_errors_are_precise() {
    let s = TestServer::start().await;
    let c = s.client();
    let sid = c.create_session("[]").await;
    c.err("CallMcpTool", &[("SessionId", &sid), ("Name", "teleport"), ("Args", "{}")], 400, "InvalidParameter.Tool")
        .await;
    c.err("CallMcpTool", &[("SessionId", &sid), ("Name", "shell"), ("Args", "{oops")], 400, "InvalidParameter.Args")
        .await;
    c.err("CallMcpTool", &[("SessionId", &sid), ("Name", "shell"), ("Args", "[1]")], 400, "InvalidParameter.Args")
        .await;
    c.err(
        "CallMcpTool",
        &[("SessionId", &sid), ("Name", "shell"), ("Args", "{}"), ("AutoGenSession", "True")],
        400,
        "UnsupportedParameter",
    )
    .await;
    c.err("CallMcpTool", &[("SessionId", &sid), ("Args", "{}")], 400, "MissingParameter").await;
    // Go sends ImageId/ExternalUserId empty and no Server.
    let v = c
        .ok(
            "CallMcpTool",
            &[
                ("SessionId", &sid),
                ("Name", "shell"),
                ("Args", r#"{"command":"echo go"}"#),
                ("ImageId", ""),
                ("ExternalUserId", ""),
            ],
        )
        .await;
    assert!(v["Data"]["content"][0]["text"].as_str().unwrap().contains("go"));
    c.delete_session(&sid).await;
    s.stop().await;
}

#[tokio::test]
async fn seed_scenario_write_delete_with_sync_then_read_in_new_session() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("my-persistent-context").await;
    let list = pdl(&[(&ctx, "/mnt/data", Some(&default_policy()))]);
    let s1 = c.create_session(&list).await;
    c.wait_tasks(&s1).await;
    let out = c
        .shell(
            &s1,
            "echo 'Hello, World!' > /mnt/data/hello.txt && mkdir -p /mnt/data/d && echo deep > /mnt/data/d/e.txt",
        )
        .await;
    assert_eq!(out.exit_code, 0, "{out:?}");
    // delete(session, true): SyncContext with only SessionId and no Mode (= upload), poll, delete, poll.
    let tasks = sync_ok(&c, &s1, &[]).await;
    assert!(
        tasks
            .iter()
            .any(|t| t.task_type == "upload" && t.status == "Success" && t.context_id == ctx && t.path == "/mnt/data"),
        "{tasks:?}"
    );
    c.delete_session(&s1).await;
    let mut files = c.list_files(&ctx, "/mnt/data").await;
    files.sort();
    assert_eq!(files, [("d".to_string(), "folder".to_string(), 0), ("hello.txt".into(), "file".into(), 14)]);

    let s2 = c.create_session(&list).await;
    let tasks = c.wait_tasks(&s2).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!((tasks[0].task_type.as_str(), tasks[0].status.as_str()), ("download", "Success"), "{tasks:?}");
    let out = c.shell(&s2, "cat /mnt/data/hello.txt /mnt/data/d/e.txt").await;
    assert_eq!(out.stdout, "Hello, World!\ndeep\n");
    c.delete_session(&s2).await;
    s.stop().await;
}

#[tokio::test]
async fn download_task_is_visible_from_the_first_poll_and_policies_are_honoured() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("dl").await;
    c.put_file(&ctx, "/mnt/data/in.txt", b"from context").await;
    c.put_file(&ctx, "/elsewhere/x.txt", b"not under the mount").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    let first = c.tasks(&sid, &[]).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].task_type, "download");
    assert!(["Pending", "Running", "Success"].contains(&first[0].status.as_str()), "{first:?}");
    assert!(c.tasks(&sid, &[("TaskType", "upload")]).await.is_empty());
    assert_eq!(c.tasks(&sid, &[("ContextId", &ctx), ("Path", "/mnt/data"), ("TaskType", "download")]).await.len(), 1);
    assert!(c.tasks(&sid, &[("Path", "/other")]).await.is_empty());
    c.err("GetContextInfo", &[("SessionId", &sid), ("TaskType", "archive")], 400, "InvalidParameter").await;
    c.wait_tasks(&sid).await;
    let out = c.shell(&sid, "cat /mnt/data/in.txt; ls /elsewhere 2>&1 | head -1").await;
    assert!(out.stdout.starts_with("from context"), "{out:?}");
    assert!(!out.stdout.contains("x.txt"), "only files under the mount path are downloaded: {out:?}");
    c.delete_session(&sid).await;

    // autoDownload=false: nothing copied, no task; autoUpload=false: release uploads nothing.
    let policy = r#"{"uploadPolicy":{"autoUpload":false},"downloadPolicy":{"autoDownload":false}}"#;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", Some(policy))])).await;
    assert!(c.tasks(&sid, &[]).await.is_empty());
    let out = c.shell(&sid, "ls /mnt/data | wc -l; echo new > /mnt/data/new.txt").await;
    assert_eq!(out.stdout.trim(), "0");
    c.delete_session(&sid).await;
    assert_eq!(c.list_files(&ctx, "/mnt/data").await, [("in.txt".to_string(), "file".to_string(), 12)]);
    s.stop().await;
}

#[tokio::test]
async fn sync_context_modes_filters_and_errors() {
    let s = TestServer::start().await;
    let c = s.client();
    let a = c.context("a").await;
    let b = c.context("b").await;
    let sid = c.create_session(&pdl(&[(&a, "/mnt/a", None), (&b, "/mnt/b", None)])).await;
    c.wait_tasks(&sid).await;
    expect_err(&sync(&c, &sid, &[("Mode", "sideways")]).await, 400, "InvalidParameter");
    expect_err(&sync(&c, &sid, &[("ContextId", &a), ("Path", "/mnt/b")]).await, 400, "InvalidParameter");
    expect_err(&sync(&c, "session-nope", &[]).await, 400, "InvalidMcpSession.NotFound");
    // Authorization only in the body is fine too; without any → auth error.
    let r = s.client().call_q("SyncContext", &[], &[("SessionId", &sid)]).await;
    assert_eq!(r.status, 200);
    c.wait_tasks(&sid).await;

    // Download mode brings a file stored after the session started into the live session.
    c.put_file(&a, "/mnt/a/late.txt", b"late").await;
    let tasks = sync_ok(&c, &sid, &[("ContextId", &a), ("Path", "/mnt/a"), ("Mode", "download")]).await;
    assert!(tasks.iter().any(|t| t.task_type == "download" && t.context_id == a && t.status == "Success"), "{tasks:?}");
    assert_eq!(c.shell(&sid, "cat /mnt/a/late.txt").await.stdout, "late");
    // Upload of one context only.
    c.shell(&sid, "echo A > /mnt/a/x.txt; echo B > /mnt/b/y.txt").await;
    sync_ok(&c, &sid, &[("ContextId", &a), ("Path", "/mnt/a"), ("Mode", "upload")]).await;
    assert!(c.list_files(&a, "/mnt/a").await.iter().any(|f| f.0 == "x.txt"));
    assert!(c.list_files(&b, "/mnt/b").await.is_empty(), "context b was not selected");
    let up = c.tasks(&sid, &[("ContextId", &a), ("TaskType", "upload")]).await;
    assert_eq!(up.len(), 1);
    assert!(up[0].finish_time >= up[0].start_time && up[0].start_time > 1_600_000_000);
    // Deleting a mounted context is refused.
    c.err("DeleteContext", &[("Id", &b)], 409, "InvalidContext.InUse").await;
    c.delete_session(&sid).await;
    assert!(c.list_files(&b, "/mnt/b").await.iter().any(|f| f.0 == "y.txt"), "release uploaded b");
    c.ok("DeleteContext", &[("Id", &b)]).await;
    s.stop().await;
}

#[tokio::test]
async fn two_sessions_on_the_same_path_are_isolated() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("shared").await;
    let list = pdl(&[(&ctx, "/mnt/data", None)]);
    let s1 = c.create_session(&list).await;
    let s2 = c.create_session(&list).await;
    c.wait_tasks(&s1).await;
    c.wait_tasks(&s2).await;
    c.shell(&s1, "echo one > /mnt/data/one.txt; echo t1 > /tmp/t.txt").await;
    c.shell(&s2, "echo two > /mnt/data/two.txt").await;
    assert_eq!(c.shell(&s1, "ls /mnt/data").await.stdout, "one.txt\n");
    assert_eq!(
        c.shell(&s2, "ls /mnt/data; cat /tmp/t.txt 2>/dev/null || echo no-tmp").await.stdout,
        "two.txt\nno-tmp\n"
    );
    c.delete_session(&s1).await;
    c.delete_session(&s2).await;
    s.stop().await;
}

#[tokio::test]
async fn release_shows_deleting_uploads_then_not_found() {
    // Slow every stored blob down so the DELETING phase is observable.
    let s = TestServer::start_with(|cfg| {
        cfg.upload_fault = Some(std::sync::Arc::new(|_| {
            std::thread::sleep(Duration::from_millis(400));
            Ok(())
        }))
    })
    .await;
    let c = s.client();
    let ctx = c.context("rel").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    c.wait_tasks(&sid).await;
    c.shell(&sid, "for i in 1 2 3; do echo $i > /mnt/data/f$i.txt; done").await;
    c.ok("ReleaseMcpSession", &[("SessionId", &sid)]).await;
    let r = c.call_q("GetSessionDetail", &[("SessionId", &sid)], &[]).await;
    assert_eq!(r.json()["Data"]["Status"], "DELETING");
    c.err(
        "CallMcpTool",
        &[("SessionId", &sid), ("Name", "shell"), ("Args", r#"{"command":"true"}"#)],
        409,
        "InvalidMcpSession.NotRunning",
    )
    .await;
    let up = c.tasks(&sid, &[("TaskType", "upload")]).await;
    assert_eq!(up.len(), 1, "release upload listed: {up:?}");
    // Deleting again while deleting is accepted (idempotent).
    c.ok("DeleteSessionAsync", &[("SessionId", &sid)]).await;
    let seen = c.delete_session(&sid).await;
    assert!(seen.iter().all(|st| st == "DELETING"), "{seen:?}");
    assert_eq!(c.list_files(&ctx, "/mnt/data").await.len(), 3, "uploaded before the session was gone");
    assert!(std::fs::read_dir(s.data_dir().join("sessions")).unwrap().next().is_none(), "session dir removed");
    s.stop().await;
}

#[tokio::test]
async fn failed_upload_keeps_the_old_content_and_the_files() {
    // Every upload that stores a new blob fails after the first one, before the manifest switch.
    let s = TestServer::start_with(|cfg| {
        cfg.upload_fault =
            Some(std::sync::Arc::new(|n| if n >= 1 { Err("simulated crash mid-upload".into()) } else { Ok(()) }))
    })
    .await;
    let c = s.client();
    let ctx = c.context("atomic").await;
    c.put_file(&ctx, "/mnt/data/a.txt", b"v1").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    c.wait_tasks(&sid).await;
    c.shell(&sid, "echo v2 > /mnt/data/a.txt; echo b > /mnt/data/b.txt").await;
    let tasks = sync_ok(&c, &sid, &[("Mode", "upload")]).await;
    let up = tasks.iter().find(|t| t.task_type == "upload").unwrap();
    assert_eq!(up.status, "Failed");
    assert!(up.error_message.contains("simulated crash"), "{up:?}");
    assert_eq!(c.get_file(&ctx, "/mnt/data/a.txt").await, b"v1", "old content intact");
    assert_eq!(c.list_files(&ctx, "/mnt/data").await.len(), 1);
    // Release fails to upload too: the session's files are kept in lost+found, not deleted.
    c.delete_session(&sid).await;
    let kept = s.data_dir().join("lost+found").join(format!("{sid}-0"));
    assert_eq!(std::fs::read_to_string(kept.join("b.txt")).unwrap(), "b\n");
    s.stop().await;
}

#[tokio::test]
async fn download_never_follows_symlinks_planted_by_the_session() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("evil").await;
    let target = tempfile::tempdir().unwrap();
    let target_path = target.path().canonicalize().unwrap();
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    c.wait_tasks(&sid).await;
    // The session plants a symlink to a host path (absolute, so it resolves on the host side).
    c.shell(&sid, &format!("ln -s {} /mnt/data/link", target_path.display())).await;
    c.put_file(&ctx, "/mnt/data/link/pwned.txt", b"x").await;
    let tasks = sync_ok(&c, &sid, &[("Mode", "download")]).await;
    let dl = tasks.iter().find(|t| t.task_type == "download").unwrap();
    assert_eq!(dl.status, "Failed", "{dl:?}");
    assert!(!dl.error_message.is_empty());
    assert!(!target_path.join("pwned.txt").exists(), "wrote through a planted symlink");
    c.delete_session(&sid).await;
    s.stop().await;
}

#[tokio::test]
async fn legacy_context_id_parameter_mounts_at_mnt_context() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("legacy").await;
    c.put_file(&ctx, "/mnt/context/old.txt", b"old").await;
    let v = c.ok("CreateMcpSession", &[("ContextId", &ctx)]).await;
    let sid = v["Data"]["SessionId"].as_str().unwrap().to_string();
    c.wait_tasks(&sid).await;
    assert_eq!(c.shell(&sid, "cat /mnt/context/old.txt; echo new > /mnt/context/new.txt").await.stdout, "old");
    c.delete_session(&sid).await;
    assert_eq!(c.get_file(&ctx, "/mnt/context/new.txt").await, b"new\n", "default policy uploads on release");
    c.err("CreateMcpSession", &[("ContextId", "SdkCtx-nope")], 400, "InvalidContext.NotFound").await;
    s.stop().await;
}

#[tokio::test]
async fn graceful_shutdown_releases_sessions_under_their_policies() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("shutdown").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    c.wait_tasks(&sid).await;
    c.shell(&sid, "echo saved > /mnt/data/s.txt").await;
    let dir = s.stop().await;
    let r = agentbay_local::Server::start(config(dir.path(), &["akm-test-a"])).await.unwrap();
    let c = Client { addr: r.addr, ..c };
    assert_eq!(c.get_file(&ctx, "/mnt/data/s.txt").await, b"saved\n");
    c.err("GetSession", &[("SessionId", &sid)], 400, "InvalidMcpSession.NotFound").await;
    assert!(std::fs::read_dir(dir.path().join("sessions")).unwrap().next().is_none());
    assert!(!dir.path().join("lost+found").exists(), "nothing needed rescuing");
    r.shutdown().await;
}

/// As the cloud does, a mount naming a context id that does not exist (the official
/// recycle-policy example's placeholder id) still creates the session; the mount is empty, and
/// its syncs fail saying why, so nothing is lost: the release keeps the files in lost+found.
#[tokio::test]
async fn a_mount_of_a_context_that_does_not_exist_creates_the_session_and_says_so() {
    let s = TestServer::start().await;
    let c = s.client();
    let policy = r#"{"recyclePolicy":{"lifecycle":"Lifecycle_1Day","paths":[""]}}"#;
    let sid = c.create_session(&pdl(&[("SdkCtx-unknown", "/mnt/data", Some(policy))])).await;
    let tasks = c.wait_tasks(&sid).await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(
        (tasks[0].status.as_str(), tasks[0].error_message.as_str()),
        ("Failed", "context SdkCtx-unknown does not exist: there is nothing to download")
    );
    c.run(&sid, "echo kept > /mnt/data/note.txt").await;
    c.ok("SyncContext", &[("SessionId", &sid)]).await;
    let tasks = c.wait_tasks(&sid).await;
    let up = tasks.iter().find(|t| t.task_type == "upload").expect("an upload task");
    assert_eq!(up.status, "Failed");
    assert!(up.error_message.contains("does not exist: nothing was uploaded"), "{up:?}");
    c.delete_session(&sid).await;
    let kept = s.data_dir().join("lost+found").join(format!("{sid}-0")).join("note.txt");
    assert_eq!(std::fs::read(&kept).unwrap(), b"kept\n");
    // The deprecated ContextId parameter and BindContexts still refuse an unknown id.
    c.err("CreateMcpSession", &[("ContextId", "SdkCtx-nope")], 400, "InvalidContext.NotFound").await;
    s.stop().await;
}
