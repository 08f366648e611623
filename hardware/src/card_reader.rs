//! One driver shape for the three reader kinds: poll it, get card events. The SAM reader is asked
//! (find, select, read); the RFID and magnetic-stripe readers talk on their own and are listened to.

use crate::magstripe::{MagCard, SwipeDecoder};
use crate::rfid::{PresenceEvent, RfidDecoder, RfidPresence, RfidTag};
use crate::sam::id_card::IdCard;
use crate::sam::reader::{SamReader, SamReaderError};
use crate::serial_link::{LinkError, LinkOpener, ReconnectingLink};
use std::str::FromStr;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReaderProtocol {
    Sam,
    Rdm6300,
    Magstripe,
}

impl ReaderProtocol {
    pub fn default_baud(self) -> u32 {
        match self {
            ReaderProtocol::Sam => 115_200,
            ReaderProtocol::Rdm6300 | ReaderProtocol::Magstripe => 9600,
        }
    }

    /// How long to wait between polls.
    pub fn poll_interval(self) -> Duration {
        match self {
            ReaderProtocol::Sam => crate::sam::reader::MIN_POLL_INTERVAL,
            ReaderProtocol::Rdm6300 | ReaderProtocol::Magstripe => Duration::from_millis(20),
        }
    }
}

impl FromStr for ReaderProtocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sam" => Ok(ReaderProtocol::Sam),
            "rdm6300" => Ok(ReaderProtocol::Rdm6300),
            "magstripe" => Ok(ReaderProtocol::Magstripe),
            other => Err(format!("unknown reader protocol {other:?}: use sam, rdm6300 or magstripe")),
        }
    }
}

#[derive(Debug)]
pub enum CardData {
    IdCard(Box<IdCard>),
    Rfid(RfidTag),
    Magstripe(MagCard),
}

#[derive(Debug)]
pub enum ReaderEvent {
    /// A card is on the reader and is being read (a SAM reader takes about a second for an ID
    /// card): the next poll reads it, and a screen can ask the resident to hold it still.
    CardFound,
    CardRead(CardData),
    /// Only readers that can tell (RFID) report removal.
    CardRemoved,
    /// A card was presented but could not be read; the message says what the resident should do.
    ReadFailed(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ReaderError {
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(transparent)]
    Sam(SamReaderError),
}

enum Kind<O: LinkOpener> {
    /// `found`: a card was found by the last poll and is read by the next.
    Sam {
        reader: SamReader<O>,
        found: bool,
    },
    Rfid {
        link: ReconnectingLink<O>,
        decoder: RfidDecoder,
        presence: RfidPresence,
    },
    Magstripe {
        link: ReconnectingLink<O>,
        decoder: SwipeDecoder,
    },
}

pub struct CardReaderDriver<O: LinkOpener> {
    kind: Kind<O>,
}

impl<O: LinkOpener> CardReaderDriver<O> {
    pub fn new(protocol: ReaderProtocol, opener: O, baud: u32) -> Self {
        let kind = match protocol {
            ReaderProtocol::Sam => Kind::Sam { reader: SamReader::new(opener, baud), found: false },
            ReaderProtocol::Rdm6300 => Kind::Rfid {
                link: ReconnectingLink::new(opener),
                decoder: RfidDecoder::default(),
                presence: RfidPresence::new(Duration::from_millis(600)),
            },
            ReaderProtocol::Magstripe => {
                Kind::Magstripe { link: ReconnectingLink::new(opener), decoder: SwipeDecoder::new(b'\r') }
            }
        };
        Self { kind }
    }

    /// Whether the last poll found a card that the next one reads: poll again at once.
    pub fn reading(&self) -> bool {
        matches!(self.kind, Kind::Sam { found: true, .. })
    }

    /// One poll. Card-level failures are events; a reader that is gone or silent is an error.
    pub fn poll(&mut self, now: Instant) -> Result<Vec<ReaderEvent>, ReaderError> {
        let mut events = Vec::new();
        match &mut self.kind {
            Kind::Sam { reader, found } => {
                // Find, then read at the next poll: the resident hears of the card before the
                // second its reading takes.
                let step = if std::mem::take(found) {
                    reader.read_card().map(|card| Some(ReaderEvent::CardRead(CardData::IdCard(Box::new(card)))))
                } else {
                    reader.find_card().map(|present| present.then_some(ReaderEvent::CardFound))
                };
                match step {
                    Ok(event) => {
                        *found = matches!(event, Some(ReaderEvent::CardFound));
                        events.extend(event);
                    }
                    Err(SamReaderError::Link(e)) => return Err(ReaderError::Link(e)),
                    Err(e @ SamReaderError::NoAnswer { .. }) => return Err(ReaderError::Sam(e)),
                    Err(e) => events.push(ReaderEvent::ReadFailed(e.to_string())),
                }
            }
            Kind::Rfid { link, decoder, presence } => {
                let mut buf = [0u8; 256];
                let n = link.read_some(&mut buf)?;
                decoder.push(&buf[..n]);
                while let Some(result) = decoder.next_tag() {
                    match result {
                        Ok(tag) => events.extend(presence.on_tag(tag, now).into_iter().map(presence_event)),
                        // Bad frames repeat every 100 ms while a card is held badly: log only.
                        Err(e) => tracing::debug!(error = %e, "RFID frame dropped"),
                    }
                }
                events.extend(presence.on_tick(now).map(presence_event));
            }
            Kind::Magstripe { link, decoder } => {
                let mut buf = [0u8; 256];
                let n = link.read_some(&mut buf)?;
                for swipe in decoder.push(&buf[..n]) {
                    events.push(match swipe {
                        Ok(card) => ReaderEvent::CardRead(CardData::Magstripe(card)),
                        Err(e) => ReaderEvent::ReadFailed(e.to_string()),
                    });
                }
            }
        }
        Ok(events)
    }
}

fn presence_event(event: PresenceEvent) -> ReaderEvent {
    match event {
        PresenceEvent::Placed(tag) => ReaderEvent::CardRead(CardData::Rfid(tag)),
        PresenceEvent::Removed(_) => ReaderEvent::CardRemoved,
    }
}
