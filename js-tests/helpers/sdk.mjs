// The suites drive the BUILT package (pkg/, produced by `npm run build`) through its Node ESM
// entry; js-tests/package.test.mjs covers the installed-tarball paths (require, import, browser).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./server.mjs";

if (!existsSync(join(repoRoot, "pkg", "node.mjs"))) {
  throw new Error("pkg/ is not built: run 'npm run build' first");
}

export * from "../../pkg/node.mjs";
