//! Raw TLS connections to the test server, for clients that misbehave on purpose: idle, slow,
//! stalled mid-body. Anonymous, or with a kiosk's certificate.

use citizen_window::sync::identity::KioskIdentity;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

pub type Connection = TlsStream<TcpStream>;

/// A TLS connector that trusts the fleet CA, presenting `kiosk`'s certificate if given.
pub fn connector(ca_pem: &str, kiosk: Option<&KioskIdentity>) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let config = match kiosk {
        Some(identity) => {
            let chain = CertificateDer::pem_slice_iter(identity.cert_pem.as_bytes()).map(Result::unwrap).collect();
            let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes()).unwrap();
            builder.with_client_auth_cert(chain, key).unwrap()
        }
        None => builder.with_no_client_auth(),
    };
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// A TLS connection to the server, its handshake done.
pub async fn connect(connector: &tokio_rustls::TlsConnector, addr: SocketAddr) -> std::io::Result<Connection> {
    let tcp = TcpStream::connect(addr).await?;
    connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await
}

/// Waits up to `patience` for the server to close the connection; true if it did. Whatever the
/// server sends first (an error answer) is read and dropped.
pub async fn closed_by_server(connection: &mut Connection, patience: Duration) -> bool {
    let mut buffer = [0u8; 4096];
    let wait = async {
        loop {
            match connection.read(&mut buffer).await {
                Ok(0) | Err(_) => return true,
                Ok(_) => continue,
            }
        }
    };
    tokio::time::timeout(patience, wait).await.unwrap_or(false)
}

/// Sends one request and reads the status code of its answer.
pub async fn request_status(connection: &mut Connection, request: &str) -> Option<u16> {
    connection.write_all(request.as_bytes()).await.ok()?;
    read_status(connection, Duration::from_secs(10)).await
}

/// Reads the head of the next answer within `patience` and returns its status code.
pub async fn read_status(connection: &mut Connection, patience: Duration) -> Option<u16> {
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(patience, connection.read(&mut buffer)).await.ok()?.ok()?;
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buffer[..n]);
    }
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace().nth(1)?.parse().ok()
}
