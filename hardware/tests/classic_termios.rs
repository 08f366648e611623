//! The classic termios path of the serial link (for kernels and emulators without termios2, such
//! as qemu-user running the board's arm64 build): a port opened that way talks to a simulated
//! printer on a pseudo-terminal.

use citizen_window_hardware::printer::PrinterProfile;
use citizen_window_hardware::serial_link::{SerialIo, open_with_classic_termios};
use citizen_window_hardware::sim::printer::SimPrinter;
use citizen_window_hardware::sim::pty_host::PtyHost;
use std::io::{Read, Write};
use std::time::Duration;

#[test]
fn a_port_opened_with_classic_termios_talks_to_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("printer");
    let profile = PrinterProfile::default_profile();
    let (printer, _) = SimPrinter::with_receipt_log(profile.clone());
    let _host = PtyHost::start(Box::new(printer), &link, profile.baud).unwrap();
    let mut port = open_with_classic_termios(&link, profile.baud, Duration::from_millis(200)).unwrap();
    port.discard_input().unwrap();
    // DLE EOT 1: the printer's status, one byte (0x12 and flags; 0x16 when online and idle).
    port.write_all(&[0x10, 0x04, 0x01]).unwrap();
    let mut answer = [0u8; 1];
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while port.read(&mut answer).map_or(0, |n| n) == 0 {
        assert!(std::time::Instant::now() < deadline, "no answer through the classic termios port");
    }
    assert_eq!(answer[0] & 0x12, 0x12, "a status byte: {:#04x}", answer[0]);
    assert!(open_with_classic_termios(&link, 123_456, Duration::from_millis(10)).is_err(), "a non-standard speed");
}
