// The example app (examples-web/) end to end: its production build, served by examples-web/server.mjs
// with the key-holding proxy, driven in a real Chromium through the whole persistence flow against a
// real agentbay-local. Every step is checked on the page and again on agentbay-local over raw HTTP
// (with the real key, which only this test and the app's server hold). A second test starts
// `npm run web`'s script (scripts/web.mjs: agentbay-local + the Vite dev server) and checks its proxy.
//
// The screenshot goes to AGENTBAY_WEB_SCREENSHOT (default target/examples-web/screenshot.png);
// README's picture is refreshed with
//   AGENTBAY_WEB_SCREENSHOT=examples-web/screenshot.png node --test js-tests/examples-web.test.mjs
//
// Chromium comes from the system, as in js-tests/browser.test.mjs (AGENTBAY_SKIP_BROWSER=1 skips;
// otherwise a missing Chromium fails the test).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createHash } from "node:crypto";
import { startServer, repoRoot, uniqueName } from "./helpers/server.mjs";

const chromiumPath = process.env.AGENTBAY_CHROMIUM || "/usr/bin/chromium";
const skip = process.env.AGENTBAY_SKIP_BROWSER === "1" && `AGENTBAY_SKIP_BROWSER=1: browser tests not run`;
const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SCREENSHOT = resolve(repoRoot, process.env.AGENTBAY_WEB_SCREENSHOT || "target/examples-web/screenshot.png");

let local; // agentbay-local
let app; // examples-web/server.mjs serving the production build
let dist;
let browser;

before(async () => {
  if (skip) return;
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install it ('apt-get install chromium'), point AGENTBAY_CHROMIUM at one, or set AGENTBAY_SKIP_BROWSER=1`);
  }
  local = await startServer();
  // The app's production build, into a directory of this run.
  dist = mkdtempSync(join(tmpdir(), "examples-web-dist-"));
  const { build } = await import("vite");
  await build({ configFile: join(repoRoot, "examples-web", "vite.config.mjs"), logLevel: "warn", build: { outDir: dist, emptyOutDir: true } });
  const { startAppServer } = await import("../examples-web/server.mjs");
  app = await startAppServer({ dist, apiKey: local.apiKey, endpoint: local.endpoint });
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({ executablePath: chromiumPath, args: LAUNCH_ARGS });
});

after(async () => {
  await browser?.close();
  await app?.close();
  await local?.stop();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

/** One AgentBay API call straight to agentbay-local over HTTP, with the real key (no SDK). */
async function raw(action, fields = {}) {
  const body = new URLSearchParams({ Authorization: `Bearer ${local.apiKey}`, ...fields });
  const res = await fetch(`${local.endpoint}/?Action=${action}`, { method: "POST", body });
  return res.json();
}

/** The context's files under `folder`, by name, as agentbay-local lists them. */
async function storedFiles(contextId, folder) {
  const r = await raw("DescribeContextFiles", { ContextId: contextId, ParentFolderPath: folder, PageNumber: "1", PageSize: "100" });
  assert.equal(r.Success, true, JSON.stringify(r));
  return Object.fromEntries((r.Data ?? []).map((f) => [f.FileName, f]));
}

/** A stored file's bytes, fetched from agentbay-local's presigned URL. */
async function storedBytes(contextId, path) {
  const r = await raw("GetContextFileDownloadUrl", { ContextId: contextId, FilePath: path });
  assert.equal(r.Success, true, JSON.stringify(r));
  const res = await fetch(r.Data.Url);
  assert.equal(res.status, 200);
  return new Uint8Array(await res.arrayBuffer());
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

test("examples-web in Chromium: contexts, a binary upload with progress, a session, terminal, sync, delete with sync, a second session, a download", { skip, timeout: 240_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
  const pageErrors = [];
  const consoleErrors = [];
  const apiReplies = []; // every /agentbay reply the page received, to prove the key is in none
  const refused = []; // HTTP >= 400 seen by the page
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("dialog", (d) => d.accept());
  page.on("response", async (r) => {
    if (r.status() >= 400) refused.push({ status: r.status(), action: new URL(r.url()).searchParams.get("Action"), url: r.url() });
    if (new URL(r.url()).pathname.startsWith("/agentbay")) apiReplies.push(r.text().catch(() => ""));
  });
  const requestsWithKey = [];
  page.on("request", (r) => {
    if (`${r.url()} ${r.postData() ?? ""}`.includes(local.apiKey)) requestsWithKey.push(r.url());
  });

  // Loopback moves 1.5 MiB faster than Chromium reports progress (every ~50 ms): a DevTools
  // throttle (1 MB/s up, 4 MB/s down) makes the transfers take long enough to show their steps.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: 4e6, uploadThroughput: 1e6 });
  const transferKinds = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/files") transferKinds.push(`${r.method()} ${r.resourceType()}`);
  });

  await page.goto(app.url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
  assert.match(await page.textContent("[data-testid=status]"), /no API key in this page/);

  /** Runs `start`, then waits for the transfer row it adds (the newest, on top) to end. */
  const transfer = async (start) => {
    const rows = page.locator("[data-testid=transfer]");
    const before = await rows.count();
    await start();
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=transfer]").length > n, before);
    const row = rows.first();
    await row.and(page.locator("[data-state]")).waitFor({ timeout: 30_000 });
    return { state: await row.getAttribute("data-state"), percent: await row.getAttribute("data-percent") };
  };

  // 1. Create a context.
  const name = `notebook-${uniqueName("w").split("-").pop()}`;
  await page.fill("[data-testid=context-name]", name);
  await page.click("[data-testid=create-context]");
  await page.waitForSelector(`[data-testid=context][data-name="${name}"]`);
  const listed = await raw("ListContexts", { MaxResults: "100" });
  const stored = listed.Data.find((c) => c.Name === name);
  assert.ok(stored, `agentbay-local lists the new context: ${JSON.stringify(listed.Data)}`);
  const contextId = stored.Id;
  const mount = `/mnt/${name}`;
  assert.equal(await page.inputValue("[data-testid=files-folder]"), mount, "the file browser opens at the mount path");

  // 2. Upload a binary file (every byte value, 1.5 MiB) through the file input; the bar fills in steps.
  const blob = Buffer.alloc(1536 * 1024 + 7);
  for (let i = 0; i < blob.length; i++) blob[i] = (i * 167 + (i >> 8)) & 0xff;
  await page.evaluate(() => {
    window.__percents = [];
    new MutationObserver((changes) => {
      for (const c of changes) if (c.attributeName === "data-percent") window.__percents.push(Number(c.target.dataset.percent));
    }).observe(document.getElementById("transfers"), { attributes: true, subtree: true, attributeFilter: ["data-percent"] });
  });
  const upload = await transfer(() =>
    page.setInputFiles("[data-testid=context-upload]", { name: "blob.bin", mimeType: "application/octet-stream", buffer: blob }),
  );
  assert.deepEqual(upload, { state: "done", percent: "100" });
  const percents = await page.evaluate(() => window.__percents);
  assert.equal(percents.at(-1), 100);
  assert.ok(percents.every((p, i) => i === 0 || p >= percents[i - 1]), `the bar only grows: ${percents}`);
  assert.ok(new Set(percents).size >= 3, `the bar moved in steps, not at once: ${percents}`);
  assert.deepEqual(transferKinds, ["PUT xhr"], "the upload went through XMLHttpRequest (upload progress)");
  transferKinds.length = 0;
  await page.waitForSelector('[data-testid=context-file][data-name="blob.bin"]');
  assert.deepEqual(await storedBytes(contextId, `${mount}/blob.bin`), new Uint8Array(blob), "agentbay-local stored the exact bytes");

  // 3. Start a session that mounts the context at its path with the default policy.
  await page.check(`[data-testid=mount][data-name="${name}"] [data-testid=mount-check]`);
  assert.equal(await page.inputValue(`[data-testid=mount][data-name="${name}"] [data-testid=mount-path]`), mount);
  await page.click("[data-testid=start-session]");
  await page.waitForSelector("[data-testid=session-title]:has-text('Session 1')");
  const session1 = (await page.textContent("[data-testid=session-title]")).split("·")[1].trim();
  const running = await raw("GetSession", { SessionId: session1 });
  assert.equal(running.Success, true, JSON.stringify(running));
  await page.waitForSelector('[data-testid=session-file][data-name="blob.bin"]', { timeout: 10_000 });

  // 4. The terminal: a command writes files in the mount (one checks the uploaded bytes).
  const terminal = async (command) => {
    const before = await page.locator("[data-testid=exit-code]").count();
    await page.fill("[data-testid=terminal-input]", command);
    await page.press("[data-testid=terminal-input]", "Enter");
    await page.locator("[data-testid=exit-code]").nth(before).waitFor({ timeout: 30_000 });
    return { exit: await page.locator("[data-testid=exit-code]").nth(before).textContent(), output: await page.textContent("[data-testid=terminal-output]") };
  };
  const wrote = await terminal(`sha256sum blob.bin > blob.sha256 && echo "written in session 1" > notes.txt && cat notes.txt`);
  assert.equal(wrote.exit, "[exit 0]\n", wrote.output);
  assert.match(wrote.output, /written in session 1/);
  await page.waitForSelector('[data-testid=session-file][data-name="notes.txt"]');

  // A second binary into the session itself (fileSystem.uploadFile, moved into the mount), checked there.
  const photo = Buffer.from(Array.from({ length: 300_001 }, (_, i) => (i * 31 + 7) & 0xff));
  const sessionUpload = await transfer(() =>
    page.setInputFiles("[data-testid=session-upload]", { name: "photo.bin", mimeType: "application/octet-stream", buffer: photo }),
  );
  assert.deepEqual(sessionUpload, { state: "done", percent: "100" });
  await page.waitForSelector('[data-testid=session-file][data-name="photo.bin"]');
  const photoSum = await terminal("sha256sum photo.bin");
  assert.match(photoSum.output, new RegExp(`${sha256(photo)}  photo\\.bin`), "the session has the exact bytes");

  // 5. Sync: the task table ends with the upload's Success, and the files are in the context.
  await page.click("[data-testid=sync]");
  await page.waitForSelector("#tasks-note:has-text('synced')", { timeout: 60_000 });
  const uploads = await page.locator("[data-testid=task][data-type=upload]").evaluateAll((rows) => rows.map((r) => r.dataset.status));
  assert.ok(uploads.length >= 1 && uploads.every((s) => s === "Success"), `upload tasks: ${uploads}`);
  const info = await raw("GetContextInfo", { SessionId: session1, ContextId: contextId, Path: mount, TaskType: "upload" });
  assert.match(JSON.stringify(info), /Success/, "agentbay-local records the upload task as Success");
  const afterSync = await storedFiles(contextId, mount);
  assert.ok(afterSync["notes.txt"] && afterSync["blob.sha256"], `synced: ${Object.keys(afterSync)}`);
  assert.equal(new TextDecoder().decode(await storedBytes(contextId, `${mount}/notes.txt`)), "written in session 1\n");

  // 6. Delete with sync: a file written after the sync still reaches the context.
  assert.equal((await terminal(`echo "written just before delete" > late.txt`)).exit, "[exit 0]\n");
  await page.click("[data-testid=delete-sync]");
  await page.waitForSelector("[data-testid=after-delete]:not([hidden])", { timeout: 60_000 });
  const gone = await raw("GetSession", { SessionId: session1 });
  assert.equal(gone.Success, false, "agentbay-local no longer has session 1");
  assert.equal(new TextDecoder().decode(await storedBytes(contextId, `${mount}/late.txt`)), "written just before delete\n");

  // 7. A second session with the same mounts: the files came back.
  await page.click("[data-testid=start-again]");
  await page.waitForSelector("[data-testid=session-title]:has-text('Session 2')");
  const session2 = (await page.textContent("[data-testid=session-title]")).split("·")[1].trim();
  assert.notEqual(session2, session1);
  for (const f of ["blob.bin", "blob.sha256", "notes.txt", "late.txt", "photo.bin"]) {
    await page.waitForSelector(`[data-testid=session-file][data-name="${f}"]`, { timeout: 10_000 });
  }
  const back = await terminal("cat late.txt notes.txt && sha256sum -c blob.sha256");
  assert.equal(back.exit, "[exit 0]\n", back.output);
  assert.match(back.output, /written just before delete\nwritten in session 1\nblob\.bin: OK/);

  // 8. Download the binary from the context and compare the bytes (and the bar filled in steps).
  await page.evaluate(() => (window.__percents = []));
  await page.click("#files-folder-form button");
  const row = page.locator('[data-testid=context-file][data-name="blob.bin"]');
  let download;
  const downBar = await transfer(async () => {
    [download] = await Promise.all([page.waitForEvent("download"), row.locator("[data-testid=download]").click()]);
  });
  assert.deepEqual(downBar, { state: "done", percent: "100" });
  assert.equal(download.suggestedFilename(), "blob.bin");
  const downloaded = readFileSync(await download.path());
  assert.equal(downloaded.length, blob.length);
  assert.equal(sha256(downloaded), sha256(blob), "the downloaded bytes are the uploaded ones");
  const downPercents = await page.evaluate(() => window.__percents);
  assert.ok(new Set(downPercents).size >= 3 && downPercents.at(-1) === 100, `the download bar moved in steps: ${downPercents}`);

  // The picture for README (with session 2's files and the task table of session 1's last sync).
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  const png = readFileSync(SCREENSHOT);
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  assert.equal(png.readUInt32BE(16), 1440, "screenshot width");

  // 9. Clean up through the UI: delete session 2 with sync, then the context (the demo's proxy allows it).
  await page.click("[data-testid=delete-sync]");
  await page.waitForSelector("[data-testid=after-delete]:not([hidden])", { timeout: 60_000 });
  await page.click(`[data-testid=context][data-name="${name}"] [data-testid=delete-context]`);
  await page.waitForSelector(`[data-testid=context][data-name="${name}"]`, { state: "detached" });
  const deleted = await raw("GetContext", { ContextId: contextId });
  assert.equal(deleted.Success, false, `agentbay-local no longer has the context: ${JSON.stringify(deleted)}`);

  // The key never reached the page: not in a request it sent, not in a reply it received.
  const replies = await Promise.all(apiReplies);
  assert.ok(replies.length > 10, `${replies.length} API replies`);
  assert.deepEqual(requestsWithKey, []);
  assert.ok(replies.every((text) => !text.includes(local.apiKey)), "no reply carries the key");
  assert.deepEqual(pageErrors, []);
  // The only refusals: the polls delete() makes until a session is gone (GetSessionDetail), and the
  // task poll racing the release (GetContextInfo); Chromium logs each as a console error.
  const unexpected = refused.filter((r) => !(r.status === 400 && ["GetSessionDetail", "GetContextInfo"].includes(r.action)));
  assert.deepEqual(unexpected, []);
  assert.ok(consoleErrors.every((m) => m.startsWith("Failed to load resource")), JSON.stringify(consoleErrors));
  await page.close();
});

test("the app's TypeScript compiles with tsc --strict against the package's declarations", async () => {
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(repoRoot, "examples-web", "tsconfig.json")], { encoding: "utf8" });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});

test("npm run web's script starts agentbay-local and the Vite dev server; /agentbay holds the key and refuses other actions", { skip, timeout: 120_000 }, async () => {
  const child = spawn(process.execPath, [join(repoRoot, "scripts", "web.mjs")], {
    env: { ...process.env, PORT: "0", AGENTBAY_API_KEY: "", AGENTBAY_ENDPOINT: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise((r) => child.once("exit", (code) => r(code)));
  try {
    const url = await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no URL printed within 60 s:\n${out}`)), 60_000);
      const check = () => {
        const m = out.match(/example app\s+(http:\/\/\S+)/);
        if (m) {
          clearTimeout(timer);
          ok(m[1]);
        }
      };
      child.stdout.on("data", check);
      exited.then((code) => fail(new Error(`scripts/web.mjs exited (${code}):\n${out}`)));
    });
    const endpoint = out.match(/agentbay-local\s+(http:\/\/\S+)/)[1];
    // The dev server's page loads the SDK (the .wasm through Vite's alias to pkg/) and lists contexts.
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    assert.match(await page.textContent("[data-testid=status]"), /no API key in this page/);
    assert.deepEqual(errors, []);
    await page.close();
    const list = await (await fetch(new URL("agentbay/?Action=ListContexts", url), { method: "POST", body: "MaxResults=5", headers: { "content-type": "application/x-www-form-urlencoded" } })).json();
    assert.equal(list.Success, true, JSON.stringify(list));
    const pause = await fetch(new URL("agentbay/?Action=PauseSessionAsync", url), { method: "POST" });
    assert.equal(pause.status, 403);
    assert.equal((await pause.json()).Code, "Forbidden.ProxyRefused");
    // Without the proxy's key, agentbay-local itself refuses: the key lives only in that process.
    const direct = await (await fetch(`${endpoint}/?Action=ListContexts`, { method: "POST" })).json();
    assert.equal(direct.Success, false);
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
  assert.match(out, /refused PauseSessionAsync/, "the refusal is logged on the server");
});
