// The seed tutorial's TypeScript snippets, verbatim. They are kept as fixtures (CI may not have
// ../shared), and checked against the tutorial itself whenever it is present.
import { readFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./server.mjs";

export const fixturesDir = join(repoRoot, "js-tests", "fixtures", "seed");
export const seedMarkdown = [
  process.env.AGENTBAY_SEED_MD,
  join(repoRoot, "..", "shared", "seed", "data-persistence-with-contexts.md"),
  "/work/shared/seed/data-persistence-with-contexts.md",
].find((p) => p && existsSync(p));

/** Every ```typescript block of a markdown document, in order. */
export function typescriptBlocks(markdown) {
  return [...markdown.matchAll(/```typescript\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** The snippet fixtures, in tutorial order (file names start with their index). */
export function seedSnippets() {
  return readdirSync(fixturesDir)
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .map((f) => ({ name: f, code: readFileSync(join(fixturesDir, f), "utf8") }));
}
