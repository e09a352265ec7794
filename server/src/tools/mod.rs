//! CallMcpTool tools: argument validation (`args`, refusing with `error::ToolError`), the
//! filesystem tools that run inside the sandbox helper (`fs`) and their text renderings
//! (`text`). The shell tool is driven from `sandbox::shell` because it runs the user's
//! command directly. The sandbox depends on this module, never the reverse.

pub mod args;
mod error;
pub mod fs;
pub mod text;

pub use agentbay_wire::tool::ToolCall;
pub use args::parse;
pub use error::ToolError;
