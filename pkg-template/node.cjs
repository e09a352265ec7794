// Node.js CommonJS entry (`require("agentbay-wasm")`). Node 18/20 cannot require() ES modules,
// so this uses a CommonJS copy of the same wasm-bindgen glue (generated at build time) and the
// same single .wasm file as every other entry.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const http = require("node:http");
const https = require("node:https");
const zlib = require("node:zlib");
const bindings = require("./wasm/agentbay_wasm_bg.cjs");
const extras = require("./extras.cjs");

const bytes = fs.readFileSync(path.join(__dirname, "wasm", "agentbay_wasm_bg.wasm"));
const wasmModule = new WebAssembly.Module(bytes);
const imports = {};
for (const { module: name } of WebAssembly.Module.imports(wasmModule)) imports[name] = bindings;
const instance = new WebAssembly.Instance(wasmModule, imports);
bindings.__wbg_set_wasm(instance.exports);
if (typeof instance.exports.__wbindgen_start === "function") instance.exports.__wbindgen_start();

/*@@ENUMS@@*/

// The plain-JS part of the API (extras.cjs), wired into the classes; file logging and
// fileSystem.uploadFile/downloadFile with local paths use fs; requests go over keep-alive
// node:http / node:https agents (AGENTBAY_TRANSPORT=fetch keeps fetch).
const installed = extras.__install(bindings, { fs, path, http, https, zlib });

exports.initAsync = function initAsync() {
  return Promise.resolve();
};

/*@@PUBLIC_EXPORTS@@*/
