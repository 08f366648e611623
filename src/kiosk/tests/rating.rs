//! 好差评 under a result: offered once a service is recorded, recorded unseen and once, reasons
//! with a low level, never for a copy or a printed notice, skipped by leaving.

use super::*;
use crate::kiosk::messages::{RecordedWhat, ServiceAsk};
use crate::records::{RatingLevel, kinds};

/// A ticket taken and recorded as journal sequence 7; the requests so far taken.
fn ticket_shown(t0: Instant) -> KioskController {
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_service("appointments", t0);
    k.take_ticket("legal_aid", t0);
    let request = k.take_requests().remove(0);
    assert_eq!(k.screen(t0).rating, RatingStep::None, "nothing to rate until it is recorded");
    let what = RecordedWhat::Ticket { window: window("legal_aid"), number: "D001".into() };
    k.handle_event(recorded_event(request.number, 7, what), t0);
    k
}

#[test]
fn a_level_is_recorded_unseen_once_and_thanked() {
    let t0 = Instant::now();
    let mut k = ticket_shown(t0);
    assert_eq!(k.screen(t0).rating, RatingStep::Offered);
    k.rate("satisfied", t0);
    assert!(k.take_requests().is_empty(), "the levels open first");
    k.open_rating(t0);
    k.close_rating(t0);
    assert_eq!(k.screen(t0).rating, RatingStep::Offered, "not now: still offered");
    k.open_rating(t0);
    let screen = k.screen(t0);
    assert_eq!(screen.rating, RatingStep::Levels);
    let levels: Vec<&str> = screen.rating_levels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(levels, ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]);

    k.rate("satisfied", t0);
    let asked = k.take_requests();
    assert_eq!(asked.len(), 1);
    assert_eq!(
        asked[0].ask,
        ServiceAsk::Rate { seq: 7, service: kinds::QUEUE_TICKET, level: RatingLevel::Satisfied, reason: None }
    );
    let screen = k.screen(t0);
    assert_eq!(screen.rating, RatingStep::Thanked);
    assert!(matches!(screen.outcome, Some(ServiceOutcome::Ticket { .. })), "the result stays on screen");
    k.rate("very_satisfied", t0);
    assert!(k.take_requests().is_empty(), "one rating per service");
}

#[test]
fn a_low_level_offers_the_contents_reasons_or_a_skip() {
    let t0 = Instant::now();
    let mut k = ticket_shown(t0);
    k.open_rating(t0);
    k.rate("dissatisfied", t0);
    assert!(k.take_requests().is_empty(), "the reason comes first");
    let screen = k.screen(t0);
    assert_eq!(screen.rating, RatingStep::Reasons(RatingLevel::Dissatisfied));
    assert!(screen.rating_reasons.iter().any(|r| r.id == "slow" && r.name == "等待时间太长"));
    k.rate_reason("no-such-reason", t0);
    assert!(k.take_requests().is_empty());
    k.rate_reason("slow", t0);
    let reason = Some(("slow".to_string(), ("等待时间太长".to_string(), "Took too long".to_string())));
    assert_eq!(
        k.take_requests().remove(0).ask,
        ServiceAsk::Rate { seq: 7, service: kinds::QUEUE_TICKET, level: RatingLevel::Dissatisfied, reason }
    );

    let mut k = ticket_shown(t0);
    k.open_rating(t0);
    k.rate("very_dissatisfied", t0);
    k.rate_without_reason(t0);
    let asked = k.take_requests().remove(0).ask;
    assert!(matches!(asked, ServiceAsk::Rate { level: RatingLevel::VeryDissatisfied, reason: None, .. }));
}

#[test]
fn copies_slips_and_leaving_are_not_rated() {
    let t0 = Instant::now();
    let mut k = ticket_shown(t0);
    k.open_rating(t0);
    k.go_home(t0);
    assert_eq!(k.screen(t0).rating, RatingStep::None, "leaving the page skips the rating");
    k.rate("satisfied", t0);
    assert!(k.take_requests().is_empty());

    // A reprinted ticket is a copy: nothing new to rate.
    k.open_service("reprint", t0);
    k.type_receipt_number(t0);
    for digit in "0042018735".chars() {
        k.keypad_digit(digit, t0);
    }
    k.keypad_confirm(t0);
    let request = k.take_requests().remove(0);
    let what = RecordedWhat::Ticket { window: window("legal_aid"), number: "D001".into() };
    let copy = crate::kiosk::messages::Recorded { request: request.number, seq: 7, what, printing: true, copy: true };
    k.handle_event(crate::kiosk::messages::KioskEvent::Recorded(copy), t0);
    assert!(matches!(k.screen(t0).outcome, Some(ServiceOutcome::Ticket { copy: true, .. })));
    assert_eq!(k.screen(t0).rating, RatingStep::None);
}
