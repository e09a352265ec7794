//! Context actions: a tenant's contexts (get or create, list, rename, delete, clear) and
//! the files in them (listing, presigned upload/download URLs, deletion).

use super::call::{next_token, parse_token, Answer, Call, Handled};
use super::error::ApiError;
use crate::paths;
use crate::presign::Op;
use crate::store::db::{self, ContextRow, Kind};
use crate::util::{now_secs, rfc3339};
use agentbay_wire::envelope::{context_state, ContextData, ContextFileData, FileUrlData};
use agentbay_wire::field;
use agentbay_wire::request::*;
use std::collections::BTreeMap;

const OS_TYPE: &str = "linux";

pub fn context_data(r: &ContextRow) -> ContextData {
    ContextData {
        id: r.id.clone(),
        name: r.name.clone(),
        state: r.state.clone(),
        create_time: rfc3339(r.create_time),
        last_used_time: rfc3339(r.last_used_time),
        os_type: OS_TYPE.into(),
    }
}

fn valid_name(name: &str) -> Result<(), ApiError> {
    if name.chars().count() > 255 || name.chars().any(char::is_control) || name.trim().is_empty() {
        return Err(ApiError::invalid(field::NAME, "must be 1-255 characters without control characters"));
    }
    Ok(())
}

pub fn get(c: Call, r: GetContextRequest) -> Handled<GetContextRequest> {
    let allow_create = r.allow_create.unwrap_or(false);
    if let Some(id) = r.context_id.as_deref() {
        let row = c.context(id)?;
        if let Some(name) = r.name.as_deref() {
            if name != row.name {
                return Err(ApiError::invalid(
                    field::NAME,
                    format!("context '{id}' is named '{}', not '{name}'", row.name),
                ));
            }
        }
        return Ok(Answer::data(context_data(&row)));
    }
    let name = r.name.as_deref().ok_or_else(|| ApiError::MissingParameter("Name or ContextId".into()))?;
    valid_name(name)?;
    let db = c.st.store.db();
    if let Some(row) = db::context_by_name(&db, &c.tenant, name)? {
        return Ok(Answer::data(context_data(&row)));
    }
    if !allow_create {
        return Err(ApiError::ContextNotFound(name.into()));
    }
    let now = now_secs();
    let row = ContextRow {
        id: format!("SdkCtx-{}", crate::util::random_hex(10)),
        tenant: c.tenant.clone(),
        name: name.into(),
        state: context_state::AVAILABLE.into(),
        create_time: now,
        last_used_time: now,
    };
    db::insert_context(&db, &row)?;
    Ok(Answer::data(context_data(&row)))
}

pub fn list(c: Call, r: ListContextsRequest) -> Handled<ListContextsRequest> {
    if let Some(t) = r.context_type {
        return Err(ApiError::unsupported(field::CONTEXT_TYPE, format!("'{t}': only plain file contexts exist")));
    }
    let max = r.max_results.map_or(10, |m| m.0);
    let offset = parse_token(r.next_token.as_deref())?;
    let (rows, total) = if let Some(sid) = r.session_id.as_deref() {
        let s = c.session(sid)?;
        let db = c.st.store.db();
        let mut rows = Vec::new();
        for m in s.mounts().iter().filter(|m| !m.internal) {
            if let Some(r) = db::context_by_id(&db, &c.tenant, &m.context_id)? {
                if !rows.iter().any(|x: &ContextRow| x.id == r.id) {
                    rows.push(r);
                }
            }
        }
        let total = rows.len() as u64;
        (rows.into_iter().skip(offset as usize).take(max as usize).collect(), total)
    } else {
        db::list_contexts(&c.st.store.db(), &c.tenant, offset, max)?
    };
    let next = next_token(offset, rows.len(), total);
    let mut a = Answer::data(rows.iter().map(context_data).collect::<Vec<_>>());
    a.next_token = Some(next.unwrap_or_default());
    a.max_results = Some(max as u32);
    a.total_count = Some(total);
    Ok(a)
}

pub fn modify(c: Call, r: ModifyContextRequest) -> Handled<ModifyContextRequest> {
    let (id, name) = (r.id.as_str(), r.name.as_str());
    valid_name(name)?;
    let row = c.context(id)?;
    let db = c.st.store.db();
    if let Some(other) = db::context_by_name(&db, &c.tenant, name)? {
        if other.id != row.id {
            return Err(ApiError::ContextNameExists(name.into()));
        }
    }
    db::rename_context(&db, id, name)?;
    Ok(Answer::empty())
}

pub fn delete(c: Call, r: DeleteContextRequest) -> Handled<DeleteContextRequest> {
    let id = r.id;
    c.context(&id)?;
    // Refused while mounted: the session's release would otherwise upload into a deleted context.
    if let Some(sid) = c.st.delete_context_unless_mounted(&id)? {
        return Err(ApiError::ContextInUse(id, sid));
    }
    c.st.store.gc()?;
    Ok(Answer::empty())
}

pub fn clear(c: Call, r: ClearContextRequest) -> Handled<ClearContextRequest> {
    let id = r.id;
    c.context(&id)?;
    // Clearing: a live mount is not made from it meanwhile (`crate::live`).
    c.st.live
        .unless_live(&id, || db::set_state(&c.st.store.db(), &id, context_state::CLEARING))
        .map_err(|users| ApiError::ContextLive(id.clone(), users))??;
    let store = c.st.store.clone();
    tokio::task::spawn_blocking(move || {
        // Two statements: the connection guard must be dropped before gc() locks it again.
        let cleared = db::clear_entries(&store.db(), &id);
        let res = cleared.map_err(crate::store::StoreError::from).and_then(|_| store.gc());
        if let Err(e) = res {
            eprintln!("agentbay-local: clearing context {id}: {e}");
        }
        // A crash before this line leaves `clearing`; start-up finishes the clear.
        if let Err(e) = db::set_state(&store.db(), &id, context_state::AVAILABLE) {
            eprintln!("agentbay-local: clearing context {id}: {e}");
        }
    });
    Ok(Answer::empty())
}

fn file_path(raw: &str) -> Result<String, ApiError> {
    paths::normalize_context_file(raw).map_err(|e| ApiError::InvalidPath(format!("{}: {e}", field::FILE_PATH)))
}

pub fn describe_files(c: Call, r: DescribeContextFilesRequest) -> Handled<DescribeContextFilesRequest> {
    let ctx = r.context_id.as_str();
    let parent = paths::normalize_context(r.parent_folder_path.as_deref().unwrap_or("/"))
        .map_err(|e| ApiError::InvalidPath(format!("{}: {e}", field::PARENT_FOLDER_PATH)))?;
    // Token paging when either token field is given (as the official SDK sends them);
    // PageNumber/PageSize otherwise. A token is an offset this server issued, checked.
    let paging = if r.max_results.is_some() || r.next_token.is_some() {
        Paging::Tokens { offset: parse_token(r.next_token.as_deref())?, max: r.max_results.map_or(50, |m| m.0) }
    } else {
        Paging::Pages { page: r.page_number.map_or(1, |p| p.0), size: r.page_size.map_or(50, |p| p.0) }
    };
    c.context_to_read(ctx)?;
    let entries = db::entries_below(&c.st.store.db(), ctx, &parent)?;
    let prefix_len = if parent == "/" { 1 } else { parent.len() + 1 };
    // Direct children; folders are explicit dir entries or implied by deeper paths.
    let mut children: BTreeMap<String, ContextFileData> = BTreeMap::new();
    for e in &entries {
        let rest = &e.path[prefix_len..];
        let (name, deeper) = match rest.split_once('/') {
            Some((n, _)) => (n, true),
            None => (rest, false),
        };
        let full = if parent == "/" { format!("/{name}") } else { format!("{parent}/{name}") };
        let is_folder = deeper || e.kind == Kind::Dir;
        let item = children.entry(name.to_string()).or_insert_with(|| ContextFileData {
            file_id: hex::encode(sha2_short(&format!("{ctx}\n{full}"))),
            file_name: name.into(),
            file_path: full.clone(),
            file_type: if is_folder { "folder" } else { "file" }.into(),
            gmt_create: rfc3339(e.create_time),
            gmt_modified: rfc3339(e.mtime),
            size: 0,
            status: "available".into(),
        });
        if !deeper && e.kind == Kind::File {
            item.size = e.size;
            item.file_type = "file".into();
            item.gmt_create = rfc3339(e.create_time);
            item.gmt_modified = rfc3339(e.mtime);
        }
    }
    let total = children.len() as u64;
    let (offset, take) = match &paging {
        Paging::Pages { page, size } => ((page - 1).saturating_mul(*size), *size),
        Paging::Tokens { offset, max } => (*offset, *max),
    };
    let items: Vec<ContextFileData> =
        children.into_values().skip(usize::try_from(offset).unwrap_or(usize::MAX)).take(take as usize).collect();
    let mut a = Answer::data(items);
    a.count = Some(total);
    if let Paging::Tokens { offset, max } = paging {
        let len = a.data.as_ref().map_or(0, Vec::len);
        a.next_token = Some(next_token(offset, len, total).unwrap_or_default());
        a.max_results = Some(max as u32);
    }
    Ok(a)
}

/// How `DescribeContextFiles` pages: by page number and size, or by token.
enum Paging {
    Pages { page: u64, size: u64 },
    Tokens { offset: u64, max: u64 },
}

fn sha2_short(s: &str) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    Sha256::digest(s.as_bytes())[..12].to_vec()
}

pub fn upload_url(c: Call, r: GetContextFileUploadUrlRequest) -> Handled<GetContextFileUploadUrlRequest> {
    file_url(&c, Op::Put, &r.context_id, &r.file_path)
}

pub fn download_url(c: Call, r: GetContextFileDownloadUrlRequest) -> Handled<GetContextFileDownloadUrlRequest> {
    file_url(&c, Op::Get, &r.context_id, &r.file_path)
}

fn file_url(c: &Call, op: Op, ctx: &str, path: &str) -> Result<Answer<FileUrlData>, ApiError> {
    let path = file_path(path)?;
    match op {
        Op::Put => c.context_to_write(ctx)?,
        _ => c.context_to_read(ctx)?,
    };
    if op == Op::Get {
        match db::entry(&c.st.store.db(), ctx, &path)? {
            Some(e) if e.kind == Kind::File => {}
            _ => return Err(ApiError::FileNotFound(path)),
        }
    }
    let expires = now_secs() as u64 + c.st.presigner.ttl_secs;
    let url = c.st.presigner.url(&c.base_url, op, ctx, &path, expires);
    Ok(Answer::data(FileUrlData { url, expire_time: expires }))
}

pub fn delete_file(c: Call, r: DeleteContextFileRequest) -> Handled<DeleteContextFileRequest> {
    let ctx = r.context_id;
    let path = file_path(&r.file_path)?;
    c.context(&ctx)?;
    let n =
        c.st.live
            .unless_live(&ctx, || db::delete_path(&mut c.st.store.db(), &ctx, &path))
            .map_err(|users| ApiError::ContextLive(ctx.clone(), users))??;
    if n == 0 {
        return Err(ApiError::FileNotFound(path));
    }
    c.st.store.gc()?;
    Ok(Answer::empty())
}
