//! Validation of the absolute session paths contexts are keyed by (`/mnt/data/hello.txt`).
//!
//! Paths arrive from the network and later become host file names under a
//! mount dir, so anything that could escape or alias (relative, `..`, `.`,
//! empty components, NUL, backslashes are fine but control chars are not) is refused.

/// Longest accepted path, in bytes (Linux PATH_MAX).
const MAX_LEN: usize = 4096;

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
    #[error("path contains a NUL or control character")]
    ControlChar,
    #[error("path is longer than {MAX_LEN} bytes")]
    TooLong,
    #[error("path must name a file, not '/'")]
    Root,
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
    if p.chars().any(|c| c.is_control()) {
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
        assert!(matches!(normalize_file("/"), Err(PathError::Root)));
    }

    #[test]
    fn within() {
        assert!(is_within("/mnt/data/a", "/mnt/data"));
        assert!(is_within("/mnt/data", "/mnt/data"));
        assert!(!is_within("/mnt/database", "/mnt/data"));
        assert!(is_within("/x", "/"));
    }
}
