//! agentbay-wasm: an AgentBay SDK whose logic lives in a runtime-agnostic Rust core
//! (`core`), exposed to JavaScript by a thin wasm-bindgen layer (`js`, wasm32 only).
//!
//! `core::wire` is the single definition of the AgentBay wire format; the local
//! server (`server/`, agentbay-local) depends on this crate for it.

pub mod core;

/// The TypeScript declarations of the npm package's data types (src/js/generated.d.ts).
#[cfg(feature = "ts")]
pub mod typescript;

/// The JavaScript API (wasm32 only).
#[cfg(target_arch = "wasm32")]
pub mod js;
