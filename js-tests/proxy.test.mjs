// agentbay-wasm/proxy and the keyless SDK options (`proxied`, `authorize`): a browser-style client
// holds no API key; the proxy (a real node:http server running the shipped handler) adds it, or an
// `authorize()` hook hands out a credential per request. Against a real agentbay-local.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createRequire } from "node:module";
import { startServer, uniqueName, repoRoot } from "./helpers/server.mjs";
import { AgentBay, ContextSync, SyncPolicy } from "./helpers/sdk.mjs";
import { createProxy } from "../pkg/proxy.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

/** A node:http server on a free loopback port running `handler`; records every reply it sent. */
async function listen(handler) {
  const replies = [];
  const http = createServer((req, res) => {
    const chunks = [];
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = (c, ...a) => (c && chunks.push(Buffer.from(c)), write(c, ...a));
    res.end = (c, ...a) => {
      if (c && typeof c !== "function") chunks.push(Buffer.from(c));
      replies.push({ status: res.statusCode, headers: JSON.stringify(res.getHeaders()), body: Buffer.concat(chunks).toString() });
      return end(c, ...a);
    };
    handler(req, res, () => {
      res.statusCode = 299;
      res.end("next() called");
    });
  });
  await new Promise((r) => http.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${http.address().port}`;
  return { base, replies, close: () => new Promise((r) => http.close(r)) };
}

const keyless = (endpoint) => new AgentBay({ config: { endpoint }, proxied: true });

test("without apiKey, proxied or authorize the official error is thrown; with either the key is optional", () => {
  const saved = process.env.AGENTBAY_API_KEY;
  delete process.env.AGENTBAY_API_KEY;
  try {
    assert.throws(() => new AgentBay({ config: { endpoint: "http://localhost:5173/agentbay" } }), /API key is required/);
    assert.throws(() => new AgentBay({ config: { endpoint: "http://x/a" }, proxied: false }), /API key is required/);
    const a = new AgentBay({ config: { endpoint: "http://localhost:5173/agentbay/" }, proxied: true });
    assert.equal(a.endpoint, "http://localhost:5173/agentbay");
    assert.equal(a.getAPIKey(), "");
    const b = new AgentBay({ endpoint: "http://localhost:5173/agentbay", authorize: async () => "t" });
    assert.equal(b.getAPIKey(), "");
    assert.throws(() => new AgentBay({ endpoint: "http://x", authorize: "nope" }), /authorize must be a function/);
  } finally {
    if (saved !== undefined) process.env.AGENTBAY_API_KEY = saved;
  }
});

test("the SDK with no key does the whole persistence flow through the proxy; the key never reaches the client", async () => {
  const proxy = await listen(createProxy({ apiKey: server.apiKey, endpoint: server.endpoint, mountPath: "/agentbay" }));
  try {
    const agentBay = keyless(`${proxy.base}/agentbay`);
    const { context, success, errorMessage } = await agentBay.context.get(uniqueName("proxied"), true);
    assert.equal(success, true, errorMessage);
    const sync = new ContextSync({ contextId: context.id, path: "/mnt/data", policy: SyncPolicy.default() });
    const created = await agentBay.create({ contextSync: [sync] });
    assert.equal(created.success, true, created.errorMessage);
    const run = await created.session.command.execute("echo 'through the proxy' > /mnt/data/p.txt");
    assert.equal(run.success, true, run.errorMessage);
    const del = await agentBay.delete(created.session, true);
    assert.equal(del.success, true, del.errorMessage);

    const url = await agentBay.context.getFileDownloadUrl(context.id, "/mnt/data/p.txt");
    assert.equal(url.success, true, url.errorMessage);
    assert.ok(url.url.startsWith(server.endpoint), `the presigned URL goes to the server itself: ${url.url}`);
    assert.ok(!url.url.includes(server.apiKey));
    const got = await fetch(url.url);
    assert.equal(await got.text(), "through the proxy\n");
    const down = await agentBay.context.downloadFile(context.id, "/mnt/data/p.txt");
    assert.equal(down.success, true, down.errorMessage);

    assert.ok(proxy.replies.length >= 5, `${proxy.replies.length} replies`);
    for (const r of proxy.replies) {
      assert.ok(!r.body.includes(server.apiKey) && !r.headers.includes(server.apiKey), `key echoed: ${r.body}`);
    }
  } finally {
    await proxy.close();
  }
});

test("fileSystem.uploadFile / downloadFile through the proxy: the session's file-transfer context is its own", async () => {
  const proxy = await listen(createProxy({ apiKey: server.apiKey, endpoint: server.endpoint, mountPath: "/agentbay" }));
  try {
    const agentBay = keyless(`${proxy.base}/agentbay`);
    const created = await agentBay.create({});
    assert.equal(created.success, true, created.errorMessage);
    const s = created.session;
    try {
      const dir = await s.fileSystem.getFileTransferContextPath();
      const bytes = Uint8Array.from({ length: 70000 }, (_, i) => (i * 13) & 0xff);
      const up = await s.fileSystem.uploadFile(bytes, `${dir}/via-proxy.bin`);
      assert.equal(up.success, true, up.error);
      const down = await s.fileSystem.downloadFile(`${dir}/via-proxy.bin`);
      assert.equal(down.success, true, down.error);
      assert.deepEqual(down.content, bytes);
    } finally {
      await agentBay.delete(s);
    }
    for (const r of proxy.replies) assert.ok(!r.body.includes(server.apiKey));
  } finally {
    await proxy.close();
  }
});

test("the proxy strips a client-supplied Authorization and never prints the key", async () => {
  // A child process runs the proxy (CommonJS entry) and a client sending a wrong key; its console is captured.
  const script = `
    const { createProxy } = require(${JSON.stringify(join(repoRoot, "pkg", "proxy.cjs"))});
    const http = require("node:http");
    const p = createProxy({ apiKey: process.env.K, endpoint: process.env.E });
    const s = http.createServer(p).listen(0, "127.0.0.1", async () => {
      const base = "http://127.0.0.1:" + s.address().port;
      const r = await fetch(base + "/?Action=ListContexts&Authorization=Bearer%20wrong", {
        method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "MaxResults=5&Authorization=Bearer%20also-wrong" });
      console.log("status", r.status, await r.text());
      const bad = await fetch("http://127.0.0.1:" + s.address().port + "/?Action=GetContext", {
        method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Id=not-mine" });
      console.error("refused", bad.status, await bad.text());
      const dead = createProxy({ apiKey: process.env.K, endpoint: "http://127.0.0.1:1" });
      const d = http.createServer(dead).listen(0, "127.0.0.1", async () => {
        const x = await fetch("http://127.0.0.1:" + d.address().port + "/?Action=ListContexts", { method: "POST" });
        console.log("dead", x.status, await x.text());
        s.close(); d.close();
      });
    });`;
  const child = spawn(process.execPath, ["-e", script], {
    env: { ...process.env, K: server.apiKey, E: server.endpoint, NODE_DEBUG: "http,fetch" },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const code = await new Promise((r) => child.on("exit", r));
  assert.equal(code, 0, out);
  assert.match(out, /status 200 .*"Success":true/);
  assert.match(out, /refused 403 .*Forbidden\.ProxyRefused/);
  assert.match(out, /dead 502 .*upstream request failed/);
  assert.ok(!out.includes(server.apiKey), `the key appeared in the proxy's output:\n${out}`);
});

test("DeleteContext and ClearContext are refused with the proxy's error envelope", async () => {
  const proxy = await listen(createProxy({ apiKey: server.apiKey, endpoint: server.endpoint }));
  try {
    const agentBay = keyless(proxy.base);
    const { context } = await agentBay.context.get(uniqueName("undeletable"), true);
    const r = await agentBay.context.delete(context);
    assert.equal(r.success, false);
    assert.match(r.errorMessage, /Forbidden\.ProxyRefused.*agentbay-wasm\/proxy refused DeleteContext/);
    const raw = await fetch(`${proxy.base}/?Action=ClearContext`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `Id=${context.id}`,
    });
    assert.equal(raw.status, 403);
    const body = await raw.json();
    assert.deepEqual(
      { ...body, RequestId: typeof body.RequestId },
      {
        RequestId: "string",
        Success: false,
        Code: "Forbidden.ProxyRefused",
        Message: "agentbay-wasm/proxy refused ClearContext: this action is not allowed through the proxy",
        HttpStatusCode: 403,
      },
    );
    // Still there: the refusal happened before the server.
    const direct = new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint });
    assert.equal((await direct.context.get(context.name)).success, true);
  } finally {
    await proxy.close();
  }
});

test("sessions and contexts the proxy did not create are refused, and lists show only its own", async () => {
  const direct = new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint });
  const other = (await direct.context.get(uniqueName("not-via-proxy"), true)).context;
  const otherSession = (await direct.create({})).session;
  const proxy = await listen(createProxy({ apiKey: server.apiKey, endpoint: server.endpoint }));
  try {
    const agentBay = keyless(proxy.base);
    const mine = (await agentBay.context.get(uniqueName("mine"), true)).context;
    const files = await agentBay.context.listFiles(other.id, "/");
    assert.equal(files.success, false);
    assert.match(files.errorMessage, new RegExp(`refused DescribeContextFiles: ${other.id} was not created through this proxy`));
    const sync = new ContextSync({ contextId: other.id, path: "/mnt/x", policy: SyncPolicy.default() });
    const created = await agentBay.create({ contextSync: [sync] });
    assert.equal(created.success, false);
    assert.match(created.errorMessage, /refused CreateMcpSession: .* was not created through this proxy/);
    const got = await agentBay.get(otherSession.sessionId);
    assert.equal(got.success, false);
    assert.match(got.errorMessage, /Forbidden\.ProxyRefused/);
    const cmd = await new (otherSession.constructor)(agentBay, otherSession.sessionId).command.execute("id");
    assert.equal(cmd.success, false);
    assert.match(cmd.errorMessage, /ProxyRefused/);
    const list = await agentBay.context.list();
    assert.equal(list.success, true, list.errorMessage);
    assert.deepEqual(list.contexts.map((c) => c.id), [mine.id]);
  } finally {
    await proxy.close();
    await direct.delete(otherSession);
  }
});

test("no smuggling: a field given twice, a header naming another action, a flattened foreign id", async () => {
  const direct = new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint });
  const other = (await direct.context.get(uniqueName("smuggled"), true)).context;
  const proxy = await listen(createProxy({ apiKey: server.apiKey, endpoint: server.endpoint }));
  const post = (query, body, headers = {}) =>
    fetch(`${proxy.base}/?${query}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body,
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  try {
    // An allowed Action in the body and a refused one in the query (an upstream might read either),
    // on a context the proxy made: refused by the proxy itself, before any upstream.
    const mine = (await keyless(proxy.base).context.get(uniqueName("mine"), true)).context;
    let r = await post("Action=DeleteContext", `Action=GetContext&Id=${mine.id}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.Code, "Forbidden.ProxyRefused");
    assert.match(r.body.Message, /the field Action is given more than once/);
    r = await post("Action=GetContext&Action=DeleteContext", `Name=x`);
    assert.equal(r.status, 400);
    r = await post("Action=ListContexts", "", { "x-acs-action": "DeleteContext" });
    assert.equal(r.status, 400);
    assert.match(r.body.Message, /x-acs-action header names DeleteContext/);
    // A context id in the Python/Go flattened list encoding is checked like any other.
    r = await post("Action=CreateMcpSession", `PersistenceDataList.1.ContextId=${other.id}&PersistenceDataList.1.Path=/mnt/x`);
    assert.equal(r.status, 403);
    assert.match(r.body.Message, new RegExp(`${other.id} was not created through this proxy`));
    assert.equal((await direct.context.get(other.name)).success, true, "nothing reached the server");
  } finally {
    await proxy.close();
  }
});

test("a custom allow() refuses an action; everything else passes", async () => {
  const seen = [];
  const proxy = await listen(
    createProxy({
      apiKey: server.apiKey,
      endpoint: server.endpoint,
      allow: async (action, params) => (seen.push([action, params.Authorization]), action !== "CreateMcpSession"),
    }),
  );
  try {
    const agentBay = keyless(proxy.base);
    assert.equal((await agentBay.context.get(uniqueName("allow"), true)).success, true);
    const r = await agentBay.create({});
    assert.equal(r.success, false);
    assert.match(r.errorMessage, /agentbay-wasm\/proxy refused CreateMcpSession: not allowed by allow\(\)/);
    assert.deepEqual(seen.map(([a]) => a), ["GetContext", "CreateMcpSession"]);
    assert.ok(seen.every(([, auth]) => auth === undefined), "allow() never sees an Authorization");
  } finally {
    await proxy.close();
  }
});

test("as Express-style middleware it calls next() for paths it does not own (and the CommonJS entry agrees)", async () => {
  const require = createRequire(import.meta.url);
  const cjs = require("../pkg/proxy.cjs");
  assert.equal(typeof cjs.createProxy, "function");
  const proxy = await listen(cjs.createProxy({ apiKey: server.apiKey, endpoint: server.endpoint, mountPath: "/agentbay" }));
  try {
    for (const path of ["/", "/index.html", "/agentbay/x", "/agentbayz"]) {
      const r = await fetch(proxy.base + path);
      assert.equal(r.status, 299, path);
      assert.equal(await r.text(), "next() called");
    }
    const agentBay = keyless(`${proxy.base}/agentbay`);
    assert.equal((await agentBay.context.get(uniqueName("mounted"), true)).success, true);
    // Without next (plain node:http) a path it does not own is a 404 envelope.
    const bare = createProxy({ apiKey: server.apiKey, endpoint: server.endpoint, mountPath: "/agentbay" });
    const plain = createServer(bare);
    await new Promise((r) => plain.listen(0, "127.0.0.1", r));
    const r = await fetch(`http://127.0.0.1:${plain.address().port}/elsewhere`);
    assert.equal(r.status, 404);
    assert.equal((await r.json()).Code, "Forbidden.ProxyRefused");
    await new Promise((r) => plain.close(r));
  } finally {
    await proxy.close();
  }
});

test("authorize(): its credential is what reaches the server, per request, without any proxy", async () => {
  const credential = `short-lived-${Date.now()}`;
  const tokenServer = await startServer({ apiKeys: [credential] });
  try {
    const actions = [];
    const agentBay = new AgentBay({
      config: { endpoint: tokenServer.endpoint },
      authorize: async (action) => (actions.push(action), credential),
    });
    const r = await agentBay.context.get(uniqueName("authorized"), true);
    assert.equal(r.success, true, r.errorMessage);
    assert.deepEqual(actions, ["GetContext"]);
    // The server knows only that credential: a wrong one is refused, so it really was sent.
    const wrong = new AgentBay({ config: { endpoint: tokenServer.endpoint }, authorize: () => "not-the-credential" });
    const w = await wrong.context.get(uniqueName("wrong"), true);
    assert.equal(w.success, false);
    assert.match(w.errorMessage, /InvalidApiKey|api key/i);
    const failing = new AgentBay({
      config: { endpoint: tokenServer.endpoint },
      authorize: async () => {
        throw new Error("token service down");
      },
    });
    const f = await failing.context.get(uniqueName("failing"), true);
    assert.equal(f.success, false);
    assert.match(f.errorMessage, /authorize\(GetContext\) failed: token service down/);
  } finally {
    await tokenServer.stop();
  }
});
