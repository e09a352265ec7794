// create() and the session's own lifecycle:
// - create() waits per context id, as officially since betaWaitForCompletion: until each context
//   marked for waiting has reported a status (a proxy holds one context's status back);
// - `lifecyclePolicy` (official `LifecyclePolicy`, minutes) and the deprecated `idleReleaseTimeout`
//   (seconds) are sent as the official SDK sends them (`Timeout`, `MaxRuntime`, `ManualRelease`).
//   That agentbay-local then releases idle or overlong sessions is proven with its shiftable
//   clock in server/tests/session_lifecycle.rs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.mjs";
import { startProxy } from "./helpers/proxy.mjs";
import { AgentBay, ContextSync, LifecyclePolicy, newSyncPolicy, freshContext } from "./helpers/sdk.mjs";

let server;
let proxy;
let agentBay;
/** Context ids whose statuses GetContextInfo replies leave out, while `hide(id)` says so. */
let hide = () => false;

function decodeStatus(s) {
  if (!s) return [];
  return JSON.parse(s).flatMap((item) => (item.type === "data" ? JSON.parse(item.data) : []));
}
function encodeStatus(tasks) {
  return tasks.length ? JSON.stringify([{ type: "data", data: JSON.stringify(tasks) }]) : "";
}

before(async () => {
  server = await startServer();
  proxy = await startProxy(server.endpoint, {
    rewrite(action, _params, json) {
      if (action !== "GetContextInfo" || !json?.Data) return undefined;
      const tasks = decodeStatus(json.Data.ContextStatus);
      const kept = tasks.filter((t) => !hide(t.contextId, tasks));
      return { ...json, Data: { ...json.Data, ContextStatus: encodeStatus(kept) } };
    },
  });
  agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: proxy.endpoint });
});
after(async () => {
  await proxy?.close();
  await server?.stop();
});

const newContext = (prefix) => freshContext(agentBay, prefix);

/** Stores `content` at `path` in the context (through a session), so that downloads carry it. */
async function seed(ctx, path, content) {
  const r = await agentBay.create({ contextSync: [new ContextSync(ctx.id, path, newSyncPolicy())] });
  assert.equal(r.success, true, r.errorMessage);
  const w = await r.session.command.executeCommand(`printf %s '${content}' > ${path}/f.txt`, 30000);
  assert.equal(w.success, true, w.errorMessage);
  const d = await agentBay.delete(r.session, true);
  assert.equal(d.success, true, d.errorMessage);
}

function lastCreate() {
  const c = proxy.requests.findLast((r) => r.action === "CreateMcpSession");
  assert.ok(c, "a CreateMcpSession request was made");
  return c.params;
}

test("create() waits until each waited context has reported, not just until some status is listed", async () => {
  const a = await newContext("wait-a");
  const b = await newContext("wait-b");
  await seed(a, "/mnt/a", "A");
  await seed(b, "/mnt/b", "B");

  // b's status is held back until two replies showed a's download done (the old wait stopped there).
  let aDoneReplies = 0;
  let revealedReplies = 0;
  hide = (id, tasks) => {
    if (id !== b.id) return false;
    const hidden = aDoneReplies < 2;
    if (hidden && tasks.some((t) => t.contextId === a.id && t.status === "Success")) aDoneReplies++;
    if (!hidden) revealedReplies++;
    return hidden;
  };
  try {
    const r = await agentBay.create({
      contextSync: [new ContextSync(a.id, "/mnt/a", newSyncPolicy()), new ContextSync(b.id, "/mnt/b", newSyncPolicy())],
    });
    assert.equal(r.success, true, r.errorMessage);
    assert.ok(aDoneReplies >= 2, `a's download was reported done ${aDoneReplies} time(s) while b's was held back`);
    assert.ok(revealedReplies >= 1, "create() returned before b's status was ever reported");
    const out = await r.session.command.executeCommand("cat /mnt/a/f.txt /mnt/b/f.txt", 30000);
    assert.equal(out.output, "AB");
    await agentBay.delete(r.session);
  } finally {
    hide = () => false;
  }
});

test("create() does not wait for contexts not marked for waiting, nor for ones that never download", async () => {
  const a = await newContext("nowait-a");
  const b = await newContext("nowait-b");
  const c = await newContext("nowait-c");
  hide = (id) => id === b.id; // b never reports
  try {
    const manual = newSyncPolicy();
    manual.downloadPolicy.autoDownload = false;
    const started = Date.now();
    const r = await agentBay.create({
      contextSync: [
        new ContextSync(a.id, "/mnt/a", newSyncPolicy()),
        new ContextSync(b.id, "/mnt/b", newSyncPolicy(), false),
        new ContextSync(c.id, "/mnt/c", manual), // no download: nothing to report
      ],
      syncWait: { timeoutMs: 20000 },
    });
    assert.equal(r.success, true, r.errorMessage);
    assert.ok(Date.now() - started < 10000, `create() took ${Date.now() - started} ms`);
    await agentBay.delete(r.session);
  } finally {
    hide = () => false;
  }
});

test("create() gives up (success: false, session returned) when a waited context never reports", async () => {
  const a = await newContext("never-a");
  hide = (id) => id === a.id;
  try {
    const r = await agentBay.create({
      contextSync: [new ContextSync(a.id, "/mnt/a", newSyncPolicy())],
      syncWait: { timeoutMs: 1500 },
    });
    assert.equal(r.success, false);
    assert.match(r.errorMessage, new RegExp(`download of context\\(s\\) ${a.id} was not confirmed`));
    assert.ok(r.session, "the session is returned so that it can be deleted");
    await agentBay.delete(r.session);
  } finally {
    hide = () => false;
  }
});

test("LifecyclePolicy: official defaults, checks and messages", () => {
  const d = new LifecyclePolicy();
  assert.deepEqual([d.idleReleaseTimeout, d.maxRuntime, d.manualRelease], [5, 30, false]);
  const m = new LifecyclePolicy({ manualRelease: true });
  assert.deepEqual([m.idleReleaseTimeout, m.maxRuntime, m.manualRelease], [0, 0, true]);
  assert.throws(() => new LifecyclePolicy({ idleReleaseTimeout: 0 }), {
    message: "idleReleaseTimeout must be a positive integer (minutes)",
  });
  assert.throws(() => new LifecyclePolicy({ maxRuntime: 1.5 }), { message: "maxRuntime must be a positive integer (minutes)" });
  assert.throws(() => new LifecyclePolicy({ manualRelease: true, maxRuntime: 3 }), {
    message: "maxRuntime cannot be set when manualRelease=true. In manual release mode, the session is only released via delete().",
  });
});

test("lifecyclePolicy and the deprecated idleReleaseTimeout are sent as Timeout / MaxRuntime / ManualRelease", async () => {
  const cases = [
    [{ lifecyclePolicy: new LifecyclePolicy({ idleReleaseTimeout: 10, maxRuntime: 60 }) }, { Timeout: "10", MaxRuntime: "60" }],
    [{ lifecyclePolicy: new LifecyclePolicy() }, { Timeout: "5", MaxRuntime: "30" }],
    [{ lifecyclePolicy: { idleReleaseTimeout: 7 } }, { Timeout: "7", MaxRuntime: "30" }],
    [{ lifecyclePolicy: new LifecyclePolicy({ manualRelease: true }) }, { ManualRelease: "true" }],
    [{ idleReleaseTimeout: 300 }, { Timeout: "300" }],
    [{}, {}],
  ];
  for (const [params, expected] of cases) {
    const r = await agentBay.create(params);
    assert.equal(r.success, true, `${JSON.stringify(params)}: ${r.errorMessage}`);
    const sent = lastCreate();
    const got = Object.fromEntries(
      ["Timeout", "MaxRuntime", "ManualRelease"].filter((k) => k in sent).map((k) => [k, sent[k]]),
    );
    assert.deepEqual(got, expected, JSON.stringify(params));
    // agentbay-local took it: the session runs (not released at once).
    const s = await agentBay.get(r.session.sessionId);
    assert.equal(s.success, true, s.errorMessage);
    await agentBay.delete(r.session);
  }
});

test("bad lifecycle parameters are refused before any call, with the official messages", async () => {
  const before = proxy.requests.length;
  for (const [params, message] of [
    [{ idleReleaseTimeout: 1.5 }, "idleReleaseTimeout must be a positive integer (seconds)"],
    [
      { idleReleaseTimeout: 60, lifecyclePolicy: new LifecyclePolicy() },
      "lifecyclePolicy cannot be used together with deprecated idleReleaseTimeout (seconds); use lifecyclePolicy only",
    ],
    [{ lifecyclePolicy: { maxRuntime: -2 } }, "maxRuntime must be a positive integer (minutes)"],
    [
      { lifecyclePolicy: { manualRelease: true, idleReleaseTimeout: 3 } },
      "idleReleaseTimeout cannot be set when manualRelease=true. In manual release mode, the session is only released via delete().",
    ],
  ]) {
    const r = await agentBay.create(params);
    assert.equal(r.success, false, JSON.stringify(params));
    assert.ok(r.errorMessage.includes(message), `${JSON.stringify(params)}: ${r.errorMessage}`);
  }
  assert.equal(proxy.requests.length, before, "no request for refused parameters");
});
