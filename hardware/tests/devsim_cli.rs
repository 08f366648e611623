//! The `devsim` binary as a developer uses it: a printer process on a pseudo-terminal, steered
//! through its control socket, writing each receipt as text and PNG.

use citizen_window_hardware::escpos::{Receipt, ReceiptEncoder};
use citizen_window_hardware::printer::{PrintOutcome, PrinterDriver, PrinterError, PrinterProfile};
use citizen_window_hardware::serial_link::SerialPortOpener;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn devsim(args: &[&str]) -> Killed {
    let mut child = Command::new(env!("CARGO_BIN_EXE_devsim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("device ready"), "{line}");
    Killed(child)
}

fn ctl(socket: &std::path::Path, command: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_devsim"))
        .args(["ctl", "--control", socket.to_str().unwrap()])
        .args(command.split(' '))
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn printer_process_writes_text_and_png_and_obeys_control_commands() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("kiosk-printer");
    let out = dir.path().join("receipts");
    let _sim =
        devsim(&["printer", "--link", link.to_str().unwrap(), "--out", out.to_str().unwrap(), "--baud", "115200"]);
    let socket = dir.path().join("kiosk-printer.ctl");

    let mut profile = PrinterProfile::default_profile();
    profile.baud = 115_200;
    let mut driver = PrinterDriver::new(SerialPortOpener::new(&link, profile.baud), profile.clone());
    let job = ReceiptEncoder::new(&profile).encode(&Receipt::sample_payment()).unwrap();
    assert!(matches!(driver.print(&job).unwrap(), PrintOutcome::Confirmed { .. }));

    let text_path = out.join("receipt-0001.txt");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !text_path.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = std::fs::read_to_string(&text_path).unwrap();
    assert!(text.contains("市民之窗") && text.contains("[QR https://pay.example.org/r/T20261126-000153]"), "{text}");
    let png = std::fs::read(out.join("receipt-0001.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    let (ok, answer) = ctl(&socket, "cover open");
    assert!(ok, "{answer}");
    assert!(matches!(driver.print(&job), Err(PrinterError::NotReady(_))));
    let (ok, answer) = ctl(&socket, "cover sideways");
    assert!(!ok && answer.contains("cover open|closed"), "{answer}");
    assert!(ctl(&socket, "unplug").0);
    assert!(!link.exists(), "an unplugged device's port disappears");
    assert!(ctl(&socket, "replug").0);
    assert!(link.exists());
}

#[test]
fn sam_process_places_cards_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("reader");
    let _sim = devsim(&["sam", "--link", link.to_str().unwrap(), "--place", "zhang-wei"]);
    let mut reader = citizen_window_hardware::sam::SamReader::new(SerialPortOpener::new(&link, 115_200), 115_200);
    let card = reader.poll().unwrap().expect("card placed at start");
    assert_eq!(card.masked_name(), "张*");
    let (ok, answer) = ctl(&dir.path().join("reader.ctl"), "place nobody");
    assert!(!ok && answer.contains("cannot read card file"), "{answer}");
}
