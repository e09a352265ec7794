//! Why a tool call is refused before anything runs.

use agentbay_wire::tool::ToolArgsError;

/// Caller mistakes in a CallMcpTool request; the server turns these into error envelopes.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ToolError {
    #[error("unknown tool: {0}")]
    UnknownTool(String),
    #[error("invalid arguments: {0}")]
    InvalidArgs(String),
}

impl From<ToolArgsError> for ToolError {
    fn from(e: ToolArgsError) -> Self {
        match e {
            ToolArgsError::UnknownTool(t) => ToolError::UnknownTool(t),
            other => ToolError::InvalidArgs(other.to_string()),
        }
    }
}
