//! The session rules with made-up instants.

use super::*;

fn resident() -> Resident {
    Resident {
        name: Zeroizing::new("张伟".into()),
        masked_id: Zeroizing::new("1101**********1234".into()),
        handle: crate::resident_key::test_only_handle("110101196005010019"),
    }
}

fn at(start: Instant, seconds: f64) -> Instant {
    start + Duration::from_secs_f64(seconds)
}

#[test]
fn the_countdown_shows_in_the_last_fifteen_seconds_and_the_session_ends_at_sixty() {
    let t0 = Instant::now();
    let mut session = Session::new(SessionTiming::default());
    assert!(!session.view(t0).active, "the attract screen has no session");
    session.handle(SessionEvent::Touch, t0);
    let check = |session: &Session, s: f64, expected: Option<u32>| {
        assert_eq!(session.view(at(t0, s)).countdown_seconds, expected, "at {s} s");
    };
    check(&session, 0.0, None);
    check(&session, 44.9, None);
    check(&session, 45.0, Some(15));
    check(&session, 45.5, Some(15));
    check(&session, 58.2, Some(2));
    check(&session, 59.9, Some(1));
    assert_eq!(session.tick(at(t0, 59.9)), None);
    assert_eq!(session.tick(at(t0, 60.0)), Some(EndReason::IdleTimeout));
    assert!(!session.view(at(t0, 60.0)).active);
}

#[test]
fn any_touch_extends_the_session_even_during_the_countdown() {
    let t0 = Instant::now();
    let mut session = Session::new(SessionTiming::default());
    session.handle(SessionEvent::Touch, t0);
    assert_eq!(session.view(at(t0, 50.0)).countdown_seconds, Some(10));
    assert_eq!(session.handle(SessionEvent::Touch, at(t0, 50.0)), None);
    assert_eq!(session.view(at(t0, 50.0)).countdown_seconds, None);
    assert_eq!(session.tick(at(t0, 100.0)), None, "60 s from the last touch, not the first");
    assert_eq!(session.tick(at(t0, 110.0)), Some(EndReason::IdleTimeout));
}

#[test]
fn every_end_wipes_the_resident() {
    let t0 = Instant::now();
    for (event, reason) in [(Some(SessionEvent::Exit), EndReason::Exit), (None, EndReason::IdleTimeout)] {
        let mut session = Session::new(SessionTiming::default());
        session.handle(SessionEvent::Identified(resident()), t0);
        assert_eq!(session.view(at(t0, 1.0)).resident.as_ref().map(|r| r.name.as_str()), Some("张伟"));
        let ended = match event {
            Some(event) => session.handle(event, at(t0, 2.0)),
            None => session.tick(at(t0, 61.0)),
        };
        assert_eq!(ended, Some(reason));
        let view = session.view(at(t0, 62.0));
        assert!(!view.active && view.resident.is_none(), "{reason:?} left {view:?}");
    }
}

#[test]
fn a_touch_after_the_timeout_starts_a_fresh_session_without_the_old_resident() {
    let t0 = Instant::now();
    let mut session = Session::new(SessionTiming::default());
    session.handle(SessionEvent::Identified(resident()), t0);
    // The kiosk missed the tick (busy): the late touch still ends the old session first.
    assert_eq!(session.handle(SessionEvent::Touch, at(t0, 90.0)), Some(EndReason::IdleTimeout));
    let view = session.view(at(t0, 90.0));
    assert!(view.active && view.resident.is_none());
}

#[test]
fn exiting_outside_a_session_does_nothing() {
    let t0 = Instant::now();
    let mut session = Session::new(SessionTiming::default());
    assert_eq!(session.handle(SessionEvent::Exit, t0), None);
    assert!(!session.is_active());
}

#[test]
fn waiting_is_not_idleness_and_the_whole_timeout_follows_the_wait() {
    let t0 = Instant::now();
    let mut session = Session::new(SessionTiming::default());
    session.handle(SessionEvent::Identified(resident()), t0);
    // Three minutes paying on a phone, the kiosk ticking every second meanwhile.
    for s in 1..=180 {
        session.waiting(at(t0, s as f64));
        assert_eq!(session.tick(at(t0, s as f64 + 0.5)), None, "at {s} s");
        assert_eq!(session.view(at(t0, s as f64 + 0.5)).countdown_seconds, None);
    }
    assert!(session.resident().is_some());
    assert_eq!(session.tick(at(t0, 239.9)), None, "60 s from the wait's end");
    assert_eq!(session.tick(at(t0, 240.0)), Some(EndReason::IdleTimeout));
    // A wait reported after the timeout does not bring the session back.
    session.waiting(at(t0, 300.0));
    assert!(!session.is_active());
}

#[test]
fn large_print_has_the_longer_timeout_until_the_session_ends() {
    let t0 = Instant::now();
    let mut session = Session::new(SessionTiming::default());
    session.handle(SessionEvent::Touch, t0);
    session.set_large_print(true);
    assert_eq!(session.view(at(t0, 100.0)).countdown_seconds, None);
    assert_eq!(session.view(at(t0, 105.0)).countdown_seconds, Some(15));
    assert_eq!(session.tick(at(t0, 119.9)), None);
    assert_eq!(session.tick(at(t0, 120.0)), Some(EndReason::IdleTimeout));
    // The next resident starts in standard print, with the standard timeout.
    session.handle(SessionEvent::Touch, at(t0, 200.0));
    assert_eq!(session.tick(at(t0, 260.0)), Some(EndReason::IdleTimeout));
}

#[test]
fn the_resident_never_shows_in_debug_output() {
    assert_eq!(format!("{:?}", resident()), "Resident(…)");
}
