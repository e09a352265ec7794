// Issue 4: every sync-policy knob does what it says, driven through the built package against a real
// agentbay-local with real sandboxes. Each test asserts the exact file set and contents after crossing
// a sync boundary (release, session.context.sync(), or a new session), read back from the session
// (shell) or from the context (listFiles/downloadFile), never assumed.
//
// A recording proxy sits between the SDK and the server, so tests can also prove what the SDK sent
// (or that it sent nothing at all).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { crc32, gzipSync } from "node:zlib";
import { startProxy } from "./helpers/proxy.mjs";
import { startServer } from "./helpers/server.mjs";
import {
  AgentBay,
  ContextSync,
  MappingPolicy,
  SyncPolicy,
  SyncPolicyImpl,
  UploadMode,
  UploadPolicy,
  WhiteList,
  WhiteListValidator,
  newContextSync,
  newSyncPolicy,
  newSyncPolicyWithDefaults,
  freshContext,
} from "./helpers/sdk.mjs";

let server;
let proxy;
let agentBay;
/** Every API request the SDK made: `{ action, params }` (query and form fields merged). */
let requests;

before(async () => {
  server = await startServer();
  proxy = await startProxy(server.endpoint);
  requests = proxy.requests;
  agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: proxy.endpoint });
});
after(async () => {
  await proxy?.close();
  await server?.stop();
});

// ---- helpers -------------------------------------------------------------------------------------

/** The policies (parsed) that the last CreateMcpSession sent, keyed by context id. */
function sentPolicies() {
  const create = requests.findLast((r) => r.action === "CreateMcpSession");
  assert.ok(create, "a CreateMcpSession request was made");
  const items = JSON.parse(create.params.PersistenceDataList);
  return Object.fromEntries(items.map((i) => [i.ContextId, i.Policy === undefined ? undefined : JSON.parse(i.Policy)]));
}

const newContext = (prefix) => freshContext(agentBay, prefix);

async function newSession(contextSync) {
  const r = await agentBay.create({ contextSync });
  assert.equal(r.success, true, r.errorMessage);
  assert.equal(r.contextSyncFailures, undefined, `create() reported sync failures: ${JSON.stringify(r.contextSyncFailures)}`);
  return r.session;
}

/** Releases the session the plain way (no syncContext): only the policies decide what is uploaded. */
async function release(session) {
  const r = await agentBay.delete(session);
  assert.equal(r.success, true, r.errorMessage);
}

async function sh(session, script) {
  const r = await session.command.executeCommand(script, 30000);
  assert.equal(r.success, true, `${script}\n=> exit ${r.exitCode}: ${r.output} ${r.errorMessage ?? ""}`);
  return r.output;
}

const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;

/** Writes `{ relPath: content }` below `dir` in the session (contents: one line, no tabs). */
async function writeTree(session, dir, files) {
  const cmds = Object.entries(files).map(
    ([p, c]) => `mkdir -p "$(dirname ${q(`${dir}/${p}`)})" && printf %s ${q(c)} > ${q(`${dir}/${p}`)}`,
  );
  await sh(session, cmds.join(" && "));
}

/**
 * The regular files below `dir` in the session as `{ relPath: content }` (binary files as
 * `<binary N bytes>`); `null` when `dir` is missing.
 */
async function treeIn(session, dir) {
  const out = await sh(
    session,
    `[ -d ${q(dir)} ] || { echo '<absent>'; exit 0; }; cd ${q(dir)} && find . -type f | LC_ALL=C sort | ` +
      `while IFS= read -r f; do if [ ! -s "$f" ] || grep -qI . "$f"; then c="$(cat "$f")"; ` +
      `else c="<binary $(stat -c %s "$f") bytes>"; fi; printf '%s\\t%s\\n' "\${f#./}" "$c"; done`,
  );
  if (out.trim() === "<absent>") return null;
  return Object.fromEntries(
    out
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t")),
  );
}

/** The files stored in the context below `dir` (recursively) as `{ relPath: content }`. */
async function storedTree(contextId, dir) {
  const out = {};
  const walk = async (folder) => {
    const r = await agentBay.context.listFiles(contextId, folder, 1, 1000);
    assert.equal(r.success, true, r.errorMessage);
    for (const e of r.entries) {
      if (e.fileType === "folder") {
        await walk(e.filePath);
      } else {
        const d = await agentBay.context.downloadFile(contextId, e.filePath);
        assert.equal(d.success, true, d.errorMessage);
        out[e.filePath.slice(dir.length + 1)] = new TextDecoder().decode(d.content);
      }
    }
  };
  await walk(dir);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function preload(contextId, dir, files) {
  for (const [p, c] of Object.entries(files)) {
    const r = await agentBay.context.uploadFile(contextId, `${dir}/${p}`, c);
    assert.equal(r.success, true, r.errorMessage);
  }
}

/** Polls `probe` until it returns a truthy value or `ms` pass (then fails with `what`). */
async function eventually(what, ms, probe) {
  const deadline = Date.now() + ms;
  let last;
  for (let wait = 100; ; wait = Math.min(wait * 1.5, 1000)) {
    last = await probe();
    if (last) return last;
    if (Date.now() > deadline) assert.fail(`${what} within ${ms} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, wait));
  }
}

function policy(mutate) {
  const p = newSyncPolicy();
  mutate(p);
  return p;
}

// A stored (uncompressed) zip: local headers, central directory, end record.
function zipStored(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const nameBuf = Buffer.from(name);
    const data = Buffer.from(content);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0x21 << 16, 10); // 00:00 on 1980-01-01 (DOS time, date)
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4); // made by: Unix, 3.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0x21 << 16, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attrs: regular file 0644
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}

// A ustar archive of regular files (512-byte header + data padded to 512, two zero blocks at the end).
function tar(files) {
  const parts = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const h = Buffer.alloc(512);
    h.write(name, 0, 100);
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148); // checksum computed over spaces
    h.write("0", 156);
    h.write("ustar\0" + "00", 257);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

// ---- SDK side: what is sent ------------------------------------------------------------------------

test("SDK: a wildcard white-list path is refused with the newer message before any request", async () => {
  const message =
    "Wildcard patterns are not supported in path when isPathRegex=false. Got: /src/*. Please use exact directory paths or set isPathRegex=true for regex matching.";
  const excludeMessage =
    "Wildcard patterns are not supported in excludePaths when isExcludeRegex=false. Got: *.log. Please use exact directory paths or set isExcludeRegex=true for regex matching.";
  const bad = { bwList: { whiteLists: [{ path: "/src/*", excludePaths: [] }] } };
  const before = requests.length;
  assert.throws(() => new ContextSync("ctx-x", "/home/wuying", bad), { message });
  assert.throws(() => newContextSync("ctx-x", "/home/wuying", bad), { message });
  assert.throws(() => new WhiteList({ path: "/src/*" }), { message });
  assert.throws(() => WhiteListValidator.validate({ path: "/src/*" }), { message });
  assert.throws(() => WhiteListValidator.validate({ path: "/src", excludePaths: ["*.log"], isPathRegex: true }), {
    message: excludeMessage,
  });
  // The plain-object form reaches create(), which reports the validation failure like the official SDK.
  const r = await agentBay.create({ contextSync: [{ contextId: "ctx-x", path: "/home/wuying", policy: bad }] });
  assert.equal(r.success, false);
  assert.equal(r.errorMessage, `Failed to create session: Error: ${message}`);
  assert.equal(requests.length, before, "nothing may reach the server");

  // The regex flags switch the check off for their own side only.
  WhiteListValidator.validate({ path: "/src/.*", isPathRegex: true });
  WhiteListValidator.validate({ path: "/src", excludePaths: [".*\\.log"], isExcludeRegex: true });
  const wl = new WhiteList({ path: "/src/.*", isPathRegex: true });
  assert.equal(wl.isPathRegex, true);
  assert.equal(wl.isExcludeRegex, undefined);
  assert.deepEqual(wl.toDict(), { path: "/src/.*", excludePaths: [], isPathRegex: true });
  assert.deepEqual(JSON.parse(JSON.stringify(wl)), wl.toDict());
});

test("SDK: a regex white list and SyncPolicyImpl's mappingPolicy reach the wire unchanged", async () => {
  const ctxA = await newContext("wire-regex");
  const ctxB = await newContext("wire-map");
  const regex = { bwList: { whiteLists: [{ path: "/logs/.*\\.log", excludePaths: [], isPathRegex: true }] } };
  const impl = new SyncPolicyImpl({ mappingPolicy: new MappingPolicy({ path: "/home/old" }).toJSON() });
  assert.deepEqual(impl.mappingPolicy, { path: "/home/old" });
  assert.deepEqual(newSyncPolicyWithDefaults({ mappingPolicy: { path: "C:\\Users\\me" } }).mappingPolicy, {
    path: "C:\\Users\\me",
  });
  const session = await newSession([new ContextSync(ctxA.id, "/mnt/a", regex), new ContextSync(ctxB.id, "/mnt/b", impl)]);
  try {
    const sent = sentPolicies();
    assert.deepEqual(sent[ctxA.id], regex, "a plain policy is sent verbatim");
    assert.deepEqual(sent[ctxB.id].mappingPolicy, { path: "/home/old" });
    assert.deepEqual(sent[ctxB.id].uploadPolicy, newSyncPolicy().uploadPolicy, "SyncPolicyImpl fills the other parts");
  } finally {
    await release(session);
  }
});

// ---- the three recipes ------------------------------------------------------------------------------

test("recipe manual (autoDownload false, autoUpload false): empty start, sync download fills, release uploads nothing, sync() uploads", async () => {
  const ctx = await newContext("manual");
  const mount = "/home/wuying/manual";
  await preload(ctx.id, mount, { "pre.txt": "pre", "d/deep.txt": "deep" });
  const manual = () =>
    policy((p) => {
      p.uploadPolicy.autoUpload = false;
      p.downloadPolicy.autoDownload = false;
    });

  const s1 = await newSession([new ContextSync(ctx.id, mount, manual())]);
  assert.deepEqual(await treeIn(s1, mount), {}, "nothing is downloaded at create()");
  const down = await s1.context.sync(ctx.id, mount, "download");
  assert.equal(down.success, true, down.errorMessage);
  assert.deepEqual(await treeIn(s1, mount), { "d/deep.txt": "deep", "pre.txt": "pre" });
  await writeTree(s1, mount, { "s1.txt": "lost", "pre.txt": "changed" });
  await release(s1);
  assert.deepEqual(await storedTree(ctx.id, mount), { "d/deep.txt": "deep", "pre.txt": "pre" }, "release uploads nothing");

  const s2 = await newSession([new ContextSync(ctx.id, mount, manual())]);
  try {
    assert.deepEqual(await treeIn(s2, mount), {});
    assert.equal((await s2.context.sync(ctx.id, mount, "download")).success, true);
    await writeTree(s2, mount, { "s2.txt": "kept" });
    const up = await s2.context.sync();
    assert.equal(up.success, true, up.errorMessage);
    const info = await s2.context.info(ctx.id, mount, "upload");
    assert.deepEqual(
      info.contextStatusData.map((t) => [t.contextId, t.path, t.taskType, t.status]),
      [[ctx.id, mount, "upload", "Success"]],
    );
    const expected = { "d/deep.txt": "deep", "pre.txt": "pre", "s2.txt": "kept" };
    assert.deepEqual(await storedTree(ctx.id, mount), expected);
    await writeTree(s2, mount, { "late.txt": "not synced" });
  } finally {
    await release(s2);
  }
  assert.deepEqual(await storedTree(ctx.id, mount), { "d/deep.txt": "deep", "pre.txt": "pre", "s2.txt": "kept" });
});

test("recipe upload-only (autoDownload false, autoUpload true): sessions start empty, release uploads", async () => {
  const ctx = await newContext("uponly");
  const mount = "/home/wuying/out";
  const uploadOnly = (syncLocalFile) =>
    policy((p) => {
      p.downloadPolicy.autoDownload = false;
      p.deletePolicy.syncLocalFile = syncLocalFile;
    });

  const s1 = await newSession([new ContextSync(ctx.id, mount, uploadOnly(true))]);
  await writeTree(s1, mount, { "run1/out.txt": "one" });
  await release(s1);
  assert.deepEqual(await storedTree(ctx.id, mount), { "run1/out.txt": "one" });

  // Outputs accumulate even with delete sync on: the next session starts empty, but run1 was never
  // in it, so it was not deleted there and its upload keeps it.
  const s2 = await newSession([new ContextSync(ctx.id, mount, uploadOnly(true))]);
  assert.deepEqual(await treeIn(s2, mount), {}, "stored files are not downloaded");
  await writeTree(s2, mount, { "run2/out.txt": "two", "run2/scratch.txt": "tmp" });
  await s2.context.sync();
  // A file this session uploaded and then deleted is deleted from the context (delete sync)...
  await sh(s2, `rm ${q(`${mount}/run2/scratch.txt`)}`);
  await release(s2);
  assert.deepEqual(await storedTree(ctx.id, mount), { "run1/out.txt": "one", "run2/out.txt": "two" });

  // ...but with syncLocalFile false it stays.
  const s3 = await newSession([new ContextSync(ctx.id, mount, uploadOnly(false))]);
  await writeTree(s3, mount, { "run3/out.txt": "three" });
  await s3.context.sync();
  await sh(s3, `rm ${q(`${mount}/run3/out.txt`)}`);
  await release(s3);
  assert.deepEqual(await storedTree(ctx.id, mount), {
    "run1/out.txt": "one",
    "run2/out.txt": "two",
    "run3/out.txt": "three",
  });
});

test("recipe download-only (autoDownload true, autoUpload false): the session sees the data, release changes nothing", async () => {
  const ctx = await newContext("downonly");
  const mount = "/home/wuying/ref";
  await preload(ctx.id, mount, { "ref.txt": "reference", "sub/r2.txt": "r2" });
  const downloadOnly = policy((p) => {
    p.uploadPolicy.autoUpload = false;
  });
  const s1 = await newSession([new ContextSync(ctx.id, mount, downloadOnly)]);
  assert.deepEqual(await treeIn(s1, mount), { "ref.txt": "reference", "sub/r2.txt": "r2" });
  await writeTree(s1, mount, { "ref.txt": "scribbled", "new.txt": "new" });
  await sh(s1, `rm ${q(`${mount}/sub/r2.txt`)}`);
  await release(s1);
  assert.deepEqual(await storedTree(ctx.id, mount), { "ref.txt": "reference", "sub/r2.txt": "r2" });
  const s2 = await newSession([new ContextSync(ctx.id, mount, downloadOnly)]);
  try {
    assert.deepEqual(await treeIn(s2, mount), { "ref.txt": "reference", "sub/r2.txt": "r2" });
  } finally {
    await release(s2);
  }
});

// ---- multiple contexts ------------------------------------------------------------------------------

test("three contexts with different policies in one session; sync(contextId, path) touches only that one", async () => {
  const a = await newContext("multi-a");
  const b = await newContext("multi-b");
  const c = await newContext("multi-c");
  await preload(a.id, "/mnt/a", { "a0.txt": "a0" });
  await preload(b.id, "/mnt/b", { "b0.txt": "b0" });
  await preload(c.id, "/mnt/c", { "c0.txt": "c0" });
  const session = await newSession([
    new ContextSync(a.id, "/mnt/a", newSyncPolicy()),
    new ContextSync(b.id, "/mnt/b", policy((p) => (p.uploadPolicy.autoUpload = false))),
    new ContextSync(
      c.id,
      "/mnt/c",
      policy((p) => {
        p.uploadPolicy.autoUpload = false;
        p.downloadPolicy.autoDownload = false;
      }),
    ),
  ]);
  const tasks = async () =>
    (await session.context.info()).contextStatusData
      .map((t) => `${t.taskType} ${t.contextId} ${t.path} ${t.status}`)
      .sort();
  try {
    assert.deepEqual(await treeIn(session, "/mnt/a"), { "a0.txt": "a0" });
    assert.deepEqual(await treeIn(session, "/mnt/b"), { "b0.txt": "b0" });
    assert.deepEqual(await treeIn(session, "/mnt/c"), {});
    assert.deepEqual(await tasks(), [`download ${a.id} /mnt/a Success`, `download ${b.id} /mnt/b Success`].sort());
    await writeTree(session, "/mnt", { "a/a1.txt": "a1", "b/b1.txt": "b1", "c/c1.txt": "c1" });

    const r = await session.context.sync(a.id, "/mnt/a");
    assert.equal(r.success, true, r.errorMessage);
    assert.deepEqual(
      await tasks(),
      [`download ${a.id} /mnt/a Success`, `download ${b.id} /mnt/b Success`, `upload ${a.id} /mnt/a Success`].sort(),
    );
    assert.deepEqual(await storedTree(a.id, "/mnt/a"), { "a0.txt": "a0", "a1.txt": "a1" });
    assert.deepEqual(await storedTree(b.id, "/mnt/b"), { "b0.txt": "b0" });
    assert.deepEqual(await storedTree(c.id, "/mnt/c"), { "c0.txt": "c0" });

    // An explicit sync uploads even with autoUpload false; still only the named context.
    const rb = await session.context.sync(b.id, "/mnt/b");
    assert.equal(rb.success, true, rb.errorMessage);
    assert.deepEqual(await storedTree(b.id, "/mnt/b"), { "b0.txt": "b0", "b1.txt": "b1" });
    assert.deepEqual(await storedTree(c.id, "/mnt/c"), { "c0.txt": "c0" });
    assert.ok(!(await tasks()).some((t) => t.startsWith(`upload ${c.id}`)), "c was never uploaded");
  } finally {
    await release(session);
  }
  // Release: only a (autoUpload) uploads; b and c keep what they had.
  assert.deepEqual(await storedTree(a.id, "/mnt/a"), { "a0.txt": "a0", "a1.txt": "a1" });
  assert.deepEqual(await storedTree(b.id, "/mnt/b"), { "b0.txt": "b0", "b1.txt": "b1" });
  assert.deepEqual(await storedTree(c.id, "/mnt/c"), { "c0.txt": "c0" });
});

// ---- knobs acted on by agentbay-local's sync engine ---------------------------------------------------

test("white list: only /src minus /src/tmp is uploaded; a regex white list selects by pattern", async () => {
  const ctx = await newContext("wl");
  const mount = "/home/wuying/proj";
  const wl = policy((p) => {
    p.bwList = { whiteLists: [{ path: "/src", excludePaths: ["/tmp"] }] };
  });
  const files = {
    "src/a.txt": "a",
    "src/sub/b.txt": "b",
    "src/tmp/t.txt": "t",
    "src/tmpx.txt": "not excluded: only the tmp folder is",
    "other.txt": "o",
    "srcx/c.txt": "c",
  };
  const s1 = await newSession([new ContextSync(ctx.id, mount, wl)]);
  await writeTree(s1, mount, files);
  await release(s1);
  const selected = { "src/a.txt": "a", "src/sub/b.txt": "b", "src/tmpx.txt": files["src/tmpx.txt"] };
  assert.deepEqual(await storedTree(ctx.id, mount), selected);
  const s2 = await newSession([new ContextSync(ctx.id, mount, newSyncPolicy())]);
  try {
    assert.deepEqual(await treeIn(s2, mount), selected);
  } finally {
    await agentBay.delete(s2);
  }

  const rctx = await newContext("wl-regex");
  const regex = policy((p) => {
    p.bwList = { whiteLists: [{ path: "/logs/.*\\.log", excludePaths: [], isPathRegex: true }] };
  });
  const s3 = await newSession([new ContextSync(rctx.id, mount, regex)]);
  await writeTree(s3, mount, { "logs/a.log": "a", "logs/deep/b.log": "b", "logs/c.txt": "c", "d.log": "d" });
  await release(s3);
  assert.deepEqual(await storedTree(rctx.id, mount), { "logs/a.log": "a", "logs/deep/b.log": "b" });
});

test("policies the SDK passes but the server cannot act on fail create() with InvalidParameter.Policy", async () => {
  const ctx = await newContext("badpol");
  const before = (await agentBay.list()).sessionIds.length;
  const cases = [
    [{ bwList: { whiteLists: [{ path: "/src/(", isPathRegex: true }] } }, /invalid regular expression '\/src\/\('/],
    [new SyncPolicyImpl({ mappingPolicy: { path: "relative/dir" } }), /mappingPolicy\.path/],
  ];
  for (const [pol, why] of cases) {
    const r = await agentBay.create({ contextSync: [new ContextSync(ctx.id, "/mnt/bad", pol)] });
    assert.equal(r.success, false, `refused: ${JSON.stringify(pol)}`);
    assert.match(r.errorMessage, /InvalidParameter\.Policy/);
    assert.match(r.errorMessage, why);
  }
  assert.equal((await agentBay.list()).sessionIds.length, before, "no session was created");
});

test("deletePolicy.syncLocalFile: true mirrors local deletions, false only adds/overwrites", async () => {
  const mount = "/home/wuying/del";
  const start = { "gone.txt": "g", "keep.txt": "k", "d/gone2.txt": "g2" };
  const after = { "keep.txt": "k2", "new.txt": "n" };
  const results = {};
  for (const syncLocalFile of [true, false]) {
    const ctx = await newContext(`del-${syncLocalFile}`);
    await preload(ctx.id, mount, start);
    const s = await newSession([new ContextSync(ctx.id, mount, policy((p) => (p.deletePolicy.syncLocalFile = syncLocalFile)))]);
    assert.deepEqual(await treeIn(s, mount), start);
    await sh(s, `rm -r ${q(`${mount}/gone.txt`)} ${q(`${mount}/d`)}`);
    await writeTree(s, mount, after);
    await release(s);
    results[syncLocalFile] = await storedTree(ctx.id, mount);
  }
  assert.deepEqual(results.true, { "keep.txt": "k2", "new.txt": "n" });
  assert.deepEqual(results.false, { "d/gone2.txt": "g2", "gone.txt": "g", "keep.txt": "k2", "new.txt": "n" });
});

test("mappingPolicy: files stored at /home/old appear at /mnt/new and go back to /home/old", async () => {
  const ctx = await newContext("map");
  const s1 = await newSession([new ContextSync(ctx.id, "/home/old", newSyncPolicy())]);
  await writeTree(s1, "/home/old", { "a.txt": "a", "sub/b.txt": "b" });
  await release(s1);
  assert.deepEqual(await storedTree(ctx.id, "/home/old"), { "a.txt": "a", "sub/b.txt": "b" });

  const mapped = new SyncPolicyImpl({ mappingPolicy: { path: "/home/old" } });
  const s2 = await newSession([new ContextSync(ctx.id, "/mnt/new", mapped)]);
  try {
    assert.deepEqual(await treeIn(s2, "/mnt/new"), { "a.txt": "a", "sub/b.txt": "b" });
    assert.equal(await treeIn(s2, "/home/old"), null, "nothing is mounted at the stored path");
    await writeTree(s2, "/mnt/new", { "c.txt": "c", "a.txt": "a2" });
  } finally {
    await release(s2);
  }
  assert.deepEqual(await storedTree(ctx.id, "/home/old"), { "a.txt": "a2", "c.txt": "c", "sub/b.txt": "b" });
  assert.deepEqual(await storedTree(ctx.id, "/mnt/new"), {}, "nothing is stored under the session's mount path");
});

test("uploadMode Archive: a new session sees the same tree; the context holds the archive", async () => {
  const ctx = await newContext("archive");
  const mount = "/home/wuying/arch";
  const archive = policy((p) => (p.uploadPolicy.uploadMode = UploadMode.Archive));
  const tree = { "a.txt": "a", "sub/b.txt": "b", "sub/deeper/c.txt": "c", "empty.txt": "" };
  const s1 = await newSession([new ContextSync(ctx.id, mount, archive)]);
  await writeTree(s1, mount, tree);
  await release(s1);

  const listed = await agentBay.context.listFiles(ctx.id, mount, 1, 1000);
  assert.equal(listed.success, true, listed.errorMessage);
  // One snapshot per mount (agentbay-local's name for it), not the loose files.
  assert.deepEqual(
    listed.entries.map((e) => [e.fileName, e.fileType]),
    [[".agentbay-archive.zip", "file"]],
  );
  const snapshot = await agentBay.context.downloadFile(ctx.id, `${mount}/.agentbay-archive.zip`);
  assert.equal(snapshot.success, true, snapshot.errorMessage);
  assert.deepEqual([...snapshot.content.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], "a zip (official Archive mode)");

  for (const mode of [UploadMode.Archive, UploadMode.File]) {
    const s2 = await newSession([new ContextSync(ctx.id, mount, mode === UploadMode.Archive ? archive : newSyncPolicy())]);
    try {
      assert.deepEqual(await treeIn(s2, mount), tree, `a ${mode}-mode session sees the tree`);
    } finally {
      await agentBay.delete(s2);
    }
  }
});

test("archiveExcludePaths: excluded prefixes are stored as single files, the rest in the zip; toJSON omits it in File mode", async () => {
  const ctx = await newContext("archive-exclude");
  const mount = "/home/wuying/hybrid";
  const archive = policy((p) => {
    p.uploadPolicy.uploadMode = UploadMode.Archive;
    p.uploadPolicy.archiveExcludePaths = ["logs/", "out.txt"];
  });
  // Serialised only in Archive mode (official): the same policy in File mode leaves it out.
  assert.deepEqual(JSON.parse(JSON.stringify(archive)).uploadPolicy.archiveExcludePaths, ["logs/", "out.txt"]);
  const upload = new UploadPolicy({ archiveExcludePaths: ["logs/"] });
  assert.equal("archiveExcludePaths" in JSON.parse(JSON.stringify(upload)), false);
  assert.deepEqual(upload.archiveExcludePaths, ["logs/"], "the object itself keeps it");
  const fileMode = new SyncPolicy({ uploadPolicy: { archiveExcludePaths: ["logs/"] } });
  assert.equal("archiveExcludePaths" in JSON.parse(JSON.stringify(fileMode)).uploadPolicy, false);
  upload.uploadMode = UploadMode.Archive;
  assert.deepEqual(JSON.parse(JSON.stringify(upload)).archiveExcludePaths, ["logs/"], "switching to Archive brings it back");
  // A plain File-mode policy is sent without it too.
  const plainFile = policy((p) => (p.uploadPolicy.archiveExcludePaths = ["logs/"]));
  const other = await newContext("archive-exclude-file");
  const s0 = await newSession([new ContextSync(other.id, mount, plainFile)]);
  assert.equal("archiveExcludePaths" in sentPolicies()[other.id].uploadPolicy, false);
  await release(s0);
  // Invalid entries are refused with a clear message.
  assert.throws(
    () => new UploadPolicy({ uploadMode: UploadMode.Archive, archiveExcludePaths: ["../etc/"] }),
    /Invalid archiveExcludePaths value: \.\.\/etc\//,
  );

  const tree = { "logs/a.log": "l", "out.txt": "o", "src/main.rs": "m" };
  const s1 = await newSession([new ContextSync(ctx.id, mount, archive)]);
  assert.deepEqual(sentPolicies()[ctx.id].uploadPolicy.archiveExcludePaths, ["logs/", "out.txt"]);
  await writeTree(s1, mount, tree);
  await release(s1);

  const listed = await agentBay.context.listFiles(ctx.id, mount, 1, 1000);
  assert.equal(listed.success, true, listed.errorMessage);
  assert.deepEqual(
    listed.entries.map((e) => [e.fileName, e.fileType]).sort(),
    [[".agentbay-archive.zip", "file"], ["logs", "folder"], ["out.txt", "file"]],
  );
  const single = await agentBay.context.downloadFile(ctx.id, `${mount}/logs/a.log`);
  assert.equal(single.success, true, single.errorMessage);
  assert.equal(Buffer.from(single.content).toString(), "l");

  const s2 = await newSession([new ContextSync(ctx.id, mount, archive)]);
  try {
    assert.deepEqual(await treeIn(s2, mount), tree);
  } finally {
    await release(s2);
  }
});

test("extractPolicy: uploaded .zip/.tar.gz are extracted into a folder named after them; options change that", async () => {
  const mount = "/home/wuying/ex";
  const content = { "a.txt": "zip-a", "d/b.txt": "zip-b" };
  const ctx = await newContext("extract");
  for (const [name, bytes] of [
    ["bundle.zip", zipStored(content)],
    ["data.tar.gz", new Uint8Array(gzipSync(tar({ "x.txt": "tar-x", "y/z.txt": "tar-z" })))],
  ]) {
    const up = await agentBay.context.uploadFile(ctx.id, `${mount}/${name}`, bytes);
    assert.equal(up.success, true, up.errorMessage);
  }
  const s1 = await newSession([new ContextSync(ctx.id, mount, newSyncPolicy())]);
  try {
    assert.deepEqual(await treeIn(s1, mount), {
      "bundle/a.txt": "zip-a",
      "bundle/d/b.txt": "zip-b",
      "data/x.txt": "tar-x",
      "data/y/z.txt": "tar-z",
    });
  } finally {
    await agentBay.delete(s1);
  }

  // extractToCurrentFolder + keep the source; and extract:false leaves the archive alone.
  const ctx2 = await newContext("extract-opts");
  const zip = zipStored(content);
  assert.equal((await agentBay.context.uploadFile(ctx2.id, `${mount}/bundle.zip`, zip)).success, true);
  const here = policy((p) => {
    p.extractPolicy = { extract: true, deleteSrcFile: false, extractToCurrentFolder: true };
    p.uploadPolicy.autoUpload = false;
  });
  const s2 = await newSession([new ContextSync(ctx2.id, mount, here)]);
  try {
    assert.deepEqual(await treeIn(s2, mount), {
      "a.txt": "zip-a",
      "bundle.zip": `<binary ${zip.length} bytes>`,
      "d/b.txt": "zip-b",
    });
    const sum = await sh(s2, `sha256sum < ${q(`${mount}/bundle.zip`)}`);
    assert.equal(sum.split(" ")[0], createHash("sha256").update(zip).digest("hex"), "the source is kept byte for byte");
  } finally {
    await agentBay.delete(s2);
  }
  const off = policy((p) => {
    p.extractPolicy = { extract: false, deleteSrcFile: true, extractToCurrentFolder: false };
    p.uploadPolicy.autoUpload = false;
  });
  const s3 = await newSession([new ContextSync(ctx2.id, mount, off)]);
  try {
    assert.deepEqual(await treeIn(s3, mount), { "bundle.zip": `<binary ${zip.length} bytes>` });
  } finally {
    await agentBay.delete(s3);
  }
});

test("uploadPolicy.period: changes reach the context while the session runs; without period they do not", async () => {
  const periodic = await newContext("period");
  const plain = await newContext("period-none");
  const session = await newSession([
    new ContextSync(periodic.id, "/mnt/p", policy((p) => (p.uploadPolicy.period = 1))),
    new ContextSync(plain.id, "/mnt/q", newSyncPolicy()),
  ]);
  try {
    await writeTree(session, "/mnt", { "p/one.txt": "1", "q/one.txt": "1" });
    await eventually("the periodic upload stores p/one.txt", 15000, async () => {
      const t = await storedTree(periodic.id, "/mnt/p");
      return t["one.txt"] === "1" && t;
    });
    // A later change is picked up by a later period too (not a one-off upload).
    await writeTree(session, "/mnt", { "p/one.txt": "1b", "p/two.txt": "2" });
    await eventually("the next period stores the change", 15000, async () => {
      const t = await storedTree(periodic.id, "/mnt/p");
      return t["one.txt"] === "1b" && t["two.txt"] === "2" && t;
    });
    // Several periods have passed: a mount without period is untouched until release.
    assert.deepEqual(await storedTree(plain.id, "/mnt/q"), {});
  } finally {
    await release(session);
  }
  assert.deepEqual(await storedTree(plain.id, "/mnt/q"), { "one.txt": "1" });
  assert.deepEqual(await storedTree(periodic.id, "/mnt/p"), { "one.txt": "1b", "two.txt": "2" });
});
