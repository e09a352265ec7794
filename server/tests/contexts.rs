//! Context actions, presigned URLs and persistence over real HTTP (issue 2 §4, §9).

mod common;
use common::*;
use std::time::Duration;

#[tokio::test]
async fn get_context_by_name_and_id_with_allow_create() {
    let s = TestServer::start().await;
    let c = s.client();
    c.err("GetContext", &[("Name", "nope"), ("AllowCreate", "false")], 400, "InvalidContext.NotFound").await;
    let v = c.ok("GetContext", &[("Name", "proj"), ("AllowCreate", "true"), ("LoginRegionId", "cn-shanghai")]).await;
    let d = &v["Data"];
    let id = d["Id"].as_str().unwrap().to_string();
    assert!(id.starts_with("SdkCtx-"));
    assert_eq!(d["State"], "available");
    assert_eq!(d["OsType"], "linux");
    assert!(d["CreateTime"].as_str().unwrap().ends_with('Z'));
    // Same name → same context; by id works; the Python spelling `False` parses.
    assert_eq!(c.context("proj").await, id);
    let v = c.clone().python().ok("GetContext", &[("ContextId", &id), ("AllowCreate", "False")]).await;
    assert_eq!(v["Data"]["Name"], "proj");
    c.err("GetContext", &[("ContextId", "SdkCtx-missing"), ("AllowCreate", "true")], 400, "InvalidContext.NotFound")
        .await;
    c.err("GetContext", &[("AllowCreate", "true")], 400, "MissingParameter").await;
    s.stop().await;
}

#[tokio::test]
async fn list_modify_delete_contexts() {
    let s = TestServer::start().await;
    let c = s.client();
    let mut ids = Vec::new();
    for n in ["c1", "c2", "c3"] {
        ids.push(c.context(n).await);
    }
    // Newest first, paged.
    let v = c.ok("ListContexts", &[("MaxResults", "2")]).await;
    assert_eq!(v["TotalCount"], 3);
    assert_eq!(v["MaxResults"], 2);
    let names: Vec<_> = v["Data"].as_array().unwrap().iter().map(|d| d["Name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, ["c3", "c2"]);
    let token = v["NextToken"].as_str().unwrap().to_string();
    assert!(!token.is_empty());
    let v = c.ok("ListContexts", &[("MaxResults", "2"), ("NextToken", &token)]).await;
    assert_eq!(v["Data"].as_array().unwrap().len(), 1);
    assert_eq!(v["Data"][0]["Name"], "c1");
    assert_eq!(v["NextToken"], "");
    c.err("ListContexts", &[("NextToken", "garbage")], 400, "InvalidParameter").await;

    c.ok("ModifyContext", &[("Id", &ids[0]), ("Name", "renamed")]).await;
    assert_eq!(c.ok("GetContext", &[("ContextId", &ids[0])]).await["Data"]["Name"], "renamed");
    c.err("ModifyContext", &[("Id", &ids[0]), ("Name", "c2")], 409, "InvalidContext.NameExists").await;
    c.err("ModifyContext", &[("Id", "SdkCtx-x"), ("Name", "z")], 400, "InvalidContext.NotFound").await;

    c.put_file(&ids[1], "/mnt/data/x.txt", b"x").await;
    c.ok("DeleteContext", &[("Id", &ids[1])]).await;
    c.err("GetContext", &[("ContextId", &ids[1])], 400, "InvalidContext.NotFound").await;
    assert_eq!(c.ok("ListContexts", &[]).await["TotalCount"], 2);
    // Its content is gone from the blob store as well.
    assert_eq!(blob_count(&s.data_dir()), 0);
    s.stop().await;
}

#[tokio::test]
async fn presigned_upload_download_listing_and_delete_file() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("files").await;
    c.put_file(&ctx, "/mnt/data/hello.txt", b"Hello, World!\n").await;
    c.put_file(&ctx, "/mnt/data/sub/deep/a.bin", &[0u8, 1, 2, 255]).await;
    c.put_file(&ctx, "/mnt/data/sub/b.txt", b"bbb").await;
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    c.put_file(&ctx, "/mnt/data/big.bin", &big).await;
    assert_eq!(c.get_file(&ctx, "/mnt/data/hello.txt").await, b"Hello, World!\n");
    assert_eq!(c.get_file(&ctx, "/mnt/data/big.bin").await, big);
    // Overwrite.
    c.put_file(&ctx, "/mnt/data/hello.txt", b"v2").await;
    assert_eq!(c.get_file(&ctx, "/mnt/data/hello.txt").await, b"v2");

    let mut root = c.list_files(&ctx, "/mnt/data").await;
    root.sort();
    assert_eq!(
        root,
        [
            ("big.bin".to_string(), "file".to_string(), 3_000_000),
            ("hello.txt".into(), "file".into(), 2),
            ("sub".into(), "folder".into(), 0)
        ]
    );
    assert_eq!(c.list_files(&ctx, "/").await, [("mnt".to_string(), "folder".to_string(), 0)]);
    let sub = c.list_files(&ctx, "/mnt/data/sub/").await;
    assert_eq!(sub, [("b.txt".to_string(), "file".to_string(), 3), ("deep".into(), "folder".into(), 0)]);
    // Paging: Count is the total, Data one page.
    let v = c
        .ok(
            "DescribeContextFiles",
            &[("ContextId", &ctx), ("ParentFolderPath", "/mnt/data"), ("PageNumber", "2"), ("PageSize", "2")],
        )
        .await;
    assert_eq!(v["Count"], 3);
    assert_eq!(v["Data"].as_array().unwrap().len(), 1);
    assert_eq!(v["Data"][0]["FilePath"], "/mnt/data/sub");

    c.ok("DeleteContextFile", &[("ContextId", &ctx), ("FilePath", "/mnt/data/hello.txt")]).await;
    c.err(
        "GetContextFileDownloadUrl",
        &[("ContextId", &ctx), ("FilePath", "/mnt/data/hello.txt")],
        400,
        "InvalidFile.NotFound",
    )
    .await;
    c.err(
        "DeleteContextFile",
        &[("ContextId", &ctx), ("FilePath", "/mnt/data/hello.txt")],
        400,
        "InvalidFile.NotFound",
    )
    .await;
    // Deleting a folder path removes its subtree.
    c.ok("DeleteContextFile", &[("ContextId", &ctx), ("FilePath", "/mnt/data/sub")]).await;
    assert_eq!(c.list_files(&ctx, "/mnt/data").await, [("big.bin".to_string(), "file".to_string(), 3_000_000)]);
    assert_eq!(blob_count(&s.data_dir()), 1, "blobs of deleted files are collected");
    s.stop().await;
}

#[tokio::test]
async fn tampered_wrong_method_and_expired_urls_are_refused() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("t").await;
    c.put_file(&ctx, "/mnt/data/a.txt", b"original").await;
    let v = c.ok("GetContextFileUploadUrl", &[("ContextId", &ctx), ("FilePath", "/mnt/data/a.txt")]).await;
    let url = v["Data"]["Url"].as_str().unwrap().to_string();
    let exp = v["Data"]["ExpireTime"].as_u64().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert!((now + 3590..=now + 3610).contains(&exp), "1 h expiry: {exp} vs {now}");
    // Path changed → signature mismatch, nothing written.
    let r = fetch(&c, "PUT", &url.replace("a.txt", "b.txt"), b"evil".to_vec()).await;
    expect_err(&r, 403, "SignatureDoesNotMatch");
    // Expiry pushed out → mismatch.
    let r = fetch(
        &c,
        "PUT",
        &url.replace(&format!("expires={exp}"), &format!("expires={}", exp + 99999)),
        b"evil".to_vec(),
    )
    .await;
    expect_err(&r, 403, "SignatureDoesNotMatch");
    // Signature flipped.
    let sig_pos = url.find("sig=").unwrap() + 4;
    let mut bad = url.clone();
    let ch = if &url[sig_pos..sig_pos + 1] == "0" { "1" } else { "0" };
    bad.replace_range(sig_pos..sig_pos + 1, ch);
    expect_err(&fetch(&c, "PUT", &bad, b"evil".to_vec()).await, 403, "SignatureDoesNotMatch");
    // An upload URL does not allow GET.
    expect_err(&fetch(&c, "GET", &url, Vec::new()).await, 400, "InvalidParameter");
    assert_eq!(c.get_file(&ctx, "/mnt/data/a.txt").await, b"original");
    assert_eq!(c.list_files(&ctx, "/mnt/data").await.len(), 1);
    s.stop().await;

    // A server issuing 0-second URLs: every URL is already expired.
    let s = TestServer::start_with(|cfg| cfg.presign_ttl_secs = 0).await;
    let c = s.client();
    let ctx = c.context("t").await;
    let v = c.ok("GetContextFileUploadUrl", &[("ContextId", &ctx), ("FilePath", "/mnt/data/a.txt")]).await;
    let r = fetch(&c, "PUT", v["Data"]["Url"].as_str().unwrap(), b"late".to_vec()).await;
    let msg = expect_err(&r, 403, "RequestExpired");
    assert!(msg.contains("expired"), "{msg}");
    assert!(c.list_files(&ctx, "/mnt/data").await.is_empty());
    s.stop().await;
}

#[tokio::test]
async fn path_traversal_and_bad_paths_are_refused() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("p").await;
    for bad in
        ["/mnt/data/../../etc/passwd", "../etc/passwd", "relative.txt", "/mnt/./x", "/mnt//x", "/mnt/a\u{0}b", "/"]
    {
        for action in ["GetContextFileUploadUrl", "GetContextFileDownloadUrl", "DeleteContextFile"] {
            let msg = c.err(action, &[("ContextId", &ctx), ("FilePath", bad)], 400, "InvalidParameter.Path").await;
            assert!(msg.contains("FilePath"), "{msg}");
        }
    }
    c.err(
        "DescribeContextFiles",
        &[("ContextId", &ctx), ("ParentFolderPath", "/mnt/../etc")],
        400,
        "InvalidParameter.Path",
    )
    .await;
    for bad in ["/mnt/../etc", "relative", "/", "/usr/local", "/proc/x"] {
        let list = pdl(&[(&ctx, bad, None)]);
        c.err("CreateMcpSession", &[("PersistenceDataList", &list)], 400, "InvalidParameter.Path").await;
    }
    s.stop().await;
}

#[tokio::test]
async fn clear_context_goes_clearing_then_available_and_deletes_files() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("clear-me").await;
    c.put_file(&ctx, "/mnt/data/a.txt", b"a").await;
    c.put_file(&ctx, "/mnt/data/b.txt", b"b").await;
    c.ok("ClearContext", &[("Id", &ctx)]).await;
    let mut states = Vec::new();
    for _ in 0..200 {
        let st = c.ok("GetContext", &[("ContextId", &ctx), ("AllowCreate", "false")]).await["Data"]["State"]
            .as_str()
            .unwrap()
            .to_string();
        states.push(st.clone());
        if st == "available" {
            break;
        }
        assert_eq!(st, "clearing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(states.last().unwrap(), "available", "{states:?}");
    assert!(c.list_files(&ctx, "/mnt/data").await.is_empty());
    assert_eq!(blob_count(&s.data_dir()), 0, "cleared content is really deleted");
    c.err("ClearContext", &[("Id", "SdkCtx-none")], 400, "InvalidContext.NotFound").await;
    s.stop().await;
}

#[tokio::test]
async fn contexts_and_files_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let start = |keys: &'static [&'static str]| {
        let cfg = config(dir.path(), keys);
        async move { agentbay_local::Server::start(cfg).await.unwrap() }
    };
    // A generated key is stored and reused.
    let r1 = start(&[]).await;
    let key = r1.api_keys[0].clone();
    assert!(key.starts_with("akm-"), "{key}");
    let line = r1.startup_line();
    assert!(line.starts_with("agentbay-local listening endpoint=http://127.0.0.1:"), "{line}");
    assert!(line.contains(&format!(" api_key={key} ")), "{line}");
    let c = Client { addr: r1.addr, key: key.clone(), style: Style::Ts, tls: None };
    let ctx = c.context("durable").await;
    c.put_file(&ctx, "/mnt/data/keep.txt", b"still here").await;
    let v = c.ok("GetContextFileDownloadUrl", &[("ContextId", &ctx), ("FilePath", "/mnt/data/keep.txt")]).await;
    let old_url = v["Data"]["Url"].as_str().unwrap().to_string();
    r1.shutdown().await;

    let r2 = start(&[]).await;
    assert_eq!(r2.api_keys[0], key, "generated key reused");
    let c = Client { addr: r2.addr, ..c };
    assert_eq!(c.context("durable").await, ctx);
    assert_eq!(c.get_file(&ctx, "/mnt/data/keep.txt").await, b"still here");
    assert_eq!(c.list_files(&ctx, "/mnt/data").await, [("keep.txt".to_string(), "file".to_string(), 10)]);
    // URLs signed before the restart still verify (the secret lives in the data dir).
    let old = old_url.replace(&r1_port(&old_url), &r2.addr.port().to_string());
    assert_eq!(fetch(&c, "GET", &old, Vec::new()).await.body, b"still here");
    r2.shutdown().await;
}

fn r1_port(url: &str) -> String {
    let rest = url.split_once("127.0.0.1:").unwrap().1;
    rest.split('/').next().unwrap().to_string()
}

#[tokio::test]
async fn a_file_replaces_a_file_at_its_parent_path() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("shape").await;
    c.put_file(&ctx, "/mnt/data/a", b"file").await;
    c.put_file(&ctx, "/mnt/data/a/b.txt", b"nested").await;
    assert_eq!(c.list_files(&ctx, "/mnt/data").await, [("a".to_string(), "folder".to_string(), 0)]);
    c.err(
        "GetContextFileDownloadUrl",
        &[("ContextId", &ctx), ("FilePath", "/mnt/data/a")],
        400,
        "InvalidFile.NotFound",
    )
    .await;
    // And a file replaces a folder of the same name.
    c.put_file(&ctx, "/mnt/data/a", b"file again").await;
    assert_eq!(c.list_files(&ctx, "/mnt/data").await, [("a".to_string(), "file".to_string(), 10)]);
    s.stop().await;
}
