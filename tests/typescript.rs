//! The TypeScript declarations are generated from the Rust types (src/typescript.rs) and checked
//! in as src/js/generated.d.ts, which the wasm build includes. This test fails when the file is
//! stale; `UPDATE_TS=1` rewrites it.
//!
//! Run: `cargo test -p agentbay-wasm --features ts --test typescript`.

use agentbay_wasm::core::params::{OFFICIAL_PARAM_KEYS, OWN_PARAM_KEYS};
use agentbay_wasm::core::wire::policy::{DownloadStrategy, Lifecycle, UploadMode, UploadStrategy};
use agentbay_wasm::core::wire::wire_enum::WireEnum;
use std::path::Path;

const FILE: &str = "src/js/generated.d.ts";

#[test]
fn the_checked_in_declarations_are_what_the_rust_types_produce() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FILE);
    let want = agentbay_wasm::typescript::declarations();
    if std::env::var_os("UPDATE_TS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        let line = have.lines().zip(want.lines()).position(|(a, b)| a != b).map_or(0, |i| i + 1);
        panic!(
            "{FILE} is stale (first difference at line {line}): the Rust types changed. Regenerate it with \
             `UPDATE_TS=1 cargo test -p agentbay-wasm --features ts --test typescript` and commit it."
        );
    }
}

#[test]
fn the_enums_are_declared_by_wire_enum() {
    let text = agentbay_wasm::typescript::declarations();
    for ts in [UploadStrategy::TS, DownloadStrategy::TS, UploadMode::TS, Lifecycle::TS] {
        assert!(text.contains(ts), "missing {ts}");
    }
    // The seed's spellings are part of the input forms.
    assert!(text.contains("export type UploadStrategyInput = UploadStrategy | \"BeforeResourceRelease\";"));
    assert!(text.contains("export type DownloadStrategyInput = DownloadStrategy | \"Async\";"));
    // The live-mount enums: official names, keyed as the official TypeScript enums.
    assert!(text.contains("export type BetaContextMountAccessMode = | \"readWrite\" | \"readOnly\";"));
    assert!(text.contains(
        "export declare const BetaContextMountAccessMode: { readonly ReadWrite: \"readWrite\"; readonly ReadOnly: \"readOnly\"; };"
    ));
    assert!(text.contains("export type BetaContextMountStrategy = | \"standard\" | \"performance\";"));
    assert!(text.contains(
        "export declare const BetaContextMountStrategy: { readonly Standard: \"standard\"; readonly Performance: \"performance\"; };"
    ));
}

#[test]
fn create_session_params_declares_every_accepted_key() {
    let text = agentbay_wasm::typescript::declarations();
    let start = text.find("export type CreateSessionParams = {").expect("CreateSessionParams declared");
    let body = &text[start..start + text[start..].find("\n}").unwrap()];
    let declared: Vec<&str> =
        body.lines().filter_map(|l| l.trim().split_once("?:").map(|(k, _)| k)).filter(|k| !k.contains(' ')).collect();
    let mut accepted: Vec<&str> = OFFICIAL_PARAM_KEYS.iter().chain(OWN_PARAM_KEYS).copied().collect();
    let mut declared_sorted = declared.clone();
    declared_sorted.sort_unstable();
    accepted.sort_unstable();
    assert_eq!(declared_sorted, accepted);
}
