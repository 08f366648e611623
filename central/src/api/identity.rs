//! Who is calling: the kiosk id taken from the client certificate that rustls verified against
//! the fleet CA, put into each request by the connection handler. Never from the request body.

use super::error;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;

/// Set on every request: the kiosk id of the connection's verified client certificate, if any.
#[derive(Debug, Clone)]
pub struct PeerKiosk(pub Option<String>);

/// Extractor for kiosk-only endpoints: rejects callers without a fleet certificate.
pub struct Kiosk(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Kiosk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<PeerKiosk>() {
            Some(PeerKiosk(Some(id))) => Ok(Kiosk(id.clone())),
            _ => Err(error(
                StatusCode::UNAUTHORIZED,
                "certificate_required",
                "this endpoint needs the kiosk's client certificate from the fleet CA: enrol the kiosk (kioskctl enrol) first",
            )),
        }
    }
}
