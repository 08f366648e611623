//! Codes from the scanner: a bill's barcode looks the bill up from anywhere, a receipt's QR code
//! opens its report's status or reprints it, anything else is said, and a payment waiting for the
//! phone is never left behind.

use super::*;
use crate::kiosk::messages::{KioskEvent, OnlineAnswer, OnlineAsk, ServiceAsk};
use crate::kiosk::samples::order;
use citizen_window_protocol::services::{IssueReportStatus, PaymentStatus};

fn scan(k: &mut KioskController, code: &str, now: Instant) {
    k.handle_event(KioskEvent::CodeScanned(code.into()), now);
}

#[test]
fn a_bills_barcode_looks_the_bill_up_from_the_attract_screen() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    scan(&mut k, "3301-0288-1742", t0);
    let screen = k.screen(t0);
    assert_eq!((screen.page, screen.online.input.as_str()), (Page::Bills, "3301-0288-1742"));
    let asked = k.take_online_requests();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].ask, OnlineAsk::Bill { account: "3301-0288-1742".into() });
}

#[test]
fn a_receipts_code_opens_its_reports_status_or_else_reprints_it() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.handle_event(KioskEvent::Online(true), t0);
    scan(&mut k, "004200187355", t0);
    assert_eq!(k.screen(t0).page, Page::ReportLookup);
    let lookup = k.take_online_requests().remove(0);
    assert_eq!(lookup.ask, OnlineAsk::ReportStatus { tracking_number: "004200187355".into() });
    let status = IssueReportStatus {
        tracking_number: "004200187355".into(),
        status: "in_progress".into(),
        updated_at_ms: 0,
        note: Some("维修师傅明天上午到".into()),
    };
    k.handle_event(KioskEvent::Answered { request: lookup.number, answer: OnlineAnswer::ReportStatus(status) }, t0);
    assert_eq!(k.screen(t0).online.report_status.unwrap().status, "in_progress");
    assert!(k.take_requests().is_empty(), "a report's code reprints nothing");

    // Not a report the server knows: that receipt is reprinted, by its number.
    k.go_home(t0);
    scan(&mut k, "004200188011", t0);
    let lookup = k.take_online_requests().remove(0);
    k.handle_event(KioskEvent::Answered { request: lookup.number, answer: OnlineAnswer::NotFound }, t0);
    assert_eq!(k.screen(t0).page, Page::Done, "the reprint is under way");
    assert_eq!(k.take_requests().remove(0).ask, ServiceAsk::ReprintByNumber { typed: "004200188011".into() });

    // Offline, a receipt's code goes straight to its reprint.
    k.handle_event(KioskEvent::Online(false), t0);
    k.go_home(t0);
    scan(&mut k, "004200187355", t0);
    assert!(k.take_online_requests().is_empty());
    assert_eq!(k.take_requests().remove(0).ask, ServiceAsk::ReprintByNumber { typed: "004200187355".into() });
}

#[test]
fn codes_the_kiosk_does_not_read_are_said_until_the_next_tap() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    scan(&mut k, "https://example.com/coupon", t0);
    let screen = k.screen(t0);
    assert_eq!((screen.page, screen.scan_problem), (Page::Home, Some(ScanProblem::Unrecognised)));
    assert!(k.take_online_requests().is_empty() && k.take_requests().is_empty());
    k.handle_event(KioskEvent::CodeUnreadable, t0);
    assert_eq!(k.screen(t0).scan_problem, Some(ScanProblem::Unreadable));
    k.touched(t0);
    assert_eq!(k.screen(t0).scan_problem, None);
}

#[test]
fn a_scan_never_leaves_a_payment_behind() {
    let t0 = Instant::now();
    let mut k = kiosk(t0);
    k.handle_event(KioskEvent::Online(true), t0);
    scan(&mut k, "3301-0288-1742", t0);
    let lookup = k.take_online_requests().remove(0);
    k.handle_event(
        KioskEvent::Answered { request: lookup.number, answer: OnlineAnswer::Bill(crate::kiosk::samples::bill()) },
        t0,
    );
    k.pay_bill(t0);
    let create = k.take_online_requests().remove(0);
    k.handle_event(
        KioskEvent::Answered { request: create.number, answer: OnlineAnswer::Order(order(PaymentStatus::Pending)) },
        t0,
    );
    assert_eq!(k.screen(t0).page, Page::Payment);
    scan(&mut k, "004200187355", t0);
    let screen = k.screen(t0);
    assert_eq!((screen.page, screen.scan_problem), (Page::Payment, Some(ScanProblem::Busy)));
    assert!(k.take_online_requests().iter().all(|r| !matches!(r.ask, OnlineAsk::ReportStatus { .. })));
}
