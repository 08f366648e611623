//! The service rules as data: each request, day and random value, and the plan that comes out.

use super::*;
use crate::records::{IssueCategory, NumberProblem, ServiceWindow, SlipPayload, VoteChoice, WindowId};
use crate::resident_key::test_only_handle;
use citizen_window_protocol::services::{ContributionMonth, SocialInsuranceRecord, Utility};
use std::convert::Infallible;

/// 2026-11-27 09:41 in Beijing.
const MORNING: i64 = 1_795_743_660_000;
/// The last millisecond of 2026-11-26 in Beijing, and the first of the 27th.
const LAST_MS_OF_26TH: i64 = 1_795_708_799_999;
const FIRST_MS_OF_27TH: i64 = 1_795_708_800_000;

/// A journal as a plan sees it: today's tickets, the next sequence, the kinds it holds.
#[derive(Default)]
struct Journaled {
    tickets: Vec<TicketPayload>,
    last_seq: u64,
    kinds: Vec<&'static str>,
}

impl JournalView for Journaled {
    type Error = Infallible;

    fn todays_tickets(&mut self, _now_ms: i64) -> Result<Vec<TicketPayload>, Infallible> {
        Ok(self.tickets.clone())
    }

    fn next_seq(&mut self) -> Result<u64, Infallible> {
        Ok(self.last_seq + 1)
    }

    fn kind_of(&mut self, seq: u64) -> Result<Option<String>, Infallible> {
        Ok(seq.checked_sub(1).and_then(|i| self.kinds.get(i as usize)).map(|k| k.to_string()))
    }
}

/// A journal that fails every question, as a full or damaged disk does.
struct Failing;

impl JournalView for Failing {
    type Error = &'static str;

    fn todays_tickets(&mut self, _now_ms: i64) -> Result<Vec<TicketPayload>, &'static str> {
        Err("disk")
    }

    fn next_seq(&mut self) -> Result<u64, &'static str> {
        Err("disk")
    }

    fn kind_of(&mut self, _seq: u64) -> Result<Option<String>, &'static str> {
        Err("disk")
    }
}

fn numbering() -> ReceiptNumbering {
    ReceiptNumbering::new(42, zeroize::Zeroizing::new([3; 32])).unwrap()
}

fn planned(ask: ServiceAsk, now_ms: i64, random: u64) -> Plan {
    plan(7, ask, now_ms, random, &numbering(), &mut Journaled::default()).unwrap()
}

fn window(id: &'static str, number: u32, zh: &str, en: &str) -> ServiceWindow {
    ServiceWindow { id: WindowId::fixed(id), number, name: (zh.into(), en.into()) }
}

fn social() -> ServiceWindow {
    window("social_insurance", 1, "社保", "Social insurance")
}

fn legal() -> ServiceWindow {
    window("legal_aid", 4, "法律援助", "Legal aid")
}

fn recorded(plan: Plan) -> Entry {
    match plan {
        Plan::Record(entry) => *entry,
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
    let tickets = ["A001", "A002"]
        .iter()
        .map(|n| TicketPayload {
            window: social().id,
            window_number: 1,
            window_name: social().name,
            number: (*n).into(),
            day: "2026-11-27".into(),
        })
        .collect();
    let mut journal = Journaled { tickets, ..Journaled::default() };
    let ticket = ServiceAsk::Ticket { window: social(), letter: 'A' };
    let entry = recorded(plan(1, ticket, MORNING, 0, &numbering(), &mut journal).unwrap());
    assert_eq!(entry.kind, kinds::QUEUE_TICKET);
    assert_eq!(entry.what, RecordedWhat::Ticket { window: social(), number: "A003".into() });
    assert_eq!(entry.payload["day"], "2026-11-27");
    assert_eq!(entry.payload["window"], "social_insurance");
    assert_eq!(entry.payload["window_number"], 1, "the window as the content named it then");
    assert_eq!(entry.payload["window_name"][0], "社保");
    assert!(entry.once.is_none() && entry.resident.is_none() && entry.statement.is_none());

    // Midnight in Beijing, not in UTC, starts the next day's count.
    let legal_ticket = || ServiceAsk::Ticket { window: legal(), letter: 'D' };
    let before = recorded(planned(legal_ticket(), LAST_MS_OF_26TH, 0));
    let after = recorded(planned(legal_ticket(), FIRST_MS_OF_27TH, 0));
    assert_eq!(
        (before.payload["day"].as_str(), after.payload["day"].as_str()),
        (Some("2026-11-26"), Some("2026-11-27"))
    );
}

#[test]
fn a_journal_that_cannot_list_todays_tickets_refuses_the_ticket() {
    let failed = plan(1, ServiceAsk::Ticket { window: legal(), letter: 'D' }, MORNING, 0, &numbering(), &mut Failing);
    assert_eq!(failed.unwrap_err(), "disk");
    let failed = plan(1, report(), MORNING, 0, &numbering(), &mut Failing);
    assert_eq!(failed.unwrap_err(), "disk", "a report's number needs the journal's next sequence");
    // Other services never ask the journal.
    let slip = ServiceAsk::PrintSlip(slip());
    assert!(plan(1, slip, MORNING, 0, &numbering(), &mut Failing).is_ok());
}

fn report() -> ServiceAsk {
    ServiceAsk::Report {
        category: IssueCategory { id: "leaking_pipe".into(), name: ("管道漏水".into(), "Leaking pipe".into()) },
        place: "b2".into(),
        place_name: ("二号楼".into(), "Building 2".into()),
    }
}

fn slip() -> SlipPayload {
    SlipPayload {
        what: "notice".into(),
        id: "n1".into(),
        title: ("停水".into(), "Water off".into()),
        lines: vec![],
        qr: None,
    }
}

#[test]
fn a_report_s_tracking_number_is_the_receipt_number_of_its_record() {
    let mut journal = Journaled { last_seq: 186, ..Journaled::default() };
    let entry = recorded(plan(7, report(), MORNING, 0, &numbering(), &mut journal).unwrap());
    let RecordedWhat::Report { tracking_number, category } = &entry.what else { panic!("{:?}", entry.what) };
    assert_eq!(tracking_number, &numbering().number(187));
    assert_eq!(numbering().read(tracking_number), Ok(187), "the kiosk reads it back to its record");
    assert_eq!(entry.payload["tracking_number"].as_str(), Some(tracking_number.as_str()));
    assert_eq!(entry.payload["category"], "leaking_pipe");
    assert_eq!(entry.payload["category_name"][1], "Leaking pipe");
    assert_eq!(category.name.0, "管道漏水");
    assert_eq!(entry.kind, kinds::ISSUE_REPORT);
}

#[test]
fn a_receipt_is_reprinted_by_its_number_only_if_it_is_this_kiosk_s_and_may_be() {
    let mut journal =
        Journaled { kinds: vec![kinds::QUEUE_TICKET, kinds::VOTE, kinds::BILL_PAYMENT], ..Journaled::default() };
    let mut by_number =
        |typed: String| plan(7, ServiceAsk::ReprintByNumber { typed }, MORNING, 0, &numbering(), &mut journal).unwrap();
    let n = numbering();
    assert!(matches!(by_number(n.number(1)), Plan::Reprint { seq: 1 }));
    assert!(matches!(by_number(n.number(3)), Plan::Reprint { seq: 3 }), "a payment's receipt is proof to keep");
    let refused = |why| Plan::Refuse(KioskEvent::ReprintRefused { request: 7, why });
    let same = |a: Plan, b: Plan| format!("{a:?}") == format!("{b:?}");
    assert!(same(by_number(n.number(2)), refused(ReprintProblem::NotByNumber)), "a vote's receipt is its voter's");
    assert!(same(by_number(n.number(9)), refused(ReprintProblem::NotFound)));
    let other_kiosk = ReceiptNumbering::new(43, zeroize::Zeroizing::new([3; 32])).unwrap().number(1);
    assert!(same(by_number(other_kiosk), refused(ReprintProblem::Number(NumberProblem::OtherKiosk(43)))));
    let mut typo = n.number(1).into_bytes();
    typo[5] = if typo[5] == b'9' { b'8' } else { b'9' };
    let typo = String::from_utf8(typo).unwrap();
    assert!(matches!(by_number(typo), Plan::Refuse(KioskEvent::ReprintRefused { .. })));
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
            holder: Some("张*".into()),
        },
        MORNING,
        0,
    ));
    assert_eq!(paid.kind, kinds::BILL_PAYMENT);
    let once = paid.once.unwrap();
    assert_eq!((once.key.as_str(), once.seen_before), ("payment:o-1", SeenBefore::ShowEarlier));
    assert_eq!(paid.holder.as_deref(), Some("张*"), "for the original receipt");
    assert!(!paid.payload.to_string().contains("张"), "the holder is never journaled");

    let booked = recorded(planned(
        ServiceAsk::Appointment {
            appointment_id: "ap-9".into(),
            window: window("civil_affairs", 2, "民政事务", "Civil affairs"),
            starts_at: "2026-11-28 09:30".into(),
            holder: Some("张* 1101**********002X".into()),
        },
        MORNING,
        0,
    ));
    assert_eq!(booked.kind, kinds::APPOINTMENT);
    let once = booked.once.unwrap();
    assert_eq!((once.key.as_str(), once.seen_before), ("appointment:ap-9", SeenBefore::ShowEarlier));
    assert_eq!(booked.payload["window_number"], 2);
    assert!(!booked.payload.to_string().contains("1101"), "the holder is never journaled");
}

#[test]
fn a_statement_prints_from_memory_and_journals_only_its_length() {
    let month = |m: &str| ContributionMonth { month: m.into(), pension_fen: 41_234, medical_fen: 9_876 };
    let record = SocialInsuranceRecord {
        contributions: vec![month("2026-09"), month("2026-10")],
        pension_payments: Vec::new(),
        subsistence_allowance: "none".into(),
    };
    let entry = recorded(planned(ServiceAsk::Statement { record, holder: None }, MORNING, 0));
    assert_eq!(entry.payload, serde_json::json!({ "months": 2 }));
    assert!(entry.statement.is_some());
    assert_eq!(entry.what, RecordedWhat::Statement);
}

#[test]
fn slips_and_reprints() {
    assert_eq!(recorded(planned(ServiceAsk::PrintSlip(slip()), MORNING, 0)).kind, kinds::CONTENT_SLIP);
    assert!(matches!(planned(ServiceAsk::Reprint { seq: 12 }, MORNING, 0), Plan::Reprint { seq: 12 }));
}

#[test]
fn the_reprint_offer_is_the_last_days_receipts_newest_first_without_votes() {
    let ticket = serde_json::json!({
        "window": "legal_aid", "window_number": 4, "window_name": ["法律援助", "Legal aid"],
        "number": "D004", "day": "2026-11-27"
    })
    .to_string();
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
    assert_eq!(offered[0].what, RecordedWhat::Ticket { window: legal(), number: "D004".into() });
}

#[test]
fn a_rating_names_the_service_the_day_and_the_level_and_no_one() {
    use crate::records::RatingLevel;
    let reason = Some(("slow".to_string(), ("等待时间太长".to_string(), "Took too long".to_string())));
    let ask = ServiceAsk::Rate { seq: 12, service: kinds::BILL_PAYMENT, level: RatingLevel::Dissatisfied, reason };
    let entry = recorded(planned(ask, MORNING, 0));
    assert_eq!(entry.kind, kinds::SERVICE_RATING);
    assert_eq!(entry.what, RecordedWhat::Rating);
    assert_eq!(
        entry.payload,
        serde_json::json!({
            "day": "2026-11-27", "service": "bill_payment", "level": "dissatisfied", "score": 2,
            "reason": "slow", "reason_name": ["等待时间太长", "Took too long"],
        })
    );
    assert!(entry.resident.is_none(), "a rating names no one");
    let once = entry.once.expect("rated once");
    assert_eq!(once.key, "rating:12");
    assert!(matches!(once.seen_before, SeenBefore::Refuse(KioskEvent::RecordRefused { .. })));
    // It prints nothing.
    let payload = entry.payload.to_string();
    let facts =
        records::RecordFacts { kind: kinds::SERVICE_RATING, payload: &payload, number: "1", created_at_ms: MORNING };
    let heading =
        receipt_heading(&crate::content::Content::load(&crate::content::Content::example_dir()).unwrap().station);
    let printing =
        records::Printing { language: records::ReceiptLanguage::Chinese, heading: &heading, copy: false, holder: None };
    assert!(records::receipt_for(facts, printing).is_none());
}
