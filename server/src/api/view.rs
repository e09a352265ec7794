//! A session's `resourceUrl`: a small, read-only HTML page with the session's status, labels,
//! mounts and sync tasks. The URL is presigned (`crate::presign`, op `view`), so it needs no
//! API key and grants nothing else; every value on the page is HTML-escaped, and the page
//! loads nothing (its Content-Security-Policy allows inline styles only).

use super::call::error_response;
use crate::state::{AppState, Session};
use crate::util::now_secs;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::fmt::Write as _;
use std::sync::Arc;

/// `GET /session?id=…&expires=…&sig=…`.
pub async fn session_page(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let rid = crate::util::request_id();
    let id = match st.presigner.verify_view(req.uri().query().unwrap_or(""), now_secs() as u64) {
        Ok(id) => id,
        Err(e) => return error_response(&e.into(), &rid),
    };
    let session = st.sessions.read().unwrap_or_else(|p| p.into_inner()).get(&id).cloned();
    let body = match session {
        Some(s) => page(&s),
        None => format!("{HEAD}<h1>Session {}</h1><p>This session has been released.</p></body></html>", esc(&id)),
    };
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

const HEAD: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>agentbay-local session</title>\
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}\
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}th{background:#f4f4f4}code{font-size:13px}</style>\
</head><body>";

fn page(s: &Session) -> String {
    let mut out = String::from(HEAD);
    let _ = write!(
        out,
        "<h1>Session <code>{}</code></h1><p>Status: <b>{}</b> · image <code>{}</code></p>",
        esc(&s.id),
        esc(s.status()),
        esc(&s.image_id)
    );
    out.push_str("<h2>Labels</h2><table><tr><th>key</th><th>value</th></tr>");
    for (k, v) in s.labels() {
        let _ = write!(out, "<tr><td>{}</td><td>{}</td></tr>", esc(&k), esc(&v));
    }
    out.push_str("</table><h2>Mounted contexts</h2><table><tr><th>context</th><th>path</th><th>upload</th></tr>");
    for m in s.mounts().iter() {
        let up = &m.policy.upload_policy;
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{} · {}</td></tr>",
            esc(&m.context_id),
            esc(&m.path),
            if up.auto_upload { "auto" } else { "manual" },
            esc(&up.upload_mode.to_string())
        );
    }
    for m in s.live_mounts() {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>live ({}) · folder <code>{}</code></td></tr>",
            esc(&m.context_id),
            esc(&m.path),
            if m.read_only { "read-only" } else { "read-write" },
            esc(&m.source_path)
        );
    }
    out.push_str("</table><h2>Sync tasks</h2><table><tr><th>context</th><th>path</th><th>type</th><th>status</th><th>error</th></tr>");
    for t in s.tasks() {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.context_id),
            esc(&t.path),
            esc(&t.task_type),
            esc(&t.status),
            esc(&t.error_message)
        );
    }
    out.push_str("</table></body></html>");
    out
}

/// HTML text and attribute escaping.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(super::esc("<b a='1'>&\"</b>"), "&lt;b a=&#39;1&#39;&gt;&amp;&quot;&lt;/b&gt;");
    }
}
