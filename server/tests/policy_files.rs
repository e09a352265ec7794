//! Issue 4, files part: white lists (bwList), delete sync (deletePolicy.syncLocalFile) and
//! path mapping (mappingPolicy), over real HTTP with real sandboxes. Every test checks the
//! exact file set and contents after crossing a sync boundary.

mod common;
use common::*;
use std::collections::BTreeMap;

type Files = BTreeMap<String, String>;

fn files(pairs: &[(&str, &str)]) -> Files {
    pairs.iter().map(|(p, c)| (p.to_string(), c.to_string())).collect()
}

/// Every file stored in `ctx` below `parent` with its content (DescribeContextFiles walked
/// recursively, content through presigned download URLs).
async fn ctx_files(c: &Client, ctx: &str, parent: &str) -> Files {
    let mut out = Files::new();
    let mut todo = vec![parent.to_string()];
    while let Some(dir) = todo.pop() {
        for (name, kind, _) in c.list_files(ctx, &dir).await {
            let full = if dir == "/" { format!("/{name}") } else { format!("{dir}/{name}") };
            if kind == "folder" {
                todo.push(full);
            } else {
                let body = c.get_file(ctx, &full).await;
                out.insert(full, String::from_utf8(body).unwrap());
            }
        }
    }
    out
}

/// Every regular file below `dir` in the session with its content.
async fn session_files(c: &Client, sid: &str, dir: &str) -> Files {
    let cmd = format!(
        "cd {dir} && find . -type f | sort | while read -r f; do printf '%s\\t%s\\n' \"${{f#./}}\" \"$(cat \"$f\")\"; done"
    );
    let out = c.shell(sid, &cmd).await;
    assert_eq!(out.exit_code, 0, "{out:?}");
    out.stdout
        .lines()
        .map(|l| {
            let (p, content) = l.split_once('\t').unwrap();
            (p.to_string(), content.to_string())
        })
        .collect()
}

/// Creates a session with one mount and waits for its download.
async fn session(c: &Client, ctx: &str, path: &str, policy: &str) -> String {
    let sid = c.create_session(&pdl(&[(ctx, path, Some(policy))])).await;
    let tasks = c.wait_tasks(&sid).await;
    assert!(tasks.iter().all(|t| t.status == "Success"), "{tasks:?}");
    sid
}

/// Releases the session (auto upload) and waits until it is gone; the release upload, when
/// the policy has one, has finished by then. (Polling GetContextInfo after DeleteSessionAsync
/// would race a fast release, which ends the session.)
async fn release(c: &Client, sid: &str) {
    c.delete_session(sid).await;
}

async fn seed(c: &Client, ctx: &str, items: &[(&str, &str)]) {
    for (p, content) in items {
        c.put_file(ctx, p, content.as_bytes()).await;
    }
}

#[tokio::test]
async fn white_list_with_exclude_scopes_download_upload_and_delete_sync() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("wl").await;
    seed(
        &c,
        &ctx,
        &[
            ("/home/wuying/src/a.txt", "a"),
            ("/home/wuying/src/gone.txt", "gone"),
            ("/home/wuying/src/temp/t.txt", "t"),
            ("/home/wuying/other.txt", "other"),
        ],
    )
    .await;
    let policy = r#"{"bwList":{"whiteLists":[{"path":"/src","excludePaths":["/temp"]}]}}"#;
    let sid = session(&c, &ctx, "/home/wuying", policy).await;
    // Only white-listed, non-excluded files are delivered.
    assert_eq!(session_files(&c, &sid, "/home/wuying").await, files(&[("src/a.txt", "a"), ("src/gone.txt", "gone")]));
    c.run(&sid,
        "cd /home/wuying && rm src/gone.txt && printf a2 > src/a.txt && printf b > src/b.txt && mkdir -p src/temp docs \
         && printf new-temp > src/temp/new.txt && printf d > docs/d.txt && printf o2 > other.txt",
    )
    .await;
    release(&c, &sid).await;
    // Inside the scope: mirror (a changed, b added, gone deleted). Outside: untouched.
    assert_eq!(
        ctx_files(&c, &ctx, "/").await,
        files(&[
            ("/home/wuying/other.txt", "other"),
            ("/home/wuying/src/a.txt", "a2"),
            ("/home/wuying/src/b.txt", "b"),
            ("/home/wuying/src/temp/t.txt", "t"),
        ])
    );
    s.stop().await;
}

#[tokio::test]
async fn regex_white_lists_and_regex_excludes_match_both_spellings() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("re").await;
    seed(
        &c,
        &ctx,
        &[
            ("/home/wuying/notes/a.md", "a"),
            ("/home/wuying/notes/a.txt", "no"),
            ("/home/wuying/notes/deep/b.md", "b"),
            ("/home/wuying/cfg/x.conf", "x"),
            ("/home/wuying/cfg/cache/c.bin", "cache"),
            ("/home/wuying/cfg/x.tmp", "tmp"),
        ],
    )
    .await;
    // Absolute spelling (as the newer docs show) and mount-relative spelling; regex excludes
    // matched relative to the white list (`/cache`) and anywhere (`.*\.tmp`).
    let policy = r#"{"bwList":{"whiteLists":[
        {"path":"/home/wuying/notes/.*\\.md","isPathRegex":true},
        {"path":"/c[f]g","isPathRegex":true,"excludePaths":["/cache",".*\\.tmp"],"isExcludeRegex":true}]}}"#;
    let sid = session(&c, &ctx, "/home/wuying", policy).await;
    assert_eq!(
        session_files(&c, &sid, "/home/wuying").await,
        files(&[("cfg/x.conf", "x"), ("notes/a.md", "a"), ("notes/deep/b.md", "b")])
    );
    c.run(
        &sid,
        "cd /home/wuying && printf a2 > notes/a.md && printf n > notes/new.md && printf skip > notes/new.txt \
         && rm notes/deep/b.md && mkdir -p cfg/cache && printf c2 > cfg/cache/c2.bin && printf y > cfg/y.conf \
         && printf t2 > cfg/y.tmp",
    )
    .await;
    release(&c, &sid).await;
    assert_eq!(
        ctx_files(&c, &ctx, "/").await,
        files(&[
            ("/home/wuying/cfg/cache/c.bin", "cache"),
            ("/home/wuying/cfg/x.conf", "x"),
            ("/home/wuying/cfg/x.tmp", "tmp"),
            ("/home/wuying/cfg/y.conf", "y"),
            ("/home/wuying/notes/a.md", "a2"),
            ("/home/wuying/notes/a.txt", "no"),
            ("/home/wuying/notes/new.md", "n"),
        ])
    );
    s.stop().await;
}

#[tokio::test]
async fn multiple_white_lists_in_one_policy() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("multi").await;
    seed(&c, &ctx, &[("/data/a/1.txt", "1"), ("/data/b/2.txt", "2"), ("/data/c/3.txt", "3"), ("/data/top.txt", "top")])
        .await;
    let policy = r#"{"bwList":{"whiteLists":[{"path":"/a","excludePaths":[]},{"path":"b/"},{"path":"/top.txt"}]}}"#;
    let sid = session(&c, &ctx, "/data", policy).await;
    assert_eq!(
        session_files(&c, &sid, "/data").await,
        files(&[("a/1.txt", "1"), ("b/2.txt", "2"), ("top.txt", "top")])
    );
    c.run(
        &sid,
        "cd /data && rm a/1.txt && printf 22 > b/2.txt && printf t2 > top.txt && mkdir c && printf 4 > c/4.txt",
    )
    .await;
    release(&c, &sid).await;
    assert_eq!(
        ctx_files(&c, &ctx, "/").await,
        files(&[("/data/b/2.txt", "22"), ("/data/c/3.txt", "3"), ("/data/top.txt", "t2")])
    );
    s.stop().await;
}

#[tokio::test]
async fn delete_sync_off_only_adds_and_overwrites() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("nodel").await;
    seed(&c, &ctx, &[("/mnt/data/keep.txt", "k"), ("/mnt/data/d/old.txt", "old"), ("/mnt/data/chg.txt", "v1")]).await;
    let policy = r#"{"deletePolicy":{"syncLocalFile":false}}"#;
    let sid = session(&c, &ctx, "/mnt/data", policy).await;
    c.run(&sid, "cd /mnt/data && rm keep.txt && rm -r d && printf v2 > chg.txt && printf n > new.txt").await;
    // An explicit SyncContext upload, then the release upload: neither removes anything.
    let added_and_overwritten = files(&[
        ("/mnt/data/chg.txt", "v2"),
        ("/mnt/data/d/old.txt", "old"),
        ("/mnt/data/keep.txt", "k"),
        ("/mnt/data/new.txt", "n"),
    ]);
    c.ok("SyncContext", &[("SessionId", &sid), ("Mode", "upload")]).await;
    c.wait_tasks(&sid).await;
    assert_eq!(ctx_files(&c, &ctx, "/").await, added_and_overwritten);
    release(&c, &sid).await;
    assert_eq!(ctx_files(&c, &ctx, "/").await, added_and_overwritten);
    // The default (true) mirrors: a new session deleting a file removes it.
    let sid = session(&c, &ctx, "/mnt/data", &default_policy()).await;
    c.run(&sid, "rm /mnt/data/keep.txt /mnt/data/d/old.txt").await;
    release(&c, &sid).await;
    assert_eq!(ctx_files(&c, &ctx, "/").await, files(&[("/mnt/data/chg.txt", "v2"), ("/mnt/data/new.txt", "n")]));
    s.stop().await;
}

#[tokio::test]
async fn delete_sync_off_with_white_list_never_deletes_and_stays_in_scope() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("nodel-wl").await;
    seed(&c, &ctx, &[("/w/in/a.txt", "a"), ("/w/out/b.txt", "b")]).await;
    let policy = r#"{"deletePolicy":{"syncLocalFile":false},"bwList":{"whiteLists":[{"path":"/in"}]}}"#;
    let sid = session(&c, &ctx, "/w", policy).await;
    assert_eq!(session_files(&c, &sid, "/w").await, files(&[("in/a.txt", "a")]));
    c.run(&sid, "cd /w && rm in/a.txt && printf c > in/c.txt && mkdir out && printf x > out/x.txt").await;
    release(&c, &sid).await;
    assert_eq!(
        ctx_files(&c, &ctx, "/").await,
        files(&[("/w/in/a.txt", "a"), ("/w/in/c.txt", "c"), ("/w/out/b.txt", "b")])
    );
    s.stop().await;
}

#[tokio::test]
async fn mapping_linux_to_linux_delivers_at_the_mount_and_stores_back_at_the_mapped_path() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("map").await;
    let s1 = session(&c, &ctx, "/home/old", &default_policy()).await;
    c.run(&s1, "mkdir -p /home/old/sub && printf one > /home/old/one.txt && printf deep > /home/old/sub/deep.txt")
        .await;
    release(&c, &s1).await;
    assert_eq!(
        ctx_files(&c, &ctx, "/").await,
        files(&[("/home/old/one.txt", "one"), ("/home/old/sub/deep.txt", "deep")])
    );

    let policy = r#"{"mappingPolicy":{"path":"/home/old"}}"#;
    let s2 = session(&c, &ctx, "/mnt/new", policy).await;
    assert_eq!(session_files(&c, &s2, "/mnt/new").await, files(&[("one.txt", "one"), ("sub/deep.txt", "deep")]));
    c.run(&s2, "cd /mnt/new && printf ONE > one.txt && rm sub/deep.txt && printf two > two.txt").await;
    release(&c, &s2).await;
    // Back under /home/old, nothing under /mnt/new.
    assert_eq!(ctx_files(&c, &ctx, "/").await, files(&[("/home/old/one.txt", "ONE"), ("/home/old/two.txt", "two")]));
    s.stop().await;
}

#[tokio::test]
async fn mapping_windows_to_linux_through_presigned_urls() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("win").await;
    let win_dir = r"c:\Users\Administrator\Downloads";
    c.put_file(&ctx, &format!(r"{win_dir}\report.txt"), b"draft").await;
    c.put_file(&ctx, r"C:/Users/Administrator/Downloads/img/p.png", b"png").await;
    assert_eq!(
        c.list_files(&ctx, win_dir).await,
        [("img".into(), "folder".into(), 0), ("report.txt".into(), "file".into(), 5)]
    );

    let policy = serde_json::json!({"mappingPolicy": {"path": win_dir}}).to_string();
    let sid = session(&c, &ctx, "/home/wuying/Downloads", &policy).await;
    assert_eq!(
        session_files(&c, &sid, "/home/wuying/Downloads").await,
        files(&[("img/p.png", "png"), ("report.txt", "draft")])
    );
    c.run(&sid, "cd /home/wuying/Downloads && echo final-version > report.txt && echo n > notes.txt").await;
    release(&c, &sid).await;

    let listed = c.list_files(&ctx, win_dir).await;
    assert_eq!(
        listed,
        [
            ("img".into(), "folder".into(), 0),
            ("notes.txt".into(), "file".into(), 2),
            ("report.txt".into(), "file".into(), 14)
        ]
    );
    assert_eq!(c.get_file(&ctx, &format!(r"{win_dir}\report.txt")).await, b"final-version\n");
    // One canonical stored form: every spelling addresses the same file.
    assert_eq!(
        ctx_files(&c, &ctx, "/").await,
        files(&[
            ("/c:/Users/Administrator/Downloads/img/p.png", "png"),
            ("/c:/Users/Administrator/Downloads/notes.txt", "n\n"),
            ("/c:/Users/Administrator/Downloads/report.txt", "final-version\n"),
        ])
    );
    c.ok("DeleteContextFile", &[("ContextId", &ctx), ("FilePath", r"C:\Users\Administrator\Downloads\notes.txt")])
        .await;
    c.err(
        "GetContextFileDownloadUrl",
        &[("ContextId", &ctx), ("FilePath", "/c:/Users/Administrator/Downloads/notes.txt")],
        400,
        "InvalidFile.NotFound",
    )
    .await;
    s.stop().await;
}

#[tokio::test]
async fn white_list_with_mapping_is_relative_to_the_mount() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("wl-map").await;
    seed(&c, &ctx, &[("/home/old/src/a.txt", "a"), ("/home/old/src/tmp/t.txt", "t"), ("/home/old/doc.txt", "doc")])
        .await;
    let policy =
        r#"{"mappingPolicy":{"path":"/home/old"},"bwList":{"whiteLists":[{"path":"/src","excludePaths":["/tmp"]}]}}"#;
    let sid = session(&c, &ctx, "/mnt/new", policy).await;
    assert_eq!(session_files(&c, &sid, "/mnt/new").await, files(&[("src/a.txt", "a")]));
    c.run(&sid, "cd /mnt/new && rm src/a.txt && printf b > src/b.txt && printf d2 > doc.txt && mkdir -p src/tmp && printf t2 > src/tmp/t2.txt")
        .await;
    release(&c, &sid).await;
    assert_eq!(
        ctx_files(&c, &ctx, "/").await,
        files(&[("/home/old/doc.txt", "doc"), ("/home/old/src/b.txt", "b"), ("/home/old/src/tmp/t.txt", "t")])
    );
    s.stop().await;
}

async fn create_err(c: &Client, pdl: &str, code: &str) -> String {
    c.err("CreateMcpSession", &[("ImageId", "linux_latest"), ("Labels", "{}"), ("PersistenceDataList", pdl)], 400, code)
        .await
}

#[tokio::test]
async fn bad_policies_are_refused_with_precise_messages() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("bad").await;
    let other = c.context("bad-other").await;
    let one = |p: &str| pdl(&[(&ctx, "/mnt/data", Some(p))]);

    // Wildcards without the regex flags: the newer official messages.
    let m = create_err(&c, &one(r#"{"bwList":{"whiteLists":[{"path":"/src/*"}]}}"#), "InvalidParameter.Policy").await;
    assert!(m.contains("Wildcard patterns are not supported in path when isPathRegex=false. Got: /src/*. Please use exact directory paths or set isPathRegex=true for regex matching."), "{m}");
    let m = create_err(
        &c,
        &one(r#"{"bwList":{"whiteLists":[{"path":"/src","excludePaths":["*.log"]}]}}"#),
        "InvalidParameter.Policy",
    )
    .await;
    assert!(
        m.contains("Wildcard patterns are not supported in excludePaths when isExcludeRegex=false. Got: *.log."),
        "{m}"
    );
    // Malformed JSON.
    let m = create_err(&c, &one(r#"{"bwList":{"whiteLists":[{"path":"/src"}]"#), "InvalidParameter.Policy").await;
    assert!(m.contains("not valid JSON"), "{m}");
    // Invalid regexes are named.
    let m = create_err(
        &c,
        &one(r#"{"bwList":{"whiteLists":[{"path":"/src/(","isPathRegex":true}]}}"#),
        "InvalidParameter.Policy",
    )
    .await;
    assert!(m.contains("PersistenceDataList[0].Policy") && m.contains("invalid regular expression '/src/('"), "{m}");
    let m = create_err(
        &c,
        &one(r#"{"bwList":{"whiteLists":[{"path":"","excludePaths":["[z-a]"],"isExcludeRegex":true}]}}"#),
        "InvalidParameter.Policy",
    )
    .await;
    assert!(m.contains("excludePaths: invalid regular expression '[z-a]'"), "{m}");
    // Escaping white-list and mapping paths.
    let m = create_err(&c, &one(r#"{"bwList":{"whiteLists":[{"path":"/../etc"}]}}"#), "InvalidParameter.Policy").await;
    assert!(m.contains("'/../etc'"), "{m}");
    for (bad, why) in [(r"c:Users", "drive-relative"), (r"c:\Users\..\x", "'..'"), ("relative/dir", "not absolute")] {
        let p = serde_json::json!({"mappingPolicy": {"path": bad}}).to_string();
        let m = create_err(&c, &one(&p), "InvalidParameter.Policy").await;
        assert!(m.contains("mappingPolicy.path") && m.contains(why), "{bad}: {m}");
    }
    // Two mounts of one context storing at the same or nested paths.
    let nested = pdl(&[(&ctx, "/mnt/a", None), (&ctx, "/mnt/b", Some(r#"{"mappingPolicy":{"path":"/mnt/a/sub"}}"#))]);
    let m = create_err(&c, &nested, "InvalidParameter.Policy").await;
    assert!(m.contains("'/mnt/a'") && m.contains("'/mnt/a/sub'") && m.contains("same or nested"), "{m}");
    let same = pdl(&[
        (&ctx, "/mnt/a", Some(r#"{"mappingPolicy":{"path":"C:\\x"}}"#)),
        (&ctx, "/mnt/b", Some(r#"{"mappingPolicy":{"path":"/c:/x"}}"#)),
    ]);
    create_err(&c, &same, "InvalidParameter.Policy").await;
    // Different contexts may map to the same stored path.
    let fine = pdl(&[(&ctx, "/mnt/a", None), (&other, "/mnt/b", Some(r#"{"mappingPolicy":{"path":"/mnt/a"}}"#))]);
    let sid = c.create_session(&fine).await;
    c.delete_session(&sid).await;
    s.stop().await;
}

#[tokio::test]
async fn windows_context_paths_refuse_escapes() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("winesc").await;
    for bad in [r"c:\Users\..\Windows\x.txt", r"c:x.txt", r"\\server\share\x.txt", r"c:\a\b.txt:stream", r"c:\a\\b.txt"]
    {
        let m = c
            .err("GetContextFileUploadUrl", &[("ContextId", &ctx), ("FilePath", bad)], 400, "InvalidParameter.Path")
            .await;
        assert!(m.contains("FilePath"), "{bad}: {m}");
    }
    c.err(
        "DescribeContextFiles",
        &[("ContextId", &ctx), ("ParentFolderPath", r"d:\..\x")],
        400,
        "InvalidParameter.Path",
    )
    .await;
    assert!(ctx_files(&c, &ctx, "/").await.is_empty());
    s.stop().await;
}

#[tokio::test]
async fn delete_sync_drops_only_what_the_session_synced() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("known").await;
    seed(&c, &ctx, &[("/mnt/data/a.txt", "a"), ("/mnt/data/b.txt", "b")]).await;
    let s1 = session(&c, &ctx, "/mnt/data", "{}").await;
    let s2 = session(&c, &ctx, "/mnt/data", "{}").await;
    // Session 2 stores a new file after session 1 downloaded.
    c.run(&s2, "printf n > /mnt/data/new.txt").await;
    c.ok("SyncContext", &[("SessionId", &s2), ("ContextId", &ctx), ("Path", "/mnt/data"), ("Mode", "upload")]).await;
    assert!(c.wait_tasks(&s2).await.iter().all(|t| t.status == "Success"));
    // Session 1 deletes a file it downloaded and is released: that deletion is mirrored, while
    // new.txt, which session 1 never had, is not "deleted in the session" and stays.
    c.run(&s1, "rm /mnt/data/a.txt").await;
    release(&c, &s1).await;
    assert_eq!(ctx_files(&c, &ctx, "/mnt/data").await, files(&[("/mnt/data/b.txt", "b"), ("/mnt/data/new.txt", "n")]));
    // Session 2 still has a.txt (it was never deleted there), so its release stores it again.
    release(&c, &s2).await;
    assert_eq!(
        ctx_files(&c, &ctx, "/mnt/data").await,
        files(&[("/mnt/data/a.txt", "a"), ("/mnt/data/b.txt", "b"), ("/mnt/data/new.txt", "n")])
    );
    s.stop().await;
}
