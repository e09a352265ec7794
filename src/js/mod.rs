//! The thin wasm-bindgen layer: JS classes over the runtime-agnostic core.

mod agent_bay;
mod convert;
mod env;
mod policy;
mod session;
pub mod types;
