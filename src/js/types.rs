//! TypeScript declarations for option and result shapes (the classes and functions
//! get theirs from wasm-bindgen, typed through `unchecked_*_type`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** String enums (values equal their names). The seed's spellings are accepted too. */
export type UploadStrategy = "UploadBeforeResourceRelease" | "BeforeResourceRelease";
export type DownloadStrategy = "DownloadAsync" | "Async";
export type UploadMode = "File" | "Archive";
export type Lifecycle =
  | "Lifecycle_1Day" | "Lifecycle_3Days" | "Lifecycle_5Days" | "Lifecycle_10Days" | "Lifecycle_15Days"
  | "Lifecycle_30Days" | "Lifecycle_90Days" | "Lifecycle_180Days" | "Lifecycle_360Days" | "Lifecycle_Forever";

/** What `__agentbayEnums()` returns; the loaders export each member as a constant. */
export interface AgentBayEnums {
  readonly UploadStrategy: { readonly UploadBeforeResourceRelease: "UploadBeforeResourceRelease" };
  readonly DownloadStrategy: { readonly DownloadAsync: "DownloadAsync" };
  readonly UploadMode: { readonly File: "File"; readonly Archive: "Archive" };
  readonly Lifecycle: {
    readonly Lifecycle_1Day: "Lifecycle_1Day"; readonly Lifecycle_3Days: "Lifecycle_3Days";
    readonly Lifecycle_5Days: "Lifecycle_5Days"; readonly Lifecycle_10Days: "Lifecycle_10Days";
    readonly Lifecycle_15Days: "Lifecycle_15Days"; readonly Lifecycle_30Days: "Lifecycle_30Days";
    readonly Lifecycle_90Days: "Lifecycle_90Days"; readonly Lifecycle_180Days: "Lifecycle_180Days";
    readonly Lifecycle_360Days: "Lifecycle_360Days"; readonly Lifecycle_Forever: "Lifecycle_Forever";
  };
}

export interface UploadPolicyData {
  autoUpload: boolean;
  uploadStrategy: UploadStrategy;
  uploadMode: UploadMode;
  /** Seconds between periodic uploads while the session runs (the seed's field). */
  period?: number;
}
export interface DownloadPolicyData { autoDownload: boolean; downloadStrategy: DownloadStrategy; }
export interface DeletePolicyData { syncLocalFile: boolean; }
export interface ExtractPolicyData { extract: boolean; deleteSrcFile: boolean; extractToCurrentFolder: boolean; }
export interface RecyclePolicyData { lifecycle: Lifecycle; paths: string[]; }
export interface MappingPolicyData { path: string; }
export interface WhiteListData { path: string; excludePaths?: string[]; isPathRegex?: boolean; isExcludeRegex?: boolean; }
export interface BWListData { whiteLists?: WhiteListData[]; }

/** A sync policy as plain data; parts may be partial (sent as given, like the official SDK). */
export interface SyncPolicyData {
  uploadPolicy?: Partial<UploadPolicyData> | UploadPolicy;
  downloadPolicy?: Partial<DownloadPolicyData> | DownloadPolicy;
  deletePolicy?: Partial<DeletePolicyData> | DeletePolicy;
  extractPolicy?: Partial<ExtractPolicyData> | ExtractPolicy | ExtractPolicyClass;
  recyclePolicy?: Partial<RecyclePolicyData> | RecyclePolicy;
  bwList?: BWListData | BWList;
  mappingPolicy?: MappingPolicyData | MappingPolicy;
}
/** `newSyncPolicy()` / `newSyncPolicyWithDefaults()`: every part present. */
export interface CompleteSyncPolicy {
  uploadPolicy: UploadPolicyData;
  downloadPolicy: DownloadPolicyData;
  deletePolicy: DeletePolicyData;
  extractPolicy: ExtractPolicyData;
  recyclePolicy: RecyclePolicyData;
  bwList: BWListData;
  mappingPolicy?: MappingPolicyData;
}
/** Anything accepted where a policy is expected. */
export type SyncPolicyLike = SyncPolicy | SyncPolicyImpl | SyncPolicyData | CompleteSyncPolicy;

export interface ContextSyncOptions {
  contextId: string;
  path: string;
  policy?: SyncPolicyLike;
  /** false: `create()` does not wait for this context's initial download. */
  betaWaitForCompletion?: boolean;
}

export interface AgentBayOptions {
  apiKey?: string;
  /** `host`, `host:port` or a full `http://` / `https://` URL (default scheme https). */
  endpoint?: string;
  /** Per-request timeout (default 60000); also bounds how long a wait keeps polling a server that does not answer. */
  timeoutMs?: number;
  regionId?: string;
  region_id?: string;
  /** Largest API reply accepted, in bytes (default 32 MiB); a larger one resolves to `success: false`. */
  maxResponseBytes?: number;
  /** Largest `context.downloadFile` body accepted, in bytes (default 1 GiB). */
  maxDownloadBytes?: number;
  /** The official form (snake_case keys); when present, AGENTBAY_* variables other than the key are ignored. */
  config?: {
    endpoint?: string; timeout_ms?: number; region_id?: string;
    max_response_bytes?: number; max_download_bytes?: number;
  };
  envFile?: string;
}

/** Bounds of the wait `create()` does for context downloads. */
export interface SyncWaitOptions { timeoutMs?: number; initialIntervalMs?: number; maxIntervalMs?: number; }

export interface CreateSessionParams {
  labels?: Record<string, string>;
  imageId?: string;
  contextSync?: Array<ContextSync | ContextSyncOptions>;
  /** Alias of `contextSync`. */
  contextSyncs?: Array<ContextSync | ContextSyncOptions>;
  /** Deprecated simple attachment (`ContextId`). */
  contextId?: string;
  policyId?: string;
  betaNetworkId?: string;
  enableBrowserReplay?: boolean;
  extraConfigs?: Record<string, unknown>;
  framework?: string;
  isVpc?: boolean;
  mcpPolicyId?: string;
  syncWait?: SyncWaitOptions;
}

export interface ContextListParams { maxResults?: number; nextToken?: string; sessionId?: string; }
export interface ExecuteOptions { timeoutMs?: number; cwd?: string; envs?: Record<string, string>; }
/** Text read; `{ format: "bytes" }` selects the byte overload (BinaryFileContentResult). */
export interface ReadFileOptions { format?: "text"; }
export interface ReadBytesOptions { format: "bytes"; }
/** Bytes for `context.uploadFile`: text (UTF-8), bytes, or anything Blob-like (no DOM types needed). */
export type UploadData = string | Uint8Array | ArrayBuffer | ArrayBufferView | { arrayBuffer(): Promise<ArrayBuffer> };
export type WriteMode = "overwrite" | "append" | "create_new";
export type SyncCallback = (success: boolean) => void;
export interface SyncOptions {
  /** Return right after SyncContext and report completion here (official callback mode). */
  callback?: SyncCallback;
  /** Called with the upload/download tasks after every poll. */
  onProgress?: (tasks: ContextStatusData[]) => void;
  maxRetries?: number;
  retryIntervalMs?: number;
  timeoutMs?: number;
}

export interface ApiResult { requestId: string; success: boolean; errorMessage?: string; }
export interface Context { id: string; name: string; createdAt?: string; lastUsedAt?: string; state?: string; osType?: string; }
export interface ContextStatusData {
  contextId: string; path: string; errorMessage: string; status: string;
  startTime: number; finishTime: number; taskType: string;
}
export interface SessionResult extends ApiResult {
  /** Also set when create() failed only because a download was not confirmed: delete it then. */
  session?: Session;
  /** Context downloads that ended Failed while create() waited. */
  contextSyncFailures?: ContextStatusData[];
  /** Downloads still running when the wait ended (create() then resolves success: false). */
  contextSyncPending?: ContextStatusData[];
}
export interface DeleteResult extends ApiResult {
  /** With syncContext: why the pre-delete upload did not fully succeed (the session is deleted anyway). */
  contextSyncError?: string;
  contextSyncFailures?: ContextStatusData[];
}
export interface OperationResult extends ApiResult { data?: boolean; }
export interface BoolResult extends ApiResult { data?: boolean; }
export interface LabelResult extends ApiResult { data?: Record<string, string>; }
export interface CommandResult extends ApiResult {
  output: string; exitCode?: number; stdout?: string; stderr?: string; traceId?: string;
}
export interface ContextResult extends ApiResult { contextId: string; context?: Context; }
export interface ContextListResult extends ApiResult { contexts: Context[]; nextToken?: string; maxResults?: number; totalCount?: number; }
export interface FileUrlResult extends ApiResult { url: string; expireTime?: number; }
export interface ContextFileEntry {
  fileId?: string; fileName?: string; filePath: string; fileType?: string;
  gmtCreate?: string; gmtModified?: string; size?: number; status?: string;
}
export interface ContextFileListResult extends ApiResult { entries: ContextFileEntry[]; count?: number; }
export interface ClearContextResult extends ApiResult { status?: string; contextId?: string; }
export interface UploadResult extends ApiResult { httpStatus?: number; bytesSent: number; }
export interface DownloadResult extends ApiResult { content?: Uint8Array; size?: number; httpStatus?: number; }
export interface ContextInfoResult extends ApiResult { contextStatusData: ContextStatusData[]; }
export interface ContextSyncResult extends ApiResult {
  /** Tasks that ended Failed. */
  failedTasks?: ContextStatusData[];
  /** Tasks still running when the wait ran out. */
  pendingTasks?: ContextStatusData[];
}
export interface SessionListResult extends ApiResult {
  sessionIds: Array<{ sessionId: string; sessionStatus: string }>;
  nextToken?: string; maxResults?: number; totalCount?: number;
}
export interface SessionInfo {
  sessionId: string; resourceUrl: string; appId: string; authCode: string;
  connectionProperties: string; resourceId: string; resourceType: string; ticket: string;
}
export interface SessionInfoResult extends ApiResult { data?: SessionInfo; }
export interface SessionStatusResult extends ApiResult { status?: string; code?: string; httpStatusCode?: number; }
export interface FileContentResult extends ApiResult { content: string; }
export interface BinaryFileContentResult extends ApiResult { content: Uint8Array; size?: number; }
export interface FileInfo {
  name: string; path: string; size: number; isDirectory: boolean; modTime: string; mode: string;
  owner?: string; group?: string;
}
export interface FileInfoResult extends ApiResult { fileInfo?: FileInfo; }
export interface DirectoryEntry { name: string; isDirectory: boolean; }
export interface DirectoryListResult extends ApiResult { entries: DirectoryEntry[]; }
/** Paths that match (`[]` when the search failed). */
export interface FileSearchResult extends ApiResult { matches: string[]; }
/** Path → content; a file the tool could not read maps to its `Error - <reason>` text. */
export interface MultipleFileContentResult extends ApiResult { contents: Record<string, string>; }
/** One `editFile` replacement: the first occurrence of `oldText` becomes `newText`. */
export interface FileEdit { oldText: string; newText: string; }

/** `readFile(path, { format: "bytes" })` resolves to bytes. */
export interface FileSystem {
  readFile(path: string, options: ReadBytesOptions): Promise<BinaryFileContentResult>;
  read(path: string, options: ReadBytesOptions): Promise<BinaryFileContentResult>;
}
"#;

// Argument types: optional object parameters need real imported types so that
// wasm-bindgen keeps them optional (`x?: T`) in the generated signatures.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "AgentBayOptions")]
    pub type AgentBayOptionsArg;
    #[wasm_bindgen(typescript_type = "CreateSessionParams")]
    pub type CreateSessionParamsArg;
    #[wasm_bindgen(typescript_type = "Record<string, string>")]
    pub type StringRecordArg;
    #[wasm_bindgen(typescript_type = "ContextListParams")]
    pub type ContextListParamsArg;
    #[wasm_bindgen(typescript_type = "ExecuteOptions")]
    pub type ExecuteOptionsArg;
    #[wasm_bindgen(typescript_type = "ReadFileOptions")]
    pub type ReadFileOptionsArg;
    #[wasm_bindgen(typescript_type = "string[]")]
    pub type StringArrayArg;
    #[wasm_bindgen(typescript_type = "FileEdit[]")]
    pub type FileEditsArg;
    #[wasm_bindgen(typescript_type = "WriteMode")]
    pub type WriteModeArg;
    #[wasm_bindgen(typescript_type = "SyncCallback | SyncOptions")]
    pub type SyncCallbackOrOptionsArg;
    #[wasm_bindgen(typescript_type = "SyncPolicyLike")]
    pub type SyncPolicyLikeArg;
    #[wasm_bindgen(typescript_type = "SyncPolicyData")]
    pub type SyncPolicyDataArg;
    #[wasm_bindgen(typescript_type = "Partial<UploadPolicyData>")]
    pub type UploadPolicyPartial;
    #[wasm_bindgen(typescript_type = "Partial<DownloadPolicyData>")]
    pub type DownloadPolicyPartial;
    #[wasm_bindgen(typescript_type = "Partial<DeletePolicyData>")]
    pub type DeletePolicyPartial;
    #[wasm_bindgen(typescript_type = "Partial<ExtractPolicyData>")]
    pub type ExtractPolicyPartial;
    #[wasm_bindgen(typescript_type = "Partial<RecyclePolicyData>")]
    pub type RecyclePolicyPartial;
    #[wasm_bindgen(typescript_type = "Partial<MappingPolicyData>")]
    pub type MappingPolicyPartial;
    #[wasm_bindgen(typescript_type = "Partial<WhiteListData>")]
    pub type WhiteListPartial;
    #[wasm_bindgen(typescript_type = "Partial<BWListData>")]
    pub type BWListPartial;
}
