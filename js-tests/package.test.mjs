// The packaging itself: `npm pack` pkg/, install the tarball into a fresh project (offline: the
// package has no dependencies), then use it through require, import, the browser entry and a
// strict TypeScript consumer — each doing a real call against agentbay-local.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, readdirSync, copyFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import http from "node:http";
import { startServer, repoRoot, uniqueName } from "./helpers/server.mjs";

const run = promisify(execFile);
let server;
let work; // holds the tarball and the consumer project
let project;
let tarball;
let installed; // node_modules/agentbay-wasm inside the consumer project

before(async () => {
  server = await startServer();
  work = mkdtempSync(join(tmpdir(), "agentbay-pack-"));
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", work], {
    cwd: join(repoRoot, "pkg"),
    encoding: "utf8",
  }).trim();
  tarball = join(work, packed.split("\n").pop());
  project = join(work, "consumer");
  execFileSync("mkdir", ["-p", project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--silent", tarball], { cwd: project });
  installed = join(project, "node_modules", "agentbay-wasm");
});
after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs a script inside the consumer project, as its own Node process. */
async function nodeIn(args, script) {
  const { stdout } = await run(process.execPath, [...args, "-e", script], {
    cwd: project,
    env: { ...process.env, AGENTBAY_ENDPOINT: server.endpoint, AGENTBAY_API_KEY: server.apiKey },
  });
  return JSON.parse(stdout.trim().split("\n").pop());
}

// The same real call through every entry: create a context, upload, download, compare.
const roundTrip = (name) => `
  const agentBay = new m.AgentBay();
  const ctx = await agentBay.context.get(${JSON.stringify(name)}, true);
  const up = await agentBay.context.uploadFile(ctx.context.id, "/mnt/data/p.txt", "via " + ${JSON.stringify(name)});
  const down = await agentBay.context.downloadFile(ctx.context.id, "/mnt/data/p.txt");
  console.log(JSON.stringify({
    ok: ctx.success && up.success && down.success,
    text: new TextDecoder().decode(down.content),
    enums: [m.UploadStrategy.UploadBeforeResourceRelease, m.DownloadStrategy.DownloadAsync, m.UploadMode.Archive, m.Lifecycle.Lifecycle_Forever],
    init: typeof m.initAsync,
  }));
`;

function assertRoundTrip(out, name) {
  assert.equal(out.ok, true);
  assert.equal(out.text, `via ${name}`);
  assert.deepEqual(out.enums, ["UploadBeforeResourceRelease", "DownloadAsync", "Archive", "Lifecycle_Forever"]);
  assert.equal(out.init, "function");
}

test("the tarball ships one .wasm file, once, and the declared entry points", (t) => {
  const listing = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n");
  const wasm = listing.filter((f) => f.endsWith(".wasm"));
  assert.deepEqual(wasm, ["package/wasm/agentbay_wasm_bg.wasm"]);
  const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
  assert.equal(manifest.name, "agentbay-wasm");
  assert.equal(manifest.dependencies, undefined, "no runtime dependencies");
  const root = manifest.exports["."];
  assert.equal(root.types, "./index.d.ts");
  assert.equal(root.node.require, "./node.cjs");
  assert.equal(root.node.import, "./node.mjs");
  assert.equal(root.browser, "./index.mjs");
  for (const f of listing) assert.ok(!f.includes("..") && !f.endsWith(".map"), f);
  const bytes = readFileSync(join(installed, "wasm", "agentbay_wasm_bg.wasm"));
  t.diagnostic(
    `tarball ${statSync(tarball).size} bytes; .wasm ${bytes.length} bytes raw, ${gzipSync(bytes, { level: 9 }).length} bytes gzip -9`,
  );
});

test("require('agentbay-wasm') (CommonJS) works against the server", async () => {
  const name = uniqueName("cjs");
  const out = await nodeIn([], `const m = require("agentbay-wasm"); (async () => { ${roundTrip(name)} })().catch((e) => { console.error(e); process.exit(1); });`);
  assertRoundTrip(out, name);
});

test("import from 'agentbay-wasm' (ESM) works against the server", async () => {
  const name = uniqueName("esm");
  const out = await nodeIn(["--input-type=module"], `import * as m from "agentbay-wasm"; ${roundTrip(name)}`);
  assertRoundTrip(out, name);
});

test("require and import in one process load the same .wasm file without conflict", async () => {
  const out = await nodeIn(
    ["--input-type=module"],
    `import { createRequire } from "node:module";
     import * as esm from "agentbay-wasm";
     const cjs = createRequire(import.meta.url)("agentbay-wasm");
     const a = new esm.AgentBay({ apiKey: "k" });
     const b = new cjs.AgentBay({ apiKey: "k" });
     console.log(JSON.stringify({ a: typeof a.context, b: typeof b.context, distinct: esm.AgentBay !== cjs.AgentBay }));`,
  );
  assert.deepEqual(out, { a: "object", b: "object", distinct: true });
});

test("the browser condition selects the fetch-based entry, which needs initAsync()", async () => {
  const out = await nodeIn(
    ["--conditions=browser", "--input-type=module"],
    `import * as m from "agentbay-wasm";
     let before;
     try { new m.AgentBay({ apiKey: "k" }); before = "no error"; } catch (e) { before = e.message; }
     console.log(JSON.stringify({ before }));`,
  );
  assert.equal(out.before, "agentbay-wasm was used before it was initialised: call `await initAsync()` first");
});

test("the browser entry fetches the .wasm over HTTP and then works against the server", async () => {
  const wasm = readFileSync(join(installed, "wasm", "agentbay_wasm_bg.wasm"));
  const assets = http.createServer((req, res) => {
    if (req.url === "/agentbay.wasm") {
      res.writeHead(200, { "content-type": "application/wasm" });
      res.end(wasm);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => assets.listen(0, "127.0.0.1", r));
  try {
    const base = `http://127.0.0.1:${assets.address().port}`;
    const name = uniqueName("browser");
    const out = await nodeIn(
      ["--conditions=browser", "--input-type=module"],
      `import * as m from "agentbay-wasm";
       let missing;
       try { await m.initAsync("${base}/nope.wasm"); } catch (e) { missing = e.message; }
       await m.initAsync("${base}/agentbay.wasm");
       ${roundTrip(name).replace("console.log(JSON.stringify({", "console.log(JSON.stringify({ missing,")}`,
    );
    assertRoundTrip(out, name);
    assert.match(out.missing, /HTTP 404/);
  } finally {
    await new Promise((r) => assets.close(r));
  }
});

test("agentbay-wasm/bundler (WebAssembly ESM integration) links the .wasm itself", async () => {
  // Node's --experimental-wasm-modules implements the same ESM integration that webpack's
  // asyncWebAssembly and vite-plugin-wasm provide: the .wasm's imports resolve to the glue module.
  const name = uniqueName("bundler");
  const out = await nodeIn(["--experimental-wasm-modules", "--no-warnings", "--input-type=module"], `import * as m from "agentbay-wasm/bundler"; ${roundTrip(name)}`);
  assertRoundTrip(out, name);
});

test("the public .d.ts has no `any`", () => {
  for (const f of ["index.d.ts", "agentbay_wasm.d.ts"]) {
    const text = readFileSync(join(installed, f), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    const lines = text.split("\n").filter((l) => /\bany\b/.test(l));
    assert.deepEqual(lines, [], `${f} uses any`);
  }
});

test("a TypeScript consumer (seed style + official style) compiles with tsc --noEmit --strict", async () => {
  const dir = join(repoRoot, "js-tests", "typescript");
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".ts"))) copyFileSync(join(dir, f), join(project, f));
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2022"], // a plain Node project: no DOM lib
        types: ["node"],
        typeRoots: [join(repoRoot, "node_modules", "@types")],
        // The package's own .d.ts is checked too: a type a declaration names that no longer
        // exists (an `unchecked_return_type` after a Rust rename) fails here.
        skipLibCheck: false,
      },
      files: readdirSync(dir).filter((f) => f.endsWith(".ts")),
    }),
  );
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  try {
    await run(process.execPath, [tsc, "--noEmit", "--strict", "-p", "tsconfig.json"], { cwd: project });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});

test("the loader modules are importable by path (no hidden dependency on the exports map)", async () => {
  const m = await import(pathToFileURL(join(installed, "node.mjs")).href);
  assert.equal(typeof m.AgentBay, "function");
});
