//! The SDK and agentbay-local agree: the SDK's core (`src/core/`) drives an in-process
//! agentbay-local over real HTTP, through a native transport, for the whole seed flow. A
//! request field, a reply shape or a policy that one side reads differently from the other
//! fails here, in `cargo test`, before any JavaScript runs.

mod common;

use agentbay_wasm::core::handle::SessionHandle;
use agentbay_wasm::core::poll::WaitOptions;
use agentbay_wasm::core::{command, context, context_manager, filesystem, session};
use common::native::sdk;
use common::TestServer;
use serde_json::json;

const WAIT: WaitOptions = WaitOptions::new(60_000, 20, 500);

#[tokio::test]
async fn the_sdk_core_and_the_server_agree_on_the_whole_seed_flow() {
    let server = TestServer::start().await;
    let api = sdk(&server);

    // Context CRUD.
    let c = context::get(&api, "contract-ctx", true).await;
    assert!(c.success, "{c:?}");
    let ctx = c.context_id.clone();
    assert!(c.context.as_ref().unwrap().created_at.is_some(), "{c:?}");
    let again = context::get(&api, "contract-ctx", false).await;
    assert_eq!(again.context_id, ctx);
    let renamed = context::update(&api, &ctx, "contract-ctx-2").await;
    assert!(renamed.success, "{renamed:?}");
    let listed = context::list(&api, &Default::default()).await;
    assert!(listed.success && listed.contexts.iter().any(|x| x.id == ctx && x.name == "contract-ctx-2"), "{listed:?}");
    // Context file paths are the paths a session sees (the mount path included).
    let up = context::upload_file(&api, &ctx, "/mnt/data/seeded.txt", b"from the file API".to_vec()).await;
    assert!(up.success, "{up:?}");

    // A session mounting the context, with a policy in the seed's spellings.
    let created = session::create(
        &api,
        &json!({
            "labels": {"suite": "contract"},
            "contextSync": [{
                "contextId": ctx,
                "path": "/mnt/data",
                "policy": {"uploadPolicy": {"autoUpload": true, "uploadStrategy": "BeforeResourceRelease", "uploadMode": "File"},
                           "downloadPolicy": {"autoDownload": true, "downloadStrategy": "Async"},
                           "recyclePolicy": {"lifecycle": "Lifecycle_Forever", "paths": [""]}}
            }],
        }),
    )
    .await;
    assert!(created.success, "{created:?}");
    let s = SessionHandle::new(created.session.clone().unwrap());
    let labels = session::get_labels(&api, &s).await;
    assert_eq!(labels.data.unwrap().get("suite").map(String::as_str), Some("contract"));
    let got = session::get(&api, s.id()).await;
    assert!(got.success, "{got:?}");
    let status = session::status(&api, &s).await;
    assert_eq!(status.status.as_deref(), Some("RUNNING"), "{status:?}");
    let info = session::info(&api, &s).await;
    assert_eq!(info.data.unwrap().session_id, s.id());

    // Tool calls: the mount holds the context's file; a command and the file tools write.
    let seeded = filesystem::read_file(&api, &s, "/mnt/data/seeded.txt").await;
    assert_eq!(seeded.content, "from the file API", "{seeded:?}");
    let ran =
        command::execute(&api, &s, "echo -n synced > /mnt/data/a.txt && pwd", Some(10_000), Some("/tmp"), None).await;
    assert!(ran.success, "{ran:?}");
    assert_eq!(ran.output.trim(), "/tmp");
    let wrote = filesystem::write_file(&api, &s, "/mnt/data/b.txt", "written", "overwrite").await;
    assert!(wrote.success, "{wrote:?}");
    let listing = filesystem::list_directory(&api, &s, "/mnt/data").await;
    let names: Vec<&str> = listing.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["a.txt", "b.txt", "seeded.txt"], "{listing:?}");
    let found = filesystem::search_files(&api, &s, "/mnt/data", "*.txt", &["seeded*".to_string()]).await;
    assert_eq!(found.matches.len(), 2, "{found:?}");

    // An explicit sync uploads; the context then holds the files.
    let synced = context_manager::sync(&api, &s, None, None, None, WAIT, &mut |_| {}, &mut |_| {}).await;
    assert!(synced.success, "{synced:?}");
    let a = context::download_file(&api, &ctx, "/mnt/data/a.txt").await;
    assert_eq!(a.bytes, b"synced", "{a:?}");
    let files = context::list_files(&api, &ctx, "/mnt/data", context::FilePaging::Pages { page: 1, size: 50 }).await;
    assert!(files.success && files.entries.iter().any(|f| f.file_path == "/mnt/data/b.txt"), "{files:?}");

    // Delete with sync: the last write reaches the context, and the session is gone.
    let late = filesystem::write_file(&api, &s, "/mnt/data/late.txt", "late", "overwrite").await;
    assert!(late.success, "{late:?}");
    let deleted = session::delete(&api, &s, true, WAIT).await;
    assert!(deleted.success && deleted.context_sync_error.is_none(), "{deleted:?}");
    let late = context::download_file(&api, &ctx, "/mnt/data/late.txt").await;
    assert_eq!(late.bytes, b"late", "{late:?}");
    let gone = session::get(&api, s.id()).await;
    assert!(!gone.success, "{gone:?}");

    // And the context goes too.
    let removed = context::delete(&api, &ctx).await;
    assert!(removed.success, "{removed:?}");
    let missing = context::get(&api, "contract-ctx-2", false).await;
    assert!(!missing.success, "{missing:?}");
    server.stop().await;
}
