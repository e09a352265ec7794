//! The parameters the JS API takes as plain objects and checks before any call: `create()`'s
//! (`CreateSessionParams`, with its `contextSync` and `betaContextMount` items) and
//! `setLabels()`'s labels, with the official messages.

use super::mount::{self, MountSpec};
use super::poll::WaitOptions;
use super::sync_config::ContextSyncSpec;
use super::wire::from_json::FromJson;
use super::wire::labels::Labels;
use super::wire::persistence::{PersistenceData, PersistenceDataList};
use super::wire::request::{Bounded, CreateMcpSessionRequest};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub const OFFICIAL_PARAM_KEYS: &[&str] = &[
    "labels",
    "imageId",
    "contextSync",
    "betaContextMount",
    "browserContext",
    "policyId",
    "betaNetworkId",
    "enableBrowserReplay",
    "extraConfigs",
    "framework",
    "isVpc",
    "mcpPolicyId",
    "lifecyclePolicy",
    "idleReleaseTimeout",
];
/// `betaContextMounts` is the official Python/Java spelling (`beta_context_mounts`,
/// `setBetaContextMounts`) of the TypeScript SDK's `betaContextMount`.
pub const OWN_PARAM_KEYS: &[&str] = &["contextSyncs", "betaContextMounts", "contextId", "syncWait"];

// Declaration only (the TypeScript type): `CreateParams::from_value` reads the keys one by one to
// give the official messages. The fields are OFFICIAL_PARAM_KEYS and OWN_PARAM_KEYS
// (tests/typescript.rs checks it).
/// `agentBay.create(params?)`: every field may be left out.
#[cfg(feature = "ts")]
#[derive(ts_rs::TS)]
#[ts(optional_fields, rename_all = "camelCase")]
pub struct CreateSessionParams {
    /// Labels to attach to the session.
    #[ts(type = "Record<string, string>", optional)]
    pub labels: Option<()>,
    /// The image to start (default `linux_latest`).
    pub image_id: Option<String>,
    /// Contexts to mount; `create()` waits for their downloads (see `syncWait`).
    #[ts(type = "Array<ContextSync | ContextSyncOptions>", optional)]
    pub context_sync: Option<()>,
    /// Alias of `contextSync`.
    #[ts(type = "Array<ContextSync | ContextSyncOptions>", optional)]
    pub context_syncs: Option<()>,
    /// Live mounts (official 0.21, beta): each context is shown at its path and every write lands
    /// in it at once, with no sync; sent after the `contextSync` items, and `create()` waits until
    /// each is mounted (see `syncWait`). At most 3 per session, on paths that are not nested.
    ///
    /// @example
    /// ```ts
    /// const { context } = await agentBay.context.get("shared-workspace", true);
    /// const { session } = await agentBay.create({ betaContextMount: [new BetaContextMount(context.id, "/tmp/shared")] });
    /// await session.fileSystem.writeFile("/tmp/shared/status.txt", "ready"); // in the context now
    /// ```
    #[ts(type = "Array<BetaContextMount | BetaContextMountOptions>", optional)]
    pub beta_context_mount: Option<()>,
    /// Alias of `betaContextMount` (the official Python and Java name).
    #[ts(type = "Array<BetaContextMount | BetaContextMountOptions>", optional)]
    pub beta_context_mounts: Option<()>,
    /// The deprecated simple attachment of one context (`ContextId`), without a mount path.
    pub context_id: Option<String>,
    /// The MCP policy to apply.
    pub policy_id: Option<String>,
    /// The network to attach the session to.
    pub beta_network_id: Option<String>,
    /// `false` turns browser recording off.
    pub enable_browser_replay: Option<bool>,
    /// Extra configuration, sent as JSON.
    #[ts(type = "Record<string, unknown>", optional)]
    pub extra_configs: Option<()>,
    /// The framework name reported in the SDK statistics.
    pub framework: Option<String>,
    /// Accepted for compatibility; not sent.
    pub is_vpc: Option<bool>,
    /// Accepted for compatibility; not sent.
    pub mcp_policy_id: Option<String>,
    /// The browser profile kept in a context: a sync at `/tmp/agentbay_browser` of the Chrome
    /// profile files its `syncMode` lists (`create()` waits for its download).
    #[ts(type = "BrowserContext", optional)]
    pub browser_context: Option<()>,
    /// When the session is released by itself, in minutes (official `LifecyclePolicy`).
    #[ts(type = "LifecyclePolicy | LifecyclePolicyOptions", optional)]
    pub lifecycle_policy: Option<()>,
    /// Deprecated (use `lifecyclePolicy`): idle release timeout in seconds.
    pub idle_release_timeout: Option<u32>,
    /// Bounds of the wait for context downloads.
    pub sync_wait: Option<WaitOptions>,
}

/// Validated `create()` parameters.
#[derive(Debug, Clone, Default)]
pub struct CreateParams {
    pub labels: Option<BTreeMap<String, String>>,
    pub image_id: Option<String>,
    /// `contextSync` and `contextSyncs`, in order.
    pub context_syncs: Vec<ContextSyncSpec>,
    /// `betaContextMount` and `betaContextMounts`, in order.
    pub mounts: Vec<MountSpec>,
    /// `browserContext`'s sync item.
    pub browser_context: Option<ContextSyncSpec>,
    pub context_id: Option<String>,
    pub policy_id: Option<String>,
    pub network_id: Option<String>,
    pub extra_configs: Option<Value>,
    pub framework: String,
    pub enable_record: Option<bool>,
    pub sync_wait: WaitOptions,
    pub lifecycle: Lifecycle,
}

/// The session's own lifecycle, as `CreateMcpSession` carries it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// `Timeout`: minutes with `max_runtime`, else (deprecated form) seconds.
    pub timeout: Option<u64>,
    pub max_runtime: Option<u64>,
    pub manual_release: bool,
}

/// The official browser profile path (agent-bay.ts `BROWSER_DATA_PATH`).
pub const BROWSER_DATA_PATH: &str = "/tmp/agentbay_browser";
const MINIMAL_WHITE_LISTS: &[&str] = &["/Local State", "/Default/Cookies", "/Default/Cookies-journal"];
const STANDARD_EXTRA_WHITE_LISTS: &[&str] = &[
    "/Default/Local Storage",
    "/Default/IndexedDB",
    "/Default/Session Storage",
    "/Default/Login Data",
    "/Default/Login Data-journal",
    "/Default/Login Data For Account",
    "/Default/Login Data For Account-journal",
    "/Default/Web Data",
    "/Default/Web Data-journal",
    "/Default/Preferences",
    "/Default/Secure Preferences",
    "/Default/TransportSecurity",
    "/Default/Network Persistent State",
    "/Default/GPUCache",
    "/Default/Affiliation Database",
    "/Default/Affiliation Database-journal",
];

/// `browserContext` (official `BrowserContext(contextId, autoUpload, …, syncMode)`): the sync
/// item the official SDK builds, policy JSON byte for byte.
fn browser_context(v: &Value) -> Result<ContextSyncSpec, String> {
    let obj =
        v.as_object().ok_or("browserContext must be a BrowserContext or { contextId, autoUpload?, syncMode? }")?;
    let context_id = string_field(obj, "contextId")?.ok_or("browserContext.contextId is required")?;
    for k in ["extensionContextSyncs", "fingerprintContextSync", "extensionOption", "fingerprintContext"] {
        if obj.get(k).is_some_and(|x| !x.is_null() && x.as_array().is_none_or(|a| !a.is_empty())) {
            return Err(format!("browserContext.{k} is not supported by agentbay-wasm"));
        }
    }
    let auto_upload = match obj.get("autoUpload") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(format!("browserContext.autoUpload must be a boolean, got {other}")),
    };
    let standard = match string_field(obj, "syncMode")?.as_deref() {
        None | Some("standard") => true,
        Some("minimal") => false,
        Some(other) => return Err(format!("browserContext.syncMode must be 'minimal' or 'standard', got '{other}'")),
    };
    let extra = if standard { STANDARD_EXTRA_WHITE_LISTS } else { &[] };
    let lists: Vec<String> =
        MINIMAL_WHITE_LISTS.iter().chain(extra).map(|p| format!(r#"{{"path":"{p}","excludePaths":[]}}"#)).collect();
    let policy = format!(
        r#"{{"uploadPolicy":{{"autoUpload":{auto_upload}}},"downloadPolicy":null,"deletePolicy":null,"bwList":{{"whiteLists":[{}]}},"recyclePolicy":null}}"#,
        lists.join(",")
    );
    Ok(ContextSyncSpec {
        context_id,
        path: BROWSER_DATA_PATH.into(),
        policy: Some(serde_json::from_str(&policy).map_err(|e| e.to_string())?),
        wait_for_completion: true,
    })
}

/// A positive whole number (official checks), or absent.
fn positive(obj: &Map<String, Value>, key: &str, unit: &str) -> Result<Option<u64>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            v.as_u64().filter(|n| *n > 0).map(Some).ok_or_else(|| format!("{key} must be a positive integer ({unit})"))
        }
    }
}

/// `lifecyclePolicy` (official `LifecyclePolicy`, minutes, defaults 5 and 30) or the deprecated
/// `idleReleaseTimeout` (seconds), with the official messages.
fn lifecycle(obj: &Map<String, Value>) -> Result<Lifecycle, String> {
    let idle_secs = positive(obj, "idleReleaseTimeout", "seconds")?;
    let Some(lp) = obj.get("lifecyclePolicy").filter(|l| !l.is_null()) else {
        return Ok(Lifecycle { timeout: idle_secs, ..Default::default() });
    };
    if idle_secs.is_some() {
        return Err("lifecyclePolicy cannot be used together with deprecated idleReleaseTimeout (seconds); use lifecyclePolicy only".into());
    }
    let lp = lp.as_object().ok_or("lifecyclePolicy must be a LifecyclePolicy")?;
    if lp.get("manualRelease").and_then(Value::as_bool) == Some(true) {
        for k in ["idleReleaseTimeout", "maxRuntime"] {
            // The class form stores 0 for both; only a given value is refused.
            if lp.get(k).is_some_and(|v| !v.is_null() && v.as_u64() != Some(0)) {
                return Err(format!("{k} cannot be set when manualRelease=true. In manual release mode, the session is only released via delete()."));
            }
        }
        return Ok(Lifecycle { manual_release: true, ..Default::default() });
    }
    Ok(Lifecycle {
        timeout: Some(positive(lp, "idleReleaseTimeout", "minutes")?.unwrap_or(5)),
        max_runtime: Some(positive(lp, "maxRuntime", "minutes")?.unwrap_or(30)),
        manual_release: false,
    })
}

fn string_field(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone()).filter(|s| !s.is_empty())),
        Some(other) => Err(format!("{key} must be a string, got {other}")),
    }
}

impl CreateParams {
    /// The mounts in the official order: `contextSync`, `betaContextMount`, `browserContext`.
    pub fn persistence_items(&self) -> Vec<PersistenceData> {
        let mut items: Vec<PersistenceData> = self.context_syncs.iter().map(ContextSyncSpec::to_persistence).collect();
        items.extend(self.mounts.iter().map(MountSpec::to_persistence));
        items.extend(self.browser_context.iter().map(ContextSyncSpec::to_persistence));
        items
    }

    /// The contexts `create()` waits for (`waited`, in the official order), and those of them
    /// that report a download (`reporting`): every synced mount that did not opt out of the wait
    /// (`betaWaitForCompletion: false`), of which those that auto-download report one, and every
    /// live mount (reported `Success` once mounted).
    pub fn waited_contexts(&self) -> (Vec<&str>, Vec<&str>) {
        fn synced(cs: &[ContextSyncSpec]) -> impl Iterator<Item = (&str, bool)> {
            cs.iter().filter(|c| c.wait_for_completion).map(|c| (c.context_id.as_str(), c.auto_downloads()))
        }
        let live = self.mounts.iter().map(|m| (m.context_id.as_str(), true));
        let all: Vec<(&str, bool)> =
            synced(&self.context_syncs).chain(live).chain(synced(self.browser_context.as_slice())).collect();
        let waited = all.iter().map(|(id, _)| *id).collect();
        let reporting = all.iter().filter(|(_, reports)| *reports).map(|(id, _)| *id).collect();
        (waited, reporting)
    }

    /// Parses the JSON form of the JS params (after `toJSON()` of any class instances).
    pub fn from_value(v: &Value) -> Result<CreateParams, String> {
        let empty = Map::new();
        let obj = match v {
            Value::Null => &empty,
            Value::Object(o) => o,
            other => return Err(format!("params must be an object, got {other}")),
        };
        if let Some(k) =
            obj.keys().find(|k| !OFFICIAL_PARAM_KEYS.contains(&k.as_str()) && !OWN_PARAM_KEYS.contains(&k.as_str()))
        {
            let mut valid: Vec<&str> = OFFICIAL_PARAM_KEYS.to_vec();
            valid.extend(OWN_PARAM_KEYS);
            return Err(format!(
                "Unknown property in CreateSessionParams: '{k}'. Valid properties are: {}",
                valid.join(", ")
            ));
        }
        let mut p =
            CreateParams { framework: string_field(obj, "framework")?.unwrap_or_default(), ..Default::default() };
        p.labels = obj
            .get("labels")
            .filter(|l| !l.is_null())
            .map(|l| Labels::from_value(l, "labels"))
            .transpose()?
            .map(|l| l.0);
        p.image_id = string_field(obj, "imageId")?;
        p.context_id = string_field(obj, "contextId")?;
        p.policy_id = string_field(obj, "policyId")?;
        p.network_id = string_field(obj, "betaNetworkId")?;
        p.extra_configs = obj.get("extraConfigs").filter(|e| !e.is_null()).cloned();
        p.enable_record = obj.get("enableBrowserReplay").and_then(Value::as_bool);
        let mut index = 0;
        for key in ["contextSync", "contextSyncs"] {
            match obj.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::Array(items)) => {
                    for item in items {
                        p.context_syncs.push(mount::context_sync_item(index, item)?);
                        index += 1;
                    }
                }
                Some(_) => return Err(format!("{key} must be an array of ContextSync")),
            }
        }
        let mut index = 0;
        for key in ["betaContextMount", "betaContextMounts"] {
            match obj.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::Array(items)) => {
                    for item in items {
                        p.mounts.push(MountSpec::from_value(&format!("{key}[{index}]"), item)?);
                        index += 1;
                    }
                }
                Some(_) => return Err(format!("{key} must be an array of BetaContextMount")),
            }
        }
        if let Some(bc) = obj.get("browserContext").filter(|b| !b.is_null()) {
            p.browser_context = Some(browser_context(bc)?);
        }
        p.lifecycle = lifecycle(obj)?;
        if let Some(w) = obj.get("syncWait").filter(|w| !w.is_null()) {
            p.sync_wait = WaitOptions::from_json(w).map_err(|e| format!("syncWait: {e}"))?;
            // Given intervals are used as given (first pause, growing ×1.5 to the longest);
            // with neither, the fast schedule within the given budget.
            let given = |k: &str| w.get(k).is_some_and(|v| !v.is_null());
            if given("initialIntervalMs") || given("maxIntervalMs") {
                p.sync_wait.fast = false;
                if !given("initialIntervalMs") {
                    p.sync_wait.initial_interval_ms = 100;
                }
            }
        }
        Ok(p)
    }

    pub(crate) fn to_request(&self, login_region_id: Option<&str>) -> CreateMcpSessionRequest {
        let stats = format!(
            r#"{{"source":"sdk","sdk_language":"typescript","sdk_version":"{}","is_release":true,"framework":{}}}"#,
            env!("CARGO_PKG_VERSION"),
            Value::String(self.framework.clone())
        );
        CreateMcpSessionRequest {
            image_id: self.image_id.clone(),
            labels: self.labels.clone().map(Labels),
            persistence_data_list: Some(PersistenceDataList(self.persistence_items())).filter(|l| !l.0.is_empty()),
            context_id: self.context_id.clone(),
            // Sent only to turn recording off, as officially.
            enable_record: (self.enable_record == Some(false)).then_some(false),
            mcp_policy_id: self.policy_id.clone(),
            network_id: self.network_id.clone(),
            extra_configs: self.extra_configs.as_ref().map(Value::to_string),
            sdk_stats: Some(stats),
            login_region_id: login_region_id.map(String::from),
            timeout: self.lifecycle.timeout.map(Bounded),
            max_runtime: self.lifecycle.max_runtime.map(Bounded),
            manual_release: self.lifecycle.manual_release.then_some(true),
            ..Default::default()
        }
    }
}

/// `setLabels` validation, with the official messages (missing periods included).
pub fn validate_labels(v: &Value) -> Result<BTreeMap<String, String>, String> {
    let obj = match v {
        Value::Array(_) => return Err("Labels cannot be an array. Please provide a valid labels object.".into()),
        Value::Object(o) => o,
        _ => {
            return Err(
                "Labels cannot be null, undefined, or invalid type. Please provide a valid labels object.".into()
            )
        }
    };
    if obj.is_empty() {
        return Err("Labels cannot be empty. Please provide at least one label.".into());
    }
    let mut out = BTreeMap::new();
    for (k, v) in obj {
        if k.trim().is_empty() {
            return Err("Label keys cannot be empty Please provide valid keys.".into());
        }
        let val = match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        if val.trim().is_empty() {
            return Err("Label values cannot be empty Please provide valid values.".into());
        }
        out.insert(k.clone(), val);
    }
    Ok(out)
}
