//! Enrolment: a one-time token and the kiosk's CSR in; the kiosk's certificate, the fleet CA and
//! the fleet's secrets out. The token is used up only when the certificate is made.

use super::{SharedState, error, now_ms, storage_error};
use crate::storage::token_hash;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use citizen_window_protocol::enrolment::{EnrolRequest, EnrolResponse};

pub async fn fleet_ca(State(state): State<SharedState>) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/x-pem-file")], state.fleet.ca_pem.clone()).into_response()
}

pub async fn enrol(State(state): State<SharedState>, Json(request): Json<EnrolRequest>) -> Response {
    let kiosk_id = format!("kiosk-{}", crate::pki::random_hex(8));
    let certificate_pem = match state.fleet.sign_kiosk_csr(&request.csr_pem, &kiosk_id) {
        Ok(pem) => pem,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_csr",
                format!("{e:#}: make a new key and CSR (kioskctl enrol does)"),
            );
        }
    };
    match state.storage.enrol_kiosk(&token_hash(&request.token), &kiosk_id, request.label.as_deref(), now_ms()).await {
        Ok(true) => {}
        Ok(false) => {
            return error(
                StatusCode::FORBIDDEN,
                "invalid_token",
                "this enrolment token is unknown, already used or expired: ask the operator for a new one (citizen-central enrol-token)",
            );
        }
        Err(e) => return storage_error(e),
    }
    tracing::info!(%kiosk_id, "kiosk enrolled");
    Json(EnrolResponse {
        kiosk_id,
        certificate_pem,
        fleet_ca_pem: state.fleet.ca_pem.clone(),
        resident_key_secret_hex: state.fleet.resident_key_secret_hex.clone(),
        content_signing_public_key_hex: state.fleet.content_signing_public_key_hex.clone(),
    })
    .into_response()
}
