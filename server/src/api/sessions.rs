//! Session actions (issue 2 §5) and the sync-task actions (§8).
//!
//! Parameter decisions (documented in README): `EnableRecord` and
//! `ExternalUserId` are accepted and ignored (recording only applies to browser
//! images); `NetworkId`, `McpPolicyId`, `SessionId`, non-empty `ExtraConfigs`
//! and `VpcResource=true` would change behaviour agentbay-local does not have
//! and are refused with `UnsupportedParameter`. The deprecated `ContextId`
//! parameter mounts that context at [`LEGACY_CONTEXT_MOUNT_PATH`] with the
//! default sync policy.

use super::contexts;
use super::error::ApiError;
use super::{next_token, parse_token, ApiResult, Call, Reply};
use crate::paths;
use crate::sandbox::{self, SandboxSpec, ToolError};
use crate::state::{Direction, MountState, Session};
use agentbay_wire::context_status::{self, task_type};
use agentbay_wire::envelope::{
    session_status, CreateSessionData, GetSessionData, LabelsData, McpTool, SessionContextRef, SessionDetailData,
    SessionListItem,
};
use agentbay_wire::policy::SyncPolicy;
use agentbay_wire::{field, tool, DEFAULT_IMAGE_ID};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const SUPPORTED_IMAGES: &[&str] = &[DEFAULT_IMAGE_ID];
/// Most contexts one session mounts. Each is a bind mount on every tool call's bwrap command
/// line, and the cloud documents no higher number.
pub const MAX_MOUNTS: usize = 64;
/// Where the deprecated `CreateMcpSession.ContextId` parameter mounts its context.
pub const LEGACY_CONTEXT_MOUNT_PATH: &str = "/mnt/context";
const REGION: &str = "local";

fn tool_list() -> Vec<McpTool> {
    tool::name::ALL
        .iter()
        .map(|n| McpTool {
            name: (*n).into(),
            description: format!("{n} (agentbay-local)"),
            input_schema: json!({"type": "object"}),
            server: tool::SERVER_NAME.into(),
            tool: (*n).into(),
        })
        .collect()
}

fn tool_list_json() -> String {
    serde_json::to_string(&tool_list()).unwrap_or_else(|_| "[]".into())
}

fn parse_labels(raw: &str, name: &str) -> Result<BTreeMap<String, String>, ApiError> {
    let v: Value =
        serde_json::from_str(raw).map_err(|e| ApiError::InvalidLabels(format!("{name} is not valid JSON: {e}")))?;
    let Value::Object(obj) = v else {
        return Err(ApiError::InvalidLabels(format!("{name} must be a JSON object of string values")));
    };
    obj.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            other => Err(ApiError::InvalidLabels(format!("label '{k}' must be a string, got {other}"))),
        })
        .collect()
}

fn session_of(c: &Call, id_field_value: Option<&str>) -> Result<Arc<Session>, ApiError> {
    let id = id_field_value.ok_or_else(|| ApiError::MissingParameter(field::SESSION_ID.into()))?;
    c.st.session(&c.tenant, id).ok_or_else(|| ApiError::SessionNotFound(id.into()))
}

fn running(s: &Session) -> Result<(), ApiError> {
    if s.status() != session_status::RUNNING {
        return Err(ApiError::SessionNotRunning(s.id.clone()));
    }
    Ok(())
}

fn mount_count(n: usize) -> Result<(), ApiError> {
    if n > MAX_MOUNTS {
        return Err(ApiError::InvalidPersistenceDataList(format!(
            "{n} contexts requested; a session mounts at most {MAX_MOUNTS}"
        )));
    }
    Ok(())
}

struct PlannedMount {
    context_id: String,
    path: String,
    policy: SyncPolicy,
}

fn plan_mounts(c: &Call) -> Result<Vec<PlannedMount>, ApiError> {
    let mut out = Vec::new();
    if let Some(raw) = c.p.get(field::PERSISTENCE_DATA_LIST) {
        let items: Vec<serde_json::Map<String, Value>> = serde_json::from_str(raw).map_err(|e| {
            ApiError::InvalidPersistenceDataList(format!(
                "expected a JSON array of {{ContextId, Path, Policy}} objects: {e}"
            ))
        })?;
        // Refused before any policy is parsed: each costs a regex compile or two.
        mount_count(items.len())?;
        for (i, item) in items.iter().enumerate() {
            if let Some(k) = item.keys().find(|k| !["ContextId", "Path", "Policy"].contains(&k.as_str())) {
                return Err(ApiError::unsupported(
                    &format!("PersistenceDataList[{i}].{k}"),
                    "only ContextId, Path and Policy are supported",
                ));
            }
            let text = |k: &str| -> Result<Option<&str>, ApiError> {
                match item.get(k) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s.as_str())),
                    Some(other) => Err(ApiError::InvalidPersistenceDataList(format!(
                        "item {i}: {k} must be a string, got {other}"
                    ))),
                }
            };
            let ctx = text("ContextId")?
                .filter(|s| !s.is_empty())
                .ok_or_else(|| ApiError::InvalidPersistenceDataList(format!("item {i}: ContextId is required")))?;
            let path = text("Path")?
                .filter(|s| !s.is_empty())
                .ok_or_else(|| ApiError::InvalidPersistenceDataList(format!("item {i}: Path is required")))?;
            let policy = match text("Policy")? {
                None | Some("") => SyncPolicy::default(),
                Some(p) => SyncPolicy::parse(p)
                    .map_err(|e| ApiError::InvalidPolicy(format!("PersistenceDataList[{i}].Policy: {e}")))?,
            };
            out.push(PlannedMount { context_id: ctx.into(), path: path.into(), policy });
        }
    }
    if let Some(ctx) = c.p.get(field::CONTEXT_ID) {
        out.push(PlannedMount {
            context_id: ctx.into(),
            path: LEGACY_CONTEXT_MOUNT_PATH.into(),
            policy: SyncPolicy::default(),
        });
    }
    mount_count(out.len())?;
    for (i, m) in out.iter_mut().enumerate() {
        m.path = paths::normalize(&m.path)
            .map_err(|e| ApiError::InvalidPath(format!("PersistenceDataList[{i}].Path: {e}")))?;
        sandbox::validate_mount_path(&m.path)
            .map_err(|e| ApiError::InvalidPath(format!("PersistenceDataList[{i}].Path: {e}")))?;
        contexts::lookup(c, &m.context_id)?;
        crate::store::expiry::recycle_dirs(&m.path, &m.policy.recycle_policy)
            .map_err(|e| ApiError::InvalidPolicy(format!("PersistenceDataList[{i}].Policy: {e}")))?;
    }
    for (i, a) in out.iter().enumerate() {
        for b in &out[i + 1..] {
            if paths::is_within(&a.path, &b.path) || paths::is_within(&b.path, &a.path) {
                return Err(ApiError::InvalidPath(format!(
                    "mount paths '{}' and '{}' are the same or nested",
                    a.path, b.path
                )));
            }
        }
    }
    let roots = out
        .iter()
        .enumerate()
        .map(|(i, m)| super::mount_policy::check(i, &m.path, &m.policy))
        .collect::<Result<Vec<_>, _>>()?;
    let keyed: Vec<_> =
        out.iter().zip(&roots).map(|(m, r)| (m.context_id.as_str(), m.path.as_str(), r.as_str())).collect();
    super::mount_policy::check_stored_roots(&keyed)?;
    Ok(out)
}

pub fn create(c: Call) -> ApiResult {
    c.p.check_names(
        "CreateMcpSession",
        &[
            field::IMAGE_ID,
            field::LABELS,
            field::PERSISTENCE_DATA_LIST,
            field::CONTEXT_ID,
            field::ENABLE_RECORD,
            field::EXTERNAL_USER_ID,
            field::MCP_POLICY_ID,
            field::NETWORK_ID,
            field::SESSION_ID,
            field::VPC_RESOURCE,
            field::EXTRA_CONFIGS,
        ],
    )?;
    for (name, why) in [
        (field::NETWORK_ID, "custom networks are not implemented"),
        (field::MCP_POLICY_ID, "MCP policies are not implemented"),
        (field::SESSION_ID, "session ids are assigned by the server"),
    ] {
        if let Some(v) = c.p.get(name) {
            return Err(ApiError::unsupported(name, format!("'{v}': {why}")));
        }
    }
    if c.p.bool(field::VPC_RESOURCE)? == Some(true) {
        return Err(ApiError::unsupported(field::VPC_RESOURCE, "VPC sessions are not implemented"));
    }
    if let Some(x) = c.p.get(field::EXTRA_CONFIGS).filter(|x| x.trim() != "{}") {
        return Err(ApiError::unsupported(
            field::EXTRA_CONFIGS,
            format!("'{x}': mobile/browser settings are not implemented"),
        ));
    }
    c.p.bool(field::ENABLE_RECORD)?;
    let image = c.p.get(field::IMAGE_ID).unwrap_or(DEFAULT_IMAGE_ID).to_string();
    if !SUPPORTED_IMAGES.contains(&image.as_str()) {
        return Err(ApiError::InvalidImage(image));
    }
    let labels = match c.p.get(field::LABELS) {
        Some(l) => parse_labels(l, field::LABELS)?,
        None => BTreeMap::new(),
    };
    let planned = plan_mounts(&c)?;

    let id = format!("session-{}", crate::util::random_hex(10));
    // From here until the session's release, DeleteContext refuses these contexts.
    let contexts: Vec<String> = planned.iter().map(|m| m.context_id.clone()).collect();
    let reservation = c.st.reserve_contexts(&c.tenant, &contexts)?;
    let dir = c.st.data_dir.join("sessions").join(&id);
    let spec = SandboxSpec {
        id: id.clone(),
        session_dir: dir.clone(),
        mount_paths: planned.iter().map(|m| m.path.clone()).collect(),
    };
    let sandbox = c.st.sandboxes.create(spec).map_err(|e| {
        let _ = crate::safe_fs::remove_tree(&dir);
        ApiError::Internal(format!("could not create the sandbox: {e}"))
    })?;
    let mounts: Vec<MountState> = planned
        .into_iter()
        .enumerate()
        .map(|(n, m)| MountState {
            context_id: m.context_id,
            path: m.path,
            policy: m.policy,
            host_dir: sandbox.mount_dir(n).to_path_buf(),
        })
        .collect();
    let seq = c.st.session_seq.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let session =
        Arc::new(Session::new(id.clone(), c.tenant.clone(), image, seq, labels, mounts, sandbox, reservation));
    c.st.sessions.write().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), session.clone());
    let downloads: Vec<usize> =
        (0..session.mounts.len()).filter(|&i| session.mounts[i].policy.download_policy.auto_download).collect();
    c.st.spawn_tasks(&session, downloads, Direction::Download);
    crate::periodic::spawn(&c.st, &session);

    Ok(Reply::data(CreateSessionData {
        session_id: id.clone(),
        success: true,
        err_msg: None,
        resource_url: String::new(),
        resource_id: id.clone(),
        app_instance_id: id,
        token: String::new(),
        link_url: String::new(),
        tool_list: tool_list_json(),
    }))
}

pub fn get(c: Call) -> ApiResult {
    c.p.check_names("GetSession", &[field::SESSION_ID])?;
    let s = session_of(&c, c.p.get(field::SESSION_ID))?;
    let db = c.st.store.db();
    let mut contexts = Vec::new();
    for m in &s.mounts {
        if let Some(r) = crate::store::db::context_by_id(&db, &c.tenant, &m.context_id)? {
            contexts.push(SessionContextRef { id: r.id, name: r.name });
        }
    }
    Ok(Reply::data(GetSessionData {
        session_id: s.id.clone(),
        success: true,
        status: s.status().into(),
        resource_id: s.id.clone(),
        app_instance_id: s.id.clone(),
        tool_list: tool_list_json(),
        contexts,
        ..Default::default()
    }))
}

pub fn detail(c: Call) -> ApiResult {
    c.p.check_names("GetSessionDetail", &[field::SESSION_ID])?;
    let s = session_of(&c, c.p.get(field::SESSION_ID))?;
    Ok(Reply::data(SessionDetailData {
        status: s.status().into(),
        image_id: s.image_id.clone(),
        app_instance_id: s.id.clone(),
        region_id: REGION.into(),
        end_reason: String::new(),
    }))
}

pub fn list(c: Call) -> ApiResult {
    c.p.check_names("ListSession", &[field::LABELS, field::MAX_RESULTS, field::NEXT_TOKEN, field::STATUS])?;
    let filter = match c.p.get(field::LABELS) {
        Some(l) => parse_labels(l, field::LABELS)?,
        None => BTreeMap::new(),
    };
    let status = c.p.get(field::STATUS);
    if let Some(s) = status {
        if !session_status::FILTERABLE.contains(&s) {
            return Err(ApiError::invalid(
                field::STATUS,
                format!("'{s}'; valid values: {}", session_status::FILTERABLE.join(", ")),
            ));
        }
    }
    let max = c.p.uint(field::MAX_RESULTS, 1, 1000)?.unwrap_or(10);
    let offset = parse_token(&c.p)?;
    let matching: Vec<_> =
        c.st.tenant_sessions(&c.tenant)
            .into_iter()
            .filter(|s| status.is_none_or(|st| s.status() == st))
            .filter(|s| {
                let l = s.labels();
                filter.iter().all(|(k, v)| l.get(k) == Some(v))
            })
            .collect();
    let total = matching.len() as u64;
    let page: Vec<SessionListItem> = matching
        .iter()
        .skip(offset as usize)
        .take(max as usize)
        .map(|s| SessionListItem { session_id: s.id.clone(), session_status: s.status().into() })
        .collect();
    let next = next_token(offset, page.len(), total);
    let mut r = Reply::data(page);
    r.next_token = Some(next.unwrap_or_default());
    r.max_results = Some(max as u32);
    r.total_count = Some(total);
    Ok(r)
}

pub fn delete(c: Call, action: agentbay_wire::action::Action) -> ApiResult {
    c.p.check_names(action.as_str(), &[field::SESSION_ID])?;
    let s = session_of(&c, c.p.get(field::SESSION_ID))?;
    if c.st.begin_delete(&s) {
        let st = c.st.clone();
        tokio::spawn(async move { st.finish_delete(s).await });
    }
    Ok(Reply::empty())
}

pub fn set_label(c: Call) -> ApiResult {
    c.p.check_names("SetLabel", &[field::SESSION_ID, field::LABELS])?;
    let s = session_of(&c, c.p.get(field::SESSION_ID))?;
    let labels = parse_labels(c.p.req(field::LABELS)?, field::LABELS)?;
    s.set_labels(labels);
    Ok(Reply::empty())
}

pub fn get_label(c: Call) -> ApiResult {
    c.p.check_names("GetLabel", &[field::SESSION_ID, field::MAX_RESULTS, field::NEXT_TOKEN])?;
    let s = session_of(&c, c.p.get(field::SESSION_ID))?;
    let labels = serde_json::to_string(&s.labels()).unwrap_or_else(|_| "{}".into());
    Ok(Reply::data(LabelsData { labels }))
}

pub fn list_tools(c: Call) -> ApiResult {
    c.p.check_names("ListMcpTools", &[field::IMAGE_ID])?;
    if let Some(image) = c.p.get(field::IMAGE_ID) {
        if !SUPPORTED_IMAGES.contains(&image) {
            return Err(ApiError::InvalidImage(image.into()));
        }
    }
    Ok(Reply::data(tool_list_json()))
}

pub fn resource(c: Call) -> ApiResult {
    c.p.check_names("GetMcpResource", &[field::SESSION_ID])?;
    let s = session_of(&c, c.p.get(field::SESSION_ID))?;
    Ok(Reply::data(json!({
        "SessionId": s.id,
        "ResourceUrl": "",
        "DesktopInfo": {"AppId": "", "AuthCode": "", "ConnectionProperties": "", "ResourceId": s.id, "ResourceType": "", "Ticket": ""},
    })))
}

pub async fn call_tool(c: Call) -> ApiResult {
    c.p.check_names(
        "CallMcpTool",
        &[
            field::SESSION_ID,
            "Name",
            field::ARGS,
            field::SERVER,
            field::AUTO_GEN_SESSION,
            field::EXTERNAL_USER_ID,
            field::IMAGE_ID,
            field::TOOL,
        ],
    )?;
    if c.p.bool(field::AUTO_GEN_SESSION)? == Some(true) {
        return Err(ApiError::unsupported(field::AUTO_GEN_SESSION, "sessions must be created with CreateMcpSession"));
    }
    if let Some(t) = c.p.get(field::TOOL) {
        return Err(ApiError::unsupported(field::TOOL, format!("'{t}': name the tool with Name")));
    }
    let s = session_of(&c, c.p.get(field::SESSION_ID))?;
    running(&s)?;
    let name = c.p.req(field::NAME)?;
    let args: Value = match c.p.get(field::ARGS) {
        None => json!({}),
        Some(a) => {
            serde_json::from_str(a).map_err(|e| ApiError::InvalidArgs(format!("Args is not valid JSON: {e}")))?
        }
    };
    if !args.is_object() {
        return Err(ApiError::InvalidArgs("Args must be a JSON object".into()));
    }
    match s.sandbox.call_tool(name, &args).await {
        Ok(result) => Ok(Reply::data(result)),
        Err(e @ ToolError::UnknownTool(_)) => Err(ApiError::InvalidTool(e.to_string())),
        #[allow(unreachable_patterns)]
        Err(e) => Err(ApiError::InvalidArgs(e.to_string())),
    }
}

/// The mounts a SyncContext/GetContextInfo selection names.
fn select_mounts(s: &Session, ctx: Option<&str>, path: Option<&str>) -> Result<Vec<usize>, ApiError> {
    let path = match path {
        Some(p) => Some(paths::normalize(p).map_err(|e| ApiError::InvalidPath(format!("Path: {e}")))?),
        None => None,
    };
    let sel: Vec<usize> = (0..s.mounts.len())
        .filter(|&i| ctx.is_none_or(|c| s.mounts[i].context_id == c))
        .filter(|&i| path.as_deref().is_none_or(|p| s.mounts[i].path == p))
        .collect();
    if sel.is_empty() && (ctx.is_some() || path.is_some()) {
        return Err(ApiError::invalid(
            "ContextId/Path",
            format!(
                "session {} has no mount of context {} at path {}",
                s.id,
                ctx.unwrap_or("(any)"),
                path.as_deref().unwrap_or("(any)")
            ),
        ));
    }
    Ok(sel)
}

pub fn sync_context(c: Call) -> ApiResult {
    c.p.check_names("SyncContext", &[field::SESSION_ID, field::CONTEXT_ID, field::PATH, field::MODE])?;
    let s = session_of(&c, c.p.get(field::SESSION_ID))?;
    let dir = match c.p.get(field::MODE) {
        None | Some("upload") => Direction::Upload,
        Some("download") => Direction::Download,
        Some(m) => return Err(ApiError::invalid(field::MODE, format!("'{m}'; valid values: upload, download"))),
    };
    running(&s)?;
    let sel = select_mounts(&s, c.p.get(field::CONTEXT_ID), c.p.get(field::PATH))?;
    c.st.spawn_tasks(&s, sel, dir);
    Ok(Reply::empty())
}

pub fn context_info(c: Call) -> ApiResult {
    c.p.check_names("GetContextInfo", &[field::SESSION_ID, field::CONTEXT_ID, field::PATH, field::TASK_TYPE])?;
    let s = session_of(&c, c.p.get(field::SESSION_ID))?;
    let ctx = c.p.get(field::CONTEXT_ID);
    let path = match c.p.get(field::PATH) {
        Some(p) => Some(paths::normalize(p).map_err(|e| ApiError::InvalidPath(format!("Path: {e}")))?),
        None => None,
    };
    let tt = c.p.get(field::TASK_TYPE);
    if let Some(t) = tt {
        if t != task_type::UPLOAD && t != task_type::DOWNLOAD {
            return Err(ApiError::invalid(field::TASK_TYPE, format!("'{t}'; valid values: upload, download")));
        }
    }
    let tasks: Vec<_> = s
        .tasks()
        .into_iter()
        .filter(|t| ctx.is_none_or(|c| t.context_id == c))
        .filter(|t| path.as_deref().is_none_or(|p| t.path == p))
        .filter(|t| tt.is_none_or(|x| t.task_type == x))
        .collect();
    Ok(Reply::data(agentbay_wire::envelope::ContextInfoData { context_status: context_status::encode(&tasks) }))
}
