//! `kioskctl status`, `config` and `restart` against a running headless kiosk (its control
//! socket served, its UI's event loop turned by the test) and against a kiosk that is not
//! running; systemd's watchdog pings from the UI's event loop, on a notify socket of the test's.

#[path = "support/kiosk_files.rs"]
mod kiosk_files;

use citizen_window::run::{KioskServices, start_headless_kiosk};
use citizen_window::service_manager::Notifier;
use citizen_window::ui::KioskUi;
use citizen_window::ui::screenshot::use_headless_renderer;
use citizen_window_hardware::printer::PrinterProfile;
use citizen_window_hardware::sim::printer::SimPrinter;
use citizen_window_hardware::sim::pty_host::PtyHost;
use i_slint_backend_testing::ElementHandle;
use kiosk_files::kiosk_config;
use slint::ComponentHandle;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};

fn kioskctl(config: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kioskctl")).arg("--config").arg(config).args(args).output().unwrap()
}

/// Runs kioskctl while the UI's event loop turns (the kiosk answers from it).
fn kioskctl_while_running(config: &Path, args: &[&str]) -> (bool, String) {
    let (config, args) = (config.to_path_buf(), args.iter().map(|a| a.to_string()).collect::<Vec<_>>());
    let command = std::thread::spawn(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        kioskctl(&config, &args)
    });
    while !command.is_finished() {
        slint::platform::update_timers_and_animations();
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = command.join().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Turns the UI's event loop for `time`.
fn turn_for(time: Duration) {
    let until = Instant::now() + time;
    while Instant::now() < until {
        slint::platform::update_timers_and_animations();
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn start_kiosk(config_path: &Path, notifier: Notifier) -> (Rc<KioskUi>, KioskServices) {
    use_headless_renderer().unwrap();
    start_headless_kiosk(config_path, notifier).unwrap()
}

/// Asks the running kiosk's status until its printer is as `wanted` (the recording thread checks
/// its printer every 3 s between jobs), at most 20 s.
fn wait_for_printer(config: &Path, wanted: impl Fn(&serde_json::Value) -> bool) {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, out) = kioskctl_while_running(config, &["status", "--json"]);
        let status = json(&out);
        let devices = status["running"]["devices"].as_array().cloned().unwrap_or_default();
        if devices.iter().any(|d| d["device"] == "receipt_printer" && wanted(d)) {
            return;
        }
        assert!(Instant::now() < until, "the printer never got there: {devices:?}");
        turn_for(Duration::from_millis(300));
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// One test: Slint's platform is set once per process, on one thread.
#[test]
fn kioskctl_reads_and_reconfigures_the_running_kiosk_and_the_watchdog_follows_its_event_loop() {
    let dir = tempfile::tempdir().unwrap();
    let config = kiosk_config(dir.path(), "");
    let notify_path = dir.path().join("notify");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let notifier = Notifier::for_socket(&notify_path, Some(Duration::from_millis(200))).unwrap();
    let (ui, services) = start_kiosk(&config, notifier);

    // Status from the running kiosk: its pid, the page, and what is wrong (not enrolled).
    let (ok, out) = kioskctl_while_running(&config, &["status", "--json"]);
    assert!(ok, "{out}");
    let status = json(&out);
    assert_eq!(status["running"]["pid"], std::process::id());
    assert_eq!(status["running"]["ui"]["page"], "attract");
    assert!(status["warnings"].to_string().contains("not enrolled"), "{status}");
    let (ok, out) = kioskctl_while_running(&config, &["status"]);
    assert!(ok && out.contains("running (pid") && out.contains("page attract"), "{out}");

    // A live change: the idle timeout and the languages reach the kiosk without a restart.
    let (ok, out) = kioskctl_while_running(
        &config,
        &["config", "set", "session.idle_timeout_seconds", "90", "display.languages", "en"],
    );
    assert!(ok, "{out}");
    assert!(out.contains("applied at once: session, display.languages"), "{out}");
    turn_for(Duration::from_millis(300));
    assert_eq!(ui.controller.borrow().session_timing().idle_timeout, Duration::from_secs(90));
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("# the test kiosk") && text.contains("idle_timeout_seconds = 90"), "{text}");
    assert!(ElementHandle::find_by_accessible_label(&ui.window, "中文").next().is_none(), "one language: no switch");
    assert!(ui.window.global::<citizen_window::ui::AppAdapter>().get_english(), "the attract screen in English");

    // A change that waits for a restart says so; a wrong value changes nothing.
    let (ok, out) = kioskctl_while_running(&config, &["config", "set", "content.poll_seconds", "60"]);
    assert!(ok && out.contains("at the next start: content"), "{out}");
    let (ok, out) = kioskctl_while_running(&config, &["config", "set", "session.idle_timeout_seconds", "5"]);
    assert!(!ok && out.contains("session.idle_timeout_seconds = 5") && out.contains("20 to 600"), "{out}");
    assert!(std::fs::read_to_string(&config).unwrap().contains("idle_timeout_seconds = 90"));

    // A printer configured while the kiosk runs: the recording thread takes it, and moves to
    // another port when that changes (the first printer is out of paper, the second is not).
    let profile = PrinterProfile::default_profile();
    let printer = |name: &str, paper: &str| {
        let host = PtyHost::start(
            Box::new(SimPrinter::with_receipt_log(profile.clone()).0),
            &dir.path().join(name),
            profile.baud,
        )
        .unwrap();
        host.control(paper).unwrap();
        (host, dir.path().join(name).display().to_string())
    };
    let (_first, first_port) = printer("printer-1", "paper out");
    let (_second, second_port) = printer("printer-2", "paper ok");
    let (ok, out) = kioskctl_while_running(&config, &["config", "set", "printer.port", &first_port]);
    assert!(ok && out.contains("applied at once: printer"), "{out}");
    wait_for_printer(&config, |printer| printer["paper"] == "out");
    let (ok, out) = kioskctl_while_running(&config, &["config", "set", "printer.port", &second_port]);
    assert!(ok && out.contains("applied at once: printer"), "{out}");
    wait_for_printer(&config, |printer| printer["status"] == "online" && printer["paper"] != "out");

    // The watchdog: pings while the event loop turns, none while it is frozen, again after.
    let mut buffer = [0u8; 64];
    while notify.recv(&mut buffer).is_ok() {} // what was sent so far (READY=1 among it)
    turn_for(Duration::from_millis(400));
    let n = notify.recv(&mut buffer).expect("a ping while the loop turns");
    assert_eq!(&buffer[..n], b"WATCHDOG=1");
    while notify.recv(&mut buffer).is_ok() {}
    std::thread::sleep(Duration::from_millis(600));
    assert!(notify.recv(&mut buffer).is_err(), "a frozen event loop sends no ping");

    // A frozen UI: status still answers, and says the UI does not.
    let out = kioskctl(&config, &["status", "--json"]);
    let status = json(&String::from_utf8_lossy(&out.stdout));
    assert!(status["running"]["ui"].is_null(), "{status}");
    assert!(status["warnings"].to_string().contains("UI does not answer"), "{status}");
    turn_for(Duration::from_millis(400));
    assert!(notify.recv(&mut buffer).is_ok(), "the pings come back with the loop");

    let (ok, out) = kioskctl_while_running(&config, &["restart"]);
    assert!(ok && out.contains("quitting"), "{out}");
    turn_for(Duration::from_millis(300));
    let mut messages = String::new();
    while let Ok(n) = notify.recv(&mut buffer) {
        messages.push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
    assert!(messages.contains("STOPPING=1"), "{messages}");

    // Not running: the files tell what they can, and say the kiosk is not running.
    drop(services);
    let out = kioskctl(&config, &["status"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("NOT RUNNING"), "{text}");
    let (ok, out) = {
        let out = kioskctl(&config, &["config", "set", "session.countdown_seconds", "20"]);
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    assert!(ok && out.contains("the kiosk is not running"), "{out}");
    let out = kioskctl(&config, &["restart"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not running"));
}

#[test]
fn config_validate_show_and_keys_work_without_a_kiosk() {
    let dir = tempfile::tempdir().unwrap();
    let config = kiosk_config(dir.path(), "");
    let out = kioskctl(&config, &["config", "validate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[printer]\nport = \"/dev/kiosk-printer\"\nprofile = \"laser\"\n").unwrap();
    let out = kioskctl(&config, &["config", "validate", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("printer.profile") && err.contains("\"laser\""), "{err}");
    let out = kioskctl(&config, &["config", "show"]);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("session.idle_timeout_seconds") && shown.contains("(default)"), "{shown}");
    let out = kioskctl(&config, &["config", "get", "control.group"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "\"\"\n");
    let out = kioskctl(&config, &["config", "get", "timeout"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("kioskctl config keys"));
    let out = kioskctl(&config, &["config", "keys"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("| `printer.profile` |"));
}
