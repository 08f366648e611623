//! `kioskctl journal list|show|export` and `kioskctl receipt reprint` against a headless kiosk with
//! a simulated printer on a pseudo-terminal: the copy goes through the running kiosk's recording
//! thread, and through kioskctl itself once the kiosk is stopped; a long export draws a progress
//! bar on a terminal and nothing elsewhere; nothing exported names a resident.

#[path = "support/kiosk_files.rs"]
mod kiosk_files;

use citizen_window::journal::{Journal, NewTransaction, ReceiptPlan, journal_path, now_ms};
use citizen_window::run::start_headless_kiosk;
use citizen_window::runtime::KioskRuntime;
use citizen_window::service_manager::Notifier;
use citizen_window::ui::by_label;
use citizen_window::ui::screenshot::use_headless_renderer;
use citizen_window_hardware::printer::PrinterProfile;
use citizen_window_hardware::sim::printer::{ReceiptLog, SimPrinter};
use citizen_window_hardware::sim::pty_host::PtyHost;
use kiosk_files::kiosk_config;
use std::io::Read;
use std::os::fd::{FromRawFd, IntoRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Pseudo-terminal pairs are made one at a time.
static PTY: Mutex<()> = Mutex::new(());

fn kioskctl(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kioskctl")).arg("--config").arg(config).args(args).output().unwrap()
}

fn said(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn copies_printed(log: &ReceiptLog) -> usize {
    log.lock().unwrap().iter().filter(|r| r.text_lines().join("\n").contains("副本")).count()
}

#[test]
fn a_receipt_is_reprinted_through_the_running_kiosk_and_by_kioskctl_once_it_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let profile = PrinterProfile::default_profile();
    let (printer, log) = SimPrinter::with_receipt_log(profile.clone());
    let port = dir.path().join("printer");
    let host = {
        let _one_at_a_time = PTY.lock().unwrap_or_else(|e| e.into_inner());
        PtyHost::start(Box::new(printer), &port, profile.baud).unwrap()
    };
    let config = kiosk_config(dir.path(), &format!("[printer]\nport = {:?}\n", port.display().to_string()));
    use_headless_renderer().unwrap();
    let (ui, services) = start_headless_kiosk(&config, Notifier::default()).unwrap();

    // A resident takes a queue ticket: journaled, then printed.
    for label in ["请触摸屏幕开始 / Touch to start", "预约取号", "社保：取号"] {
        ui.tick();
        by_label::labelled(&ui.window, label).unwrap_or_else(|| panic!("{label}")).invoke_accessible_default_action();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while log.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the ticket never printed");
        ui.tick();
        std::thread::sleep(Duration::from_millis(20));
    }

    let out = kioskctl(&config, &["journal", "list", "--json"]);
    assert!(out.status.success(), "{}", said(&out));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ticket = &listed[0];
    assert_eq!((ticket["seq"].as_u64(), ticket["kind"].as_str()), (Some(1), Some("queue_ticket")), "{listed}");
    let number = ticket["receipt_number"].as_str().unwrap().to_string();
    let text = said(&kioskctl(&config, &["journal", "list"]));
    assert!(text.contains("queue_ticket") && text.contains("printed"), "{text}");

    // While the kiosk runs, its recording thread prints the copy.
    let out = kioskctl(&config, &["receipt", "reprint", &number]);
    assert!(out.status.success() && said(&out).contains("by the running kiosk"), "{}", said(&out));
    assert_eq!(copies_printed(&log), 1);
    let shown = said(&kioskctl(&config, &["journal", "show", &number]));
    assert!(shown.contains("reprinted") && shown.contains("A001"), "{shown}");
    let out = kioskctl(&config, &["receipt", "reprint", "99"]);
    assert!(!out.status.success() && said(&out).contains("no record 99"), "{}", said(&out));

    // Stopped, kioskctl prints it itself; with the paper out it says so and journals nothing.
    drop(services);
    ui.attach(KioskRuntime::new()); // its workers stop, the printer's port is free

    let out = kioskctl(&config, &["receipt", "reprint", "1"]);
    assert!(out.status.success() && said(&out).contains("not running"), "{}", said(&out));
    assert_eq!(copies_printed(&log), 2);
    host.control("paper out").unwrap();
    let out = kioskctl(&config, &["receipt", "reprint", "1"]);
    assert!(!out.status.success() && said(&out).contains("did not come out"), "{}", said(&out));
    assert_eq!(copies_printed(&log), 2);
    let history = said(&kioskctl(&config, &["journal", "show", "1"]));
    let copies_journaled = history.lines().filter(|l| l.trim_start().starts_with("20") && l.ends_with(" reprinted"));
    assert_eq!(copies_journaled.count(), 2, "{history}");
}

/// A journal of `count` records, the last a vote's with a sealed resident.
fn journal_with(state: &Path, count: usize) -> String {
    use citizen_window_protocol::resident_seal::{SealPurpose, Unsealer, seal};
    std::fs::create_dir_all(state).unwrap();
    let mut journal = Journal::open(&journal_path(state)).unwrap();
    let payload = serde_json::json!({ "selftest": true, "at_ms": 1 });
    let selftest =
        NewTransaction { kind: "selftest", payload: &payload, resident: None, receipt: ReceiptPlan::NotNeeded };
    for _ in 1..count {
        journal.record(&selftest, now_ms()).unwrap();
    }
    let server = Unsealer::from_private_key(&[9; 32]).unwrap();
    let purpose = SealPurpose::Vote { proposal: "p-1" };
    let sealed = seal(&server.public_key(), "kiosk-1", purpose, 1, "11010519491231002X").unwrap();
    let vote = serde_json::json!({ "proposal": "p-1", "choice": "agree" });
    let new = NewTransaction { kind: "vote", payload: &vote, resident: Some(&sealed), receipt: ReceiptPlan::Intended };
    journal.record(&new, now_ms()).unwrap();
    sealed
}

#[test]
fn a_long_export_shows_its_progress_on_a_terminal_and_only_there() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let sealed = journal_with(&state, 2100);
    let export = |stderr: Stdio, file: &str| {
        Command::new(env!("CARGO_BIN_EXE_kioskctl"))
            .arg("--state")
            .arg(&state)
            .args(["journal", "export", "--output"])
            .arg(dir.path().join(file))
            .stderr(stderr)
            .spawn()
            .unwrap()
    };

    // On a terminal: the bar.
    let (terminal, child_side) = {
        let _one_at_a_time = PTY.lock().unwrap_or_else(|e| e.into_inner());
        serialport::TTYPort::pair().unwrap()
    };
    // SAFETY: each descriptor was just taken out of the TTYPort that owned it.
    let (terminal, stderr) = unsafe {
        (
            std::fs::File::from(OwnedFd::from_raw_fd(terminal.into_raw_fd())),
            Stdio::from(OwnedFd::from_raw_fd(child_side.into_raw_fd())),
        )
    };
    // Read as it comes; the read fails once the child's side is closed.
    let reading = std::thread::spawn(move || {
        let (mut terminal, mut seen, mut chunk) = (terminal, Vec::new(), [0u8; 4096]);
        while let Ok(n @ 1..) = terminal.read(&mut chunk) {
            seen.extend_from_slice(&chunk[..n]);
        }
        String::from_utf8_lossy(&seen).into_owned()
    });
    let status = export(stderr, "all.jsonl").wait().unwrap();
    assert!(status.success());
    let seen = reading.join().unwrap();
    assert!(seen.contains("/2100 records") && seen.contains("2100 records exported"), "{seen:?}");
    let exported = std::fs::read_to_string(dir.path().join("all.jsonl")).unwrap();
    assert_eq!(exported.lines().count(), 2100);
    assert!(
        !exported.contains(&sealed) && !exported.contains("11010519491231002X"),
        "no resident leaves the kiosk this way"
    );
    assert_eq!(exported.matches(r#""sealed_resident":true"#).count(), 1);
    let shown = String::from_utf8_lossy(
        &Command::new(env!("CARGO_BIN_EXE_kioskctl"))
            .arg("--state")
            .arg(&state)
            .args(["journal", "show", "2100"])
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    assert!(shown.contains("sealed for the server") && !shown.contains(&sealed), "{shown}");

    // Elsewhere: the count only.
    let out = export(Stdio::piped(), "again.jsonl").wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "2100 records exported\n");
}
