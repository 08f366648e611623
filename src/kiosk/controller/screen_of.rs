//! The controller's [`Screen`]: what one frame shows, built from the controller's state, in the
//! resident's language, with lists paged.

use super::{CARD_READING_SHOWN_AT_MOST, KioskController, SLIDE_INTERVAL};
use crate::content::{Language, NoticeCategory};
use crate::kiosk::screen::*;
use std::time::Instant;

impl KioskController {
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
            SlideRow {
                title: s.title.get(lang).to_string(),
                body: s.body.get(lang).to_string(),
                image: s.image_path.clone(),
            }
        };
        let notice_row = |n: &crate::content::Notice| NoticeRow {
            id: n.id.clone(),
            title: n.title.get(lang).to_string(),
            date: n.date.clone(),
            category: category_id(n.category),
            body: n.body.get(lang).to_string(),
            image: n.image_path.clone(),
        };
        let shown = self.notices_shown(now);
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
        // A long notice, a page of its text at a time.
        let parts = crate::kiosk::text_pages::pages(&notice.body, self.list_rows().notice_chars)
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
        let notice_part = self.notice_part.min(parts.len() - 1);
        let notice = NoticeRow { body: parts[notice_part].clone(), ..notice };
        Screen {
            notice_part: (notice_part, parts.len()),
            page: self.page.clone(),
            english: lang == Language::En,
            language_switch: self.language_switch(),
            elderly: self.elderly,
            voice_on: self.voice_on(),
            offline: !self.online,
            printer_ready: self.printer_ready,
            countdown: view.countdown_seconds,
            seconds_left: view.seconds_left,
            timer_held: self
                .waiting_since
                .is_some_and(|since| now.saturating_duration_since(since) < super::WAIT_HOLDS_AT_MOST),
            can_go_back: match self.page {
                Page::Help => self.help_from.is_some(),
                ref page => page.step_back().is_some(),
            },
            header: self.header(now),
            station: StationRow {
                station: self.content.station.station.get(lang).to_string(),
                phone: self.content.station.phone.clone(),
                hotline: self.content.station.hotline.clone(),
            },
            resident: view.resident,
            tiles,
            slide,
            urgent: shown.iter().find(|n| n.urgent).map(|n| notice_row(n)),
            notices: paged(&shown, self.notices_page, self.list_rows().notices, |n| notice_row(n)),
            notice,
            directory: paged(&self.content.directory, self.directory_page, self.list_rows().directory, entry_row),
            unavailable_service,
            card_problem: self.card_problem.clone(),
            scan_problem: self.scan_problem,
            card_reading: self
                .card_reading_since
                .is_some_and(|since| now.saturating_duration_since(since) < CARD_READING_SHOWN_AT_MOST),
            card_to_take_back: self.card_to_take_back,
            reader_available: self.reader_available,
            places: self
                .content
                .places
                .iter()
                .map(|p| ChoiceRow { id: p.id.clone(), name: p.name.get(lang).to_string() })
                .collect(),
            issue_categories: self
                .content
                .issue_categories
                .iter()
                .map(|c| ChoiceRow { id: c.id.clone(), name: c.name.get(lang).to_string() })
                .collect(),
            windows: self
                .content
                .windows
                .iter()
                .map(|w| ChoiceRow { id: w.id.as_str().to_string(), name: w.name.get(lang).to_string() })
                .collect(),
            report_category: match &self.page {
                Page::ReportPlace(category) => self.content.issue_category(category).map(|c| c.name.get(lang).into()),
                _ => None,
            },
            reprintable: self.reprint_offer().cloned().collect(),
            reprint_keypad: self.flows.typing_receipt_number || self.reprint_offer().next().is_none(),
            online: self.online_view(now),
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
            rating: self.rating_step(),
            help_call: self.help_state(),
            rating_levels: crate::records::RatingLevel::ALL
                .iter()
                .map(|l| {
                    let (zh, en) = l.name();
                    ChoiceRow { id: l.id().into(), name: if lang == Language::En { en } else { zh }.into() }
                })
                .collect(),
            rating_reasons: self
                .content
                .rating_reasons
                .iter()
                .map(|r| ChoiceRow { id: r.id.clone(), name: r.name.get(lang).to_string() })
                .collect(),
        }
    }
}

fn paged<T, R>(all: &[T], page: usize, per_page: usize, row: impl Fn(&T) -> R) -> Paged<R> {
    let pages = all.len().div_ceil(per_page).max(1);
    let page = page.min(pages - 1);
    Paged { items: all.iter().skip(page * per_page).take(per_page).map(row).collect(), page, pages }
}

/// Months of contributions the social-insurance page shows in large print.
const LARGE_PRINT_MONTHS: usize = 3;

impl KioskController {
    fn header(&self, now: Instant) -> HeaderRow {
        use crate::kiosk::wall_clock::{header_date, header_time};
        let community = self.content.station.community.get(self.language).to_string();
        match self.wall_clock.map(|clock| clock.unix_ms_at(now)) {
            Some(unix_ms) => {
                HeaderRow { community, date: header_date(unix_ms, self.language), time: header_time(unix_ms) }
            }
            None => HeaderRow { community, ..HeaderRow::default() },
        }
    }

    fn online_view(&self, now: Instant) -> OnlineView {
        let f = &self.flows;
        let input = match self.page {
            Page::ReportLookup | Page::Reprint => crate::records::grouped(&f.input),
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
            payment_seconds_left: self.payment_time_left(now).map(|left| left.as_millis().div_ceil(1000) as u32),
            cancelling: f.cancelling,
            report_status: f.report_status.clone(),
            // Large print shows the latest months that fit; the statement prints them all.
            social_insurance: f
                .social_record
                .as_ref()
                .map(SocialInsuranceRow::from)
                .map(|row| if self.elderly { row.latest(LARGE_PRINT_MONTHS) } else { row }),
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
