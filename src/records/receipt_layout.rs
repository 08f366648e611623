//! The receipt each record prints, made from the journal record alone, so that a reprint (marked
//! as a copy) is the same receipt: in the session's language (or both, as configured), with the
//! issuer, the terminal, the hotline, the receipt's number as text and as a QR code of the same
//! digits, and no name and no ID number. A receipt that is proof (a payment, an appointment)
//! names its holder masked, on the original only: the holder is never journaled.

use super::appointment::AppointmentPayload;
use super::content_slip::SlipPayload;
use super::kinds;
use super::payment::{PaymentPayload, utility_name, yuan};
use super::receipt_number::grouped;
use super::report::ReportPayload;
use super::ticket::TicketPayload;
use super::vote::VotePayload;
use citizen_window_hardware::escpos::{Receipt, TextSize, TextStyle};

/// The language a receipt is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReceiptLanguage {
    #[default]
    Chinese,
    English,
    /// Every line in Chinese, then English (a configuration choice).
    Both,
}

impl ReceiptLanguage {
    /// The text of a pair of texts in this language.
    pub fn say(self, zh: &str, en: &str) -> String {
        match self {
            ReceiptLanguage::Chinese => zh.to_string(),
            ReceiptLanguage::English => en.to_string(),
            ReceiptLanguage::Both if zh == en || en.is_empty() => zh.to_string(),
            ReceiptLanguage::Both => format!("{zh} {en}"),
        }
    }

    fn pair(self, (zh, en): &(String, String)) -> String {
        self.say(zh, en)
    }
}

/// What every receipt of this kiosk says about where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceiptHeading {
    /// The community and the station that look after the kiosk (Chinese, English).
    pub community: (String, String),
    pub station: (String, String),
    /// The terminal's label ("幸福里社区 1号机"), or its number.
    pub terminal: String,
    /// The station's phone and the citizens' service hotline, as dialled.
    pub phone: String,
    pub hotline: String,
}

/// The facts of a journal record that its receipt shows.
#[derive(Debug, Clone, Copy)]
pub struct RecordFacts<'a> {
    pub kind: &'a str,
    /// The payload's JSON text as journaled.
    pub payload: &'a str,
    /// The receipt's number (digits), printed and encoded in the QR code.
    pub number: &'a str,
    pub created_at_ms: i64,
}

/// How one receipt is printed: in which language, from which kiosk, original or copy, and the
/// masked holder of a proof (original only).
#[derive(Debug, Clone, Copy)]
pub struct Printing<'a> {
    pub language: ReceiptLanguage,
    pub heading: &'a ReceiptHeading,
    pub copy: bool,
    pub holder: Option<&'a str>,
}

/// The top of every receipt: the program, the issuer, a copy's mark.
pub(super) fn receipt_top(printing: &Printing<'_>) -> Receipt {
    let say = |zh: &str, en: &str| printing.language.say(zh, en);
    let heading = printing.heading;
    let mut receipt = Receipt::new().title(if printing.language == ReceiptLanguage::English {
        "Citizen Window"
    } else {
        "市民之窗"
    });
    let issuer = |(community, station): (&str, &str)| {
        if station.starts_with(community) || community.is_empty() {
            station.to_string()
        } else {
            format!("{community} {station}")
        }
    };
    let (zh, en) =
        (issuer((&heading.community.0, &heading.station.0)), issuer((&heading.community.1, &heading.station.1)));
    if !zh.is_empty() {
        receipt = receipt.text(say(&zh, &en), TextStyle::default().centred());
    }
    if printing.copy {
        receipt = receipt.text(say("副本 · 补打", "COPY · Reprint"), TextStyle::default().centred().bold());
    }
    receipt
}

/// The foot of every receipt: the terminal, the hotline, and the number a person reads and the
/// kiosk looks up (the QR code holds the same digits).
pub(super) fn receipt_foot(receipt: Receipt, printing: &Printing<'_>, number: Option<(&str, &str)>) -> Receipt {
    let say = |zh: &str, en: &str| printing.language.say(zh, en);
    let heading = printing.heading;
    let mut receipt = receipt.separator();
    if !heading.terminal.is_empty() {
        receipt = receipt.key_value(say("终端", "Terminal"), heading.terminal.clone());
    }
    if !heading.phone.is_empty() {
        receipt = receipt.key_value(say("服务站电话", "Station"), heading.phone.clone());
    }
    if !heading.hotline.is_empty() {
        receipt = receipt.key_value(say("服务热线", "Hotline"), heading.hotline.clone());
    }
    if let Some((number, kind)) = number {
        receipt = receipt.key_value(say("凭条号", "Receipt No."), grouped(number)).qr(number.to_string(), 5);
        if reprinted_by_number(kind) {
            let line = say("补打请在本机输入凭条号", "To reprint, type the receipt No. at this kiosk");
            receipt = receipt.text(line, TextStyle::default().centred());
        }
    }
    receipt.cut()
}

/// Whether anyone holding its number may reprint a receipt of this kind (a vote's receipt
/// carries its vote code: it is reprinted only for its voter, in the visit it was made).
pub fn reprinted_by_number(kind: &str) -> bool {
    matches!(kind, kinds::QUEUE_TICKET | kinds::ISSUE_REPORT | kinds::APPOINTMENT | kinds::BILL_PAYMENT)
}

/// The receipt for a record, or `None` for a kind that prints nothing (or a payload that does not
/// parse, which the journal never holds for these kinds).
pub fn receipt_for(record: RecordFacts<'_>, printing: Printing<'_>) -> Option<Receipt> {
    let language = printing.language;
    let say = |zh: &str, en: &str| language.say(zh, en);
    let receipt = receipt_top(&printing);
    let time = china_time(record.created_at_ms);
    let holder = |receipt: Receipt| match printing.holder {
        Some(holder) if !printing.copy => receipt.key_value(say("持有人", "Holder"), holder.to_string()),
        _ => receipt,
    };
    let receipt = match record.kind {
        kinds::QUEUE_TICKET => {
            let ticket: TicketPayload = serde_json::from_str(record.payload).ok()?;
            let window = ticket.window_number;
            receipt
                .text(say("排队取号", "Queue ticket"), TextStyle::default().centred())
                .separator()
                .text(ticket.number, TextStyle::default().centred().bold().sized(TextSize { width: 4, height: 4 }))
                .key_value(say("窗口", "Window"), say(&format!("{window} 号"), &format!("No. {window}")))
                .key_value(say("业务", "Service"), language.pair(&ticket.window_name))
                .key_value(say("时间", "Time"), time)
                .separator()
                .text(say("请留意叫号", "Please wait for your number"), TextStyle::default().centred())
        }
        kinds::ISSUE_REPORT => {
            let report: ReportPayload = serde_json::from_str(record.payload).ok()?;
            receipt
                .text(say("报事报修", "Issue report"), TextStyle::default().centred())
                .separator()
                .key_value(say("类别", "Issue"), language.pair(&report.category_name))
                .key_value(say("地点", "Place"), language.pair(&report.place_name))
                .key_value(say("时间", "Time"), time)
                .text(say("查询编号", "Tracking number"), TextStyle::default().centred())
                .text(grouped(&report.tracking_number), TextStyle::default().centred().bold().sized(TextSize::TALL))
                .text(
                    say("凭编号在本机“报事报修”查询进度", "Look up its status under Report a problem"),
                    TextStyle::default().centred(),
                )
        }
        kinds::CONTENT_SLIP => {
            let slip: SlipPayload = serde_json::from_str(record.payload).ok()?;
            let mut receipt =
                receipt.text(language.pair(&slip.title), TextStyle::default().centred().bold()).separator();
            for line in slip.lines {
                receipt = receipt.line(line);
            }
            receipt = receipt.separator().key_value(say("打印时间", "Printed"), time);
            if let Some(link) = slip.qr {
                receipt = receipt.qr(link, 5);
            }
            // A slip is the content's, not a transaction's: its QR code is the link, and it has
            // no number to reprint it by.
            return Some(receipt_foot(receipt, &printing, None));
        }
        kinds::APPOINTMENT => {
            let booked: AppointmentPayload = serde_json::from_str(record.payload).ok()?;
            let window = booked.window_number;
            let receipt = receipt
                .text(say("预约凭条", "Appointment"), TextStyle::default().centred())
                .separator()
                .text(say("预约时间", "Come at"), TextStyle::default().centred())
                .text(booked.starts_at, TextStyle::default().centred().bold().sized(TextSize::TALL))
                .key_value(say("窗口", "Window"), say(&format!("{window} 号"), &format!("No. {window}")))
                .key_value(say("业务", "Service"), language.pair(&booked.window_name));
            holder(receipt).key_value(say("登记时间", "Booked at"), time).separator().text(
                say("请按时到窗口办理，出示本凭条", "Please come on time and show this slip"),
                TextStyle::default().centred(),
            )
        }
        kinds::BILL_PAYMENT => {
            let paid: PaymentPayload = serde_json::from_str(record.payload).ok()?;
            let (zh, en) = utility_name(paid.utility.as_ref());
            let receipt = receipt
                .text(say("便民缴费", "Bill payment"), TextStyle::default().centred())
                .separator()
                .key_value(say("业务", "Service"), say(zh, en))
                .key_value(say("户号", "Account"), paid.account);
            let receipt = match printing.holder {
                Some(holder) if !printing.copy => receipt.key_value(say("户名", "Account holder"), holder.to_string()),
                _ => receipt,
            };
            receipt
                .key_value(say("账期", "Period"), paid.period.unwrap_or_else(|| "—".into()))
                .key_value(say("金额", "Amount"), yuan(paid.amount_fen))
                .key_value(say("支付", "Paid by"), say("扫码支付", "QR wallet"))
                .key_value(say("时间", "Time"), time)
                .key_value(say("订单号", "Order No."), paid.order_id)
                .separator()
                .text(say("请妥善保管本凭证", "Please keep this receipt"), TextStyle::default().centred())
        }
        kinds::VOTE => {
            let vote: VotePayload = serde_json::from_str(record.payload).ok()?;
            let (zh, en) = vote.choice.printed_name();
            let mut receipt = receipt
                .text(say("民意征集", "Opinion vote"), TextStyle::default().centred())
                .separator()
                .line(language.pair(&vote.proposal_title))
                .key_value(say("表决", "Vote"), say(zh, en));
            if let Some(comment) = vote.comment {
                receipt = receipt.key_value(say("意见", "Comment"), language.pair(&comment));
            }
            receipt
                .key_value(say("时间", "Time"), time)
                .text(say("投票码", "Vote code"), TextStyle::default().centred())
                .text(vote.vote_code, TextStyle::default().centred().bold().sized(TextSize::DOUBLE))
                .separator()
                .text(
                    say("每位居民每项议题限投一次", "One vote per resident per proposal"),
                    TextStyle::default().centred(),
                )
        }
        _ => return None,
    };
    Some(receipt_foot(receipt, &printing, Some((record.number, record.kind))))
}

/// "2026-11-27 09:41" in China Standard Time.
pub(super) fn china_time(ms: i64) -> String {
    citizen_window_protocol::china_time::date_time_text(ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::WindowId;
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

    fn qr_codes(receipt: &Receipt) -> Vec<String> {
        let codes = receipt.blocks.iter().filter_map(|b| match b {
            Block::Qr { data, .. } => Some(data.clone()),
            _ => None,
        });
        codes.collect()
    }

    fn heading() -> ReceiptHeading {
        ReceiptHeading {
            community: ("幸福里社区".into(), "Xingfuli Community".into()),
            station: ("幸福里社区服务站".into(), "Xingfuli Community Service Station".into()),
            terminal: "幸福里 1号机".into(),
            phone: "0571-8765-4321".into(),
            hotline: "12345".into(),
        }
    }

    fn print(kind: &str, payload: &str, language: ReceiptLanguage, copy: bool, holder: Option<&str>) -> Receipt {
        let facts = RecordFacts { kind, payload, number: "0042018735", created_at_ms: CREATED };
        receipt_for(facts, Printing { language, heading: &heading(), copy, holder }).unwrap()
    }

    fn has_chinese(text: &str) -> bool {
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    // 2026-11-27 01:41 UTC is 09:41 in Beijing.
    const CREATED: i64 = 1_795_743_660_000;

    fn ticket() -> String {
        serde_json::to_string(&TicketPayload {
            window: WindowId::fixed("legal_aid"),
            window_number: 4,
            window_name: ("法律援助".into(), "Legal aid".into()),
            number: "D007".into(),
            day: "2026-11-27".into(),
        })
        .unwrap()
    }

    #[test]
    fn a_ticket_in_chinese_shows_number_window_time_issuer_terminal_hotline_and_its_number() {
        let receipt = print(kinds::QUEUE_TICKET, &ticket(), ReceiptLanguage::Chinese, false, None);
        let text = texts(&receipt);
        for part in ["D007", "窗口: 4 号", "法律援助", "2026-11-27 09:41", "幸福里社区服务站", "终端: 幸福里 1号机"]
        {
            assert!(text.contains(part), "{part}: {text}");
        }
        assert!(text.contains("服务热线: 12345") && text.contains("凭条号: 0042 0187 35"), "{text}");
        assert!(!text.contains("Window") && !text.contains("COPY"), "Chinese only: {text}");
        assert_eq!(qr_codes(&receipt), ["0042018735"], "the QR code holds the number a person reads");
    }

    #[test]
    fn an_english_receipt_has_no_chinese_and_a_bilingual_one_has_both() {
        let english = texts(&print(kinds::QUEUE_TICKET, &ticket(), ReceiptLanguage::English, false, None));
        assert!(!has_chinese(&english.replace("幸福里 1号机", "")), "{english}");
        assert!(english.contains("Window: No. 4") && english.contains("Legal aid"), "{english}");
        assert!(english.contains("Xingfuli Community Service Station"), "{english}");
        let both = texts(&print(kinds::QUEUE_TICKET, &ticket(), ReceiptLanguage::Both, false, None));
        assert!(both.contains("窗口 Window: 4 号 No. 4") && both.contains("法律援助 Legal aid"), "{both}");
    }

    #[test]
    fn a_reprint_says_it_is_a_copy() {
        let payload = serde_json::to_string(&ReportPayload {
            tracking_number: "0042018735".into(),
            category: "leaking_pipe".into(),
            category_name: ("管道漏水".into(), "Leaking pipe".into()),
            place: "building-3".into(),
            place_name: ("3 号楼".into(), "Building 3".into()),
        })
        .unwrap();
        let text = texts(&print(kinds::ISSUE_REPORT, &payload, ReceiptLanguage::Both, true, None));
        assert!(text.contains("COPY"), "{text}");
        assert!(text.contains("0042 0187 35"), "{text}");
        assert!(text.contains("管道漏水 Leaking pipe"), "{text}");
        assert!(text.contains("3 号楼 Building 3"), "{text}");
    }

    #[test]
    fn a_proof_names_its_holder_masked_on_the_original_only() {
        let payload = serde_json::to_string(&AppointmentPayload {
            appointment_id: "ap-7f3a".into(),
            window: WindowId::fixed("social_insurance"),
            window_number: 1,
            window_name: ("社保".into(), "Social insurance".into()),
            starts_at: "2026-11-28 09:30".into(),
        })
        .unwrap();
        let holder = Some("张* 1101**********002X");
        let original = texts(&print(kinds::APPOINTMENT, &payload, ReceiptLanguage::Chinese, false, holder));
        assert!(original.contains("持有人: 张* 1101**********002X"), "{original}");
        let copy = texts(&print(kinds::APPOINTMENT, &payload, ReceiptLanguage::Chinese, true, holder));
        assert!(!copy.contains("张*"), "a copy names nobody: {copy}");
        assert!(!original.contains("ap-7f3a"), "the server's booking id is not for residents: {original}");
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
        let text = texts(&print(kinds::VOTE, &payload, ReceiptLanguage::Both, false, None));
        for part in ["增设充电棚", "Charging shelters", "同意 Agree", "希望收费合理", "K7M2-9QXD"] {
            assert!(text.contains(part), "{part}: {text}");
        }
        assert!(!text.contains("补打"), "a vote is not reprinted by its number: {text}");
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
        let receipt = print(kinds::CONTENT_SLIP, &payload, ReceiptLanguage::Chinese, false, None);
        let text = texts(&receipt);
        assert!(text.contains("警务室") && text.contains("电话 110"), "{text}");
        assert_eq!(qr_codes(&receipt), ["https://example.invalid/police"], "the link is the only QR code");
    }

    #[test]
    fn kinds_without_a_receipt_and_broken_payloads_print_nothing() {
        let printing = Printing { language: ReceiptLanguage::Both, heading: &heading(), copy: false, holder: None };
        let facts = RecordFacts { kind: "kiosk_selftest", payload: "{}", number: "1", created_at_ms: CREATED };
        assert!(receipt_for(facts, printing).is_none());
        let facts = RecordFacts { kind: kinds::QUEUE_TICKET, payload: "{}", number: "1", created_at_ms: CREATED };
        assert!(receipt_for(facts, printing).is_none());
    }
}
