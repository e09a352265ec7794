//! agentbay-local: a local AgentBay-compatible server.
