//! TEMPORARY STUB of the sandbox contract (see BRIEF.md). Replaced by the real
//! module from branch `sandbox` at merge; only here so the server core compiles.
#![allow(dead_code)]
use agentbay_wasm::core::wire::tool::ToolResult;
use std::path::PathBuf;

pub struct Mount {
    pub host_dir: PathBuf,
    pub path: String,
}
pub struct SandboxSpec {
    pub session_dir: PathBuf,
    pub mounts: Vec<Mount>,
    pub helper_exe: PathBuf,
}
#[derive(Clone)]
pub struct Sandbox {}
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("unknown tool '{0}'")]
    UnknownTool(String),
    #[error("{0}")]
    InvalidArgs(String),
}
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox stub: {0}")]
    Stub(String),
}
impl Sandbox {
    pub fn create(_spec: SandboxSpec) -> Result<Sandbox, SandboxError> {
        Ok(Sandbox {})
    }
    pub async fn call_tool(&self, name: &str, _args: &serde_json::Value) -> Result<ToolResult, ToolError> {
        Err(ToolError::UnknownTool(name.to_string()))
    }
    pub async fn destroy(&self) -> Result<(), SandboxError> {
        Ok(())
    }
}
pub fn validate_mount_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') || path == "/" {
        return Err(format!("mount path must be absolute and not '/': {path}"));
    }
    Ok(())
}
pub fn probe() -> Result<(), SandboxError> {
    Ok(())
}
pub fn helper_main() -> std::process::ExitCode {
    std::process::ExitCode::FAILURE
}
