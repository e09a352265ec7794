//! The `CallMcpTool` transport: one tool call of a session and what came back.

use super::api::{Api, ApiError};
use super::handle::SessionHandle;
use super::runtime::Env;
use super::wire::request::{CallMcpToolRequest, JsonObject};
use super::wire::tool::ToolCall;

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

/// Calls one tool; `Err((request_id, message))` when no tool result came back.
pub async fn call_tool<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    call: &ToolCall,
) -> Result<ToolOutcome, (String, String)> {
    if let Some(m) = s.deleted_error() {
        return Err((String::new(), m));
    }
    let req = CallMcpToolRequest {
        session_id: s.id().into(),
        name: call.name().into(),
        args: Some(JsonObject(call.args())),
        // Sent empty and false, as officially.
        server: Some(String::new()),
        auto_gen_session: Some(false),
        ..Default::default()
    };
    // A shell call may legitimately run for its own timeout; give the HTTP exchange that
    // long plus a margin, never less than the configured timeout.
    let budget = match call {
        ToolCall::Shell(a) => a.effective_timeout_ms() + TOOL_TIMEOUT_MARGIN_MS,
        _ => 0,
    };
    let r = match api.call_within(&req, api.cfg.timeout_ms.max(budget)).await {
        Ok(r) => r,
        Err(ApiError::BadData { request_id, detail, .. }) => {
            return Err((request_id, format!("Invalid response data format: {detail}")))
        }
        Err(e) => return Err((e.request_id(), e.to_string())),
    };
    if let Some(m) = r.body_error() {
        return Err((r.request_id, m));
    }
    let Some(tr) = r.data else {
        return Err((r.request_id, "Invalid response data format: missing Data".into()));
    };
    let text =
        if tr.is_error { tr.joined_text() } else { tr.content.first().map(|c| c.text.clone()).unwrap_or_default() };
    Ok(ToolOutcome { request_id: r.request_id, is_error: tr.is_error, text })
}
