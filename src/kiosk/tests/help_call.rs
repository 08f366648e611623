//! 呼叫工作人员: the call goes out once, its state is asked every two seconds while the resident
//! waits (the idle timer held), the office's answer shows; no answer in time, offline, or a call
//! that cannot go out gives the station's phone; the session's end forgets the call.

use super::*;
use crate::kiosk::messages::{KioskEvent, OnlineAnswer, OnlineAsk};
use citizen_window_protocol::help::HelpCall;

fn call(reply: Option<&str>) -> HelpCall {
    HelpCall { call_id: "hc-1".into(), called_at_ms: 1, reply: reply.map(str::to_string), answered_at_ms: None }
}

fn on_help_page(t0: Instant) -> KioskController {
    let mut k = kiosk(t0);
    k.handle_event(KioskEvent::Online(true), t0);
    k.touched(t0);
    k.open_help(t0);
    assert_eq!(k.screen(t0).page, Page::Help);
    k
}

#[test]
fn a_call_waits_for_the_offices_answer_and_shows_it() {
    let t0 = Instant::now();
    let mut k = on_help_page(t0);
    k.call_staff(t0);
    k.call_staff(t0);
    let asked = k.take_online_requests();
    assert_eq!(asked.len(), 1, "one call, however many taps");
    assert_eq!(asked[0].ask, OnlineAsk::CallHelp);
    assert_eq!(k.screen(t0).help_call, HelpCallState::Calling);
    k.handle_event(KioskEvent::Answered { request: asked[0].number, answer: OnlineAnswer::Help(call(None)) }, t0);
    assert_eq!(k.screen(t0).help_call, HelpCallState::Waiting);

    // Asked again every two seconds; the resident may wait well past the idle timeout.
    k.tick(secs(t0, 1));
    assert!(k.take_online_requests().is_empty());
    let mut now = t0;
    for step in 1..=45 {
        now = secs(t0, 2 * step);
        k.tick(now);
        for request in k.take_online_requests() {
            assert_eq!(request.ask, OnlineAsk::HelpState { call_id: "hc-1".into() });
            let answer = if step == 45 { call(Some("已收到，工作人员约 5 分钟到")) } else { call(None) };
            k.handle_event(KioskEvent::Answered { request: request.number, answer: OnlineAnswer::Help(answer) }, now);
        }
    }
    let screen = k.screen(now);
    assert_eq!(screen.page, Page::Help, "the wait held the idle timer");
    assert_eq!(screen.help_call, HelpCallState::Answered("已收到，工作人员约 5 分钟到".into()));
    k.tick(secs(t0, 100));
    assert!(k.take_online_requests().is_empty(), "answered: no more asking");
}

#[test]
fn no_answer_in_time_offline_or_a_failed_call_gives_the_phone() {
    let t0 = Instant::now();
    let mut k = on_help_page(t0);
    k.set_help_answer_timeout(Duration::from_secs(30));
    k.call_staff(t0);
    let asked = k.take_online_requests().remove(0);
    k.handle_event(KioskEvent::Answered { request: asked.number, answer: OnlineAnswer::Help(call(None)) }, t0);
    for s in 1..=31 {
        k.tick(secs(t0, s));
        let _ = k.take_online_requests();
    }
    assert_eq!(k.screen(secs(t0, 31)).help_call, HelpCallState::NoAnswer);

    let mut k = on_help_page(t0);
    k.call_staff(t0);
    let asked = k.take_online_requests().remove(0);
    k.handle_event(KioskEvent::Answered { request: asked.number, answer: OnlineAnswer::Unavailable }, t0);
    assert_eq!(k.screen(t0).help_call, HelpCallState::Unavailable);

    let mut k = on_help_page(t0);
    k.handle_event(KioskEvent::Online(false), t0);
    k.call_staff(t0);
    assert!(k.take_online_requests().is_empty(), "offline: nothing is sent");
    assert_eq!(k.screen(t0).help_call, HelpCallState::Unavailable);
}

#[test]
fn the_sessions_end_forgets_the_call() {
    let t0 = Instant::now();
    let mut k = on_help_page(t0);
    k.call_staff(t0);
    let asked = k.take_online_requests().remove(0);
    k.handle_event(KioskEvent::Answered { request: asked.number, answer: OnlineAnswer::Help(call(None)) }, t0);
    k.exit(t0);
    assert_eq!(k.screen(t0).help_call, HelpCallState::NotCalled);
    k.tick(secs(t0, 10));
    assert!(k.take_online_requests().is_empty());
}
