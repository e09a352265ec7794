// Vite config of the example app. The page imports `agentbay-wasm` from this repository's
// built package (pkg/, made by `npm run build`), and the dev server (and `vite preview`) mount
// the key-holding proxy at /agentbay (agentbay-proxy.mjs).
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";
import { agentbayProxy } from "./agentbay-proxy.mjs";

const pkg = fileURLToPath(new URL("../pkg", import.meta.url));

/** Mounts the AgentBay proxy on Vite's own servers. */
function agentbayBackend() {
  // (A hook that returns a function has it run after Vite's middlewares: return nothing.)
  const mount = (server) => {
    server.middlewares.use("/agentbay", agentbayProxy());
  };
  return { name: "agentbay-backend", configureServer: mount, configurePreviewServer: mount };
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  resolve: {
    // A published app would `npm install agentbay-wasm`; here it is the package built in pkg/.
    alias: { "agentbay-wasm": pkg },
  },
  // The package loads its .wasm with `new URL(..., import.meta.url)`: leave it to Vite's asset
  // handling rather than pre-bundling it.
  optimizeDeps: { exclude: ["agentbay-wasm"] },
  server: { fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  plugins: [agentbayBackend()],
});
