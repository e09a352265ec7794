//! JS ⇄ Rust value conversion.
//!
//! Inputs go through `JSON.stringify`, which calls `toJSON()` on our class instances
//! (ContextSync, SyncPolicy, …) so plain objects and instances look the same to the core.
//! Outputs are written as JSON text by serde_json and read with `JSON.parse`, `null` becoming
//! `undefined` (so a `None` field is an `undefined` one).

use super::env::describe;
use js_sys::{Promise, Reflect, Uint8Array, JSON};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

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

/// A result (or any serialisable value) as a plain JS object, absent optionals `undefined`.
///
/// Through JSON text rather than serde-wasm-bindgen: serde_json's serializer is in the module
/// anyway (the wire, `value_of`), so writing text adds no serializer, where serde-wasm-bindgen's
/// was one more per result type; the switch took 11 KB off the .wasm (BENCHMARKS.md, "Size of
/// the .wasm"). The generic part is only `serde_json::to_string`.
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    match serde_json::to_string(v) {
        Ok(text) => parse_result(&text),
        Err(e) => error(format!("internal: could not convert result: {e}")),
    }
}

/// `JSON.parse(text)` with every `null` replaced by `undefined` (keys kept), which is what
/// serde-wasm-bindgen gave for `None`, `()` and JSON `null` and what the typings promise.
fn parse_result(text: &str) -> JsValue {
    match JSON::parse(text) {
        Ok(v) => {
            nulls_to_undefined(&v);
            v
        }
        Err(e) => error(format!("internal: could not convert result: {}", describe(&e))),
    }
}

/// Replaces `null` by `undefined` in the arrays and objects under `v`, in place. The depth is
/// bounded by serde_json's recursion limit on the JSON the values were read from.
fn nulls_to_undefined(v: &JsValue) {
    let fix = |x: JsValue| -> Option<JsValue> {
        if x.is_null() {
            Some(JsValue::UNDEFINED)
        } else {
            if x.is_object() {
                nulls_to_undefined(&x);
            }
            None
        }
    };
    if let Some(a) = v.dyn_ref::<js_sys::Array>() {
        for i in 0..a.length() {
            if let Some(u) = fix(a.get(i)) {
                a.set(i, u);
            }
        }
    } else if let Some(o) = v.dyn_ref::<js_sys::Object>() {
        for k in js_sys::Object::keys(o).iter() {
            if let Some(u) = fix(Reflect::get(v, &k).unwrap_or(JsValue::UNDEFINED)) {
                let _ = Reflect::set(v, &k, &u);
            }
        }
    }
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

/// Bytes from `string | Uint8Array | ArrayBuffer | ArrayBufferView | Blob`.
pub async fn bytes_of(data: &JsValue) -> Result<Vec<u8>, String> {
    if let Some(s) = data.as_string() {
        return Ok(s.into_bytes());
    }
    if let Some(u) = data.dyn_ref::<Uint8Array>() {
        return Ok(u.to_vec());
    }
    if let Some(b) = data.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(b).to_vec());
    }
    if js_sys::ArrayBuffer::is_view(data) {
        let buf = get(data, "buffer");
        let off = get(data, "byteOffset").as_f64().unwrap_or(0.0) as u32;
        let len = get(data, "byteLength").as_f64().unwrap_or(0.0) as u32;
        return Ok(Uint8Array::new_with_byte_offset_and_length(&buf, off, len).to_vec());
    }
    let array_buffer = get(data, "arrayBuffer");
    if let Some(f) = array_buffer.dyn_ref::<js_sys::Function>() {
        let p: Promise = f
            .call0(data)
            .map_err(|e| describe(&e))?
            .dyn_into()
            .map_err(|_| "arrayBuffer() did not return a Promise".to_string())?;
        let buf = JsFuture::from(p).await.map_err(|e| describe(&e))?;
        return Ok(Uint8Array::new(&buf).to_vec());
    }
    Err("data must be a string, Uint8Array, ArrayBuffer or Blob".into())
}
