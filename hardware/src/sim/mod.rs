//! Simulated devices that speak the real protocols: an ESC/POS printer that renders what it
//! receives, a SAM ID card reader, an RFID reader, a magnetic-stripe reader and a QR/barcode
//! scanner; hosted on
//! pseudo-terminals (paced at the configured baud rate) or linked in memory for unit tests.

pub mod control;
pub mod magstripe_reader;
pub mod memory_link;
pub mod printer;
pub mod pty_host;
pub mod receipt_render;
pub mod rfid_reader;
pub mod sam_reader;
pub mod scanner;

use std::time::Instant;

/// A device as the host sees it through its serial port.
pub trait SimulatedDevice: Send {
    /// Bytes from the host; returns the device's immediate answer.
    fn receive(&mut self, bytes: &[u8], now: Instant) -> Vec<u8>;
    /// Bytes the device sends on its own (an RFID reader repeating a tag, a swipe).
    fn tick(&mut self, _now: Instant) -> Vec<u8> {
        Vec::new()
    }
    /// A control command from the test or the technician: "paper out", "place zhang-wei".
    fn control(&mut self, command: &str) -> Result<String, String>;
}
