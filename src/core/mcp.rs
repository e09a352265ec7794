//! The MCP tools of a session: the `ToolList` JSON string of CreateMcpSession / GetSession
//! (`session.mcpTools`) and `ListMcpTools` (`session.listMcpTools()`). Tool calls are in
//! `tool_call.rs`.

use super::api::{Api, Check};
use super::handle::SessionHandle;
use super::results::McpToolsResult;
use super::runtime::Env;
use super::wire::envelope::McpTool;
use super::wire::request::ListMcpToolsRequest;
use super::wire::DEFAULT_IMAGE_ID;
use serde_json::{Map, Value};

/// The tools of a `ToolList` JSON string, read as leniently as the official SDK does (its
/// `parseToolListToMcpTools`): the alternative spellings `Name`, `serverName`/`Server`,
/// `Description`, `input_schema` and `Tool` are accepted, entries that are not objects are
/// skipped, and an absent or empty list is `[]`. `Err` when the text is not a JSON array.
pub fn parse_tool_list(text: &str) -> Result<Vec<McpTool>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let v: Value = serde_json::from_str(text).map_err(|e| format!("ToolList is not JSON: {e}"))?;
    let Value::Array(items) = v else {
        return Err("ToolList is not a JSON array".into());
    };
    Ok(items.iter().filter_map(Value::as_object).map(tool_of).collect())
}

/// One entry: the first non-empty value among each field's spellings (JS `a || b || ""`).
fn tool_of(item: &Map<String, Value>) -> McpTool {
    let first = |keys: &[&str]| keys.iter().filter_map(|k| item.get(*k)).find(|v| truthy(v)).cloned();
    let text = |keys: &[&str]| first(keys).and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
    McpTool {
        name: text(&["name", "Name"]),
        description: text(&["description", "Description"]),
        input_schema: first(&["inputSchema", "input_schema"]).unwrap_or_else(|| Value::Object(Map::new())),
        server: text(&["server", "serverName", "Server"]),
        tool: text(&["tool", "Tool"]),
    }
}

/// JavaScript truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// The tools of a create/get reply's `ToolList`: `[]` when it is malformed (as officially; the
/// session is usable all the same, and `callMcpTool` then lets the server resolve each tool).
pub fn tools_of_reply(tool_list: &str) -> Vec<McpTool> {
    parse_tool_list(tool_list).unwrap_or_default()
}

/// `session.listMcpTools(imageId?)`: ListMcpTools for `image_id`, else the session's image,
/// else `linux_latest`, as officially. Like the official SDK it does not change
/// `session.mcpTools`. Unlike it, a `Data` that is not a JSON array of tools is `success:
/// false` (the official SDK logs it and reports success with no tools), and network errors
/// resolve `success: false` rather than rejecting.
pub async fn list_mcp_tools<E: Env>(api: &Api<E>, s: &SessionHandle, image_id: Option<&str>) -> McpToolsResult {
    let image = image_id
        .filter(|i| !i.is_empty())
        .or(Some(s.data.image_id.as_str()).filter(|i| !i.is_empty()))
        .unwrap_or(DEFAULT_IMAGE_ID);
    let what = "Failed to list MCP tools";
    let req = ListMcpToolsRequest { image_id: Some(image.into()) };
    let reply = match api.exchange(&req, what, Check::Body).await {
        Ok(r) => r,
        Err(f) => return f,
    };
    match parse_tool_list(reply.data.as_deref().unwrap_or_default()) {
        Ok(tools) => McpToolsResult { request_id: reply.request_id, success: true, tools, error_message: None },
        Err(m) => McpToolsResult::fail(reply.request_id, format!("{what}: invalid response: {m}")),
    }
}
