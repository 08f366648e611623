//! Enrolment: a one-time token and the kiosk's certificate signing request go in, the kiosk's
//! certificate (signed by the fleet CA) and the fleet's settings come out. The key stays on the kiosk.

use serde::{Deserialize, Serialize};

/// An enrolment token is `<secret>.<fingerprint>`: the fingerprint (first 32 hex digits of the
/// SHA-256 of the fleet CA's DER) lets the kiosk trust the CA it downloads before it has any
/// certificate, because the token reached the technician out of band.
pub fn split_token(token: &str) -> Option<(&str, &str)> {
    let (secret, fingerprint) = token.trim().split_once('.')?;
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(secret, 32) && hex(fingerprint, 32)).then_some((secret, fingerprint))
}

pub const FINGERPRINT_HEX_LEN: usize = 32;

/// The fingerprint of a PEM certificate as tokens carry it; `None` if the PEM holds no certificate.
pub fn ca_fingerprint(ca_pem: &str) -> Option<String> {
    use rustls_pki_types::pem::PemObject;
    use sha2::Digest;
    let der = rustls_pki_types::CertificateDer::from_pem_slice(ca_pem.as_bytes()).ok()?;
    Some(hex::encode(sha2::Sha256::digest(der.as_ref()))[..FINGERPRINT_HEX_LEN].to_string())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EnrolRequest {
    pub token: String,
    /// PEM certificate signing request made with the kiosk's own key.
    pub csr_pem: String,
    /// A name for the kiosk that the technician chose: "幸福里社区 1号机".
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EnrolResponse {
    pub kiosk_id: String,
    /// The kiosk's short number in the fleet (1 to 9999), which starts its receipt numbers.
    #[serde(default)]
    pub kiosk_number: Option<u32>,
    pub certificate_pem: String,
    /// The fleet CA the kiosk trusts for the server (and nothing else).
    pub fleet_ca_pem: String,
    /// Hex X25519 public key the kiosk seals residents' ID numbers to
    /// ([`crate::resident_seal`]); only the server holds its private key.
    pub resident_seal_public_key_hex: String,
    /// Hex Ed25519 public key that signs content bundles.
    pub content_signing_public_key_hex: String,
}

/// A kiosk renewing its certificate before it ends: a CSR made with a new key, sent over mutual
/// TLS with the certificate in use, so the server knows which kiosk asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewRequest {
    pub csr_pem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RenewResponse {
    pub certificate_pem: String,
}
