//! The social-insurance statement: the resident's own record, printed on request. It is printed
//! from the record in memory; the journal keeps only that a statement was printed.

use super::payment::yuan;
use super::receipt_layout::{Printing, china_time, receipt_foot, receipt_top};
use citizen_window_hardware::escpos::{Receipt, TextStyle};
use citizen_window_protocol::services::SocialInsuranceRecord;

/// The 低保 (subsistence allowance) status as printed, Chinese then English.
pub fn allowance_name(status: &str) -> (&'static str, &'static str) {
    match status {
        "granted" => ("已享受", "granted"),
        "under_review" => ("审核中", "under review"),
        _ => ("未享受", "none"),
    }
}

/// The statement, in the session's language, with the kiosk's heading; the holder (masked) is
/// named on it, which is why it is printed from memory and never reprinted.
pub fn statement_receipt(record: &SocialInsuranceRecord, now_ms: i64, printing: Printing<'_>) -> Receipt {
    let say = |zh: &str, en: &str| printing.language.say(zh, en);
    let mut receipt = receipt_top(&printing)
        .text(say("社保对账单", "Social insurance statement"), TextStyle::default().centred())
        .separator();
    if let Some(holder) = printing.holder {
        receipt = receipt.key_value(say("持有人", "Holder"), holder.to_string());
    }
    receipt = receipt.line(say("缴费（养老 / 医疗）", "Contributions (pension / medical)"));
    for month in &record.contributions {
        receipt = receipt.key_value(&month.month, format!("{} / {}", yuan(month.pension_fen), yuan(month.medical_fen)));
    }
    if !record.pension_payments.is_empty() {
        receipt = receipt.separator().line(say("养老金发放", "Pension paid"));
        for month in &record.pension_payments {
            receipt = receipt.key_value(&month.month, yuan(month.pension_fen));
        }
    }
    let (zh, en) = allowance_name(&record.subsistence_allowance);
    let receipt = receipt
        .separator()
        .key_value(say("低保", "Allowance"), say(zh, en))
        .key_value(say("打印时间", "Printed"), china_time(now_ms))
        .text(
            say("仅供参考，以社保经办机构记录为准", "For reference; the social insurance office's record prevails"),
            TextStyle::default().centred(),
        );
    receipt_foot(receipt, &printing, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use citizen_window_protocol::services::ContributionMonth;

    #[test]
    fn a_statement_lists_every_month_and_the_allowance() {
        let month = |m: &str| ContributionMonth { month: m.into(), pension_fen: 32_000, medical_fen: 800 };
        let record = SocialInsuranceRecord {
            contributions: vec![month("2026-09"), month("2026-10")],
            pension_payments: vec![],
            subsistence_allowance: "under_review".into(),
        };
        let heading = super::super::ReceiptHeading::default();
        let language = super::super::ReceiptLanguage::Both;
        let printing = Printing { language, heading: &heading, copy: false, holder: Some("张* 1101**********002X") };
        let receipt = statement_receipt(&record, 0, printing);
        let text = format!("{receipt:?}");
        for part in ["2026-09", "2026-10", "￥320.00 / ￥8.00", "审核中 under review", "张* 1101"] {
            assert!(text.contains(part), "{part}: {text}");
        }
        assert!(!text.contains("养老金发放"), "no pension section for a resident who draws none");
    }
}
