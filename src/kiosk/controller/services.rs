//! The offline services in the controller: what a tap asks the recording thread for, and how
//! its answers (recorded, refused, the receipt's fate) show on the result page.

use super::{KioskController, Shown};
use crate::content::Service;
use crate::kiosk::messages::{Recorded, RecordedWhat, ReprintProblem, ServiceAsk, ServiceRequest};
use crate::kiosk::screen::*;
use crate::records::{IssueCategory, NumberProblem, ServiceWindow, SlipPayload, VoteChoice};
use std::time::Instant;

impl KioskController {
    /// Shows `outcome` if it answers the request on screen.
    pub(super) fn recording_answered(&mut self, request: u64, outcome: ServiceOutcome) {
        if let Some(shown) = self.outcome.as_mut().filter(|s| s.request == request) {
            shown.outcome = outcome;
        }
    }

    /// The requests made since the last call, for the recording thread.
    pub fn take_requests(&mut self) -> Vec<ServiceRequest> {
        std::mem::take(&mut self.requests)
    }

    pub(super) fn recorded(&mut self, recorded: Recorded) {
        // Only the session that asked sees the result; a recording that lands after the session
        // ended is kept in the journal (and printed) but not shown to the next resident.
        let Some(shown) = self.outcome.as_mut().filter(|s| s.request == recorded.request) else { return };
        self.session_seqs.push(recorded.seq);
        let receipt = if recorded.printing { ReceiptProgress::Printing } else { ReceiptProgress::NotPrinted };
        let copy = recorded.copy;
        let outcome = match recorded.what {
            RecordedWhat::Ticket { window, number } => ServiceOutcome::Ticket { window, number, receipt, copy },
            RecordedWhat::Report { category, tracking_number } => {
                ServiceOutcome::Report { category, tracking_number, receipt, copy }
            }
            RecordedWhat::Vote { choice, vote_code } => ServiceOutcome::Vote { choice, vote_code, receipt },
            RecordedWhat::Payment { utility, amount_fen, order_id } => {
                ServiceOutcome::Paid { utility, amount_fen, order_id, receipt }
            }
            RecordedWhat::Statement => ServiceOutcome::Statement { receipt },
            RecordedWhat::Appointment { window, starts_at } => {
                ServiceOutcome::Appointment { window, starts_at, receipt }
            }
            RecordedWhat::Slip => ServiceOutcome::Slip { receipt },
            // Asked for unseen: no result page waits for it.
            RecordedWhat::Rating => return,
        };
        shown.seq = Some(recorded.seq);
        shown.outcome = outcome;
    }

    pub(super) fn receipt_outcome(&mut self, seq: u64, printed: bool) {
        let Some(shown) = self.outcome.as_mut().filter(|s| s.seq == Some(seq)) else { return };
        let progress = if printed { ReceiptProgress::Printed } else { ReceiptProgress::NotPrinted };
        if let Some(receipt) = shown.outcome.receipt_mut() {
            *receipt = progress;
        }
    }

    /// Asks for something to be recorded that no one on screen waits for (an order paid after
    /// its session ended).
    pub(super) fn request_unseen(&mut self, ask: ServiceAsk) {
        let number = self.request_numbers.next();
        let language = self.receipt_language();
        self.requests.push(ServiceRequest { number, ask, language });
    }

    /// Shows a result that needs no recording.
    pub(super) fn show_outcome(&mut self, outcome: ServiceOutcome) {
        // Request numbers start at 1: no answer matches 0.
        self.outcome = Some(Shown { request: 0, seq: None, outcome, rating: RatingStep::Offered });
        self.page = Page::Done;
    }

    /// Asks for a service to be recorded and shows the result page while it is.
    pub(super) fn request(&mut self, ask: ServiceAsk) {
        let number = self.request_numbers.next();
        let language = self.receipt_language();
        self.requests.push(ServiceRequest { number, ask, language });
        let outcome = ServiceOutcome::Recording;
        self.outcome = Some(Shown { request: number, seq: None, outcome, rating: RatingStep::Offered });
        self.page = Page::Done;
    }

    /// Queue tickets: the window chosen.
    pub fn take_ticket(&mut self, window_id: &str, now: Instant) {
        self.touched(now);
        if self.page != Page::Tickets {
            return;
        }
        match self.service_window(window_id) {
            Some((window, letter)) => self.request(ServiceAsk::Ticket { window, letter }),
            None => tracing::warn!(window_id, "the UI asked for a window the kiosk does not know"),
        }
    }

    /// The content's window with this id, as recorded, and its tickets' letter.
    pub(super) fn service_window(&self, window_id: &str) -> Option<(ServiceWindow, char)> {
        let window = self.content.window(window_id)?;
        Some((ServiceWindow { id: window.id, number: window.number, name: window.name.pair() }, window.letter))
    }

    /// 打印: the notice on screen, in the resident's language, on the receipt printer.
    pub fn print_notice(&mut self, now: Instant) {
        self.touched(now);
        let Page::Notice(id) = &self.page else { return };
        let Some(notice) = self.content.notices.iter().find(|n| &n.id == id) else { return };
        let slip = SlipPayload {
            what: "notice".into(),
            id: notice.id.clone(),
            title: notice.title.pair(),
            lines: vec![notice.date.clone(), notice.body.get(self.language).to_string()],
            qr: None,
        };
        self.request(ServiceAsk::PrintSlip(slip));
    }

    /// A directory slip: where, when, the phone number and the entry's link as a QR code.
    pub fn print_directory_entry(&mut self, id: &str, now: Instant) {
        self.touched(now);
        if self.page != Page::Directory {
            return;
        }
        let Some(entry) = self.content.directory.iter().find(|e| e.id == id) else { return };
        let lang = self.language;
        let slip = SlipPayload {
            what: "directory".into(),
            id: entry.id.clone(),
            title: entry.name.pair(),
            lines: vec![
                entry.location.get(lang).to_string(),
                entry.hours.get(lang).to_string(),
                format!("{} {}", self.receipt_language().say("电话", "Phone"), entry.phone),
            ],
            qr: entry.url.clone(),
        };
        self.request(ServiceAsk::PrintSlip(slip));
    }

    /// Opinion solicitation: one proposal opened from the list.
    pub fn open_proposal(&mut self, id: &str, now: Instant) {
        self.touched(now);
        if self.page == Page::Opinions && self.content.proposals.iter().any(|p| p.id == id) {
            self.page = Page::Proposal(id.to_string());
        }
    }

    /// The vote chosen on a proposal's page; a comment is offered next.
    pub fn choose_vote(&mut self, choice_id: &str, now: Instant) {
        self.touched(now);
        let (Page::Proposal(id), Some(choice)) = (&self.page, VoteChoice::from_id(choice_id)) else { return };
        self.page = Page::VoteComment(id.clone(), choice);
    }

    /// The comment chosen (`None`: no comment); the vote is cast for the identified resident.
    pub fn cast_vote(&mut self, phrase: Option<usize>, now: Instant) {
        self.touched(now);
        let Page::VoteComment(id, choice) = &self.page else { return };
        let Some(proposal) = self.content.proposals.iter().find(|p| &p.id == id) else { return };
        let Some(resident) = self.session.resident() else {
            // The session lost its resident (card removed): identify again.
            self.page = Page::PlaceCard(Service::Opinions);
            return;
        };
        let comment = match phrase {
            None => None,
            Some(index) => match proposal.phrases.get(index) {
                Some(text) => Some(text.pair()),
                None => return,
            },
        };
        let ask = ServiceAsk::Vote {
            resident: resident.handle.clone(),
            proposal: proposal.id.clone(),
            proposal_title: proposal.title.pair(),
            closes: proposal.closes.clone(),
            choice: *choice,
            comment,
        };
        self.request(ask);
    }

    /// 补打: prints a receipt that did not come out again, marked as a copy.
    pub fn reprint(&mut self, seq: u64, now: Instant) {
        self.touched(now);
        if self.page == Page::Reprint && self.reprint_offer().any(|r| r.seq == seq) {
            self.request(ServiceAsk::Reprint { seq });
        }
    }

    /// 输入凭条号: on the reprint page, the keypad instead of this visit's receipts.
    pub fn type_receipt_number(&mut self, now: Instant) {
        self.touched(now);
        if self.page == Page::Reprint {
            self.flows.typing_receipt_number = true;
        }
    }

    /// The receipt number typed finds nothing to reprint: back to the keypad, with the number
    /// still typed and a sentence saying why.
    pub(super) fn reprint_refused(&mut self, request: u64, why: ReprintProblem) {
        if self.outcome.as_ref().is_none_or(|shown| shown.request != request) {
            return;
        }
        self.outcome = None;
        self.page = Page::Reprint;
        self.flows.typing_receipt_number = true;
        self.flows.problem = Some(match why {
            ReprintProblem::Number(NumberProblem::WrongLength) => OnlineProblem::TooShort,
            ReprintProblem::Number(NumberProblem::Mistyped) => OnlineProblem::Mistyped,
            ReprintProblem::Number(NumberProblem::OtherKiosk(_)) => OnlineProblem::OtherKiosk,
            ReprintProblem::NotFound => OnlineProblem::NotFound,
            ReprintProblem::NotByNumber => OnlineProblem::NotReprintable,
        });
    }

    /// Issue report, first step: the category chosen.
    pub fn choose_report_category(&mut self, category_id: &str, now: Instant) {
        self.touched(now);
        if self.page != Page::Report {
            return;
        }
        if self.content.issue_category(category_id).is_some() {
            self.page = Page::ReportPlace(category_id.to_string());
        }
    }

    /// Issue report, second step: the place chosen; the report is recorded.
    pub fn choose_report_place(&mut self, place_id: &str, now: Instant) {
        self.touched(now);
        let Page::ReportPlace(category) = &self.page else { return };
        let Some(category) = self.content.issue_category(category) else { return };
        let category = IssueCategory { id: category.id.clone(), name: category.name.pair() };
        let Some(place) = self.content.places.iter().find(|p| p.id == place_id) else { return };
        let place_name = place.name.pair();
        self.request(ServiceAsk::Report { category, place: place.id.clone(), place_name });
    }
}
