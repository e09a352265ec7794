//! `CreateMcpSession.PersistenceDataList`: the contexts a session mounts, as a JSON array sent
//! as a string, each item's `Policy` itself a JSON string (the official SDKs double-encode it).

use crate::field_value::{FieldError, FieldValue};
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
}

/// The whole list, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersistenceDataList(pub Vec<PersistenceData>);

const KEYS: [&str; 3] = ["ContextId", "Path", "Policy"];

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
            .map_err(|e| bad(format!("expected a JSON array of {{ContextId, Path, Policy}} objects: {e}")))?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(k) = item.keys().find(|k| !KEYS.contains(&k.as_str())) {
                return Err(FieldError::Unsupported {
                    name: format!("{name}[{i}].{k}"),
                    reason: "only ContextId, Path and Policy are supported".into(),
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
            out.push(PersistenceData {
                context_id: context_id.into(),
                path: path.into(),
                policy: text("Policy")?.map(str::to_string),
            });
        }
        Ok(PersistenceDataList(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_round_trips_and_refuses_what_it_cannot_mount() {
        let list = PersistenceDataList(vec![PersistenceData {
            context_id: "c".into(),
            path: "/mnt/data".into(),
            policy: Some(r#"{"uploadPolicy":{"autoUpload":false}}"#.into()),
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
}
