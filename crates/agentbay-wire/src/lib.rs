//! The AgentBay wire format, shared by the SDK and agentbay-local.
//!
//! Every action name, request field name, response field name and nested JSON
//! encoding lives here so the client and the server cannot drift apart.
//! The reference the shapes follow is the official SDKs' wire; see README ("Point an AgentBay SDK at it").

pub mod action;
pub mod codes;
pub mod context_status;
pub mod envelope;
pub mod field;
pub mod field_value;
pub mod form;
pub mod from_json;
pub mod json;
pub mod labels;
pub mod persistence;
pub mod policy;
pub mod request;
pub mod time;
pub mod tool;
pub mod wire_enum;

/// POP API version every request carries (`Version=` query field).
pub const API_VERSION: &str = "2025-05-06";
/// Image a session gets when `ImageId` is absent.
pub const DEFAULT_IMAGE_ID: &str = "linux_latest";
