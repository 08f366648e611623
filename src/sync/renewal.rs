//! The kiosk's certificate, renewed before it ends: when a third of its validity is left, the
//! kiosk makes a new key, sends a CSR over mutual TLS with the certificate it has, and stores the
//! new key and certificate together. Its clients present the new one from then on.

use super::SyncError;
use super::identity::KioskIdentity;
use super::server_client::ServerClient;
use std::path::Path;

/// When a PEM certificate starts and ends, in milliseconds since 1970.
pub fn validity_ms(cert_pem: &str) -> Option<(i64, i64)> {
    use rustls_pki_types::pem::PemObject;
    let der = rustls_pki_types::CertificateDer::from_pem_slice(cert_pem.as_bytes()).ok()?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der).ok()?;
    let validity = cert.validity();
    Some((validity.not_before.timestamp() * 1000, validity.not_after.timestamp() * 1000))
}

/// Whether a certificate valid from `not_before` to `not_after` should be renewed at `now`: once
/// less than a third of its validity is left.
pub fn renewal_due(not_before_ms: i64, not_after_ms: i64, now_ms: i64) -> bool {
    let lifetime = not_after_ms.saturating_sub(not_before_ms);
    not_after_ms.saturating_sub(now_ms) < lifetime / 3
}

/// Renews the certificate of `client`'s identity if it is due: stores the new key and certificate
/// under `state_dir` and switches `client` (and its clones) to them. Returns whether it renewed.
pub async fn renew_if_due(client: &mut ServerClient, state_dir: &Path, now_ms: i64) -> Result<bool, SyncError> {
    let Some((not_before, not_after)) = validity_ms(&client.identity().cert_pem) else {
        return Err(SyncError::NotEnrolled("the kiosk's certificate cannot be read: enrol the kiosk again".into()));
    };
    if !renewal_due(not_before, not_after, now_ms) {
        return Ok(false);
    }
    let (key, csr) = super::enrolment::new_key_and_csr()?;
    let cert_pem = client.renew_certificate(&csr).await?;
    if validity_ms(&cert_pem).is_none_or(|(_, end)| end < not_after) {
        return Err(SyncError::Malformed("the renewed certificate ends before the one in use: it is not taken".into()));
    }
    let renewed = KioskIdentity { key_pem: key.serialize_pem(), cert_pem, ..client.identity().clone() };
    renewed.save_renewed(state_dir).map_err(|e| {
        SyncError::Local(format!("cannot store the renewed certificate in {}: {e}", state_dir.display()))
    })?;
    client.use_identity(&renewed)?;
    tracing::info!("the kiosk's certificate was renewed");
    Ok(true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn renewal_is_due_in_the_last_third() {
        let day = 86_400_000;
        let (start, end) = (0, 365 * day);
        assert!(!super::renewal_due(start, end, 200 * day));
        assert!(!super::renewal_due(start, end, 243 * day));
        assert!(super::renewal_due(start, end, 244 * day));
        assert!(super::renewal_due(start, end, 400 * day), "an ended one too");
    }
}
