//! `CreateMcpSession.PersistenceDataList` (and `BindContexts`'s): the contexts a session mounts,
//! as a JSON array sent as a string. A synced mount (`ContextSync`) carries its `Policy` as a JSON
//! string (the official SDKs double-encode it); a live mount (`BetaContextMount`) carries
//! `Type: "mount"` and a `MountConfig` object instead.

use crate::field_value::{FieldError, FieldValue};
use crate::wire_enum::WireEnum;
use serde::Serialize;
use serde_json::Value;

/// One context mount.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PersistenceData {
    pub context_id: String,
    /// Absolute path inside the session.
    pub path: String,
    /// The sync policy as JSON text (see [`crate::policy`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// `Some("mount")` for a live mount ([`MOUNT_TYPE`]), with its [`MountConfig`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mount_config: Option<MountConfig>,
}

/// `Type` of a live mount item.
pub const MOUNT_TYPE: &str = "mount";

crate::wire_enum! {
    /// `MountConfig.AccessMode` (`BetaContextMountAccessMode`).
    pub enum AccessMode {
        /// Reads and writes (default).
        #[default]
        ReadWrite = "readWrite",
        /// Reads only: every write fails.
        ReadOnly = "readOnly",
    }
}

crate::wire_enum! {
    /// `MountConfig.StorageMode` (`BetaContextMountStrategy`): the cloud's FUSE flavour.
    pub enum StorageMode {
        /// POSIX-compatible (default).
        #[default]
        Standard = "standard",
        /// High throughput, fewer POSIX features.
        Performance = "performance",
    }
}

/// A live mount's settings (`BetaContextMount`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MountConfig {
    pub access_mode: AccessMode,
    pub storage_mode: StorageMode,
    /// The folder of the context shown at the mount path (`withSourcePath`); empty: all of it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source_path: String,
}

/// The whole list, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersistenceDataList(pub Vec<PersistenceData>);

const KEYS: [&str; 5] = ["ContextId", "Path", "Policy", "Type", "MountConfig"];
const MOUNT_KEYS: [&str; 3] = ["AccessMode", "StorageMode", "SourcePath"];

fn bad(msg: String) -> FieldError {
    FieldError::PersistenceDataList(msg)
}

impl FieldValue for PersistenceDataList {
    fn encode(&self) -> Option<String> {
        Some(serde_json::to_string(&self.0).unwrap_or_else(|_| "[]".into()))
    }

    fn decode(name: &'static str, raw: Option<&str>) -> Result<Self, FieldError> {
        let raw = raw.filter(|r| !r.is_empty()).ok_or(FieldError::Missing(name))?;
        let items: Vec<serde_json::Map<String, Value>> = serde_json::from_str(raw)
            .map_err(|e| bad(format!("expected a JSON array of {{ContextId, Path, Policy}} or {{ContextId, Path, Type, MountConfig}} objects: {e}")))?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(k) = item.keys().find(|k| !KEYS.contains(&k.as_str())) {
                return Err(FieldError::Unsupported {
                    name: format!("{name}[{i}].{k}"),
                    reason: "only ContextId, Path, Policy, Type and MountConfig are supported".into(),
                });
            }
            let text = |k: &str| -> Result<Option<&str>, FieldError> {
                match item.get(k) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.is_empty())),
                    Some(other) => Err(bad(format!("item {i}: {k} must be a string, got {other}"))),
                }
            };
            let context_id = text("ContextId")?.ok_or_else(|| bad(format!("item {i}: ContextId is required")))?;
            let path = text("Path")?.ok_or_else(|| bad(format!("item {i}: Path is required")))?;
            let r#type = text("Type")?.map(str::to_string);
            let mount_config = match (r#type.as_deref(), item.get("MountConfig")) {
                (Some(MOUNT_TYPE), config) => Some(mount_config(i, config)?),
                (Some(other), _) => {
                    return Err(bad(format!("item {i}: Type '{other}' is not supported; valid values: {MOUNT_TYPE}")))
                }
                (None, None | Some(Value::Null)) => None,
                (None, Some(_)) => return Err(bad(format!("item {i}: MountConfig needs Type \"{MOUNT_TYPE}\""))),
            };
            if mount_config.is_some() && item.get("Policy").is_some_and(|p| !p.is_null()) {
                return Err(bad(format!("item {i}: a mount (Type \"{MOUNT_TYPE}\") takes MountConfig, not Policy")));
            }
            out.push(PersistenceData {
                context_id: context_id.into(),
                path: path.into(),
                policy: text("Policy")?.map(str::to_string),
                r#type,
                mount_config,
            });
        }
        Ok(PersistenceDataList(out))
    }
}

/// Reads item `i`'s `MountConfig`: an object (as the official SDKs' clients send it) or the
/// same object as a JSON string; absent means all defaults.
fn mount_config(i: usize, raw: Option<&Value>) -> Result<MountConfig, FieldError> {
    let parsed;
    let obj = match raw {
        None | Some(Value::Null) => return Ok(MountConfig::default()),
        Some(Value::Object(o)) => o,
        Some(Value::String(s)) => {
            parsed = serde_json::from_str::<Value>(s)
                .map_err(|e| bad(format!("item {i}: MountConfig is not valid JSON: {e}")))?;
            parsed.as_object().ok_or_else(|| bad(format!("item {i}: MountConfig must be an object")))?
        }
        Some(other) => return Err(bad(format!("item {i}: MountConfig must be an object, got {other}"))),
    };
    if let Some(k) = obj.keys().find(|k| !MOUNT_KEYS.contains(&k.as_str())) {
        return Err(FieldError::Unsupported {
            name: format!("PersistenceDataList[{i}].MountConfig.{k}"),
            reason: "only AccessMode, StorageMode and SourcePath are supported".into(),
        });
    }
    let text = |k: &str| -> Result<Option<&str>, FieldError> {
        match obj.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.is_empty())),
            Some(other) => Err(bad(format!("item {i}: MountConfig.{k} must be a string, got {other}"))),
        }
    };
    let access_mode = match text("AccessMode")? {
        None => AccessMode::default(),
        Some(v) => AccessMode::parse(v).ok_or_else(|| {
            bad(format!("item {i}: MountConfig.AccessMode '{v}'; valid values: {}", AccessMode::names()))
        })?,
    };
    let storage_mode = match text("StorageMode")? {
        None => StorageMode::default(),
        Some(v) => StorageMode::parse(v).ok_or_else(|| {
            bad(format!("item {i}: MountConfig.StorageMode '{v}'; valid values: {}", StorageMode::names()))
        })?,
    };
    Ok(MountConfig { access_mode, storage_mode, source_path: text("SourcePath")?.unwrap_or_default().to_string() })
}

#[cfg(test)]
mod tests {
    // Under wasm32 these run in Node and Chromium (scripts/test.sh), as the SDK does.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_list_round_trips_and_refuses_what_it_cannot_mount() {
        let list = PersistenceDataList(vec![PersistenceData {
            context_id: "c".into(),
            path: "/mnt/data".into(),
            policy: Some(r#"{"uploadPolicy":{"autoUpload":false}}"#.into()),
            ..Default::default()
        }]);
        let text = list.encode().unwrap();
        assert_eq!(
            text,
            r#"[{"ContextId":"c","Path":"/mnt/data","Policy":"{\"uploadPolicy\":{\"autoUpload\":false}}"}]"#
        );
        assert_eq!(PersistenceDataList::decode("PersistenceDataList", Some(&text)).unwrap(), list);
        let e = PersistenceDataList::decode("PersistenceDataList", Some(r#"[{"ContextId":"c"}]"#)).unwrap_err();
        assert_eq!(e.to_string(), "PersistenceDataList is invalid: item 0: Path is required");
        let e = PersistenceDataList::decode("PersistenceDataList", Some(r#"[{"ContextId":"c","Path":"/p","X":1}]"#));
        assert!(matches!(e, Err(FieldError::Unsupported { ref name, .. }) if name == "PersistenceDataList[0].X"));
    }

    #[test]
    fn a_live_mount_item_reads_its_config_as_an_object_or_a_string() {
        let live = PersistenceDataList(vec![PersistenceData {
            context_id: "c".into(),
            path: "/mnt/live".into(),
            r#type: Some(MOUNT_TYPE.into()),
            mount_config: Some(MountConfig {
                access_mode: AccessMode::ReadOnly,
                storage_mode: StorageMode::Performance,
                source_path: "/datasets/train".into(),
            }),
            ..Default::default()
        }]);
        let text = live.encode().unwrap();
        assert_eq!(
            text,
            r#"[{"ContextId":"c","Path":"/mnt/live","Type":"mount","MountConfig":{"AccessMode":"readOnly","StorageMode":"performance","SourcePath":"/datasets/train"}}]"#
        );
        assert_eq!(PersistenceDataList::decode("PersistenceDataList", Some(&text)).unwrap(), live);
        let as_string =
            r#"[{"ContextId":"c","Path":"/m","Type":"mount","MountConfig":"{\"AccessMode\":\"readWrite\"}"}]"#;
        let got = PersistenceDataList::decode("PersistenceDataList", Some(as_string)).unwrap();
        assert_eq!(got.0[0].mount_config, Some(MountConfig::default()));
        let bare = PersistenceDataList::decode(
            "PersistenceDataList",
            Some(r#"[{"ContextId":"c","Path":"/m","Type":"mount"}]"#),
        );
        assert_eq!(bare.unwrap().0[0].mount_config, Some(MountConfig::default()));
        for (bad_item, says) in [
            (
                r#"{"ContextId":"c","Path":"/m","Type":"mount","MountConfig":{"AccessMode":"rw"}}"#,
                "AccessMode 'rw'; valid values: readWrite, readOnly",
            ),
            (r#"{"ContextId":"c","Path":"/m","Type":"link"}"#, "Type 'link' is not supported"),
            (r#"{"ContextId":"c","Path":"/m","MountConfig":{}}"#, "MountConfig needs Type"),
            (r#"{"ContextId":"c","Path":"/m","Type":"mount","Policy":"{}"}"#, "takes MountConfig, not Policy"),
        ] {
            let e = PersistenceDataList::decode("PersistenceDataList", Some(&format!("[{bad_item}]"))).unwrap_err();
            assert!(e.to_string().contains(says), "{bad_item}: {e}");
        }
    }
}
