//! The thin wasm-bindgen layer: JS classes over the runtime-agnostic core. Every binding takes
//! typed parameters, calls one core function and returns its typed result; every exported item
//! is documented (the docs become the JSDoc of the package's `.d.ts`).
#![warn(missing_docs)]

pub mod agent_bay;
pub mod convert;
pub mod env;
pub mod local_fs;
pub mod policy;
pub mod session;
pub mod types;

#[cfg(test)]
mod tests;
