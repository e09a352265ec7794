// The SDK under faults: when the server is gone, stalls or answers garbage, every call of the built
// package resolves within a bound derived from timeoutMs to success:false with a message naming the
// cause; create() never reports success while a download is unconfirmed; responses over the size
// cap are refused; and nothing ends as an unhandled rejection.
//
// (a) a hostile node:http server in this file (refusing, stalling, garbage, oversized bodies);
// (b) a real agentbay-local SIGKILLed in the middle of delete(session, true) and of create()'s
//     download wait, through a node:http proxy that decides the moment.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { setImmediate as tick } from "node:timers/promises";
import { startServer, uniqueName } from "./helpers/server.mjs";
import { AgentBay } from "./helpers/sdk.mjs";

const T = 2000; // timeoutMs of every client here: small, so that the bounds below are short
const CAP = 1 << 20; // maxResponseBytes for the oversize tests
const SLACK = 1500; // scheduling, loopback and sandbox start-up on a loaded 2-core machine

// ---- unhandled rejections fail the test that caused them ----
const rejections = [];
const onRejection = (reason) => rejections.push(reason);
process.on("unhandledRejection", onRejection);
afterEach(async () => {
  // Let rejections of promises dropped during the test surface before judging.
  for (let i = 0; i < 5; i++) await tick();
  await new Promise((r) => setTimeout(r, 50));
  const seen = rejections.splice(0);
  assert.deepEqual(seen.map(String), [], "unhandled promise rejections");
});
after(() => process.off("unhandledRejection", onRejection));

// ---- (a) the hostile server ----

const OK_SESSION = { RequestId: "r-ok", Success: true, Data: { SessionId: "s-1", ResourceUrl: "", Token: "" } };

/**
 * A server whose behaviour is switched by `mode`: "ok" | "stall" | "garbage" | "big-declared" |
 * "big-chunked" | "file". "ok" answers GetSession (so that a Session object can be had); a
 * CreateMcpSession with contexts to wait for is answered in every mode (the server then fails
 * while create() waits).
 */
async function hostile() {
  const state = { mode: "ok", sockets: new Set(), stalled: new Set(), chunkedSent: [], fileBytes: 0 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => answer(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  const answer = (req, res, body) => {
    const url = new URL(req.url, "http://x");
    const action = url.searchParams.get("Action") ?? "";
    const json = (v) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(v));
    };
    if (url.pathname === "/file") {
      // A presigned download of `fileBytes` bytes, sent chunked.
      return sendChunked(res, state.fileBytes, null);
    }
    if (action === "CreateMcpSession" && body.includes("PersistenceDataList")) {
      return json({ RequestId: "r-create", Success: true, Data: { SessionId: "s-1" } });
    }
    if (action === "GetContextFileDownloadUrl" && state.mode === "file") {
      return json({ RequestId: "r-url", Success: true, Data: { Url: `${state.base}/file`, ExpireTime: 1 } });
    }
    switch (state.mode) {
      case "ok":
        return json(action === "GetSession" ? OK_SESSION : { RequestId: "r-ok", Success: true, Data: {} });
      case "stall":
        state.stalled.add(res); // accepted, never answered
        return;
      case "garbage":
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html>not json</html>");
      case "big-declared":
        // Declares 100 MB, sends a first 64 KiB and then nothing: a client that waited for the
        // body would hit the timeout instead of refusing at once.
        res.writeHead(200, { "content-type": "application/json", "content-length": String(100 * 1024 * 1024) });
        res.write(Buffer.alloc(64 * 1024, 0x20));
        state.stalled.add(res);
        return;
      case "big-chunked": {
        const record = { sent: 0, closed: false };
        state.chunkedSent.push(record);
        return sendChunked(res, 200 * 1024 * 1024, record);
      }
      default:
        return json({ RequestId: "r", Success: false, Code: "Nope", Message: state.mode });
    }
  };
  // Chunked (no Content-Length), 64 KiB at a time as fast as the client reads, until `total`
  // bytes or until the client goes away.
  const sendChunked = (res, total, record) => {
    const rec = record ?? { sent: 0, closed: false };
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.on("close", () => (rec.closed = true));
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (!rec.closed && rec.sent < total) {
        const n = Math.min(piece.length, total - rec.sent);
        rec.sent += n;
        if (!res.write(n === piece.length ? piece : piece.subarray(0, n))) return res.once("drain", pump);
      }
      if (!rec.closed) res.end();
    };
    pump();
  };
  server.on("connection", (s) => {
    state.sockets.add(s);
    s.on("close", () => state.sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  state.base = `http://127.0.0.1:${server.address().port}`;
  let closed = false;
  return {
    state,
    endpoint: state.base,
    set mode(m) {
      state.mode = m;
    },
    /** Gone: the port refuses connections from now on. */
    async close() {
      if (closed) return;
      closed = true;
      const done = new Promise((r) => server.close(r));
      for (const s of state.sockets) s.destroy();
      await done;
    },
  };
}

/** Runs `fn`, returning its result and how long it took. */
async function timed(fn) {
  const t0 = Date.now();
  const r = await fn();
  return { r, took: Date.now() - t0 };
}

/**
 * Every public method family, each returning a promise of an API result. Bounds (ms) are what a
 * stalled server may cost: one request timeout, two for the calls that send a second request after
 * a failed first (delete with sync), and a shell command's own timeout + 5 s margin for commands.
 */
function families(agentBay, session) {
  const cid = "SdkCtx-1";
  const calls = {
    "context.get": [() => agentBay.context.get("x", true), T],
    "context.create": [() => agentBay.context.create("x"), T],
    "context.list": [() => agentBay.context.list({ maxResults: 5 }), T],
    "context.update": [() => agentBay.context.update({ id: cid, name: "y" }), T],
    "context.delete": [() => agentBay.context.delete({ id: cid }), T],
    "context.clear": [() => agentBay.context.clear(cid, 5, 0.1), T],
    "context.clearAsync": [() => agentBay.context.clearAsync(cid), T],
    "context.getClearStatus": [() => agentBay.context.getClearStatus(cid), T],
    "context.getFileUploadUrl": [() => agentBay.context.getFileUploadUrl(cid, "/a"), T],
    "context.getFileDownloadUrl": [() => agentBay.context.getFileDownloadUrl(cid, "/a"), T],
    "context.listFiles": [() => agentBay.context.listFiles(cid, "/"), T],
    "context.deleteFile": [() => agentBay.context.deleteFile(cid, "/a"), T],
    "context.uploadFile": [() => agentBay.context.uploadFile(cid, "/a", "hi"), T],
    "context.downloadFile": [() => agentBay.context.downloadFile(cid, "/a"), T],
    create: [() => agentBay.create({ labels: { a: "b" } }), T],
    "create(contextSync)": [() => agentBay.create({ contextSync: [{ contextId: "c1", path: "/mnt/data" }] }), 2 * T],
    get: [() => agentBay.get("s-2"), T],
    list: [() => agentBay.list({ a: "b" }), T],
    "delete(session, true)": [() => agentBay.delete(session, true), 2 * T],
    "session.delete()": [() => session.delete(), T],
    "command.executeCommand": [() => session.command.executeCommand("echo hi"), 6000],
    "command.execute": [() => session.command.execute("echo hi", { timeoutMs: 500 }), 5500],
    "fileSystem.readFile": [() => session.fileSystem.readFile("/tmp/a"), T],
    "fileSystem.readFile(bytes)": [() => session.fileSystem.readFile("/tmp/a", { format: "bytes" }), T],
    "fileSystem.writeFile": [() => session.fileSystem.writeFile("/tmp/a", "x"), T],
    "fileSystem.listDirectory": [() => session.fileSystem.listDirectory("/tmp"), T],
    "fileSystem.createDirectory": [() => session.fileSystem.createDirectory("/tmp/d"), T],
    "fileSystem.deleteFile": [() => session.fileSystem.deleteFile("/tmp/a"), T],
    "fileSystem.moveFile": [() => session.fileSystem.moveFile("/tmp/a", "/tmp/b"), T],
    "fileSystem.getFileInfo": [() => session.fileSystem.getFileInfo("/tmp/a"), T],
    "fileSystem.searchFiles": [() => session.fileSystem.searchFiles("/tmp", "*"), T],
    "fileSystem.readMultipleFiles": [() => session.fileSystem.readMultipleFiles(["/tmp/a"]), T],
    "fileSystem.editFile": [() => session.fileSystem.editFile("/tmp/a", [{ oldText: "a", newText: "b" }]), T],
    "context.sync": [() => session.context.sync(), T],
    "context.sync(id, path)": [() => session.context.sync("c1", "/mnt/data", "upload"), T],
    "context.info": [() => session.context.info(), T],
    getLabels: [() => session.getLabels(), T],
    setLabels: [() => session.setLabels({ a: "b" }), T],
    info: [() => session.info(), T],
    getStatus: [() => session.getStatus(), T],
  };
  // The callback form resolves at once after SyncContext; the callback must hear `false`.
  calls["context.sync(callback)"] = [
    () =>
      new Promise((resolve) => {
        let result;
        let heard;
        const settle = () => result && heard !== undefined && resolve({ ...result, heard });
        session.context
          .sync(undefined, undefined, undefined, (ok) => {
            heard = ok;
            settle();
          })
          .then((r) => {
            result = r;
            settle();
          });
      }),
    T,
  ];
  return calls;
}

/** Runs every family at once (a stalled server costs each call its own timeout, not the sum). */
async function runAll(agentBay, session) {
  const entries = Object.entries(families(agentBay, session));
  const results = await Promise.all(entries.map(([, [fn]]) => timed(fn)));
  return entries.map(([name, [, bound]], i) => ({ name, bound, ...results[i] }));
}

function assertAllFailed(rows, messagePattern, boundOf) {
  for (const { name, r, took, bound } of rows) {
    assert.equal(r.success, false, `${name}: ${JSON.stringify(r)}`);
    assert.equal(typeof r.errorMessage, "string", `${name}: errorMessage`);
    assert.match(r.errorMessage, messagePattern, `${name}: ${r.errorMessage}`);
    assert.ok(took <= boundOf(bound), `${name} took ${took} ms (bound ${boundOf(bound)} ms)`);
    if (name === "context.sync(callback)") assert.equal(r.heard, false, "callback(false)");
  }
}

/** An AgentBay and a Session against a fresh hostile server (GetSession answered in "ok" mode). */
async function hostileClient(options = {}) {
  const h = await hostile();
  const agentBay = new AgentBay({ apiKey: "k", endpoint: h.endpoint, timeoutMs: T, ...options });
  const got = await agentBay.get("s-1");
  assert.equal(got.success, true, got.errorMessage);
  return { h, agentBay, session: got.session };
}

const report = (t, rows) =>
  t.diagnostic(rows.map(({ name, took }) => `${name} ${took}ms`).join(", "));

test("a refusing server (gone after the session was handed out): every family fails fast, naming it", async (t) => {
  const { h, agentBay, session } = await hostileClient();
  await h.close();
  const rows = await runAll(agentBay, session);
  report(t, rows);
  assertAllFailed(rows, /ECONNREFUSED|fetch failed/, () => SLACK);
  const create = rows.find((r) => r.name === "create").r;
  assert.match(create.errorMessage, /^Failed to create session: network error: fetch failed \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
});

test("a garbage server (200, non-JSON): every family fails fast with 'invalid response'", async (t) => {
  const { h, agentBay, session } = await hostileClient();
  try {
    h.mode = "garbage";
    const rows = await runAll(agentBay, session);
    report(t, rows);
    assertAllFailed(rows, /invalid response|not JSON|Upload failed: HTTP 200|Download failed: HTTP 200/, () => SLACK);
    const create = rows.find((r) => r.name === "create(contextSync)").r;
    assert.equal(
      create.errorMessage,
      "Session s-1 was created, but the download of context(s) c1 was not confirmed: invalid response: " +
        "HTTP 200: body is not JSON (expected value at line 1 column 1): <html>not json</html> (3 polls failed in a row)",
    );
    assert.equal(create.session?.sessionId, "s-1", "the session is handed out so that it can be deleted");
  } finally {
    await h.close();
  }
});

test("a stalling server (accepts, never answers): every call ends within its request timeout", async (t) => {
  const { h, agentBay, session } = await hostileClient();
  try {
    h.mode = "stall";
    const t0 = Date.now();
    const rows = await runAll(agentBay, session);
    report(t, rows);
    assertAllFailed(rows, /timed out after \d+ms/, (bound) => bound + SLACK);
    for (const { name, took, bound } of rows) {
      assert.ok(took >= Math.min(bound, T) - 100, `${name} ended before its timeout (${took} ms)`);
    }
    const create = rows.find((r) => r.name === "create(contextSync)").r;
    assert.equal(
      create.errorMessage,
      "Session s-1 was created, but the download of context(s) c1 was not confirmed: server not answering: " +
        `request timed out after ${T}ms (no successful poll for ${create.errorMessage.match(/for (\d+)ms\)$/)?.[1]}ms)`,
    );
    assert.ok(Date.now() - t0 < 6000 + SLACK, "families ran concurrently");
  } finally {
    await h.close();
  }
});

test("a reply whose Content-Length is over maxResponseBytes is refused before its body is read", async (t) => {
  const { h, agentBay, session } = await hostileClient({ maxResponseBytes: CAP });
  try {
    assert.equal(agentBay.maxResponseBytes, CAP);
    h.mode = "big-declared";
    const rows = await runAll(agentBay, session);
    report(t, rows);
    // Far below the 2 s timeout: nothing waited for the 100 MB that never come.
    assertAllFailed(rows, /response larger than 1048576 bytes \(Content-Length 104857600\)/, () => SLACK);
    const list = rows.find((r) => r.name === "context.list").r;
    assert.equal(list.errorMessage, "Failed to list contexts: response larger than 1048576 bytes (Content-Length 104857600)");
  } finally {
    await h.close();
  }
});

test("a chunked reply growing past maxResponseBytes is cut off once it passes the cap", async (t) => {
  const { h, agentBay } = await hostileClient({ maxResponseBytes: CAP });
  try {
    h.mode = "big-chunked";
    const { r, took } = await timed(() => agentBay.context.list());
    t.diagnostic(`context.list ${took}ms, server sent ${h.state.chunkedSent[0].sent} bytes before the client left`);
    assert.equal(r.success, false);
    assert.equal(r.errorMessage, "Failed to list contexts: response larger than 1048576 bytes");
    assert.ok(took < SLACK, `took ${took} ms`);
    // The client went away: the server did not get to push its 200 MB (socket buffers aside).
    await new Promise((res) => setTimeout(res, 100));
    const sent = h.state.chunkedSent[0];
    assert.equal(sent.closed, true, "the connection was closed");
    assert.ok(sent.sent < 16 * CAP, `server sent ${sent.sent} bytes`);
  } finally {
    await h.close();
  }
});

test("presigned downloads have their own cap (maxDownloadBytes), separate from maxResponseBytes", async () => {
  const { h, agentBay } = await hostileClient({ maxResponseBytes: CAP, maxDownloadBytes: 2 * CAP });
  try {
    assert.equal(agentBay.maxDownloadBytes, 2 * CAP);
    h.mode = "file";
    h.state.fileBytes = CAP + CAP / 2; // over the API cap, under the download cap
    const ok = await agentBay.context.downloadFile("SdkCtx-1", "/big.bin");
    assert.equal(ok.errorMessage, undefined);
    assert.equal(ok.success, true);
    assert.equal(ok.content.length, CAP + CAP / 2);
    h.state.fileBytes = 3 * CAP;
    const tooBig = await agentBay.context.downloadFile("SdkCtx-1", "/big.bin");
    assert.equal(tooBig.success, false);
    assert.equal(tooBig.errorMessage, "Download failed: response larger than 2097152 bytes");
  } finally {
    await h.close();
  }
});

test("a cap that is not a positive number throws at construction", () => {
  assert.throws(() => new AgentBay({ apiKey: "k", maxResponseBytes: 0 }), {
    message: "Invalid AgentBay options: maxResponseBytes must be a positive number of bytes, got 0",
  });
  const official = new AgentBay({ apiKey: "k", config: { endpoint: "h", max_response_bytes: 4096 } });
  assert.equal(official.maxResponseBytes, 4096);
  assert.equal(new AgentBay({ apiKey: "k" }).maxResponseBytes, 32 * 1024 * 1024);
  assert.equal(new AgentBay({ apiKey: "k" }).maxDownloadBytes, 1024 * 1024 * 1024);
});

// ---- (b) a real agentbay-local, SIGKILLed at a chosen moment ----

/**
 * A pass-through proxy to `server`. `killBefore(action)` SIGKILLs the server when a request
 * arrives (the request's connection is dropped); `killAfter(action, body)` SIGKILLs it right after
 * that answer went out. Either way the proxy's port then refuses too, as a dead server's would.
 */
async function killerProxy(server) {
  const state = { killBefore: null, killAfter: null, killedAt: 0, seen: [], sockets: new Set() };
  const proxy = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const action = new URL(req.url, "http://x").searchParams.get("Action") ?? "";
      state.seen.push(action);
      if (state.killedAt || state.killBefore?.(action)) {
        kill();
        return res.destroy();
      }
      let status;
      let body;
      let type;
      try {
        const headers = { ...req.headers };
        for (const h of ["host", "connection", "content-length"]) delete headers[h];
        const up = await fetch(server.endpoint + req.url, { method: req.method, headers, body: Buffer.concat(chunks) });
        status = up.status;
        type = up.headers.get("content-type") ?? "application/json";
        body = Buffer.from(await up.arrayBuffer());
      } catch {
        return res.destroy();
      }
      res.writeHead(status, { "content-type": type, "content-length": body.length });
      const after = state.killAfter?.(action, body.toString("utf8"));
      res.end(body, () => after && kill());
    });
  });
  const kill = () => {
    if (state.killedAt) return;
    state.killedAt = Date.now();
    process.kill(server.pid, "SIGKILL");
    proxy.close();
    for (const s of state.sockets) s.destroy();
  };
  proxy.on("connection", (s) => {
    state.sockets.add(s);
    s.on("close", () => state.sockets.delete(s));
  });
  await new Promise((r) => proxy.listen(0, "127.0.0.1", r));
  return {
    state,
    endpoint: `http://127.0.0.1:${proxy.address().port}`,
    close: () => {
      for (const s of state.sockets) s.destroy();
      return new Promise((r) => proxy.close(() => r()));
    },
  };
}

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

test("agentbay-local SIGKILLed in the middle of delete(session, true): ends within timeoutMs of the kill", async (t) => {
  const proxy = await killerProxy(server);
  try {
    const agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: proxy.endpoint, timeoutMs: T });
    const { context } = await agentBay.context.get(uniqueName("faults-delete"), true);
    const created = await agentBay.create({ contextSync: [{ contextId: context.id, path: "/mnt/data" }] });
    assert.equal(created.success, true, created.errorMessage);
    const session = created.session;
    // Enough files that the upload is still running at the first poll.
    const wrote = await session.command.executeCommand(
      "cd /mnt/data && for i in $(seq 1 3000); do echo \"file $i\" > f$i.txt; done && ls | wc -l",
      20000,
    );
    assert.equal(wrote.output.trim(), "3000", wrote.errorMessage);
    // Kill after the first poll that shows the upload unfinished.
    proxy.state.killAfter = (action, body) => action === "GetContextInfo" && /Running|Pending/.test(body);
    const t0 = Date.now();
    const r = await agentBay.delete(session, true);
    const took = Date.now() - t0;
    const afterKill = Date.now() - proxy.state.killedAt;
    t.diagnostic(`delete(session, true) took ${took} ms, ${afterKill} ms after the kill: ${JSON.stringify(r)}`);
    assert.ok(proxy.state.killedAt > 0, `the upload never showed as running: ${proxy.state.seen.join(",")}`);
    assert.equal(r.success, false);
    assert.match(r.errorMessage, new RegExp(`^Failed to delete session ${session.sessionId}: network error: fetch failed`));
    assert.match(r.contextSyncError, /^Context sync gave up: server unreachable: fetch failed .* \(3 polls failed in a row\)$/);
    assert.ok(afterKill <= T, `ended ${afterKill} ms after the kill`);
    assert.equal(session.deleted, false);
  } finally {
    await proxy.close();
  }
});

test("agentbay-local SIGKILLed right after CreateMcpSession answered: create() is no success, session included", async (t) => {
  const fresh = await startServer();
  const proxy = await killerProxy(fresh);
  try {
    const agentBay = new AgentBay({ apiKey: fresh.apiKey, endpoint: proxy.endpoint, timeoutMs: T });
    const { context } = await agentBay.context.get(uniqueName("faults-create"), true);
    assert.ok(context?.id);
    proxy.state.killAfter = (action) => action === "CreateMcpSession";
    const t0 = Date.now();
    const r = await agentBay.create({ contextSync: [{ contextId: context.id, path: "/mnt/data" }] });
    const took = Date.now() - t0;
    t.diagnostic(`create() took ${took} ms, ${Date.now() - proxy.state.killedAt} ms after the kill: ${r.errorMessage}`);
    assert.ok(proxy.state.killedAt > 0);
    assert.equal(r.success, false);
    assert.ok(r.session, "the session is handed out so that the caller can delete it");
    const id = r.session.sessionId;
    assert.match(
      r.errorMessage,
      new RegExp(
        `^Session ${id} was created, but the download of context\\(s\\) ${context.id} was not confirmed: ` +
          `server unreachable: fetch failed .* \\(3 polls failed in a row\\)$`,
      ),
    );
    assert.ok(Date.now() - proxy.state.killedAt <= T, "ended within timeoutMs of the kill");
    assert.ok(took <= 2 * T + SLACK, `took ${took} ms`);
  } finally {
    await proxy.close();
    await fresh.stop();
  }
});
