// Browser / bundler / worker entry. Browsers cannot compile a module of this size synchronously
// on the main thread, so the .wasm is fetched by `initAsync()`, which must be awaited once
// before the API is used. `new URL(..., import.meta.url)` is the asset pattern that webpack 5,
// Vite, Parcel and esbuild (file loader) rewrite to the emitted .wasm URL.
import * as bindings from "./wasm/agentbay_wasm_bg.js";
import { __install, __installBrowserHttp } from "./extras.mjs";

bindings.__wbg_set_wasm(
  new Proxy(
    {},
    {
      get() {
        throw new Error("agentbay-wasm was used before it was initialised: call `await initAsync()` first");
      },
    },
  ),
);

/*@@ENUMS_DECL@@*/

// The plain-JS part of the API (extras.mjs), wired into the classes: it only touches their
// prototypes, so it needs no .wasm yet (and no file logging in browsers).
const installed = __install(bindings, {});

let loading = null;

/**
 * Loads and instantiates the WebAssembly module. Safe to call many times.
 * @param {URL | string | Response | BufferSource | WebAssembly.Module} [input] where to get the .wasm
 *   (default: the file shipped next to this loader)
 */
export function initAsync(input) {
  if (!loading) {
    loading = load(input ?? new URL("./wasm/agentbay_wasm_bg.wasm", import.meta.url));
    // A failed load (network error, wrong URL) must not poison later attempts.
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

async function compile(input) {
  if (input instanceof WebAssembly.Module) return input;
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) return WebAssembly.compile(input);
  const response = typeof Response !== "undefined" && input instanceof Response ? input : await fetch(input);
  if (!response.ok) {
    throw new Error(`agentbay-wasm: could not fetch ${response.url || String(input)}: HTTP ${response.status}`);
  }
  const type = response.headers.get("content-type") || "";
  if (typeof WebAssembly.compileStreaming === "function" && type.startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

async function load(input) {
  const module = await compile(input);
  const imports = {};
  for (const { module: name } of WebAssembly.Module.imports(module)) imports[name] = bindings;
  const instance = await WebAssembly.instantiate(module, imports);
  bindings.__wbg_set_wasm(instance.exports);
  if (typeof instance.exports.__wbindgen_start === "function") instance.exports.__wbindgen_start();
  __installBrowserHttp(bindings);
  /*@@ENUMS_FILL@@*/
}

/*@@PUBLIC_EXPORTS@@*/
