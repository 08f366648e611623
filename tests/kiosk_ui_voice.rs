//! Voice guidance end to end: the headless kiosk UI, the real runtime's voice thread and a
//! recording sound output that notes which prompt started when. Silent in standard print until
//! the bottom bar's switch turns it on; on by default in large print; each key moment said in the
//! session's language; leaving a page, or a new moment, cuts the old prompt off; a touch that ends
//! the countdown stops its words without repeating the page's.

#[path = "support/ui.rs"]
mod ui_support;

use citizen_window::config::VoiceSetup;
use citizen_window::voice::recording_output::{Heard, Notes, RecordingOutput};
use std::time::{Duration, Instant};
use ui_support::Harness;

/// Ticks the UI until the voice has heard `wanted`; returns what it heard.
fn hear(h: &Harness, notes: &Notes, what: &str, wanted: impl Fn(&[Heard]) -> bool) -> Vec<Heard> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        h.ui.tick();
        let heard: Vec<Heard> = notes.all().into_iter().map(|(_, heard)| heard).collect();
        if wanted(&heard) {
            return heard;
        }
        assert!(Instant::now() < deadline, "{what}: the voice heard only {heard:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn started(prompt: &str) -> Heard {
    Heard::Started(prompt.into())
}

#[test]
fn the_kiosk_speaks_its_moments_and_a_new_moment_cuts_the_old_one_off() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(1080, 1920);
    let notes = Notes::default();
    h.ui.with_runtime(|runtime| {
        runtime.start_recording(&dir.path().join("journal.sqlite"), None, Duration::from_secs(86_400)).unwrap();
        let output = Box::new(RecordingOutput::new(notes.clone(), 1));
        runtime.start_voice(output, VoiceSetup::default(), "recording").unwrap();
    });

    // Standard print: silent, whatever the page says.
    h.tap("请触摸屏幕开始 / Touch to start");
    h.tap("社保查询");
    assert_eq!(h.page(), "place_card");
    h.tap("首页");
    h.tap("社保查询");
    std::thread::sleep(Duration::from_millis(300));
    h.ui.tick();
    assert!(notes.all().is_empty(), "silent in standard print: {:?}", notes.all());

    // The bottom bar's switch: the page's moment is said at once; leaving the page cuts it off.
    h.tap("语音：关");
    hear(&h, &notes, "place your card", |heard| heard == [started("zh/place_card")]);
    h.tap("首页");
    hear(&h, &notes, "the prompt cut off on leaving", |heard| heard.ends_with(&[Heard::Cut]));

    // In English, in English.
    notes.clear();
    h.tap("English");
    h.tap("Social insurance");
    hear(&h, &notes, "place your card in English", |heard| heard.first() == Some(&started("en/place_card")));
    h.tap("Exit");
    hear(&h, &notes, "the session's end cuts it off", |heard| heard.ends_with(&[Heard::Cut]));

    // A new session starts silent; large print turns the voice on by itself. A ticket's number
    // is said sign by sign, with its window; the countdown's start cuts it off.
    notes.clear();
    h.tap("请触摸屏幕开始 / Touch to start");
    h.tap("大字版");
    h.tap_tile("预约取号");
    h.tap("法律援助：取号");
    assert_eq!(h.page(), "done");
    let heard = hear(&h, &notes, "the ticket's number", |heard| heard.len() >= 3);
    assert_eq!(heard[..3], [started("zh/ticket_number"), started("zh/letter_d"), started("zh/n0")]);
    h.advance(106);
    let heard = hear(&h, &notes, "the countdown", |heard| heard.contains(&started("zh/countdown")));
    let countdown = heard.iter().position(|heard| *heard == started("zh/countdown")).unwrap();
    assert_eq!(heard[countdown - 1], Heard::Cut, "the countdown cut the ticket's number off: {heard:?}");
    assert!(!heard.contains(&started("zh/take_receipt")), "the ticket's sentence did not play out: {heard:?}");

    // A touch ends the countdown: its words stop, and the ticket's number is not said again.
    h.ui.update(|k, now| k.touched(now));
    hear(&h, &notes, "the countdown hushed", |heard| heard.len() > countdown + 1 && heard.ends_with(&[Heard::Cut]));
    std::thread::sleep(Duration::from_millis(300));
    h.ui.tick();
    let after: Vec<Heard> = notes.all().into_iter().skip(countdown + 1).map(|(_, heard)| heard).collect();
    assert_eq!(after, [Heard::Cut], "nothing said again after the touch");

    // The resident turns it off: nothing more is said, not even the next countdown.
    h.tap("语音：开");
    let before = notes.all().len();
    h.advance(106);
    std::thread::sleep(Duration::from_millis(300));
    h.ui.tick();
    assert!(h.ui.controller.borrow().screen(h.now.get()).countdown.is_some(), "the countdown shows");
    assert_eq!(notes.all().len(), before, "silent once switched off: {:?}", notes.all());
}
