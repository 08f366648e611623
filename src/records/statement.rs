//! The social-insurance statement: the resident's own record, printed on request. It is printed
//! from the record in memory; the journal keeps only that a statement was printed.

use super::payment::yuan;
use super::receipt_layout::china_time;
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

pub fn statement_receipt(record: &SocialInsuranceRecord, now_ms: i64) -> Receipt {
    let mut receipt = Receipt::new()
        .title("市民之窗")
        .text("社保对账单 Social insurance statement", TextStyle::default().centred())
        .separator()
        .line("缴费 Contributions (养老 pension / 医疗 medical)");
    for month in &record.contributions {
        receipt = receipt.key_value(&month.month, format!("{} / {}", yuan(month.pension_fen), yuan(month.medical_fen)));
    }
    if !record.pension_payments.is_empty() {
        receipt = receipt.separator().line("养老金发放 Pension paid");
        for month in &record.pension_payments {
            receipt = receipt.key_value(&month.month, yuan(month.pension_fen));
        }
    }
    let (zh, en) = allowance_name(&record.subsistence_allowance);
    receipt
        .separator()
        .key_value("低保 Allowance", format!("{zh} {en}"))
        .key_value("打印时间 Printed", china_time(now_ms))
        .text("仅供参考，以社保经办机构记录为准", TextStyle::default().centred())
        .text("For reference; the social insurance office's record prevails", TextStyle::default().centred())
        .cut()
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
        let receipt = statement_receipt(&record, 0);
        let text = format!("{receipt:?}");
        for part in ["2026-09", "2026-10", "￥320.00 / ￥8.00", "审核中 under review"] {
            assert!(text.contains(part), "{part}: {text}");
        }
        assert!(!text.contains("养老金发放"), "no pension section for a resident who draws none");
    }
}
