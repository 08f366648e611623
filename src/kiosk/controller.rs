//! The kiosk controller: taps and time in, a [`Screen`] out.

mod online;

use super::screen::*;
use crate::content::{Content, Language, NoticeCategory, Service};
use crate::devices::{CardProblem, KioskEvent, Recorded, RecordedWhat, ServiceAsk, ServiceRequest};
use crate::records::{IssueCategory, SlipPayload, VoteChoice, Window};
use crate::session::{EndReason, Resident, Session, SessionEvent, SessionTiming};
use online::OnlineFlows;
use std::time::{Duration, Instant};

/// How many receipts the reprint page offers, newest first: one screen of buttons in large print.
pub const REPRINT_OFFERED: usize = 6;

/// How long each attract-screen slide shows.
pub const SLIDE_INTERVAL: Duration = Duration::from_secs(8);

/// "Reading your card" shows at most this long: an ID card's read takes about a second, and its
/// result (or the reader's failure) normally ends it well before.
pub const CARD_READING_SHOWN_AT_MOST: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct KioskController {
    content: Content,
    session: Session,
    page: Page,
    language: Language,
    elderly: bool,
    online: bool,
    printer_ready: bool,
    notices_page: usize,
    directory_page: usize,
    /// When the attract screen started showing, for the slide rotation.
    attract_since: Instant,
    /// The last card that was refused, shown until the next tap.
    card_problem: Option<CardProblem>,
    /// When the reader said a card is being read; its result (or any tap) ends that.
    card_reading_since: Option<Instant>,
    reader_available: bool,
    /// What the resident asked for and the recording thread has not been given yet.
    requests: Vec<ServiceRequest>,
    /// What the resident asked of the server and the online desk has not been given yet.
    online_requests: Vec<crate::sync::online_desk::OnlineRequest>,
    /// The online services' state for the session on screen.
    flows: OnlineFlows,
    /// Payment orders this kiosk made and has not yet seen paid or closed, with their bills (for
    /// the receipt); they outlive the session that made them.
    order_bills: std::collections::HashMap<String, citizen_window_protocol::services::Bill>,
    /// Cancels the server has not answered yet, sent again until it does.
    unsettled_cancels: Vec<online::UnsettledCancel>,
    /// The receipts that can be reprinted, as the recording thread last reported them.
    reprintable: Vec<crate::devices::Reprintable>,
    /// The number of the last request made.
    last_request: u64,
    /// The outcome shown on the result page, with the request it answers and, once recorded,
    /// the transaction's sequence number. Emptied when the session ends.
    outcome: Option<Shown>,
}

#[derive(Debug)]
struct Shown {
    request: u64,
    seq: Option<u64>,
    outcome: ServiceOutcome,
}

impl KioskController {
    pub fn new(content: Content, timing: SessionTiming, now: Instant) -> Self {
        Self {
            content,
            session: Session::new(timing),
            page: Page::Attract,
            language: Language::default(),
            elderly: false,
            online: true,
            printer_ready: true,
            notices_page: 0,
            directory_page: 0,
            attract_since: now,
            card_problem: None,
            card_reading_since: None,
            reader_available: true,
            requests: Vec::new(),
            online_requests: Vec::new(),
            flows: OnlineFlows::default(),
            order_bills: Default::default(),
            unsettled_cancels: Vec::new(),
            reprintable: Vec::new(),
            last_request: 0,
            outcome: None,
        }
    }

    /// What a device reported.
    pub fn handle_event(&mut self, event: KioskEvent, now: Instant) {
        match event {
            KioskEvent::CardReading => {
                self.touched(now);
                self.card_reading_since = Some(now);
            }
            KioskEvent::Identified(resident) => self.identified(resident, now),
            KioskEvent::CardRefused(problem) => {
                self.touched(now);
                self.card_problem = Some(problem);
            }
            KioskEvent::CardRemoved => {
                self.card_reading_since = None;
                self.card_removed(now);
            }
            KioskEvent::ReaderAvailable(available) => {
                self.reader_available = available;
                if !available {
                    self.card_reading_since = None;
                }
            }
            KioskEvent::Recorded(recorded) => self.recorded(recorded),
            KioskEvent::RecordRefused { request } => self.recording_answered(request, ServiceOutcome::Refused),
            KioskEvent::VoteRefused { request, closed } => self.recording_answered(
                request,
                if closed { ServiceOutcome::VoteClosed } else { ServiceOutcome::AlreadyVoted },
            ),
            KioskEvent::VoteNotCounted { seq } => {
                // Said to the resident while the vote's result shows; the record is kept aside
                // and `kioskctl sync status` reports it either way.
                if let Some(shown) = self.outcome.as_mut().filter(|s| s.seq == Some(seq)) {
                    shown.outcome = ServiceOutcome::VoteNotCounted;
                }
            }
            KioskEvent::ReceiptOutcome { seq, printed } => self.receipt_outcome(seq, printed),
            KioskEvent::PrinterReady(ready) => self.printer_ready = ready,
            KioskEvent::Reprintable(receipts) => self.reprintable = receipts,
            KioskEvent::Online(online) => self.online = online,
            KioskEvent::Answered { request, answer } => self.answered(request, answer, now),
        }
    }

    /// Shows `outcome` if it answers the request on screen.
    fn recording_answered(&mut self, request: u64, outcome: ServiceOutcome) {
        if let Some(shown) = self.outcome.as_mut().filter(|s| s.request == request) {
            shown.outcome = outcome;
        }
    }

    /// The requests made since the last call, for the recording thread.
    pub fn take_requests(&mut self) -> Vec<ServiceRequest> {
        std::mem::take(&mut self.requests)
    }

    fn recorded(&mut self, recorded: Recorded) {
        // Only the session that asked sees the result; a recording that lands after the session
        // ended is kept in the journal (and printed) but not shown to the next resident.
        let Some(shown) = self.outcome.as_mut().filter(|s| s.request == recorded.request) else { return };
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
        };
        shown.seq = Some(recorded.seq);
        shown.outcome = outcome;
    }

    fn receipt_outcome(&mut self, seq: u64, printed: bool) {
        let Some(shown) = self.outcome.as_mut().filter(|s| s.seq == Some(seq)) else { return };
        let progress = if printed { ReceiptProgress::Printed } else { ReceiptProgress::NotPrinted };
        match &mut shown.outcome {
            ServiceOutcome::Ticket { receipt, .. }
            | ServiceOutcome::Report { receipt, .. }
            | ServiceOutcome::Vote { receipt, .. }
            | ServiceOutcome::Paid { receipt, .. }
            | ServiceOutcome::Statement { receipt }
            | ServiceOutcome::Appointment { receipt, .. }
            | ServiceOutcome::Slip { receipt } => *receipt = progress,
            ServiceOutcome::Recording
            | ServiceOutcome::Refused
            | ServiceOutcome::AlreadyVoted
            | ServiceOutcome::VoteClosed
            | ServiceOutcome::VoteNotCounted
            | ServiceOutcome::PaymentCancelled
            | ServiceOutcome::PaymentExpired => {}
        }
    }

    /// Asks for something to be recorded that no one on screen waits for (an order paid after
    /// its session ended).
    fn request_unseen(&mut self, ask: ServiceAsk) {
        self.last_request += 1;
        self.requests.push(ServiceRequest { number: self.last_request, ask });
    }

    /// Shows a result that needs no recording.
    fn show_outcome(&mut self, outcome: ServiceOutcome) {
        // Request numbers start at 1: no answer matches 0.
        self.outcome = Some(Shown { request: 0, seq: None, outcome });
        self.page = Page::Done;
    }

    /// Asks for a service to be recorded and shows the result page while it is.
    fn request(&mut self, ask: ServiceAsk) {
        self.last_request += 1;
        self.requests.push(ServiceRequest { number: self.last_request, ask });
        self.outcome = Some(Shown { request: self.last_request, seq: None, outcome: ServiceOutcome::Recording });
        self.page = Page::Done;
    }

    /// Queue tickets: the window chosen.
    pub fn take_ticket(&mut self, window_id: &str, now: Instant) {
        self.touched(now);
        if self.page != Page::Tickets {
            return;
        }
        match Window::from_id(window_id) {
            Some(window) => self.request(ServiceAsk::Ticket(window)),
            None => tracing::warn!(window_id, "the UI asked for a window the kiosk does not know"),
        }
    }

    /// 打印: the notice on screen, in the resident's language, on the receipt printer.
    pub fn print_notice(&mut self, now: Instant) {
        self.touched(now);
        let Page::Notice(id) = &self.page else { return };
        let Some(notice) = self.content.notices.iter().find(|n| &n.id == id) else { return };
        let slip = SlipPayload {
            what: "notice".into(),
            id: notice.id.clone(),
            title: (notice.title.zh.clone(), notice.title.en.clone()),
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
            title: (entry.name.zh.clone(), entry.name.en.clone()),
            lines: vec![
                entry.location.get(lang).to_string(),
                entry.hours.get(lang).to_string(),
                format!("电话 Phone {}", entry.phone),
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
                Some(text) => Some((text.zh.clone(), text.en.clone())),
                None => return,
            },
        };
        let ask = ServiceAsk::Vote {
            resident: resident.handle.clone(),
            proposal: proposal.id.clone(),
            proposal_title: (proposal.title.zh.clone(), proposal.title.en.clone()),
            closes: proposal.closes.clone(),
            choice: *choice,
            comment,
        };
        self.request(ask);
    }

    /// 补打: prints a receipt that did not come out again, marked as a copy.
    pub fn reprint(&mut self, seq: u64, now: Instant) {
        self.touched(now);
        if self.page == Page::Reprint && self.reprintable.iter().any(|r| r.seq == seq) {
            self.request(ServiceAsk::Reprint { seq });
        }
    }

    /// Issue report, first step: the category chosen.
    pub fn choose_report_category(&mut self, category_id: &str, now: Instant) {
        self.touched(now);
        if self.page != Page::Report {
            return;
        }
        if let Some(category) = IssueCategory::from_id(category_id) {
            self.page = Page::ReportPlace(category);
        }
    }

    /// Issue report, second step: the place chosen; the report is recorded.
    pub fn choose_report_place(&mut self, place_id: &str, now: Instant) {
        self.touched(now);
        let Page::ReportPlace(category) = self.page else { return };
        let Some(place) = self.content.places.iter().find(|p| p.id == place_id) else { return };
        let place_name = (place.name.zh.clone(), place.name.en.clone());
        self.request(ServiceAsk::Report { category, place: place.id.clone(), place_name });
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Any tap. On the attract screen it starts a session on the home screen.
    pub fn touched(&mut self, now: Instant) {
        self.card_problem = None;
        self.card_reading_since = None;
        if self.session.handle(SessionEvent::Touch, now).is_some() {
            self.after_end(now);
        }
        if self.page == Page::Attract {
            self.session.handle(SessionEvent::Touch, now);
            self.page = Page::Home;
        }
    }

    pub fn open_service(&mut self, service_id: &str, now: Instant) {
        self.touched(now);
        let Some(tile) = self.content.tiles.iter().find(|t| t.service.id() == service_id) else {
            tracing::warn!(service_id, "a tile asked for a service the content does not list");
            return;
        };
        let service = tile.service;
        if !self.online && !service.works_offline() {
            // The tile says it needs the network; the page says what still works.
            self.page = Page::Unavailable(service);
            return;
        }
        if service.needs_card() && self.session.resident().is_none() {
            self.page = Page::PlaceCard(service);
            return;
        }
        if matches!(service, Service::Bills | Service::SocialInsurance) {
            self.open_online(if service == Service::Bills { Page::Bills } else { Page::SocialInsurance });
            return;
        }
        // The services without a page of their own yet open the "not offered yet" page.
        self.page = self.page_of(service);
    }

    fn page_of(&self, service: Service) -> Page {
        match service {
            Service::Notices => Page::Notices,
            Service::Directory => Page::Directory,
            Service::Appointments => Page::Tickets,
            Service::Reports => Page::Report,
            Service::Reprint => Page::Reprint,
            Service::Opinions => Page::Opinions,
            other => Page::Unavailable(other),
        }
    }

    pub fn open_notice(&mut self, id: &str, now: Instant) {
        self.touched(now);
        if self.content.notices.iter().any(|n| n.id == id) {
            self.page = Page::Notice(id.to_string());
        }
    }

    /// A card was read and the resident identified: the session is theirs until it ends.
    /// On the "place your card" page, the service the resident came for opens.
    pub fn identified(&mut self, resident: Resident, now: Instant) {
        self.touched(now);
        self.session.handle(SessionEvent::Identified(resident), now);
        if let Page::PlaceCard(service) = self.page {
            match service {
                Service::SocialInsurance => self.open_online(Page::SocialInsurance),
                // Only the ticket page's "book an appointment" asks for a card for this tile.
                Service::Appointments => self.open_online(Page::Appointments),
                // Bills by card: the resident's bills are asked for at once.
                Service::Bills => self.open_online(Page::Bills),
                other => self.page = self.page_of(other),
            }
        }
    }

    /// The reader reports the card gone: the session ends if it belonged to that card.
    pub fn card_removed(&mut self, now: Instant) {
        if self.session.handle(SessionEvent::CardRemoved, now).is_some() {
            self.after_end(now);
        }
    }

    pub fn go_home(&mut self, now: Instant) {
        self.touched(now);
        self.page = Page::Home;
    }

    /// 退出: ends the session and wipes it; the next resident starts in Chinese, standard print.
    pub fn exit(&mut self, now: Instant) {
        self.session.handle(SessionEvent::Exit, now);
        self.after_end(now);
    }

    pub fn set_language(&mut self, language: Language, now: Instant) {
        self.touched(now);
        self.language = language;
    }

    pub fn set_elderly(&mut self, elderly: bool, now: Instant) {
        self.touched(now);
        self.elderly = elderly;
        self.clamp_pages();
    }

    pub fn set_notices_page(&mut self, page: usize, now: Instant) {
        self.touched(now);
        self.notices_page = page;
        self.clamp_pages();
    }

    pub fn set_directory_page(&mut self, page: usize, now: Instant) {
        self.touched(now);
        self.directory_page = page;
        self.clamp_pages();
    }

    pub fn set_online(&mut self, online: bool) {
        self.online = online;
    }

    pub fn set_printer_ready(&mut self, ready: bool) {
        self.printer_ready = ready;
    }

    /// Time passes: ends an idle session. Returns why, when it ended one.
    pub fn tick(&mut self, now: Instant) -> Option<EndReason> {
        let ended = self.session.tick(now);
        if ended.is_some() {
            self.after_end(now);
        }
        self.tick_online(now);
        ended
    }

    fn after_end(&mut self, now: Instant) {
        self.page = Page::Attract;
        self.language = Language::default();
        self.elderly = false;
        self.notices_page = 0;
        self.directory_page = 0;
        self.attract_since = now;
        self.card_problem = None;
        self.card_reading_since = None;
        self.outcome = None;
        self.end_online();
    }

    fn per_page(&self) -> usize {
        if self.elderly { 3 } else { 5 }
    }

    fn clamp_pages(&mut self) {
        let pages = |n: usize, per: usize| n.div_ceil(per).max(1);
        self.notices_page = self.notices_page.min(pages(self.content.notices.len(), self.per_page()) - 1);
        self.directory_page = self.directory_page.min(pages(self.content.directory.len(), self.per_page()) - 1);
    }

    pub fn screen(&self, now: Instant) -> Screen {
        let lang = self.language;
        let view = self.session.view(now);
        let tiles = self
            .content
            .tiles
            .iter()
            .map(|t| TileRow {
                service: t.service,
                title: t.title.get(lang).to_string(),
                subtitle: t.subtitle.get(lang).to_string(),
                usable: self.online || t.service.works_offline(),
            })
            .collect();
        let slide = if self.content.slides.is_empty() {
            SlideRow::default()
        } else {
            let shown = now.saturating_duration_since(self.attract_since).as_secs() / SLIDE_INTERVAL.as_secs();
            let s = &self.content.slides[shown as usize % self.content.slides.len()];
            SlideRow { title: s.title.get(lang).to_string(), body: s.body.get(lang).to_string() }
        };
        let notice_row = |n: &crate::content::Notice| NoticeRow {
            id: n.id.clone(),
            title: n.title.get(lang).to_string(),
            date: n.date.clone(),
            category: category_id(n.category),
            body: n.body.get(lang).to_string(),
        };
        let notice = match &self.page {
            Page::Notice(id) => self.content.notices.iter().find(|n| &n.id == id).map(notice_row).unwrap_or_default(),
            _ => NoticeRow::default(),
        };
        let entry_row = |e: &crate::content::DirectoryEntry| EntryRow {
            id: e.id.clone(),
            name: e.name.get(lang).to_string(),
            location: e.location.get(lang).to_string(),
            hours: e.hours.get(lang).to_string(),
            phone: e.phone.clone(),
        };
        let unavailable_service = match &self.page {
            Page::Unavailable(service) => self
                .content
                .tiles
                .iter()
                .find(|t| t.service == *service)
                .map(|t| t.title.get(lang).to_string())
                .unwrap_or_default(),
            _ => String::new(),
        };
        Screen {
            page: self.page.clone(),
            english: lang == Language::En,
            elderly: self.elderly,
            offline: !self.online,
            printer_ready: self.printer_ready,
            countdown: view.countdown_seconds,
            resident: view.resident,
            tiles,
            slide,
            notices: paged(&self.content.notices, self.notices_page, self.per_page(), notice_row),
            notice,
            directory: paged(&self.content.directory, self.directory_page, self.per_page(), entry_row),
            unavailable_service,
            card_problem: self.card_problem.clone(),
            card_reading: self
                .card_reading_since
                .is_some_and(|since| now.saturating_duration_since(since) < CARD_READING_SHOWN_AT_MOST),
            reader_available: self.reader_available,
            places: self
                .content
                .places
                .iter()
                .map(|p| PlaceRow { id: p.id.clone(), name: p.name.get(lang).to_string() })
                .collect(),
            report_category: match self.page {
                Page::ReportPlace(category) => Some(category),
                _ => None,
            },
            reprintable: self.reprintable.iter().take(REPRINT_OFFERED).cloned().collect(),
            online: self.online_view(),
            card_for_service: match self.page {
                Page::PlaceCard(service) => self
                    .content
                    .tiles
                    .iter()
                    .find(|t| t.service == service)
                    .map(|t| t.title.get(lang).to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            },
            proposals: self.content.proposals.iter().map(|p| proposal_row(p, lang)).collect(),
            proposal: match &self.page {
                Page::Proposal(id) | Page::VoteComment(id, _) => self
                    .content
                    .proposals
                    .iter()
                    .find(|p| &p.id == id)
                    .map(|p| proposal_row(p, lang))
                    .unwrap_or_default(),
                _ => ProposalRow::default(),
            },
            vote_choice: match &self.page {
                Page::VoteComment(_, choice) => Some(*choice),
                _ => None,
            },
            phrases: match &self.page {
                Page::VoteComment(id, _) => self
                    .content
                    .proposals
                    .iter()
                    .find(|p| &p.id == id)
                    .map(|p| p.phrases.iter().map(|t| t.get(lang).to_string()).collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            },
            outcome: match self.page {
                Page::Done => self.outcome.as_ref().map(|s| s.outcome.clone()),
                _ => None,
            },
        }
    }
}

fn paged<T, R>(all: &[T], page: usize, per_page: usize, row: impl Fn(&T) -> R) -> Paged<R> {
    let pages = all.len().div_ceil(per_page).max(1);
    let page = page.min(pages - 1);
    Paged { items: all.iter().skip(page * per_page).take(per_page).map(row).collect(), page, pages }
}

impl KioskController {
    fn online_view(&self) -> OnlineView {
        let f = &self.flows;
        let input = match self.page {
            Page::ReportLookup => crate::records::grouped(&f.input),
            _ => f
                .input
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-"),
        };
        OnlineView {
            input,
            waiting: f.awaiting.is_some(),
            problem: f.problem,
            bill: f.bill.clone(),
            pay_url: f.order.as_ref().filter(|_| self.page == Page::Payment).map(|o| o.pay_url.clone()),
            cancelling: f.cancelling,
            report_status: f.report_status.clone(),
            social_insurance: f.social_record.as_ref().map(SocialInsuranceRow::from),
            slots: f.slots.clone(),
            resident_bills: f.resident_bills.clone(),
        }
    }
}

fn proposal_row(p: &crate::content::Proposal, lang: Language) -> ProposalRow {
    ProposalRow {
        id: p.id.clone(),
        title: p.title.get(lang).to_string(),
        body: p.body.get(lang).to_string(),
        closes: p.closes.clone(),
    }
}

fn category_id(category: NoticeCategory) -> &'static str {
    match category {
        NoticeCategory::Community => "community",
        NoticeCategory::PartyAffairs => "party_affairs",
        NoticeCategory::ResidentsAffairs => "residents_affairs",
        NoticeCategory::Finances => "finances",
    }
}
