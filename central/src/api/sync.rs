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
    let Some(_share) = UploadShare::take(&state, &kiosk_id) else {
        return error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_uploads",
            format!(
                "this kiosk already has {} uploads in progress: wait for their answers, then send again",
                state.limits.uploads_per_kiosk
            ),
        );
    };
    let batch = match read_batch(&state, request).await {
        Ok(batch) => batch,
        Err(answer) => return answer,
    };
    if batch.starts_after > 0 {
        tracing::debug!(%kiosk_id, starts_after = batch.starts_after, "kiosk declares its floor");
    }
    match state.storage.insert_upload(&kiosk_id, batch, now_ms(), Some(&state.fleet.residents)).await {
        Ok(ack) => {
            for conflict in &ack.conflicts {
                tracing::warn!(%kiosk_id, id = %conflict.id, seq = conflict.seq, reason = %conflict.reason, "conflicting replay");
            }
            Json(ack).into_response()
        }
        Err(e) => storage_error(e),
    }
}

/// One of a kiosk's few places for uploads in progress, given back when dropped: a kiosk whose
/// uploads stall (a link that died mid-body) holds only its own places, never the fleet's.
struct UploadShare<'a> {
    state: &'a SharedState,
    kiosk_id: &'a str,
}

impl<'a> UploadShare<'a> {
    fn take(state: &'a SharedState, kiosk_id: &'a str) -> Option<Self> {
        let mut in_progress = state.uploads_in_progress.lock().unwrap_or_else(|e| e.into_inner());
        let count = in_progress.entry(kiosk_id.to_string()).or_default();
        if *count >= state.limits.uploads_per_kiosk {
            return None;
        }
        *count += 1;
        Some(Self { state, kiosk_id })
    }
}

impl Drop for UploadShare<'_> {
    fn drop(&mut self) {
        let mut in_progress = self.state.uploads_in_progress.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = in_progress.get_mut(self.kiosk_id) {
            *count -= 1;
            if *count == 0 {
                in_progress.remove(self.kiosk_id);
            }
        }
    }
}

/// Reads the body under its deadline, holding one of the reading places (a kiosk holds at most its
/// share of them), then parses it while holding one of a few parsing places: the batch waits for
/// its commit as parsed records, the raw body freed.
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
    let _reading = state.upload_reading.acquire().await.expect("the semaphore is never closed");
    let deadline = state.limits.upload_body_deadline;
    let body = match tokio::time::timeout(deadline, axum::body::to_bytes(request.into_body(), MAX_BATCH_BYTES)).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "unreadable_batch",
                format!("the batch could not be read ({e}): send it again"),
            ));
        }
        Err(_) => {
            return Err(error(
                StatusCode::REQUEST_TIMEOUT,
                "batch_too_slow",
                format!("the batch did not arrive within {} s: send it again", deadline.as_secs()),
            ));
        }
    };
    let _place = state.upload_parsing.acquire().await.expect("the semaphore is never closed");
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
    certificate: Option<axum::Extension<super::PeerCertificateEnd>>,
    Json(heartbeat): Json<Heartbeat>,
) -> Response {
    use crate::kiosk_condition;
    let at_ms = now_ms();
    let arrival = crate::storage::HeartbeatArrival {
        kiosk_id: &kiosk_id,
        heartbeat: &heartbeat,
        condition: kiosk_condition::history_text(&kiosk_condition::of_heartbeat(&heartbeat, at_ms)),
        certificate_ends_ms: certificate.and_then(|axum::Extension(end)| end.0),
        at_ms,
        offline_after_ms: kiosk_condition::offline_after_ms(state.heartbeat_interval_ms),
    };
    match state.storage.save_heartbeat(&arrival).await {
        Ok(()) => {
            state.fleet_bell.ring(&kiosk_id);
            Json(HeartbeatAck { server_time_ms: now_ms() }).into_response()
        }
        Err(e) => storage_error(e),
    }
}
