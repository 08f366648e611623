//! The resident ID card as the SAM module returns it: the 1295-byte read answer decoded into typed
//! fields. Name, address and ID number are personal data: Debug redacts them and drop wipes them.

use super::date::CalendarDate;
use super::id_number::{IdNumber, IdNumberError};
use super::nation::nation_name;
use super::status_word::SamStatus;
use serde::Serialize;
use zeroize::Zeroize;

pub const TEXT_LEN: usize = 256;
pub const PHOTO_LEN: usize = 1024;

/// Byte ranges of the fields in the UCS-2 text block.
pub mod field {
    use std::ops::Range;
    pub const NAME: Range<usize> = 0..30;
    pub const GENDER: Range<usize> = 30..32;
    pub const NATION: Range<usize> = 32..36;
    pub const BIRTH: Range<usize> = 36..52;
    pub const ADDRESS: Range<usize> = 52..122;
    pub const ID_NUMBER: Range<usize> = 122..158;
    pub const AUTHORITY: Range<usize> = 158..188;
    pub const VALID_FROM: Range<usize> = 188..204;
    pub const VALID_TO: Range<usize> = 204..220;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

/// Until when the card is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    Until(CalendarDate),
    /// 长期: no expiry.
    LongTerm,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdCardError {
    #[error("the reader answered {0}")]
    Status(SamStatus),
    #[error("the reader's answer is {0} bytes, too short for a card")]
    Short(usize),
    #[error("the reader's answer announces {text} bytes of text and {photo} of photo, expected 256 and 1024")]
    BlockLengths { text: usize, photo: usize },
    #[error("the card's {field} field is not valid UCS-2 text")]
    Text { field: &'static str },
    #[error("the card's {field} field is invalid: {reason}")]
    Field { field: &'static str, reason: String },
    #[error("the card's ID number is invalid: {0}")]
    IdNumber(IdNumberError),
}

pub struct IdCard {
    pub name: String,
    pub gender: Gender,
    pub nation_code: String,
    pub birth_date: CalendarDate,
    pub address: String,
    pub id_number: IdNumber,
    pub issuing_authority: String,
    pub valid_from: CalendarDate,
    pub valid_to: Validity,
    /// WLT-compressed photo; decoding needs a vendor library, so it stays opaque.
    pub photo_wlt: Vec<u8>,
}

impl IdCard {
    /// Decodes the payload of a read answer: SW1 SW2 SW3, lengths, text, photo.
    pub fn from_read_answer(payload: &[u8]) -> Result<Self, IdCardError> {
        if payload.len() < 3 {
            return Err(IdCardError::Short(payload.len()));
        }
        let status = SamStatus::from_sw3(payload[2]);
        if status != SamStatus::Success {
            return Err(IdCardError::Status(status));
        }
        if payload.len() < 7 {
            return Err(IdCardError::Short(payload.len()));
        }
        let text_len = usize::from(u16::from_be_bytes([payload[3], payload[4]]));
        let photo_len = usize::from(u16::from_be_bytes([payload[5], payload[6]]));
        if text_len != TEXT_LEN || photo_len != PHOTO_LEN {
            return Err(IdCardError::BlockLengths { text: text_len, photo: photo_len });
        }
        if payload.len() < 7 + TEXT_LEN + PHOTO_LEN {
            return Err(IdCardError::Short(payload.len()));
        }
        let text = &payload[7..7 + TEXT_LEN];
        let photo = &payload[7 + TEXT_LEN..7 + TEXT_LEN + PHOTO_LEN];
        Self::from_text_block(text, photo)
    }

    /// Decodes the 256-byte text block; `photo` is kept as it is.
    pub fn from_text_block(text: &[u8], photo: &[u8]) -> Result<Self, IdCardError> {
        if text.len() < TEXT_LEN {
            return Err(IdCardError::Short(text.len()));
        }
        let get = |range: std::ops::Range<usize>, name: &'static str| decode_field(&text[range], name);
        let name = get(field::NAME, "name")?;
        if name.is_empty() {
            return Err(IdCardError::Field { field: "name", reason: "empty".into() });
        }
        let gender = match get(field::GENDER, "gender")?.as_str() {
            "1" => Gender::Male,
            "2" => Gender::Female,
            other => {
                return Err(IdCardError::Field { field: "gender", reason: format!("{other:?} is not 1 or 2") });
            }
        };
        let nation_code = get(field::NATION, "nation")?;
        if nation_name(&nation_code).is_none() {
            return Err(IdCardError::Field { field: "nation", reason: format!("unknown code {nation_code:?}") });
        }
        let birth_text = get(field::BIRTH, "birth date")?;
        let birth_date = parse_date(&birth_text, "birth date")?;
        let id_number = IdNumber::parse(&get(field::ID_NUMBER, "ID number")?).map_err(IdCardError::IdNumber)?;
        if id_number.birth_digits() != birth_text {
            return Err(IdCardError::Field {
                field: "birth date",
                reason: "does not match the birth date in the ID number".into(),
            });
        }
        let valid_from = parse_date(&get(field::VALID_FROM, "valid from")?, "valid from")?;
        let valid_to_text = get(field::VALID_TO, "valid to")?;
        let valid_to = if valid_to_text == "长期" {
            Validity::LongTerm
        } else {
            Validity::Until(parse_date(&valid_to_text, "valid to")?)
        };
        Ok(Self {
            name,
            gender,
            nation_code,
            birth_date,
            address: get(field::ADDRESS, "address")?,
            id_number,
            issuing_authority: get(field::AUTHORITY, "issuing authority")?,
            valid_from,
            valid_to,
            photo_wlt: photo.to_vec(),
        })
    }

    pub fn nation(&self) -> &'static str {
        nation_name(&self.nation_code).unwrap_or("")
    }

    /// Whether the card has expired on `today` (valid through its last day).
    pub fn is_expired(&self, today: CalendarDate) -> bool {
        match self.valid_to {
            Validity::LongTerm => false,
            Validity::Until(last) => today > last,
        }
    }

    /// The name with all but the first character masked, as receipts show it: 张*, 欧阳**.
    pub fn masked_name(&self) -> String {
        let mut chars = self.name.chars();
        let first = chars.next().map(String::from).unwrap_or_default();
        first + &"*".repeat(chars.count())
    }
}

fn decode_field(bytes: &[u8], field: &'static str) -> Result<String, IdCardError> {
    let units = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
    let text: String = char::decode_utf16(units).collect::<Result<_, _>>().map_err(|_| IdCardError::Text { field })?;
    if text.chars().any(|c| c.is_control()) {
        return Err(IdCardError::Text { field });
    }
    Ok(text.trim_end_matches([' ', '\0']).to_string())
}

fn parse_date(text: &str, field: &'static str) -> Result<CalendarDate, IdCardError> {
    CalendarDate::parse_yyyymmdd(text)
        .ok_or_else(|| IdCardError::Field { field, reason: format!("{text:?} is not a date YYYYMMDD") })
}

/// Encodes `text` as UCS-2 LE into `out`, right-padded with spaces; the inverse of decoding,
/// used by the simulator and by tests.
pub fn encode_field(text: &str, out: &mut [u8]) -> Result<(), String> {
    let units: Vec<u16> = text.encode_utf16().collect();
    if units.len() * 2 > out.len() {
        return Err(format!("{:?} is longer than the {} characters the field holds", text, out.len() / 2));
    }
    for (i, chunk) in out.chunks_exact_mut(2).enumerate() {
        chunk.copy_from_slice(&units.get(i).copied().unwrap_or(0x20).to_le_bytes());
    }
    Ok(())
}

impl std::fmt::Debug for IdCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdCard")
            .field("name", &self.masked_name())
            .field("gender", &self.gender)
            .field("nation_code", &self.nation_code)
            .field("address", &"[redacted]")
            .field("id_number", &self.id_number)
            .field("valid_to", &self.valid_to)
            .field("photo_wlt", &format_args!("{} bytes", self.photo_wlt.len()))
            .finish_non_exhaustive()
    }
}

impl Drop for IdCard {
    fn drop(&mut self) {
        self.name.zeroize();
        self.address.zeroize();
        self.issuing_authority.zeroize();
        self.photo_wlt.zeroize();
    }
}
