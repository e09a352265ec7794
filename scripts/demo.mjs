// npm run demo: the seed tutorial's flow through the built package against a fresh agentbay-local.
import { startServer } from "../js-tests/helpers/server.mjs";
import { AgentBay, ContextSync, SyncPolicy } from "../pkg/node.mjs";

const step = (n, text) => console.log(`[${n}] ${text}`);
const fail = (what, r) => {
  throw new Error(`${what} failed: ${r?.errorMessage ?? JSON.stringify(r)}`);
};

const server = await startServer({ dataDirPrefix: "agentbay-local-demo-" });
let exitCode = 0;
try {
  step(0, `agentbay-local listening at ${server.endpoint} (data dir ${server.dataDir})`);
  server.useEnv(); // AGENTBAY_ENDPOINT / AGENTBAY_API_KEY, as a user would set them
  const agentBay = new AgentBay({ apiKey: process.env.AGENTBAY_API_KEY });

  const contextResult = await agentBay.context.get("my-persistent-context", true);
  if (!contextResult.success) fail("context.get", contextResult);
  const context = contextResult.context;
  step(1, `context "${context.name}" id=${context.id}`);

  const contextSync = new ContextSync({ contextId: context.id, path: "/mnt/data", policy: SyncPolicy.default() });
  const first = await agentBay.create({ contextSync: [contextSync] });
  if (!first.success) fail("create", first);
  step(2, `session 1 created: ${first.session.sessionId} (context mounted at /mnt/data)`);

  const write = await first.session.command.execute("echo 'Hello, World!' > /mnt/data/hello.txt");
  if (!write.success) fail("write", write);
  step(3, `session 1 wrote /mnt/data/hello.txt (exit code ${write.exitCode})`);

  const del = await agentBay.delete(first.session, true);
  if (!del.success) fail("delete", del);
  step(4, `session 1 deleted with syncContext=true (context uploaded before release)`);

  const second = await agentBay.create({ contextSync: [contextSync] });
  if (!second.success) fail("create", second);
  step(5, `session 2 created: ${second.session.sessionId} (same context at /mnt/data)`);

  const read = await second.session.command.execute("cat /mnt/data/hello.txt");
  if (!read.success) fail("read", read);
  step(6, `session 2 read /mnt/data/hello.txt: ${JSON.stringify(read.stdout)}`);
  await agentBay.delete(second.session);

  if (read.stdout !== "Hello, World!\n") {
    console.error("demo FAILED: the file did not come back as written");
    exitCode = 1;
  } else {
    console.log("demo OK: data written in session 1 was read back in session 2");
  }
} catch (e) {
  console.error(`demo FAILED: ${e.message}`);
  exitCode = 1;
} finally {
  await server.stop();
}
process.exit(exitCode);
