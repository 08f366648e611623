//! The payment provider's notification that an order was paid: outside the demo, the only way an
//! order becomes paid. The provider signs each notification with the secret it shares with the
//! server (HMAC-SHA256 over the timestamp and the body); the server refuses a notification that is
//! unsigned, badly signed, older or newer than [`NOTIFICATION_WINDOW_MS`], for another amount,
//! or for an order that is no longer pending. A replayed notification can do nothing its first
//! delivery did not: an order moves from pending to paid once, and a closed one never reopens.

use super::{SharedState, error, now_ms, storage_error};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use citizen_window_protocol::services::{
    PAYMENT_SIGNATURE_HEADER, PAYMENT_TIMESTAMP_HEADER, PaymentNotification, PaymentNotificationAck, PaymentStatus,
};
use hmac::{KeyInit, Mac};

/// How far a notification's timestamp may be from the server's clock, either way.
pub const NOTIFICATION_WINDOW_MS: i64 = 5 * 60 * 1000;

/// The largest notification body read; a real one is under 200 bytes.
pub const MAX_NOTIFICATION_BYTES: usize = 4096;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn mac(secret: &[u8], timestamp_ms: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(timestamp_ms.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature a provider puts in the signature header: lowercase hex of
/// HMAC-SHA256(secret, "<timestamp_ms>.<body>").
pub fn sign(secret: &[u8], timestamp_ms: i64, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp_ms, body).finalize().into_bytes())
}

/// Checks the timestamp and the signature; the body is parsed only once it is known to be the
/// provider's. The error is the sentence for the refusal.
fn verify(secret: &[u8], headers: &HeaderMap, body: &[u8], now_ms: i64) -> Result<(), &'static str> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let timestamp: i64 = header(PAYMENT_TIMESTAMP_HEADER)
        .and_then(|t| t.parse().ok())
        .ok_or("the notification needs its timestamp (milliseconds since 1970) in the timestamp header")?;
    let signature = header(PAYMENT_SIGNATURE_HEADER)
        .and_then(|s| hex::decode(s).ok())
        .ok_or("the notification needs its HMAC-SHA256 signature, in hex, in the signature header")?;
    if mac(secret, timestamp, body).verify_slice(&signature).is_err() {
        return Err("the signature does not match: sign \"<timestamp>.<body>\" with the shared secret");
    }
    if now_ms.abs_diff(timestamp) > NOTIFICATION_WINDOW_MS.unsigned_abs() {
        return Err("the notification's timestamp is more than 5 minutes from the server's clock");
    }
    Ok(())
}

pub async fn notify(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let now = now_ms();
    if let Err(refusal) = verify(&state.fleet.payment_notify_secret, &headers, &body, now) {
        tracing::warn!("payment notification refused: {refusal}");
        return error(StatusCode::UNAUTHORIZED, "bad_signature", refusal);
    }
    let notification: PaymentNotification = match serde_json::from_slice(&body) {
        Ok(n) => n,
        Err(e) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "malformed_notification",
                format!("the notification is not valid ({e}): see /v1/openapi.json"),
            );
        }
    };
    let order = match state.storage.payment_order(&notification.order_id, None, now).await {
        Ok(Some(order)) => order,
        Ok(None) => return error(StatusCode::NOT_FOUND, "unknown_order", "no payment order has this id"),
        Err(e) => return storage_error(e),
    };
    if order.amount_fen != notification.amount_fen {
        tracing::warn!(order = %order.order_id, "payment notification for another amount refused");
        return error(
            StatusCode::CONFLICT,
            "amount_mismatch",
            format!("the order is for {} fen, the notification says {}", order.amount_fen, notification.amount_fen),
        );
    }
    match state.storage.close_payment_order(&order.order_id, None, PaymentStatus::Paid, now).await {
        Ok(Some(order)) if order.status == PaymentStatus::Paid => {
            Json(PaymentNotificationAck { order_id: order.order_id, status: order.status }).into_response()
        }
        Ok(Some(order)) => error(
            StatusCode::CONFLICT,
            "order_closed",
            format!("the order is {:?} and can no longer be paid: refund the payer", order.status).to_lowercase(),
        ),
        Ok(None) => error(StatusCode::NOT_FOUND, "unknown_order", "no payment order has this id"),
        Err(e) => storage_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(timestamp: i64, signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(PAYMENT_TIMESTAMP_HEADER, timestamp.to_string().parse().unwrap());
        headers.insert(PAYMENT_SIGNATURE_HEADER, signature.parse().unwrap());
        headers
    }

    #[test]
    fn a_signed_fresh_notification_passes_and_any_change_fails() {
        let (secret, body, now) = (b"shared secret".as_slice(), br#"{"order_id":"o","amount_fen":1}"#, 1_000_000_000);
        let good = sign(secret, now, body);
        assert!(verify(secret, &headers(now, &good), body, now).is_ok());
        assert!(verify(secret, &headers(now, &good), b"{\"order_id\":\"p\",\"amount_fen\":1}", now).is_err());
        assert!(verify(b"another secret", &headers(now, &good), body, now).is_err());
        assert!(verify(secret, &headers(now + 1, &good), body, now).is_err(), "the timestamp is signed");
        let late = now + NOTIFICATION_WINDOW_MS + 1;
        assert!(verify(secret, &headers(now, &good), body, late).is_err(), "too old");
        assert!(verify(secret, &headers(late, &sign(secret, late, body)), body, now).is_err(), "from the future");
        assert!(verify(secret, &HeaderMap::new(), body, now).is_err());
        assert!(verify(secret, &headers(now, "not hex"), body, now).is_err());
    }
}
