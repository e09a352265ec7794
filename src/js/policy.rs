//! Sync configuration classes: `ContextSync`, `SyncPolicy`/`SyncPolicyImpl`, every
//! policy part with `.default()`, the official factories and the enums.
//!
//! Each policy class wraps one plain JS object: getters return the nested objects
//! themselves, so `policy.uploadPolicy.autoUpload = false` sticks, and `toJSON()`
//! hands that object to `JSON.stringify` (which is how `create()` reads them).

use super::convert::{error, get, to_js, to_json};
use super::types::*;
use crate::core::sync_config::{self, Part};
use crate::core::wire::policy::{self as wire_policy, DownloadStrategy, Lifecycle, UploadMode, UploadStrategy};
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

fn json_of<T: AsRef<JsValue>>(o: &Option<T>) -> Result<Value, JsValue> {
    match o {
        Some(o) => to_json(o.as_ref()),
        None => Ok(Value::Null),
    }
}

macro_rules! part_class {
    ($name:ident, $part:expr, $data:literal, $partial:ident, [$($field:ident : $setter:ident : $ty:literal),* $(,)?]) => {
        #[wasm_bindgen]
        pub struct $name {
            data: Object,
        }

        #[wasm_bindgen]
        #[allow(non_snake_case)]
        impl $name {
            /// Missing fields take their defaults; the result is validated (official messages).
            #[wasm_bindgen(constructor)]
            pub fn new(partial: Option<$partial>) -> Result<$name, JsValue> {
                let v = sync_config::part_with_defaults($part, json_of(&partial)?).map_err(policy_error)?;
                Ok($name { data: plain(&v) })
            }

            #[wasm_bindgen(js_name = "default")]
            pub fn default_value() -> $name {
                $name { data: plain(&$part.default_value()) }
            }

            #[wasm_bindgen(js_name = toJSON, unchecked_return_type = $data)]
            pub fn to_json(&self) -> JsValue {
                self.data.clone().into()
            }

            /// Python-style spelling of `toJSON()` (the official Python classes have `to_dict()`).
            #[wasm_bindgen(js_name = toDict, unchecked_return_type = $data)]
            pub fn to_dict(&self) -> JsValue {
                self.data.clone().into()
            }

            $(
                #[wasm_bindgen(getter, unchecked_return_type = $ty)]
                pub fn $field(&self) -> JsValue {
                    get(&self.data, stringify!($field))
                }

                #[wasm_bindgen(setter)]
                pub fn $setter(&self, #[wasm_bindgen(unchecked_param_type = $ty)] value: JsValue) {
                    let _ = Reflect::set(&self.data, &stringify!($field).into(), &value);
                }
            )*
        }
    };
}

part_class!(UploadPolicy, Part::Upload, "UploadPolicyData", UploadPolicyPartial, [
    autoUpload: set_autoUpload: "boolean",
    uploadStrategy: set_uploadStrategy: "UploadStrategy",
    uploadMode: set_uploadMode: "UploadMode",
    period: set_period: "number | undefined",
]);
part_class!(DownloadPolicy, Part::Download, "DownloadPolicyData", DownloadPolicyPartial, [
    autoDownload: set_autoDownload: "boolean",
    downloadStrategy: set_downloadStrategy: "DownloadStrategy",
]);
part_class!(DeletePolicy, Part::Delete, "DeletePolicyData", DeletePolicyPartial, [
    syncLocalFile: set_syncLocalFile: "boolean",
]);
part_class!(ExtractPolicy, Part::Extract, "ExtractPolicyData", ExtractPolicyPartial, [
    extract: set_extract: "boolean",
    deleteSrcFile: set_deleteSrcFile: "boolean",
    extractToCurrentFolder: set_extractToCurrentFolder: "boolean",
]);
part_class!(RecyclePolicy, Part::Recycle, "RecyclePolicyData", RecyclePolicyPartial, [
    lifecycle: set_lifecycle: "Lifecycle",
    paths: set_paths: "string[]",
]);
part_class!(MappingPolicy, Part::Mapping, "MappingPolicyData", MappingPolicyPartial, [
    path: set_path: "string",
]);
part_class!(WhiteList, Part::WhiteList, "WhiteListData", WhiteListPartial, [
    path: set_path: "string",
    excludePaths: set_excludePaths: "string[]",
    isPathRegex: set_isPathRegex: "boolean | undefined",
    isExcludeRegex: set_isExcludeRegex: "boolean | undefined",
]);
part_class!(BWList, Part::BwList, "BWListData", BWListPartial, [
    whiteLists: set_whiteLists: "WhiteListData[]",
]);

macro_rules! sync_policy_class {
    ($name:ident) => {
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

            #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "SyncPolicyData")]
            pub fn to_json(&self) -> JsValue {
                self.data.clone().into()
            }

            /// Python-style spelling of `toJSON()`.
            #[wasm_bindgen(js_name = toDict, unchecked_return_type = "SyncPolicyData")]
            pub fn to_dict(&self) -> JsValue {
                self.data.clone().into()
            }

            #[wasm_bindgen(getter = uploadPolicy, unchecked_return_type = "Partial<UploadPolicyData> | undefined")]
            pub fn upload_policy(&self) -> JsValue {
                get(&self.data, "uploadPolicy")
            }
            #[wasm_bindgen(setter = uploadPolicy)]
            pub fn set_upload_policy(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Partial<UploadPolicyData> | undefined")] v: JsValue,
            ) {
                let _ = Reflect::set(&self.data, &"uploadPolicy".into(), &v);
            }
            #[wasm_bindgen(getter = downloadPolicy, unchecked_return_type = "Partial<DownloadPolicyData> | undefined")]
            pub fn download_policy(&self) -> JsValue {
                get(&self.data, "downloadPolicy")
            }
            #[wasm_bindgen(setter = downloadPolicy)]
            pub fn set_download_policy(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Partial<DownloadPolicyData> | undefined")] v: JsValue,
            ) {
                let _ = Reflect::set(&self.data, &"downloadPolicy".into(), &v);
            }
            #[wasm_bindgen(getter = deletePolicy, unchecked_return_type = "Partial<DeletePolicyData> | undefined")]
            pub fn delete_policy(&self) -> JsValue {
                get(&self.data, "deletePolicy")
            }
            #[wasm_bindgen(setter = deletePolicy)]
            pub fn set_delete_policy(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Partial<DeletePolicyData> | undefined")] v: JsValue,
            ) {
                let _ = Reflect::set(&self.data, &"deletePolicy".into(), &v);
            }
            #[wasm_bindgen(getter = extractPolicy, unchecked_return_type = "Partial<ExtractPolicyData> | undefined")]
            pub fn extract_policy(&self) -> JsValue {
                get(&self.data, "extractPolicy")
            }
            #[wasm_bindgen(setter = extractPolicy)]
            pub fn set_extract_policy(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Partial<ExtractPolicyData> | undefined")] v: JsValue,
            ) {
                let _ = Reflect::set(&self.data, &"extractPolicy".into(), &v);
            }
            #[wasm_bindgen(getter = recyclePolicy, unchecked_return_type = "Partial<RecyclePolicyData> | undefined")]
            pub fn recycle_policy(&self) -> JsValue {
                get(&self.data, "recyclePolicy")
            }
            #[wasm_bindgen(setter = recyclePolicy)]
            pub fn set_recycle_policy(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Partial<RecyclePolicyData> | undefined")] v: JsValue,
            ) {
                let _ = Reflect::set(&self.data, &"recyclePolicy".into(), &v);
            }
            #[wasm_bindgen(getter = bwList, unchecked_return_type = "BWListData | undefined")]
            pub fn bw_list(&self) -> JsValue {
                get(&self.data, "bwList")
            }
            #[wasm_bindgen(setter = bwList)]
            pub fn set_bw_list(&self, #[wasm_bindgen(unchecked_param_type = "BWListData | undefined")] v: JsValue) {
                let _ = Reflect::set(&self.data, &"bwList".into(), &v);
            }
            #[wasm_bindgen(getter = mappingPolicy, unchecked_return_type = "MappingPolicyData | undefined")]
            pub fn mapping_policy(&self) -> JsValue {
                get(&self.data, "mappingPolicy")
            }
            #[wasm_bindgen(setter = mappingPolicy)]
            pub fn set_mapping_policy(
                &self,
                #[wasm_bindgen(unchecked_param_type = "MappingPolicyData | undefined")] v: JsValue,
            ) {
                let _ = Reflect::set(&self.data, &"mappingPolicy".into(), &v);
            }
        }
    };
}

sync_policy_class!(SyncPolicy);
sync_policy_class!(SyncPolicyImpl);

/// The official `WhiteListValidator`: `WhiteListValidator.validate(whiteList)` throws the newer
/// wildcard messages (skipped for the side whose regex flag is true) and returns nothing otherwise.
#[wasm_bindgen]
pub struct WhiteListValidator;

#[wasm_bindgen]
impl WhiteListValidator {
    pub fn validate(
        #[wasm_bindgen(js_name = whiteList, unchecked_param_type = "WhiteListData | WhiteList")] white_list: JsValue,
    ) -> Result<(), JsValue> {
        sync_config::validate_white_list(to_json(&white_list)?).map_err(policy_error)
    }
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

/// A context mounted into a session at `path`, with an optional sync policy.
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
                policy: checked_policy(&get(o, "policy"))?,
                beta_wait_for_completion: wait,
            });
        }
        let policy = policy.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
        Ok(ContextSync {
            context_id: context_id_or_options,
            path: path.map(JsValue::from).unwrap_or(JsValue::UNDEFINED),
            policy: checked_policy(&policy)?,
            beta_wait_for_completion,
        })
    }

    /// Python-style `ContextSync.new(contextId, path, policy?)`.
    #[wasm_bindgen(js_name = "new")]
    pub fn create(
        #[wasm_bindgen(js_name = contextId, unchecked_param_type = "string | ContextSyncOptions")] context_id: JsValue,
        path: Option<String>,
        policy: Option<SyncPolicyLikeArg>,
        #[wasm_bindgen(js_name = betaWaitForCompletion)] beta_wait_for_completion: Option<bool>,
    ) -> Result<ContextSync, JsValue> {
        ContextSync::construct(context_id, path, policy, beta_wait_for_completion)
    }

    #[wasm_bindgen(getter = contextId, unchecked_return_type = "string")]
    pub fn context_id(&self) -> JsValue {
        self.context_id.clone()
    }

    #[wasm_bindgen(setter = contextId)]
    pub fn set_context_id(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] v: JsValue) {
        self.context_id = v;
    }

    #[wasm_bindgen(getter, unchecked_return_type = "string")]
    pub fn path(&self) -> JsValue {
        self.path.clone()
    }

    #[wasm_bindgen(setter)]
    pub fn set_path(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] v: JsValue) {
        self.path = v;
    }

    #[wasm_bindgen(getter, unchecked_return_type = "SyncPolicyData | undefined")]
    pub fn policy(&self) -> JsValue {
        self.policy.clone()
    }

    #[wasm_bindgen(getter = betaWaitForCompletion, unchecked_return_type = "boolean | undefined")]
    pub fn beta_wait_for_completion(&self) -> JsValue {
        self.beta_wait_for_completion.map(JsValue::from).unwrap_or(JsValue::UNDEFINED)
    }

    /// Validates and sets the policy; returns a ContextSync for chaining.
    #[wasm_bindgen(js_name = withPolicy)]
    pub fn with_policy(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "SyncPolicyLike")] policy: JsValue,
    ) -> Result<ContextSync, JsValue> {
        self.policy = checked_policy(&policy)?;
        Ok(self.snapshot())
    }

    /// `false`: `create()` does not wait for this context's initial download.
    #[wasm_bindgen(js_name = withBetaWaitForCompletion)]
    pub fn with_beta_wait_for_completion(&mut self, wait: bool) -> ContextSync {
        self.beta_wait_for_completion = Some(wait);
        self.snapshot()
    }

    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ContextSyncOptions")]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        let _ = Reflect::set(&o, &"contextId".into(), &self.context_id);
        let _ = Reflect::set(&o, &"path".into(), &self.path);
        if !self.policy.is_undefined() {
            let _ = Reflect::set(&o, &"policy".into(), &self.policy);
        }
        if let Some(w) = self.beta_wait_for_completion {
            let _ = Reflect::set(&o, &"betaWaitForCompletion".into(), &w.into());
        }
        o.into()
    }
}

impl ContextSync {
    /// wasm-bindgen cannot return `this`; a copy sharing the same policy object chains
    /// the same way (`cs.withPolicy(p).withBetaWaitForCompletion(false)` yields the full value).
    fn snapshot(&self) -> ContextSync {
        ContextSync {
            context_id: self.context_id.clone(),
            path: self.path.clone(),
            policy: self.policy.clone(),
            beta_wait_for_completion: self.beta_wait_for_completion,
        }
    }
}

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
    ($fn_name:ident, $js:ident, $part:expr, $ty:literal) => {
        #[wasm_bindgen(js_name = $js, unchecked_return_type = $ty)]
        pub fn $fn_name() -> JsValue {
            to_js(&$part.default_value())
        }
    };
}

factory!(new_upload_policy, newUploadPolicy, Part::Upload, "UploadPolicyData");
factory!(new_download_policy, newDownloadPolicy, Part::Download, "DownloadPolicyData");
factory!(new_delete_policy, newDeletePolicy, Part::Delete, "DeletePolicyData");
factory!(new_extract_policy, newExtractPolicy, Part::Extract, "ExtractPolicyData");
factory!(new_recycle_policy, newRecyclePolicy, Part::Recycle, "RecyclePolicyData");
factory!(new_mapping_policy, newMappingPolicy, Part::Mapping, "MappingPolicyData");
factory!(new_white_list, newWhiteList, Part::WhiteList, "WhiteListData");
factory!(new_bw_list, newBWList, Part::BwList, "BWListData");

/// `newSyncPolicy()`: every default part (no `mappingPolicy`), as a plain object.
#[wasm_bindgen(js_name = newSyncPolicy, unchecked_return_type = "CompleteSyncPolicy")]
pub fn new_sync_policy() -> JsValue {
    to_js(&sync_config::default_sync_policy())
}

/// `newSyncPolicyWithDefaults(partial?)` = `new SyncPolicyImpl(partial).toJSON()` (keeps `mappingPolicy`).
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

/// `{ Value: "Value", … }` of every canonical spelling of `E`.
fn enum_object<E: WireEnum>() -> Object {
    let o = Object::new();
    for v in E::ALL {
        let _ = Reflect::set(&o, &v.as_str().into(), &v.as_str().into());
    }
    Object::freeze(&o)
}

/// The string enums (`UploadStrategy`, `DownloadStrategy`, `UploadMode`, `Lifecycle`)
/// as frozen objects; the package loaders re-export them as named constants.
#[wasm_bindgen(js_name = __agentbayEnums, unchecked_return_type = "AgentBayEnums")]
pub fn agentbay_enums() -> JsValue {
    let o = Object::new();
    for (name, values) in [
        (UploadStrategy::NAME, enum_object::<UploadStrategy>()),
        (DownloadStrategy::NAME, enum_object::<DownloadStrategy>()),
        (UploadMode::NAME, enum_object::<UploadMode>()),
        (Lifecycle::NAME, enum_object::<Lifecycle>()),
    ] {
        let _ = Reflect::set(&o, &name.into(), &values);
    }
    Object::freeze(&o).into()
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

    #[wasm_bindgen(js_name = "default")]
    pub fn default_value() -> ExtractPolicyClass {
        ExtractPolicyClass::new(None, None, None)
    }

    #[wasm_bindgen(getter)]
    pub fn extract(&self) -> bool {
        self.extract
    }
    #[wasm_bindgen(setter)]
    pub fn set_extract(&mut self, v: bool) {
        self.extract = v;
    }
    #[wasm_bindgen(getter = deleteSrcFile)]
    pub fn delete_src_file(&self) -> bool {
        self.delete_src_file
    }
    #[wasm_bindgen(setter = deleteSrcFile)]
    pub fn set_delete_src_file(&mut self, v: bool) {
        self.delete_src_file = v;
    }
    #[wasm_bindgen(getter = extractToCurrentFolder)]
    pub fn extract_to_current_folder(&self) -> bool {
        self.extract_to_current_folder
    }
    #[wasm_bindgen(setter = extractToCurrentFolder)]
    pub fn set_extract_to_current_folder(&mut self, v: bool) {
        self.extract_to_current_folder = v;
    }

    #[wasm_bindgen(js_name = toDict, unchecked_return_type = "ExtractPolicyData")]
    // By reference: a by-value `self` would free the JS object (wasm-bindgen moves it).
    #[allow(clippy::wrong_self_convention)]
    pub fn to_dict(&self) -> JsValue {
        let extract_policy = wire_policy::ExtractPolicy {
            extract: self.extract,
            delete_src_file: self.delete_src_file,
            extract_to_current_folder: self.extract_to_current_folder,
        };
        let policy = wire_policy::SyncPolicy { extract_policy, ..Default::default() };
        to_js(&sync_config::part_json(&policy, Part::Extract))
    }

    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ExtractPolicyData")]
    #[allow(clippy::wrong_self_convention)]
    pub fn to_json(&self) -> JsValue {
        self.to_dict()
    }
}
