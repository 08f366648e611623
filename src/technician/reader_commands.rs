//! `kioskctl reader read`: waits for a card on a reader and shows what it read, personal data
//! masked (a technician may be holding a resident's card).

use super::{CommandFailed, require_port};
use citizen_window_hardware::card_reader::{CardData, CardReaderDriver, ReaderEvent, ReaderProtocol};
use citizen_window_hardware::sam::id_card::{CardKind, Gender, Validity};
use citizen_window_hardware::serial_link::SerialPortOpener;
use serde::Serialize;
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Debug, Serialize)]
#[serde(tag = "card", rename_all = "snake_case")]
pub enum CardReport {
    IdCard {
        /// Which card: 居民身份证, 港澳台居民居住证 or a 外国人永久居留身份证 of 2017 or 2023.
        document: String,
        name: String,
        gender: String,
        /// 民族 on a resident identity card, the nationality code on a permanent residence card.
        nation: String,
        birth_year: u16,
        id_number: String,
        issuing_authority: String,
        valid_from: String,
        valid_to: String,
        photo_bytes: usize,
    },
    Rfid {
        tag: String,
        card_number: u32,
    },
    Magstripe {
        card_number: String,
        name: Option<String>,
        expiry: Option<String>,
    },
}

pub fn read_card(
    port: &Path,
    protocol: ReaderProtocol,
    baud: Option<u32>,
    timeout: Duration,
) -> Result<CardReport, CommandFailed> {
    require_port(port)?;
    let baud = baud.unwrap_or(protocol.default_baud());
    let mut driver = CardReaderDriver::new(protocol, SerialPortOpener::new(port, baud), baud);
    let deadline = Instant::now() + timeout;
    let mut last_failure = None;
    while Instant::now() < deadline {
        let started = Instant::now();
        let events = driver.poll(started).map_err(|e| CommandFailed(e.to_string()))?;
        for event in events {
            match event {
                ReaderEvent::CardRead(card) => return Ok(report(card)),
                ReaderEvent::ReadFailed(message) => last_failure = Some(message),
                ReaderEvent::CardFound | ReaderEvent::CardRemoved => {}
            }
        }
        if !driver.reading() {
            std::thread::sleep(protocol.poll_interval().saturating_sub(started.elapsed()));
        }
    }
    Err(CommandFailed(match last_failure {
        Some(message) => format!("no card read within {} s; last attempt: {message}", timeout.as_secs()),
        None => format!(
            "no card within {} s: place a card on the reader, and check that {} speaks {protocol:?} at {baud} baud",
            timeout.as_secs(),
            port.display()
        ),
    }))
}

fn report(card: CardData) -> CardReport {
    match card {
        CardData::IdCard(card) => CardReport::IdCard {
            document: card.kind.title().to_string(),
            name: card.masked_name(),
            gender: match card.gender {
                Gender::Male => "男 male".into(),
                Gender::Female => "女 female".into(),
            },
            nation: match &card.kind {
                CardKind::ForeignPermanent2017 { nationality, .. }
                | CardKind::ForeignPermanent2023 { nationality, .. } => nationality.clone(),
                _ => card.nation().to_string(),
            },
            birth_year: card.birth_date.year,
            id_number: card.id_number.masked(),
            issuing_authority: card.issuing_authority.clone(),
            valid_from: card.valid_from.to_string(),
            valid_to: match card.valid_to {
                Validity::LongTerm => "长期 no expiry".into(),
                Validity::Until(date) => date.to_string(),
            },
            photo_bytes: card.photo_wlt.len(),
        },
        CardData::Rfid(tag) => CardReport::Rfid { tag: tag.hex(), card_number: tag.card_number() },
        CardData::Magstripe(card) => CardReport::Magstripe {
            card_number: card.masked_pan(),
            name: card.name.clone(),
            expiry: card.expiry.map(|(y, m)| format!("{m:02}/{y:02}")),
        },
    }
}

pub fn render(report: &CardReport) -> String {
    match report {
        CardReport::IdCard {
            document,
            name,
            gender,
            nation,
            birth_year,
            id_number,
            issuing_authority,
            valid_from,
            valid_to,
            photo_bytes,
        } => {
            format!(
                "{document}\n  name:       {name}\n  gender:     {gender}\n  nation:     {nation}\n  born:       {birth_year}\n  ID number:  {id_number}\n  issued by:  {issuing_authority}\n  valid:      {valid_from} to {valid_to}\n  photo:      {photo_bytes} bytes (WLT)\n"
            )
        }
        CardReport::Rfid { tag, card_number } => {
            format!("RFID card\n  tag:    {tag}\n  number: {card_number:010}\n")
        }
        CardReport::Magstripe { card_number, name, expiry } => format!(
            "magnetic card\n  number: {card_number}\n  name:   {}\n  expiry: {}\n",
            name.as_deref().unwrap_or("-"),
            expiry.as_deref().unwrap_or("-")
        ),
    }
}
