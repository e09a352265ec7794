//! `session.command`: the `shell` tool and the official result parsing.

use super::api::Api;
use super::handle::SessionHandle;
use super::results::CommandResult;
use super::runtime::Env;
use super::tool_call::call_tool;
use super::wire::tool::{ShellArgs, ShellPayload, ToolCall};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// JS `typeof` name of a JSON value, for the official envs message.
fn js_type(v: &Value) -> &'static str {
    match v {
        Value::Null | Value::Array(_) | Value::Object(_) => "object",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
    }
}

/// Validates `envs` (the one case where the official `executeCommand` rejects).
pub fn validate_envs(envs: &Value) -> Result<Option<Map<String, Value>>, String> {
    let obj = match envs {
        Value::Null => return Ok(None),
        Value::Object(o) => o,
        other => {
            return Err(format!(
                "Invalid environment variables: envs must be an object of strings, got {}",
                js_type(other)
            ))
        }
    };
    let bad: Vec<String> = obj
        .iter()
        .filter(|(_, v)| !v.is_string())
        .map(|(k, v)| format!("value for key '{k}' (type: {})", js_type(v)))
        .collect();
    if !bad.is_empty() {
        return Err(format!(
            "Invalid environment variables: all keys and values must be strings. Found invalid entries: {}",
            bad.join(", ")
        ));
    }
    Ok(Some(obj.clone()))
}

/// The validated `envs` (string values only) as the contract's map; inserted one by one, as
/// collecting would compile a sort for this one use.
fn string_map(envs: Map<String, Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, v) in envs {
        if let Value::String(v) = v {
            out.insert(k, v);
        }
    }
    out
}

pub async fn execute<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    command: &str,
    timeout_ms: Option<u64>,
    cwd: Option<&str>,
    envs: Option<Map<String, Value>>,
) -> CommandResult {
    let mut args = ShellArgs {
        command: command.into(),
        timeout_ms,
        cwd: cwd.filter(|c| !c.is_empty()).map(String::from),
        envs: envs.map(string_map),
    };
    // Always sent, as officially: the server then need not know the SDK's default.
    args.timeout_ms = Some(args.effective_timeout_ms());
    match call_tool(api, s, &ToolCall::Shell(args)).await {
        Err((rid, m)) => CommandResult::fail(rid, if m.is_empty() { "Failed to execute command".into() } else { m }),
        Ok(out) => parse_shell(out.request_id, out.is_error, &out.text),
    }
}

/// The official parsing: JSON payload → `success = exit_code == 0`; raw text → old format.
pub fn parse_shell(request_id: String, is_error: bool, text: &str) -> CommandResult {
    let payload = super::wire::from_json::read::<ShellPayload>(text).ok();
    match (is_error, payload) {
        (false, Some(p)) => {
            let code = p.exit_code;
            CommandResult {
                request_id,
                success: code == 0,
                output: format!("{}{}", p.stdout, p.stderr),
                exit_code: Some(code),
                error_message: (code != 0).then(|| {
                    if p.stderr.is_empty() {
                        format!("Command exited with code {code}")
                    } else {
                        p.stderr.clone()
                    }
                }),
                stdout: Some(p.stdout),
                stderr: Some(p.stderr),
                trace_id: p.trace_id.filter(|t| !t.is_empty()),
            }
        }
        (false, None) => CommandResult { request_id, success: true, output: text.to_string(), ..Default::default() },
        (true, Some(p)) => {
            let code = if p.exit_code != 0 { p.exit_code } else { p.error_code.unwrap_or(0) };
            CommandResult {
                request_id,
                success: false,
                output: format!("{}{}", p.stdout, p.stderr),
                exit_code: Some(code),
                error_message: Some(if p.stderr.is_empty() { text.to_string() } else { p.stderr.clone() }),
                stdout: Some(p.stdout),
                stderr: Some(p.stderr),
                trace_id: p.trace_id.filter(|t| !t.is_empty()),
            }
        }
        (true, None) => {
            CommandResult::fail(request_id, if text.is_empty() { "Failed to execute command" } else { text })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // Under wasm32 these run in Node and Chromium (scripts/test.sh).
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn shell_payload_parsing() {
        let r = parse_shell("r".into(), false, r#"{"stdout":"hi\n","stderr":"","exit_code":0}"#);
        assert!(r.success);
        assert_eq!((r.output.as_str(), r.exit_code, r.error_message.as_deref()), ("hi\n", Some(0), None));
        let r = parse_shell("r".into(), false, r#"{"stdout":"","stderr":"boom","exit_code":2,"traceId":"t"}"#);
        assert!(!r.success);
        assert_eq!(
            (r.exit_code, r.error_message.as_deref(), r.trace_id.as_deref()),
            (Some(2), Some("boom"), Some("t"))
        );
        let r = parse_shell("r".into(), false, "plain");
        assert!(r.success && r.output == "plain" && r.exit_code.is_none());
        let r = parse_shell("r".into(), true, "timed out");
        assert_eq!((r.success, r.error_message.as_deref()), (false, Some("timed out")));
        let r = parse_shell("r".into(), true, r#"{"stdout":"","stderr":"","errorCode":124}"#);
        assert_eq!(r.exit_code, Some(124));
    }

    #[test]
    fn envs_validation_message() {
        let e = validate_envs(&json!({"A": 1, "B": "x"})).unwrap_err();
        assert_eq!(e, "Invalid environment variables: all keys and values must be strings. Found invalid entries: value for key 'A' (type: number)");
        assert!(validate_envs(&Value::Null).unwrap().is_none());
    }
}
