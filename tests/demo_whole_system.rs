//! `citizen-window demo --headless` as a user runs it: the central server as its own process with
//! a fresh PKI, the kiosk enrolled with it, simulated devices on pseudo-terminals, and the
//! scripted walk through every service. It must exit 0, print each step, leave a screenshot of
//! each step and the printed receipts, and the server must hold every transaction once.

use std::process::Command;

#[test]
fn the_headless_demo_walks_through_every_service_and_exits_0() {
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("demo");
    let output = Command::new(env!("CARGO_BIN_EXE_citizen-window"))
        .args(["demo", "--headless", "--out"])
        .arg(&folder)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the demo failed ({}); citizen-central is built by `cargo test --workspace` (scripts/test.sh)\n{stdout}\n{stderr}",
        output.status
    );
    let steps = [
        "queue ticket",
        "rated 非常满意",
        "problem report",
        "voted",
        "statement printed",
        "appointment",
        "receipt printed",
        "report status",
        "receipt QR code scanned",
        "呼叫工作人员",
        "the office answered from its console",
        "the new urgent notice is on the attract screen",
    ];
    for step in steps {
        assert!(stdout.contains(step), "no {step:?} step in:\n{stdout}");
    }
    assert!(stdout.contains("the central server holds 7 transactions"), "{stdout}");
    let count = |dir: &str, ext: &str| {
        std::fs::read_dir(folder.join(dir))
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == ext))
            .count()
    };
    assert_eq!(count("receipts", "txt"), 6, "ticket, report, vote, statement, appointment, payment");
    assert!(count("screens", "png") >= 20);
    let journal = folder.join("kiosk/journal.sqlite");
    assert!(journal.exists());
    // No ID number or name on the kiosk's disk: the synthetic card's number and name.
    for file in std::fs::read_dir(folder.join("kiosk")).unwrap().flatten() {
        if file.path().is_file() {
            let text = String::from_utf8_lossy(&std::fs::read(file.path()).unwrap()).into_owned();
            assert!(
                !text.contains("330102195603120018") && !text.contains("张伟"),
                "personal data in {:?}",
                file.path()
            );
        }
    }
}
