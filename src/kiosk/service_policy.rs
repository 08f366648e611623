//! What each service records, decided without IO: the journal kind and payload, the once-key that
//! keeps it from being recorded twice, the refusals, and the receipt printed from memory. Decided
//! from the request, the moment (China Standard Time days) and a random value passed in; the
//! recording thread (`devices::RecordingWorker`) only carries the plan out.

use super::messages::{KioskEvent, RecordedWhat, ReprintProblem, Reprintable, ServiceAsk};
use crate::records::{
    self, AppointmentPayload, PaymentPayload, RatingPayload, ReceiptNumbering, ReportPayload, TicketPayload,
    VotePayload, kinds,
};
use citizen_window_protocol::china_time;
use citizen_window_protocol::services::SocialInsuranceRecord;
use serde_json::Value;

/// How far back the reprint page offers receipts that did not come out.
pub const REPRINT_WINDOW_MS: i64 = 24 * 3_600_000;

/// What the recording thread does for one request.
#[derive(Debug)]
pub enum Plan {
    /// Commit this entry, tell the resident, print its receipt.
    Record(Box<Entry>),
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
    /// A statement, printed from memory rather than rebuilt from the journal: its figures never
    /// reach the disk, so it cannot be reprinted.
    pub statement: Option<Box<SocialInsuranceRecord>>,
    /// The masked holder a proof names on its original receipt; never journaled.
    pub holder: Option<String>,
}

/// What a plan may ask of the journal.
pub trait JournalView {
    type Error;
    /// The tickets journaled since midnight in China, at `now_ms`.
    fn todays_tickets(&mut self, now_ms: i64) -> Result<Vec<TicketPayload>, Self::Error>;
    /// The sequence the next record will get (the journal never gives one twice).
    fn next_seq(&mut self) -> Result<u64, Self::Error>;
    /// The kind of the record `seq`, if the journal still holds it.
    fn kind_of(&mut self, seq: u64) -> Result<Option<String>, Self::Error>;
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

/// Decides what `ask` (request number `request`) records at `now_ms`. `random` makes the codes
/// that must not be guessed (vote codes); `numbering` the receipt numbers (a report's tracking
/// number is its receipt's); the journal is asked only what the ask needs.
pub fn plan<J: JournalView>(
    request: u64,
    ask: ServiceAsk,
    now_ms: i64,
    random: u64,
    numbering: &ReceiptNumbering,
    journal: &mut J,
) -> Result<Plan, J::Error> {
    let day = china_time::date_text(now_ms);
    let mut rng = fastrand::Rng::with_seed(random);
    let plan = match ask {
        ServiceAsk::Reprint { seq } => Plan::Reprint { seq },
        ServiceAsk::ReprintByNumber { typed } => {
            let refuse = |why| Plan::Refuse(KioskEvent::ReprintRefused { request, why });
            match numbering.read(&typed) {
                Err(problem) => refuse(ReprintProblem::Number(problem)),
                Ok(seq) => match journal.kind_of(seq)? {
                    None => refuse(ReprintProblem::NotFound),
                    Some(kind) if !records::reprinted_by_number(&kind) => refuse(ReprintProblem::NotByNumber),
                    Some(_) => Plan::Reprint { seq },
                },
            }
        }
        ServiceAsk::Ticket { window, letter } => {
            let number = records::next_ticket_number(window.id, letter, &day, &journal.todays_tickets(now_ms)?);
            let payload = TicketPayload {
                window: window.id,
                window_number: window.number,
                window_name: window.name.clone(),
                number: number.clone(),
                day,
            };
            Plan::Record(entry(kinds::QUEUE_TICKET, &payload, RecordedWhat::Ticket { window, number }))
        }
        ServiceAsk::Report { category, place, place_name } => {
            let tracking_number = numbering.number(journal.next_seq()?);
            let payload = ReportPayload {
                tracking_number: tracking_number.clone(),
                category: category.id.clone(),
                category_name: category.name.clone(),
                place,
                place_name,
            };
            let what = RecordedWhat::Report { category, tracking_number };
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
        ServiceAsk::BillPaid { order_id, account, utility, period, amount_fen, holder } => {
            let once_key = records::payment_once_key(&order_id);
            let what = RecordedWhat::Payment { utility: utility.clone(), amount_fen, order_id: order_id.clone() };
            let payload = PaymentPayload { order_id, account, utility, period, amount_fen };
            let mut entry = entry(kinds::BILL_PAYMENT, &payload, what);
            entry.once = Some(Once { key: once_key, seen_before: SeenBefore::ShowEarlier });
            entry.holder = holder;
            Plan::Record(entry)
        }
        ServiceAsk::Appointment { appointment_id, window, starts_at, holder } => {
            let once_key = format!("appointment:{appointment_id}");
            let payload = AppointmentPayload {
                appointment_id,
                window: window.id,
                window_number: window.number,
                window_name: window.name.clone(),
                starts_at: starts_at.clone(),
            };
            let what = RecordedWhat::Appointment { window, starts_at };
            let mut entry = entry(kinds::APPOINTMENT, &payload, what);
            entry.once = Some(Once { key: once_key, seen_before: SeenBefore::ShowEarlier });
            entry.holder = holder;
            Plan::Record(entry)
        }
        ServiceAsk::Rate { seq, service, level, reason } => {
            let (reason, reason_name) = reason.map_or((None, None), |(id, name)| (Some(id), Some(name)));
            let payload =
                RatingPayload { day, service: service.to_string(), level, score: level.score(), reason, reason_name };
            let mut entry = entry(kinds::SERVICE_RATING, &payload, RecordedWhat::Rating);
            // One rating per service given: a second tap, or a retry, records nothing more.
            let seen_before = SeenBefore::Refuse(KioskEvent::RecordRefused { request });
            entry.once = Some(Once { key: format!("rating:{seq}"), seen_before });
            Plan::Record(entry)
        }
        ServiceAsk::PrintSlip(slip) => Plan::Record(entry(kinds::CONTENT_SLIP, &slip, RecordedWhat::Slip)),
        ServiceAsk::Statement { record, holder } => {
            // Only that it was printed is journaled: the figures stay off the disk.
            let payload = serde_json::json!({ "months": record.contributions.len() });
            let mut entry = entry(kinds::SOCIAL_INSURANCE_STATEMENT, &payload, RecordedWhat::Statement);
            entry.statement = Some(Box::new(record));
            entry.holder = holder;
            Plan::Record(entry)
        }
    };
    Ok(plan)
}

/// What the receipts say of the station that runs the kiosk (the terminal's label is the
/// runtime's, from enrolment).
pub fn receipt_heading(station: &crate::content::Station) -> records::ReceiptHeading {
    records::ReceiptHeading {
        community: station.community.pair(),
        station: station.station.pair(),
        terminal: String::new(),
        phone: station.phone.clone(),
        hotline: station.hotline.clone(),
    }
}

fn entry(kind: &'static str, payload: &impl serde::Serialize, what: RecordedWhat) -> Box<Entry> {
    let payload = serde_json::to_value(payload).expect("record payloads serialise");
    Box::new(Entry { kind, payload, resident: None, once: None, what, statement: None, holder: None })
}

/// What a journaled record was, as the resident is shown it; `None` for kinds that are not
/// offered for reprint. A vote's receipt carries its vote code: it is reprinted only for its
/// voter, never offered on the shared reprint page.
pub fn what_was_recorded(kind: &str, payload: &str) -> Option<RecordedWhat> {
    match kind {
        kinds::QUEUE_TICKET => {
            let ticket: TicketPayload = serde_json::from_str(payload).ok()?;
            Some(RecordedWhat::Ticket { window: ticket.service_window(), number: ticket.number })
        }
        kinds::ISSUE_REPORT => {
            let report: ReportPayload = serde_json::from_str(payload).ok()?;
            let category = records::IssueCategory { id: report.category, name: report.category_name };
            Some(RecordedWhat::Report { category, tracking_number: report.tracking_number })
        }
        kinds::APPOINTMENT => {
            let booked: AppointmentPayload = serde_json::from_str(payload).ok()?;
            Some(RecordedWhat::Appointment { window: booked.service_window(), starts_at: booked.starts_at })
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
