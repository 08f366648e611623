//! The kiosk's own messages, in and out of the controller: the events it hears (devices, the
//! recording thread, the server link), the services it asks the recording thread to record, and
//! the online requests it asks the server, with their answers. Every worker speaks these types;
//! they depend on no worker.

use crate::records::{
    IssueCategory, NumberProblem, RatingLevel, ReceiptLanguage, ServiceWindow, SlipPayload, VoteChoice, WindowId,
};
use crate::resident_key::ResidentHandle;
use crate::session::Resident;
use citizen_window_protocol::help::HelpCall;
use citizen_window_protocol::services::{
    Appointment, AppointmentSlot, Bill, IssueReportStatus, PaymentOrder, SocialInsuranceRecord, Utility,
};

/// What the kiosk hears: from a device, the recording thread or the server link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KioskEvent {
    /// A card is on the reader and is being read (about a second for an ID card).
    CardReading,
    /// A valid ID card was read.
    Identified(Resident),
    /// A card was presented and refused, or could not be read.
    CardRefused(CardProblem),
    /// The reader reports the card gone.
    CardRemoved,
    /// Whether the reader answers; while it does not, cards cannot identify anyone.
    ReaderAvailable(bool),
    /// A service's transaction is durably in the journal (its receipt, if any, prints next).
    Recorded(Recorded),
    /// The journal refuses new transactions (disk full, damaged): nothing was recorded for the
    /// request with this number.
    RecordRefused { request: u64 },
    /// The vote of request `request` was not recorded: the resident voted on the proposal
    /// before (`closed` false) or voting has closed (`closed` true).
    VoteRefused { request: u64, closed: bool },
    /// The server did not count the vote journaled as `seq`: the resident had already voted on
    /// the proposal at another kiosk. The record is kept aside.
    VoteNotCounted { seq: u64 },
    /// The receipt of the transaction `seq` came out confirmed (`printed`) or not.
    ReceiptOutcome { seq: u64, printed: bool },
    /// Whether the printer can print: checked before a receipt is promised.
    PrinterReady(bool),
    /// Whether the central server answers; while it does not, the online services are refused.
    Online(bool),
    /// The server's answer to the online request with this number.
    Answered { request: u64, answer: OnlineAnswer },
    /// The receipts that did not come out in the last day, newest first, for the reprint page.
    Reprintable(Vec<Reprintable>),
    /// The receipt number typed for request `request` finds nothing to reprint here.
    ReprintRefused { request: u64, why: ReprintProblem },
    /// The code scanner read a code (a receipt's QR code, a bill's barcode, or anything else).
    CodeScanned(String),
    /// The scanner sent something that is not a code.
    CodeUnreadable,
    /// The server's content was applied and loaded: shown at once if nobody is using the kiosk,
    /// from the next session otherwise.
    ContentArrived(Box<crate::content::Content>),
}

/// A receipt that can be reprinted, marked as a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reprintable {
    pub seq: u64,
    pub what: RecordedWhat,
    /// When the transaction was recorded, in China Standard Time: "HH:MM".
    pub time: String,
}

/// Why a receipt number typed on the reprint page reprints nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReprintProblem {
    /// Not one of this kiosk's receipt numbers (too short, mistyped, another kiosk's).
    Number(NumberProblem),
    /// No receipt of this kiosk has that number any more (never made, or pruned long after).
    NotFound,
    /// A receipt that is reprinted only in the visit it was made (a vote's, a statement).
    NotByNumber,
}

/// What the kiosk asks the recording thread to do for a resident; `number` comes back with the
/// answer, so that an answer is only ever shown to the session that asked. The receipt is
/// printed in `language`: the session's, or both (configured).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRequest {
    pub number: u64,
    pub ask: ServiceAsk,
    pub language: ReceiptLanguage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceAsk {
    /// Take a queue ticket for a window; its tickets start with `letter`.
    Ticket { window: ServiceWindow, letter: char },
    /// Report a problem at a place; the place's name in both languages goes on the receipt.
    Report { category: IssueCategory, place: String, place_name: (String, String) },
    /// Print the receipt of a recorded transaction again, marked as a copy.
    Reprint { seq: u64 },
    /// Print again, marked as a copy, the receipt with the number the resident typed.
    ReprintByNumber { typed: String },
    /// A notice or a directory slip, printed on request.
    PrintSlip(SlipPayload),
    /// An appointment the server booked for the identified resident, named masked on the
    /// receipt (`holder`, never journaled).
    Appointment { appointment_id: String, window: ServiceWindow, starts_at: String, holder: Option<String> },
    /// A payment order the server reports paid: recorded once per order, however often asked.
    /// The bill's holder, masked by the server, goes on the original receipt only.
    BillPaid {
        order_id: String,
        account: String,
        utility: Option<Utility>,
        period: Option<String>,
        amount_fen: u64,
        holder: Option<String>,
    },
    /// The identified resident's social-insurance record, printed as a statement. Only that it
    /// was printed is journaled: the figures stay off the disk, so it cannot be reprinted.
    Statement { record: SocialInsuranceRecord, holder: Option<String> },
    /// An identified resident's vote; refused if they voted on this proposal before here, or
    /// if voting closed (`closes`, YYYY-MM-DD, is the last day). The record carries the
    /// resident sealed for the server, which counts one vote per resident across the fleet.
    Vote {
        resident: ResidentHandle,
        proposal: String,
        proposal_title: (String, String),
        closes: String,
        choice: VoteChoice,
        comment: Option<(String, String)>,
    },
    /// The resident's rating of the service recorded as `seq` (a record of kind `service`), with
    /// a reason (id, and name in both languages) for a low one. Recorded once per `seq`.
    Rate { seq: u64, service: &'static str, level: RatingLevel, reason: Option<(String, (String, String))> },
}

/// A transaction the journal committed, with what the resident is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The request's number.
    pub request: u64,
    pub seq: u64,
    pub what: RecordedWhat,
    /// Whether a receipt is being printed (false when the printer could not take it).
    pub printing: bool,
    /// A reprint of an earlier receipt: nothing new was recorded.
    pub copy: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedWhat {
    Ticket {
        window: ServiceWindow,
        number: String,
    },
    Report {
        category: IssueCategory,
        tracking_number: String,
    },
    Vote {
        choice: VoteChoice,
        vote_code: String,
    },
    Payment {
        utility: Option<Utility>,
        amount_fen: u64,
        order_id: String,
    },
    Statement,
    Appointment {
        window: ServiceWindow,
        starts_at: String,
    },
    Slip,
    /// A rating: nothing to show but the thanks already shown.
    Rating,
}

/// Why a card did not identify a resident; the UI says it in the resident's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardProblem {
    /// Presented, but not read: place it again.
    ReadFailed,
    /// An expired ID card; the last day it was valid.
    Expired(String),
    /// Not a resident ID card (a community or bank card where an ID card is needed).
    NotAnIdCard,
}

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
    /// Tomorrow's free slots at one window.
    Slots {
        window: WindowId,
    },
    Book {
        slot_id: String,
        resident: ResidentHandle,
        idempotency_key: String,
    },
    /// 呼叫工作人员: the kiosk's open call for staff, or a new one.
    CallHelp,
    /// How the call `call_id` stands.
    HelpState {
        call_id: String,
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
    /// A call for staff as the server holds it.
    Help(HelpCall),
    /// The server knows no such account, order, record or report.
    NotFound,
    /// The server refused the change (a slot that filled up meanwhile).
    Refused,
    /// The resident already has an appointment at that window on that day.
    AlreadyBooked,
    /// The server cannot be reached, did not answer in time, or failed.
    Unavailable,
}
