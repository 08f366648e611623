//! The online services' desk: requests that need the server live (a bill, a payment order and its
//! status, a social-insurance record, a report's status) run as tasks on the server link's
//! runtime, and each answer comes back to the UI as a [`KioskEvent::Answered`]. Short timeouts:
//! a resident is waiting. Failures are reduced to what the screen says: not found, or unavailable.

use super::SyncError;
use super::server_client::ServerClient;
use crate::devices::KioskEvent;
use crate::devices::StoppableThread;
use crate::resident_key::ResidentHandle;
use citizen_window_protocol::services::{
    Appointment, AppointmentRequest, AppointmentSlot, Bill, IssueReportStatus, PaymentOrder, PaymentOrderRequest,
    SocialInsuranceRecord,
};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// A numbered request; the number comes back with the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineRequest {
    pub number: u64,
    pub ask: OnlineAsk,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnlineAsk {
    Bill {
        account: String,
    },
    /// The bills of the identified resident's household.
    BillsOf {
        resident: ResidentHandle,
    },
    /// `idempotency_key` is made once per resident's tap and reused by every retry.
    CreatePayment {
        account: String,
        amount_fen: u64,
        idempotency_key: String,
    },
    PaymentStatus {
        order_id: String,
    },
    CancelPayment {
        order_id: String,
    },
    SocialInsurance {
        resident: ResidentHandle,
    },
    ReportStatus {
        tracking_number: String,
    },
    /// Tomorrow's free slots at one window (the server names windows in Chinese).
    Slots {
        window: String,
    },
    Book {
        slot_id: String,
        resident: ResidentHandle,
        idempotency_key: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnlineAnswer {
    Bill(Bill),
    Order(PaymentOrder),
    SocialInsurance(SocialInsuranceRecord),
    ReportStatus(IssueReportStatus),
    Bills(Vec<Bill>),
    Slots(Vec<AppointmentSlot>),
    Appointment(Appointment),
    /// The server knows no such account, order, record or report.
    NotFound,
    /// The server refused the change (a slot that filled up meanwhile).
    Refused,
    /// The resident already has an appointment at that window on that day.
    AlreadyBooked,
    /// The server cannot be reached, did not answer in time, or failed.
    Unavailable,
}

/// The desk's thread; stops when dropped.
pub struct OnlineDesk {
    _thread: StoppableThread,
}

impl OnlineDesk {
    pub fn start(
        client: ServerClient,
        runtime: tokio::runtime::Handle,
        requests: Receiver<OnlineRequest>,
        events: Sender<KioskEvent>,
    ) -> std::io::Result<Self> {
        let thread = StoppableThread::spawn("online-desk", move |stop| {
            while !StoppableThread::stopping(stop) {
                let request = match requests.recv_timeout(Duration::from_millis(200)) {
                    Ok(request) => request,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return,
                };
                let (client, events) = (client.clone(), events.clone());
                runtime.spawn(async move {
                    let answer = answer(&client, request.ask).await;
                    let _ = events.send(KioskEvent::Answered { request: request.number, answer });
                });
            }
        })?;
        Ok(Self { _thread: thread })
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
        OnlineAsk::Slots { window } => {
            let tomorrow = crate::devices::today_in_china(std::time::SystemTime::now() + Duration::from_secs(86_400));
            client
                .appointment_slots(&tomorrow.to_string())
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
