//! The console's own port: HTTPS with the server's certificate and no client certificate
//! (browsers have none), apart from the kiosks' mutual-TLS port, so that neither port serves the
//! other's routes. Each connection is bounded: a TLS handshake within 10 s, request headers (at
//! most 64 KiB) within 10 s, each request within `web::REQUEST_LIMIT`, at most 5 minutes in all
//! (but while it carries a live view, which ends with its session), and at most
//! [`MAX_CONNECTIONS`] at once.

use crate::pki;
use anyhow::{Context, Result};
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Connections served at once; more are closed at once.
pub const MAX_CONNECTIONS: usize = 256;
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);
const HEADER_LIMIT: Duration = Duration::from_secs(10);
const CONNECTION_LIMIT: Duration = Duration::from_secs(300);
/// The most a request's headers may take (a browser's are a few KiB).
const HEADER_BYTES: usize = 64 << 10;

/// Set on each request: the live views open on its connection (`live`), which keeps the
/// connection past [`CONNECTION_LIMIT`] while any is.
#[derive(Debug, Clone, Default)]
pub struct LiveStreams(Arc<AtomicUsize>);

/// A live view open on a connection, until dropped.
#[derive(Debug)]
pub struct LiveStreamOpen(Arc<AtomicUsize>);

impl LiveStreams {
    pub fn open(&self) -> LiveStreamOpen {
        self.0.fetch_add(1, Ordering::SeqCst);
        LiveStreamOpen(self.0.clone())
    }

    fn any(&self) -> bool {
        self.0.load(Ordering::SeqCst) > 0
    }
}

impl Drop for LiveStreamOpen {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The server's certificate, asking no client certificate.
pub fn tls_config(dir: &Path) -> Result<Arc<ServerConfig>> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join(pki::SERVER_CERT))
        .context("cannot read the server certificate")?
        .collect::<Result<_, _>>()?;
    let key = PrivateKeyDer::from_pem_file(dir.join(pki::SERVER_KEY)).context("cannot read the server key")?;
    let mut config = ServerConfig::builder().with_no_client_auth().with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serves `app` on `listener` until `shutdown`.
pub async fn serve(listener: TcpListener, tls: Arc<ServerConfig>, app: axum::Router, shutdown: CancellationToken) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let open = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let tcp = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    tracing::warn!("console: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = open.clone().try_acquire_owned() else { continue };
        let (acceptor, app, shutdown) = (acceptor.clone(), app.clone(), shutdown.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_LIMIT, acceptor.accept(tcp)).await else { return };
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new()).header_read_timeout(HEADER_LIMIT).max_buf_size(HEADER_BYTES);
            let streams = LiveStreams::default();
            let on_this_connection = streams.clone();
            let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(on_this_connection.clone());
                tower::ServiceExt::oneshot(app.clone(), request)
            });
            let connection = http.serve_connection(TokioIo::new(tls), service);
            tokio::pin!(connection);
            let served = async {
                if tokio::time::timeout(CONNECTION_LIMIT, connection.as_mut()).await.is_ok() {
                    return;
                }
                // A live view runs until its session ends, which it checks itself, and at the
                // latest as long as a session may last (a client that stops reading is never
                // asked to check).
                let held_since = std::time::Instant::now();
                while streams.any() && held_since.elapsed() < super::auth::SESSION_LIMIT {
                    if tokio::time::timeout(Duration::from_secs(1), connection.as_mut()).await.is_ok() {
                        return;
                    }
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => {}
                _ = served => {}
            }
        });
    }
}
