//! Receipt numbers: every receipt's number, short enough to type on the keypad, unique across the
//! fleet without asking the server, and not to be guessed. A report's tracking number is its
//! receipt's number, and a receipt is reprinted by it.
//!
//! A number is the kiosk's number from enrolment ([`KIOSK_DIGITS`] digits), the record's journal
//! sequence (at least [`SEQ_MIN_DIGITS`] digits; the journal never gives a sequence twice, even
//! after pruning) and [`CHECK_DIGITS`] check digits keyed with a secret this kiosk keeps. A
//! mistyped digit is caught 99 times in 100, and a stranger counting through sequences to reprint
//! other residents' receipts must also guess the check digits, once in 100 tries.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

pub const KIOSK_DIGITS: usize = 4;
pub const SEQ_MIN_DIGITS: usize = 4;
pub const CHECK_DIGITS: usize = 2;
/// The fewest digits a receipt number has (10), and the most a typed one may have.
pub const MIN_DIGITS: usize = KIOSK_DIGITS + SEQ_MIN_DIGITS + CHECK_DIGITS;
pub const MAX_DIGITS: usize = KIOSK_DIGITS + 19 + CHECK_DIGITS;
/// The highest kiosk number a receipt number can carry.
pub const MAX_KIOSK_NUMBER: u32 = 9_999;

/// Numbers this kiosk's receipts and reads them back.
#[derive(Clone)]
pub struct ReceiptNumbering {
    kiosk: u32,
    key: Zeroizing<[u8; 32]>,
}

/// Why typed digits are not one of this kiosk's receipt numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberProblem {
    /// Fewer digits than a receipt number has, or more.
    WrongLength,
    /// A receipt of another kiosk (its number is the first four digits).
    OtherKiosk(u32),
    /// The check digits do not match: a digit was mistyped.
    Mistyped,
}

impl ReceiptNumbering {
    /// `kiosk`: the number enrolment gave this kiosk (0 for a kiosk not enrolled); `key`: a
    /// secret of this kiosk's own.
    pub fn new(kiosk: u32, key: Zeroizing<[u8; 32]>) -> Result<Self, String> {
        if kiosk > MAX_KIOSK_NUMBER {
            return Err(format!(
                "the kiosk's number {kiosk} has more than {KIOSK_DIGITS} digits, which receipt numbers cannot carry"
            ));
        }
        Ok(Self { kiosk, key })
    }

    pub fn kiosk(&self) -> u32 {
        self.kiosk
    }

    /// The number of the receipt of the record `seq`: digits only, "0042001873" and so on.
    pub fn number(&self, seq: u64) -> String {
        let check = self.check(seq);
        format!("{:0kd$}{seq:0sd$}{check:0cd$}", self.kiosk, kd = KIOSK_DIGITS, sd = SEQ_MIN_DIGITS, cd = CHECK_DIGITS)
    }

    /// The record whose receipt number was typed (spaces and dashes ignored).
    pub fn read(&self, typed: &str) -> Result<u64, NumberProblem> {
        let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumberProblem::WrongLength);
        }
        let kiosk: u32 = digits[..KIOSK_DIGITS].parse().map_err(|_| NumberProblem::WrongLength)?;
        let seq: u64 =
            digits[KIOSK_DIGITS..digits.len() - CHECK_DIGITS].parse().map_err(|_| NumberProblem::WrongLength)?;
        if kiosk != self.kiosk {
            return Err(NumberProblem::OtherKiosk(kiosk));
        }
        if self.number(seq) != digits {
            return Err(NumberProblem::Mistyped);
        }
        Ok(seq)
    }

    fn check(&self, seq: u64) -> u64 {
        let mut mac = Hmac::<Sha256>::new_from_slice(&*self.key).expect("HMAC takes any key");
        mac.update(format!("citizen-window receipt number:{}:{seq}", self.kiosk).as_bytes());
        let tag = mac.finalize().into_bytes();
        u64::from_be_bytes(tag[..8].try_into().expect("8 bytes")) % 10u64.pow(CHECK_DIGITS as u32)
    }
}

/// Whether `typed` has the length and digits of a receipt number of any kiosk.
pub fn looks_like_a_receipt_number(typed: &str) -> bool {
    (MIN_DIGITS..=MAX_DIGITS).contains(&typed.len()) && typed.bytes().all(|b| b.is_ascii_digit())
}

/// "0042 0018 7355": how a receipt number is shown and printed, in groups of four.
pub fn grouped(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbering(kiosk: u32, key: u8) -> ReceiptNumbering {
        ReceiptNumbering::new(kiosk, Zeroizing::new([key; 32])).unwrap()
    }

    #[test]
    fn a_number_is_the_kiosk_the_sequence_and_two_check_digits() {
        let n = numbering(42, 1);
        let number = n.number(187);
        assert_eq!(number.len(), MIN_DIGITS);
        assert!(number.starts_with("00420187"), "{number}");
        assert_eq!(n.read(&number), Ok(187));
        assert_eq!(n.read(&grouped(&number)), Ok(187), "typed with its spaces");
        let big = n.number(1_234_567);
        assert_eq!(big.len(), MIN_DIGITS + 3);
        assert_eq!(n.read(&big), Ok(1_234_567));
    }

    #[test]
    fn another_kiosk_and_another_key_make_other_numbers() {
        let (here, there, rekeyed) = (numbering(42, 1), numbering(43, 1), numbering(42, 2));
        let number = there.number(187);
        assert_eq!(here.read(&number), Err(NumberProblem::OtherKiosk(43)));
        let checks_differ = (1..100).filter(|seq| here.number(*seq) != rekeyed.number(*seq)).count();
        assert!(checks_differ > 90, "the check digits follow the key: {checks_differ} of 99 differ");
    }

    #[test]
    fn a_mistyped_digit_is_caught() {
        let n = numbering(42, 1);
        let number = n.number(187);
        let mut caught = 0;
        for at in KIOSK_DIGITS..number.len() {
            for digit in b'0'..=b'9' {
                let mut typo = number.clone().into_bytes();
                if typo[at] == digit {
                    continue;
                }
                typo[at] = digit;
                let typo = String::from_utf8(typo).unwrap();
                if n.read(&typo).is_err() {
                    caught += 1;
                }
            }
        }
        let typos = (number.len() - KIOSK_DIGITS) * 9;
        assert!(caught * 100 >= typos * 95, "{caught} of {typos} typos caught");
    }

    #[test]
    fn what_is_not_a_number_says_so() {
        let n = numbering(42, 1);
        assert_eq!(n.read("12345"), Err(NumberProblem::WrongLength));
        assert_eq!(n.read("00420187xx"), Err(NumberProblem::WrongLength));
        assert_eq!(n.read(&"9".repeat(MAX_DIGITS + 1)), Err(NumberProblem::WrongLength));
        assert!(ReceiptNumbering::new(MAX_KIOSK_NUMBER + 1, Zeroizing::new([0; 32])).is_err());
    }

    #[test]
    fn numbers_print_in_groups_of_four() {
        assert_eq!(grouped("0042018735"), "0042 0187 35");
    }
}
