//! `CallMcpTool`: every tool with its arguments ([`args`]), the result object, and the text
//! payloads the SDKs parse ([`text`]).

use crate::from_json::from_json;
use serde::{Deserialize, Serialize};

/// MCP server name every tool is listed under in `ToolList`.
pub const SERVER_NAME: &str = "agentbay-local";

mod args;
mod text;

pub use args::*;
pub use text::*;

/// Shell timeout the TS/Go SDKs default to and the cap all SDKs apply (ms).
pub const SHELL_DEFAULT_TIMEOUT_MS: u64 = 1000;
pub const SHELL_MAX_TIMEOUT_MS: u64 = 50_000;

/// `CallMcpTool` → `Data`: an MCP tool result object (never a JSON string).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ToolResult {
    pub content: Vec<ToolContent>,
    pub is_error: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ToolContent {
    #[serde(rename = "type")]
    pub kind: String,
    pub text: String,
}

// The SDK reads these with `FromJson` (see `from_json.rs`); the keys are the serde names above.
from_json! {
    ToolResult { content: "content", is_error: "isError" }
    ToolContent { kind: "type", text: "text" }
    ShellPayload {
        stdout: "stdout", stderr: "stderr", exit_code: "exit_code", error_code: "errorCode", trace_id: "traceId",
    }
}

impl ToolResult {
    pub fn text(text: impl Into<String>, is_error: bool) -> Self {
        ToolResult { content: vec![ToolContent { kind: "text".into(), text: text.into() }], is_error }
    }

    /// What the TS SDK reads on success (`content[0].text`) or joins on error (`"; "`).
    pub fn joined_text(&self) -> String {
        self.content.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join("; ")
    }
}

/// `shell` payload (the JSON text inside `content[0].text`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShellPayload {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i64,
    /// What some servers send instead of `exit_code` on an error result.
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
    #[serde(rename = "traceId", skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}

#[cfg(test)]
mod tests {
    // Under wasm32 these run in Node and Chromium (scripts/test.sh), as the SDK does.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn tool_result_is_an_object() {
        let v = serde_json::to_value(ToolResult::text("hi", false)).unwrap();
        assert_eq!(v, serde_json::json!({"content":[{"type":"text","text":"hi"}],"isError":false}));
    }
}
