//! JS ⇄ Rust value conversion.
//!
//! Inputs go through `JSON.stringify`, which calls `toJSON()` on our class instances
//! (ContextSync, SyncPolicy, …) so plain objects and instances look the same to the core.
//! Outputs go through serde-wasm-bindgen with `None` fields omitted (→ `undefined`).

use js_sys::{Reflect, JSON};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// A JS promise of `f`. The future is boxed so that the promise machinery is compiled once
/// for every binding, not once per binding's future type.
pub fn promise_of(f: impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static) -> js_sys::Promise {
    let boxed: std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>> = Box::pin(f);
    wasm_bindgen_futures::future_to_promise(boxed)
}

/// [`promise_of`] for a future that always resolves.
pub fn promise(f: impl std::future::Future<Output = JsValue> + 'static) -> js_sys::Promise {
    promise_of(async move { Ok(f.await) })
}

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
