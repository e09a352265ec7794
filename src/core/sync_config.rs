//! Sync configuration as plain JSON: default policy parts, class-style defaults
//! filling, `SyncPolicyImpl` semantics, and `ContextSync` items.
//!
//! Everything is `serde_json::Value` because the official SDK sends plain policies
//! verbatim (key order included); validation is `wire::policy::validate_and_normalize`.

use super::wire::json::{object, value_of};
use super::wire::persistence::PersistenceData;
use super::wire::policy::{self as wire, key, validate_and_normalize, PolicyError, TOP_LEVEL_KEYS};
use serde_json::{Map, Value};

/// The policy parts that have their own class / factory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Upload,
    Download,
    Delete,
    Extract,
    Recycle,
    Mapping,
    WhiteList,
    BwList,
}

impl Part {
    /// The official factory value (`newUploadPolicy()`, …): the contract's typed default, read
    /// out of the default policy's JSON (one serializer for every part keeps the .wasm small).
    pub fn default_value(self) -> Value {
        let full = wire::SyncPolicy { mapping_policy: Some(Default::default()), ..Default::default() };
        part_json(&full, self)
    }

    /// Key of this part inside a SyncPolicy (WhiteList lives inside `bwList`).
    fn policy_key(self) -> &'static str {
        match self {
            Part::Upload => key::UPLOAD,
            Part::Download => key::DOWNLOAD,
            Part::Delete => key::DELETE,
            Part::Extract => key::EXTRACT,
            Part::Recycle => key::RECYCLE,
            Part::Mapping => key::MAPPING,
            Part::WhiteList | Part::BwList => key::BW_LIST,
        }
    }
}

/// The JSON of `part` in `policy`.
pub fn part_json(policy: &wire::SyncPolicy, part: Part) -> Value {
    let mut v = value_of(policy);
    let mut inner = v[part.policy_key()].take();
    if part == Part::WhiteList {
        inner = inner["whiteLists"][0].take();
    }
    inner
}

/// `newSyncPolicy()`: the six default parts, no `mappingPolicy`.
pub fn default_sync_policy() -> Value {
    value_of(&wire::SyncPolicy::default())
}

fn as_object(v: Value) -> Result<Map<String, Value>, PolicyError> {
    match v {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        other => Err(PolicyError::NotAnObject(other.to_string())),
    }
}

/// A policy-part class constructor: missing fields take their defaults, given fields
/// (including extras such as the seed's `period`) are kept, then validated/normalised.
pub fn part_with_defaults(part: Part, partial: Value) -> Result<Value, PolicyError> {
    let given = as_object(partial)?;
    let mut out = match part.default_value() {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for (k, v) in given {
        if !v.is_null() {
            out.insert(k, v);
        }
    }
    let value = Value::Object(out);
    let mut wrapped = match part {
        Part::WhiteList => white_lists(value),
        _ => object(part.policy_key(), value),
    };
    validate_and_normalize(&mut wrapped)?;
    let mut inner = wrapped[part.policy_key()].take();
    if part == Part::WhiteList {
        inner = inner["whiteLists"][0].take();
    }
    Ok(inner)
}

/// `{ bwList: { whiteLists: [white_list] } }`.
fn white_lists(white_list: Value) -> Value {
    object(key::BW_LIST, object("whiteLists", Value::Array(vec![white_list])))
}

/// `WhiteListValidator.validate(whiteList)`: the white-list checks of a policy, for one list alone.
pub fn validate_white_list(white_list: Value) -> Result<(), PolicyError> {
    let wl = as_object(white_list)?;
    validate_and_normalize(&mut white_lists(Value::Object(wl)))
}

/// `new SyncPolicyImpl(partial)` / `new SyncPolicy(partial)`: unknown keys refused,
/// missing (or null) top-level parts filled with defaults, nested parts kept as given,
/// `mappingPolicy` kept (the official class drops it).
pub fn sync_policy_with_defaults(partial: Value) -> Result<Value, PolicyError> {
    let given = as_object(partial)?;
    if let Some(k) = given.keys().find(|k| !TOP_LEVEL_KEYS.contains(&k.as_str())) {
        return Err(PolicyError::UnknownKey(k.clone()));
    }
    let defaults = default_sync_policy();
    let mut out = Map::new();
    for key in TOP_LEVEL_KEYS {
        match given.get(*key).filter(|v| !v.is_null()) {
            Some(v) => {
                out.insert((*key).to_string(), v.clone());
            }
            None => {
                if let Some(d) = defaults.get(*key) {
                    out.insert((*key).to_string(), d.clone());
                }
            }
        }
    }
    let mut v = Value::Object(out);
    validate_and_normalize(&mut v)?;
    Ok(v)
}

// Declaration only (the TypeScript type): `ContextSyncSpec::from_value` reads these keys.
/// A `ContextSync` as a plain object: what `toJSON()` of the class gives, and what `create()`
/// and `new ContextSync({...})` accept.
#[cfg(feature = "ts")]
#[derive(ts_rs::TS)]
#[ts(optional_fields, rename_all = "camelCase")]
pub struct ContextSyncOptions {
    /// The context to mount (`context.id`).
    pub context_id: String,
    /// Where it is mounted in the session.
    pub path: String,
    /// How it syncs (default: the official default policy).
    #[ts(type = "SyncPolicyLike", optional)]
    pub policy: Option<()>,
    /// `false`: `create()` does not wait for this context's initial download.
    pub beta_wait_for_completion: Option<bool>,
}

/// One `ContextSync` as the core sees it (from `toJSON()` of the class or a plain object).
#[derive(Debug, Clone, PartialEq)]
pub struct ContextSyncSpec {
    pub context_id: String,
    pub path: String,
    pub policy: Option<Value>,
    /// `false` = `create()` does not wait for this context's download.
    pub wait_for_completion: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextSyncError {
    #[error("contextSync[{0}]: contextId must be a non-empty string")]
    ContextId(usize),
    #[error("contextSync[{0}]: path must be a non-empty string")]
    Path(usize),
    #[error("contextSync[{0}] must be a ContextSync or an object {{ contextId, path, policy? }}")]
    Shape(usize),
    #[error("{0}")]
    Policy(#[from] PolicyError),
}

/// `uploadPolicy.archiveExcludePaths` is sent only in Archive mode, as the official SDK
/// serialises it (plain-object policies included, which have no `toJSON`).
fn omit_archive_excludes_outside_archive(policy: &mut Value) {
    if let Some(Value::Object(up)) = policy.get_mut(key::UPLOAD) {
        use super::wire::wire_enum::WireEnum;
        let mode = up.get("uploadMode").and_then(Value::as_str).and_then(wire::UploadMode::parse);
        if mode != Some(wire::UploadMode::Archive) {
            up.remove("archiveExcludePaths");
        }
    }
}

impl ContextSyncSpec {
    pub fn from_value(index: usize, v: &Value) -> Result<Self, ContextSyncError> {
        let obj = v.as_object().ok_or(ContextSyncError::Shape(index))?;
        let s = |k: &str| obj.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        let context_id = s("contextId").ok_or(ContextSyncError::ContextId(index))?;
        let path = s("path").ok_or(ContextSyncError::Path(index))?;
        let policy = match obj.get("policy") {
            None | Some(Value::Null) => None,
            Some(p) => {
                let mut p = p.clone();
                validate_and_normalize(&mut p)?;
                omit_archive_excludes_outside_archive(&mut p);
                Some(p)
            }
        };
        let wait_for_completion = obj.get("betaWaitForCompletion").and_then(Value::as_bool).unwrap_or(true);
        Ok(ContextSyncSpec { context_id, path, policy, wait_for_completion })
    }

    /// The `PersistenceDataList` item: PascalCase keys, `Policy` double-encoded, omitted when absent.
    /// Whether its policy downloads the context at session start (`autoDownload`, default true).
    pub fn auto_downloads(&self) -> bool {
        self.policy.as_ref().and_then(|p| p.get("downloadPolicy")?.get("autoDownload")?.as_bool()) != Some(false)
    }

    pub fn to_persistence(&self) -> PersistenceData {
        PersistenceData {
            context_id: self.context_id.clone(),
            path: self.path.clone(),
            policy: self.policy.as_ref().map(Value::to_string),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // Under wasm32 these run in Node and Chromium (scripts/test.sh).
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const OFFICIAL_DEFAULT: &str = r#"{"uploadPolicy":{"autoUpload":true,"uploadStrategy":"UploadBeforeResourceRelease","uploadMode":"File"},"downloadPolicy":{"autoDownload":true,"downloadStrategy":"DownloadAsync"},"deletePolicy":{"syncLocalFile":true},"extractPolicy":{"extract":true,"deleteSrcFile":true,"extractToCurrentFolder":false},"recyclePolicy":{"lifecycle":"Lifecycle_Forever","paths":[""]},"bwList":{"whiteLists":[{"path":"","excludePaths":[]}]}}"#;

    #[test]
    fn default_policy_is_byte_identical_to_official() {
        assert_eq!(default_sync_policy().to_string(), OFFICIAL_DEFAULT);
        assert_eq!(sync_policy_with_defaults(Value::Null).unwrap().to_string(), OFFICIAL_DEFAULT);
    }

    #[test]
    fn impl_fills_top_level_only_and_keeps_mapping_policy() {
        let v = sync_policy_with_defaults(
            json!({"uploadPolicy": {"autoUpload": false}, "mappingPolicy": {"path": "C:\\data"}}),
        )
        .unwrap();
        assert_eq!(v["uploadPolicy"], json!({"autoUpload": false}));
        assert_eq!(v["downloadPolicy"], Part::Download.default_value());
        assert_eq!(v["mappingPolicy"], json!({"path": "C:\\data"}));
        let e = sync_policy_with_defaults(json!({"uploadpolicy": {}})).unwrap_err();
        assert!(e.to_string().starts_with("Unknown property in SyncPolicy: 'uploadpolicy'."));
    }

    #[test]
    fn part_classes_fill_fields_and_normalise_seed_spellings() {
        let up = part_with_defaults(
            Part::Upload,
            json!({"autoUpload": true, "uploadStrategy": "BeforeResourceRelease", "period": 30}),
        )
        .unwrap();
        assert_eq!(
            up.to_string(),
            r#"{"autoUpload":true,"uploadStrategy":"UploadBeforeResourceRelease","uploadMode":"File","period":30}"#
        );
        let down = part_with_defaults(Part::Download, json!({"downloadStrategy": "Async"})).unwrap();
        assert_eq!(down, json!({"autoDownload": true, "downloadStrategy": "DownloadAsync"}));
        let e = part_with_defaults(Part::Download, json!({"downloadStrategy": "Sometimes"})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Invalid downloadStrategy value: Sometimes. Valid values are: DownloadAsync (alias Async)"
        );
        let e = part_with_defaults(Part::Recycle, json!({"lifecycle": "Lifecycle_2Days"})).unwrap_err();
        assert!(e.to_string().starts_with("Invalid lifecycle value: Lifecycle_2Days. Valid values are:"));
        let e = part_with_defaults(Part::WhiteList, json!({"path": "/src/*"})).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("Wildcard patterns are not supported in path when isPathRegex=false. Got: /src/*."));
        let wl = part_with_defaults(Part::WhiteList, json!({"path": "/src/.*", "isPathRegex": true})).unwrap();
        assert_eq!(wl["isPathRegex"], true);
        assert!(part_with_defaults(Part::Upload, json!("x")).is_err());
    }

    #[test]
    fn white_list_validator_checks_one_list() {
        assert!(validate_white_list(json!({"path": "/src", "excludePaths": ["/tmp"]})).is_ok());
        assert!(validate_white_list(json!({"path": "/src/.*", "isPathRegex": true})).is_ok());
        assert!(
            validate_white_list(json!({"path": "/src", "excludePaths": [".*\\.log"], "isExcludeRegex": true})).is_ok()
        );
        assert_eq!(
            validate_white_list(json!({"path": "/src", "excludePaths": ["*.log"], "isPathRegex": true})).unwrap_err(),
            PolicyError::WildcardInExcludePath("*.log".into())
        );
        assert_eq!(
            validate_white_list(json!({"path": "/s[0-9]", "isExcludeRegex": true})).unwrap_err(),
            PolicyError::WildcardInWhiteListPath("/s[0-9]".into())
        );
        assert!(validate_white_list(json!(["/src"])).is_err());
    }

    #[test]
    fn context_sync_items() {
        let cs = ContextSyncSpec::from_value(0, &json!({"contextId": "SdkCtx-abc", "path": "/tmp/data", "policy": {"uploadPolicy": {"autoUpload": true, "uploadStrategy": "UploadBeforeResourceRelease", "uploadMode": "Archive"}}})).unwrap();
        assert!(cs.wait_for_completion);
        assert_eq!(
            serde_json::to_string(&cs.to_persistence()).unwrap(),
            r#"{"ContextId":"SdkCtx-abc","Path":"/tmp/data","Policy":"{\"uploadPolicy\":{\"autoUpload\":true,\"uploadStrategy\":\"UploadBeforeResourceRelease\",\"uploadMode\":\"Archive\"}}"}"#
        );
        let cs =
            ContextSyncSpec::from_value(1, &json!({"contextId": "c", "path": "/p", "betaWaitForCompletion": false}))
                .unwrap();
        assert_eq!(serde_json::to_string(&cs.to_persistence()).unwrap(), r#"{"ContextId":"c","Path":"/p"}"#);
        assert!(!cs.wait_for_completion);
        assert_eq!(
            ContextSyncSpec::from_value(2, &json!({"path": "/p"})).unwrap_err().to_string(),
            "contextSync[2]: contextId must be a non-empty string"
        );
        let e =
            ContextSyncSpec::from_value(0, &json!({"contextId": "c", "path": "/p", "policy": {"foo": 1}})).unwrap_err();
        assert!(e.to_string().starts_with("Unknown property in SyncPolicy: 'foo'"));
    }
}
