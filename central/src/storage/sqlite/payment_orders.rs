//! Payment orders in SQLite: made once per kiosk and idempotency key, read by their own kiosk or
//! by the payer's page, and closed once.

use super::super::{StorageError, closing_status};
use super::SqliteStorage;
use citizen_window_protocol::services::{PaymentOrder, PaymentStatus};
use rusqlite::{OptionalExtension, params};

/// A payment order by id, for its own kiosk (`?2`) or for the payer's page (`?2` NULL).
const ORDER_FOR_OWNER: &str = "SELECT body FROM payment_orders WHERE order_id = ?1 AND (?2 IS NULL OR kiosk_id = ?2)";

impl SqliteStorage {
    pub async fn create_payment_order(
        &self,
        kiosk_id: &str,
        idempotency_key: &str,
        order: &PaymentOrder,
    ) -> Result<PaymentOrder, StorageError> {
        let (kiosk_id, key, order) = (kiosk_id.to_string(), idempotency_key.to_string(), order.clone());
        self.with(move |c| {
            let body = serde_json::to_string(&order).expect("serialises");
            c.execute(
                "INSERT INTO payment_orders (order_id, kiosk_id, idempotency_key, body) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                params![order.order_id, kiosk_id, key, body],
            )?;
            let stored: String = c.query_row(
                "SELECT body FROM payment_orders WHERE kiosk_id = ?1 AND idempotency_key = ?2",
                params![kiosk_id, key],
                |r| r.get(0),
            )?;
            serde_json::from_str(&stored).map_err(|e| StorageError::Backend(e.to_string()))
        })
        .await
    }

    pub async fn payment_order(
        &self,
        order_id: &str,
        owner: Option<&str>,
    ) -> Result<Option<PaymentOrder>, StorageError> {
        let (order_id, owner) = (order_id.to_string(), owner.map(str::to_string));
        self.with(move |c| {
            let body: Option<String> =
                c.query_row(ORDER_FOR_OWNER, params![order_id, owner], |r| r.get(0)).optional()?;
            Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
        })
        .await
    }

    pub async fn close_payment_order(
        &self,
        order_id: &str,
        owner: Option<&str>,
        to: PaymentStatus,
        now_ms: i64,
    ) -> Result<Option<PaymentOrder>, StorageError> {
        let (order_id, owner) = (order_id.to_string(), owner.map(str::to_string));
        self.with(move |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let body: Option<String> =
                tx.query_row(ORDER_FOR_OWNER, params![order_id, owner], |r| r.get(0)).optional()?;
            let Some(mut order) = body.and_then(|b| serde_json::from_str::<PaymentOrder>(&b).ok()) else {
                return Ok(None);
            };
            if order.status == PaymentStatus::Pending {
                order.status = closing_status(&order, to, now_ms);
                tx.execute(
                    "UPDATE payment_orders SET body = ?1 WHERE order_id = ?2",
                    params![serde_json::to_string(&order).expect("serialises"), order_id],
                )?;
            }
            tx.commit()?;
            Ok(Some(order))
        })
        .await
    }
}
