//! The screen's frame into `AppAdapter` and `Theme`: page, language, print size, banners,
//! countdown, the card's state.

use crate::content::Language;
use crate::kiosk::messages::CardProblem;
use crate::kiosk::{HelpCallState, Page, ScanProblem, Screen};
use crate::ui::{AppAdapter, AppWindow, CardProblemKind, HelpCallKind, PageName, ScanProblemKind, Theme};
use slint::ComponentHandle;

/// Copies a screen into the UI. Language first, so that `@tr` strings and content agree; the
/// translation is switched only when the language changes (it re-evaluates every string).
pub fn apply(window: &AppWindow, screen: &Screen, previous: Option<&Screen>) {
    if previous.is_none_or(|p| p.english != screen.english) {
        let code = if screen.english { Language::En.code() } else { Language::Zh.code() };
        if let Err(e) = slint::select_bundled_translation(code) {
            tracing::error!("the UI has no {code} translation: {e}");
        }
    }
    window.global::<Theme>().set_elderly(screen.elderly);
    let app = window.global::<AppAdapter>();
    app.set_page(page_name(&screen.page));
    app.set_english(screen.english);
    app.set_voice_on(screen.voice_on);
    app.set_language_switch(screen.language_switch);
    app.set_offline(screen.offline);
    app.set_printer_ready(screen.printer_ready);
    app.set_countdown(screen.countdown.map_or(0, |s| s as i32));
    app.set_seconds_left(screen.seconds_left as i32);
    app.set_timer_held(screen.timer_held);
    app.set_can_go_back(screen.can_go_back);
    app.set_community(screen.header.community.as_str().into());
    app.set_community_ems(super::content_view::ems(&screen.header.community));
    app.set_date(screen.header.date.as_str().into());
    app.set_time(screen.header.time.as_str().into());
    app.set_station(screen.station.station.as_str().into());
    app.set_station_phone(screen.station.phone.as_str().into());
    app.set_hotline(screen.station.hotline.as_str().into());
    app.set_unavailable_service(screen.unavailable_service.as_str().into());
    app.set_reader_available(screen.reader_available);
    let (problem, expired_on) = match &screen.card_problem {
        None => (CardProblemKind::None, ""),
        Some(CardProblem::ReadFailed) => (CardProblemKind::ReadFailed, ""),
        Some(CardProblem::Expired(last_day)) => (CardProblemKind::Expired, last_day.as_str()),
        Some(CardProblem::NotAnIdCard) => (CardProblemKind::NotAnIdCard, ""),
    };
    app.set_card_problem(problem);
    let (help_call, help_answer) = match &screen.help_call {
        HelpCallState::NotCalled => (HelpCallKind::NotCalled, ""),
        HelpCallState::Calling => (HelpCallKind::Calling, ""),
        HelpCallState::Waiting => (HelpCallKind::Waiting, ""),
        HelpCallState::Answered(answer) => (HelpCallKind::Answered, answer.as_str()),
        HelpCallState::NoAnswer => (HelpCallKind::NoAnswer, ""),
        HelpCallState::Unavailable => (HelpCallKind::Unavailable, ""),
    };
    app.set_help_call(help_call);
    app.set_help_answer(help_answer.into());
    app.set_scan_problem(match screen.scan_problem {
        None => ScanProblemKind::None,
        Some(ScanProblem::Unrecognised) => ScanProblemKind::Unrecognised,
        Some(ScanProblem::Unreadable) => ScanProblemKind::Unreadable,
        Some(ScanProblem::Busy) => ScanProblemKind::Busy,
    });
    app.set_card_reading(screen.card_reading);
    app.set_card_to_take_back(screen.card_to_take_back);
    app.set_card_expired_on(expired_on.into());
}

/// The Slint page for a controller page: every page has one, checked by the compiler both ways
/// (this match, and the `PageName` enum's values in ui/adapters.slint).
pub fn page_name(page: &Page) -> PageName {
    match page {
        Page::Attract => PageName::Attract,
        Page::Home => PageName::Home,
        Page::Notices => PageName::Notices,
        Page::Notice(_) => PageName::Notice,
        Page::Directory => PageName::Directory,
        Page::Unavailable(_) => PageName::Unavailable,
        Page::Tickets => PageName::Tickets,
        Page::Report => PageName::Report,
        Page::ReportPlace(_) => PageName::ReportPlace,
        Page::Reprint => PageName::Reprint,
        Page::PlaceCard(_) => PageName::PlaceCard,
        Page::Opinions => PageName::Opinions,
        Page::Proposal(_) => PageName::Proposal,
        Page::VoteComment(..) => PageName::VoteComment,
        Page::Bills => PageName::Bills,
        Page::Bill => PageName::Bill,
        Page::Payment => PageName::Payment,
        Page::ReportLookup => PageName::ReportLookup,
        Page::SocialInsurance => PageName::SocialInsurance,
        Page::Appointments => PageName::Appointments,
        Page::Slots(_) => PageName::Slots,
        Page::Done => PageName::Done,
        Page::Help => PageName::Help,
    }
}
