//! Presigned URLs served by agentbay-local itself.
//!
//! A URL authorises exactly one operation until its expiry: `get` or `put` on one context
//! file, or `view` of one session's status page (a session's `resourceUrl`). The signature is
//! HMAC-SHA256 over (op, subject, path, expiry) with a secret kept in the data dir, so URLs
//! survive restarts and cannot be forged or altered.

use agentbay_wire::form;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::path::Path;

/// Lifetime of a URL: 1 h, as the cloud documents.
pub const DEFAULT_TTL_SECS: u64 = 3600;
/// Route the file URLs point at.
pub const ROUTE: &str = "/files";
/// Route of the session status pages (`resourceUrl`).
pub const VIEW_ROUTE: &str = "/session";
/// Lifetime of a `resourceUrl`: a day, longer than any session lives by default.
pub const VIEW_TTL_SECS: u64 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Get,
    Put,
    /// A session's status page; the subject is the session id.
    View,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Get => "get",
            Op::Put => "put",
            Op::View => "view",
        }
    }
}

/// Why a request to [`ROUTE`] is refused (`api/error.rs` gives each its wire code).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PresignError {
    /// Parameters missing or altered, or a signature that is not this server's.
    #[error("the URL signature does not match")]
    BadSignature,
    /// A URL used with the other method; holds the method it is for.
    #[error("this URL is for {0} requests")]
    WrongMethod(&'static str),
    #[error("the URL expired at {0} (unix seconds)")]
    UrlExpired(u64),
}

pub struct Presigner {
    key: Vec<u8>,
    pub ttl_secs: u64,
}

/// What a verified URL grants.
#[derive(Debug, PartialEq, Eq)]
pub struct Grant {
    pub context_id: String,
    pub path: String,
}

impl Presigner {
    /// Loads `<data>/presign.key`, creating it (0600, written atomically) on first start.
    pub fn load_or_create(data_dir: &Path) -> std::io::Result<Presigner> {
        let path = data_dir.join("presign.key");
        let key = match std::fs::read_to_string(&path) {
            Ok(s) => hex::decode(s.trim()).map_err(|e| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display()))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let hexkey = crate::util::random_hex(32);
                crate::util::write_secret(&path, &hexkey)?;
                hex::decode(hexkey).unwrap_or_default()
            }
            Err(e) => return Err(e),
        };
        Ok(Presigner { key, ttl_secs: DEFAULT_TTL_SECS })
    }

    fn mac(&self, op: Op, ctx: &str, path: &str, expires: u64) -> Hmac<Sha256> {
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("HMAC accepts any key length");
        m.update(format!("agentbay-local/v1\n{}\n{ctx}\n{path}\n{expires}", op.as_str()).as_bytes());
        m
    }

    /// `base` is `scheme://host[:port]`.
    pub fn url(&self, base: &str, op: Op, ctx: &str, path: &str, expires: u64) -> String {
        let sig = hex::encode(self.mac(op, ctx, path, expires).finalize().into_bytes());
        let q = form::encode([
            ("op", op.as_str()),
            ("ctx", ctx),
            ("path", path),
            ("expires", &expires.to_string()),
            ("sig", &sig),
        ]);
        format!("{base}{ROUTE}?{q}")
    }

    /// The `resourceUrl` of session `id`: its status page until `expires`.
    pub fn view_url(&self, base: &str, id: &str, expires: u64) -> String {
        let sig = hex::encode(self.mac(Op::View, id, "", expires).finalize().into_bytes());
        let q = form::encode([("id", id), ("expires", &expires.to_string()), ("sig", &sig)]);
        format!("{base}{VIEW_ROUTE}?{q}")
    }

    /// Checks a request to [`VIEW_ROUTE`]; gives the session id it grants.
    pub fn verify_view(&self, query: &str, now: u64) -> Result<String, PresignError> {
        let pairs = form::decode(query);
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let (Some(id), Some(expires), Some(sig)) = (get("id"), get("expires"), get("sig")) else {
            return Err(PresignError::BadSignature);
        };
        let expires: u64 = expires.parse().map_err(|_| PresignError::BadSignature)?;
        let sig = hex::decode(sig).map_err(|_| PresignError::BadSignature)?;
        self.mac(Op::View, id, "", expires).verify_slice(&sig).map_err(|_| PresignError::BadSignature)?;
        if now >= expires {
            return Err(PresignError::UrlExpired(expires));
        }
        Ok(id.into())
    }

    /// Checks a request to [`ROUTE`] made with method `op`.
    pub fn verify(&self, op: Op, query: &str, now: u64) -> Result<Grant, PresignError> {
        let pairs = form::decode(query);
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let (Some(url_op), Some(ctx), Some(path), Some(expires), Some(sig)) =
            (get("op"), get("ctx"), get("path"), get("expires"), get("sig"))
        else {
            return Err(PresignError::BadSignature);
        };
        if url_op != op.as_str() {
            return Err(PresignError::WrongMethod(if url_op == "put" { "PUT" } else { "GET" }));
        }
        let expires: u64 = expires.parse().map_err(|_| PresignError::BadSignature)?;
        let sig = hex::decode(sig).map_err(|_| PresignError::BadSignature)?;
        self.mac(op, ctx, path, expires).verify_slice(&sig).map_err(|_| PresignError::BadSignature)?;
        if now >= expires {
            return Err(PresignError::UrlExpired(expires));
        }
        Ok(Grant { context_id: ctx.into(), path: path.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_tamper_expire() {
        let d = tempfile::tempdir().unwrap();
        let p = Presigner::load_or_create(d.path()).unwrap();
        let url = p.url("http://h", Op::Put, "ctx-1", "/mnt/data/a b.txt", 1000);
        let q = url.split_once('?').unwrap().1;
        assert_eq!(
            p.verify(Op::Put, q, 999).unwrap(),
            Grant { context_id: "ctx-1".into(), path: "/mnt/data/a b.txt".into() }
        );
        assert!(matches!(p.verify(Op::Put, q, 1000), Err(PresignError::UrlExpired(1000))));
        assert!(matches!(p.verify(Op::Put, &q.replace("a%20b", "c"), 1), Err(PresignError::BadSignature)));
        assert!(matches!(
            p.verify(Op::Put, &q.replace("expires=1000", "expires=9999"), 1),
            Err(PresignError::BadSignature)
        ));
        assert!(p.verify(Op::Get, q, 1).is_err());
        // The key persists: a second load verifies the same URL.
        let p2 = Presigner::load_or_create(d.path()).unwrap();
        assert!(p2.verify(Op::Put, q, 999).is_ok());
    }

    #[test]
    fn view_urls_grant_one_session_and_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        let p = Presigner::load_or_create(d.path()).unwrap();
        let url = p.view_url("http://h", "s-1", 1000);
        assert!(url.starts_with("http://h/session?"), "{url}");
        let q = url.split_once('?').unwrap().1;
        assert_eq!(p.verify_view(q, 999).unwrap(), "s-1");
        assert!(matches!(p.verify_view(q, 1000), Err(PresignError::UrlExpired(1000))));
        assert!(matches!(p.verify_view(&q.replace("s-1", "s-2"), 1), Err(PresignError::BadSignature)));
        // A view signature is no file grant, and a file signature is no view grant.
        let file = p.url("http://h", Op::Get, "s-1", "", 1000);
        assert!(p.verify_view(file.split_once('?').unwrap().1, 1).is_err());
        assert!(p.verify(Op::Get, q, 1).is_err());
    }
}
