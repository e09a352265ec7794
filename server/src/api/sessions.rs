//! Session actions (create, get, list, labels, tools, release) and the sync-task actions
//! (SyncContext, GetContextInfo). These check the request and answer it; creating,
//! syncing and releasing a session is `crate::lifecycle`.
//!
//! Parameter decisions (documented in README): `EnableRecord` and
//! `ExternalUserId` are accepted and ignored (recording only applies to browser
//! images); `NetworkId`, `McpPolicyId`, `SessionId`, non-empty `ExtraConfigs`
//! and `VpcResource=true` would change behaviour agentbay-local does not have
//! and are refused with `UnsupportedParameter`. The deprecated `ContextId`
//! parameter mounts that context at [`LEGACY_CONTEXT_MOUNT_PATH`] with the
//! default sync policy.

use super::call::{next_token, parse_token, Answer, Call, Handled};
use super::error::ApiError;
use crate::lifecycle::{self, LivePlan, MountPlan, NewSession};
use crate::paths;
use crate::sandbox::{self, SUPPORTED_IMAGES};
use crate::state::{Direction, MountState, ReleasePolicy, Session};
use crate::tools::ToolError;
use agentbay_wire::context_status::{self, task_type};
use agentbay_wire::envelope::{
    session_status, ContextBindingData, ContextInfoData, CreateSessionData, DesktopInfo, GetSessionData,
    InternalContextData, LabelsData, McpResourceData, McpTool, SessionContextRef, SessionDetailData, SessionListItem,
};
use agentbay_wire::labels::Labels;
use agentbay_wire::persistence::PersistenceData;
use agentbay_wire::policy::SyncPolicy;
use agentbay_wire::request::*;
use agentbay_wire::{field, tool, DEFAULT_IMAGE_ID};
use serde_json::json;
use std::sync::Arc;

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

fn running(s: &Session) -> Result<(), ApiError> {
    let status = s.status();
    if status != session_status::RUNNING {
        return Err(ApiError::SessionNotRunning(s.id.clone(), status));
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

fn plan_mounts(c: &Call, r: &CreateMcpSessionRequest) -> Result<Planned, ApiError> {
    let list = r.persistence_data_list.as_ref().map_or(&[][..], |l| &l.0[..]);
    plan_items(c, list, r.context_id.as_deref(), &Existing::default(), Unknown::Mount)
}

/// What `PersistenceDataList` (and the deprecated `ContextId`) ask for, checked.
pub(super) struct Planned {
    pub sync: Vec<MountPlan>,
    pub live: Vec<LivePlan>,
}

/// The mounts a session has, which new ones must fit next to.
#[derive(Default)]
struct Existing {
    sync: Vec<Arc<MountState>>,
    /// (context id, path) of each live mount.
    live: Vec<(String, String)>,
}

impl Existing {
    fn of(s: &Session) -> Existing {
        Existing { sync: s.mounts(), live: s.live_mounts().into_iter().map(|m| (m.context_id, m.path)).collect() }
    }
}

/// What a `PersistenceDataList` item naming no context of the tenant's does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unknown {
    /// At create, as the cloud does: the session is created and the path mounted empty; its
    /// syncs fail saying the context does not exist (`MountState::missing`).
    Mount,
    /// At `BindContexts`: refused with `InvalidContext.NotFound`.
    Refuse,
}

/// Checks the mounts `list` (and the deprecated `ContextId`'s, `legacy`) asks for, against each
/// other and the session's `existing` mounts: the same rules at create and at `BindContexts`.
/// Live mounts (`Type: "mount"`) are checked by `super::live_mounts`.
fn plan_items(
    c: &Call,
    list: &[PersistenceData],
    legacy: Option<&str>,
    existing: &Existing,
    unknown: Unknown,
) -> Result<Planned, ApiError> {
    // Refused before any policy is parsed: each costs a regex compile or two.
    mount_count(existing.sync.len().saturating_add(existing.live.len()).saturating_add(list.len()))?;
    let live = super::live_mounts::plan(c, list, existing.live.len())?;
    // (index in `list`, plan); the deprecated ContextId's has no index.
    let mut out: Vec<(Option<usize>, MountPlan)> = Vec::new();
    for (i, item) in list.iter().enumerate().filter(|(_, item)| item.mount_config.is_none()) {
        let policy = match item.policy.as_deref() {
            None => SyncPolicy::default(),
            Some(p) => SyncPolicy::parse(p)
                .map_err(|e| ApiError::InvalidPolicy(format!("PersistenceDataList[{i}].Policy: {e}")))?,
        };
        let plan = MountPlan { context_id: item.context_id.clone(), path: item.path.clone(), policy, missing: false };
        out.push((Some(i), plan));
    }
    if let Some(ctx) = legacy {
        let plan = MountPlan {
            context_id: ctx.to_string(),
            path: LEGACY_CONTEXT_MOUNT_PATH.into(),
            policy: SyncPolicy::default(),
            missing: false,
        };
        out.push((None, plan));
    }
    for (at, m) in out.iter_mut() {
        let i = at.unwrap_or(list.len());
        m.path = paths::normalize(&m.path)
            .map_err(|e| ApiError::InvalidPath(format!("PersistenceDataList[{i}].Path: {e}")))?;
        sandbox::validate_mount_path(&m.path)
            .map_err(|e| ApiError::InvalidPath(format!("PersistenceDataList[{i}].Path: {e}")))?;
        // The deprecated ContextId always names a context that must exist.
        match c.context(&m.context_id) {
            Ok(_) => {}
            Err(ApiError::ContextNotFound(_)) if at.is_some() && unknown == Unknown::Mount => m.missing = true,
            Err(e) => return Err(e),
        }
        crate::store::expiry::recycle_dirs(&m.path, &m.policy.recycle_policy)
            .map_err(|e| ApiError::InvalidPolicy(format!("PersistenceDataList[{i}].Policy: {e}")))?;
    }
    let out: Vec<MountPlan> = out.into_iter().map(|(_, m)| m).collect();
    let all_paths: Vec<&str> = existing
        .sync
        .iter()
        .map(|m| m.path.as_str())
        .chain(existing.live.iter().map(|(_, p)| p.as_str()))
        .chain(out.iter().map(|m| m.path.as_str()))
        .chain(live.iter().map(|m| m.path.as_str()))
        .collect();
    for (i, a) in all_paths.iter().enumerate() {
        for b in &all_paths[i + 1..] {
            if paths::is_within(a, b) || paths::is_within(b, a) {
                return Err(ApiError::InvalidPath(format!("mount paths '{a}' and '{b}' are the same or nested")));
            }
        }
    }
    // A context shown live cannot also be synced in the same session: its uploads would race the
    // live tree (and are refused while it is live).
    let live_ids = existing.live.iter().map(|(c, _)| c.as_str()).chain(live.iter().map(|m| m.context_id.as_str()));
    let sync_ids: Vec<&str> =
        existing.sync.iter().map(|m| m.context_id.as_str()).chain(out.iter().map(|m| m.context_id.as_str())).collect();
    if let Some(both) = live_ids.into_iter().find(|id| sync_ids.contains(id)) {
        return Err(ApiError::InvalidPersistenceDataList(format!(
            "context {both} is mounted live (BetaContextMount) and synced (ContextSync) in one session; use one or the other"
        )));
    }
    let existing_roots = existing.sync.iter().enumerate().map(|(i, m)| {
        super::mount_policy::check(i, &m.path, &m.policy).map(|r| (m.context_id.as_str(), m.path.as_str(), r))
    });
    let new_roots = out.iter().enumerate().map(|(i, m)| {
        super::mount_policy::check(i, &m.path, &m.policy).map(|r| (m.context_id.as_str(), m.path.as_str(), r))
    });
    let roots = existing_roots.chain(new_roots).collect::<Result<Vec<_>, _>>()?;
    let keyed: Vec<_> = roots.iter().map(|(c, p, r)| (*c, *p, r.as_str())).collect();
    super::mount_policy::check_stored_roots(&keyed)?;
    Ok(Planned { sync: out, live })
}

/// The official SDK sends a `LifecyclePolicy` as `Timeout` + `MaxRuntime` in minutes (or
/// `ManualRelease` alone), and the deprecated `idleReleaseTimeout` as `Timeout` alone, in seconds.
fn release_policy(r: &CreateMcpSessionRequest) -> ReleasePolicy {
    if r.manual_release == Some(true) {
        return ReleasePolicy::default();
    }
    match r.max_runtime {
        Some(max) => ReleasePolicy {
            idle_secs: r.timeout.map(|t| t.0.saturating_mul(60)),
            max_runtime_secs: Some(max.0.saturating_mul(60)),
        },
        None => ReleasePolicy { idle_secs: r.timeout.map(|t| t.0), max_runtime_secs: None },
    }
}

pub fn create(c: Call, r: CreateMcpSessionRequest) -> Handled<CreateMcpSessionRequest> {
    for (name, value, why) in [
        (field::NETWORK_ID, &r.network_id, "custom networks are not implemented"),
        (field::MCP_POLICY_ID, &r.mcp_policy_id, "MCP policies are not implemented"),
        (field::SESSION_ID, &r.session_id, "session ids are assigned by the server"),
    ] {
        if let Some(v) = value {
            return Err(ApiError::unsupported(name, format!("'{v}': {why}")));
        }
    }
    if r.vpc_resource == Some(true) {
        return Err(ApiError::unsupported(field::VPC_RESOURCE, "VPC sessions are not implemented"));
    }
    if let Some(x) = r.extra_configs.as_deref().filter(|x| x.trim() != "{}") {
        return Err(ApiError::unsupported(
            field::EXTRA_CONFIGS,
            format!("'{x}': mobile/browser settings are not implemented"),
        ));
    }
    let image = r.image_id.clone().unwrap_or_else(|| DEFAULT_IMAGE_ID.to_string());
    if !SUPPORTED_IMAGES.contains(&image.as_str()) {
        return Err(ApiError::InvalidImage(image));
    }
    let labels = r.labels.clone().unwrap_or_default().0;
    let Planned { sync: mounts, live } = plan_mounts(&c, &r)?;

    let release = release_policy(&r);
    let new = NewSession { tenant: c.tenant.clone(), image, labels, mounts, live, release };
    let session = lifecycle::create(&c.st, new)?;
    let id = session.id.clone();
    Ok(Answer::data(CreateSessionData {
        session_id: id.clone(),
        success: true,
        err_msg: None,
        resource_url: resource_url(&c, &id),
        resource_id: id.clone(),
        app_instance_id: id,
        token: String::new(),
        link_url: String::new(),
        tool_list: tool_list_json(),
        ws_url: String::new(),
    }))
}

pub fn get(c: Call, r: GetSessionRequest) -> Handled<GetSessionRequest> {
    let s = c.session(&r.session_id)?;
    let db = c.st.store.db();
    let mut contexts = Vec::new();
    let synced = s.mounts().iter().filter(|m| !m.internal).map(|m| m.context_id.clone()).collect::<Vec<_>>();
    for id in synced.into_iter().chain(s.live_mounts().into_iter().map(|m| m.context_id)) {
        if let Some(r) = crate::store::db::context_by_id(&db, &c.tenant, &id)? {
            contexts.push(SessionContextRef { id: r.id, name: r.name });
        }
    }
    Ok(Answer::data(GetSessionData {
        session_id: s.id.clone(),
        success: true,
        status: s.status().into(),
        resource_url: resource_url(&c, &s.id),
        resource_id: s.id.clone(),
        app_instance_id: s.id.clone(),
        tool_list: tool_list_json(),
        contexts,
        ..Default::default()
    }))
}

pub fn detail(c: Call, r: GetSessionDetailRequest) -> Handled<GetSessionDetailRequest> {
    let s = c.session(&r.session_id)?;
    Ok(Answer::data(SessionDetailData {
        status: s.status().into(),
        image_id: s.image_id.clone(),
        app_instance_id: s.id.clone(),
        region_id: REGION.into(),
        end_reason: String::new(),
    }))
}

pub fn list(c: Call, r: ListSessionRequest) -> Handled<ListSessionRequest> {
    let filter = r.labels.unwrap_or_default().0;
    let status = r.status.as_deref();
    if let Some(s) = status {
        if !session_status::FILTERABLE.contains(&s) {
            return Err(ApiError::invalid(
                field::STATUS,
                format!("'{s}'; valid values: {}", session_status::FILTERABLE.join(", ")),
            ));
        }
    }
    let max = r.max_results.map_or(10, |m| m.0);
    let offset = parse_token(r.next_token.as_deref())?;
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
    let mut a = Answer::data(page);
    a.next_token = Some(next.unwrap_or_default());
    a.max_results = Some(max as u32);
    a.total_count = Some(total);
    Ok(a)
}

/// `DeleteSessionAsync` and `ReleaseMcpSession`: starts the release and answers at once.
pub fn delete(c: &Call, session_id: &str) -> Handled<DeleteSessionAsyncRequest> {
    let s = c.session(session_id)?;
    lifecycle::delete(&c.st, s);
    Ok(Answer::empty())
}

/// `RefreshSessionIdleTime` (`session.keepAlive()`): restarts the session's idle timer (its
/// `lifecyclePolicy.idleReleaseTimeout`, released by `lifecycle::release_due`).
pub fn keep_alive(c: Call, r: RefreshSessionIdleTimeRequest) -> Handled<RefreshSessionIdleTimeRequest> {
    let s = c.session(&r.session_id)?;
    if s.status() == session_status::DELETING {
        return Err(ApiError::SessionNotRunning(s.id.clone(), session_status::DELETING));
    }
    s.touch(c.st.store.clock.now());
    Ok(Answer::empty())
}

pub fn pause(c: Call, r: PauseSessionAsyncRequest) -> Handled<PauseSessionAsyncRequest> {
    let s = c.session(&r.session_id)?;
    let id = s.id.clone();
    lifecycle::pause_or_resume(s, true).map_err(|st| ApiError::SessionNotRunning(id, st))?;
    Ok(Answer::empty())
}

pub fn resume(c: Call, r: ResumeSessionAsyncRequest) -> Handled<ResumeSessionAsyncRequest> {
    let s = c.session(&r.session_id)?;
    let id = s.id.clone();
    lifecycle::pause_or_resume(s, false).map_err(|st| ApiError::SessionNotPaused(id, st))?;
    Ok(Answer::empty())
}

pub fn set_label(c: Call, r: SetLabelRequest) -> Handled<SetLabelRequest> {
    let s = c.session(&r.session_id)?;
    s.touch(c.st.store.clock.now());
    s.set_labels(r.labels.0);
    Ok(Answer::empty())
}

pub fn get_label(c: Call, r: GetLabelRequest) -> Handled<GetLabelRequest> {
    let s = c.session(&r.session_id)?;
    Ok(Answer::data(LabelsData { labels: Labels(s.labels()).to_json() }))
}

pub fn list_tools(_c: Call, r: ListMcpToolsRequest) -> Handled<ListMcpToolsRequest> {
    if let Some(image) = r.image_id {
        if !SUPPORTED_IMAGES.contains(&image.as_str()) {
            return Err(ApiError::InvalidImage(image));
        }
    }
    Ok(Answer::data(tool_list_json()))
}

/// A session's `resourceUrl`: its status page (`api/view.rs`), presigned for a day.
fn resource_url(c: &Call, id: &str) -> String {
    let expires = (crate::util::now_secs() as u64).saturating_add(crate::presign::VIEW_TTL_SECS);
    c.st.presigner.view_url(&c.base_url, id, expires)
}

pub fn resource(c: Call, r: GetMcpResourceRequest) -> Handled<GetMcpResourceRequest> {
    let s = c.session(&r.session_id)?;
    Ok(Answer::data(McpResourceData {
        session_id: s.id.clone(),
        resource_url: resource_url(&c, &s.id),
        desktop_info: DesktopInfo { resource_id: s.id.clone(), ..Default::default() },
    }))
}

pub async fn call_tool(c: Call, r: CallMcpToolRequest) -> Handled<CallMcpToolRequest> {
    if r.auto_gen_session == Some(true) {
        return Err(ApiError::unsupported(field::AUTO_GEN_SESSION, "sessions must be created with CreateMcpSession"));
    }
    if let Some(t) = r.tool {
        return Err(ApiError::unsupported(field::TOOL, format!("'{t}': name the tool with Name")));
    }
    let s = c.session(&r.session_id)?;
    running(&s)?;
    s.touch(c.st.store.clock.now());
    let args = serde_json::Value::Object(r.args.unwrap_or_default().0);
    match s.sandbox.call_tool(&r.name, &args).await {
        Ok(result) => Ok(Answer::data(result)),
        Err(e @ ToolError::UnknownTool(_)) => Err(ApiError::InvalidTool(e.to_string())),
        #[allow(unreachable_patterns)]
        Err(e) => Err(ApiError::InvalidArgs(e.to_string())),
    }
}

/// The mounts a SyncContext selection names, each with the path its task is listed under: a
/// `Path` equal to a mount's selects it; one below a mount (a file of the file-transfer
/// context, say) selects the mount that holds it, and its task is listed under that path.
fn select_mounts(s: &Session, ctx: Option<&str>, path: Option<&str>) -> Result<Vec<(usize, String)>, ApiError> {
    let path = match path {
        Some(p) => Some(paths::normalize(p).map_err(|e| ApiError::InvalidPath(format!("Path: {e}")))?),
        None => None,
    };
    let mounts = s.mounts();
    let sel: Vec<(usize, String)> = (0..mounts.len())
        .filter(|&i| ctx.is_none_or(|c| mounts[i].context_id == c))
        .filter_map(|i| match path.as_deref() {
            None => Some((i, mounts[i].path.clone())),
            Some(p) if p == mounts[i].path || paths::is_within(p, &mounts[i].path) => Some((i, p.to_string())),
            Some(_) => None,
        })
        .collect();
    if sel.is_empty() && (ctx.is_some() || path.is_some()) {
        let held: Vec<&str> =
            mounts.iter().filter(|m| ctx.is_none_or(|c| m.context_id == c)).map(|m| m.path.as_str()).collect();
        return Err(ApiError::invalid(
            "ContextId/Path",
            format!(
                "session {} has no mount of context {} at or above path {} (it mounts that context at: {})",
                s.id,
                ctx.unwrap_or("(any)"),
                path.as_deref().unwrap_or("(any)"),
                if held.is_empty() { "nowhere".to_string() } else { held.join(", ") }
            ),
        ));
    }
    Ok(sel)
}

pub fn sync_context(c: Call, r: SyncContextRequest) -> Handled<SyncContextRequest> {
    let s = c.session(&r.session_id)?;
    s.touch(c.st.store.clock.now());
    let dir = match r.mode.as_deref() {
        None | Some("upload") => Direction::Upload,
        Some("download") => Direction::Download,
        Some(m) => return Err(ApiError::invalid(field::MODE, format!("'{m}'; valid values: upload, download"))),
    };
    running(&s)?;
    let sel = select_mounts(&s, r.context_id.as_deref(), r.path.as_deref())?;
    lifecycle::spawn_labelled_tasks(&c.st, &s, sel, dir);
    Ok(Answer::empty())
}

pub fn context_info(c: Call, r: GetContextInfoRequest) -> Handled<GetContextInfoRequest> {
    let s = c.session(&r.session_id)?;
    let ctx = r.context_id.as_deref();
    let path = match r.path.as_deref() {
        Some(p) => Some(paths::normalize(p).map_err(|e| ApiError::InvalidPath(format!("Path: {e}")))?),
        None => None,
    };
    let tt = r.task_type.as_deref();
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
    Ok(Answer::data(ContextInfoData { context_status: context_status::encode(&tasks) }))
}

/// `BindContexts` (`session.context.bind`): more mounts for a running session, checked as at
/// create (against each other and the mounts it has), then downloaded and synced by policy.
pub fn bind_contexts(c: Call, r: BindContextsRequest) -> Handled<BindContextsRequest> {
    let s = c.session(&r.session_id)?;
    running(&s)?;
    s.touch(c.st.store.clock.now());
    let Planned { sync, live } = plan_items(&c, &r.persistence_data_list.0, None, &Existing::of(&s), Unknown::Refuse)?;
    if sync.is_empty() && live.is_empty() {
        return Err(ApiError::InvalidPersistenceDataList("at least one context is required".into()));
    }
    lifecycle::bind(&c.st, &s, sync, live)?;
    Ok(Answer::empty())
}

/// `DescribeSessionContexts` (`session.context.listBindings`): every context the session
/// mounts, at create or by a bind, in that order (the file-transfer context aside).
pub fn describe_contexts(c: Call, r: DescribeSessionContextsRequest) -> Handled<DescribeSessionContextsRequest> {
    let s = c.session(&r.session_id)?;
    let db = c.st.store.db();
    let mut out = Vec::new();
    for m in s.mounts().iter().filter(|m| !m.internal) {
        let name = crate::store::db::context_by_id(&db, &c.tenant, &m.context_id)?.map(|r| r.name).unwrap_or_default();
        out.push(ContextBindingData {
            context_id: m.context_id.clone(),
            context_name: name,
            path: m.path.clone(),
            policy: serde_json::to_string(&m.policy).unwrap_or_default(),
            bind_time: agentbay_wire::time::rfc3339(m.bind_time),
        });
    }
    // Live mounts (`BetaContextMount`) have no sync policy: theirs is empty.
    for m in s.live_mounts() {
        let name = crate::store::db::context_by_id(&db, &c.tenant, &m.context_id)?.map(|r| r.name).unwrap_or_default();
        out.push(ContextBindingData {
            context_id: m.context_id,
            context_name: name,
            path: m.path,
            policy: String::new(),
            bind_time: agentbay_wire::time::rfc3339(m.bind_time),
        });
    }
    Ok(Answer::data(out))
}

/// `GetAndLoadInternalContext`: the session's file-transfer context, made and mounted at
/// [`lifecycle::FILE_TRANSFER_PATH`] on first use (`crate::lifecycle::load_file_transfer`).
pub fn internal_context(c: Call, r: GetAndLoadInternalContextRequest) -> Handled<GetAndLoadInternalContextRequest> {
    use agentbay_wire::envelope::internal_context_type::FILE_TRANSFER;
    let mut kinds: Vec<String> = r.context_types.map(|l| l.0).unwrap_or_default();
    kinds.extend(r.context_types_1);
    if let Some(k) = kinds.iter().find(|k| k.as_str() != FILE_TRANSFER) {
        return Err(ApiError::invalid(field::CONTEXT_TYPES, format!("'{k}'; valid values: {FILE_TRANSFER}")));
    }
    let s = c.session(&r.session_id)?;
    running(&s)?;
    s.touch(c.st.store.clock.now());
    let id = lifecycle::load_file_transfer(&c.st, &s)?;
    Ok(Answer::data(vec![InternalContextData {
        context_id: id,
        context_path: lifecycle::FILE_TRANSFER_PATH.into(),
        context_type: FILE_TRANSFER.into(),
    }]))
}
