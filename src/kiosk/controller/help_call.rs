//! 呼叫工作人员 on the help page: the call goes to the office over the kiosk's link, the kiosk asks
//! how it stands every [`HELP_CHECK_INTERVAL`] while the resident waits (the idle timer held), and
//! shows the office's answer; a call nobody answers within the configured time says so and gives
//! the station's phone, as does a kiosk that is offline or a link that fails.

use super::super::messages::{OnlineAnswer, OnlineAsk};
use super::super::screen::*;
use super::KioskController;
use std::time::{Duration, Instant};

/// How often a waiting call's state is asked for.
pub const HELP_CHECK_INTERVAL: Duration = Duration::from_secs(2);
/// How long a call waits for an answer unless the configuration says otherwise.
pub const DEFAULT_HELP_ANSWER_TIMEOUT: Duration = Duration::from_secs(180);

/// The session's call for staff.
#[derive(Debug, Default)]
pub(super) struct HelpCallFlow {
    state: HelpCallState,
    /// The online request whose answer the call waits for.
    request: Option<u64>,
    call_id: Option<String>,
    since: Option<Instant>,
    last_check: Option<Instant>,
}

impl KioskController {
    /// 呼叫工作人员: calls the office, once; offline, says so and gives the phone.
    pub fn call_staff(&mut self, now: Instant) {
        self.touched(now);
        if self.page != Page::Help || self.help_waiting() || matches!(self.help.state, HelpCallState::Answered(_)) {
            return;
        }
        if !self.online {
            self.help.state = HelpCallState::Unavailable;
            return;
        }
        self.help = HelpCallFlow {
            state: HelpCallState::Calling,
            request: Some(self.online_request(OnlineAsk::CallHelp)),
            since: Some(now),
            ..HelpCallFlow::default()
        };
    }

    /// Sets how long a call waits for the office's answer.
    pub fn set_help_answer_timeout(&mut self, timeout: Duration) {
        self.help_answer_timeout = timeout;
    }

    pub(super) fn help_state(&self) -> HelpCallState {
        self.help.state.clone()
    }

    /// Whether the resident waits for staff's answer.
    pub(super) fn help_waiting(&self) -> bool {
        matches!(self.help.state, HelpCallState::Calling | HelpCallState::Waiting)
    }

    /// An answer to the call's request, if `request` is one (then it is taken here).
    pub(super) fn help_answered(&mut self, request: u64, answer: &OnlineAnswer, now: Instant) -> bool {
        if self.help.request != Some(request) {
            return false;
        }
        self.help.request = None;
        match answer {
            // Timed out meanwhile: the answer came too late to be shown.
            OnlineAnswer::Help(_) if !self.help_waiting() => {}
            OnlineAnswer::Help(call) => match &call.reply {
                Some(reply) => self.help.state = HelpCallState::Answered(reply.clone()),
                None => {
                    self.help.call_id = Some(call.call_id.clone());
                    self.help.state = HelpCallState::Waiting;
                    self.help.last_check.get_or_insert(now);
                }
            },
            // The call did not go out: the phone instead. A check that failed is asked again.
            _ if self.help.state == HelpCallState::Calling => self.help.state = HelpCallState::Unavailable,
            _ => {}
        }
        true
    }

    pub(super) fn tick_help(&mut self, now: Instant) {
        if !self.help_waiting() {
            return;
        }
        if self.help.since.is_some_and(|since| now.saturating_duration_since(since) >= self.help_answer_timeout) {
            self.help.state = HelpCallState::NoAnswer;
            self.help.request = None;
            return;
        }
        let due = self.help.last_check.is_some_and(|last| now.saturating_duration_since(last) >= HELP_CHECK_INTERVAL);
        if let (HelpCallState::Waiting, None, true, Some(call_id)) =
            (&self.help.state, self.help.request, due, self.help.call_id.clone())
        {
            self.help.last_check = Some(now);
            self.help.request = Some(self.online_request(OnlineAsk::HelpState { call_id }));
        }
    }

    /// The session ends: the call is forgotten here (the office still sees it was made).
    pub(super) fn end_help(&mut self) {
        self.help = HelpCallFlow::default();
    }
}
