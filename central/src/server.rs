//! Starting the server: configuration, fleet keys, storage, TLS, and the accept loop.

use crate::api::{AppState, router};
use crate::config::CentralConfig;
use crate::connection_limits::{ConnectionBudgets, ConnectionLimits, raise_open_file_limit};
use crate::content_shelf::ContentShelf;
use crate::pki::Fleet;
use crate::storage::Storage;
use crate::tls_server;
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// A running server, for tests and the demo: its address and a way to stop it.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// The console's address, if it is served (`ServeOptions::console`).
    pub console_addr: Option<SocketAddr>,
    pub shutdown: CancellationToken,
    pub task: tokio::task::JoinHandle<()>,
}

/// Days before its end from which `serve` warns about the server's certificate.
const CERTIFICATE_WARNING_DAYS: i64 = 60;

fn warn_if_the_certificate_ends_soon(dir: &Path) {
    let pem = std::fs::read_to_string(dir.join(crate::pki::SERVER_CERT)).unwrap_or_default();
    if let Some(end_ms) = crate::pki::not_after_ms(&pem) {
        let days_left = (end_ms - crate::api::now_ms()) / 86_400_000;
        if days_left < CERTIFICATE_WARNING_DAYS {
            tracing::warn!(
                days_left,
                "the server's certificate ends soon: run citizen-central server-certificate --dir {} --hostname …, then restart",
                dir.display()
            );
        }
    }
}

/// How `serve` runs, beyond its folder and address.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Overrides the database in central.toml (a SQLite file or a postgres:// URL).
    pub database: Option<String>,
    /// Serve the demo payment page, which lets anyone holding a payment code mark it paid: for
    /// the demo and tests only.
    pub demo_payments: bool,
    /// Connection budgets and deadlines; by default cut from the open-file limit, raised first.
    pub limits: Option<ConnectionLimits>,
    /// The content push streams' keep-alive and lifetime (tests shorten them).
    pub content_streams: Option<crate::api::StreamTiming>,
    /// Serve the community office's console on this address too (HTTPS, server certificate only).
    pub console: Option<SocketAddr>,
}

/// Binds `listen` and serves the fleet in `dir`.
pub async fn start(dir: &Path, listen: SocketAddr, options: &ServeOptions) -> Result<RunningServer> {
    start_with(dir, listen, options, |router| router).await
}

/// Like [`start`], letting the caller wrap the router (tests add fault injection this way).
pub async fn start_with(
    dir: &Path,
    listen: SocketAddr,
    options: &ServeOptions,
    customize: impl FnOnce(axum::Router) -> axum::Router,
) -> Result<RunningServer> {
    let config = CentralConfig::load(dir)?;
    let fleet = Fleet::load(dir)?;
    let database = options.database.as_deref().unwrap_or(&config.database);
    let storage = Storage::open(database, dir)
        .await
        .with_context(|| format!("cannot open the database {}", crate::config::redacted(database)))?;
    check_resident_keys(&storage, &fleet, dir).await?;
    let tls = tls_server::server_config(dir)?;
    warn_if_the_certificate_ends_soon(dir);
    let listener = TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let limits = match &options.limits {
        Some(limits) => limits.clone(),
        None => ConnectionLimits::for_open_files(raise_open_file_limit()),
    };
    if options.demo_payments {
        tracing::warn!(
            "demo payments on: anyone holding a payment code can mark its order paid (never on a real fleet)"
        );
    }
    let shutdown = CancellationToken::new();
    let shelf = Arc::new(ContentShelf::open(dir));
    crate::content_bell::start(shelf.clone(), database, shutdown.clone());
    let streams = options.content_streams.unwrap_or_default();
    let state = Arc::new(AppState::new(storage, fleet, &config, options.demo_payments, limits.clone(), shelf, streams));
    if crate::content_bell::is_postgres(database) {
        state.fleet_bell.listen_to_postgres(database.to_string(), shutdown.clone());
    }
    crate::memory_trim::start();
    let budgets = ConnectionBudgets::new(limits);
    tracing::info!(
        kiosks = budgets.limits.kiosks,
        anonymous = budgets.limits.anonymous,
        handshaking = budgets.limits.handshaking,
        "connection budgets"
    );
    tokio::spawn(crate::rollout::keep_looking(
        dir.to_path_buf(),
        state.clone(),
        database.to_string(),
        shutdown.clone(),
    ));
    let console_addr = match options.console {
        Some(console) => {
            let listener = TcpListener::bind(console)
                .await
                .with_context(|| format!("cannot listen on {console} for the console"))?;
            let console_addr = listener.local_addr()?;
            let watch = crate::console::fleet_watch::FleetWatch::start(state.clone(), shutdown.clone());
            let app = crate::console::web::router(state.clone(), watch);
            let tls = crate::console::listener::tls_config(dir)?;
            tokio::spawn(crate::console::listener::serve(listener, tls, app, shutdown.clone()));
            tracing::info!(%console_addr, "console listening");
            Some(console_addr)
        }
        None => None,
    };
    let task = tokio::spawn(tls_server::serve(
        listener,
        tls,
        customize(router(state.clone())),
        state,
        budgets,
        shutdown.clone(),
    ));
    tracing::info!(%addr, "central server listening");
    Ok(RunningServer { addr, console_addr, shutdown, task })
}

/// The residents' keys must be those the database's pseudonyms were made with: new keys would make
/// every resident new (a second vote on an open proposal would count), so the server refuses to
/// start with others. The database keeps only a fingerprint of them.
async fn check_resident_keys(storage: &Storage, fleet: &Fleet, dir: &Path) -> Result<()> {
    let ours = fleet.residents.fingerprint();
    let theirs = storage.fleet_fact("resident_keys", &ours).await.context("cannot read the database's fleet facts")?;
    if theirs != ours {
        anyhow::bail!(
            "{} and {} are not the residents' keys this database was made with: restore both from the backup \
             of {} (see docs/SECURITY.md). If they are lost for good, every resident's pseudonym changes: \
             residents could vote again on open proposals.",
            crate::pki::RESIDENT_PEPPER,
            crate::pki::RESIDENT_SEAL_KEY,
            dir.display()
        );
    }
    Ok(())
}
