//! `Session` and its services: `command`, `fileSystem`, `context`.

use super::convert::{bytes_of, error, get, promise, set, to_js, to_json};
use super::env::describe;
use super::env::JsApi;
use super::local_fs::HostFs;
use super::types::{
    ExecuteOptionsArg, FileEditsArg, FileTransferDownloadOptionsArg, FileTransferUploadOptionsArg, ReadFileOptionsArg,
    StringArrayArg, StringRecordArg, SyncCallbackOrOptionsArg, WriteModeArg,
};
use crate::core::context_manager::{self as cm, SYNC_WAIT};
use crate::core::handle::SessionHandle;
use crate::core::poll::WaitOptions;
use crate::core::results::*;
use crate::core::session::{self as core_session, DELETE_WAIT};
use crate::core::wire::context_status::TaskStatus;
use crate::core::{bind, command, file_transfer, filesystem, mcp, progress, tool_call};
use js_sys::{Function, Promise, Uint8Array};
use std::cell::{Cell, OnceCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

/// A sandbox session. Obtained from `agentBay.create()` / `agentBay.get()`; run commands with
/// `command`, use files with `fileSystem`, sync mounted contexts with `context`, and `delete()` it
/// when done.
#[wasm_bindgen]
#[derive(Clone)]
pub struct Session {
    api: Rc<JsApi>,
    state: Rc<SessionHandle>,
    /// The one `FileSystem` object every getter hands out, so `session.fs === session.fileSystem`
    /// as in the official SDK. The FileSystem's own Session copy gets an empty cell, so the
    /// cached object never keeps itself alive.
    file_system: Rc<OnceCell<JsValue>>,
}

impl Session {
    /// A `Session` object for a session the core created or found.
    pub fn new(api: Rc<JsApi>, state: Rc<SessionHandle>) -> Session {
        Session { api, state, file_system: Rc::default() }
    }

    /// The client the session's calls go through.
    pub fn api(&self) -> &Rc<JsApi> {
        &self.api
    }
}

#[wasm_bindgen]
impl Session {
    /// The session's id.
    #[wasm_bindgen(getter, js_name = sessionId)]
    pub fn session_id(&self) -> String {
        self.state.data.session_id.clone()
    }

    /// Alias of `sessionId` (the official getter method).
    #[wasm_bindgen(js_name = getSessionId)]
    pub fn get_session_id(&self) -> String {
        self.session_id()
    }

    /// The session's resource URL.
    #[wasm_bindgen(getter, js_name = resourceUrl)]
    pub fn resource_url(&self) -> String {
        self.state.data.resource_url.clone()
    }

    /// The session's access token (used by the tool calls).
    #[wasm_bindgen(getter)]
    pub fn token(&self) -> String {
        self.state.data.token.clone()
    }

    /// Alias of `token` (the official getter method).
    #[wasm_bindgen(js_name = getToken)]
    pub fn get_token(&self) -> String {
        self.token()
    }

    /// The API key of the client that created or opened this session (keep it out of logs).
    #[wasm_bindgen(js_name = getAPIKey)]
    pub fn get_api_key(&self) -> String {
        self.api.cfg.api_key.clone()
    }

    /// The session's link URL.
    #[wasm_bindgen(getter, js_name = linkUrl)]
    pub fn link_url(&self) -> String {
        self.state.data.link_url.clone()
    }

    /// Alias of `linkUrl` (the official getter method).
    #[wasm_bindgen(js_name = getLinkUrl)]
    pub fn get_link_url(&self) -> String {
        self.link_url()
    }

    /// The image the session runs.
    #[wasm_bindgen(getter, js_name = imageId)]
    pub fn image_id(&self) -> String {
        self.state.data.image_id.clone()
    }

    /// The application instance id (`AppInstanceId` of CreateMcpSession / GetSession; on
    /// agentbay-local the session id). `""` for `new Session(agentBay, id)`.
    #[wasm_bindgen(getter, js_name = appInstanceId)]
    pub fn app_instance_id(&self) -> String {
        self.state.data.app_instance_id.clone()
    }

    /// The WebSocket URL of the session's streaming features (`WsUrl`); `""` when the server
    /// gives none, as agentbay-local.
    #[wasm_bindgen(getter, js_name = wsUrl)]
    pub fn ws_url(&self) -> String {
        self.state.data.ws_url.clone()
    }

    /// Whether browser recording was asked for: what `create({ enableBrowserReplay })` said
    /// (`false` when absent, and for sessions from `get()` or `new Session`).
    #[wasm_bindgen(getter, js_name = enableBrowserReplay)]
    pub fn enable_browser_replay(&self) -> bool {
        self.state.data.enable_browser_replay
    }

    /// The MCP tools the server listed for the session when it was created or fetched (its
    /// `ToolList`; `[]` when absent or malformed, and for `new Session`). A new array on each read.
    ///
    /// @example
    /// ```ts
    /// const { session } = await agentBay.create();
    /// console.log(session.mcpTools.map((t) => t.name)); // ["shell", "read_file", …]
    /// ```
    #[wasm_bindgen(getter, js_name = mcpTools, unchecked_return_type = "McpTool[]")]
    pub fn mcp_tools(&self) -> JsValue {
        to_js(&self.state.data.mcp_tools)
    }

    /// `callMcpTool(toolName, args, autoGenSession = false)`: calls any MCP tool of the session by
    /// name (CallMcpTool) with `args`, an object of the tool's arguments. `data` is the tool's text
    /// output; a tool error (`isError`) or an API error (such as an unknown tool) is `success:
    /// false` with `errorMessage`.
    ///
    /// @example
    /// ```ts
    /// const r = await session.callMcpTool("shell", { command: "echo hi", timeout_ms: 5000 });
    /// if (r.success) console.log(JSON.parse(r.data).stdout); // agentbay-local: {stdout, stderr, exit_code}
    /// else console.error(r.errorMessage);
    /// ```
    #[wasm_bindgen(js_name = callMcpTool, unchecked_return_type = "Promise<McpToolResult>")]
    pub fn call_mcp_tool(
        &self,
        #[wasm_bindgen(js_name = toolName)] tool_name: String,
        #[wasm_bindgen(unchecked_param_type = "object")] args: JsValue,
        #[wasm_bindgen(js_name = autoGenSession)] auto_gen_session: Option<bool>,
    ) -> Promise {
        let (api, s) = (self.api.clone(), self.state.clone());
        let args = to_json(&args);
        promise(async move {
            match args {
                Ok(a) => {
                    to_js(&tool_call::call_mcp_tool(&api, &s, &tool_name, &a, auto_gen_session.unwrap_or(false)).await)
                }
                Err(e) => to_js(&McpToolResult::fail("", describe(&e))),
            }
        })
    }

    /// `listMcpTools(imageId?)`: the MCP tools of an image (ListMcpTools; default the session's
    /// image, else `linux_latest`). As officially, `session.mcpTools` is left as it is.
    ///
    /// @example
    /// ```ts
    /// const { success, tools } = await session.listMcpTools();
    /// if (success) console.log(`${tools.length} tools:`, tools.map((t) => t.name).join(", "));
    /// ```
    #[wasm_bindgen(js_name = listMcpTools, unchecked_return_type = "Promise<McpToolsResult>")]
    pub fn list_mcp_tools(&self, #[wasm_bindgen(js_name = imageId)] image_id: Option<String>) -> Promise {
        let (api, s) = (self.api.clone(), self.state.clone());
        promise(async move { to_js(&mcp::list_mcp_tools(&api, &s, image_id.as_deref()).await) })
    }

    /// True once `delete()` succeeded; later calls then resolve with a clear error.
    #[wasm_bindgen(getter)]
    pub fn deleted(&self) -> bool {
        self.state.is_deleted()
    }

    /// Shell commands in the session.
    #[wasm_bindgen(getter)]
    pub fn command(&self) -> Command {
        Command { s: self.clone() }
    }

    /// The session's files (always the same object).
    #[wasm_bindgen(getter, js_name = fileSystem, unchecked_return_type = "FileSystem")]
    pub fn file_system(&self) -> JsValue {
        self.file_system
            .get_or_init(|| FileSystem { s: Session::new(self.api.clone(), self.state.clone()) }.into())
            .clone()
    }

    /// Alias of `fileSystem`.
    #[wasm_bindgen(getter, unchecked_return_type = "FileSystem")]
    pub fn fs(&self) -> JsValue {
        self.file_system()
    }

    /// Alias of `fileSystem`.
    #[wasm_bindgen(getter, unchecked_return_type = "FileSystem")]
    pub fn filesystem(&self) -> JsValue {
        self.file_system()
    }

    /// Alias of `fileSystem`.
    #[wasm_bindgen(getter, unchecked_return_type = "FileSystem")]
    pub fn files(&self) -> JsValue {
        self.file_system()
    }

    /// The session's mounted contexts: their sync status, and explicit syncs.
    #[wasm_bindgen(getter)]
    pub fn context(&self) -> ContextManager {
        ContextManager { s: self.clone() }
    }

    /// `delete(syncContext = false)`: optional upload of every context first, then
    /// DeleteSessionAsync and polling until the session is gone.
    ///
    /// @example
    /// ```ts
    /// const result = await session.delete(true); // upload the mounted contexts first
    /// if (!result.success) console.error(result.errorMessage);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<DeleteResult>")]
    pub fn delete(&self, #[wasm_bindgen(js_name = syncContext)] sync_context: Option<bool>) -> Promise {
        let (api, s) = (self.api.clone(), self.state.clone());
        promise(async move { to_js(&core_session::delete(&api, &s, sync_context.unwrap_or(false), DELETE_WAIT).await) })
    }

    /// Replaces the session's labels (non-empty keys and values, official messages).
    #[wasm_bindgen(js_name = setLabels, unchecked_return_type = "Promise<LabelResult>")]
    pub fn set_labels(&self, labels: StringRecordArg) -> Promise {
        let (api, s) = (self.api.clone(), self.state.clone());
        let labels = to_json(&labels);
        promise(async move {
            match labels {
                Ok(l) => to_js(&core_session::set_labels(&api, &s, &l).await),
                Err(e) => to_js(&LabelResult::fail("", describe(&e))),
            }
        })
    }

    /// The session's labels.
    #[wasm_bindgen(js_name = getLabels, unchecked_return_type = "Promise<LabelResult>")]
    pub fn get_labels(&self) -> Promise {
        let (api, s) = (self.api.clone(), self.state.clone());
        promise(async move { to_js(&core_session::get_labels(&api, &s).await) })
    }

    /// How to reach the session's resource.
    #[wasm_bindgen(unchecked_return_type = "Promise<SessionInfoResult>")]
    pub fn info(&self) -> Promise {
        let (api, s) = (self.api.clone(), self.state.clone());
        promise(async move { to_js(&core_session::info(&api, &s).await) })
    }

    /// The session's status (`RUNNING`, …).
    #[wasm_bindgen(js_name = getStatus, unchecked_return_type = "Promise<SessionStatusResult>")]
    pub fn get_status(&self) -> Promise {
        let (api, s) = (self.api.clone(), self.state.clone());
        promise(async move { to_js(&core_session::status(&api, &s).await) })
    }

    /// `keepAlive()`: restarts the session's idle timer (RefreshSessionIdleTime).
    #[wasm_bindgen(js_name = keepAlive, unchecked_return_type = "Promise<OperationResult>")]
    pub fn keep_alive(&self) -> Promise {
        let (api, s) = (self.api.clone(), self.state.clone());
        promise(async move { to_js(&core_session::keep_alive(&api, &s).await) })
    }

    /// `betaPauseAsync(timeout = 600, pollInterval = 2)` (seconds): pauses the session (its
    /// processes are held, files and mounts kept) and waits until it is `PAUSED`.
    ///
    /// @example
    /// ```ts
    /// const paused = await session.betaPauseAsync();
    /// if (paused.success) await session.betaResumeAsync();
    /// ```
    #[wasm_bindgen(js_name = betaPauseAsync, unchecked_return_type = "Promise<SessionPauseResult>")]
    pub fn beta_pause_async(
        &self,
        timeout: Option<f64>,
        #[wasm_bindgen(js_name = pollInterval)] poll_interval: Option<f64>,
    ) -> Promise {
        self.pause_or_resume(true, timeout, poll_interval)
    }

    /// `betaResumeAsync(timeout = 600, pollInterval = 2)` (seconds): resumes a paused session
    /// and waits until it is `RUNNING` again.
    #[wasm_bindgen(js_name = betaResumeAsync, unchecked_return_type = "Promise<SessionResumeResult>")]
    pub fn beta_resume_async(
        &self,
        timeout: Option<f64>,
        #[wasm_bindgen(js_name = pollInterval)] poll_interval: Option<f64>,
    ) -> Promise {
        self.pause_or_resume(false, timeout, poll_interval)
    }
}

impl Session {
    fn pause_or_resume(&self, pause: bool, timeout: Option<f64>, poll_interval: Option<f64>) -> Promise {
        let (api, s) = (self.api.clone(), self.state.clone());
        let timeout = timeout.filter(|t| t.is_finite()).unwrap_or(600.0);
        let poll = poll_interval.filter(|p| p.is_finite() && *p > 0.0).unwrap_or(2.0);
        promise(async move { to_js(&core_session::pause_or_resume(&api, &s, pause, timeout, poll).await) })
    }
}

/// `session.command`: shell commands in the session (also `new Command(session)`).
#[wasm_bindgen]
pub struct Command {
    s: Session,
}

impl Command {
    fn run_with(&self, command: String, timeout_ms: Option<f64>, cwd: Option<String>, envs: JsValue) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        let envs = match to_json(&envs).and_then(|v| command::validate_envs(&v).map_err(error)) {
            Ok(e) => e,
            // The one place the official executeCommand rejects.
            Err(e) => return Promise::reject(&e),
        };
        let timeout = timeout_ms.filter(|t| t.is_finite() && *t > 0.0).map(|t| t as u64);
        promise(async move { to_js(&command::execute(&api, &s, &command, timeout, cwd.as_deref(), envs).await) })
    }
}

#[wasm_bindgen]
impl Command {
    /// `new Command(session)`: the same as `session.command`.
    #[wasm_bindgen(constructor)]
    pub fn new(session: &Session) -> Command {
        session.command()
    }

    /// `executeCommand(command, timeoutMs = 1000, cwd?, envs?)`; timeouts above 50 s are capped.
    #[wasm_bindgen(js_name = executeCommand, unchecked_return_type = "Promise<CommandResult>")]
    pub fn execute_command(
        &self,
        command: String,
        #[wasm_bindgen(js_name = timeoutMs)] timeout_ms: Option<f64>,
        cwd: Option<String>,
        envs: Option<StringRecordArg>,
    ) -> Promise {
        self.run_with(command, timeout_ms, cwd, envs.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))
    }

    /// Alias of `executeCommand`.
    #[wasm_bindgen(unchecked_return_type = "Promise<CommandResult>")]
    pub fn run(
        &self,
        command: String,
        #[wasm_bindgen(js_name = timeoutMs)] timeout_ms: Option<f64>,
        cwd: Option<String>,
        envs: Option<StringRecordArg>,
    ) -> Promise {
        self.execute_command(command, timeout_ms, cwd, envs)
    }

    /// Alias of `executeCommand`.
    #[wasm_bindgen(unchecked_return_type = "Promise<CommandResult>")]
    pub fn exec(
        &self,
        command: String,
        #[wasm_bindgen(js_name = timeoutMs)] timeout_ms: Option<f64>,
        cwd: Option<String>,
        envs: Option<StringRecordArg>,
    ) -> Promise {
        self.execute_command(command, timeout_ms, cwd, envs)
    }

    /// Alias of `executeCommand`, with the options as one object (the seed's form:
    /// `execute(command, { timeoutMs, cwd, envs }?)`).
    #[wasm_bindgen(unchecked_return_type = "Promise<CommandResult>")]
    pub fn execute(&self, command: String, options: Option<ExecuteOptionsArg>) -> Promise {
        let o: JsValue = options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
        let cwd = get(&o, "cwd").as_string();
        self.run_with(command, get(&o, "timeoutMs").as_f64(), cwd, get(&o, "envs"))
    }
}

/// A JS list argument checked by core (`string[]`); the message becomes the result's errorMessage.
fn list_arg(v: Option<JsValue>, what: &str, optional: bool) -> Result<Vec<String>, String> {
    let v = to_json(&v.unwrap_or(JsValue::UNDEFINED)).map_err(|e| describe(&e))?;
    filesystem::string_list(&v, what, optional)
}

/// `session.fileSystem` (also `fs`, `filesystem`, `files`): the session's files. Also
/// `new FileSystem(session)`, as official code builds it.
#[wasm_bindgen]
pub struct FileSystem {
    s: Session,
}

#[wasm_bindgen]
impl FileSystem {
    /// `new FileSystem(session)`: works like `session.fileSystem` (a separate object).
    #[wasm_bindgen(constructor)]
    pub fn new(session: &Session) -> FileSystem {
        FileSystem { s: Session::new(session.api.clone(), session.state.clone()) }
    }

    /// Reads a file as text, or as bytes with `{ format: "bytes" }` (`content` is then a
    /// `Uint8Array`, empty when the read failed).
    #[wasm_bindgen(js_name = readFile, unchecked_return_type = "Promise<FileContentResult>")]
    pub fn read_file(&self, path: String, options: Option<ReadFileOptionsArg>) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        let o: JsValue = options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
        let bytes = get(&o, "format").as_string().as_deref() == Some("bytes");
        promise(async move {
            if bytes {
                let r = filesystem::read_bytes(&api, &s, &path, true).await;
                let out = to_js(&r);
                // Official: a failed read still has `content`, an empty Uint8Array.
                set(&out, "content", &Uint8Array::from(r.bytes.as_slice()).into());
                out
            } else {
                to_js(&filesystem::read_file(&api, &s, &path).await)
            }
        })
    }

    /// Alias of `readFile`.
    #[wasm_bindgen(unchecked_return_type = "Promise<FileContentResult>")]
    pub fn read(&self, path: String, options: Option<ReadFileOptionsArg>) -> Promise {
        self.read_file(path, options)
    }

    /// `writeFile(path, content, mode = "overwrite")`, chunked like the official SDK.
    #[wasm_bindgen(js_name = writeFile, unchecked_return_type = "Promise<BoolResult>")]
    pub fn write_file(&self, path: String, content: String, mode: Option<WriteModeArg>) -> Promise {
        let mode = mode.and_then(|m| m.as_string());
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        promise(async move {
            to_js(
                &filesystem::write_file(&api, &s, &path, &content, mode.unwrap_or_else(|| "overwrite".into()).as_str())
                    .await,
            )
        })
    }

    /// Alias of `writeFile`.
    #[wasm_bindgen(unchecked_return_type = "Promise<BoolResult>")]
    pub fn write(&self, path: String, content: String, mode: Option<WriteModeArg>) -> Promise {
        self.write_file(path, content, mode)
    }

    /// The entries of a directory.
    #[wasm_bindgen(js_name = listDirectory, unchecked_return_type = "Promise<DirectoryListResult>")]
    pub fn list_directory(&self, path: String) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        promise(async move { to_js(&filesystem::list_directory(&api, &s, &path).await) })
    }

    /// Alias of `listDirectory`.
    #[wasm_bindgen(unchecked_return_type = "Promise<DirectoryListResult>")]
    pub fn list(&self, path: String) -> Promise {
        self.list_directory(path)
    }

    /// Alias of `listDirectory`.
    #[wasm_bindgen(unchecked_return_type = "Promise<DirectoryListResult>")]
    pub fn ls(&self, path: String) -> Promise {
        self.list_directory(path)
    }

    /// Creates a directory (and its parents).
    #[wasm_bindgen(js_name = createDirectory, unchecked_return_type = "Promise<BoolResult>")]
    pub fn create_directory(&self, path: String) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        promise(async move { to_js(&filesystem::create_directory(&api, &s, &path).await) })
    }

    /// Deletes a file.
    #[wasm_bindgen(js_name = deleteFile, unchecked_return_type = "Promise<BoolResult>")]
    pub fn delete_file(&self, path: String) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        promise(async move { to_js(&filesystem::delete_file(&api, &s, &path).await) })
    }

    /// Alias of `deleteFile`.
    #[wasm_bindgen(unchecked_return_type = "Promise<BoolResult>")]
    pub fn delete(&self, path: String) -> Promise {
        self.delete_file(path)
    }

    /// Alias of `deleteFile`.
    #[wasm_bindgen(unchecked_return_type = "Promise<BoolResult>")]
    pub fn remove(&self, path: String) -> Promise {
        self.delete_file(path)
    }

    /// Alias of `deleteFile`.
    #[wasm_bindgen(unchecked_return_type = "Promise<BoolResult>")]
    pub fn rm(&self, path: String) -> Promise {
        self.delete_file(path)
    }

    /// `searchFiles(path, pattern, excludePatterns = [])` → `{ matches }`.
    #[wasm_bindgen(js_name = searchFiles, unchecked_return_type = "Promise<FileSearchResult>")]
    pub fn search_files(
        &self,
        path: String,
        pattern: String,
        #[wasm_bindgen(js_name = excludePatterns)] exclude_patterns: Option<StringArrayArg>,
    ) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        let excludes = list_arg(exclude_patterns.map(JsValue::from), "excludePatterns", true);
        promise(async move {
            match excludes {
                Ok(ex) => to_js(&filesystem::search_files(&api, &s, &path, &pattern, &ex).await),
                Err(m) => to_js(&FileSearchResult::fail("", m)),
            }
        })
    }

    /// `readMultipleFiles(paths)` → `{ contents: { [path]: content } }`.
    #[wasm_bindgen(js_name = readMultipleFiles, unchecked_return_type = "Promise<MultipleFileContentResult>")]
    pub fn read_multiple_files(&self, paths: StringArrayArg) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        let paths = list_arg(Some(paths.into()), "paths", false);
        promise(async move {
            match paths {
                Ok(p) => to_js(&filesystem::read_multiple_files(&api, &s, &p).await),
                Err(m) => to_js(&MultipleFileContentResult::fail("", m)),
            }
        })
    }

    /// `editFile(path, edits, dryRun = false)`: each `oldText` is replaced once, all or nothing.
    #[wasm_bindgen(js_name = editFile, unchecked_return_type = "Promise<BoolResult>")]
    pub fn edit_file(
        &self,
        path: String,
        edits: FileEditsArg,
        #[wasm_bindgen(js_name = dryRun)] dry_run: Option<bool>,
    ) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        let edits = to_json(&edits.into()).map_err(|e| describe(&e)).and_then(|v| filesystem::edit_list(&v));
        promise(async move {
            match edits {
                Ok(e) => to_js(&filesystem::edit_file(&api, &s, &path, &e, dry_run.unwrap_or(false)).await),
                Err(m) => to_js(&BoolResult::fail("", m)),
            }
        })
    }

    /// Moves (renames) a file or directory.
    #[wasm_bindgen(js_name = moveFile, unchecked_return_type = "Promise<BoolResult>")]
    pub fn move_file(&self, source: String, destination: String) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        promise(async move { to_js(&filesystem::move_file(&api, &s, &source, &destination).await) })
    }

    /// Parsed `get_file_info` (values containing `:` such as `modTime` are kept whole).
    #[wasm_bindgen(js_name = getFileInfo, unchecked_return_type = "Promise<FileInfoResult>")]
    pub fn get_file_info(&self, path: String) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        promise(async move { to_js(&filesystem::get_file_info(&api, &s, &path).await) })
    }

    /// `getFileTransferContextPath()`: the session directory that `uploadFile` / `downloadFile`
    /// transfer through (the file-transfer context, made and mounted on first use), or `null`
    /// when the server has none.
    ///
    /// @example
    /// ```ts
    /// const dir = await session.fileSystem.getFileTransferContextPath(); // e.g. "/tmp/file_transfer"
    /// ```
    #[wasm_bindgen(js_name = getFileTransferContextPath, unchecked_return_type = "Promise<string | null>")]
    pub fn get_file_transfer_context_path(&self) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        promise(async move { file_transfer::context_path(&api, &s).await.map_or(JsValue::NULL, JsValue::from) })
    }

    /// `uploadFile(localPathOrData, remotePath, options?)`: puts a file into the session through
    /// its file-transfer context (official). `localPathOrData` is a local file path (Node) or
    /// the bytes (`Uint8Array`, `ArrayBuffer`, `Blob`; the only form in browsers). With `wait`
    /// (default) it resolves once the session has the file at `remotePath`, which must lie
    /// below `getFileTransferContextPath()`. Failures resolve `success: false` with `error`.
    ///
    /// @example
    /// ```ts
    /// const dir = await session.fileSystem.getFileTransferContextPath();
    /// const up = await session.fileSystem.uploadFile("./report.csv", `${dir}/report.csv`, {
    ///   progressCb: (n) => console.log(`${n} bytes sent`),
    /// });
    /// if (!up.success) console.error(up.error);
    /// await session.fileSystem.uploadFile(new TextEncoder().encode("hi"), `${dir}/hi.txt`);
    /// ```
    #[wasm_bindgen(js_name = uploadFile, unchecked_return_type = "Promise<FileTransferUploadResult>")]
    pub fn upload_file(
        &self,
        #[wasm_bindgen(js_name = localPathOrData, unchecked_param_type = "string | TransferData")]
        local_path_or_data: JsValue,
        #[wasm_bindgen(js_name = remotePath)] remote_path: String,
        options: Option<FileTransferUploadOptionsArg>,
    ) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        let o: JsValue = options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
        let (opts, progress) = transfer_options(&o);
        promise(async move {
            let fs = HostFs::get();
            let fs = fs.as_ref().map(|f| f as &dyn file_transfer::LocalFiles);
            let local = local_path_or_data.as_string();
            let source = match &local {
                Some(path) => file_transfer::Source::Local(path),
                None => match bytes_of(&local_path_or_data).await {
                    Ok(b) => file_transfer::Source::Bytes(b),
                    Err(_) => {
                        let m = "localPathOrData must be a local file path (string), Uint8Array, ArrayBuffer or Blob";
                        return to_js(&FileTransferUploadResult::fail(&remote_path, m));
                    }
                },
            };
            to_js(&file_transfer::upload(&api, &s, source, fs, &remote_path, &opts, &progress).await)
        })
    }

    /// `downloadFile(remotePath, localPath?, options?)`: gets a file out of the session through
    /// its file-transfer context (official). With `localPath` (Node) the file is written there
    /// (parent directories created; `overwrite: false` keeps an existing file and fails);
    /// without it, the result's `content` holds the bytes (the only form in browsers).
    ///
    /// @example
    /// ```ts
    /// const dir = await session.fileSystem.getFileTransferContextPath();
    /// await session.fileSystem.writeFile(`${dir}/out.txt`, "result");
    /// const saved = await session.fileSystem.downloadFile(`${dir}/out.txt`, "./out.txt");
    /// const inMemory = await session.fileSystem.downloadFile(`${dir}/out.txt`);
    /// if (inMemory.success) console.log(new TextDecoder().decode(inMemory.content));
    /// ```
    #[wasm_bindgen(js_name = downloadFile, unchecked_return_type = "Promise<FileTransferDownloadResult>")]
    pub fn download_file(
        &self,
        #[wasm_bindgen(js_name = remotePath)] remote_path: String,
        #[wasm_bindgen(js_name = localPath)] local_path: Option<String>,
        options: Option<FileTransferDownloadOptionsArg>,
    ) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        let o: JsValue = options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
        let (opts, progress) = transfer_options(&o);
        promise(async move {
            let fs = HostFs::get();
            let fs = fs.as_ref().map(|f| f as &dyn file_transfer::LocalFiles);
            let local = local_path.as_deref();
            let r = file_transfer::download(&api, &s, &remote_path, local, fs, &opts, &progress).await;
            let out = to_js(&r);
            if r.success && local.is_none() {
                set(&out, "content", &Uint8Array::from(r.bytes.as_slice()).into());
            }
            out
        })
    }
}

/// The official transfer options (seconds) and the progress listeners: the official
/// `progressCb(bytesTransferred)` and `onProgress({ bytesDone, total })`.
fn transfer_options(o: &JsValue) -> (file_transfer::TransferOptions, Rc<progress::Progress>) {
    let mut opts = file_transfer::TransferOptions::default();
    let seconds = |k: &str| get(o, k).as_f64().filter(|v| v.is_finite() && *v >= 0.0).map(|v| (v * 1000.0) as u64);
    if let Some(t) = get(o, "contentType").as_string() {
        opts.content_type = Some(t);
    }
    if let Some(w) = get(o, "wait").as_bool() {
        opts.wait = w;
    }
    if let Some(w) = get(o, "overwrite").as_bool() {
        opts.overwrite = w;
    }
    if let Some(ms) = seconds("waitTimeout") {
        opts.wait_timeout_ms = ms;
    }
    if let Some(ms) = seconds("pollInterval").filter(|ms| *ms > 0) {
        opts.poll_interval_ms = ms;
    }
    (opts, progress_of(o))
}

/// The progress listeners of a transfer's options: the official `progressCb(bytesTransferred)`
/// and `onProgress({ bytesDone, total })`.
pub(crate) fn progress_of(o: &JsValue) -> Rc<progress::Progress> {
    let official = get(o, "progressCb").dyn_into::<Function>().ok();
    let on_progress = get(o, "onProgress").dyn_into::<Function>().ok();
    if official.is_none() && on_progress.is_none() {
        return progress::Progress::none();
    }
    progress::Progress::new(move |p| {
        // A listener that throws must not stop the transfer.
        if let Some(f) = &official {
            let _ = f.call1(&JsValue::UNDEFINED, &(p.bytes_done as f64).into());
        }
        if let Some(f) = &on_progress {
            let _ = f.call1(&JsValue::UNDEFINED, &to_js(&p));
        }
    })
}

/// `session.context`: the sync status of the session's mounted contexts, and explicit syncs.
/// Also `new ContextManager(session)` / `newContextManager(session)`, as official code builds it.
#[wasm_bindgen]
pub struct ContextManager {
    s: Session,
}

/// `newContextManager(session)`: the same as `session.context` (the official factory).
#[wasm_bindgen(js_name = newContextManager)]
pub fn new_context_manager(session: &Session) -> ContextManager {
    session.context()
}

/// What the 4th `sync()` argument may carry.
struct SyncExtras {
    callback: Option<Function>,
    on_progress: Option<Function>,
    wait: WaitOptions,
}

fn sync_extras(arg: &JsValue, max_retries: Option<f64>, retry_interval: Option<f64>) -> SyncExtras {
    let mut wait = if max_retries.is_some() || retry_interval.is_some() {
        cm::wait_from_retries(max_retries.map(|m| m.max(1.0) as u32), retry_interval.map(|r| r.max(1.0) as u64))
    } else {
        SYNC_WAIT
    };
    if let Some(f) = arg.dyn_ref::<Function>() {
        return SyncExtras { callback: Some(f.clone()), on_progress: None, wait };
    }
    let f = |k: &str| get(arg, k).dyn_into::<Function>().ok();
    let n = |k: &str| get(arg, k).as_f64().filter(|v| v.is_finite() && *v >= 0.0);
    if n("maxRetries").is_some() || n("retryIntervalMs").is_some() {
        wait = cm::wait_from_retries(
            n("maxRetries").map(|m| m.max(1.0) as u32),
            n("retryIntervalMs").map(|r| r.max(1.0) as u64),
        );
    }
    if let Some(t) = n("timeoutMs") {
        wait.timeout_ms = t as u64;
    }
    SyncExtras { callback: f("callback"), on_progress: f("onProgress"), wait }
}

fn progress_fn(f: Option<Function>) -> impl FnMut(&[TaskStatus]) {
    move |tasks: &[TaskStatus]| {
        if let Some(f) = &f {
            let _ = f.call1(&JsValue::UNDEFINED, &to_js(tasks));
        }
    }
}

#[wasm_bindgen]
impl ContextManager {
    /// `new ContextManager(session)`: the same as `session.context`.
    #[wasm_bindgen(constructor)]
    pub fn new(session: &Session) -> ContextManager {
        session.context()
    }

    /// `info(contextId?, path?, taskType?)` → `contextStatusData`.
    #[wasm_bindgen(unchecked_return_type = "Promise<ContextInfoResult>")]
    pub fn info(
        &self,
        #[wasm_bindgen(js_name = contextId)] context_id: Option<String>,
        path: Option<String>,
        #[wasm_bindgen(js_name = taskType)] task_type: Option<String>,
    ) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        promise(async move {
            if let Some(m) = s.deleted_error() {
                return to_js(&ContextInfoResult::fail("", m));
            }
            to_js(&cm::info(&api, s.id(), context_id.as_deref(), path.as_deref(), task_type.as_deref()).await)
        })
    }

    /// Alias of `info`.
    #[wasm_bindgen(js_name = infoWithParams, unchecked_return_type = "Promise<ContextInfoResult>")]
    pub fn info_with_params(
        &self,
        #[wasm_bindgen(js_name = contextId)] context_id: Option<String>,
        path: Option<String>,
        #[wasm_bindgen(js_name = taskType)] task_type: Option<String>,
    ) -> Promise {
        self.info(context_id, path, task_type)
    }

    /// `sync(contextId?, path?, mode?, callbackOrOptions?, maxRetries?, retryInterval?)`: uploads
    /// the mounted contexts now (all of them, or the one at `contextId` + `path`; `mode:
    /// "download"` downloads instead). Without a callback it waits for every task and reports
    /// failures; with a callback it returns after SyncContext and calls `callback(success)` later.
    ///
    /// @example
    /// ```ts
    /// const synced = await session.context.sync();
    /// if (!synced.success) console.error(synced.errorMessage, synced.failedTasks);
    /// // Callback mode: returns at once.
    /// await session.context.sync(contextId, "/mnt/data", undefined, (ok) => console.log("synced:", ok));
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<ContextSyncResult>")]
    pub fn sync(
        &self,
        #[wasm_bindgen(js_name = contextId)] context_id: Option<String>,
        path: Option<String>,
        mode: Option<String>,
        #[wasm_bindgen(js_name = callbackOrOptions)] callback_or_options: Option<SyncCallbackOrOptionsArg>,
        #[wasm_bindgen(js_name = maxRetries)] max_retries: Option<f64>,
        #[wasm_bindgen(js_name = retryInterval)] retry_interval: Option<f64>,
    ) -> Promise {
        if let Err(m) = cm::check_together(context_id.as_deref(), path.as_deref()) {
            return Promise::reject(&error(m));
        }
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        let extras = sync_extras(
            &callback_or_options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED),
            max_retries,
            retry_interval,
        );
        let mut progress = progress_fn(extras.on_progress);
        let callback = extras.callback;
        // Promise::new runs its executor at once, so `resolve` is set before it is read.
        let mut resolve = None;
        let answer = Promise::new(&mut |res, _| resolve = Some(res));
        let resolve = resolve.unwrap_or_else(|| unreachable!("Promise::new runs its executor synchronously"));
        spawn_local(async move {
            let (cid, p, m) = (context_id.as_deref(), path.as_deref(), mode.as_deref());
            // Callback mode (official): the promise resolves once SyncContext is accepted, and
            // the callback hears the outcome of the wait later.
            let answered = Cell::new(false);
            let mut started = |request_id: &str| {
                if callback.is_some() {
                    answered.set(true);
                    let ok = ContextSyncResult { request_id: request_id.into(), success: true, ..Default::default() };
                    let _ = resolve.call1(&JsValue::UNDEFINED, &to_js(&ok));
                }
            };
            let r = cm::sync(&api, &s, cid, p, m, extras.wait, &mut progress, &mut started).await;
            if !answered.get() {
                let _ = resolve.call1(&JsValue::UNDEFINED, &to_js(&r));
            }
            if let Some(cb) = &callback {
                let _ = cb.call1(&JsValue::UNDEFINED, &r.success.into());
            }
        });
        answer
    }

    /// `bind(contexts, waitForCompletion = true)`: mounts one or more contexts into the running
    /// session (BindContexts): `ContextSync`s, each downloaded and then synced by its policy like
    /// a mount made at create, and live `BetaContextMount`s, mixed as officially (their object
    /// forms too: a plain object is a live mount when it has `accessMode`, `strategy` or
    /// `sourcePath`). With `waitForCompletion` it resolves once the session lists every bound
    /// context and the downloads of the synced ones that auto-download have ended, and each live
    /// mount is mounted (a failed download makes it `success: false`), so their files are there.
    ///
    /// @example
    /// ```ts
    /// const { context } = await agentBay.context.get("my-data", true);
    /// const bound = await session.context.bind(new ContextSync(context.id, "/tmp/ctx-data"));
    /// if (!bound.success) console.error(bound.errorMessage);
    /// const live = await agentBay.context.get("runtime-mount", true);
    /// await session.context.bind(new BetaContextMount(live.context.id, "/tmp/dynamic-mount"));
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<ContextBindResult>")]
    pub fn bind(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "ContextSync | BetaContextMount | ContextSyncOptions | BetaContextMountOptions | Array<ContextSync | BetaContextMount | ContextSyncOptions | BetaContextMountOptions>"
        )]
        contexts: JsValue,
        #[wasm_bindgen(js_name = waitForCompletion)] wait_for_completion: Option<bool>,
    ) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        let specs = to_json(&contexts).map_err(|e| describe(&e)).and_then(|v| bind::specs_from_value(&v));
        let wait = wait_for_completion.unwrap_or(true);
        promise(async move {
            match specs {
                Ok(specs) => to_js(&bind::bind(&api, &s, &specs, wait, bind::BIND_WAIT, WaitOptions::default()).await),
                Err(m) => to_js(&ContextBindResult::fail("", m)),
            }
        })
    }

    /// `listBindings()`: every context the session mounts (at create or by `bind`, synced or
    /// live), in order, with its name, path, policy (JSON text; none for a live mount) and bind
    /// time.
    ///
    /// @example
    /// ```ts
    /// const { bindings } = await session.context.listBindings();
    /// for (const b of bindings) console.log(`${b.contextName} at ${b.path}`);
    /// ```
    #[wasm_bindgen(js_name = listBindings, unchecked_return_type = "Promise<ContextBindingsResult>")]
    pub fn list_bindings(&self) -> Promise {
        let (api, s) = (self.s.api.clone(), self.s.state.clone());
        promise(async move { to_js(&bind::list_bindings(&api, &s).await) })
    }

    /// Alias of `sync` (the seed's name).
    #[wasm_bindgen(js_name = syncContext, unchecked_return_type = "Promise<ContextSyncResult>")]
    pub fn sync_context(
        &self,
        #[wasm_bindgen(js_name = contextId)] context_id: Option<String>,
        path: Option<String>,
        mode: Option<String>,
        #[wasm_bindgen(js_name = callbackOrOptions)] callback_or_options: Option<SyncCallbackOrOptionsArg>,
        #[wasm_bindgen(js_name = maxRetries)] max_retries: Option<f64>,
        #[wasm_bindgen(js_name = retryInterval)] retry_interval: Option<f64>,
    ) -> Promise {
        self.sync(context_id, path, mode, callback_or_options, max_retries, retry_interval)
    }
}
