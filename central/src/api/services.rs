//! Online services for kiosks: bills and payment orders, social-insurance records, appointments,
//! issue-report status. Requests that change something carry an idempotency key.

use super::identity::Kiosk;
use super::{SharedState, error, now_ms, storage_error};
use crate::residents::ResidentRefusal;
use crate::{calendar, demo_data};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use citizen_window_protocol::IDEMPOTENCY_KEY_HEADER;
use citizen_window_protocol::paths;
use citizen_window_protocol::services::{
    Appointment, AppointmentRequest, IssueReportStatus, PaymentOrder, PaymentOrderRequest, PaymentStatus,
    ResidentLookup,
};
use serde::Deserialize;

fn idempotency_key(headers: &HeaderMap) -> Option<String> {
    headers
        .get(IDEMPOTENCY_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| (8..=128).contains(&k.len()))
        .map(str::to_string)
}

/// A key sent again with another request: the first request's answer would be wrong for it.
fn key_reused() -> Response {
    error(
        StatusCode::CONFLICT,
        "idempotency_key_reused",
        format!("this {IDEMPOTENCY_KEY_HEADER} was used for another request: make a new key for a new request"),
    )
}

fn idempotency_key_missing() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "idempotency_key_required",
        format!("send an {IDEMPOTENCY_KEY_HEADER} header of 8 to 128 characters"),
    )
}

pub async fn bill(Kiosk(_): Kiosk, Path(account): Path<String>) -> Response {
    match demo_data::bill(&account) {
        Some(bill) => Json(bill).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "unknown_account",
            "no bill for this account number: check the number on a previous bill",
        ),
    }
}

/// The resident a lookup names, as their pseudonym; a seal that does not open or is stale is
/// answered `bad_resident`.
fn resident_of(state: &SharedState, kiosk_id: &str, sealed: &str) -> Result<String, ResidentRefusal> {
    state.fleet.residents.lookup_pseudonym(sealed, kiosk_id, now_ms())
}

fn bad_resident(kiosk_id: &str, refusal: ResidentRefusal) -> Response {
    tracing::warn!(%kiosk_id, "a resident's seal was refused: {refusal}");
    error(StatusCode::BAD_REQUEST, "bad_resident", format!("{refusal}"))
}

/// The bills of an identified resident's household.
pub async fn resident_bills(
    State(state): State<SharedState>,
    Kiosk(kiosk_id): Kiosk,
    Json(lookup): Json<ResidentLookup>,
) -> Response {
    let resident = match resident_of(&state, &kiosk_id, &lookup.resident) {
        Ok(resident) => resident,
        Err(refusal) => return bad_resident(&kiosk_id, refusal),
    };
    match demo_data::bills_of_resident(&resident) {
        Some(bills) => Json(bills).into_response(),
        None => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "a pseudonym was not 64 hex digits"),
    }
}

pub async fn create_payment_order(
    State(state): State<SharedState>,
    Kiosk(kiosk_id): Kiosk,
    headers: HeaderMap,
    Json(request): Json<PaymentOrderRequest>,
) -> Response {
    let Some(key) = idempotency_key(&headers) else {
        return idempotency_key_missing();
    };
    let Some(bill) = demo_data::bill(&request.account) else {
        return error(StatusCode::NOT_FOUND, "unknown_account", "no bill for this account number");
    };
    if bill.amount_fen != request.amount_fen {
        return error(
            StatusCode::CONFLICT,
            "amount_mismatch",
            "the amount differs from the current bill: look the bill up again",
        );
    }
    let order_id = format!("po-{}", crate::pki::random_hex(10));
    let order = PaymentOrder {
        pay_url: format!("{}{}", state.public_url, paths::fill(paths::DEMO_PAY_PAGE, &[&order_id])),
        order_id,
        account: request.account,
        amount_fen: request.amount_fen,
        status: PaymentStatus::Pending,
        created_at_ms: now_ms(),
    };
    match state.storage.create_payment_order(&kiosk_id, &key, &order).await {
        Ok(made) if made.account != order.account || made.amount_fen != order.amount_fen => key_reused(),
        Ok(made) => Json(made).into_response(),
        Err(e) => storage_error(e),
    }
}

/// A kiosk sees only the orders it made: another kiosk's order is answered as unknown.
pub async fn payment_order(
    State(state): State<SharedState>,
    Kiosk(kiosk_id): Kiosk,
    Path(order_id): Path<String>,
) -> Response {
    match state.storage.payment_order(&order_id, Some(&kiosk_id), now_ms()).await {
        Ok(Some(order)) => Json(order).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "unknown_order", "no such payment order"),
        Err(e) => storage_error(e),
    }
}

/// The resident pressed cancel while the QR code showed: a pending order can no longer be paid.
/// An order paid in the meantime is answered as paid, and the kiosk prints its receipt. Only the
/// kiosk that made the order can cancel it.
pub async fn cancel_payment_order(
    State(state): State<SharedState>,
    Kiosk(kiosk_id): Kiosk,
    Path(order_id): Path<String>,
) -> Response {
    match state.storage.close_payment_order(&order_id, Some(&kiosk_id), PaymentStatus::Cancelled, now_ms()).await {
        Ok(Some(order)) => Json(order).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "unknown_order", "no such payment order"),
        Err(e) => storage_error(e),
    }
}

pub async fn social_insurance(
    State(state): State<SharedState>,
    Kiosk(kiosk_id): Kiosk,
    Json(lookup): Json<ResidentLookup>,
) -> Response {
    let resident = match resident_of(&state, &kiosk_id, &lookup.resident) {
        Ok(resident) => resident,
        Err(refusal) => return bad_resident(&kiosk_id, refusal),
    };
    match demo_data::social_insurance(&resident) {
        Some(record) => Json(record).into_response(),
        None => error(StatusCode::NOT_FOUND, "unknown_resident", "no social-insurance record for this resident"),
    }
}

#[derive(Deserialize)]
pub struct SlotsQuery {
    day: String,
}

pub async fn appointment_slots(
    State(state): State<SharedState>,
    Kiosk(_): Kiosk,
    Query(query): Query<SlotsQuery>,
) -> Response {
    if let Some(refusal) = refused_day(&state, &query.day) {
        return refusal;
    }
    let mut slots = demo_data::slots(&query.day);
    let ids: Vec<String> = slots.iter().map(|s| s.slot_id.clone()).collect();
    let (capacities, booked) =
        match (state.storage.slot_capacities(&ids).await, state.storage.booked_counts(&ids).await) {
            (Ok(capacities), Ok(booked)) => (capacities, booked),
            (Err(e), _) | (_, Err(e)) => return storage_error(e),
        };
    for slot in &mut slots {
        let capacity = capacities.get(&slot.slot_id).copied().unwrap_or(demo_data::SLOT_CAPACITY);
        slot.free = capacity.saturating_sub(booked.get(&slot.slot_id).copied().unwrap_or(0));
    }
    Json(slots).into_response()
}

/// Appointments are for days that exist, from tomorrow (China time) to the configured horizon;
/// any other day gets this refusal.
fn refused_day(state: &SharedState, day: &str) -> Option<Response> {
    let today = calendar::china_today(now_ms());
    let horizon = i64::from(state.appointment_horizon_days);
    match calendar::parse_day(day) {
        Some(asked) if (today + 1..=today + horizon).contains(&asked) => None,
        _ => Some(error(
            StatusCode::BAD_REQUEST,
            "bad_day",
            format!(
                "appointments are for a day from tomorrow to {horizon} days ahead, given as day=YYYY-MM-DD: ask for another day"
            ),
        )),
    }
}

pub async fn book_appointment(
    State(state): State<SharedState>,
    Kiosk(kiosk_id): Kiosk,
    headers: HeaderMap,
    Json(request): Json<AppointmentRequest>,
) -> Response {
    let Some(key) = idempotency_key(&headers) else {
        return idempotency_key_missing();
    };
    let Some(slot) = demo_data::slot(&request.slot_id) else {
        return error(StatusCode::NOT_FOUND, "unknown_slot", "no such appointment slot: list the slots again");
    };
    let day = slot.starts_at.split(' ').next().unwrap_or_default();
    if let Some(refusal) = refused_day(&state, day) {
        return refusal;
    }
    let resident = match resident_of(&state, &kiosk_id, &request.resident) {
        Ok(resident) => resident,
        Err(refusal) => return bad_resident(&kiosk_id, refusal),
    };
    let capacity = match state.storage.slot_capacities(std::slice::from_ref(&slot.slot_id)).await {
        Ok(capacities) => capacities.get(&slot.slot_id).copied().unwrap_or(demo_data::SLOT_CAPACITY),
        Err(e) => return storage_error(e),
    };
    let appointment = Appointment { appointment_id: format!("ap-{}", crate::pki::random_hex(8)), slot };
    match state.storage.book_appointment(&kiosk_id, &key, &appointment, &resident, capacity).await {
        Ok(booked) if booked.slot.slot_id != request.slot_id => key_reused(),
        Ok(booked) => Json(booked).into_response(),
        Err(e) => storage_error(e),
    }
}

/// A report's status as the office set it (`report_workflow`), with its note for the resident.
pub async fn issue_report(
    State(state): State<SharedState>,
    Kiosk(_): Kiosk,
    Path(tracking_number): Path<String>,
) -> Response {
    let found = match state.storage.report(&tracking_number).await {
        Ok(Some(report)) => Some((report.status, report.updated_at_ms, report.note)),
        // Filed as it arrived; one not filed (a database restored from an older server) is received.
        Ok(None) => match state.storage.issue_report_received(&tracking_number).await {
            Ok(received) => received.map(|at_ms| ("received".to_string(), at_ms, String::new())),
            Err(e) => return storage_error(e),
        },
        Err(e) => return storage_error(e),
    };
    match found {
        Some((status, updated_at_ms, note)) => {
            Json(IssueReportStatus { tracking_number, status, updated_at_ms, note: (!note.is_empty()).then_some(note) })
                .into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            "unknown_report",
            "no report with this tracking number: check the number on the receipt; a report made while the kiosk was offline appears once it has synced",
        ),
    }
}
