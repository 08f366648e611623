//! The check characters of the numbers an ID card reader returns, used by both the card reader's
//! parser and the server, which accepts from a kiosk only a number whose check character is right:
//! - GB 11643 (resident identity card, 港澳台居民居住证, 2023 外国人永久居留身份证): 17 digits
//!   and an ISO 7064 MOD 11-2 check character (a digit or X);
//! - the 2017 外国人永久居留身份证: 3 letters (nationality), 11 digits and a check digit over the
//!   first 14 characters with the 7-3-1 weights of ICAO 9303, letters counting A=10 … Z=35 (see
//!   docs/DEVICES.md for what this rests on).

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";
/// Characters of a 2017 permanent residence card's number.
pub const FOREIGN_2017_LEN: usize = 15;

/// The check character for the first 17 digits (ASCII digits).
pub fn check_character(first17: &[u8; 17]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    char::from(CHECK_CHARS[(sum % 11) as usize])
}

/// Whether `text` is a GB 11643 number: 17 digits, then the right check character (a digit or X).
pub fn is_id_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Ok(first17) = <&[u8; 17]>::try_from(bytes.get(..17).unwrap_or_default()) else { return false };
    bytes.len() == 18 && first17.iter().all(u8::is_ascii_digit) && char::from(bytes[17]) == check_character(first17)
}

/// The check digit of a 2017 permanent residence number's first 14 characters (3 capital
/// letters, 11 digits); `None` when they are not of that form.
pub fn foreign_2017_check_digit(first14: &[u8; 14]) -> Option<char> {
    let (letters, digits) = first14.split_at(3);
    if !letters.iter().all(u8::is_ascii_uppercase) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = |c: u8| if c.is_ascii_digit() { u32::from(c - b'0') } else { u32::from(c - b'A') + 10 };
    let sum: u32 = first14.iter().zip([7, 3, 1].into_iter().cycle()).map(|(&c, w)| value(c) * w).sum();
    Some(char::from(b'0' + (sum % 10) as u8))
}

/// Whether `text` is a 2017 permanent residence number with the right check digit.
pub fn is_foreign_2017_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Ok(first14) = <&[u8; 14]>::try_from(bytes.get(..14).unwrap_or_default()) else { return false };
    bytes.len() == FOREIGN_2017_LEN && foreign_2017_check_digit(first14) == Some(char::from(bytes[14]))
}

/// Whether `text` is the number of any card the kiosk reads.
pub fn is_document_number(text: &str) -> bool {
    is_id_number(text) || is_foreign_2017_number(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn check_characters() {
        assert!(super::is_id_number("11010519491231002X"));
        assert!(super::is_id_number("330106199001010018"));
        for bad in ["110105194912310021", "11010519491231002x", "1101051949123100", "11010519491231002XX", ""] {
            assert!(!super::is_id_number(bad), "{bad}");
        }
    }

    #[test]
    fn permanent_residence_numbers_of_2017_use_the_7_3_1_rule() {
        // USA, accepted in 1100 (Beijing), born 1980-05-12, sequence 1: 7-3-1 over
        // U=30 S=28 A=10 1 1 0 0 8 0 0 5 1 2 1 gives 210+84+10+7+3+0+0+24+0+0+15+1+14+3 = 371.
        assert_eq!(super::foreign_2017_check_digit(b"USA11008005121"), Some('1'));
        assert!(super::is_foreign_2017_number("USA110080051211"));
        assert!(super::is_document_number("USA110080051211"));
        for bad in ["USA110080051216", "usa110080051211", "US1110080051211", "USA11008005121", "USA1100800512111"] {
            assert!(!super::is_foreign_2017_number(bad), "{bad}");
        }
        // The GB 11643 rule does not accept it, nor the 7-3-1 rule an 18-digit number.
        assert!(!super::is_id_number("USA110080051211"));
        assert!(!super::is_foreign_2017_number("11010519491231002X"));
    }
}
