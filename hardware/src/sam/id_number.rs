//! Citizen ID numbers (GB 11643): 17 digits and a check character. The full number is personal
//! data: Debug and Display show only the masked form, and the memory is wiped on drop.

use zeroize::Zeroize;

pub use citizen_window_protocol::id_number_check::check_character;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("an ID number has 18 characters, this one has {0}")]
    Length(usize),
    #[error("an ID number has 17 digits then a digit or X")]
    Characters,
    #[error("the ID number's check character is wrong: the card may be damaged or forged")]
    CheckCharacter,
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

    /// First four and last four characters, the rest as asterisks: what screens and receipts show.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }

    /// The birth date the number encodes (characters 7 to 14).
    pub fn birth_digits(&self) -> &str {
        &self.0[6..14]
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
}
