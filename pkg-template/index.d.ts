// Public types of agentbay-wasm: everything comes from agentbay_wasm.d.ts, which wasm-bindgen
// generates from the Rust SDK (the classes and functions, and the data types and enums generated
// from the Rust types, src/js/generated.d.ts). The loaders add initAsync() and the logger
// functions (extras.mjs), declared here; the other plain-JS classes of extras.mjs (Context, Code,
// Browser, Computer, Mobile) are declared in agentbay_wasm.d.ts, where Session refers to them.
export * from "./agentbay_wasm";

// wasm-bindgen gives every class `[Symbol.dispose](): void`. `Symbol.dispose` is declared by
// TypeScript's lib only from `esnext.disposable` (or by @types/node), so a browser project on
// `lib: ["ES2022", "DOM"]` with `skipLibCheck: false` would fail on our declarations
// (js-tests/consumers.test.mjs, the bundler-resolution project). The same declaration as
// TypeScript's lib and @types/node's, which merge with it.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

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

/** A logger level, lowest first. */
export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

/** `setupLogger(config)`: every field may be left out. */
export interface LoggerConfig {
  /** The lowest level written (default: `LOG_LEVEL` / `AGENTBAY_LOG_LEVEL`, else `INFO`). */
  level?: LogLevel;
  /** Node only: also append every line to this file (`""` turns it off). */
  logFile?: string;
  /** When the log file is rotated to `<logFile>.1`, e.g. `"100 MB"` (default `"10 MB"`). */
  maxFileSize?: string;
  /** Whether lines go to stdout/stderr (default true). */
  enableConsole?: boolean;
  /** `"pretty"` (default), or `"sls"` / `"compact"` for plain `LEVEL: message` lines. */
  format?: string;
}

/**
 * Logs a message without a level prefix, at INFO level, then each extra argument on its own line
 * (objects as indented JSON). Every configured API key, `akm-…` key and bearer token is masked.
 */
export declare function log(message: string, ...args: unknown[]): void;
/** Logs a DEBUG message to stdout, then each extra argument (masked like `log`). */
export declare function logDebug(message: string, ...args: unknown[]): void;
/** Logs an INFO message to stdout, then each extra argument (masked like `log`). */
export declare function logInfo(message: string, ...args: unknown[]): void;
/** Logs a WARN message to stderr, then each extra argument (masked like `log`). */
export declare function logWarn(message: string, ...args: unknown[]): void;
/** Logs an ERROR message to stderr, then the error's message and stack, or the value as JSON. */
export declare function logError(message: string, error?: unknown): void;
/** Sets the lowest level written; values other than the four levels are ignored. */
export declare function setLogLevel(level: LogLevel): void;
/** The lowest level written. */
export declare function getLogLevel(): LogLevel;
/** Configures the level, the console, an optional log file (Node) and the line format. */
export declare function setupLogger(config: LoggerConfig): void;
