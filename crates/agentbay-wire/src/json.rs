//! Reading JSON text into a typed value.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// Parses `text` as `T`, through a `serde_json::Value`.
///
/// Why not `serde_json::from_str::<T>`: serde compiles a deserializer once per (type, input
/// kind), and the SDK's .wasm reads every typed value from a `&Value` already (replies, JS
/// arguments). Reading text into a `Value` first keeps one input kind per type, which is worth
/// more bytes in the .wasm than the extra pass costs in time for these small payloads.
pub fn read<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    let v: serde_json::Value = serde_json::from_str(text)?;
    T::deserialize(&v)
}

/// `v` as a JSON value, written as text and read back.
///
/// Why not `serde_json::to_value`: that compiles a second serializer (into `Value`) for every
/// type, next to the text one every type already has for the wire; the SDK's .wasm is smaller
/// with one.
pub fn value_of<T: Serialize>(v: &T) -> Value {
    serde_json::to_string(v).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or(Value::Null)
}

/// `{ key: value }`.
pub fn object(key: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), value);
    Value::Object(m)
}
