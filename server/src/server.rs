//! Starting and stopping agentbay-local (used by `main` and by tests in-process).

use crate::state::{AppState, UploadFault};
use crate::store::{db, Store};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::TcpListener;

/// Where the certificate is, if the server speaks HTTPS.
#[derive(Debug, Clone)]
pub enum Tls {
    /// PEM certificate chain and private key files.
    Files { cert: PathBuf, key: PathBuf },
    /// A certificate for `localhost`/`127.0.0.1` generated at start-up and written
    /// to `<data>/tls/self-signed-cert.pem` (give it to clients as a trusted CA).
    SelfSigned,
}

#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Accepted API keys (one tenant each). Empty: use the key stored in the data
    /// dir, generating it on first start.
    pub api_keys: Vec<String>,
    pub tls: Option<Tls>,
    /// The agentbay-local binary, which sandboxes run as their fs-tool helper.
    pub helper_exe: PathBuf,
    /// Lifetime of presigned file URLs.
    pub presign_ttl_secs: u64,
    /// Test hook: called after each blob an upload stores; an `Err` aborts that
    /// upload before its manifest switch (proves uploads are atomic).
    #[doc(hidden)]
    pub upload_fault: Option<UploadFault>,
    /// Test hook: called with each action's name before its handler runs (a test makes it
    /// panic, to prove a panicking handler costs one request, not the server).
    #[doc(hidden)]
    pub request_fault: Option<crate::state::RequestFault>,
    /// Seconds added to the wall clock for data lifecycles (expiry times and the
    /// sweeper): a restart with one day plus a bit shows what `Lifecycle_1Day` does.
    pub clock_offset_secs: i64,
    /// How often expired data is swept (also once at start). Raised to 10 ms at least.
    pub sweep_interval: std::time::Duration,
    /// How often sessions past their idle timeout or maximum runtime are looked for (and
    /// released). Raised to 10 ms at least.
    pub reap_interval: std::time::Duration,
    /// Which browser origins get CORS headers (default: any, on a loopback listener).
    pub cors: crate::cors::Cors,
    /// Who sessions run as, their limits and their network.
    pub sandbox: crate::sandbox::SandboxConfig,
}

impl Config {
    pub fn new(data_dir: impl Into<PathBuf>, helper_exe: impl Into<PathBuf>) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            api_keys: Vec::new(),
            tls: None,
            helper_exe: helper_exe.into(),
            presign_ttl_secs: crate::presign::DEFAULT_TTL_SECS,
            upload_fault: None,
            request_fault: None,
            clock_offset_secs: 0,
            sweep_interval: crate::sweeper::DEFAULT_INTERVAL,
            reap_interval: crate::lifecycle::DEFAULT_REAP_INTERVAL,
            cors: crate::cors::Cors::Auto,
            sandbox: Default::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("data dir {0}: {1}")]
    DataDir(PathBuf, std::io::Error),
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("bubblewrap sandboxes do not work on this machine: {0}")]
    Sandbox(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("data dir {0} is in use by another agentbay-local (lock {0}/lock held)")]
    Locked(PathBuf),
    #[error("{0}")]
    Cors(#[from] crate::cors::CorsError),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
}

/// A started server.
pub struct Running {
    /// `http://127.0.0.1:PORT` (or `https://…`).
    pub endpoint: String,
    pub addr: SocketAddr,
    pub api_keys: Vec<String>,
    pub data_dir: PathBuf,
    state: Arc<AppState>,
    /// Exclusive flock on `<data>/lock`, held for the server's life.
    _lock: std::fs::File,
    stop: tokio::sync::oneshot::Sender<()>,
    serve: tokio::task::JoinHandle<()>,
    sweeper: tokio::task::JoinHandle<()>,
    reaper: tokio::task::JoinHandle<()>,
}

pub struct Server;

const KEY_FILE: &str = "api_key";

fn load_or_create_key(data_dir: &Path) -> std::io::Result<String> {
    let path = data_dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => {
            let key = format!("akm-local-{}", crate::util::random_hex(16));
            crate::util::write_secret(&path, &key)?;
            Ok(key)
        }
    }
}

/// Tenant id of a key: a hash, so the database never stores keys.
fn tenant_of(key: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(key.as_bytes())[..16])
}

/// One server per data dir: a second one would treat the first one's live sessions as crash leftovers.
async fn lock_data_dir(data_dir: &Path) -> Result<std::fs::File, StartError> {
    let path = data_dir.join("lock");
    let f = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StartError::DataDir(path.clone(), e))?;
    // A server that just stopped may still appear to hold the lock for a moment: a process
    // forked (for a sandbox) in that instant carries a copy of the descriptor until its exec
    // closes it. So a held lock is retried briefly before it counts as another server's.
    for _ in 0..100 {
        match rustix::fs::flock(&f, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(f),
            Err(rustix::io::Errno::WOULDBLOCK) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            Err(e) => return Err(StartError::DataDir(path, e.into())),
        }
    }
    Err(StartError::Locked(data_dir.to_path_buf()))
}

/// Session dirs left by a crash: their sandboxes are gone; keep the files for the user.
fn rescue_stale_sessions(data_dir: &Path) -> std::io::Result<()> {
    let sessions = data_dir.join("sessions");
    for e in std::fs::read_dir(&sessions)? {
        let e = e?;
        if !e.file_type()?.is_dir() {
            let _ = std::fs::remove_file(e.path()); // a probe image a crash left behind
            continue;
        }
        let dest = crate::util::private_dir(&data_dir.join("lost+found"))?.join(e.file_name());
        let kept = crate::sandbox::rescue_stale_session(&e.path(), &dest)?;
        eprintln!(
            "agentbay-local: session dir {} was left by a crash; its {kept} file(s) are in {}",
            e.path().display(),
            dest.display()
        );
    }
    Ok(())
}

/// Permissions of the data dir: only the server reads it. When sessions run as another
/// uid, that uid may pass through the data dir and `sessions/` (0711: not list them) to
/// reach its own session's disk; everything else the server keeps is 0700 or 0600.
pub fn secure_data_dir(data_dir: &Path, shared_with_sandbox: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let pass = if shared_with_sandbox { 0o711 } else { 0o700 };
    let set = |p: &Path, mode: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
    set(data_dir, pass)?;
    for (sub, mode) in [("sessions", pass), ("blobs", 0o700)] {
        let p = data_dir.join(sub);
        std::fs::create_dir_all(&p)?;
        set(&p, mode)?;
    }
    // SQLite creates the database (and its -wal and -shm files, with the same mode) from this.
    let db = data_dir.join("agentbay.db");
    if !db.exists() {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&db)?;
    }
    set(&db, 0o600)
}

fn tls_config(tls: &Tls, data_dir: &Path) -> Result<Arc<rustls::ServerConfig>, StartError> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let terr = |e: &dyn std::fmt::Display| StartError::Tls(e.to_string());
    let (certs, key) = match tls {
        Tls::Files { cert, key } => {
            let certs = CertificateDer::pem_file_iter(cert)
                .map_err(|e| StartError::Tls(format!("{}: {e}", cert.display())))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StartError::Tls(format!("{}: {e}", cert.display())))?;
            let key =
                PrivateKeyDer::from_pem_file(key).map_err(|e| StartError::Tls(format!("{}: {e}", key.display())))?;
            (certs, key)
        }
        Tls::SelfSigned => {
            let ck = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
                .map_err(|e| terr(&e))?;
            let dir = data_dir.join("tls");
            std::fs::create_dir_all(&dir).map_err(|e| terr(&e))?;
            std::fs::write(dir.join("self-signed-cert.pem"), ck.cert.pem()).map_err(|e| terr(&e))?;
            let key = PrivateKeyDer::try_from(ck.signing_key.serialize_der()).map_err(|e| terr(&e))?;
            (vec![ck.cert.der().clone()], key)
        }
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| terr(&e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| terr(&e))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// Opens the store and finishes what a crash interrupted. Blocking.
fn open_store(data_dir: &Path, clock_offset_secs: i64) -> Result<Arc<Store>, StartError> {
    let mut store = Store::open(data_dir)?;
    store.clock = crate::clock::Clock::with_offset(clock_offset_secs);
    // Finish clears a crash interrupted, then drop blobs nothing references
    // (uploads that never committed).
    let interrupted = db::clearing_contexts(&store.db()).map_err(crate::store::StoreError::from)?;
    for id in interrupted {
        db::clear_entries(&store.db(), &id).map_err(crate::store::StoreError::from)?;
        db::set_state(&store.db(), &id, agentbay_wire::envelope::context_state::AVAILABLE)
            .map_err(crate::store::StoreError::from)?;
    }
    store.gc()?;
    // Data that expired while the server was down is gone before the first request.
    crate::sweeper::sweep_once(&store)?;
    Ok(Arc::new(store))
}

impl Server {
    pub async fn start(cfg: Config) -> Result<Running, StartError> {
        let cors = cfg.cors.resolve(cfg.listen)?;
        if cors.is_none() && cfg.cors == crate::cors::Cors::Auto {
            eprintln!(
                "agentbay-local: CORS is off: {} is not a loopback address (allow browser pages with --cors-origin)",
                cfg.listen.ip()
            );
        }
        let dd = cfg.data_dir.clone();
        std::fs::create_dir_all(&dd).map_err(|e| StartError::DataDir(dd.clone(), e))?;
        let data_dir = dd.canonicalize().map_err(|e| StartError::DataDir(dd.clone(), e))?;
        let lock = lock_data_dir(&data_dir).await?;
        let root = rustix::process::geteuid().is_root();
        let dd = data_dir.clone();
        tokio::task::spawn_blocking(move || secure_data_dir(&dd, root).and_then(|_| rescue_stale_sessions(&dd)))
            .await
            .map_err(|e| StartError::DataDir(data_dir.clone(), std::io::Error::other(e)))?
            .map_err(|e| StartError::DataDir(data_dir.clone(), e))?;
        let (sb_cfg, helper, dd) = (cfg.sandbox.clone(), cfg.helper_exe.clone(), data_dir.clone());
        let sandboxes = tokio::task::spawn_blocking(move || crate::sandbox::Sandboxes::start(&sb_cfg, &helper, &dd))
            .await
            .map_err(|e| StartError::Sandbox(e.to_string()))?
            .map_err(|e| StartError::Sandbox(e.to_string()))?;
        eprintln!("agentbay-local: {}", sandboxes.describe());
        let sandboxes = Arc::new(sandboxes);

        let (dd, offset) = (data_dir.clone(), cfg.clock_offset_secs);
        let store = tokio::task::spawn_blocking(move || open_store(&dd, offset))
            .await
            .map_err(|e| StartError::DataDir(data_dir.clone(), std::io::Error::other(e)))??;
        // Live trees a killed server left behind go back into their contexts before anything reads them.
        let (st2, dd) = (store.clone(), data_dir.clone());
        let live = tokio::task::spawn_blocking(move || {
            let live = crate::live::LiveContexts::new(&dd);
            live.recover(&st2, &dd.join("lost+found")).map(|_| live)
        })
        .await
        .map_err(|e| StartError::DataDir(data_dir.clone(), std::io::Error::other(e)))?
        .map_err(|e| StartError::DataDir(data_dir.clone(), e))?;
        let sweeper = crate::sweeper::spawn(store.clone(), cfg.sweep_interval);

        let api_keys = if cfg.api_keys.is_empty() {
            vec![load_or_create_key(&data_dir).map_err(|e| StartError::DataDir(data_dir.clone(), e))?]
        } else {
            cfg.api_keys.clone()
        };
        let tenants: HashMap<String, String> = api_keys.iter().map(|k| (k.clone(), tenant_of(k))).collect();
        let mut presigner = crate::presign::Presigner::load_or_create(&data_dir)
            .map_err(|e| StartError::DataDir(data_dir.clone(), e))?;
        presigner.ttl_secs = cfg.presign_ttl_secs;
        let tls = match &cfg.tls {
            Some(t) => Some(tokio_rustls::TlsAcceptor::from(tls_config(t, &data_dir)?)),
            None => None,
        };

        let listener = TcpListener::bind(cfg.listen).await.map_err(|e| StartError::Listen(cfg.listen, e))?;
        let addr = listener.local_addr().map_err(|e| StartError::Listen(cfg.listen, e))?;
        let state = Arc::new(AppState {
            store,
            tenants,
            presigner,
            sessions: Default::default(),
            data_dir: data_dir.clone(),
            sandboxes,
            tls: tls.is_some(),
            local_addr: addr,
            upload_fault: cfg.upload_fault.clone(),
            request_fault: cfg.request_fault.clone(),
            session_seq: Default::default(),
            mounted: Default::default(),
            live,
        });
        let reaper = crate::lifecycle::spawn_reaper(Arc::downgrade(&state), cfg.reap_interval);
        let mut app = crate::api::router(state.clone());
        if let Some(rules) = cors {
            app = app.layer(axum::middleware::from_fn_with_state(Arc::new(rules), crate::cors::apply));
        }
        let (stop, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let serve = tokio::spawn(async move {
            let graceful = hyper_util::server::graceful::GracefulShutdown::new();
            loop {
                tokio::select! {
                    conn = listener.accept() => {
                        let Ok((stream, _)) = conn else { continue };
                        let svc = TowerToHyperService::new(app.clone());
                        let watcher = graceful.watcher();
                        let tls = tls.clone();
                        tokio::spawn(async move {
                            let builder = hyper::server::conn::http1::Builder::new();
                            match tls {
                                Some(acc) => {
                                    let Ok(s) = acc.accept(stream).await else { return };
                                    let _ = watcher.watch(builder.serve_connection(TokioIo::new(s), svc)).await;
                                }
                                None => {
                                    let _ = watcher.watch(builder.serve_connection(TokioIo::new(stream), svc)).await;
                                }
                            }
                        });
                    }
                    _ = &mut stop_rx => break,
                }
            }
            drop(listener);
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), graceful.shutdown()).await;
        });
        let scheme = if state.tls { "https" } else { "http" };
        Ok(Running {
            endpoint: format!("{scheme}://{addr}"),
            addr,
            api_keys,
            data_dir,
            state,
            _lock: lock,
            stop,
            serve,
            sweeper,
            reaper,
        })
    }
}

impl Running {
    /// Stops accepting requests, lets in-flight ones finish, then releases every
    /// session under its policies (auto-upload contexts are uploaded).
    pub async fn shutdown(self) {
        self.sweeper.abort();
        self.reaper.abort();
        let _ = self.stop.send(());
        let _ = self.serve.await;
        crate::lifecycle::release_all(&self.state).await;
        let sandboxes = self.state.sandboxes.clone();
        let _ = tokio::task::spawn_blocking(move || sandboxes.shutdown()).await;
    }

    /// Moves the lifecycle clock by `secs` at runtime (in-process only: no HTTP
    /// endpoint can shift time). The sweeper and the session reaper act on it at their next
    /// interval.
    pub fn advance_clock(&self, secs: i64) {
        self.state.store.clock.advance(secs);
    }

    /// The startup line scripts parse.
    pub fn startup_line(&self) -> String {
        format!(
            "agentbay-local listening endpoint={} api_key={} data_dir={}",
            self.endpoint,
            self.api_keys.first().map(String::as_str).unwrap_or(""),
            self.data_dir.display()
        )
    }
}
