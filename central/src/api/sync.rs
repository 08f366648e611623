//! Transaction batches and heartbeats from kiosks.

use super::identity::Kiosk;
use super::{SharedState, error, now_ms, storage_error};
use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_LENGTH;
use axum::response::{IntoResponse, Response};
use citizen_window_protocol::heartbeat::{Heartbeat, HeartbeatAck};
use citizen_window_protocol::sync::{MAX_BATCH, MAX_BATCH_BYTES, UploadBatch};

pub async fn upload(State(state): State<SharedState>, Kiosk(kiosk_id): Kiosk, request: Request) -> Response {
    let batch = match read_batch(&state, request).await {
        Ok(batch) => batch,
        Err(answer) => return answer,
    };
    match state.storage.insert_batch(&kiosk_id, batch.records, now_ms()).await {
        Ok(ack) => {
            for conflict in &ack.conflicts {
                tracing::warn!(%kiosk_id, id = %conflict.id, seq = conflict.seq, reason = %conflict.reason, "conflicting replay");
            }
            Json(ack).into_response()
        }
        Err(e) => storage_error(e),
    }
}

/// Reads and parses an upload while holding one of a few places, then lets the place go: the
/// batch waits for its commit as parsed records, and the raw body is already freed.
async fn read_batch(state: &SharedState, request: Request) -> Result<UploadBatch, Response> {
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("send at most {MAX_BATCH} records and {MAX_BATCH_BYTES} bytes a batch"),
        )
    };
    let declared = request.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_BATCH_BYTES) {
        return Err(too_large());
    }
    let _place = state.upload_parsing.acquire().await.expect("the semaphore is never closed");
    let body = axum::body::to_bytes(request.into_body(), MAX_BATCH_BYTES).await.map_err(|e| {
        error(StatusCode::BAD_REQUEST, "unreadable_batch", format!("the batch could not be read ({e}): send it again"))
    })?;
    let batch: UploadBatch = serde_json::from_slice(&body).map_err(|e| {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "malformed_batch",
            format!("the batch is not a valid upload ({e}): see /v1/openapi.json"),
        )
    })?;
    if batch.records.len() > MAX_BATCH {
        return Err(too_large());
    }
    Ok(batch)
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
