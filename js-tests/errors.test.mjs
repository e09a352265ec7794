// Issue 3 item 6: a network failure, a timeout or a server error resolves to a result with a clear
// errorMessage: never an unhandled rejection, never a hang past the timeout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import http from "node:http";
import { AgentBay } from "./helpers/sdk.mjs";

let silent; // accepts TCP connections and never answers
let broken; // answers every request with HTTP 500 and a non-JSON body
let closedPort; // a port nothing listens on
const sockets = new Set();

before(async () => {
  silent = net.createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
  });
  await new Promise((r) => silent.listen(0, "127.0.0.1", r));
  broken = http.createServer((_req, res) => {
    res.writeHead(500, { "content-type": "text/plain" });
    res.end("upstream exploded");
  });
  await new Promise((r) => broken.listen(0, "127.0.0.1", r));
  const probe = net.createServer();
  await new Promise((r) => probe.listen(0, "127.0.0.1", r));
  closedPort = probe.address().port;
  await new Promise((r) => probe.close(r));
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  await new Promise((r) => broken.close(r));
});

const calls = (agentBay) => ({
  "context.get": () => agentBay.context.get("x", true),
  "context.list": () => agentBay.context.list(),
  create: () => agentBay.create({}),
  get: () => agentBay.get("s-1"),
  list: () => agentBay.list(),
});

test("connection refused resolves to success:false with a message", async () => {
  const agentBay = new AgentBay({ apiKey: "k", endpoint: `http://127.0.0.1:${closedPort}`, timeoutMs: 5000 });
  for (const [name, call] of Object.entries(calls(agentBay))) {
    const r = await call();
    assert.equal(r.success, false, name);
    assert.ok(typeof r.errorMessage === "string" && r.errorMessage.length > 0, `${name}: errorMessage`);
  }
});

test("a server that never answers: the call resolves shortly after timeoutMs", async () => {
  const agentBay = new AgentBay({
    apiKey: "k",
    endpoint: `http://127.0.0.1:${silent.address().port}`,
    timeoutMs: 800,
  });
  for (const [name, call] of Object.entries(calls(agentBay))) {
    if (name === "create") continue; // same transport; keeps the suite short
    const t0 = Date.now();
    const r = await call();
    const took = Date.now() - t0;
    assert.equal(r.success, false, name);
    assert.match(r.errorMessage, /time(d)? ?out/i, `${name}: ${r.errorMessage}`);
    assert.ok(took >= 700 && took < 5000, `${name} took ${took} ms`);
  }
});

test("HTTP 500 with a non-JSON body resolves to success:false naming the status", async () => {
  const agentBay = new AgentBay({ apiKey: "k", endpoint: `http://127.0.0.1:${broken.address().port}` });
  for (const [name, call] of Object.entries(calls(agentBay))) {
    const r = await call();
    assert.equal(r.success, false, name);
    assert.match(r.errorMessage, /500/, `${name}: ${r.errorMessage}`);
  }
});
