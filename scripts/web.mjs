// npm run web: starts agentbay-local (fresh data dir) and the example app (examples-web/, Vite dev
// server) together, and prints the URL. The API key stays in this process: the dev server's
// /agentbay proxy adds it (examples-web/agentbay-proxy.mjs); the page never has it.
//
//   npm run web                 # http://127.0.0.1:5173/
//   PORT=8080 npm run web       # another port
import { join } from "node:path";
import { createServer } from "vite";
import { startServer, repoRoot } from "../js-tests/helpers/server.mjs";

const local = await startServer({ dataDirPrefix: "agentbay-local-web-" });
// Read by the proxy on the server side only (Vite exposes nothing but VITE_* variables to pages).
process.env.AGENTBAY_API_KEY = local.apiKey;
process.env.AGENTBAY_ENDPOINT = local.endpoint;

let vite;
try {
  vite = await createServer({
    configFile: join(repoRoot, "examples-web", "vite.config.mjs"),
    server: { host: process.env.HOST ?? "127.0.0.1", port: Number(process.env.PORT ?? 5173) },
  });
  await vite.listen();
} catch (e) {
  await local.stop();
  throw e;
}

const url = vite.resolvedUrls?.local[0] ?? `http://127.0.0.1:${vite.config.server.port}/`;
console.log(`
  agentbay-local  ${local.endpoint}  (data dir ${local.dataDir}, removed on exit)
  example app     ${url}
  The page talks to ${url}agentbay; the key stays in this process. Ctrl-C stops both.
`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await vite.close();
  await local.stop();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
