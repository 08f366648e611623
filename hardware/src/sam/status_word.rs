//! SAM status words (SW3) mapped to typed outcomes, each with what the resident or the technician
//! should do about it.

use crate::device_state::RequiredAction;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SamStatus {
    #[error("success")]
    Success,
    #[error("card found")]
    FindCardSuccess,
    #[error("no content")]
    NoContent,
    #[error("the reader received a frame with a bad checksum")]
    ChecksumError,
    #[error("the reader received a frame with a bad length")]
    LengthError,
    #[error("the reader did not understand the command")]
    CommandError,
    #[error("the reader refuses the command: not authorised")]
    Unauthorised,
    #[error("the reader does not recognise the command")]
    Unrecognised,
    #[error("the card rejected the SAM module")]
    CardRejectedSam,
    #[error("the SAM module rejected the card")]
    SamRejectedCard,
    #[error("the card's information check failed")]
    InformationCheckFailed,
    #[error("unknown card type")]
    UnknownCardType,
    #[error("reading the card failed")]
    ReadFailed,
    #[error("the random number exchange failed")]
    RandomNumberFailed,
    #[error("the SAM module failed its self-test")]
    SamSelfTestFailed,
    #[error("the SAM module is not authorised")]
    SamNotAuthorised,
    #[error("no card found")]
    FindCardFailed,
    #[error("selecting the card failed")]
    SelectCardFailed,
    #[error("unknown status word {0:#04x}")]
    Unknown(u8),
}

impl SamStatus {
    pub fn from_sw3(sw3: u8) -> Self {
        match sw3 {
            0x90 => SamStatus::Success,
            0x9F => SamStatus::FindCardSuccess,
            0x91 => SamStatus::NoContent,
            0x10 => SamStatus::ChecksumError,
            0x11 => SamStatus::LengthError,
            0x21 => SamStatus::CommandError,
            0x23 => SamStatus::Unauthorised,
            0x24 => SamStatus::Unrecognised,
            0x31 => SamStatus::CardRejectedSam,
            0x32 => SamStatus::SamRejectedCard,
            0x33 => SamStatus::InformationCheckFailed,
            0x40 => SamStatus::UnknownCardType,
            0x41 => SamStatus::ReadFailed,
            0x47 => SamStatus::RandomNumberFailed,
            0x60 => SamStatus::SamSelfTestFailed,
            0x66 => SamStatus::SamNotAuthorised,
            0x80 => SamStatus::FindCardFailed,
            0x81 => SamStatus::SelectCardFailed,
            other => SamStatus::Unknown(other),
        }
    }

    pub fn sw3(self) -> u8 {
        match self {
            SamStatus::Success => 0x90,
            SamStatus::FindCardSuccess => 0x9F,
            SamStatus::NoContent => 0x91,
            SamStatus::ChecksumError => 0x10,
            SamStatus::LengthError => 0x11,
            SamStatus::CommandError => 0x21,
            SamStatus::Unauthorised => 0x23,
            SamStatus::Unrecognised => 0x24,
            SamStatus::CardRejectedSam => 0x31,
            SamStatus::SamRejectedCard => 0x32,
            SamStatus::InformationCheckFailed => 0x33,
            SamStatus::UnknownCardType => 0x40,
            SamStatus::ReadFailed => 0x41,
            SamStatus::RandomNumberFailed => 0x47,
            SamStatus::SamSelfTestFailed => 0x60,
            SamStatus::SamNotAuthorised => 0x66,
            SamStatus::FindCardFailed => 0x80,
            SamStatus::SelectCardFailed => 0x81,
            SamStatus::Unknown(b) => b,
        }
    }

    pub fn is_success(self) -> bool {
        matches!(self, SamStatus::Success | SamStatus::FindCardSuccess)
    }

    /// What fixes it: the resident places the card again (retry), or a technician is needed.
    pub fn required_action(self) -> RequiredAction {
        match self {
            SamStatus::Success | SamStatus::FindCardSuccess | SamStatus::NoContent => RequiredAction::None,
            SamStatus::ChecksumError | SamStatus::LengthError | SamStatus::FindCardFailed => RequiredAction::Retry,
            SamStatus::SelectCardFailed
            | SamStatus::ReadFailed
            | SamStatus::RandomNumberFailed
            | SamStatus::CardRejectedSam
            | SamStatus::SamRejectedCard
            | SamStatus::InformationCheckFailed
            | SamStatus::UnknownCardType => RequiredAction::Retry,
            SamStatus::SamSelfTestFailed => RequiredAction::Reset,
            SamStatus::CommandError
            | SamStatus::Unauthorised
            | SamStatus::Unrecognised
            | SamStatus::SamNotAuthorised
            | SamStatus::Unknown(_) => RequiredAction::Maintenance,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_round_trips() {
        let codes = [
            0x90, 0x9F, 0x91, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81,
        ];
        for code in codes {
            let status = SamStatus::from_sw3(code);
            assert!(!matches!(status, SamStatus::Unknown(_)), "{code:#x}");
            assert_eq!(status.sw3(), code);
        }
        assert_eq!(SamStatus::from_sw3(0x55), SamStatus::Unknown(0x55));
        assert_eq!(SamStatus::from_sw3(0x60).required_action(), RequiredAction::Reset);
        assert!(SamStatus::from_sw3(0x9F).is_success());
    }
}
