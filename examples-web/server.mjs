// The example app in production: serves the built page (dist/, from `vite build`) and mounts the
// key-holding proxy at /agentbay. Plain node:http, no dependencies.
//
//   AGENTBAY_API_KEY=... AGENTBAY_ENDPOINT=http://127.0.0.1:9810 node examples-web/server.mjs [port]
import { createServer } from "node:http";
import { createReadStream, existsSync, statSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { agentbayProxy } from "./agentbay-proxy.mjs";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/**
 * Starts the server; resolves once it listens.
 * @param {{ port?: number, host?: string, dist?: string, apiKey?: string, endpoint?: string }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startAppServer(options = {}) {
  const dist = resolve(options.dist ?? fileURLToPath(new URL("./dist", import.meta.url)));
  if (!existsSync(join(dist, "index.html"))) throw new Error(`${dist}/index.html is missing: run 'npx vite build examples-web' first`);
  const proxy = agentbayProxy({ apiKey: options.apiKey, endpoint: options.endpoint });
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (path === "/agentbay" || path === "/agentbay/") {
      // The proxy expects the path it is mounted at to be stripped, as Vite and Express do.
      req.url = req.url.replace(/^\/agentbay/, "") || "/";
      return proxy(req, res);
    }
    const file = resolve(dist, "." + (path === "/" ? "/index.html" : path));
    const type = TYPES[extname(file)];
    if (req.method !== "GET" || !file.startsWith(dist + sep) || !type || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const cache = path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    res.writeHead(200, { "content-type": type, "cache-control": cache });
    createReadStream(file).pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", ok);
  });
  const { port } = server.address();
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}/`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const app = await startAppServer({ port: Number(process.argv[2] ?? 4173) });
  console.log(`examples-web: ${app.url}`);
}
