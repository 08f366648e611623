//! HTTPS with mutual TLS: rustls verifies client certificates against the fleet CA (a client
//! without one may only reach enrolment, the fleet CA, the OpenAPI document, the payment
//! provider's notifications and, in a demo, the demo payment page), and each request carries the
//! kiosk id read from the verified certificate. Connections live within the budgets and deadlines
//! of [`crate::connection_limits`].

use crate::api::{PeerCertificateEnd, PeerKiosk};
use crate::connection_limits::ConnectionBudgets;
use crate::pki;
use crate::push_connections::{self, Prefixed, Served};
use anyhow::{Context, Result};
use axum::http::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls::ServerConfig;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// The smallest read buffer hyper accepts for HTTP/1.
const HTTP1_BUFFER_BYTES: usize = 8192;

pub fn server_config(dir: &Path) -> Result<Arc<ServerConfig>> {
    let ca_path = dir.join(pki::CA_CERT);
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&ca_path).with_context(|| format!("cannot read {}", ca_path.display()))? {
        roots.add(cert?)?;
    }
    let verifier = WebPkiClientVerifier::builder(Arc::new(roots)).allow_unauthenticated().build()?;
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(dir.join(pki::SERVER_CERT))?.collect::<Result<_, _>>()?;
    let key = PrivateKeyDer::from_pem_file(dir.join(pki::SERVER_KEY)).context("cannot read the server key")?;
    let mut config = ServerConfig::builder().with_client_cert_verifier(verifier).with_single_cert(chain, key)?;
    // HTTP/1.1 only: a kiosk sends one request at a time, and an idle HTTP/1.1 connection costs
    // the server a fraction of what an HTTP/2 one does (its stream windows and buffers).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// How much less the intake threads count for the kernel's scheduler than the kiosks' (a nice
/// value: 0 is the default, 19 the least).
const INTAKE_NICE: i32 = 15;

/// Starts the intake runtime: the threads that run TLS handshakes and serve anonymous clients, at a
/// lower scheduling priority than the kiosks' connections, so that a flood of handshakes or
/// anonymous clients takes only the CPU the kiosks leave. It ends with `shutdown`.
fn start_intake(shutdown: CancellationToken) -> std::io::Result<tokio::runtime::Handle> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("tls-intake")
        .enable_all()
        .on_thread_start(|| {
            if let Err(e) = rustix::process::setpriority_process(None, INTAKE_NICE) {
                tracing::debug!("cannot lower the intake thread's priority: {e}");
            }
        })
        .build()?;
    let handle = runtime.handle().clone();
    // Owned by a thread of its own, so that it is never dropped inside an async context.
    std::thread::Builder::new()
        .name("tls-intake-owner".into())
        .spawn(move || runtime.block_on(shutdown.cancelled()))?;
    Ok(handle)
}

/// Accepts connections until `shutdown` is cancelled, within the budgets and deadlines of
/// `budgets` (see [`crate::connection_limits`]). Each connection's TLS handshake runs on the
/// intake threads ([`start_intake`]); a kiosk's connection is then served on the server's own
/// runtime, an anonymous client's stays on the intake threads.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    app: axum::Router,
    state: crate::api::SharedState,
    budgets: ConnectionBudgets,
    shutdown: CancellationToken,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let main = tokio::runtime::Handle::current();
    let intake = match start_intake(shutdown.clone()) {
        Ok(handle) => handle,
        Err(e) => {
            tracing::warn!("cannot start the intake threads ({e}): handshakes run with the kiosks' connections");
            main.clone()
        }
    };
    loop {
        let (tcp, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Accepted and closed at once when too many handshakes are under way, so that the
        // listening queue keeps moving and a kiosk retrying soon finds a place.
        let Some(handshake_place) = budgets.handshake_place() else {
            tracing::debug!(%peer, "too many TLS handshakes in progress: connection closed");
            continue;
        };
        let (acceptor, budgets, shutdown, main) = (acceptor.clone(), budgets.clone(), shutdown.clone(), main.clone());
        let handlers = Handlers { app: app.clone(), state: state.clone() };
        intake.spawn(async move {
            let _ = tcp.set_nodelay(true);
            keep_alive(&tcp);
            let stream = match tokio::time::timeout(budgets.limits.handshake_timeout, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    tracing::info!(%peer, "TLS handshake refused: {e}");
                    return;
                }
                Err(_) => return,
            };
            drop(handshake_place);
            let certificate = stream.get_ref().1.peer_certificates().and_then(|chain| chain.first());
            let kiosk = certificate.and_then(|cert| pki::kiosk_id_from_certificate(cert));
            let ends = PeerCertificateEnd(certificate.and_then(|cert| pki::der_not_after_ms(cert)));
            let is_kiosk = kiosk.is_some();
            let Some(place) = budgets.connection_place(is_kiosk) else {
                tracing::debug!(%peer, is_kiosk, "connection budget full: connection closed");
                return;
            };
            let connection = serve_connection(stream, peer, (kiosk, ends), handlers, budgets, shutdown, place);
            if is_kiosk {
                main.spawn(connection);
            } else {
                connection.await;
            }
        });
    }
}

/// What serves a connection: the router, and the state a push stream served without it needs.
struct Handlers {
    app: axum::Router,
    state: crate::api::SharedState,
}

/// Serves HTTP/1.1 on a connection whose handshake is done, holding its budget's `_place`.
async fn serve_connection(
    stream: tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
    peer: std::net::SocketAddr,
    (kiosk, ends): (Option<String>, PeerCertificateEnd),
    Handlers { app, state }: Handlers,
    budgets: ConnectionBudgets,
    shutdown: CancellationToken,
    _place: tokio::sync::OwnedSemaphorePermit,
) {
    let is_kiosk = kiosk.is_some();
    // A kiosk's connection opened for its push stream is served without hyper.
    let stream = match &kiosk {
        Some(kiosk_id) => {
            let timeout = budgets.header_timeout(true);
            match push_connections::serve_or_pass(stream, kiosk_id, &state, timeout, &shutdown).await {
                Served::Stream | Served::Gone => return,
                Served::Router(stream) => stream,
            }
        }
        None => Prefixed::new(stream),
    };
    drop(state);
    let deadline = budgets.limits.request_deadline;
    let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(PeerKiosk(kiosk.clone()));
        request.extensions_mut().insert(ends);
        request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        let answer = app.clone().oneshot(request);
        async move {
            match tokio::time::timeout(deadline, answer).await {
                Ok(answer) => answer,
                Err(_) => Ok(crate::api::error(
                    StatusCode::REQUEST_TIMEOUT,
                    "request_timeout",
                    format!("the request took over {} s: send it again", deadline.as_secs()),
                )),
            }
        }
    });
    // HTTP/1.1 alone (the only protocol offered by ALPN): no reading ahead to tell HTTP/2 apart,
    // and no buffer for it.
    let mut builder = hyper::server::conn::http1::Builder::new();
    // Each connection keeps its read buffer once used: keep it at the smallest size hyper allows,
    // since a thousand idle kiosks hold one each (bodies stream through it).
    builder.max_buf_size(HTTP1_BUFFER_BYTES);
    // The header deadline runs from the moment the connection waits for a request, so it ends slow
    // senders and idle keep-alive connections alike (hyper needs the timer).
    builder.timer(TokioTimer::new()).header_read_timeout(budgets.header_timeout(is_kiosk));
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        }
        _ = shutdown.cancelled() => connection.as_mut().graceful_shutdown(),
    }
}

/// TCP keepalive probes, so that a peer that vanished (a kiosk's mobile link gone) frees its
/// connection in minutes rather than hours.
fn keep_alive(tcp: &tokio::net::TcpStream) {
    let probes = socket2::TcpKeepalive::new()
        .with_time(Duration::from_secs(60))
        .with_interval(Duration::from_secs(10))
        .with_retries(3);
    let socket = socket2::SockRef::from(tcp);
    if let Err(e) = socket.set_tcp_keepalive(&probes) {
        tracing::debug!("cannot set TCP keepalive: {e}");
    }
    // Data the peer has not acknowledged for this long ends the connection: a vanished kiosk's push
    // stream (whose small keep-alives never fill the send buffer) frees its place in minutes.
    if let Err(e) = socket.set_tcp_user_timeout(Some(Duration::from_secs(90))) {
        tracing::debug!("cannot set TCP_USER_TIMEOUT: {e}");
    }
}
