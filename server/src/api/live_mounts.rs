//! The checks of live mounts (`BetaContextMount`: `PersistenceDataList` items with
//! `Type: "mount"`) at `CreateMcpSession` and `BindContexts`, with the cloud's limits: at most
//! [`MAX_LIVE_MOUNTS`] per session, a context that exists, a valid path and source folder. (The
//! target path must also be empty in the session: `Sandbox::add_live_mount` checks that, and
//! `sessions::plan_items` checks nesting with every other mount.)

use super::call::Call;
use super::error::ApiError;
use crate::lifecycle::LivePlan;
use crate::paths;
use agentbay_wire::persistence::{AccessMode, PersistenceData};

/// Most live mounts one session has, as in the cloud.
pub const MAX_LIVE_MOUNTS: usize = 3;

/// The live mounts `list` asks for, checked; a session has `existing` already.
pub fn plan(c: &Call, list: &[PersistenceData], existing: usize) -> Result<Vec<LivePlan>, ApiError> {
    let items: Vec<(usize, &PersistenceData)> =
        list.iter().enumerate().filter(|(_, i)| i.mount_config.is_some()).collect();
    let total = existing.saturating_add(items.len());
    if total > MAX_LIVE_MOUNTS {
        return Err(ApiError::InvalidPersistenceDataList(format!(
            "a session has at most {MAX_LIVE_MOUNTS} context mounts (BetaContextMount); this would make {total}"
        )));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items {
        let Some(config) = &item.mount_config else { continue };
        let at =
            |what: &str, e: paths::PathError| ApiError::InvalidPath(format!("PersistenceDataList[{i}].{what}: {e}"));
        let path = paths::normalize(&item.path).map_err(|e| at("Path", e))?;
        crate::sandbox::validate_mount_path(&path)
            .map_err(|e| ApiError::InvalidPath(format!("PersistenceDataList[{i}].Path: {e}")))?;
        let source_path = match config.source_path.as_str() {
            "" => "/".to_string(),
            p => paths::normalize_context(p).map_err(|e| at("MountConfig.SourcePath", e))?,
        };
        c.context(&item.context_id)?;
        out.push(LivePlan {
            context_id: item.context_id.clone(),
            path,
            read_only: config.access_mode == AccessMode::ReadOnly,
            storage_mode: config.storage_mode,
            source_path,
        });
    }
    Ok(out)
}
