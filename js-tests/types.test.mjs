// The package's TypeScript declarations against what the Rust types produce (issue 9 item 3).
//
// src/js/generated.d.ts is generated from the Rust types (src/typescript.rs), and
// tests/typescript.rs fails when it is stale. Here: every one of its declarations is in the
// assembled pkg/agentbay_wasm.d.ts as written, no name is declared twice (a hand-written copy
// beside a generated one), and the enums the .d.ts declares are the ones the .wasm exports.
// js-tests/package.test.mjs then compiles TypeScript consumers against the installed package with
// `skipLibCheck: false`, which fails on any declared type naming a type that does not exist.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./helpers/server.mjs";
import * as sdk from "./helpers/sdk.mjs";
import * as glue from "../pkg/wasm/agentbay_wasm_bg.js";

const generated = readFileSync(join(repoRoot, "src", "js", "generated.d.ts"), "utf8");
const assembled = readFileSync(join(repoRoot, "pkg", "agentbay_wasm.d.ts"), "utf8");
const index = readFileSync(join(repoRoot, "pkg", "index.d.ts"), "utf8");

/** Whitespace-insensitive form (wasm-bindgen re-indents custom sections). */
const flat = (s) => s.replace(/\s+/g, " ").trim();

/** The declarations of a .d.ts text: each `export …` with the JSDoc just above it. */
function declarations(text) {
  const lines = text.replace(/^\/\/.*$/gm, "").split("\n");
  const out = [];
  let current = null;
  let doc = [];
  for (const line of lines) {
    if (/^\s*\/\*\*/.test(line) && !current?.open) {
      if (current) out.push(current), (current = null);
      doc = [line];
      if (!line.includes("*/")) doc.open = true;
      continue;
    }
    if (doc.open) {
      doc.push(line);
      if (line.includes("*/")) doc.open = false;
      continue;
    }
    const m = line.match(/^export (?:declare )?(type|interface|const|class|function) (\w+)/);
    if (m) {
      if (current) out.push(current);
      current = { kind: m[1], name: m[2], text: [...doc, line].join("\n") };
      doc = [];
    } else if (current && line.trim()) {
      current.text += "\n" + line;
    }
  }
  if (current) out.push(current);
  return out;
}

/** Every `export` declaration of the public .d.ts files, by name. */
function declaredNames() {
  const names = new Map();
  for (const [file, text] of [
    ["agentbay_wasm.d.ts", assembled],
    ["index.d.ts", index],
  ]) {
    const noComments = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    for (const m of noComments.matchAll(/^export (?:declare )?(type|interface|const|class|function) (\w+)/gm)) {
      if (!names.has(m[2])) names.set(m[2], []);
      names.get(m[2]).push(`${m[1]} in ${file}`);
    }
  }
  return names;
}

test("every generated declaration is in the assembled .d.ts, as generated", () => {
  const decls = declarations(generated);
  assert.ok(decls.length > 50, `only ${decls.length} declarations found in src/js/generated.d.ts`);
  const missing = decls.filter((d) => !flat(assembled).includes(flat(d.text))).map((d) => d.name);
  assert.deepEqual(missing, [], "generated declarations missing from (or changed in) pkg/agentbay_wasm.d.ts");
});

test("no name has two declarations (a hand-written copy beside a generated one)", () => {
  const twice = [];
  for (const [name, kinds] of declaredNames()) {
    const types = kinds.filter((k) => /^(type|interface|class)/.test(k));
    const values = kinds.filter((k) => /^(const|class|function)/.test(k));
    // A class may be merged with one interface of its name (FileSystem's byte overloads).
    const merged = types.length === 2 && types.some((k) => k.startsWith("class")) && types.some((k) => k.startsWith("interface"));
    if ((types.length > 1 && !merged) || values.length > 1) twice.push(`${name}: ${kinds.join(", ")}`);
  }
  assert.deepEqual(twice, []);
  assert.doesNotMatch(
    index,
    /UploadStrategy|DownloadStrategy|UploadMode|Lifecycle|BetaContextMount/,
    "index.d.ts re-declares an enum",
  );
});

test("the enums the .d.ts declares are the ones the .wasm exports, with their values", () => {
  // One line per enum: its name, then its values, or Key=value pairs (src/js/policy.rs).
  const entry = (v) => (v.includes("=") ? v.split("=") : [v, v]);
  const fromWasm = Object.fromEntries(
    glue
      .__agentbayEnums()
      .split("\n")
      .map((line) => line.split(" "))
      .map(([name, ...values]) => [name, Object.fromEntries(values.map(entry))]),
  );
  // Keyed by value (`{ readonly [K in X]: K }`) or by the official keys (`{ readonly Key: "value"; … }`).
  const byValue = [...assembled.matchAll(/^export declare const (\w+): \{ readonly \[K in (\w+)\]: K \};$/gm)];
  const byKey = [...assembled.matchAll(/^export declare const (\w+): \{((?: readonly \w+: "[^"]*";)+) \};$/gm)];
  assert.deepEqual(
    [...byValue, ...byKey].map((m) => m[1]).sort(),
    Object.keys(fromWasm).sort(),
    "declared enum objects vs __agentbayEnums()",
  );
  for (const m of byKey) {
    const declared = Object.fromEntries([...m[2].matchAll(/readonly (\w+): "([^"]*)";/g)].map((p) => [p[1], p[2]]));
    assert.deepEqual(declared, fromWasm[m[1]], `${m[1]}: declared keys and values vs the .wasm's`);
  }
  for (const [name, values] of Object.entries(fromWasm)) {
    const union = assembled.match(new RegExp(`^export type ${name} = ([^;]*);$`, "m"));
    assert.ok(union, `no type ${name}`);
    const literals = [...union[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(literals, Object.values(values), `${name}: declared values vs the .wasm's`);
    assert.deepEqual({ ...sdk[name] }, { ...values }, `the package exports ${name} as the .wasm gives it`);
  }
  // The live-mount enums have the official keys and values.
  assert.deepEqual({ ...sdk.BetaContextMountAccessMode }, { ReadWrite: "readWrite", ReadOnly: "readOnly" });
  assert.deepEqual({ ...sdk.BetaContextMountStrategy }, { Standard: "standard", Performance: "performance" });
});

test("the public .d.ts has no `any` in any form", () => {
  for (const [file, text] of [
    ["agentbay_wasm.d.ts", assembled],
    ["index.d.ts", index],
  ]) {
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    const hits = code.split("\n").filter((l) => /:\s*any\b|<any\b|\bany\[\]|\|\s*any\b|\bany\s*\|/.test(l));
    assert.deepEqual(hits, [], `${file} uses any`);
  }
});

test("every doc comment reaches the .d.ts as text (none as a Rust raw string)", () => {
  // A `///` comment that a macro_rules! passes on as `$(#[$doc:meta])*` reaches wasm-bindgen as a
  // raw string literal, whose `r"` it keeps: such docs must be written `#[doc = "..."]`.
  const leaked = assembled.split("\n").filter((l) => /^\s*\*\s*r#*"/.test(l));
  assert.deepEqual(leaked, []);
});
