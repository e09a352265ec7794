//! Typed, strictly validated arguments of every tool. The server parses here before it
//! spawns anything, so malformed calls become `ToolError::InvalidArgs` envelopes; the
//! in-sandbox helper parses the same JSON again with the same code.

use crate::sandbox::ToolError;
use agentbay_wire::tool::{name, SHELL_DEFAULT_TIMEOUT_MS, SHELL_MAX_TIMEOUT_MS, WRITE_MODES};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShellArgs {
    pub command: String,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    #[serde(default)]
    pub cwd: Option<String>,
    #[serde(default)]
    pub envs: Option<BTreeMap<String, String>>,
}

impl ShellArgs {
    /// Absent → 1000 ms (TS/Go default); above the cap → the cap, as every SDK clamps.
    pub fn effective_timeout_ms(&self) -> u64 {
        self.timeout_ms.unwrap_or(SHELL_DEFAULT_TIMEOUT_MS).min(SHELL_MAX_TIMEOUT_MS)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathArgs {
    pub path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadFileArgs {
    pub path: String,
    #[serde(default)]
    pub offset: Option<u64>,
    #[serde(default)]
    pub length: Option<u64>,
    #[serde(default)]
    pub format: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteFileArgs {
    pub path: String,
    pub content: String,
    #[serde(default)]
    pub mode: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveFileArgs {
    pub source: String,
    pub destination: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditArgs {
    #[serde(rename = "oldText")]
    pub old_text: String,
    #[serde(rename = "newText")]
    pub new_text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditFileArgs {
    pub path: String,
    pub edits: Vec<EditArgs>,
    #[serde(default, rename = "dryRun")]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadMultipleFilesArgs {
    pub paths: Vec<String>,
}

/// TS sends `excludePatterns` as an array, Python as a comma-joined string, Go as
/// `exclude_patterns` (reference §7.1); all three land here.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Patterns {
    List(Vec<String>),
    Joined(String),
}

impl Patterns {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Patterns::List(v) => v.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            Patterns::Joined(s) => s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchFilesArgs {
    pub path: String,
    pub pattern: String,
    #[serde(default, rename = "excludePatterns", alias = "exclude_patterns")]
    pub exclude_patterns: Option<Patterns>,
}

/// One validated tool call.
#[derive(Debug, Clone)]
pub enum ToolCall {
    Shell(ShellArgs),
    ReadFile(ReadFileArgs),
    WriteFile(WriteFileArgs),
    ListDirectory(PathArgs),
    CreateDirectory(PathArgs),
    GetFileInfo(PathArgs),
    MoveFile(MoveFileArgs),
    DeleteFile(PathArgs),
    EditFile(EditFileArgs),
    ReadMultipleFiles(ReadMultipleFilesArgs),
    SearchFiles(SearchFilesArgs),
}

fn parse<T: DeserializeOwned>(tool: &str, args: &serde_json::Value) -> Result<T, ToolError> {
    if !args.is_object() {
        return Err(ToolError::InvalidArgs(format!("{tool}: arguments must be a JSON object")));
    }
    T::deserialize(args).map_err(|e| ToolError::InvalidArgs(format!("{tool}: {e}")))
}

fn non_empty(tool: &str, field: &str, value: &str) -> Result<(), ToolError> {
    if value.is_empty() {
        return Err(ToolError::InvalidArgs(format!("{tool}: `{field}` must not be empty")));
    }
    if value.contains('\0') {
        return Err(ToolError::InvalidArgs(format!("{tool}: `{field}` must not contain NUL")));
    }
    Ok(())
}

impl ToolCall {
    pub fn parse(tool: &str, args: &serde_json::Value) -> Result<ToolCall, ToolError> {
        let call = match tool {
            name::SHELL => {
                let a: ShellArgs = parse(tool, args)?;
                if a.command.contains('\0') {
                    return Err(ToolError::InvalidArgs("shell: `command` must not contain NUL".into()));
                }
                if a.timeout_ms == Some(0) {
                    return Err(ToolError::InvalidArgs("shell: `timeout_ms` must be at least 1".into()));
                }
                if let Some(cwd) = &a.cwd {
                    non_empty(tool, "cwd", cwd)?;
                }
                for (k, v) in a.envs.iter().flatten() {
                    if k.is_empty() || k.contains('=') || k.contains('\0') || v.contains('\0') {
                        return Err(ToolError::InvalidArgs(format!(
                            "shell: invalid environment variable {k:?} (names must be non-empty without '=' or NUL)"
                        )));
                    }
                }
                ToolCall::Shell(a)
            }
            name::READ_FILE => {
                let a: ReadFileArgs = parse(tool, args)?;
                non_empty(tool, "path", &a.path)?;
                match a.format.as_deref() {
                    None | Some("text") | Some("binary") => {}
                    Some(other) => {
                        return Err(ToolError::InvalidArgs(format!(
                            "read_file: unsupported format {other:?} (expected \"text\" or \"binary\")"
                        )))
                    }
                }
                ToolCall::ReadFile(a)
            }
            name::WRITE_FILE => {
                let a: WriteFileArgs = parse(tool, args)?;
                non_empty(tool, "path", &a.path)?;
                if let Some(m) = &a.mode {
                    if !WRITE_MODES.contains(&m.as_str()) {
                        return Err(ToolError::InvalidArgs(format!(
                            "write_file: unsupported mode {m:?} (expected one of {})",
                            WRITE_MODES.join(", ")
                        )));
                    }
                }
                ToolCall::WriteFile(a)
            }
            name::LIST_DIRECTORY | name::CREATE_DIRECTORY | name::GET_FILE_INFO | name::DELETE_FILE => {
                let a: PathArgs = parse(tool, args)?;
                non_empty(tool, "path", &a.path)?;
                match tool {
                    name::LIST_DIRECTORY => ToolCall::ListDirectory(a),
                    name::CREATE_DIRECTORY => ToolCall::CreateDirectory(a),
                    name::GET_FILE_INFO => ToolCall::GetFileInfo(a),
                    _ => ToolCall::DeleteFile(a),
                }
            }
            name::MOVE_FILE => {
                let a: MoveFileArgs = parse(tool, args)?;
                non_empty(tool, "source", &a.source)?;
                non_empty(tool, "destination", &a.destination)?;
                ToolCall::MoveFile(a)
            }
            name::EDIT_FILE => {
                let a: EditFileArgs = parse(tool, args)?;
                non_empty(tool, "path", &a.path)?;
                if a.edits.is_empty() {
                    return Err(ToolError::InvalidArgs("edit_file: `edits` must not be empty".into()));
                }
                if a.edits.iter().any(|e| e.old_text.is_empty()) {
                    return Err(ToolError::InvalidArgs("edit_file: every edit needs a non-empty `oldText`".into()));
                }
                ToolCall::EditFile(a)
            }
            name::READ_MULTIPLE_FILES => {
                let a: ReadMultipleFilesArgs = parse(tool, args)?;
                for p in &a.paths {
                    non_empty(tool, "paths[]", p)?;
                }
                ToolCall::ReadMultipleFiles(a)
            }
            name::SEARCH_FILES => {
                let a: SearchFilesArgs = parse(tool, args)?;
                non_empty(tool, "path", &a.path)?;
                non_empty(tool, "pattern", &a.pattern)?;
                for p in a.exclude_patterns.as_ref().map(Patterns::to_vec).unwrap_or_default() {
                    if let Err(e) = glob::Pattern::new(&p) {
                        return Err(ToolError::InvalidArgs(format!("search_files: bad exclude pattern {p:?}: {e}")));
                    }
                }
                if let Err(e) = glob::Pattern::new(&a.pattern) {
                    return Err(ToolError::InvalidArgs(format!("search_files: bad pattern {:?}: {e}", a.pattern)));
                }
                ToolCall::SearchFiles(a)
            }
            other => return Err(ToolError::UnknownTool(other.to_string())),
        };
        Ok(call)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rejects_unknown_tool_and_bad_types() {
        assert!(matches!(ToolCall::parse("nope", &json!({})), Err(ToolError::UnknownTool(_))));
        assert!(matches!(ToolCall::parse("shell", &json!({"command": 3})), Err(ToolError::InvalidArgs(_))));
        assert!(matches!(
            ToolCall::parse("shell", &json!({"command": "x", "bogus": 1})),
            Err(ToolError::InvalidArgs(_))
        ));
        assert!(matches!(
            ToolCall::parse("shell", &json!({"command": "x", "timeout_ms": -5})),
            Err(ToolError::InvalidArgs(_))
        ));
        assert!(matches!(
            ToolCall::parse("shell", &json!({"command": "x", "envs": {"A": 1}})),
            Err(ToolError::InvalidArgs(_))
        ));
        assert!(matches!(ToolCall::parse("read_file", &json!("x")), Err(ToolError::InvalidArgs(_))));
        assert!(matches!(
            ToolCall::parse("write_file", &json!({"path": "/a", "content": "", "mode": "weird"})),
            Err(ToolError::InvalidArgs(_))
        ));
        assert!(matches!(
            ToolCall::parse("edit_file", &json!({"path": "/a", "edits": []})),
            Err(ToolError::InvalidArgs(_))
        ));
    }

    #[test]
    fn timeout_default_and_cap() {
        let ToolCall::Shell(a) = ToolCall::parse("shell", &json!({"command": "x"})).unwrap() else { panic!() };
        assert_eq!(a.effective_timeout_ms(), 1000);
        let ToolCall::Shell(a) = ToolCall::parse("shell", &json!({"command": "x", "timeout_ms": 999999})).unwrap()
        else {
            panic!()
        };
        assert_eq!(a.effective_timeout_ms(), 50_000);
    }

    #[test]
    fn exclude_patterns_all_encodings() {
        for args in [
            json!({"path": "/", "pattern": "*.txt", "excludePatterns": ["a", "b"]}),
            json!({"path": "/", "pattern": "*.txt", "excludePatterns": "a, b"}),
            json!({"path": "/", "pattern": "*.txt", "exclude_patterns": ["a", "b"]}),
        ] {
            let ToolCall::SearchFiles(a) = ToolCall::parse("search_files", &args).unwrap() else { panic!() };
            assert_eq!(a.exclude_patterns.unwrap().to_vec(), vec!["a", "b"]);
        }
    }
}
