//! `application/x-www-form-urlencoded` encoding and POP-style value rules.
//!
//! The official SDKs put every parameter in a form body or the query string;
//! both sides use these helpers so encoding rules (booleans, `+` vs `%20`)
//! are decided once.

/// Encodes `(name, value)` pairs as a form body / query string. Spaces become `%20`
/// like the TS SDK (decoders accept both `%20` and `+`).
pub fn encode<'a, I>(pairs: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut out = String::new();
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode_into(k, &mut out);
        out.push('=');
        percent_encode_into(v, &mut out);
    }
    out
}

fn percent_encode_into(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => {
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
}

/// Decodes a form body or query string. `+` is a space; malformed `%` escapes
/// are kept literally rather than rejected, as browsers and `form_urlencoded` do.
pub fn decode(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Wire spelling of a boolean as the TS and Go SDKs send it.
pub fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// Parses a boolean case-insensitively (`True` from Python, `true` from TS/Go).
pub fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    // Under wasm32 these run in Node and Chromium (scripts/test.sh), as the SDK does.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn round_trip_and_plus() {
        let enc = encode([("Authorization", "Bearer akm-x"), ("Labels", r#"{"a":"b c"}"#)]);
        assert_eq!(enc, "Authorization=Bearer%20akm-x&Labels=%7B%22a%22%3A%22b%20c%22%7D");
        let dec = decode(&enc);
        assert_eq!(dec[0], ("Authorization".into(), "Bearer akm-x".into()));
        assert_eq!(dec[1].1, r#"{"a":"b c"}"#);
        assert_eq!(decode("A=Bearer+k&B=%zz%4")[0].1, "Bearer k");
        assert_eq!(decode("B=%zz%4")[0].1, "%zz%4");
        assert_eq!(decode("B=%E4%B8%8B")[0].1, "下");
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("True"), Some(true));
        assert_eq!(parse_bool("FALSE"), Some(false));
        assert_eq!(parse_bool("1"), None);
    }
}
