//! The other cards a resident ID reader returns, each with its own layout of the 256-byte text
//! block (UCS-2 LE, like the resident identity card's) and its type mark at bytes 248–249:
//! the 港澳台居民居住证 (J), and the 外国人永久居留身份证 in its 2017 (I) and 2023 (Y) layouts.
//! docs/DEVICES.md says where these layouts come from.

use super::id_card::{
    CardKind, IdCard, IdCardError, decode_field, field as resident, parse_date, parse_gender, parse_validity,
};
use super::id_number::IdNumber;
use std::ops::Range;

/// 港澳台居民居住证: the resident card's layout, no 民族, the entry permit after the dates.
pub mod permit_field {
    use std::ops::Range;
    pub const PASS_NUMBER: Range<usize> = 220..238;
    pub const ISSUE_COUNT: Range<usize> = 238..242;
}

/// 外国人永久居留身份证, 2017.
pub mod foreign_2017_field {
    use std::ops::Range;
    pub const ENGLISH_NAME: Range<usize> = 0..120;
    pub const GENDER: Range<usize> = 120..122;
    pub const NUMBER: Range<usize> = 122..152;
    pub const NATIONALITY: Range<usize> = 152..158;
    pub const CHINESE_NAME: Range<usize> = 158..188;
    pub const VALID_FROM: Range<usize> = 188..204;
    pub const VALID_TO: Range<usize> = 204..220;
    pub const BIRTH: Range<usize> = 220..236;
    pub const CARD_VERSION: Range<usize> = 236..240;
    pub const AUTHORITY_CODE: Range<usize> = 240..248;
}

/// 外国人永久居留身份证, 2023: the resident card's places for name, gender, birth, number and
/// dates; the English name in the address's place and continued after the dates.
pub mod foreign_2023_field {
    use std::ops::Range;
    pub const CHINESE_NAME: Range<usize> = 0..30;
    pub const GENDER: Range<usize> = 30..32;
    pub const RENEWAL_COUNT: Range<usize> = 32..36;
    pub const BIRTH: Range<usize> = 36..52;
    pub const ENGLISH_NAME: Range<usize> = 52..122;
    pub const NUMBER: Range<usize> = 122..158;
    pub const VALID_FROM: Range<usize> = 188..204;
    pub const VALID_TO: Range<usize> = 204..220;
    pub const ENGLISH_NAME_MORE: Range<usize> = 220..242;
    pub const NATIONALITY: Range<usize> = 242..248;
    pub const PREVIOUS_NUMBER_LINK: Range<usize> = 250..256;
}

/// Region codes that begin a residence permit's number.
const PERMIT_REGIONS: [&str; 3] = ["810000", "820000", "830000"];

struct Block<'a>(&'a [u8]);

impl Block<'_> {
    fn text(&self, range: Range<usize>, name: &'static str) -> Result<String, IdCardError> {
        decode_field(&self.0[range], name)
    }

    fn required(&self, range: Range<usize>, name: &'static str) -> Result<String, IdCardError> {
        let text = self.text(range, name)?;
        if text.is_empty() {
            return Err(invalid(name, "empty".into()));
        }
        Ok(text)
    }

    fn digits(&self, range: Range<usize>, name: &'static str) -> Result<String, IdCardError> {
        let text = self.text(range, name)?;
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(name, format!("{text:?} is not digits")));
        }
        Ok(text)
    }

    fn nationality(&self, range: Range<usize>) -> Result<String, IdCardError> {
        let text = self.text(range, "nationality")?;
        if text.len() != 3 || !text.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid("nationality", format!("{text:?} is not a three-letter country code")));
        }
        Ok(text)
    }
}

fn invalid(field: &'static str, reason: String) -> IdCardError {
    IdCardError::Field { field, reason }
}

fn birth_must_match(number: &IdNumber, birth: &str) -> Result<(), IdCardError> {
    if !birth.ends_with(number.birth_digits()) {
        return Err(invalid("birth date", "does not match the birth date in the card's number".into()));
    }
    Ok(())
}

/// 港澳台居民居住证 (type mark J): a GB 11643 number beginning 810000, 820000 or 830000.
pub fn hk_macao_taiwan_permit(text: &[u8], photo: &[u8]) -> Result<IdCard, IdCardError> {
    let block = Block(text);
    let number = IdNumber::parse(&block.text(resident::ID_NUMBER, "ID number")?).map_err(IdCardError::IdNumber)?;
    if !PERMIT_REGIONS.contains(&number.leading_six()) {
        return Err(invalid("ID number", "a residence permit's number begins 810000, 820000 or 830000".into()));
    }
    let birth = block.text(resident::BIRTH, "birth date")?;
    birth_must_match(&number, &birth)?;
    let pass_number = block.required(permit_field::PASS_NUMBER, "entry permit number")?;
    if !pass_number.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid("entry permit number", "is not letters and digits".into()));
    }
    Ok(IdCard {
        kind: CardKind::HkMacaoTaiwanPermit {
            pass_number,
            issue_count: block.digits(permit_field::ISSUE_COUNT, "issue count")?,
        },
        name: block.required(resident::NAME, "name")?,
        gender: parse_gender(&block.text(resident::GENDER, "gender")?)?,
        nation_code: String::new(),
        birth_date: parse_date(&birth, "birth date")?,
        address: block.text(resident::ADDRESS, "address")?,
        id_number: number,
        issuing_authority: block.text(resident::AUTHORITY, "issuing authority")?,
        valid_from: parse_date(&block.text(resident::VALID_FROM, "valid from")?, "valid from")?,
        valid_to: parse_validity(&block.text(resident::VALID_TO, "valid to")?)?,
        photo_wlt: photo.to_vec(),
    })
}

/// 外国人永久居留身份证, 2017 (type mark I): a 15-character number whose first three letters are
/// the card's nationality and whose characters 8 to 13 are the birth date (YYMMDD).
pub fn foreign_permanent_2017(text: &[u8], photo: &[u8]) -> Result<IdCard, IdCardError> {
    use foreign_2017_field as f;
    let block = Block(text);
    let number = IdNumber::parse_foreign_2017(&block.text(f::NUMBER, "ID number")?).map_err(IdCardError::IdNumber)?;
    let nationality = block.nationality(f::NATIONALITY)?;
    if !number.reveal_full_number().starts_with(&nationality) {
        return Err(invalid("nationality", "does not match the nationality in the card's number".into()));
    }
    let birth = block.text(f::BIRTH, "birth date")?;
    birth_must_match(&number, &birth)?;
    let kind = CardKind::ForeignPermanent2017 {
        english_name: block.required(f::ENGLISH_NAME, "English name")?,
        nationality,
        card_version: block.digits(f::CARD_VERSION, "card version")?,
        authority_code: block.digits(f::AUTHORITY_CODE, "authority code")?,
    };
    let fields =
        PermanentFields { chinese_name: f::CHINESE_NAME, gender: f::GENDER, valid: (f::VALID_FROM, f::VALID_TO) };
    permanent_residence_card(&block, kind, number, &birth, fields, photo)
}

/// Where a permanent residence card keeps what both layouts hold alike.
struct PermanentFields {
    chinese_name: Range<usize>,
    gender: Range<usize>,
    valid: (Range<usize>, Range<usize>),
}

/// A permanent residence card of either layout: its own `kind`, and the fields both read alike (a
/// Chinese name that may be empty, gender, dates, photo); no nation, address or authority.
fn permanent_residence_card(
    block: &Block,
    kind: CardKind,
    number: IdNumber,
    birth: &str,
    at: PermanentFields,
    photo: &[u8],
) -> Result<IdCard, IdCardError> {
    Ok(IdCard {
        kind,
        name: block.text(at.chinese_name, "Chinese name")?,
        gender: parse_gender(&block.text(at.gender, "gender")?)?,
        nation_code: String::new(),
        birth_date: parse_date(birth, "birth date")?,
        address: String::new(),
        id_number: number,
        issuing_authority: String::new(),
        valid_from: parse_date(&block.text(at.valid.0, "valid from")?, "valid from")?,
        valid_to: parse_validity(&block.text(at.valid.1, "valid to")?)?,
        photo_wlt: photo.to_vec(),
    })
}

/// 外国人永久居留身份证, 2023 (type mark Y): a GB 11643 number beginning with 9.
pub fn foreign_permanent_2023(text: &[u8], photo: &[u8]) -> Result<IdCard, IdCardError> {
    use foreign_2023_field as f;
    let block = Block(text);
    let number = IdNumber::parse(&block.text(f::NUMBER, "ID number")?).map_err(IdCardError::IdNumber)?;
    if !number.leading_six().starts_with('9') {
        return Err(invalid("ID number", "a 2023 permanent residence card's number begins with 9".into()));
    }
    let birth = block.text(f::BIRTH, "birth date")?;
    birth_must_match(&number, &birth)?;
    let english_name = block.required(f::ENGLISH_NAME, "English name")?;
    let more = block.text(f::ENGLISH_NAME_MORE, "English name")?;
    // The first part fills its 35 characters before the rest continues after the dates.
    let english_name = if more.is_empty() { english_name } else { format!("{:<35}{more}", english_name) };
    let kind = CardKind::ForeignPermanent2023 {
        english_name,
        nationality: block.nationality(f::NATIONALITY)?,
        renewal_count: block.digits(f::RENEWAL_COUNT, "renewal count")?,
        previous_number_link: block.text(f::PREVIOUS_NUMBER_LINK, "previous number link")?,
    };
    let fields =
        PermanentFields { chinese_name: f::CHINESE_NAME, gender: f::GENDER, valid: (f::VALID_FROM, f::VALID_TO) };
    permanent_residence_card(&block, kind, number, &birth, fields, photo)
}
