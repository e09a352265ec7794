// Issue 10 part A: what official code touches and the package lacked, each item driven through
// the built package against a real agentbay-local over HTTP (no mocks):
//   1. the logger functions (levels, formats, file, masking of every API key);
//   2. the official getters of AgentBay and Session, and its MCP tool calls;
//   3. Context, Session, FileSystem, Command, ContextService, ContextManager built with `new`;
//   4. ContextSync: `policy` is the object given, withPolicy()/withBetaWaitForCompletion() return this;
//   5. a failed binary read has an empty Uint8Array as content;
//   6. session.code / browser / computer / mobile resolve `success: false`, naming the image.
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

// ---- 1. logger -------------------------------------------------------------------------------

/**
 * Runs `body` in a fresh Node process that has the built package as `sdk` (ESM or CommonJS
 * entry) and the server's endpoint/key as `endpoint`/`key`; resolves its stdout, stderr and
 * exit code. The child throws (exit code 1) when one of its own checks fails.
 */
function runChild(body, { cjs = false, env = {} } = {}) {
  const file = join(scratch, `${uniqueName("child")}.${cjs ? "cjs" : "mjs"}`);
  const entry = join(repoRoot, "pkg", cjs ? "node.cjs" : "node.mjs");
  const header = cjs
    ? `const sdk = require(${JSON.stringify(entry)});\n`
    : `import * as sdk from ${JSON.stringify(pathToFileURL(entry).href)};\n`;
  const prelude =
    `const endpoint = ${JSON.stringify(server.endpoint)};\nconst key = ${JSON.stringify(KEY)};\n` +
    `const scratch = ${JSON.stringify(scratch)};\n` +
    `function check(ok, what) { if (!ok) throw new Error("child check failed: " + what); }\n`;
  writeFileSync(file, header + prelude + (cjs ? `(async () => {\n${body}\n})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });\n` : body));
  const childEnv = { ...process.env, ...env };
  for (const k of ["LOG_LEVEL", "AGENTBAY_LOG_LEVEL", "AGENTBAY_LOG_FORMAT", "FORCE_COLOR", "AGENTBAY_API_KEY", "AGENTBAY_ENDPOINT"]) {
    if (!(k in env)) delete childEnv[k];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ stdout, stderr, code }));
  });
}

test("logger: quiet by default, a whole session flow prints nothing", async () => {
  const { stdout, stderr, code } = await runChild(`
    check(sdk.getLogLevel() === "INFO", "default level is INFO, got " + sdk.getLogLevel());
    const agentBay = new sdk.AgentBay({ apiKey: key, endpoint });
    const ctx = await agentBay.context.get("quiet-" + Date.now(), true);
    check(ctx.success, ctx.errorMessage);
    const cs = new sdk.ContextSync(ctx.context.id, "/mnt/quiet", sdk.newSyncPolicy());
    const r = await agentBay.create({ contextSync: [cs] });
    check(r.success, r.errorMessage);
    const run = await r.session.command.executeCommand("echo hi > /mnt/quiet/a.txt");
    check(run.success, run.errorMessage);
    const bad = await r.session.fileSystem.readFile("/nope", { format: "bytes" });
    check(!bad.success, "a missing file fails");
    const del = await agentBay.delete(r.session, true);
    check(del.success, del.errorMessage);
    const wrong = await new sdk.AgentBay({ apiKey: "akm-wrong-0123456789", endpoint }).context.list();
    check(!wrong.success, "a wrong key fails");
  `);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, "", "nothing on stdout");
  assert.equal(stderr, "", "nothing on stderr");
});

test("logger: levels, streams, official formats, and no API key ever printed (ESM entry)", async () => {
  const logFile = join(scratch, "logs", "nested", "sdk.log");
  const { stdout, stderr, code } = await runChild(`
    const { log, logDebug, logInfo, logWarn, logError, setLogLevel, getLogLevel, setupLogger } = sdk;
    const agentBay = new sdk.AgentBay({ apiKey: key, endpoint });
    const r = await agentBay.create({});
    check(r.success, r.errorMessage);
    const session = r.session;
    logDebug("debug-hidden " + key);
    logInfo("info key=" + key + " via session " + session.getAPIKey());
    log("plain " + key, { apiKey: key, nested: { authorization: "Bearer " + key, note: "kept" } }, 42);
    logWarn("warn " + key, "second line " + key);
    logError("err " + key, new Error("boom " + key));
    logInfo("unconfigured akm-abcdef0123456789 and Bearer tok_abcdef.123456 are masked too");
    setLogLevel("DEBUG");
    check(getLogLevel() === "DEBUG", "DEBUG set");
    logDebug("debug-shown");
    setLogLevel("ERROR");
    setLogLevel("LOUD");
    check(getLogLevel() === "ERROR", "an unknown level is ignored");
    log("log-hidden");
    logInfo("info-hidden");
    logWarn("warn-hidden");
    logError("error-shown", { token: key, code: 7 });
    setupLogger({ level: "INFO", logFile: ${JSON.stringify(logFile)}, format: "sls" });
    logInfo("to file and console " + key);
    setupLogger({ enableConsole: false });
    logWarn("file only " + key);
    setupLogger({ enableConsole: true, logFile: "", format: "pretty" });
    logInfo("console again");
    const del = await agentBay.delete(session);
    check(del.success, del.errorMessage);
  `);
  assert.equal(code, 0, stderr);
  const all = stdout + stderr;
  assert.ok(!all.includes(KEY), `the configured key leaked:\n${all}`);
  assert.ok(!all.includes("akm-abcdef0123456789"), "an akm- key leaked");
  assert.ok(!all.includes("tok_abcdef.123456"), "a bearer token leaked");
  assert.ok(all.includes(masked(KEY)), "the key is shown masked");

  // Levels and streams: DEBUG/INFO/log on stdout, WARN/ERROR on stderr, with the official labels.
  assert.match(stdout, new RegExp(`^ℹ️  INFO: info key=${masked(KEY).replace(/\*/g, "\\*")} via session`, "m"));
  assert.match(stdout, /^plain /m);
  assert.match(stdout, /"apiKey": "lo\*\*\*\*et"/);
  assert.match(stdout, /"authorization": "Be\*\*\*\*et"/);
  assert.match(stdout, /"note": "kept"/);
  assert.match(stdout, /^42$/m);
  assert.match(stdout, /^🐛 DEBUG: debug-shown$/m);
  assert.match(stderr, /^⚠️  WARN: warn /m);
  assert.match(stderr, /^second line /m);
  assert.match(stderr, /^❌ ERROR: err /m);
  assert.match(stderr, /^Stack Trace:$/m);
  assert.match(stderr, /^❌ ERROR: error-shown$/m);
  assert.match(stderr, /"token": "\*\*\*\*|"token": "lo\*\*\*\*et"/);
  for (const hidden of ["debug-hidden", "log-hidden", "info-hidden", "warn-hidden"]) {
    assert.ok(!all.includes(hidden), `${hidden} was printed`);
  }
  // setupLogger: format "sls", the file (its folder created), console off, file off.
  assert.match(stdout, /^INFO: to file and console lo\*\*\*\*et$/m);
  assert.ok(!all.includes("file only"), "enableConsole: false keeps the console quiet");
  assert.match(stdout, /^ℹ️  INFO: console again$/m);
  const file = readFileSync(logFile, "utf8");
  assert.equal(file, `INFO: to file and console ${masked(KEY)}\nWARN: file only ${masked(KEY)}\n`);
});

test("logger: LOG_LEVEL from the environment, a key from AGENTBAY_API_KEY masked, rotation (CommonJS entry)", async () => {
  const logFile = join(scratch, "rotate.log");
  const { stdout, stderr, code } = await runChild(
    `
    check(sdk.getLogLevel() === "DEBUG", "LOG_LEVEL=debug gives DEBUG, got " + sdk.getLogLevel());
    const agentBay = new sdk.AgentBay({ endpoint });
    check(agentBay.getAPIKey() === process.env.AGENTBAY_API_KEY, "the key comes from the environment");
    const list = await agentBay.context.list();
    check(list.success, list.errorMessage);
    sdk.logDebug("env key " + agentBay.getAPIKey());
    sdk.setupLogger({ logFile: ${JSON.stringify(logFile)}, maxFileSize: "1 KB", enableConsole: false });
    for (let i = 0; i < 40; i++) sdk.logInfo("line " + i + " " + "x".repeat(40));
  `,
    { cjs: true, env: { LOG_LEVEL: "debug", AGENTBAY_API_KEY: ENV_KEY, AGENTBAY_ENDPOINT: server.endpoint } },
  );
  assert.equal(code, 0, stderr);
  assert.ok(!(stdout + stderr).includes(ENV_KEY), "the environment's key leaked");
  assert.match(stdout, new RegExp(`^🐛 DEBUG: env key ${masked(ENV_KEY).replace(/\*/g, "\\*")}$`, "m"));
  assert.ok(existsSync(`${logFile}.1`), "the log file was rotated at maxFileSize");
  assert.ok(readFileSync(logFile, "utf8").length <= 1024 + 80);
  assert.match(readFileSync(logFile, "utf8"), /line 39 x+$/m);
});

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

/** ListMcpTools straight over HTTP (no SDK): the tool list as the server sends it. */
async function rawListMcpTools() {
  const url = `${server.endpoint}/?Action=ListMcpTools&Format=json&Version=2025-05-06`;
  const body = new URLSearchParams({ Authorization: `Bearer ${KEY}`, ImageId: "linux_latest" });
  const res = await fetch(url, { method: "POST", body });
  assert.equal(res.status, 200);
  const envelope = await res.json();
  assert.equal(typeof envelope.Data, "string", "ListMcpTools Data is a JSON string");
  return JSON.parse(envelope.Data);
}

test("Session.appInstanceId, mcpTools, wsUrl, enableBrowserReplay; callMcpTool() and listMcpTools()", async () => {
  const raw = await rawListMcpTools();
  const rawNames = raw.map((t) => t.name);
  assert.ok(rawNames.includes("shell") && rawNames.includes("read_file"), `server tools: ${rawNames}`);

  const created = await agentBay.create({ enableBrowserReplay: true });
  assert.equal(created.success, true, created.errorMessage);
  const session = created.session;
  try {
    // The fields create() fills (agentbay-local: AppInstanceId = the session id, no WsUrl).
    assert.equal(session.appInstanceId, session.sessionId);
    assert.equal(session.wsUrl, "");
    assert.equal(session.enableBrowserReplay, true);
    assert.ok(Array.isArray(session.mcpTools));
    assert.deepEqual(session.mcpTools.map((t) => t.name), rawNames);
    assert.deepEqual(session.mcpTools, raw, "every field of each tool, as the server lists it");
    for (const t of session.mcpTools) {
      assert.deepEqual(Object.keys(t), ["name", "description", "inputSchema", "server", "tool"]);
    }

    // listMcpTools(): the same tools; session.mcpTools is left as it is (as officially).
    const listed = await session.listMcpTools();
    assert.equal(listed.success, true, listed.errorMessage);
    assert.ok(listed.requestId);
    assert.equal(listed.errorMessage, undefined);
    assert.deepEqual(listed.tools.map((t) => t.name), rawNames);
    assert.deepEqual(listed.tools, session.mcpTools);
    const other = await session.listMcpTools("windows_latest");
    assert.equal(other.success, false);
    assert.deepEqual(other.tools, []);
    assert.match(other.errorMessage, /windows_latest/);

    // callMcpTool(): shell answers JSON of stdout/stderr/exit_code.
    const hi = await session.callMcpTool("shell", { command: "echo hi", timeout_ms: 5000 });
    assert.equal(hi.success, true, hi.errorMessage);
    assert.equal(hi.errorMessage, "");
    assert.ok(hi.requestId);
    assert.deepEqual(Object.keys(hi).sort(), ["data", "errorMessage", "requestId", "success"]);
    const out = JSON.parse(hi.data);
    assert.equal(out.stdout, "hi\n");
    assert.equal(out.stderr, "");
    assert.equal(out.exit_code, 0);
    // An unknown tool: the server's error envelope (InvalidParameter.Tool), with its message.
    const nope = await session.callMcpTool("nope", {});
    assert.equal(nope.success, false);
    assert.equal(nope.data, "");
    assert.match(nope.errorMessage, /InvalidParameter\.Tool/);
    assert.match(nope.errorMessage, /unknown tool: nope/);
    // A tool that reports an error (isError): success false with the tool's text.
    const missing = await session.callMcpTool("read_file", { path: "/no/such/file" });
    assert.equal(missing.success, false);
    assert.equal(missing.data, "");
    assert.match(missing.errorMessage, /\/no\/such\/file/);
    // Arguments that are not an object are refused without a request.
    const bad = await session.callMcpTool("shell", "echo hi");
    assert.equal(bad.success, false);
    assert.equal(bad.requestId, "");
    assert.match(bad.errorMessage, /args must be an object/);

    // agentBay.get(): the same fields, enableBrowserReplay false (not known to GetSession).
    const got = await agentBay.get(session.sessionId);
    assert.equal(got.success, true, got.errorMessage);
    assert.equal(got.session.appInstanceId, session.sessionId);
    assert.equal(got.session.wsUrl, "");
    assert.equal(got.session.enableBrowserReplay, false);
    assert.deepEqual(got.session.mcpTools, raw);
    const again = await got.session.callMcpTool("shell", { command: "echo again" });
    assert.equal(JSON.parse(again.data).stdout, "again\n");

    // new Session(agentBay, id): only the id is known; the server still resolves the tools.
    const bare = new Session(agentBay, session.sessionId);
    assert.deepEqual(
      [bare.appInstanceId, bare.wsUrl, bare.enableBrowserReplay, bare.mcpTools],
      ["", "", false, []],
    );
    const viaBare = await bare.callMcpTool("shell", { command: "echo bare" });
    assert.equal(viaBare.success, true, viaBare.errorMessage);
    assert.equal(JSON.parse(viaBare.data).stdout, "bare\n");
    assert.equal((await bare.listMcpTools()).tools.length, raw.length);
  } finally {
    await agentBay.delete(session);
  }
  const deleted = await session.callMcpTool("shell", { command: "true" });
  assert.equal(deleted.success, false);
  assert.match(deleted.errorMessage, /has been deleted/);

  // enableBrowserReplay is false when create() was not given it.
  await withSession(async (plain) => {
    assert.equal(plain.enableBrowserReplay, false);
    assert.equal(plain.appInstanceId, plain.sessionId);
  });
});

// ---- 3. constructible classes ------------------------------------------------------------------

test("new Context(id, name, createdAt?, lastUsedAt?) and Context instances from the service", async () => {
  const c = new Context("SdkCtx-1", "n", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z");
  assert.deepEqual({ ...c }, { id: "SdkCtx-1", name: "n", createdAt: "2025-01-01T00:00:00Z", lastUsedAt: "2025-01-02T00:00:00Z" });
  assert.deepEqual(Object.keys(new Context("a", "b")), ["id", "name", "createdAt", "lastUsedAt"]);

  const name = uniqueName("ctor");
  const got = await agentBay.context.get(name, true);
  assert.equal(got.success, true, got.errorMessage);
  assert.ok(got.context instanceof Context, "get() returns a Context");
  assert.ok((await agentBay.context.create(uniqueName("ctor2"))).context instanceof Context, "create() too");
  const listed = await agentBay.context.list({ maxResults: 100 });
  assert.equal(listed.success, true, listed.errorMessage);
  assert.ok(listed.contexts.length >= 2 && listed.contexts.every((x) => x instanceof Context), "list() too");

  // A hand-made Context drives update / delete / ContextSync against the server.
  const renamed = uniqueName("renamed");
  const upd = await agentBay.context.update(new Context(got.context.id, renamed));
  assert.equal(upd.success, true, upd.errorMessage);
  const after = await agentBay.context.get(renamed);
  assert.equal(after.contextId, got.context.id);
  const { session } = await agentBay.create({ contextSync: [new ContextSync(new Context(got.context.id, renamed).id, "/mnt/ctor")] });
  assert.ok(session);
  await agentBay.delete(session);
  const del = await agentBay.context.delete(new Context(got.context.id, renamed));
  assert.equal(del.success, true, del.errorMessage);
  assert.equal((await agentBay.context.get(renamed)).success, false);
});

test("new ContextService(agentBay) works like agentBay.context", async () => {
  const service = new ContextService(agentBay);
  const name = uniqueName("svc");
  const r = await service.get(name, true);
  assert.equal(r.success, true, r.errorMessage);
  assert.ok(r.context instanceof Context);
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

// ---- 4. ContextSync ----------------------------------------------------------------------------

test("ContextSync: policy is the object given; withPolicy() and withBetaWaitForCompletion() return this", async () => {
  const policy = newSyncPolicy();
  const cs = new ContextSync("ctx-1", "/mnt/data", policy);
  assert.equal(cs.policy, policy, "constructor keeps the very object");
  assert.equal(new ContextSync({ contextId: "c", path: "/p", policy }).policy, policy, "seed object form too");

  const other = new ContextSync("ctx-1", "/mnt/data");
  const p2 = { uploadPolicy: { autoUpload: false, uploadStrategy: "BeforeResourceRelease" } };
  assert.equal(other.withPolicy(p2), other, "withPolicy returns this");
  assert.equal(other.policy, p2);
  assert.equal(other.withBetaWaitForCompletion(false), other, "withBetaWaitForCompletion returns this");
  assert.equal(other.withPolicy(policy).withBetaWaitForCompletion(true), other, "chains on the same object");
  assert.equal(other.betaWaitForCompletion, true);
  assert.throws(() => other.withPolicy({ bogus: 1 }), /Unknown property in SyncPolicy: 'bogus'/);
  assert.equal(other.policy, policy, "a refused policy leaves the previous one");

  // Mutating the policy object later is what create() sends (the official behaviour of a shared
  // object): autoDownload switched off after construction leaves the mount empty.
  const ctx = await agentBay.context.get(uniqueName("ident"), true);
  const up = await agentBay.context.uploadFile(ctx.contextId, "/mnt/ident/seed.txt", "seeded");
  assert.equal(up.success, true, up.errorMessage);
  const live = newSyncPolicy();
  const sync = new ContextSync(ctx.contextId, "/mnt/ident").withPolicy(live);
  const first = await agentBay.create({ contextSync: [sync] });
  assert.equal(first.success, true, first.errorMessage);
  assert.equal((await first.session.fileSystem.readFile("/mnt/ident/seed.txt")).content, "seeded");
  await agentBay.delete(first.session);
  sync.policy.downloadPolicy.autoDownload = false;
  const second = await agentBay.create({ contextSync: [sync] });
  assert.equal(second.success, true, second.errorMessage);
  assert.equal((await second.session.fileSystem.readFile("/mnt/ident/seed.txt")).success, false, "not downloaded");
  await agentBay.delete(second.session);
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

// ---- 6. modules that need other images ---------------------------------------------------------

test("session.code / browser / computer / mobile resolve success: false naming the image", async () => {
  await withSession(async (session) => {
    assert.equal(session.imageId, "linux_latest");
    assert.ok(session.code instanceof Code && session.code === session.code, "one Code per session");
    assert.ok(session.browser instanceof Browser && session.computer instanceof Computer && session.mobile instanceof Mobile);
    const cases = [
      ["code.runCode", () => session.code.runCode("print(1)", "python"), "code_latest"],
      ["browser.getEndpointUrl", () => session.browser.getEndpointUrl(), "browser_latest"],
      ["browser.agent.act", () => session.browser.agent.act({ action: "click" }, {}), "browser_latest"],
      ["computer.screenshot", () => session.computer.screenshot(), "windows_latest"],
      ["computer.clickMouse", () => session.computer.clickMouse(1, 2), "windows_latest"],
      ["computer.getInstalledApps", () => session.computer.getInstalledApps(), "windows_latest"],
      ["mobile.tap", () => session.mobile.tap(1, 2), "mobile_latest"],
      ["mobile.screenshot", () => session.mobile.screenshot(), "mobile_latest"],
      ["mobile.getAdbUrl", () => session.mobile.getAdbUrl("key"), "mobile_latest"],
    ];
    for (const [name, call, image] of cases) {
      const r = await call();
      assert.deepEqual(
        r,
        { requestId: "", success: false, errorMessage: `session.${name}() requires the ${image} image; this session runs linux_latest` },
        name,
      );
    }
    // The official initialize methods answer a boolean: false, never a truthy failure object.
    assert.equal(await session.browser.initialize({}), false);
    assert.equal(await session.browser.initializeAsync({}), false);
    assert.equal(session.browser.isInitialized(), false);
    assert.equal(session.browser.getOption(), null);
    // The session itself is untouched: it still runs commands.
    assert.equal((await session.command.executeCommand("true")).success, true);

    // A Session built from an id does not know its image, and says so.
    const byId = new Session(agentBay, session.sessionId);
    assert.equal(
      (await byId.mobile.tap(0, 0)).errorMessage,
      "session.mobile.tap() requires the mobile_latest image; this session's image is unknown",
    );
    assert.equal((await new Code(session).runCode("1")).success, false, "new Code(session) works too");
  });
});
