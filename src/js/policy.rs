//! Sync configuration classes: `ContextSync`, `SyncPolicy`/`SyncPolicyImpl`, every
//! policy part with `.default()`, the official factories and the enums.
//!
//! Each policy class wraps one plain JS object: getters return the nested objects
//! themselves, so `policy.uploadPolicy.autoUpload = false` sticks, and `toJSON()`
//! hands that object to `JSON.stringify` (which is how `create()` reads them).

use super::convert::{error, get, to_js, to_json};
use super::types::*;
use crate::core::mount::{self, ModeField};
use crate::core::sync_config::{self, Part};
use crate::core::wire::persistence::{AccessMode, StorageMode};
use crate::core::wire::policy::{self as wire_policy, key, DownloadStrategy, Lifecycle, UploadMode, UploadStrategy};
use crate::core::wire::wire_enum::WireEnum;
use js_sys::{Object, Reflect};
use serde_json::Value;
use wasm_bindgen::prelude::*;

fn policy_error(e: wire_policy::PolicyError) -> JsValue {
    error(e.to_string())
}

fn plain(v: &Value) -> Object {
    to_js(v).unchecked_into()
}

/// `uploadPolicy` data as `toJSON` gives it: `archiveExcludePaths` only in Archive mode (the
/// official serialisation); otherwise a copy without it, so the stored object is untouched.
fn upload_out(data: &JsValue) -> JsValue {
    let plain_object =
        data.is_object() && Object::get_prototype_of(data) == Object::get_prototype_of(&Object::new().into());
    if !plain_object || get(data, "archiveExcludePaths").is_undefined() {
        return data.clone();
    }
    if get(data, "uploadMode").as_string().as_deref() == Some(UploadMode::Archive.as_str()) {
        return data.clone();
    }
    let copy = Object::assign(&Object::new(), data.unchecked_ref());
    let _ = Reflect::delete_property(&copy, &"archiveExcludePaths".into());
    copy.into()
}

fn json_of<T: AsRef<JsValue>>(o: &Option<T>) -> Result<Value, JsValue> {
    match o {
        Some(o) => to_json(o.as_ref()),
        None => Ok(Value::Null),
    }
}

/// A policy-part class: one plain object of the part's data type (`$data`, generated from the
/// Rust type), each field a getter/setter typed `$data["field"]` (`$ty`), so a field missing
/// from the Rust type fails the package's type check.
// Docs reach these macros as `#[doc = "..."]` literals: wasm-bindgen would keep the `r"` of the
// raw strings that `///` comments become when a macro passes them on.
macro_rules! part_class {
    ($(#[$doc:meta])* $name:ident, $part:expr, $data:literal, $partial:ident, [$($(#[$fdoc:meta])* $field:ident : $setter:ident : $ty:literal),* $(,)?]) => {
        $(#[$doc])*
        #[wasm_bindgen]
        pub struct $name {
            data: Object,
        }

        #[wasm_bindgen]
        #[allow(non_snake_case)]
        impl $name {
            /// Missing fields take their defaults; the result is validated (official messages)
            /// and the seed's enum spellings are normalised.
            #[wasm_bindgen(constructor)]
            pub fn new(partial: Option<$partial>) -> Result<$name, JsValue> {
                let v = sync_config::part_with_defaults($part, json_of(&partial)?).map_err(policy_error)?;
                Ok($name { data: plain(&v) })
            }

            /// The official default.
            #[wasm_bindgen(js_name = "default")]
            pub fn default_value() -> $name {
                $name { data: plain(&$part.default_value()) }
            }

            /// The data as a plain object (the one the getters read and the setters write).
            #[wasm_bindgen(js_name = toJSON, unchecked_return_type = $data)]
            pub fn to_json(&self) -> JsValue {
                if $part == Part::Upload {
                    return upload_out(&self.data);
                }
                self.data.clone().into()
            }

            /// Alias of `toJSON` (the official Python classes have `to_dict()`).
            #[wasm_bindgen(js_name = toDict, unchecked_return_type = $data)]
            pub fn to_dict(&self) -> JsValue {
                self.to_json()
            }

            $(
                $(#[$fdoc])*
                #[wasm_bindgen(getter, unchecked_return_type = $ty)]
                pub fn $field(&self) -> JsValue {
                    get(&self.data, stringify!($field))
                }

                /// Sets the field as given (not validated).
                #[wasm_bindgen(setter)]
                pub fn $setter(
                    &self,
                    #[wasm_bindgen(unchecked_param_type = $ty)]
                    value: JsValue,
                ) {
                    let _ = Reflect::set(&self.data, &stringify!($field).into(), &value);
                }
            )*
        }
    };
}

part_class!(
    #[doc = " `uploadPolicy` as a class: `new UploadPolicy({ autoUpload, uploadStrategy, uploadMode, period, archiveExcludePaths })`."]
    UploadPolicy, Part::Upload, "UploadPolicyData", UploadPolicyPartial, [
    #[doc = " Whether the mount uploads on its own."]
    autoUpload: set_autoUpload: "UploadPolicyData[\"autoUpload\"]",
    #[doc = " When it uploads."]
    uploadStrategy: set_uploadStrategy: "UploadPolicyData[\"uploadStrategy\"]",
    #[doc = " File by file, or as one archive."]
    uploadMode: set_uploadMode: "UploadPolicyData[\"uploadMode\"]",
    #[doc = " Seconds between periodic uploads while the session runs."]
    period: set_period: "UploadPolicyData[\"period\"]",
    #[doc = " Archive mode only: mount-relative prefixes (a directory ends with `/`) stored as single files."]
    archiveExcludePaths: set_archiveExcludePaths: "UploadPolicyData[\"archiveExcludePaths\"]",
]);
part_class!(
    #[doc = " `downloadPolicy` as a class."]
    DownloadPolicy, Part::Download, "DownloadPolicyData", DownloadPolicyPartial, [
    #[doc = " Whether the mount downloads at session start."]
    autoDownload: set_autoDownload: "DownloadPolicyData[\"autoDownload\"]",
    #[doc = " How it downloads."]
    downloadStrategy: set_downloadStrategy: "DownloadPolicyData[\"downloadStrategy\"]",
]);
part_class!(
    #[doc = " `deletePolicy` as a class."]
    DeletePolicy, Part::Delete, "DeletePolicyData", DeletePolicyPartial, [
    #[doc = " Whether local deletions reach the context."]
    syncLocalFile: set_syncLocalFile: "DeletePolicyData[\"syncLocalFile\"]",
]);
part_class!(
    #[doc = " `extractPolicy` as a class (see also the positional `ExtractPolicyClass`)."]
    ExtractPolicy, Part::Extract, "ExtractPolicyData", ExtractPolicyPartial, [
    #[doc = " Whether uploaded archives are extracted."]
    extract: set_extract: "ExtractPolicyData[\"extract\"]",
    #[doc = " Whether the archive is deleted once extracted."]
    deleteSrcFile: set_deleteSrcFile: "ExtractPolicyData[\"deleteSrcFile\"]",
    #[doc = " Whether it is extracted next to the archive."]
    extractToCurrentFolder: set_extractToCurrentFolder: "ExtractPolicyData[\"extractToCurrentFolder\"]",
]);
part_class!(
    #[doc = " `recyclePolicy` as a class."]
    RecyclePolicy, Part::Recycle, "RecyclePolicyData", RecyclePolicyPartial, [
    #[doc = " How long data lives after its last upload."]
    lifecycle: set_lifecycle: "RecyclePolicyData[\"lifecycle\"]",
    #[doc = " The paths the lifecycle applies to."]
    paths: set_paths: "RecyclePolicyData[\"paths\"]",
]);
part_class!(
    #[doc = " `mappingPolicy` as a class."]
    MappingPolicy, Part::Mapping, "MappingPolicyData", MappingPolicyPartial, [
    #[doc = " The path the data was uploaded from."]
    path: set_path: "MappingPolicyData[\"path\"]",
]);
part_class!(
    #[doc = " One white list of `bwList`, as a class."]
    WhiteList, Part::WhiteList, "WhiteListData", WhiteListPartial, [
    #[doc = " The synced path."]
    path: set_path: "WhiteListData[\"path\"]",
    #[doc = " Paths under it that are not synced."]
    excludePaths: set_excludePaths: "WhiteListData[\"excludePaths\"]",
    #[doc = " Whether `path` is a regex."]
    isPathRegex: set_isPathRegex: "WhiteListData[\"isPathRegex\"]",
    #[doc = " Whether `excludePaths` are regexes."]
    isExcludeRegex: set_isExcludeRegex: "WhiteListData[\"isExcludeRegex\"]",
]);
part_class!(
    #[doc = " `bwList` as a class."]
    BWList, Part::BwList, "BWListData", BWListPartial, [
    #[doc = " The white lists."]
    whiteLists: set_whiteLists: "BWListData[\"whiteLists\"]",
]);

macro_rules! sync_policy_class {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[wasm_bindgen]
        pub struct $name {
            data: Object,
        }

        #[wasm_bindgen]
        impl $name {
            /// Unknown keys are refused; missing parts get their defaults; given parts are
            /// kept as given (nested partials stay partial, as officially); `mappingPolicy` is kept.
            #[wasm_bindgen(constructor)]
            pub fn new(partial: Option<SyncPolicyDataArg>) -> Result<$name, JsValue> {
                let v = sync_config::sync_policy_with_defaults(json_of(&partial)?).map_err(policy_error)?;
                Ok($name { data: plain(&v) })
            }

            /// The full default policy (`newSyncPolicy()`).
            #[wasm_bindgen(js_name = "default")]
            pub fn default_value() -> $name {
                $name { data: plain(&sync_config::default_sync_policy()) }
            }

            /// The policy as a plain object (the one the getters read and the setters write).
            #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "SyncPolicyData")]
            pub fn to_json(&self) -> JsValue {
                let upload = get(&self.data, key::UPLOAD);
                let out = upload_out(&upload);
                if out == upload {
                    return self.data.clone().into();
                }
                let copy = Object::assign(&Object::new(), &self.data);
                let _ = Reflect::set(&copy, &key::UPLOAD.into(), &out);
                copy.into()
            }

            /// Alias of `toJSON`.
            #[wasm_bindgen(js_name = toDict, unchecked_return_type = "SyncPolicyData")]
            pub fn to_dict(&self) -> JsValue {
                self.to_json()
            }

            /// When and how the mount uploads.
            #[wasm_bindgen(getter = uploadPolicy, unchecked_return_type = "Partial<UploadPolicyData> | undefined")]
            pub fn upload_policy(&self) -> JsValue {
                get(&self.data, key::UPLOAD)
            }
            /// Sets the part as given.
            #[wasm_bindgen(setter = uploadPolicy)]
            pub fn set_upload_policy(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Partial<UploadPolicyData> | undefined")] v: JsValue,
            ) {
                let _ = Reflect::set(&self.data, &key::UPLOAD.into(), &v);
            }
            /// Whether the mount downloads at session start.
            #[wasm_bindgen(getter = downloadPolicy, unchecked_return_type = "Partial<DownloadPolicyData> | undefined")]
            pub fn download_policy(&self) -> JsValue {
                get(&self.data, key::DOWNLOAD)
            }
            /// Sets the part as given.
            #[wasm_bindgen(setter = downloadPolicy)]
            pub fn set_download_policy(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Partial<DownloadPolicyData> | undefined")] v: JsValue,
            ) {
                let _ = Reflect::set(&self.data, &key::DOWNLOAD.into(), &v);
            }
            /// What local deletions do to the context.
            #[wasm_bindgen(getter = deletePolicy, unchecked_return_type = "Partial<DeletePolicyData> | undefined")]
            pub fn delete_policy(&self) -> JsValue {
                get(&self.data, key::DELETE)
            }
            /// Sets the part as given.
            #[wasm_bindgen(setter = deletePolicy)]
            pub fn set_delete_policy(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Partial<DeletePolicyData> | undefined")] v: JsValue,
            ) {
                let _ = Reflect::set(&self.data, &key::DELETE.into(), &v);
            }
            /// What happens to uploaded archives.
            #[wasm_bindgen(getter = extractPolicy, unchecked_return_type = "Partial<ExtractPolicyData> | undefined")]
            pub fn extract_policy(&self) -> JsValue {
                get(&self.data, key::EXTRACT)
            }
            /// Sets the part as given.
            #[wasm_bindgen(setter = extractPolicy)]
            pub fn set_extract_policy(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Partial<ExtractPolicyData> | undefined")] v: JsValue,
            ) {
                let _ = Reflect::set(&self.data, &key::EXTRACT.into(), &v);
            }
            /// How long uploaded data is kept.
            #[wasm_bindgen(getter = recyclePolicy, unchecked_return_type = "Partial<RecyclePolicyData> | undefined")]
            pub fn recycle_policy(&self) -> JsValue {
                get(&self.data, key::RECYCLE)
            }
            /// Sets the part as given.
            #[wasm_bindgen(setter = recyclePolicy)]
            pub fn set_recycle_policy(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Partial<RecyclePolicyData> | undefined")] v: JsValue,
            ) {
                let _ = Reflect::set(&self.data, &key::RECYCLE.into(), &v);
            }
            /// Which paths are synced.
            #[wasm_bindgen(getter = bwList, unchecked_return_type = "BWListData | undefined")]
            pub fn bw_list(&self) -> JsValue {
                get(&self.data, key::BW_LIST)
            }
            /// Sets the part as given.
            #[wasm_bindgen(setter = bwList)]
            pub fn set_bw_list(&self, #[wasm_bindgen(unchecked_param_type = "BWListData | undefined")] v: JsValue) {
                let _ = Reflect::set(&self.data, &key::BW_LIST.into(), &v);
            }
            /// Where the data was uploaded from.
            #[wasm_bindgen(getter = mappingPolicy, unchecked_return_type = "MappingPolicyData | undefined")]
            pub fn mapping_policy(&self) -> JsValue {
                get(&self.data, key::MAPPING)
            }
            /// Sets the part as given.
            #[wasm_bindgen(setter = mappingPolicy)]
            pub fn set_mapping_policy(
                &self,
                #[wasm_bindgen(unchecked_param_type = "MappingPolicyData | undefined")] v: JsValue,
            ) {
                let _ = Reflect::set(&self.data, &key::MAPPING.into(), &v);
            }
        }
    };
}

sync_policy_class!(
    #[doc = " A sync policy: how a mounted context syncs. Missing parts take their defaults."]
    #[doc = ""]
    #[doc = " @example"]
    #[doc = " ```ts"]
    #[doc = " const policy = new SyncPolicy({"]
    #[doc = "   uploadPolicy: new UploadPolicy({ autoUpload: true, uploadStrategy: \"BeforeResourceRelease\", period: 30 }),"]
    #[doc = "   downloadPolicy: { autoDownload: true, downloadStrategy: \"Async\" },"]
    #[doc = " });"]
    #[doc = " new ContextSync({ contextId, path: \"/mnt/data\", policy });"]
    #[doc = " ```"]
    SyncPolicy
);
sync_policy_class!(
    #[doc = " Alias of `SyncPolicy` (the official name of the class)."]
    SyncPolicyImpl
);

/// The official `WhiteListValidator`: `WhiteListValidator.validate(whiteList)` throws the newer
/// wildcard messages (skipped for the side whose regex flag is true) and returns nothing otherwise.
#[wasm_bindgen]
pub struct WhiteListValidator;

#[wasm_bindgen]
impl WhiteListValidator {
    /// Throws the official message when a white list has a wildcard where no regex flag allows one.
    pub fn validate(
        #[wasm_bindgen(js_name = whiteList, unchecked_param_type = "WhiteListData | WhiteList")] white_list: JsValue,
    ) -> Result<(), JsValue> {
        sync_config::validate_white_list(to_json(&white_list)?).map_err(policy_error)
    }
}

/// Validates any policy form (class instance or plain object), as the official constructor and
/// `withPolicy` do; the object itself is kept as given.
fn validated(policy: JsValue) -> Result<JsValue, JsValue> {
    checked_policy(&policy)?;
    Ok(if policy.is_null() { JsValue::UNDEFINED } else { policy })
}

/// Validates and normalises any policy form (class instance or plain object).
fn checked_policy(policy: &JsValue) -> Result<JsValue, JsValue> {
    let mut v = to_json(policy)?;
    if v.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    wire_policy::validate_and_normalize(&mut v).map_err(policy_error)?;
    Ok(plain(&v).into())
}

/// A context mounted into a session at `path`, with an optional sync policy: what
/// `agentBay.create({ contextSync: [...] })` takes. As officially, `policy` is the object that
/// was given (validated, not copied), and `withPolicy` / `withBetaWaitForCompletion` return the
/// same `ContextSync`.
///
/// @example
/// ```ts
/// const ctx = await agentBay.context.get("my-context", true);
/// const contextSync = new ContextSync({ contextId: ctx.contextId, path: "/mnt/data", policy: SyncPolicy.default() });
/// const { session } = await agentBay.create({ contextSync: [contextSync] });
/// ```
#[wasm_bindgen]
pub struct ContextSync {
    context_id: JsValue,
    path: JsValue,
    policy: JsValue,
    beta_wait_for_completion: Option<bool>,
}

#[wasm_bindgen]
impl ContextSync {
    /// `new ContextSync(contextId, path, policy?, betaWaitForCompletion?)` or the seed's
    /// `new ContextSync({ contextId, path, policy, betaWaitForCompletion })`.
    #[wasm_bindgen(constructor)]
    pub fn construct(
        #[wasm_bindgen(js_name = contextIdOrOptions, unchecked_param_type = "string | ContextSyncOptions")]
        context_id_or_options: JsValue,
        path: Option<String>,
        policy: Option<SyncPolicyLikeArg>,
        #[wasm_bindgen(js_name = betaWaitForCompletion)] beta_wait_for_completion: Option<bool>,
    ) -> Result<ContextSync, JsValue> {
        let o = &context_id_or_options;
        if o.is_object() && path.is_none() {
            let wait = get(o, "betaWaitForCompletion").as_bool();
            return Ok(ContextSync {
                context_id: get(o, "contextId"),
                path: get(o, "path"),
                policy: validated(get(o, "policy"))?,
                beta_wait_for_completion: wait,
            });
        }
        let policy = policy.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
        Ok(ContextSync {
            context_id: context_id_or_options,
            path: path.map(JsValue::from).unwrap_or(JsValue::UNDEFINED),
            policy: validated(policy)?,
            beta_wait_for_completion,
        })
    }

    /// Alias of `new ContextSync(...)` (the Python-style `ContextSync.new(contextId, path, policy?)`).
    #[wasm_bindgen(js_name = "new")]
    pub fn create(
        #[wasm_bindgen(js_name = contextId, unchecked_param_type = "string | ContextSyncOptions")] context_id: JsValue,
        path: Option<String>,
        policy: Option<SyncPolicyLikeArg>,
        #[wasm_bindgen(js_name = betaWaitForCompletion)] beta_wait_for_completion: Option<bool>,
    ) -> Result<ContextSync, JsValue> {
        ContextSync::construct(context_id, path, policy, beta_wait_for_completion)
    }

    /// The context to mount.
    #[wasm_bindgen(getter = contextId, unchecked_return_type = "ContextSyncOptions[\"contextId\"]")]
    pub fn context_id(&self) -> JsValue {
        self.context_id.clone()
    }

    /// Sets the context to mount.
    #[wasm_bindgen(setter = contextId)]
    pub fn set_context_id(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ContextSyncOptions[\"contextId\"]")] v: JsValue,
    ) {
        self.context_id = v;
    }

    /// Where the context is mounted in the session.
    #[wasm_bindgen(getter, unchecked_return_type = "ContextSyncOptions[\"path\"]")]
    pub fn path(&self) -> JsValue {
        self.path.clone()
    }

    /// Sets the mount path.
    #[wasm_bindgen(setter)]
    pub fn set_path(&mut self, #[wasm_bindgen(unchecked_param_type = "ContextSyncOptions[\"path\"]")] v: JsValue) {
        self.path = v;
    }

    /// The policy object that was given (`undefined`: the server's default policy).
    #[wasm_bindgen(getter, unchecked_return_type = "SyncPolicyLike | undefined")]
    pub fn policy(&self) -> JsValue {
        self.policy.clone()
    }

    /// Sets the policy as given, without validation (the official field; `withPolicy` validates).
    #[wasm_bindgen(setter)]
    pub fn set_policy(&mut self, #[wasm_bindgen(unchecked_param_type = "SyncPolicyLike | undefined")] v: JsValue) {
        self.policy = v;
    }

    /// `false`: `create()` does not wait for this context's initial download.
    #[wasm_bindgen(getter = betaWaitForCompletion, unchecked_return_type = "ContextSyncOptions[\"betaWaitForCompletion\"]")]
    pub fn beta_wait_for_completion(&self) -> JsValue {
        self.beta_wait_for_completion.map(JsValue::from).unwrap_or(JsValue::UNDEFINED)
    }

    /// Validates and sets the policy; returns this `ContextSync` for chaining.
    // wasm-bindgen cannot return `this`: the package loaders wrap this method to return it
    // (pkg-template/extras.mjs).
    #[wasm_bindgen(js_name = withPolicy, unchecked_return_type = "ContextSync")]
    pub fn with_policy(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "SyncPolicyLike")] policy: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.policy = validated(policy)?;
        Ok(JsValue::UNDEFINED)
    }

    /// `false`: `create()` does not wait for this context's initial download. Returns this
    /// `ContextSync` (see `withPolicy`).
    #[wasm_bindgen(js_name = withBetaWaitForCompletion, unchecked_return_type = "ContextSync")]
    pub fn with_beta_wait_for_completion(&mut self, wait: bool) -> JsValue {
        self.beta_wait_for_completion = Some(wait);
        JsValue::UNDEFINED
    }

    /// The plain-object form (what `create()` reads), the policy as plain data with the seed's
    /// spellings normalised (as given when it no longer validates: `create()` then says why).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ContextSyncOptions")]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        let _ = Reflect::set(&o, &"contextId".into(), &self.context_id);
        let _ = Reflect::set(&o, &"path".into(), &self.path);
        if !self.policy.is_undefined() {
            let policy = checked_policy(&self.policy).unwrap_or_else(|_| self.policy.clone());
            let _ = Reflect::set(&o, &"policy".into(), &policy);
        }
        if let Some(w) = self.beta_wait_for_completion {
            let _ = Reflect::set(&o, &"betaWaitForCompletion".into(), &w.into());
        }
        o.into()
    }
}

/// Alias of `new ContextSync(...)` (the official factory).
#[wasm_bindgen(js_name = newContextSync)]
pub fn new_context_sync(
    #[wasm_bindgen(js_name = contextId, unchecked_param_type = "string | ContextSyncOptions")] context_id: JsValue,
    path: Option<String>,
    policy: Option<SyncPolicyLikeArg>,
    #[wasm_bindgen(js_name = betaWaitForCompletion)] beta_wait_for_completion: Option<bool>,
) -> Result<ContextSync, JsValue> {
    ContextSync::construct(context_id, path, policy, beta_wait_for_completion)
}

macro_rules! factory {
    ($(#[$doc:meta])* $fn_name:ident, $js:ident, $part:expr, $ty:literal) => {
        $(#[$doc])*
        #[wasm_bindgen(js_name = $js, unchecked_return_type = $ty)]
        pub fn $fn_name() -> JsValue {
            to_js(&$part.default_value())
        }
    };
}

factory!(
    #[doc = " The default `uploadPolicy` as plain data (the official factory)."]
    new_upload_policy,
    newUploadPolicy,
    Part::Upload,
    "UploadPolicyData"
);
factory!(
    #[doc = " The default `downloadPolicy` as plain data (the official factory)."]
    new_download_policy,
    newDownloadPolicy,
    Part::Download,
    "DownloadPolicyData"
);
factory!(
    #[doc = " The default `deletePolicy` as plain data (the official factory)."]
    new_delete_policy,
    newDeletePolicy,
    Part::Delete,
    "DeletePolicyData"
);
factory!(
    #[doc = " The default `extractPolicy` as plain data (the official factory)."]
    new_extract_policy,
    newExtractPolicy,
    Part::Extract,
    "ExtractPolicyData"
);
factory!(
    #[doc = " The default `recyclePolicy` as plain data (the official factory)."]
    new_recycle_policy,
    newRecyclePolicy,
    Part::Recycle,
    "RecyclePolicyData"
);
factory!(
    #[doc = " The default `mappingPolicy` as plain data (the official factory)."]
    new_mapping_policy,
    newMappingPolicy,
    Part::Mapping,
    "MappingPolicyData"
);
factory!(
    #[doc = " The default white list as plain data (the official factory)."]
    new_white_list,
    newWhiteList,
    Part::WhiteList,
    "WhiteListData"
);
factory!(
    #[doc = " The default `bwList` as plain data (the official factory)."]
    new_bw_list,
    newBWList,
    Part::BwList,
    "BWListData"
);

/// `newSyncPolicy()`: every default part (no `mappingPolicy`), as a plain object.
#[wasm_bindgen(js_name = newSyncPolicy, unchecked_return_type = "CompleteSyncPolicy")]
pub fn new_sync_policy() -> JsValue {
    to_js(&sync_config::default_sync_policy())
}

/// `newSyncPolicyWithDefaults(partial?)`: `new SyncPolicy(partial).toJSON()`, missing parts filled
/// with their defaults (keeps `mappingPolicy`).
#[wasm_bindgen(js_name = newSyncPolicyWithDefaults, unchecked_return_type = "CompleteSyncPolicy")]
pub fn new_sync_policy_with_defaults(partial: Option<SyncPolicyDataArg>) -> Result<JsValue, JsValue> {
    let v = sync_config::sync_policy_with_defaults(json_of(&partial)?).map_err(policy_error)?;
    Ok(to_js(&v))
}

/// Throws the official message when `policy` is invalid.
#[wasm_bindgen(js_name = validateSyncPolicy)]
pub fn validate_sync_policy(
    #[wasm_bindgen(unchecked_param_type = "SyncPolicyLike | undefined")] policy: JsValue,
) -> Result<(), JsValue> {
    checked_policy(&policy).map(|_| ())
}

/// The string enums, one line each: the name, then every canonical value, space-separated
/// (`WireEnum::LINE`: `UploadStrategy`, `DownloadStrategy`, `UploadMode`, `Lifecycle`, whose
/// official objects key each value by itself), or as `Key=value` pairs (`WireEnum::VARIANT_LINE`,
/// under their official names: `BetaContextMountAccessMode`, `BetaContextMountStrategy`, keyed
/// like the official TypeScript enums, `ReadWrite = "readWrite"`). The package loaders turn the
/// lines into frozen objects and export them by name: text costs the .wasm far less code than
/// building the objects here.
#[wasm_bindgen(js_name = __agentbayEnums)]
pub fn agentbay_enums() -> String {
    let named = |name: &str, line: &str| format!("{name}{}", &line[line.find(' ').unwrap_or(line.len())..]);
    [
        UploadStrategy::LINE.to_string(),
        DownloadStrategy::LINE.into(),
        UploadMode::LINE.into(),
        Lifecycle::LINE.into(),
        named("BetaContextMountAccessMode", AccessMode::VARIANT_LINE),
        named("BetaContextMountStrategy", StorageMode::VARIANT_LINE),
    ]
    .join("\n")
}

/// The canonical value of a `BetaContextMount` field (`"accessMode"` or `"strategy"`): its
/// official default when `value` is `undefined` or `null`; throws `Invalid accessMode value: …
/// Valid values are: readWrite, readOnly` for anything else. The plain-JS class
/// (pkg-template/extras.mjs) checks its fields with it, so it words them as `create()` and
/// `bind()` do.
#[wasm_bindgen(js_name = __agentbayMountMode, skip_typescript)]
pub fn agentbay_mount_mode(field: String, value: JsValue) -> Result<String, JsValue> {
    let field = ModeField::named(&field).ok_or_else(|| error(format!("no BetaContextMount field {field}")))?;
    mount::mode_value(field, &to_json(&value)?).map(String::from).map_err(error)
}

/// The official positional class `new ExtractPolicyClass(extract = true, deleteSrcFile = true,
/// extractToCurrentFolder = false)`.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub struct ExtractPolicyClass {
    extract: bool,
    delete_src_file: bool,
    extract_to_current_folder: bool,
}

#[wasm_bindgen]
impl ExtractPolicyClass {
    /// `new ExtractPolicyClass(extract = true, deleteSrcFile = true, extractToCurrentFolder = false)`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        extract: Option<bool>,
        #[wasm_bindgen(js_name = deleteSrcFile)] delete_src_file: Option<bool>,
        #[wasm_bindgen(js_name = extractToCurrentFolder)] extract_to_current_folder: Option<bool>,
    ) -> ExtractPolicyClass {
        let d = wire_policy::ExtractPolicy::default();
        ExtractPolicyClass {
            extract: extract.unwrap_or(d.extract),
            delete_src_file: delete_src_file.unwrap_or(d.delete_src_file),
            extract_to_current_folder: extract_to_current_folder.unwrap_or(d.extract_to_current_folder),
        }
    }

    /// The official default.
    #[wasm_bindgen(js_name = "default")]
    pub fn default_value() -> ExtractPolicyClass {
        ExtractPolicyClass::new(None, None, None)
    }

    /// Whether uploaded archives are extracted.
    #[wasm_bindgen(getter)]
    pub fn extract(&self) -> bool {
        self.extract
    }
    /// Sets `extract`.
    #[wasm_bindgen(setter)]
    pub fn set_extract(&mut self, v: bool) {
        self.extract = v;
    }
    /// Whether the archive is deleted once extracted.
    #[wasm_bindgen(getter = deleteSrcFile)]
    pub fn delete_src_file(&self) -> bool {
        self.delete_src_file
    }
    /// Sets `deleteSrcFile`.
    #[wasm_bindgen(setter = deleteSrcFile)]
    pub fn set_delete_src_file(&mut self, v: bool) {
        self.delete_src_file = v;
    }
    /// Whether it is extracted next to the archive.
    #[wasm_bindgen(getter = extractToCurrentFolder)]
    pub fn extract_to_current_folder(&self) -> bool {
        self.extract_to_current_folder
    }
    /// Sets `extractToCurrentFolder`.
    #[wasm_bindgen(setter = extractToCurrentFolder)]
    pub fn set_extract_to_current_folder(&mut self, v: bool) {
        self.extract_to_current_folder = v;
    }

    /// Alias of `toJSON` (the official Python classes have `to_dict()`).
    #[wasm_bindgen(js_name = toDict, unchecked_return_type = "ExtractPolicyData")]
    // By reference: a by-value `self` would free the JS object (wasm-bindgen moves it).
    #[allow(clippy::wrong_self_convention)]
    pub fn to_dict(&self) -> JsValue {
        self.to_json()
    }

    /// The policy as plain data.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ExtractPolicyData")]
    #[allow(clippy::wrong_self_convention)]
    pub fn to_json(&self) -> JsValue {
        let extract_policy = wire_policy::ExtractPolicy {
            extract: self.extract,
            delete_src_file: self.delete_src_file,
            extract_to_current_folder: self.extract_to_current_folder,
        };
        let policy = wire_policy::SyncPolicy { extract_policy, ..Default::default() };
        to_js(&sync_config::part_json(&policy, Part::Extract))
    }
}
