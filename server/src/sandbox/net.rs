//! What a session's processes can reach on the network (`--session-network`).

use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Network {
    /// Its own network namespace with only a loopback of its own: nothing on the host
    /// (the server's API and every other loopback service included) and nothing beyond.
    #[default]
    None,
    /// Its own namespace plus user-mode NAT by `slirp4netns`: outbound TCP/UDP to the
    /// host's networks and beyond, but never the host's loopback (`--disable-host-loopback`),
    /// so not the server's API either. Needs the `slirp4netns` package.
    Slirp4netns,
    /// The host's network namespace, as before sandboxing had a network of its own: every
    /// service the host reaches, the server's API and other loopback services included.
    /// Only for trusted code.
    Host,
}

impl Network {
    pub const NAMES: &'static str = "none, slirp4netns, host";

    /// Whether the sandbox gets a network namespace of its own.
    pub fn unshares(&self) -> bool {
        *self != Network::Host
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Network::None => "none",
            Network::Slirp4netns => "slirp4netns",
            Network::Host => "host",
        }
    }
}

impl FromStr for Network {
    type Err = String;
    fn from_str(s: &str) -> Result<Network, String> {
        match s {
            "none" => Ok(Network::None),
            "slirp4netns" => Ok(Network::Slirp4netns),
            "host" => Ok(Network::Host),
            other => Err(format!("unknown network mode '{other}' (valid: {})", Network::NAMES)),
        }
    }
}
