// Issue 10 part A: what official code touches and the package lacked, each item driven through
// the built package against a real agentbay-local over HTTP (no mocks):
//   2. the official getters of AgentBay and Session;
//   3. Session, FileSystem, Command, ContextService, ContextManager built with `new`;
//   5. a failed binary read has an empty Uint8Array as content;
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot, startServer, uniqueName } from "./helpers/server.mjs";
import * as sdk from "./helpers/sdk.mjs";

const {
  AgentBay,
  Browser,
  Code,
  Command,
  Computer,
  Context,
  ContextManager,
  ContextService,
  ContextSync,
  FileSystem,
  Mobile,
  Session,
  newContextManager,
  newSyncPolicy,
} = sdk;

// A key that looks like nothing: only its registration by `new AgentBay` can get it masked.
const KEY = `local-${Math.random().toString(36).slice(2)}-secret`;
const ENV_KEY = `envkey-${Math.random().toString(36).slice(2)}-secret`;
/** The masked form the logger prints (first two and last two characters). */
const masked = (k) => `${k.slice(0, 2)}****${k.slice(-2)}`;

let server;
let agentBay;
let scratch;
before(async () => {
  server = await startServer({ apiKeys: [KEY, ENV_KEY] });
  agentBay = new AgentBay({ apiKey: KEY, endpoint: server.endpoint });
  scratch = mkdtempSync(join(tmpdir(), "agentbay-parity-"));
});
after(async () => {
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function newSession() {
  const r = await agentBay.create({});
  assert.equal(r.success, true, r.errorMessage);
  return r.session;
}

async function withSession(fn) {
  const session = await newSession();
  try {
    return await fn(session);
  } finally {
    await agentBay.delete(session);
  }
}

// ---- 2. getters --------------------------------------------------------------------------------

test("AgentBay.getAPIKey() and the official Session getters", async () => {
  assert.equal(agentBay.getAPIKey(), KEY);
  assert.equal(new AgentBay({ apiKey: ENV_KEY, endpoint: server.endpoint }).getAPIKey(), ENV_KEY);
  await withSession(async (session) => {
    assert.equal(session.getAPIKey(), KEY);
    assert.equal(session.getSessionId(), session.sessionId);
    assert.equal(session.getToken(), session.token);
    assert.equal(session.getLinkUrl(), session.linkUrl);
    // getAgentBay(): a client with the same key and endpoint, usable against the server.
    const owner = session.getAgentBay();
    assert.ok(owner instanceof AgentBay);
    assert.equal(owner.getAPIKey(), KEY);
    assert.equal(owner.endpoint, agentBay.endpoint);
    const status = await owner.get(session.sessionId);
    assert.equal(status.success, true, status.errorMessage);
    assert.equal(status.session.sessionId, session.sessionId);
  });
});

// ---- 3. constructible classes ------------------------------------------------------------------

test("new ContextService(agentBay) works like agentBay.context", async () => {
  const service = new ContextService(agentBay);
  const name = uniqueName("svc");
  const r = await service.get(name, true);
  assert.equal(r.success, true, r.errorMessage);
  assert.equal((await agentBay.context.get(name)).contextId, r.contextId);
  const up = await service.uploadFile(r.contextId, "/hello.txt", "from a hand-built service");
  assert.equal(up.success, true, up.errorMessage);
  const down = await agentBay.context.downloadFile(r.contextId, "/hello.txt");
  assert.equal(new TextDecoder().decode(down.content), "from a hand-built service");
});

test("new Session(agentBay, id), new FileSystem(session), new Command(session), new ContextManager(session)", async () => {
  const ctx = await agentBay.context.get(uniqueName("byid"), true);
  const created = await agentBay.create({ contextSync: [new ContextSync(ctx.contextId, "/mnt/byid", newSyncPolicy())] });
  assert.equal(created.success, true, created.errorMessage);
  const original = created.session;
  try {
    const session = new Session(agentBay, original.sessionId);
    assert.ok(session instanceof Session);
    assert.equal(session.sessionId, original.sessionId);
    assert.equal(session.getAPIKey(), KEY);

    // Its command and fileSystem reach the same sandbox.
    const w = await session.command.executeCommand("echo -n by-id > /tmp/by-id.txt");
    assert.equal(w.success, true, w.errorMessage);
    assert.equal((await original.fileSystem.readFile("/tmp/by-id.txt")).content, "by-id");
    const wf = await session.fileSystem.writeFile("/tmp/from-new-session.txt", "written");
    assert.equal(wf.success, true, wf.errorMessage);

    const fs = new FileSystem(session);
    assert.ok(fs instanceof FileSystem);
    const rf = await fs.readFile("/tmp/from-new-session.txt");
    assert.equal(rf.success, true, rf.errorMessage);
    assert.equal(rf.content, "written");
    const fromOriginal = await new FileSystem(original).readFile("/tmp/by-id.txt");
    assert.equal(fromOriginal.content, "by-id");

    const cmd = new Command(session);
    const pwd = await cmd.executeCommand("cat /tmp/from-new-session.txt");
    assert.equal(pwd.success, true, pwd.errorMessage);
    assert.equal(pwd.stdout, "written");

    for (const manager of [new ContextManager(session), newContextManager(session)]) {
      assert.ok(manager instanceof ContextManager);
      const info = await manager.info();
      assert.equal(info.success, true, info.errorMessage);
      assert.ok(info.contextStatusData.some((d) => d.contextId === ctx.contextId && d.path === "/mnt/byid"), JSON.stringify(info));
    }
    const synced = await new ContextManager(session).sync(ctx.contextId, "/mnt/byid");
    assert.equal(synced.success, true, synced.errorMessage);

    // Deleting through the hand-built object deletes the session.
    const del = await session.delete();
    assert.equal(del.success, true, del.errorMessage);
    assert.equal((await agentBay.get(original.sessionId)).success, false);
  } finally {
    await agentBay.delete(original);
  }
});

// ---- 5. binary reads ---------------------------------------------------------------------------

test("a failed binary read has an empty Uint8Array as content; a good one has the bytes", async () => {
  await withSession(async (session) => {
    const missing = await session.fileSystem.readFile("/tmp/does-not-exist.bin", { format: "bytes" });
    assert.equal(missing.success, false);
    assert.ok(missing.content instanceof Uint8Array, "content is a Uint8Array");
    assert.equal(missing.content.length, 0);
    assert.ok(missing.errorMessage);
    const dir = await session.fileSystem.read("/tmp", { format: "bytes" });
    assert.equal(dir.success, false);
    assert.match(dir.errorMessage, /Path does not exist or is a directory: \/tmp/);
    assert.ok(dir.content instanceof Uint8Array && dir.content.length === 0);

    const run = await session.command.executeCommand("printf '\\x00\\x01\\xff' > /tmp/b.bin");
    assert.equal(run.success, true, run.errorMessage);
    const ok = await session.fileSystem.readFile("/tmp/b.bin", { format: "bytes" });
    assert.equal(ok.success, true, ok.errorMessage);
    assert.deepEqual([...ok.content], [0, 1, 255]);
  });
});

