//! The service rules as data: each request, day and random value, and the plan that comes out.

use super::*;
use crate::records::{IssueCategory, SlipPayload, VoteChoice, Window};
use crate::resident_key::test_only_handle;
use citizen_window_protocol::services::{ContributionMonth, SocialInsuranceRecord, Utility};
use std::convert::Infallible;

/// 2026-11-27 09:41 in Beijing.
const MORNING: i64 = 1_795_743_660_000;
/// The last millisecond of 2026-11-26 in Beijing, and the first of the 27th.
const LAST_MS_OF_26TH: i64 = 1_795_708_799_999;
const FIRST_MS_OF_27TH: i64 = 1_795_708_800_000;

fn no_tickets() -> Result<Vec<TicketPayload>, Infallible> {
    Ok(Vec::new())
}

fn planned(ask: ServiceAsk, now_ms: i64, random: u64) -> Plan {
    plan(7, ask, now_ms, random, no_tickets).unwrap()
}

fn recorded(plan: Plan) -> Entry {
    match plan {
        Plan::Record(entry) => entry,
        other => panic!("expected a record, got {other:?}"),
    }
}

fn vote(closes: &str) -> ServiceAsk {
    ServiceAsk::Vote {
        resident: test_only_handle("11010519491231002X"),
        proposal: "p-lift".into(),
        proposal_title: ("加装电梯".into(), "Add a lift".into()),
        closes: closes.into(),
        choice: VoteChoice::Agree,
        comment: None,
    }
}

#[test]
fn tickets_count_on_from_todays_and_carry_the_day_in_china() {
    let today = |numbers: &[&str]| {
        let tickets: Vec<TicketPayload> = numbers
            .iter()
            .map(|n| TicketPayload { window: Window::SocialInsurance, number: (*n).into(), day: "2026-11-27".into() })
            .collect();
        move || Ok::<_, Infallible>(tickets)
    };
    let entry =
        recorded(plan(1, ServiceAsk::Ticket(Window::SocialInsurance), MORNING, 0, today(&["A001", "A002"])).unwrap());
    assert_eq!(entry.kind, kinds::QUEUE_TICKET);
    assert_eq!(entry.what, RecordedWhat::Ticket { window: Window::SocialInsurance, number: "A003".into() });
    assert_eq!(entry.payload["day"], "2026-11-27");
    assert!(entry.once.is_none() && entry.resident.is_none() && entry.receipt.is_none());

    // Midnight in Beijing, not in UTC, starts the next day's count.
    let before = recorded(planned(ServiceAsk::Ticket(Window::LegalAid), LAST_MS_OF_26TH, 0));
    let after = recorded(planned(ServiceAsk::Ticket(Window::LegalAid), FIRST_MS_OF_27TH, 0));
    assert_eq!(
        (before.payload["day"].as_str(), after.payload["day"].as_str()),
        (Some("2026-11-26"), Some("2026-11-27"))
    );
}

#[test]
fn a_journal_that_cannot_list_todays_tickets_refuses_the_ticket() {
    let failed = plan(1, ServiceAsk::Ticket(Window::LegalAid), MORNING, 0, || Err::<Vec<TicketPayload>, _>("disk"));
    assert_eq!(failed.unwrap_err(), "disk");
    // Other services never ask for the tickets.
    let report = ServiceAsk::Report {
        category: IssueCategory::Noise,
        place: "b1".into(),
        place_name: ("一号楼".into(), "Building 1".into()),
    };
    assert!(plan(1, report, MORNING, 0, || -> Result<Vec<TicketPayload>, &str> { panic!("asked") }).is_ok());
}

#[test]
fn a_report_number_comes_from_the_day_and_the_random_value() {
    let report = || ServiceAsk::Report {
        category: IssueCategory::LeakingPipe,
        place: "b2".into(),
        place_name: ("二号楼".into(), "Building 2".into()),
    };
    let first = recorded(planned(report(), MORNING, 42));
    let again = recorded(planned(report(), MORNING, 42));
    let other = recorded(planned(report(), MORNING, 43));
    let number = |e: &Entry| match &e.what {
        RecordedWhat::Report { tracking_number, .. } => tracking_number.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(number(&first), number(&again), "the same random value makes the same number");
    assert_ne!(number(&first), number(&other));
    assert!(number(&first).starts_with("261127"), "{}", number(&first));
    assert_eq!(first.payload["tracking_number"].as_str(), Some(number(&first).as_str()));
    assert_eq!(first.kind, kinds::ISSUE_REPORT);
}

#[test]
fn a_vote_is_refused_after_its_last_day_and_sealed_and_once_before() {
    assert!(matches!(
        planned(vote("2026-11-26"), MORNING, 0),
        Plan::Refuse(KioskEvent::VoteRefused { request: 7, closed: true })
    ));
    // The last day itself still counts, to its last millisecond in Beijing.
    let entry = recorded(planned(vote("2026-11-26"), LAST_MS_OF_26TH, 0));
    assert_eq!(entry.kind, kinds::VOTE);
    let sealed = entry.resident.expect("a vote carries its resident, sealed");
    assert!(sealed.starts_with("s1:") && !sealed.contains("11010519491231002X"));
    let once = entry.once.expect("one vote per resident per proposal");
    assert!(once.key.starts_with("vote:p-lift:"));
    assert_eq!(once.seen_before, SeenBefore::Refuse(KioskEvent::VoteRefused { request: 7, closed: false }));
    // The same resident and proposal make the same key, whatever the seal.
    let again = recorded(planned(vote("2026-11-30"), MORNING, 9));
    assert_eq!(again.once.unwrap().key, once.key);
    assert!(!entry.payload.to_string().contains("11010519491231002X"), "no ID number in the payload");
}

#[test]
fn a_paid_order_and_a_booking_are_recorded_once_and_shown_again_when_repeated() {
    let paid = recorded(planned(
        ServiceAsk::BillPaid {
            order_id: "o-1".into(),
            account: "100200300400".into(),
            utility: Some(Utility::Water),
            period: Some("2026-10".into()),
            amount_fen: 4140,
        },
        MORNING,
        0,
    ));
    assert_eq!(paid.kind, kinds::BILL_PAYMENT);
    let once = paid.once.unwrap();
    assert_eq!((once.key.as_str(), once.seen_before), ("payment:o-1", SeenBefore::ShowEarlier));

    let booked = recorded(planned(
        ServiceAsk::Appointment {
            appointment_id: "ap-9".into(),
            window: Window::CivilAffairs,
            starts_at: "2026-11-28 09:30".into(),
        },
        MORNING,
        0,
    ));
    assert_eq!(booked.kind, kinds::APPOINTMENT);
    let once = booked.once.unwrap();
    assert_eq!((once.key.as_str(), once.seen_before), ("appointment:ap-9", SeenBefore::ShowEarlier));
}

#[test]
fn a_statement_prints_from_memory_and_journals_only_its_length() {
    let month = |m: &str| ContributionMonth { month: m.into(), pension_fen: 41_234, medical_fen: 9_876 };
    let record = SocialInsuranceRecord {
        contributions: vec![month("2026-09"), month("2026-10")],
        pension_payments: Vec::new(),
        subsistence_allowance: "none".into(),
    };
    let entry = recorded(planned(ServiceAsk::Statement { record }, MORNING, 0));
    assert_eq!(entry.payload, serde_json::json!({ "months": 2 }));
    assert!(entry.receipt.is_some());
    assert_eq!(entry.what, RecordedWhat::Statement);
}

#[test]
fn slips_and_reprints() {
    let slip = SlipPayload {
        what: "notice".into(),
        id: "n1".into(),
        title: ("停水".into(), "Water off".into()),
        lines: vec![],
        qr: None,
    };
    assert_eq!(recorded(planned(ServiceAsk::PrintSlip(slip), MORNING, 0)).kind, kinds::CONTENT_SLIP);
    assert!(matches!(planned(ServiceAsk::Reprint { seq: 12 }, MORNING, 0), Plan::Reprint { seq: 12 }));
}

#[test]
fn the_reprint_offer_is_the_last_days_receipts_newest_first_without_votes() {
    let ticket = serde_json::json!({ "window": "legal_aid", "number": "D004", "day": "2026-11-27" }).to_string();
    let vote = serde_json::json!({ "proposal": "p" }).to_string();
    let unconfirmed = [
        (1, kinds::QUEUE_TICKET, ticket.as_str(), MORNING - REPRINT_WINDOW_MS - 1),
        (2, kinds::QUEUE_TICKET, ticket.as_str(), MORNING - REPRINT_WINDOW_MS),
        (3, kinds::VOTE, vote.as_str(), MORNING - 1000),
        (4, kinds::QUEUE_TICKET, ticket.as_str(), MORNING),
        (5, kinds::QUEUE_TICKET, "{damaged", MORNING),
    ];
    let offered = reprint_offer(unconfirmed.into_iter(), MORNING);
    assert_eq!(offered.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![4, 2]);
    assert_eq!(offered[0].time, "09:41");
    assert_eq!(offered[0].what, RecordedWhat::Ticket { window: Window::LegalAid, number: "D004".into() });
}
