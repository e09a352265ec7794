//! agentbay-wasm: an AgentBay SDK whose logic lives in a runtime-agnostic Rust core
//! (`core`), exposed to JavaScript by a thin wasm-bindgen layer (`js`, wasm32 only).
//!
//! `core::wire` is the wire contract (crates/agentbay-wire), which agentbay-local
//! (`server/`) shares.

pub mod core;

#[cfg(target_arch = "wasm32")]
mod js;

// The .wasm runs on one thread: Talc's single-threaded WebAssembly allocator replaces dlmalloc,
// for less code in the .wasm and faster allocation.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
