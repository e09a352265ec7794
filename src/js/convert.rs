//! JS ⇄ Rust value conversion.
//!
//! Inputs go through `JSON.stringify`, which calls `toJSON()` on our class instances
//! (ContextSync, SyncPolicy, …) so plain objects and instances look the same to the core.
//! Outputs go through serde-wasm-bindgen with `None` fields omitted (→ `undefined`).

use js_sys::{Reflect, JSON};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// A JS `Error` with this message.
pub fn error(msg: impl AsRef<str>) -> JsValue {
    js_sys::Error::new(msg.as_ref()).into()
}

/// JSON view of a JS value; `undefined`/`null`/functions become `Null`.
pub fn to_json(v: &JsValue) -> Result<Value, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(Value::Null);
    }
    let s = JSON::stringify(v)?;
    match s.as_string() {
        None => Ok(Value::Null),
        Some(s) => serde_json::from_str(&s).map_err(|e| error(format!("value is not JSON-compatible: {e}"))),
    }
}

/// A result (or any serialisable value) as a plain JS object, absent optionals omitted.
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    v.serialize(&ser).unwrap_or_else(|e| error(format!("internal: could not convert result: {e}")))
}

/// `obj[key] = v`.
pub fn set(obj: &JsValue, key: &str, v: &JsValue) {
    let _ = Reflect::set(obj, &key.into(), v);
}

/// `obj[key]`, or `undefined` when `obj` is not an object.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() && !obj.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}
