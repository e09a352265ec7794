//! Small helpers: random ids, wall-clock formatting, poison-tolerant locks, the
//! server's private files and what a crashed task says.

use std::time::{SystemTime, UNIX_EPOCH};

/// `n` random bytes as lowercase hex. The OS RNG failing is not recoverable.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("OS random number generator unavailable");
    hex::encode(buf)
}

/// Locks a `std` mutex. A panic while it was held (caught, see `api::call::caught`) leaves data
/// every user here can still read consistently, so a poisoned lock is simply taken over.
pub fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Creates `dir` (and its parents) if needed and makes it readable by the server only.
/// Returns `dir`, for chaining.
pub fn private_dir(dir: &std::path::Path) -> std::io::Result<&std::path::Path> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    Ok(dir)
}

/// Writes a secret (the presign key, the generated API key) readable by the server only:
/// 0600, through a temporary file renamed into place, so a crash never leaves half of it.
pub fn write_secret(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::options().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
    f.write_all(content.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

pub fn request_id() -> String {
    let h = random_hex(16);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]).to_uppercase()
}

pub fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// RFC 3339 UTC (`2026-11-30T19:09:01Z`), the shape the cloud uses for context times.
pub use agentbay_wire::time::rfc3339;

/// What a crashed task says (a request handler's or a sync task's: a panic there is reported
/// as an error, never an abort).
pub fn panic_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => {
            let msg = p
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| p.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            format!("the request handler panicked: {msg}")
        }
        Err(e) => format!("the request handler did not finish: {e}"),
    }
}
