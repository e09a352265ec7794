//! Live mounts (official `BetaContextMount`, 0.21): a context shown at a path of the session,
//! every write landing in it at once, instead of being synced in and out. `create()` sends them
//! after its `contextSync` items, `bind()` mixed with them; both encode each as the wire's
//! `Type: "mount"` item with its `MountConfig` (crates/agentbay-wire/src/persistence.rs).
//!
//! The `BetaContextMount` class itself is plain JavaScript (pkg-template/extras.mjs, as
//! officially a class of five fields); it checks `accessMode` and `strategy` with
//! [`mode_value`], so the class, `create()` and `bind()` word an invalid value alike.

use super::sync_config::ContextSyncSpec;
use super::wire::persistence::{AccessMode, MountConfig, PersistenceData, StorageMode, MOUNT_TYPE};
use super::wire::wire_enum::WireEnum;
use serde_json::{Map, Value};

/// The keys only a `BetaContextMount` has: a plain object with one of them is a mount.
pub const MOUNT_KEYS: [&str; 3] = ["accessMode", "strategy", "sourcePath"];

// Declaration only (the TypeScript type): `MountSpec::from_value` reads these keys.
/// A `BetaContextMount` as a plain object: what `JSON.stringify(new BetaContextMount(...))`
/// gives, and what `create({ betaContextMount })` and `session.context.bind()` accept. In
/// `bind()`, a plain object is a mount when it has `accessMode`, `strategy` or `sourcePath`
/// (otherwise it is a `ContextSync`).
#[cfg(feature = "ts")]
#[derive(ts_rs::TS)]
#[ts(optional_fields, rename_all = "camelCase")]
pub struct BetaContextMountOptions {
    /// The context to mount (`context.id`).
    pub context_id: String,
    /// Where it is shown in the session (an empty or missing folder).
    pub path: String,
    /// `readWrite` (default) or `readOnly`.
    #[ts(type = "BetaContextMountAccessMode", optional)]
    pub access_mode: Option<()>,
    /// `standard` (default) or `performance` (the cloud's two FUSE flavours; the same on agentbay-local).
    #[ts(type = "BetaContextMountStrategy", optional)]
    pub strategy: Option<()>,
    /// The folder of the context shown at `path` (default `""`: all of it).
    pub source_path: Option<String>,
}

/// Which field of a `BetaContextMount` a value is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeField {
    /// `accessMode`: a [`AccessMode`] (`BetaContextMountAccessMode`).
    AccessMode,
    /// `strategy`: a [`StorageMode`] (`BetaContextMountStrategy`).
    Strategy,
}

impl ModeField {
    /// The field's name in JavaScript.
    pub fn name(self) -> &'static str {
        match self {
            ModeField::AccessMode => "accessMode",
            ModeField::Strategy => "strategy",
        }
    }

    /// The field named `name`.
    pub fn named(name: &str) -> Option<ModeField> {
        [ModeField::AccessMode, ModeField::Strategy].into_iter().find(|f| f.name() == name)
    }
}

/// `Invalid accessMode value: rw. Valid values are: readWrite, readOnly` (the wording of the
/// policies' enum fields).
fn invalid<E: WireEnum>(field: ModeField, v: &Value) -> String {
    let shown = v.as_str().map_or_else(|| v.to_string(), str::to_string);
    format!("Invalid {} value: {shown}. Valid values are: {}", field.name(), E::names())
}

fn parse<E: WireEnum + Default>(field: ModeField, v: &Value) -> Result<E, String> {
    match v {
        Value::Null => Ok(E::default()),
        Value::String(s) => E::parse(s).ok_or_else(|| invalid::<E>(field, v)),
        other => Err(invalid::<E>(field, other)),
    }
}

/// The canonical spelling of a `BetaContextMount` field's value: absent (`undefined`/`null`)
/// is the official default, anything but a valid value is refused naming the valid ones.
pub fn mode_value(field: ModeField, v: &Value) -> Result<&'static str, String> {
    match field {
        ModeField::AccessMode => parse::<AccessMode>(field, v).map(WireEnum::as_str),
        ModeField::Strategy => parse::<StorageMode>(field, v).map(WireEnum::as_str),
    }
}

/// One live mount as the core sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountSpec {
    pub context_id: String,
    pub path: String,
    pub access_mode: AccessMode,
    pub storage_mode: StorageMode,
    pub source_path: String,
}

/// Whether a plain object is a `BetaContextMount` (it has a key only a mount has).
pub fn is_mount(obj: &Map<String, Value>) -> bool {
    MOUNT_KEYS.iter().any(|k| obj.get(*k).is_some_and(|v| !v.is_null()))
}

impl MountSpec {
    /// Item `what` (`betaContextMount[0]`) of a list, from `toJSON`/`JSON.stringify` of a
    /// `BetaContextMount` or a plain object of its fields.
    pub fn from_value(what: &str, v: &Value) -> Result<MountSpec, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("{what} must be a BetaContextMount or an object {{ contextId, path, accessMode?, strategy?, sourcePath? }}"))?;
        let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let context_id = text("contextId").ok_or_else(|| format!("{what}: contextId must be a non-empty string"))?;
        let path = text("path").ok_or_else(|| format!("{what}: path must be a non-empty string"))?;
        if obj.get("policy").is_some_and(|p| !p.is_null()) {
            return Err(format!(
                "{what}: a BetaContextMount has no policy (its writes land in the context at once); use a ContextSync for a synced mount"
            ));
        }
        let null = Value::Null;
        let field = |k: &str| obj.get(k).unwrap_or(&null);
        let access_mode = parse(ModeField::AccessMode, field("accessMode")).map_err(|e| format!("{what}: {e}"))?;
        let storage_mode = parse(ModeField::Strategy, field("strategy")).map_err(|e| format!("{what}: {e}"))?;
        let source_path = match field("sourcePath") {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => return Err(format!("{what}: sourcePath must be a string, got {other}")),
        };
        Ok(MountSpec { context_id: context_id.into(), path: path.into(), access_mode, storage_mode, source_path })
    }

    /// The `PersistenceDataList` item: `Type: "mount"` with its `MountConfig` (`SourcePath`
    /// omitted when empty).
    pub fn to_persistence(&self) -> PersistenceData {
        PersistenceData {
            context_id: self.context_id.clone(),
            path: self.path.clone(),
            r#type: Some(MOUNT_TYPE.into()),
            mount_config: Some(MountConfig {
                access_mode: self.access_mode,
                storage_mode: self.storage_mode,
                source_path: self.source_path.clone(),
            }),
            ..Default::default()
        }
    }
}

/// One item of `bind()`'s list: a synced mount or a live one.
#[derive(Debug, Clone, PartialEq)]
pub enum Binding {
    /// A `ContextSync`.
    Sync(ContextSyncSpec),
    /// A `BetaContextMount`.
    Live(MountSpec),
}

impl Binding {
    /// Item `i` of `bind()`'s list: a mount when it has `accessMode`, `strategy` or
    /// `sourcePath`, else a `ContextSync` (read as `create({ contextSync })` reads its items).
    pub fn from_value(i: usize, v: &Value) -> Result<Binding, String> {
        match v.as_object() {
            Some(obj) if is_mount(obj) => {
                MountSpec::from_value(&format!("betaContextMount[{i}]"), v).map(Binding::Live)
            }
            _ => ContextSyncSpec::from_value(i, v).map(Binding::Sync).map_err(|e| e.to_string()),
        }
    }

    pub fn context_id(&self) -> &str {
        match self {
            Binding::Sync(c) => &c.context_id,
            Binding::Live(m) => &m.context_id,
        }
    }

    pub fn to_persistence(&self) -> PersistenceData {
        match self {
            Binding::Sync(c) => c.to_persistence(),
            Binding::Live(m) => m.to_persistence(),
        }
    }

    /// Whether the session reports a download for it that a wait should see end: a synced
    /// mount that auto-downloads and did not opt out of the wait, and every live mount (its
    /// `download` task succeeds once the context is mounted).
    pub fn waits_for_download(&self) -> bool {
        match self {
            Binding::Sync(c) => c.wait_for_completion && c.auto_downloads(),
            Binding::Live(_) => true,
        }
    }
}

/// Item `i` of `create({ contextSync })`: a `ContextSync`, and not a mount given in the wrong list.
pub fn context_sync_item(i: usize, v: &Value) -> Result<ContextSyncSpec, String> {
    if v.as_object().is_some_and(is_mount) {
        return Err(format!(
            "contextSync[{i}] is a BetaContextMount (it has accessMode, strategy or sourcePath): pass it in betaContextMount"
        ));
    }
    ContextSyncSpec::from_value(i, v).map_err(|e| e.to_string())
}
