// Live mounts (official 0.21 `BetaContextMount`) through the built package against a real
// agentbay-local: the class and its enums, create({ betaContextMount }) and bind() of live mounts,
// writes landing in the context at once (the context API sees them, no sync), sessions sharing one
// tree, read-only mounts, withSourcePath, the server's limits and the context API while a context
// is live-mounted; then the official context-mount example (typescript/docs/examples/
// common-features/basics/context-mount/context-mount.ts) and the guide's flows (docs/guides/
// common-features/basics/data-persistence.md, "Context Mount"), ported with the same calls.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, uniqueName } from "./helpers/server.mjs";
import {
  AgentBay,
  BetaContextMount,
  BetaContextMountAccessMode,
  BetaContextMountStrategy,
  ContextSync,
  newBetaContextMount,
  newSyncPolicy,
  freshContext,
} from "./helpers/sdk.mjs";

let server;
let agentBay;
before(async () => {
  server = await startServer();
  agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint });
});
after(async () => {
  await server?.stop();
});

const newContext = (prefix) => freshContext(agentBay, prefix);

/** Creates a session, runs `body(session)`, and deletes the session (no sync: nothing to sync). */
async function withSession(params, body) {
  const r = await agentBay.create(params);
  assert.equal(r.success, true, r.errorMessage);
  try {
    return await body(r.session);
  } finally {
    const d = await agentBay.delete(r.session);
    assert.equal(d.success, true, d.errorMessage);
  }
}

/** The context's files below `folder`, as `path size` lines, sorted. */
async function contextFiles(contextId, folder = "/") {
  const r = await agentBay.context.listFiles(contextId, folder);
  assert.equal(r.success, true, r.errorMessage);
  return r.entries
    .filter((e) => e.fileType !== "folder")
    .map((e) => `${e.filePath} ${Number(e.size)}`)
    .sort();
}

/** A context file's text, through the presigned download (no session involved). */
async function contextText(contextId, path) {
  const r = await agentBay.context.downloadFile(contextId, path);
  assert.equal(r.success, true, r.errorMessage);
  return new TextDecoder().decode(r.content);
}

async function read(session, path) {
  const r = await session.fileSystem.readFile(path);
  assert.equal(r.success, true, r.errorMessage);
  return r.content;
}

async function write(session, path, content) {
  const r = await session.fileSystem.writeFile(path, content);
  assert.equal(r.success, true, r.errorMessage);
}

async function sh(session, command) {
  const r = await session.command.executeCommand(command);
  return { exitCode: r.exitCode, output: (r.output ?? "").trim(), success: r.success };
}

/**
 * An HTTP refusal as the official client words it (`Failed to … : <Code>: code: <status>, <message>
 * request id: <id>`), the request id checked against the result's and left out.
 */
function refusal(result) {
  assert.equal(result.success, false);
  const m = result.errorMessage.match(/^(.*) request id: ([0-9A-F-]{36})$/s);
  assert.ok(m, `no request id in: ${result.errorMessage}`);
  if (result.requestId) assert.equal(m[2], result.requestId);
  return m[1];
}

/** A binding as listed, its bind time checked and left out. */
function binding(b) {
  assert.match(b.bindTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const { bindTime, ...rest } = b;
  return rest;
}

// ---- the class, without a server -----------------------------------------------------------------

test("BetaContextMount: the official fields, defaults, chaining, toMountConfigJSON and enums", () => {
  assert.deepEqual({ ...BetaContextMountAccessMode }, { ReadWrite: "readWrite", ReadOnly: "readOnly" });
  assert.deepEqual({ ...BetaContextMountStrategy }, { Standard: "standard", Performance: "performance" });
  assert.ok(Object.isFrozen(BetaContextMountAccessMode) && Object.isFrozen(BetaContextMountStrategy));

  const m = new BetaContextMount("SdkCtx-1", "/tmp/mounted");
  // A plain class of five own fields, as officially: JSON.stringify and spreading see them all.
  assert.deepEqual(
    { ...m },
    { contextId: "SdkCtx-1", path: "/tmp/mounted", accessMode: "readWrite", strategy: "standard", sourcePath: "" },
  );
  assert.equal(
    JSON.stringify(m),
    '{"contextId":"SdkCtx-1","path":"/tmp/mounted","accessMode":"readWrite","strategy":"standard","sourcePath":""}',
  );
  assert.equal(m.toMountConfigJSON(), '{"accessMode":"readWrite","storageMode":"standard","sourcePath":""}');

  // with… return the same object.
  assert.equal(m.withAccessMode(BetaContextMountAccessMode.ReadOnly), m);
  assert.equal(m.withStrategy(BetaContextMountStrategy.Performance), m);
  assert.equal(m.withSourcePath("/datasets/train"), m);
  assert.equal(m.toMountConfigJSON(), '{"accessMode":"readOnly","storageMode":"performance","sourcePath":"/datasets/train"}');

  const f = newBetaContextMount("c", "/p", BetaContextMountAccessMode.ReadOnly, BetaContextMountStrategy.Performance);
  assert.ok(f instanceof BetaContextMount);
  assert.deepEqual([f.accessMode, f.strategy, f.sourcePath], ["readOnly", "performance", ""]);
  // undefined takes the official default.
  const d = new BetaContextMount("c", "/p", undefined, BetaContextMountStrategy.Performance);
  assert.deepEqual([d.accessMode, d.strategy], ["readWrite", "performance"]);
  // Fields are plain and writable, as officially.
  d.contextId = "other";
  assert.equal(JSON.parse(JSON.stringify(d)).contextId, "other");
});

test("BetaContextMount: an invalid accessMode or strategy throws, naming the valid values", () => {
  assert.throws(() => new BetaContextMount("c", "/p", "rw"), {
    message: "Invalid accessMode value: rw. Valid values are: readWrite, readOnly",
  });
  assert.throws(() => newBetaContextMount("c", "/p", BetaContextMountAccessMode.ReadWrite, "fast"), {
    message: "Invalid strategy value: fast. Valid values are: standard, performance",
  });
  // The enum keys are not values.
  assert.throws(() => new BetaContextMount("c", "/p", "ReadOnly"), {
    message: "Invalid accessMode value: ReadOnly. Valid values are: readWrite, readOnly",
  });
  const m = new BetaContextMount("c", "/p");
  assert.throws(() => m.withStrategy("Standard"), {
    message: "Invalid strategy value: Standard. Valid values are: standard, performance",
  });
  assert.throws(() => m.withAccessMode(1), { message: "Invalid accessMode value: 1. Valid values are: readWrite, readOnly" });
  // A refused value leaves the mount as it was.
  assert.deepEqual([m.accessMode, m.strategy], ["readWrite", "standard"]);
});

test("create() and bind() refuse invalid mounts as results, before any request", async () => {
  const r = await agentBay.create({ betaContextMount: [{ contextId: "c", path: "/tmp/x", accessMode: "write" }] });
  assert.deepEqual(
    { success: r.success, errorMessage: r.errorMessage, session: r.session },
    {
      success: false,
      errorMessage:
        "Failed to create session: Error: betaContextMount[0]: Invalid accessMode value: write. Valid values are: readWrite, readOnly",
      session: undefined,
    },
  );
  const r2 = await agentBay.create({ betaContextMounts: [{ contextId: "c", path: "/tmp/x", strategy: "turbo" }] });
  assert.equal(
    r2.errorMessage,
    "Failed to create session: Error: betaContextMounts[0]: Invalid strategy value: turbo. Valid values are: standard, performance",
  );
  const r3 = await agentBay.create({ contextSync: [new BetaContextMount("c", "/tmp/x")] });
  assert.equal(
    r3.errorMessage,
    "Failed to create session: Error: contextSync[0] is a BetaContextMount (it has accessMode, strategy or sourcePath): pass it in betaContextMount",
  );
  const r4 = await agentBay.create({ betaContextMount: [{ contextId: "c", path: "/tmp/x", policy: newSyncPolicy() }] });
  assert.match(r4.errorMessage, /^Failed to create session: Error: betaContextMount\[0\]: a BetaContextMount has no policy/);
  const r5 = await agentBay.create({ betaContextMount: [{ path: "/tmp/x" }] });
  assert.equal(r5.errorMessage, "Failed to create session: Error: betaContextMount[0]: contextId must be a non-empty string");

  await withSession({}, async (s) => {
    const b = await s.context.bind([new ContextSync("c", "/tmp/a"), { contextId: "c", path: "/tmp/b", strategy: "fast" }]);
    assert.deepEqual(b, {
      requestId: "",
      success: false,
      errorMessage: "betaContextMount[1]: Invalid strategy value: fast. Valid values are: standard, performance",
    });
    assert.deepEqual(await s.context.bind([]), { requestId: "", success: false, errorMessage: "At least one context is required" });
  });
});

// ---- against agentbay-local ----------------------------------------------------------------------

test("create({ betaContextMount }): writes land in the context at once, the context API sees them, the release needs no sync", async () => {
  const ctx = await newContext("live");
  const mount = new BetaContextMount(ctx.id, "/tmp/live");
  await withSession({ betaContextMount: [mount] }, async (s) => {
    // create() waited until it was mounted: its download task is there, Success, at the mount path.
    const info = await s.context.info();
    assert.equal(info.success, true, info.errorMessage);
    const tasks = info.contextStatusData
      .filter((t) => t.contextId === ctx.id)
      .map((t) => `${t.taskType} ${t.status} ${t.path}`);
    assert.deepEqual(tasks, ["download Success /tmp/live"]);
    // Listed like any binding, without a policy.
    const listed = await s.context.listBindings();
    assert.equal(listed.success, true, listed.errorMessage);
    assert.deepEqual(listed.bindings.map(binding), [{ contextId: ctx.id, contextName: ctx.name, path: "/tmp/live" }]);

    await write(s, "/tmp/live/a.txt", "x");
    assert.equal(await read(s, "/tmp/live/a.txt"), "x");
    // No sync: the context has the file already.
    assert.deepEqual(await contextFiles(ctx.id), ["/a.txt 1"]);
    assert.equal(await contextText(ctx.id, "/a.txt"), "x");
    const url = await agentBay.context.getFileDownloadUrl(ctx.id, "/a.txt");
    assert.equal(url.success, true, url.errorMessage);

    // A shell write and a deletion land as well.
    const made = await sh(s, "mkdir -p /tmp/live/sub && printf 'hello' > /tmp/live/sub/b.txt && rm /tmp/live/a.txt");
    assert.equal(made.exitCode, 0, made.output);
    assert.deepEqual(await contextFiles(ctx.id, "/sub"), ["/sub/b.txt 5"]);
    assert.equal((await agentBay.context.downloadFile(ctx.id, "/a.txt")).success, false);
  });
  // Released without syncContext: the data is in the context, and a new session sees it.
  assert.deepEqual(await contextFiles(ctx.id, "/sub"), ["/sub/b.txt 5"]);
  await withSession({ betaContextMounts: [{ contextId: ctx.id, path: "/home/wuying/work" }] }, async (s) => {
    assert.equal(await read(s, "/home/wuying/work/sub/b.txt"), "hello");
  });
});

test("two live sessions mounting one context share one tree; the last write wins", async () => {
  const ctx = await newContext("shared");
  const mount = new BetaContextMount(ctx.id, "/tmp/shared");
  await withSession({ betaContextMount: [mount] }, async (s1) => {
    await withSession({ betaContextMount: [new BetaContextMount(ctx.id, "/tmp/elsewhere")] }, async (s2) => {
      await write(s1, "/tmp/shared/status.txt", "ready");
      assert.equal(await read(s2, "/tmp/elsewhere/status.txt"), "ready");
      await write(s2, "/tmp/elsewhere/status.txt", "done");
      assert.equal(await read(s1, "/tmp/shared/status.txt"), "done");
      await write(s1, "/tmp/shared/status.txt", "again");
      assert.equal(await contextText(ctx.id, "/status.txt"), "again");
      const rm = await sh(s2, "rm /tmp/elsewhere/status.txt");
      assert.equal(rm.exitCode, 0, rm.output);
      const gone = await s1.fileSystem.readFile("/tmp/shared/status.txt");
      assert.equal(gone.success, false);
      assert.deepEqual(await contextFiles(ctx.id), []);
    });
  });
});

test("readOnly: the files are there, every write in the session fails, the context is unchanged", async () => {
  const ctx = await newContext("ro");
  const seeded = await agentBay.context.uploadFile(ctx.id, "/seed.txt", "seeded");
  assert.equal(seeded.success, true, seeded.errorMessage);
  const mount = new BetaContextMount(ctx.id, "/tmp/ro").withAccessMode(BetaContextMountAccessMode.ReadOnly);
  await withSession({ betaContextMount: [mount] }, async (s) => {
    assert.equal(await read(s, "/tmp/ro/seed.txt"), "seeded");
    const w = await s.fileSystem.writeFile("/tmp/ro/new.txt", "no");
    assert.deepEqual([w.success, w.errorMessage], [false, "/tmp/ro/new.txt: read-only file system"]);
    const overwrite = await s.fileSystem.writeFile("/tmp/ro/seed.txt", "changed");
    assert.deepEqual([overwrite.success, overwrite.errorMessage], [false, "/tmp/ro/seed.txt: read-only file system"]);
    assert.deepEqual(await sh(s, "touch /tmp/ro/x"), {
      exitCode: 1,
      output: "touch: cannot touch '/tmp/ro/x': Read-only file system",
      success: false,
    });
    assert.deepEqual(await sh(s, "rm /tmp/ro/seed.txt"), {
      exitCode: 1,
      output: "rm: cannot remove '/tmp/ro/seed.txt': Read-only file system",
      success: false,
    });
  });
  assert.deepEqual(await contextFiles(ctx.id), ["/seed.txt 6"]);
  assert.equal(await contextText(ctx.id, "/seed.txt"), "seeded");
});

test("withSourcePath: one folder of the context at the mount path, writes land in that folder", async () => {
  const ctx = await newContext("dataset-collection");
  for (const [path, text] of [
    ["/datasets/train/foo.csv", "a,b\n1,2\n"],
    ["/datasets/val/bar.csv", "c\n3\n"],
    ["/README.md", "top"],
  ]) {
    const r = await agentBay.context.uploadFile(ctx.id, path, text);
    assert.equal(r.success, true, r.errorMessage);
  }
  // The guide's "Mount multiple subpaths": two mounts of one context.
  const params = {
    imageId: "linux_latest",
    betaContextMount: [
      new BetaContextMount(ctx.id, "/mnt/train").withSourcePath("/datasets/train"),
      newBetaContextMount(ctx.id, "/mnt/val").withSourcePath("/datasets/val"),
    ],
  };
  await withSession(params, async (s) => {
    assert.deepEqual(await sh(s, "ls -A /mnt/train; ls -A /mnt/val"), { exitCode: 0, output: "foo.csv\nbar.csv", success: true });
    assert.equal(await read(s, "/mnt/train/foo.csv"), "a,b\n1,2\n");
    await write(s, "/mnt/train/new.csv", "n");
    assert.deepEqual(await contextFiles(ctx.id, "/datasets/train"), ["/datasets/train/foo.csv 8", "/datasets/train/new.csv 1"]);
    // Nothing of the rest of the context is visible.
    assert.equal((await s.fileSystem.readFile("/mnt/train/README.md")).success, false);
  });
});

test("bind(): a live mount alone, and mixed with a ContextSync; listed after the create-time mounts", async () => {
  const created = await newContext("created");
  const live = await newContext("runtime-mount");
  const synced = await newContext("bound-sync");
  const live2 = await newContext("bound-live");
  const seeded = await agentBay.context.uploadFile(live.id, "/existing.txt", "before the bind");
  assert.equal(seeded.success, true, seeded.errorMessage);
  await withSession({ contextSync: [new ContextSync(created.id, "/tmp/created", newSyncPolicy())] }, async (s) => {
    const r = await s.context.bind(new BetaContextMount(live.id, "/tmp/dynamic-mount"));
    assert.equal(r.success, true, r.errorMessage);
    assert.equal(await read(s, "/tmp/dynamic-mount/existing.txt"), "before the bind");
    await write(s, "/tmp/dynamic-mount/data.txt", "Dynamic mount works!");
    assert.equal(await contextText(live.id, "/data.txt"), "Dynamic mount works!");

    const mixed = await s.context.bind([
      new ContextSync(synced.id, "/tmp/bound-sync"),
      { contextId: live2.id, path: "/tmp/bound-live", accessMode: "readOnly" },
    ]);
    assert.equal(mixed.success, true, mixed.errorMessage);
    const listed = await s.context.listBindings();
    assert.equal(listed.success, true, listed.errorMessage);
    // agentbay-local lists the synced mounts, then the live ones, each in the order they were made.
    assert.deepEqual(
      listed.bindings.map(binding).map((b) => `${b.contextName} ${b.path} ${b.policy === undefined ? "live" : "synced"}`),
      [
        `${created.name} /tmp/created synced`,
        `${synced.name} /tmp/bound-sync synced`,
        `${live.name} /tmp/dynamic-mount live`,
        `${live2.name} /tmp/bound-live live`,
      ],
    );
    // The read-only one bound from a plain object refuses writes.
    assert.notEqual((await sh(s, "touch /tmp/bound-live/x")).exitCode, 0);
  });
});

test("limits: at most 3 live mounts, no equal or nested mount paths, not live and synced at once, a bound path must be empty", async () => {
  const ctx = await newContext("limits");
  const four = ["/tmp/m1", "/tmp/m2", "/tmp/m3", "/tmp/m4"].map((p) => new BetaContextMount(ctx.id, p));
  const tooMany = await agentBay.create({ betaContextMount: four });
  assert.equal(tooMany.session, undefined);
  assert.equal(
    refusal(tooMany),
    "Failed to create session: InvalidParameter.PersistenceDataList: code: 400, PersistenceDataList is invalid: a session has at most 3 context mounts (BetaContextMount); this would make 4",
  );
  for (const [a, b] of [
    ["/tmp/a", "/tmp/a/b"],
    ["/tmp/a/b", "/tmp/a"],
    ["/tmp/a", "/tmp/a"],
  ]) {
    const r = await agentBay.create({ betaContextMount: [new BetaContextMount(ctx.id, a), new BetaContextMount(ctx.id, b)] });
    assert.equal(
      refusal(r),
      `Failed to create session: InvalidParameter.Path: code: 400, The path is invalid: mount paths '${a}' and '${b}' are the same or nested`,
    );
  }
  // A live mount and a synced one may not share a path either, and one context is one or the other.
  const other = await newContext("limits-other");
  const samePath = await agentBay.create({
    contextSync: [new ContextSync(other.id, "/tmp/a")],
    betaContextMount: [new BetaContextMount(ctx.id, "/tmp/a")],
  });
  assert.equal(
    refusal(samePath),
    "Failed to create session: InvalidParameter.Path: code: 400, The path is invalid: mount paths '/tmp/a' and '/tmp/a' are the same or nested",
  );
  const both = await agentBay.create({
    contextSync: [new ContextSync(ctx.id, "/tmp/synced")],
    betaContextMount: [new BetaContextMount(ctx.id, "/tmp/live")],
  });
  assert.equal(
    refusal(both),
    `Failed to create session: InvalidParameter.PersistenceDataList: code: 400, PersistenceDataList is invalid: context ${ctx.id} is mounted live (BetaContextMount) and synced (ContextSync) in one session; use one or the other`,
  );

  await withSession({ betaContextMount: four.slice(0, 3) }, async (s) => {
    const fourth = await s.context.bind(four[3]);
    assert.deepEqual(
      { success: fourth.success, errorMessage: fourth.errorMessage },
      {
        success: false,
        errorMessage:
          "[InvalidParameter.PersistenceDataList] PersistenceDataList is invalid: a session has at most 3 context mounts (BetaContextMount); this would make 4",
      },
    );
  });
  await withSession({ betaContextMount: [four[0]] }, async (s) => {
    const inside = await s.context.bind(new BetaContextMount(ctx.id, "/tmp/m1/inner"));
    assert.equal(
      inside.errorMessage,
      "[InvalidParameter.Path] The path is invalid: mount paths '/tmp/m1' and '/tmp/m1/inner' are the same or nested",
    );
  });
  await withSession({}, async (s) => {
    await write(s, "/tmp/full/x.txt", "occupied");
    const full = await s.context.bind(new BetaContextMount(ctx.id, "/tmp/full"));
    assert.deepEqual(
      { success: full.success, errorMessage: full.errorMessage },
      {
        success: false,
        errorMessage: `[InvalidParameter.Path] The path is invalid: context ${ctx.id}: invalid mount path "/tmp/full": the mount path is not empty`,
      },
    );
    // Nothing was bound, and the folder is as it was.
    assert.deepEqual((await s.context.listBindings()).bindings, []);
    assert.equal(await read(s, "/tmp/full/x.txt"), "occupied");
  });
});

test("while a context is live-mounted, the context API refuses writes (InvalidContext.InUse) and reads the live files", async () => {
  const ctx = await newContext("in-use");
  const before = await agentBay.context.uploadFile(ctx.id, "/kept.txt", "kept");
  assert.equal(before.success, true, before.errorMessage);
  await withSession({ betaContextMount: [new BetaContextMount(ctx.id, "/tmp/in-use")] }, async (s) => {
    await write(s, "/tmp/in-use/live.txt", "live");
    assert.deepEqual(await contextFiles(ctx.id), ["/kept.txt 4", "/live.txt 4"]);
    assert.equal(await contextText(ctx.id, "/live.txt"), "live");
    const url = await agentBay.context.getFileDownloadUrl(ctx.id, "/live.txt");
    assert.equal(url.success, true, url.errorMessage);

    const inUse = `InvalidContext.InUse: code: 409, The context '${ctx.id}' is mounted live (BetaContextMount) by session(s) ${s.sessionId}: write through the mount, or once it is released`;
    assert.equal(refusal(await agentBay.context.uploadFile(ctx.id, "/other.txt", "refused")), `Failed to get file URL: ${inUse}`);
    assert.equal(refusal(await agentBay.context.getFileUploadUrl(ctx.id, "/other.txt")), `Failed to get file URL: ${inUse}`);
    assert.equal(refusal(await agentBay.context.deleteFile(ctx.id, "/kept.txt")), `Failed to delete file: ${inUse}`);
    assert.equal(refusal(await agentBay.context.clear(ctx.id)), `Failed to start context clearing for ${ctx.id}: ${inUse}`);
    const deleted = await agentBay.context.delete(ctx);
    assert.match(refusal(deleted), new RegExp(`^Failed to delete context ${ctx.id}: InvalidContext\\.InUse: code: 409, `));
    // The refused writes changed nothing.
    assert.deepEqual(await contextFiles(ctx.id), ["/kept.txt 4", "/live.txt 4"]);
  });
  // Released: the API writes again.
  const after = await agentBay.context.uploadFile(ctx.id, "/other.txt", "accepted");
  assert.equal(after.success, true, after.errorMessage);
  assert.deepEqual(await contextFiles(ctx.id), ["/kept.txt 4", "/live.txt 4", "/other.txt 8"]);
});

// ---- the official example and guide, ported ------------------------------------------------------

test("official context-mount.ts: write-through persistence, cross-session, dynamic bind()", async () => {
  // Step 1: a context for persistent storage.
  const contextName = `mount-demo-${Date.now()}`;
  const contextResult = await agentBay.context.get(contextName, true);
  assert.equal(contextResult.success, true, contextResult.errorMessage);
  const context = contextResult.context;
  assert.equal(context.name, contextName);

  // Step 2: first session with the mount (the example's imageId is the cloud's; agentbay-local
  // serves live mounts on its own image).
  const contextMount = new BetaContextMount(context.id, "/tmp/mounted_data");
  const params1 = { betaContextMount: [contextMount] };
  const session1Result = await agentBay.create(params1);
  assert.equal(session1Result.success, true, session1Result.errorMessage);
  const session1 = session1Result.session;
  const configData = { app: "mount-demo", version: "1.0", session: session1.sessionId };
  try {
    // Step 3: writes, persisted immediately.
    const mkdir = await session1.command.executeCommand("mkdir -p /tmp/mounted_data/config");
    assert.equal(mkdir.success, true, mkdir.errorMessage);
    const configResult = await session1.fileSystem.writeFile(
      "/tmp/mounted_data/config/app.json",
      JSON.stringify(configData, null, 2),
    );
    assert.equal(configResult.success, true, configResult.errorMessage);
    const dataResult = await session1.fileSystem.writeFile(
      "/tmp/mounted_data/notes.txt",
      "This data is persisted via Context Mount.\nNo manual sync() call needed!",
    );
    assert.equal(dataResult.success, true, dataResult.errorMessage);
    const listResult = await session1.command.executeCommand("find -L /tmp/mounted_data -type f");
    assert.equal(listResult.success, true, listResult.errorMessage);
    assert.deepEqual(listResult.output.trim().split("\n").sort(), [
      "/tmp/mounted_data/config/app.json",
      "/tmp/mounted_data/notes.txt",
    ]);
  } finally {
    // No sync needed: the data is already persisted.
    const deleteResult1 = await agentBay.delete(session1);
    assert.equal(deleteResult1.success, true, deleteResult1.errorMessage);
  }

  // Step 4: a second session sees it.
  const session2Result = await agentBay.create({ betaContextMount: [contextMount] });
  assert.equal(session2Result.success, true, session2Result.errorMessage);
  const session2 = session2Result.session;
  try {
    // Step 5: both files found.
    const readConfig = await session2.fileSystem.readFile("/tmp/mounted_data/config/app.json");
    assert.equal(readConfig.success, true, readConfig.errorMessage);
    assert.deepEqual(JSON.parse(readConfig.content), configData);
    const readNotes = await session2.fileSystem.readFile("/tmp/mounted_data/notes.txt");
    assert.equal(readNotes.content, "This data is persisted via Context Mount.\nNo manual sync() call needed!");

    // Step 6: dynamic mount with bind().
    const dynamicCtxResult = await agentBay.context.get(`dynamic-mount-${Date.now()}`, true);
    assert.equal(dynamicCtxResult.success, true, dynamicCtxResult.errorMessage);
    const dynamicMount = new BetaContextMount(dynamicCtxResult.context.id, "/tmp/dynamic_mount");
    const bindResult = await session2.context.bind(dynamicMount);
    assert.equal(bindResult.success, true, bindResult.errorMessage);
    const writeResult = await session2.fileSystem.writeFile("/tmp/dynamic_mount/dynamic.txt", "Dynamically mounted data!");
    assert.equal(writeResult.success, true, writeResult.errorMessage);
    assert.equal(await contextText(dynamicCtxResult.context.id, "/dynamic.txt"), "Dynamically mounted data!");
    // The example deletes the dynamic context while session 2 still mounts it: agentbay-local
    // refuses to delete a context a live session mounts.
    const deleted = await agentBay.context.delete(dynamicCtxResult.context);
    assert.equal(deleted.success, false);
  } finally {
    const deleteResult2 = await agentBay.delete(session2);
    assert.equal(deleteResult2.success, true, deleteResult2.errorMessage);
  }
  const deleteCtxResult = await agentBay.context.delete(context);
  assert.equal(deleteCtxResult.success, true, deleteCtxResult.errorMessage);
});

test("guide: cross-session persistence and multi-session real-time sharing (mount_params())", async () => {
  const context = (await agentBay.context.get(uniqueName("cross-session-mount"), true)).context;
  const mount = newBetaContextMount(context.id, "/tmp/shared");
  const mountParams = () => ({ imageId: "linux_latest", betaContextMounts: [mount] });

  // Session A writes, is deleted without sync; session B reads.
  const sessionA = (await agentBay.create(mountParams())).session;
  await write(sessionA, "/tmp/shared/config.json", '{"version": "2.0"}');
  assert.equal((await agentBay.delete(sessionA)).success, true);
  const sessionB = (await agentBay.create(mountParams())).session;
  assert.equal(await read(sessionB, "/tmp/shared/config.json"), '{"version": "2.0"}');
  assert.equal((await agentBay.delete(sessionB)).success, true);

  // Two sessions at once: a write in one is visible in the other immediately.
  const shared = (await agentBay.context.get(uniqueName("shared-workspace"), true)).context;
  const sharedMount = new BetaContextMount(shared.id, "/tmp/shared");
  const session1 = (await agentBay.create({ betaContextMount: [sharedMount] })).session;
  const session2 = (await agentBay.create({ betaContextMount: [sharedMount] })).session;
  try {
    await write(session1, "/tmp/shared/status.txt", "ready");
    assert.equal(await read(session2, "/tmp/shared/status.txt"), "ready");
  } finally {
    assert.equal((await agentBay.delete(session1)).success, true);
    assert.equal((await agentBay.delete(session2)).success, true);
  }
});

test("guide: read-only + performance, and a Context Sync beside a Context Mount in one session", async () => {
  const data = await newContext("readonly-data");
  assert.equal((await agentBay.context.uploadFile(data.id, "/set.txt", "dataset")).success, true);
  const project = await newContext("project");
  const mount = newBetaContextMount(data.id, "/tmp/readonly-data");
  mount.withAccessMode(BetaContextMountAccessMode.ReadOnly);
  mount.withStrategy(BetaContextMountStrategy.Performance);
  await withSession(
    { contextSync: [new ContextSync(project.id, "/home/wuying/project", newSyncPolicy())], betaContextMount: [mount] },
    async (s) => {
      assert.equal(await read(s, "/tmp/readonly-data/set.txt"), "dataset");
      assert.notEqual((await sh(s, "echo x > /tmp/readonly-data/set.txt")).exitCode, 0);
      // The synced one is local disk: written here, in the context only after a sync.
      await write(s, "/home/wuying/project/main.txt", "code");
      assert.deepEqual(await contextFiles(project.id, "/home/wuying/project"), []);
      const synced = await s.context.sync();
      assert.equal(synced.success, true, synced.errorMessage);
      assert.deepEqual(await contextFiles(project.id, "/home/wuying/project"), ["/home/wuying/project/main.txt 4"]);
    },
  );
});
