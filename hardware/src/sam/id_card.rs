//! An ID card as the SAM module returns it: the 1295-byte read answer decoded into typed fields.
//! The type mark at bytes 248–249 of the text block tells the layout: blank for the resident
//! identity card (decoded here), J, I or Y for the other cards (`other_cards`). Names, address
//! and number are personal data: Debug redacts them and drop wipes them.

use super::date::CalendarDate;
use super::id_number::{IdNumber, IdNumberError};
use super::nation::nation_name;
use super::other_cards;
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
    /// The same place on every card: blank on the resident identity card.
    pub const TYPE_MARK: Range<usize> = 248..250;
}

/// Which card was read, with what only that kind of card holds. Its names and numbers are
/// personal data: Debug shows only which card it is.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CardKind {
    /// 居民身份证.
    ResidentId,
    /// 港澳台居民居住证 (type mark J).
    HkMacaoTaiwanPermit { pass_number: String, issue_count: String },
    /// 外国人永久居留身份证, 2017 layout (type mark I).
    #[serde(rename = "foreign_permanent_2017")]
    ForeignPermanent2017 { english_name: String, nationality: String, card_version: String, authority_code: String },
    /// 外国人永久居留身份证, 2023 layout (type mark Y).
    #[serde(rename = "foreign_permanent_2023")]
    ForeignPermanent2023 {
        english_name: String,
        nationality: String,
        renewal_count: String,
        previous_number_link: String,
    },
}

impl std::fmt::Debug for CardKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.title())
    }
}

impl CardKind {
    /// The card's name as residents know it.
    pub fn title(&self) -> &'static str {
        match self {
            CardKind::ResidentId => "居民身份证",
            CardKind::HkMacaoTaiwanPermit { .. } => "港澳台居民居住证",
            CardKind::ForeignPermanent2017 { .. } => "外国人永久居留身份证（2017版）",
            CardKind::ForeignPermanent2023 { .. } => "外国人永久居留身份证（2023版）",
        }
    }

    fn english_name(&self) -> Option<&str> {
        match self {
            CardKind::ForeignPermanent2017 { english_name, .. }
            | CardKind::ForeignPermanent2023 { english_name, .. } => Some(english_name),
            _ => None,
        }
    }

    fn wipe(&mut self) {
        match self {
            CardKind::ResidentId => {}
            CardKind::HkMacaoTaiwanPermit { pass_number, .. } => pass_number.zeroize(),
            CardKind::ForeignPermanent2017 { english_name, .. }
            | CardKind::ForeignPermanent2023 { english_name, .. } => english_name.zeroize(),
        }
    }
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
    #[error("the card's type mark is {0:?}: not a card this kiosk reads (resident ID, J, I or Y)")]
    UnknownKind(String),
}

pub struct IdCard {
    pub kind: CardKind,
    /// The name in Chinese characters; a permanent resident's card may have none.
    pub name: String,
    pub gender: Gender,
    /// 民族 code, on the resident identity card only (empty otherwise).
    pub nation_code: String,
    pub birth_date: CalendarDate,
    /// Empty on a permanent residence card.
    pub address: String,
    pub id_number: IdNumber,
    /// Empty on a permanent residence card.
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

    /// Decodes the 256-byte text block, whichever card's it is; `photo` is kept as it is.
    pub fn from_text_block(text: &[u8], photo: &[u8]) -> Result<Self, IdCardError> {
        if text.len() < TEXT_LEN {
            return Err(IdCardError::Short(text.len()));
        }
        let mark = &text[field::TYPE_MARK];
        let mark = if mark == [0, 0] { String::new() } else { decode_field(mark, "type mark")? };
        match mark.as_str() {
            "" => Self::resident_id(text, photo),
            "J" => other_cards::hk_macao_taiwan_permit(text, photo),
            "I" => other_cards::foreign_permanent_2017(text, photo),
            "Y" => other_cards::foreign_permanent_2023(text, photo),
            _ => Err(IdCardError::UnknownKind(mark)),
        }
    }

    fn resident_id(text: &[u8], photo: &[u8]) -> Result<Self, IdCardError> {
        let get = |range: std::ops::Range<usize>, name: &'static str| decode_field(&text[range], name);
        let name = get(field::NAME, "name")?;
        if name.is_empty() {
            return Err(IdCardError::Field { field: "name", reason: "empty".into() });
        }
        let gender = parse_gender(&get(field::GENDER, "gender")?)?;
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
        let valid_to = parse_validity(&get(field::VALID_TO, "valid to")?)?;
        Ok(Self {
            kind: CardKind::ResidentId,
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

    /// The name to greet the holder by: the Chinese name, or the English one when the card has
    /// none.
    pub fn display_name(&self) -> &str {
        match self.kind.english_name() {
            Some(english) if self.name.is_empty() => english,
            _ => &self.name,
        }
    }

    /// The name with all but the first character masked, as receipts show it: 张*, 欧阳**,
    /// S****** ****.
    pub fn masked_name(&self) -> String {
        let mut chars = self.display_name().chars();
        let first = chars.next().map(String::from).unwrap_or_default();
        first + &chars.map(|c| if c == ' ' { ' ' } else { '*' }).collect::<String>()
    }
}

pub(super) fn parse_gender(text: &str) -> Result<Gender, IdCardError> {
    match text {
        "1" => Ok(Gender::Male),
        "2" => Ok(Gender::Female),
        other => Err(IdCardError::Field { field: "gender", reason: format!("{other:?} is not 1 or 2") }),
    }
}

pub(super) fn parse_validity(text: &str) -> Result<Validity, IdCardError> {
    if text == "长期" { Ok(Validity::LongTerm) } else { Ok(Validity::Until(parse_date(text, "valid to")?)) }
}

pub(super) fn decode_field(bytes: &[u8], field: &'static str) -> Result<String, IdCardError> {
    let units = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
    let text: String = char::decode_utf16(units).collect::<Result<_, _>>().map_err(|_| IdCardError::Text { field })?;
    if text.chars().any(|c| c.is_control()) {
        return Err(IdCardError::Text { field });
    }
    Ok(text.trim_end_matches([' ', '\0']).to_string())
}

pub(super) fn parse_date(text: &str, field: &'static str) -> Result<CalendarDate, IdCardError> {
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
            .field("kind", &self.kind.title())
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
        self.kind.wipe();
    }
}
