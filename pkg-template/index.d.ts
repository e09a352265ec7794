// Public types of agentbay-wasm: everything comes from agentbay_wasm.d.ts, which wasm-bindgen
// generates from the Rust SDK (the classes and functions, and the data types and enums generated
// from the Rust types, src/js/generated.d.ts). The loaders add initAsync(), declared here.
export * from "./agentbay_wasm";

/**
 * Loads the WebAssembly module. Required once in browsers/workers before any other call (the
 * default fetches the .wasm shipped next to the loader); a resolved no-op under Node and with the
 * `agentbay-wasm/bundler` entry, where the module is loaded at import time.
 */
export declare function initAsync(input?: InitInput): Promise<void>;

/**
 * Where initAsync() loads the module from: a URL (string or `URL`), a fetch `Response`, the bytes, or a
 * compiled `WebAssembly.Module`. The object cases are typed structurally so that projects without the
 * DOM lib (plain Node) compile.
 */
export type InitInput = string | ArrayBuffer | ArrayBufferView | object;
