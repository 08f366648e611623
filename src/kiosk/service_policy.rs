//! What each service records, decided without IO: the journal kind and payload, the once-key that
//! keeps it from being recorded twice, the refusals, and the receipt printed from memory. Decided
//! from the request, the moment (China Standard Time days) and a random value passed in; the
//! recording thread (`devices::RecordingWorker`) only carries the plan out.

use super::messages::{KioskEvent, RecordedWhat, Reprintable, ServiceAsk};
use crate::records::{self, AppointmentPayload, PaymentPayload, ReportPayload, TicketPayload, VotePayload, kinds};
use citizen_window_hardware::escpos::Receipt;
use citizen_window_protocol::china_time;
use serde_json::Value;

/// How far back the reprint page offers receipts that did not come out.
pub const REPRINT_WINDOW_MS: i64 = 24 * 3_600_000;

/// What the recording thread does for one request.
#[derive(Debug)]
pub enum Plan {
    /// Commit this entry, tell the resident, print its receipt.
    Record(Entry),
    /// Print the receipt of transaction `seq` again, marked as a copy; nothing new is recorded.
    Reprint { seq: u64 },
    /// Record nothing and answer this at once.
    Refuse(KioskEvent),
}

/// A transaction to commit.
#[derive(Debug)]
pub struct Entry {
    pub kind: &'static str,
    pub payload: Value,
    /// The resident, sealed for the server: only a vote carries one.
    pub resident: Option<String>,
    /// A key that may be recorded once, and what to answer when it was recorded before.
    pub once: Option<Once>,
    /// What the resident is shown once it is committed.
    pub what: RecordedWhat,
    /// A receipt printed from memory rather than rebuilt from the journal: a statement's figures
    /// never reach the disk, so it cannot be reprinted.
    pub receipt: Option<Receipt>,
}

#[derive(Debug)]
pub struct Once {
    pub key: String,
    pub seen_before: SeenBefore,
}

/// What a request whose once-key was recorded before gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeenBefore {
    /// Refused: the resident voted on the proposal before, here.
    Refuse(KioskEvent),
    /// The same thing reported again (a paid order, a booked appointment): the earlier record is
    /// the answer, shown as recorded.
    ShowEarlier,
}

/// Decides what `ask` (request number `request`) records at `now_ms`. `random` makes the numbers
/// that must not be guessed (tracking numbers, vote codes); `todays_tickets` is asked only for a
/// ticket, for the tickets already journaled today.
pub fn plan<E>(
    request: u64,
    ask: ServiceAsk,
    now_ms: i64,
    random: u64,
    todays_tickets: impl FnOnce() -> Result<Vec<TicketPayload>, E>,
) -> Result<Plan, E> {
    let day = china_time::date_text(now_ms);
    let mut rng = fastrand::Rng::with_seed(random);
    let plan = match ask {
        ServiceAsk::Reprint { seq } => Plan::Reprint { seq },
        ServiceAsk::Ticket(window) => {
            let number = records::next_ticket_number(window, &day, &todays_tickets()?);
            let payload = TicketPayload { window, number: number.clone(), day };
            Plan::Record(entry(kinds::QUEUE_TICKET, &payload, RecordedWhat::Ticket { window, number }))
        }
        ServiceAsk::Report { category, place, place_name } => {
            let tracking_number = records::new_tracking_number(&day, || rng.u64(..));
            let what = RecordedWhat::Report { category, tracking_number: tracking_number.clone() };
            let payload = ReportPayload { tracking_number, category, place, place_name };
            Plan::Record(entry(kinds::ISSUE_REPORT, &payload, what))
        }
        ServiceAsk::Vote { resident, proposal, proposal_title, closes, choice, comment } => {
            if day > closes {
                return Ok(Plan::Refuse(KioskEvent::VoteRefused { request, closed: true }));
            }
            // The seal's ephemeral key is its own randomness: a seal is never made twice alike.
            let sealed = match resident.vote_seal(&proposal, now_ms) {
                Ok(sealed) => sealed,
                Err(e) => {
                    tracing::error!("a vote could not be sealed for the server: {e}");
                    return Ok(Plan::Refuse(KioskEvent::RecordRefused { request }));
                }
            };
            let once_key = resident.vote_once_key(&proposal);
            let vote_code = records::new_vote_code(|n| rng.usize(..n));
            let what = RecordedWhat::Vote { choice, vote_code: vote_code.clone() };
            let payload = VotePayload { proposal, proposal_title, choice, comment, vote_code };
            let mut entry = entry(kinds::VOTE, &payload, what);
            entry.resident = Some(sealed);
            entry.once = Some(Once {
                key: once_key,
                seen_before: SeenBefore::Refuse(KioskEvent::VoteRefused { request, closed: false }),
            });
            Plan::Record(entry)
        }
        ServiceAsk::BillPaid { order_id, account, utility, period, amount_fen } => {
            let once_key = records::payment_once_key(&order_id);
            let what = RecordedWhat::Payment { utility: utility.clone(), amount_fen, order_id: order_id.clone() };
            let payload = PaymentPayload { order_id, account, utility, period, amount_fen };
            let mut entry = entry(kinds::BILL_PAYMENT, &payload, what);
            entry.once = Some(Once { key: once_key, seen_before: SeenBefore::ShowEarlier });
            Plan::Record(entry)
        }
        ServiceAsk::Appointment { appointment_id, window, starts_at } => {
            let once_key = format!("appointment:{appointment_id}");
            let what = RecordedWhat::Appointment { window, starts_at: starts_at.clone() };
            let payload = AppointmentPayload { appointment_id, window, starts_at };
            let mut entry = entry(kinds::APPOINTMENT, &payload, what);
            entry.once = Some(Once { key: once_key, seen_before: SeenBefore::ShowEarlier });
            Plan::Record(entry)
        }
        ServiceAsk::PrintSlip(slip) => Plan::Record(entry(kinds::CONTENT_SLIP, &slip, RecordedWhat::Slip)),
        ServiceAsk::Statement { record } => {
            // Only that it was printed is journaled: the figures stay off the disk.
            let payload = serde_json::json!({ "months": record.contributions.len() });
            let mut entry = entry(kinds::SOCIAL_INSURANCE_STATEMENT, &payload, RecordedWhat::Statement);
            entry.receipt = Some(records::statement_receipt(&record, now_ms));
            Plan::Record(entry)
        }
    };
    Ok(plan)
}

fn entry(kind: &'static str, payload: &impl serde::Serialize, what: RecordedWhat) -> Entry {
    let payload = serde_json::to_value(payload).expect("record payloads serialise");
    Entry { kind, payload, resident: None, once: None, what, receipt: None }
}

/// What a journaled record was, as the resident is shown it; `None` for kinds that are not
/// offered for reprint. A vote's receipt carries its vote code: it is reprinted only for its
/// voter, never offered on the shared reprint page.
pub fn what_was_recorded(kind: &str, payload: &str) -> Option<RecordedWhat> {
    match kind {
        kinds::QUEUE_TICKET => {
            let ticket: TicketPayload = serde_json::from_str(payload).ok()?;
            Some(RecordedWhat::Ticket { window: ticket.window, number: ticket.number })
        }
        kinds::ISSUE_REPORT => {
            let report: ReportPayload = serde_json::from_str(payload).ok()?;
            Some(RecordedWhat::Report { category: report.category, tracking_number: report.tracking_number })
        }
        kinds::APPOINTMENT => {
            let booked: AppointmentPayload = serde_json::from_str(payload).ok()?;
            Some(RecordedWhat::Appointment { window: booked.window, starts_at: booked.starts_at })
        }
        kinds::BILL_PAYMENT => {
            let paid: PaymentPayload = serde_json::from_str(payload).ok()?;
            Some(RecordedWhat::Payment { utility: paid.utility, amount_fen: paid.amount_fen, order_id: paid.order_id })
        }
        _ => None,
    }
}

/// The receipts to offer for reprint at `now_ms`, newest first, from the unconfirmed ones
/// (oldest first, as the journal lists them): those of the last [`REPRINT_WINDOW_MS`] that can be
/// reprinted.
pub fn reprint_offer<'a>(
    unconfirmed: impl DoubleEndedIterator<Item = (u64, &'a str, &'a str, i64)>,
    now_ms: i64,
) -> Vec<Reprintable> {
    let since = now_ms - REPRINT_WINDOW_MS;
    unconfirmed
        .rev()
        .filter(|(_, _, _, created_at_ms)| *created_at_ms >= since)
        .filter_map(|(seq, kind, payload, created_at_ms)| {
            Some(Reprintable {
                seq,
                what: what_was_recorded(kind, payload)?,
                time: china_time::time_text(created_at_ms),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
