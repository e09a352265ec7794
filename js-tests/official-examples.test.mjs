// The official SDK's data-persistence examples (reference official-js-api.md §4.1–§4.6) and its file
// transfer example (§4.7, typescript/examples/common-features/basics/filesystem-example), ported to
// node:test with the same calls in the same order, asserting what the examples only print.
import { test, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { startServer } from "./helpers/server.mjs";
import {
  AgentBay,
  ContextSync,
  SyncPolicyImpl,
  Lifecycle,
  UploadMode,
  newSyncPolicy,
  newSyncPolicyWithDefaults,
  newContextSync,
} from "./helpers/sdk.mjs";

// Each example gets its own fresh server, as each official example is its own program (and one
// example's failure cannot leave state behind for the next).
let server;
let agentBay;
beforeEach(async () => {
  server = await startServer();
  // The examples read AGENTBAY_API_KEY; the endpoint comes from AGENTBAY_ENDPOINT.
  server.useEnv();
  agentBay = new AgentBay({ apiKey: process.env.AGENTBAY_API_KEY });
});
afterEach(async () => {
  await server?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function getContext(name) {
  const r = await agentBay.context.get(name, true);
  assert.equal(r.success, true, r.errorMessage);
  assert.equal(r.context.name, name);
  return r.context;
}

test("§4.1 data-persistence.ts: three files survive into a second session", async () => {
  const context = await getContext("persistence-demo");
  const contextSync = new ContextSync(context.id, "/tmp/persistent_data", newSyncPolicy());
  const created1 = await agentBay.create({ contextSync: [contextSync] });
  assert.equal(created1.success, true, created1.errorMessage);
  const session1 = created1.session;
  const appConfig = {
    app_name: "AgentBay Demo",
    version: "1.0.0",
    created_at: new Date().toISOString(),
    session_id: session1.sessionId,
    features: ["data_persistence", "context_sync", "file_operations"],
  };
  try {
    for (const dir of ["config", "logs"]) {
      const r = await session1.command.executeCommand(`mkdir -p /tmp/persistent_data/${dir}`);
      assert.equal(r.success, true, r.errorMessage);
    }
    const files = {
      "/tmp/persistent_data/config/app.json": JSON.stringify(appConfig, null, 2),
      "/tmp/persistent_data/logs/session1.log": `Session 1 started at ${appConfig.created_at}\nCreated config\nCreated logs\n`,
      "/tmp/persistent_data/shared_data.txt": "This data is shared across sessions.\nSecond line.\n",
    };
    for (const [path, content] of Object.entries(files)) {
      const w = await session1.fileSystem.writeFile(path, content);
      assert.equal(w.success, true, `${path}: ${w.errorMessage}`);
    }
    const find = await session1.command.executeCommand("find /tmp/persistent_data -type f -ls");
    assert.equal(find.success, true, find.errorMessage);
    for (const path of Object.keys(files)) assert.ok(find.output.includes(path), `find lists ${path}`);
  } finally {
    const del = await agentBay.delete(session1, true);
    assert.equal(del.success, true, del.errorMessage);
  }

  const created2 = await agentBay.create({ contextSync: [contextSync] });
  assert.equal(created2.success, true, created2.errorMessage);
  const session2 = created2.session;
  try {
    let found = 0;
    const app = await session2.fileSystem.readFile("/tmp/persistent_data/config/app.json");
    assert.equal(app.success, true, app.errorMessage);
    const parsed = JSON.parse(app.content);
    assert.equal(`${parsed.app_name} v${parsed.version}`, "AgentBay Demo v1.0.0");
    assert.equal(parsed.session_id, session1.sessionId);
    found++;
    for (const path of ["/tmp/persistent_data/logs/session1.log", "/tmp/persistent_data/shared_data.txt"]) {
      const r = await session2.fileSystem.readFile(path);
      assert.equal(r.success, true, `${path}: ${r.errorMessage}`);
      if (r.content.length > 0) found++;
    }
    assert.equal(found, 3, "Data persistence verification SUCCESSFUL! (3/3)");
    const w = await session2.fileSystem.writeFile("/tmp/persistent_data/logs/session2.log", "Session 2 verified\n");
    assert.equal(w.success, true, w.errorMessage);
  } finally {
    assert.equal((await agentBay.delete(session2, true)).success, true);
  }
  const logs = await agentBay.context.listFiles(context.id, "/tmp/persistent_data/logs");
  assert.equal(logs.success, true, logs.errorMessage);
  assert.deepEqual(logs.entries.map((e) => e.fileName).sort(), ["session1.log", "session2.log"]);
});

async function syncDemoSession(name) {
  const context = await getContext(name);
  const created = await agentBay.create({
    contextSync: [new ContextSync(context.id, "/tmp/sync_data", newSyncPolicyWithDefaults())],
  });
  assert.equal(created.success, true, created.errorMessage);
  const session = created.session;
  assert.equal((await session.command.executeCommand("mkdir -p /tmp/sync_data/test_files")).success, true);
  const files = {
    "/tmp/sync_data/test_files/small.txt": "Small test file content\n".repeat(10),
    "/tmp/sync_data/test_files/medium.txt": "Medium test file content\n".repeat(100),
    "/tmp/sync_data/config.json": JSON.stringify({ sync_demo: true, created_at: new Date().toISOString(), session_id: session.sessionId }),
  };
  for (const [path, content] of Object.entries(files)) {
    assert.equal((await session.fileSystem.writeFile(path, content)).success, true);
  }
  return { context, session, files };
}

test("§4.2 context-sync-demo.ts: callback sync and await sync, run concurrently", async () => {
  const callbackDemo = (async () => {
    const { context, session, files } = await syncDemoSession("sync-callback-demo");
    const t0 = Date.now();
    const outcome = new Promise((resolve) => {
      session.context
        .sync(undefined, undefined, undefined, async (success) => {
          const del = await session.delete(false);
          resolve({ success, took: Date.now() - t0, deleted: del.success });
        })
        .then((r) => {
          assert.equal(r.success, true, r.errorMessage);
          assert.ok(r.requestId.length > 0);
        });
    });
    const result = await outcome;
    assert.equal(result.success, true);
    assert.equal(result.deleted, true);
    return { context, files };
  })();
  await sleep(300);
  const { context, session, files } = await syncDemoSession("sync-await-demo");
  const t0 = Date.now();
  const r = await session.context.sync();
  assert.equal(r.success, true, r.errorMessage);
  assert.ok(r.requestId.length > 0);
  assert.ok(Date.now() - t0 < 60000);
  assert.equal((await session.delete(false)).success, true);
  const cb = await callbackDemo;
  for (const { context: ctx, files: f } of [{ context, files }, cb]) {
    for (const [path, content] of Object.entries(f)) {
      const down = await agentBay.context.downloadFile(ctx.id, path);
      assert.equal(down.success, true, `${path}: ${down.errorMessage}`);
      assert.equal(new TextDecoder().decode(down.content), content);
    }
  }
});

test("§4.3 recycle-policy-example.ts: default, 1-day and path-specific recycle policies", async () => {
  // Example 1: default policy, no mkdir (the mount dir must exist).
  const p1 = newSyncPolicy();
  assert.equal(p1.recyclePolicy.lifecycle, Lifecycle.Lifecycle_Forever);
  assert.deepEqual([...p1.recyclePolicy.paths], [""]);
  const c1 = await getContext("default-recycle-demo");
  const s1 = await agentBay.create({ contextSync: [new ContextSync(c1.id, "/tmp/default_data", p1)] });
  assert.equal(s1.success, true, s1.errorMessage);
  const e1 = await s1.session.command.executeCommand("echo 'Default policy - data kept forever' > /tmp/default_data/test.txt");
  assert.equal(e1.success, true, e1.errorMessage);
  assert.equal((await agentBay.delete(s1.session)).success, true);
  assert.equal((await agentBay.context.delete(c1)).success, true);

  // Example 2: one-day lifecycle, labels.
  const c2 = await getContext("one-day-recycle-demo");
  const p2 = new SyncPolicyImpl({ recyclePolicy: { lifecycle: Lifecycle.Lifecycle_1Day, paths: [""] } });
  const s2 = await agentBay.create({
    contextSync: [new ContextSync(c2.id, "/tmp/oneday_data", p2)],
    labels: { example: "recycle_policy", lifecycle: "1day" },
  });
  assert.equal(s2.success, true, s2.errorMessage);
  assert.equal((await s2.session.command.executeCommand("mkdir -p /tmp/oneday_data")).success, true);
  const e2 = await s2.session.command.executeCommand("echo 'one day' > /tmp/oneday_data/test.txt");
  assert.equal(e2.success, true, e2.errorMessage);
  assert.deepEqual((await s2.session.getLabels()).data, { example: "recycle_policy", lifecycle: "1day" });
  assert.equal((await agentBay.delete(s2.session)).success, true);
  assert.equal((await agentBay.context.delete(c2)).success, true);

  // Example 3: three days, specific paths.
  const c3 = await getContext("specific-path-demo");
  const p3 = new SyncPolicyImpl({
    recyclePolicy: { lifecycle: Lifecycle.Lifecycle_3Days, paths: ["/tmp/cache", "/tmp/logs"] },
  });
  const s3 = await agentBay.create({ contextSync: [new ContextSync(c3.id, "/tmp/multipath_data", p3)] });
  assert.equal(s3.success, true, s3.errorMessage);
  assert.equal((await agentBay.delete(s3.session)).success, true);
  assert.equal((await agentBay.context.delete(c3)).success, true);

  // Example 4 (offline): the lifecycle names.
  assert.deepEqual(
    ["Lifecycle_1Day", "Lifecycle_3Days", "Lifecycle_5Days", "Lifecycle_10Days", "Lifecycle_15Days", "Lifecycle_Forever"].map(
      (n) => Lifecycle[n],
    ),
    ["Lifecycle_1Day", "Lifecycle_3Days", "Lifecycle_5Days", "Lifecycle_10Days", "Lifecycle_15Days", "Lifecycle_Forever"],
  );
  const all = await agentBay.context.list({ maxResults: 100 });
  for (const gone of [c1, c2, c3]) assert.ok(!all.contexts.some((c) => c.id === gone.id), `${gone.name} deleted`);
});

test("§4.4 context-management.ts: list, get, session with labels, rename, delete with sync, clear, delete", async () => {
  const listed = await agentBay.context.list();
  assert.equal(listed.success, true, listed.errorMessage);
  const got = await agentBay.context.get("my-test-context", true);
  assert.equal(got.success, true, got.errorMessage);
  assert.ok(got.contextId);
  const context = got.context;
  const created = await agentBay.create({
    contextSync: [new ContextSync(context.id, "/mnt/persistent")],
    labels: { username: "alice", project: "my-project" },
  });
  assert.equal(created.success, true, created.errorMessage);
  await created.session.command.executeCommand("echo kept > /mnt/persistent/kept.txt");

  context.name = "renamed-test-context";
  const upd = await agentBay.context.update(context);
  assert.equal(upd.success, true, upd.errorMessage);
  assert.equal((await agentBay.context.get("renamed-test-context")).context.id, context.id);

  assert.equal((await agentBay.delete(created.session, true)).success, true);
  const kept = await agentBay.context.downloadFile(context.id, "/mnt/persistent/kept.txt");
  assert.equal(new TextDecoder().decode(kept.content), "kept\n");

  const cleared = await agentBay.context.clear(context.id, 30, 2.0);
  assert.equal(cleared.success, true, cleared.errorMessage);
  assert.equal(cleared.status, "available");
  assert.equal(cleared.contextId, context.id);
  assert.equal((await agentBay.context.downloadFile(context.id, "/mnt/persistent/kept.txt")).success, false);

  assert.equal((await agentBay.context.delete(context)).success, true);
  assert.equal((await agentBay.context.get("renamed-test-context")).success, false);
});

test("§4.5 session-creation.ts: image, labels, /home/wuying sync, info() after create", async () => {
  const s1 = await agentBay.create({ imageId: "linux_latest" });
  assert.equal(s1.success, true, s1.errorMessage);
  assert.equal((await agentBay.delete(s1.session)).success, true);

  const labels = { environment: "development", project: "example", owner: "user123" };
  const s2 = await agentBay.create({ labels });
  assert.equal(s2.success, true, s2.errorMessage);
  const got = await s2.session.getLabels();
  assert.equal(got.success, true);
  assert.deepEqual(got.data, labels);
  assert.equal((await agentBay.delete(s2.session)).success, true);

  const c3 = await getContext("example-context");
  const s3 = await agentBay.create({ contextSync: [new ContextSync(c3.id, "/home/wuying", newSyncPolicy())] });
  assert.equal(s3.success, true, s3.errorMessage);
  const home = await s3.session.command.executeCommand("echo in-home > ~/note.txt && cat /home/wuying/note.txt");
  assert.equal(home.output, "in-home\n");
  assert.equal((await agentBay.delete(s3.session)).success, true);

  const c4 = await getContext("example-sync-context");
  const s4 = await agentBay.create({ contextSync: [new ContextSync(c4.id, "/mnt/persistent", newSyncPolicy())] });
  assert.equal(s4.success, true, s4.errorMessage);
  await sleep(2000);
  const info = await s4.session.context.info();
  assert.equal(info.success, true, info.errorMessage);
  assert.ok(info.contextStatusData.length > 0, "the create-time download is listed");
  for (const item of info.contextStatusData) {
    assert.equal(item.contextId, c4.id);
    assert.equal(item.path, "/mnt/persistent");
    assert.equal(item.status, "Success");
  }
  assert.equal((await agentBay.delete(s4.session)).success, true);
});

test("§4.6 archive-upload-mode-example: Archive upload mode, sync, info, listFiles", async () => {
  const context = await getContext(`archive-mode-context-${process.pid}`);
  const policy = newSyncPolicy();
  policy.uploadPolicy.uploadMode = UploadMode.Archive;
  const contextSync = newContextSync(context.id, "/tmp/archive-mode-test", policy);
  assert.equal(JSON.parse(JSON.stringify(contextSync.policy)).uploadPolicy.uploadMode, "Archive");
  const created = await agentBay.create({
    contextSync: [contextSync],
    labels: { test: "archive-mode", uploadMode: "Archive" },
  });
  assert.equal(created.success, true, created.errorMessage);
  const session = created.session;
  try {
    const w = await session.fileSystem.writeFile("/tmp/archive-mode-test/test-file-5kb.txt", "A".repeat(5120), "overwrite");
    assert.equal(w.success, true, w.errorMessage);
    const sync = await session.context.sync();
    assert.equal(sync.success, true, sync.errorMessage);
    const info = await session.context.info();
    assert.equal(info.success, true, info.errorMessage);
    const files = await agentBay.context.listFiles(context.id, "/tmp/archive-mode-test", 1, 10);
    assert.equal(files.success, true, files.errorMessage);
    assert.ok(files.entries.length > 0, "the upload produced at least one stored file");
  } finally {
    assert.equal((await agentBay.delete(session, true)).success, true);
  }
});

test("§4.7 filesystem-example file transfer: getFileTransferContextPath, uploadFile, listDirectory, writeFile, downloadFile", async () => {
  // typescript/examples/common-features/basics/filesystem-example (file transfer): the same calls in the
  // same order; each step's printed outcome is asserted instead.
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentbay-filetransfer-"));
  try {
    const localUploadPath = path.join(tempDir, "upload-test.txt");
    const testContent = "This is a test file for AgentBay FileTransfer functionality.\n".repeat(10);
    fs.writeFileSync(localUploadPath, testContent);

    const createResponse = await agentBay.create({ imageId: "linux_latest" });
    assert.equal(createResponse.success, true, createResponse.errorMessage);
    assert.ok(createResponse.session);
    const session = createResponse.session;
    try {
      // 1. Upload a file
      const contextPath = await session.fileSystem.getFileTransferContextPath();
      assert.equal(contextPath, "/tmp/file_transfer");
      const remotePath = `${contextPath}/uploaded-file.txt`;
      const uploadProgress = [];
      const uploadResult = await session.fileSystem.uploadFile(localUploadPath, remotePath, {
        progressCb: (bytesTransferred) => uploadProgress.push(bytesTransferred),
      });
      assert.equal(uploadResult.success, true, uploadResult.error);
      assert.equal(uploadResult.bytesSent, testContent.length);
      assert.ok(uploadResult.requestIdUploadUrl, "Request ID (upload URL)");
      assert.ok(uploadResult.requestIdSync, "Request ID (sync)");
      assert.equal(uploadProgress.at(-1), testContent.length);
      // Verify the file exists in remote location
      const listResult = await session.fileSystem.listDirectory(contextPath);
      assert.equal(listResult.success, true, listResult.errorMessage);
      const fileFound = listResult.entries.some((entry) => entry.name === "uploaded-file.txt");
      assert.ok(fileFound, "File verified in remote directory");

      // 2. Create a file in the remote location for download
      const remoteDownloadPath = `${contextPath}/download-test.txt`;
      const downloadContent = "This is a test file for AgentBay FileTransfer download functionality.\n".repeat(15);
      const writeResult = await session.fileSystem.writeFile(remoteDownloadPath, downloadContent);
      assert.equal(writeResult.success, true, writeResult.errorMessage);

      // 3. Download the file
      const localDownloadPath = path.join(tempDir, "downloaded-file.txt");
      const downloadProgress = [];
      const downloadResult = await session.fileSystem.downloadFile(remoteDownloadPath, localDownloadPath, {
        progressCb: (bytesReceived) => downloadProgress.push(bytesReceived),
      });
      assert.equal(downloadResult.success, true, downloadResult.error);
      assert.equal(downloadResult.bytesReceived, downloadContent.length);
      assert.ok(downloadResult.requestIdDownloadUrl, "Request ID (download URL)");
      assert.ok(downloadResult.requestIdSync, "Request ID (sync)");
      assert.equal(downloadProgress.at(-1), downloadContent.length);
      // Verify downloaded file content
      const downloadedContent = fs.readFileSync(localDownloadPath, "utf-8");
      assert.equal(downloadedContent, downloadContent, "Downloaded file content verified successfully");
    } finally {
      // Clean up by deleting the session when we're done
      const deleteResponse = await agentBay.delete(session);
      assert.equal(deleteResponse.success, true, deleteResponse.errorMessage);
      assert.ok(deleteResponse.requestId);
    }
  } finally {
    if (fs.existsSync(tempDir)) fs.rmSync(tempDir, { recursive: true, force: true });
  }
});
