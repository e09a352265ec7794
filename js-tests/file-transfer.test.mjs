// fileSystem.uploadFile / downloadFile / getFileTransferContextPath (official file transfer) through the
// built package against a real agentbay-local: bytes and local files into a session, session files out to
// bytes and local files, with the exact official results, and every refusal as a result.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "./helpers/server.mjs";
import { AgentBay, FileSystem } from "./helpers/sdk.mjs";

const DIR = "/tmp/file_transfer";

let server;
let agentBay;
let session;
let local;
before(async () => {
  server = await startServer();
  agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint });
  const r = await agentBay.create({});
  assert.equal(r.success, true, r.errorMessage);
  session = r.session;
  local = mkdtempSync(join(tmpdir(), "agentbay-ft-test-"));
});
after(async () => {
  if (session && !session.deleted) await agentBay.delete(session);
  await server?.stop();
  if (local) rmSync(local, { recursive: true, force: true });
});

/** The result with its request ids checked (non-empty strings) and left out. */
function ids(result, ...keys) {
  const out = { ...result };
  for (const k of keys) {
    assert.equal(typeof out[k], "string", `${k} is a request id`);
    assert.ok(out[k].length > 0, `${k} is not empty`);
    delete out[k];
  }
  return out;
}

async function readBytes(path) {
  const r = await session.fileSystem.readFile(path, { format: "bytes" });
  assert.equal(r.success, true, r.errorMessage);
  return r.content;
}

test("getFileTransferContextPath: the transfer directory, the same on every call and every FileSystem object", async () => {
  assert.equal(await session.fileSystem.getFileTransferContextPath(), DIR);
  assert.equal(await session.fs.getFileTransferContextPath(), DIR);
  assert.equal(await new FileSystem(session).getFileTransferContextPath(), DIR);
});

test("uploadFile: bytes, ArrayBuffer, Blob and a local file land in the session with the exact bytes", async () => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const progress = [];
  const remote = `${DIR}/bytes.bin`;
  const r = await session.fileSystem.uploadFile(bytes, remote, { progressCb: (n) => progress.push(n) });
  assert.deepEqual(ids(r, "requestIdUploadUrl", "requestIdSync"), {
    success: true,
    httpStatus: 200,
    etag: "",
    bytesSent: 256,
    path: remote,
  });
  assert.deepEqual(progress, [256]);
  assert.deepEqual(await readBytes(remote), bytes);

  const buffer = new TextEncoder().encode("from an ArrayBuffer").buffer;
  const r2 = await session.fileSystem.uploadFile(buffer, `${DIR}/buffer.txt`, { contentType: "text/plain" });
  assert.equal(r2.success, true, r2.error);
  assert.equal((await session.fileSystem.readFile(`${DIR}/buffer.txt`)).content, "from an ArrayBuffer");

  const r3 = await session.fileSystem.uploadFile(new Blob(["from a Blob"]), `${DIR}/sub/blob.txt`);
  assert.deepEqual(ids(r3, "requestIdUploadUrl", "requestIdSync"), {
    success: true,
    httpStatus: 200,
    etag: "",
    bytesSent: 11,
    path: `${DIR}/sub/blob.txt`,
  });
  assert.equal((await session.fileSystem.readFile(`${DIR}/sub/blob.txt`)).content, "from a Blob");

  const file = join(local, "local-upload.txt");
  writeFileSync(file, "a local file\n".repeat(100));
  const r4 = await session.filesystem.uploadFile(file, `${DIR}/local.txt`);
  assert.equal(r4.success, true, r4.error);
  assert.equal(r4.bytesSent, 1300);
  assert.equal((await session.fileSystem.readFile(`${DIR}/local.txt`)).content, "a local file\n".repeat(100));
});

test("uploadFile with wait: false returns once the sync started; the file arrives", async () => {
  const remote = `${DIR}/nowait.txt`;
  const r = await session.fileSystem.uploadFile(new TextEncoder().encode("no wait"), remote, { wait: false });
  assert.deepEqual(ids(r, "requestIdUploadUrl", "requestIdSync"), {
    success: true,
    httpStatus: 200,
    etag: "",
    bytesSent: 7,
    path: remote,
  });
  let content;
  for (let i = 0; i < 50 && content !== "no wait"; i++) {
    content = (await session.fileSystem.readFile(remote)).content;
    if (content !== "no wait") await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(content, "no wait");
});

test("downloadFile: a session file to a new local path (folders made), to bytes, and overwrite=false refused", async () => {
  const remote = `${DIR}/from-session.txt`;
  const text = "written in the session\n".repeat(50);
  const w = await session.fileSystem.writeFile(remote, text);
  assert.equal(w.success, true, w.errorMessage);

  const dest = join(local, "nested", "dir", "downloaded.txt");
  const progress = [];
  const r = await session.fileSystem.downloadFile(remote, dest, { progressCb: (n) => progress.push(n) });
  assert.deepEqual(ids(r, "requestIdDownloadUrl", "requestIdSync"), {
    success: true,
    httpStatus: 200,
    bytesReceived: text.length,
    path: remote,
    localPath: dest,
  });
  assert.deepEqual(progress, [text.length]);
  assert.equal(readFileSync(dest, "utf8"), text);

  const inMemory = await session.fileSystem.downloadFile(remote);
  assert.ok(inMemory.content instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(inMemory.content), text);
  assert.deepEqual(ids({ ...inMemory, content: undefined }, "requestIdDownloadUrl", "requestIdSync"), {
    success: true,
    httpStatus: 200,
    bytesReceived: text.length,
    path: remote,
    localPath: "",
    content: undefined,
  });

  // Binary content survives both ways.
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
  assert.equal((await session.fileSystem.uploadFile(bytes, `${DIR}/round.bin`)).success, true);
  assert.deepEqual((await session.fileSystem.downloadFile(`${DIR}/round.bin`)).content, bytes);

  writeFileSync(dest, "keep me");
  const kept = await session.fileSystem.downloadFile(remote, dest, { overwrite: false });
  assert.deepEqual(ids(kept, "requestIdDownloadUrl", "requestIdSync"), {
    success: false,
    bytesReceived: 0,
    path: remote,
    localPath: dest,
    error: `Destination exists and overwrite=false: ${dest}`,
  });
  assert.equal(readFileSync(dest, "utf8"), "keep me");
  // overwrite defaults to true.
  assert.equal((await session.fileSystem.downloadFile(remote, dest)).success, true);
  assert.equal(readFileSync(dest, "utf8"), text);
});

test("refusals: a remote path outside the transfer directory, a missing local file, a file not in the session, bad data", async () => {
  const fs = session.fileSystem;
  const outside = await fs.uploadFile(new TextEncoder().encode("x"), "/home/wuying/outside.txt");
  const noMount = (p) =>
    new RegExp(
      `^\\[InvalidParameter\\] The parameter ContextId/Path is invalid: session ${session.sessionId} has no mount of context \\S+ at or above path ${p} \\(it mounts that context at: ${DIR}\\)$`,
    );
  assert.equal(outside.success, false);
  assert.match(outside.error.replace("session.context.sync(upload) failed: ", ""), noMount("/home/wuying/outside.txt"));
  assert.ok(outside.error.startsWith("session.context.sync(upload) failed: [InvalidParameter] "), outside.error);
  assert.deepEqual(ids({ ...outside, error: "" }, "requestIdUploadUrl", "requestIdSync"), {
    success: false,
    httpStatus: 200,
    etag: "",
    bytesSent: 1,
    path: "/home/wuying/outside.txt",
    error: "",
  });

  const outsideDown = await fs.downloadFile("/etc/hostname");
  assert.equal(outsideDown.success, false);
  assert.ok(outsideDown.error.startsWith("session.context.sync(download) failed: [InvalidParameter] "), outsideDown.error);
  assert.match(outsideDown.error.replace("session.context.sync(download) failed: ", ""), noMount("/etc/hostname"));
  assert.equal(outsideDown.content, undefined);

  const missing = join(local, "does-not-exist.txt");
  assert.deepEqual(await fs.uploadFile(missing, `${DIR}/x.txt`), {
    success: false,
    bytesSent: 0,
    path: `${DIR}/x.txt`,
    error: `Local file not found: ${missing}`,
  });

  const notThere = await fs.downloadFile(`${DIR}/never-written.txt`, join(local, "never.txt"));
  assert.equal(notThere.success, false);
  assert.match(
    notThere.error,
    /^getFileDownloadUrl failed: Failed to get file URL: InvalidFile\.NotFound: code: 400, file not exist: '\/tmp\/file_transfer\/never-written\.txt' is not in the context request id: \S+$/,
  );
  assert.equal(existsSync(join(local, "never.txt")), false);

  assert.deepEqual(await fs.uploadFile(42, `${DIR}/n.txt`), {
    success: false,
    bytesSent: 0,
    path: `${DIR}/n.txt`,
    error: "localPathOrData must be a local file path (string), Uint8Array, ArrayBuffer or Blob",
  });
});

test("a deleted session: every transfer call resolves with the deletion message", async () => {
  const r = await agentBay.create({});
  assert.equal(r.success, true, r.errorMessage);
  const s = r.session;
  assert.equal((await agentBay.delete(s)).success, true);
  const gone = `Session ${s.sessionId} has been deleted; create a new session`;
  assert.equal(await s.fileSystem.getFileTransferContextPath(), null);
  assert.deepEqual(await s.fileSystem.uploadFile(new Uint8Array(1), `${DIR}/a`), {
    success: false,
    bytesSent: 0,
    path: `${DIR}/a`,
    error: gone,
  });
  assert.deepEqual(await s.fileSystem.downloadFile(`${DIR}/a`, join(local, "a")), {
    success: false,
    bytesReceived: 0,
    path: `${DIR}/a`,
    localPath: join(local, "a"),
    error: gone,
  });
});

/** Checks a transfer's `onProgress` reports: rising, never past the total, ending once at it. */
function assertProgress(reports, size, what) {
  assert.ok(reports.length >= 2, `${what}: more than one report for ${size} bytes (got ${reports.length})`);
  for (let i = 1; i < reports.length; i++) {
    assert.ok(reports[i].bytesDone >= reports[i - 1].bytesDone, `${what}: rising at ${i}`);
  }
  for (const r of reports) {
    assert.ok(r.bytesDone <= size, `${what}: ${r.bytesDone} is within ${size}`);
    if (r.total !== undefined) assert.equal(r.total, size, `${what}: total`);
  }
  assert.deepEqual(reports.at(-1), { bytesDone: size, total: size }, `${what}: ends at the total`);
  assert.equal(reports.filter((r) => r.bytesDone === size && r.total === size).length, 1, `${what}: the end once`);
}

for (const transport of ["node:http", "fetch"]) {
  test(`onProgress over ${transport}: a 3 MiB upload and download report { bytesDone, total } in steps; progressCb hears the same counts`, async () => {
    const saved = process.env.AGENTBAY_TRANSPORT;
    if (transport === "fetch") process.env.AGENTBAY_TRANSPORT = "fetch";
    try {
      const size = 3 * 1024 * 1024 + 17;
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 7919) & 0xff;
      const remote = `${DIR}/progress-${transport.replace(":", "-")}.bin`;
      const up = [];
      const upCounts = [];
      const r = await session.fileSystem.uploadFile(bytes, remote, {
        onProgress: (p) => up.push(p),
        progressCb: (n) => upCounts.push(n),
      });
      assert.equal(r.success, true, r.error);
      assert.equal(r.bytesSent, size);
      if (transport === "node:http") assertProgress(up, size, "upload");
      // fetch cannot report an upload's progress: the one report is the whole file.
      else assert.deepEqual(up, [{ bytesDone: size, total: size }]);
      assert.deepEqual(upCounts, up.map((p) => p.bytesDone));

      const down = [];
      const d = await session.fileSystem.downloadFile(remote, undefined, { onProgress: (p) => down.push(p) });
      assert.equal(d.success, true, d.error);
      assert.deepEqual(d.content, bytes);
      assertProgress(down, size, "download");
    } finally {
      if (saved === undefined) delete process.env.AGENTBAY_TRANSPORT;
      else process.env.AGENTBAY_TRANSPORT = saved;
    }
  });
}

test("onProgress: a listener that throws does not stop the transfer", async () => {
  const remote = `${DIR}/throwing-listener.txt`;
  const r = await session.fileSystem.uploadFile(new TextEncoder().encode("still here"), remote, {
    onProgress: () => {
      throw new Error("listener failed");
    },
  });
  assert.equal(r.success, true, r.error);
  assert.equal((await session.fileSystem.readFile(remote)).content, "still here");
});
