//! Enrolment from the kiosk's side: fetch the fleet CA and check it against the fingerprint in the
//! token, make a key that never leaves the kiosk, send its CSR with the one-time token, and store
//! the certificate and the fleet's settings.

use super::SyncError;
use super::identity::{Enrolment, KioskIdentity};
use super::server_client::fleet_http_client;
use citizen_window_protocol::enrolment::{EnrolRequest, EnrolResponse, ca_fingerprint, split_token};
use citizen_window_protocol::error::ApiError;
use citizen_window_protocol::paths;
use std::path::Path;

/// The first 32 hex digits of SHA-256 over the certificate's DER.
pub fn fingerprint(ca_pem: &str) -> Result<String, SyncError> {
    ca_fingerprint(ca_pem).ok_or_else(|| SyncError::Malformed("the fleet CA is not a PEM certificate".into()))
}

/// Downloads the CA without trusting the connection, then accepts it only if it matches the
/// fingerprint from the token (which reached the technician out of band).
async fn fetch_fleet_ca_pinned(server_url: &str, expected_fingerprint: &str) -> Result<String, SyncError> {
    let unverified = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| SyncError::Local(e.to_string()))?;
    let ca_pem =
        unverified.get(format!("{server_url}{}", paths::FLEET_CA)).send().await?.error_for_status()?.text().await?;
    let actual = fingerprint(&ca_pem)?;
    if !actual.eq_ignore_ascii_case(expected_fingerprint) {
        return Err(SyncError::UntrustedServer(format!(
            "the server's fleet CA has fingerprint {actual}, the token expects {expected_fingerprint}: this is not the server the token came from"
        )));
    }
    Ok(ca_pem)
}

/// A new private key made on the kiosk, and a certificate signing request for it (the server
/// chooses the subject it signs).
pub(super) fn new_key_and_csr() -> Result<(rcgen::KeyPair, String), SyncError> {
    let key = rcgen::KeyPair::generate().map_err(|e| SyncError::Local(format!("cannot make a key: {e}")))?;
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name.push(rcgen::DnType::CommonName, "citizen-window kiosk");
    let csr = params
        .serialize_request(&key)
        .and_then(|r| r.pem())
        .map_err(|e| SyncError::Local(format!("cannot make a CSR: {e}")))?;
    Ok((key, csr))
}

/// Enrols the kiosk whose state lives in `state_dir` and stores its identity there.
pub async fn enrol(
    state_dir: &Path,
    server_url: &str,
    token: &str,
    label: Option<&str>,
) -> Result<KioskIdentity, SyncError> {
    let server_url = server_url.trim_end_matches('/');
    if !server_url.starts_with("https://") {
        return Err(SyncError::Local(format!("--server {server_url:?} must be an https:// URL")));
    }
    let (_, expected) = split_token(token).ok_or_else(|| {
        SyncError::Local(
            "the token is not in the form the server prints (32 hex digits, a dot, 32 hex digits): copy it again"
                .into(),
        )
    })?;
    let ca_pem = fetch_fleet_ca_pinned(server_url, expected).await?;

    let (key, csr) = new_key_and_csr()?;

    let client = fleet_http_client(&ca_pem, None)?;
    let request = EnrolRequest { token: token.trim().to_string(), csr_pem: csr, label: label.map(str::to_string) };
    let response = client.post(format!("{server_url}{}", paths::ENROL)).json(&request).send().await?;
    let status = response.status();
    if !status.is_success() {
        let body = response.bytes().await?;
        let error: ApiError = serde_json::from_slice(&body)
            .unwrap_or(ApiError { code: "http_error".into(), message: String::from_utf8_lossy(&body).into_owned() });
        return Err(SyncError::Server { status: status.as_u16(), code: error.code, message: error.message });
    }
    let answer: EnrolResponse = response.json().await.map_err(|e| SyncError::Malformed(e.to_string()))?;
    if fingerprint(&answer.fleet_ca_pem)? != fingerprint(&ca_pem)? {
        return Err(SyncError::UntrustedServer("the enrolment answer names another fleet CA".into()));
    }
    if hex::decode(&answer.resident_seal_public_key_hex).map_or(true, |key| key.len() != 32) {
        return Err(SyncError::Malformed("the server's resident seal key is not 32 bytes of hex".into()));
    }
    let identity = KioskIdentity {
        enrolment: Enrolment {
            kiosk_id: answer.kiosk_id,
            server_url: server_url.to_string(),
            content_signing_public_key_hex: answer.content_signing_public_key_hex,
            resident_seal_public_key_hex: answer.resident_seal_public_key_hex,
            enrolled_at_ms: Some(crate::journal::now_ms()),
            kiosk_number: answer.kiosk_number,
            label: label.map(str::to_string),
        },
        key_pem: key.serialize_pem(),
        cert_pem: answer.certificate_pem,
        ca_pem,
    };
    identity
        .save(state_dir)
        .map_err(|e| SyncError::Local(format!("cannot store the kiosk's identity in {}: {e}", state_dir.display())))?;
    Ok(identity)
}
