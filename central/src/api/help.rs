//! 呼叫工作人员 for kiosks: a call for staff (the kiosk's open call again if it has one, so that a
//! retry or a second tap makes no second call), and the call's state, which the kiosk asks for
//! every few seconds while the resident waits. A new call shows on the office's console at once.

use super::identity::Kiosk;
use super::{SharedState, error, now_ms, storage_error};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use citizen_window_protocol::help::CALL_OPEN_MS;

pub async fn call(State(state): State<SharedState>, Kiosk(kiosk_id): Kiosk) -> Response {
    let now = now_ms();
    let new_id = format!("hc-{}", crate::pki::random_hex(8));
    match state.storage.call_for_help(&kiosk_id, &new_id, now, now - CALL_OPEN_MS).await {
        Ok(call) => {
            if call.call_id == new_id {
                state.fleet_bell.ring(&kiosk_id);
                tracing::info!(kiosk_id, call_id = call.call_id, "a resident at a kiosk calls for staff");
            }
            Json(call).into_response()
        }
        Err(e) => storage_error(e),
    }
}

pub async fn state(State(state): State<SharedState>, Kiosk(kiosk_id): Kiosk, Path(call_id): Path<String>) -> Response {
    match state.storage.help_call(&kiosk_id, &call_id).await {
        Ok(Some(call)) => Json(call).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "unknown_help_call", "this kiosk made no call with this id"),
        Err(e) => storage_error(e),
    }
}
