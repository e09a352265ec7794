//! Request parameters: query string and form body merged into one map.
//!
//! Unknown parameter NAMES: every action has a list of the names the official
//! SDKs send (its request's `FIELDS` in the wire contract); any other name is refused with
//! `UnsupportedParameter`, so a newer SDK feature is never silently ignored.
//! The POP envelope fields (`Format`, `Version`, `Timestamp`,
//! `SignatureNonce`) and the telemetry/region fields (`SdkStats`,
//! `LoginRegionId`, `RegionId`) are accepted everywhere and ignored. Names
//! that are known but carry behaviour agentbay-local does not implement are
//! accepted only with their neutral value (checked by each action).

use super::error::ApiError;
use agentbay_wire::{field, form};
use std::collections::BTreeMap;

/// Accepted on every action and ignored.
const COMMON: &[&str] = &[
    field::ACTION,
    field::FORMAT,
    field::VERSION,
    field::TIMESTAMP,
    field::SIGNATURE_NONCE,
    field::AUTHORIZATION,
    field::SDK_STATS,
    field::LOGIN_REGION_ID,
    "RegionId",
];

#[derive(Debug, Default)]
pub struct Params {
    map: BTreeMap<String, String>,
}

fn add_pairs(map: &mut BTreeMap<String, String>, raw: &str, origin: &str) -> Result<(), ApiError> {
    for piece in raw.split('&').filter(|p| !p.is_empty()) {
        if !piece.contains('=') {
            return Err(ApiError::MalformedRequest(format!(
                "{origin} field '{}' has no '=' (expected application/x-www-form-urlencoded name=value pairs)",
                form::decode(piece).first().map(|p| p.0.as_str()).unwrap_or(piece)
            )));
        }
        for (k, v) in form::decode(piece) {
            if k.is_empty() {
                return Err(ApiError::MalformedRequest(format!("{origin} contains a field with an empty name")));
            }
            match map.get(&k) {
                Some(old) if *old != v => {
                    return Err(ApiError::invalid(&k, "given more than once with different values"));
                }
                _ => {
                    map.insert(k, v);
                }
            }
        }
    }
    Ok(())
}

impl Params {
    pub fn parse(query: Option<&str>, body: &[u8], content_type: Option<&str>) -> Result<Params, ApiError> {
        let mut map = BTreeMap::new();
        if let Some(q) = query {
            add_pairs(&mut map, q, "query")?;
        }
        if !body.is_empty() {
            if let Some(ct) = content_type {
                let mime = ct.split(';').next().unwrap_or("").trim();
                if !mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
                    return Err(ApiError::MalformedRequest(format!(
                        "unsupported Content-Type '{mime}'; send application/x-www-form-urlencoded"
                    )));
                }
            }
            let text = std::str::from_utf8(body)
                .map_err(|_| ApiError::MalformedRequest("the form body is not valid UTF-8".into()))?;
            add_pairs(&mut map, text.trim_end_matches(['\r', '\n']), "form")?;
        }
        Ok(Params { map })
    }

    /// Raw value, empty strings included.
    pub fn raw(&self, k: &str) -> Option<&str> {
        self.map.get(k).map(String::as_str)
    }

    /// Value, with an empty string counting as absent (the SDKs send `Server=`, `ImageId=`).
    pub fn get(&self, k: &str) -> Option<&str> {
        self.raw(k).filter(|v| !v.is_empty())
    }

    /// Refuses names the action does not know (see module doc).
    pub fn check_names(&self, action: &str, allowed: &[&str]) -> Result<(), ApiError> {
        for k in self.map.keys() {
            if COMMON.contains(&k.as_str()) || allowed.contains(&k.as_str()) {
                continue;
            }
            let reason = if k.starts_with("ExtraConfigs.") {
                "ExtraConfigs (mobile/browser settings) are not implemented".to_string()
            } else {
                format!("unknown parameter for {action}")
            };
            return Err(ApiError::unsupported(k, reason));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_and_decodes() {
        let p =
            Params::parse(Some("Action=GetContext&Version=2025-05-06"), b"Name=a+b&AllowCreate=True", None).unwrap();
        assert_eq!(p.get("Name"), Some("a b"));
        assert_eq!(p.get("AllowCreate"), Some("True"));
        assert!(Params::parse(None, b"Name", None).is_err());
        assert!(Params::parse(Some("Name=a"), b"Name=b", None).is_err());
        assert!(Params::parse(None, b"Name=a", Some("application/json")).is_err());
        assert!(Params::parse(None, &[0xff, b'=', b'1'], None).is_err());
    }
}
