//! Printer status replies: DLE EOT 1..4 bytes (pattern 0xx1xx10) combined into one report with a
//! device state, a paper state and the action that fixes what is wrong; GS r 1 completion replies.

use crate::device_state::{DeviceStatus, PaperStatus, RequiredAction};
use serde::Serialize;

/// The four DLE EOT queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusQuery {
    Printer = 1,
    OfflineCause = 2,
    ErrorCause = 3,
    PaperSensor = 4,
}

impl StatusQuery {
    pub const ALL: [StatusQuery; 4] =
        [StatusQuery::Printer, StatusQuery::OfflineCause, StatusQuery::ErrorCause, StatusQuery::PaperSensor];
}

/// Whether `byte` has the fixed bits of a DLE EOT reply (0xx1xx10).
pub fn is_status_byte(byte: u8) -> bool {
    byte & 0b1001_0011 == 0b0001_0010
}

/// Whether `byte` can be a GS r 1 reply (bits 4 and 7 clear), which DLE EOT replies never are.
pub fn is_completion_byte(byte: u8) -> bool {
    byte & 0b1001_0000 == 0
}

/// Everything the four status bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PrinterStatus {
    pub offline: bool,
    pub waiting_for_recovery: bool,
    pub feed_button_pressed: bool,
    pub cover_open: bool,
    pub paper_fed_by_button: bool,
    pub stopped_by_paper_end: bool,
    pub error: bool,
    pub recoverable_error: bool,
    pub autocutter_error: bool,
    pub unrecoverable_error: bool,
    pub head_overheated: bool,
    pub paper_near_end: bool,
    pub paper_out: bool,
}

impl PrinterStatus {
    /// Reads one reply into the report; `None` if the byte is not a status byte.
    pub fn apply(&mut self, query: StatusQuery, byte: u8) -> Option<()> {
        if !is_status_byte(byte) {
            return None;
        }
        let bit = |n: u8| byte & (1 << n) != 0;
        match query {
            StatusQuery::Printer => {
                self.offline = bit(3);
                self.waiting_for_recovery = bit(5);
                self.feed_button_pressed = bit(6);
            }
            StatusQuery::OfflineCause => {
                self.cover_open = bit(2);
                self.paper_fed_by_button = bit(3);
                self.stopped_by_paper_end = bit(5);
                self.error = bit(6);
            }
            StatusQuery::ErrorCause => {
                self.recoverable_error = bit(2);
                self.autocutter_error = bit(3);
                self.unrecoverable_error = bit(5);
                self.head_overheated = bit(6);
            }
            StatusQuery::PaperSensor => {
                self.paper_near_end = bit(2) || bit(3);
                self.paper_out = bit(5) || bit(6);
            }
        }
        Some(())
    }

    pub fn paper(&self) -> PaperStatus {
        if self.paper_out || self.stopped_by_paper_end {
            PaperStatus::Out
        } else if self.paper_near_end {
            PaperStatus::Low
        } else {
            PaperStatus::Ok
        }
    }

    pub fn device_status(&self) -> DeviceStatus {
        if self.unrecoverable_error || self.autocutter_error || self.recoverable_error {
            DeviceStatus::HardwareError
        } else if self.cover_open || self.paper() == PaperStatus::Out {
            DeviceStatus::UserError
        } else if self.offline || self.error || self.head_overheated {
            DeviceStatus::Offline
        } else {
            DeviceStatus::Online
        }
    }

    pub fn required_action(&self) -> RequiredAction {
        if self.unrecoverable_error {
            RequiredAction::Maintenance
        } else if self.autocutter_error || self.recoverable_error {
            RequiredAction::Reset
        } else if self.cover_open || self.paper() == PaperStatus::Out {
            RequiredAction::Clear
        } else if self.head_overheated || self.offline || self.error {
            RequiredAction::Retry
        } else {
            RequiredAction::None
        }
    }

    /// Whether a job sent now would print.
    pub fn ready_to_print(&self) -> bool {
        self.device_status() == DeviceStatus::Online
    }

    /// One sentence for a technician or a member of staff: what is wrong and what to do.
    pub fn describe(&self) -> String {
        if self.unrecoverable_error {
            "printer reports an unrecoverable error: call a technician to repair or replace it".into()
        } else if self.autocutter_error {
            "the paper cutter is stuck: open the cover, remove jammed paper, then reset the printer".into()
        } else if self.recoverable_error {
            "printer reports an error: reset it (power off and on)".into()
        } else if self.cover_open {
            "printer cover is open: close it".into()
        } else if self.paper() == PaperStatus::Out {
            "printer is out of paper: load a new roll".into()
        } else if self.head_overheated {
            "print head is too hot: it resumes by itself after cooling".into()
        } else if self.offline || self.error {
            "printer is offline: check that it is switched on and online".into()
        } else if self.paper() == PaperStatus::Low {
            "printer is ready; paper is low: load a new roll soon".into()
        } else {
            "printer is ready".into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(bytes: [u8; 4]) -> PrinterStatus {
        let mut s = PrinterStatus::default();
        for (q, b) in StatusQuery::ALL.into_iter().zip(bytes) {
            s.apply(q, b).unwrap();
        }
        s
    }

    #[test]
    fn recognises_status_bytes_by_pattern() {
        assert!(is_status_byte(0x12));
        assert!(is_status_byte(0x1E));
        assert!(is_status_byte(0x72));
        assert!(is_status_byte(0x7E));
        assert!(!is_status_byte(0x00));
        assert!(!is_status_byte(0x92));
        assert!(!is_status_byte(0x13));
        assert!(is_completion_byte(0x00) && is_completion_byte(0x0F) && !is_completion_byte(0x12));
        assert_eq!(PrinterStatus::default().apply(StatusQuery::Printer, 0xFF), None);
    }

    #[test]
    fn maps_replies_to_states() {
        let all_clear = status([0x12, 0x12, 0x12, 0x12]);
        assert_eq!(all_clear.device_status(), DeviceStatus::Online);
        assert_eq!(all_clear.paper(), PaperStatus::Ok);
        assert_eq!(all_clear.required_action(), RequiredAction::None);

        let near_end = status([0x12, 0x12, 0x12, 0x1E]);
        assert_eq!(near_end.paper(), PaperStatus::Low);
        assert!(near_end.ready_to_print());

        let out = status([0x1A, 0x32, 0x12, 0x72]);
        assert_eq!(out.paper(), PaperStatus::Out);
        assert_eq!(out.device_status(), DeviceStatus::UserError);
        assert_eq!(out.required_action(), RequiredAction::Clear);
        assert!(out.describe().contains("paper"));

        let both = status([0x12, 0x12, 0x12, 0x7E]);
        assert_eq!(both.paper(), PaperStatus::Out);

        let cover = status([0x1A, 0x16, 0x12, 0x12]);
        assert!(cover.cover_open);
        assert_eq!(cover.device_status(), DeviceStatus::UserError);
        assert!(cover.describe().contains("cover"));

        let cutter = status([0x1A, 0x52, 0x1A, 0x12]);
        assert_eq!(cutter.device_status(), DeviceStatus::HardwareError);
        assert_eq!(cutter.required_action(), RequiredAction::Reset);

        let broken = status([0x1A, 0x52, 0x32, 0x12]);
        assert_eq!(broken.required_action(), RequiredAction::Maintenance);

        let hot = status([0x1A, 0x52, 0x52, 0x12]);
        assert_eq!(hot.required_action(), RequiredAction::Retry);
        assert_eq!(hot.device_status(), DeviceStatus::Offline);
    }
}
