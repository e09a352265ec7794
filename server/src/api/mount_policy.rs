//! CreateMcpSession checks of the policy parts that depend on the mount: white-list
//! patterns must compile, the mapping path must be a valid context path, and two mounts
//! of one context must not store into the same or nested paths.

use super::error::ApiError;
use crate::paths;
use crate::sync::select::Selector;
use agentbay_wire::policy::SyncPolicy;

/// Validates mount `i`'s policy; returns where its files are stored in the context.
pub fn check(i: usize, mount_path: &str, policy: &SyncPolicy) -> Result<String, ApiError> {
    Selector::compile(policy, mount_path)
        .map_err(|e| ApiError::InvalidPolicy(format!("PersistenceDataList[{i}].Policy: {e}")))?;
    match policy.mapping_policy.as_ref().map(|m| m.path.as_str()).filter(|p| !p.is_empty()) {
        Some(p) => paths::normalize_context(p)
            .map_err(|e| ApiError::InvalidPolicy(format!("PersistenceDataList[{i}].Policy: mappingPolicy.path: {e}"))),
        None => Ok(mount_path.to_string()),
    }
}

/// `mounts`: (context id, mount path, stored root). Stored roots of one context must not
/// nest, or two mounts would mirror over each other's files.
pub fn check_stored_roots(mounts: &[(&str, &str, &str)]) -> Result<(), ApiError> {
    for (i, (ctx_a, mount_a, root_a)) in mounts.iter().enumerate() {
        for (ctx_b, mount_b, root_b) in &mounts[i + 1..] {
            if ctx_a == ctx_b && (paths::is_within(root_a, root_b) || paths::is_within(root_b, root_a)) {
                return Err(ApiError::InvalidPolicy(format!(
                    "mounts '{mount_a}' and '{mount_b}' of context {ctx_a} would store their files at the same or nested context paths '{root_a}' and '{root_b}' (mappingPolicy.path)"
                )));
            }
        }
    }
    Ok(())
}
