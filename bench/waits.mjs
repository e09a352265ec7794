// How long the SDK's waits run past the end of the server's job: `delete(session, true)` with one
// changed file, `session.context.sync()` and `create()` with a mounted context of N files, against a
// real agentbay-local (release build when present) and the built package.
//
//   node bench/waits.mjs                        # the package in pkg/ (npm run build)
//   BENCH_PKG=/tmp/old-pkg node bench/waits.mjs # another build of the package
//   BENCH_QUICK=1 node bench/waits.mjs          # fewer runs, smaller contexts
//   BENCH_ONLY=create130000 node bench/waits.mjs # one create case alone (~5 s download; slow to set up)
//
// Per case, runs alternate between the SDK (through the recording proxy, which counts its polls)
// and a baseline: the same requests sent with node:http, the job's status polled every 2 ms; the
// baseline's time is the server's own time for the job (plus 2 ms polls). "over" = SDK median −
// baseline median. Prints a Markdown table. Numbers are for reading trends, never asserted.
import { request } from "node:http";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startServer, repoRoot } from "../js-tests/helpers/server.mjs";
import { startProxy } from "../js-tests/helpers/proxy.mjs";

const release = join(repoRoot, "target", "release", "agentbay-local");
if (!process.env.AGENTBAY_LOCAL_BIN && existsSync(release)) process.env.AGENTBAY_LOCAL_BIN = release;
const pkgDir = process.env.BENCH_PKG ?? join(repoRoot, "pkg");
const { AgentBay, ContextSync, newSyncPolicy } = await import(pathToFileURL(join(pkgDir, "node.mjs")).href);
const quick = !!process.env.BENCH_QUICK;

const server = await startServer({ dataDirPrefix: "agentbay-bench-waits-" });
const proxy = await startProxy(server.endpoint);
const direct = new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint, timeoutMs: 120000 });
const sdk = new AgentBay({ apiKey: server.apiKey, endpoint: proxy.endpoint, timeoutMs: 120000 });
const MOUNT = "/tmp/bench";

/** One raw API call, shaped as the SDK sends it; resolves to the parsed JSON (any status). */
function call(action, params) {
  const body = new URLSearchParams({ Authorization: `Bearer ${server.apiKey}`, ...params }).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(`/?Action=${action}&Version=2025-05-06`, server.endpoint),
      { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" } },
      (res) => {
        let s = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (s += d));
        res.on("end", () => resolve(JSON.parse(s)));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls GetContextInfo every 2 ms until every task (of `type`, when given) is terminal. */
async function tasksDone(sessionId, type) {
  for (;;) {
    const r = await call("GetContextInfo", { SessionId: sessionId });
    const tasks = JSON.parse(r.Data?.ContextStatus || "[]")
      .flatMap((e) => (e.type === "data" ? JSON.parse(e.data) : []))
      .filter((t) => !type || t.taskType === type);
    if (tasks.length && tasks.every((t) => t.status === "Success" || t.status === "Failed")) return;
    await sleep(2);
  }
}

/** Polls GetSessionDetail every 2 ms until the session is gone. */
async function sessionGone(sessionId) {
  for (;;) {
    const r = await call("GetSessionDetail", { SessionId: sessionId });
    if (/NotFound/.test(r.Code ?? "") || r.Data?.Status === "FINISH") return;
    await sleep(2);
  }
}

async function must(p) {
  const r = await p;
  if (!r.success) throw new Error(r.errorMessage);
  return r;
}

/** A context holding `n` files of 1 KiB. */
async function contextWith(n) {
  const ctx = (await must(direct.context.get(`bench-waits-${n}-${Date.now()}`, true))).context;
  const s = (await must(direct.create({ contextSync: [new ContextSync(ctx.id, MOUNT, newSyncPolicy())] }))).session;
  if (n > 0) {
    const cmd = `cd ${MOUNT} && i=0; while [ $i -lt ${n} ]; do printf '%01024d' $i > f$i; i=$((i+1)); done`;
    await must(s.command.executeCommand(cmd, 600000));
  }
  await must(direct.delete(s, true));
  return ctx;
}

const params = (ctx) => ({ contextSync: [new ContextSync(ctx.id, MOUNT, newSyncPolicy())] });
const polls = (from) =>
  proxy.requests.slice(from).filter((r) => r.action === "GetContextInfo" || r.action === "GetSessionDetail").length;

/** The raw CreateMcpSession the SDK sends for `ctx` (recorded once through the proxy). */
const createParams = new Map();
async function rawCreateParams(ctx) {
  if (!createParams.has(ctx.id)) {
    const from = proxy.requests.length;
    const s = (await must(sdk.create(params(ctx)))).session;
    const p = { ...proxy.requests.slice(from).find((r) => r.action === "CreateMcpSession").params };
    delete p.Action;
    delete p.Version;
    delete p.Authorization;
    createParams.set(ctx.id, p);
    await must(direct.delete(s));
  }
  return createParams.get(ctx.id);
}

const cases = {
  async create(ctx) {
    const sdkRun = async () => {
      const from = proxy.requests.length;
      const t = performance.now();
      const r = await must(sdk.create(params(ctx)));
      const ms = performance.now() - t;
      const n = polls(from);
      await must(direct.delete(r.session));
      return [ms, n];
    };
    const p = await rawCreateParams(ctx);
    const baseRun = async () => {
      const t = performance.now();
      const r = await call("CreateMcpSession", p);
      await tasksDone(r.Data.SessionId, "download");
      const ms = performance.now() - t;
      await call("DeleteSessionAsync", { SessionId: r.Data.SessionId });
      await sessionGone(r.Data.SessionId);
      return [ms, 0];
    };
    return [sdkRun, baseRun];
  },
  async sync(ctx, changed) {
    const s = (await must(direct.create(params(ctx)))).session;
    const touch = (i) =>
      must(s.command.executeCommand(`cd ${MOUNT} && for j in $(seq 1 ${changed}); do echo ${i} > f$j; done`, 600000));
    const mine = (await must(sdk.get(s.sessionId))).session;
    let i = 0;
    const sdkRun = async () => {
      await touch(++i);
      const from = proxy.requests.length;
      const t = performance.now();
      await must(mine.context.sync());
      return [performance.now() - t, polls(from)];
    };
    const baseRun = async () => {
      await touch(++i);
      const t = performance.now();
      await call("SyncContext", { SessionId: s.sessionId });
      await tasksDone(s.sessionId, "upload");
      return [performance.now() - t, 0];
    };
    return [sdkRun, baseRun, () => direct.delete(s)];
  },
  async delete(ctx) {
    const fresh = async () => {
      const s = (await must(direct.create(params(ctx)))).session;
      await must(s.command.executeCommand(`echo changed > ${MOUNT}/f1`));
      return s;
    };
    const sdkRun = async () => {
      const s = await fresh();
      const mine = (await must(sdk.get(s.sessionId))).session;
      const from = proxy.requests.length;
      const t = performance.now();
      await must(sdk.delete(mine, true));
      return [performance.now() - t, polls(from)];
    };
    const baseRun = async () => {
      const s = await fresh();
      const t = performance.now();
      await call("SyncContext", { SessionId: s.sessionId });
      await tasksDone(s.sessionId, "upload");
      await call("DeleteSessionAsync", { SessionId: s.sessionId });
      await sessionGone(s.sessionId);
      return [performance.now() - t, 0];
    };
    return [sdkRun, baseRun];
  },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const rows = [];
async function bench(name, kind, ctx, runs, arg) {
  const [sdkRun, baseRun, done] = await cases[kind](ctx, arg);
  const s = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    s.push(await sdkRun());
    b.push(await baseRun());
  }
  await done?.();
  const sm = median(s.map((x) => x[0]));
  const bm = median(b.map((x) => x[0]));
  const over = s.map((x, i) => x[0] - b[i][0]);
  const row = `| ${name} | ${runs} | ${bm.toFixed(1)} | ${sm.toFixed(1)} | ${(sm - bm).toFixed(1)} | ${Math.max(...over).toFixed(1)} | ${median(s.map((x) => x[1]))} (max ${Math.max(...s.map((x) => x[1]))}) |`;
  console.error(row);
  rows.push(row);
}

// File counts, picked for ~10 ms, ~100 ms, ~1 s and ~5 s server jobs on the machine of BENCHMARKS.md: a
// mount's download costs ~0.2 ms a file, an upload ~0.05 ms a changed file (a ~5 s upload would need
// ~100,000 changed files and is left out).
// BENCH_ONLY=create130000 runs one create case of that size alone (the ~5 s download).
const only = process.env.BENCH_ONLY?.match(/^create(\d+)$/);
const createSizes = only ? [Number(only[1])] : quick ? [10, 500] : [10, 500, 5000, 25000];
const syncCases = only ? [] : quick ? [[10, 10]] : [[10, 10], [5000, 1500], [25000, 20000]];
const runsFor = (n) => (n >= 20000 ? 3 : n >= 4000 ? 5 : 10);
const contexts = {};
for (const n of new Set([10, ...createSizes])) contexts[n] = await contextWith(n);

try {
  if (!only) await bench("delete(session, true), 1 changed file of 10", "delete", contexts[10], quick ? 5 : 10);
  for (const [n, k] of syncCases) {
    await bench(`context.sync(), ${k} changed files of ${n}`, "sync", contexts[n], runsFor(k), k);
  }
  for (const n of createSizes) await bench(`create(), mounted context of ${n} files`, "create", contexts[n], runsFor(n));
} finally {
  await proxy.close();
  await server.stop();
}
console.log(`package: ${pkgDir}`);
console.log("| case | runs | server job (2 ms raw polling), median ms | SDK, median ms | over, median ms | over, max ms | SDK polls, median |");
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
