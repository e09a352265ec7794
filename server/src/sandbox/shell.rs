//! The `shell` tool's payload (the command itself is run by `helper`).

use super::process::Captured;
use agentbay_wire::tool::{ShellPayload, ToolResult};

/// Exit code reported when the deadline kills a command (the coreutils `timeout` convention).
pub const TIMEOUT_EXIT_CODE: i32 = 124;
/// Exit code of the helper when `cwd` cannot be entered; paired with CWD_MARKER.
pub(crate) const CWD_EXIT_CODE: i32 = 125;
pub(crate) const CWD_MARKER: &str = "agentbay-local: cannot use cwd ";

/// Largest stdout/stderr kept per call; the rest is dropped and flagged.
pub const OUTPUT_CAP: usize = 8 * 1024 * 1024;

fn text(bytes: &[u8], truncated: bool, stream: &str) -> String {
    let mut s = String::from_utf8_lossy(bytes).into_owned();
    if truncated {
        s.push_str(&format!("\n[agentbay-local: {stream} truncated after {} bytes]", bytes.len()));
    }
    s
}

/// Non-zero exits are ordinary results (`isError:false` + `exit_code`); a timeout or a
/// missing cwd is `isError:true`, with the same JSON payload so SDKs show `stderr`.
/// `notes` (limits that refused something during the call) are appended to stderr.
pub fn result(c: &Captured, timeout_ms: u64, notes: &[String]) -> ToolResult {
    let stdout = text(&c.stdout, c.stdout_truncated, "stdout");
    let mut stderr = text(&c.stderr, c.stderr_truncated, "stderr");
    for n in notes {
        if !stderr.is_empty() && !stderr.ends_with('\n') {
            stderr.push('\n');
        }
        stderr.push_str(n);
        stderr.push('\n');
    }
    let exit_code = c.exit_code();
    let is_error = if c.status.is_none() {
        if !stderr.is_empty() && !stderr.ends_with('\n') {
            stderr.push('\n');
        }
        stderr.push_str(&format!("command timed out after {timeout_ms} ms"));
        true
    } else {
        exit_code == CWD_EXIT_CODE && stderr.starts_with(CWD_MARKER)
    };
    let payload = ShellPayload { stdout, stderr, exit_code: exit_code.into(), ..Default::default() };
    let json = serde_json::to_string(&payload).unwrap_or_else(|_| String::from("{}"));
    ToolResult::text(json, is_error)
}
