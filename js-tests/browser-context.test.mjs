// `create({ browserContext })`: official `new BrowserContext(contextId, autoUpload, …, syncMode)`
// (and the `{ syncMode }` options form) becomes the sync item the official SDK sends: the context
// at /tmp/agentbay_browser with the official white lists of Chrome profile files (agent-bay.ts).
// Proven on the wire (a recording proxy), in agentbay-local's view of the session
// (session.context.info) and by what persists in the context after delete(session, true).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.mjs";
import { startProxy } from "./helpers/proxy.mjs";
import { AgentBay, BrowserContext, BrowserSyncMode, freshContext } from "./helpers/sdk.mjs";

const PROFILE = "/tmp/agentbay_browser";
const MINIMAL = ["/Local State", "/Default/Cookies", "/Default/Cookies-journal"];
const STANDARD = [
  ...MINIMAL,
  "/Default/Local Storage",
  "/Default/IndexedDB",
  "/Default/Session Storage",
  "/Default/Login Data",
  "/Default/Login Data-journal",
  "/Default/Login Data For Account",
  "/Default/Login Data For Account-journal",
  "/Default/Web Data",
  "/Default/Web Data-journal",
  "/Default/Preferences",
  "/Default/Secure Preferences",
  "/Default/TransportSecurity",
  "/Default/Network Persistent State",
  "/Default/GPUCache",
  "/Default/Affiliation Database",
  "/Default/Affiliation Database-journal",
];

/** The official policy string (JSON.stringify of agent-bay.ts's object, key order included). */
function officialPolicy(autoUpload, lists) {
  return JSON.stringify({
    uploadPolicy: { autoUpload },
    downloadPolicy: null,
    deletePolicy: null,
    bwList: { whiteLists: lists.map((path) => ({ path, excludePaths: [] })) },
    recyclePolicy: null,
  });
}

let server;
let proxy;
let agentBay;

before(async () => {
  server = await startServer();
  proxy = await startProxy(server.endpoint);
  agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: proxy.endpoint });
});
after(async () => {
  await proxy?.close();
  await server?.stop();
});

const newContext = (prefix) => freshContext(agentBay, prefix);

/** The PersistenceDataList items of the last CreateMcpSession. */
function sentItems() {
  const create = proxy.requests.findLast((r) => r.action === "CreateMcpSession");
  assert.ok(create, "a CreateMcpSession request was made");
  return JSON.parse(create.params.PersistenceDataList);
}

async function sh(session, script) {
  const r = await session.command.executeCommand(script, 30000);
  assert.equal(r.success, true, `${script}\n=> exit ${r.exitCode}: ${r.output} ${r.errorMessage ?? ""}`);
  return r.output;
}

/** Every file path stored in the context below `dir`, recursively. */
async function storedFiles(contextId, dir) {
  const r = await agentBay.context.listFiles(contextId, dir, 1, 1000);
  assert.equal(r.success, true, r.errorMessage);
  const out = [];
  for (const e of r.entries) {
    if (e.fileType === "folder") out.push(...(await storedFiles(contextId, e.filePath)));
    else out.push(e.filePath);
  }
  return out.sort();
}

const PROFILE_FILES = {
  "Local State": "ls",
  "Default/Cookies": "cookies",
  "Default/Preferences": "prefs",
  "Default/Local Storage/leveldb/000003.log": "storage",
  "Default/Cache/Cache_Data/data_0": "cache",
  "Default/History": "history",
  "junk.txt": "junk",
};

async function writeProfile(session) {
  const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  const cmds = Object.entries(PROFILE_FILES).map(([p, c]) => {
    const full = `${PROFILE}/${p}`;
    return `mkdir -p "$(dirname ${q(full)})" && printf %s ${q(c)} > ${q(full)}`;
  });
  await sh(session, cmds.join(" && "));
}

test("STANDARD (the default): the official item, then only the white-listed profile files persist", async () => {
  const ctx = await newContext("browser-standard");
  const r = await agentBay.create({ browserContext: new BrowserContext(ctx.id, true) });
  assert.equal(r.success, true, r.errorMessage);
  const session = r.session;
  assert.deepEqual(sentItems(), [{ ContextId: ctx.id, Path: PROFILE, Policy: officialPolicy(true, STANDARD) }]);

  // agentbay-local mounted it at the profile path (its download task is there).
  const info = await session.context.info();
  assert.equal(info.success, true, info.errorMessage);
  assert.deepEqual(
    info.contextStatusData.map((t) => [t.contextId, t.path, t.taskType, t.status]),
    [[ctx.id, PROFILE, "download", "Success"]],
  );

  await writeProfile(session);
  const d = await agentBay.delete(session, true);
  assert.equal(d.success, true, d.errorMessage);
  assert.deepEqual(await storedFiles(ctx.id, PROFILE), [
    `${PROFILE}/Default/Cookies`,
    `${PROFILE}/Default/Local Storage/leveldb/000003.log`,
    `${PROFILE}/Default/Preferences`,
    `${PROFILE}/Local State`,
  ]);

  // A later session with the same browser context gets the profile back.
  const again = await agentBay.create({ browserContext: new BrowserContext(ctx.id) });
  assert.equal(again.success, true, again.errorMessage);
  assert.equal(await sh(again.session, `cat ${PROFILE}/Default/Cookies`), "cookies");
  await agentBay.delete(again.session);
});

test("MINIMAL ({ syncMode } or the fifth argument): only Local State and the cookies", async () => {
  const ctx = await newContext("browser-minimal");
  for (const bc of [
    new BrowserContext(ctx.id, true, { syncMode: BrowserSyncMode.MINIMAL }),
    new BrowserContext(ctx.id, true, undefined, undefined, BrowserSyncMode.MINIMAL),
    { contextId: ctx.id, autoUpload: true, syncMode: "minimal" },
  ]) {
    assert.equal(bc.syncMode, "minimal");
    const r = await agentBay.create({ browserContext: bc });
    assert.equal(r.success, true, r.errorMessage);
    assert.deepEqual(sentItems(), [{ ContextId: ctx.id, Path: PROFILE, Policy: officialPolicy(true, MINIMAL) }]);
    await writeProfile(r.session);
    const d = await agentBay.delete(r.session, true);
    assert.equal(d.success, true, d.errorMessage);
  }
  assert.deepEqual(await storedFiles(ctx.id, PROFILE), [`${PROFILE}/Default/Cookies`, `${PROFILE}/Local State`]);
});

test("autoUpload false: sent as such, and a plain release uploads nothing", async () => {
  const ctx = await newContext("browser-no-upload");
  const r = await agentBay.create({ browserContext: new BrowserContext(ctx.id, false) });
  assert.equal(r.success, true, r.errorMessage);
  assert.deepEqual(sentItems(), [{ ContextId: ctx.id, Path: PROFILE, Policy: officialPolicy(false, STANDARD) }]);
  await writeProfile(r.session);
  const d = await agentBay.delete(r.session);
  assert.equal(d.success, true, d.errorMessage);
  assert.deepEqual(await storedFiles(ctx.id, PROFILE), []);
});

test("browserContext comes after contextSync items, as officially; bad values are refused before any call", async () => {
  const data = await newContext("browser-with-data");
  const profile = await newContext("browser-with-profile");
  const r = await agentBay.create({
    contextSync: [{ contextId: data.id, path: "/mnt/data" }],
    browserContext: new BrowserContext(profile.id),
  });
  assert.equal(r.success, true, r.errorMessage);
  assert.deepEqual(
    sentItems().map((i) => [i.ContextId, i.Path]),
    [
      [data.id, "/mnt/data"],
      [profile.id, PROFILE],
    ],
  );
  await agentBay.delete(r.session);

  const before = proxy.requests.length;
  for (const [bc, message] of [
    [new BrowserContext(profile.id, true, { syncMode: "full" }), /syncMode must be 'minimal' or 'standard'/],
    [{ autoUpload: true }, /browserContext.contextId is required/],
    [new BrowserContext(profile.id, true, { contextId: "ext", extensionIds: ["a"] }), /extensionOption is not supported/],
  ]) {
    const bad = await agentBay.create({ browserContext: bc });
    assert.equal(bad.success, false);
    assert.match(bad.errorMessage, message);
  }
  assert.equal(proxy.requests.length, before, "no request for refused parameters");
  assert.deepEqual(Object.values(BrowserSyncMode), ["minimal", "standard"]);
});
