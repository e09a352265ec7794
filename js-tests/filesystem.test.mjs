// The rest of the official FileSystem surface (searchFiles, readMultipleFiles, editFile and the method and
// getter aliases) driven through the built package against a real agentbay-local with real sandboxes.
// Every check crosses the tool boundary and asserts the exact result the SDK hands back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.mjs";
import { AgentBay, FileSystem } from "./helpers/sdk.mjs";

let server;
let agentBay;
let session;
before(async () => {
  server = await startServer();
  agentBay = new AgentBay({ apiKey: server.apiKey, endpoint: server.endpoint });
  const r = await agentBay.create({});
  assert.equal(r.success, true, r.errorMessage);
  session = r.session;
});
after(async () => {
  if (session) await agentBay.delete(session);
  await server?.stop();
});

async function write(path, content) {
  const w = await session.fileSystem.writeFile(path, content);
  assert.equal(w.success, true, w.errorMessage);
}

async function read(path) {
  const r = await session.fileSystem.readFile(path);
  assert.equal(r.success, true, r.errorMessage);
  return r.content;
}

/** Every result field except the request id, which only has to be present. */
function body(result) {
  assert.equal(typeof result.requestId, "string");
  const { requestId, ...rest } = result;
  return rest;
}

test("searchFiles: glob, case-insensitive substring, exclusions, no match; failures resolve with the tool's message", async () => {
  const fs = session.fileSystem;
  for (const p of ["a.txt", "b.log", "README.md", "sub/c.txt", "node_modules/d.txt"]) await write(`/tmp/s/${p}`, p);

  assert.deepEqual(body(await fs.searchFiles("/tmp/s", "*.txt")), {
    success: true,
    matches: ["/tmp/s/a.txt", "/tmp/s/node_modules/d.txt", "/tmp/s/sub/c.txt"],
  });
  assert.deepEqual(body(await fs.searchFiles("/tmp/s", "*.txt", ["node_modules"])), {
    success: true,
    matches: ["/tmp/s/a.txt", "/tmp/s/sub/c.txt"],
  });
  assert.deepEqual(body(await fs.searchFiles("/tmp/s", "*.txt", ["node_modules", "sub"])), {
    success: true,
    matches: ["/tmp/s/a.txt"],
  });
  assert.deepEqual(body(await fs.searchFiles("/tmp/s", "readme")), { success: true, matches: ["/tmp/s/README.md"] });
  assert.deepEqual(body(await fs.searchFiles("/tmp/s", "*.none", [])), { success: true, matches: [] });

  assert.deepEqual(body(await fs.searchFiles("/tmp/missing", "*")), {
    success: false,
    matches: [],
    errorMessage: "/tmp/missing: no such file or directory",
  });
  const badPattern = await fs.searchFiles("/tmp/s", "[");
  assert.equal(badPattern.success, false);
  assert.deepEqual(badPattern.matches, []);
  // A call the server rejects before it reaches the sandbox surfaces as the SDK's usual API error text.
  assert.match(
    badPattern.errorMessage,
    /^InvalidParameter\.Args: code: 400, invalid arguments: search_files: bad pattern "\[": Pattern syntax error/,
  );
  const badExclude = await fs.searchFiles("/tmp/s", "*", ["[x"]);
  assert.match(badExclude.errorMessage, /search_files: bad exclude pattern "\[x"/);
  // Wrong argument types resolve (the official methods never throw) with a precise message.
  assert.deepEqual(body(await fs.searchFiles("/tmp/s", "*", "node_modules")), {
    success: false,
    matches: [],
    errorMessage: "excludePatterns must be an array of strings, got string",
  });
});

test("readMultipleFiles: exact contents per path (separators and colons inside kept); a missing file is reported in its entry", async () => {
  const fs = session.fileSystem;
  const tricky = "key: value\n---\nnot a separator\n\n";
  await write("/tmp/m/1.txt", "first\n");
  await write("/tmp/m/two words.txt", tricky);
  await write("/tmp/m/empty", "");

  assert.deepEqual(body(await fs.readMultipleFiles(["/tmp/m/1.txt", "/tmp/m/two words.txt", "/tmp/m/empty"])), {
    success: true,
    contents: { "/tmp/m/1.txt": "first\n", "/tmp/m/two words.txt": tricky, "/tmp/m/empty": "" },
  });
  assert.deepEqual(body(await fs.readMultipleFiles(["/tmp/m/1.txt", "/tmp/m/nope"])), {
    success: true,
    contents: { "/tmp/m/1.txt": "first\n", "/tmp/m/nope": "Error - /tmp/m/nope: no such file or directory" },
  });
  assert.deepEqual(body(await fs.readMultipleFiles([])), { success: true, contents: {} });

  const emptyPath = await fs.readMultipleFiles([""]);
  assert.deepEqual(emptyPath.contents, {});
  assert.equal(emptyPath.success, false);
  assert.match(
    emptyPath.errorMessage,
    /^InvalidParameter\.Args: code: 400, invalid arguments: read_multiple_files: `paths\[\]` must not be empty request id: /,
  );
  assert.deepEqual(body(await fs.readMultipleFiles("/tmp/m/1.txt")), {
    success: false,
    contents: {},
    errorMessage: "paths must be an array of strings, got string",
  });
});

test("editFile: edits apply in order, dryRun changes nothing, a missing oldText fails and writes nothing", async () => {
  const fs = session.fileSystem;
  const path = "/tmp/e.txt";
  await write(path, "alpha\nbeta\ngamma\nbeta\n");

  const edited = await fs.editFile(path, [
    { oldText: "beta", newText: "BETA" },
    { oldText: "gamma\n", newText: "" },
  ]);
  assert.deepEqual(body(edited), { success: true, data: true });
  assert.equal(await read(path), "alpha\nBETA\nbeta\n");

  assert.deepEqual(body(await fs.editFile(path, [{ oldText: "alpha", newText: "A" }], true)), {
    success: true,
    data: true,
  });
  assert.equal(await read(path), "alpha\nBETA\nbeta\n");

  const notFound = await fs.editFile(path, [
    { oldText: "alpha", newText: "A" },
    { oldText: "nope", newText: "x" },
  ]);
  assert.deepEqual(body(notFound), { success: false, errorMessage: '/tmp/e.txt: edit 2: oldText not found: "nope"' });
  assert.equal(await read(path), "alpha\nBETA\nbeta\n");

  assert.deepEqual(body(await fs.editFile("/tmp/none.txt", [{ oldText: "a", newText: "b" }])), {
    success: false,
    errorMessage: "/tmp/none.txt: no such file or directory",
  });
  assert.deepEqual(body(await fs.editFile(path, [{ oldText: "a" }])), {
    success: false,
    errorMessage: "edits[0].newText must be a string, got undefined",
  });
  const noEdits = await fs.editFile(path, []);
  assert.equal(noEdits.success, false);
  assert.match(
    noEdits.errorMessage,
    /^InvalidParameter\.Args: code: 400, invalid arguments: edit_file: `edits` must not be empty request id: /,
  );
});

test("aliases: read/write, list/ls, delete/remove/rm on FileSystem; fs/filesystem/files on Session", async () => {
  for (const getter of ["fileSystem", "fs", "filesystem", "files"]) {
    assert.ok(session[getter] instanceof FileSystem, getter);
    assert.equal(session[getter], session.fileSystem, `session.${getter} is the same object`);
  }
  const { fs, filesystem, files } = session;
  assert.deepEqual(body(await fs.write("/tmp/al/x.txt", "one\n")), { success: true, data: true });
  assert.deepEqual(body(await filesystem.write("/tmp/al/x.txt", "two\n", "append")), { success: true, data: true });
  assert.deepEqual(body(await files.read("/tmp/al/x.txt")), { success: true, content: "one\ntwo\n" });
  for (const name of ["a", "b", "c"]) await write(`/tmp/al/${name}`, name);

  const names = async (method) => {
    const r = await fs[method]("/tmp/al");
    assert.equal(r.success, true, r.errorMessage);
    return r.entries.map((e) => `${e.name}${e.isDirectory ? "/" : ""}`);
  };
  assert.deepEqual(await names("list"), ["a", "b", "c", "x.txt"]);
  assert.deepEqual(await names("ls"), ["a", "b", "c", "x.txt"]);
  assert.deepEqual(body(await fs.delete("/tmp/al/a")), { success: true, data: true });
  assert.deepEqual(body(await filesystem.remove("/tmp/al/b")), { success: true, data: true });
  assert.deepEqual(body(await files.rm("/tmp/al/c")), { success: true, data: true });
  assert.deepEqual(await names("listDirectory"), ["x.txt"]);

  // Each alias fails exactly like the method it stands for.
  for (const method of ["delete", "remove", "rm", "deleteFile"]) {
    assert.deepEqual(body(await fs[method]("/tmp/al/a")), {
      success: false,
      errorMessage: "/tmp/al/a: no such file or directory",
    });
  }
  for (const method of ["list", "ls"]) {
    assert.deepEqual(body(await fs[method]("/tmp/al/x.txt")), {
      success: false,
      entries: [],
      errorMessage: "/tmp/al/x.txt: not a directory",
    });
  }
  const missing = await files.read("/tmp/al/none");
  assert.deepEqual(body(missing), { success: false, content: "", errorMessage: "/tmp/al/none: no such file or directory" });
  assert.deepEqual(body(await fs.write("/tmp/al/x.txt", "x", "sideways")), {
    success: false,
    errorMessage: "Invalid mode: sideways. Must be one of overwrite, append, create_new",
  });
});
