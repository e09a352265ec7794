//! POP RPC request building: `POST /?Action=…&Format=json&
//! Version=…&Timestamp=…&SignatureNonce=…[&per-action query fields]` with a form body.

use super::config::Config;
use super::runtime::HttpRequest;
use super::wire::{action::Action, field, form, API_VERSION};

/// Where `Authorization` and `SessionId` go: in the query for SyncContext, as the official SDKs
/// send it, and in the form body for every other action.
fn auth_in_query(action: Action) -> bool {
    matches!(action, Action::SyncContext)
}

fn session_id_in_query(action: Action) -> bool {
    matches!(action, Action::GetSessionDetail)
}

/// Builds the HTTP request of `req`, signed with the configured API key. `timestamp` is
/// `yyyy-MM-ddTHH:mm:ssZ`; `nonce` is any hex. The body is sorted by field name, as the official
/// client emits it.
pub fn build(
    cfg: &Config,
    action: Action,
    fields: Vec<(&'static str, String)>,
    timestamp: &str,
    nonce: &str,
) -> HttpRequest {
    build_with(cfg, &cfg.api_key, action, fields, timestamp, nonce)
}

/// [`build`] with `key` as the `Authorization` credential (`Bearer <key>`); an empty `key` sends
/// no `Authorization` field at all (a proxy in front of the server adds it).
pub fn build_with(
    cfg: &Config,
    key: &str,
    action: Action,
    fields: Vec<(&'static str, String)>,
    timestamp: &str,
    nonce: &str,
) -> HttpRequest {
    // A Vec kept sorted by name, not a BTreeMap: the body is a handful of fields, and a map of its
    // own key type put its insert and remove into the .wasm (BENCHMARKS.md, "Size of the .wasm").
    let mut body: Vec<(&str, String)> = Vec::with_capacity(fields.len() + 1);
    for (k, v) in fields {
        put(&mut body, k, v);
    }
    let mut query: Vec<(&str, String)> = vec![
        (field::ACTION, action.as_str().to_string()),
        (field::FORMAT, "json".into()),
        (field::VERSION, API_VERSION.into()),
        (field::TIMESTAMP, timestamp.into()),
        (field::SIGNATURE_NONCE, nonce.into()),
    ];
    if session_id_in_query(action) {
        if let Ok(i) = find(&body, field::SESSION_ID) {
            query.push((field::SESSION_ID, body.remove(i).1));
        }
    }
    if !key.is_empty() {
        let auth = format!("{}{}", field::BEARER_PREFIX, key);
        if auth_in_query(action) {
            query.push((field::AUTHORIZATION, auth));
        } else {
            put(&mut body, field::AUTHORIZATION, auth);
        }
    }
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

/// Where `name` is in `fields` (sorted by name), or where it would go.
fn find(fields: &[(&str, String)], name: &str) -> Result<usize, usize> {
    fields.binary_search_by(|(k, _)| (*k).cmp(name))
}

/// Sets `name` to `value` in `fields`, keeping them sorted by name (a later value wins, as a
/// map's insert would).
fn put<'a>(fields: &mut Vec<(&'a str, String)>, name: &'a str, value: String) {
    match find(fields, name) {
        Ok(i) => fields[i].1 = value,
        Err(i) => fields.insert(i, (name, value)),
    }
}

/// `yyyy-MM-ddTHH:mm:ssZ` for a Unix time in milliseconds.
pub fn utc_timestamp(ms: u64) -> String {
    crate::core::wire::time::rfc3339((ms / 1000) as i64)
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
    // Under wasm32 these run in Node and Chromium (scripts/test.sh).
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn timestamps() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_timestamp(1_796_060_105_000), "2026-11-30T17:35:05Z");
        assert_eq!(utc_timestamp(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn an_empty_key_sends_no_authorization() {
        let cfg = Config {
            api_key: String::new(),
            base_url: "http://h/agentbay".into(),
            region_id: None,
            timeout_ms: 1,
            max_response_bytes: 1,
            max_download_bytes: 1,
        };
        let r = build(&cfg, Action::ListContexts, vec![("MaxResults", "1".into())], "T", "N");
        let body = String::from_utf8(r.body.unwrap()).unwrap();
        assert!(r.url.starts_with("http://h/agentbay/?Action=ListContexts&"), "{}", r.url);
        assert!(!body.contains("Authorization") && !r.url.contains("Authorization"), "{body}");
        let r = build_with(&cfg, "tok", Action::SyncContext, vec![], "T", "N");
        assert!(r.url.contains("Authorization=Bearer%20tok"), "{}", r.url);
    }

    #[test]
    fn the_body_is_sorted_by_name_and_a_later_field_wins() {
        let cfg = Config {
            api_key: "k".into(),
            base_url: "http://h".into(),
            region_id: None,
            timeout_ms: 1,
            max_response_bytes: 1,
            max_download_bytes: 1,
        };
        let fields = vec![("b", "1".into()), ("SessionId", "s".into()), ("a", "2".into()), ("b", "3".into())];
        let r = build(&cfg, Action::ListContexts, fields.clone(), "T", "N");
        assert_eq!(String::from_utf8(r.body.unwrap()).unwrap(), "Authorization=Bearer%20k&SessionId=s&a=2&b=3");
        // GetSessionDetail moves SessionId to the query and leaves the rest of the body sorted.
        let r = build(&cfg, Action::GetSessionDetail, fields, "T", "N");
        assert!(r.url.ends_with("&SessionId=s"), "{}", r.url);
        assert_eq!(String::from_utf8(r.body.unwrap()).unwrap(), "Authorization=Bearer%20k&a=2&b=3");
    }

    #[test]
    fn nonces_differ() {
        let mut s = 1;
        let a = next_nonce(&mut s);
        assert_eq!(a.len(), 32);
        assert_ne!(a, next_nonce(&mut s));
    }
}
