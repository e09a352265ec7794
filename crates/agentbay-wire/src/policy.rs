//! Sync policies: the `Policy` JSON inside `PersistenceDataList` (reference §3).
//!
//! Two layers, both shared by SDK and server:
//! * [`validate_and_normalize`] works on raw JSON, because the SDK must send plain
//!   policies verbatim (only normalising the seed's strategy spellings) and must
//!   throw the official messages in the official order.
//! * [`SyncPolicy`] is the typed, defaults-filled form the server stores and acts on.
//!   It rejects unknown nested fields so a typo never silently does nothing.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

pub const TOP_LEVEL_KEYS: &[&str] =
    &["uploadPolicy", "downloadPolicy", "deletePolicy", "extractPolicy", "recyclePolicy", "bwList", "mappingPolicy"];

pub const UPLOAD_STRATEGIES: &[&str] = &["UploadBeforeResourceRelease"];
pub const DOWNLOAD_STRATEGIES: &[&str] = &["DownloadAsync"];
pub const UPLOAD_MODES: &[&str] = &["File", "Archive"];
pub const LIFECYCLES: &[&str] = &[
    "Lifecycle_1Day",
    "Lifecycle_3Days",
    "Lifecycle_5Days",
    "Lifecycle_10Days",
    "Lifecycle_15Days",
    "Lifecycle_30Days",
    "Lifecycle_90Days",
    "Lifecycle_180Days",
    "Lifecycle_360Days",
    "Lifecycle_Forever",
];

/// Longest `uploadPolicy.period` accepted, in seconds (a year). Longer ones would mean
/// "never", and values near the limits of a time type overflow the server's timers.
pub const MAX_PERIOD_SECS: u32 = 31_536_000;

/// Seed spellings accepted and rewritten to the canonical wire values.
const STRATEGY_ALIASES: &[(&str, &str)] =
    &[("BeforeResourceRelease", "UploadBeforeResourceRelease"), ("Async", "DownloadAsync")];

/// A policy the SDK must refuse. `Display` is the exact user-facing message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("Unknown property in SyncPolicy: '{0}'. Valid properties are: uploadPolicy, downloadPolicy, deletePolicy, extractPolicy, recyclePolicy, bwList, mappingPolicy")]
    UnknownKey(String),
    #[error("Wildcard patterns are not supported in path when isPathRegex=false. Got: {0}. Please use exact directory paths or set isPathRegex=true for regex matching.")]
    WildcardInWhiteListPath(String),
    #[error("Wildcard patterns are not supported in excludePaths when isExcludeRegex=false. Got: {0}. Please use exact directory paths or set isExcludeRegex=true for regex matching.")]
    WildcardInExcludePath(String),
    #[error("Wildcard patterns are not supported in path. Got: {0}. Please use exact directory paths instead.")]
    WildcardInRecyclePath(String),
    #[error("Invalid uploadMode value: {0}. Valid values are: File, Archive")]
    UploadMode(String),
    #[error("Invalid lifecycle value: {0}. Valid values are: Lifecycle_1Day, Lifecycle_3Days, Lifecycle_5Days, Lifecycle_10Days, Lifecycle_15Days, Lifecycle_30Days, Lifecycle_90Days, Lifecycle_180Days, Lifecycle_360Days, Lifecycle_Forever")]
    Lifecycle(String),
    #[error("Invalid uploadStrategy value: {0}. Valid values are: UploadBeforeResourceRelease (alias BeforeResourceRelease)")]
    UploadStrategy(String),
    #[error("Invalid downloadStrategy value: {0}. Valid values are: DownloadAsync (alias Async)")]
    DownloadStrategy(String),
    #[error(
        "Invalid period value: {0}. period must be a positive number of seconds, at most {MAX_PERIOD_SECS} (a year)"
    )]
    Period(String),
    #[error("SyncPolicy must be an object, got: {0}")]
    NotAnObject(String),
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '[', ']'])
}

/// JS-style rendering of a value inside a message (`undefined` for absent, bare strings).
fn show(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn flag(obj: &serde_json::Map<String, Value>, key: &str) -> bool {
    obj.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Validates a policy in the official order and rewrites the seed's strategy
/// spellings (`BeforeResourceRelease`, `Async`) to their wire values.
/// Everything else is left exactly as given (plain policies are sent verbatim).
pub fn validate_and_normalize(policy: &mut Value) -> Result<(), PolicyError> {
    let obj = match policy {
        Value::Object(o) => o,
        Value::Null => return Ok(()),
        other => return Err(PolicyError::NotAnObject(other.to_string())),
    };
    // 1. Unknown top-level keys.
    if let Some(k) = obj.keys().find(|k| !TOP_LEVEL_KEYS.contains(&k.as_str())) {
        return Err(PolicyError::UnknownKey(k.clone()));
    }
    // 2. White lists.
    if let Some(lists) = obj.get("bwList").and_then(|b| b.get("whiteLists")).and_then(Value::as_array) {
        for wl in lists.iter().filter_map(Value::as_object) {
            let path = wl.get("path").and_then(Value::as_str).unwrap_or("");
            if !flag(wl, "isPathRegex") && has_wildcard(path) {
                return Err(PolicyError::WildcardInWhiteListPath(path.into()));
            }
            if !flag(wl, "isExcludeRegex") {
                let excludes = wl.get("excludePaths").and_then(Value::as_array);
                for ex in excludes.into_iter().flatten().filter_map(Value::as_str) {
                    if has_wildcard(ex) {
                        return Err(PolicyError::WildcardInExcludePath(ex.into()));
                    }
                }
            }
        }
    }
    // 3. Upload mode (only when truthy, as the official validator does).
    if let Some(mode) = obj.get("uploadPolicy").and_then(|u| u.get("uploadMode")) {
        let truthy = !matches!(mode, Value::Null | Value::Bool(false)) && mode.as_str() != Some("");
        if truthy && !mode.as_str().is_some_and(|m| UPLOAD_MODES.contains(&m)) {
            return Err(PolicyError::UploadMode(show(Some(mode))));
        }
    }
    // 4 + 5. Lifecycle (required once recyclePolicy is present) and recycle paths.
    if let Some(recycle) = obj.get("recyclePolicy").filter(|r| !r.is_null()) {
        let lc = recycle.get("lifecycle");
        if !lc.and_then(Value::as_str).is_some_and(|l| LIFECYCLES.contains(&l)) {
            return Err(PolicyError::Lifecycle(show(lc)));
        }
        let paths = recycle.get("paths").and_then(Value::as_array);
        for p in paths.into_iter().flatten().filter_map(Value::as_str) {
            if !p.trim().is_empty() && has_wildcard(p) {
                return Err(PolicyError::WildcardInRecyclePath(p.into()));
            }
        }
    }
    // Beyond the official checks: strategies and the seed's `period`.
    if let Some(Value::Object(up)) = obj.get_mut("uploadPolicy") {
        normalize_strategy(up, "uploadStrategy", UPLOAD_STRATEGIES, PolicyError::UploadStrategy)?;
        if let Some(p) = up.get("period").filter(|p| !p.is_null()) {
            if !p.as_f64().is_some_and(|s| s > 0.0 && s <= f64::from(MAX_PERIOD_SECS)) {
                return Err(PolicyError::Period(show(Some(p))));
            }
        }
    }
    if let Some(Value::Object(down)) = obj.get_mut("downloadPolicy") {
        normalize_strategy(down, "downloadStrategy", DOWNLOAD_STRATEGIES, PolicyError::DownloadStrategy)?;
    }
    Ok(())
}

fn normalize_strategy(
    obj: &mut serde_json::Map<String, Value>,
    key: &str,
    valid: &[&str],
    err: fn(String) -> PolicyError,
) -> Result<(), PolicyError> {
    let Some(v) = obj.get(key) else { return Ok(()) };
    if v.is_null() {
        return Ok(());
    }
    let Some(s) = v.as_str() else { return Err(err(show(Some(v)))) };
    if valid.contains(&s) {
        return Ok(());
    }
    match STRATEGY_ALIASES.iter().find(|(alias, canon)| *alias == s && valid.contains(canon)) {
        Some((_, canon)) => {
            obj.insert(key.into(), Value::String((*canon).into()));
            Ok(())
        }
        None => Err(err(s.into())),
    }
}

/// `null` on the wire means "use the default" (the TS browser-context policy sends
/// `"downloadPolicy":null`).
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The full, defaults-filled policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SyncPolicy {
    #[serde(deserialize_with = "null_default")]
    pub upload_policy: UploadPolicy,
    #[serde(deserialize_with = "null_default")]
    pub download_policy: DownloadPolicy,
    #[serde(deserialize_with = "null_default")]
    pub delete_policy: DeletePolicy,
    #[serde(deserialize_with = "null_default")]
    pub extract_policy: ExtractPolicy,
    #[serde(deserialize_with = "null_default")]
    pub recycle_policy: RecyclePolicy,
    #[serde(deserialize_with = "null_default")]
    pub bw_list: BwList,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping_policy: Option<MappingPolicy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct UploadPolicy {
    pub auto_upload: bool,
    pub upload_strategy: String,
    pub upload_mode: String,
    /// Seconds between periodic uploads while the session runs (seed extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<f64>,
}

impl Default for UploadPolicy {
    fn default() -> Self {
        UploadPolicy {
            auto_upload: true,
            upload_strategy: UPLOAD_STRATEGIES[0].into(),
            upload_mode: "File".into(),
            period: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DownloadPolicy {
    pub auto_download: bool,
    pub download_strategy: String,
}

impl Default for DownloadPolicy {
    fn default() -> Self {
        DownloadPolicy { auto_download: true, download_strategy: DOWNLOAD_STRATEGIES[0].into() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DeletePolicy {
    pub sync_local_file: bool,
}

impl Default for DeletePolicy {
    fn default() -> Self {
        DeletePolicy { sync_local_file: true }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ExtractPolicy {
    pub extract: bool,
    pub delete_src_file: bool,
    pub extract_to_current_folder: bool,
}

impl Default for ExtractPolicy {
    fn default() -> Self {
        ExtractPolicy { extract: true, delete_src_file: true, extract_to_current_folder: false }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RecyclePolicy {
    pub lifecycle: String,
    pub paths: Vec<String>,
}

impl Default for RecyclePolicy {
    fn default() -> Self {
        RecyclePolicy { lifecycle: "Lifecycle_Forever".into(), paths: vec![String::new()] }
    }
}

impl RecyclePolicy {
    /// Lifetime in seconds counted from the last upload; `None` = forever.
    pub fn lifetime_secs(&self) -> Option<u64> {
        let days = match self.lifecycle.as_str() {
            "Lifecycle_1Day" => 1,
            "Lifecycle_3Days" => 3,
            "Lifecycle_5Days" => 5,
            "Lifecycle_10Days" => 10,
            "Lifecycle_15Days" => 15,
            "Lifecycle_30Days" => 30,
            "Lifecycle_90Days" => 90,
            "Lifecycle_180Days" => 180,
            "Lifecycle_360Days" => 360,
            _ => return None,
        };
        Some(days * 86_400)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct BwList {
    #[serde(deserialize_with = "null_default")]
    pub white_lists: Vec<WhiteList>,
}

impl Default for BwList {
    fn default() -> Self {
        BwList { white_lists: vec![WhiteList::default()] }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct WhiteList {
    pub path: String,
    #[serde(deserialize_with = "null_default")]
    pub exclude_paths: Vec<String>,
    pub is_path_regex: bool,
    pub is_exclude_regex: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct MappingPolicy {
    pub path: String,
}

/// Why a `Policy` string could not become a [`SyncPolicy`].
#[derive(Debug, thiserror::Error)]
pub enum ParsePolicyError {
    #[error("Policy is not valid JSON: {0}")]
    Json(serde_json::Error),
    #[error("{0}")]
    Invalid(#[from] PolicyError),
    #[error("Policy has an unsupported field or value: {0}")]
    Shape(serde_json::Error),
}

impl SyncPolicy {
    /// Parses a `Policy` string as the server receives it: validated, normalised,
    /// then defaults filled for every absent part.
    pub fn parse(s: &str) -> Result<SyncPolicy, ParsePolicyError> {
        let mut v: Value = serde_json::from_str(s).map_err(ParsePolicyError::Json)?;
        validate_and_normalize(&mut v)?;
        if v.is_null() {
            return Ok(SyncPolicy::default());
        }
        serde_json::from_value(v).map_err(ParsePolicyError::Shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OFFICIAL_DEFAULT: &str = r#"{"uploadPolicy":{"autoUpload":true,"uploadStrategy":"UploadBeforeResourceRelease","uploadMode":"File"},"downloadPolicy":{"autoDownload":true,"downloadStrategy":"DownloadAsync"},"deletePolicy":{"syncLocalFile":true},"extractPolicy":{"extract":true,"deleteSrcFile":true,"extractToCurrentFolder":false},"recyclePolicy":{"lifecycle":"Lifecycle_Forever","paths":[""]},"bwList":{"whiteLists":[{"path":"","excludePaths":[]}]}}"#;

    #[test]
    fn official_default_parses_to_default() {
        assert_eq!(SyncPolicy::parse(OFFICIAL_DEFAULT).unwrap(), SyncPolicy::default());
        assert_eq!(SyncPolicy::parse("{}").unwrap(), SyncPolicy::default());
    }

    #[test]
    fn browser_context_nulls_mean_defaults() {
        let p = SyncPolicy::parse(r#"{"uploadPolicy":{"autoUpload":false},"downloadPolicy":null,"deletePolicy":null,"bwList":null,"recyclePolicy":null}"#).unwrap();
        assert!(!p.upload_policy.auto_upload);
        assert_eq!(p.download_policy, DownloadPolicy::default());
    }

    #[test]
    fn official_messages_in_order() {
        let err = |v: Value| validate_and_normalize(&mut v.clone()).unwrap_err().to_string();
        assert_eq!(err(json!({"foo": 1})), "Unknown property in SyncPolicy: 'foo'. Valid properties are: uploadPolicy, downloadPolicy, deletePolicy, extractPolicy, recyclePolicy, bwList, mappingPolicy");
        assert!(err(json!({"bwList":{"whiteLists":[{"path":"/a/*"}]}}))
            .starts_with("Wildcard patterns are not supported in path when isPathRegex=false. Got: /a/*."));
        assert!(err(json!({"bwList":{"whiteLists":[{"path":"/a","excludePaths":["/b?"]}]}}))
            .contains("in excludePaths when isExcludeRegex=false. Got: /b?."));
        assert_eq!(
            err(json!({"uploadPolicy":{"uploadMode":"Zip"}})),
            "Invalid uploadMode value: Zip. Valid values are: File, Archive"
        );
        assert!(err(json!({"recyclePolicy":{"paths":[""]}}))
            .starts_with("Invalid lifecycle value: undefined. Valid values are: Lifecycle_1Day"));
        assert_eq!(
            err(json!({"recyclePolicy":{"lifecycle":"Lifecycle_1Day","paths":["/data/*"]}})),
            "Wildcard patterns are not supported in path. Got: /data/*. Please use exact directory paths instead."
        );
        assert!(err(json!({"uploadPolicy":{"uploadStrategy":"Later"}})).contains("Later"));
        assert!(err(json!({"uploadPolicy":{"period":-1}})).starts_with("Invalid period value: -1"));
        assert!(err(json!({"uploadPolicy":{"period":1e19}})).contains("at most 31536000"));
        validate_and_normalize(&mut json!({"uploadPolicy":{"period":31_536_000}})).unwrap();
        // Regex flags allow wildcards.
        let mut ok = json!({"bwList":{"whiteLists":[{"path":"/a/.*","isPathRegex":true}]}});
        validate_and_normalize(&mut ok).unwrap();
    }

    #[test]
    fn seed_spellings_normalised_and_period_kept() {
        let mut v = json!({"uploadPolicy":{"autoUpload":true,"uploadStrategy":"BeforeResourceRelease","period":30},"downloadPolicy":{"autoDownload":true,"downloadStrategy":"Async"}});
        validate_and_normalize(&mut v).unwrap();
        assert_eq!(v["uploadPolicy"]["uploadStrategy"], "UploadBeforeResourceRelease");
        assert_eq!(v["downloadPolicy"]["downloadStrategy"], "DownloadAsync");
        assert_eq!(v["uploadPolicy"]["period"], 30);
        let p: SyncPolicy = serde_json::from_value(v).unwrap();
        assert_eq!(p.upload_policy.period, Some(30.0));
    }

    #[test]
    fn unknown_nested_field_is_refused_by_the_typed_parse() {
        let e = SyncPolicy::parse(r#"{"uploadPolicy":{"autoUplaod":false}}"#).unwrap_err();
        assert!(e.to_string().contains("autoUplaod"), "{e}");
        assert!(matches!(SyncPolicy::parse("{"), Err(ParsePolicyError::Json(_))));
    }

    #[test]
    fn lifetimes() {
        let mut r = RecyclePolicy::default();
        assert_eq!(r.lifetime_secs(), None);
        r.lifecycle = "Lifecycle_1Day".into();
        assert_eq!(r.lifetime_secs(), Some(86_400));
    }
}
