//! Filesystem tools. These functions run only inside the sandbox (in the
//! `__sandbox-tool` helper), as the sandbox user, so every path — symlinks included —
//! resolves inside the session's own view of the filesystem.

use super::text::file_mode_string;
use agentbay_wire::tool::{format_dir_entry, format_multiple_files, FileInfo, ToolResult};
use agentbay_wire::tool::{
    Edit, EditFileArgs, Patterns, ReadFileArgs, ReadFormat, SearchFilesArgs, ToolCall, WriteFileArgs, WriteMode,
};
use base64::Engine;
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A tool failure reported to the caller as an `isError:true` result.
pub struct Failure(pub String);

type Outcome = Result<String, Failure>;

fn io_fail(path: &str, e: io::Error) -> Failure {
    let what = match e.kind() {
        ErrorKind::NotFound => "no such file or directory".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::AlreadyExists => "already exists".to_string(),
        ErrorKind::IsADirectory => "is a directory".to_string(),
        ErrorKind::NotADirectory => "not a directory".to_string(),
        ErrorKind::ReadOnlyFilesystem => "read-only file system".to_string(),
        ErrorKind::DirectoryNotEmpty => "directory not empty".to_string(),
        _ => e.to_string(),
    };
    Failure(format!("{path}: {what}"))
}

pub fn run(call: &ToolCall) -> ToolResult {
    let outcome = match call {
        ToolCall::Shell(_) => Err(Failure("shell is not a filesystem tool".into())),
        ToolCall::ReadFile(a) => read_file(a),
        ToolCall::WriteFile(a) => write_file(a),
        ToolCall::ListDirectory(a) => list_directory(&a.path),
        ToolCall::CreateDirectory(a) => create_directory(&a.path),
        ToolCall::GetFileInfo(a) => get_file_info(&a.path),
        ToolCall::MoveFile(a) => move_file(&a.source, &a.destination),
        ToolCall::DeleteFile(a) => delete_file(&a.path),
        ToolCall::EditFile(a) => edit_file(a),
        ToolCall::ReadMultipleFiles(a) => Ok(read_multiple_files(&a.paths)),
        ToolCall::SearchFiles(a) => search_files(a),
    };
    match outcome {
        Ok(text) => ToolResult::text(text, false),
        Err(Failure(msg)) => ToolResult::text(msg, true),
    }
}

fn open_regular(path: &str) -> Result<File, Failure> {
    let meta = fs::metadata(path).map_err(|e| io_fail(path, e))?;
    if meta.is_dir() {
        return Err(Failure(format!("{path}: is a directory")));
    }
    File::open(path).map_err(|e| io_fail(path, e))
}

fn read_bytes(path: &str, offset: u64, length: u64) -> Result<Vec<u8>, Failure> {
    let mut f = open_regular(path)?;
    if offset > 0 {
        f.seek(SeekFrom::Start(offset)).map_err(|e| io_fail(path, e))?;
    }
    let mut buf = Vec::new();
    let res = if length == 0 { f.read_to_end(&mut buf) } else { f.take(length).read_to_end(&mut buf) };
    res.map_err(|e| io_fail(path, e))?;
    Ok(buf)
}

fn read_file(a: &ReadFileArgs) -> Outcome {
    let bytes = read_bytes(&a.path, a.offset.unwrap_or(0), a.length.unwrap_or(0))?;
    if a.format == Some(ReadFormat::Binary) {
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    } else {
        // Byte-offset chunks may split a UTF-8 sequence; such bytes become U+FFFD.
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

fn write_file(a: &WriteFileArgs) -> Outcome {
    let path = Path::new(&a.path);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| io_fail(&parent.to_string_lossy(), e))?;
    }
    let mut opts = OpenOptions::new();
    match a.mode.unwrap_or_default() {
        WriteMode::Append => opts.append(true).create(true),
        WriteMode::CreateNew => opts.write(true).create_new(true),
        WriteMode::Overwrite => opts.write(true).create(true).truncate(true),
    };
    let mut f = opts.open(path).map_err(|e| io_fail(&a.path, e))?;
    f.write_all(a.content.as_bytes()).map_err(|e| io_fail(&a.path, e))?;
    Ok(format!("Successfully wrote to {}", a.path))
}

fn list_directory(path: &str) -> Outcome {
    let meta = fs::metadata(path).map_err(|e| io_fail(path, e))?;
    if !meta.is_dir() {
        return Err(Failure(format!("{path}: not a directory")));
    }
    let mut entries = Vec::new();
    for entry in fs::read_dir(path).map_err(|e| io_fail(path, e))? {
        let entry = entry.map_err(|e| io_fail(path, e))?;
        // A symlink to a directory lists as [DIR], like `ls`; a dangling one as [FILE].
        let is_dir = fs::metadata(entry.path()).map(|m| m.is_dir()).unwrap_or(false);
        entries.push((entry.file_name().to_string_lossy().into_owned(), is_dir));
    }
    entries.sort();
    Ok(entries.iter().map(|(n, d)| format_dir_entry(n, *d)).collect::<Vec<_>>().join("\n"))
}

fn create_directory(path: &str) -> Outcome {
    if let Ok(m) = fs::metadata(path) {
        if !m.is_dir() {
            return Err(Failure(format!("{path}: already exists and is not a directory")));
        }
    }
    fs::create_dir_all(path).map_err(|e| io_fail(path, e))?;
    Ok(format!("Successfully created directory {path}"))
}

fn absolute(path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
    }
}

/// Names from the sandbox's own /etc/passwd and /etc/group (the generated ones).
fn id_name(db: &str, id: u32) -> String {
    let text = fs::read_to_string(db).unwrap_or_default();
    text.lines()
        .find_map(|l| {
            let mut parts = l.split(':');
            let name = parts.next()?;
            let num = parts.nth(1)?;
            (num.parse::<u32>().ok()? == id).then(|| name.to_string())
        })
        .unwrap_or_else(|| id.to_string())
}

fn get_file_info(path: &str) -> Outcome {
    let meta = fs::metadata(path).map_err(|e| io_fail(path, e))?;
    let abs = absolute(path);
    let name = abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "/".into());
    let info = FileInfo {
        name,
        path: abs.to_string_lossy().into_owned(),
        size: meta.len(),
        is_directory: meta.is_dir(),
        mod_time: crate::util::rfc3339(meta.mtime()),
        mode: file_mode_string(&meta),
        owner: Some(id_name("/etc/passwd", meta.uid())),
        group: Some(id_name("/etc/group", meta.gid())),
    };
    Ok(info.to_text())
}

fn copy_recursive(src: &Path, dst: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(src)?;
    if meta.file_type().is_symlink() {
        std::os::unix::fs::symlink(fs::read_link(src)?, dst)
    } else if meta.is_dir() {
        fs::create_dir(dst)?;
        for entry in fs::read_dir(src)? {
            let entry = entry?;
            copy_recursive(&entry.path(), &dst.join(entry.file_name()))?;
        }
        fs::set_permissions(dst, meta.permissions())
    } else {
        fs::copy(src, dst).map(|_| ())
    }
}

fn remove_any(path: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
}

fn move_file(source: &str, destination: &str) -> Outcome {
    fs::symlink_metadata(source).map_err(|e| io_fail(source, e))?;
    if fs::symlink_metadata(destination).is_ok() {
        return Err(Failure(format!("{destination}: already exists")));
    }
    match fs::rename(source, destination) {
        Ok(()) => {}
        // Context mounts are separate bind mounts: moving across them needs copy + delete.
        Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
            copy_recursive(Path::new(source), Path::new(destination)).map_err(|e| io_fail(destination, e))?;
            remove_any(Path::new(source)).map_err(|e| io_fail(source, e))?;
        }
        Err(e) => return Err(io_fail(destination, e)),
    }
    Ok(format!("Successfully moved {source} to {destination}"))
}

/// Files and symlinks are unlinked; directories are removed with their contents.
fn delete_file(path: &str) -> Outcome {
    remove_any(Path::new(path)).map_err(|e| io_fail(path, e))?;
    Ok(format!("Successfully deleted {path}"))
}

fn preview(index: usize, edit: &Edit) -> String {
    let mut s = format!("@@ edit {} @@\n", index + 1);
    for l in edit.old_text.lines() {
        s.push_str(&format!("-{l}\n"));
    }
    for l in edit.new_text.lines() {
        s.push_str(&format!("+{l}\n"));
    }
    s
}

/// Each `oldText` must occur in the text as left by the previous edits; its first
/// occurrence is replaced. Nothing is written unless every edit applies.
fn edit_file(a: &EditFileArgs) -> Outcome {
    let bytes = read_bytes(&a.path, 0, 0)?;
    let mut text = String::from_utf8(bytes).map_err(|_| Failure(format!("{}: not a UTF-8 text file", a.path)))?;
    let mut diff = format!("--- {0}\n+++ {0}\n", a.path);
    for (i, e) in a.edits.iter().enumerate() {
        let Some(at) = text.find(&e.old_text) else {
            return Err(Failure(format!("{}: edit {}: oldText not found: {:?}", a.path, i + 1, e.old_text)));
        };
        text.replace_range(at..at + e.old_text.len(), &e.new_text);
        diff.push_str(&preview(i, e));
    }
    if !a.dry_run {
        fs::write(&a.path, text).map_err(|e| io_fail(&a.path, e))?;
    }
    Ok(diff)
}

fn read_multiple_files(paths: &[String]) -> String {
    let blocks: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let content = match read_bytes(p, 0, 0) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(Failure(msg)) => format!("Error - {msg}"),
            };
            (p.clone(), content)
        })
        .collect();
    format_multiple_files(&blocks)
}

fn has_glob_chars(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

/// Pattern semantics: with glob characters, a glob over the entry name (or over the
/// path relative to the search root when the pattern contains `/`); without them, a
/// case-insensitive substring of the name.
struct Matcher {
    raw: String,
    glob: Option<glob::Pattern>,
}

impl Matcher {
    fn new(raw: &str) -> Matcher {
        let glob = if has_glob_chars(raw) { glob::Pattern::new(raw).ok() } else { None };
        Matcher { raw: raw.to_lowercase(), glob }
    }
    fn matches(&self, name: &str, rel: &str) -> bool {
        match &self.glob {
            Some(g) if self.raw.contains('/') => g.matches(rel),
            Some(g) => g.matches(name),
            None => name.to_lowercase().contains(&self.raw),
        }
    }
    /// Exclusions: plain names must equal a name or relative path exactly.
    fn excludes(&self, name: &str, rel: &str) -> bool {
        match &self.glob {
            Some(g) => g.matches(name) || g.matches(rel),
            None => name.to_lowercase() == self.raw || rel.to_lowercase() == self.raw.trim_matches('/'),
        }
    }
}

const MAX_SEARCH_RESULTS: usize = 10_000;

fn search_files(a: &SearchFilesArgs) -> Outcome {
    let root = absolute(&a.path);
    let meta = fs::metadata(&root).map_err(|e| io_fail(&a.path, e))?;
    if !meta.is_dir() {
        return Err(Failure(format!("{}: not a directory", a.path)));
    }
    let pattern = Matcher::new(&a.pattern);
    let excludes: Vec<Matcher> =
        a.exclude_patterns.as_ref().map(Patterns::to_vec).unwrap_or_default().iter().map(|p| Matcher::new(p)).collect();
    let mut found = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        // Unreadable subdirectories are skipped rather than failing the whole search.
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        let mut subdirs = Vec::new();
        for entry in entries {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = path.strip_prefix(&root).unwrap_or(&path).to_string_lossy().into_owned();
            if excludes.iter().any(|x| x.excludes(&name, &rel)) {
                continue;
            }
            if pattern.matches(&name, &rel) {
                found.push(path.to_string_lossy().into_owned());
                if found.len() >= MAX_SEARCH_RESULTS {
                    return Ok(found.join("\n"));
                }
            }
            // Symlinked directories are not followed: no loops, no escaping the search root.
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                subdirs.push(path);
            }
        }
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(found.join("\n"))
}
