//! What a scanned code is to the kiosk: a receipt's QR code (it holds the receipt's number, the
//! digits printed under "凭条号"), a utility bill's barcode (its 12-digit account number, as the
//! bill prints it: 3301-0288-1742), or something the kiosk does not read.

use super::receipt_number::looks_like_a_receipt_number;

/// Digits in a bill's account number ("3301-0288-1742").
pub const ACCOUNT_DIGITS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannedCode {
    /// A receipt's number (a report's tracking number is one).
    Receipt(String),
    /// A bill's account number, 12 digits.
    BillAccount(String),
    Unrecognised,
}

/// What `text` is. 12 digits without dashes read as a receipt number, unless `expecting_account`
/// (the bill page is open): only a bill's barcode has the dashes.
pub fn classify(text: &str, expecting_account: bool) -> ScannedCode {
    let text = text.trim();
    let digits: String = text.chars().filter(|c| *c != '-').collect();
    let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let dashed_account = text.len() == ACCOUNT_DIGITS + 2
        && text.char_indices().all(|(i, c)| if i == 4 || i == 9 { c == '-' } else { c.is_ascii_digit() });
    if dashed_account || (expecting_account && all_digits && text.len() == ACCOUNT_DIGITS) {
        return ScannedCode::BillAccount(digits);
    }
    if all_digits && digits.len() == text.len() && looks_like_a_receipt_number(text) {
        return ScannedCode::Receipt(digits);
    }
    ScannedCode::Unrecognised
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_bills_and_the_rest() {
        assert_eq!(classify("004200187355", false), ScannedCode::Receipt("004200187355".into()));
        assert_eq!(classify(" 0042001873 ", false), ScannedCode::Receipt("0042001873".into()));
        assert_eq!(classify("3301-0288-1742", false), ScannedCode::BillAccount("330102881742".into()));
        assert_eq!(classify("330102881742", true), ScannedCode::BillAccount("330102881742".into()));
        assert_eq!(classify("330102881742", false), ScannedCode::Receipt("330102881742".into()));
        for other in
            ["https://example.com/pay", "3301-0288-174", "33010-288-1742", "12345", "", "６９０１２３４５６７８９２"]
        {
            assert_eq!(classify(other, false), ScannedCode::Unrecognised, "{other}");
        }
        // A product's EAN-13 is 13 digits: it reads as a receipt number and is refused as one,
        // with the reason, by the reprint or the report lookup.
        assert_eq!(classify("6901234567892", false), ScannedCode::Receipt("6901234567892".into()));
    }
}
