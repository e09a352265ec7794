//! CallMcpTool tools: argument validation (`args`), the filesystem tools that run
//! inside the sandbox helper (`fs`) and their text renderings (`text`). The shell
//! tool is driven from `sandbox::shell` because it runs the user's command directly.

pub mod args;
pub mod fs;
pub mod text;

pub use agentbay_wire::tool::ToolCall;
pub use args::parse;
