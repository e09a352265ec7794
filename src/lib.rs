//! agentbay-wasm: an AgentBay SDK whose logic lives in a runtime-agnostic Rust core
//! (`core`), exposed to JavaScript by a thin wasm-bindgen layer (`js`, wasm32 only).
//!
//! `core::wire` is the wire contract (crates/agentbay-wire), which agentbay-local
//! (`server/`) shares.

pub mod core;

/// The TypeScript declarations of the npm package's data types (src/js/generated.d.ts).
#[cfg(feature = "ts")]
pub mod typescript;

/// The JavaScript API (wasm32 only).
#[cfg(target_arch = "wasm32")]
pub mod js;

// The .wasm runs on one thread: Talc's single-threaded WebAssembly allocator replaces dlmalloc,
// for less code in the .wasm and faster allocation.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
