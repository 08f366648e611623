//! The receipt each record prints, made from the journal record alone, so that a reprint (marked
//! as a copy) is the same receipt. Bilingual, like every receipt; no name and no ID number.

use super::appointment::AppointmentPayload;
use super::content_slip::SlipPayload;
use super::kinds;
use super::payment::{PaymentPayload, utility_name, yuan};
use super::report::{ReportPayload, grouped};
use super::ticket::TicketPayload;
use super::vote::VotePayload;
use citizen_window_hardware::escpos::{Receipt, TextSize, TextStyle};

/// The facts of a journal record that its receipt shows.
#[derive(Debug, Clone, Copy)]
pub struct RecordFacts<'a> {
    pub kind: &'a str,
    /// The payload's JSON text as journaled.
    pub payload: &'a str,
    /// The transaction's id, printed as a QR code the station's staff can scan.
    pub id: &'a str,
    pub created_at_ms: i64,
}

/// The receipt for a record, or `None` for a kind that prints nothing (or a payload that does not
/// parse, which the journal never holds for these kinds).
pub fn receipt_for(record: RecordFacts<'_>, copy: bool) -> Option<Receipt> {
    let mut receipt = Receipt::new().title("市民之窗");
    if copy {
        receipt = receipt.text("副本 · 补打  COPY · Reprint", TextStyle::default().centred().bold());
    }
    let time = china_time(record.created_at_ms);
    let receipt = match record.kind {
        kinds::QUEUE_TICKET => {
            let ticket: TicketPayload = serde_json::from_str(record.payload).ok()?;
            let (zh, en) = ticket.window.printed_name();
            receipt
                .text("排队取号 Queue ticket", TextStyle::default().centred())
                .separator()
                .text(ticket.number, TextStyle::default().centred().bold().sized(TextSize { width: 4, height: 4 }))
                .key_value(
                    "窗口 Window",
                    format!("{} 号 No. {}", ticket.window.window_number(), ticket.window.window_number()),
                )
                .key_value("业务 Service", format!("{zh} {en}"))
                .key_value("时间 Time", time)
                .separator()
                .text("请留意叫号 Please wait for your number", TextStyle::default().centred())
        }
        kinds::ISSUE_REPORT => {
            let report: ReportPayload = serde_json::from_str(record.payload).ok()?;
            let (zh, en) = report.category.printed_name();
            receipt
                .text("报事报修 Issue report", TextStyle::default().centred())
                .separator()
                .key_value("类别 Issue", format!("{zh} {en}"))
                .key_value("地点 Place", format!("{} {}", report.place_name.0, report.place_name.1))
                .key_value("时间 Time", time)
                .text("查询编号 Tracking number", TextStyle::default().centred())
                .text(grouped(&report.tracking_number), TextStyle::default().centred().bold().sized(TextSize::TALL))
                .separator()
                .text("凭编号在本机“报事报修”查询进度", TextStyle::default().centred())
                .text("Look up its status with this number", TextStyle::default().centred())
        }
        kinds::CONTENT_SLIP => {
            let slip: SlipPayload = serde_json::from_str(record.payload).ok()?;
            let mut receipt = receipt
                .text(slip.title.0, TextStyle::default().centred().bold())
                .text(slip.title.1, TextStyle::default().centred())
                .separator();
            for line in slip.lines {
                receipt = receipt.line(line);
            }
            receipt = receipt.separator().key_value("打印时间 Printed", time);
            if let Some(link) = slip.qr {
                receipt = receipt.qr(link, 5);
            }
            return Some(receipt.cut());
        }
        kinds::APPOINTMENT => {
            let booked: AppointmentPayload = serde_json::from_str(record.payload).ok()?;
            let (zh, en) = booked.window.printed_name();
            let number = booked.window.window_number();
            receipt
                .text("预约凭条 Appointment", TextStyle::default().centred())
                .separator()
                .text(booked.starts_at, TextStyle::default().centred().bold().sized(TextSize::TALL))
                .key_value("窗口 Window", format!("{number} 号 No. {number}"))
                .key_value("业务 Service", format!("{zh} {en}"))
                .key_value("预约号 Booking", booked.appointment_id)
                .key_value("办理时间 Booked at", time)
                .separator()
                .text("请按时到窗口办理，出示本凭条", TextStyle::default().centred())
                .text("Please come on time and show this slip", TextStyle::default().centred())
        }
        kinds::BILL_PAYMENT => {
            let paid: PaymentPayload = serde_json::from_str(record.payload).ok()?;
            let (zh, en) = utility_name(paid.utility.as_ref());
            receipt
                .text("便民缴费 Bill payment", TextStyle::default().centred())
                .separator()
                .key_value("业务 Service", format!("{zh} {en}"))
                .key_value("户号 Account", paid.account)
                .key_value("账期 Period", paid.period.unwrap_or_else(|| "—".into()))
                .key_value("金额 Amount", yuan(paid.amount_fen))
                .key_value("支付 Paid by", "扫码支付 QR wallet")
                .key_value("时间 Time", time)
                .key_value("订单 Order", paid.order_id)
                .separator()
                .text("请妥善保管本凭证 Please keep this receipt", TextStyle::default().centred())
        }
        kinds::VOTE => {
            let vote: VotePayload = serde_json::from_str(record.payload).ok()?;
            let (zh, en) = vote.choice.printed_name();
            let mut receipt = receipt
                .text("民意征集 Opinion vote", TextStyle::default().centred())
                .separator()
                .line(vote.proposal_title.0)
                .line(vote.proposal_title.1)
                .key_value("表决 Vote", format!("{zh} {en}"));
            if let Some((zh, en)) = vote.comment {
                receipt = receipt.key_value("意见 Comment", format!("{zh} {en}"));
            }
            receipt
                .key_value("时间 Time", time)
                .text("投票码 Vote code", TextStyle::default().centred())
                .text(vote.vote_code, TextStyle::default().centred().bold().sized(TextSize::DOUBLE))
                .separator()
                .text("每位居民每项议题限投一次", TextStyle::default().centred())
                .text("One vote per resident per proposal", TextStyle::default().centred())
        }
        _ => return None,
    };
    Some(receipt.qr(format!("CW:{}:{}", record.kind, record.id), 5).cut())
}

/// "2026-11-27 09:41" in China Standard Time.
pub(super) fn china_time(ms: i64) -> String {
    citizen_window_protocol::china_time::date_time_text(ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{IssueCategory, Window};
    use citizen_window_hardware::escpos::receipt::Block;

    fn texts(receipt: &Receipt) -> String {
        receipt
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Text { text, .. } => Some(text.clone()),
                Block::KeyValue { key, value, .. } => Some(format!("{key}: {value}")),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    // 2026-11-27 01:41 UTC is 09:41 in Beijing.
    const CREATED: i64 = 1_795_743_660_000;

    #[test]
    fn a_ticket_shows_number_window_and_time_in_china() {
        let payload = serde_json::to_string(&TicketPayload {
            window: Window::LegalAid,
            number: "D007".into(),
            day: "2026-11-27".into(),
        })
        .unwrap();
        let facts = RecordFacts { kind: kinds::QUEUE_TICKET, payload: &payload, id: "0193", created_at_ms: CREATED };
        let text = texts(&receipt_for(facts, false).unwrap());
        assert!(text.contains("D007"), "{text}");
        assert!(text.contains("4 号 No. 4"), "{text}");
        assert!(text.contains("法律援助 Legal aid"), "{text}");
        assert!(text.contains("2026-11-27 09:41"), "{text}");
        assert!(!text.contains("COPY"), "{text}");
    }

    #[test]
    fn a_reprint_says_it_is_a_copy() {
        let payload = serde_json::to_string(&ReportPayload {
            tracking_number: "2611270000000042".into(),
            category: IssueCategory::LeakingPipe,
            place: "building-3".into(),
            place_name: ("3 号楼".into(), "Building 3".into()),
        })
        .unwrap();
        let facts = RecordFacts { kind: kinds::ISSUE_REPORT, payload: &payload, id: "0193", created_at_ms: CREATED };
        let text = texts(&receipt_for(facts, true).unwrap());
        assert!(text.contains("COPY"), "{text}");
        assert!(text.contains("2611 2700 0000 0042"), "{text}");
        assert!(text.contains("管道漏水 Leaking pipe"), "{text}");
        assert!(text.contains("3 号楼 Building 3"), "{text}");
    }

    #[test]
    fn a_vote_shows_the_proposal_the_choice_and_the_code_but_nobody_s_name() {
        let payload = serde_json::to_string(&VotePayload {
            proposal: "p-1".into(),
            proposal_title: ("增设充电棚".into(), "Charging shelters".into()),
            choice: crate::records::VoteChoice::Agree,
            comment: Some(("希望收费合理".into(), "Please keep the fee low".into())),
            vote_code: "K7M2-9QXD".into(),
        })
        .unwrap();
        let facts = RecordFacts { kind: kinds::VOTE, payload: &payload, id: "0193", created_at_ms: CREATED };
        let text = texts(&receipt_for(facts, false).unwrap());
        for part in ["增设充电棚", "Charging shelters", "同意 Agree", "希望收费合理", "K7M2-9QXD"] {
            assert!(text.contains(part), "{part}: {text}");
        }
    }

    #[test]
    fn a_directory_slip_prints_its_lines_and_its_link() {
        let payload = serde_json::to_string(&SlipPayload {
            what: "directory".into(),
            id: "police".into(),
            title: ("警务室".into(), "Police room".into()),
            lines: vec!["服务站二楼 201".into(), "电话 110".into()],
            qr: Some("https://example.invalid/police".into()),
        })
        .unwrap();
        let facts = RecordFacts { kind: kinds::CONTENT_SLIP, payload: &payload, id: "0193", created_at_ms: CREATED };
        let receipt = receipt_for(facts, false).unwrap();
        let text = texts(&receipt);
        assert!(text.contains("警务室") && text.contains("电话 110"), "{text}");
        let qr = receipt.blocks.iter().any(|b| matches!(b, Block::Qr { data, .. } if data.ends_with("/police")));
        assert!(qr, "the link, not the record's id, is the QR code");
    }

    #[test]
    fn kinds_without_a_receipt_and_broken_payloads_print_nothing() {
        let facts = RecordFacts { kind: "kiosk_selftest", payload: "{}", id: "1", created_at_ms: CREATED };
        assert!(receipt_for(facts, false).is_none());
        let facts = RecordFacts { kind: kinds::QUEUE_TICKET, payload: "{}", id: "1", created_at_ms: CREATED };
        assert!(receipt_for(facts, false).is_none());
    }
}
