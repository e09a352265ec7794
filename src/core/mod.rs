//! Runtime-agnostic SDK core: no wasm-bindgen types live here, so everything
//! below is testable natively with `cargo test`.

pub mod api;
pub mod bind;
pub mod command;
pub mod config;
pub mod context;
pub mod context_manager;
pub mod file_transfer;
pub mod filesystem;
pub mod handle;
pub mod mcp;
pub mod mount;
pub mod params;
pub mod poll;
pub mod progress;
pub mod request;
pub mod results;
pub mod runtime;
pub mod session;
pub mod sync_config;
pub mod tool_call;
/// The wire contract, shared with agentbay-local (crates/agentbay-wire).
pub use agentbay_wire as wire;

#[cfg(test)]
mod tests;
