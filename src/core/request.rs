//! POP RPC request building (reference §1.2, §1.8): `POST /?Action=…&Format=json&
//! Version=…&Timestamp=…&SignatureNonce=…[&per-action query fields]` with a form body.

use super::config::Config;
use super::runtime::HttpRequest;
use super::wire::{action::Action, field, form, API_VERSION};
use std::collections::BTreeMap;

/// Parameters of one action. The body is sorted by name, as the official client emits it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    query: Vec<(&'static str, String)>,
    body: BTreeMap<&'static str, String>,
}

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a body field.
    pub fn set(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.body.insert(name, value.into());
        self
    }

    /// Adds a body field only when it is present and non-empty (the SDKs omit empty filters).
    pub fn set_opt(self, name: &'static str, value: Option<&str>) -> Self {
        match value.filter(|v| !v.is_empty()) {
            Some(v) => self.set(name, v),
            None => self,
        }
    }

    pub fn set_bool(self, name: &'static str, value: bool) -> Self {
        self.set(name, form::bool_str(value))
    }

    /// Adds a query-string field (after the common ones).
    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.body
            .get(name)
            .map(String::as_str)
            .or_else(|| self.query.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str()))
    }
}

/// Where `Authorization` and `SessionId` go for each action (§1.8).
fn auth_in_query(action: Action) -> bool {
    matches!(action, Action::SyncContext)
}

fn session_id_in_query(action: Action) -> bool {
    matches!(action, Action::GetSessionDetail)
}

/// Builds the HTTP request. `timestamp` is `yyyy-MM-ddTHH:mm:ssZ`; `nonce` is any hex.
pub fn build(cfg: &Config, action: Action, params: &Params, timestamp: &str, nonce: &str) -> HttpRequest {
    let mut body = params.body.clone();
    let mut query: Vec<(&str, String)> = vec![
        (field::ACTION, action.as_str().to_string()),
        (field::FORMAT, "json".into()),
        (field::VERSION, API_VERSION.into()),
        (field::TIMESTAMP, timestamp.into()),
        (field::SIGNATURE_NONCE, nonce.into()),
    ];
    if session_id_in_query(action) {
        if let Some(id) = body.remove(field::SESSION_ID) {
            query.push((field::SESSION_ID, id));
        }
    }
    let auth = format!("{}{}", field::BEARER_PREFIX, cfg.api_key);
    if auth_in_query(action) {
        query.push((field::AUTHORIZATION, auth));
    } else {
        body.insert(field::AUTHORIZATION, auth);
    }
    query.extend(params.query.iter().map(|(k, v)| (*k, v.clone())));
    let qs = form::encode(query.iter().map(|(k, v)| (*k, v.as_str())));
    let body = form::encode(body.iter().map(|(k, v)| (*k, v.as_str())));
    HttpRequest {
        method: "POST",
        url: format!("{}/?{}", cfg.base_url, qs),
        headers: vec![
            ("x-acs-version".into(), API_VERSION.into()),
            ("x-acs-action".into(), action.as_str().into()),
            ("content-type".into(), "application/x-www-form-urlencoded".into()),
        ],
        body: Some(body.into_bytes()),
    }
}

/// `yyyy-MM-ddTHH:mm:ssZ` for a Unix time in milliseconds (civil-from-days, proleptic Gregorian).
pub fn utc_timestamp(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// SplitMix64 step: nonces only need to differ between requests (nothing signs them).
pub fn next_nonce(state: &mut u64) -> String {
    let mut out = String::with_capacity(32);
    for _ in 0..2 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.push_str(&format!("{:016x}", z ^ (z >> 31)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_timestamp(1_796_060_105_000), "2026-11-30T17:35:05Z");
        assert_eq!(utc_timestamp(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn nonces_differ() {
        let mut s = 1;
        let a = next_nonce(&mut s);
        assert_eq!(a.len(), 32);
        assert_ne!(a, next_nonce(&mut s));
    }
}
