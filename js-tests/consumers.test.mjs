// Every way users consume the package (issue 12 item 2), each as a throwaway project: `npm pack`
// pkg/ once, copy a template from js-tests/fixtures/consumers/<name>/ into a temp dir, install the
// tarball offline, then make a real call against a running agentbay-local. The tools the projects
// build with (tsc, vite, webpack) are the repository's devDependencies, run with the project as
// cwd, so nothing is fetched beyond the root `npm ci`.
//
// Every JS project runs the same flow (fixtures/consumers/flow.mjs: create a context, list it,
// upload and download a file, make and delete a second one); the TypeScript project runs the typed
// persistence flow (ContextSync + SyncPolicy + a session + delete with sync). What each reports is
// then checked against the server over raw HTTP, with no SDK in between.
//
// js-tests/package.test.mjs already checks the tarball's layout, the browser condition under Node,
// the bundler entry under Node's wasm ESM integration and the `any`-free .d.ts; here the point is
// the consumer's own toolchain: a project's `type`, tsc's resolution modes, real bundlers' production
// builds, and real Chromium pages and workers loading what those produced.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import http from "node:http";
import {
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import { startServer, repoRoot, uniqueName } from "./helpers/server.mjs";

const run = promisify(execFile);
const fixtures = join(repoRoot, "js-tests", "fixtures", "consumers");
const rootModules = join(repoRoot, "node_modules");

const chromiumPath = process.env.AGENTBAY_CHROMIUM || "/usr/bin/chromium";
const skipBrowser =
  process.env.AGENTBAY_SKIP_BROWSER === "1" && `AGENTBAY_SKIP_BROWSER=1: browser consumers not run (Chromium ${chromiumPath})`;
const INSTALL_HINT =
  `Chromium not found at ${chromiumPath}; the browser consumers need it. ` +
  "Install it with 'sudo apt-get install chromium' (Debian/Ubuntu; 'npm test' run as root installs it itself), " +
  "point AGENTBAY_CHROMIUM at another Chromium/Chrome binary, or set AGENTBAY_SKIP_BROWSER=1 to skip these tests.";
const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let server;
let work; // the tarball and every consumer project
let tarball;
let packedFiles; // `npm pack --dry-run --json`'s file list
let assets; // the static server for the browser consumers
let browser;

before(async () => {
  server = await startServer();
  work = mkdtempSync(join(tmpdir(), "agentbay-consumers-"));
  const pkgDir = join(repoRoot, "pkg");
  const { stdout: dry } = await run("npm", ["pack", "--dry-run", "--json"], { cwd: pkgDir });
  packedFiles = JSON.parse(dry)[0].files.map((f) => f.path);
  const { stdout } = await run("npm", ["pack", "--silent", "--pack-destination", work], { cwd: pkgDir });
  tarball = join(work, stdout.trim().split("\n").pop());
});

after(async () => {
  await browser?.close();
  if (assets) await new Promise((r) => assets.server.close(r));
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

// --- consumer projects -----------------------------------------------------------------------------

const projects = new Map();

/** The project made from fixtures/consumers/<name>: copied, given flow.mjs, the tarball installed. */
function project(name) {
  if (!projects.has(name)) {
    projects.set(
      name,
      (async () => {
        const dir = join(work, name);
        cpSync(join(fixtures, name), dir, { recursive: true });
        cpSync(join(fixtures, "flow.mjs"), join(dir, "flow.mjs"));
        await run("npm", ["install", tarball, "--offline", "--no-audit", "--no-fund", "--silent"], { cwd: dir });
        assert.ok(existsSync(join(dir, "node_modules", "agentbay-wasm", "package.json")), `${name}: the tarball is installed`);
        return dir;
      })(),
    );
  }
  return projects.get(name);
}

/** Runs a repository devDependency's CLI (or any script) with the consumer project as cwd. */
async function inProject(dir, args, env = {}) {
  try {
    return await run(process.execPath, args, { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
  } catch (e) {
    assert.fail(`${args.join(" ")} in ${dir} failed:\n${e.stdout}${e.stderr}`);
  }
}

const bin = {
  tsc: join(rootModules, "typescript", "bin", "tsc"),
  vite: join(rootModules, "vite", "bin", "vite.js"),
  webpack: join(rootModules, "webpack-cli", "bin", "cli.js"),
};

/** The flow's inputs: a fresh context name, and the text the file carries (names the consumer). */
function flowInput(consumer) {
  return { endpoint: server.endpoint, apiKey: server.apiKey, name: uniqueName(`consumer-${consumer}`), via: `written by the ${consumer} consumer` };
}

/** Runs `node main.js` in a Node consumer project; its last stdout line is the JSON report. */
async function runNode(dir, script, input) {
  const { stdout } = await inProject(dir, [script], {
    AGENTBAY_ENDPOINT: input.endpoint,
    AGENTBAY_API_KEY: input.apiKey,
    CONSUMER_CONTEXT: input.name,
    CONSUMER_VIA: input.via,
  });
  return JSON.parse(stdout.trim().split("\n").pop());
}

// --- the server's side of it, over raw HTTP ------------------------------------------------------------

/** One API call with no SDK: form fields in the body, the key as a Bearer `Authorization` field. */
async function raw(action, fields) {
  const res = await fetch(`${server.endpoint}/?Action=${action}`, {
    method: "POST",
    body: new URLSearchParams({ Authorization: `Bearer ${server.apiKey}`, ...fields }),
  });
  return { status: res.status, body: await res.json() };
}

/** A context file's text, through a presigned download URL asked for over raw HTTP. */
async function rawFile(contextId, path) {
  const url = await raw("GetContextFileDownloadUrl", { ContextId: contextId, FilePath: path });
  assert.equal(url.status, 200, JSON.stringify(url.body));
  const res = await fetch(url.body.Data.Url);
  assert.equal(res.status, 200);
  return res.text();
}

/** What flow.mjs reported is what the server holds. */
async function assertFlowOnServer(out, input) {
  assert.equal(out.failed, undefined, out.failed);
  const { contextId, scratchId, ...rest } = out;
  assert.match(contextId, /^SdkCtx-/);
  assert.match(scratchId, /^SdkCtx-/);
  assert.notEqual(scratchId, contextId);
  assert.deepEqual(
    {
      listed: rest.listed,
      uploaded: rest.uploaded,
      downloaded: rest.downloaded,
      deleted: rest.deleted,
      enum: rest.enum,
      uploadStrategy: rest.uploadStrategy,
    },
    {
      listed: true,
      uploaded: new TextEncoder().encode(input.via).length,
      downloaded: input.via,
      deleted: true,
      enum: "UploadBeforeResourceRelease",
      uploadStrategy: "UploadBeforeResourceRelease",
    },
  );
  const got = await raw("GetContext", { Name: input.name });
  assert.equal(got.status, 200, JSON.stringify(got.body));
  assert.equal(got.body.Data.Id, contextId, "the context the consumer made is on the server");
  const listed = await raw("ListContexts", { MaxResults: "100" });
  assert.ok(listed.body.Data.some((c) => c.Id === contextId && c.Name === input.name), "ListContexts has it");
  const scratch = await raw("GetContext", { Name: `${input.name}-scratch` });
  assert.deepEqual([scratch.status, scratch.body.Code], [400, "InvalidContext.NotFound"], "the deleted context is gone");
  assert.equal(await rawFile(contextId, "/mnt/data/via.txt"), input.via, "the uploaded file is on the server");
}

// --- the browser side: one static server, one Chromium -------------------------------------------------

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/** Serves /<project>/<path> from work/<project>/<path>, on its own loopback origin. */
function startStatic() {
  const served = [];
  const srv = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = resolve(work, `.${path}`);
    const type = TYPES[extname(file)];
    const ok = req.method === "GET" && file.startsWith(work + sep) && type && existsSync(file) && statSync(file).isFile();
    served.push({ path, status: ok ? 200 : 404, type: ok ? type : null });
    if (!ok) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
    createReadStream(file).pipe(res);
  });
  return new Promise((r) => srv.listen(0, "127.0.0.1", () => r({ origin: `http://127.0.0.1:${srv.address().port}`, served, server: srv })));
}

let browserReady;
/** The static server and Chromium, started once for every browser consumer. */
function chromium() {
  browserReady ??= (async () => {
    if (!existsSync(chromiumPath)) throw new Error(INSTALL_HINT);
    assets = await startStatic();
    // Imported here so a skipped run does not need node_modules/playwright-core either.
    const { chromium: launcher } = await import("playwright-core");
    browser = await launcher.launch({ executablePath: chromiumPath, args: LAUNCH_ARGS });
  })();
  return browserReady;
}

/**
 * Opens `path` (under the static server) in a new page, waits for `window.consumer`, calls
 * `window.consumer[fn](input)` for each given input and returns the results, failing on any page
 * error or console error.
 */
async function inPage(path, calls) {
  await chromium();
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  try {
    await page.goto(`${assets.origin}${path}`);
    try {
      await page.waitForFunction(() => window.consumer, null, { timeout: 20000 });
    } catch (e) {
      throw new Error(`${path} never set window.consumer (${JSON.stringify(problems)}): ${e}`);
    }
    const results = [];
    for (const [fn, input] of calls) results.push(await page.evaluate(([f, i]) => window.consumer[f](i), [fn, input]));
    assert.deepEqual(problems, [], `${path}: no page or console errors`);
    return results;
  } finally {
    await page.close();
  }
}

/** The .wasm requests the static server answered under `prefix`. */
const wasmServed = (prefix) => assets.served.filter((s) => s.path.startsWith(prefix) && s.path.endsWith(".wasm"));

/** The .wasm files in a build's output folder (recursively). */
function wasmFilesIn(dir) {
  return readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".wasm"));
}

// --- the consumers --------------------------------------------------------------------------------------

test("npm pack --dry-run --json ships the .wasm exactly once", () => {
  const wasm = packedFiles.filter((f) => f.endsWith(".wasm"));
  assert.deepEqual(wasm, ["wasm/agentbay_wasm_bg.wasm"]);
  assert.ok(packedFiles.includes("index.mjs") && packedFiles.includes("node.cjs") && packedFiles.includes("bundler.mjs"));
});

test("Node CommonJS project (\"type\": \"commonjs\"): require('agentbay-wasm') against agentbay-local", { timeout: 120000 }, async () => {
  const dir = await project("node-cjs");
  const input = flowInput("node-cjs");
  const { entry, ...out } = await runNode(dir, "main.js", input);
  assert.equal(entry, join(dir, "node_modules", "agentbay-wasm", "node.cjs"));
  await assertFlowOnServer(out, input);
});

test("Node ES module project (\"type\": \"module\"): import from 'agentbay-wasm' against agentbay-local", { timeout: 120000 }, async () => {
  const dir = await project("node-esm");
  const input = flowInput("node-esm");
  const { entry, named, ...out } = await runNode(dir, "main.js", input);
  assert.equal(entry, `file://${join(dir, "node_modules", "agentbay-wasm", "node.mjs")}`);
  assert.equal(named, true);
  await assertFlowOnServer(out, input);
});

test("TypeScript: tsc --strict with moduleResolution bundler (DOM app) and node16 (Node app); the node16 build runs the persistence flow", { timeout: 180000 }, async () => {
  const dir = await project("typescript");
  // @types/node from the repository: the project's own node_modules holds only the tarball.
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(join(rootModules, "@types", "node"), join(dir, "node_modules", "@types", "node"));
  await inProject(dir, [bin.tsc, "--strict", "-p", "tsconfig.bundler.json"]);
  await inProject(dir, [bin.tsc, "--strict", "-p", "tsconfig.node16.json"]);
  assert.deepEqual(readdirSync(join(dir, "out")), ["node.js"]);

  const input = flowInput("typescript");
  const out = await runNode(dir, join("out", "node.js"), input);
  assert.match(out.sessionId, /\S/);
  assert.deepEqual(
    { exitCode: out.exitCode, deleted: out.deleted, contextSyncError: out.contextSyncError, upload: out.policy.uploadPolicy },
    {
      exitCode: 0,
      deleted: true,
      contextSyncError: null,
      upload: { autoUpload: true, uploadStrategy: "UploadBeforeResourceRelease", uploadMode: "File" },
    },
  );
  const got = await raw("GetContext", { Name: input.name });
  assert.equal(got.body.Data.Id, out.contextId);
  // Written inside the session, uploaded by delete(session, true): now in the context itself.
  assert.equal(await rawFile(out.contextId, "/mnt/data/via.txt"), input.via);
});

test("Vite production build (no plugins), served statically, in Chromium against agentbay-local", { skip: skipBrowser, timeout: 180000 }, async () => {
  const dir = await project("vite");
  await inProject(dir, [bin.vite, "build"]);
  const emitted = wasmFilesIn(join(dir, "dist"));
  assert.equal(emitted.length, 1, `one .wasm in dist/: ${emitted}`);
  const input = flowInput("vite");
  const [out] = await inPage("/vite/dist/index.html", [["run", input]]);
  await assertFlowOnServer(out, input);
  // The page fetched the build's own copy of the .wasm, once, as application/wasm.
  assert.deepEqual(wasmServed("/vite/"), [{ path: `/vite/dist/${emitted[0]}`, status: 200, type: "application/wasm" }]);
});

test("a plain <script type=module> page with an import map (no bundler) in Chromium against agentbay-local", { skip: skipBrowser, timeout: 120000 }, async () => {
  await project("plain");
  const input = flowInput("plain");
  const [out] = await inPage("/plain/index.html", [["run", input]]);
  await assertFlowOnServer(out, input);
  assert.deepEqual(wasmServed("/plain/"), [
    { path: "/plain/node_modules/agentbay-wasm/wasm/agentbay_wasm_bg.wasm", status: 200, type: "application/wasm" },
  ]);
});

test("a classic Web Worker and a module worker each make the call and post the result (Chromium)", { skip: skipBrowser, timeout: 120000 }, async () => {
  await project("workers");
  const classicInput = flowInput("classic-worker");
  const moduleInput = flowInput("module-worker");
  const [classic, module] = await inPage("/workers/index.html", [
    ["classic", classicInput],
    ["module", moduleInput],
  ]);
  for (const [out, input, kind] of [
    [classic, classicInput, "classic"],
    [module, moduleInput, "module"],
  ]) {
    const { kind: seen, hasWindow, ...flow } = out;
    assert.deepEqual({ kind: seen, hasWindow }, { kind, hasWindow: false }, `${kind} worker`);
    await assertFlowOnServer(flow, input);
  }
  // Each worker instantiated the module itself, from the installed package.
  assert.deepEqual(
    wasmServed("/workers/").map((s) => s.path),
    Array(2).fill("/workers/node_modules/agentbay-wasm/wasm/agentbay_wasm_bg.wasm"),
  );
});

test("webpack 5 production build (experiments.asyncWebAssembly): the default entry and agentbay-wasm/bundler, in Chromium", { skip: skipBrowser, timeout: 240000 }, async () => {
  const dir = await project("webpack");
  await inProject(dir, [bin.webpack, "--config", "webpack.config.cjs"]);
  // One .wasm per entry that loads one: the default entry's `new URL(...)` asset and the
  // bundler entry's WebAssembly module (the same bytes, two ways of linking them).
  assert.equal(wasmFilesIn(join(dir, "dist")).length, 2);
  for (const entry of ["main", "bundler"]) {
    const before = wasmServed("/webpack/").length;
    const input = flowInput(`webpack-${entry}`);
    const [out] = await inPage(`/webpack/${entry}.html`, [["run", input]]);
    await assertFlowOnServer(out, input);
    const fetched = wasmServed("/webpack/").slice(before);
    assert.equal(fetched.length, 1, `${entry}: one .wasm fetched: ${JSON.stringify(fetched)}`);
    assert.match(fetched[0].path, /^\/webpack\/dist\/[0-9a-f]+(\.module)?\.wasm$/);
    assert.equal(fetched[0].type, "application/wasm");
  }
});
