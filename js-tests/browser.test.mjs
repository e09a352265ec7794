// The browser entry (pkg/index.mjs + initAsync) in a real Chromium against a real agentbay-local.
// The page is served by a static server on another loopback port, so every API call and every
// presigned /files URL is cross-origin: this is the proof that the package and the server's CORS
// work together, and (second test) that the SDK fails cleanly when CORS is off.
//
// Chromium comes from the system (Debian's `chromium` package; .ci/run and ensure-toolchain.sh
// install it as root). playwright-core only drives it over CDP; it never downloads a browser.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { existsSync, createReadStream, statSync } from "node:fs";
import { join, extname, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { startServer, repoRoot, uniqueName } from "./helpers/server.mjs";
import { AgentBay } from "./helpers/sdk.mjs";

const chromiumPath = process.env.AGENTBAY_CHROMIUM || "/usr/bin/chromium";
const skipRequested = process.env.AGENTBAY_SKIP_BROWSER === "1";
const skip = skipRequested && `AGENTBAY_SKIP_BROWSER=1: browser tests not run (Chromium ${chromiumPath})`;
const INSTALL_HINT =
  `Chromium not found at ${chromiumPath}; the browser test needs it. ` +
  "Install it with 'sudo apt-get install chromium' (Debian/Ubuntu; 'npm test' run as root installs it itself), " +
  "point AGENTBAY_CHROMIUM at another Chromium/Chrome binary, or set AGENTBAY_SKIP_BROWSER=1 to skip this test.";

const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const UPLOAD_BYTES = [0, 1, 2, 127, 128, 200, 253, 254, 255, 10, 13, 0];

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/**
 * Serves `/pkg/...` from the built package and everything else from the page fixture; `/agentbay`
 * goes to `server.proxy` once one is set (agentbay-wasm/proxy, on the page's own origin).
 */
function startStatic() {
  const roots = { pkg: join(repoRoot, "pkg"), page: join(repoRoot, "js-tests", "fixtures", "browser") };
  const served = [];
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (server.proxy && (path === "/agentbay" || path.startsWith("/agentbay/"))) {
      req.url = req.url.slice("/agentbay".length) || "/";
      served.push({ path, status: "proxied", type: null });
      return server.proxy(req, res);
    }
    const [root, rel] = path.startsWith("/pkg/")
      ? [roots.pkg, path.slice(5)]
      : [roots.page, path.slice(1) || "index.html"];
    const file = resolve(root, rel);
    const type = TYPES[extname(file)];
    const ok =
      req.method === "GET" && file.startsWith(root + sep) && type && existsSync(file) && statSync(file).isFile();
    served.push({ path, status: ok ? 200 : 404, type: ok ? type : null });
    if (!ok) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
    createReadStream(file).pipe(res);
  });
  return new Promise((r) =>
    server.listen(0, "127.0.0.1", () => r({ origin: `http://127.0.0.1:${server.address().port}`, served, server })),
  );
}

let api; // agentbay-local with its default CORS (any origin on loopback)
let noCors; // agentbay-local started with --no-cors
let assets;
let browser;
let page;
const pageErrors = [];
const consoleErrors = [];
const requests = [];
const badResponses = []; // HTTP status >= 400 seen by the page
const timings = {};

before(async () => {
  if (skip) return;
  if (!existsSync(chromiumPath)) throw new Error(INSTALL_HINT);
  [api, noCors, assets] = await Promise.all([startServer(), startServer({ args: ["--no-cors"] }), startStatic()]);
  // Imported here so a skipped run does not need node_modules/playwright-core either.
  const { chromium } = await import("playwright-core");
  let t0 = Date.now();
  browser = await chromium.launch({ executablePath: chromiumPath, args: LAUNCH_ARGS });
  timings.launchMs = Date.now() - t0;
  page = await browser.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("request", (r) => requests.push(r));
  page.on("response", (r) => r.status() >= 400 && badResponses.push({ status: r.status(), url: r.url() }));
  t0 = Date.now();
  await page.goto(`${assets.origin}/`);
  try {
    await page.waitForFunction(() => window.agentbayReady, null, { timeout: 15000 });
  } catch (e) {
    throw new Error(`the test page never set window.agentbayReady (page errors: ${JSON.stringify(pageErrors)}): ${e}`);
  }
  timings.initMs = (await page.evaluate(() => window.agentbayReady)).initMs;
  timings.pageReadyMs = Date.now() - t0;
});

after(async () => {
  await browser?.close();
  await Promise.all([api?.stop(), noCors?.stop(), assets && new Promise((r) => assets.server.close(r))]);
  if (Object.keys(timings).length) console.log(`browser timings ${JSON.stringify(timings)}`);
});

/** What the page logged or was refused since `mark` (taken at the start of a test). */
function mark() {
  return { console: consoleErrors.length, bad: badResponses.length, page: pageErrors.length, requests: requests.length };
}
function since(m) {
  return {
    console: consoleErrors.slice(m.console),
    bad: badResponses.slice(m.bad).map(({ status, url }) => {
      const q = new URL(url).searchParams;
      return { status, action: q.get("Action"), sessionId: q.get("SessionId") };
    }),
    page: pageErrors.slice(m.page),
  };
}
const BAD_KEY =
  "InvalidApiKey: code: 401, The API key is not valid request id: [0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}";
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("Chromium: initAsync, the seed flow and presigned PUT/GET, all cross-origin", { skip }, async () => {
  assert.notEqual(new URL(assets.origin).port, api.url.port, "the page and the API are on different origins");
  const wasm = assets.served.filter((s) => s.path === "/pkg/wasm/agentbay_wasm_bg.wasm");
  assert.deepEqual(wasm, [{ path: "/pkg/wasm/agentbay_wasm_bg.wasm", status: 200, type: "application/wasm" }]);

  const m = mark();
  const contextName = uniqueName("browser-seed");
  const t0 = Date.now();
  const out = await page.evaluate((cfg) => window.seedFlow(cfg), {
    endpoint: api.endpoint,
    apiKey: api.apiKey,
    contextName,
    uploadBytes: UPLOAD_BYTES,
  });
  timings.seedFlowMs = Date.now() - t0;
  const ok = { success: true, errorMessage: null };
  assert.deepEqual(out, {
    contextGet: { ...ok, name: contextName },
    contextId: out.contextId,
    create1: ok,
    exec: { ...ok, exitCode: 0 },
    delete1: ok,
    create2: ok,
    sessionIds: out.sessionIds,
    readBack: { ...ok, content: "Hello, World!\n" },
    delete2: ok,
    upload: { ...ok, bytesSent: UPLOAD_BYTES.length, httpStatus: 200 },
    download: { ...ok, httpStatus: 200, size: UPLOAD_BYTES.length, isUint8Array: true, content: UPLOAD_BYTES },
  });
  const [id1, id2] = out.sessionIds;
  assert.ok(id1 && id2 && id1 !== id2, `two distinct sessions: ${out.sessionIds}`);

  // What the page stored is really on the server, seen from Node with the same key.
  const node = new AgentBay({ apiKey: api.apiKey, endpoint: api.endpoint });
  const ctx = await node.context.get(contextName);
  assert.equal(ctx.context?.id, out.contextId);
  const files = await node.context.listFiles(out.contextId, "/mnt/data");
  assert.equal(files.success, true, files.errorMessage);
  assert.deepEqual(files.entries.map((e) => e.fileName).sort(), ["hello.txt", "up.bin"]);
  const hello = await node.context.downloadFile(out.contextId, "/mnt/data/hello.txt");
  assert.equal(new TextDecoder().decode(hello.content), "Hello, World!\n");

  // Every call left the page's origin: API posts and both presigned URLs went to agentbay-local
  // with this page's Origin (set by the network stack, so only allHeaders() shows it).
  const toApi = await Promise.all(
    requests
      .filter((r) => r.url().startsWith(`${api.endpoint}/`))
      .map(async (r) => ({
        method: r.method(),
        path: new URL(r.url()).pathname,
        origin: (await r.allHeaders()).origin,
      })),
  );
  assert.deepEqual([...new Set(toApi.map((r) => r.origin))], [assets.origin]);
  assert.deepEqual([...new Set(toApi.filter((r) => r.method === "POST").map((r) => r.path))], ["/"]);
  assert.deepEqual(
    toApi.filter((r) => r.method !== "POST").map((r) => `${r.method} ${r.path}`),
    ["PUT /files", "GET /files"],
    "the presigned upload and download (the Node checks above do not go through the page)",
  );

  // The only refused responses are the ones delete() polls for: the session is gone (400
  // InvalidMcpSession.NotFound), and Chromium logs each such response as a console error.
  const seen = since(m);
  assert.deepEqual(seen.page, []);
  assert.deepEqual(seen.bad, [
    { status: 400, action: "GetSessionDetail", sessionId: id1 },
    { status: 400, action: "GetSessionDetail", sessionId: id2 },
  ]);
  assert.deepEqual(
    seen.console,
    Array(2).fill("Failed to load resource: the server responded with a status of 400 (Bad Request)"),
  );
});

test("Chromium: fileSystem.uploadFile/downloadFile with bytes, a Blob and content, cross-origin; local paths refused", { skip }, async () => {
  const m = mark();
  const out = await page.evaluate((cfg) => window.fileTransferFlow(cfg), {
    endpoint: api.endpoint,
    apiKey: api.apiKey,
    uploadBytes: UPLOAD_BYTES,
  });
  assert.deepEqual(out, {
    dir: "/tmp/file_transfer",
    upload: { success: true, error: null, bytesSent: UPLOAD_BYTES.length, httpStatus: 200 },
    readBack: UPLOAD_BYTES,
    blob: { success: true, error: null, read: "from a Blob" },
    download: { success: true, error: null, localPath: "", isUint8Array: true, text: "written in the session" },
    uploadPath:
      "uploadFile(localPath, …) needs a file system (Node.js); here, pass the data instead (Uint8Array, ArrayBuffer or Blob)",
    downloadPath:
      "downloadFile(remotePath, localPath) needs a file system (Node.js); here, leave localPath out and use the result's content",
    delete: { success: true, errorMessage: null },
  });
  const seen = since(m);
  assert.deepEqual(seen.page, []);
  // Only delete()'s poll for the gone session is refused.
  assert.deepEqual(seen.bad.map((b) => `${b.status} ${b.action}`), ["400 GetSessionDetail"]);
});

test("Chromium: a wrong key gives success:false with the server's message; no key throws", { skip }, async () => {
  const m = mark();
  const contextName = uniqueName("browser-bad-key");
  const out = await page.evaluate((cfg) => window.errorPaths(cfg), { endpoint: api.endpoint, contextName });
  assert.equal(out.hasProcess, false, "a page has no process.env: the key must be passed explicitly");
  assert.match(
    out.wrongKeyContextGet.errorMessage,
    new RegExp(`^Failed to get context ${escape(contextName)}: ${BAD_KEY}$`),
  );
  assert.match(out.wrongKeyCreate.errorMessage, new RegExp(`^Failed to create session: ${BAD_KEY}$`));
  assert.equal(out.wrongKeyContextGet.success, false);
  assert.equal(out.wrongKeyCreate.success, false);
  assert.equal(
    out.noKey,
    "API key is required. Provide it as a parameter or set the AGENTBAY_API_KEY environment variable.",
  );
  const seen = since(m);
  assert.deepEqual(seen.page, []);
  assert.deepEqual(seen.bad, [
    { status: 401, action: "GetContext", sessionId: null },
    { status: 401, action: "CreateMcpSession", sessionId: null },
  ]);
  assert.deepEqual(
    seen.console,
    Array(2).fill("Failed to load resource: the server responded with a status of 401 (Unauthorized)"),
  );
});

test("Chromium: against --no-cors, every call fails at once as a network error", { skip }, async () => {
  const m = mark();
  const contextName = uniqueName("browser-no-cors");
  const out = await page.evaluate((cfg) => window.noCorsFlow(cfg), {
    endpoint: noCors.endpoint,
    apiKey: noCors.apiKey,
    contextName,
  });
  const expected = {
    contextGet: `Failed to get context ${contextName}: network error: Failed to fetch`,
    create: "Failed to create session: network error: Failed to fetch",
    download: "Failed to get file URL: network error: Failed to fetch",
  };
  for (const [call, message] of Object.entries(expected)) {
    assert.deepEqual(
      { success: out[call].success, errorMessage: out[call].errorMessage },
      { success: false, errorMessage: message },
    );
    // The client timeout is 10 s: a blocked call must fail at once, not by timing out.
    assert.ok(out[call].ms < 5000, `${call} took ${out[call].ms} ms`);
  }

  // Chromium refused each preflight (no Access-Control-Allow-Origin) and said so on the console.
  const seen = since(m);
  assert.deepEqual(seen.page, []);
  const blocked = seen.console.filter((t) => t.includes("has been blocked by CORS policy"));
  assert.deepEqual(
    blocked.map((t) => new URL(t.match(/Access to fetch at '([^']+)'/)[1]).searchParams.get("Action")),
    ["GetContext", "CreateMcpSession", "GetContextFileDownloadUrl"],
  );
  for (const t of blocked) assert.match(t, new RegExp(`from origin '${escape(assets.origin)}'.*preflight`));
  assert.deepEqual(
    seen.console.filter((t) => !blocked.includes(t)),
    Array(3).fill("Failed to load resource: net::ERR_FAILED"),
  );
  // The preflight was refused, so the call itself never reached the API.
  const node = new AgentBay({ apiKey: noCors.apiKey, endpoint: noCors.endpoint });
  const ctx = await node.context.get(contextName);
  assert.equal(ctx.success, false, "the blocked call must not have created the context");
  assert.match(ctx.errorMessage, /NotFound/);
});

test("Chromium with no key, through agentbay-wasm/proxy on the page's origin: allowed calls work, refused ones say why", { skip }, async () => {
  const { createProxy } = await import(pathToFileURL(join(repoRoot, "pkg", "proxy.mjs")).href);
  const proxyLog = [];
  assets.server.proxy = createProxy({
    apiKey: api.apiKey,
    endpoint: api.endpoint,
    allow: (action) => (proxyLog.push(action), true),
  });
  const node = new AgentBay({ apiKey: api.apiKey, endpoint: api.endpoint });
  const foreign = await node.context.get(uniqueName("browser-foreign"), true);
  assert.equal(foreign.success, true, foreign.errorMessage);
  const m = mark();
  const contextName = uniqueName("browser-proxied");
  const out = await page.evaluate((cfg) => window.proxiedFlow(cfg), { contextName, foreignContextId: foreign.context.id });
  const ok = { success: true, errorMessage: null };
  assert.deepEqual(
    { ...out, deleteContext: out.deleteContext.success, foreign: out.foreign.success },
    {
      contextGet: { ...ok, name: contextName },
      contextId: out.contextId,
      create: ok,
      exec: ok,
      delete: ok,
      listed: [out.contextId],
      deleteContext: false,
      foreign: false,
    },
    "the page's own context is listed and usable; the foreign one is neither listed nor readable",
  );
  assert.match(out.deleteContext.errorMessage, /Forbidden\.ProxyRefused.*agentbay-wasm\/proxy refused DeleteContext/);
  assert.match(out.foreign.errorMessage, /Forbidden\.ProxyRefused/);

  // The file written in the session is in the context (checked from Node with the key), and the
  // refused DeleteContext left the context in place.
  const file = await node.context.downloadFile(out.contextId, "/mnt/data/p.txt");
  assert.equal(new TextDecoder().decode(file.content), "through the proxy\n");
  assert.equal((await node.context.get(contextName)).context?.id, out.contextId);
  // The built-in refusals never reached allow(); what did reach it was forwarded.
  assert.ok(proxyLog.includes("CreateMcpSession") && !proxyLog.includes("DeleteContext"), proxyLog.join());

  // No request the page made carried the key, and none went to agentbay-local directly.
  const seen = requests.slice(m.requests);
  assert.ok(seen.length > 0);
  for (const r of seen) {
    assert.ok(!r.url().startsWith(`${api.endpoint}/`) || /\/files/.test(r.url()), `direct API call: ${r.url()}`);
    assert.ok(!(r.postData() ?? "").includes(api.apiKey) && !r.url().includes(api.apiKey), "the key left the server");
    assert.ok(!JSON.stringify(await r.allHeaders()).includes(api.apiKey), "the key is in a header");
  }
  assert.deepEqual(since(m).page, []);
  await node.context.delete(foreign.context);
});
