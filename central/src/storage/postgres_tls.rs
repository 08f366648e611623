//! PostgreSQL over TLS, with rustls, as the URL's `sslmode` asks, in libpq's meanings:
//! `disable` (never), `prefer` (TLS when the server offers it, unverified: tokio-postgres's
//! default), `require` (TLS always; the server's certificate verified against `sslrootcert` when
//! given), `verify-ca` (TLS, the chain verified) and `verify-full` (the chain and the host name).
//! `sslrootcert` names a PEM file of the CA to trust; without it verification uses the system's
//! roots. Error messages never carry the URL's password.

use super::StorageError;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Encrypted, not authenticated (`prefer`, or `require` without `sslrootcert`).
    Nothing,
    /// The chain up to a trusted root (`verify-ca`, or `require` with `sslrootcert`).
    Chain,
    /// The chain and the host name (`verify-full`).
    ChainAndName,
}

/// The URL as tokio-postgres takes it, and the TLS connector it asks for.
pub fn connection(url: &str) -> Result<(tokio_postgres::Config, MakeRustls, Verification), StorageError> {
    let shown = crate::config::redacted(url);
    let bad = |what: String| StorageError::Backend(format!("{shown}: {what}"));
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let (mut mode, mut root_file, mut kept) = (None, None, Vec::new());
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", value)) => mode = Some(value.to_string()),
            Some(("sslrootcert", value)) => root_file = Some(percent_decoded(value)),
            _ => kept.push(pair),
        }
    }
    let (tls_mode, verification) = match (mode.as_deref(), root_file.is_some()) {
        (Some("disable"), _) => ("disable", Verification::Nothing),
        (None | Some("prefer"), _) => ("prefer", Verification::Nothing),
        (Some("require"), false) => ("require", Verification::Nothing),
        (Some("require") | Some("verify-ca"), _) => ("require", Verification::Chain),
        (Some("verify-full"), _) => ("require", Verification::ChainAndName),
        (Some(other), _) => {
            return Err(bad(format!("sslmode={other} is not one of disable, prefer, require, verify-ca, verify-full")));
        }
    };
    kept.push(match tls_mode {
        "disable" => "sslmode=disable",
        "prefer" => "sslmode=prefer",
        _ => "sslmode=require",
    });
    let config: tokio_postgres::Config =
        format!("{base}?{}", kept.join("&")).parse().map_err(|e| bad(format!("not a PostgreSQL URL: {e}")))?;
    let tls = MakeRustls::new(verification, root_file.as_deref()).map_err(bad)?;
    Ok((config, tls, verification))
}

/// One connection outside the pool (operators' tools, tests), its driver task spawned.
pub async fn connect_one(url: &str) -> Result<tokio_postgres::Client, StorageError> {
    let (config, tls, _) = connection(url)?;
    let (client, driver) = config.connect(tls).await?;
    tokio::spawn(driver);
    Ok(client)
}

/// The same server and options, another database.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(base, query)| (base, Some(query)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Trusts the certificates in `root_file`, or the system's roots without one.
fn trusted_roots(root_file: Option<&str>) -> Result<rustls::RootCertStore, String> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match root_file {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("sslrootcert {path} cannot be read: {e}"))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("sslrootcert {path} is not PEM certificates: {e}"))?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!("sslrootcert {path} holds no usable certificate"));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                return Err("no system root certificates: give sslrootcert=<the database's CA file>".into());
            }
        }
    }
    Ok(roots)
}

/// Makes a TLS connection for each new database connection.
#[derive(Clone)]
pub struct MakeRustls {
    config: Arc<rustls::ClientConfig>,
}

impl MakeRustls {
    fn new(verification: Verification, root_file: Option<&str>) -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let verifier: Arc<dyn ServerCertVerifier> = match verification {
            Verification::Nothing => Arc::new(EncryptOnly(provider)),
            checked => {
                let roots = Arc::new(trusted_roots(root_file)?);
                let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
                    .build()
                    .map_err(|e| format!("cannot verify the database's certificate: {e}"))?;
                Arc::new(Verify { webpki, name_too: checked == Verification::ChainAndName })
            }
        };
        let config = builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth();
        Ok(Self { config: Arc::new(config) })
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> MakeTlsConnect<S> for MakeRustls {
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnect;
    type Error = std::io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> Result<RustlsConnect, std::io::Error> {
        let name = ServerName::try_from(domain.to_string())
            .map_err(|_| std::io::Error::other(format!("{domain} is not a host name TLS can check")))?;
        Ok(RustlsConnect { config: self.config.clone(), name })
    }
}

pub struct RustlsConnect {
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> TlsConnect<S> for RustlsConnect {
    type Stream = RustlsStream<S>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<RustlsStream<S>, std::io::Error>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let connector = tokio_rustls::TlsConnector::from(self.config);
            Ok(RustlsStream(connector.connect(self.name, stream).await?))
        })
    }
}

pub struct RustlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        // SCRAM's tls-server-end-point binding: the hash of the server's certificate (SHA-256 for
        // the SHA-256 and SHA-1 signed certificates a database uses).
        use sha2::Digest;
        match self.0.get_ref().1.peer_certificates().and_then(|certs| certs.first()) {
            Some(cert) => ChannelBinding::tls_server_end_point(sha2::Sha256::digest(cert.as_ref()).to_vec()),
            None => ChannelBinding::none(),
        }
    }
}

/// Checks the handshake's signatures but not who signed the certificate: encryption against a
/// passive listener only, as libpq's `prefer` and `require` without a root file.
#[derive(Debug)]
struct EncryptOnly(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The chain to a trusted root, and the host name unless `verify-ca` said not to.
#[derive(Debug)]
struct Verify {
    webpki: Arc<WebPkiServerVerifier>,
    name_too: bool,
}

impl ServerCertVerifier for Verify {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.name_too => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_and_sslrootcert_come_from_the_url_and_the_password_never_shows() {
        let mode = |url: &str| connection(url).map(|(config, _, verification)| (config.get_ssl_mode(), verification));
        use tokio_postgres::config::SslMode;
        assert_eq!(mode("postgres://u@h/db").unwrap(), (SslMode::Prefer, Verification::Nothing));
        assert_eq!(mode("postgres://u@h/db?sslmode=disable").unwrap(), (SslMode::Disable, Verification::Nothing));
        assert_eq!(mode("postgres://u@h/db?sslmode=require").unwrap(), (SslMode::Require, Verification::Nothing));
        let err = mode("postgres://u:hunter2@h/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem").unwrap_err();
        assert!(err.to_string().contains("sslrootcert /nonexistent/ca.pem cannot be read"), "{err}");
        let err = mode("postgres://u:hunter2@h/db?sslmode=sometimes").unwrap_err().to_string();
        assert!(err.contains("sslmode=sometimes is not one of") && !err.contains("hunter2"), "{err}");
        let err = mode("postgres://u:hunter2@h/db?connect_timeout=soon").unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");
        assert_eq!(percent_decoded("%2Ftmp%2Fca.pem"), "/tmp/ca.pem");
        assert_eq!(
            with_database("postgres://u@h:5/postgres?sslmode=require", "t1"),
            "postgres://u@h:5/t1?sslmode=require"
        );
        assert_eq!(with_database("postgres://u@h/postgres", "t1"), "postgres://u@h/t1");
    }
}
