// How long the SDK's waits run past the end of the server's job: `delete(session, true)` with one
// changed file, `session.context.sync()` and `create()` with a mounted context of N files, against a
// real agentbay-local (release build when present) and the built package.
//
//   node bench/waits.mjs                        # the package in pkg/ (npm run build)
//   BENCH_PKG=/tmp/old-pkg node bench/waits.mjs # another build of the package
//   BENCH_QUICK=1 node bench/waits.mjs          # fewer runs, smaller contexts
//   BENCH_ONLY=create130000 node bench/waits.mjs # one create case alone (~5 s download; slow to set up)
//   BENCH_MOUNTS=copy BENCH_ONLY=create90000 node bench/waits.mjs # a ~5 s create: mounts copied
//   BENCH_VERBOSE=1 node bench/waits.mjs         # also each run's job, over and polls
//
// The server's own timeline, in the same run: the SDK talks through a recording proxy
// (js-tests/helpers/proxy.mjs). When the reply that starts a job (CreateMcpSession, SyncContext,
// DeleteSessionAsync) passes the proxy, an observer starts polling the job's status with node:http
// every 2 ms, straight to the server; the first poll that sees the job finished marks the server's
// end. "over" = when the SDK's call resolved − when the observer saw the job end (for `delete`, also
// the gap between the upload's end and the SDK's DeleteSessionAsync). Comparing with separate
// baseline runs instead would count the jobs' own run-to-run spread (±100 ms at 5 s) as the SDK's.
// Prints a Markdown table. Numbers are for reading trends, never asserted.
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

// BENCH_MOUNTS=copy: the server copies each mount (`--mounts copy`, as without root), so a large
// context's create is a long job (with overlays, only a version's first mount is).
const server = await startServer({
  dataDirPrefix: "agentbay-bench-waits-",
  args: process.env.BENCH_MOUNTS ? ["--mounts", process.env.BENCH_MOUNTS] : [],
});
/** The server-side end of each job, seen by an observer started when the job's reply passes the proxy. */
let watch = null;
const proxy = await startProxy(server.endpoint, {
  rewrite(action, params, json) {
    const t = performance.now();
    if (!watch) return undefined;
    if (action === "GetContextInfo" || action === "GetSessionDetail") (watch.replies ??= []).push(t);
    const id = json?.Data?.SessionId ?? params.SessionId;
    if (action === "CreateMcpSession") watch.download = tasksDone(id, "download").then(() => performance.now());
    if (action === "SyncContext") watch.upload = tasksDone(id, "upload").then(() => performance.now());
    if (action === "DeleteSessionAsync") {
      watch.deleteReplied = t;
      watch.gone = sessionGone(id).then(() => performance.now());
    }
    return undefined;
  },
});
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

let lastMaxGap = 0; // the longest time between two of the SDK's poll replies in the last run
/** Runs `fn` with the observers armed; resolves to [SDK ms, server job ms, over ms, polls]. */
async function observed(fn) {
  const from = proxy.requests.length;
  watch = {};
  const t0 = performance.now();
  await fn();
  const t1 = performance.now();
  const w = watch;
  watch = null;
  const n = polls(from);
  const gaps = (w.replies ?? []).map((t, i, a) => (i ? t - a[i - 1] : 0));
  lastMaxGap = Math.max(0, ...gaps);
  if (w.gone) {
    // delete(session, true): the upload, then the SDK's DeleteSessionAsync, then the session gone.
    const [up, gone] = [await w.upload, await w.gone];
    const job = up - t0 + (gone - w.deleteReplied);
    return [t1 - t0, job, t1 - t0 - job, n];
  }
  const end = await (w.download ?? w.upload);
  return [t1 - t0, end - t0, t1 - end, n];
}

const cases = {
  async create(ctx) {
    return async () => {
      let session;
      const r = await observed(async () => (session = (await must(sdk.create(params(ctx)))).session));
      await must(direct.delete(session));
      return r;
    };
  },
  async sync(ctx, changed) {
    const s = (await must(direct.create(params(ctx)))).session;
    const mine = (await must(sdk.get(s.sessionId))).session;
    let i = 0;
    const run = async () => {
      i++;
      await must(s.command.executeCommand(`cd ${MOUNT} && for j in $(seq 1 ${changed}); do echo ${i} > f$j; done`, 600000));
      return observed(() => must(mine.context.sync()));
    };
    return [run, () => direct.delete(s)];
  },
  async delete(ctx) {
    return async () => {
      const s = (await must(direct.create(params(ctx)))).session;
      await must(s.command.executeCommand(`echo changed > ${MOUNT}/f1`));
      const mine = (await must(sdk.get(s.sessionId))).session;
      return observed(() => must(sdk.delete(mine, true)));
    };
  },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const rows = [];
async function bench(name, kind, ctx, runs, arg) {
  const made = await cases[kind](ctx, arg);
  const [run, done] = Array.isArray(made) ? made : [made];
  const r = [];
  for (let i = 0; i < runs; i++) {
    r.push(await run());
    // BENCH_VERBOSE=1: each run's server job, over and polls, to tell a late poll from a slow reply.
    if (process.env.BENCH_VERBOSE) console.error(`  run ${i}: job ${r[i][1].toFixed(1)} ms, over ${r[i][2].toFixed(1)} ms, ${r[i][3]} polls, longest gap between poll replies ${lastMaxGap.toFixed(1)} ms`);
  }
  await done?.();
  const col = (k) => r.map((x) => x[k]);
  const row = `| ${name} | ${runs} | ${median(col(1)).toFixed(1)} | ${median(col(0)).toFixed(1)} | ${median(col(2)).toFixed(1)} | ${Math.max(...col(2)).toFixed(1)} | ${median(col(3))} (max ${Math.max(...col(3))}) |`;
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
console.log("| case | runs | server job (same run, 2 ms observer), median ms | SDK, median ms | over, median ms | over, max ms | SDK polls, median |");
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
