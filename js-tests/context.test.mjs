// Issue 3 item 3: agentBay.context — every official method plus uploadFile/downloadFile, against a
// real agentbay-local. Outcomes are read back from the server, never assumed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, uniqueName } from "./helpers/server.mjs";
import { AgentBay, freshContext } from "./helpers/sdk.mjs";

let server;
let agentBay;
before(async () => {
  server = await startServer();
  agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint });
});
after(async () => {
  await server?.stop();
});

const newContext = (prefix) => freshContext(agentBay, prefix);

async function listAll() {
  const all = [];
  let nextToken;
  for (let i = 0; i < 100; i++) {
    const page = await agentBay.context.list({ maxResults: 50, nextToken });
    assert.equal(page.success, true, page.errorMessage);
    all.push(...page.contexts);
    nextToken = page.nextToken;
    if (!nextToken) break;
  }
  return all;
}

test("get(name, true) creates; get(name) finds it again; get(missing) fails clearly", async () => {
  const name = uniqueName("get");
  const created = await agentBay.context.get(name, true);
  assert.equal(created.success, true, created.errorMessage);
  assert.equal(created.context.name, name);
  assert.equal(created.contextId, created.context.id);
  assert.equal(typeof created.requestId, "string");
  assert.ok(created.requestId.length > 0);

  const again = await agentBay.context.get(name);
  assert.equal(again.success, true, again.errorMessage);
  assert.equal(again.context.id, created.context.id);

  const missing = await agentBay.context.get(uniqueName("missing"));
  assert.equal(missing.success, false);
  // HTTP 400 from the server: the official client throws, so get() reports "Failed to get context <name>: ...".
  assert.match(missing.errorMessage, /^Failed to get context missing-\S+: .*InvalidContext\.NotFound/);
});

test("create(name) is get(name, true)", async () => {
  const name = uniqueName("create");
  const r = await agentBay.context.create(name);
  assert.equal(r.success, true, r.errorMessage);
  assert.equal(r.context.name, name);
  const found = await agentBay.context.get(name);
  assert.equal(found.context.id, r.context.id);
});

test("list pages with maxResults/nextToken and reports totalCount", async () => {
  const names = [];
  for (let i = 0; i < 5; i++) names.push((await newContext("page")).name);
  const first = await agentBay.context.list({ maxResults: 2 });
  assert.equal(first.success, true, first.errorMessage);
  assert.equal(first.contexts.length, 2);
  assert.equal(first.maxResults, 2);
  assert.ok(first.nextToken, "a second page must exist");
  assert.ok(first.totalCount >= 5);
  const second = await agentBay.context.list({ maxResults: 2, nextToken: first.nextToken });
  assert.equal(second.success, true, second.errorMessage);
  const firstIds = new Set(first.contexts.map((c) => c.id));
  for (const c of second.contexts) assert.ok(!firstIds.has(c.id), "pages must not overlap");
  // Newest first: the last context created leads the first page.
  assert.equal(first.contexts[0].name, names[4]);
  const all = await listAll();
  for (const n of names) assert.ok(all.some((c) => c.name === n), `${n} missing from the full listing`);
});

test("list() defaults to 10 per page", async () => {
  for (let i = 0; i < 11; i++) await newContext("dflt");
  const r = await agentBay.context.list();
  assert.equal(r.success, true, r.errorMessage);
  assert.equal(r.contexts.length, 10);
});

test("get() finds a context beyond the first list page (official bug fixed) with timestamps", async () => {
  const old = await newContext("old");
  for (let i = 0; i < 12; i++) await newContext("newer");
  const r = await agentBay.context.get(old.name);
  assert.equal(r.success, true, r.errorMessage);
  assert.equal(r.context.id, old.id);
  assert.ok(r.context.createdAt, "createdAt must be filled even when the context is not on page 1");
});

test("update(context) renames", async () => {
  const ctx = await newContext("rename");
  const newName = uniqueName("renamed");
  ctx.name = newName;
  const r = await agentBay.context.update(ctx);
  assert.equal(r.success, true, r.errorMessage);
  const found = await agentBay.context.get(newName);
  assert.equal(found.success, true, found.errorMessage);
  assert.equal(found.context.id, ctx.id);
});

test("delete(context) removes it; deleting again fails clearly", async () => {
  const ctx = await newContext("del");
  const r = await agentBay.context.delete(ctx);
  assert.equal(r.success, true, r.errorMessage);
  const all = await listAll();
  assert.ok(!all.some((c) => c.id === ctx.id));
  const again = await agentBay.context.delete({ id: ctx.id });
  assert.equal(again.success, false);
  assert.match(again.errorMessage, /NotFound/);
});

test("file URLs: PUT through the upload URL, GET through the download URL", async () => {
  const ctx = await newContext("urls");
  const up = await agentBay.context.getFileUploadUrl(ctx.id, "/mnt/data/via-url.txt");
  assert.equal(up.success, true, up.errorMessage);
  assert.match(up.url, /^http:\/\/127\.0\.0\.1:\d+\//);
  assert.ok(up.expireTime > Date.now() / 1000, "expireTime is in the future (epoch seconds)");
  const put = await fetch(up.url, { method: "PUT", body: "bytes through a presigned URL" });
  assert.ok([200, 201, 204].includes(put.status), `PUT status ${put.status}`);

  const down = await agentBay.context.getFileDownloadUrl(ctx.id, "/mnt/data/via-url.txt");
  assert.equal(down.success, true, down.errorMessage);
  const got = await fetch(down.url);
  assert.equal(got.status, 200);
  assert.equal(await got.text(), "bytes through a presigned URL");

  const tampered = new URL(down.url);
  tampered.searchParams.set("path", "/mnt/data/other.txt");
  const refused = await fetch(tampered);
  assert.ok(refused.status >= 400, "a tampered URL must be refused");
});

test("getFileDownloadUrl for a missing file fails clearly", async () => {
  const ctx = await newContext("nofile");
  const r = await agentBay.context.getFileDownloadUrl(ctx.id, "/mnt/data/none.txt");
  assert.equal(r.success, false);
  assert.ok(r.errorMessage.length > 0);
});

test("uploadFile/downloadFile with string, Uint8Array, ArrayBuffer and Blob", async () => {
  const ctx = await newContext("xfer");
  const binary = new Uint8Array(70000);
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 31 + 7) & 0xff;
  const cases = [
    ["/mnt/data/s.txt", "héllo wörld ✓", new TextEncoder().encode("héllo wörld ✓")],
    ["/mnt/data/u8.bin", binary, binary],
    ["/mnt/data/ab.bin", binary.buffer.slice(0), binary],
    ["/mnt/data/blob.txt", new Blob(["from a ", "Blob"]), new TextEncoder().encode("from a Blob")],
    ["/mnt/data/empty.txt", "", new Uint8Array(0)],
  ];
  for (const [path, data, expected] of cases) {
    const up = await agentBay.context.uploadFile(ctx.id, path, data);
    assert.equal(up.success, true, `${path}: ${up.errorMessage}`);
    const down = await agentBay.context.downloadFile(ctx.id, path);
    assert.equal(down.success, true, `${path}: ${down.errorMessage}`);
    assert.ok(down.content instanceof Uint8Array, `${path}: download returns bytes`);
    assert.deepEqual(Buffer.from(down.content), Buffer.from(expected), `${path}: bytes read back`);
  }
});

test("uploadFile/downloadFile report { bytesDone, total } through options.onProgress, rising to the whole file", async () => {
  const ctx = await newContext("progress");
  const size = 2 * 1024 * 1024 + 3;
  const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31) & 0xff);
  const check = (reports, what) => {
    assert.ok(reports.length >= 2, `${what}: reported in steps (${reports.length})`);
    reports.forEach((r, i) => i && assert.ok(r.bytesDone >= reports[i - 1].bytesDone, `${what}: rising`));
    assert.deepEqual(reports.at(-1), { bytesDone: size, total: size });
  };
  const up = [];
  const u = await agentBay.context.uploadFile(ctx.id, "/mnt/data/big.bin", bytes, { onProgress: (p) => up.push(p) });
  assert.equal(u.success, true, u.errorMessage);
  check(up, "upload");
  const down = [];
  const d = await agentBay.context.downloadFile(ctx.id, "/mnt/data/big.bin", { onProgress: (p) => down.push(p) });
  assert.equal(d.success, true, d.errorMessage);
  assert.deepEqual(d.content, bytes);
  check(down, "download");
  // A failed download reports nothing: there were no bytes.
  const none = [];
  const missing = await agentBay.context.downloadFile(ctx.id, "/mnt/data/none.bin", { onProgress: (p) => none.push(p) });
  assert.equal(missing.success, false);
  assert.deepEqual(none, []);
});

test("listFiles and deleteFile", async () => {
  const ctx = await newContext("files");
  for (const f of ["a.txt", "b.txt", "sub/c.txt"]) {
    const r = await agentBay.context.uploadFile(ctx.id, `/mnt/data/${f}`, `content of ${f}`);
    assert.equal(r.success, true, r.errorMessage);
  }
  const listed = await agentBay.context.listFiles(ctx.id, "/mnt/data");
  assert.equal(listed.success, true, listed.errorMessage);
  const names = listed.entries.map((e) => e.fileName).sort();
  assert.ok(names.includes("a.txt") && names.includes("b.txt"), `entries: ${names}`);
  const a = listed.entries.find((e) => e.fileName === "a.txt");
  assert.equal(a.filePath, "/mnt/data/a.txt");
  assert.equal(Number(a.size), "content of a.txt".length);

  const paged = await agentBay.context.listFiles(ctx.id, "/mnt/data", 1, 1);
  assert.equal(paged.success, true, paged.errorMessage);
  assert.equal(paged.entries.length, 1);

  const del = await agentBay.context.deleteFile(ctx.id, "/mnt/data/a.txt");
  assert.equal(del.success, true, del.errorMessage);
  const after = await agentBay.context.listFiles(ctx.id, "/mnt/data");
  assert.ok(!after.entries.some((e) => e.fileName === "a.txt"));
  const gone = await agentBay.context.downloadFile(ctx.id, "/mnt/data/a.txt");
  assert.equal(gone.success, false);
});

test("clearAsync + getClearStatus, and clear() waiting until available", async () => {
  const ctx = await newContext("clear");
  await agentBay.context.uploadFile(ctx.id, "/mnt/data/x.txt", "to be cleared");
  const started = await agentBay.context.clearAsync(ctx.id);
  assert.equal(started.success, true, `clearAsync: ${started.errorMessage}`);
  assert.equal(started.contextId, ctx.id);
  assert.equal(started.status, "clearing");
  const status = await agentBay.context.getClearStatus(ctx.id);
  assert.equal(status.success, true, `getClearStatus: ${status.errorMessage}`);
  assert.ok(["clearing", "pre-available", "available"].includes(status.status), status.status);

  const ctx2 = await newContext("clear2");
  await agentBay.context.uploadFile(ctx2.id, "/mnt/data/y.txt", "to be cleared");
  const done = await agentBay.context.clear(ctx2.id, 30, 0.2);
  assert.equal(done.success, true, `clear: ${done.errorMessage}`);
  assert.equal(done.status, "available");
  const files = await agentBay.context.listFiles(ctx2.id, "/mnt/data");
  assert.equal(files.entries.length, 0, "clear removes the files");
});

test("a context of another tenant is invisible", async () => {
  const other = await startServer({ apiKeys: ["tenant-a", "tenant-b"] });
  try {
    const a = new AgentBay({ apiKey: "tenant-a", endpoint: other.endpoint });
    const b = new AgentBay({ apiKey: "tenant-b", endpoint: other.endpoint });
    const name = uniqueName("tenant");
    const mine = await a.context.get(name, true);
    assert.equal(mine.success, true, mine.errorMessage);
    const theirs = await b.context.get(name);
    assert.equal(theirs.success, false);
    const listed = await b.context.list();
    assert.ok(!listed.contexts.some((c) => c.id === mine.context.id));
    const up = await b.context.uploadFile(mine.context.id, "/mnt/data/x", "intrusion");
    assert.equal(up.success, false);
  } finally {
    await other.stop();
  }
});

// Results are written as JSON by the .wasm and read with JSON.parse (src/js/convert.rs, for the
// module's size): an absent value must still come out as `undefined`, never `null`, at any depth.
test("results hold no null at any depth: absent values are undefined", async () => {
  const nulls = (v, path = "result") =>
    v === null
      ? [path]
      : typeof v === "object" && v !== undefined && !(v instanceof Uint8Array)
        ? Object.entries(v).flatMap(([k, x]) => nulls(x, `${path}.${k}`))
        : [];
  const ctx = await newContext("nulls");
  const got = await agentBay.context.get(ctx.name);
  assert.equal(got.success, true, got.errorMessage);
  const missing = await agentBay.context.get(uniqueName("nulls-missing"));
  assert.equal(missing.success, false);
  assert.equal(missing.context, undefined);
  const listed = await agentBay.context.list({ maxResults: 5 });
  assert.ok(listed.contexts.length > 0);
  const url = await agentBay.context.getFileDownloadUrl(ctx.id, "/mnt/data/none.txt");
  const files = await agentBay.context.listFiles(ctx.id, "/mnt/data");
  for (const r of [got, missing, listed, url, files]) assert.deepEqual(nulls(r), []);
});
