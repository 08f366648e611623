//! Card numbers: the GB 11643 number (17 digits and a check character) of the resident identity
//! card, the 港澳台居民居住证 and the 2023 外国人永久居留身份证, and the 15-character number of
//! the 2017 外国人永久居留身份证 (`protocol::id_number_check` has both check rules). The full
//! number is personal data: Debug and Display show only the masked form, and the memory is wiped
//! on drop.

use zeroize::Zeroize;

pub use citizen_window_protocol::id_number_check::check_character;
use citizen_window_protocol::id_number_check::{FOREIGN_2017_LEN, foreign_2017_check_digit};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("an ID number has 18 characters, this one has {0}")]
    Length(usize),
    #[error("an ID number has 17 digits then a digit or X")]
    Characters,
    #[error("the ID number's check character is wrong: the card may be damaged or forged")]
    CheckCharacter,
    #[error("a 2017 permanent residence card's number has 3 capital letters then 12 digits")]
    Foreign2017Characters,
}

#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(text: &str) -> Result<Self, IdNumberError> {
        let upper = text.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        let count = upper.chars().count();
        if count != 18 {
            return Err(IdNumberError::Length(count));
        }
        if bytes.len() != 18 {
            return Err(IdNumberError::Characters);
        }
        let first17: &[u8; 17] = bytes[..17].try_into().expect("18 bytes");
        if !first17.iter().all(u8::is_ascii_digit) || !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(IdNumberError::Characters);
        }
        if char::from(bytes[17]) != check_character(first17) {
            return Err(IdNumberError::CheckCharacter);
        }
        Ok(Self(upper))
    }

    /// A 2017 permanent residence card's number: 3 letters of nationality, 4 digits of the place
    /// of acceptance, 6 of the birth date (YYMMDD), a sequence digit and a check digit.
    pub fn parse_foreign_2017(text: &str) -> Result<Self, IdNumberError> {
        let upper = text.trim().to_ascii_uppercase();
        let count = upper.chars().count();
        if count != FOREIGN_2017_LEN {
            return Err(IdNumberError::Length(count));
        }
        let bytes = upper.as_bytes();
        let first14: &[u8; 14] =
            bytes.get(..14).and_then(|b| b.try_into().ok()).ok_or(IdNumberError::Foreign2017Characters)?;
        let expected = foreign_2017_check_digit(first14).ok_or(IdNumberError::Foreign2017Characters)?;
        if bytes.len() != FOREIGN_2017_LEN || !bytes[14].is_ascii_digit() {
            return Err(IdNumberError::Foreign2017Characters);
        }
        if char::from(bytes[14]) != expected {
            return Err(IdNumberError::CheckCharacter);
        }
        Ok(Self(upper))
    }

    /// First four and last four characters, the rest as asterisks: what screens and receipts show.
    pub fn masked(&self) -> String {
        let len = self.0.len();
        format!("{}{}{}", &self.0[..4], "*".repeat(len - 8), &self.0[len - 4..])
    }

    /// The birth date the number encodes: YYYYMMDD (characters 7 to 14) in an 18-character
    /// number, YYMMDD (characters 8 to 13) in a 2017 permanent residence number.
    pub fn birth_digits(&self) -> &str {
        if self.0.len() == FOREIGN_2017_LEN { &self.0[7..13] } else { &self.0[6..14] }
    }

    /// The first six characters: the region code of a GB 11643 number (810000 Hong Kong, 820000
    /// Macao, 830000 Taiwan on a residence permit; 9 then the province and the nationality on a
    /// 2023 permanent residence card).
    pub fn leading_six(&self) -> &str {
        &self.0[..6]
    }

    /// The full number, for sealing it to the server and for the kiosk's own once-keys, and
    /// nothing else: never log, store or print it.
    pub fn reveal_full_number(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl std::fmt::Display for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

impl Drop for IdNumber {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_example_is_valid_and_masked() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(format!("{id}"), "1101**********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(1101**********002X)");
        assert!(!format!("{id:?}{id}").contains("19491231"));
        assert_eq!(id.birth_digits(), "19491231");
        assert_eq!(IdNumber::parse("11010519491231002x").unwrap().reveal_full_number(), "11010519491231002X");
    }

    #[test]
    fn rejects_bad_numbers() {
        assert_eq!(IdNumber::parse("110105194912310021"), Err(IdNumberError::CheckCharacter));
        assert_eq!(IdNumber::parse("11010519491231002"), Err(IdNumberError::Length(17)));
        assert_eq!(IdNumber::parse("1101051949123100AX"), Err(IdNumberError::Characters));
        assert_eq!(IdNumber::parse("X1010519491231002X"), Err(IdNumberError::Characters));
        assert_eq!(IdNumber::parse("１１０１０５１９４９１２３１００２Ｘ"), Err(IdNumberError::Characters));
    }

    #[test]
    fn permanent_residence_numbers_of_2017() {
        let id = IdNumber::parse_foreign_2017("DEU310072031521").unwrap();
        assert_eq!(id.masked(), "DEU3*******1521");
        assert_eq!(id.birth_digits(), "720315");
        assert_eq!(IdNumber::parse_foreign_2017("DEU310072031522"), Err(IdNumberError::CheckCharacter));
        assert_eq!(IdNumber::parse_foreign_2017("D3U310072031521"), Err(IdNumberError::Foreign2017Characters));
        assert_eq!(IdNumber::parse_foreign_2017("DEU31007203152X"), Err(IdNumberError::Foreign2017Characters));
        assert_eq!(IdNumber::parse_foreign_2017("DEU31007203152"), Err(IdNumberError::Length(14)));
        assert_eq!(IdNumber::parse_foreign_2017("DEÜ310072031521"), Err(IdNumberError::Foreign2017Characters));
        // Neither rule takes the other's numbers.
        assert!(IdNumber::parse("DEU310072031521").is_err());
        assert!(IdNumber::parse_foreign_2017("11010519491231002X").is_err());
    }
}
