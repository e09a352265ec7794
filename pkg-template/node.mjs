// Node.js ESM entry (`import ... from "agentbay-wasm"` under Node).
// The one .wasm file is read from disk and instantiated synchronously at import time, so the
// API is usable immediately; `initAsync()` exists only so code shared with browsers can await it.
import * as fs from "node:fs";
import * as path from "node:path";
import * as http from "node:http";
import * as https from "node:https";
import * as zlib from "node:zlib";
import * as bindings from "./wasm/agentbay_wasm_bg.js";
import { __install } from "./extras.mjs";

const bytes = fs.readFileSync(new URL("./wasm/agentbay_wasm_bg.wasm", import.meta.url));
const module = new WebAssembly.Module(bytes);
// Every import of the module is served by the glue; asking the module for its import
// namespaces keeps this independent of the name wasm-bindgen gave the glue file.
const imports = {};
for (const { module: name } of WebAssembly.Module.imports(module)) imports[name] = bindings;
const instance = new WebAssembly.Instance(module, imports);
bindings.__wbg_set_wasm(instance.exports);
if (typeof instance.exports.__wbindgen_start === "function") instance.exports.__wbindgen_start();

/*@@ENUMS@@*/

// The plain-JS part of the API (extras.mjs), wired into the classes; file logging and
// fileSystem.uploadFile/downloadFile with local paths use fs; requests go over keep-alive
// node:http / node:https agents (AGENTBAY_TRANSPORT=fetch keeps fetch).
const installed = __install(bindings, { fs, path, http, https, zlib });

export function initAsync() {
  return Promise.resolve();
}

/*@@PUBLIC_EXPORTS@@*/
