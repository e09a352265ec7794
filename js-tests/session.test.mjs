// Issue 3 item 5: sessions, commands, files and session.context against real bubblewrap sandboxes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, uniqueName } from "./helpers/server.mjs";
import { AgentBay, ContextSync, newSyncPolicy, freshContext } from "./helpers/sdk.mjs";

let server;
let agentBay;
before(async () => {
  server = await startServer();
  agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint });
});
after(async () => {
  await server?.stop();
});

async function newSession(params = {}) {
  const r = await agentBay.create(params);
  assert.equal(r.success, true, r.errorMessage);
  assert.ok(r.session.sessionId.length > 0);
  return r.session;
}

const newContext = () => freshContext(agentBay, "sess");

async function withSession(params, fn) {
  const session = await newSession(params);
  try {
    return await fn(session);
  } finally {
    await agentBay.delete(session);
  }
}

test("create / get / list / delete", async () => {
  const session = await newSession();
  const got = await agentBay.get(session.sessionId);
  assert.equal(got.success, true, got.errorMessage);
  assert.equal(got.session.sessionId, session.sessionId);

  const listed = await agentBay.list();
  assert.equal(listed.success, true, listed.errorMessage);
  assert.ok(listed.sessionIds.some((s) => s.sessionId === session.sessionId));

  const del = await agentBay.delete(session);
  assert.equal(del.success, true, del.errorMessage);
  const gone = await agentBay.get(session.sessionId);
  assert.equal(gone.success, false);
  assert.match(gone.errorMessage, new RegExp(`Session ${session.sessionId} not found`));
  const listedAfter = await agentBay.list();
  assert.ok(!listedAfter.sessionIds.some((s) => s.sessionId === session.sessionId));
});

test("get('') fails with the official message", async () => {
  const r = await agentBay.get("");
  assert.equal(r.success, false);
  assert.equal(r.errorMessage, "session_id is required");
});

test("imageId linux_latest works; an unknown image is refused with the supported list", async () => {
  await withSession({ imageId: "linux_latest" }, async (s) => {
    const r = await s.command.executeCommand("echo ok");
    assert.equal(r.stdout.trim(), "ok");
  });
  const bad = await agentBay.create({ imageId: "windows_3_11" });
  assert.equal(bad.success, false);
  assert.match(bad.errorMessage, /windows_3_11/);
  assert.match(bad.errorMessage, /linux_latest/);
});

test("labels: create with labels, getLabels, setLabels, list filters by label and pages", async () => {
  const project = uniqueName("proj");
  const a = await newSession({ labels: { project, owner: "alice" } });
  const b = await newSession({ labels: { project, owner: "bob" } });
  try {
    const labels = await a.getLabels();
    assert.equal(labels.success, true, labels.errorMessage);
    assert.deepEqual(labels.data, { project, owner: "alice" });

    const set = await a.setLabels({ project, owner: "carol" });
    assert.equal(set.success, true, set.errorMessage);
    assert.deepEqual((await a.getLabels()).data, { project, owner: "carol" });

    const byProject = await agentBay.list({ project });
    assert.deepEqual(byProject.sessionIds.map((s) => s.sessionId).sort(), [a.sessionId, b.sessionId].sort());
    const byOwner = await agentBay.list({ project, owner: "bob" });
    assert.deepEqual(byOwner.sessionIds.map((s) => s.sessionId), [b.sessionId]);

    const page1 = await agentBay.list({ project }, 1, 1);
    const page2 = await agentBay.list({ project }, 2, 1);
    assert.equal(page1.sessionIds.length, 1);
    assert.equal(page2.sessionIds.length, 1);
    assert.notEqual(page1.sessionIds[0].sessionId, page2.sessionIds[0].sessionId);
    const page3 = await agentBay.list({ project }, 3, 1);
    assert.equal(page3.success, false);
    assert.equal(page3.errorMessage, "Cannot reach page 3: No more pages available");
    const page0 = await agentBay.list({ project }, 0, 1);
    assert.equal(page0.errorMessage, "Cannot reach page 0: Page number must be >= 1");

    const empty = await a.setLabels({});
    assert.equal(empty.success, false);
    assert.equal(empty.errorMessage, "Labels cannot be empty. Please provide at least one label.");
    const arr = await a.setLabels(["x"]);
    assert.equal(arr.errorMessage, "Labels cannot be an array. Please provide a valid labels object.");
  } finally {
    await agentBay.delete(a);
    await agentBay.delete(b);
  }
});

test("info() returns the session's resource data", async () => {
  await withSession({}, async (s) => {
    const info = await s.info();
    assert.equal(info.success, true, info.errorMessage);
    assert.equal(info.data.sessionId, s.sessionId);
  });
});

test("command.execute (seed) and executeCommand/run/exec (official) with stdout, stderr, exitCode", async () => {
  await withSession({}, async (s) => {
    const r = await s.command.execute("echo out; echo err >&2; exit 3");
    assert.equal(r.success, false, "exit code 3 is not success");
    assert.equal(r.exitCode, 3);
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\n");
    assert.equal(r.output, "out\nerr\n");
    assert.ok(r.requestId.length > 0);

    for (const name of ["executeCommand", "run", "exec"]) {
      const ok = await s.command[name]("printf %s hello");
      assert.equal(ok.success, true, `${name}: ${ok.errorMessage}`);
      assert.equal(ok.exitCode, 0);
      assert.equal(ok.output, "hello");
    }

    const cwd = await s.command.execute("pwd", { cwd: "/tmp" });
    assert.equal(cwd.stdout.trim(), "/tmp");
    const env = await s.command.execute("printf %s \"$GREETING\"", { envs: { GREETING: "hi there" } });
    assert.equal(env.stdout, "hi there");
    const positional = await s.command.executeCommand("printf %s \"$X\"; pwd", 5000, "/tmp", { X: "y" });
    assert.equal(positional.stdout, "y/tmp\n");

    const home = await s.command.execute("echo $HOME; id -u");
    assert.equal(home.stdout, "/home/wuying\n1000\n");
  });
});

test("command timeout kills the command and says so; bad envs are refused", async () => {
  await withSession({}, async (s) => {
    const t0 = Date.now();
    const r = await s.command.execute("sleep 5; echo never", { timeoutMs: 500 });
    assert.ok(Date.now() - t0 < 4000, "returned before the command would have finished");
    assert.equal(r.success, false);
    assert.ok(!r.stdout?.includes("never"));
    assert.match(r.errorMessage ?? "", /tim(e|ed) ?out/i);
    await assert.rejects(async () => s.command.executeCommand("true", 1000, undefined, { A: 1 }), {
      message:
        "Invalid environment variables: all keys and values must be strings. Found invalid entries: value for key 'A' (type: number)",
    });
  });
});

test("fileSystem: write/read (chunked, multi-byte), list, mkdir, info, move, delete", async () => {
  await withSession({}, async (s) => {
    const fs = s.fileSystem;
    const big = "ünïcødé ✓ line\n".repeat(9000); // > 61440 chars and bytes: several chunks
    assert.equal((await fs.createDirectory("/tmp/work/sub")).success, true);
    const w = await fs.writeFile("/tmp/work/big.txt", big);
    assert.equal(w.success, true, w.errorMessage);
    const r = await fs.readFile("/tmp/work/big.txt");
    assert.equal(r.success, true, r.errorMessage);
    assert.equal(r.content.length, big.length);
    assert.equal(r.content, big);
    const wc = await s.command.execute("wc -c < /tmp/work/big.txt");
    assert.equal(Number(wc.stdout.trim()), Buffer.byteLength(big));

    assert.equal((await fs.writeFile("/tmp/work/a.txt", "one\n")).success, true);
    assert.equal((await fs.writeFile("/tmp/work/a.txt", "two\n", "append")).success, true);
    assert.equal((await fs.readFile("/tmp/work/a.txt")).content, "one\ntwo\n");
    const badMode = await fs.writeFile("/tmp/work/a.txt", "x", "sideways");
    assert.equal(badMode.success, false);
    assert.equal(badMode.errorMessage, "Invalid mode: sideways. Must be one of overwrite, append, create_new");

    const ls = await fs.listDirectory("/tmp/work");
    assert.equal(ls.success, true, ls.errorMessage);
    const entries = Object.fromEntries(ls.entries.map((e) => [e.name, e.isDirectory]));
    assert.deepEqual(entries, { "a.txt": false, "big.txt": false, sub: true });

    const info = await fs.getFileInfo("/tmp/work/a.txt");
    assert.equal(info.success, true, info.errorMessage);
    assert.equal(info.fileInfo.size, 8);
    assert.equal(info.fileInfo.isDirectory, false);
    // The official parser cuts values at the first ':' (modTime "2025-01-02T03"); ours keeps them.
    assert.match(info.fileInfo.modTime, /\d:\d\d/);
    assert.equal((await fs.getFileInfo("/tmp/work/sub")).fileInfo.isDirectory, true);

    assert.equal((await fs.moveFile("/tmp/work/a.txt", "/tmp/work/sub/b.txt")).success, true);
    assert.equal((await fs.readFile("/tmp/work/sub/b.txt")).content, "one\ntwo\n");
    assert.equal((await fs.readFile("/tmp/work/a.txt")).success, false);

    assert.equal((await fs.deleteFile("/tmp/work/sub/b.txt")).success, true);
    const check = await s.command.execute("test -e /tmp/work/sub/b.txt && echo present || echo absent");
    assert.equal(check.stdout.trim(), "absent");

    const missing = await fs.readFile("/tmp/nope.txt");
    assert.equal(missing.success, false);
    assert.ok(missing.errorMessage.length > 0);
  });
});

test("sessions are isolated: /tmp and the same mount path are private to each session", async () => {
  const ctx = await newContext();
  const cs = () => [new ContextSync(ctx.id, "/mnt/data", newSyncPolicy())];
  const a = await newSession({ contextSync: cs() });
  const b = await newSession({ contextSync: cs() });
  try {
    await a.command.execute("echo from-a > /tmp/mine; echo from-a > /mnt/data/mine");
    const seen = await b.command.execute("cat /tmp/mine /mnt/data/mine 2>&1; true");
    assert.doesNotMatch(seen.stdout, /from-a/);
    const own = await a.command.execute("cat /tmp/mine /mnt/data/mine");
    assert.equal(own.stdout, "from-a\nfrom-a\n");
  } finally {
    await agentBay.delete(a);
    await agentBay.delete(b);
  }
});

test("session.context.sync() uploads, info() shows the task, the file lands in the context", async () => {
  const ctx = await newContext();
  await withSession({ contextSync: [new ContextSync(ctx.id, "/mnt/data", newSyncPolicy())] }, async (s) => {
    await s.command.execute("echo synced > /mnt/data/synced.txt");
    const sync = await s.context.sync();
    assert.equal(sync.success, true, sync.errorMessage);
    const info = await s.context.info();
    assert.equal(info.success, true, info.errorMessage);
    const upload = info.contextStatusData.find((d) => d.taskType === "upload" && d.contextId === ctx.id);
    assert.ok(upload, `an upload task is listed: ${JSON.stringify(info.contextStatusData)}`);
    assert.equal(upload.status, "Success");
    assert.equal(upload.path, "/mnt/data");
    const filtered = await s.context.info(ctx.id, "/mnt/data", "upload");
    assert.ok(filtered.contextStatusData.length >= 1);
    assert.ok(filtered.contextStatusData.every((d) => d.taskType === "upload"));

    const down = await agentBay.context.downloadFile(ctx.id, "/mnt/data/synced.txt");
    assert.equal(down.success, true, down.errorMessage);
    assert.equal(new TextDecoder().decode(down.content), "synced\n");

    await s.command.execute("echo again > /mnt/data/second.txt");
    const alias = await s.context.syncContext(ctx.id, "/mnt/data");
    assert.equal(alias.success, true, alias.errorMessage);
    const second = await agentBay.context.downloadFile(ctx.id, "/mnt/data/second.txt");
    assert.equal(new TextDecoder().decode(second.content), "again\n");

    // Official: a rejection (validation inside the async method).
    await assert.rejects(async () => s.context.sync(ctx.id), {
      message:
        "contextId and path must be provided together or both omitted. If you want to sync a specific context, both contextId and path are required. If you want to sync all contexts, omit both parameters.",
    });
  });
});

test("session.context.sync() with a callback returns at once and calls back with the outcome", async () => {
  const ctx = await newContext();
  await withSession({ contextSync: [new ContextSync(ctx.id, "/mnt/data", newSyncPolicy())] }, async (s) => {
    await s.command.execute("echo cb > /mnt/data/cb.txt");
    let called;
    const done = new Promise((resolve) => {
      called = resolve;
    });
    const r = await s.context.sync(undefined, undefined, undefined, (ok) => called(ok));
    assert.equal(r.success, true, r.errorMessage);
    assert.equal(await done, true);
    const down = await agentBay.context.downloadFile(ctx.id, "/mnt/data/cb.txt");
    assert.equal(new TextDecoder().decode(down.content), "cb\n");
  });
});

test("sync(…, { callback, onProgress }): returns before the tasks end; onProgress sees them end; the callback hears the real outcome", async () => {
  const ctx = await newContext();
  await withSession({ contextSync: [new ContextSync(ctx.id, "/mnt/data", newSyncPolicy())] }, async (s) => {
    await s.command.execute("head -c 2000000 /dev/urandom > /mnt/data/big.bin && echo ok > /mnt/data/ok.txt");
    const seen = [];
    let heard;
    let returned = false;
    const done = new Promise((resolve) => {
      heard = resolve;
    });
    const r = await s.context.sync(undefined, undefined, undefined, {
      callback: (ok) => heard({ ok, pollsBefore: seen.length, afterReturn: returned }),
      onProgress: (tasks) => seen.push(tasks.map((t) => ({ path: t.path, taskType: t.taskType, status: t.status }))),
    });
    returned = true;
    assert.equal(r.success, true, r.errorMessage);
    assert.equal(typeof r.requestId, "string");
    const { ok, pollsBefore, afterReturn } = await done;
    assert.equal(ok, true);
    assert.equal(afterReturn, true, "sync() resolved before the callback ran");
    // The statuses were reported before the callback, and the last report is the outcome.
    assert.ok(pollsBefore >= 1 && pollsBefore === seen.length, "onProgress ran before the callback");
    const last = seen.at(-1);
    assert.ok(last.length >= 1);
    assert.ok(last.every((t) => t.taskType === "upload" && t.path === "/mnt/data" && t.status === "Success"), JSON.stringify(last));
    // What agentbay-local itself lists matches what the callback heard.
    const info = await s.context.info(ctx.id, "/mnt/data", "upload");
    assert.ok(info.contextStatusData.length > 0 && info.contextStatusData.every((t) => t.status === "Success"));
    const listed = await agentBay.context.listFiles(ctx.id, "/mnt/data");
    assert.ok(listed.entries.some((e) => e.fileName === "ok.txt"), JSON.stringify(listed.entries));
  });
});

test("sync() callback hears false, and the awaited form says why, when the upload really fails (a name the store cannot keep)", async () => {
  const ctx = await newContext();
  await withSession({ contextSync: [new ContextSync(ctx.id, "/mnt/data", newSyncPolicy())] }, async (s) => {
    // A file name that is not valid UTF-8: agentbay-local refuses to store it (server/src/sync/walk.rs).
    const made = await s.command.execute("touch \"/mnt/data/bad-$(printf '\\377')\" && echo fine > /mnt/data/fine.txt");
    assert.equal(made.exitCode, 0, made.stderr);
    let heard;
    const done = new Promise((resolve) => {
      heard = resolve;
    });
    const started = await s.context.sync(undefined, undefined, undefined, (ok) => heard(ok));
    assert.equal(started.success, true, "callback mode resolves once SyncContext is accepted");
    assert.equal(await done, false);
    const info = await s.context.info(ctx.id, "/mnt/data", "upload");
    const failed = info.contextStatusData.filter((t) => t.status === "Failed");
    assert.equal(failed.length, 1, JSON.stringify(info.contextStatusData));
    assert.match(failed[0].errorMessage, /not valid UTF-8/);

    const awaited = await s.context.sync();
    assert.equal(awaited.success, false);
  });
});

test("create() waits for the context download: files are there on the first command", async () => {
  const ctx = await newContext();
  const up = await agentBay.context.uploadFile(ctx.id, "/mnt/data/pre.txt", "preloaded");
  assert.equal(up.success, true, up.errorMessage);
  await withSession({ contextSyncs: [new ContextSync(ctx.id, "/mnt/data", newSyncPolicy())] }, async (s) => {
    const r = await s.command.execute("cat /mnt/data/pre.txt");
    assert.equal(r.stdout, "preloaded");
    const info = await s.context.info(ctx.id, "/mnt/data", "download");
    assert.ok(info.contextStatusData.some((d) => d.status === "Success"));
  });
});

test("a failed context download is reported in create()'s result, not hidden", async () => {
  // A stored file named like an archive that is not one cannot be extracted (extractPolicy is on
  // by default), so the download fails: the simplest real failure to provoke. (A name over 255
  // bytes used to serve; the file API refuses those now.)
  const ctx = await newContext();
  const archive = "not-really.zip";
  assert.equal((await agentBay.context.uploadFile(ctx.id, `/mnt/data/${archive}`, "not a zip")).success, true);
  const r = await agentBay.create({ contextSync: [new ContextSync(ctx.id, "/mnt/data", newSyncPolicy())] });
  try {
    assert.equal(r.success, true, "like the official SDK, create() itself succeeds");
    assert.ok(Array.isArray(r.contextSyncFailures), "the failure is listed");
    const [failure] = r.contextSyncFailures;
    assert.equal(failure.contextId, ctx.id);
    assert.equal(failure.path, "/mnt/data");
    assert.equal(failure.status, "Failed");
    assert.equal(failure.taskType, "download");
    assert.match(failure.errorMessage, new RegExp(archive.replace(".", "\\.")));
  } finally {
    if (r.session) await agentBay.delete(r.session);
  }
});

test("autoUpload decides what a plain delete() keeps", async () => {
  const keep = await newContext();
  const drop = await newContext();
  const session = await newSession({
    contextSync: [
      new ContextSync(keep.id, "/mnt/keep", newSyncPolicy()),
      new ContextSync(drop.id, "/mnt/drop", { uploadPolicy: { autoUpload: false } }),
    ],
  });
  await session.command.execute("echo k > /mnt/keep/f.txt; echo d > /mnt/drop/f.txt");
  const del = await session.delete();
  assert.equal(del.success, true, del.errorMessage);
  const kept = await agentBay.context.downloadFile(keep.id, "/mnt/keep/f.txt");
  assert.equal(new TextDecoder().decode(kept.content), "k\n");
  const dropped = await agentBay.context.downloadFile(drop.id, "/mnt/drop/f.txt");
  assert.equal(dropped.success, false, "autoUpload:false must not upload on release");
});

test("a deleted session object fails fast with a clear message", async () => {
  const session = await newSession();
  assert.equal((await session.delete()).success, true);
  const t0 = Date.now();
  let message;
  try {
    const r = await session.command.execute("echo hi");
    assert.equal(r.success, false);
    message = r.errorMessage;
  } catch (e) {
    message = e.message;
  }
  assert.ok(Date.now() - t0 < 1000, "no network round trips for a deleted session");
  assert.match(message, new RegExp(`${session.sessionId}.*deleted|deleted.*${session.sessionId}`, "i"));
});

test("the deprecated contextId parameter mounts the context at /mnt/context (default policy)", async () => {
  const ctx = await newContext();
  assert.equal((await agentBay.context.uploadFile(ctx.id, "/mnt/context/legacy.txt", "legacy")).success, true);
  const r = await agentBay.create({ contextId: ctx.id });
  assert.equal(r.success, true, r.errorMessage);
  const read = await r.session.command.execute("cat /mnt/context/legacy.txt");
  assert.equal(read.stdout, "legacy");
  await r.session.command.execute("echo back > /mnt/context/back.txt");
  assert.equal((await agentBay.delete(r.session)).success, true);
  // Default policy: auto-upload on release.
  const back = await agentBay.context.downloadFile(ctx.id, "/mnt/context/back.txt");
  assert.equal(new TextDecoder().decode(back.content), "back\n");
});
