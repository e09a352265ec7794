// Issue 3 item 2: constructor forms, environment fallback, endpoint forms, regions, missing key.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startServer, uniqueName } from "./helpers/server.mjs";
import { AgentBay } from "./helpers/sdk.mjs";

const MISSING_KEY =
  "API key is required. Provide it as a parameter or set the AGENTBAY_API_KEY environment variable.";
const ENV_KEYS = ["AGENTBAY_API_KEY", "AGENTBAY_ENDPOINT", "AGENTBAY_TIMEOUT_MS", "AGENTBAY_REGION_ID"];

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});
beforeEach(() => {
  for (const k of ENV_KEYS) delete process.env[k];
});

/** A call that only succeeds if the request really reached this server with the right key. */
async function reachesServer(agentBay) {
  const name = uniqueName("cfg");
  const r = await agentBay.context.get(name, true);
  assert.equal(r.errorMessage, undefined, `unexpected error: ${r.errorMessage}`);
  assert.equal(r.success, true);
  assert.equal(r.context.name, name);
  assert.ok(r.context.id.length > 0);
  return r;
}

test("missing key throws the official message", () => {
  assert.throws(() => new AgentBay({ endpoint: server.endpoint }), { message: MISSING_KEY });
  assert.throws(() => new AgentBay(), { message: MISSING_KEY });
  assert.throws(() => new AgentBay({ apiKey: "" }), { message: MISSING_KEY });
});

test("new AgentBay({ apiKey, endpoint }) with a full http:// URL", async () => {
  await reachesServer(new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint }));
});

test("official form: new AgentBay({ apiKey, config: { endpoint, timeout_ms } })", async () => {
  const agentBay = new AgentBay({ apiKey: server.apiKey, config: { endpoint: server.endpoint, timeout_ms: 20000 } });
  await reachesServer(agentBay);
});

test("environment fallback: AGENTBAY_API_KEY and AGENTBAY_ENDPOINT", async () => {
  server.useEnv();
  process.env.AGENTBAY_TIMEOUT_MS = "20000";
  await reachesServer(new AgentBay());
  await reachesServer(new AgentBay({}));
});

test("an explicit key beats AGENTBAY_API_KEY", async () => {
  process.env.AGENTBAY_ENDPOINT = server.endpoint;
  process.env.AGENTBAY_API_KEY = "not-the-key";
  await reachesServer(new AgentBay({ apiKey: server.apiKey }));
  const wrong = await new AgentBay().context.get(uniqueName("cfg"), true);
  assert.equal(wrong.success, false);
  assert.match(wrong.errorMessage, /InvalidApiKey|API key/i);
});

test("a wrong key resolves to success:false with the server's authentication error", async () => {
  const agentBay = new AgentBay({ apiKey: "wrong-key", endpoint: server.endpoint });
  const r = await agentBay.context.get(uniqueName("cfg"), true);
  assert.equal(r.success, false);
  // HTTP 401: the official client throws inside get(), which becomes "Failed to get context <name>: ...".
  assert.match(r.errorMessage, /^Failed to get context cfg-\S+: .*InvalidApiKey/);
});

test("endpoint as http://host:port/ with a trailing slash", async () => {
  await reachesServer(new AgentBay({ apiKey: server.apiKey, endpoint: `${server.endpoint}/` }));
});

test("endpoint as host:port defaults to https (so a plain-HTTP server is not reached)", async () => {
  const agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: server.url.host, timeoutMs: 5000 });
  const r = await agentBay.context.get(uniqueName("cfg"), true);
  // A TLS handshake against the plain-HTTP listener must fail, and fail as a result, not a throw.
  assert.equal(r.success, false);
  assert.ok(r.errorMessage && r.errorMessage.length > 0);
});

test("an explicit endpoint wins over region_id / AGENTBAY_REGION_ID", async () => {
  process.env.AGENTBAY_REGION_ID = "ap-southeast-1";
  await reachesServer(new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint }));
  const official = new AgentBay({
    apiKey: server.apiKey,
    config: { endpoint: server.endpoint, timeout_ms: 20000, region_id: "us-east-1" },
  });
  await reachesServer(official);
  assert.equal(official.getRegionId(), "us-east-1");
});

test("an unknown region without an endpoint throws the official message", () => {
  const msg =
    "Invalid region_id 'mars-1'. Supported regions: cn-hangzhou, ap-southeast-1, us-east-1. For pre-release, use 'pre-' prefix (e.g., 'pre-cn-hangzhou').";
  assert.throws(() => new AgentBay({ apiKey: "k", regionId: "mars-1" }), { message: msg });
  process.env.AGENTBAY_REGION_ID = "mars-1";
  assert.throws(() => new AgentBay({ apiKey: "k" }), { message: msg });
});

test("a known region without an endpoint constructs (the endpoint is derived, not required)", () => {
  const agentBay = new AgentBay({ apiKey: "k", regionId: "ap-southeast-1" });
  assert.equal(agentBay.getRegionId(), "ap-southeast-1");
});
