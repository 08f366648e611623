//! `kioskctl doctor` finds each class of failure a technician meets, one test each, against the
//! real binary: simulated devices on pseudo-terminals, a real server over mutual TLS, a real
//! journal file, a clock really set wrong (libfaketime).

#[path = "support/kiosk_files.rs"]
mod kiosk_files;
mod support;
use kiosk_files::kiosk_config;

use citizen_window_hardware::printer::PrinterProfile;
use citizen_window_hardware::sim::printer::SimPrinter;
use citizen_window_hardware::sim::pty_host::PtyHost;
use citizen_window_hardware::sim::rfid_reader::SimRfidReader;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use support::TestFleet;

/// Pseudo-terminals are not safe to make from several threads at once.
static PTYS: Mutex<()> = Mutex::new(());

/// A fleet with its server running, and a kiosk enrolled with it, its configuration and state in
/// a folder of its own.
struct Enrolled {
    rt: tokio::runtime::Runtime,
    fleet: TestFleet,
    dir: tempfile::TempDir,
    config: std::path::PathBuf,
    identity: citizen_window::sync::identity::KioskIdentity,
}

fn enrolled_kiosk() -> Enrolled {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt.block_on(TestFleet::start(None));
    let dir = tempfile::tempdir().unwrap();
    let config = kiosk_config(dir.path(), "");
    let identity = rt.block_on(fleet.enrol(&dir.path().join("state")));
    Enrolled { rt, fleet, dir, config, identity }
}

/// `kioskctl --config CONFIG doctor --json EXTRA...` (through `wrapper` if given): whether it
/// passed, and each check by name.
fn doctor_with(wrapper: &[&str], config: &Path, extra: &[&str]) -> (bool, Vec<Value>) {
    let kioskctl = env!("CARGO_BIN_EXE_kioskctl");
    let mut command = match wrapper.split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(kioskctl);
            command
        }
        None => Command::new(kioskctl),
    };
    let out = command.arg("--config").arg(config).args(["doctor", "--json"]).args(extra).output().unwrap();
    let checks: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    if !out.status.success() {
        assert!(String::from_utf8_lossy(&out.stderr).contains("some checks failed"));
    }
    (out.status.success(), checks)
}

fn doctor(config: &Path, extra: &[&str]) -> (bool, Vec<Value>) {
    doctor_with(&[], config, extra)
}

/// The check `name`: its verdict, and its detail and fix as one text.
fn check(checks: &[Value], name: &str) -> (String, String) {
    let check = checks.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no check {name}: {checks:?}"));
    let text = format!("{} → {}", check["detail"].as_str().unwrap(), check["fix"].as_str().unwrap_or(""));
    (check["verdict"].as_str().unwrap().to_string(), text)
}

fn assert_fails(checks: &[Value], name: &str, parts: &[&str]) {
    let (verdict, text) = check(checks, name);
    assert_eq!(verdict, "fail", "{name}: {text}");
    for part in parts {
        assert!(text.contains(part), "{name} lacks {part:?}: {text}");
    }
}

#[test]
fn a_bad_configuration_value_fails_naming_the_key_the_value_and_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let config = kiosk_config(dir.path(), "[session]\nidle_timeout_seconds = 5\n");
    let (passed, checks) = doctor(&config, &[]);
    assert!(!passed);
    assert_fails(&checks, "configuration", &["session.idle_timeout_seconds = 5", "20 to 600", "kioskctl config set"]);
}

#[test]
fn an_unplugged_printer_and_a_printer_out_of_paper_each_fail_with_what_to_do() {
    let _ptys = PTYS.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let unplugged = kiosk_config(
        dir.path(),
        &format!("[printer]\nport = {:?}\n", dir.path().join("nothing-here").display().to_string()),
    );
    let (_, checks) = doctor(&unplugged, &[]);
    assert_fails(&checks, "printer", &["is not there", "check the cable", "kioskctl ports"]);

    let profile = PrinterProfile::default_profile();
    let (sim, _) = SimPrinter::with_receipt_log(profile.clone());
    let port = dir.path().join("printer");
    let host = PtyHost::start(Box::new(sim), &port, profile.baud).unwrap();
    let config = kiosk_config(dir.path(), &format!("[printer]\nport = {:?}\n", port.display().to_string()));
    let (_, checks) = doctor(&config, &[]);
    assert_eq!(check(&checks, "printer").0, "pass", "{checks:?}");
    host.control("paper out").unwrap();
    let (_, checks) = doctor(&config, &[]);
    assert_fails(&checks, "printer", &["paper", "load a paper roll"]);
    host.control("paper ok").unwrap();
    host.control("cover open").unwrap();
    let (_, checks) = doctor(&config, &[]);
    assert_fails(&checks, "printer", &["close the printer's cover"]);
}

#[test]
fn a_card_reader_that_does_not_answer_fails() {
    let _ptys = PTYS.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // A device on the port that never answers a SAM command (a 125 kHz reader speaks only when a
    // card comes), where the configuration expects a SAM reader.
    let port = dir.path().join("reader");
    let _host = PtyHost::start(Box::<SimRfidReader>::default(), &port, 115_200).unwrap();
    let config =
        kiosk_config(dir.path(), &format!("[reader]\nport = {:?}\nprotocol = \"sam\"\n", port.display().to_string()));
    let (passed, checks) = doctor(&config, &[]);
    assert!(!passed);
    assert_fails(&checks, "reader", &["does not answer", "reader.protocol"]);
}

#[test]
fn an_enrolled_kiosk_passes_then_a_corrupt_journal_and_a_full_disk_fail() {
    let Enrolled { rt: _rt, fleet: _fleet, dir, config, .. } = enrolled_kiosk();
    let journal = citizen_window::journal::journal_path(&dir.path().join("state"));
    citizen_window::journal::Journal::open(&journal).unwrap();

    let (_, checks) = doctor(&config, &[]);
    for name in ["configuration", "server", "clock", "certificate", "disk", "journal", "content"] {
        assert_eq!(check(&checks, name).0, "pass", "{name}: {checks:?}");
    }
    assert!(check(&checks, "server").1.contains("answers over mutual TLS"));

    let (_, checks) = doctor(&config, &["--min-free-mib", "100000000"]);
    assert_fails(&checks, "disk", &["MiB free", "journalctl --vacuum-size"]);

    // Damage in the middle of the file, where SQLite keeps its tables' pages.
    let mut bytes = std::fs::read(&journal).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..].iter_mut().take(4096).for_each(|b| *b = 0x5A);
    bytes[100..200].iter_mut().for_each(|b| *b = 0xFF);
    std::fs::write(&journal, &bytes).unwrap();
    let (_, checks) = doctor(&config, &[]);
    assert_fails(&checks, "journal", &["is damaged", "keep a copy"]);
}

#[test]
fn an_expired_certificate_fails_in_doctor_and_is_warned_of_in_status() {
    let Enrolled { rt: _rt, fleet: _fleet, dir, config, .. } = enrolled_kiosk();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["kiosk".into()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2025, 1, 1);
    let expired = params.self_signed(&key).unwrap().pem();
    let identity = citizen_window::sync::identity::identity_dir(&dir.path().join("state"));
    std::fs::write(identity.join(citizen_window::sync::identity::CERT_FILE), expired).unwrap();

    let (_, checks) = doctor(&config, &[]);
    assert_fails(&checks, "certificate", &["expired", "days ago", "kioskctl enrol"]);
    let out = Command::new(env!("CARGO_BIN_EXE_kioskctl")).arg("--config").arg(&config).arg("status").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("WARNING: the kiosk's certificate has expired") && text.contains("kioskctl enrol"), "{text}");
}

#[test]
fn a_revoked_kiosk_is_told_to_enrol_again() {
    let Enrolled { rt, fleet, dir: _dir, config, identity } = enrolled_kiosk();
    let storage = rt.block_on(fleet.storage());
    assert!(rt.block_on(storage.revoke_kiosk(&identity.enrolment.kiosk_id, 1)).unwrap());
    // The server looks the register up again at most once a second.
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let (_, checks) = doctor(&config, &[]);
    assert_fails(&checks, "server", &["refuses this kiosk", "revoked", "kioskctl enrol"]);
}

#[test]
fn a_server_that_is_down_fails() {
    let Enrolled { rt, fleet, dir: _dir, config, .. } = enrolled_kiosk();
    // The server's tasks end with its runtime.
    drop(rt);
    drop(fleet);
    let (_, checks) = doctor(&config, &[]);
    assert_fails(&checks, "server", &["does not answer", "check the network"]);
    let (verdict, text) = check(&checks, "clock");
    assert_eq!(verdict, "warn", "without the server the clock is not compared: {text}");
}

#[test]
fn a_server_with_another_ca_fails() {
    let Enrolled { rt, fleet: ours, dir, config, .. } = enrolled_kiosk();
    let theirs = rt.block_on(TestFleet::start(None));
    // Something else answers at the kiosk's server address: another fleet's server.
    let enrolment = citizen_window::sync::identity::identity_dir(&dir.path().join("state"))
        .join(citizen_window::sync::identity::ENROLMENT_FILE);
    let text = std::fs::read_to_string(&enrolment).unwrap().replace(&ours.url, &theirs.url);
    std::fs::write(&enrolment, text).unwrap();
    let (_, checks) = doctor(&config, &[]);
    assert_fails(&checks, "server", &["another CA", "check the address"]);
}

#[test]
fn a_clock_far_off_fails() {
    let Enrolled { rt: _rt, fleet: _fleet, dir: _dir, config, .. } = enrolled_kiosk();
    // The kiosk's clock two days ahead (libfaketime: its whole process, TLS included).
    let faketime = ["faketime", "-f", "+2d"];
    let (_, checks) = doctor_with(&faketime, &config, &[]);
    assert_eq!(check(&checks, "server").0, "pass", "{checks:?}");
    assert_fails(&checks, "clock", &["ahead of the server's clock", "timedatectl set-ntp true"]);
}

#[test]
fn a_kiosk_without_a_sound_card_is_warned_of_and_runs_on_silent() {
    let dir = tempfile::tempdir().unwrap();
    let config = kiosk_config(dir.path(), "[voice]\ndevice = \"hw:99,0\"\n");
    let (_, checks) = doctor(&config, &[]);
    let (verdict, text) = check(&checks, "sound");
    assert_eq!(verdict, "warn", "{text}");
    for part in ["hw:99,0", "no sound device", "aplay -l", "voice.device", "works on"] {
        assert!(text.contains(part), "sound lacks {part:?}: {text}");
    }
    // ALSA's null device opens as a card would; no device configured is no problem.
    let config = kiosk_config(dir.path(), "[voice]\ndevice = \"null\"\n");
    assert_eq!(check(&doctor(&config, &[]).1, "sound").0, "pass");
    let config = kiosk_config(dir.path(), "[voice]\ndevice = \"\"\n");
    let (verdict, text) = check(&doctor(&config, &[]).1, "sound");
    assert_eq!((verdict.as_str(), text.contains("silent")), ("pass", true), "{text}");
}
