//! The HTTP API: one table of routes from which both the router and the OpenAPI document are
//! built, so that no route can be missing from the document.

mod enrol;
mod identity;
mod openapi;
mod pay_page;
mod services;
mod sync;

pub use identity::PeerKiosk;

use crate::pki::Fleet;
use crate::storage::{Storage, StorageError};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use citizen_window_protocol::error::ApiError;
use citizen_window_protocol::paths;
use std::sync::Arc;

pub struct AppState {
    pub storage: Storage,
    pub fleet: Fleet,
    pub public_url: String,
    /// Upload bodies being read and parsed at once (see [`UPLOADS_PARSED_AT_ONCE`]).
    pub upload_parsing: tokio::sync::Semaphore,
}

impl AppState {
    pub fn new(storage: Storage, fleet: Fleet, public_url: String) -> Self {
        Self { storage, fleet, public_url, upload_parsing: tokio::sync::Semaphore::new(UPLOADS_PARSED_AT_ONCE) }
    }
}

pub type SharedState = Arc<AppState>;

/// One documented route.
pub struct RouteDoc {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// Whether the route needs a kiosk's client certificate.
    pub kiosk_only: bool,
}

fn routes() -> Vec<(RouteDoc, MethodRouter<SharedState>)> {
    use axum::routing::{get, post};
    let doc = |method, path, summary, kiosk_only| RouteDoc { method, path, summary, kiosk_only };
    vec![
        (
            doc(
                "get",
                paths::FLEET_CA,
                "The fleet CA certificate (check it against the enrolment token's fingerprint)",
                false,
            ),
            get(enrol::fleet_ca),
        ),
        (
            doc("post", paths::ENROL, "Enrol a kiosk: one-time token and CSR in, certificate out", false),
            post(enrol::enrol),
        ),
        (doc("post", paths::TRANSACTIONS, "Upload a batch of journal records (idempotent)", true), post(sync::upload)),
        (doc("post", paths::HEARTBEAT, "Report device states, backlog and versions", true), post(sync::heartbeat)),
        (doc("get", paths::BILLS, "Look up the current bill of an account", true), get(services::bill)),
        (
            doc("get", paths::RESIDENT_BILLS, "The current bills of a resident's household (keyed hash)", true),
            get(services::resident_bills),
        ),
        (
            doc("post", paths::PAYMENT_ORDERS, "Create a payment order (Idempotency-Key header required)", true),
            post(services::create_payment_order),
        ),
        (doc("get", paths::PAYMENT_ORDER, "Payment order status", true), get(services::payment_order)),
        (
            doc("post", paths::PAYMENT_ORDER_CANCEL, "Cancel a pending payment order; a paid one stays paid", true),
            post(services::cancel_payment_order),
        ),
        (
            doc(
                "get",
                paths::SOCIAL_INSURANCE,
                "Social insurance, pension and subsistence-allowance record of a resident (keyed hash)",
                true,
            ),
            get(services::social_insurance),
        ),
        (
            doc("get", paths::APPOINTMENT_SLOTS, "Appointment slots with free places (query: day=YYYY-MM-DD)", true),
            get(services::appointment_slots),
        ),
        (
            doc("post", paths::APPOINTMENTS, "Book an appointment (Idempotency-Key header required)", true),
            post(services::book_appointment),
        ),
        (
            doc("get", paths::ISSUE_REPORT, "Status of an issue report by tracking number", true),
            get(services::issue_report),
        ),
        (doc("get", paths::OPENAPI, "This API as an OpenAPI 3.1 document", false), get(openapi::document)),
        (
            doc("get", paths::DEMO_PAY_PAGE, "Demo payment page that a payment QR code opens", false),
            get(pay_page::page),
        ),
        (
            doc("post", paths::DEMO_PAY_CONFIRM, "Demo payment: mark the order paid (确认支付)", false),
            post(pay_page::confirm),
        ),
    ]
}

/// The route table without handlers, for the OpenAPI document and its test.
pub fn route_docs() -> Vec<RouteDoc> {
    routes().into_iter().map(|(doc, _)| doc).collect()
}

/// Upload bodies read and parsed at once. The rest wait with their bodies unread, so that a burst
/// from the whole fleet costs a bounded amount of memory; a parsed batch then waits for its group
/// commit without holding a place, so that parsing goes on while the database writes.
const UPLOADS_PARSED_AT_ONCE: usize = 16;

pub fn router(state: SharedState) -> axum::Router {
    let mut router = axum::Router::new();
    for (doc, handler) in routes() {
        router = router.route(doc.path, handler);
    }
    router
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not_found", "no such endpoint: see /v1/openapi.json") })
        .with_state(state)
}

/// An error answer with a stable code and a sentence that says what to do.
pub fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (status, Json(ApiError { code: code.into(), message: message.into() })).into_response()
}

pub fn storage_error(e: StorageError) -> Response {
    match e {
        StorageError::BadRecord { .. } => error(StatusCode::UNPROCESSABLE_ENTITY, "bad_record", e.to_string()),
        StorageError::Refused(message) => error(StatusCode::CONFLICT, "refused", message),
        StorageError::Backend(message) => {
            tracing::error!(%message, "storage failed");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "the server cannot reach its database: retry later",
            )
        }
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
