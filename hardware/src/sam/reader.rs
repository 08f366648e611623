//! The SAM ID card reader driver: find, select and read over a link, one command at a time, with
//! every failure typed. The caller polls no faster than [`MIN_POLL_INTERVAL`].

use super::frame::{self, SamFrameDecoder, SamFrameError, command};
use super::id_card::{IdCard, IdCardError};
use super::status_word::SamStatus;
use crate::serial_link::{LinkError, LinkOpener, ReconnectingLink};
use std::time::{Duration, Instant};

/// The reader needs this long between find attempts.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_millis(300);
/// A read answer is 1295 bytes: 113 ms at 115200 baud, plus the card's own time.
const ANSWER_TIMEOUT: Duration = Duration::from_millis(1500);

#[derive(Debug, thiserror::Error)]
pub enum SamReaderError {
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error("ID card reader on {port} does not answer: check its power, the cable, and that it runs at {baud} baud")]
    NoAnswer { port: String, baud: u32 },
    #[error("ID card reader sent a damaged frame: {0}")]
    Frame(SamFrameError),
    #[error("ID card reader: {status}; {}", advice(*.status))]
    Status { status: SamStatus },
    #[error("the ID card could not be read: {0}; ask the resident to place the card again")]
    Card(IdCardError),
}

fn advice(status: SamStatus) -> &'static str {
    use crate::device_state::RequiredAction::*;
    match status.required_action() {
        None | Retry | Clear => "ask the resident to place the card again",
        Reset => "reset the SAM module (kioskctl reader reset, or power the reader off and on)",
        Maintenance => "the reader or its SAM module needs a technician",
    }
}

/// How long to wait before the next find, given when the last one was sent.
pub fn wait_before_find(last_find: Option<Instant>, now: Instant) -> Duration {
    last_find.map_or(Duration::ZERO, |last| MIN_POLL_INTERVAL.saturating_sub(now.saturating_duration_since(last)))
}

pub struct SamReader<O: LinkOpener> {
    link: ReconnectingLink<O>,
    decoder: SamFrameDecoder,
    baud: u32,
    last_find: Option<Instant>,
}

impl<O: LinkOpener> SamReader<O> {
    pub fn new(opener: O, baud: u32) -> Self {
        Self { link: ReconnectingLink::new(opener), decoder: SamFrameDecoder::new(), baud, last_find: None }
    }

    pub fn link(&mut self) -> &mut ReconnectingLink<O> {
        &mut self.link
    }

    /// Sends one command and returns the answer's payload (SW1 SW2 SW3 data).
    pub fn transact(&mut self, cmd: (u8, u8)) -> Result<Vec<u8>, SamReaderError> {
        self.link.discard_input()?;
        self.decoder.clear();
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        self.link.write_all(&frame::encode_command(cmd, &[]), deadline)?;
        let mut buf = [0u8; 2048];
        loop {
            if let Some(result) = self.decoder.next_frame() {
                let payload = result.map_err(SamReaderError::Frame)?;
                if payload.len() < 3 {
                    return Err(SamReaderError::Frame(SamFrameError::BadLength(payload.len() + 1)));
                }
                return Ok(payload);
            }
            if Instant::now() >= deadline {
                return Err(SamReaderError::NoAnswer { port: self.link.port_name(), baud: self.baud });
            }
            let n = self.link.read_some(&mut buf)?;
            self.decoder.push(&buf[..n]);
        }
    }

    fn expect(&mut self, cmd: (u8, u8), wanted: SamStatus) -> Result<Vec<u8>, SamReaderError> {
        let payload = self.transact(cmd)?;
        let status = SamStatus::from_sw3(payload[2]);
        if status != wanted {
            return Err(SamReaderError::Status { status });
        }
        Ok(payload)
    }

    /// Whether a new card is in the field (the same card must leave before it is found again).
    /// Waits if the previous find was less than [`MIN_POLL_INTERVAL`] ago: the module needs it.
    pub fn find_card(&mut self) -> Result<bool, SamReaderError> {
        std::thread::sleep(wait_before_find(self.last_find, Instant::now()));
        self.last_find = Some(Instant::now());
        let payload = self.transact(command::FIND_CARD)?;
        match SamStatus::from_sw3(payload[2]) {
            SamStatus::FindCardSuccess => Ok(true),
            SamStatus::FindCardFailed => Ok(false),
            status => Err(SamReaderError::Status { status }),
        }
    }

    /// Selects and reads the card that [`Self::find_card`] found.
    pub fn read_card(&mut self) -> Result<IdCard, SamReaderError> {
        self.expect(command::SELECT_CARD, SamStatus::Success)?;
        let payload = self.transact(command::READ_TEXT_AND_PHOTO)?;
        IdCard::from_read_answer(&payload).map_err(|e| match e {
            IdCardError::Status(status) => SamReaderError::Status { status },
            other => SamReaderError::Card(other),
        })
    }

    /// One poll: `Some(card)` if a new card was placed and read.
    pub fn poll(&mut self) -> Result<Option<IdCard>, SamReaderError> {
        if !self.find_card()? {
            return Ok(None);
        }
        self.read_card().map(Some)
    }

    /// The SAM module's identity, as hexadecimal, for the technician's doctor command.
    pub fn sam_id(&mut self) -> Result<String, SamReaderError> {
        let payload = self.expect(command::SAM_ID, SamStatus::Success)?;
        Ok(payload[3..].iter().map(|b| format!("{b:02X}")).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_are_spaced_by_the_minimum_poll_interval() {
        let t0 = Instant::now();
        assert_eq!(wait_before_find(None, t0), Duration::ZERO);
        assert_eq!(wait_before_find(Some(t0), t0), MIN_POLL_INTERVAL);
        assert_eq!(wait_before_find(Some(t0), t0 + Duration::from_millis(100)), Duration::from_millis(200));
        assert_eq!(wait_before_find(Some(t0), t0 + Duration::from_secs(5)), Duration::ZERO);
    }
}
