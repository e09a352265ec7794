//! `session.fileSystem`: the filesystem tools, with chunked reads/writes (61440 per
//! chunk as the official TS SDK). Large reads go through base64 chunks so a chunk
//! boundary inside a multi-byte character cannot corrupt text.

use super::api::Api;
use super::handle::SessionHandle;
use super::results::*;
use super::runtime::Env;
use super::tool_call::call_tool;
use super::wire::tool::{self, *};
use base64::Engine;
use serde_json::Value;

pub const CHUNK: usize = 61_440;

async fn bool_tool<E: Env>(api: &Api<E>, s: &SessionHandle, call: ToolCall) -> BoolResult {
    match call_tool(api, s, &call).await {
        Err((rid, m)) => BoolResult::fail(rid, m),
        Ok(o) if o.is_error => BoolResult::fail(o.request_id, o.text),
        Ok(o) => BoolResult { request_id: o.request_id, success: true, data: Some(true), error_message: None },
    }
}

pub async fn create_directory<E: Env>(api: &Api<E>, s: &SessionHandle, path: &str) -> BoolResult {
    bool_tool(api, s, ToolCall::CreateDirectory(PathArgs { path: path.into() })).await
}

pub async fn delete_file<E: Env>(api: &Api<E>, s: &SessionHandle, path: &str) -> BoolResult {
    bool_tool(api, s, ToolCall::DeleteFile(PathArgs { path: path.into() })).await
}

pub async fn move_file<E: Env>(api: &Api<E>, s: &SessionHandle, source: &str, destination: &str) -> BoolResult {
    let args = MoveFileArgs { source: source.into(), destination: destination.into() };
    bool_tool(api, s, ToolCall::MoveFile(args)).await
}

pub async fn get_file_info<E: Env>(api: &Api<E>, s: &SessionHandle, path: &str) -> FileInfoResult {
    match call_tool(api, s, &ToolCall::GetFileInfo(PathArgs { path: path.into() })).await {
        Err((rid, m)) => FileInfoResult::fail(rid, m),
        Ok(o) if o.is_error => FileInfoResult::fail(o.request_id, o.text),
        Ok(o) if o.text.trim().is_empty() => FileInfoResult::fail(o.request_id, "Empty response from get_file_info"),
        Ok(o) => FileInfoResult {
            request_id: o.request_id,
            success: true,
            file_info: Some(FileInfo::parse(&o.text)),
            error_message: None,
        },
    }
}

pub async fn list_directory<E: Env>(api: &Api<E>, s: &SessionHandle, path: &str) -> DirectoryListResult {
    match call_tool(api, s, &ToolCall::ListDirectory(PathArgs { path: path.into() })).await {
        Err((rid, m)) => DirectoryListResult::fail(rid, m),
        Ok(o) if o.is_error => DirectoryListResult::fail(o.request_id, o.text),
        Ok(o) => DirectoryListResult {
            request_id: o.request_id,
            success: true,
            entries: tool::parse_dir_listing(&o.text)
                .into_iter()
                .map(|(name, is_directory)| DirectoryEntry { name, is_directory })
                .collect(),
            error_message: None,
        },
    }
}

/// Splits at most `CHUNK` characters per piece, never inside a character.
pub fn chunks(content: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        let cut = rest.char_indices().nth(CHUNK).map(|(i, _)| i).unwrap_or(rest.len());
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out
}

pub async fn write_file<E: Env>(api: &Api<E>, s: &SessionHandle, path: &str, content: &str, mode: &str) -> BoolResult {
    let Some(mode) = WriteMode::parse(mode) else {
        return BoolResult::fail("", format!("Invalid mode: {mode}. Must be one of {}", WriteMode::names()));
    };
    let write = |content: &str, mode| {
        ToolCall::WriteFile(WriteFileArgs { path: path.into(), content: content.into(), mode: Some(mode) })
    };
    let pieces = chunks(content);
    if pieces.is_empty() {
        return bool_tool(api, s, write("", mode)).await;
    }
    let mut last = BoolResult::default();
    for (i, piece) in pieces.iter().enumerate() {
        let m = if i == 0 { mode } else { WriteMode::Append };
        last = bool_tool(api, s, write(piece, m)).await;
        if !last.success {
            if i > 0 {
                last.error_message =
                    last.error_message.map(|e| format!("{e} (after writing {i} of {} chunks)", pieces.len()));
            }
            return last;
        }
    }
    last
}

/// Reads the whole file as bytes: `get_file_info` for the size, then chunks.
pub async fn read_bytes<E: Env>(api: &Api<E>, s: &SessionHandle, path: &str, force_binary: bool) -> BinaryResult {
    let info = get_file_info(api, s, path).await;
    let fi = match (info.success, info.file_info) {
        (true, Some(fi)) => fi,
        _ => return BinaryResult::fail(info.request_id, info.error_message.unwrap_or_default()),
    };
    if fi.is_directory {
        return BinaryResult::fail(info.request_id, format!("Path does not exist or is a directory: {path}"));
    }
    let size = fi.size;
    let mut bytes = Vec::with_capacity(size as usize);
    let mut rid = info.request_id;
    let binary = force_binary || size as usize > CHUNK;
    let mut offset = 0u64;
    while offset < size {
        let len = (size - offset).min(CHUNK as u64);
        let args = ReadFileArgs {
            path: path.into(),
            offset: Some(offset),
            length: Some(len),
            format: binary.then_some(ReadFormat::Binary),
        };
        match call_tool(api, s, &ToolCall::ReadFile(args)).await {
            Err((r, m)) => return BinaryResult::fail(r, m),
            Ok(o) if o.is_error => return BinaryResult::fail(o.request_id, o.text),
            Ok(o) => {
                rid = o.request_id;
                if binary {
                    match base64::engine::general_purpose::STANDARD.decode(o.text.trim()) {
                        Ok(b) => bytes.extend_from_slice(&b),
                        Err(e) => return BinaryResult::fail(rid, format!("Invalid base64 from read_file: {e}")),
                    }
                } else {
                    bytes.extend_from_slice(o.text.as_bytes());
                }
            }
        }
        offset += len;
    }
    BinaryResult {
        request_id: rid,
        success: true,
        size: Some(bytes.len() as u64),
        bytes,
        http_status: None,
        error_message: None,
    }
}

pub async fn read_file<E: Env>(api: &Api<E>, s: &SessionHandle, path: &str) -> FileContentResult {
    let r = read_bytes(api, s, path, false).await;
    if !r.success {
        return FileContentResult::fail(r.request_id, r.error_message.unwrap_or_default());
    }
    match String::from_utf8(r.bytes) {
        Ok(content) => FileContentResult { request_id: r.request_id, success: true, content, error_message: None },
        Err(e) => FileContentResult {
            request_id: r.request_id,
            success: true,
            content: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            error_message: None,
        },
    }
}

/// A JS `string[]` argument; `null`/`undefined` count as empty when `optional`.
pub fn string_list(v: &Value, what: &str, optional: bool) -> Result<Vec<String>, String> {
    match v {
        Value::Null if optional => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("{what}[{i}] must be a string, got {}", json_type(other))),
            })
            .collect(),
        other => Err(format!("{what} must be an array of strings, got {}", json_type(other))),
    }
}

/// The `edits` argument of `editFile`: `{oldText, newText}` objects with string values.
pub fn edit_list(v: &Value) -> Result<Vec<Edit>, String> {
    let Value::Array(items) = v else {
        return Err(format!("edits must be an array of {{oldText, newText}} objects, got {}", json_type(v)));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let text = |k: &str| match item.get(k) {
                Some(Value::String(s)) => Ok(s.clone()),
                other => Err(format!("edits[{i}].{k} must be a string, got {}", other.map_or("undefined", json_type))),
            };
            if !item.is_object() {
                return Err(format!("edits[{i}] must be an {{oldText, newText}} object, got {}", json_type(item)));
            }
            Ok(Edit { old_text: text("oldText")?, new_text: text("newText")? })
        })
        .collect()
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `searchFiles(path, pattern, excludePatterns = [])`; like the official SDK,
/// `excludePatterns` is sent only when non-empty.
pub async fn search_files<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    path: &str,
    pattern: &str,
    exclude_patterns: &[String],
) -> FileSearchResult {
    let args = SearchFilesArgs {
        path: path.into(),
        pattern: pattern.into(),
        exclude_patterns: (!exclude_patterns.is_empty()).then(|| Patterns::List(exclude_patterns.to_vec())),
    };
    match call_tool(api, s, &ToolCall::SearchFiles(args)).await {
        Err((rid, m)) => FileSearchResult::fail(rid, m),
        Ok(o) if o.is_error => FileSearchResult::fail(o.request_id, o.text),
        Ok(o) => FileSearchResult {
            request_id: o.request_id,
            success: true,
            matches: tool::parse_search_matches(&o.text),
            error_message: None,
        },
    }
}

/// `readMultipleFiles(paths)`. A file the tool cannot read still succeeds overall: its
/// entry holds the tool's `Error - <reason>` text, as the official SDK reports it.
pub async fn read_multiple_files<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    paths: &[String],
) -> MultipleFileContentResult {
    match call_tool(api, s, &ToolCall::ReadMultipleFiles(ReadMultipleFilesArgs { paths: paths.to_vec() })).await {
        Err((rid, m)) => MultipleFileContentResult::fail(rid, m),
        Ok(o) if o.is_error => MultipleFileContentResult::fail(o.request_id, o.text),
        Ok(o) => MultipleFileContentResult {
            request_id: o.request_id,
            success: true,
            contents: tool::parse_multiple_files(&o.text, paths),
            error_message: None,
        },
    }
}

/// `editFile(path, edits, dryRun = false)`: every edit applies or none does (tool side).
pub async fn edit_file<E: Env>(
    api: &Api<E>,
    s: &SessionHandle,
    path: &str,
    edits: &[Edit],
    dry_run: bool,
) -> BoolResult {
    let args = EditFileArgs { path: path.into(), edits: edits.to_vec(), dry_run };
    bool_tool(api, s, ToolCall::EditFile(args)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    // Under wasm32 these run in Node and Chromium (scripts/test.sh).
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn chunking_respects_characters() {
        let s = "é".repeat(CHUNK + 5);
        let c = chunks(&s);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].chars().count(), CHUNK);
        assert_eq!(c[1].chars().count(), 5);
        assert!(chunks("").is_empty());
    }

    #[test]
    fn list_arguments_are_checked() {
        assert_eq!(string_list(&json!(null), "excludePatterns", true), Ok(vec![]));
        assert_eq!(string_list(&json!(["a", "b"]), "paths", false), Ok(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(
            string_list(&json!(null), "paths", false),
            Err("paths must be an array of strings, got null".to_string())
        );
        assert_eq!(
            string_list(&json!("a"), "paths", false),
            Err("paths must be an array of strings, got string".to_string())
        );
        assert_eq!(string_list(&json!(["a", 1]), "paths", false), Err("paths[1] must be a string, got number".into()));
    }

    #[test]
    fn edits_are_checked() {
        let ok = edit_list(&json!([{"oldText": "a", "newText": ""}])).unwrap();
        assert_eq!(ok, vec![Edit { old_text: "a".into(), new_text: "".into() }]);
        assert_eq!(
            edit_list(&json!({})),
            Err("edits must be an array of {oldText, newText} objects, got object".into())
        );
        assert_eq!(
            edit_list(&json!([{"oldText": "a"}])),
            Err("edits[0].newText must be a string, got undefined".into())
        );
        assert_eq!(
            edit_list(&json!([{"oldText": "a", "newText": "b"}, "x"])),
            Err("edits[1] must be an {oldText, newText} object, got string".into())
        );
        assert_eq!(
            edit_list(&json!([{"oldText": 3, "newText": "b"}])),
            Err("edits[0].oldText must be a string, got number".into())
        );
    }
}
