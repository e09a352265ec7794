//! Runtime-agnostic SDK core: no wasm-bindgen types live here, so everything
//! below is testable natively with `cargo test`.

pub mod wire;
