//! The online services' desk: requests that need the server live (a bill, a payment order and its
//! status, a social-insurance record, a report's status) run as tasks on the server link's
//! runtime, and each answer comes back to the kiosk as a [`KioskEvent::Answered`]. Short timeouts:
//! a resident is waiting. Failures are reduced to what the screen says: not found, or unavailable.

use super::SyncError;
use super::server_client::ServerClient;
use crate::kiosk::messages::{KioskEvent, OnlineAnswer, OnlineAsk, OnlineRequest};
use crate::resident_key::ResidentHandle;
use citizen_window_protocol::china_time;
use citizen_window_protocol::services::{AppointmentRequest, PaymentOrderRequest};
use std::sync::mpsc::Sender;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio_util::sync::CancellationToken;

/// Starts the desk as a task on `runtime`: it takes requests from the returned sender until the
/// sender is dropped or `shutdown` is cancelled, and answers each on a task of its own.
pub fn start(
    client: ServerClient,
    runtime: &tokio::runtime::Handle,
    events: Sender<KioskEvent>,
    shutdown: CancellationToken,
) -> UnboundedSender<OnlineRequest> {
    let (requests, incoming) = tokio::sync::mpsc::unbounded_channel();
    runtime.spawn(serve(client, incoming, events, shutdown));
    requests
}

async fn serve(
    client: ServerClient,
    mut incoming: UnboundedReceiver<OnlineRequest>,
    events: Sender<KioskEvent>,
    shutdown: CancellationToken,
) {
    loop {
        let request = tokio::select! {
            _ = shutdown.cancelled() => return,
            request = incoming.recv() => match request {
                Some(request) => request,
                None => return,
            },
        };
        let (client, events) = (client.clone(), events.clone());
        tokio::spawn(async move {
            let answer = answer(&client, request.ask).await;
            let _ = events.send(KioskEvent::Answered { request: request.number, answer });
        });
    }
}

/// The resident's ID number sealed for the server, now (the server refuses a stale seal).
fn sealed_for_lookup(resident: &ResidentHandle) -> Result<String, SyncError> {
    resident.lookup_seal(crate::journal::now_ms()).map_err(|e| SyncError::Local(e.to_string()))
}

async fn answer(client: &ServerClient, ask: OnlineAsk) -> OnlineAnswer {
    let result = match ask {
        OnlineAsk::Bill { account } => client.bill(&account).await.map(OnlineAnswer::Bill),
        OnlineAsk::BillsOf { resident } => match sealed_for_lookup(&resident) {
            Ok(sealed) => client.resident_bills(&sealed).await.map(OnlineAnswer::Bills),
            Err(e) => Err(e),
        },
        OnlineAsk::CreatePayment { account, amount_fen, idempotency_key } => client
            .create_payment_order(&PaymentOrderRequest { account, amount_fen }, &idempotency_key)
            .await
            .map(OnlineAnswer::Order),
        OnlineAsk::PaymentStatus { order_id } => client.payment_order(&order_id).await.map(OnlineAnswer::Order),
        OnlineAsk::CancelPayment { order_id } => client.cancel_payment_order(&order_id).await.map(OnlineAnswer::Order),
        OnlineAsk::SocialInsurance { resident } => match sealed_for_lookup(&resident) {
            Ok(sealed) => client.social_insurance(&sealed).await.map(OnlineAnswer::SocialInsurance),
            Err(e) => Err(e),
        },
        OnlineAsk::ReportStatus { tracking_number } => {
            client.issue_report(&tracking_number).await.map(OnlineAnswer::ReportStatus)
        }
        OnlineAsk::CallHelp => client.call_for_help().await.map(OnlineAnswer::Help),
        OnlineAsk::HelpState { call_id } => client.help_call(&call_id).await.map(OnlineAnswer::Help),
        OnlineAsk::Slots { window } => {
            let tomorrow = china_time::day_text(china_time::day_number(crate::journal::now_ms()) + 1);
            client
                .appointment_slots(&tomorrow)
                .await
                .map(|slots| OnlineAnswer::Slots(slots.into_iter().filter(|s| s.window == window).collect()))
        }
        OnlineAsk::Book { slot_id, resident, idempotency_key } => match sealed_for_lookup(&resident) {
            Ok(sealed) => {
                let request = AppointmentRequest { slot_id, resident: sealed };
                client.book_appointment(&request, &idempotency_key).await.map(OnlineAnswer::Appointment)
            }
            Err(e) => Err(e),
        },
    };
    result.unwrap_or_else(|e| match e {
        SyncError::Server { status: 404, .. } => OnlineAnswer::NotFound,
        SyncError::Server { status: 409, code, .. } if code == "already_booked" => OnlineAnswer::AlreadyBooked,
        SyncError::Server { status: 409, .. } => OnlineAnswer::Refused,
        other => {
            tracing::warn!("an online service failed: {other}");
            OnlineAnswer::Unavailable
        }
    })
}
