//! The controller's rules, with the example content and made-up instants.

use super::*;
use crate::content::{Content, Service};
use crate::session::{EndReason, Resident, SessionTiming};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

fn kiosk(t0: Instant) -> KioskController {
    KioskController::new(Content::load(&Content::example_dir()).unwrap(), SessionTiming::default(), t0, 7)
}

fn resident(name: &str, masked_id: &str) -> Resident {
    Resident {
        name: Zeroizing::new(name.into()),
        masked_id: Zeroizing::new(masked_id.into()),
        handle: crate::resident_key::test_only_handle("110101196005010019"),
    }
}

/// A window of the example content, as a ticket records it.
fn window(id: &str) -> crate::records::ServiceWindow {
    let content = Content::load(&Content::example_dir()).unwrap();
    let w = content.window(id).unwrap();
    crate::records::ServiceWindow { id: w.id, number: w.number, name: w.name.pair() }
}

/// Types `digits` on the page's keypad, one tap each.
fn type_on_keypad(k: &mut KioskController, digits: &str, now: Instant) {
    for digit in digits.chars() {
        k.keypad_digit(digit, now);
    }
}

/// From home: the bills page, an account number typed and looked up.
fn look_up_account(k: &mut KioskController, account_digits: &str, now: Instant) {
    k.open_service("bills", now);
    type_on_keypad(k, account_digits, now);
    k.keypad_confirm(now);
}

fn secs(t0: Instant, s: u64) -> Instant {
    t0 + Duration::from_secs(s)
}

#[test]
fn a_tap_on_the_attract_screen_opens_the_home_screen_with_every_tile() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    assert_eq!(k.screen(t0).page, Page::Attract);
    k.touched(secs(t0, 1));
    let screen = k.screen(secs(t0, 1));
    assert_eq!(screen.page, Page::Home);
    assert_eq!(screen.tiles.len(), 8);
    assert_eq!(screen.tiles[0].title, "社区公告", "Chinese by default");
}

#[test]
fn slides_rotate_on_the_attract_screen() {
    let t0 = Instant::now();
    let k = kiosk(t0);
    let first = k.screen(t0).slide;
    assert_ne!(k.screen(t0 + controller::SLIDE_INTERVAL).slide, first);
}

#[test]
fn notices_are_paged_and_open_one_by_one_in_the_chosen_language() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.open_service("notices", t0);
    let screen = k.screen(t0);
    assert_eq!(screen.page, Page::Notices);
    assert_eq!((screen.notices.items.len(), screen.notices.pages), (5, 1));
    k.set_elderly(true, t0);
    let screen = k.screen(t0);
    assert_eq!((screen.notices.items.len(), screen.notices.pages), (3, 2), "fewer, larger items in elderly mode");
    k.set_notices_page(1, t0);
    assert_eq!(k.screen(t0).notices.items.len(), 2);
    // The layout says how many fit: the controller pages by that.
    assert!(k.set_list_rows(crate::kiosk::ListRows { notices: 2, directory: 2, notice_chars: 600 }));
    assert_eq!(k.screen(t0).notices.pages, 3);
    assert!(!k.set_list_rows(crate::kiosk::ListRows { notices: 2, directory: 2, notice_chars: 600 }), "no change");
    k.set_notices_page(7, t0);
    assert_eq!(k.screen(t0).notices.page, 2, "a page past the end shows the last one");
    k.set_language(crate::content::Language::En, t0);
    k.open_notice("n-2026-11-20-heating", t0);
    let screen = k.screen(t0);
    assert_eq!(screen.page, Page::Notice("n-2026-11-20-heating".into()));
    assert_eq!(screen.notice.title, "Winter heating");
    assert_eq!(screen.notice.category, "community");
}

#[test]
fn offline_an_online_service_says_so_by_name() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.handle_event(crate::kiosk::messages::KioskEvent::Online(false), t0);
    k.open_service("bills", t0);
    let screen = k.screen(t0);
    assert_eq!(screen.page, Page::Unavailable(Service::Bills));
    assert_eq!(screen.unavailable_service, "便民缴费");
}

#[test]
fn offline_the_online_only_tiles_are_marked_and_the_rest_stay_usable() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.handle_event(crate::kiosk::messages::KioskEvent::Online(false), t0);
    let screen = k.screen(t0);
    assert!(screen.offline);
    let unusable: Vec<_> = screen.tiles.iter().filter(|t| !t.usable).map(|t| t.service).collect();
    assert_eq!(unusable, vec![Service::Bills, Service::SocialInsurance]);
}

#[test]
fn the_end_of_a_session_wipes_the_resident_and_resets_language_and_print_size() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.identified(resident("张伟", "1101**********1234"), t0);
    k.set_language(crate::content::Language::En, t0);
    k.set_elderly(true, t0);
    k.open_service("directory", t0);
    assert_eq!(k.screen(t0).resident.as_ref().map(|r| r.name.as_str()), Some("张伟"));
    assert_eq!(k.screen(secs(t0, 110)).countdown, Some(10), "large print: 120 s");
    assert_eq!(k.tick(secs(t0, 120)), Some(EndReason::IdleTimeout));
    let screen = k.screen(secs(t0, 120));
    assert_eq!(screen.page, Page::Attract);
    assert!(screen.resident.is_none() && !screen.english && !screen.elderly && screen.countdown.is_none());
}

#[test]
fn lifting_the_card_keeps_the_resident_until_exit_and_asks_for_the_card_back_until_then() {
    use crate::kiosk::messages::KioskEvent;
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_service(Service::Opinions.id(), t0);
    assert!(matches!(k.screen(t0).page, Page::PlaceCard(Service::Opinions)));
    k.handle_event(KioskEvent::Identified(resident("李秀兰", "3101**********0021")), secs(t0, 1));
    let screen = k.screen(secs(t0, 1));
    let proposal = Page::Proposal(screen.proposals[0].id.clone());
    assert_eq!(screen.page, proposal, "the service the resident came for opens");
    assert!(screen.card_to_take_back, "已读取，请取回身份证 as soon as the read is done");
    // The resident takes the card back, as the screen asked: still identified, same page.
    k.handle_event(KioskEvent::CardRemoved, secs(t0, 3));
    let screen = k.screen(secs(t0, 3));
    assert_eq!(screen.page, proposal);
    assert_eq!(screen.resident.as_ref().map(|r| r.name.as_str()), Some("李秀兰"));
    assert!(!screen.card_to_take_back);
    // The vote goes on without the card.
    k.choose_vote(crate::records::VoteChoice::Agree.id(), secs(t0, 5));
    k.cast_vote(None, secs(t0, 5));
    assert!(!k.take_requests().is_empty(), "the vote was asked for");
    // 退出 ends it and wipes the resident.
    k.exit(secs(t0, 6));
    let screen = k.screen(secs(t0, 6));
    assert_eq!(screen.page, Page::Attract);
    assert!(screen.resident.is_none() && !screen.card_to_take_back);
}

#[test]
fn large_print_doubles_the_idle_timeout() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.set_elderly(true, t0);
    assert_eq!(k.tick(secs(t0, 60)), None);
    assert_eq!(k.screen(secs(t0, 110)).countdown, Some(10));
    assert_eq!(k.tick(secs(t0, 120)), Some(EndReason::IdleTimeout));
    assert!(!k.screen(secs(t0, 120)).elderly);
}

#[test]
fn a_card_being_read_is_said_until_its_result_and_never_for_long() {
    use crate::kiosk::messages::{CardProblem, KioskEvent};
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_service(Service::Opinions.id(), t0);
    k.handle_event(KioskEvent::CardReading, t0);
    assert!(k.screen(t0).card_reading);
    k.handle_event(KioskEvent::Identified(resident("李秀兰", "3101**********0021")), secs(t0, 1));
    assert!(!k.screen(secs(t0, 1)).card_reading, "read: the service opens");
    // A card that cannot be read: the problem replaces it.
    k.handle_event(KioskEvent::CardReading, secs(t0, 2));
    k.handle_event(KioskEvent::CardRefused(CardProblem::ReadFailed), secs(t0, 3));
    let screen = k.screen(secs(t0, 3));
    assert!(!screen.card_reading && screen.card_problem == Some(CardProblem::ReadFailed));
    // The reader stops answering mid-read, or nothing comes at all: it does not stay.
    k.handle_event(KioskEvent::CardReading, secs(t0, 4));
    k.handle_event(KioskEvent::ReaderAvailable(false), secs(t0, 4));
    assert!(!k.screen(secs(t0, 4)).card_reading);
    k.handle_event(KioskEvent::CardReading, secs(t0, 5));
    assert!(k.screen(secs(t0, 9)).card_reading);
    assert!(!k.screen(secs(t0, 10)).card_reading, "at most five seconds");
}

fn recorded_event(
    request: u64,
    seq: u64,
    what: crate::kiosk::messages::RecordedWhat,
) -> crate::kiosk::messages::KioskEvent {
    crate::kiosk::messages::KioskEvent::Recorded(crate::kiosk::messages::Recorded {
        request,
        seq,
        what,
        printing: true,
        copy: false,
    })
}

#[test]
fn a_ticket_is_asked_for_then_shown_with_its_number_and_receipt() {
    use crate::kiosk::messages::{KioskEvent, RecordedWhat, ServiceAsk};
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_service("appointments", t0);
    assert_eq!(k.screen(t0).page, Page::Tickets);
    k.take_ticket("legal_aid", t0);
    let requests = k.take_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].ask, ServiceAsk::Ticket { window: window("legal_aid"), letter: 'D' });
    assert_eq!(window("legal_aid").number, 4, "the number on the sign, from the content");
    assert!(k.take_requests().is_empty(), "each request is handed out once");
    assert_eq!(k.screen(t0).outcome, Some(ServiceOutcome::Recording));

    let what = RecordedWhat::Ticket { window: window("legal_aid"), number: "D001".into() };
    k.handle_event(recorded_event(requests[0].number, 7, what), t0);
    let ticket =
        |receipt| ServiceOutcome::Ticket { window: window("legal_aid"), number: "D001".into(), receipt, copy: false };
    assert_eq!(k.screen(t0).outcome, Some(ticket(ReceiptProgress::Printing)));
    k.handle_event(KioskEvent::ReceiptOutcome { seq: 6, printed: true }, t0);
    assert_eq!(k.screen(t0).outcome, Some(ticket(ReceiptProgress::Printing)), "another receipt's outcome");
    k.handle_event(KioskEvent::ReceiptOutcome { seq: 7, printed: false }, t0);
    assert_eq!(k.screen(t0).outcome, Some(ticket(ReceiptProgress::NotPrinted)));
}

#[test]
fn a_report_takes_a_category_then_a_place_from_the_content() {
    use crate::kiosk::messages::ServiceAsk;
    use crate::records::IssueCategory;
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_service("reports", t0);
    k.choose_report_place("east-gate", t0);
    assert!(k.take_requests().is_empty(), "no place before a category");
    k.choose_report_category("leaking_pipe", t0);
    let screen = k.screen(t0);
    assert_eq!(screen.page, Page::ReportPlace("leaking_pipe".into()));
    assert_eq!(screen.report_category.as_deref(), Some("管道漏水"));
    assert_eq!(screen.issue_categories.len(), 6, "the content's categories");
    assert!(screen.places.iter().any(|p| p.name == "小区东门"));
    k.choose_report_place("no-such-place", t0);
    assert!(k.take_requests().is_empty());
    k.choose_report_place("east-gate", t0);
    let requests = k.take_requests();
    assert_eq!(
        requests[0].ask,
        ServiceAsk::Report {
            category: IssueCategory { id: "leaking_pipe".into(), name: ("管道漏水".into(), "Leaking pipe".into()) },
            place: "east-gate".into(),
            place_name: ("小区东门".into(), "East gate".into())
        }
    );
}

#[test]
fn an_answer_for_an_earlier_session_is_not_shown_to_the_next_resident() {
    use crate::kiosk::messages::{KioskEvent, RecordedWhat};
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_service("appointments", t0);
    k.take_ticket("social_insurance", t0);
    let first = k.take_requests().remove(0);
    k.exit(t0);
    k.touched(t0);
    k.open_service("appointments", t0);
    k.take_ticket("social_insurance", t0);
    let second = k.take_requests().remove(0);
    let what = |n: &str| RecordedWhat::Ticket { window: window("social_insurance"), number: n.into() };
    k.handle_event(recorded_event(first.number, 1, what("A001")), t0);
    assert_eq!(k.screen(t0).outcome, Some(ServiceOutcome::Recording));
    k.handle_event(KioskEvent::RecordRefused { request: second.number }, t0);
    assert_eq!(k.screen(t0).outcome, Some(ServiceOutcome::Refused));
    k.exit(t0);
    assert_eq!(k.screen(t0).outcome, None);
}

#[test]
fn only_an_offered_receipt_can_be_reprinted() {
    use crate::kiosk::messages::{KioskEvent, RecordedWhat, Reprintable, ServiceAsk};
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    // An earlier resident's payment did not print: nobody else is offered it.
    let earlier = Reprintable {
        seq: 8,
        what: RecordedWhat::Payment { utility: None, amount_fen: 4140, order_id: "po-1".into() },
        time: "09:30".into(),
    };
    k.touched(t0);
    // This resident's ticket does not print either.
    k.open_service("appointments", t0);
    k.take_ticket("civil_affairs", t0);
    let asked = k.take_requests().remove(0);
    let what = RecordedWhat::Ticket { window: window("civil_affairs"), number: "B004".into() };
    k.handle_event(recorded_event(asked.number, 9, what.clone()), t0);
    let own = Reprintable { seq: 9, what, time: "09:41".into() };
    k.handle_event(KioskEvent::Reprintable(vec![own, earlier]), t0);
    k.open_service("reprint", t0);
    assert_eq!(k.screen(t0).page, Page::Reprint);
    assert_eq!(k.screen(t0).reprintable.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![9], "their own only");
    k.reprint(8, t0);
    assert!(k.take_requests().is_empty(), "not offered");
    k.reprint(9, t0);
    assert_eq!(k.take_requests()[0].ask, ServiceAsk::Reprint { seq: 9 });
    assert_eq!(k.screen(t0).page, Page::Done);
    // The next resident is offered nothing of it.
    k.exit(t0);
    k.touched(t0);
    k.open_service("reprint", t0);
    assert!(k.screen(t0).reprintable.is_empty());
}

#[test]
fn a_vote_asks_for_the_card_first_then_carries_the_resident_handle_not_the_name() {
    use crate::kiosk::messages::{KioskEvent, ServiceAsk};
    use crate::records::VoteChoice;
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_service("opinions", t0);
    assert_eq!(k.screen(t0).page, Page::PlaceCard(Service::Opinions));
    assert_eq!(k.screen(t0).card_for_service, "民意征集");
    k.identified(resident("张伟", "1101**********1234"), t0);
    let id = k.screen(t0).proposals[0].id.clone();
    assert_eq!(k.screen(t0).page, Page::Proposal(id), "the one open proposal opens by itself once identified");
    k.choose_vote("maybe", t0);
    assert!(matches!(k.screen(t0).page, Page::Proposal(_)), "an unknown vote is ignored");
    k.choose_vote("disagree", t0);
    assert_eq!(k.screen(t0).vote_choice, Some(VoteChoice::Disagree));
    assert_eq!(k.screen(t0).phrases.len(), 3);
    k.cast_vote(Some(7), t0);
    assert!(k.take_requests().is_empty(), "a comment that is not offered");
    k.cast_vote(Some(1), t0);
    let request = k.take_requests().remove(0);
    let ServiceAsk::Vote { resident, choice, comment, .. } = &request.ask else { panic!("{request:?}") };
    assert_eq!((resident, *choice), (&self::resident("", "").handle, VoteChoice::Disagree));
    assert_eq!(comment.as_ref().map(|c| c.1.as_str()), Some("Worried about losing green space"));
    k.handle_event(KioskEvent::VoteRefused { request: request.number, closed: false }, t0);
    assert_eq!(k.screen(t0).outcome, Some(ServiceOutcome::AlreadyVoted));
}

#[test]
fn a_vote_the_server_did_not_count_says_so_while_the_resident_is_there() {
    use crate::kiosk::messages::{KioskEvent, Recorded, RecordedWhat};
    use crate::records::VoteChoice;
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_service("opinions", t0);
    k.handle_event(KioskEvent::Identified(resident("张伟", "1101**********1234")), t0);
    let id = k.screen(t0).proposals[0].id.clone();
    k.open_proposal(&id, t0);
    k.choose_vote("agree", t0);
    k.cast_vote(None, t0);
    let request = k.take_requests().remove(0);
    let what = RecordedWhat::Vote { choice: VoteChoice::Agree, vote_code: "ABCD".into() };
    let recorded = Recorded { request: request.number, seq: 9, what, printing: true, copy: false };
    k.handle_event(KioskEvent::Recorded(recorded), t0);
    // Another vote's refusal changes nothing on screen; this one's does.
    k.handle_event(KioskEvent::VoteNotCounted { seq: 8 }, t0);
    assert!(matches!(k.screen(t0).outcome, Some(ServiceOutcome::Vote { .. })));
    k.handle_event(KioskEvent::VoteNotCounted { seq: 9 }, t0);
    assert_eq!(k.screen(t0).outcome, Some(ServiceOutcome::VoteNotCounted));
}

mod help_call;
mod online_services;
mod rating;
mod scanning;

#[test]
fn an_appointment_asks_for_the_card_then_books_a_free_time_and_records_it() {
    use crate::kiosk::messages::{KioskEvent, ServiceAsk};
    use crate::kiosk::messages::{OnlineAnswer, OnlineAsk};
    use citizen_window_protocol::services::{Appointment, AppointmentSlot};
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_service("appointments", t0);
    k.open_appointments(t0);
    assert_eq!(k.screen(t0).page, Page::PlaceCard(Service::Appointments));
    k.identified(resident("张伟", "1101**********1234"), t0);
    assert_eq!(k.screen(t0).page, Page::Appointments);
    k.choose_appointment_window("legal_aid", t0);
    let ask = k.take_online_requests().remove(0);
    assert_eq!(ask.ask, OnlineAsk::Slots { window: crate::records::WindowId::fixed("legal_aid") });
    let slot = |id: &str, free| AppointmentSlot {
        slot_id: id.into(),
        window: crate::records::WindowId::fixed("legal_aid"),
        starts_at: "2026-11-28 09:30".into(),
        free,
    };
    let slots = OnlineAnswer::Slots(vec![slot("la-1", 0), slot("la-2", 3)]);
    k.handle_event(KioskEvent::Answered { request: ask.number, answer: slots }, t0);
    k.book_slot("la-1", t0);
    assert!(k.take_online_requests().is_empty(), "a full time is not booked");
    k.book_slot("la-2", t0);
    let book = k.take_online_requests().remove(0);
    assert!(
        matches!(&book.ask, OnlineAsk::Book { slot_id, resident, .. } if slot_id == "la-2" && *resident == self::resident("", "").handle)
    );
    let booked = Appointment { appointment_id: "ap-1".into(), slot: slot("la-2", 2) };
    k.handle_event(KioskEvent::Answered { request: book.number, answer: OnlineAnswer::Appointment(booked) }, t0);
    let recorded = k.take_requests().remove(0);
    assert!(matches!(
        &recorded.ask,
        ServiceAsk::Appointment { window, appointment_id, holder, .. }
            if appointment_id == "ap-1" && *window == self::window("legal_aid")
                && holder.as_deref() == Some("张* 1101**********1234")
    ));
}

#[test]
fn back_steps_one_page_and_help_returns_where_it_was_opened() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    assert!(!k.screen(t0).can_go_back, "nothing before home");
    k.open_service("notices", t0);
    let id = k.screen(t0).notices.items[0].id.clone();
    k.open_notice(&id, t0);
    k.open_help(t0);
    assert_eq!(k.screen(t0).page, Page::Help);
    assert_eq!(k.screen(t0).station.hotline, "12345");
    k.go_back(t0);
    assert_eq!(k.screen(t0).page, Page::Notice(id), "help returns to the notice");
    k.go_back(t0);
    assert_eq!(k.screen(t0).page, Page::Notices);
    k.go_back(t0);
    assert_eq!(k.screen(t0).page, Page::Home);
    // With one proposal open, its page is the first step: back from it is home.
    k.identified(resident("张伟", "1101**********1234"), t0);
    k.open_service("opinions", t0);
    assert!(matches!(k.screen(t0).page, Page::Proposal(_)));
    k.go_back(t0);
    assert_eq!(k.screen(t0).page, Page::Home);
}

#[test]
fn with_several_proposals_open_the_list_shows_first() {
    let t0 = Instant::now();
    let mut content = Content::load(&Content::example_dir()).unwrap();
    let mut second = content.proposals[0].clone();
    second.id = "p-second".into();
    content.proposals.push(second);
    let mut k = KioskController::new(content, SessionTiming::default(), t0, 7);
    k.identified(resident("张伟", "1101**********1234"), t0);
    k.open_service("opinions", t0);
    assert_eq!(k.screen(t0).page, Page::Opinions);
    k.open_proposal("p-second", t0);
    k.go_back(t0);
    assert_eq!(k.screen(t0).page, Page::Opinions);
}

#[test]
fn the_attract_screen_shows_an_urgent_notice_and_the_slides_pictures() {
    let t0 = Instant::now();
    let k = kiosk(t0);
    let screen = k.screen(t0);
    assert_eq!(screen.urgent.as_ref().map(|n| n.id.as_str()), Some("n-2026-12-03-water"));
    assert!(screen.slide.image.as_ref().is_some_and(|p| p.ends_with("images/community.png")));
    assert!(screen.header.community.contains("幸福里"));
}

#[test]
fn a_long_notice_is_shown_a_page_at_a_time_as_the_layout_says() {
    use crate::kiosk::ListRows;
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_notice("n-2026-11-20-heating", t0);
    let whole = k.screen(t0).notice.body;
    assert_eq!(k.screen(t0).notice_part, (0, 1), "a short notice is one page");
    k.set_list_rows(ListRows { notices: 5, directory: 5, notice_chars: 40 });
    let (_, parts) = k.screen(t0).notice_part;
    assert!(parts > 1);
    let mut read = String::new();
    for part in 0..parts {
        k.set_notice_part(part, t0);
        let screen = k.screen(t0);
        assert_eq!(screen.notice_part, (part, parts));
        assert!(screen.notice.body.chars().count() <= 40);
        read.push_str(&screen.notice.body);
    }
    assert_eq!(read.replace(' ', ""), whole.replace(' ', ""), "every word, once");
    k.set_notice_part(99, t0);
    assert_eq!(k.screen(t0).notice_part.0, parts - 1, "past the end shows the last page");
    k.open_notice("n-2026-11-20-heating", t0);
    assert_eq!(k.screen(t0).notice_part.0, 0, "a notice opens at its start");
}

#[test]
fn a_receipt_number_typed_on_the_reprint_page_is_asked_for_and_a_refusal_says_why() {
    use crate::kiosk::messages::{KioskEvent, ReprintProblem, ServiceAsk};
    use crate::records::NumberProblem;
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_service("reprint", t0);
    assert!(k.screen(t0).reprint_keypad, "nothing of this visit to offer: the keypad at once");
    type_on_keypad(&mut k, "00420187", t0);
    k.keypad_confirm(t0);
    assert!(k.take_requests().is_empty());
    assert_eq!(k.screen(t0).online.problem, Some(OnlineProblem::TooShort), "ten digits at least");
    type_on_keypad(&mut k, "35", t0);
    assert_eq!(k.screen(t0).online.input, "0042 0187 35");
    k.keypad_confirm(t0);
    let asked = k.take_requests().remove(0);
    assert_eq!(asked.ask, ServiceAsk::ReprintByNumber { typed: "0042018735".into() });
    assert_eq!(k.screen(t0).page, Page::Done);
    let why = ReprintProblem::Number(NumberProblem::Mistyped);
    k.handle_event(KioskEvent::ReprintRefused { request: asked.number, why }, t0);
    let screen = k.screen(t0);
    assert_eq!((screen.page, screen.online.problem), (Page::Reprint, Some(OnlineProblem::Mistyped)));
    assert_eq!(screen.online.input, "0042 0187 35", "the number stays, to be corrected");
    assert_eq!(screen.outcome, None);
}

#[test]
fn receipts_speak_the_session_s_language_or_both_as_configured() {
    use crate::content::Language;
    use crate::records::ReceiptLanguage;
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    assert_eq!(k.receipt_language(), ReceiptLanguage::Chinese);
    k.set_language(Language::En, t0);
    assert_eq!(k.receipt_language(), ReceiptLanguage::English);
    k.open_service("appointments", t0);
    k.take_ticket("legal_aid", t0);
    assert_eq!(k.take_requests()[0].language, ReceiptLanguage::English);
    let k = kiosk(t0).with_bilingual_receipts(true);
    assert_eq!(k.receipt_language(), ReceiptLanguage::Both);
}

#[test]
fn a_notice_leaves_the_screen_at_its_end_and_new_content_waits_for_the_session_to_end() {
    let t0 = Instant::now();
    let at = |text: &str| citizen_window_protocol::china_time::parse_date_time(text).unwrap();
    let mut content = Content::load(&Content::example_dir()).unwrap();
    let urgent = content.notices.iter_mut().find(|n| n.urgent).unwrap();
    urgent.ends_at_ms = Some(at("2026-12-03 15:00"));
    let urgent_id = urgent.id.clone();
    let mut k = KioskController::new(content.clone(), SessionTiming::default(), t0, 7)
        .with_wall_clock(t0, at("2026-12-03 14:59"));
    assert_eq!(k.screen(t0).urgent.map(|n| n.id), Some(urgent_id.clone()));
    let later = t0 + Duration::from_secs(60);
    assert_eq!(k.screen(later).urgent, None, "the ended notice leaves on time, with no server");
    k.touched(later);
    k.open_notice(&urgent_id, later);
    assert_ne!(k.screen(later).page, Page::Notice(urgent_id), "an ended notice cannot be opened");

    // New content during a session is kept for the next one.
    let mut next = content;
    next.station.community.zh = "和平里社区".into();
    k.handle_event(crate::kiosk::messages::KioskEvent::ContentArrived(Box::new(next)), later);
    assert_ne!(k.content().station.community.zh, "和平里社区", "not in the middle of a session");
    k.exit(later);
    assert_eq!(k.content().station.community.zh, "和平里社区");
}
