// The .wasm's size budget (scripts/size-budget.mjs): the built module is within it, and the build
// step that enforces it (scripts/assemble-pkg.mjs) really fails, with a clear message and before
// touching pkg/, when the module is over it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./helpers/server.mjs";
import { BUDGET, GOAL, sizes } from "../scripts/size-budget.mjs";

const wasm = join(repoRoot, "pkg", "wasm", "agentbay_wasm_bg.wasm");

/** Runs a repository script with the budget overrides of `env` only. */
function runScript(script, args, env = {}) {
  const clean = { ...process.env };
  delete clean.AGENTBAY_WASM_MAX_RAW;
  delete clean.AGENTBAY_WASM_MAX_GZIP;
  return spawnSync(process.execPath, [join(repoRoot, "scripts", script), ...args], {
    cwd: repoRoot,
    env: { ...clean, ...env },
    encoding: "utf8",
  });
}

test("the built .wasm is within the budget CI enforces", () => {
  const s = sizes(readFileSync(wasm));
  assert.ok(s.raw <= BUDGET.raw, `${s.raw} B raw > budget ${BUDGET.raw}`);
  assert.ok(s.gzip <= BUDGET.gzip, `${s.gzip} B gzip > budget ${BUDGET.gzip}`);
  assert.ok(BUDGET.raw >= GOAL.raw && BUDGET.gzip >= GOAL.gzip, "the goal is the floor the budget moves towards");
  const r = runScript("size-budget.mjs", [wasm]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${s.raw} B raw \\(budget ${BUDGET.raw}\\), ${s.gzip} B gzip -9`));
});

for (const [name, key] of [
  ["raw", "AGENTBAY_WASM_MAX_RAW"],
  ["gzip", "AGENTBAY_WASM_MAX_GZIP"],
]) {
  test(`the build fails before touching pkg/ when the .wasm's ${name} size is over budget`, () => {
    const s = sizes(readFileSync(wasm));
    const manifest = join(repoRoot, "pkg", "package.json");
    const before = { wasm: statSync(wasm).mtimeMs, manifest: readFileSync(manifest, "utf8") };
    const r = runScript("assemble-pkg.mjs", [], { [key]: String(s[name] - 1) });
    assert.equal(r.status, 1, `assemble-pkg.mjs must fail: ${r.stdout}${r.stderr}`);
    assert.match(
      r.stderr,
      new RegExp(`over its size budget: ${s[name]} bytes ${name === "raw" ? "raw" : "gzip -9"} exceeds the budget of ${s[name] - 1}`),
    );
    assert.match(r.stderr, /scripts\/size-budget\.mjs/);
    assert.equal(statSync(wasm).mtimeMs, before.wasm, "the .wasm was left alone");
    assert.equal(readFileSync(manifest, "utf8"), before.manifest, "pkg/ was left alone");
    // The standalone check (bench/size.mjs and CI logs use it) agrees.
    const c = runScript("size-budget.mjs", [wasm], { [key]: String(s[name] - 1) });
    assert.equal(c.status, 1);
    assert.match(c.stderr, /\[size\] ERROR: .*exceeds the budget/);
  });
}

test("a budget override that is not a positive number of bytes is refused", () => {
  const r = runScript("size-budget.mjs", [wasm], { AGENTBAY_WASM_MAX_RAW: "150KB" });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /AGENTBAY_WASM_MAX_RAW must be a positive number of bytes, got 150KB/);
});
