//! The `__sandbox-tool` subcommand: runs one filesystem tool inside the sandbox.
//! Protocol: one JSON request `{"tool": name, "args": {...}}` on stdin, one
//! `ToolResult` JSON on stdout, exit 0. Anything else (exit 2 + stderr) is a
//! protocol failure the server reports as an internal error.

use crate::tools::{fs, ToolCall};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::process::ExitCode;

pub const HELPER_SUBCOMMAND: &str = "__sandbox-tool";

#[derive(Serialize, Deserialize)]
pub struct HelperRequest {
    pub tool: String,
    pub args: serde_json::Value,
}

pub fn helper_main() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("agentbay-local {HELPER_SUBCOMMAND}: reading request: {e}");
        return ExitCode::from(2);
    }
    let request: HelperRequest = match serde_json::from_str(&input) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("agentbay-local {HELPER_SUBCOMMAND}: malformed request: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match ToolCall::parse(&request.tool, &request.args) {
        Ok(call) => fs::run(&call),
        Err(e) => {
            eprintln!("agentbay-local {HELPER_SUBCOMMAND}: {e}");
            return ExitCode::from(2);
        }
    };
    let Ok(json) = serde_json::to_vec(&result) else {
        eprintln!("agentbay-local {HELPER_SUBCOMMAND}: cannot encode result");
        return ExitCode::from(2);
    };
    let mut out = std::io::stdout().lock();
    if out.write_all(&json).and_then(|_| out.flush()).is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
