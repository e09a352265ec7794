// The SDK's Node transport against a raw keep-alive node:http client, on loopback against a real
// agentbay-local (js-tests/helpers/server.mjs): `node bench/transport.mjs` (needs `npm run build`
// and an agentbay-local binary; the release one is used when built, else the debug one, or
// AGENTBAY_LOCAL_BIN). Three clients, in the same run:
//   sdk node:http  agentBay.context.get(name) on the default Node transport (keep-alive node:http)
//   sdk fetch      the same call with AGENTBAY_TRANSPORT=fetch (the transport before; set per call)
//   raw node:http  a keep-alive node:http client sending the same POP request (GetContext, the SDK's
//                  own request captured once, with a fresh SignatureNonce each time) and parsing the JSON
// Sequential: BENCH_SEQ (500) rounds, each one call per client in a rotating order; median ms/call.
// 50 in flight: BENCH_CONC_TOTAL (2000) calls per client with BENCH_INFLIGHT (50) outstanding,
// BENCH_CONC_ROUNDS (3) alternating rounds; median calls/s.
import http from "node:http";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { repoRoot, startServer } from "../js-tests/helpers/server.mjs";

const release = join(repoRoot, "target", "release", "agentbay-local");
if (!process.env.AGENTBAY_LOCAL_BIN && existsSync(release)) process.env.AGENTBAY_LOCAL_BIN = release;
const { AgentBay } = await import("../pkg/node.mjs");

const SEQ = Number(process.env.BENCH_SEQ ?? 500);
const TOTAL = Number(process.env.BENCH_CONC_TOTAL ?? 2000);
const INFLIGHT = Number(process.env.BENCH_INFLIGHT ?? 50);
const ROUNDS = Number(process.env.BENCH_CONC_ROUNDS ?? 3);
const NAME = "bench-transport";

const server = await startServer({ dataDirPrefix: "agentbay-bench-transport-" });
try {
  const agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint });
  const made = await agentBay.context.get(NAME, true);
  if (!made.success) throw new Error(made.errorMessage);

  // The SDK's own GetContext request, captured once by a recording server.
  const captured = await new Promise((resolve, reject) => {
    const rec = http.createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(500).end();
        rec.close();
        resolve({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      });
    });
    rec.on("error", reject);
    rec.listen(0, "127.0.0.1", () => {
      const probe = new AgentBay({ apiKey: server.apiKey, endpoint: `http://127.0.0.1:${rec.address().port}` });
      probe.context.get(NAME);
    });
  });
  const rawAgent = new http.Agent({ keepAlive: true });
  const rawHeaders = {};
  for (const k of ["x-acs-version", "x-acs-action", "content-type"]) rawHeaders[k] = captured.headers[k];
  rawHeaders["content-length"] = String(captured.body.length);
  const raw = () =>
    new Promise((resolve, reject) => {
      const path = captured.path.replace(/SignatureNonce=[^&]*/, `SignatureNonce=${randomBytes(16).toString("hex")}`);
      const req = http.request(
        { host: server.url.hostname, port: server.url.port, method: "POST", path, headers: rawHeaders, agent: rawAgent },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            if (res.statusCode !== 200 || !body.Success) reject(new Error(`raw: HTTP ${res.statusCode}`));
            else resolve(body);
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(captured.body);
    });
  const sdk = (transport) => async () => {
    if (transport === "fetch") process.env.AGENTBAY_TRANSPORT = "fetch";
    else delete process.env.AGENTBAY_TRANSPORT;
    const r = await agentBay.context.get(NAME);
    if (!r.success) throw new Error(r.errorMessage);
  };
  const clients = { "sdk node:http": sdk("http"), "sdk fetch": sdk("fetch"), "raw node:http": raw };
  const names = Object.keys(clients);
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };

  // Warm-up: connections open, JIT warm.
  for (let i = 0; i < 50; i++) for (const n of names) await clients[n]();

  const seq = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < SEQ; i++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(i + j) % names.length];
      const t = performance.now();
      await clients[n]();
      seq[n].push(performance.now() - t);
    }
  }

  // The environment variable is read per request; in the concurrent phase one client runs at a time.
  const conc = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(r + j) % names.length];
      const call = clients[n];
      let next = 0;
      const t = performance.now();
      await Promise.all(
        Array.from({ length: INFLIGHT }, async () => {
          while (next < TOTAL) {
            next++;
            await call();
          }
        }),
      );
      conc[n].push(TOTAL / ((performance.now() - t) / 1000));
    }
  }

  const rawSeq = median(seq["raw node:http"]);
  const rawConc = median(conc["raw node:http"]);
  console.log(`agentbay-local ${process.env.AGENTBAY_LOCAL_BIN ?? "(debug build)"}; node ${process.version}`);
  console.log(`sequential: ${SEQ} calls per client, alternating; ${INFLIGHT} in flight: ${TOTAL} calls x ${ROUNDS} rounds\n`);
  console.log("| client | sequential ms/call (median) | vs raw | 50 in flight calls/s (median) | vs raw |");
  console.log("|---|---|---|---|---|");
  for (const n of names) {
    const s = median(seq[n]);
    const c = median(conc[n]);
    console.log(`| ${n} | ${s.toFixed(3)} | ${(s / rawSeq).toFixed(2)}× | ${Math.round(c)} | ${(c / rawConc).toFixed(2)}× |`);
  }
} finally {
  await server.stop();
}
