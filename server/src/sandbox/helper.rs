//! The `__sandbox-tool` subcommand: runs one tool call inside the sandbox, as the sandbox
//! user. Protocol: one JSON request `{"tool": name, "args": {...}}` on stdin.
//!
//! * Filesystem tools answer with one `ToolResult` JSON on stdout and exit 0.
//! * `shell` replaces itself with `/bin/bash -c COMMAND` in the requested working
//!   directory, with the base environment plus the call's `envs`, and stdin from
//!   `/dev/null`. This is why the command, its directory and its environment never reach
//!   bwrap or any other process outside the sandbox: they arrive here on a pipe.
//!
//! Anything else (exit 2 + stderr) is a protocol failure the server reports as an
//! internal error.

use super::env::PATH_ENV;
use super::layout::{HOME, USER};
use super::shell::{CWD_EXIT_CODE, CWD_MARKER};
use crate::tools::{fs, ToolCall};
use agentbay_wire::tool::ShellArgs;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::ExitCode;

pub const HELPER_SUBCOMMAND: &str = "__sandbox-tool";

#[derive(Serialize, Deserialize)]
pub struct HelperRequest {
    pub tool: String,
    pub args: serde_json::Value,
}

/// The sandbox user's base environment; a call's `envs` are layered on top.
pub fn base_env() -> [(&'static str, &'static str); 6] {
    [("PATH", PATH_ENV), ("HOME", HOME), ("USER", USER), ("LOGNAME", USER), ("SHELL", "/bin/bash"), ("LANG", "C.UTF-8")]
}

fn fail(what: impl std::fmt::Display) -> ExitCode {
    eprintln!("agentbay-local {HELPER_SUBCOMMAND}: {what}");
    ExitCode::from(2)
}

pub fn helper_main() -> ExitCode {
    // A login's usual mask, whatever the server runs with (agentbay-local itself uses 077).
    // SAFETY: umask only sets this process's file creation mask.
    unsafe {
        libc::umask(0o022);
    }
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        return fail(format!("reading request: {e}"));
    }
    let request: HelperRequest = match serde_json::from_str(&input) {
        Ok(r) => r,
        Err(e) => return fail(format!("malformed request: {e}")),
    };
    let call = match crate::tools::parse(&request.tool, &request.args) {
        Ok(call) => call,
        Err(e) => return fail(e),
    };
    if let ToolCall::Shell(a) = call {
        return exec_shell(&a);
    }
    let result = fs::run(&call);
    let Ok(json) = serde_json::to_vec(&result) else {
        return fail("cannot encode result");
    };
    let mut out = std::io::stdout().lock();
    if out.write_all(&json).and_then(|_| out.flush()).is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// Becomes the user's shell command; returns only if that fails.
fn exec_shell(a: &ShellArgs) -> ExitCode {
    let cwd = a.cwd.as_deref().unwrap_or(HOME);
    if std::env::set_current_dir(cwd).is_err() {
        eprintln!("{CWD_MARKER}{cwd}: no such directory or not accessible");
        return ExitCode::from(CWD_EXIT_CODE as u8);
    }
    let err = std::process::Command::new("/bin/bash")
        .arg("-c")
        .arg(&a.command)
        .env_clear()
        .envs(base_env())
        .envs(a.envs.iter().flatten())
        .stdin(std::process::Stdio::null())
        .exec();
    fail(format!("cannot start /bin/bash: {err}"))
}
