// The suites drive the BUILT package (pkg/, produced by `npm run build`) through its Node ESM
// entry; js-tests/package.test.mjs covers the installed-tarball paths (require, import, browser).
import { existsSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { repoRoot, uniqueName } from "./server.mjs";

if (!existsSync(join(repoRoot, "pkg", "node.mjs"))) {
  throw new Error("pkg/ is not built: run 'npm run build' first");
}

export * from "../../pkg/node.mjs";

/**
 * A new context named `uniqueName(prefix)` on `agentBay`'s server (the suites' common first
 * step); the test fails if it cannot be made.
 */
export async function freshContext(agentBay, prefix = "ctx") {
  const r = await agentBay.context.get(uniqueName(prefix), true);
  assert.equal(r.success, true, r.errorMessage);
  return r.context;
}
