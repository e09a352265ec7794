// Official 0.20+ additions, driven through the built package against a real agentbay-local:
// listFiles token paging (maxResults/nextToken), session.keepAlive(), and betaPauseAsync /
// betaResumeAsync (a paused session's processes are frozen; calls are refused; files survive).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { startServer, uniqueName } from "./helpers/server.mjs";
import { AgentBay, Session } from "./helpers/sdk.mjs";

let server;
let agentBay;
before(async () => {
  server = await startServer();
  agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint });
});
after(async () => {
  await server?.stop();
});

test("listFiles pages by maxResults/nextToken as well as by page number", async () => {
  const ctx = (await agentBay.context.get(uniqueName("paged"), true)).context;
  for (const n of [1, 2, 3, 4, 5]) {
    const up = await agentBay.context.uploadFile(ctx.id, `/mnt/data/f${n}.txt`, "x".repeat(n));
    assert.equal(up.success, true, up.errorMessage);
  }
  const names = [];
  let nextToken;
  let pages = 0;
  do {
    const page = await agentBay.context.listFiles(ctx.id, "/mnt/data", undefined, undefined, 2, nextToken);
    assert.equal(page.success, true, page.errorMessage);
    assert.equal(page.count, 5);
    assert.ok(page.entries.length <= 2);
    names.push(...page.entries.map((e) => e.fileName));
    nextToken = page.nextToken;
    pages += 1;
    assert.ok(pages < 10, "paging does not end");
  } while (nextToken);
  assert.equal(pages, 3);
  assert.deepEqual(names, ["f1.txt", "f2.txt", "f3.txt", "f4.txt", "f5.txt"]);

  // Page number and size, as before: no token.
  const byPage = await agentBay.context.listFiles(ctx.id, "/mnt/data", 3, 2);
  assert.deepEqual(
    byPage.entries.map((e) => e.fileName),
    ["f5.txt"],
  );
  assert.equal(byPage.nextToken, undefined);

  // A token this server did not issue: a failure that says so.
  const bad = await agentBay.context.listFiles(ctx.id, "/mnt/data", 1, 50, 2, "not-a-token");
  assert.equal(bad.success, false);
  assert.match(bad.errorMessage, /NextToken.*not a token this server issued/);
  assert.deepEqual(bad.entries, []);
});

test("session.keepAlive() refreshes a live session; fails once it is deleted or unknown", async () => {
  const created = await agentBay.create();
  assert.equal(created.success, true, created.errorMessage);
  const session = created.session;
  const alive = await session.keepAlive();
  assert.equal(alive.success, true, alive.errorMessage);
  assert.ok(alive.requestId.length > 0);

  const ghost = await new Session(agentBay, "session-nope").keepAlive();
  assert.equal(ghost.success, false);
  assert.match(ghost.errorMessage, /session-nope/);

  assert.equal((await agentBay.delete(session)).success, true);
  const after = await session.keepAlive();
  assert.equal(after.success, false);
  assert.match(after.errorMessage, /has been deleted/);
});

test("betaPauseAsync freezes the session's processes; betaResumeAsync lets them go on", async () => {
  const ctx = (await agentBay.context.get(uniqueName("paused"), true)).context;
  const created = await agentBay.create({ contextSync: [{ contextId: ctx.id, path: "/mnt/data" }] });
  assert.equal(created.success, true, created.errorMessage);
  const session = created.session;
  try {
    assert.equal((await session.fileSystem.writeFile("/tmp/before.txt", "home")).success, true);
    assert.equal((await session.fileSystem.writeFile("/mnt/data/before.txt", "mount")).success, true);

    // A command writing a tick (ms) every 0.1 s, in flight across the pause.
    const ticking = session.command.executeCommand(
      "for i in $(seq 1 40); do echo $(($(date +%s%N) / 1000000)) >> /tmp/ticks; sleep 0.1; done; echo done",
      50000,
    );
    await sleep(1000);
    const paused = await session.betaPauseAsync(30, 0.1);
    assert.equal(paused.success, true, paused.errorMessage);
    assert.equal(paused.status, "PAUSED");
    const pausedAt = Date.now();
    assert.equal((await session.getStatus()).status, "PAUSED");

    const refused = await session.command.executeCommand("true");
    assert.equal(refused.success, false);
    assert.match(refused.errorMessage, /PAUSED.*betaResumeAsync/);
    const twice = await session.betaPauseAsync(5, 0.1);
    assert.equal(twice.success, false);
    assert.equal(twice.code, "InvalidMcpSession.NotRunning");

    await sleep(2000);
    const resumeAt = Date.now();
    const resumed = await session.betaResumeAsync(30, 0.1);
    assert.equal(resumed.success, true, resumed.errorMessage);
    assert.equal(resumed.status, "RUNNING");

    const ran = await ticking;
    assert.equal(ran.success, true, ran.errorMessage);
    assert.match(ran.output, /done/);
    const ticks = (await session.fileSystem.readFile("/tmp/ticks")).content.trim().split("\n").map(Number);
    assert.equal(ticks.length, 40, "the command went on after the resume");
    const whilePaused = ticks.filter((t) => t > pausedAt + 50 && t < resumeAt);
    assert.deepEqual(whilePaused, [], `ticks while paused (${pausedAt}..${resumeAt})`);
    const longestGap = Math.max(...ticks.slice(1).map((t, i) => t - ticks[i]));
    assert.ok(longestGap >= 1500, `no pause visible in the ticks (longest gap ${longestGap} ms)`);

    assert.equal((await session.fileSystem.readFile("/tmp/before.txt")).content, "home");
    assert.equal((await session.fileSystem.readFile("/mnt/data/before.txt")).content, "mount");
    const notPaused = await session.betaResumeAsync(5, 0.1);
    assert.equal(notPaused.success, false);
    assert.match(notPaused.errorMessage, /only a PAUSED session can be resumed/);
  } finally {
    await agentBay.delete(session);
  }
});

test("agentBay.betaPauseAsync(session) / betaResumeAsync(session); a paused session can be deleted", async () => {
  const session = (await agentBay.create()).session;
  const paused = await agentBay.betaPauseAsync(session, 30, 0.1);
  assert.equal(paused.success, true, paused.errorMessage);
  const resumed = await agentBay.betaResumeAsync(session, 30, 0.1);
  assert.equal(resumed.success, true, resumed.errorMessage);

  const long = session.command.executeCommand("sleep 40; echo finished", 50000);
  await sleep(800);
  assert.equal((await session.betaPauseAsync(30, 0.1)).success, true);
  const started = Date.now();
  const deleted = await agentBay.delete(session);
  assert.equal(deleted.success, true, deleted.errorMessage);
  assert.ok(Date.now() - started < 20000, "deleting a paused session is quick");
  const ran = await long;
  assert.doesNotMatch(ran.output ?? "", /finished/);
  const gone = await agentBay.get(session.sessionId);
  assert.equal(gone.success, false);
});
