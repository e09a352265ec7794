//! The session's file-transfer context (`GetAndLoadInternalContext`, used by the SDKs'
//! `fileSystem.uploadFile`/`downloadFile`): one internal context per session, made on first
//! use and mounted at [`FILE_TRANSFER_PATH`]. Its keys are absolute session paths (as any
//! mount's without a `mappingPolicy`), so the SDK's presigned URL for `/tmp/file_transfer/a.txt`
//! and a `SyncContext` naming that path meet at the same file. It never syncs by itself (the
//! SDK asks for each transfer), is not listed by `ListContexts` or `DescribeSessionContexts`,
//! and is deleted with the session.

use super::bind::{add_mounts, BindError};
use super::MountPlan;
use crate::state::{AppState, Session};
use crate::store::db::{self, ContextRow};
use agentbay_wire::envelope::context_state;
use agentbay_wire::policy::SyncPolicy;
use std::sync::Arc;

/// Where the file-transfer context is mounted in every session (`ContextPath`).
pub const FILE_TRANSFER_PATH: &str = "/tmp/file_transfer";

/// The session's file-transfer context id, made and mounted if it has none yet. Blocking.
pub fn load_file_transfer(st: &Arc<AppState>, session: &Arc<Session>) -> Result<String, BindError> {
    // One at a time per session, so two first calls do not make two contexts.
    let _once = crate::util::lock(&session.file_transfer_lock);
    if let Some(m) = session.mounts().iter().find(|m| m.internal) {
        return Ok(m.context_id.clone());
    }
    let now = crate::util::now_secs();
    let row = ContextRow {
        id: format!("{}{}", db::INTERNAL_ID_PREFIX, crate::util::random_hex(10)),
        tenant: session.tenant.clone(),
        name: format!("file_transfer:{}", session.id),
        state: context_state::AVAILABLE.into(),
        create_time: now,
        last_used_time: now,
    };
    db::insert_context(&st.store.db(), &row).map_err(crate::state::ReserveError::from)?;
    let mut policy = SyncPolicy::default();
    policy.upload_policy.auto_upload = false;
    policy.download_policy.auto_download = false;
    let plan = MountPlan { context_id: row.id.clone(), path: FILE_TRANSFER_PATH.into(), policy, missing: false };
    if let Err(e) = add_mounts(st, session, vec![plan], true) {
        let _ = db::delete_context(&mut st.store.db(), &row.id);
        return Err(e);
    }
    Ok(row.id)
}

/// After the session's release: deletes its file-transfer context, if it made one.
pub(super) async fn forget(st: &Arc<AppState>, session: &Session) {
    let Some(id) = session.mounts().iter().find(|m| m.internal).map(|m| m.context_id.clone()) else { return };
    let st = st.clone();
    let done = tokio::task::spawn_blocking(move || {
        st.delete_context_unless_mounted(&id).map_err(crate::store::StoreError::from)?;
        st.store.gc()
    })
    .await;
    if let Ok(Err(e)) = done {
        eprintln!("agentbay-local: deleting a released session's file-transfer context: {e}");
    }
}
