//! The fixed environments of what the server starts for a sandbox: bwrap and slirp4netns
//! run with [`bwrap_env`] alone, and the sandbox user's own environment (`helper::base_env`)
//! starts from the same [`PATH_ENV`]. Nothing a session or a request supplies is in them.

pub const PATH_ENV: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The only environment bwrap itself runs with.
pub fn bwrap_env() -> [(&'static str, &'static str); 2] {
    [("PATH", PATH_ENV), ("LANG", "C.UTF-8")]
}
