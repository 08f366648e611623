//! Starting the server: configuration, fleet keys, storage, TLS, and the accept loop.

use crate::api::{AppState, router};
use crate::config::CentralConfig;
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
    pub shutdown: CancellationToken,
    pub task: tokio::task::JoinHandle<()>,
}

/// Binds `listen` and serves the fleet in `dir`; `database` overrides the configured one.
pub async fn start(dir: &Path, listen: SocketAddr, database: Option<&str>) -> Result<RunningServer> {
    start_with(dir, listen, database, |router| router).await
}

/// Like [`start`], letting the caller wrap the router (tests add fault injection this way).
pub async fn start_with(
    dir: &Path,
    listen: SocketAddr,
    database: Option<&str>,
    customize: impl FnOnce(axum::Router) -> axum::Router,
) -> Result<RunningServer> {
    let config = CentralConfig::load(dir)?;
    let fleet = Fleet::load(dir)?;
    let database = database.unwrap_or(&config.database);
    let storage = Storage::open(database, dir).await.with_context(|| format!("cannot open the database {database}"))?;
    let tls = tls_server::server_config(dir)?;
    let listener = TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AppState::new(storage, fleet, config.public_url.clone()));
    let shutdown = CancellationToken::new();
    crate::memory_trim::start();
    let task = tokio::spawn(tls_server::serve(listener, tls, customize(router(state)), shutdown.clone()));
    tracing::info!(%addr, "central server listening");
    Ok(RunningServer { addr, shutdown, task })
}
