// Generated from the Rust types by src/typescript.rs; do not edit. Regenerate with
// `UPDATE_TS=1 cargo test -p agentbay-wasm --features ts --test typescript`.

/** A `UploadStrategy` value, as results and data give it; the `UploadStrategy` object lists every value. */
export type UploadStrategy = | "UploadBeforeResourceRelease";
/** `UploadStrategy`, or a seed spelling that is normalised to it: `BeforeResourceRelease`. */
export type UploadStrategyInput = UploadStrategy | "BeforeResourceRelease";
/** `UploadStrategy.X === "X"` for every value: the loaders export this object. */
export declare const UploadStrategy: { readonly [K in UploadStrategy]: K };

/** A `DownloadStrategy` value, as results and data give it; the `DownloadStrategy` object lists every value. */
export type DownloadStrategy = | "DownloadAsync";
/** `DownloadStrategy`, or a seed spelling that is normalised to it: `Async`. */
export type DownloadStrategyInput = DownloadStrategy | "Async";
/** `DownloadStrategy.X === "X"` for every value: the loaders export this object. */
export declare const DownloadStrategy: { readonly [K in DownloadStrategy]: K };

/** A `UploadMode` value, as results and data give it; the `UploadMode` object lists every value. */
export type UploadMode = | "File" | "Archive";
/** `UploadMode.X === "X"` for every value: the loaders export this object. */
export declare const UploadMode: { readonly [K in UploadMode]: K };

/** A `Lifecycle` value, as results and data give it; the `Lifecycle` object lists every value. */
export type Lifecycle = | "Lifecycle_1Day" | "Lifecycle_3Days" | "Lifecycle_5Days" | "Lifecycle_10Days" | "Lifecycle_15Days" | "Lifecycle_30Days" | "Lifecycle_90Days" | "Lifecycle_180Days" | "Lifecycle_360Days" | "Lifecycle_Forever";
/** `Lifecycle.X === "X"` for every value: the loaders export this object. */
export declare const Lifecycle: { readonly [K in Lifecycle]: K };

/** [Beta] `BetaContextMount.accessMode`: `readWrite` (default) or `readOnly` (every write in the session fails). */
export type BetaContextMountAccessMode = | "readWrite" | "readOnly";
/** `BetaContextMountAccessMode.ReadWrite === "readWrite"`: the loaders export this object (the official enum). */
export declare const BetaContextMountAccessMode: { readonly ReadWrite: "readWrite"; readonly ReadOnly: "readOnly"; };

/** [Beta] `BetaContextMount.strategy`: the cloud's FUSE flavour, `standard` (default, POSIX-compatible) or `performance` (high throughput); agentbay-local treats both alike. */
export type BetaContextMountStrategy = | "standard" | "performance";
/** `BetaContextMountStrategy.Standard === "standard"`: the loaders export this object (the official enum). */
export declare const BetaContextMountStrategy: { readonly Standard: "standard"; readonly Performance: "performance"; };

/** The spellings an input position accepts for a value of enum type `V` (its `…Input` type). */
export type EnumInput<V> =
  V extends UploadStrategy ? UploadStrategyInput :
  V extends DownloadStrategy ? DownloadStrategyInput :
  V;

/**
 * A policy (or part of one) where one is given: every field may be left out (it takes its
 * default), nested parts too, and enum fields accept their `…Input` spellings.
 */
export type PolicyInput<T> =
  T extends readonly (infer E)[] ? PolicyInput<E>[] :
  T extends object ? { [K in keyof T]?: PolicyInput<T[K]> } :
  EnumInput<T>;

// ---- Policies: the canonical data form (what `toJSON()` and the `new…Policy()` factories give).

/**
 * `uploadPolicy`: when and how a mount's files go up to its context.
 */
export type UploadPolicyData = {
  /** Whether the mount uploads on its own (see `uploadStrategy`). */
  autoUpload: boolean;
  /** When it uploads. */
  uploadStrategy: UploadStrategy;
  /** File by file, or as one archive. */
  uploadMode: UploadMode;
  /** Seconds between periodic uploads while the session runs (seed extension). */
  period?: number;
  /**
   * Archive mode only: mount-relative prefixes (a directory ends with `/`) whose files are
   * stored as single files next to the archive. Serialised only in Archive mode, as officially.
   */
  archiveExcludePaths?: Array<string>;
};

/**
 * `downloadPolicy`: whether and how a mount is filled from its context at session start.
 */
export type DownloadPolicyData = {
  /** Whether the mount downloads the context's data at session start. */
  autoDownload: boolean;
  /** How it downloads. */
  downloadStrategy: DownloadStrategy;
};

/**
 * `deletePolicy`: what a local deletion does to the context's copy.
 */
export type DeletePolicyData = {
  /** Whether deleting a file in the mount deletes it from the context on the next upload. */
  syncLocalFile: boolean;
};

/**
 * `extractPolicy`: what happens to archives uploaded in `Archive` mode.
 */
export type ExtractPolicyData = {
  /** Whether uploaded archives are extracted. */
  extract: boolean;
  /** Whether the archive is deleted once extracted. */
  deleteSrcFile: boolean;
  /** Whether it is extracted next to the archive (instead of into a folder of its name). */
  extractToCurrentFolder: boolean;
};

/**
 * `recyclePolicy`: how long uploaded data is kept, and for which paths.
 */
export type RecyclePolicyData = {
  /** How long data lives after its last upload. */
  lifecycle: Lifecycle;
  /** The paths the lifecycle applies to (`[""]`: all of them); exact paths, no wildcards. */
  paths: Array<string>;
};

/**
 * One white list of `bwList`: a path that is synced, minus its excluded paths.
 */
export type WhiteListData = {
  /** The synced path (`""`: the whole mount); a regex when `isPathRegex`. */
  path: string;
  /** Paths under `path` that are not synced; regexes when `isExcludeRegex`. */
  excludePaths: Array<string>;
  /**
   * Whether `path` is a regex. Written only when set (the official default white list has
   * neither flag).
   */
  isPathRegex?: boolean;
  /** Whether `excludePaths` are regexes. Written only when set. */
  isExcludeRegex?: boolean;
};

/**
 * `bwList`: which paths of the mount are synced.
 */
export type BWListData = {
  /** The white lists; a path is synced when one of them includes it. */
  whiteLists: Array<WhiteListData>;
};

/**
 * `mappingPolicy`: the path the context's data was uploaded from, when it differs from the mount path.
 */
export type MappingPolicyData = {
  /** The original path. */
  path: string;
};

/**
 * A complete policy: every part present, as `newSyncPolicy()` gives it (missing parts of a
 * policy take these defaults).
 */
export type CompleteSyncPolicy = {
  /** When and how the mount uploads. */
  uploadPolicy: UploadPolicyData;
  /** Whether the mount downloads at session start. */
  downloadPolicy: DownloadPolicyData;
  /** What local deletions do to the context. */
  deletePolicy: DeletePolicyData;
  /** What happens to uploaded archives. */
  extractPolicy: ExtractPolicyData;
  /** How long uploaded data is kept. */
  recyclePolicy: RecyclePolicyData;
  /** Which paths are synced. */
  bwList: BWListData;
  /** Where the data was uploaded from, when that differs from the mount path. */
  mappingPolicy?: MappingPolicyData;
};

// ---- Parameters and options.

/**
 * `new AgentBay(options)`: every field may be left out; the API key then comes from
 * `AGENTBAY_API_KEY`, the rest from the other `AGENTBAY_*` variables or the defaults.
 */
export type AgentBayOptions = {
  /** Alias of `regionId`. */
  region_id?: string;
  /**
   * Called before each API request with its action (e.g. `"CreateMcpSession"`); a string it
   * returns (or resolves to) is sent as `Authorization: Bearer <value>` instead of the API key,
   * `undefined` keeps the key (or sends none). With it, `apiKey` may be left out: a browser
   * app fetches short-lived credentials from its own server. A throw or rejection fails that
   * request (`success: false`).
   */
  authorize?: (action: string) => Promise<string | undefined> | string | undefined;
  /** The API key (default: `AGENTBAY_API_KEY`). */
  apiKey?: string;
  /** `host`, `host:port` or a full `http://` / `https://` URL (default scheme https). */
  endpoint?: string;
  /**
   * Per-request timeout in milliseconds (default 60000); also bounds how long a wait keeps
   * polling a server that does not answer.
   */
  timeoutMs?: number;
  /** The region whose endpoint is used when none is given (default `cn-hangzhou`). */
  regionId?: string;
  /**
   * Largest API reply accepted, in bytes (default 32 MiB); a larger one resolves to
   * `success: false`.
   */
  maxResponseBytes?: number;
  /** Largest `context.downloadFile` body accepted, in bytes (default 1 GiB). */
  maxDownloadBytes?: number;
  /** The official form (snake_case keys). */
  config?: AgentBayConfig;
  /** Accepted for compatibility; there is no file system to read it from in wasm. */
  envFile?: string;
  /**
   * `true`: the endpoint is a proxy that adds the API key (`agentbay-wasm/proxy`), so none is
   * needed here; requests then carry no `Authorization` unless a key or `authorize` gives one.
   */
  proxied?: boolean;
};

/**
 * The official snake_case `config` object (camelCase spellings accepted too). When it is
 * given, `AGENTBAY_*` variables other than the key are ignored.
 */
export type AgentBayConfig = {
  /** `host`, `host:port` or a full `http://` / `https://` URL. */
  endpoint?: string;
  /** Per-request timeout in milliseconds. */
  timeout_ms?: number;
  /** The region whose endpoint is used when none is given. */
  region_id?: string;
  /** Largest API reply accepted, in bytes. */
  max_response_bytes?: number;
  /** Largest `context.downloadFile` body accepted, in bytes. */
  max_download_bytes?: number;
};

/**
 * `agentBay.create(params?)`: every field may be left out.
 */
export type CreateSessionParams = {
  /** Labels to attach to the session. */
  labels?: Record<string, string>;
  /** The image to start (default `linux_latest`). */
  imageId?: string;
  /** Contexts to mount; `create()` waits for their downloads (see `syncWait`). */
  contextSync?: Array<ContextSync | ContextSyncOptions>;
  /** Alias of `contextSync`. */
  contextSyncs?: Array<ContextSync | ContextSyncOptions>;
  /**
   * Live mounts (official 0.21, beta): each context is shown at its path and every write lands
   * in it at once, with no sync; sent after the `contextSync` items, and `create()` waits until
   * each is mounted (see `syncWait`). At most 3 per session, on paths that are not nested.
   * @example
   * ```ts
   * const { context } = await agentBay.context.get("shared-workspace", true);
   * const { session } = await agentBay.create({ betaContextMount: [new BetaContextMount(context.id, "/tmp/shared")] });
   * await session.fileSystem.writeFile("/tmp/shared/status.txt", "ready"); // in the context now
   * ```
   */
  betaContextMount?: Array<BetaContextMount | BetaContextMountOptions>;
  /** Alias of `betaContextMount` (the official Python and Java name). */
  betaContextMounts?: Array<BetaContextMount | BetaContextMountOptions>;
  /** The deprecated simple attachment of one context (`ContextId`), without a mount path. */
  contextId?: string;
  /** The MCP policy to apply. */
  policyId?: string;
  /** The network to attach the session to. */
  betaNetworkId?: string;
  /** `false` turns browser recording off. */
  enableBrowserReplay?: boolean;
  /** Extra configuration, sent as JSON. */
  extraConfigs?: Record<string, unknown>;
  /** The framework name reported in the SDK statistics. */
  framework?: string;
  /** Accepted for compatibility; not sent. */
  isVpc?: boolean;
  /** Accepted for compatibility; not sent. */
  mcpPolicyId?: string;
  /**
   * The browser profile kept in a context: a sync at `/tmp/agentbay_browser` of the Chrome
   * profile files its `syncMode` lists (`create()` waits for its download).
   */
  browserContext?: BrowserContext;
  /** When the session is released by itself, in minutes (official `LifecyclePolicy`). */
  lifecyclePolicy?: LifecyclePolicy | LifecyclePolicyOptions;
  /** Deprecated (use `lifecyclePolicy`): idle release timeout in seconds. */
  idleReleaseTimeout?: number;
  /** Bounds of the wait for context downloads. */
  syncWait?: SyncWaitOptions;
};

/**
 * A `ContextSync` as a plain object: what `toJSON()` of the class gives, and what `create()`
 * and `new ContextSync({...})` accept.
 */
export type ContextSyncOptions = {
  /** The context to mount (`context.id`). */
  contextId: string;
  /** Where it is mounted in the session. */
  path: string;
  /** How it syncs (default: the official default policy). */
  policy?: SyncPolicyLike;
  /** `false`: `create()` does not wait for this context's initial download. */
  betaWaitForCompletion?: boolean;
};

/**
 * A `BetaContextMount` as a plain object: what `JSON.stringify(new BetaContextMount(...))`
 * gives, and what `create({ betaContextMount })` and `session.context.bind()` accept. In
 * `bind()`, a plain object is a mount when it has `accessMode`, `strategy` or `sourcePath`
 * (otherwise it is a `ContextSync`).
 */
export type BetaContextMountOptions = {
  /** The context to mount (`context.id`). */
  contextId: string;
  /** Where it is shown in the session (an empty or missing folder). */
  path: string;
  /** `readWrite` (default) or `readOnly`. */
  accessMode?: BetaContextMountAccessMode;
  /** `standard` (default) or `performance` (the cloud's two FUSE flavours; the same on agentbay-local). */
  strategy?: BetaContextMountStrategy;
  /** The folder of the context shown at `path` (default `""`: all of it). */
  sourcePath?: string;
};

/**
 * Tunable wait; every field is optional on the JS side (`SyncWaitOptions` there: the bounds of
 * the wait `create()` does for context downloads).
 */
export type SyncWaitOptions = {
  /** Total time budget for the wait, in milliseconds. */
  timeoutMs?: number;
  /** The first pause between polls, in milliseconds. */
  initialIntervalMs?: number;
  /** The longest pause between polls, in milliseconds. */
  maxIntervalMs?: number;
};

/**
 * `context.list(params?)`.
 */
export type ContextListParams = {
  /** Page size. */
  maxResults?: number;
  /** The `nextToken` of the previous page. */
  nextToken?: string;
  /** Only the contexts this session uses. */
  sessionId?: string;
};

/**
 * One `editFile` replacement (`FileEdit` in TypeScript): the first occurrence of `oldText`
 * becomes `newText`.
 */
export type FileEdit = {
  /** The text to find. */
  oldText: string;
  /** What replaces it. */
  newText: string;
};

/**
 * How `write_file` (`fileSystem.writeFile`) treats an existing file.
 */
export type WriteMode = "overwrite" | "append" | "create_new";

// ---- What results carry.

/**
 * One upload or download task of a mounted context (`ContextStatusData` in TypeScript, the
 * official name).
 */
export type ContextStatusData = {
  /** The context the task moves data to or from. */
  contextId: string;
  /** The mount path inside the session. */
  path: string;
  /** Why the task failed (`""` otherwise). */
  errorMessage: string;
  /** `Pending`, `Running`, then terminal `Success` or `Failed`. */
  status: string;
  /** When the task started (Unix seconds). */
  startTime: number;
  /** When the task ended (Unix seconds; `0` while it runs). */
  finishTime: number;
  /** `upload` or `download`. */
  taskType: string;
};

/**
 * The fields of a context (the official `Context` plus the `state`/`osType` it dropped). In
 * TypeScript `ContextData`: results hold `Context` class instances with these fields.
 */
export type ContextData = {
  /** The context id (`SdkCtx-…`): what `ContextSync` and the file calls take. */
  id: string;
  /** The context's unique name. */
  name: string;
  /** When it was created, as the server formats it. */
  createdAt?: string;
  /** When a session last used it. */
  lastUsedAt?: string;
  /** Its state (`available`, `in-use`, …). */
  state?: string;
  /** The OS of the sessions that used it. */
  osType?: string;
};

/**
 * One file of a context (`context.listFiles`).
 */
export type ContextFileEntry = {
  /** The file's id in the context. */
  fileId?: string;
  /** The file's name. */
  fileName?: string;
  /** The file's path in the context. */
  filePath: string;
  /** `file` or `folder`. */
  fileType?: string;
  /** When it was created. */
  gmtCreate?: string;
  /** When it was last modified. */
  gmtModified?: string;
  /** Size in bytes. */
  size?: number;
  /** Its status in the context. */
  status?: string;
};

/**
 * One session of `agentBay.list`.
 */
export type SessionListItem = {
  /** The session's id (`agentBay.get(sessionId)` opens it). */
  sessionId: string;
  /** Its status (`RUNNING`, …). */
  sessionStatus: string;
};

/**
 * `session.info()`'s data: how to reach the session's resource.
 */
export type SessionInfo = {
  /** The session's id. */
  sessionId: string;
  /** The resource URL. */
  resourceUrl: string;
  /** The app id of the resource. */
  appId: string;
  /** The auth code for connecting. */
  authCode: string;
  /** Connection properties (JSON text). */
  connectionProperties: string;
  /** The resource id. */
  resourceId: string;
  /** The resource type. */
  resourceType: string;
  /** The connection ticket. */
  ticket: string;
};

/**
 * A file's metadata (`fileSystem.getFileInfo`).
 */
export type FileInfo = {
  /** The file's name (last path component). */
  name: string;
  /** The full path. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Whether the path is a directory. */
  isDirectory: boolean;
  /** Last modification time, as the tool printed it (colons kept). */
  modTime: string;
  /** Permission bits, `ls -l` style (`-rw-r--r--`). */
  mode: string;
  /** Owning user, when the tool reports it. */
  owner?: string;
  /** Owning group, when the tool reports it. */
  group?: string;
};

/**
 * One entry of `fileSystem.listDirectory`.
 */
export type DirectoryEntry = {
  /** The entry's name. */
  name: string;
  /** Whether it is a directory. */
  isDirectory: boolean;
};

/**
 * One context a session mounts (`session.context.listBindings()`): at create or by a bind.
 */
export type ContextBinding = {
  /** The context's id. */
  contextId: string;
  /** The context's name. */
  contextName?: string;
  /** Where it is mounted in the session. */
  path: string;
  /** Its sync policy, as JSON text; absent for a live mount (`BetaContextMount`), which has none. */
  policy?: string;
  /** When it was bound (ISO 8601, UTC). */
  bindTime?: string;
};

/**
 * An MCP tool a session offers: one entry of the `ToolList` JSON string (`CreateMcpSession`,
 * `GetSession`) and of `ListMcpTools`' `Data` (`session.mcpTools`, `session.listMcpTools()`).
 */
export type McpTool = {
  /** The tool's name: what `session.callMcpTool(name, args)` takes (`shell`, `read_file`, …). */
  name: string;
  /** What the tool does. */
  description: string;
  /** The JSON Schema of the tool's arguments. */
  inputSchema: Record<string, unknown>;
  /** The MCP server that serves the tool (`CallMcpTool`'s `Server`). */
  server: string;
  /** The tool's name on its server. */
  tool: string;
};

/**
 * How far an `uploadFile` / `downloadFile` has moved the file's bytes (`onProgress`).
 */
export type TransferProgress = {
  /** The bytes sent (upload) or received (download) so far. */
  bytesDone: number;
  /**
   * The file's size: always known for an upload; for a download, once the server declared it
   * (and in the last report, which always has `bytesDone === total`).
   */
  total?: number;
};

// ---- Results: every call resolves to one (failures are `success: false`, not exceptions).

/**
 * What every result has. The other results repeat these three fields.
 */
export type ApiResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `create` / `get`.
 */
export type SessionResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /**
   * The session. Also set when `create()` failed only because a context download was
   * not confirmed: delete it then.
   */
  session?: Session;
  /** Context downloads that ended `Failed` while `create` waited. */
  contextSyncFailures?: Array<ContextStatusData>;
  /** Downloads still unfinished when the bounded wait ran out. */
  contextSyncPending?: Array<ContextStatusData>;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `delete(syncContext)`: the deletion's outcome, plus what the pre-delete sync
 * reported when it did not fully succeed (the deletion goes ahead, as officially).
 */
export type DeleteResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /**
   * With `syncContext`: why the pre-delete upload did not fully succeed (the session is
   * deleted anyway).
   */
  contextSyncError?: string;
  /** With `syncContext`: the upload tasks that ended `Failed`. */
  contextSyncFailures?: Array<ContextStatusData>;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `agentBay.list`: one page of session ids.
 */
export type SessionListResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The sessions of this page. */
  sessionIds: Array<SessionListItem>;
  /** Set when there are more pages. */
  nextToken?: string;
  /** The page size used. */
  maxResults?: number;
  /** How many sessions match in all. */
  totalCount?: number;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `session.info`.
 */
export type SessionInfoResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The session's connection information. */
  data?: SessionInfo;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `session.getStatus`.
 */
export type SessionStatusResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The session's status (`RUNNING`, `DELETING`, …). */
  status?: string;
  /** The server's error code, when the call failed. */
  code?: string;
  /** The HTTP status of a failed call. */
  httpStatusCode?: number;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `session.betaPauseAsync` / `betaResumeAsync` (the official `SessionPauseResult` and
 * `SessionResumeResult`, which have the same fields).
 */
export type SessionPauseResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The session's status at the end (`PAUSED` / `RUNNING` on success). */
  status?: string;
  /** The server's error code, when it refused the request. */
  code?: string;
  /** The server's message, when it refused the request. */
  message?: string;
  /** The HTTP status the server gave with a refusal. */
  httpStatusCode?: number;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `session.getLabels`.
 */
export type LabelResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The session's labels. */
  data?: Record<string, string>;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `context.update` / `context.delete` / `context.deleteFile`: an action without data.
 */
export type OperationResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** `true` on success, `false` when the server refused (as officially). */
  data?: boolean;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * A filesystem action without data (`writeFile`, `createDirectory`, `deleteFile`, …).
 */
export type BoolResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** `true` on success. */
  data?: boolean;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `command.executeCommand`.
 */
export type CommandResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** What the command printed (stdout, or stderr when it failed), as officially. */
  output: string;
  /** The exit code, when the command ran to the end. */
  exitCode?: number;
  /** Standard output, when the tool reports it separately. */
  stdout?: string;
  /** Standard error, when the tool reports it separately. */
  stderr?: string;
  /** The tool call's trace id, when the server gives one. */
  traceId?: string;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `context.get` / `context.create`.
 */
export type ContextResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The context's id (`""` when not found). */
  contextId: string;
  /** The context, when found or created. */
  context?: Context;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `context.list`: one page of contexts.
 */
export type ContextListResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The contexts of this page. */
  contexts: Array<Context>;
  /** Pass it as `nextToken` for the next page; absent on the last page. */
  nextToken?: string;
  /** The page size used. */
  maxResults?: number;
  /** How many contexts there are in all. */
  totalCount?: number;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `context.getFileUploadUrl` / `context.getFileDownloadUrl`: a presigned URL.
 */
export type FileUrlResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The presigned URL (`""` on failure). */
  url: string;
  /** When the URL expires (Unix seconds), when the server says. */
  expireTime?: number;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `context.listFiles`: one page of a context folder.
 */
export type ContextFileListResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The files of this page. */
  entries: Array<ContextFileEntry>;
  /** How many files the folder has in all. */
  count?: number;
  /** The token of the next page (token paging; absent on the last page). */
  nextToken?: string;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `context.clear` / `context.clearAsync` / `context.getClearStatus`.
 */
export type ClearContextResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The clearing state (`clearing`, then `available` once done). */
  status?: string;
  /** The context being cleared. */
  contextId?: string;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `context.uploadFile`.
 */
export type UploadResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The HTTP status of the presigned upload. */
  httpStatus?: number;
  /** How many bytes were sent. */
  bytesSent: number;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `context.downloadFile`: a context file's bytes.
 */
export type DownloadResult = {
  /** The file's bytes (set when `success`). */
  content?: Uint8Array;
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** How many bytes were read. */
  size?: number;
  /** The HTTP status of the presigned download (context files only). */
  httpStatus?: number;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `session.context.info`: the session's sync tasks.
 */
export type ContextInfoResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** Every upload/download task the server reports (filtered by the call's arguments). */
  contextStatusData: Array<ContextStatusData>;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `session.context.sync()`: which tasks failed (or were still running at the bound).
 */
export type ContextSyncResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** Tasks that ended `Failed`. */
  failedTasks?: Array<ContextStatusData>;
  /** Tasks still running when the wait ran out. */
  pendingTasks?: Array<ContextStatusData>;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `session.context.bind()`: whether the contexts were bound (and, when waited for, listed
 * by the session and downloaded).
 */
export type ContextBindResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `session.context.listBindings()`: every context the session mounts, in order.
 */
export type ContextBindingsResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The mounts (`[]` on failure). */
  bindings: Array<ContextBinding>;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `fileSystem.uploadFile()` (the official file-transfer `UploadResult`; named apart from
 * `context.uploadFile`'s `UploadResult`). Failures are `success: false` with `error`.
 */
export type FileTransferUploadResult = {
  /** Whether the file is in the session (with `wait`), or at least uploaded and its sync started. */
  success: boolean;
  /** The request id of GetContextFileUploadUrl. */
  requestIdUploadUrl?: string;
  /** The request id of SyncContext. */
  requestIdSync?: string;
  /** The HTTP status of the presigned PUT. */
  httpStatus?: number;
  /** The ETag of the upload (`""`: the server gives none, as officially). */
  etag?: string;
  /** How many bytes were sent. */
  bytesSent: number;
  /** The remote path (in the session). */
  path: string;
  /** Why the upload failed. */
  error?: string;
};

/**
 * `fileSystem.downloadFile()` (the official file-transfer `DownloadResult`): `content` holds the
 * bytes when no local path was given.
 */
export type FileTransferDownloadResult = {
  /** The file's bytes (set when `success` and no `localPath` was given). */
  content?: Uint8Array;
  /** Whether the file was downloaded (and written to `localPath`, when one was given). */
  success: boolean;
  /** The request id of GetContextFileDownloadUrl. */
  requestIdDownloadUrl?: string;
  /** The request id of SyncContext. */
  requestIdSync?: string;
  /** The HTTP status of the presigned GET. */
  httpStatus?: number;
  /** How many bytes were received. */
  bytesReceived: number;
  /** The remote path (in the session). */
  path: string;
  /** Where the file was written (`""` when no local path was given). */
  localPath: string;
  /** Why the download failed. */
  error?: string;
};

/**
 * `fileSystem.readFile` (text).
 */
export type FileContentResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The file's text (`""` on failure). */
  content: string;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `fileSystem.readFile(path, { format: "bytes" })`: a session file's bytes.
 */
export type BinaryFileContentResult = {
  /** The file's bytes (empty on failure). */
  content: Uint8Array;
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** How many bytes were read. */
  size?: number;
  /** The HTTP status of the presigned download (context files only). */
  httpStatus?: number;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `fileSystem.getFileInfo`.
 */
export type FileInfoResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The parsed `get_file_info` output. */
  fileInfo?: FileInfo;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `fileSystem.listDirectory`.
 */
export type DirectoryListResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The directory's entries (`[]` on failure). */
  entries: Array<DirectoryEntry>;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `searchFiles`: the matching paths (`[]` on failure, as officially).
 */
export type FileSearchResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The matching paths. */
  matches: Array<string>;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `readMultipleFiles`: path → content (`{}` on failure, as officially).
 */
export type MultipleFileContentResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** Path → content; a file the tool could not read maps to its `Error - <reason>` text. */
  contents: Record<string, string>;
  /** Why the operation failed. */
  errorMessage?: string;
};

/**
 * `session.callMcpTool()` (the official `McpToolResult`): `errorMessage` is always there, `""`
 * on success.
 */
export type McpToolResult = {
  /** The id of the `CallMcpTool` request (`""` when none was sent or none came back). */
  requestId: string;
  /** Whether the tool ran and did not report an error (`isError`). */
  success: boolean;
  /**
   * The tool's text output (`content[0].text`; the result object as JSON when that is empty);
   * `""` on failure (except for `run_code`, whose error text it keeps, as officially).
   */
  data: string;
  /**
   * Why the call failed: the tool's error texts joined with `"; "`, or the API error; `""` on
   * success.
   */
  errorMessage: string;
};

/**
 * `session.listMcpTools()` (the official `McpToolsResult`).
 */
export type McpToolsResult = {
  /** The id of the API request behind this result (`""` when none was sent). */
  requestId: string;
  /** Whether the operation succeeded; when false, `errorMessage` says why. */
  success: boolean;
  /** The tools the image offers (`[]` on failure). */
  tools: Array<McpTool>;
  /** Why the operation failed. */
  errorMessage?: string;
};
