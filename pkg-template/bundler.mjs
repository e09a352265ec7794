// Entry for bundlers with WebAssembly ESM integration (webpack `experiments.asyncWebAssembly`,
// vite-plugin-wasm, rollup-plugin-wasm): the bundler links the .wasm to the glue itself, so no
// `initAsync()` call is needed. Use it as `import { AgentBay } from "agentbay-wasm/bundler"`.
import * as wasm from "./wasm/agentbay_wasm_bg.wasm";
import * as bindings from "./wasm/agentbay_wasm_bg.js";
import { __install, __installBrowserHttp } from "./extras.mjs";

bindings.__wbg_set_wasm(wasm);
if (typeof wasm.__wbindgen_start === "function") wasm.__wbindgen_start();

/*@@ENUMS@@*/

// The plain-JS part of the API (extras.mjs), wired into the classes (no file logging here).
const installed = __install(bindings, {});
__installBrowserHttp(bindings);

export function initAsync() {
  return Promise.resolve();
}

/*@@PUBLIC_EXPORTS@@*/
