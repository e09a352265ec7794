//! `agentbay-local`: the command line around [`agentbay_local::Server`].

use agentbay_local::cors::Cors;
use agentbay_local::{Config, Server, Tls};
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// A local AgentBay-compatible server: real bubblewrap sandboxes, durable contexts.
#[derive(Parser, Debug)]
#[command(name = "agentbay-local", version)]
struct Cli {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:9810")]
    listen: SocketAddr,
    /// Directory holding contexts, sessions and keys (created if missing).
    #[arg(long, default_value = ".agentbay")]
    data_dir: PathBuf,
    /// Accepted API key (repeatable; each key is a tenant). Without one, a key is
    /// generated on first start, stored in the data dir and reused.
    #[arg(long = "api-key")]
    api_keys: Vec<String>,
    /// PEM certificate chain: serve HTTPS (the official TS and Go SDKs speak only HTTPS).
    #[arg(long, requires = "tls_key", conflicts_with = "tls_self_signed")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve HTTPS with a generated certificate for localhost/127.0.0.1, written to
    /// <data-dir>/tls/self-signed-cert.pem.
    #[arg(long)]
    tls_self_signed: bool,
    /// Shift the clock used for data lifecycles (recyclePolicy) by SECONDS (may be
    /// negative). Expiry times are computed and swept on this clock, so restarting with
    /// `--clock-offset 86460` shows what Lifecycle_1Day does to data uploaded now.
    /// Session, task and context times stay on the real clock.
    #[arg(long, value_name = "SECONDS", default_value_t = 0, allow_negative_numbers = true)]
    clock_offset: i64,
    /// How often expired lifecycle data is deleted (it is also swept once at start).
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    sweep_interval: u64,
    /// Browser origin allowed to call the server (repeatable), e.g. http://localhost:5173;
    /// `*` allows any. Default: any origin when listening on loopback, none otherwise.
    #[arg(long = "cors-origin", value_name = "ORIGIN", value_parser = cors_origin)]
    cors_origins: Vec<String>,
    /// Send no CORS headers (browser pages on other origins cannot call the server).
    #[arg(long, conflicts_with = "cors_origins")]
    no_cors: bool,
    /// Host uid (and gid) session processes run as when agentbay-local runs as root
    /// [default: 2147000000]. Never 0. Without root, sessions run as the server's own user
    /// and this must not be set.
    #[arg(long, value_name = "UID", value_parser = clap::value_parser!(u32).range(1..))]
    sandbox_uid: Option<u32>,
    /// Processes (and threads) one session may have at once.
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(8..=1_000_000))]
    session_pids: u32,
    /// Memory one session may use, in MiB (its page cache and tmpfs included).
    #[arg(long, value_name = "MIB", default_value_t = 2048, value_parser = clap::value_parser!(u64).range(16..=1 << 30))]
    session_memory: u64,
    /// CPU time one session may use, in cores (1.5 = one and a half cores).
    #[arg(long, value_name = "CORES", default_value_t = 1.0, value_parser = cpus)]
    session_cpus: f64,
    /// Disk one session may fill, in MiB: its mounts, /tmp and home together.
    #[arg(long, value_name = "MIB", default_value_t = 4096, value_parser = clap::value_parser!(u64).range(16..=1 << 30))]
    session_disk: u64,
    /// What sessions can reach: none (default; only their own loopback), slirp4netns
    /// (outbound, but never the host's loopback), host (everything the host reaches,
    /// this server's API included).
    #[arg(long, value_name = "MODE", default_value = "none")]
    session_network: agentbay_local::sandbox::Network,
    /// How synced context mounts are made: overlay (default; as root, an overlay over one
    /// read-only tree per stored version shared by all sessions, so a mount and an upload cost
    /// what changed) or copy (every file copied into each session; also what a server
    /// without root does).
    #[arg(long, value_name = "MODE", default_value = "overlay")]
    mounts: agentbay_local::overlay::MountMode,
}

fn cpus(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if !(0.01..=1024.0).contains(&v) {
        return Err("must be between 0.01 and 1024 cores".into());
    }
    Ok(v)
}

fn cors_origin(s: &str) -> Result<String, agentbay_local::cors::CorsError> {
    if s.trim() == "*" {
        return Ok("*".into());
    }
    agentbay_local::cors::parse_origin(s)
}

fn main() -> ExitCode {
    // Nothing the server writes is for other users' eyes (see server::secure_data_dir).
    // SAFETY: umask only sets this process's file creation mask.
    unsafe {
        libc::umask(0o077);
    }
    limit_malloc_arenas();
    // The sandbox runs this same binary as its in-sandbox filesystem helper.
    if std::env::args_os().nth(1).is_some_and(|a| a == agentbay_local::sandbox::HELPER_SUBCOMMAND) {
        return agentbay_local::sandbox::helper_main();
    }
    let cli = Cli::parse();
    // Before any thread exists (unshare refuses a process whose threads share its filesystem).
    if rustix::process::geteuid().is_root() {
        if let Err(e) = agentbay_local::sandbox::private_mount_namespace() {
            eprintln!("agentbay-local: session disks stay visible to the host (no private mount namespace: {e})");
        }
    }
    let helper_exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("agentbay-local: cannot locate own executable: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut cfg = Config::new(cli.data_dir, helper_exe);
    cfg.listen = cli.listen;
    cfg.api_keys = cli.api_keys;
    cfg.clock_offset_secs = cli.clock_offset;
    cfg.sweep_interval = std::time::Duration::from_secs(cli.sweep_interval);
    cfg.sandbox = agentbay_local::sandbox::SandboxConfig {
        uid: cli.sandbox_uid,
        limits: agentbay_local::sandbox::Limits {
            pids: cli.session_pids,
            memory_bytes: cli.session_memory << 20,
            cpu_millis: (cli.session_cpus * 1000.0).round() as u32,
            disk_bytes: cli.session_disk << 20,
        },
        network: cli.session_network,
        mounts: cli.mounts,
    };
    cfg.cors = match (cli.no_cors, cli.cors_origins.is_empty()) {
        (true, _) => Cors::Off,
        (false, true) => Cors::Auto,
        (false, false) => Cors::Origins(cli.cors_origins),
    };
    cfg.tls = match (cli.tls_cert, cli.tls_key, cli.tls_self_signed) {
        (Some(cert), Some(key), _) => Some(Tls::Files { cert, key }),
        (_, _, true) => Some(Tls::SelfSigned),
        _ => None,
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("agentbay-local: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        // Handlers first: a script may send SIGTERM as soon as it reads the startup line.
        let stop = match Signals::install() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("agentbay-local: cannot install signal handlers: {e}");
                return ExitCode::FAILURE;
            }
        };
        let running = match Server::start(cfg).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("agentbay-local: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("{}", running.startup_line());
        stop.wait().await;
        eprintln!("agentbay-local: shutting down (releasing sessions)");
        running.shutdown().await;
        eprintln!("agentbay-local: stopped");
        ExitCode::SUCCESS
    })
}

/// glibc gives every thread that allocates under contention an arena of its own (up to 8 per
/// core), and the blocking pool's threads come and go in bursts, so freed memory scatters over
/// many arenas and is rarely returned: measured over 20 waves of 50 sessions (server/tests/load.rs),
/// idle RSS went from 32 to 49 MB with the default, and stayed near 28-32 MB with two arenas.
fn limit_malloc_arenas() {
    #[cfg(target_env = "gnu")]
    {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        // SAFETY: mallopt only tunes the allocator; called before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, cores.clamp(2, 8) as libc::c_int);
        }
    }
}

struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals { term: signal(SignalKind::terminate())?, int: signal(SignalKind::interrupt())? })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}
