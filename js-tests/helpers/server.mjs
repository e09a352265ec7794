// Starts a real agentbay-local (the cargo-built binary) on a free loopback port with a fresh data
// dir, for one test file. The server prints one line when ready:
//   agentbay-local listening endpoint=http://127.0.0.1:PORT api_key=KEY data_dir=DIR
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

const READY = /agentbay-local listening endpoint=(\S+) api_key=(\S+) data_dir=(.+)$/m;

export function serverBinary() {
  const candidates = [
    process.env.AGENTBAY_LOCAL_BIN,
    join(repoRoot, "target", "debug", "agentbay-local"),
    join(repoRoot, "target", "release", "agentbay-local"),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `agentbay-local binary not found (looked at ${candidates.join(", ")}); run 'cargo build -p agentbay-local'`,
    );
  }
  return found;
}

/**
 * @param {{ apiKeys?: string[], args?: string[], timeoutMs?: number, dataDirPrefix?: string }} [options]
 * @returns {Promise<{ endpoint: string, apiKey: string, dataDir: string, url: URL, pid: number,
 *   output: () => string, stop: () => Promise<void>, useEnv: () => void }>}
 */
export async function startServer(options = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), options.dataDirPrefix ?? "agentbay-local-test-"));
  const args = ["--listen", "127.0.0.1:0", "--data-dir", dataDir];
  for (const key of options.apiKeys ?? []) args.push("--api-key", key);
  args.push(...(options.args ?? []));
  const child = spawn(serverBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));

  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`agentbay-local did not print its ready line within ${options.timeoutMs ?? 30000} ms:\n${out}`));
    }, options.timeoutMs ?? 30000);
    const check = () => {
      const m = out.match(READY);
      if (m) {
        clearTimeout(timer);
        resolve({ endpoint: m[1], apiKey: m[2], dataDir: m[3].trim() });
      }
    };
    child.stdout.on("data", check);
    child.stderr.on("data", check);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`agentbay-local exited early (code ${code}, signal ${signal}):\n${out}`));
    });
  });

  let stopped = false;
  const server = {
    endpoint: ready.endpoint,
    apiKey: ready.apiKey,
    dataDir,
    url: new URL(ready.endpoint),
    pid: child.pid,
    output: () => out,
    /** Points the SDK's environment fallback (AGENTBAY_ENDPOINT / AGENTBAY_API_KEY) at this server. */
    useEnv() {
      process.env.AGENTBAY_ENDPOINT = ready.endpoint;
      process.env.AGENTBAY_API_KEY = ready.apiKey;
    },
    /** SIGTERM (clean shutdown: sessions released under their policies), SIGKILL after 20 s. */
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 20000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** A name that no other test (or earlier run against the same data dir) uses. */
export function uniqueName(prefix) {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
