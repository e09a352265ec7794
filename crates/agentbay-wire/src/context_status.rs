//! `GetContextInfo`'s doubly encoded `ContextStatus`:
//! a JSON string of `[{"type":"data","data":"<JSON string of [TaskStatus]>"}]`.

use crate::from_json::{self, from_json};
use serde::{Deserialize, Serialize};

/// One upload or download task of a mounted context (`ContextStatusData` in TypeScript, the
/// official name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ContextStatusData"))]
#[serde(rename_all = "camelCase", default)]
pub struct TaskStatus {
    /// The context the task moves data to or from.
    pub context_id: String,
    /// The mount path inside the session.
    pub path: String,
    /// Why the task failed (`""` otherwise).
    pub error_message: String,
    /// `Pending`, `Running`, then terminal `Success` or `Failed`.
    pub status: String,
    /// When the task started (Unix seconds).
    pub start_time: i64,
    /// When the task ended (Unix seconds; `0` while it runs).
    pub finish_time: i64,
    /// `upload` or `download`.
    pub task_type: String,
}

pub mod status {
    pub const PENDING: &str = "Pending";
    pub const RUNNING: &str = "Running";
    pub const SUCCESS: &str = "Success";
    pub const FAILED: &str = "Failed";

    /// The two values the official pollers stop on (case-sensitive).
    pub fn is_terminal(s: &str) -> bool {
        s == SUCCESS || s == FAILED
    }
}

pub mod task_type {
    pub const UPLOAD: &str = "upload";
    pub const DOWNLOAD: &str = "download";
}

#[derive(Default, Serialize)]
struct Item {
    #[serde(rename = "type")]
    kind: String,
    data: String,
}

/// Encodes tasks into the `ContextStatus` string. No tasks → `""`, which every SDK
/// reads as an empty list.
pub fn encode(tasks: &[TaskStatus]) -> String {
    if tasks.is_empty() {
        return String::new();
    }
    let inner = serde_json::to_string(tasks).expect("TaskStatus serialises");
    serde_json::to_string(&[Item { kind: "data".into(), data: inner }]).expect("Item serialises")
}

// The SDK reads these with `FromJson` (see `from_json.rs`); the keys are the serde names above.
from_json! {
    TaskStatus {
        context_id: "contextId", path: "path", error_message: "errorMessage", status: "status",
        start_time: "startTime", finish_time: "finishTime", task_type: "taskType",
    }
    Item { kind: "type", data: "data" }
}

#[derive(Debug, thiserror::Error)]
#[error("malformed ContextStatus: {0}")]
pub struct DecodeError(String);

/// Decodes a `ContextStatus` string, keeping only `type == "data"` items (others,
/// such as `log`, are ignored as the official SDKs do).
pub fn decode(s: &str) -> Result<Vec<TaskStatus>, DecodeError> {
    if s.trim().is_empty() {
        return Ok(Vec::new());
    }
    let items: Vec<Item> = from_json::read(s).map_err(DecodeError)?;
    let mut out = Vec::new();
    for item in items.into_iter().filter(|i| i.kind == "data") {
        out.extend(from_json::read::<Vec<TaskStatus>>(&item.data).map_err(DecodeError)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    // Under wasm32 these run in Node and Chromium (scripts/test.sh), as the SDK does.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn decodes_the_reference_example() {
        let s = "[{\"type\":\"data\",\"data\":\"[{\\\"contextId\\\":\\\"ctx-123\\\",\\\"path\\\":\\\"/home/user\\\",\\\"errorMessage\\\":\\\"\\\",\\\"status\\\":\\\"Success\\\",\\\"startTime\\\":1600000000,\\\"finishTime\\\":1600000100,\\\"taskType\\\":\\\"download\\\"}]\"},{\"type\":\"log\",\"data\":\"x\"}]";
        let tasks = decode(s).unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].context_id, "ctx-123");
        assert_eq!(tasks[0].finish_time, 1600000100);
        assert_eq!(decode(&encode(&tasks)).unwrap(), tasks);
        assert!(decode("").unwrap().is_empty());
        assert!(decode("{").is_err());
    }
}
