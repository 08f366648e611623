//! The online services' rules: bills and payment by QR code, report lookup, social insurance.

use super::*;
use crate::kiosk::messages::{KioskEvent, ServiceAsk};
use crate::kiosk::messages::{OnlineAnswer, OnlineAsk, OnlineRequest};
use citizen_window_protocol::services::PaymentStatus;

use crate::kiosk::samples::{bill, order};

fn answer(k: &mut KioskController, request: &OnlineRequest, answer: OnlineAnswer, now: Instant) {
    k.handle_event(KioskEvent::Answered { request: request.number, answer }, now);
}

/// The kiosk on the payment page for `order()`, with its requests so far taken.
fn waiting_for_payment(t0: Instant) -> KioskController {
    let mut k = kiosk(t0);
    k.touched(t0);
    look_up_account(&mut k, "3301028817429", t0);
    assert_eq!(k.screen(t0).online.input, "3301-0288-1742", "twelve digits, no more");
    let lookup = k.take_online_requests().remove(0);
    assert_eq!(lookup.ask, OnlineAsk::Bill { account: "3301-0288-1742".into() });
    answer(&mut k, &lookup, OnlineAnswer::Bill(bill()), t0);
    assert_eq!(k.screen(t0).page, Page::Bill);
    k.pay_bill(t0);
    let create = k.take_online_requests().remove(0);
    assert!(
        matches!(&create.ask, OnlineAsk::CreatePayment { amount_fen: 4140, idempotency_key, .. } if idempotency_key.len() == 32)
    );
    answer(&mut k, &create, OnlineAnswer::Order(order(PaymentStatus::Pending)), t0);
    assert_eq!(k.screen(t0).page, Page::Payment);
    assert_eq!(k.screen(t0).online.pay_url.as_deref(), Some("https://central.example.invalid/pay/po-1"));
    k
}

#[test]
fn a_bill_is_paid_by_qr_code_checked_every_two_seconds_and_recorded_once() {
    let t0 = Instant::now();
    let mut k = waiting_for_payment(t0);
    k.tick(secs(t0, 1));
    let check = k.take_online_requests();
    assert_eq!(check.len(), 1, "the first check goes at once");
    k.tick(secs(t0, 2));
    assert!(k.take_online_requests().is_empty(), "one check at a time");
    answer(&mut k, &check[0], OnlineAnswer::Order(order(PaymentStatus::Pending)), secs(t0, 2));
    k.tick(secs(t0, 2));
    assert!(k.take_online_requests().is_empty(), "not before two seconds");
    k.touched(secs(t0, 3));
    k.tick(secs(t0, 3));
    let check = k.take_online_requests();
    assert!(matches!(&check[0].ask, OnlineAsk::PaymentStatus { order_id } if order_id == "po-1"));
    answer(&mut k, &check[0], OnlineAnswer::Order(order(PaymentStatus::Paid)), secs(t0, 3));
    let recorded = k.take_requests();
    assert!(matches!(&recorded[0].ask, ServiceAsk::BillPaid { order_id, amount_fen: 4140, .. } if order_id == "po-1"));
    assert_eq!(k.screen(secs(t0, 3)).page, Page::Done);
    // The same news again (a late answer) records nothing more.
    answer(&mut k, &check[0], OnlineAnswer::Order(order(PaymentStatus::Paid)), secs(t0, 3));
    assert!(k.take_requests().is_empty());
}

#[test]
fn cancel_closes_the_order_and_a_payment_made_just_before_still_counts() {
    let t0 = Instant::now();
    let mut k = waiting_for_payment(t0);
    k.cancel_payment(t0);
    let cancel = k.take_online_requests().remove(0);
    assert!(matches!(&cancel.ask, OnlineAsk::CancelPayment { order_id } if order_id == "po-1"));
    assert!(k.screen(t0).online.cancelling);
    answer(&mut k, &cancel, OnlineAnswer::Order(order(PaymentStatus::Cancelled)), t0);
    assert_eq!(k.screen(t0).outcome, Some(ServiceOutcome::PaymentCancelled));
    assert!(k.take_requests().is_empty(), "nothing paid, nothing recorded");

    let mut k = waiting_for_payment(t0);
    k.cancel_payment(t0);
    let cancel = k.take_online_requests().remove(0);
    answer(&mut k, &cancel, OnlineAnswer::Order(order(PaymentStatus::Paid)), t0);
    assert!(matches!(&k.take_requests()[0].ask, ServiceAsk::BillPaid { .. }), "paid first: it counts");
}

/// Ticks once a second from `from` to `to` (inclusive), answering every status check
/// "still pending"; returns the other requests made.
fn tick_waiting(k: &mut KioskController, t0: Instant, from: u64, to: u64) -> Vec<OnlineRequest> {
    let mut others = Vec::new();
    for s in from..=to {
        assert_eq!(k.tick(secs(t0, s)), None, "the session ended at {s} s");
        for request in k.take_online_requests() {
            match request.ask {
                OnlineAsk::PaymentStatus { .. } => {
                    answer(k, &request, OnlineAnswer::Order(order(PaymentStatus::Pending)), secs(t0, s))
                }
                _ => others.push(request),
            }
        }
    }
    others
}

#[test]
fn paying_on_the_phone_is_not_idleness_and_the_code_says_how_long_it_stays_valid() {
    let t0 = Instant::now();
    let mut k = waiting_for_payment(t0);
    assert_eq!(k.screen(t0).online.payment_seconds_left, Some(180));
    assert!(tick_waiting(&mut k, t0, 1, 170).is_empty());
    let screen = k.screen(secs(t0, 170));
    assert_eq!(screen.page, Page::Payment, "three minutes without a touch: the resident is still paying");
    assert_eq!(screen.countdown, None, "no countdown while paying");
    assert!(screen.timer_held, "the bar says the timer is paused");
    assert_eq!(screen.online.payment_seconds_left, Some(10));
    // The code's own limit: the order is cancelled for the resident.
    let cancel = tick_waiting(&mut k, t0, 171, 180);
    assert!(matches!(&cancel[..], [r] if matches!(r.ask, OnlineAsk::CancelPayment { .. })));
    answer(&mut k, &cancel[0], OnlineAnswer::Order(order(PaymentStatus::Cancelled)), secs(t0, 181));
    assert_eq!(k.screen(secs(t0, 181)).outcome, Some(ServiceOutcome::PaymentCancelled));
    // Nothing to wait for now: the usual idle timeout, counted from the wait's end.
    assert_eq!(k.tick(secs(t0, 220)), None);
    assert!(!k.screen(secs(t0, 220)).timer_held);
    assert_eq!(k.tick(secs(t0, 241)), Some(EndReason::IdleTimeout));
}

#[test]
fn a_resident_who_walks_away_has_the_order_cancelled_and_a_late_payment_still_recorded() {
    let t0 = Instant::now();
    let mut k = waiting_for_payment(t0);
    let cancel = tick_waiting(&mut k, t0, 1, 180);
    let cancel = cancel.into_iter().find(|r| matches!(r.ask, OnlineAsk::CancelPayment { .. }));
    let cancel = cancel.expect("the open order is cancelled for them");
    answer(&mut k, &cancel, OnlineAnswer::Order(order(PaymentStatus::Paid)), secs(t0, 181));
    let recorded = k.take_requests();
    assert!(matches!(&recorded[0].ask, ServiceAsk::BillPaid { .. }));
    k.handle_event(
        recorded_event(
            recorded[0].number,
            5,
            crate::kiosk::messages::RecordedWhat::Payment { utility: None, amount_fen: 4140, order_id: "po-1".into() },
        ),
        secs(t0, 182),
    );
    k.handle_event(KioskEvent::ReceiptOutcome { seq: 5, printed: true }, secs(t0, 183));
    assert_eq!(k.tick(secs(t0, 184)), None);
    assert_eq!(k.tick(secs(t0, 244)), Some(EndReason::IdleTimeout));
    assert_eq!(k.screen(secs(t0, 244)).page, Page::Attract, "the next resident sees nothing of it");
}

#[test]
fn a_wait_that_never_ends_holds_the_session_only_so_long() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    look_up_account(&mut k, "330102881742", t0);
    assert!(k.screen(t0).online.waiting, "the lookup's answer never comes");
    let limit = controller::WAIT_HOLDS_AT_MOST.as_secs();
    for s in 1..limit {
        assert_eq!(k.tick(secs(t0, s)), None, "at {s} s");
    }
    assert!(!k.screen(secs(t0, limit + 1)).timer_held, "the hold has run out (it began at the first tick)");
    assert_eq!(k.tick(secs(t0, limit + 60)), Some(EndReason::IdleTimeout));
}

#[test]
fn a_cancel_the_server_did_not_answer_is_sent_again_until_it_does_and_a_late_payment_counts() {
    let t0 = Instant::now();
    let mut k = waiting_for_payment(t0);
    k.cancel_payment(t0);
    let cancel = k.take_online_requests().remove(0);
    answer(&mut k, &cancel, OnlineAnswer::Unavailable, t0);
    assert_eq!(k.screen(t0).online.problem, Some(OnlineProblem::Unavailable));
    // The resident walks away: the session's end sends the cancel once more, unanswered too.
    assert_eq!(k.tick(secs(t0, 60)), Some(EndReason::IdleTimeout));
    let at_end = k.take_online_requests().remove(0);
    assert!(matches!(&at_end.ask, OnlineAsk::CancelPayment { .. }));
    answer(&mut k, &at_end, OnlineAnswer::Unavailable, secs(t0, 61));
    // Offline, nothing is sent.
    k.handle_event(KioskEvent::Online(false), secs(t0, 400));
    k.tick(secs(t0, 400));
    assert!(k.take_online_requests().is_empty(), "not while the server is unreachable");
    // Back online: the cancel goes again (within the retry cap), and again after a lost answer.
    k.handle_event(KioskEvent::Online(true), secs(t0, 400));
    k.tick(secs(t0, 400));
    let again = k.take_online_requests();
    assert!(matches!(&again[..], [r] if matches!(&r.ask, OnlineAsk::CancelPayment { order_id } if order_id == "po-1")));
    k.tick(secs(t0, 2000));
    assert!(k.take_online_requests().is_empty(), "one at a time");
    answer(&mut k, &again[0], OnlineAnswer::Unavailable, secs(t0, 401));
    k.tick(secs(t0, 401 + 301));
    let third = k.take_online_requests();
    assert_eq!(third.len(), 1);
    // The phone had paid meanwhile: the payment is recorded, out of sight, and nothing more is sent.
    answer(&mut k, &third[0], OnlineAnswer::Order(order(PaymentStatus::Paid)), secs(t0, 703));
    assert!(matches!(&k.take_requests()[0].ask, ServiceAsk::BillPaid { order_id, .. } if order_id == "po-1"));
    assert_eq!(k.screen(secs(t0, 703)).page, Page::Attract);
    k.tick(secs(t0, 5000));
    assert!(k.take_online_requests().is_empty(), "settled");
}

#[test]
fn an_unanswered_cancel_settles_when_any_answer_tells_the_orders_end() {
    let t0 = Instant::now();
    let mut k = waiting_for_payment(t0);
    k.cancel_payment(t0);
    let cancel = k.take_online_requests().remove(0);
    answer(&mut k, &cancel, OnlineAnswer::Unavailable, t0);
    // The resident presses cancel again; that one is answered.
    k.cancel_payment(secs(t0, 1));
    let second = k.take_online_requests().remove(0);
    answer(&mut k, &second, OnlineAnswer::Order(order(PaymentStatus::Cancelled)), secs(t0, 1));
    assert_eq!(k.screen(secs(t0, 1)).outcome, Some(ServiceOutcome::PaymentCancelled));
    k.tick(secs(t0, 1000));
    assert!(k.take_online_requests().is_empty(), "nothing left to cancel");
    assert!(k.take_requests().is_empty(), "nothing paid, nothing recorded");
}

#[test]
fn an_unknown_account_or_a_silent_server_says_so_and_a_short_number_is_not_sent() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    look_up_account(&mut k, "3", t0);
    assert!(k.take_online_requests().is_empty());
    assert_eq!(k.screen(t0).online.problem, Some(OnlineProblem::TooShort));
    type_on_keypad(&mut k, "30102881742", t0);
    k.keypad_confirm(t0);
    let lookup = k.take_online_requests().remove(0);
    answer(&mut k, &lookup, OnlineAnswer::NotFound, t0);
    assert_eq!((k.screen(t0).page, k.screen(t0).online.problem), (Page::Bills, Some(OnlineProblem::NotFound)));
    k.keypad_confirm(t0);
    let lookup = k.take_online_requests().remove(0);
    answer(&mut k, &lookup, OnlineAnswer::Unavailable, t0);
    assert_eq!(k.screen(t0).online.problem, Some(OnlineProblem::Unavailable));
}

#[test]
fn bills_by_card_ask_for_the_card_then_list_the_households_bills() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_service("bills", t0);
    k.bills_by_card(t0);
    assert_eq!(k.screen(t0).page, Page::PlaceCard(Service::Bills));
    k.identified(resident("张伟", "1101**********1234"), t0);
    assert_eq!(k.screen(t0).page, Page::Bills);
    let ask = k.take_online_requests().remove(0);
    assert!(matches!(&ask.ask, OnlineAsk::BillsOf { resident } if *resident == self::resident("", "").handle));
    answer(&mut k, &ask, OnlineAnswer::Bills(vec![bill()]), t0);
    assert_eq!(k.screen(t0).online.resident_bills.len(), 1);
    k.choose_bill("0000-0000-0000", t0);
    assert_eq!(k.screen(t0).page, Page::Bills, "only a listed bill");
    k.choose_bill("3301-0288-1742", t0);
    assert_eq!(k.screen(t0).page, Page::Bill);
    assert!(k.take_online_requests().is_empty(), "the bill needs no second lookup");
}

#[test]
fn offline_the_online_services_open_a_page_that_says_so() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.handle_event(KioskEvent::Online(false), t0);
    k.touched(t0);
    k.open_service("bills", t0);
    assert_eq!(k.screen(t0).page, Page::Unavailable(Service::Bills));
    assert!(k.take_online_requests().is_empty());
}

#[test]
fn the_social_insurance_record_is_asked_for_the_identified_resident_only() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.touched(t0);
    k.open_service("social_insurance", t0);
    assert_eq!(k.screen(t0).page, Page::PlaceCard(Service::SocialInsurance));
    assert!(k.take_online_requests().is_empty());
    k.identified(resident("张伟", "1101**********1234"), t0);
    let ask = k.take_online_requests().remove(0);
    assert!(matches!(&ask.ask, OnlineAsk::SocialInsurance { resident } if *resident == self::resident("", "").handle));
    assert_eq!(k.screen(t0).page, Page::SocialInsurance);
}
