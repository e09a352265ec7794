// Official 0.20+ additions, driven through the built package against a real agentbay-local:
// listFiles token paging (maxResults/nextToken) and session.keepAlive().
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
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
