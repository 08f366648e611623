//! A simulated SAM ID card reader. Cards come from JSON files (synthetic people only) and are
//! placed and removed by control commands; like a real module, a card must leave the field before
//! it is found again.

use super::SimulatedDevice;
use crate::sam::frame::{self, SamFrameDecoder, command};
use crate::sam::id_card::{PHOTO_LEN, TEXT_LEN, encode_field, field};
use crate::sam::status_word::SamStatus;
use serde::Deserialize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A field's place in the text block, its value and its name in the card file.
type Placed<'a> = (Range<usize>, &'a str, &'static str);

/// Which layout a simulated card has (`kind` in its file; a resident identity card when absent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimCardKind {
    #[default]
    ResidentId,
    HkMacaoTaiwanPermit,
    #[serde(rename = "foreign_permanent_2017")]
    ForeignPermanent2017,
    #[serde(rename = "foreign_permanent_2023")]
    ForeignPermanent2023,
}

/// A card as a JSON file describes it; every field as the card stores it. Fields a kind of card
/// does not have stay empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimCard {
    #[serde(default)]
    pub kind: SimCardKind,
    /// The Chinese name (may be empty on a permanent residence card).
    #[serde(default)]
    pub name: String,
    /// "1" male, "2" female.
    pub gender: String,
    /// Two digits, "01" for 汉 (resident identity card only).
    #[serde(default)]
    pub nation: String,
    /// YYYYMMDD.
    pub birth: String,
    #[serde(default)]
    pub address: String,
    pub id_number: String,
    #[serde(default)]
    pub issuing_authority: String,
    pub valid_from: String,
    /// YYYYMMDD or 长期.
    pub valid_to: String,
    #[serde(default)]
    pub english_name: String,
    /// Three capital letters (permanent residence cards).
    #[serde(default)]
    pub nationality: String,
    #[serde(default)]
    pub pass_number: String,
    #[serde(default)]
    pub issue_count: String,
    #[serde(default)]
    pub card_version: String,
    #[serde(default)]
    pub authority_code: String,
    #[serde(default)]
    pub renewal_count: String,
    #[serde(default)]
    pub previous_number_link: String,
}

impl SimCard {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read card file {}: {e}", path.display()))?;
        let card: SimCard = serde_json::from_str(&text)
            .map_err(|e| format!("card file {} is not a valid card: {e}", path.display()))?;
        card.text_block()?;
        Ok(card)
    }

    /// The fields in the places the resident identity card has them, then `extra`.
    fn with_common_fields<'a>(&'a self, extra: Vec<Placed<'a>>) -> Vec<Placed<'a>> {
        let mut fields = vec![
            (field::NAME, self.name.as_str(), "name"),
            (field::GENDER, &self.gender, "gender"),
            (field::BIRTH, &self.birth, "birth"),
            (field::ID_NUMBER, &self.id_number, "id_number"),
            (field::VALID_FROM, &self.valid_from, "valid_from"),
            (field::VALID_TO, &self.valid_to, "valid_to"),
        ];
        fields.extend(extra);
        fields
    }

    /// Where each field goes in this kind of card's text block, and its type mark.
    fn layout(&self) -> (Vec<Placed<'_>>, &'static str) {
        use crate::sam::other_cards::{foreign_2017_field as i, foreign_2023_field as y, permit_field as j};
        let common = |extra| self.with_common_fields(extra);
        match self.kind {
            SimCardKind::ResidentId => (
                common(vec![
                    (field::NATION, &self.nation, "nation"),
                    (field::ADDRESS, &self.address, "address"),
                    (field::AUTHORITY, &self.issuing_authority, "issuing_authority"),
                ]),
                "",
            ),
            SimCardKind::HkMacaoTaiwanPermit => (
                common(vec![
                    (field::ADDRESS, &self.address, "address"),
                    (field::AUTHORITY, &self.issuing_authority, "issuing_authority"),
                    (j::PASS_NUMBER, &self.pass_number, "pass_number"),
                    (j::ISSUE_COUNT, &self.issue_count, "issue_count"),
                ]),
                "J",
            ),
            SimCardKind::ForeignPermanent2017 => (
                vec![
                    (i::ENGLISH_NAME, &self.english_name, "english_name"),
                    (i::GENDER, &self.gender, "gender"),
                    (i::NUMBER, &self.id_number, "id_number"),
                    (i::NATIONALITY, &self.nationality, "nationality"),
                    (i::CHINESE_NAME, &self.name, "name"),
                    (i::VALID_FROM, &self.valid_from, "valid_from"),
                    (i::VALID_TO, &self.valid_to, "valid_to"),
                    (i::BIRTH, &self.birth, "birth"),
                    (i::CARD_VERSION, &self.card_version, "card_version"),
                    (i::AUTHORITY_CODE, &self.authority_code, "authority_code"),
                ],
                "I",
            ),
            SimCardKind::ForeignPermanent2023 => {
                // The English name's first 35 characters, then the rest after the dates.
                let split = self.english_name.char_indices().nth(35).map_or(self.english_name.len(), |(at, _)| at);
                let (first, more) = self.english_name.split_at(split);
                (
                    common(vec![
                        (y::RENEWAL_COUNT, &self.renewal_count, "renewal_count"),
                        (y::ENGLISH_NAME, first, "english_name"),
                        (y::ENGLISH_NAME_MORE, more, "english_name"),
                        (y::NATIONALITY, &self.nationality, "nationality"),
                        (y::PREVIOUS_NUMBER_LINK, &self.previous_number_link, "previous_number_link"),
                    ]),
                    "Y",
                )
            }
        }
    }

    /// The 256-byte UCS-2 text block, or which field does not fit.
    pub fn text_block(&self) -> Result<[u8; TEXT_LEN], String> {
        let mut block = [0u8; TEXT_LEN];
        encode_field("", &mut block)?;
        let (fields, mark) = self.layout();
        for (range, value, name) in fields {
            encode_field(value, &mut block[range]).map_err(|e| format!("{name}: {e}"))?;
        }
        encode_field(mark, &mut block[field::TYPE_MARK])?;
        Ok(block)
    }

    /// The payload of a successful read answer: status, lengths, text, photo.
    pub fn read_answer_payload(&self) -> Result<Vec<u8>, String> {
        let mut payload = vec![0x00, 0x00, SamStatus::Success.sw3()];
        payload.extend_from_slice(&(TEXT_LEN as u16).to_be_bytes());
        payload.extend_from_slice(&(PHOTO_LEN as u16).to_be_bytes());
        payload.extend_from_slice(&self.text_block()?);
        // The photo is opaque WLT data; a deterministic stand-in of the right size.
        payload.extend((0..PHOTO_LEN).map(|i| (i * 7 % 256) as u8));
        Ok(payload)
    }
}

/// The example cards shipped for the demo and the tests (synthetic people).
pub fn sample_cards_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sim-cards")
}

pub struct SimSamReader {
    decoder: SamFrameDecoder,
    cards_dir: PathBuf,
    card: Option<SimCard>,
    /// Read answers fail with "read failed" (a scratched card).
    unreadable: bool,
    found: bool,
    selected: bool,
    /// The SAM module answers every command with "self-test failed".
    sam_broken: bool,
}

impl SimSamReader {
    pub fn new(cards_dir: PathBuf) -> Self {
        Self {
            decoder: SamFrameDecoder::new(),
            cards_dir,
            card: None,
            unreadable: false,
            found: false,
            selected: false,
            sam_broken: false,
        }
    }

    pub fn place(&mut self, card: SimCard) {
        self.card = Some(card);
        self.unreadable = false;
        self.found = false;
        self.selected = false;
    }

    pub fn remove(&mut self) {
        self.card = None;
        self.found = false;
        self.selected = false;
    }

    fn answer(&mut self, cmd: (u8, u8)) -> Vec<u8> {
        let status = |s: SamStatus| vec![0x00, 0x00, s.sw3()];
        if self.sam_broken {
            return status(SamStatus::SamSelfTestFailed);
        }
        match cmd {
            command::FIND_CARD => {
                if self.card.is_some() && !self.found {
                    self.found = true;
                    vec![0x00, 0x00, 0x9F, 0x00, 0x00, 0x00, 0x00]
                } else {
                    status(SamStatus::FindCardFailed)
                }
            }
            command::SELECT_CARD => {
                if self.card.is_some() && self.found && !self.selected {
                    self.selected = true;
                    let mut answer = status(SamStatus::Success);
                    answer.extend_from_slice(&[0; 8]);
                    answer
                } else {
                    status(SamStatus::SelectCardFailed)
                }
            }
            command::READ_TEXT_AND_PHOTO => match (&self.card, self.selected, self.unreadable) {
                (Some(card), true, false) => {
                    self.selected = false;
                    card.read_answer_payload().unwrap_or_else(|_| status(SamStatus::ReadFailed))
                }
                _ => status(SamStatus::ReadFailed),
            },
            command::SAM_STATUS | command::RESET_SAM => status(SamStatus::Success),
            command::SAM_ID => {
                let mut answer = status(SamStatus::Success);
                answer.extend_from_slice(b"CWSIM-0000000001");
                answer
            }
            _ => status(SamStatus::CommandError),
        }
    }

    fn resolve_card(&self, name: &str) -> PathBuf {
        let direct = PathBuf::from(name);
        if direct.is_file() {
            return direct;
        }
        let file = if name.ends_with(".json") { name.to_string() } else { format!("{name}.json") };
        self.cards_dir.join(file)
    }
}

impl SimulatedDevice for SimSamReader {
    fn receive(&mut self, bytes: &[u8], _now: Instant) -> Vec<u8> {
        self.decoder.push(bytes);
        let mut out = Vec::new();
        while let Some(result) = self.decoder.next_frame() {
            let payload = match result {
                Ok(p) if p.len() >= 2 => self.answer((p[0], p[1])),
                Ok(_) => vec![0x00, 0x00, SamStatus::LengthError.sw3()],
                Err(frame::SamFrameError::BadChecksum { .. }) => {
                    vec![0x00, 0x00, SamStatus::ChecksumError.sw3()]
                }
                Err(frame::SamFrameError::BadLength(_)) => {
                    vec![0x00, 0x00, SamStatus::LengthError.sw3()]
                }
            };
            frame::encode(&payload, &mut out);
        }
        out
    }

    fn control(&mut self, command: &str) -> Result<String, String> {
        let words: Vec<&str> = command.split_whitespace().collect();
        match words.as_slice() {
            ["place", name] => {
                let card = SimCard::load(&self.resolve_card(name))?;
                self.place(card);
                Ok(format!("card {name} placed"))
            }
            ["place-unreadable", name] => {
                let card = SimCard::load(&self.resolve_card(name))?;
                self.place(card);
                self.unreadable = true;
                Ok(format!("unreadable card {name} placed"))
            }
            ["remove"] => {
                self.remove();
                Ok("card removed".into())
            }
            ["sam", "broken"] => {
                self.sam_broken = true;
                Ok("SAM module fails its self-test".into())
            }
            ["sam", "ok"] => {
                self.sam_broken = false;
                Ok("SAM module works".into())
            }
            ["status"] => Ok(format!("card present: {}", self.card.is_some())),
            _ => Err(format!(
                "unknown reader command {command:?}: use place NAME|FILE, place-unreadable NAME, remove, sam broken|ok, status, unplug, replug"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sam::date::CalendarDate;
    use crate::sam::id_card::{Gender, IdCard, IdCardError, Validity};

    fn card(name: &str) -> SimCard {
        SimCard::load(&sample_cards_dir().join(format!("{name}.json"))).unwrap()
    }

    fn transact(reader: &mut SimSamReader, cmd: (u8, u8)) -> Vec<u8> {
        let reply = reader.receive(&frame::encode_command(cmd, &[]), Instant::now());
        let mut d = SamFrameDecoder::new();
        d.push(&reply);
        d.next_frame().unwrap().unwrap()
    }

    #[test]
    fn read_answer_is_1295_bytes_and_decodes() {
        let mut reader = SimSamReader::new(sample_cards_dir());
        reader.place(card("zhang-wei"));
        assert_eq!(transact(&mut reader, command::FIND_CARD)[2], 0x9F);
        assert_eq!(transact(&mut reader, command::SELECT_CARD)[2], 0x90);
        let reply = reader.receive(&frame::encode_command(command::READ_TEXT_AND_PHOTO, &[]), Instant::now());
        assert_eq!(reply.len(), 1295);
        let mut d = SamFrameDecoder::new();
        d.push(&reply);
        let decoded = IdCard::from_read_answer(&d.next_frame().unwrap().unwrap()).unwrap();
        assert_eq!(decoded.name, "张伟");
        assert_eq!(decoded.gender, Gender::Male);
        assert_eq!(decoded.nation(), "汉");
        assert_eq!(decoded.id_number.masked(), "3301**********0018");
        assert!(matches!(decoded.valid_to, Validity::Until(_)));
        assert_eq!(decoded.photo_wlt.len(), 1024);
        let debug = format!("{decoded:?}");
        assert!(!debug.contains("张伟") && !debug.contains("19560312") && !debug.contains("幸福里"), "{debug}");
        // The same card is not found again until it leaves the field.
        assert_eq!(transact(&mut reader, command::FIND_CARD)[2], 0x80);
        reader.remove();
        reader.place(card("zhang-wei"));
        assert_eq!(transact(&mut reader, command::FIND_CARD)[2], 0x9F);
    }

    #[test]
    fn long_term_and_expired_cards() {
        let li = card("li-xiulan");
        let payload = li.read_answer_payload().unwrap();
        let decoded = IdCard::from_read_answer(&payload).unwrap();
        assert_eq!(decoded.valid_to, Validity::LongTerm);
        assert_eq!(decoded.masked_name(), "李**");
        assert!(!decoded.is_expired(CalendarDate::new(2099, 1, 1).unwrap()));
        let wang = IdCard::from_read_answer(&card("wang-fang-expired").read_answer_payload().unwrap()).unwrap();
        assert!(wang.is_expired(CalendarDate::new(2026, 11, 26).unwrap()));
    }

    #[test]
    fn corrupted_text_blocks_are_typed_errors() {
        let good = card("zhang-wei").read_answer_payload().unwrap();
        let mut bad_id = good.clone();
        bad_id[7 + 122 + 34] = b'5'; // last ID character
        assert!(matches!(IdCard::from_read_answer(&bad_id), Err(IdCardError::IdNumber(_))));
        let mut bad_gender = good.clone();
        bad_gender[7 + 30] = b'7';
        assert!(matches!(IdCard::from_read_answer(&bad_gender), Err(IdCardError::Field { field: "gender", .. })));
        let mut bad_lengths = good.clone();
        bad_lengths[4] = 0x01;
        assert!(matches!(IdCard::from_read_answer(&bad_lengths), Err(IdCardError::BlockLengths { .. })));
        assert!(matches!(IdCard::from_read_answer(&good[..500]), Err(IdCardError::Short(500))));
        assert!(matches!(IdCard::from_read_answer(&[0, 0, 0x41]), Err(IdCardError::Status(SamStatus::ReadFailed))));
        let mut surrogate = good.clone();
        surrogate[7] = 0x00;
        surrogate[8] = 0xD8; // lone high surrogate in the name
        assert!(matches!(IdCard::from_read_answer(&surrogate), Err(IdCardError::Text { field: "name" })));
    }

    #[test]
    fn faults_answer_with_status_words() {
        let mut reader = SimSamReader::new(sample_cards_dir());
        assert_eq!(transact(&mut reader, command::FIND_CARD)[2], 0x80);
        assert_eq!(transact(&mut reader, command::SELECT_CARD)[2], 0x81);
        reader.control("sam broken").unwrap();
        assert_eq!(transact(&mut reader, command::FIND_CARD)[2], 0x60);
        reader.control("sam ok").unwrap();
        let mut bad = frame::encode_command(command::FIND_CARD, &[]);
        bad[9] ^= 1;
        let reply = reader.receive(&bad, Instant::now());
        assert_eq!(reply, vec![0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x10, 0x14]);
        assert!(reader.control("place no-such-person").unwrap_err().contains("cannot read card file"));
    }
}
