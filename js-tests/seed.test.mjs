// Every TypeScript snippet of the seed tutorial (shared/seed/data-persistence-with-contexts.md),
// run as written against the built package installed under the official package name
// `wuying-agentbay-sdk` (so the snippets' own import lines resolve to us).
//
// What is adapted, precisely:
//   - NOTHING inside the snippets. They construct `new AgentBay({ apiKey: 'your_api_key' })`; this
//     suite starts agentbay-local with `--api-key your_api_key`, so that literal key is a valid key,
//     and the endpoint comes from AGENTBAY_ENDPOINT (the snippets give none).
//   - Snippets 1 and 2 only *define* functions; the harness appends `export { fn }` and calls them.
//   - Snippet 3 uses `ContextSync` without importing it; the harness prepends that one import line.
//   - Snippet 4 is two alternatives that both declare `const deleteResult` (one file cannot hold
//     both); each line runs as its own fragment with `agentBay` and `session` in scope.
// Snippets are transpiled with TypeScript's transpileModule (types are not checked here: the
// strict type check of seed-style code is js-tests/typescript.test.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { startServer, repoRoot } from "./helpers/server.mjs";
import { seedSnippets, seedMarkdown, typescriptBlocks } from "./helpers/seed.mjs";
import { AgentBay, ContextSync } from "./helpers/sdk.mjs";

const SEED_KEY = "your_api_key";
let server;
let project; // temp project whose node_modules/wuying-agentbay-sdk is the built package
let agentBay; // the harness's own client (for checks), same server and key
const snippets = Object.fromEntries(seedSnippets().map((s) => [s.name.split("-")[0], s.code]));

before(async () => {
  server = await startServer({ apiKeys: [SEED_KEY] });
  assert.equal(server.apiKey, SEED_KEY);
  process.env.AGENTBAY_ENDPOINT = server.endpoint;
  delete process.env.AGENTBAY_API_KEY;
  project = mkdtempSync(join(tmpdir(), "agentbay-seed-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(join(repoRoot, "pkg"), join(project, "node_modules", "wuying-agentbay-sdk"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module", private: true }));
  agentBay = new AgentBay({ apiKey: SEED_KEY, endpoint: server.endpoint });
});
after(async () => {
  await server?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

let counter = 0;
/** Transpiles TypeScript source into the temp project and imports it. */
async function load(source) {
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const file = join(project, `snippet-${++counter}.mjs`);
  writeFileSync(file, js);
  return import(pathToFileURL(file).href);
}

/** Runs fn while capturing console.log lines. */
async function captureLog(fn) {
  const lines = [];
  const original = console.log;
  console.log = (...args) => lines.push(args.join(" "));
  try {
    return { value: await fn(), lines };
  } finally {
    console.log = original;
  }
}

async function contextFile(contextId, path) {
  const r = await agentBay.context.downloadFile(contextId, path);
  return r.success ? new TextDecoder().decode(r.content) : null;
}

test("the fixtures are exactly the tutorial's TypeScript blocks", { skip: !seedMarkdown && "seed tutorial not present" }, () => {
  const blocks = typescriptBlocks(readFileSync(seedMarkdown, "utf8"));
  assert.deepEqual(
    seedSnippets().map((s) => s.code),
    blocks,
  );
});

test("snippet 1: getOrCreateContext()", async () => {
  const mod = await load(`${snippets["1"]}\nexport { getOrCreateContext };\n`);
  const { value: context, lines } = await captureLog(() => mod.getOrCreateContext());
  assert.equal(context.name, "my-persistent-context");
  assert.deepEqual(lines, [`Context ID: ${context.id}`]);
  const found = await agentBay.context.get("my-persistent-context");
  assert.equal(found.success, true, found.errorMessage);
  assert.equal(found.context.id, context.id, "the context really exists on the server");
  // Running it again gets the same context instead of creating another one.
  const again = await captureLog(() => mod.getOrCreateContext());
  assert.equal(again.value.id, context.id);
});

test("snippets 2 + 4: write in session 1, delete with sync, read back in session 2", async () => {
  const mod = await load(`${snippets["2"]}\nexport { createSessionWithPersistence };\n`);
  const before = new Set((await agentBay.list()).sessionIds.map((s) => s.sessionId));
  const { lines } = await captureLog(() => mod.createSessionWithPersistence());
  assert.deepEqual(lines, ["File created in persistent storage"]);

  // The snippet keeps its session to itself; find it on the server.
  const created = (await agentBay.list()).sessionIds.filter((s) => !before.has(s.sessionId));
  assert.equal(created.length, 1, "the snippet created exactly one session");
  const got = await agentBay.get(created[0].sessionId);
  assert.equal(got.success, true, got.errorMessage);
  const session1 = got.session;
  const cat = await session1.command.execute("cat /mnt/data/hello.txt");
  assert.equal(cat.stdout, "Hello, World!\n");

  const ctx = (await agentBay.context.get("my-persistent-context", true)).context;

  // Snippet 4, first alternative, on session 1.
  const [deleteViaAgentBay, deleteViaSession] = snippets["4"]
    .split("\n")
    .filter((l) => l.startsWith("const deleteResult"));
  const fragment1 = await load(
    `export async function run(agentBay: any, session: any) {\n${deleteViaAgentBay}\nreturn deleteResult;\n}\n`,
  );
  const del1 = await fragment1.run(agentBay, session1);
  assert.equal(del1.success, true, del1.errorMessage);
  assert.equal(await contextFile(ctx.id, "/mnt/data/hello.txt"), "Hello, World!\n");

  // Session 2 mounts the same context and reads the file back.
  const session2 = (
    await agentBay.create({ contextSync: [new ContextSync({ contextId: ctx.id, path: "/mnt/data" })] })
  ).session;
  const readBack = await session2.command.execute("cat /mnt/data/hello.txt");
  assert.equal(readBack.stdout, "Hello, World!\n");

  // Snippet 4, second alternative, on session 2 (which adds a file first).
  await session2.command.execute("echo 'second session' > /mnt/data/second.txt");
  const fragment2 = await load(
    `export async function run(agentBay: any, session: any) {\n${deleteViaSession}\nreturn deleteResult;\n}\n`,
  );
  const del2 = await fragment2.run(agentBay, session2);
  assert.equal(del2.success, true, del2.errorMessage);
  assert.equal(await contextFile(ctx.id, "/mnt/data/second.txt"), "second session\n");
  const gone = await agentBay.get(session2.sessionId);
  assert.equal(gone.success, false);
});

test("snippet 3: the custom sync policy, used for real", async () => {
  const mod = await load(
    `import { ContextSync } from 'wuying-agentbay-sdk';\n${snippets["3"]}\nexport { policy, contextSync };\n`,
  );
  const policy = JSON.parse(JSON.stringify(mod.policy));
  assert.equal(policy.uploadPolicy.uploadStrategy, "UploadBeforeResourceRelease");
  assert.equal(policy.uploadPolicy.period, 30);
  assert.equal(policy.uploadPolicy.autoUpload, true);
  assert.equal(policy.downloadPolicy.downloadStrategy, "DownloadAsync");
  assert.equal(mod.contextSync.contextId, "your_context_id");
  assert.equal(mod.contextSync.path, "/mnt/data");

  // The tutorial's placeholder id names no context. As in the cloud, the session is created all
  // the same, and create() says which download failed and why.
  const placeholder = await agentBay.create({ contextSync: [mod.contextSync] });
  assert.equal(placeholder.success, true, placeholder.errorMessage);
  assert.deepEqual(
    placeholder.contextSyncFailures.map((f) => [f.contextId, f.status, f.errorMessage]),
    [["your_context_id", "Failed", "context your_context_id does not exist: there is nothing to download"]],
  );
  assert.equal((await agentBay.delete(placeholder.session)).success, true);

  // The same policy on a real context: autoUpload on release keeps the file.
  const ctx = (await agentBay.context.get("seed-custom-policy", true)).context;
  const created = await agentBay.create({
    contextSync: [new ContextSync({ contextId: ctx.id, path: "/mnt/data", policy: mod.policy })],
  });
  assert.equal(created.success, true, created.errorMessage);
  await created.session.command.execute("echo custom > /mnt/data/custom.txt");
  assert.equal((await agentBay.delete(created.session)).success, true);
  assert.equal(await contextFile(ctx.id, "/mnt/data/custom.txt"), "custom\n");
});
