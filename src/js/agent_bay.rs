//! `AgentBay` and `agentBay.context` (ContextService).

use super::convert::{bytes_of, error, get, promise, promise_of, set, to_js, to_json};
use super::env::{describe, env_vars, JsApi, JsEnv};
use super::session::{progress_of, Session};
use super::types::{
    AgentBayOptionsArg, ContextListParamsArg, ContextTransferOptionsArg, CreateSessionParamsArg, StringRecordArg,
};
use crate::core::api::Api;
use crate::core::config::{self, AgentBayOptions};
use crate::core::context::{self, ContextListParams};
use crate::core::handle::SessionHandle;
use crate::core::results::SessionResult;
use crate::core::session as core_session;
use crate::core::wire::from_json::FromJson;
use js_sys::{Promise, Uint8Array};
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The client: creates, finds and deletes sessions (`create`, `get`, `list`, `delete`) and
/// manages contexts (`context`). `new AgentBay({ apiKey, endpoint?, timeoutMs?, regionId? })` or
/// the official `new AgentBay({ apiKey, config: { endpoint, timeout_ms, region_id } })`; without
/// an `apiKey`, `AGENTBAY_API_KEY` is used. The package's loggers mask the key of every client
/// constructed.
///
/// @example
/// ```ts
/// import { AgentBay } from "agentbay-wasm";
/// const agentBay = new AgentBay({ apiKey: process.env.AGENTBAY_API_KEY });
/// const { session } = await agentBay.create({ imageId: "linux_latest" });
/// const result = await session!.command.executeCommand("echo hello");
/// await agentBay.delete(session!);
/// ```
#[wasm_bindgen]
pub struct AgentBay {
    api: Rc<JsApi>,
}

impl AgentBay {
    /// An `AgentBay` object over an existing client (what `session.getAgentBay()` returns).
    pub fn from_api(api: Rc<JsApi>) -> AgentBay {
        AgentBay { api }
    }
}

/// A session result as JS sees it: the serialised fields plus a live `Session`.
pub fn session_result_js(api: &Rc<JsApi>, r: SessionResult) -> JsValue {
    let data = r.session.clone();
    let out = to_js(&SessionResult { session: None, ..r });
    if let Some(d) = data {
        set(&out, "session", &Session::new(api.clone(), Rc::new(SessionHandle::new(d))).into());
    }
    out
}

#[wasm_bindgen]
impl AgentBay {
    /// Reads the options (and the `AGENTBAY_*` variables where the host has an environment);
    /// throws on an invalid option, a missing API key or an unknown region.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<AgentBayOptionsArg>) -> Result<AgentBay, JsValue> {
        let json = match &options {
            Some(o) => to_json(o)?,
            None => serde_json::Value::Null,
        };
        let mut opts = if json.is_null() {
            AgentBayOptions::default()
        } else {
            AgentBayOptions::from_json(&json).map_err(|e| error(format!("Invalid AgentBay options: {e}")))?
        };
        let authorize = match options.as_ref().map(|o| get(o, "authorize")).filter(|f| !f.is_undefined()) {
            None => None,
            Some(f) => Some(
                f.dyn_into::<js_sys::Function>()
                    .map_err(|_| error("Invalid AgentBay options: authorize must be a function"))?,
            ),
        };
        opts.authorize_given = authorize.is_some();
        let cfg = config::resolve(&opts, &env_vars()).map_err(|e| error(e.to_string()))?;
        Ok(AgentBay { api: Rc::new(Api::new(JsEnv { authorize }, cfg)) })
    }

    /// Contexts: persistent storage that sessions mount.
    #[wasm_bindgen(getter)]
    pub fn context(&self) -> ContextService {
        ContextService { api: self.api.clone() }
    }

    /// The API key every request is signed with (the official getter; keep it out of logs).
    #[wasm_bindgen(js_name = getAPIKey)]
    pub fn get_api_key(&self) -> String {
        self.api.cfg.api_key.clone()
    }

    /// The configured region, if any.
    #[wasm_bindgen(js_name = getRegionId, unchecked_return_type = "string | undefined")]
    pub fn get_region_id(&self) -> JsValue {
        self.api.cfg.region_id.clone().map(JsValue::from).unwrap_or(JsValue::UNDEFINED)
    }

    /// The resolved endpoint URL (e.g. `http://127.0.0.1:8080`).
    #[wasm_bindgen(getter)]
    pub fn endpoint(&self) -> String {
        self.api.cfg.base_url.clone()
    }

    /// The per-request timeout (milliseconds).
    #[wasm_bindgen(getter, js_name = timeoutMs)]
    pub fn timeout_ms(&self) -> f64 {
        self.api.cfg.timeout_ms as f64
    }

    /// The largest API reply accepted (bytes).
    #[wasm_bindgen(getter, js_name = maxResponseBytes)]
    pub fn max_response_bytes(&self) -> f64 {
        self.api.cfg.max_response_bytes as f64
    }

    /// The largest presigned download (`context.downloadFile`) accepted (bytes).
    #[wasm_bindgen(getter, js_name = maxDownloadBytes)]
    pub fn max_download_bytes(&self) -> f64 {
        self.api.cfg.max_download_bytes as f64
    }

    /// Creates a session; with `contextSync` it returns once every context download has
    /// finished (failures are listed in `contextSyncFailures`), and with `betaContextMount` once
    /// every live mount is mounted. A download still pending or of unknown state makes it
    /// `success: false`, with `session` set so that it can be deleted.
    ///
    /// @example
    /// ```ts
    /// const ctx = await agentBay.context.get("my-context", true);
    /// const result = await agentBay.create({
    ///   labels: { project: "demo" },
    ///   contextSync: [new ContextSync({ contextId: ctx.contextId, path: "/mnt/data" })],
    /// });
    /// if (!result.success) throw new Error(result.errorMessage);
    /// const session = result.session!;
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<SessionResult>")]
    pub fn create(&self, params: Option<CreateSessionParamsArg>) -> Promise {
        let api = self.api.clone();
        let params = match params.as_ref().map(|p| to_json(p)).transpose() {
            Ok(p) => p.unwrap_or(serde_json::Value::Null),
            Err(e) => {
                let r = SessionResult::fail("", format!("Failed to create session: Error: {}", describe(&e)));
                return Promise::resolve(&to_js(&r));
            }
        };
        promise_of(async move {
            let r = core_session::create(&api, &params).await;
            Ok(session_result_js(&api, r))
        })
    }

    /// Opens an existing session by id.
    #[wasm_bindgen(unchecked_return_type = "Promise<SessionResult>")]
    pub fn get(&self, #[wasm_bindgen(js_name = sessionId)] session_id: String) -> Promise {
        let api = self.api.clone();
        promise_of(async move {
            let r = core_session::get(&api, &session_id).await;
            Ok(session_result_js(&api, r))
        })
    }

    /// `list(labels?, page?, limit = 10)`: the ids of the sessions that have all `labels`.
    #[wasm_bindgen(unchecked_return_type = "Promise<SessionListResult>")]
    pub fn list(&self, labels: Option<StringRecordArg>, page: Option<f64>, limit: Option<f64>) -> Promise {
        let api = self.api.clone();
        let labels: Result<BTreeMap<String, String>, String> = match labels.as_ref().map(|l| to_json(l)) {
            None => Ok(BTreeMap::new()),
            Some(Ok(v)) if v.is_null() => Ok(BTreeMap::new()),
            Some(Ok(v)) => crate::core::wire::labels::Labels::from_value(&v, "labels").map(|l| l.0),
            Some(Err(e)) => Err(describe(&e)),
        };
        promise_of(async move {
            let r = match labels {
                Ok(l) => {
                    let page = page.map(|p| p.max(0.0) as u32);
                    core_session::list(&api, &l, page, limit.filter(|l| *l >= 1.0).unwrap_or(10.0) as u32, None).await
                }
                Err(e) => crate::core::results::SessionListResult::fail("", e),
            };
            Ok(to_js(&r))
        })
    }

    /// `delete(session, syncContext = false)`: the same as `session.delete(syncContext)`.
    ///
    /// @example
    /// ```ts
    /// const deleted = await agentBay.delete(session, true); // upload the mounted contexts first
    /// if (!deleted.success) console.error(deleted.errorMessage);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<DeleteResult>")]
    pub fn delete(
        &self,
        session: &Session,
        #[wasm_bindgen(js_name = syncContext)] sync_context: Option<bool>,
    ) -> Promise {
        session.delete(sync_context)
    }

    /// `betaPauseAsync(session, timeout = 600, pollInterval = 2)`: `session.betaPauseAsync(...)`.
    #[wasm_bindgen(js_name = betaPauseAsync, unchecked_return_type = "Promise<SessionPauseResult>")]
    pub fn beta_pause_async(
        &self,
        session: &Session,
        timeout: Option<f64>,
        #[wasm_bindgen(js_name = pollInterval)] poll_interval: Option<f64>,
    ) -> Promise {
        session.beta_pause_async(timeout, poll_interval)
    }

    /// `betaResumeAsync(session, timeout = 600, pollInterval = 2)`: `session.betaResumeAsync(...)`.
    #[wasm_bindgen(js_name = betaResumeAsync, unchecked_return_type = "Promise<SessionResumeResult>")]
    pub fn beta_resume_async(
        &self,
        session: &Session,
        timeout: Option<f64>,
        #[wasm_bindgen(js_name = pollInterval)] poll_interval: Option<f64>,
    ) -> Promise {
        session.beta_resume_async(timeout, poll_interval)
    }
}

// Session's constructor and `getAgentBay()` live here, beside `AgentBay`: session.rs does not
// import this module (agent_bay → session only).
#[wasm_bindgen]
impl Session {
    /// `new Session(agentBay, sessionId)` (official): a `Session` for an existing session id, over
    /// that client. Only the id is known (no `getStatus()`/`info()` call is made): `resourceUrl`,
    /// `token`, `linkUrl`, `imageId`, `appInstanceId` and `wsUrl` are empty, `mcpTools` is `[]`
    /// and `enableBrowserReplay` is `false`; use `agentBay.get(sessionId)` to fetch them.
    #[wasm_bindgen(constructor)]
    pub fn construct(
        #[wasm_bindgen(js_name = agentBay)] agent_bay: &AgentBay,
        #[wasm_bindgen(js_name = sessionId)] session_id: String,
    ) -> Session {
        let data = crate::core::results::SessionData { session_id, ..Default::default() };
        Session::new(agent_bay.api.clone(), Rc::new(SessionHandle::new(data)))
    }

    /// An `AgentBay` over the client this session belongs to (same key, endpoint and options;
    /// a new object, not necessarily `===` the one that created the session).
    #[wasm_bindgen(js_name = getAgentBay)]
    pub fn get_agent_bay(&self) -> AgentBay {
        AgentBay::from_api(self.api().clone())
    }
}

/// `agentBay.context`: contexts (persistent storage that sessions mount) and their files. Also
/// `new ContextService(agentBay)`, as official code builds it.
#[wasm_bindgen]
pub struct ContextService {
    api: Rc<JsApi>,
}

#[wasm_bindgen]
impl ContextService {
    /// `new ContextService(agentBay)`: the same service as `agentBay.context`.
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(js_name = agentBay)] agent_bay: &AgentBay) -> ContextService {
        ContextService { api: agent_bay.api.clone() }
    }

    /// `get(name, create = false)`: the context of that name, created when missing and `create`.
    #[wasm_bindgen(unchecked_return_type = "Promise<ContextResult>")]
    pub fn get(&self, name: String, create: Option<bool>) -> Promise {
        let api = self.api.clone();
        promise(async move { to_js(&context::get(&api, &name, create.unwrap_or(false)).await) })
    }

    /// Alias of `get(name, true)`.
    #[wasm_bindgen(unchecked_return_type = "Promise<ContextResult>")]
    pub fn create(&self, name: String) -> Promise {
        self.get(name, Some(true))
    }

    /// One page of contexts.
    #[wasm_bindgen(unchecked_return_type = "Promise<ContextListResult>")]
    pub fn list(&self, params: Option<ContextListParamsArg>) -> Promise {
        let api = self.api.clone();
        let parsed = params.as_ref().map(|p| to_json(p)).transpose();
        promise(async move {
            let p = match parsed {
                Ok(Some(v)) if !v.is_null() => match ContextListParams::from_json(&v) {
                    Ok(p) => p,
                    Err(e) => {
                        return to_js(&crate::core::results::ContextListResult::fail(
                            "",
                            format!("Invalid list params: {e}"),
                        ))
                    }
                },
                Ok(_) => ContextListParams::default(),
                Err(e) => return to_js(&crate::core::results::ContextListResult::fail("", describe(&e))),
            };
            to_js(&context::list(&api, &p).await)
        })
    }

    /// `update(context)`: renames `context.id` to `context.name`.
    #[wasm_bindgen(unchecked_return_type = "Promise<OperationResult>")]
    pub fn update(&self, #[wasm_bindgen(unchecked_param_type = "Context")] context: JsValue) -> Promise {
        let api = self.api.clone();
        let id = get(&context, "id").as_string().unwrap_or_default();
        let name = get(&context, "name").as_string().unwrap_or_default();
        promise(async move {
            if id.is_empty() {
                return to_js(&crate::core::results::OperationResult::fail("", "context.id is required"));
            }
            to_js(&context::update(&api, &id, &name).await)
        })
    }

    /// `delete(context)`: only `context.id` is used.
    #[wasm_bindgen(unchecked_return_type = "Promise<OperationResult>")]
    pub fn delete(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Context | { id: string }")] context: JsValue,
    ) -> Promise {
        let api = self.api.clone();
        let id = get(&context, "id").as_string().unwrap_or_default();
        promise(async move {
            if id.is_empty() {
                return to_js(&crate::core::results::OperationResult::fail("", "context.id is required"));
            }
            to_js(&context::delete(&api, &id).await)
        })
    }

    /// `clear(contextId, timeout = 60 s, pollInterval = 2 s)`: clears a context's data and waits
    /// until it is done.
    #[wasm_bindgen(unchecked_return_type = "Promise<ClearContextResult>")]
    pub fn clear(
        &self,
        #[wasm_bindgen(js_name = contextId)] context_id: String,
        timeout: Option<f64>,
        #[wasm_bindgen(js_name = pollInterval)] poll_interval: Option<f64>,
    ) -> Promise {
        let api = self.api.clone();
        promise(async move {
            to_js(&context::clear(&api, &context_id, timeout.unwrap_or(60.0), poll_interval.unwrap_or(2.0)).await)
        })
    }

    /// Starts clearing a context's data and returns at once (see `getClearStatus`).
    #[wasm_bindgen(js_name = clearAsync, unchecked_return_type = "Promise<ClearContextResult>")]
    pub fn clear_async(&self, #[wasm_bindgen(js_name = contextId)] context_id: String) -> Promise {
        let api = self.api.clone();
        promise(async move { to_js(&context::clear_async(&api, &context_id).await) })
    }

    /// The state of a clear started by `clearAsync`.
    #[wasm_bindgen(js_name = getClearStatus, unchecked_return_type = "Promise<ClearContextResult>")]
    pub fn get_clear_status(&self, #[wasm_bindgen(js_name = contextId)] context_id: String) -> Promise {
        let api = self.api.clone();
        promise(async move { to_js(&context::clear_status(&api, &context_id).await) })
    }

    /// A presigned URL to upload a context file with an HTTP PUT.
    #[wasm_bindgen(js_name = getFileUploadUrl, unchecked_return_type = "Promise<FileUrlResult>")]
    pub fn get_file_upload_url(
        &self,
        #[wasm_bindgen(js_name = contextId)] context_id: String,
        #[wasm_bindgen(js_name = filePath)] file_path: String,
    ) -> Promise {
        let api = self.api.clone();
        promise(async move { to_js(&context::upload_url(&api, &context_id, &file_path).await) })
    }

    /// A presigned URL to download a context file with an HTTP GET.
    #[wasm_bindgen(js_name = getFileDownloadUrl, unchecked_return_type = "Promise<FileUrlResult>")]
    pub fn get_file_download_url(
        &self,
        #[wasm_bindgen(js_name = contextId)] context_id: String,
        #[wasm_bindgen(js_name = filePath)] file_path: String,
    ) -> Promise {
        let api = self.api.clone();
        promise(async move { to_js(&context::download_url(&api, &context_id, &file_path).await) })
    }

    /// `listFiles(contextId, parentFolderPath, pageNumber = 1, pageSize = 50, maxResults?, nextToken?)`:
    /// with `maxResults` or `nextToken`, token paging (the result's `nextToken` is the next page's).
    #[wasm_bindgen(js_name = listFiles, unchecked_return_type = "Promise<ContextFileListResult>")]
    pub fn list_files(
        &self,
        #[wasm_bindgen(js_name = contextId)] context_id: String,
        #[wasm_bindgen(js_name = parentFolderPath)] parent_folder_path: String,
        #[wasm_bindgen(js_name = pageNumber)] page_number: Option<f64>,
        #[wasm_bindgen(js_name = pageSize)] page_size: Option<f64>,
        #[wasm_bindgen(js_name = maxResults)] max_results: Option<f64>,
        #[wasm_bindgen(js_name = nextToken)] next_token: Option<String>,
    ) -> Promise {
        let api = self.api.clone();
        let paging = if max_results.is_some() || next_token.is_some() {
            context::FilePaging::Tokens { max_results: max_results.map(|m| m.max(1.0) as u32), next_token }
        } else {
            context::FilePaging::Pages {
                page: page_number.filter(|p| *p >= 1.0).unwrap_or(1.0) as u32,
                size: page_size.filter(|p| *p >= 1.0).unwrap_or(50.0) as u32,
            }
        };
        promise(async move { to_js(&context::list_files(&api, &context_id, &parent_folder_path, paging).await) })
    }

    /// Deletes a context file.
    #[wasm_bindgen(js_name = deleteFile, unchecked_return_type = "Promise<OperationResult>")]
    pub fn delete_file(
        &self,
        #[wasm_bindgen(js_name = contextId)] context_id: String,
        #[wasm_bindgen(js_name = filePath)] file_path: String,
    ) -> Promise {
        let api = self.api.clone();
        promise(async move { to_js(&context::delete_file(&api, &context_id, &file_path).await) })
    }

    /// Uploads `data` to a context file through its presigned URL; `options.onProgress` hears
    /// `{ bytesDone, total }` as the bytes go.
    #[wasm_bindgen(js_name = uploadFile, unchecked_return_type = "Promise<UploadResult>")]
    pub fn upload_file(
        &self,
        #[wasm_bindgen(js_name = contextId)] context_id: String,
        #[wasm_bindgen(js_name = filePath)] file_path: String,
        #[wasm_bindgen(unchecked_param_type = "UploadData")] data: JsValue,
        options: Option<ContextTransferOptionsArg>,
    ) -> Promise {
        let api = self.api.clone();
        let progress = progress_of(&options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED));
        promise(async move {
            match bytes_of(&data).await {
                Ok(bytes) => {
                    to_js(&context::upload_file_reporting(&api, &context_id, &file_path, bytes, &progress).await)
                }
                Err(e) => to_js(&crate::core::results::UploadResult::fail("", e)),
            }
        })
    }

    /// Downloads a context file's bytes through its presigned URL; `options.onProgress` hears
    /// `{ bytesDone, total }` as the bytes come.
    #[wasm_bindgen(js_name = downloadFile, unchecked_return_type = "Promise<DownloadResult>")]
    pub fn download_file(
        &self,
        #[wasm_bindgen(js_name = contextId)] context_id: String,
        #[wasm_bindgen(js_name = filePath)] file_path: String,
        options: Option<ContextTransferOptionsArg>,
    ) -> Promise {
        let api = self.api.clone();
        let progress = progress_of(&options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED));
        promise(async move {
            let r = context::download_file_reporting(&api, &context_id, &file_path, &progress).await;
            let out = to_js(&r);
            if r.success {
                set(&out, "content", &Uint8Array::from(r.bytes.as_slice()).into());
            }
            out
        })
    }
}
