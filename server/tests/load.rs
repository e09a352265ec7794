//! Many sessions at once: concurrent create, write, sync and release across two tenants,
//! each session with a private context and one context shared by all of a tenant's sessions.
//! Every context must end with exactly what its sessions wrote, and no tenant sees the other's.

mod common;
use common::*;

const PER_TENANT: usize = 16;

/// One session's life: mount its own context and the shared one, write one file to each,
/// upload the shared one explicitly, then release (which uploads the private one).
async fn life(c: Client, own: String, shared: String, n: usize) {
    let list = pdl(&[(&own, "/mnt/own", None), (&shared, "/mnt/shared", None)]);
    let sid = c.create_session(&list).await;
    let tasks = c.wait_tasks(&sid).await;
    assert!(tasks.iter().all(|t| t.status == "Success"), "{tasks:?}");
    c.run(&sid, &format!("printf own{n} > /mnt/own/mine.txt && printf s{n} > /mnt/shared/s{n}.txt")).await;
    let sync = [("SessionId", sid.as_str()), ("ContextId", shared.as_str()), ("Path", "/mnt/shared")];
    c.ok("SyncContext", &sync).await;
    let tasks = c.wait_tasks(&sid).await;
    assert!(tasks.iter().all(|t| t.status == "Success"), "{tasks:?}");
    c.delete_session(&sid).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sessions_of_two_tenants_keep_every_write_and_stay_apart() {
    let s = TestServer::start().await;
    let tenants = [s.client(), s.client_with_key("akm-test-b")];
    let mut shared = Vec::new();
    let mut own = Vec::new();
    for (t, c) in tenants.iter().enumerate() {
        shared.push(c.context(&format!("shared-{t}")).await);
        let mut mine = Vec::new();
        for n in 0..PER_TENANT {
            mine.push(c.context(&format!("own-{t}-{n}")).await);
        }
        own.push(mine);
    }
    let mut lives = Vec::new();
    for (t, c) in tenants.iter().enumerate() {
        for (n, mine) in own[t].iter().enumerate() {
            lives.push(tokio::spawn(life(c.clone(), mine.clone(), shared[t].clone(), n)));
        }
    }
    for l in lives {
        l.await.expect("a session's life panicked");
    }

    for (t, c) in tenants.iter().enumerate() {
        for (n, mine) in own[t].iter().enumerate() {
            assert_eq!(c.get_file(mine, "/mnt/own/mine.txt").await, format!("own{n}").as_bytes());
        }
        // Each session added its file to the shared context and deleted nothing it had not seen:
        // concurrent uploads of one context lose no one's file.
        let mut names: Vec<String> = c.list_files(&shared[t], "/mnt/shared").await.into_iter().map(|f| f.0).collect();
        names.sort();
        let mut want: Vec<String> = (0..PER_TENANT).map(|n| format!("s{n}.txt")).collect();
        want.sort();
        assert_eq!(names, want, "tenant {t}");
        // The other tenant's contexts do not exist for this one.
        let other = &shared[1 - t];
        c.err("GetContext", &[("ContextId", other)], 400, "InvalidContext.NotFound").await;
    }
    assert!(s.client().ok("ListSession", &[]).await["Data"].as_array().is_none_or(|a| a.is_empty()));
    s.stop().await;
}
