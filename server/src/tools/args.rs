//! What agentbay-local checks in a tool call beyond its shape: the contract
//! (`crates/agentbay-wire/src/tool/args.rs`) reads the tool and its arguments, this refuses
//! values no tool can use (NUL bytes, empty paths, bad globs) before anything is spawned, so
//! they become `ToolError::InvalidArgs` envelopes. The in-sandbox helper parses the same JSON
//! again with the same code.

use super::error::ToolError;
use agentbay_wire::tool::{Patterns, ToolCall};

fn non_empty(tool: &str, field: &str, value: &str) -> Result<(), ToolError> {
    if value.is_empty() {
        return Err(ToolError::InvalidArgs(format!("{tool}: `{field}` must not be empty")));
    }
    if value.contains('\0') {
        return Err(ToolError::InvalidArgs(format!("{tool}: `{field}` must not contain NUL")));
    }
    Ok(())
}

/// Reads and checks one tool call.
pub fn parse(tool: &str, args: &serde_json::Value) -> Result<ToolCall, ToolError> {
    let call = ToolCall::parse(tool, args)?;
    check(&call)?;
    Ok(call)
}

fn check(call: &ToolCall) -> Result<(), ToolError> {
    let tool = call.name();
    match call {
        ToolCall::Shell(a) => {
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
        }
        ToolCall::ReadFile(a) => non_empty(tool, "path", &a.path)?,
        ToolCall::WriteFile(a) => non_empty(tool, "path", &a.path)?,
        ToolCall::ListDirectory(a)
        | ToolCall::CreateDirectory(a)
        | ToolCall::GetFileInfo(a)
        | ToolCall::DeleteFile(a) => non_empty(tool, "path", &a.path)?,
        ToolCall::MoveFile(a) => {
            non_empty(tool, "source", &a.source)?;
            non_empty(tool, "destination", &a.destination)?;
        }
        ToolCall::EditFile(a) => {
            non_empty(tool, "path", &a.path)?;
            if a.edits.is_empty() {
                return Err(ToolError::InvalidArgs("edit_file: `edits` must not be empty".into()));
            }
            if a.edits.iter().any(|e| e.old_text.is_empty()) {
                return Err(ToolError::InvalidArgs("edit_file: every edit needs a non-empty `oldText`".into()));
            }
        }
        ToolCall::ReadMultipleFiles(a) => {
            for p in &a.paths {
                non_empty(tool, "paths[]", p)?;
            }
        }
        ToolCall::SearchFiles(a) => {
            non_empty(tool, "path", &a.path)?;
            // An empty pattern is accepted, as the cloud does: it matches every name.
            if a.pattern.contains('\0') {
                return Err(ToolError::InvalidArgs(format!("{tool}: `pattern` must not contain NUL")));
            }
            for p in a.exclude_patterns.as_ref().map(Patterns::to_vec).unwrap_or_default() {
                if let Err(e) = glob::Pattern::new(&p) {
                    return Err(ToolError::InvalidArgs(format!("search_files: bad exclude pattern {p:?}: {e}")));
                }
            }
            if let Err(e) = glob::Pattern::new(&a.pattern) {
                return Err(ToolError::InvalidArgs(format!("search_files: bad pattern {:?}: {e}", a.pattern)));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rejects_unknown_tool_and_bad_types() {
        assert!(matches!(parse("nope", &json!({})), Err(ToolError::UnknownTool(_))));
        assert!(matches!(parse("shell", &json!({"command": 3})), Err(ToolError::InvalidArgs(_))));
        assert!(matches!(parse("shell", &json!({"command": "x", "bogus": 1})), Err(ToolError::InvalidArgs(_))));
        assert!(matches!(parse("shell", &json!({"command": "x", "timeout_ms": -5})), Err(ToolError::InvalidArgs(_))));
        assert!(matches!(parse("shell", &json!({"command": "x", "envs": {"A": 1}})), Err(ToolError::InvalidArgs(_))));
        assert!(matches!(parse("read_file", &json!("x")), Err(ToolError::InvalidArgs(_))));
        assert!(matches!(
            parse("write_file", &json!({"path": "/a", "content": "", "mode": "weird"})),
            Err(ToolError::InvalidArgs(_))
        ));
        assert!(matches!(parse("edit_file", &json!({"path": "/a", "edits": []})), Err(ToolError::InvalidArgs(_))));
    }
}
