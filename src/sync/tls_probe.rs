//! When a request fails without saying why ("channel closed"), a direct TLS handshake with the
//! same key and trust tells the technician what really happened: the server refused the kiosk's
//! certificate, or presented one from another CA, or is not there at all.

use super::SyncError;
use super::identity::KioskIdentity;
use rustls::AlertDescription;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client_config(identity: &KioskIdentity) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(identity.ca_pem.as_bytes()) {
        roots.add(cert.map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    }
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(identity.cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes()).map_err(|e| e.to_string())?;
    rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|e| e.to_string())
}

/// Handshakes with `base_url` as the kiosk and sends one request; `Some` error if that shows
/// what is wrong with the certificates, `None` if it does not.
pub async fn diagnose(base_url: &str, identity: &KioskIdentity) -> Option<SyncError> {
    let url = reqwest::Url::parse(base_url).ok()?;
    let host = url.host_str()?.to_string();
    let port = url.port_or_known_default()?;
    let config = client_config(identity).ok()?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect((host.as_str(), port)).await.ok()?;
        let name = ServerName::try_from(host.clone()).ok()?;
        let mut tls = match connector.connect(name, tcp).await {
            Ok(tls) => tls,
            Err(e) => return classify(&e),
        };
        // In TLS 1.3 the server judges the client's certificate after the client has finished:
        // its verdict arrives as an alert on the first read.
        let request = format!("GET /v1/openapi.json HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        if let Err(e) = tls.write_all(request.as_bytes()).await {
            return classify(&e);
        }
        let mut buf = [0u8; 64];
        match tls.read(&mut buf).await {
            Err(e) => classify(&e),
            Ok(_) => None,
        }
    };
    tokio::time::timeout(Duration::from_secs(5), attempt).await.ok().flatten()
}

fn classify(error: &std::io::Error) -> Option<SyncError> {
    let tls = error.get_ref()?.downcast_ref::<rustls::Error>()?;
    match tls {
        rustls::Error::AlertReceived(
            AlertDescription::UnknownCA
            | AlertDescription::BadCertificate
            | AlertDescription::DecryptError
            | AlertDescription::CertificateUnknown
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateExpired
            | AlertDescription::CertificateRequired
            | AlertDescription::AccessDenied,
        ) => Some(SyncError::CertificateRefused(format!("TLS alert from the server: {tls}"))),
        rustls::Error::InvalidCertificate(_) => Some(SyncError::UntrustedServer(tls.to_string())),
        _ => None,
    }
}
