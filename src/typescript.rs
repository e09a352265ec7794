//! The TypeScript declarations of the npm package's data types, generated from the Rust types
//! (feature `ts`, native only). [`declarations`] is the text of src/js/generated.d.ts, which the
//! wasm build includes as a `typescript_custom_section` (src/js/types.rs); tests/typescript.rs
//! fails when the checked-in file differs from it and rewrites it with `UPDATE_TS=1`.
//!
//! The declarations come from:
//! * the results (src/core/results.rs) and the tasks and file infos inside them (agentbay-wire);
//! * the policies (crates/agentbay-wire/src/policy.rs): their canonical data form, plus
//!   `PolicyInput<T>`, the form input positions accept;
//! * the enums, from `WireEnum::TS` and `WireEnum::VARIANT_LINE` (crates/agentbay-wire/src/wire_enum.rs);
//! * the parameter and option types the API accepts;
//! * the declaration-only types below, for what the JS layer adds to a Rust value (bytes as a
//!   `Uint8Array`) or reads from a JS value without a Rust type of its own.
//!
//! The classes and their methods are declared by wasm-bindgen itself.

use crate::core::config::AgentBayOptions;
use crate::core::context::ContextListParams;
use crate::core::mount::BetaContextMountOptions;
use crate::core::params::CreateSessionParams;
use crate::core::poll::WaitOptions;
use crate::core::progress::TransferProgress;
use crate::core::results::*;
use crate::core::sync_config::ContextSyncOptions;
use crate::core::wire::context_status::TaskStatus;
use crate::core::wire::envelope::McpTool;
use crate::core::wire::persistence::{AccessMode, StorageMode};
use crate::core::wire::policy::{
    self, BwList, DeletePolicy, DownloadPolicy, DownloadStrategy, ExtractPolicy, Lifecycle, MappingPolicy,
    RecyclePolicy, UploadMode, UploadPolicy, UploadStrategy, WhiteList,
};
use crate::core::wire::tool::{Edit, FileInfo, WriteMode};
use crate::core::wire::wire_enum::WireEnum;
use ts_rs::{Config, TS};

/// `context.downloadFile`: a context file's bytes.
#[derive(TS)]
#[ts(rename = "DownloadResult", optional_fields)]
pub struct DownloadResult {
    #[ts(flatten)]
    pub result: BinaryResult,
    /// The file's bytes (set when `success`).
    #[ts(type = "Uint8Array", optional)]
    pub content: Option<()>,
}

/// `fileSystem.downloadFile()` (the official file-transfer `DownloadResult`): `content` holds the
/// bytes when no local path was given.
#[derive(TS)]
#[ts(rename = "FileTransferDownloadResult", optional_fields)]
pub struct FileTransferDownloadResultDecl {
    #[ts(flatten)]
    pub result: FileTransferDownloadResult,
    /// The file's bytes (set when `success` and no `localPath` was given).
    #[ts(type = "Uint8Array", optional)]
    pub content: Option<()>,
}

/// `fileSystem.readFile(path, { format: "bytes" })`: a session file's bytes.
#[derive(TS)]
#[ts(rename = "BinaryFileContentResult")]
pub struct BinaryFileContentResult {
    #[ts(flatten)]
    pub result: BinaryResult,
    /// The file's bytes (empty on failure).
    #[ts(type = "Uint8Array")]
    pub content: (),
}

/// `new AgentBay(options)`: every field may be left out; the API key then comes from
/// `AGENTBAY_API_KEY`, the rest from the other `AGENTBAY_*` variables or the defaults.
#[derive(TS)]
#[ts(rename = "AgentBayOptions", optional_fields)]
pub struct AgentBayOptionsDecl {
    #[ts(flatten)]
    pub options: AgentBayOptions,
    /// Alias of `regionId`.
    pub region_id: Option<String>,
    /// Called before each API request with its action (e.g. `"CreateMcpSession"`); a string it
    /// returns (or resolves to) is sent as `Authorization: Bearer <value>` instead of the API key,
    /// `undefined` keeps the key (or sends none). With it, `apiKey` may be left out: a browser
    /// app fetches short-lived credentials from its own server. A throw or rejection fails that
    /// request (`success: false`).
    #[ts(optional, type = "(action: string) => Promise<string | undefined> | string | undefined")]
    pub authorize: Option<()>,
}

/// One generated declaration: JSDoc, then `export type …;`.
fn decl<T: TS>(cfg: &Config) -> String {
    let mut out = T::docs().unwrap_or_default();
    out.push_str("export ");
    out.push_str(&pretty(&T::decl(cfg)));
    out.push('\n');
    out
}

/// Puts each member of the declaration's outermost object type on its own line (ts-rs writes a
/// declaration on one line), leaving nested object types inline.
fn pretty(decl: &str) -> String {
    let Some(open) = decl.find("= {") else { return decl.to_string() };
    let body_start = open + 3;
    let mut depth = 0i32;
    let mut members = Vec::new();
    let mut current = String::new();
    let mut end = None;
    let chars: Vec<char> = decl[body_start..].chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // A JSDoc comment is copied whole (it may contain `,` or braces).
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            let rest: String = chars[i..].iter().collect();
            let len = rest.find("*/").map(|e| e + 2).unwrap_or(rest.len());
            current.push_str(&rest[..len]);
            current.push(' ');
            i += rest[..len].chars().count();
            continue;
        }
        match c {
            '{' | '(' | '[' | '<' => depth += 1,
            '}' | ')' | ']' | '>' if depth > 0 => depth -= 1,
            '}' => {
                end = Some(i);
                break;
            }
            ',' if depth == 0 => {
                members.push(std::mem::take(&mut current));
                i += 1;
                continue;
            }
            _ => {}
        }
        current.push(c);
        i += 1;
    }
    let Some(end) = end else { return decl.to_string() };
    if !current.trim().is_empty() {
        members.push(current);
    }
    let tail: String = chars[end + 1..].iter().collect();
    let mut out = decl[..body_start].to_string();
    out.push('\n');
    for m in members.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
        // A member's JSDoc goes above it, indented like it.
        match m.rfind("*/") {
            Some(e) if m.starts_with("/**") => {
                let lines: Vec<&str> = m[3..e]
                    .lines()
                    .map(|l| l.trim().trim_start_matches('*').trim_end())
                    .map(|l| l.strip_prefix(' ').unwrap_or(l))
                    .filter(|l| !l.is_empty())
                    .collect();
                match lines.as_slice() {
                    [one] => out.push_str(&format!("  /** {one} */\n")),
                    many => {
                        out.push_str("  /**\n");
                        for l in many {
                            out.push_str(&format!("   * {l}\n"));
                        }
                        out.push_str("   */\n");
                    }
                }
                out.push_str(&format!("  {};\n", m[e + 2..].trim()));
            }
            _ => out.push_str(&format!("  {m};\n")),
        }
    }
    out.push('}');
    out.push_str(tail.trim_end());
    out
}

/// The declarations of the policy enums, and how input positions spell them.
fn enums() -> String {
    struct Enum {
        name: &'static str,
        ts: &'static str,
        has_aliases: bool,
    }
    fn of<E: WireEnum>() -> Enum {
        Enum { name: E::NAME, ts: E::TS, has_aliases: E::ALL.iter().any(|v| !v.aliases().is_empty()) }
    }
    // The enums `__agentbayEnums()` returns (src/js/policy.rs); js-tests/types.test.mjs checks
    // that both lists name the same enums.
    let all = [of::<UploadStrategy>(), of::<DownloadStrategy>(), of::<UploadMode>(), of::<Lifecycle>()];
    let mut out = String::new();
    for e in &all {
        out.push_str(&format!(
            "/** A `{n}` value, as results and data give it; the `{n}` object lists every value. */\n{ts}\
             /** `{n}.X === \"X\"` for every value: the loaders export this object. */\n\
             export declare const {n}: {{ readonly [K in {n}]: K }};\n\n",
            n = e.name,
            ts = e.ts,
        ));
    }
    // The live-mount enums, under their official names and keyed like the official TypeScript
    // enums (`ReadWrite = "readWrite"`), as `__agentbayEnums()` gives them (`VARIANT_LINE`).
    for (name, line, doc) in [
        (
            "BetaContextMountAccessMode",
            AccessMode::VARIANT_LINE,
            "[Beta] `BetaContextMount.accessMode`: `readWrite` (default) or `readOnly` (every write in the session fails).",
        ),
        (
            "BetaContextMountStrategy",
            StorageMode::VARIANT_LINE,
            "[Beta] `BetaContextMount.strategy`: the cloud's FUSE flavour, `standard` (default, POSIX-compatible) or `performance` (high throughput); agentbay-local treats both alike.",
        ),
    ] {
        let pairs: Vec<(&str, &str)> = line.split(' ').skip(1).filter_map(|p| p.split_once('=')).collect();
        let union: Vec<String> = pairs.iter().map(|(_, v)| format!(" | \"{v}\"")).collect();
        let members: Vec<String> = pairs.iter().map(|(k, v)| format!(" readonly {k}: \"{v}\";")).collect();
        out.push_str(&format!(
            "/** {doc} */\nexport type {name} ={};\n\
             /** `{name}.{k} === \"{v}\"`: the loaders export this object (the official enum). */\n\
             export declare const {name}: {{{} }};\n\n",
            union.concat(),
            members.concat(),
            k = pairs[0].0,
            v = pairs[0].1,
        ));
    }
    out.push_str("/** The spellings an input position accepts for a value of enum type `V` (its `…Input` type). */\nexport type EnumInput<V> =");
    for e in all.iter().filter(|e| e.has_aliases) {
        out.push_str(&format!("\n  V extends {n} ? {n}Input :", n = e.name));
    }
    out.push_str("\n  V;\n\n");
    out.push_str(
        "/**\n * A policy (or part of one) where one is given: every field may be left out (it takes its\n * \
         default), nested parts too, and enum fields accept their `…Input` spellings.\n */\n\
         export type PolicyInput<T> =\n  T extends readonly (infer E)[] ? PolicyInput<E>[] :\n  \
         T extends object ? { [K in keyof T]?: PolicyInput<T[K]> } :\n  EnumInput<T>;\n\n",
    );
    out
}

/// The text of src/js/generated.d.ts.
pub fn declarations() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from the Rust types by src/typescript.rs; do not edit. Regenerate with\n\
         // `UPDATE_TS=1 cargo test -p agentbay-wasm --features ts --test typescript`.\n\n",
    );
    out.push_str(&enums());
    let sections: [(&str, Vec<String>); 4] = [
        (
            "Policies: the canonical data form (what `toJSON()` and the `new…Policy()` factories give).",
            vec![
                decl::<UploadPolicy>(&cfg),
                decl::<DownloadPolicy>(&cfg),
                decl::<DeletePolicy>(&cfg),
                decl::<ExtractPolicy>(&cfg),
                decl::<RecyclePolicy>(&cfg),
                decl::<WhiteList>(&cfg),
                decl::<BwList>(&cfg),
                decl::<MappingPolicy>(&cfg),
                decl::<policy::SyncPolicy>(&cfg),
            ],
        ),
        (
            "Parameters and options.",
            vec![
                decl::<AgentBayOptionsDecl>(&cfg),
                decl::<crate::core::config::OfficialConfig>(&cfg),
                decl::<CreateSessionParams>(&cfg),
                decl::<ContextSyncOptions>(&cfg),
                decl::<BetaContextMountOptions>(&cfg),
                decl::<WaitOptions>(&cfg),
                decl::<ContextListParams>(&cfg),
                decl::<Edit>(&cfg),
                decl::<WriteMode>(&cfg),
            ],
        ),
        (
            "What results carry.",
            vec![
                decl::<TaskStatus>(&cfg),
                decl::<Context>(&cfg),
                decl::<ContextFileEntry>(&cfg),
                decl::<SessionListItem>(&cfg),
                decl::<SessionInfo>(&cfg),
                decl::<FileInfo>(&cfg),
                decl::<DirectoryEntry>(&cfg),
                decl::<ContextBinding>(&cfg),
                decl::<McpTool>(&cfg),
                decl::<TransferProgress>(&cfg),
            ],
        ),
        (
            "Results: every call resolves to one (failures are `success: false`, not exceptions).",
            vec![
                decl::<ApiResult>(&cfg),
                decl::<SessionResult>(&cfg),
                decl::<DeleteResult>(&cfg),
                decl::<SessionListResult>(&cfg),
                decl::<SessionInfoResult>(&cfg),
                decl::<SessionStatusResult>(&cfg),
                decl::<SessionPauseResult>(&cfg),
                decl::<LabelResult>(&cfg),
                decl::<OperationResult>(&cfg),
                decl::<BoolResult>(&cfg),
                decl::<CommandResult>(&cfg),
                decl::<ContextResult>(&cfg),
                decl::<ContextListResult>(&cfg),
                decl::<FileUrlResult>(&cfg),
                decl::<ContextFileListResult>(&cfg),
                decl::<ClearContextResult>(&cfg),
                decl::<UploadResult>(&cfg),
                decl::<DownloadResult>(&cfg),
                decl::<ContextInfoResult>(&cfg),
                decl::<ContextSyncResult>(&cfg),
                decl::<ContextBindResult>(&cfg),
                decl::<ContextBindingsResult>(&cfg),
                decl::<FileTransferUploadResult>(&cfg),
                decl::<FileTransferDownloadResultDecl>(&cfg),
                decl::<FileContentResult>(&cfg),
                decl::<BinaryFileContentResult>(&cfg),
                decl::<FileInfoResult>(&cfg),
                decl::<DirectoryListResult>(&cfg),
                decl::<FileSearchResult>(&cfg),
                decl::<MultipleFileContentResult>(&cfg),
                decl::<McpToolResult>(&cfg),
                decl::<McpToolsResult>(&cfg),
            ],
        ),
    ];
    for (title, decls) in sections {
        out.push_str(&format!("// ---- {title}\n\n"));
        for d in decls {
            out.push_str(&d);
            out.push('\n');
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
