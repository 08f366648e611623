//! Who is calling: the kiosk id taken from the client certificate that rustls verified against
//! the fleet CA, put into each request by the connection handler, never from the request body;
//! and whether that kiosk is still enrolled and not revoked ([`super::kiosk_register`]).

use super::kiosk_register::Standing;
use super::{SharedState, error, storage_error};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;

/// Set on every request: the kiosk id of the connection's verified client certificate, if any.
#[derive(Debug, Clone)]
pub struct PeerKiosk(pub Option<String>);

/// Set on every request: when the connection's client certificate ends, if there is one.
#[derive(Debug, Clone, Copy)]
pub struct PeerCertificateEnd(pub Option<i64>);

/// Extractor for kiosk-only endpoints: rejects callers without a fleet certificate.
pub struct Kiosk(pub String);

impl FromRequestParts<SharedState> for Kiosk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<PeerKiosk>() {
            Some(PeerKiosk(Some(id))) => match state.kiosk_register.standing(&state.storage, id).await {
                Ok(Standing::Active) => Ok(Kiosk(id.clone())),
                Ok(Standing::Revoked(at_ms)) => {
                    tracing::warn!(kiosk_id = %id, "request from a revoked kiosk refused");
                    Err(error(
                        StatusCode::FORBIDDEN,
                        "kiosk_revoked",
                        format!(
                            "this kiosk was revoked by the fleet's operator (at {at_ms} ms since 1970) and is refused: if that was a mistake or the kiosk was recovered, enrol it again with a new token (kioskctl enrol)"
                        ),
                    ))
                }
                Ok(Standing::Unknown) => {
                    tracing::warn!(kiosk_id = %id, "request from a kiosk that is not enrolled refused");
                    Err(error(
                        StatusCode::FORBIDDEN,
                        "kiosk_unknown",
                        "this kiosk is not enrolled with this server (removed, or the server was restored from a backup older than its enrolment): enrol it again with a new token (kioskctl enrol)",
                    ))
                }
                Err(e) => Err(storage_error(e)),
            },
            _ => Err(error(
                StatusCode::UNAUTHORIZED,
                "certificate_required",
                "this endpoint needs the kiosk's client certificate from the fleet CA: enrol the kiosk (kioskctl enrol) first",
            )),
        }
    }
}
