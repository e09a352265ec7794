// The public surface of the built package (issue 3): every name is exported, with the right kind.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as sdk from "./helpers/sdk.mjs";

const CLASSES = [
  "AgentBay",
  "ContextSync",
  "SyncPolicy",
  "SyncPolicyImpl",
  "UploadPolicy",
  "DownloadPolicy",
  "DeletePolicy",
  "ExtractPolicy",
  "RecyclePolicy",
  "MappingPolicy",
  "WhiteList",
  "WhiteListValidator",
  "BWList",
  // Issue 10: what official code constructs itself.
  "Context",
  "ContextService",
  "ContextManager",
  "Session",
  "FileSystem",
  "Command",
  "Code",
  "Browser",
  "BrowserAgent",
  "Computer",
  "Mobile",
  // Official 0.21 live mounts (a plain-JS class, pkg-template/extras.mjs).
  "BetaContextMount",
];
const FUNCTIONS = [
  "newContextSync",
  "newSyncPolicy",
  "newSyncPolicyWithDefaults",
  "newUploadPolicy",
  "newDownloadPolicy",
  "newDeletePolicy",
  "newExtractPolicy",
  "newRecyclePolicy",
  "newMappingPolicy",
  "newContextManager",
  "newBetaContextMount",
  "initAsync",
  // The official logger (pkg-template/extras.mjs).
  "log",
  "logDebug",
  "logInfo",
  "logWarn",
  "logError",
  "setupLogger",
  "setLogLevel",
  "getLogLevel",
];
const ENUMS = [
  "UploadStrategy",
  "DownloadStrategy",
  "UploadMode",
  "Lifecycle",
  "BetaContextMountAccessMode",
  "BetaContextMountStrategy",
];

test("classes are exported and constructible", () => {
  const missing = CLASSES.filter((n) => typeof sdk[n] !== "function");
  assert.deepEqual(missing, [], `missing classes: ${missing.join(", ")}`);
});

test("factory functions are exported", () => {
  const missing = FUNCTIONS.filter((n) => typeof sdk[n] !== "function");
  assert.deepEqual(missing, [], `missing functions: ${missing.join(", ")}`);
});

test("enums are exported as frozen, non-empty objects", () => {
  for (const n of ENUMS) {
    assert.equal(typeof sdk[n], "object", n);
    assert.ok(Object.isFrozen(sdk[n]), `${n} is frozen`);
    assert.ok(Object.keys(sdk[n]).length > 0, `${n} has values`);
  }
});

test("no wasm-bindgen internals leak into the public exports", () => {
  const internal = Object.keys(sdk).filter((n) => n.startsWith("__wbg") || n.startsWith("__wbindgen"));
  assert.deepEqual(internal, []);
});
