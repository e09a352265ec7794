//! The text payloads of the filesystem tools, written by agentbay-local and parsed by the SDK.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A `list_directory` line: `[DIR] name` or `[FILE] name`.
pub fn format_dir_entry(name: &str, is_dir: bool) -> String {
    format!("{} {}", if is_dir { "[DIR]" } else { "[FILE]" }, name)
}

/// Parses `list_directory` output into `(name, is_dir)` pairs, skipping unknown lines.
pub fn parse_dir_listing(text: &str) -> Vec<(String, bool)> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_end();
            l.strip_prefix("[DIR] ")
                .map(|n| (n.to_string(), true))
                .or_else(|| l.strip_prefix("[FILE] ").map(|n| (n.to_string(), false)))
        })
        .collect()
}

// The `get_file_info` payload is lines of `key: value` (`to_text` / `parse`).
/// A file's metadata (`fileSystem.getFileInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default)]
pub struct FileInfo {
    /// The file's name (last path component).
    pub name: String,
    /// The full path.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Whether the path is a directory.
    pub is_directory: bool,
    /// Last modification time, as the tool printed it (colons kept).
    pub mod_time: String,
    /// Permission bits, `ls -l` style (`-rw-r--r--`).
    pub mode: String,
    /// Owning user, when the tool reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Owning group, when the tool reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl FileInfo {
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "name: {}\npath: {}\nsize: {}\nisDirectory: {}\nmodTime: {}\nmode: {}\n",
            self.name, self.path, self.size, self.is_directory, self.mod_time, self.mode
        );
        if let Some(o) = &self.owner {
            s.push_str(&format!("owner: {o}\n"));
        }
        if let Some(g) = &self.group {
            s.push_str(&format!("group: {g}\n"));
        }
        s
    }

    /// Splits each line at the *first* `": "` only, so `modTime` values with `:`
    /// survive (the official TS parser truncates them).
    pub fn parse(text: &str) -> FileInfo {
        let mut fi = FileInfo::default();
        for line in text.lines() {
            let Some((k, v)) = line.split_once(':') else { continue };
            let v = v.trim();
            match k.trim() {
                "name" => fi.name = v.into(),
                "path" => fi.path = v.into(),
                "size" => fi.size = v.parse().unwrap_or(0),
                "isDirectory" => fi.is_directory = v == "true",
                "modTime" => fi.mod_time = v.into(),
                "mode" => fi.mode = v.into(),
                "owner" => fi.owner = Some(v.into()),
                "group" => fi.group = Some(v.into()),
                _ => {}
            }
        }
        fi
    }
}

/// `read_multiple_files` payload: `path: content` blocks separated by `---` lines.
pub fn format_multiple_files(files: &[(String, String)]) -> String {
    files.iter().map(|(p, c)| format!("{p}: {c}")).collect::<Vec<_>>().join("\n---\n")
}

/// Parses `read_multiple_files` output. With the requested `paths` in order (how
/// agentbay-local answers), each block is cut at `\n---\n<next path>: `, so contents
/// keep their exact bytes even when they contain `---` lines or colons. Output in any
/// other shape goes through the official TS SDK's line parser instead.
pub fn parse_multiple_files(text: &str, paths: &[String]) -> BTreeMap<String, String> {
    parse_in_request_order(text, paths).unwrap_or_else(|| parse_multiple_files_loosely(text))
}

fn parse_in_request_order(text: &str, paths: &[String]) -> Option<BTreeMap<String, String>> {
    if paths.is_empty() {
        return text.trim().is_empty().then(BTreeMap::new);
    }
    let mut out = BTreeMap::new();
    let mut rest = text;
    for (i, path) in paths.iter().enumerate() {
        rest = rest.strip_prefix(path.as_str())?.strip_prefix(": ")?;
        let content = match paths.get(i + 1) {
            None => std::mem::take(&mut rest),
            Some(next) => {
                let end = rest.find(&format!("\n---\n{next}: "))?;
                let (content, tail) = rest.split_at(end);
                rest = &tail["\n---\n".len()..];
                content
            }
        };
        out.insert(path.clone(), content.to_string());
    }
    Some(out)
}

/// The official TS parser: a line `path: first line` (path without spaces) opens a
/// block, a `---` line closes it, trailing newlines are dropped.
fn parse_multiple_files_loosely(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in text.split('\n') {
        match current.as_mut() {
            None => {
                if let Some((p, first)) = line.split_once(':').filter(|(p, _)| !p.is_empty() && !p.contains(' ')) {
                    let first = first.trim();
                    current = Some((p.trim().to_string(), if first.is_empty() { vec![] } else { vec![first] }));
                }
            }
            Some(_) if line == "---" => {
                if let Some((p, lines)) = current.take() {
                    out.insert(p, lines.join("\n"));
                }
            }
            Some((_, lines)) => lines.push(line),
        }
    }
    if let Some((p, lines)) = current {
        out.insert(p, lines.join("\n"));
    }
    // Trimmed in place: collecting into a new map would compile a sort and a bulk build into the
    // SDK's .wasm for this one use.
    for c in out.values_mut() {
        c.truncate(c.trim_end_matches('\n').len());
    }
    out
}

/// `search_files` payload: one path per line; blank lines and surrounding spaces dropped.
pub fn parse_search_matches(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

#[cfg(test)]
mod tests {
    // Under wasm32 these run in Node and Chromium (scripts/test.sh), as the SDK does.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn owned(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn multiple_files_round_trip_keeps_exact_contents() {
        let files = vec![
            ("/a b/x.txt".to_string(), "line: 1\n---\nnot a separator\n\n".to_string()),
            ("/e".to_string(), String::new()),
            ("/c".to_string(), "Error - /c: no such file or directory".to_string()),
        ];
        let paths: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
        let parsed = parse_multiple_files(&format_multiple_files(&files), &paths);
        assert_eq!(parsed, files.into_iter().collect::<BTreeMap<_, _>>());
        assert!(parse_multiple_files("", &[]).is_empty());
    }

    #[test]
    fn multiple_files_in_another_shape_use_the_official_parser() {
        // The official SDK's unit-test fixture shape: a newline before each `---`.
        let text = "/tmp/a.txt: alpha\nsecond\n\n---\n/tmp/b.txt: \nbeta\n";
        let parsed = parse_multiple_files(text, &owned(&["/tmp/b.txt", "/tmp/a.txt"]));
        let want: BTreeMap<String, String> =
            [("/tmp/a.txt".into(), "alpha\nsecond".into()), ("/tmp/b.txt".into(), "beta".into())].into();
        assert_eq!(parsed, want);
    }

    #[test]
    fn search_matches_skip_blank_lines() {
        assert_eq!(parse_search_matches("/a/x.txt\n\n  /a/y.txt  \n"), owned(&["/a/x.txt", "/a/y.txt"]));
        assert!(parse_search_matches("").is_empty());
    }

    #[test]
    fn file_info_keeps_colons() {
        let fi = FileInfo {
            name: "a.txt".into(),
            path: "/mnt/a.txt".into(),
            size: 3,
            is_directory: false,
            mod_time: "2025-01-02T03:04:05Z".into(),
            mode: "-rw-r--r--".into(),
            owner: None,
            group: None,
        };
        assert_eq!(FileInfo::parse(&fi.to_text()), fi);
    }

    #[test]
    fn listing_round_trip() {
        let text = [format_dir_entry("d", true), format_dir_entry("f x", false)].join("\n");
        assert_eq!(parse_dir_listing(&text), vec![("d".into(), true), ("f x".into(), false)]);
    }
}
