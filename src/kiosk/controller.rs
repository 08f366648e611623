//! The kiosk controller: taps and time in, a [`Screen`] out.

use super::screen::*;
use crate::content::{Content, Language, NoticeCategory, Service};
use crate::devices::{CardProblem, KioskEvent};
use crate::session::{EndReason, Resident, Session, SessionEvent, SessionTiming};
use std::time::{Duration, Instant};

/// How long each attract-screen slide shows.
pub const SLIDE_INTERVAL: Duration = Duration::from_secs(8);

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
    reader_available: bool,
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
            reader_available: true,
        }
    }

    /// What a device reported.
    pub fn handle_event(&mut self, event: KioskEvent, now: Instant) {
        match event {
            KioskEvent::Identified(resident) => self.identified(resident, now),
            KioskEvent::CardRefused(problem) => {
                self.touched(now);
                self.card_problem = Some(problem);
            }
            KioskEvent::CardRemoved => self.card_removed(now),
            KioskEvent::ReaderAvailable(available) => self.reader_available = available,
        }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Any tap. On the attract screen it starts a session on the home screen.
    pub fn touched(&mut self, now: Instant) {
        self.card_problem = None;
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
        // The services without a page of their own yet open the "not offered yet" page.
        self.page = match service {
            Service::Notices => Page::Notices,
            Service::Directory => Page::Directory,
            other => Page::Unavailable(other),
        };
    }

    pub fn open_notice(&mut self, id: &str, now: Instant) {
        self.touched(now);
        if self.content.notices.iter().any(|n| n.id == id) {
            self.page = Page::Notice(id.to_string());
        }
    }

    /// A card was read and the resident identified: the session is theirs until it ends.
    pub fn identified(&mut self, resident: Resident, now: Instant) {
        self.touched(now);
        self.session.handle(SessionEvent::Identified(resident), now);
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
            reader_available: self.reader_available,
        }
    }
}

fn paged<T, R>(all: &[T], page: usize, per_page: usize, row: impl Fn(&T) -> R) -> Paged<R> {
    let pages = all.len().div_ceil(per_page).max(1);
    let page = page.min(pages - 1);
    Paged { items: all.iter().skip(page * per_page).take(per_page).map(row).collect(), page, pages }
}

fn category_id(category: NoticeCategory) -> &'static str {
    match category {
        NoticeCategory::Community => "community",
        NoticeCategory::PartyAffairs => "party_affairs",
        NoticeCategory::ResidentsAffairs => "residents_affairs",
        NoticeCategory::Finances => "finances",
    }
}
