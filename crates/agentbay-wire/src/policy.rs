//! Sync policies: the `Policy` JSON inside `PersistenceDataList`.
//!
//! Two layers, both shared by SDK and server:
//! * [`validate_and_normalize`] works on raw JSON, because the SDK must send plain
//!   policies verbatim (only normalising the seed's strategy spellings) and must
//!   throw the official messages in the official order.
//! * [`SyncPolicy`] is the typed, defaults-filled form the server stores and acts on.
//!   It rejects unknown nested fields so a typo never silently does nothing.

use crate::wire_enum::WireEnum;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The keys of a policy's parts, as the policy JSON spells them.
pub mod key {
    pub const UPLOAD: &str = "uploadPolicy";
    pub const DOWNLOAD: &str = "downloadPolicy";
    pub const DELETE: &str = "deletePolicy";
    pub const EXTRACT: &str = "extractPolicy";
    pub const RECYCLE: &str = "recyclePolicy";
    pub const BW_LIST: &str = "bwList";
    pub const MAPPING: &str = "mappingPolicy";
}

/// Every part a policy may have, in the official order ([`SyncPolicy`]'s fields, checked by a test).
pub const TOP_LEVEL_KEYS: &[&str] =
    &[key::UPLOAD, key::DOWNLOAD, key::DELETE, key::EXTRACT, key::RECYCLE, key::BW_LIST, key::MAPPING];

crate::wire_enum! {
    /// When a mount uploads on its own.
    pub enum UploadStrategy {
        /// Before the session's resources are released (delete, release, shutdown).
        #[default]
        UploadBeforeResourceRelease = "UploadBeforeResourceRelease" | "BeforeResourceRelease",
    }
}

crate::wire_enum! {
    /// How a mount downloads at session start.
    pub enum DownloadStrategy {
        /// In the background: `create()` may wait for it (see `betaWaitForCompletion`).
        #[default]
        DownloadAsync = "DownloadAsync" | "Async",
    }
}

crate::wire_enum! {
    /// How an upload stores the mount's files in the context.
    pub enum UploadMode {
        /// File by file.
        #[default]
        File = "File",
        /// As one archive.
        Archive = "Archive",
    }
}

crate::wire_enum! {
    /// How long uploaded data lives after its last upload (`recyclePolicy.lifecycle`).
    pub enum Lifecycle {
        Lifecycle1Day = "Lifecycle_1Day",
        Lifecycle3Days = "Lifecycle_3Days",
        Lifecycle5Days = "Lifecycle_5Days",
        Lifecycle10Days = "Lifecycle_10Days",
        Lifecycle15Days = "Lifecycle_15Days",
        Lifecycle30Days = "Lifecycle_30Days",
        Lifecycle90Days = "Lifecycle_90Days",
        Lifecycle180Days = "Lifecycle_180Days",
        Lifecycle360Days = "Lifecycle_360Days",
        #[default]
        LifecycleForever = "Lifecycle_Forever",
    }
}

impl Lifecycle {
    /// The number of days the spelling names (`Lifecycle_<N>Day(s)`); `None` for forever.
    pub fn days(self) -> Option<u64> {
        let n = self.as_str().strip_prefix("Lifecycle_")?;
        n.strip_suffix("Days").or_else(|| n.strip_suffix("Day"))?.parse().ok()
    }
}

/// Longest `uploadPolicy.period` accepted, in seconds (a year). Longer ones would mean
/// "never", and values near the limits of a time type overflow the server's timers.
pub const MAX_PERIOD_SECS: u32 = 31_536_000;

/// A policy the SDK must refuse. `Display` is the exact user-facing message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("Unknown property in SyncPolicy: '{0}'. Valid properties are: {keys}", keys = TOP_LEVEL_KEYS.join(", "))]
    UnknownKey(String),
    #[error("Wildcard patterns are not supported in path when isPathRegex=false. Got: {0}. Please use exact directory paths or set isPathRegex=true for regex matching.")]
    WildcardInWhiteListPath(String),
    #[error("Wildcard patterns are not supported in excludePaths when isExcludeRegex=false. Got: {0}. Please use exact directory paths or set isExcludeRegex=true for regex matching.")]
    WildcardInExcludePath(String),
    #[error("Invalid uploadMode value: {0}. Valid values are: {names}", names = UploadMode::names())]
    UploadMode(String),
    #[error("Invalid lifecycle value: {0}. Valid values are: {names}", names = Lifecycle::names())]
    Lifecycle(String),
    #[error("Invalid uploadStrategy value: {0}. Valid values are: {names}", names = UploadStrategy::names())]
    UploadStrategy(String),
    #[error("Invalid downloadStrategy value: {0}. Valid values are: {names}", names = DownloadStrategy::names())]
    DownloadStrategy(String),
    #[error(
        "Invalid period value: {0}. period must be a positive number of seconds, at most {MAX_PERIOD_SECS} (a year)"
    )]
    Period(String),
    #[error("SyncPolicy must be an object, got: {0}")]
    NotAnObject(String),
    #[error("Invalid archiveExcludePaths value: {0}. archiveExcludePaths must be an array of non-empty paths relative to the mount (a directory ends with '/'), without '..' segments, a leading '/' or wildcards")]
    ArchiveExcludePath(String),
}

/// Whether `p` is an acceptable `archiveExcludePaths` prefix: relative to the mount, non-empty,
/// no `.`/`..`/empty segment (a trailing `/` marks a directory), no wildcard, no backslash or NUL.
pub fn valid_archive_exclude_path(p: &str) -> bool {
    let body = p.strip_suffix('/').unwrap_or(p);
    !body.is_empty()
        && !p.starts_with('/')
        && !has_wildcard(p)
        && !p.contains(['\\', '\0'])
        && body.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
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
        if truthy && mode.as_str().and_then(UploadMode::parse).is_none() {
            return Err(PolicyError::UploadMode(show(Some(mode))));
        }
    }
    // 4 + 5. Lifecycle (required once recyclePolicy is present) and recycle paths.
    if let Some(recycle) = obj.get("recyclePolicy").filter(|r| !r.is_null()) {
        let lc = recycle.get("lifecycle");
        if lc.and_then(Value::as_str).and_then(Lifecycle::parse).is_none() {
            return Err(PolicyError::Lifecycle(show(lc)));
        }
        let paths = recycle.get("paths").and_then(Value::as_array);
        for p in paths.into_iter().flatten().filter_map(Value::as_str) {
            if !p.trim().is_empty() && has_wildcard(p) {
                // Official: each recycle path goes through the white-list path check, so the
                // message is the white list's (isPathRegex and all).
                return Err(PolicyError::WildcardInWhiteListPath(p.into()));
            }
        }
    }
    // Beyond the official checks: strategies, the seed's `period` and archiveExcludePaths.
    if let Some(Value::Object(up)) = obj.get_mut("uploadPolicy") {
        if let Some(ex) = up.get("archiveExcludePaths").filter(|v| !v.is_null()) {
            let Some(list) = ex.as_array() else {
                return Err(PolicyError::ArchiveExcludePath(show(Some(ex))));
            };
            for item in list {
                if !item.as_str().is_some_and(valid_archive_exclude_path) {
                    return Err(PolicyError::ArchiveExcludePath(show(Some(item))));
                }
            }
        }
        normalize::<UploadStrategy>(up, "uploadStrategy", PolicyError::UploadStrategy)?;
        if let Some(p) = up.get("period").filter(|p| !p.is_null()) {
            if !p.as_f64().is_some_and(|s| s > 0.0 && s <= f64::from(MAX_PERIOD_SECS)) {
                return Err(PolicyError::Period(show(Some(p))));
            }
        }
    }
    if let Some(Value::Object(down)) = obj.get_mut("downloadPolicy") {
        normalize::<DownloadStrategy>(down, "downloadStrategy", PolicyError::DownloadStrategy)?;
    }
    Ok(())
}

/// Rewrites an alias spelling of `obj[key]` to its canonical one; refuses unknown values.
fn normalize<E: WireEnum>(
    obj: &mut serde_json::Map<String, Value>,
    key: &str,
    err: fn(String) -> PolicyError,
) -> Result<(), PolicyError> {
    let Some(v) = obj.get(key) else { return Ok(()) };
    if v.is_null() {
        return Ok(());
    }
    let Some(s) = v.as_str() else { return Err(err(show(Some(v)))) };
    let value = E::parse(s).ok_or_else(|| err(s.into()))?;
    if value.as_str() != s {
        obj.insert(key.into(), Value::String(value.as_str().into()));
    }
    Ok(())
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

fn is_false(b: &bool) -> bool {
    !*b
}

// Its `Default` is the official default policy, and its JSON is the official default JSON byte
// for byte (see the tests).
/// A complete policy: every part present, as `newSyncPolicy()` gives it (missing parts of a
/// policy take these defaults).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CompleteSyncPolicy"))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SyncPolicy {
    /// When and how the mount uploads.
    #[serde(deserialize_with = "null_default")]
    pub upload_policy: UploadPolicy,
    /// Whether the mount downloads at session start.
    #[serde(deserialize_with = "null_default")]
    pub download_policy: DownloadPolicy,
    /// What local deletions do to the context.
    #[serde(deserialize_with = "null_default")]
    pub delete_policy: DeletePolicy,
    /// What happens to uploaded archives.
    #[serde(deserialize_with = "null_default")]
    pub extract_policy: ExtractPolicy,
    /// How long uploaded data is kept.
    #[serde(deserialize_with = "null_default")]
    pub recycle_policy: RecyclePolicy,
    /// Which paths are synced.
    #[serde(deserialize_with = "null_default")]
    pub bw_list: BwList,
    /// Where the data was uploaded from, when that differs from the mount path.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping_policy: Option<MappingPolicy>,
}

/// `uploadPolicy`: when and how a mount's files go up to its context.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "UploadPolicyData"))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct UploadPolicy {
    /// Whether the mount uploads on its own (see `uploadStrategy`).
    pub auto_upload: bool,
    /// When it uploads.
    #[cfg_attr(feature = "ts", ts(type = "UploadStrategy"))]
    pub upload_strategy: UploadStrategy,
    /// File by file, or as one archive.
    #[cfg_attr(feature = "ts", ts(type = "UploadMode"))]
    pub upload_mode: UploadMode,
    /// Seconds between periodic uploads while the session runs (seed extension).
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<f64>,
    /// Archive mode only: mount-relative prefixes (a directory ends with `/`) whose files are
    /// stored as single files next to the archive. Serialised only in Archive mode, as officially.
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_default")]
    pub archive_exclude_paths: Vec<String>,
}

impl Default for UploadPolicy {
    fn default() -> Self {
        UploadPolicy {
            auto_upload: true,
            upload_strategy: UploadStrategy::default(),
            upload_mode: UploadMode::default(),
            period: None,
            archive_exclude_paths: Vec::new(),
        }
    }
}

/// Written field by field so `archiveExcludePaths` appears only in Archive mode (and non-empty).
impl Serialize for UploadPolicy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out<'a> {
            auto_upload: bool,
            upload_strategy: &'a UploadStrategy,
            upload_mode: &'a UploadMode,
            #[serde(skip_serializing_if = "Option::is_none")]
            period: Option<f64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            archive_exclude_paths: Option<&'a Vec<String>>,
        }
        let archive = self.upload_mode == UploadMode::Archive && !self.archive_exclude_paths.is_empty();
        Out {
            auto_upload: self.auto_upload,
            upload_strategy: &self.upload_strategy,
            upload_mode: &self.upload_mode,
            period: self.period,
            archive_exclude_paths: archive.then_some(&self.archive_exclude_paths),
        }
        .serialize(s)
    }
}

/// `downloadPolicy`: whether and how a mount is filled from its context at session start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "DownloadPolicyData"))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DownloadPolicy {
    /// Whether the mount downloads the context's data at session start.
    pub auto_download: bool,
    /// How it downloads.
    #[cfg_attr(feature = "ts", ts(type = "DownloadStrategy"))]
    pub download_strategy: DownloadStrategy,
}

impl Default for DownloadPolicy {
    fn default() -> Self {
        DownloadPolicy { auto_download: true, download_strategy: DownloadStrategy::default() }
    }
}

/// `deletePolicy`: what a local deletion does to the context's copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "DeletePolicyData"))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DeletePolicy {
    /// Whether deleting a file in the mount deletes it from the context on the next upload.
    pub sync_local_file: bool,
}

impl Default for DeletePolicy {
    fn default() -> Self {
        DeletePolicy { sync_local_file: true }
    }
}

/// `extractPolicy`: what happens to archives uploaded in `Archive` mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ExtractPolicyData"))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ExtractPolicy {
    /// Whether uploaded archives are extracted.
    pub extract: bool,
    /// Whether the archive is deleted once extracted.
    pub delete_src_file: bool,
    /// Whether it is extracted next to the archive (instead of into a folder of its name).
    pub extract_to_current_folder: bool,
}

impl Default for ExtractPolicy {
    fn default() -> Self {
        ExtractPolicy { extract: true, delete_src_file: true, extract_to_current_folder: false }
    }
}

/// `recyclePolicy`: how long uploaded data is kept, and for which paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RecyclePolicyData"))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RecyclePolicy {
    /// How long data lives after its last upload.
    #[cfg_attr(feature = "ts", ts(type = "Lifecycle"))]
    pub lifecycle: Lifecycle,
    /// The paths the lifecycle applies to (`[""]`: all of them); exact paths, no wildcards.
    pub paths: Vec<String>,
}

impl Default for RecyclePolicy {
    fn default() -> Self {
        RecyclePolicy { lifecycle: Lifecycle::default(), paths: vec![String::new()] }
    }
}

impl RecyclePolicy {
    /// Lifetime in seconds counted from the last upload; `None` = forever.
    pub fn lifetime_secs(&self) -> Option<u64> {
        self.lifecycle.days().map(|d| d * 86_400)
    }
}

/// `bwList`: which paths of the mount are synced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "BWListData"))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct BwList {
    /// The white lists; a path is synced when one of them includes it.
    #[serde(deserialize_with = "null_default")]
    pub white_lists: Vec<WhiteList>,
}

impl Default for BwList {
    fn default() -> Self {
        BwList { white_lists: vec![WhiteList::default()] }
    }
}

/// One white list of `bwList`: a path that is synced, minus its excluded paths.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "WhiteListData"))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct WhiteList {
    /// The synced path (`""`: the whole mount); a regex when `isPathRegex`.
    pub path: String,
    /// Paths under `path` that are not synced; regexes when `isExcludeRegex`.
    #[serde(deserialize_with = "null_default")]
    pub exclude_paths: Vec<String>,
    /// Whether `path` is a regex. Written only when set (the official default white list has
    /// neither flag).
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    #[serde(skip_serializing_if = "is_false")]
    pub is_path_regex: bool,
    /// Whether `excludePaths` are regexes. Written only when set.
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    #[serde(skip_serializing_if = "is_false")]
    pub is_exclude_regex: bool,
}

/// `mappingPolicy`: the path the context's data was uploaded from, when it differs from the mount path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "MappingPolicyData"))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct MappingPolicy {
    /// The original path.
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
    // Under wasm32 these run in Node and Chromium (scripts/test.sh), as the SDK does.
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const OFFICIAL_DEFAULT: &str = r#"{"uploadPolicy":{"autoUpload":true,"uploadStrategy":"UploadBeforeResourceRelease","uploadMode":"File"},"downloadPolicy":{"autoDownload":true,"downloadStrategy":"DownloadAsync"},"deletePolicy":{"syncLocalFile":true},"extractPolicy":{"extract":true,"deleteSrcFile":true,"extractToCurrentFolder":false},"recyclePolicy":{"lifecycle":"Lifecycle_Forever","paths":[""]},"bwList":{"whiteLists":[{"path":"","excludePaths":[]}]}}"#;

    #[test]
    fn official_default_parses_to_default_and_default_writes_it_byte_for_byte() {
        assert_eq!(SyncPolicy::parse(OFFICIAL_DEFAULT).unwrap(), SyncPolicy::default());
        assert_eq!(SyncPolicy::parse("{}").unwrap(), SyncPolicy::default());
        assert_eq!(serde_json::to_string(&SyncPolicy::default()).unwrap(), OFFICIAL_DEFAULT);
    }

    #[test]
    fn archive_exclude_paths_are_written_only_in_archive_mode_and_validated() {
        let archive =
            SyncPolicy::parse(r#"{"uploadPolicy":{"uploadMode":"Archive","archiveExcludePaths":["logs/","a/b.txt"]}}"#)
                .unwrap();
        assert_eq!(archive.upload_policy.archive_exclude_paths, ["logs/", "a/b.txt"]);
        let json = serde_json::to_value(&archive).unwrap();
        assert_eq!(json["uploadPolicy"]["archiveExcludePaths"], json!(["logs/", "a/b.txt"]));
        let file =
            SyncPolicy::parse(r#"{"uploadPolicy":{"uploadMode":"File","archiveExcludePaths":["logs/"]}}"#).unwrap();
        let json = serde_json::to_value(&file).unwrap();
        assert!(json["uploadPolicy"].get("archiveExcludePaths").is_none());
        for bad in [r#""../x""#, r#""/abs""#, r#""a/../b""#, r#""""#, r#"3"#, r#""*.log""#, r#""a//b""#] {
            let p = format!(r#"{{"uploadPolicy":{{"uploadMode":"Archive","archiveExcludePaths":[{bad}]}}}}"#);
            let err = SyncPolicy::parse(&p).unwrap_err().to_string();
            assert!(err.contains("Invalid archiveExcludePaths value"), "{bad}: {err}");
        }
        let err = SyncPolicy::parse(r#"{"uploadPolicy":{"archiveExcludePaths":"logs/"}}"#).unwrap_err();
        assert!(err.to_string().contains("must be an array"), "{err}");
    }

    #[test]
    fn top_level_keys_are_the_fields_of_sync_policy() {
        let full = SyncPolicy { mapping_policy: Some(MappingPolicy::default()), ..Default::default() };
        let v = serde_json::to_value(full).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, TOP_LEVEL_KEYS);
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
            "Wildcard patterns are not supported in path when isPathRegex=false. Got: /data/*. Please use exact directory paths or set isPathRegex=true for regex matching."
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
    fn lifetimes_come_from_the_spelling() {
        let mut r = RecyclePolicy::default();
        assert_eq!(r.lifetime_secs(), None);
        r.lifecycle = Lifecycle::Lifecycle1Day;
        assert_eq!(r.lifetime_secs(), Some(86_400));
        let days: Vec<Option<u64>> = Lifecycle::ALL.iter().map(|l| l.days()).collect();
        assert_eq!(days, [1, 3, 5, 10, 15, 30, 90, 180, 360].map(Some).into_iter().chain([None]).collect::<Vec<_>>());
    }

    #[test]
    fn messages_quote_the_value_lists_of_the_enums() {
        let err = |v: Value| validate_and_normalize(&mut v.clone()).unwrap_err().to_string();
        assert_eq!(
            err(json!({"recyclePolicy":{"lifecycle":"Lifecycle_2Days"}})),
            "Invalid lifecycle value: Lifecycle_2Days. Valid values are: Lifecycle_1Day, Lifecycle_3Days, Lifecycle_5Days, Lifecycle_10Days, Lifecycle_15Days, Lifecycle_30Days, Lifecycle_90Days, Lifecycle_180Days, Lifecycle_360Days, Lifecycle_Forever"
        );
        assert_eq!(
            err(json!({"uploadPolicy":{"uploadStrategy":"Later"}})),
            "Invalid uploadStrategy value: Later. Valid values are: UploadBeforeResourceRelease (alias BeforeResourceRelease)"
        );
        assert_eq!(
            err(json!({"downloadPolicy":{"downloadStrategy":"Sync"}})),
            "Invalid downloadStrategy value: Sync. Valid values are: DownloadAsync (alias Async)"
        );
    }
}
