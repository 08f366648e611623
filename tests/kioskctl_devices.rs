//! `kioskctl` device commands as a technician runs them: the real binary against simulated devices
//! on pseudo-terminals, checking output, masking and exit codes.

use citizen_window_hardware::printer::PrinterProfile;
use citizen_window_hardware::sim::printer::{PrintedReceipt, SimPrinter};
use citizen_window_hardware::sim::pty_host::PtyHost;
use citizen_window_hardware::sim::rfid_reader::SimRfidReader;
use citizen_window_hardware::sim::sam_reader::{SimSamReader, sample_cards_dir};
use citizen_window_hardware::sim::scanner::SimScanner;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

fn kioskctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kioskctl")).args(args).output().unwrap()
}

/// `kioskctl reader read --port PORT --protocol PROTOCOL EXTRA...`
fn reader_read(port: &str, protocol: &str, extra: &[&str]) -> Output {
    let mut args = vec!["reader", "read", "--port", port, "--protocol", protocol];
    args.extend_from_slice(extra);
    kioskctl(&args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn printer(dir: &Path) -> (PtyHost, Arc<Mutex<Vec<PrintedReceipt>>>) {
    let profile = PrinterProfile::default_profile();
    let (sim, receipts) = SimPrinter::with_receipt_log(profile.clone());
    (PtyHost::start(Box::new(sim), &dir.join("printer"), profile.baud).unwrap(), receipts)
}

#[test]
fn printer_status_and_test_page() {
    let dir = tempfile::tempdir().unwrap();
    let (host, receipts) = printer(dir.path());
    let port = dir.path().join("printer");
    let port = port.to_str().unwrap();

    let out = kioskctl(&["printer", "status", "--port", port]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("state:  online"), "{}", stdout(&out));

    let out = kioskctl(&["printer", "status", "--port", port, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["paper"], "ok");

    let out = kioskctl(&["printer", "test", "--port", port]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("confirmed"));
    let page = receipts.lock().unwrap()[0].clone();
    let lines = page.text_lines().join("\n");
    assert!(lines.contains("打印测试\nPrinter test page") && lines.contains("English: Citizen Window"), "{lines}");
    assert_eq!(page.qr_codes().len(), 1);
    assert!(page.cut);

    host.control("paper out").unwrap();
    let out = kioskctl(&["printer", "status", "--port", port]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("out of paper: load a new roll"), "{}", stderr(&out));
    let out = kioskctl(&["printer", "test", "--port", port]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).lines().count(), 1, "one line: {}", stderr(&out));
}

#[test]
fn wrong_port_profile_and_silent_device_say_what_to_check() {
    let out = kioskctl(&["printer", "status", "--port", "/dev/ttyNOPE"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no such port /dev/ttyNOPE") && stderr(&out).contains("kioskctl ports"));

    let dir = tempfile::tempdir().unwrap();
    let (_host, _) = printer(dir.path());
    let port = dir.path().join("printer");
    let out = kioskctl(&["printer", "status", "--port", port.to_str().unwrap(), "--profile", "epson-9000"]);
    assert!(stderr(&out).contains("unknown printer profile") && stderr(&out).contains("generic-80mm"));

    // An RFID reader never answers printer status queries.
    let rfid = PtyHost::start(Box::<SimRfidReader>::default(), &dir.path().join("rfid"), 9600).unwrap();
    let out = kioskctl(&["printer", "status", "--port", rfid.link().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("does not answer"), "{}", stderr(&out));
}

#[test]
fn reader_read_masks_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let host =
        PtyHost::start(Box::new(SimSamReader::new(sample_cards_dir())), &dir.path().join("sam"), 115_200).unwrap();
    let port = host.link().to_str().unwrap().to_string();
    host.control("place zhang-wei").unwrap();
    let out = reader_read(&port, "sam", &["--timeout", "10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("3301**********0018") && text.contains("张*"), "{text}");
    assert!(!text.contains("330102195603120018") && !text.contains("张伟") && !text.contains("幸福里"), "{text}");

    host.control("remove").unwrap();
    host.control("place li-xiulan").unwrap();
    let out = reader_read(&port, "sam", &["--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["card"], "id_card");
    assert_eq!(json["valid_to"], "长期 no expiry");
    assert_eq!(json["document"], "居民身份证");

    // A permanent residence card says which it is, masked like the others.
    host.control("remove").unwrap();
    host.control("place anna-schmidt-2017").unwrap();
    let out = reader_read(&port, "sam", &["--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["document"], "外国人永久居留身份证（2017版）");
    assert_eq!(
        (json["id_number"].as_str(), json["name"].as_str(), json["nation"].as_str()),
        (Some("DEU3*******1521"), Some("安*"), Some("DEU"))
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("SCHMIDT"));

    host.control("remove").unwrap();
    let out = reader_read(&port, "sam", &["--timeout", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no card within 1 s"), "{}", stderr(&out));

    let out = reader_read(&port, "barcode", &[]);
    assert_eq!(out.status.code(), Some(2), "bad flag values are usage errors");
    assert!(stderr(&out).contains("use sam, rdm6300 or magstripe"));
}

#[test]
fn rfid_read_and_ports_listing() {
    let dir = tempfile::tempdir().unwrap();
    let host = PtyHost::start(Box::<SimRfidReader>::default(), &dir.path().join("rfid"), 9600).unwrap();
    host.control("place 0400E7A1B3").unwrap();
    let out = reader_read(host.link().to_str().unwrap(), "rdm6300", &["--timeout", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("0400E7A1B3"));

    let out = kioskctl(&["ports", "--json"]);
    assert!(out.status.success());
    let _: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
}

#[test]
fn scanner_read_shows_the_code_and_what_the_kiosk_makes_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let host = PtyHost::start(Box::<SimScanner>::default(), &dir.path().join("scanner"), 115_200).unwrap();
    let port = host.link().to_str().unwrap().to_string();
    // A code held in view is sent again and again: the command reads it once, whenever it starts.
    host.control("hold 3301-0288-1742").unwrap();
    let out = kioskctl(&["scanner", "read", "--port", &port, "--baud", "115200", "--timeout", "10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("3301-0288-1742") && stdout(&out).contains("a bill's account number"),
        "{}",
        stdout(&out)
    );

    host.control("hold 004200187355").unwrap();
    let out = kioskctl(&["scanner", "read", "--port", &port, "--baud", "115200", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((json["code"].as_str(), json["reads_as"].as_str()), (Some("004200187355"), Some("receipt")));

    host.control("away").unwrap();
    let out = kioskctl(&["scanner", "read", "--port", &port, "--baud", "115200", "--timeout", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no code within 1 s") && stderr(&out).contains("line ending"), "{}", stderr(&out));
    let out = kioskctl(&["scanner", "read", "--port", &port, "--baud", "4800"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("9600 or 115200"), "{}", stderr(&out));
}
