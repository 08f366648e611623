//! Enrolment: a one-time token and the kiosk's CSR in; the kiosk's certificate, the fleet CA and
//! the server's public keys (content signing, resident sealing) out: no secret leaves the server. The token is used up only when the certificate is made.

use super::identity::Kiosk;
use super::{SharedState, error, now_ms, storage_error};
use crate::storage::token_hash;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use citizen_window_protocol::enrolment::{EnrolRequest, EnrolResponse, RenewRequest, RenewResponse};

pub async fn fleet_ca(State(state): State<SharedState>) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/x-pem-file")], state.fleet.ca_pem.clone()).into_response()
}

/// How long a refused enrolment waits before its answer, so that guessing tokens is slow.
const REFUSAL_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

fn invalid_token() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "invalid_token",
        "this enrolment token is unknown, already used or expired: ask the operator for a new one (citizen-central enrol-token)",
    )
}

/// The token is checked first, by its hash (cheap); only then is the CSR verified and signed,
/// and the token used up together with the kiosk's registration.
pub async fn enrol(
    State(state): State<SharedState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    Json(request): Json<EnrolRequest>,
) -> Response {
    let hash = token_hash(&request.token);
    match state.storage.enrol_token_usable(&hash, now_ms()).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(%peer, "enrolment refused: unknown, used or expired token");
            tokio::time::sleep(REFUSAL_DELAY).await;
            return invalid_token();
        }
        Err(e) => return storage_error(e),
    }
    if let Some(Err(why)) = request.label.as_deref().map(crate::storage::check_label) {
        return error(StatusCode::BAD_REQUEST, "bad_label", why);
    }
    let kiosk_id = format!("kiosk-{}", crate::pki::random_hex(8));
    let certificate_pem = match state.fleet.sign_kiosk_csr(&request.csr_pem, &kiosk_id, state.kiosk_certificate_days) {
        Ok(pem) => pem,
        Err(e) => {
            tracing::warn!(%peer, "enrolment refused: bad CSR");
            return error(
                StatusCode::BAD_REQUEST,
                "bad_csr",
                format!("{e:#}: make a new key and CSR (kioskctl enrol does)"),
            );
        }
    };
    let kiosk_number = match state.storage.enrol_kiosk(&hash, &kiosk_id, request.label.as_deref(), now_ms()).await {
        Ok(Some(number)) => number,
        Ok(None) => return invalid_token(),
        Err(e) => return storage_error(e),
    };
    tracing::info!(%kiosk_id, kiosk_number, "kiosk enrolled");
    Json(EnrolResponse {
        kiosk_id,
        // Receipt numbers carry four digits of it; a fleet past 9,999 kiosks numbers its
        // receipts from 0000 (still unique within each kiosk, checked by its own key).
        kiosk_number: (kiosk_number <= 9_999).then_some(kiosk_number),
        certificate_pem,
        fleet_ca_pem: state.fleet.ca_pem.clone(),
        resident_seal_public_key_hex: hex::encode(state.fleet.residents.seal_public_key()),
        content_signing_public_key_hex: state.fleet.content_signing_public_key_hex.clone(),
    })
    .into_response()
}

/// A kiosk renews its certificate over mutual TLS with the one it has (the extractor has checked
/// it is enrolled and not revoked): the new certificate names the same kiosk, for a new key.
pub async fn renew(
    State(state): State<SharedState>,
    Kiosk(kiosk_id): Kiosk,
    Json(request): Json<RenewRequest>,
) -> Response {
    match state.fleet.sign_kiosk_csr(&request.csr_pem, &kiosk_id, state.kiosk_certificate_days) {
        Ok(certificate_pem) => {
            tracing::info!(%kiosk_id, "kiosk certificate renewed");
            Json(RenewResponse { certificate_pem }).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, "bad_csr", format!("{e:#}: make a new key and CSR and ask again")),
    }
}

/// Makes a one-time enrolment token valid `valid_hours` from `now_ms` (only its hash is stored):
/// random, followed by the fleet CA's fingerprint, which the kiosk checks before it trusts the
/// server (`citizen-central enrol-token`, the console's kiosks page).
pub async fn issue_token(
    storage: &crate::storage::Storage,
    fleet: &crate::pki::Fleet,
    valid_hours: u32,
    now_ms: i64,
) -> anyhow::Result<String> {
    let token = format!("{}.{}", crate::pki::random_hex(16), crate::pki::ca_fingerprint(&fleet.ca_pem)?);
    storage.create_enrol_token(&token_hash(&token), now_ms + i64::from(valid_hours) * 3_600_000).await?;
    Ok(token)
}
