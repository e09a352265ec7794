//! Issue 4: uploadMode Archive and extractPolicy, over real HTTP with real sandboxes.

mod common;
use common::*;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const ARCHIVE: &str =
    r#"{"uploadPolicy":{"autoUpload":true,"uploadStrategy":"UploadBeforeResourceRelease","uploadMode":"Archive"}}"#;
const SNAPSHOT: &str = ".agentbay-archive.zip";

/// Every path below `dir` in the session: `d <mode> <path>` or `f <mode> <path> <content>`
/// (archives: the first 16 hex digits of their sha256 instead of the content).
async fn tree(c: &Client, sid: &str, dir: &str) -> String {
    let cmd = format!(
        r#"cd {dir} && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do if [ -d "$p" ]; then echo "d $(stat -c %a "$p") $p"; else case "$p" in *.zip|*.tar|*.gz) c=$(sha256sum < "$p" | cut -c1-16);; *) c=$(cat "$p");; esac; echo "f $(stat -c %a "$p") $p $c"; fi; done"#
    );
    let out = c.shell(sid, &cmd).await;
    assert_eq!(out.exit_code, 0, "{out:?}");
    out.stdout
}

async fn sync_and_wait(c: &Client, sid: &str, mode: &str) -> agentbay_wire::context_status::TaskStatus {
    c.ok("SyncContext", &[("SessionId", sid), ("Mode", mode)]).await;
    let tasks = c.wait_tasks(sid).await;
    tasks.into_iter().find(|t| t.task_type == mode).expect("task listed")
}

async fn session(c: &Client, ctx: &str, path: &str, policy: &str) -> String {
    let sid = c.create_session(&pdl(&[(ctx, path, Some(policy))])).await;
    c.wait_tasks(&sid).await;
    sid
}

const T1: &str = "d 755 ./a
d 755 ./a/b
f 644 ./a/b/c.txt deep
d 755 ./empty
f 755 ./run.sh #!/bin/sh
echo hi
f 644 ./top.txt top
";

#[tokio::test]
async fn archive_round_trip_file_and_archive_readers_and_deletion() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("arch").await;
    let s1 = session(&c, &ctx, "/mnt/data", ARCHIVE).await;
    let w = c
        .shell(
            &s1,
            "cd /mnt/data && mkdir -p a/b empty && printf deep > a/b/c.txt && printf top > top.txt \
             && printf '#!/bin/sh\\necho hi\\n' > run.sh && chmod 755 run.sh && touch -d @1600000000 top.txt",
        )
        .await;
    assert_eq!(w.exit_code, 0, "{w:?}");
    assert_eq!(tree(&c, &s1, "/mnt/data").await, T1);
    c.delete_session(&s1).await;

    // One snapshot file is the mount's whole stored content.
    let listed = c.list_files(&ctx, "/mnt/data").await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!((listed[0].0.as_str(), listed[0].1.as_str()), (SNAPSHOT, "file"));
    assert!(listed[0].2 > 0);

    // An Archive-mode reader and a File-mode reader see the same tree, modes and mtimes.
    let s2 = session(&c, &ctx, "/mnt/data", ARCHIVE).await;
    let file_ro = r#"{"uploadPolicy":{"autoUpload":false,"uploadMode":"File"}}"#;
    let s3 = session(&c, &ctx, "/mnt/data", file_ro).await;
    for sid in [&s2, &s3] {
        assert_eq!(tree(&c, sid, "/mnt/data").await, T1, "session {sid}");
        assert_eq!(c.shell(sid, "stat -c %Y /mnt/data/top.txt; /mnt/data/run.sh").await.stdout, "1600000000\nhi\n");
    }
    c.delete_session(&s3).await;

    // A deletion in an Archive session is part of its next snapshot.
    c.shell(&s2, "rm /mnt/data/a/b/c.txt && rmdir /mnt/data/empty && printf new > /mnt/data/a/n.txt").await;
    c.delete_session(&s2).await;
    let s4 = session(&c, &ctx, "/mnt/data", ARCHIVE).await;
    let expected =
        "d 755 ./a\nd 755 ./a/b\nf 644 ./a/n.txt new\nf 755 ./run.sh #!/bin/sh\necho hi\nf 644 ./top.txt top\n";
    assert_eq!(tree(&c, &s4, "/mnt/data").await, expected);
    c.delete_session(&s4).await;
    assert_eq!(c.list_files(&ctx, "/mnt/data").await.len(), 1);
    s.stop().await;
}

#[tokio::test]
async fn archive_without_delete_sync_carries_files_missing_locally() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("carry").await;
    let s1 = session(&c, &ctx, "/mnt/data", ARCHIVE).await;
    c.shell(&s1, "mkdir -p /mnt/data/d && printf 1 > /mnt/data/d/one.txt && printf 2 > /mnt/data/two.txt").await;
    c.delete_session(&s1).await;
    let keep = r#"{"uploadPolicy":{"uploadMode":"Archive"},"deletePolicy":{"syncLocalFile":false}}"#;
    let s2 = session(&c, &ctx, "/mnt/data", keep).await;
    c.shell(&s2, "rm -r /mnt/data/d && printf 3 > /mnt/data/three.txt && printf 22 > /mnt/data/two.txt").await;
    c.delete_session(&s2).await;
    let s3 = session(&c, &ctx, "/mnt/data", ARCHIVE).await;
    assert_eq!(
        tree(&c, &s3, "/mnt/data").await,
        "d 755 ./d\nf 644 ./d/one.txt 1\nf 644 ./three.txt 3\nf 644 ./two.txt 22\n"
    );
    c.delete_session(&s3).await;
    s.stop().await;
}

#[tokio::test]
async fn failed_archive_upload_keeps_the_previous_snapshot() {
    let fail = Arc::new(AtomicBool::new(false));
    let f = fail.clone();
    let s = TestServer::start_with(move |cfg| {
        cfg.upload_fault = Some(Arc::new(move |_| {
            if f.load(Ordering::SeqCst) {
                Err("simulated crash before the manifest switch".into())
            } else {
                Ok(())
            }
        }))
    })
    .await;
    let c = s.client();
    let ctx = c.context("atomic").await;
    let s1 = session(&c, &ctx, "/mnt/data", ARCHIVE).await;
    c.shell(&s1, "printf v1 > /mnt/data/a.txt").await;
    c.delete_session(&s1).await;
    let before = c.get_file(&ctx, &format!("/mnt/data/{SNAPSHOT}")).await;

    let s2 = session(&c, &ctx, "/mnt/data", ARCHIVE).await;
    c.shell(&s2, "printf v2 > /mnt/data/a.txt && printf b > /mnt/data/b.txt").await;
    fail.store(true, Ordering::SeqCst);
    let up = sync_and_wait(&c, &s2, "upload").await;
    assert_eq!(up.status, "Failed");
    assert!(up.error_message.contains("simulated crash"), "{up:?}");
    assert_eq!(c.get_file(&ctx, &format!("/mnt/data/{SNAPSHOT}")).await, before, "previous snapshot intact");
    assert_eq!(c.list_files(&ctx, "/mnt/data").await.len(), 1);
    c.delete_session(&s2).await;
    assert_eq!(
        std::fs::read_to_string(s.data_dir().join("lost+found").join(format!("{s2}-0")).join("b.txt")).unwrap(),
        "b"
    );
    fail.store(false, Ordering::SeqCst);
    let s3 = session(&c, &ctx, "/mnt/data", ARCHIVE).await;
    assert_eq!(tree(&c, &s3, "/mnt/data").await, "f 644 ./a.txt v1\n");
    c.delete_session(&s3).await;
    s.stop().await;
}

// ---- test archives ----

/// Members of a test archive: (name, content) for files, (name/, "") for folders.
fn members(p: &str) -> Vec<(String, &'static [u8])> {
    vec![
        (format!("{p}.txt"), b"top" as &[u8]),
        (format!("{p}dir/"), b""),
        (format!("{p}dir/deep.txt"), b"deep"),
        (format!("{p}dir/empty/"), b""),
    ]
}

fn tar_bytes(p: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members(p) {
        let mut h = tar::Header::new_gnu();
        if name.ends_with('/') {
            h.set_entry_type(tar::EntryType::Directory);
            h.set_mode(0o755);
        } else {
            h.set_mode(0o644);
        }
        h.set_size(data.len() as u64);
        h.set_mtime(1_500_000_000);
        b.append_data(&mut h, &name, data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zip_bytes(p: &str) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for (name, data) in members(p) {
        if name.ends_with('/') {
            z.add_directory(name, opts).unwrap();
        } else {
            z.start_file(name, opts).unwrap();
            z.write_all(data).unwrap();
        }
    }
    z.finish().unwrap().into_inner()
}

/// Tree lines of the members of `p` extracted into `./{base}` (`base` empty: the archive's folder).
fn extracted(base: &str, p: &str) -> Vec<String> {
    let at = |rel: &str| if base.is_empty() { format!("./{rel}") } else { format!("./{base}/{rel}") };
    let mut v = vec![
        format!("f 644 {} top", at(&format!("{p}.txt"))),
        format!("d 755 {}", at(&format!("{p}dir"))),
        format!("f 644 {} deep", at(&format!("{p}dir/deep.txt"))),
        format!("d 755 {}", at(&format!("{p}dir/empty"))),
    ];
    if !base.is_empty() {
        v.push(format!("d 755 ./{base}"));
    }
    v
}

fn sorted(mut lines: Vec<String>) -> String {
    lines.sort_by(|a, b| a.split(' ').nth(2).cmp(&b.split(' ').nth(2)));
    lines.into_iter().map(|l| l + "\n").collect()
}

fn sha(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

#[tokio::test]
async fn extraction_for_each_flag_combination_and_format() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("extract").await;
    let archives =
        [("bundle.zip", zip_bytes("z")), ("plain.tar", tar_bytes("t")), ("packed.tar.gz", gz(&tar_bytes("g")))];
    for (name, data) in &archives {
        c.put_file(&ctx, &format!("/mnt/data/in/{name}"), data).await;
    }
    // (extract, deleteSrcFile, extractToCurrentFolder)
    for (extract, delete_src, current) in
        [(true, true, false), (true, false, false), (true, true, true), (true, false, true), (false, true, true)]
    {
        let policy = format!(
            r#"{{"uploadPolicy":{{"autoUpload":false}},"extractPolicy":{{"extract":{extract},"deleteSrcFile":{delete_src},"extractToCurrentFolder":{current}}}}}"#
        );
        let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", Some(&policy))])).await;
        let tasks = c.wait_tasks(&sid).await;
        assert!(tasks.iter().all(|t| t.status == "Success"), "{tasks:?}");
        let mut lines = Vec::new();
        for ((name, data), (stem, p)) in archives.iter().zip([("bundle", "z"), ("plain", "t"), ("packed", "g")]) {
            if !extract || !delete_src {
                // Delivered untouched: same bytes as stored.
                lines.push(format!("f 644 ./{name} {}", &sha(data)[..16]));
            }
            if extract {
                lines.extend(extracted(if current { "" } else { stem }, p));
            }
        }
        assert_eq!(tree(&c, &sid, "/mnt/data/in").await, sorted(lines), "policy {policy}");
        c.delete_session(&sid).await;
    }
    s.stop().await;
}

#[tokio::test]
async fn extracted_folder_is_uploaded_source_stays_and_redownload_is_idempotent() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("extract-up").await;
    let zip = zip_bytes("z");
    c.put_file(&ctx, "/mnt/data/in/bundle.zip", &zip).await;
    let sid = session(&c, &ctx, "/mnt/data", &default_policy()).await;
    let first = tree(&c, &sid, "/mnt/data").await;
    assert_eq!(first, format!("d 755 ./in\n{}", sorted(extracted("bundle", "z")).replace("./", "./in/")));
    // The session edits an extracted file; a second download neither fails nor undoes the edit.
    c.shell(&sid, "printf edited > /mnt/data/in/bundle/z.txt").await;
    let dl = sync_and_wait(&c, &sid, "download").await;
    assert_eq!(dl.status, "Success", "{dl:?}");
    assert_eq!(c.shell(&sid, "cat /mnt/data/in/bundle/z.txt").await.stdout, "edited");
    // Upload: the extracted folder is a normal part of the mount; the source stays in the context.
    let up = sync_and_wait(&c, &sid, "upload").await;
    assert_eq!(up.status, "Success", "{up:?}");
    let mut listed = c.list_files(&ctx, "/mnt/data/in").await;
    listed.sort();
    assert_eq!(
        listed,
        [
            ("bundle".to_string(), "folder".to_string(), 0),
            ("bundle.zip".to_string(), "file".to_string(), zip.len() as u64)
        ]
    );
    assert_eq!(c.get_file(&ctx, "/mnt/data/in/bundle/z.txt").await, b"edited");
    c.delete_session(&sid).await;
    assert_eq!(c.get_file(&ctx, "/mnt/data/in/bundle.zip").await, zip, "source kept after release");
    // A new session extracts again into the existing folder; files stored individually win.
    let s2 = session(&c, &ctx, "/mnt/data", &default_policy()).await;
    let t = c.tasks(&s2, &[]).await;
    assert!(t.iter().all(|t| t.status == "Success"), "{t:?}");
    assert_eq!(c.shell(&s2, "cat /mnt/data/in/bundle/z.txt; ls /mnt/data/in").await.stdout, "editedbundle\n");
    c.delete_session(&s2).await;
    s.stop().await;
}

// ---- malicious archives ----

/// A tar written header by header, so names the tar crate refuses to write can be tested.
fn raw_tar(entries: &[(&str, tar::EntryType, &str, &[u8], u64)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, kind, link, data, declared) in entries {
        let mut h = tar::Header::new_old();
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
        h.set_entry_type(*kind);
        h.set_mode(0o644);
        h.set_size(*declared);
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

#[tokio::test]
async fn malicious_archives_are_refused_whole_and_the_rest_is_delivered() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("evil").await;
    let host_abs = format!("/tmp/agentbay-evil-{}", std::process::id());
    let reg = tar::EntryType::Regular;
    let through = format!("root{host_abs}-through.txt");
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "dotdot.tar",
            raw_tar(&[("ok.txt", reg, "", b"ok", 2), ("../x", reg, "", b"x", 1)]),
            "entry '../x' escapes".into(),
        ),
        (
            "abs.tar.gz",
            gz(&raw_tar(&[(&format!("{host_abs}/x")[..], reg, "", b"x", 1)])),
            format!("entry '{host_abs}/x' escapes"),
        ),
        (
            "link.tar",
            raw_tar(&[("root", tar::EntryType::Symlink, "/", b"", 0), (&through[..], reg, "", b"x", 1)]),
            "entry 'root' is a link to '/'".into(),
        ),
        (
            "hard.tar",
            raw_tar(&[("h", tar::EntryType::Link, "../../etc/passwd", b"", 0)]),
            "entry 'h' is a link to '../../etc/passwd'".into(),
        ),
        (
            "dev.tar",
            raw_tar(&[("null", tar::EntryType::Char, "", b"", 0)]),
            "entry 'null' is a character device".into(),
        ),
        (
            "bomb.tar",
            raw_tar(&[("big", reg, "", b"", 9 << 30)])[..1024].to_vec(),
            "entry 'big' brings the uncompressed total over 8589934592 bytes".into(),
        ),
        ("dotdot.zip", zip_named("..\\zx"), "entry '../zx' escapes".into()),
        ("link.zip", zip_symlink(), "entry 'l' is a link to '/etc' outside".into()),
    ];
    for (name, data, _) in &cases {
        c.put_file(&ctx, &format!("/mnt/data/in/{name}"), data).await;
    }
    c.put_file(&ctx, "/mnt/data/in/fine.txt", b"fine").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    let tasks = c.wait_tasks(&sid).await;
    let dl = tasks.iter().find(|t| t.task_type == "download").unwrap();
    assert_eq!(dl.status, "Failed");
    for (name, _, why) in &cases {
        let expect = format!("extracting /mnt/data/in/{name}: {why}");
        assert!(dl.error_message.contains(&expect), "missing '{expect}' in: {}", dl.error_message);
    }
    // Nothing from a refused archive is written; the archives stay; the rest is delivered.
    let mut want: Vec<String> = cases.iter().map(|(n, _, _)| n.to_string()).collect();
    want.push("fine.txt".into());
    want.sort();
    assert_eq!(c.shell(&sid, "ls -A /mnt/data/in; ls -A /mnt/data").await.stdout, want.join("\n") + "\nin\n");
    assert_eq!(c.shell(&sid, "cat /mnt/data/in/fine.txt").await.stdout, "fine");
    assert!(!std::path::Path::new(&host_abs).exists());
    assert!(!std::path::Path::new(&format!("{host_abs}-through.txt")).exists(), "wrote through an archive symlink");
    let mount_parent = s.data_dir().join("sessions").join(&sid).join("fs").join("mounts");
    let outside: Vec<_> = std::fs::read_dir(&mount_parent).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(outside.len(), 1, "only the mount dir itself: {outside:?}");
    c.delete_session(&sid).await;
    s.stop().await;
}

fn zip_named(name: &str) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
    z.write_all(b"x").unwrap();
    z.finish().unwrap().into_inner()
}

#[tokio::test]
async fn extract_false_with_archive_mode_snapshot_still_unpacks() {
    // The snapshot is the storage format of Archive mode, not a user archive: extractPolicy does not apply.
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("snap").await;
    let s1 = session(&c, &ctx, "/mnt/data", ARCHIVE).await;
    c.shell(&s1, "printf a > /mnt/data/a.txt").await;
    c.delete_session(&s1).await;
    let no_extract = r#"{"uploadPolicy":{"uploadMode":"Archive"},"extractPolicy":{"extract":false}}"#;
    let s2 = session(&c, &ctx, "/mnt/data", no_extract).await;
    assert_eq!(tree(&c, &s2, "/mnt/data").await, "f 644 ./a.txt a\n");
    c.delete_session(&s2).await;
    s.stop().await;
}

fn zip_symlink() -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.add_symlink("l", "/etc", zip::write::SimpleFileOptions::default()).unwrap();
    z.start_file("l/agentbay-evil.txt", zip::write::SimpleFileOptions::default()).unwrap();
    z.write_all(b"x").unwrap();
    z.finish().unwrap().into_inner()
}

#[tokio::test]
async fn archive_snapshot_members_follow_delete_sync_white_lists_and_other_sessions() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("arch-known").await;
    let src_only =
        r#"{"uploadPolicy":{"uploadMode":"Archive"},"bwList":{"whiteLists":[{"path":"/src","excludePaths":[]}]}}"#;
    let s1 = session(&c, &ctx, "/mnt/data", src_only).await;
    c.run(
        &s1,
        "mkdir /mnt/data/src && printf a > /mnt/data/src/a && printf b > /mnt/data/src/b && printf o > /mnt/data/other",
    )
    .await;
    c.delete_session(&s1).await;

    // Session 2 deletes a member it received and adds one: the deletion is mirrored (not carried
    // back from the old snapshot) and the file outside the white list was never stored.
    let s2 = session(&c, &ctx, "/mnt/data", src_only).await;
    assert_eq!(tree(&c, &s2, "/mnt/data").await, "d 755 ./src\nf 644 ./src/a a\nf 644 ./src/b b\n");
    c.run(&s2, "rm /mnt/data/src/a && printf c > /mnt/data/src/c").await;
    c.delete_session(&s2).await;

    // Session 3 never downloads: the members it never had are carried into its snapshot.
    let no_download = r#"{"uploadPolicy":{"uploadMode":"Archive"},"downloadPolicy":{"autoDownload":false}}"#;
    let s3 = session(&c, &ctx, "/mnt/data", no_download).await;
    assert_eq!(tree(&c, &s3, "/mnt/data").await, "");
    c.run(&s3, "mkdir /mnt/data/src && printf d > /mnt/data/src/d").await;
    c.delete_session(&s3).await;

    let reader = session(&c, &ctx, "/mnt/data", r#"{"uploadPolicy":{"autoUpload":false}}"#).await;
    assert_eq!(
        tree(&c, &reader, "/mnt/data").await,
        "d 755 ./src\nf 644 ./src/b b\nf 644 ./src/c c\nf 644 ./src/d d\n"
    );
    c.delete_session(&reader).await;
    s.stop().await;
}

#[tokio::test]
async fn a_snapshot_that_does_not_unpack_survives_a_file_mode_release() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("bad-snap").await;
    let snapshot = format!("/mnt/data/{SNAPSHOT}");
    c.put_file(&ctx, &snapshot, b"not gzip at all").await;
    c.put_file(&ctx, "/mnt/data/plain.txt", b"p").await;
    let sid = c.create_session(&pdl(&[(&ctx, "/mnt/data", None)])).await;
    let tasks = c.wait_tasks(&sid).await;
    assert_eq!(tasks[0].status, "Failed", "{tasks:?}");
    assert!(tasks[0].error_message.contains(&format!("unpacking {snapshot}")), "{tasks:?}");
    assert_eq!(tree(&c, &sid, "/mnt/data").await, "f 644 ./plain.txt p\n");
    // A File-mode release mirrors what the session had, but the snapshot never arrived: it stays.
    c.delete_session(&sid).await;
    assert_eq!(c.get_file(&ctx, &snapshot).await, b"not gzip at all");
    assert_eq!(c.get_file(&ctx, "/mnt/data/plain.txt").await, b"p");
    s.stop().await;
}

// ---- issue 10: zip snapshots, archiveExcludePaths, tar.gz snapshots of earlier versions ----

const HYBRID: &str = r#"{"uploadPolicy":{"uploadMode":"Archive","archiveExcludePaths":["logs/","cfg/app.json"]}}"#;

#[tokio::test]
async fn archive_is_a_zip_and_excluded_prefixes_are_single_files_that_round_trip() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("hybrid").await;
    let s1 = session(&c, &ctx, "/mnt/data", HYBRID).await;
    c.run(
        &s1,
        "cd /mnt/data && mkdir -p logs/old cfg src && printf l1 > logs/a.log && printf l2 > logs/old/b.log \
         && printf '{}' > cfg/app.json && printf other > cfg/other.json && printf main > src/main.rs \
         && printf top > top.txt && chmod 600 logs/a.log",
    )
    .await;
    let before = tree(&c, &s1, "/mnt/data").await;
    c.delete_session(&s1).await;

    // The snapshot is a zip (official Archive mode); excluded files are stored on their own.
    let zip = c.get_file(&ctx, &format!("/mnt/data/{SNAPSHOT}")).await;
    assert_eq!(&zip[..4], b"PK\x03\x04");
    assert_eq!(c.get_file(&ctx, "/mnt/data/logs/a.log").await, b"l1");
    assert_eq!(c.get_file(&ctx, "/mnt/data/logs/old/b.log").await, b"l2");
    assert_eq!(c.get_file(&ctx, "/mnt/data/cfg/app.json").await, b"{}");
    let names: Vec<String> =
        c.list_files(&ctx, "/mnt/data").await.into_iter().map(|(n, k, _)| format!("{k} {n}")).collect();
    assert_eq!(names, [format!("file {SNAPSHOT}"), "folder cfg".into(), "folder logs".into()]);
    let members: Vec<String> = {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&zip)).unwrap();
        (0..z.len()).map(|i| z.by_index(i).unwrap().name().to_string()).collect()
    };
    assert!(members.iter().any(|m| m == "src/main.rs") && members.iter().any(|m| m == "cfg/other.json"), "{members:?}");
    assert!(!members.iter().any(|m| m.starts_with("logs") || m == "cfg/app.json"), "{members:?}");

    // A second session (Archive or File mode) gets the same tree back; its own upload keeps the split.
    let s2 = session(&c, &ctx, "/mnt/data", HYBRID).await;
    assert_eq!(tree(&c, &s2, "/mnt/data").await, before);
    c.run(&s2, "printf l3 > /mnt/data/logs/c.log && rm /mnt/data/logs/a.log").await;
    c.delete_session(&s2).await;
    assert_eq!(c.get_file(&ctx, "/mnt/data/logs/c.log").await, b"l3");
    let reader = session(&c, &ctx, "/mnt/data", r#"{"uploadPolicy":{"autoUpload":false}}"#).await;
    let after = tree(&c, &reader, "/mnt/data").await;
    assert!(after.contains("f 644 ./logs/c.log l3") && !after.contains("a.log"), "{after}");
    assert!(after.contains("f 644 ./src/main.rs main") && after.contains("f 644 ./cfg/app.json {}"), "{after}");
    c.delete_session(&reader).await;
    s.stop().await;
}

/// The snapshot an earlier version wrote: `<mount>/.agentbay-archive.tar.gz`, a gzip'd GNU tar
/// with folders 0755 and files with their masked modes and mtimes (the old `archive::upload`).
fn legacy_snapshot() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, kind, mode, data) in [
        ("d", tar::EntryType::Directory, 0o755, &b""[..]),
        ("d/x.txt", tar::EntryType::Regular, 0o644, &b"x"[..]),
        ("run.sh", tar::EntryType::Regular, 0o755, &b"#!/bin/sh\n"[..]),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_mtime(1_600_000_000);
        b.append_data(&mut h, name, data).unwrap();
    }
    gz(&b.into_inner().unwrap())
}

#[tokio::test]
async fn a_tar_gz_snapshot_of_an_earlier_version_still_downloads_and_becomes_a_zip() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("legacy").await;
    c.put_file(&ctx, "/mnt/data/.agentbay-archive.tar.gz", &legacy_snapshot()).await;
    let expected = "d 755 ./d\nf 644 ./d/x.txt x\nf 755 ./run.sh #!/bin/sh\n";
    for policy in [r#"{"uploadPolicy":{"autoUpload":false}}"#, ARCHIVE] {
        let sid = session(&c, &ctx, "/mnt/data", policy).await;
        assert_eq!(tree(&c, &sid, "/mnt/data").await, expected, "{policy}");
        assert_eq!(c.shell(&sid, "stat -c %Y /mnt/data/d/x.txt").await.stdout, "1600000000\n");
        c.delete_session(&sid).await;
    }
    // The Archive session's upload re-packed it as the zip snapshot.
    let listed: Vec<String> = c.list_files(&ctx, "/mnt/data").await.into_iter().map(|(n, _, _)| n).collect();
    assert_eq!(listed, [SNAPSHOT]);
    // A session that never downloaded carries the old members into its new zip.
    let fresh = c.context("legacy-carry").await;
    c.put_file(&fresh, "/mnt/data/.agentbay-archive.tar.gz", &legacy_snapshot()).await;
    let no_download = r#"{"uploadPolicy":{"uploadMode":"Archive"},"downloadPolicy":{"autoDownload":false}}"#;
    let s3 = session(&c, &fresh, "/mnt/data", no_download).await;
    c.run(&s3, "printf n > /mnt/data/new.txt").await;
    c.delete_session(&s3).await;
    let reader = session(&c, &fresh, "/mnt/data", r#"{"uploadPolicy":{"autoUpload":false}}"#).await;
    assert_eq!(
        tree(&c, &reader, "/mnt/data").await,
        "d 755 ./d\nf 644 ./d/x.txt x\nf 644 ./new.txt n\nf 755 ./run.sh #!/bin/sh\n"
    );
    let listed: Vec<String> = c.list_files(&fresh, "/mnt/data").await.into_iter().map(|(n, _, _)| n).collect();
    assert_eq!(listed, [SNAPSHOT]);
    c.delete_session(&reader).await;
    s.stop().await;
}

#[tokio::test]
async fn invalid_archive_exclude_paths_are_refused_with_a_clear_message() {
    let s = TestServer::start().await;
    let c = s.client();
    let ctx = c.context("bad-exclude").await;
    for bad in [r#"["../etc/"]"#, r#"["/abs"]"#, r#"["a/../../b"]"#, r#"[""]"#, r#"[3]"#, r#""logs/""#, r#"["*.log"]"#]
    {
        let policy = format!(r#"{{"uploadPolicy":{{"uploadMode":"Archive","archiveExcludePaths":{bad}}}}}"#);
        let msg = c
            .err(
                "CreateMcpSession",
                &[("PersistenceDataList", &pdl(&[(&ctx, "/mnt/data", Some(&policy))]))],
                400,
                "InvalidParameter.Policy",
            )
            .await;
        assert!(msg.contains("Invalid archiveExcludePaths value"), "{bad}: {msg}");
    }
    s.stop().await;
}
