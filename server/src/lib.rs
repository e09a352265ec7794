//! agentbay-local: a local AgentBay-compatible server.

pub mod sandbox;
pub mod tools;
