//! Transaction batches and heartbeats from kiosks.

use super::identity::Kiosk;
use super::{SharedState, error, now_ms, storage_error};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use citizen_window_protocol::heartbeat::{Heartbeat, HeartbeatAck};
use citizen_window_protocol::sync::{MAX_BATCH, UploadBatch};

pub async fn upload(
    State(state): State<SharedState>,
    Kiosk(kiosk_id): Kiosk,
    Json(batch): Json<UploadBatch>,
) -> Response {
    if batch.records.len() > MAX_BATCH {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("send at most {MAX_BATCH} records a batch"),
        );
    }
    match state.storage.insert_batch(&kiosk_id, &batch.records, now_ms()).await {
        Ok(ack) => {
            for conflict in &ack.conflicts {
                tracing::warn!(%kiosk_id, id = %conflict.id, seq = conflict.seq, reason = %conflict.reason, "conflicting replay");
            }
            Json(ack).into_response()
        }
        Err(e) => storage_error(e),
    }
}

pub async fn heartbeat(
    State(state): State<SharedState>,
    Kiosk(kiosk_id): Kiosk,
    Json(heartbeat): Json<Heartbeat>,
) -> Response {
    match state.storage.save_heartbeat(&kiosk_id, &heartbeat, now_ms()).await {
        Ok(()) => Json(HeartbeatAck { server_time_ms: now_ms() }).into_response(),
        Err(e) => storage_error(e),
    }
}
