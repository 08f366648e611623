//! The scanner driver over a real pseudo-terminal against the simulated scanner, at both common
//! speeds: one event per code, one per code held in view, garbage said, line endings of any kind,
//! and a scanner unplugged and plugged back.

use citizen_window_hardware::scanner::{REPEAT_WINDOW, ScannerDriver, ScannerEvent};
use citizen_window_hardware::serial_link::SerialPortOpener;
use citizen_window_hardware::sim::pty_host::PtyHost;
use citizen_window_hardware::sim::scanner::SimScanner;
use std::time::{Duration, Instant};

/// Everything the driver reports until `quiet` passes with nothing new (or 10 s).
fn events_for(driver: &mut ScannerDriver<SerialPortOpener>, quiet: Duration) -> Vec<ScannerEvent> {
    let mut events = Vec::new();
    let give_up = Instant::now() + Duration::from_secs(10);
    let mut last_news = Instant::now();
    while Instant::now() < give_up && (events.is_empty() || last_news.elapsed() < quiet) {
        let new = driver.poll(Instant::now()).unwrap();
        if !new.is_empty() {
            last_news = Instant::now();
        }
        events.extend(new);
        std::thread::sleep(Duration::from_millis(10));
    }
    events
}

fn scanned(events: &[ScannerEvent]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            ScannerEvent::Scanned(code) => Some(code.text()),
            ScannerEvent::Garbled(_) => None,
        })
        .collect()
}

#[test]
fn codes_arrive_once_each_at_both_speeds() {
    for baud in [9600, 115_200] {
        let dir = tempfile::tempdir().unwrap();
        let port = dir.path().join("scanner");
        let host = PtyHost::start(Box::<SimScanner>::default(), &port, baud).unwrap();
        let mut driver = ScannerDriver::new(SerialPortOpener::new(&port, baud));
        driver.poll(Instant::now()).unwrap();

        host.control("scan CW1:R-20261126-0001").unwrap();
        host.control("scan 水费户号 4401002233").unwrap();
        let events = events_for(&mut driver, Duration::from_millis(300));
        assert_eq!(scanned(&events), ["CW1:R-20261126-0001", "水费户号 4401002233"], "at {baud}");

        // Held in view for a second: sent five times, reported once.
        host.control("hold 6901234567892").unwrap();
        std::thread::sleep(Duration::from_millis(1000));
        let events = events_for(&mut driver, Duration::from_millis(300));
        host.control("away").unwrap();
        assert_eq!(scanned(&events), ["6901234567892"], "at {baud}");
    }
}

#[test]
fn garbage_endings_and_unplugging() {
    let dir = tempfile::tempdir().unwrap();
    let port = dir.path().join("scanner");
    let host = PtyHost::start(Box::<SimScanner>::default(), &port, 9600).unwrap();
    let mut driver = ScannerDriver::new(SerialPortOpener::new(&port, 9600));
    driver.poll(Instant::now()).unwrap();

    host.control("garble").unwrap();
    host.control("ending lf").unwrap();
    host.control("scan AFTER-GARBAGE").unwrap();
    let events = events_for(&mut driver, Duration::from_millis(300));
    assert!(matches!(&events[0], ScannerEvent::Garbled(why) if why.contains("UTF-8")), "{events:?}");
    assert_eq!(scanned(&events), ["AFTER-GARBAGE"]);

    // The same code scanned again after the repeat window is a new scan.
    std::thread::sleep(REPEAT_WINDOW);
    host.control("scan AFTER-GARBAGE").unwrap();
    assert_eq!(scanned(&events_for(&mut driver, Duration::from_millis(300))), ["AFTER-GARBAGE"]);

    host.control("unplug").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while driver.poll(Instant::now()).is_ok() {
        assert!(Instant::now() < deadline, "an unplugged scanner is reported");
        std::thread::sleep(Duration::from_millis(20));
    }
    host.control("replug").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while driver.poll(Instant::now()).is_err() {
        assert!(Instant::now() < deadline, "the driver reconnects by itself");
        std::thread::sleep(Duration::from_millis(50));
    }
    host.control("scan BACK").unwrap();
    let mut codes = Vec::new();
    while codes.is_empty() && Instant::now() < deadline {
        if let Ok(events) = driver.poll(Instant::now()) {
            codes.extend(scanned(&events).into_iter().map(String::from));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(codes, ["BACK"], "codes read again once reconnected");
}
