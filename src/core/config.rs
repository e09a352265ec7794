//! Client configuration: API key, endpoint (explicit, or derived from the region
//! as in the newest official SDKs), request timeout and response size caps.

use serde::Deserialize;

pub const DEFAULT_TIMEOUT_MS: u64 = 60_000;
/// Cap on an API reply. Replies are JSON envelopes whose size the protocol bounds: file reads
/// come in 61,440-character chunks (src/core/filesystem.rs) and lists are paged, so a normal
/// reply is well under a megabyte; 32 MiB leaves room for any of them and still stops a broken
/// or hostile server from making the SDK buffer (and parse) an arbitrary amount.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;
/// Cap on a presigned download (`context.downloadFile`): that body is a whole user file, as large
/// as whatever `uploadFile` or a session stored, so the API cap would refuse legitimate files. The
/// bytes are held in wasm32 linear memory (at most 4 GiB) and copied once into a JS
/// `Uint8Array`, so 1 GiB is about the most that fits reliably; past that the failure would be an
/// out-of-memory trap rather than a clear message.
pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 1024 * 1024 * 1024;
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

/// The official snake_case `config` object (camelCase spellings accepted too). When it is
/// given, `AGENTBAY_*` variables other than the key are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "AgentBayConfig", optional_fields))]
#[serde(default)]
pub struct OfficialConfig {
    /// `host`, `host:port` or a full `http://` / `https://` URL.
    pub endpoint: Option<String>,
    /// Per-request timeout in milliseconds.
    #[serde(alias = "timeoutMs")]
    pub timeout_ms: Option<f64>,
    /// The region whose endpoint is used when none is given.
    #[serde(alias = "regionId")]
    pub region_id: Option<String>,
    /// Largest API reply accepted, in bytes.
    #[serde(alias = "maxResponseBytes")]
    pub max_response_bytes: Option<f64>,
    /// Largest `context.downloadFile` body accepted, in bytes.
    #[serde(alias = "maxDownloadBytes")]
    pub max_download_bytes: Option<f64>,
}

/// `new AgentBay(options)`. Every field may be left out: the API key then comes from
/// `AGENTBAY_API_KEY`, the rest from the other `AGENTBAY_*` variables or the defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default)]
pub struct AgentBayOptions {
    /// The API key (default: `AGENTBAY_API_KEY`).
    pub api_key: Option<String>,
    /// `host`, `host:port` or a full `http://` / `https://` URL (default scheme https).
    pub endpoint: Option<String>,
    /// Per-request timeout in milliseconds (default 60000); also bounds how long a wait keeps
    /// polling a server that does not answer.
    #[serde(alias = "timeout_ms")]
    pub timeout_ms: Option<f64>,
    /// The region whose endpoint is used when none is given (default `cn-hangzhou`).
    #[serde(alias = "region_id")]
    pub region_id: Option<String>,
    /// Largest API reply accepted, in bytes (default 32 MiB); a larger one resolves to
    /// `success: false`.
    #[serde(alias = "max_response_bytes")]
    pub max_response_bytes: Option<f64>,
    /// Largest `context.downloadFile` body accepted, in bytes (default 1 GiB).
    #[serde(alias = "max_download_bytes")]
    pub max_download_bytes: Option<f64>,
    /// The official form (snake_case keys).
    pub config: Option<OfficialConfig>,
    /// Accepted for compatibility; there is no file system to read it from in wasm.
    pub env_file: Option<String>,
    /// `true`: the endpoint is a proxy that adds the API key (`agentbay-wasm/proxy`), so none is
    /// needed here; requests then carry no `Authorization` unless a key or `authorize` gives one.
    pub proxied: Option<bool>,
    /// Set by the binding when an `authorize` function was given (a function is not JSON): like
    /// `proxied`, it makes the API key optional.
    #[serde(skip)]
    pub authorize_given: bool,
}

// `new AgentBay(options)` reads these with `FromJson` (crates/agentbay-wire/src/from_json.rs), not
// the serde derives above, which stay for the TypeScript declarations; keys follow the serde names.
super::wire::from_json! {
    OfficialConfig {
        endpoint: "endpoint", timeout_ms: "timeout_ms" | "timeoutMs", region_id: "region_id" | "regionId",
        max_response_bytes: "max_response_bytes" | "maxResponseBytes",
        max_download_bytes: "max_download_bytes" | "maxDownloadBytes",
    }
    AgentBayOptions {
        api_key: "apiKey", endpoint: "endpoint", timeout_ms: "timeoutMs" | "timeout_ms",
        region_id: "regionId" | "region_id", max_response_bytes: "maxResponseBytes" | "max_response_bytes",
        max_download_bytes: "maxDownloadBytes" | "max_download_bytes", config: "config", env_file: "envFile",
        proxied: "proxied",
    }
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
    /// Empty when none is needed (`proxied` or `authorize`): requests then carry no key.
    pub api_key: String,
    /// `scheme://authority[/path]` without a trailing slash.
    pub base_url: String,
    pub region_id: Option<String>,
    pub timeout_ms: u64,
    /// Largest API reply body accepted.
    pub max_response_bytes: u64,
    /// Largest presigned download body accepted.
    pub max_download_bytes: u64,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

fn positive_ms(v: Option<f64>) -> Option<u64> {
    v.filter(|t| t.is_finite() && *t >= 1.0).map(|t| t as u64)
}

/// `n` as JavaScript prints it, without Rust's float formatting (kept out of the .wasm: it is
/// about 15 KB, and this message is its only use).
fn js_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        (if n > 0.0 { "Infinity" } else { "-Infinity" }).into()
    } else if n.fract() == 0.0 && n.abs() < 1e15 {
        (n as i64).to_string()
    } else {
        serde_json::Value::from(n).to_string()
    }
}

/// A byte cap given explicitly must be a positive number: unlike a bad `timeoutMs` (ignored, as
/// officially), a cap silently replaced by the default would hide a typo in a safety setting.
fn byte_cap(name: &str, v: Option<f64>, default: u64) -> Result<u64, ConfigError> {
    match v {
        None => Ok(default),
        Some(n) if n.is_finite() && n >= 1.0 => Ok(n as u64),
        Some(n) => {
            Err(ConfigError::InvalidOptions(format!("{name} must be a positive number of bytes, got {}", js_number(n))))
        }
    }
}

/// Resolves options + environment. Precedence: top-level options, then the official
/// `config` object (whose presence disables the environment, as officially), then env.
pub fn resolve(opts: &AgentBayOptions, env: &EnvVars) -> Result<Config, ConfigError> {
    let keyless = opts.proxied == Some(true) || opts.authorize_given;
    let api_key = match non_empty(&opts.api_key).or_else(|| non_empty(&env.api_key)) {
        Some(k) => k,
        None if keyless => String::new(),
        None => return Err(ConfigError::MissingApiKey),
    };
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
    let max_response_bytes =
        byte_cap("maxResponseBytes", opts.max_response_bytes.or(cfg.max_response_bytes), DEFAULT_MAX_RESPONSE_BYTES)?;
    let max_download_bytes =
        byte_cap("maxDownloadBytes", opts.max_download_bytes.or(cfg.max_download_bytes), DEFAULT_MAX_DOWNLOAD_BYTES)?;
    Ok(Config { api_key, base_url, region_id, timeout_ms, max_response_bytes, max_download_bytes })
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
    // Under wasm32 these run in Node and Chromium (scripts/test.sh).
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

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
    fn proxied_or_authorize_make_the_key_optional() {
        let mut o = AgentBayOptions { endpoint: Some("http://localhost:5173/agentbay/".into()), ..Default::default() };
        assert_eq!(resolve(&o, &EnvVars::default()).unwrap_err(), ConfigError::MissingApiKey);
        o.proxied = Some(false);
        assert_eq!(resolve(&o, &EnvVars::default()).unwrap_err(), ConfigError::MissingApiKey);
        o.proxied = Some(true);
        let c = resolve(&o, &EnvVars::default()).unwrap();
        assert_eq!((c.api_key.as_str(), c.base_url.as_str()), ("", "http://localhost:5173/agentbay"));
        o.proxied = None;
        o.authorize_given = true;
        assert_eq!(resolve(&o, &EnvVars::default()).unwrap().api_key, "");
        o.api_key = Some("k".into());
        assert_eq!(resolve(&o, &EnvVars::default()).unwrap().api_key, "k");
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
        o.config =
            Some(OfficialConfig { endpoint: Some("cfg:2".into()), timeout_ms: Some(-1.0), ..Default::default() });
        let c = resolve(&o, &env).unwrap();
        assert_eq!((c.base_url.as_str(), c.timeout_ms, c.region_id), ("https://cfg:2", 60_000, None));
    }

    #[test]
    fn response_caps_default_and_both_forms() {
        let c = resolve(&opts("k"), &EnvVars::default()).unwrap();
        assert_eq!((c.max_response_bytes, c.max_download_bytes), (32 * 1024 * 1024, 1024 * 1024 * 1024));
        let mut o = opts("k");
        o.max_response_bytes = Some(4096.0);
        o.max_download_bytes = Some(8192.0);
        let c = resolve(&o, &EnvVars::default()).unwrap();
        assert_eq!((c.max_response_bytes, c.max_download_bytes), (4096, 8192));
        let o: AgentBayOptions = serde_json::from_value(
            serde_json::json!({"apiKey": "k", "config": {"endpoint": "h", "max_response_bytes": 1000, "maxDownloadBytes": 2000}}),
        )
        .unwrap();
        let c = resolve(&o, &EnvVars::default()).unwrap();
        assert_eq!((c.max_response_bytes, c.max_download_bytes), (1000, 2000));
        let mut o = opts("k");
        o.max_response_bytes = Some(0.0);
        assert_eq!(
            resolve(&o, &EnvVars::default()).unwrap_err().to_string(),
            "Invalid AgentBay options: maxResponseBytes must be a positive number of bytes, got 0"
        );
        assert_eq!(
            [js_number(-1.0), js_number(0.5), js_number(f64::NAN), js_number(f64::NEG_INFINITY)],
            ["-1", "0.5", "NaN", "-Infinity"]
        );
    }
}
