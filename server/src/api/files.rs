//! The presigned-URL file route: `PUT` stores bytes in a context, `GET` returns them.

use super::error::ApiError;
use super::error_response;
use crate::presign::Op;
use crate::state::AppState;
use crate::store::db::{self, Entry, Kind};
use crate::util::now_secs;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use std::sync::Arc;

fn context_exists(st: &AppState, id: &str) -> Result<bool, ApiError> {
    let db = st.store.db();
    let n: i64 = db.query_row("SELECT COUNT(*) FROM contexts WHERE id=?1", [id], |r| r.get(0))?;
    Ok(n > 0)
}

pub async fn put_file(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let rid = crate::util::request_id();
    match put(st, req).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => error_response(&e, &rid),
    }
}

async fn put(st: Arc<AppState>, req: Request) -> Result<(), ApiError> {
    let grant = st.presigner.verify(Op::Put, req.uri().query().unwrap_or(""), now_secs() as u64)?;
    if !context_exists(&st, &grant.context_id)? {
        return Err(ApiError::ContextNotFound(grant.context_id));
    }
    // Bytes flow to a blocking writer that hashes them into a tmp blob; the manifest
    // entry is committed only once the whole body arrived and the blob is durable.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<bytes::Bytes>(16);
    let store = st.store.clone();
    let writer = tokio::task::spawn_blocking(move || -> Result<(String, u64), std::io::Error> {
        let _g = store.gc_lock.read().unwrap_or_else(|p| p.into_inner());
        let mut w = store.blobs.writer()?;
        while let Some(chunk) = rx.blocking_recv() {
            if let Err(e) = w.write_chunk(&chunk) {
                w.abort();
                return Err(e);
            }
        }
        w.finish()
    });
    let mut body = req.into_body();
    let mut failed = None;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(f) => {
                if let Ok(data) = f.into_data() {
                    if tx.send(data).await.is_err() {
                        break;
                    }
                }
            }
            Err(e) => {
                failed = Some(e.to_string());
                break;
            }
        }
    }
    drop(tx);
    let written = writer.await.map_err(|e| ApiError::Internal(e.to_string()))?;
    if let Some(e) = failed {
        // The blob (if any) is an orphan; GC removes it. The context is unchanged.
        return Err(ApiError::MalformedRequest(format!("upload interrupted: {e}")));
    }
    let (hash, size) = written?;
    let now = now_secs();
    let _g = st.store.gc_lock.read().unwrap_or_else(|p| p.into_inner());
    // The context may have been deleted while the body streamed.
    if !context_exists(&st, &grant.context_id)? {
        return Err(ApiError::ContextNotFound(grant.context_id));
    }
    let entry =
        Entry { path: grant.path, kind: Kind::File, hash: Some(hash), size, mode: 0o644, mtime: now, create_time: now };
    {
        let mut conn = st.store.db();
        db::put_file(&mut conn, &grant.context_id, &entry)?;
        // A file stored directly has no lifecycle: it stays until deleted.
        crate::store::expiry::forget(&conn, &grant.context_id, &entry.path)?;
    }
    db::touch_context(&st.store.db(), &grant.context_id, now)?;
    Ok(())
}

pub async fn get_file(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let rid = crate::util::request_id();
    match get(st, req).await {
        Ok(r) => r,
        Err(e) => error_response(&e, &rid),
    }
}

async fn get(st: Arc<AppState>, req: Request) -> Result<Response, ApiError> {
    let grant = st.presigner.verify(Op::Get, req.uri().query().unwrap_or(""), now_secs() as u64)?;
    let file = {
        // Lookup and open under the GC lock: GC may delete a blob the moment no manifest
        // references it, and an open blob stays readable even if GC unlinks it afterwards.
        let _gc = st.store.gc_lock.read().unwrap_or_else(|p| p.into_inner());
        let hash = match db::entry(&st.store.db(), &grant.context_id, &grant.path)? {
            Some(Entry { kind: Kind::File, hash: Some(h), .. }) => h,
            _ => return Err(ApiError::FileNotFound(grant.path)),
        };
        tokio::fs::File::from_std(std::fs::File::open(st.store.blobs.path_of(&hash))?)
    };
    let len = file.metadata().await?.len();
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024));
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream".to_string()), (header::CONTENT_LENGTH, len.to_string())],
        body,
    )
        .into_response())
}
