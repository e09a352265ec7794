//! Reading a reply's `Data` from a parsed JSON [`Value`] without serde's derived `Deserialize`.
//!
//! Why not `Deserialize`: the SDK reads every reply through `&Value`, and a derive compiles a
//! `visit_map` and a `visit_seq` per type plus serde's error machinery, whose "invalid type:
//! floating point" message pulls in `<f64 as Display>` (see BENCHMARKS.md, "Size of the .wasm").
//! These readers follow the derives' rules for the reply types (`#[serde(default)]`: a missing
//! key keeps the type's default, unknown keys are ignored, `null` is refused where the field is
//! not an `Option`) and word failures as serde does. One difference: a derive also reads a struct
//! from a JSON array, field by field in declaration order; these readers refuse an array where an
//! object belongs. agentbay-local keeps the serde derives.

use serde_json::{Map, Value};
use std::fmt::Write;

/// A value read from JSON; the error is a sentence like serde's ("invalid type: …, expected …").
pub trait FromJson: Sized {
    fn from_json(v: &Value) -> Result<Self, String>;
}

/// What `v` is, in serde's words (`Unexpected`'s display), e.g. ``integer `5` ``.
fn unexpected(v: &Value) -> String {
    let mut s = String::new();
    let _ = match v {
        Value::Null => write!(s, "null"),
        Value::Bool(b) => write!(s, "boolean `{b}`"),
        Value::Number(n) if n.is_f64() => write!(s, "floating point `{n}`"),
        Value::Number(n) => write!(s, "integer `{n}`"),
        Value::String(x) => write!(s, "string {x:?}"),
        Value::Array(_) => write!(s, "sequence"),
        Value::Object(_) => write!(s, "map"),
    };
    s
}

/// serde's "invalid type" error.
pub fn invalid_type(v: &Value, expected: &str) -> String {
    format!("invalid type: {}, expected {expected}", unexpected(v))
}

/// `v` as an object, or serde's error naming the struct it should have been.
pub fn object<'a>(v: &'a Value, name: &str) -> Result<&'a Map<String, Value>, String> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(invalid_type(v, &format!("struct {name}"))),
    }
}

/// Reads the field spelled `keys[0]` (or one of its aliases, `keys[1..]`) into `out` when present
/// (a missing key keeps what `out` holds); two spellings at once are refused, as by serde.
pub fn field<T: FromJson>(m: &Map<String, Value>, keys: &[&str], out: &mut T) -> Result<(), String> {
    let mut found = keys.iter().filter_map(|k| m.get(*k));
    if let Some(v) = found.next() {
        if found.next().is_some() {
            return Err(format!("duplicate field `{}`", keys[0]));
        }
        *out = T::from_json(v)?;
    }
    Ok(())
}

/// Parses `text` as JSON and reads it as `T` (the `FromJson` counterpart of `json::read`).
pub fn read<T: FromJson>(text: &str) -> Result<T, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    T::from_json(&v)
}

impl FromJson for Value {
    fn from_json(v: &Value) -> Result<Self, String> {
        Ok(v.clone())
    }
}

impl FromJson for String {
    fn from_json(v: &Value) -> Result<Self, String> {
        match v {
            Value::String(s) => Ok(s.clone()),
            _ => Err(invalid_type(v, "a string")),
        }
    }
}

impl FromJson for bool {
    fn from_json(v: &Value) -> Result<Self, String> {
        match v {
            Value::Bool(b) => Ok(*b),
            _ => Err(invalid_type(v, "a boolean")),
        }
    }
}

impl FromJson for u64 {
    fn from_json(v: &Value) -> Result<Self, String> {
        match v {
            Value::Number(n) if n.is_u64() => Ok(n.as_u64().unwrap_or_default()),
            Value::Number(n) if n.is_i64() => Err(format!("invalid value: integer `{n}`, expected u64")),
            _ => Err(invalid_type(v, "u64")),
        }
    }
}

impl FromJson for f64 {
    fn from_json(v: &Value) -> Result<Self, String> {
        match v {
            Value::Number(n) => Ok(n.as_f64().unwrap_or_default()),
            _ => Err(invalid_type(v, "f64")),
        }
    }
}

impl FromJson for i64 {
    fn from_json(v: &Value) -> Result<Self, String> {
        match v {
            Value::Number(n) if n.is_i64() => Ok(n.as_i64().unwrap_or_default()),
            Value::Number(n) if n.is_u64() => Err(format!("invalid value: integer `{n}`, expected i64")),
            _ => Err(invalid_type(v, "i64")),
        }
    }
}

impl FromJson for u32 {
    fn from_json(v: &Value) -> Result<Self, String> {
        match v {
            Value::Number(n) if n.is_u64() || n.is_i64() => match n.as_u64().and_then(|u| u32::try_from(u).ok()) {
                Some(u) => Ok(u),
                None => Err(format!("invalid value: integer `{n}`, expected u32")),
            },
            _ => Err(invalid_type(v, "u32")),
        }
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(v: &Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_json(v).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Value) -> Result<Self, String> {
        match v {
            Value::Array(items) => items.iter().map(T::from_json).collect(),
            _ => Err(invalid_type(v, "a sequence")),
        }
    }
}

/// `impl FromJson` for a `#[serde(default)]` struct: each field by its wire key (`"Key" | "alias"`
/// for a field with `#[serde(alias)]`s), starting from
/// `($start)` when given (what its `#[serde(default = …)]` fields say), else the struct's default.
#[macro_export]
macro_rules! from_json {
    ($($name:ident $(($start:expr))? { $($field:ident : $key:literal $(| $alias:literal)*),* $(,)? })*) => {$(
        impl $crate::from_json::FromJson for $name {
            fn from_json(v: &::serde_json::Value) -> Result<Self, String> {
                #[allow(unused_variables)]
                let m = $crate::from_json::object(v, stringify!($name))?;
                #[allow(unused_mut)]
                let mut out: $name = $crate::from_json!(@start $name $($start)?);
                $( $crate::from_json::field(m, &[$key $(, $alias)*], &mut out.$field)?; )*
                Ok(out)
            }
        }
    )*};
    (@start $name:ident) => { <$name as Default>::default() };
    (@start $name:ident $start:expr) => { $start };
}
pub use from_json;

#[cfg(test)]
mod tests {
    // Under wasm32 these run in Node and Chromium (scripts/test.sh), as the SDK does.
    use super::*;
    use crate::envelope::*;
    use crate::request::Empty;
    use crate::tool::ToolResult;
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Every scalar of `v` changed to a value no default has (strings name their key), so a key
    /// the reader misspells shows up as a difference.
    fn distinct(v: &mut Value, key: &str) {
        match v {
            Value::String(s) => *s = format!("{key}!"),
            Value::Bool(b) => *b = !*b,
            Value::Number(_) => *v = json!(7),
            Value::Array(items) => items.iter_mut().for_each(|i| distinct(i, key)),
            Value::Object(m) => m.iter_mut().for_each(|(k, i)| distinct(i, k)),
            Value::Null => {}
        }
    }

    /// The reader and serde's derive agree on `sample` with every field set, on `{}`, and on a
    /// wrong type.
    fn agrees<T: FromJson + DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(sample: T) {
        let mut v = serde_json::to_value(&sample).unwrap();
        distinct(&mut v, "");
        let serde_read: T = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(T::from_json(&v).unwrap(), serde_read, "{v}");
        for other in [json!({}), json!("x"), json!(null), json!(1)] {
            let serde_read = serde_json::from_value::<T>(other.clone()).map_err(|e| e.to_string());
            assert_eq!(T::from_json(&other), serde_read, "{other}");
        }
    }

    #[test]
    fn readers_match_the_serde_derives() {
        agrees(CreateSessionData { err_msg: Some("e".into()), ws_url: "w".into(), ..Default::default() });
        agrees(GetSessionData {
            ws_url: "w".into(),
            contexts: vec![SessionContextRef::default()],
            ..Default::default()
        });
        agrees(SessionDetailData::default());
        agrees(vec![SessionListItem::default()]);
        agrees(LabelsData::default());
        agrees(vec![ContextData::default()]);
        agrees(vec![ContextFileData::default()]);
        agrees(FileUrlData::default());
        agrees(McpResourceData::default());
        agrees(ContextInfoData::default());
        agrees(vec![ContextBindingData::default()]);
        agrees(vec![InternalContextData::default()]);
        agrees(ToolResult::text("t", false));
        agrees(Empty {});
        assert!(CreateSessionData::from_json(&json!({})).unwrap().success, "Success defaults to true");
    }

    #[test]
    fn envelopes_task_statuses_and_shell_payloads_match_the_serde_derives() {
        use crate::context_status::TaskStatus;
        use crate::tool::ShellPayload;
        for v in [
            json!({"RequestId": "r", "Success": true, "Code": "c", "Message": "m", "HttpStatusCode": "200",
                   "Data": {"a": 1}, "NextToken": "n", "MaxResults": 5, "TotalCount": " 7 ", "Count": 2.5}),
            json!({"requestId": "r", "success": false, "code": "c", "message": "m", "Data": null, "MaxResults": -1}),
            json!({"RequestId": "a", "requestId": "b"}),
            json!({"RequestId": null}),
            json!({"Success": "true"}),
            json!({"HttpStatusCode": 70000, "TotalCount": {}, "Count": "x"}),
            json!({"Data": [1, 2]}),
        ] {
            let serde_read = serde_json::from_value::<Envelope<Value>>(v.clone()).map_err(|e| e.to_string());
            assert_eq!(Envelope::<Value>::from_json(&v), serde_read, "{v}");
        }
        agrees(TaskStatus { start_time: -5, ..Default::default() });
        agrees(ShellPayload { error_code: Some(-1), trace_id: Some("t".into()), ..Default::default() });
        for v in
            [json!({"exit_code": 9_223_372_036_854_775_808u64}), json!({"exit_code": 1.0}), json!({"errorCode": null})]
        {
            let serde_read = serde_json::from_value::<ShellPayload>(v.clone()).map_err(|e| e.to_string());
            assert_eq!(ShellPayload::from_json(&v), serde_read, "{v}");
        }
    }

    #[test]
    fn errors_are_worded_as_serde_words_them() {
        for (v, want) in [
            (json!({"Url": null}), "invalid type: null, expected a string"),
            (json!({"Url": 1.5}), "invalid type: floating point `1.5`, expected a string"),
            (json!({"ExpireTime": -1}), "invalid value: integer `-1`, expected u64"),
            (json!({"ExpireTime": "1"}), "invalid type: string \"1\", expected u64"),
            (json!({"ExpireTime": true}), "invalid type: boolean `true`, expected u64"),
            (json!({"Url": []}), "invalid type: sequence, expected a string"),
        ] {
            let serde_says = serde_json::from_value::<FileUrlData>(v.clone()).unwrap_err().to_string();
            assert_eq!(serde_says, want);
            assert_eq!(FileUrlData::from_json(&v).unwrap_err(), want);
        }
        let v = json!({"content": {}});
        assert_eq!(
            ToolResult::from_json(&v).unwrap_err(),
            serde_json::from_value::<ToolResult>(v).unwrap_err().to_string()
        );
    }
}
