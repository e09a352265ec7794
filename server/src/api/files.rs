//! The presigned-URL file route: `PUT` stores bytes in a context, `GET` returns them.

use super::call::{caught, error_response};
use super::error::ApiError;
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

/// Runs blocking store work off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::Internal(e.to_string()))?
}

fn context_exists(st: &AppState, id: &str) -> Result<bool, ApiError> {
    let db = st.store.db();
    let n: i64 = db.query_row("SELECT COUNT(*) FROM contexts WHERE id=?1", [id], |r| r.get(0))?;
    Ok(n > 0)
}

pub async fn put_file(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let rid = crate::util::request_id();
    match caught(put(st, req)).await.and_then(|r| r) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => error_response(&e, &rid),
    }
}

async fn put(st: Arc<AppState>, req: Request) -> Result<(), ApiError> {
    let grant = st.presigner.verify(Op::Put, req.uri().query().unwrap_or(""), now_secs() as u64)?;
    let (s, ctx) = (st.clone(), grant.context_id.clone());
    if !blocking(move || context_exists(&s, &ctx)).await? {
        return Err(ApiError::ContextNotFound(grant.context_id));
    }
    // A URL issued before the context was mounted live must not write under the sessions' feet.
    super::call::live_refusal(&st, &grant.context_id)?;
    // Bytes flow to a blocking writer that hashes them into a tmp blob, holding no lock: a
    // slow client delays nobody. The blob is pinned from the moment it is complete until
    // the manifest entry that references it has committed (see store::blobs).
    let (tx, mut rx) = tokio::sync::mpsc::channel::<bytes::Bytes>(16);
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<Result<(), ApiError>>();
    let store = st.store.clone();
    let live = st.clone();
    let (grant_ctx, grant_path) = (grant.context_id.clone(), grant.path.clone());
    let writer = tokio::task::spawn_blocking(move || -> Result<(), ApiError> {
        let mut w = store.blobs.writer()?;
        while let Some(chunk) = rx.blocking_recv() {
            if let Err(e) = w.write_chunk(&chunk) {
                w.abort();
                return Err(e.into());
            }
        }
        // The body ended; did it end cleanly? (The async side says so before it lets go.)
        match done_rx.blocking_recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                w.abort();
                return Err(e);
            }
            Err(_) => {
                w.abort();
                return Err(ApiError::Internal("upload abandoned".into()));
            }
        }
        let mut pins = store.blobs.pins();
        let (hash, size) = w.finish(&mut pins)?;
        let now = now_secs();
        let entry = Entry::stored_file(grant_path, hash, size, now);
        // The live lock before the database's, as everywhere (`crate::live`).
        let committed = live
            .live
            .unless_live(&grant_ctx, || db::put_file(&mut store.db(), &grant_ctx, &entry, now))
            .map_err(|users| ApiError::ContextLive(grant_ctx.clone(), users))?;
        let conn = store.db();
        match committed {
            Ok(()) => {}
            Err(db::CommitError::ContextGone) => return Err(ApiError::ContextNotFound(grant_ctx)),
            Err(db::CommitError::Db(e)) => return Err(e.into()),
            Err(e @ db::CommitError::Reconcile) => return Err(ApiError::Internal(e.to_string())),
        }
        // A file stored directly has no lifecycle: it stays until deleted.
        crate::store::expiry::forget(&conn, &grant_ctx, &entry.path)?;
        Ok(())
    });
    let mut body = req.into_body();
    let mut outcome = Ok(());
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
                // The blob is discarded; the context is unchanged.
                outcome = Err(ApiError::MalformedRequest(format!("upload interrupted: {e}")));
                break;
            }
        }
    }
    drop(tx);
    let _ = done_tx.send(outcome);
    writer.await.map_err(|e| ApiError::Internal(e.to_string()))?
}

pub async fn get_file(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let rid = crate::util::request_id();
    match caught(get(st, req)).await.and_then(|r| r) {
        Ok(r) => r,
        Err(e) => error_response(&e, &rid),
    }
}

async fn get(st: Arc<AppState>, req: Request) -> Result<Response, ApiError> {
    let grant = st.presigner.verify(Op::Get, req.uri().query().unwrap_or(""), now_secs() as u64)?;
    let file = blocking(move || {
        // What sessions wrote into a live mount of it is the context's content.
        st.live.flush_if_live(&st.store, &grant.context_id)?;
        // Looked up and pinned as one step, then opened: an open blob stays readable even if
        // GC unlinks it the moment the pin goes.
        let (entry, _pins) = st.store.read_pinned(
            |c| db::entry(c, &grant.context_id, &grant.path),
            |e| e.iter().filter_map(|e| e.hash.as_deref()).collect(),
        )?;
        let hash = match entry {
            Some(Entry { kind: Kind::File, hash: Some(h), .. }) => h,
            _ => return Err(ApiError::FileNotFound(grant.path)),
        };
        let file = st.store.blobs.open_blob(&hash)?;
        let len = file.metadata()?.len();
        Ok((file, len))
    })
    .await?;
    let (file, len) = file;
    let body =
        Body::from_stream(tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), 256 * 1024));
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream".to_string()), (header::CONTENT_LENGTH, len.to_string())],
        body,
    )
        .into_response())
}
