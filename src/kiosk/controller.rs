//! The kiosk controller: taps and time in, a [`Screen`] out.

mod online;
mod payments;
mod screen_of;
mod services;

use super::messages::{CardProblem, KioskEvent, ServiceRequest};
use super::request_numbers::RequestNumbers;
use super::screen::*;
use crate::content::{Content, Language, Service};
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
    online_requests: Vec<crate::kiosk::messages::OnlineRequest>,
    /// The online services' state for the session on screen.
    flows: OnlineFlows,
    /// Payment orders this kiosk made and has not yet seen paid or closed, with their bills (for
    /// the receipt); they outlive the session that made them.
    order_bills: std::collections::HashMap<String, citizen_window_protocol::services::Bill>,
    /// Cancels the server has not answered yet, sent again until it does.
    unsettled_cancels: Vec<payments::UnsettledCancel>,
    /// The receipts that can be reprinted, as the recording thread last reported them.
    reprintable: Vec<crate::kiosk::messages::Reprintable>,
    /// Numbers the requests, recorded and online alike, so that each answer finds its own.
    request_numbers: RequestNumbers,
    /// The randomness the rules need (idempotency keys, retry jitter), seeded by the caller.
    random: fastrand::Rng,
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
    /// A kiosk showing `content`; `random_seed` seeds every random choice the controller makes.
    pub fn new(content: Content, timing: SessionTiming, now: Instant, random_seed: u64) -> Self {
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
            request_numbers: RequestNumbers::default(),
            random: fastrand::Rng::with_seed(random_seed),
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
}
