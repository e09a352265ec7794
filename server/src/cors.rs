//! CORS, so browser pages on another origin (a Vite dev server, a hosted app) can call the API
//! and the presigned file URLs with `fetch`.
//!
//! A small middleware rather than tower-http's `CorsLayer`: that layer answers every `OPTIONS` as a
//! preflight with 200 and adds Allow-Methods/Max-Age/Expose-Headers even for origins it refuses; here a
//! preflight is answered 204 and a refused origin gets no `Access-Control-*` header at all.
//!
//! `*` is safe as the loopback default because nothing here rides on ambient credentials: every call
//! carries its API key (or a signed URL) explicitly, cookies are never read, and
//! `Access-Control-Allow-Credentials` is never sent.

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// Which browser origins may call the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Cors {
    /// Any origin (`*`) when listening on a loopback address; off otherwise, since a server
    /// reachable from the network should name the pages it serves (`--cors-origin`).
    #[default]
    Auto,
    /// No CORS headers; `OPTIONS` reaches the API like any other method.
    Off,
    /// Only these origins (`scheme://host[:port]`); the single entry `*` allows any origin.
    Origins(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorsError {
    #[error("CORS origin '{0}' is not an origin: expected scheme://host[:port] (no path, query or user), or '*'")]
    NotAnOrigin(String),
    #[error("CORS origin '*' allows every origin; give it alone, not with other origins")]
    WildcardWithOthers,
    #[error("CORS origin list is empty; use Cors::Off to disable CORS")]
    Empty,
}

/// Methods the API and the presigned URLs answer.
const ALLOW_METHODS: HeaderValue = HeaderValue::from_static("GET, POST, PUT, OPTIONS");
/// The SDK reads only status and body. Content-Length is exposed for download progress in browsers
/// that predate its safelisting.
const EXPOSE_HEADERS: HeaderValue = HeaderValue::from_static("content-length");
/// Chromium's cap (2 h): preflights are re-sent at most that often per URL.
const MAX_AGE: HeaderValue = HeaderValue::from_static("7200");

/// Normalises an origin the way browsers serialise the `Origin` header: lower-case scheme and host,
/// no default port, no trailing `/` (accepted because it is the usual typo).
pub fn parse_origin(s: &str) -> Result<String, CorsError> {
    let bad = || CorsError::NotAnOrigin(s.to_string());
    let t = s.trim();
    let t = t.strip_suffix('/').unwrap_or(t);
    let (scheme, rest) = t.split_once("://").ok_or_else(bad)?;
    let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    if !scheme_ok || rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
        return Err(bad());
    }
    let (host, port) = match rest.rfind(':') {
        // An IPv6 literal's colons are inside brackets; a port follows the closing one.
        Some(i) if !rest[i..].contains(']') => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-_[]:".contains(c))
        && (host.contains(':') == (host.starts_with('[') && host.ends_with(']')));
    if !host_ok {
        return Err(bad());
    }
    let scheme = scheme.to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(0) | Err(_) => return Err(bad()),
            Ok(n) if (scheme == "http" && n == 80) || (scheme == "https" && n == 443) => None,
            Ok(n) => Some(n),
        },
    };
    Ok(match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

/// What the middleware enforces, resolved from [`Cors`] and the listen address.
#[derive(Debug, Clone)]
pub enum Rules {
    Any,
    List(Vec<HeaderValue>),
}

impl Cors {
    /// `None` when CORS is off.
    pub fn resolve(&self, listen: SocketAddr) -> Result<Option<Rules>, CorsError> {
        match self {
            Cors::Off => Ok(None),
            Cors::Auto => Ok(listen.ip().is_loopback().then_some(Rules::Any)),
            Cors::Origins(list) if list.is_empty() => Err(CorsError::Empty),
            Cors::Origins(list) if list.iter().any(|o| o.trim() == "*") => {
                if list.len() == 1 {
                    Ok(Some(Rules::Any))
                } else {
                    Err(CorsError::WildcardWithOthers)
                }
            }
            Cors::Origins(list) => {
                let mut out = Vec::with_capacity(list.len());
                for o in list {
                    let norm = parse_origin(o)?;
                    let v = HeaderValue::from_str(&norm).map_err(|_| CorsError::NotAnOrigin(o.clone()))?;
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
                Ok(Some(Rules::List(out)))
            }
        }
    }
}

impl Rules {
    /// The `Access-Control-Allow-Origin` value for a request, if its origin is allowed.
    fn allow(&self, origin: Option<&HeaderValue>) -> Option<HeaderValue> {
        match self {
            Rules::Any => Some(HeaderValue::from_static("*")),
            // Browsers send the origin serialised exactly as `parse_origin` normalises it.
            Rules::List(list) => origin.filter(|o| list.contains(o)).cloned(),
        }
    }
}

fn add_vary(h: &mut HeaderMap, name: &'static str) {
    h.append(header::VARY, HeaderValue::from_static(name));
}

/// The middleware (installed with `axum::middleware::from_fn_with_state`).
pub async fn apply(State(rules): State<Arc<Rules>>, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let allowed = rules.allow(origin.as_ref());
    let preflight = req.method() == Method::OPTIONS
        && origin.is_some()
        && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        // Answered here: it is not an API call, so it needs no key and gets no envelope.
        let mut res = StatusCode::NO_CONTENT.into_response();
        let h = res.headers_mut();
        if matches!(*rules, Rules::List(_)) {
            add_vary(h, "origin");
        }
        add_vary(h, "access-control-request-headers");
        if let Some(a) = allowed {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, a);
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
            // Echoed: the official SDKs' browser builds send various x-acs-* and signing headers,
            // and every call is authorised by its key anyway.
            if let Some(asked) = req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
                h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
            }
            h.insert(header::ACCESS_CONTROL_MAX_AGE, MAX_AGE);
            // Chrome's Private Network Access: a page on a public origin asks before it may reach
            // a loopback or LAN server; an allowed origin may.
            let pna = req.headers().get("access-control-request-private-network");
            if pna.is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true")) {
                h.insert("access-control-allow-private-network", HeaderValue::from_static("true"));
            }
        }
        return res;
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if matches!(*rules, Rules::List(_)) {
        // Also without an Origin: a cached no-cors response must not be reused for a CORS fetch.
        add_vary(h, "origin");
    }
    if let Some(a) = allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, a);
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_like_browsers_send_them() {
        assert_eq!(parse_origin("http://localhost:5173").unwrap(), "http://localhost:5173");
        assert_eq!(parse_origin("HTTP://LocalHost:5173/").unwrap(), "http://localhost:5173");
        assert_eq!(parse_origin("https://app.example.com:443").unwrap(), "https://app.example.com");
        assert_eq!(parse_origin("http://[::1]:8080").unwrap(), "http://[::1]:8080");
        assert_eq!(parse_origin("http://[::1]").unwrap(), "http://[::1]");
        assert_eq!(parse_origin("tauri://localhost").unwrap(), "tauri://localhost");
        for bad in [
            "",
            "localhost:5173",
            "http://",
            "http://host/path",
            "http://host?x",
            "http://u@host",
            "http://host:0",
            "http://host:99999",
            "http://host:",
            "http://::1",
            "1http://host",
            "http://ho st",
        ] {
            assert_eq!(parse_origin(bad), Err(CorsError::NotAnOrigin(bad.into())), "{bad:?}");
        }
    }

    #[test]
    fn resolve_by_listener_and_list() {
        let lo: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let lo6: SocketAddr = "[::1]:0".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:0".parse().unwrap();
        assert!(matches!(Cors::Auto.resolve(lo), Ok(Some(Rules::Any))));
        assert!(matches!(Cors::Auto.resolve(lo6), Ok(Some(Rules::Any))));
        assert!(matches!(Cors::Auto.resolve(any), Ok(None)));
        assert!(matches!(Cors::Off.resolve(lo), Ok(None)));
        assert!(matches!(Cors::Origins(vec!["*".into()]).resolve(any), Ok(Some(Rules::Any))));
        assert_eq!(
            Cors::Origins(vec!["*".into(), "http://a".into()]).resolve(lo).unwrap_err(),
            CorsError::WildcardWithOthers
        );
        assert_eq!(Cors::Origins(vec![]).resolve(lo).unwrap_err(), CorsError::Empty);
        let Ok(Some(Rules::List(l))) =
            Cors::Origins(vec!["http://a:1/".into(), "http://A:1".into(), "https://b".into()]).resolve(any)
        else {
            panic!("list")
        };
        assert_eq!(l, vec![HeaderValue::from_static("http://a:1"), HeaderValue::from_static("https://b")]);
        assert_eq!(
            Cors::Origins(vec!["http://a/x".into()]).resolve(lo).unwrap_err(),
            CorsError::NotAnOrigin("http://a/x".into())
        );
    }
}
