//! The least a Rust SDK of this shape carries before its first operation: serde_json's parser and
//! writer, `core::fmt`, the allocator, wasm-bindgen's glue, and one policy rule and one reply
//! reader of the wire contract (crates/agentbay-wire). bench/size-floor.sh builds it as the SDK's
//! .wasm is built and prints its size next to the SDK's.

use agentbay_wire::from_json::FromJson;
use wasm_bindgen::prelude::*;

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// `kind` 0: a sync policy validated and normalised; 1: a `GetContextInfo` status decoded; else
/// a context's `Data` read. JSON text in, JSON text (or a count, or an id) out.
#[wasm_bindgen]
pub fn probe(kind: u32, text: &str) -> Result<String, String> {
    let mut v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match kind {
        0 => {
            agentbay_wire::policy::validate_and_normalize(&mut v).map_err(|e| e.to_string())?;
            serde_json::to_string(&v).map_err(|e| e.to_string())
        }
        1 => agentbay_wire::context_status::decode(text).map(|t| t.len().to_string()).map_err(|e| e.to_string()),
        _ => agentbay_wire::envelope::ContextData::from_json(&v).map(|c| c.id),
    }
}
