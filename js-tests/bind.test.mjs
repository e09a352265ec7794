// session.context.bind() / listBindings() (official 0.19–0.21) through the built package against a real
// agentbay-local: contexts mounted into a running session, listed with the create-time mounts, downloaded
// before bind() resolves, synced by their policy afterwards; and every refusal as a result.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.mjs";
import { AgentBay, ContextSync, ContextManager, newSyncPolicy, freshContext } from "./helpers/sdk.mjs";

let server;
let agentBay;
before(async () => {
  server = await startServer();
  agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint });
});
after(async () => {
  await server?.stop();
});

const context = (prefix) => freshContext(agentBay, prefix);

async function session(params = {}) {
  const r = await agentBay.create(params);
  assert.equal(r.success, true, r.errorMessage);
  return r.session;
}

/** Every result field except the request id, which must be a non-empty string. */
function body(result) {
  assert.equal(typeof result.requestId, "string");
  assert.ok(result.requestId.length > 0, "a request id");
  const { requestId, ...rest } = result;
  return rest;
}

/** The policy text the server lists: the default policy with `change` applied. */
function policyText(change = (p) => p) {
  return JSON.stringify(change(JSON.parse(JSON.stringify(newSyncPolicy()))));
}

/** A binding as listed, its bind time checked (ISO 8601 UTC, within the last minute) and left out. */
function binding(b) {
  assert.match(b.bindTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Math.abs(Date.parse(b.bindTime) - Date.now()) < 60_000, `bind time ${b.bindTime} is now`);
  const { bindTime, ...rest } = b;
  return rest;
}

test("bind: the bound context is listed after the create-time mount, its file is there when bind resolves, and a change uploads on delete(session, true)", async () => {
  const created = await context("created");
  const bound = await context("bound");
  const seeded = await agentBay.context.uploadFile(bound.id, "/tmp/bound/seed.txt", "seeded before the bind");
  assert.equal(seeded.success, true, seeded.errorMessage);
  const s = await session({ contextSync: [new ContextSync(created.id, "/tmp/created", newSyncPolicy())] });
  let deleted = false;
  try {
    const before = await s.context.listBindings();
    assert.deepEqual(body(before).bindings.map(binding), [
      { contextId: created.id, contextName: created.name, path: "/tmp/created", policy: policyText() },
    ]);

    const r = await s.context.bind(new ContextSync(bound.id, "/tmp/bound"));
    assert.deepEqual(body(r), { success: true });
    // Downloaded before bind resolved: no wait, no sync here.
    const seed = await s.fileSystem.readFile("/tmp/bound/seed.txt");
    assert.deepEqual(body(seed), { success: true, content: "seeded before the bind" });

    const after = await s.context.listBindings();
    assert.equal(after.success, true);
    assert.deepEqual(after.bindings.map(binding), [
      { contextId: created.id, contextName: created.name, path: "/tmp/created", policy: policyText() },
      { contextId: bound.id, contextName: bound.name, path: "/tmp/bound", policy: policyText() },
    ]);
    // The create-time mount kept its bind time: it comes first and is not later than the bound one.
    assert.ok(Date.parse(after.bindings[0].bindTime) <= Date.parse(after.bindings[1].bindTime));

    const w = await s.fileSystem.writeFile("/tmp/bound/new.txt", "written after the bind");
    assert.equal(w.success, true, w.errorMessage);
    const del = await agentBay.delete(s, true);
    assert.deepEqual(body(del), { success: true });
    deleted = true;
  } finally {
    if (!deleted) await agentBay.delete(s);
  }
  const down = await agentBay.context.downloadFile(bound.id, "/tmp/bound/new.txt");
  assert.equal(down.success, true, down.errorMessage);
  assert.equal(new TextDecoder().decode(down.content), "written after the bind");
});

test("bind: several contexts at once, plain objects with the seed's spellings, autoDownload false downloads nothing until sync", async () => {
  const a = await context("multi-a");
  const b = await context("multi-b");
  for (const [ctx, path] of [
    [a, "/tmp/multi-a/a.txt"],
    [b, "/tmp/multi-b/b.txt"],
  ]) {
    const up = await agentBay.context.uploadFile(ctx.id, path, `content of ${path}`);
    assert.equal(up.success, true, up.errorMessage);
  }
  const s = await session();
  try {
    assert.deepEqual(body(await s.context.listBindings()), { success: true, bindings: [] });
    const manual = { downloadPolicy: { autoDownload: false }, uploadPolicy: { uploadStrategy: "BeforeResourceRelease" } };
    const r = await s.context.bind([
      { contextId: a.id, path: "/tmp/multi-a" },
      { contextId: b.id, path: "/tmp/multi-b", policy: manual },
    ]);
    assert.deepEqual(body(r), { success: true });
    const listed = await s.context.listBindings();
    assert.deepEqual(listed.bindings.map(binding), [
      { contextId: a.id, contextName: a.name, path: "/tmp/multi-a", policy: policyText() },
      {
        contextId: b.id,
        contextName: b.name,
        path: "/tmp/multi-b",
        policy: policyText((p) => ((p.downloadPolicy.autoDownload = false), p)),
      },
    ]);
    assert.equal((await s.fileSystem.readFile("/tmp/multi-a/a.txt")).content, "content of /tmp/multi-a/a.txt");
    // autoDownload false: the mount starts empty; an explicit download sync fills it.
    assert.equal((await s.fileSystem.readFile("/tmp/multi-b/b.txt")).success, false);
    const synced = await s.context.sync(b.id, "/tmp/multi-b", "download");
    assert.equal(synced.success, true, synced.errorMessage);
    assert.equal((await s.fileSystem.readFile("/tmp/multi-b/b.txt")).content, "content of /tmp/multi-b/b.txt");
  } finally {
    await agentBay.delete(s);
  }
});

test("bind: waitForCompletion false resolves after BindContexts; new ContextManager(session) binds the same session", async () => {
  const c = await context("nowait");
  const s = await session();
  try {
    const r = await new ContextManager(s).bind(new ContextSync(c.id, "/tmp/nowait"), false);
    assert.deepEqual(body(r), { success: true });
    const listed = await s.context.listBindings();
    assert.deepEqual(listed.bindings.map((b) => [b.contextId, b.path]), [[c.id, "/tmp/nowait"]]);
  } finally {
    await agentBay.delete(s);
  }
});

test("bind refusals: no context, a context that does not exist, a nested or relative path, a bad policy, a deleted session", async () => {
  const c = await context("refused");
  const s = await session({ contextSync: [new ContextSync(c.id, "/tmp/mounted")] });
  try {
    assert.deepEqual(await s.context.bind([]), {
      requestId: "",
      success: false,
      errorMessage: "At least one context is required",
    });
    assert.deepEqual(body(await s.context.bind(new ContextSync("SdkCtx-doesnotexist", "/tmp/x"))), {
      success: false,
      errorMessage: "[InvalidContext.NotFound] The context 'SdkCtx-doesnotexist' does not exist",
    });
    const other = await context("nested");
    assert.deepEqual(body(await s.context.bind(new ContextSync(other.id, "/tmp/mounted/inner"))), {
      success: false,
      errorMessage:
        "[InvalidParameter.Path] The path is invalid: mount paths '/tmp/mounted' and '/tmp/mounted/inner' are the same or nested",
    });
    assert.deepEqual(body(await s.context.bind({ contextId: other.id, path: "relative" })), {
      success: false,
      errorMessage:
        "[InvalidParameter.Path] The path is invalid: PersistenceDataList[0].Path: path 'relative' is not absolute (must start with '/')",
    });
    assert.deepEqual(
      await s.context.bind({ contextId: other.id, path: "/tmp/p", policy: { uploadPolicy: { uploadStrategy: "Never" } } }),
      {
        requestId: "",
        success: false,
        errorMessage: "Invalid uploadStrategy value: Never. Valid values are: UploadBeforeResourceRelease (alias BeforeResourceRelease)",
      },
    );
    assert.deepEqual(await s.context.bind({ path: "/tmp/p" }), {
      requestId: "",
      success: false,
      errorMessage: "contextSync[0]: contextId must be a non-empty string",
    });
    // Nothing refused was mounted.
    assert.deepEqual((await s.context.listBindings()).bindings.map((b) => b.path), ["/tmp/mounted"]);
  } finally {
    await agentBay.delete(s);
  }
  const gone = `Session ${s.sessionId} has been deleted; create a new session`;
  assert.deepEqual(await s.context.bind(new ContextSync(c.id, "/tmp/late")), { requestId: "", success: false, errorMessage: gone });
  assert.deepEqual(await s.context.listBindings(), { requestId: "", success: false, bindings: [], errorMessage: gone });
});
