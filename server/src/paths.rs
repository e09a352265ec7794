//! Validation of the absolute session paths contexts are keyed by (`/mnt/data/hello.txt`).
//!
//! Paths arrive from the network and later become host file names under a
//! mount dir, so anything that could escape or alias (relative, `..`, `.`,
//! empty components, NUL, backslashes are fine but control chars are not) is refused.
//! Context file paths may also be Windows drive paths; see [`normalize_context`].

/// Longest accepted path, in bytes (Linux PATH_MAX).
pub const MAX_LEN: usize = 4096;
/// Longest accepted path component, in bytes (Linux NAME_MAX): a longer one could be
/// stored but never written into a session.
pub const MAX_COMPONENT: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("path is empty")]
    Empty,
    #[error("path '{0}' is not absolute (must start with '/')")]
    Relative(String),
    #[error("path '{0}' contains a '.' or '..' component")]
    DotComponent(String),
    #[error("path '{0}' contains an empty component ('//')")]
    EmptyComponent(String),
    #[error("path contains a NUL character")]
    ControlChar,
    #[error("path '{0}' has a component longer than 255 bytes")]
    ComponentTooLong(String),
    #[error("path is longer than {MAX_LEN} bytes")]
    TooLong,
    #[error("path must name a file, not '/'")]
    Root,
    #[error("path '{0}' is drive-relative (write it as 'X:\\...' with a separator after the drive)")]
    DriveRelative(String),
    #[error("path '{0}' has a ':' inside a Windows file name (alternate data streams are not files)")]
    WindowsStream(String),
}

/// Validates and normalises an absolute path: a single trailing `/` is dropped;
/// `/` itself is returned as `/`.
pub fn normalize(p: &str) -> Result<String, PathError> {
    if p.is_empty() {
        return Err(PathError::Empty);
    }
    if p.len() > MAX_LEN {
        return Err(PathError::TooLong);
    }
    // Other control characters are legal in file names; a session may create them, so the
    // file API must be able to name them too.
    if p.contains('\0') {
        return Err(PathError::ControlChar);
    }
    if !p.starts_with('/') {
        return Err(PathError::Relative(p.into()));
    }
    if p == "/" {
        return Ok("/".into());
    }
    let trimmed = p.strip_suffix('/').unwrap_or(p);
    for comp in trimmed[1..].split('/') {
        match comp {
            "" => return Err(PathError::EmptyComponent(p.into())),
            "." | ".." => return Err(PathError::DotComponent(p.into())),
            c if c.len() > MAX_COMPONENT => return Err(PathError::ComponentTooLong(p.into())),
            _ => {}
        }
    }
    Ok(trimmed.into())
}

/// Like [`normalize`] but refuses `/` (a file path).
pub fn normalize_file(p: &str) -> Result<String, PathError> {
    let n = normalize(p)?;
    if n == "/" {
        return Err(PathError::Root);
    }
    Ok(n)
}

/// Like [`normalize`], but also accepts Windows drive paths for context files
/// (`c:\Users\Administrator\Downloads`, `C:/Users/...`), so a file uploaded for a
/// Windows desktop and a Linux session mapping that path (mappingPolicy) address one
/// stored file.
///
/// Canonical stored form of a Windows path: `/<drive letter, lower case>:/<components>`
/// with `/` separators and the components' case kept (`/c:/Users/Administrator/Downloads`).
/// The Linux spelling of that form (`/C:/Users/...`) is canonicalised the same way.
/// Drive-relative (`c:foo`), UNC (`\\server\share`), `.`/`..` and empty
/// components, and `:` inside names are refused.
pub fn normalize_context(p: &str) -> Result<String, PathError> {
    let b = p.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        let rest = &p[2..];
        if !rest.starts_with(['\\', '/']) {
            return Err(PathError::DriveRelative(p.into()));
        }
        let linux = format!("/{}:{}", (b[0] as char).to_ascii_lowercase(), rest.replace('\\', "/"));
        let n = normalize(&linux).map_err(|e| match e {
            PathError::DotComponent(_) => PathError::DotComponent(p.into()),
            PathError::EmptyComponent(_) => PathError::EmptyComponent(p.into()),
            other => other,
        })?;
        if n[3..].contains(':') {
            return Err(PathError::WindowsStream(p.into()));
        }
        return Ok(n);
    }
    let mut n = normalize(p)?;
    let nb = n.as_bytes();
    if nb.len() >= 3 && nb[1].is_ascii_uppercase() && nb[2] == b':' && (nb.len() == 3 || nb[3] == b'/') {
        n.replace_range(1..2, &(nb[1] as char).to_ascii_lowercase().to_string());
    }
    Ok(n)
}

/// Like [`normalize_context`] but refuses `/` (a file path).
pub fn normalize_context_file(p: &str) -> Result<String, PathError> {
    let n = normalize_context(p)?;
    if n == "/" {
        return Err(PathError::Root);
    }
    Ok(n)
}

/// Whether `path` is `dir` itself or lies below it (both normalised).
pub fn is_within(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || (path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(normalize("/mnt/data/").unwrap(), "/mnt/data");
        assert_eq!(normalize("/").unwrap(), "/");
        assert_eq!(normalize("/home/wuying/下载/a b.txt").unwrap(), "/home/wuying/下载/a b.txt");
    }

    #[test]
    fn refuses_escapes() {
        assert!(matches!(normalize("mnt/data"), Err(PathError::Relative(_))));
        assert!(matches!(normalize("/mnt/../etc"), Err(PathError::DotComponent(_))));
        assert!(matches!(normalize("/mnt/./x"), Err(PathError::DotComponent(_))));
        assert!(matches!(normalize("/mnt//x"), Err(PathError::EmptyComponent(_))));
        assert!(matches!(normalize("/mnt/\0x"), Err(PathError::ControlChar)));
        assert!(matches!(normalize(""), Err(PathError::Empty)));
        assert!(matches!(normalize(&format!("/m/{}", "x".repeat(256))), Err(PathError::ComponentTooLong(_))));
        assert!(normalize(&format!("/m/{}", "x".repeat(255))).is_ok());
        assert_eq!(normalize("/m/a\nb\tc").unwrap(), "/m/a\nb\tc", "control characters other than NUL are names");
        assert!(matches!(normalize_file("/"), Err(PathError::Root)));
    }

    #[test]
    fn windows_paths_share_one_canonical_form() {
        let canon = "/c:/Users/Administrator/Downloads/a.txt";
        for p in [
            r"c:\Users\Administrator\Downloads\a.txt",
            r"C:\Users\Administrator\Downloads\a.txt",
            "C:/Users/Administrator/Downloads/a.txt",
            "/C:/Users/Administrator/Downloads/a.txt",
            canon,
        ] {
            assert_eq!(normalize_context(p).unwrap(), canon, "{p}");
        }
        assert_eq!(normalize_context(r"c:\Users\").unwrap(), "/c:/Users");
        assert_eq!(normalize_context(r"D:\").unwrap(), "/d:");
        // Linux paths are unchanged, backslashes included.
        assert_eq!(normalize_context(r"/mnt/a\b").unwrap(), r"/mnt/a\b");
        assert_eq!(normalize_context("/Cx/a").unwrap(), "/Cx/a");
    }

    #[test]
    fn windows_escapes_are_refused() {
        assert!(matches!(normalize_context(r"c:\Users\..\x"), Err(PathError::DotComponent(_))));
        assert!(matches!(normalize_context(r"c:/Users/./x"), Err(PathError::DotComponent(_))));
        assert!(matches!(normalize_context(r"c:\Users\\x"), Err(PathError::EmptyComponent(_))));
        assert!(matches!(normalize_context("c:Users"), Err(PathError::DriveRelative(_))));
        assert!(matches!(normalize_context("c:"), Err(PathError::DriveRelative(_))));
        assert!(matches!(normalize_context(r"c:\a\b.txt:secret"), Err(PathError::WindowsStream(_))));
        assert!(matches!(normalize_context(r"\\server\share\a"), Err(PathError::Relative(_))));
        assert!(matches!(normalize_context(r"\Users\a"), Err(PathError::Relative(_))));
        assert!(matches!(normalize_context_file(r"c:\"), Ok(p) if p == "/c:"));
    }

    #[test]
    fn within() {
        assert!(is_within("/mnt/data/a", "/mnt/data"));
        assert!(is_within("/mnt/data", "/mnt/data"));
        assert!(!is_within("/mnt/database", "/mnt/data"));
        assert!(is_within("/x", "/"));
    }
}
