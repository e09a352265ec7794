//! Which absolute paths a context may be mounted at.

/// Directories the sandbox provides itself (read-only system trees, kernel filesystems,
/// the helper's private directory); a context mounted over them would break the sandbox.
const RESERVED: &[&str] =
    &["/usr", "/etc", "/proc", "/dev", "/sys", "/bin", "/lib", "/lib32", "/lib64", "/libx32", "/sbin", "/.agentbay"];

/// Longest accepted mount path, in bytes (Linux PATH_MAX).
const MAX_LEN: usize = 4096;

/// Rejects mount paths that cannot or must not be mounted. A single trailing `/` is
/// tolerated (`/mnt/data/` means `/mnt/data`); see [`normalize_mount_path`].
pub fn validate_mount_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("mount path is empty".into());
    }
    if path.len() > MAX_LEN {
        return Err(format!("mount path is longer than {MAX_LEN} bytes"));
    }
    if !path.starts_with('/') {
        return Err("mount path must be absolute (start with '/')".into());
    }
    if path.chars().any(|c| c.is_control()) {
        return Err("mount path must not contain control characters".into());
    }
    let norm = normalize_mount_path(path);
    if norm == "/" {
        return Err("the sandbox root '/' cannot be a mount path".into());
    }
    for comp in norm[1..].split('/') {
        match comp {
            "" => return Err("mount path must not contain empty components ('//')".into()),
            "." | ".." => return Err("mount path must not contain '.' or '..' components".into()),
            _ => {}
        }
    }
    for r in RESERVED {
        if norm == *r || norm.starts_with(&format!("{r}/")) {
            return Err(format!("{r} is reserved by the sandbox and cannot hold a mount"));
        }
    }
    Ok(())
}

/// `/mnt/data/` → `/mnt/data`.
pub fn normalize_mount_path(path: &str) -> &str {
    if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    }
}

/// True when `child` lies strictly below `parent` (component-wise).
pub fn is_under(child: &str, parent: &str) -> bool {
    child.len() > parent.len() && child.starts_with(parent) && child.as_bytes()[parent.len()] == b'/'
}

#[cfg(test)]
mod tests {
    use super::is_under;

    #[test]
    fn under() {
        assert!(is_under("/mnt/data/x", "/mnt/data"));
        assert!(!is_under("/mnt/database", "/mnt/data"));
        assert!(!is_under("/mnt/data", "/mnt/data"));
    }
}
