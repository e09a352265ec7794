//! Client configuration: API key, endpoint (explicit, or derived from the region
//! as in the newest official SDKs) and request timeout.

use serde::Deserialize;

pub const DEFAULT_TIMEOUT_MS: u64 = 60_000;
pub const DEFAULT_REGION: &str = "cn-hangzhou";
const REGIONS: &[&str] = &["cn-hangzhou", "ap-southeast-1", "us-east-1"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("API key is required. Provide it as a parameter or set the AGENTBAY_API_KEY environment variable.")]
    MissingApiKey,
    #[error("Invalid region_id '{0}'. Supported regions: cn-hangzhou, ap-southeast-1, us-east-1. For pre-release, use 'pre-' prefix (e.g., 'pre-cn-hangzhou').")]
    InvalidRegion(String),
    #[error("Invalid endpoint '{0}': {1}")]
    InvalidEndpoint(String, &'static str),
    #[error("Invalid AgentBay options: {0}")]
    InvalidOptions(String),
}

/// The official snake_case `config` object (camelCase spellings accepted too).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OfficialConfig {
    pub endpoint: Option<String>,
    #[serde(alias = "timeoutMs")]
    pub timeout_ms: Option<f64>,
    #[serde(alias = "regionId")]
    pub region_id: Option<String>,
}

/// `new AgentBay(options)`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AgentBayOptions {
    pub api_key: Option<String>,
    pub endpoint: Option<String>,
    #[serde(alias = "timeout_ms")]
    pub timeout_ms: Option<f64>,
    #[serde(alias = "region_id")]
    pub region_id: Option<String>,
    pub config: Option<OfficialConfig>,
    /// Accepted for compatibility; there is no file system to read it from in wasm.
    pub env_file: Option<String>,
}

/// The `AGENTBAY_*` environment variables, when the host has an environment.
#[derive(Debug, Clone, Default)]
pub struct EnvVars {
    pub api_key: Option<String>,
    pub endpoint: Option<String>,
    pub timeout_ms: Option<String>,
    pub region_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub api_key: String,
    /// `scheme://authority[/path]` without a trailing slash.
    pub base_url: String,
    pub region_id: Option<String>,
    pub timeout_ms: u64,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

fn positive_ms(v: Option<f64>) -> Option<u64> {
    v.filter(|t| t.is_finite() && *t >= 1.0).map(|t| t as u64)
}

/// Resolves options + environment. Precedence: top-level options, then the official
/// `config` object (whose presence disables the environment, as officially), then env.
pub fn resolve(opts: &AgentBayOptions, env: &EnvVars) -> Result<Config, ConfigError> {
    let api_key = non_empty(&opts.api_key).or_else(|| non_empty(&env.api_key)).ok_or(ConfigError::MissingApiKey)?;
    let use_env = opts.config.is_none();
    let cfg = opts.config.clone().unwrap_or_default();
    let env_or = |v: &Option<String>| if use_env { non_empty(v) } else { None };

    let endpoint = non_empty(&opts.endpoint).or_else(|| non_empty(&cfg.endpoint)).or_else(|| env_or(&env.endpoint));
    let region_id = non_empty(&opts.region_id).or_else(|| non_empty(&cfg.region_id)).or_else(|| env_or(&env.region_id));
    let timeout_ms = positive_ms(opts.timeout_ms)
        .or_else(|| positive_ms(cfg.timeout_ms))
        .or_else(|| env_or(&env.timeout_ms).and_then(|s| s.parse::<u64>().ok()).filter(|t| *t > 0))
        .unwrap_or(DEFAULT_TIMEOUT_MS);

    let base_url = match endpoint {
        Some(e) => parse_endpoint(&e)?,
        None => {
            // Validate the region even though an explicit endpoint would have won.
            format!("https://{}", region_endpoint(region_id.as_deref().unwrap_or(DEFAULT_REGION))?)
        }
    };
    if let Some(r) = &region_id {
        region_endpoint(r)?;
    }
    Ok(Config { api_key, base_url, region_id, timeout_ms })
}

/// Host name for a region (newer official SDKs' map).
pub fn region_endpoint(region: &str) -> Result<String, ConfigError> {
    if let Some(base) = region.strip_prefix("pre-") {
        if REGIONS.contains(&base) {
            return Ok(format!("agentbay-pre.{region}.aliyuncs.com"));
        }
    } else if REGIONS.contains(&region) {
        return Ok(format!("agentbay.{region}.aliyuncs.com"));
    }
    Err(ConfigError::InvalidRegion(region.to_string()))
}

/// `host`, `host:port` or `http(s)://host[:port][/path]` → base URL (https by default).
pub fn parse_endpoint(raw: &str) -> Result<String, ConfigError> {
    let bad = |why| ConfigError::InvalidEndpoint(raw.to_string(), why);
    let s = raw.trim();
    let lower = s.to_ascii_lowercase();
    let (scheme, rest) = if lower.starts_with("http://") {
        ("http", &s[7..])
    } else if lower.starts_with("https://") {
        ("https", &s[8..])
    } else if s.contains("://") {
        return Err(bad("only http:// and https:// URLs are supported"));
    } else {
        ("https", s)
    };
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return Err(bad("missing host"));
    }
    if authority.contains(|c: char| c.is_whitespace() || c == '@') {
        return Err(bad("host must not contain spaces or credentials"));
    }
    if path.contains(['?', '#']) {
        return Err(bad("query strings and fragments are not allowed"));
    }
    if let Some((_, port)) = authority.rsplit_once(':').filter(|_| !authority.ends_with(']')) {
        if port.parse::<u16>().is_err() {
            return Err(bad("port must be a number from 0 to 65535"));
        }
    }
    Ok(format!("{scheme}://{authority}{}", path.trim_end_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(key: &str) -> AgentBayOptions {
        AgentBayOptions { api_key: Some(key.into()), ..Default::default() }
    }

    #[test]
    fn endpoint_forms() {
        assert_eq!(parse_endpoint("example.com").unwrap(), "https://example.com");
        assert_eq!(parse_endpoint("127.0.0.1:8080").unwrap(), "https://127.0.0.1:8080");
        assert_eq!(parse_endpoint("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(parse_endpoint("HTTPS://h:1/base/").unwrap(), "https://h:1/base");
        assert!(parse_endpoint("ftp://h").is_err());
        assert!(parse_endpoint("http://").is_err());
        assert!(parse_endpoint("h:notaport").is_err());
        assert!(parse_endpoint("http://h/?a=b").is_err());
    }

    #[test]
    fn missing_key_has_the_official_message() {
        let e = resolve(&AgentBayOptions::default(), &EnvVars::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "API key is required. Provide it as a parameter or set the AGENTBAY_API_KEY environment variable."
        );
        let env = EnvVars { api_key: Some("akm-env".into()), ..Default::default() };
        assert_eq!(resolve(&AgentBayOptions::default(), &env).unwrap().api_key, "akm-env");
    }

    #[test]
    fn region_map_and_unknown_region() {
        let c = resolve(&opts("k"), &EnvVars::default()).unwrap();
        assert_eq!(c.base_url, "https://agentbay.cn-hangzhou.aliyuncs.com");
        assert_eq!(c.timeout_ms, 60_000);
        let mut o = opts("k");
        o.region_id = Some("pre-us-east-1".into());
        assert_eq!(
            resolve(&o, &EnvVars::default()).unwrap().base_url,
            "https://agentbay-pre.pre-us-east-1.aliyuncs.com"
        );
        o.region_id = Some("ap-southeast-1".into());
        assert_eq!(resolve(&o, &EnvVars::default()).unwrap().base_url, "https://agentbay.ap-southeast-1.aliyuncs.com");
        o.region_id = Some("mars-1".into());
        assert_eq!(
            resolve(&o, &EnvVars::default()).unwrap_err().to_string(),
            "Invalid region_id 'mars-1'. Supported regions: cn-hangzhou, ap-southeast-1, us-east-1. For pre-release, use 'pre-' prefix (e.g., 'pre-cn-hangzhou')."
        );
    }

    #[test]
    fn explicit_endpoint_wins_and_config_disables_env() {
        let env = EnvVars {
            endpoint: Some("env-host:1".into()),
            timeout_ms: Some("5000".into()),
            region_id: Some("us-east-1".into()),
            ..Default::default()
        };
        let c = resolve(&opts("k"), &env).unwrap();
        assert_eq!((c.base_url.as_str(), c.timeout_ms), ("https://env-host:1", 5000));
        assert_eq!(c.region_id.as_deref(), Some("us-east-1"));

        let mut o = opts("k");
        o.endpoint = Some("http://127.0.0.1:9".into());
        o.timeout_ms = Some(1234.0);
        let c = resolve(&o, &env).unwrap();
        assert_eq!((c.base_url.as_str(), c.timeout_ms), ("http://127.0.0.1:9", 1234));

        let mut o = opts("k");
        o.config = Some(OfficialConfig { endpoint: Some("cfg:2".into()), timeout_ms: Some(-1.0), region_id: None });
        let c = resolve(&o, &env).unwrap();
        assert_eq!((c.base_url.as_str(), c.timeout_ms, c.region_id), ("https://cfg:2", 60_000, None));
    }
}
