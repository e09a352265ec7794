//! TypeScript for the values the API takes and gives.
//!
//! * The data types (results, policies, parameters and options, the enums) are generated from
//!   the Rust types into generated.d.ts (src/typescript.rs; tests/typescript.rs keeps the file
//!   in step), included here as it is.
//! * The classes and functions get their declarations from wasm-bindgen; their parameters and
//!   results are typed with the extern types below and `unchecked_*_type`, which name only
//!   declared types (js-tests/package.test.mjs compiles the package with `skipLibCheck: false`,
//!   so a name that no longer exists fails the build).
//! * `JS_ONLY` declares what has no Rust type to come from: options objects the bindings read
//!   key by key, callbacks, and the union of byte sources. It names only generated types.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const GENERATED: &'static str = include_str!("generated.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const JS_ONLY: &'static str = r#"
/**
 * A sync policy as plain data, where one is given (`new SyncPolicy(...)`, `ContextSync`,
 * `create()`): parts may be partial (sent as given, like the official SDK) and policy class
 * instances (`new UploadPolicy(...)`, …) may stand for their parts.
 */
export type SyncPolicyData = PolicyInput<CompleteSyncPolicy>;
/** `betaResumeAsync()`: the same fields as `SessionPauseResult` (status `RUNNING` on success). */
export type SessionResumeResult = SessionPauseResult;
/** Anything accepted where a policy is expected. */
export type SyncPolicyLike = SyncPolicy | SyncPolicyImpl | SyncPolicyData;

/** `command.execute(command, options)`: the seed's form of `executeCommand`'s arguments. */
export interface ExecuteOptions {
  /** How long the command may run, in milliseconds (default 1000, at most 50000). */
  timeoutMs?: number;
  /** The working directory. */
  cwd?: string;
  /** Extra environment variables (strings only). */
  envs?: Record<string, string>;
}
/** `readFile(path)`: the file as text. */
export interface ReadFileOptions {
  /** `"text"` (the default). */
  format?: "text";
}
/** `readFile(path, { format: "bytes" })`: the file as bytes (`BinaryFileContentResult`). */
export interface ReadBytesOptions {
  /** `"bytes"`. */
  format: "bytes";
}
/** Bytes for `context.uploadFile`: text (UTF-8), bytes, or anything Blob-like (no DOM types needed). */
export type UploadData = string | Uint8Array | ArrayBuffer | ArrayBufferView | { arrayBuffer(): Promise<ArrayBuffer> };
/**
 * Bytes for `fileSystem.uploadFile(data, remotePath)`: bytes or anything Blob-like (no DOM types
 * needed). A string there is a local file path (Node), as officially.
 */
export type TransferData = Uint8Array | ArrayBuffer | ArrayBufferView | { arrayBuffer(): Promise<ArrayBuffer> };
/** Called with the bytes transferred so far (at least once, with the total, when done). */
export type TransferProgressCallback = (bytesTransferred: number) => void;
/**
 * Called as a file transfer moves its bytes: `bytesDone` rises (in steps of about 64 KiB where
 * the host can tell: Node, and browsers for uploads through XMLHttpRequest and downloads
 * through `fetch`) and the last call has `bytesDone === total`, once the transfer is done.
 */
export type TransferProgressListener = (progress: TransferProgress) => void;
/** `fileSystem.uploadFile(localPathOrData, remotePath, options)` (official options). */
export interface FileTransferUploadOptions {
  /** The `Content-Type` of the upload. */
  contentType?: string;
  /** Wait until the session has the file (default true). */
  wait?: boolean;
  /** How long to wait, in seconds (default 30). */
  waitTimeout?: number;
  /** The longest pause between two status checks, in seconds (default 1.5). */
  pollInterval?: number;
  /** Progress, in bytes sent (official). */
  progressCb?: TransferProgressCallback;
  /** Progress as `{ bytesDone, total }`, for a progress bar. */
  onProgress?: TransferProgressListener;
}
/** `fileSystem.downloadFile(remotePath, localPath?, options)` (official options). */
export interface FileTransferDownloadOptions {
  /** Replace an existing local file (default true; `false` fails with `Destination exists and overwrite=false: <path>`). */
  overwrite?: boolean;
  /** Wait until the session has uploaded the file before fetching it (default true). */
  wait?: boolean;
  /** How long to wait, in seconds (default 30). */
  waitTimeout?: number;
  /** The longest pause between two status checks, in seconds (default 1.5). */
  pollInterval?: number;
  /** Progress, in bytes received (official). */
  progressCb?: TransferProgressCallback;
  /** Progress as `{ bytesDone, total }` (`total` once the server declared the size), for a progress bar. */
  onProgress?: TransferProgressListener;
}
/** `agentBay.context.uploadFile(contextId, path, data, options)` / `downloadFile(contextId, path, options)`. */
export interface ContextTransferOptions {
  /** Progress as `{ bytesDone, total }`, for a progress bar. */
  onProgress?: TransferProgressListener;
}
/** Called once a sync started in callback mode has finished: whether every task succeeded. */
export type SyncCallback = (success: boolean) => void;
/** `session.context.sync(contextId, path, mode, options)`. */
export interface SyncOptions {
  /** Return right after SyncContext and report completion here (official callback mode). */
  callback?: SyncCallback;
  /** Called with the upload/download tasks after every poll. */
  onProgress?: (tasks: ContextStatusData[]) => void;
  /** How many polls at most (with `retryIntervalMs`, the official bound). */
  maxRetries?: number;
  /** The pause between polls, in milliseconds. */
  retryIntervalMs?: number;
  /** Total time budget of the wait, in milliseconds. */
  timeoutMs?: number;
}

/**
 * A context: official `new Context(id, name, createdAt?, lastUsedAt?)`. `agentBay.context.get`,
 * `create` and `list` return instances of it. (A plain-JS class of the package, extras.mjs.)
 */
export declare class Context {
  /** A context object for `update`, `delete` or `ContextSync` (no API call is made). */
  constructor(id: string, name: string, createdAt?: string, lastUsedAt?: string);
}
/** The fields of a `Context`: `ContextData`. */
export interface Context extends ContextData {}

/** Official `BrowserSyncMode`: which Chrome profile files a `BrowserContext` keeps. */
export declare enum BrowserSyncMode {
  /** `Local State` and the cookies. */
  MINIMAL = "minimal",
  /** Also local/session storage, IndexedDB, logins, web data, preferences, HSTS, GPU cache. */
  STANDARD = "standard",
}
/** `new BrowserContext(id, autoUpload, { syncMode })`. */
export interface BrowserContextOptions {
  /** Default `BrowserSyncMode.STANDARD`. */
  syncMode?: BrowserSyncMode | "minimal" | "standard";
}
/**
 * Official `BrowserContext`: a browser profile kept in a context. `create({ browserContext })`
 * syncs it at `/tmp/agentbay_browser` with the official white lists of its `syncMode`.
 * Extensions and fingerprints are not supported (`create()` refuses them).
 */
export declare class BrowserContext {
  constructor(
    contextId: string,
    autoUpload?: boolean,
    extensionOption?: BrowserContextOptions | unknown,
    fingerprintContext?: unknown,
    syncMode?: BrowserSyncMode | "minimal" | "standard",
  );
  contextId: string;
  /** Whether the profile is uploaded when the session is released (default true). */
  autoUpload: boolean;
  syncMode: BrowserSyncMode | "minimal" | "standard";
}
/** `new LifecyclePolicy(options?)`: minutes. */
export interface LifecyclePolicyOptions {
  /** Minutes without activity before the session is released (default 5). */
  idleReleaseTimeout?: number;
  /** Minutes from creation after which the session is released (default 30). */
  maxRuntime?: number;
  /** `true`: never released automatically, only by `delete()` (the other two must be absent). */
  manualRelease?: boolean;
}
/** Official `LifecyclePolicy`: when a session is released by itself, in minutes. */
export declare class LifecyclePolicy {
  constructor(options?: LifecyclePolicyOptions);
  readonly idleReleaseTimeout: number;
  readonly maxRuntime: number;
  readonly manualRelease: boolean;
}

/**
 * [Beta] Official `BetaContextMount` (0.21): a context shown live at `path` of the session, so
 * that every write lands in the context at once and sessions mounting it share one tree, with no
 * sync (`delete(session)` needs no `syncContext`). `create({ betaContextMount: [...] })` and
 * `session.context.bind()` take it. A plain class of five fields, as officially; the `with…`
 * methods return the same object. An invalid `accessMode` or `strategy` throws `Invalid
 * accessMode value: … Valid values are: readWrite, readOnly`. The cloud serves it on the
 * `aio-ubuntu-2404` image only; agentbay-local on any. At most 3 per session, on paths that are
 * not nested, and a path bound at runtime must be empty.
 *
 * @example
 * ```ts
 * const { context } = await agentBay.context.get("dataset-collection", true);
 * const train = new BetaContextMount(context.id, "/mnt/train")
 *   .withSourcePath("/datasets/train") // <context>/datasets/train/foo.csv is /mnt/train/foo.csv
 *   .withAccessMode(BetaContextMountAccessMode.ReadOnly);
 * const { session } = await agentBay.create({ betaContextMount: [train] });
 * ```
 */
export declare class BetaContextMount {
  /** `accessMode` defaults to `readWrite`, `strategy` to `standard`, `sourcePath` to `""`. */
  constructor(
    contextId: string,
    path: string,
    accessMode?: BetaContextMountAccessMode,
    strategy?: BetaContextMountStrategy,
  );
  /** The context shown (`context.id`). */
  contextId: string;
  /** Where it is shown in the session (an empty or missing folder). */
  path: string;
  /** `readWrite`, or `readOnly`: every write in the session fails. */
  accessMode: BetaContextMountAccessMode;
  /** The cloud's FUSE flavour (`standard` or `performance`; alike on agentbay-local). */
  strategy: BetaContextMountStrategy;
  /** The folder of the context shown at `path` (`""`: all of it). */
  sourcePath: string;
  /** Sets `accessMode` (checked); returns this mount. */
  withAccessMode(accessMode: BetaContextMountAccessMode): BetaContextMount;
  /** Sets `strategy` (checked); returns this mount. */
  withStrategy(strategy: BetaContextMountStrategy): BetaContextMount;
  /**
   * Shows only this folder of the context at the mount path, its contents at the mount root:
   * with `"/datasets/train"`, the context file `/datasets/train/foo.csv` is `<path>/foo.csv`.
   * Returns this mount.
   */
  withSourcePath(sourcePath: string): BetaContextMount;
  /**
   * The official `JSON.stringify({ accessMode, storageMode, sourcePath })`, e.g.
   * `{"accessMode":"readWrite","storageMode":"standard","sourcePath":""}`.
   */
  toMountConfigJSON(): string;
}
/**
 * [Beta] Official `newBetaContextMount(contextId, path, accessMode?, strategy?)`: the same as
 * `new BetaContextMount(...)`.
 *
 * @example
 * ```ts
 * const mount = newBetaContextMount(context.id, "/tmp/readonly-data", BetaContextMountAccessMode.ReadOnly);
 * ```
 */
export declare function newBetaContextMount(
  contextId: string,
  path: string,
  accessMode?: BetaContextMountAccessMode,
  strategy?: BetaContextMountStrategy,
): BetaContextMount;

/**
 * What every method of `session.code`, `session.browser` (except `isInitialized` and
 * `getOption`), `session.computer` and `session.mobile` resolves to: agentbay-wasm does not
 * implement these modules (they need the `code_latest`, `browser_latest`, `windows_latest` and
 * `mobile_latest` images, which agentbay-local does not have); `errorMessage` names the image, e.g.
 * `session.code.runCode() requires the code_latest image; this session runs linux_latest`.
 */
export interface UnavailableResult {
  /** Always `""`: no request is sent. */
  requestId: string;
  /** Always `false`. */
  success: false;
  /** Which method needs which image, and what this session runs. */
  errorMessage: string;
  /** The official result's other fields are absent. */
  [field: string]: unknown;
}
/** `session.code` (official `Code`): needs the `code_latest` image. */
export declare class Code {
  /** What `session.code` is. */
  constructor(session: Session);
  /** Official `runCode(code, language, timeoutS?)`: resolves `UnavailableResult`. */
  runCode(...args: unknown[]): Promise<UnavailableResult>;
}
/** `session.browser.agent` (official `BrowserAgent`): needs the `browser_latest` image. */
export declare class BrowserAgent {
  /** What `session.browser.agent` is. */
  constructor(session: Session);
  /** Resolves `UnavailableResult`. */
  act(...args: unknown[]): Promise<UnavailableResult>;
  /** Resolves `UnavailableResult`. */
  actAsync(...args: unknown[]): Promise<UnavailableResult>;
  /** Resolves `UnavailableResult`. */
  observe(...args: unknown[]): Promise<UnavailableResult>;
  /** Resolves `UnavailableResult`. */
  observeAsync(...args: unknown[]): Promise<UnavailableResult>;
  /** Resolves `UnavailableResult`. */
  extract(...args: unknown[]): Promise<UnavailableResult>;
  /** Resolves `UnavailableResult`. */
  extractAsync(...args: unknown[]): Promise<UnavailableResult>;
}
/** `session.browser` (official `Browser`): needs the `browser_latest` image. */
export declare class Browser {
  /** What `session.browser` is. */
  constructor(session: Session);
  /** The browser agent (every method resolves `UnavailableResult`). */
  agent: BrowserAgent;
  /** Official `initialize(option)`: resolves `false` (the reason, naming the image, goes to `logWarn`). */
  initialize(...args: unknown[]): Promise<boolean>;
  /** Official `initializeAsync(option)`: resolves `false` (the reason, naming the image, goes to `logWarn`). */
  initializeAsync(...args: unknown[]): Promise<boolean>;
  /** Official `getEndpointUrl()`: resolves `UnavailableResult`. */
  getEndpointUrl(...args: unknown[]): Promise<UnavailableResult>;
  /** Always `false` (never initialised). */
  isInitialized(): boolean;
  /** Always `null` (never initialised). */
  getOption(): null;
}
/** The methods of `session.computer`; each resolves `UnavailableResult`. */
export type ComputerMethod =
  | "clickMouse" | "moveMouse" | "dragMouse" | "scroll" | "inputText" | "pressKeys" | "releaseKeys"
  | "getCursorPosition" | "getScreenSize" | "screenshot" | "listRootWindows" | "getActiveWindow"
  | "activateWindow" | "closeWindow" | "maximizeWindow" | "minimizeWindow" | "restoreWindow"
  | "resizeWindow" | "fullscreenWindow" | "focusMode" | "getInstalledApps" | "startApp"
  | "listVisibleApps" | "stopAppByPName" | "stopAppByPID" | "stopAppByCmd";
/** `session.computer` (official `Computer`): needs the `windows_latest` image. */
export declare class Computer {
  /** What `session.computer` is. */
  constructor(session: Session);
}
/** The official methods of `Computer`, each resolving `UnavailableResult`. */
export interface Computer extends Record<ComputerMethod, (...args: unknown[]) => Promise<UnavailableResult>> {}
/** The methods of `session.mobile`; each resolves `UnavailableResult`. */
export type MobileMethod =
  | "tap" | "swipe" | "inputText" | "sendKey" | "getClickableUIElements" | "getAllUIElements"
  | "getInstalledApps" | "startApp" | "stopAppByPName" | "screenshot" | "getAdbUrl";
/** `session.mobile` (official `Mobile`): needs the `mobile_latest` image. */
export declare class Mobile {
  /** What `session.mobile` is. */
  constructor(session: Session);
}
/** The official methods of `Mobile`, each resolving `UnavailableResult`. */
export interface Mobile extends Record<MobileMethod, (...args: unknown[]) => Promise<UnavailableResult>> {}
/** The modules of a session that need other images (plain-JS getters, one object per session). */
export interface Session {
  /** Code execution (`code_latest` image). */
  readonly code: Code;
  /** Browser automation (`browser_latest` image). */
  readonly browser: Browser;
  /** Desktop automation (`windows_latest` image). */
  readonly computer: Computer;
  /** Mobile automation (`mobile_latest` image). */
  readonly mobile: Mobile;
}

/** `readFile(path, { format: "bytes" })` resolves to bytes. */
export interface FileSystem {
  /** Reads a file as bytes. */
  readFile(path: string, options: ReadBytesOptions): Promise<BinaryFileContentResult>;
  /** Alias of `readFile`. */
  read(path: string, options: ReadBytesOptions): Promise<BinaryFileContentResult>;
}
"#;

// Argument types: optional object parameters need real imported types so that
// wasm-bindgen keeps them optional (`x?: T`) in the generated signatures.
#[wasm_bindgen]
extern "C" {
    /// `AgentBayOptions`.
    #[wasm_bindgen(typescript_type = "AgentBayOptions")]
    pub type AgentBayOptionsArg;
    /// `CreateSessionParams`.
    #[wasm_bindgen(typescript_type = "CreateSessionParams")]
    pub type CreateSessionParamsArg;
    /// A string-to-string record (labels, environment variables).
    #[wasm_bindgen(typescript_type = "Record<string, string>")]
    pub type StringRecordArg;
    /// `ContextListParams`.
    #[wasm_bindgen(typescript_type = "ContextListParams")]
    pub type ContextListParamsArg;
    /// `ExecuteOptions`.
    #[wasm_bindgen(typescript_type = "ExecuteOptions")]
    pub type ExecuteOptionsArg;
    /// `ReadFileOptions`.
    #[wasm_bindgen(typescript_type = "ReadFileOptions")]
    pub type ReadFileOptionsArg;
    /// A string array.
    #[wasm_bindgen(typescript_type = "string[]")]
    pub type StringArrayArg;
    /// `FileEdit[]`.
    #[wasm_bindgen(typescript_type = "FileEdit[]")]
    pub type FileEditsArg;
    /// `WriteMode`.
    #[wasm_bindgen(typescript_type = "WriteMode")]
    pub type WriteModeArg;
    /// `FileTransferUploadOptions`.
    #[wasm_bindgen(typescript_type = "FileTransferUploadOptions")]
    pub type FileTransferUploadOptionsArg;
    /// `FileTransferDownloadOptions`.
    #[wasm_bindgen(typescript_type = "FileTransferDownloadOptions")]
    pub type FileTransferDownloadOptionsArg;
    /// `ContextTransferOptions`.
    #[wasm_bindgen(typescript_type = "ContextTransferOptions")]
    pub type ContextTransferOptionsArg;
    /// A `SyncCallback` or `SyncOptions`.
    #[wasm_bindgen(typescript_type = "SyncCallback | SyncOptions")]
    pub type SyncCallbackOrOptionsArg;
    /// `SyncPolicyLike`.
    #[wasm_bindgen(typescript_type = "SyncPolicyLike")]
    pub type SyncPolicyLikeArg;
    /// `SyncPolicyData`.
    #[wasm_bindgen(typescript_type = "SyncPolicyData")]
    pub type SyncPolicyDataArg;
    /// `PolicyInput<UploadPolicyData>`.
    #[wasm_bindgen(typescript_type = "PolicyInput<UploadPolicyData>")]
    pub type UploadPolicyPartial;
    /// `PolicyInput<DownloadPolicyData>`.
    #[wasm_bindgen(typescript_type = "PolicyInput<DownloadPolicyData>")]
    pub type DownloadPolicyPartial;
    /// `PolicyInput<DeletePolicyData>`.
    #[wasm_bindgen(typescript_type = "PolicyInput<DeletePolicyData>")]
    pub type DeletePolicyPartial;
    /// `PolicyInput<ExtractPolicyData>`.
    #[wasm_bindgen(typescript_type = "PolicyInput<ExtractPolicyData>")]
    pub type ExtractPolicyPartial;
    /// `PolicyInput<RecyclePolicyData>`.
    #[wasm_bindgen(typescript_type = "PolicyInput<RecyclePolicyData>")]
    pub type RecyclePolicyPartial;
    /// `PolicyInput<MappingPolicyData>`.
    #[wasm_bindgen(typescript_type = "PolicyInput<MappingPolicyData>")]
    pub type MappingPolicyPartial;
    /// `PolicyInput<WhiteListData>`.
    #[wasm_bindgen(typescript_type = "PolicyInput<WhiteListData>")]
    pub type WhiteListPartial;
    /// `PolicyInput<BWListData>`.
    #[wasm_bindgen(typescript_type = "PolicyInput<BWListData>")]
    pub type BWListPartial;
}
