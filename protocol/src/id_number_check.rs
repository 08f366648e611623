//! The check character of a citizen ID number (GB 11643): both the card reader's parser and the
//! server, which accepts from a kiosk only a number whose check character is right.

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// The check character for the first 17 digits (ASCII digits).
pub fn check_character(first17: &[u8; 17]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    char::from(CHECK_CHARS[(sum % 11) as usize])
}

/// Whether `text` is an ID number: 17 digits, then the right check character (a digit or X).
pub fn is_id_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Ok(first17) = <&[u8; 17]>::try_from(bytes.get(..17).unwrap_or_default()) else { return false };
    bytes.len() == 18 && first17.iter().all(u8::is_ascii_digit) && char::from(bytes[17]) == check_character(first17)
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
}
