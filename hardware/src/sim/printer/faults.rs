//! The simulated printer's condition (paper level, cover, online), set by control commands, and the
//! status bytes a real printer answers with in that condition (DLE EOT n, GS r 1).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaperLevel {
    Ok,
    NearEnd,
    Out,
}

/// Injected conditions, all settable by control commands.
#[derive(Debug, Clone, Serialize)]
pub struct PrinterFaults {
    pub paper: PaperLevel,
    pub paper_out_after_lines: Option<u32>,
    pub cover_open: bool,
    pub offline: bool,
}

impl PrinterFaults {
    /// A printer with paper, its cover closed, online.
    pub(super) fn none() -> Self {
        Self { paper: PaperLevel::Ok, paper_out_after_lines: None, cover_open: false, offline: false }
    }

    /// True while the printer cannot print: received bytes wait in its buffer.
    pub(super) fn held(&self) -> bool {
        self.paper == PaperLevel::Out || self.cover_open || self.offline
    }

    /// DLE EOT n answer.
    pub(super) fn status_byte(&self, n: u8) -> u8 {
        let paper_out = self.paper == PaperLevel::Out;
        match n {
            1 => 0x12 | if self.held() { 0x08 } else { 0 },
            2 => 0x12 | if self.cover_open { 0x04 } else { 0 } | if paper_out { 0x20 } else { 0 },
            3 => 0x12,
            4 => 0x12 | if self.paper == PaperLevel::NearEnd { 0x0C } else { 0 } | if paper_out { 0x60 } else { 0 },
            _ => 0x12,
        }
    }

    /// GS r 1 answer: paper near end bits 0-1, paper end bits 2-3.
    pub(super) fn completion_byte(&self) -> u8 {
        match self.paper {
            PaperLevel::Ok => 0x00,
            PaperLevel::NearEnd => 0x03,
            PaperLevel::Out => 0x0F,
        }
    }
}
