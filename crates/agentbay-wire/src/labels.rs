//! Session labels: a JSON object of string values (`Labels`, itself sent as a JSON string).

use crate::field_value::{FieldError, FieldValue};
use serde_json::Value;
use std::collections::BTreeMap;

/// A session's labels, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(pub BTreeMap<String, String>);

impl Labels {
    /// Reads labels from JSON; `what` names the value in messages (`labels`, `Labels`).
    pub fn from_value(v: &Value, what: &str) -> Result<Labels, String> {
        let Value::Object(obj) = v else {
            return Err(format!("{what} must be a JSON object of string values"));
        };
        // Inserted one by one: collecting into the map would compile a sort and a bulk build into
        // the SDK's .wasm for this one use (about 4 KB).
        let mut out = BTreeMap::new();
        for (k, v) in obj {
            match v {
                Value::String(s) => out.insert(k.clone(), s.clone()),
                other => return Err(format!("label '{k}' must be a string, got {other}")),
            };
        }
        Ok(Labels(out))
    }

    /// The JSON text of the labels (the wire form).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".into())
    }
}

impl FieldValue for Labels {
    fn encode(&self) -> Option<String> {
        Some(self.to_json())
    }
    fn decode(name: &'static str, raw: Option<&str>) -> Result<Self, FieldError> {
        let raw = raw.filter(|r| !r.is_empty()).ok_or(FieldError::Missing(name))?;
        let v: Value =
            serde_json::from_str(raw).map_err(|e| FieldError::Labels(format!("{name} is not valid JSON: {e}")))?;
        Labels::from_value(&v, name).map_err(FieldError::Labels)
    }
}

#[cfg(test)]
mod tests {
    // Under wasm32 these run in Node and Chromium (scripts/test.sh), as the SDK does.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn labels_read_and_refuse() {
        let l = Labels::decode("Labels", Some(r#"{"a":"1"}"#)).unwrap();
        assert_eq!(l.to_json(), r#"{"a":"1"}"#);
        let e = Labels::decode("Labels", Some(r#"{"a":1}"#)).unwrap_err();
        assert_eq!(e.to_string(), "Labels is invalid: label 'a' must be a string, got 1");
        let e = Labels::decode("Labels", Some("[]")).unwrap_err();
        assert_eq!(e.to_string(), "Labels is invalid: Labels must be a JSON object of string values");
    }
}
