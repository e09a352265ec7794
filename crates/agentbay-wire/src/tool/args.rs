//! Every tool, named once, with the arguments it takes.
//!
//! The SDK builds a [`ToolCall`] and sends [`ToolCall::name`] and [`ToolCall::args`];
//! agentbay-local reads the same enum back with [`ToolCall::parse`] (unknown tools and
//! arguments of the wrong shape are refused here, before anything runs) and then checks
//! what only it can judge (paths, patterns) in `server/src/tools/args.rs`.

use super::{SHELL_DEFAULT_TIMEOUT_MS, SHELL_MAX_TIMEOUT_MS};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Why a tool call's name or arguments were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolArgsError {
    #[error("unknown tool '{0}'")]
    UnknownTool(String),
    #[error("{0}: arguments must be a JSON object")]
    NotAnObject(&'static str),
    #[error("{tool}: {detail}")]
    Invalid { tool: &'static str, detail: String },
}

macro_rules! tools {
    ($( $(#[$doc:meta])* $variant:ident($args:ty) = $name:ident $wire:literal, )*) => {
        /// Tool names, as `CallMcpTool.Name` carries them.
        pub mod name {
            $( pub const $name: &str = $wire; )*
            /// Every tool agentbay-local lists, in `ListMcpTools` order.
            pub const ALL: &[&str] = &[$($name),*];
        }

        /// One tool call: the tool and its arguments.
        #[derive(Debug, Clone, PartialEq)]
        pub enum ToolCall {
            $( $(#[$doc])* $variant($args), )*
        }

        impl ToolCall {
            /// The tool's wire name.
            pub fn name(&self) -> &'static str {
                match self { $( ToolCall::$variant(_) => name::$name, )* }
            }

            /// The arguments as the JSON object `CallMcpTool.Args` carries.
            pub fn args(&self) -> Map<String, Value> {
                let v = match self { $( ToolCall::$variant(a) => crate::json::value_of(a), )* };
                match v {
                    Value::Object(m) => m,
                    _ => Map::new(),
                }
            }

            /// Reads a call from its wire name and arguments.
            pub fn parse(tool: &str, args: &Value) -> Result<ToolCall, ToolArgsError> {
                match tool {
                    $( $wire => read(name::$name, args).map(ToolCall::$variant), )*
                    other => Err(ToolArgsError::UnknownTool(other.to_string())),
                }
            }
        }
    };
}

tools! {
    /// Runs a shell command.
    Shell(ShellArgs) = SHELL "shell",
    ReadFile(ReadFileArgs) = READ_FILE "read_file",
    WriteFile(WriteFileArgs) = WRITE_FILE "write_file",
    ListDirectory(PathArgs) = LIST_DIRECTORY "list_directory",
    CreateDirectory(PathArgs) = CREATE_DIRECTORY "create_directory",
    GetFileInfo(PathArgs) = GET_FILE_INFO "get_file_info",
    MoveFile(MoveFileArgs) = MOVE_FILE "move_file",
    DeleteFile(PathArgs) = DELETE_FILE "delete_file",
    EditFile(EditFileArgs) = EDIT_FILE "edit_file",
    ReadMultipleFiles(ReadMultipleFilesArgs) = READ_MULTIPLE_FILES "read_multiple_files",
    SearchFiles(SearchFilesArgs) = SEARCH_FILES "search_files",
}

fn read<T: for<'de> Deserialize<'de>>(tool: &'static str, args: &Value) -> Result<T, ToolArgsError> {
    if !args.is_object() {
        return Err(ToolArgsError::NotAnObject(tool));
    }
    T::deserialize(args).map_err(|e| ToolArgsError::Invalid { tool, detail: e.to_string() })
}

/// `shell` arguments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShellArgs {
    pub command: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envs: Option<BTreeMap<String, String>>,
}

impl ShellArgs {
    /// Absent (or 0) → 1000 ms (the TS/Go default); above the cap → the cap, as every SDK clamps.
    pub fn effective_timeout_ms(&self) -> u64 {
        self.timeout_ms.filter(|t| *t > 0).unwrap_or(SHELL_DEFAULT_TIMEOUT_MS).min(SHELL_MAX_TIMEOUT_MS)
    }
}

/// The arguments of the tools that take one path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathArgs {
    pub path: String,
}

/// How `read_file` returns content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadFormat {
    #[default]
    Text,
    /// A base64 payload.
    Binary,
}

/// `read_file` arguments. `length` 0 (or absent) means to the end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadFileArgs {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<ReadFormat>,
}

/// How `write_file` (`fileSystem.writeFile`) treats an existing file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum WriteMode {
    #[default]
    Overwrite,
    Append,
    /// Fails when the file exists.
    CreateNew,
}

impl WriteMode {
    /// Every mode, in the order messages list them.
    pub const ALL: [WriteMode; 3] = [WriteMode::Overwrite, WriteMode::Append, WriteMode::CreateNew];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            WriteMode::Overwrite => "overwrite",
            WriteMode::Append => "append",
            WriteMode::CreateNew => "create_new",
        }
    }

    /// The mode spelled `s`, if any.
    pub fn parse(s: &str) -> Option<WriteMode> {
        WriteMode::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// `overwrite, append, create_new`.
    pub fn names() -> String {
        WriteMode::ALL.map(WriteMode::as_str).join(", ")
    }
}

/// `write_file` arguments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteFileArgs {
    pub path: String,
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<WriteMode>,
}

/// `move_file` arguments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveFileArgs {
    pub source: String,
    pub destination: String,
}

/// One `editFile` replacement (`FileEdit` in TypeScript): the first occurrence of `oldText`
/// becomes `newText`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "FileEdit"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Edit {
    /// The text to find.
    pub old_text: String,
    /// What replaces it.
    pub new_text: String,
}

/// `edit_file` arguments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditFileArgs {
    pub path: String,
    pub edits: Vec<Edit>,
    #[serde(default)]
    pub dry_run: bool,
}

/// `read_multiple_files` arguments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadMultipleFilesArgs {
    pub paths: Vec<String>,
}

/// Exclude patterns: the TS SDK sends an array, Python a comma-joined string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Patterns {
    List(Vec<String>),
    Joined(String),
}

impl Patterns {
    /// The patterns, trimmed, without empty ones.
    pub fn to_vec(&self) -> Vec<String> {
        let items: Vec<&str> = match self {
            Patterns::List(v) => v.iter().map(String::as_str).collect(),
            Patterns::Joined(s) => s.split(',').collect(),
        };
        items.into_iter().map(str::trim).filter(|p| !p.is_empty()).map(String::from).collect()
    }
}

/// `search_files` arguments (Go sends `exclude_patterns`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchFilesArgs {
    pub path: String,
    pub pattern: String,
    #[serde(default, rename = "excludePatterns", alias = "exclude_patterns", skip_serializing_if = "Option::is_none")]
    pub exclude_patterns: Option<Patterns>,
}

#[cfg(test)]
mod tests {
    // Under wasm32 these run in Node and Chromium (scripts/test.sh), as the SDK does.
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn calls_round_trip_through_name_and_args() {
        let calls = [
            ToolCall::Shell(ShellArgs { command: "ls".into(), timeout_ms: Some(5), ..Default::default() }),
            ToolCall::ReadFile(ReadFileArgs {
                path: "/a".into(),
                format: Some(ReadFormat::Binary),
                ..Default::default()
            }),
            ToolCall::WriteFile(WriteFileArgs {
                path: "/a".into(),
                content: "x".into(),
                mode: Some(WriteMode::CreateNew),
            }),
            ToolCall::EditFile(EditFileArgs {
                path: "/a".into(),
                edits: vec![Edit { old_text: "o".into(), new_text: "n".into() }],
                dry_run: true,
            }),
            ToolCall::SearchFiles(SearchFilesArgs {
                path: "/".into(),
                pattern: "*".into(),
                exclude_patterns: Some(Patterns::List(vec!["a".into()])),
            }),
        ];
        for c in calls {
            assert_eq!(ToolCall::parse(c.name(), &Value::Object(c.args())).unwrap(), c);
        }
        let w =
            ToolCall::WriteFile(WriteFileArgs { path: "/a".into(), content: "".into(), mode: Some(WriteMode::Append) });
        assert_eq!(Value::Object(w.args()), json!({"path": "/a", "content": "", "mode": "append"}));
        let e = ToolCall::EditFile(EditFileArgs { path: "/a".into(), edits: vec![], dry_run: false });
        assert_eq!(Value::Object(e.args()), json!({"path": "/a", "edits": [], "dryRun": false}));
    }

    #[test]
    fn refusals_name_the_tool() {
        assert_eq!(ToolCall::parse("nope", &json!({})), Err(ToolArgsError::UnknownTool("nope".into())));
        assert_eq!(
            ToolCall::parse("read_file", &json!("x")).unwrap_err().to_string(),
            "read_file: arguments must be a JSON object"
        );
        let e = ToolCall::parse("write_file", &json!({"path": "/a", "content": "", "mode": "weird"})).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "write_file: unknown variant `weird`, expected one of `overwrite`, `append`, `create_new`"
            ),
            "{e}"
        );
        assert_eq!(WriteMode::names(), "overwrite, append, create_new");
        let e = ToolCall::parse("shell", &json!({"command": "x", "bogus": 1})).unwrap_err();
        assert!(e.to_string().starts_with("shell: unknown field `bogus`"), "{e}");
    }

    #[test]
    fn timeout_default_and_cap() {
        let t = |ms| ShellArgs { command: "x".into(), timeout_ms: ms, ..Default::default() }.effective_timeout_ms();
        assert_eq!((t(None), t(Some(0)), t(Some(999_999)), t(Some(7))), (1000, 1000, 50_000, 7));
    }

    #[test]
    fn exclude_patterns_all_encodings() {
        for args in [
            json!({"path": "/", "pattern": "*.txt", "excludePatterns": ["a", " b"]}),
            json!({"path": "/", "pattern": "*.txt", "excludePatterns": "a, b"}),
            json!({"path": "/", "pattern": "*.txt", "exclude_patterns": ["a", "b"]}),
        ] {
            let ToolCall::SearchFiles(a) = ToolCall::parse("search_files", &args).unwrap() else { panic!() };
            assert_eq!(a.exclude_patterns.unwrap().to_vec(), vec!["a", "b"]);
        }
    }
}
