//! agentbay-local: a local AgentBay-compatible server.
//!
//! Sessions are bubblewrap sandboxes (`sandbox`), created, synced and released by
//! `lifecycle` over the shared state in `state`; contexts persist in a data dir
//! (`store`) and are synced with session mounts (`sync`); and the HTTP layer (`api`)
//! speaks the POP RPC wire protocol of the official SDKs using the shared
//! `agentbay_wire` format. Live context mounts (`BetaContextMount`) share one tree per
//! context (`live`).

pub mod api;
pub mod clock;
pub mod cors;
pub mod lifecycle;
pub mod live;
pub mod overlay;
pub mod paths;
pub mod presign;
pub mod safe_fs;
pub mod sandbox;
pub mod server;
pub mod state;
pub mod store;
pub mod sweeper;
pub mod sync;
pub mod tools;
pub mod util;

pub use server::{Config, Running, Server, StartError, Tls};
