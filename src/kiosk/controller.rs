//! The kiosk controller: taps and time in, a [`Screen`] out.

mod help_call;
mod online;
mod payments;
mod rating;
mod scanning;
mod screen_of;
mod services;

use super::messages::{CardProblem, KioskEvent, ServiceRequest};
use super::request_numbers::RequestNumbers;
use super::screen::*;
use crate::content::{Content, Language, Service};
use crate::session::{EndReason, Resident, Session, SessionEvent, SessionTiming};
use help_call::HelpCallFlow;
use online::OnlineFlows;
use std::time::{Duration, Instant};

/// How many of this visit's receipts the reprint page offers above its keypad: the newest one
/// that did not come out (once reprinted, the one before it is offered).
pub const REPRINT_OFFERED: usize = 1;

/// How long each attract-screen slide shows.
pub const SLIDE_INTERVAL: Duration = Duration::from_secs(8);

/// "Reading your card" shows at most this long: an ID card's read takes about a second, and its
/// result (or the reader's failure) normally ends it well before.
pub const CARD_READING_SHOWN_AT_MOST: Duration = Duration::from_secs(5);

/// A wait (a phone payment, the server, the journal or the printer) holds the idle timer at most
/// this long in one go: the payment's own limit and a minute more, so that a wait that never ends
/// (a lost answer) cannot keep a session, and the resident's data, open for ever.
pub const WAIT_HOLDS_AT_MOST: Duration = Duration::from_secs(payments::PAYMENT_WAIT_LIMIT.as_secs() + 60);

#[derive(Debug)]
pub struct KioskController {
    content: Content,
    /// New content that arrived during a session: it shows when the session ends, so that a
    /// resident in the middle of a service is never interrupted.
    next_content: Option<Box<Content>>,
    session: Session,
    page: Page,
    language: Language,
    /// The languages residents may use (configured); the first greets every session.
    languages: Vec<Language>,
    elderly: bool,
    /// The resident's choice of voice guidance this session; unset, it speaks in large print.
    voice: Option<bool>,
    online: bool,
    printer_ready: bool,
    notices_page: usize,
    /// The page of a long notice's text on screen.
    notice_part: usize,
    directory_page: usize,
    /// When the attract screen started showing, for the slide rotation.
    attract_since: Instant,
    /// The last card that was refused, shown until the next tap.
    card_problem: Option<CardProblem>,
    /// A scanned code the kiosk could not use, said until the next tap.
    scan_problem: Option<ScanProblem>,
    /// When the reader said a card is being read; its result (or any tap) ends that.
    card_reading_since: Option<Instant>,
    /// A card was read and is still on the reader: the resident is asked to take it back.
    card_to_take_back: bool,
    /// Since when the resident has been waiting (not idle), while they are.
    waiting_since: Option<Instant>,
    /// The window a booking was asked for before the card was read: its times open once it is.
    card_then_window: Option<crate::records::WindowId>,
    /// Receipts in both languages rather than the session's (configured).
    bilingual_receipts: bool,
    /// The page 帮助 was opened from, where 上一步 returns.
    help_from: Option<Page>,
    /// The help page's call for staff, and how long it waits for an answer.
    help: HelpCallFlow,
    help_answer_timeout: Duration,
    /// How many notices and directory entries fit on the screen within reach, in the current
    /// print size, as the UI last said; five and three (standard, large print) until it does.
    list_rows: Option<ListRows>,
    /// The wall clock, once the runtime has told it: the header's date and time.
    wall_clock: Option<super::wall_clock::WallClock>,
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
    /// What this session recorded: only these receipts are offered to reprint, never another
    /// resident's (a payment, a booking) from earlier in the day.
    session_seqs: Vec<u64>,
    /// Numbers the requests, recorded and online alike, so that each answer finds its own.
    request_numbers: RequestNumbers,
    /// The randomness the rules need (idempotency keys, retry jitter), seeded by the caller.
    random: fastrand::Rng,
    /// The outcome shown on the result page, with the request it answers and, once recorded,
    /// the transaction's sequence number. Emptied when the session ends.
    outcome: Option<Shown>,
}

/// What fits on the screen, as the layout says: rows of the paged lists, and characters of a
/// notice's text on one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListRows {
    pub notices: usize,
    pub directory: usize,
    pub notice_chars: usize,
}

#[derive(Debug)]
struct Shown {
    request: u64,
    seq: Option<u64>,
    outcome: ServiceOutcome,
    /// Where its rating stands: [`RatingStep::Offered`] until the resident rates or leaves.
    rating: RatingStep,
}

impl KioskController {
    /// A kiosk showing `content`; `random_seed` seeds every random choice the controller makes.
    pub fn new(content: Content, timing: SessionTiming, now: Instant, random_seed: u64) -> Self {
        Self {
            content,
            next_content: None,
            session: Session::new(timing),
            page: Page::Attract,
            language: Language::default(),
            languages: vec![Language::Zh, Language::En],
            elderly: false,
            voice: None,
            online: true,
            printer_ready: true,
            notices_page: 0,
            notice_part: 0,
            directory_page: 0,
            attract_since: now,
            card_problem: None,
            scan_problem: None,
            card_reading_since: None,
            card_to_take_back: false,
            waiting_since: None,
            help_from: None,
            help: HelpCallFlow::default(),
            help_answer_timeout: help_call::DEFAULT_HELP_ANSWER_TIMEOUT,
            card_then_window: None,
            bilingual_receipts: false,
            list_rows: None,
            wall_clock: None,
            reader_available: true,
            requests: Vec::new(),
            online_requests: Vec::new(),
            flows: OnlineFlows::default(),
            order_bills: Default::default(),
            unsettled_cancels: Vec::new(),
            reprintable: Vec::new(),
            session_seqs: Vec::new(),
            request_numbers: RequestNumbers::default(),
            random: fastrand::Rng::with_seed(random_seed),
            outcome: None,
        }
    }

    /// Prints every receipt in Chinese and English, whatever the session's language.
    pub fn with_bilingual_receipts(mut self, bilingual: bool) -> Self {
        self.bilingual_receipts = bilingual;
        self
    }

    /// Receipts in both languages from now on, or in the session's (configured, changed live).
    pub fn set_bilingual_receipts(&mut self, bilingual: bool) {
        self.bilingual_receipts = bilingual;
    }

    /// The languages residents may use, the first greeting each session (configured). A
    /// session in progress keeps its language; the next one starts in the first.
    pub fn set_languages(&mut self, languages: &[Language]) {
        let Some(&first) = languages.first() else { return };
        self.languages = languages.to_vec();
        if !self.session.is_active() || !self.languages.contains(&self.language) {
            self.language = first;
        }
    }

    /// Whether a resident may switch language (more than one is configured).
    pub fn language_switch(&self) -> bool {
        self.languages.len() > 1
    }

    /// The session timing in force.
    pub fn session_timing(&self) -> SessionTiming {
        self.session.timing()
    }

    /// The session timing from now on (configured, changed live): a session in progress counts
    /// its remaining time with it.
    pub fn set_timing(&mut self, timing: SessionTiming) {
        self.session.set_timing(timing);
    }

    /// The language the receipts of this session are printed in.
    pub fn receipt_language(&self) -> crate::records::ReceiptLanguage {
        use crate::records::ReceiptLanguage;
        match (self.bilingual_receipts, self.language) {
            (true, _) => ReceiptLanguage::Both,
            (false, Language::Zh) => ReceiptLanguage::Chinese,
            (false, Language::En) => ReceiptLanguage::English,
        }
    }

    /// Tells the wall clock: it was `unix_ms` at `at`. The header shows no date until then.
    pub fn with_wall_clock(mut self, at: Instant, unix_ms: i64) -> Self {
        self.wall_clock = Some(super::wall_clock::WallClock { at, unix_ms });
        self
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
            // The resident stays identified: taking the card back is what every terminal asks.
            KioskEvent::CardRemoved => {
                self.card_reading_since = None;
                self.card_to_take_back = false;
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
            KioskEvent::ReprintRefused { request, why } => self.reprint_refused(request, why),
            KioskEvent::Online(online) => self.online = online,
            KioskEvent::ContentArrived(content) => {
                if self.page == Page::Attract {
                    self.show_content(*content);
                } else {
                    self.next_content = Some(content);
                }
            }
            KioskEvent::Answered { request, answer } => self.answered(request, answer, now),
            KioskEvent::CodeScanned(code) => self.code_scanned(&code, now),
            KioskEvent::CodeUnreadable => self.code_unreadable(now),
        }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Any tap. On the attract screen it starts a session on the home screen.
    pub fn touched(&mut self, now: Instant) {
        self.card_problem = None;
        self.scan_problem = None;
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
        if service == Service::Reprint {
            // Its keypad starts empty.
            self.flows = online::OnlineFlows::default();
        }
        // The services without a page of their own yet open the "not offered yet" page.
        self.page = self.page_of(service);
    }

    fn page_of(&self, service: Service) -> Page {
        match service {
            // One proposal open: straight to it, no list of one.
            Service::Opinions if self.content.proposals.len() == 1 => {
                Page::Proposal(self.content.proposals[0].id.clone())
            }
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
        if self.notices_shown(now).iter().any(|n| n.id == id) {
            self.page = Page::Notice(id.to_string());
            self.notice_part = 0;
        }
    }

    /// A card was read and the resident identified: the session is theirs until it ends.
    /// On the "place your card" page, the service the resident came for opens.
    pub fn identified(&mut self, resident: Resident, now: Instant) {
        self.touched(now);
        self.session.handle(SessionEvent::Identified(resident), now);
        self.card_to_take_back = true;
        if let Page::PlaceCard(service) = self.page {
            match service {
                Service::SocialInsurance => self.open_online(Page::SocialInsurance),
                // Only the ticket page's booking asks for a card for this tile.
                Service::Appointments => match self.card_then_window.take() {
                    Some(window) => {
                        self.open_online(Page::Slots(window));
                        self.ask_slots(window);
                    }
                    None => self.open_online(Page::Appointments),
                },
                // Bills by card: the resident's bills are asked for at once.
                Service::Bills => self.open_online(Page::Bills),
                other => self.page = self.page_of(other),
            }
        }
    }

    pub fn go_home(&mut self, now: Instant) {
        self.touched(now);
        self.page = Page::Home;
    }

    /// 上一步: the step before this page (see [`Page::step_back`]); from help, the page it was
    /// opened from.
    pub fn go_back(&mut self, now: Instant) {
        self.touched(now);
        let back = match self.page {
            Page::Help => self.help_from.take(),
            // A list of one proposal is never shown: back from it is home.
            Page::Proposal(_) if self.content.proposals.len() == 1 => Some(Page::Home),
            ref page => page.step_back(),
        };
        if let Some(page) = back {
            self.page = page;
        }
    }

    /// 帮助: how to use the kiosk and whom to call; 上一步 returns to this page.
    pub fn open_help(&mut self, now: Instant) {
        self.touched(now);
        if self.page != Page::Help {
            self.help_from = Some(std::mem::replace(&mut self.page, Page::Help));
        }
    }

    /// 退出: ends the session and wipes it; the next resident starts in Chinese, standard print.
    pub fn exit(&mut self, now: Instant) {
        self.session.handle(SessionEvent::Exit, now);
        self.after_end(now);
    }

    pub fn set_language(&mut self, language: Language, now: Instant) {
        self.touched(now);
        if self.languages.contains(&language) {
            self.language = language;
        }
    }

    pub fn set_elderly(&mut self, elderly: bool, now: Instant) {
        self.touched(now);
        self.elderly = elderly;
        self.session.set_large_print(elderly);
        self.clamp_pages();
    }

    /// The bottom bar's voice switch: on or off for the rest of the session, whatever the print
    /// size.
    pub fn set_voice(&mut self, on: bool, now: Instant) {
        self.touched(now);
        self.voice = Some(on);
    }

    /// Whether the kiosk speaks: as the resident chose, else in large print.
    pub fn voice_on(&self) -> bool {
        self.voice.unwrap_or(self.elderly)
    }

    pub fn set_notices_page(&mut self, page: usize, now: Instant) {
        self.touched(now);
        self.notices_page = page;
        self.clamp_pages();
    }

    /// The page of a long notice's text.
    pub fn set_notice_part(&mut self, part: usize, now: Instant) {
        self.touched(now);
        self.notice_part = part;
    }

    pub fn set_directory_page(&mut self, page: usize, now: Instant) {
        self.touched(now);
        self.directory_page = page;
        self.clamp_pages();
    }

    /// Time passes: ends an idle session. Returns why, when it ended one. A resident who waits
    /// (see [`Self::waiting`]) is not idle: the timer is held, at most [`WAIT_HOLDS_AT_MOST`].
    pub fn tick(&mut self, now: Instant) -> Option<EndReason> {
        if self.waiting(now) {
            let since = *self.waiting_since.get_or_insert(now);
            if now.saturating_duration_since(since) < WAIT_HOLDS_AT_MOST {
                self.session.waiting(now);
            }
        } else {
            self.waiting_since = None;
        }
        let ended = self.session.tick(now);
        if ended.is_some() {
            self.after_end(now);
        }
        self.tick_online(now);
        self.tick_help(now);
        ended
    }

    fn after_end(&mut self, now: Instant) {
        self.page = Page::Attract;
        self.language = self.languages.first().copied().unwrap_or_default();
        self.elderly = false;
        self.voice = None;
        self.notices_page = 0;
        self.directory_page = 0;
        self.attract_since = now;
        self.card_problem = None;
        self.card_reading_since = None;
        self.card_to_take_back = false;
        self.waiting_since = None;
        self.help_from = None;
        self.card_then_window = None;
        self.session_seqs.clear();
        self.outcome = None;
        self.end_online();
        self.end_help();
        if let Some(content) = self.next_content.take() {
            self.show_content(*content);
        }
    }

    /// Shows `content` from now on (on the attract screen, between sessions).
    fn show_content(&mut self, content: Content) {
        tracing::info!("new content shown");
        self.content = content;
        self.notices_page = 0;
        self.directory_page = 0;
        self.notice_part = 0;
    }

    /// The notices that show at `now`: those whose start has come and whose end has not, by the
    /// wall clock (all of them before the runtime has told the time).
    pub(super) fn notices_shown(&self, now: Instant) -> Vec<&crate::content::Notice> {
        let unix_ms = self.wall_clock.map(|clock| clock.unix_ms_at(now));
        self.content.notices.iter().filter(|n| unix_ms.is_none_or(|ms| n.shows_at(ms))).collect()
    }

    /// The content on screen.
    pub fn content(&self) -> &Content {
        &self.content
    }

    /// The resident waits for something other than themselves: a payment on their phone (while
    /// its code is valid), the server's answer, the journal's record or the printer.
    fn waiting(&self, now: Instant) -> bool {
        let cancel_asked = self.flows.cancelling
            || self
                .flows
                .order
                .as_ref()
                .is_some_and(|o| self.unsettled_cancels.iter().any(|c| c.order_id == o.order_id));
        let paying = !cancel_asked && self.payment_time_left(now).is_some();
        let printing = self.outcome.as_ref().is_some_and(|shown| {
            self.page == Page::Done
                && matches!(shown.outcome, ServiceOutcome::Recording)
                    | matches!(shown.outcome.receipt(), Some(ReceiptProgress::Printing))
        });
        paying || printing || self.flows.awaiting.is_some() || self.help_waiting()
    }

    /// The receipts of this session that did not come out, newest first.
    pub(super) fn reprint_offer(&self) -> impl Iterator<Item = &crate::kiosk::messages::Reprintable> {
        self.reprintable.iter().filter(|r| self.session_seqs.contains(&r.seq)).take(REPRINT_OFFERED)
    }

    /// How many notices and directory entries fit on the screen as the UI lays them out, in the
    /// print size the screen shows now (the layout decides; the controller pages by it).
    /// Returns whether that changed anything.
    pub fn set_list_rows(&mut self, rows: ListRows) -> bool {
        let changed = self.list_rows != Some(rows);
        if changed {
            self.list_rows = Some(rows);
            self.clamp_pages();
        }
        changed
    }

    pub(super) fn list_rows(&self) -> ListRows {
        let default = if self.elderly { 3 } else { 5 };
        let chars = if self.elderly { 300 } else { 600 };
        let rows = self.list_rows.unwrap_or(ListRows { notices: default, directory: default, notice_chars: chars });
        ListRows {
            notices: rows.notices.max(1),
            directory: rows.directory.max(1),
            notice_chars: rows.notice_chars.max(40),
        }
    }

    fn clamp_pages(&mut self) {
        let pages = |n: usize, per: usize| n.div_ceil(per).max(1);
        let rows = self.list_rows();
        self.notices_page = self.notices_page.min(pages(self.content.notices.len(), rows.notices) - 1);
        self.directory_page = self.directory_page.min(pages(self.content.directory.len(), rows.directory) - 1);
    }
}
