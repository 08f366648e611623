//! What the offline services record in the journal and print: each record's payload (no name,
//! no ID number, no address: only a vote carries its resident, sealed for the server, in the
//! journal's resident column), how its number
//! is made, and its receipt. Pure: no IO, no clock (the day and randomness come in as arguments).

mod appointment;
mod content_slip;
mod payment;
mod rating;
mod receipt_layout;
mod receipt_number;
mod report;
mod scanned_code;
mod statement;
mod ticket;
mod vote;

pub use appointment::AppointmentPayload;
pub use content_slip::SlipPayload;
pub use payment::{PaymentPayload, once_key as payment_once_key, utility_name, yuan};
pub use rating::{RatingLevel, RatingPayload};
pub use receipt_layout::{Printing, ReceiptHeading, ReceiptLanguage, RecordFacts, receipt_for, reprinted_by_number};
pub use receipt_number::{NumberProblem, ReceiptNumbering, grouped, looks_like_a_receipt_number};
pub use report::{IssueCategory, ReportPayload};
pub use scanned_code::{ACCOUNT_DIGITS, ScannedCode, classify as classify_scanned_code};
pub use statement::{allowance_name, statement_receipt};
pub use ticket::{ServiceWindow, TicketPayload, WindowId, next_ticket_number};
pub use vote::{VoteChoice, VotePayload, new_vote_code};

/// The journal's kind for each record: the protocol's list, which the central server checks.
pub use citizen_window_protocol::record_rules::kinds;
