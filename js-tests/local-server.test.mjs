// agentbay-local where it used to differ from the cloud (issue 10 B): a session's resourceUrl is
// a real page, searchFiles takes an empty pattern, and a missing context file is "file not exist".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, uniqueName } from "./helpers/server.mjs";
import * as sdk from "./helpers/sdk.mjs";

const { AgentBay, ContextSync } = sdk;
const KEY = `local-${Math.random().toString(36).slice(2)}`;

let server;
let agentBay;
before(async () => {
  server = await startServer({ apiKeys: [KEY] });
  agentBay = new AgentBay({ apiKey: KEY, endpoint: server.endpoint });
});
after(async () => {
  await server?.stop();
});

test("resourceUrl is a presigned status page of the session: mounts, labels, tasks, all escaped", async () => {
  const ctx = (await agentBay.context.get(uniqueName("view"), true)).context;
  const created = await agentBay.create({
    labels: { owner: "<script>alert(1)</script>" },
    contextSync: [new ContextSync(ctx.id, "/mnt/view")],
  });
  assert.equal(created.success, true, created.errorMessage);
  const session = created.session;
  try {
    assert.match(session.resourceUrl, /^http:\/\/127\.0\.0\.1:\d+\/session\?id=/);
    const info = await session.info();
    assert.equal(info.data.resourceUrl.split("&sig=")[0].split("&expires=")[0], session.resourceUrl.split("&expires=")[0]);

    const res = await fetch(session.resourceUrl);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /^text\/html/);
    assert.match(res.headers.get("content-security-policy"), /default-src 'none'/);
    const html = await res.text();
    assert.ok(html.includes(session.sessionId), "names the session");
    assert.ok(html.includes("/mnt/view") && html.includes(ctx.id), "lists the mount");
    assert.ok(html.includes("RUNNING"), "shows the status");
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.includes("<script>"), "escapes labels");

    // The signature covers the id: another id, or no signature, is refused.
    const other = session.resourceUrl.replace(session.sessionId, "session-forged");
    assert.equal((await fetch(other)).status >= 400, true);
    assert.equal((await fetch(session.resourceUrl.split("&sig=")[0])).status >= 400, true);
  } finally {
    await session.delete();
  }
  // After release the page says so rather than failing.
  const after = await (await fetch(session.resourceUrl)).text();
  assert.match(after, /released/);
});

test("searchFiles with an empty pattern is accepted and matches every file", async () => {
  const created = await agentBay.create({});
  assert.equal(created.success, true, created.errorMessage);
  const session = created.session;
  try {
    const run = await session.command.executeCommand("mkdir -p /tmp/s/d && touch /tmp/s/a.txt /tmp/s/d/b.log");
    assert.equal(run.success, true, run.errorMessage);
    const r = await session.fileSystem.searchFiles("/tmp/s", "");
    assert.equal(r.success, true, r.errorMessage);
    assert.deepEqual([...r.matches].sort(), ["/tmp/s/a.txt", "/tmp/s/d", "/tmp/s/d/b.log"]);
  } finally {
    await session.delete();
  }
});

test("a deleted context file gives the cloud's wording: file not exist", async () => {
  const ctx = (await agentBay.context.get(uniqueName("gone"), true)).context;
  try {
    const put = await agentBay.context.getFileUploadUrl(ctx.id, "/x/a.txt");
    assert.equal((await fetch(put.url, { method: "PUT", body: "hi" })).status, 200);
    assert.equal((await agentBay.context.deleteFile(ctx.id, "/x/a.txt")).success, true);
    const url = await agentBay.context.getFileDownloadUrl(ctx.id, "/x/a.txt");
    assert.equal(url.success, false);
    assert.match(url.errorMessage, /file not exist/);
    const del = await agentBay.context.deleteFile(ctx.id, "/x/a.txt");
    assert.equal(del.success, false);
    assert.match(del.errorMessage, /file not exist/);
  } finally {
    await agentBay.context.delete(ctx);
  }
});
