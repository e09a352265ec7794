// The Node transport: under Node the package sends its requests over keep-alive node:http /
// node:https agents (pkg-template/extras.mjs nodeHttpTransport), not fetch, and fails exactly as
// the fetch transport did (timeouts, oversize replies); AGENTBAY_TRANSPORT=fetch keeps fetch.
// No timed assertions: only which transport, how many connections, and the messages.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startServer, uniqueName, repoRoot } from "./helpers/server.mjs";
import { AgentBay } from "./helpers/sdk.mjs";

/** Runs `fn` with AGENTBAY_TRANSPORT=fetch (the transport before), restoring the variable. */
async function withFetch(fn) {
  const before = process.env.AGENTBAY_TRANSPORT;
  process.env.AGENTBAY_TRANSPORT = "fetch";
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.AGENTBAY_TRANSPORT;
    else process.env.AGENTBAY_TRANSPORT = before;
  }
}

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

/**
 * A recording reverse proxy in front of agentbay-local: counts the client's TCP connections and
 * keeps each request's headers.
 */
async function recordingProxy(target) {
  const state = { connections: 0, headers: [] };
  const upstream = new http.Agent({ keepAlive: true });
  const proxy = http.createServer((req, res) => {
    state.headers.push(req.headers);
    const out = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: upstream },
      (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  const sockets = new Set();
  proxy.on("connection", (s) => {
    state.connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((r) => proxy.listen(0, "127.0.0.1", r));
  state.endpoint = `http://127.0.0.1:${proxy.address().port}`;
  state.close = async () => {
    for (const s of sockets) s.destroy();
    upstream.destroy();
    await new Promise((r) => proxy.close(r));
  };
  return state;
}

test("under Node, requests go over node:http with keep-alive: many calls, few connections", async () => {
  const proxy = await recordingProxy(server.url);
  try {
    const agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: proxy.endpoint });
    const name = uniqueName("transport");
    assert.equal((await agentBay.context.get(name, true)).success, true);
    for (let i = 0; i < 40; i++) assert.equal((await agentBay.context.get(name)).success, true);
    // 41 sequential calls: one connection, reused.
    assert.equal(proxy.connections, 1, "sequential calls reuse one keep-alive connection");
    for (let round = 0; round < 3; round++) {
      const rs = await Promise.all(Array.from({ length: 10 }, () => agentBay.context.get(name)));
      assert.ok(rs.every((r) => r.success));
    }
    // 3 rounds of 10 in flight: at most 10 connections, kept for the next round.
    assert.ok(proxy.connections <= 11, `${proxy.connections} connections for 3 rounds of 10 in flight`);
    // fetch (undici) marks its requests with sec-fetch-mode; node:http sends only what the core gave.
    assert.equal(proxy.headers.length, 71);
    assert.ok(proxy.headers.every((h) => h["sec-fetch-mode"] === undefined), "no request went through fetch");
    assert.equal(proxy.headers[0]["x-acs-action"], "GetContext");
    assert.equal(proxy.headers[0].connection, "keep-alive");

    // AGENTBAY_TRANSPORT=fetch keeps the fetch transport (the same proxy sees fetch's headers).
    await withFetch(async () => assert.equal((await agentBay.context.get(name)).success, true));
    assert.equal(proxy.headers.at(-1)["sec-fetch-mode"], "cors");

    // A globalThis.fetch replaced after the package was loaded (a mock, an instrumented fetch) wins.
    const original = globalThis.fetch;
    let calls = 0;
    globalThis.fetch = (...args) => (calls++, original(...args));
    try {
      assert.equal((await agentBay.context.get(name)).success, true);
    } finally {
      globalThis.fetch = original;
    }
    assert.equal(calls, 1);
    assert.equal(proxy.headers.at(-1)["sec-fetch-mode"], "cors");
    // Restored: node:http again.
    assert.equal((await agentBay.context.get(name)).success, true);
    assert.equal(proxy.headers.at(-1)["sec-fetch-mode"], undefined);
  } finally {
    await proxy.close();
  }
});

/** A server that accepts and never answers, or answers with a body over the cap. */
async function misbehaving(mode) {
  const sockets = new Set();
  const srv = http.createServer((req, res) => {
    req.resume();
    if (mode === "stall") return;
    if (mode === "big-declared") {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(10 * 1024 * 1024) });
      res.write(Buffer.alloc(1024, 0x20));
      return;
    }
    // chunked, no length: 4 MiB in 64 KiB pieces, stopping when the client goes away
    res.writeHead(200, { "content-type": "application/json" });
    let sent = 0;
    const piece = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!res.destroyed && sent < 4 * 1024 * 1024) {
        sent += piece.length;
        if (!res.write(piece)) return res.once("drain", pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  });
  srv.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  return {
    endpoint: `http://127.0.0.1:${srv.address().port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => srv.close(r));
    },
  };
}

test("a timeout gives the same message as with fetch", async () => {
  const srv = await misbehaving("stall");
  try {
    const agentBay = new AgentBay({ apiKey: "k", endpoint: srv.endpoint, timeoutMs: 300 });
    const http = await agentBay.context.get("x");
    const viaFetch = await withFetch(() => agentBay.context.get("x"));
    assert.equal(http.success, false);
    assert.equal(http.errorMessage, "Failed to get context x: request timed out after 300ms");
    assert.equal(viaFetch.errorMessage, http.errorMessage);
  } finally {
    await srv.close();
  }
});

test("an oversize reply is refused with the same message as with fetch (declared and chunked)", async () => {
  for (const [mode, expected] of [
    ["big-declared", "Failed to get context x: response larger than 1048576 bytes (Content-Length 10485760)"],
    ["big-chunked", "Failed to get context x: response larger than 1048576 bytes"],
  ]) {
    const srv = await misbehaving(mode);
    try {
      const agentBay = new AgentBay({ apiKey: "k", endpoint: srv.endpoint, timeoutMs: 20000, maxResponseBytes: 1 << 20 });
      const viaHttp = await agentBay.context.get("x");
      const viaFetch = await withFetch(() => agentBay.context.get("x"));
      assert.equal(viaHttp.errorMessage, expected, mode);
      assert.equal(viaFetch.errorMessage, expected, `${mode} (fetch)`);
    } finally {
      await srv.close();
    }
  }
});

/** Runs a small ESM script in a fresh node with `env` added; resolves with its parsed stdout. */
function runNode(script, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`node exited ${code}: ${err}`));
      else resolve(JSON.parse(out));
    });
  });
}

test("https: agentbay-local --tls-self-signed, trusted through NODE_EXTRA_CA_CERTS, over keep-alive node:https", async () => {
  const tls = await startServer({ args: ["--tls-self-signed"] });
  try {
    assert.match(tls.endpoint, /^https:/);
    const cert = join(tls.dataDir, "tls", "self-signed-cert.pem");
    const pkg = JSON.stringify(new URL(`file://${join(repoRoot, "pkg", "node.mjs")}`).href);
    const script = `
      import { AgentBay } from ${pkg};
      const agentBay = new AgentBay({ apiKey: ${JSON.stringify(tls.apiKey)}, endpoint: ${JSON.stringify(tls.endpoint)} });
      const created = await agentBay.context.get("tls-ctx", true);
      const again = [];
      for (let i = 0; i < 5; i++) again.push((await agentBay.context.get("tls-ctx")).success);
      console.log(JSON.stringify({ created: created.success, error: created.errorMessage ?? null, again }));
    `;
    const trusted = await runNode(script, { NODE_EXTRA_CA_CERTS: cert });
    assert.deepEqual(trusted, { created: true, error: null, again: [true, true, true, true, true] });
    // Without the CA the certificate is refused, as fetch refused it.
    const untrusted = await runNode(script, { NODE_EXTRA_CA_CERTS: "" });
    assert.equal(untrusted.created, false);
    assert.match(untrusted.error, /^Failed to get context tls-ctx: network error: fetch failed \(.*(self[- ]signed|certificate).*\)$/i);
    const untrustedFetch = await runNode(script, { NODE_EXTRA_CA_CERTS: "", AGENTBAY_TRANSPORT: "fetch" });
    assert.equal(untrustedFetch.error, untrusted.error);
  } finally {
    await tls.stop();
  }
});
