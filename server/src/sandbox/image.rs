//! Which session images this server runs. A session here is a bubblewrap sandbox over the
//! host's own read-only system (see the module doc of `sandbox`), so there is exactly one
//! image, the contract's default `linux_latest`; CreateMcpSession and ListMcpTools refuse
//! any other id, and the refusal lists these.

use agentbay_wire::DEFAULT_IMAGE_ID;

/// The image ids a session can be created with.
pub const SUPPORTED_IMAGES: &[&str] = &[DEFAULT_IMAGE_ID];
