//! What one frame of the kiosk shows, in the resident's language.

use crate::content::Service;
use crate::records::{IssueCategory, ServiceWindow, VoteChoice, WindowId};
use citizen_window_protocol::services::{Bill, SocialInsuranceRecord, Utility};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Attract,
    Home,
    Notices,
    /// One notice, by id.
    Notice(String),
    Directory,
    /// A service this kiosk does not offer yet.
    Unavailable(Service),
    /// Queue tickets: choose a window.
    Tickets,
    /// Issue report, first step: what is wrong.
    Report,
    /// Issue report, second step: where (the category chosen, by id).
    ReportPlace(String),
    /// 补打凭条: a receipt's number on the keypad, and this visit's receipts that did not come
    /// out, to reprint as copies.
    Reprint,
    /// "Place your ID card": the service needs the resident identified first.
    PlaceCard(Service),
    /// Opinion solicitation: the open proposals.
    Opinions,
    /// One proposal, by id, with the three votes.
    Proposal(String),
    /// A comment to go with the vote, from the proposal's phrases.
    VoteComment(String, VoteChoice),
    /// Bill payment, first step: the account number on the keypad.
    Bills,
    /// The bill found, with the pay button.
    Bill,
    /// The payment QR code, waiting for the phone, with a cancel button.
    Payment,
    /// A report's status, by its tracking number on the keypad.
    ReportLookup,
    /// The identified resident's social-insurance record, with a print button.
    SocialInsurance,
    /// Appointment, first step: the window (the resident is identified).
    Appointments,
    /// Appointment, second step: tomorrow's times at that window.
    Slots(WindowId),
    /// A service's result: recording, recorded (with its number and receipt), or refused.
    Done,
    /// 帮助: how to use the kiosk, and whom to call: the station's phone and the hotline.
    Help,
}

impl Page {
    /// The page's name in the UI (`AppAdapter.page`) and on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Page::Attract => "attract",
            Page::Home => "home",
            Page::Notices => "notices",
            Page::Notice(_) => "notice",
            Page::Directory => "directory",
            Page::Unavailable(_) => "unavailable",
            Page::Tickets => "tickets",
            Page::Report => "report",
            Page::ReportPlace(_) => "report_place",
            Page::Reprint => "reprint",
            Page::PlaceCard(_) => "place_card",
            Page::Opinions => "opinions",
            Page::Proposal(_) => "proposal",
            Page::VoteComment(..) => "vote_comment",
            Page::Bills => "bills",
            Page::Bill => "bill",
            Page::Payment => "payment",
            Page::ReportLookup => "report_lookup",
            Page::SocialInsurance => "social_insurance",
            Page::Appointments => "appointments",
            Page::Slots(_) => "slots",
            Page::Done => "done",
            Page::Help => "help",
        }
    }

    /// Where 上一步 leads from this page: the step before it. `None` where there is no step
    /// before (home, the attract screen), where help decides (it returns to the page it was
    /// opened from), and while a payment code shows (its own cancel button ends it first).
    pub fn step_back(&self) -> Option<Page> {
        match self {
            Page::Attract | Page::Home | Page::Payment | Page::Help => None,
            Page::Notice(_) => Some(Page::Notices),
            Page::ReportPlace(_) | Page::ReportLookup => Some(Page::Report),
            Page::Proposal(_) => Some(Page::Opinions),
            Page::VoteComment(id, _) => Some(Page::Proposal(id.clone())),
            Page::Bill => Some(Page::Bills),
            Page::Slots(_) => Some(Page::Appointments),
            Page::Notices
            | Page::Directory
            | Page::Unavailable(_)
            | Page::Tickets
            | Page::Report
            | Page::Reprint
            | Page::PlaceCard(_)
            | Page::Opinions
            | Page::Bills
            | Page::SocialInsurance
            | Page::Appointments
            | Page::Done => Some(Page::Home),
        }
    }
}

/// The top of every page but the attract screen: who runs the kiosk, the date and time in China.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeaderRow {
    pub community: String,
    /// "12月2日 星期三" / "Wed 2 Dec"; empty until the kiosk knows the wall clock.
    pub date: String,
    /// "09:41" in China.
    pub time: String,
}

/// Whom a resident can call, on the help page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StationRow {
    pub station: String,
    pub phone: String,
    pub hotline: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileRow {
    pub service: Service,
    pub title: String,
    pub subtitle: String,
    pub usable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SlideRow {
    pub title: String,
    pub body: String,
    /// The slide's picture file, checked when the content was loaded.
    pub image: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticeRow {
    pub id: String,
    pub title: String,
    pub date: String,
    /// The category's id; the UI names it in the current language.
    pub category: &'static str,
    pub body: String,
    /// The notice's picture file, checked when the content was loaded.
    pub image: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub id: String,
    pub name: String,
    pub location: String,
    pub hours: String,
    pub phone: String,
}

/// One of the content's choices (a place, a window, a category of problem), in the resident's
/// language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceRow {
    pub id: String,
    pub name: String,
}

/// What became of the service the resident asked for, shown on [`Page::Done`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceOutcome {
    /// Asked for; the journal has not answered yet.
    Recording,
    /// `copy`: a reprint of an earlier ticket or report, nothing new recorded.
    Ticket {
        window: ServiceWindow,
        number: String,
        receipt: ReceiptProgress,
        copy: bool,
    },
    Report {
        category: IssueCategory,
        tracking_number: String,
        receipt: ReceiptProgress,
        copy: bool,
    },
    Vote {
        choice: VoteChoice,
        vote_code: String,
        receipt: ReceiptProgress,
    },
    /// A bill paid and recorded.
    Paid {
        utility: Option<Utility>,
        amount_fen: u64,
        order_id: String,
        receipt: ReceiptProgress,
    },
    /// The payment was cancelled (by the resident, or for them after a long wait) or expired:
    /// nothing was paid.
    PaymentCancelled,
    PaymentExpired,
    /// A notice or directory slip printed (or not).
    Slip {
        receipt: ReceiptProgress,
    },
    /// An appointment booked, recorded and printed.
    Appointment {
        window: ServiceWindow,
        starts_at: String,
        receipt: ReceiptProgress,
    },
    /// The social-insurance statement, printed or not.
    Statement {
        receipt: ReceiptProgress,
    },
    /// The resident voted on this proposal before: nothing was recorded.
    AlreadyVoted,
    /// Voting on the proposal has closed: nothing was recorded.
    VoteClosed,
    /// The server did not count the vote just recorded: the resident had already voted on the
    /// proposal at another kiosk. Their first vote stands; the receipt just printed is void.
    VoteNotCounted,
    /// The journal refuses new transactions: nothing was recorded.
    Refused,
}

impl ServiceOutcome {
    /// The kind of record a service with a result made, which a rating names; `None` for what
    /// is not rated (a copy, a printed notice, a refusal).
    pub fn rated_service(&self) -> Option<&'static str> {
        use crate::records::kinds;
        match self {
            ServiceOutcome::Ticket { copy: false, .. } => Some(kinds::QUEUE_TICKET),
            ServiceOutcome::Report { copy: false, .. } => Some(kinds::ISSUE_REPORT),
            ServiceOutcome::Vote { .. } => Some(kinds::VOTE),
            ServiceOutcome::Paid { .. } => Some(kinds::BILL_PAYMENT),
            ServiceOutcome::Statement { .. } => Some(kinds::SOCIAL_INSURANCE_STATEMENT),
            ServiceOutcome::Appointment { .. } => Some(kinds::APPOINTMENT),
            _ => None,
        }
    }

    /// The receipt's progress, for the outcomes that print one.
    pub fn receipt(&self) -> Option<ReceiptProgress> {
        let mut outcome = self.clone();
        outcome.receipt_mut().map(|progress| *progress)
    }

    /// The receipt's progress, to move on, for the outcomes that print one.
    pub fn receipt_mut(&mut self) -> Option<&mut ReceiptProgress> {
        match self {
            ServiceOutcome::Ticket { receipt, .. }
            | ServiceOutcome::Report { receipt, .. }
            | ServiceOutcome::Vote { receipt, .. }
            | ServiceOutcome::Paid { receipt, .. }
            | ServiceOutcome::Statement { receipt }
            | ServiceOutcome::Appointment { receipt, .. }
            | ServiceOutcome::Slip { receipt } => Some(receipt),
            ServiceOutcome::Recording
            | ServiceOutcome::Refused
            | ServiceOutcome::AlreadyVoted
            | ServiceOutcome::VoteClosed
            | ServiceOutcome::VoteNotCounted
            | ServiceOutcome::PaymentCancelled
            | ServiceOutcome::PaymentExpired => None,
        }
    }
}

/// Where the resident is with rating the service on the result page (好差评): never required,
/// skipped by leaving the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RatingStep {
    /// Nothing to rate (no result, a copy, a refusal).
    #[default]
    None,
    /// 评价: a button beside the way home.
    Offered,
    /// The five levels are shown over the result.
    Levels,
    /// A low level was chosen: the content's reasons are offered, or 跳过.
    Reasons(crate::records::RatingLevel),
    /// Rated: 感谢您的评价.
    Thanked,
}

/// Where the help page's call for staff (呼叫工作人员) stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum HelpCallState {
    #[default]
    NotCalled,
    /// Sent; the server has not answered yet.
    Calling,
    /// The office has it; no one has answered yet.
    Waiting,
    /// The office's answer, shown and spoken.
    Answered(String),
    /// No answer within the configured time: the station's phone instead.
    NoAnswer,
    /// Offline, or the call could not go out: the station's phone instead.
    Unavailable,
}

/// Why a scanned code did nothing, said until the next tap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanProblem {
    /// Not a receipt's QR code nor a bill's barcode: the banner says what the scanner accepts.
    Unrecognised,
    /// The scanner sent something that is not a code: scan again.
    Unreadable,
    /// A payment is waiting for the resident's phone, or a booking or an order is on its way:
    /// it is finished or cancelled first.
    Busy,
}

/// Why an online service shows no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnlineProblem {
    /// Fewer digits than the number has.
    TooShort,
    /// The server refused: the appointment slot filled up meanwhile.
    Full,
    /// The server refused: one appointment per resident per window per day.
    AlreadyBooked,
    NotFound,
    /// The server did not answer.
    Unavailable,
    /// A receipt number whose check digits do not match: a digit was mistyped.
    Mistyped,
    /// A receipt number of another kiosk: reprinted at that kiosk or at the front desk.
    OtherKiosk,
    /// A receipt that is never reprinted by its number (a vote's, a statement).
    NotReprintable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportStatusRow {
    pub tracking_number: String,
    /// received, assigned, in_progress, resolved, rejected.
    pub status: String,
    /// The community office's note for the resident, if it wrote one.
    pub note: Option<String>,
}

/// The social-insurance record as shown: each month's contributions, pensions paid, 低保 status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocialInsuranceRow {
    /// (month, pension contribution, medical contribution), in yuan: the latest months, as many
    /// as the print size shows (every month is on the printed statement).
    pub contributions: Vec<(String, String, String)>,
    /// The earlier months not shown.
    pub months_not_shown: usize,
    /// (month, pension paid), in yuan.
    pub pensions: Vec<(String, String)>,
    /// none, granted, under_review.
    pub allowance: String,
}

impl From<&SocialInsuranceRecord> for SocialInsuranceRow {
    fn from(record: &SocialInsuranceRecord) -> Self {
        use crate::records::yuan;
        Self {
            contributions: record
                .contributions
                .iter()
                .map(|m| (m.month.clone(), yuan(m.pension_fen), yuan(m.medical_fen)))
                .collect(),
            pensions: record.pension_payments.iter().map(|m| (m.month.clone(), yuan(m.pension_fen))).collect(),
            allowance: record.subsistence_allowance.clone(),
            months_not_shown: 0,
        }
    }
}

impl SocialInsuranceRow {
    /// Only the latest `months` contributions.
    pub fn latest(mut self, months: usize) -> Self {
        let earlier = self.contributions.len().saturating_sub(months);
        self.contributions.drain(..earlier);
        self.months_not_shown += earlier;
        self
    }
}

/// The online services on screen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OnlineView {
    /// The keypad's digits, grouped as the number is printed.
    pub input: String,
    /// A request is out and the screen waits for its answer.
    pub waiting: bool,
    pub problem: Option<OnlineProblem>,
    pub bill: Option<Bill>,
    /// What the payment QR code encodes, while it shows.
    pub pay_url: Option<String>,
    /// Whole seconds the payment code can still be paid, while it shows.
    pub payment_seconds_left: Option<u32>,
    pub cancelling: bool,
    pub report_status: Option<ReportStatusRow>,
    pub social_insurance: Option<SocialInsuranceRow>,
    /// Tomorrow's appointment slots at the chosen window.
    pub slots: Vec<SlotRow>,
    /// The identified resident's bills.
    pub resident_bills: Vec<Bill>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRow {
    pub slot_id: String,
    /// "2026-11-28 09:30".
    pub starts_at: String,
    pub free: u32,
}

/// A proposal, in the resident's language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProposalRow {
    pub id: String,
    pub title: String,
    pub body: String,
    /// The last day of voting, YYYY-MM-DD.
    pub closes: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptProgress {
    Printing,
    Printed,
    /// Recorded, but no receipt came out: it can be reprinted (补打) later.
    NotPrinted,
}

/// One page of a paged list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: usize,
    pub pages: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    pub page: Page,
    pub english: bool,
    /// The language switch shows (more than one language configured).
    pub language_switch: bool,
    pub elderly: bool,
    /// The kiosk speaks its key moments (the bottom bar's switch; on by default in large print).
    pub voice_on: bool,
    pub offline: bool,
    pub printer_ready: bool,
    /// Seconds before the session ends, while the countdown shows.
    pub countdown: Option<u32>,
    /// Seconds before the session ends, always (0 on the attract screen).
    pub seconds_left: u32,
    /// The resident waits (a payment, the server, the printer): the idle timer is held.
    pub timer_held: bool,
    /// 上一步 leads somewhere from this page.
    pub can_go_back: bool,
    pub header: HeaderRow,
    pub station: StationRow,
    /// The identified resident (name and masked ID number; zeroed when dropped).
    pub resident: Option<crate::session::Resident>,
    pub tiles: Vec<TileRow>,
    pub slide: SlideRow,
    /// The first urgent notice (停水停电), shown on the attract screen before the slides.
    pub urgent: Option<NoticeRow>,
    pub notices: Paged<NoticeRow>,
    pub notice: NoticeRow,
    /// The page of the notice's text shown, and how many it has.
    pub notice_part: (usize, usize),
    pub directory: Paged<EntryRow>,
    /// The title of the service on the "unavailable" page.
    pub unavailable_service: String,
    /// Why the last card presented did not identify anyone, until the next tap.
    pub card_problem: Option<crate::kiosk::messages::CardProblem>,
    pub scan_problem: Option<ScanProblem>,
    /// A card is on the reader and being read: the resident is asked to keep it there.
    pub card_reading: bool,
    /// The card was read and is still on the reader: 已读取，请取回身份证.
    pub card_to_take_back: bool,
    /// False while the card reader does not answer.
    pub reader_available: bool,
    /// The places an issue can be reported at, the categories of problem, the station's windows.
    pub places: Vec<ChoiceRow>,
    pub issue_categories: Vec<ChoiceRow>,
    pub windows: Vec<ChoiceRow>,
    /// The name of the category chosen on the report's first step.
    pub report_category: Option<String>,
    /// The last service's outcome, while [`Page::Done`] shows.
    pub outcome: Option<ServiceOutcome>,
    /// The rating offered under it, with the five levels and the reasons, in the resident's
    /// language.
    pub rating: RatingStep,
    /// The help page's call for staff.
    pub help_call: HelpCallState,
    pub rating_levels: Vec<ChoiceRow>,
    pub rating_reasons: Vec<ChoiceRow>,
    /// The service waiting for a card on [`Page::PlaceCard`] (its tile's title).
    pub card_for_service: String,
    pub proposals: Vec<ProposalRow>,
    /// The proposal on [`Page::Proposal`] and [`Page::VoteComment`].
    pub proposal: ProposalRow,
    /// The vote chosen, and the comments offered with it, on [`Page::VoteComment`].
    pub vote_choice: Option<VoteChoice>,
    pub phrases: Vec<String>,
    pub online: OnlineView,
    /// The receipts that can be reprinted, newest first.
    pub reprintable: Vec<crate::kiosk::messages::Reprintable>,
    /// The reprint page shows its keypad for a receipt's number (rather than this visit's
    /// receipts, while there are any and no number was asked for).
    pub reprint_keypad: bool,
}
