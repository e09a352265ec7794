//! The `CallMcpTool` transport: one tool call of a session and what came back. The typed calls
//! of `command` and `fileSystem` ([`call_tool`]) and the generic `session.callMcpTool()`
//! ([`call_mcp_tool`]) share one exchange ([`exchange`]).

use super::api::{Api, ApiError};
use super::handle::SessionHandle;
use super::results::McpToolResult;
use super::runtime::Env;
use super::wire::request::{CallMcpToolRequest, JsonObject};
use super::wire::tool::{name, ToolCall, ToolResult, SHELL_DEFAULT_TIMEOUT_MS, SHELL_MAX_TIMEOUT_MS};
use serde_json::{Map, Value};

/// Extra time a tool call gets beyond its own `timeout_ms` (server-side process teardown).
const TOOL_TIMEOUT_MARGIN_MS: u64 = 5_000;

/// Outcome of one `CallMcpTool`.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutcome {
    pub request_id: String,
    pub is_error: bool,
    /// `content[0].text` on success, all texts joined with `"; "` on error.
    pub text: String,
}

/// One `CallMcpTool` exchange: the tool's result object, or `(request_id, message)` when none
/// came back. `budget_ms` is the least HTTP timeout the call gets (a long shell command must not
/// be cut off by a shorter client timeout while it still runs); the configured one when larger.
async fn exchange<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    tool: &str,
    args: Option<Map<String, Value>>,
    auto_gen_session: bool,
    budget_ms: u64,
) -> Result<(String, ToolResult), (String, String)> {
    if let Some(m) = s.deleted_error() {
        return Err((String::new(), m));
    }
    // As officially: the server that `mcpTools` lists the tool under, else "" (the API resolves it).
    let server = s.data.mcp_tools.iter().find(|t| t.name == tool).map(|t| t.server.clone()).unwrap_or_default();
    let req = CallMcpToolRequest {
        session_id: s.id().into(),
        name: tool.into(),
        args: args.map(JsonObject),
        server: Some(server),
        auto_gen_session: Some(auto_gen_session),
        ..Default::default()
    };
    let r = match api.call_within(&req, api.cfg.timeout_ms.max(budget_ms)).await {
        Ok(r) => r,
        Err(ApiError::BadData { request_id, detail, .. }) => {
            return Err((request_id, format!("Invalid response data format: {detail}")))
        }
        Err(e) => return Err((e.request_id(), e.to_string())),
    };
    if let Some(m) = r.body_error() {
        return Err((r.request_id, m));
    }
    match r.data {
        Some(tr) => Ok((r.request_id, tr)),
        None => Err((r.request_id, "Invalid response data format: missing Data".into())),
    }
}

/// The HTTP budget of a `shell` call with this `timeout_ms` (as every SDK clamps it).
fn shell_budget(timeout_ms: Option<u64>) -> u64 {
    timeout_ms.filter(|t| *t > 0).unwrap_or(SHELL_DEFAULT_TIMEOUT_MS).min(SHELL_MAX_TIMEOUT_MS) + TOOL_TIMEOUT_MARGIN_MS
}

/// Calls one typed tool; `Err((request_id, message))` when no tool result came back.
pub async fn call_tool<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    call: &ToolCall,
) -> Result<ToolOutcome, (String, String)> {
    let budget = match call {
        ToolCall::Shell(a) => shell_budget(a.timeout_ms),
        _ => 0,
    };
    // Sent with AutoGenSession=false, as officially.
    let (request_id, tr) = exchange(api, s, call.name(), Some(call.args()), false, budget).await?;
    let text =
        if tr.is_error { tr.joined_text() } else { tr.content.first().map(|c| c.text.clone()).unwrap_or_default() };
    Ok(ToolOutcome { request_id, is_error: tr.is_error, text })
}

/// `session.callMcpTool(toolName, args, autoGenSession = false)`: any tool, by name, with
/// `args` as given (`null` sends none; anything else must be a JSON object). As officially:
/// on success `data` is `content[0].text`, or the result object as JSON when that is empty; an
/// `isError` result is `success: false` with the texts joined by `"; "` (for `run_code`,
/// `data` keeps the text too); an API error is `success: false` with its message.
pub async fn call_mcp_tool<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    tool: &str,
    args: &Value,
    auto_gen_session: bool,
) -> McpToolResult {
    let args = match args {
        Value::Null => None,
        Value::Object(m) => Some(m.clone()),
        other => {
            let kind = match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                _ => "a boolean",
            };
            return McpToolResult::fail("", format!("args must be an object of the tool's arguments, not {kind}"));
        }
    };
    let budget = match (tool, &args) {
        (name::SHELL, Some(a)) => shell_budget(a.get("timeout_ms").and_then(Value::as_u64)),
        (name::SHELL, None) => shell_budget(None),
        _ => 0,
    };
    let (request_id, tr) = match exchange(api, s, tool, args, auto_gen_session, budget).await {
        Ok(r) => r,
        Err((request_id, m)) => return McpToolResult::fail(request_id, m),
    };
    let first = tr.content.first().map(|c| c.text.as_str()).unwrap_or_default();
    if tool == "run_code" {
        // Officially the raw text either way, so that the caller can parse it.
        let data = first.to_string();
        let error_message = if tr.is_error { data.clone() } else { String::new() };
        return McpToolResult { request_id, success: !tr.is_error, data, error_message };
    }
    if tr.is_error {
        let texts: Vec<&str> =
            tr.content.iter().map(|c| if c.text.is_empty() { "Unknown error" } else { c.text.as_str() }).collect();
        return McpToolResult::fail(request_id, texts.join("; "));
    }
    let data = if first.is_empty() { serde_json::to_string(&tr).unwrap_or_default() } else { first.to_string() };
    McpToolResult { request_id, success: true, data, error_message: String::new() }
}
