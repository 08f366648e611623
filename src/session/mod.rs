//! The resident session as a pure state machine: events and the current time in, what the screen
//! must show out. No IO and no clock of its own, so that every rule (idle timeout, the visible
//! countdown that a touch extends, card removal, exit) is tested with instants made up in the test.

mod identify;

pub use identify::{IdentifyError, resident_from_card};

use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// Timing of a session, from the kiosk's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTiming {
    /// No touch for this long ends the session (docs/SERVICES.md: 60 s by default).
    pub idle_timeout: Duration,
    /// The same in large print (大字版), where reading and finding a button take longer (120 s).
    pub large_print_idle_timeout: Duration,
    /// The last part of the idle timeout, shown as a countdown (docs/SERVICES.md: 15 s).
    pub countdown: Duration,
}

impl Default for SessionTiming {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(60),
            large_print_idle_timeout: Duration::from_secs(120),
            countdown: Duration::from_secs(15),
        }
    }
}

/// What an identified resident may show on screen: the name and the masked ID number (first 4
/// and last 4 digits). The full number is reachable only through `handle`, which seals it for the
/// server and keys this kiosk's once-keys. Wiped from memory on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Resident {
    pub name: Zeroizing<String>,
    pub masked_id: Zeroizing<String>,
    pub handle: crate::resident_key::ResidentHandle,
}

impl Resident {
    /// How a receipt that is proof names its holder: the surname and a star for each other
    /// character, then the masked ID number ("张* 1101**********002X").
    pub fn masked_holder(&self) -> String {
        let mut chars = self.name.chars();
        let surname: String = chars.next().into_iter().collect();
        let stars = "*".repeat(chars.count());
        format!("{surname}{stars} {}", self.masked_id.as_str())
    }
}

impl std::fmt::Debug for Resident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Resident(…)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// Any tap anywhere on the screen.
    Touch,
    /// A card was read and the resident identified. The resident stays identified when the card
    /// is lifted off the reader (every terminal asks for it back), until 退出 or the timeout.
    Identified(Resident),
    /// The resident pressed 退出 / Exit.
    Exit,
}

/// Why a session ended: each wipes the same data, but the screen may say different things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    Exit,
    IdleTimeout,
}

/// What the screen shows of the session at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// False on the attract screen.
    pub active: bool,
    /// Whole seconds left, while the countdown is visible.
    pub countdown_seconds: Option<u32>,
    /// Whole seconds left, always (0 without a session).
    pub seconds_left: u32,
    pub resident: Option<Resident>,
}

#[derive(Debug)]
pub struct Session {
    timing: SessionTiming,
    /// When the resident last touched the screen; `None` on the attract screen.
    last_activity: Option<Instant>,
    resident: Option<Resident>,
    /// Large print is on: the longer idle timeout applies.
    large_print: bool,
}

impl Session {
    pub fn new(timing: SessionTiming) -> Self {
        Self { timing, last_activity: None, resident: None, large_print: false }
    }

    /// New timing from now on; the time since the last touch counts against it.
    pub fn set_timing(&mut self, timing: SessionTiming) {
        self.timing = timing;
    }

    pub fn timing(&self) -> SessionTiming {
        self.timing
    }

    pub fn is_active(&self) -> bool {
        self.last_activity.is_some()
    }

    /// The identified resident of the session, if a card identified one.
    pub fn resident(&self) -> Option<&Resident> {
        self.resident.as_ref()
    }

    /// Applies an event; returns why the session ended, if it ended.
    pub fn handle(&mut self, event: SessionEvent, now: Instant) -> Option<EndReason> {
        if let Some(reason) = self.tick(now) {
            // The session had already run out; a touch then starts a new one.
            if event == SessionEvent::Touch {
                self.last_activity = Some(now);
            }
            return Some(reason);
        }
        match event {
            SessionEvent::Touch => {
                self.last_activity = Some(now);
                None
            }
            SessionEvent::Identified(resident) => {
                self.last_activity = Some(now);
                self.resident = Some(resident);
                None
            }
            SessionEvent::Exit if self.is_active() => {
                self.end();
                Some(EndReason::Exit)
            }
            SessionEvent::Exit => None,
        }
    }

    /// Large print on or off: the idle timeout follows it (the session's start resets it).
    pub fn set_large_print(&mut self, large_print: bool) {
        self.large_print = large_print;
    }

    /// The resident is waiting, not idle (paying on a phone, the server or the journal answering):
    /// the idle timer starts again from `now`, so it is held while this is called, and the
    /// resident gets the whole timeout once the wait is over.
    pub fn waiting(&mut self, now: Instant) {
        if self.tick(now).is_none() && self.is_active() {
            self.last_activity = Some(now);
        }
    }

    fn idle_timeout(&self) -> Duration {
        if self.large_print { self.timing.large_print_idle_timeout } else { self.timing.idle_timeout }
    }

    /// Checks the idle timeout; returns `IdleTimeout` when it has just ended the session.
    pub fn tick(&mut self, now: Instant) -> Option<EndReason> {
        let last = self.last_activity?;
        if now.saturating_duration_since(last) >= self.idle_timeout() {
            self.end();
            return Some(EndReason::IdleTimeout);
        }
        None
    }

    pub fn view(&self, now: Instant) -> SessionView {
        let Some(last) = self.last_activity else {
            return SessionView { active: false, countdown_seconds: None, seconds_left: 0, resident: None };
        };
        let idle = now.saturating_duration_since(last);
        let left = self.idle_timeout().saturating_sub(idle);
        // Rounded up: the countdown shows 15 at its start and 1 in its last second.
        let seconds_left = left.as_millis().div_ceil(1000) as u32;
        let countdown_seconds = (left <= self.timing.countdown && !left.is_zero()).then_some(seconds_left);
        SessionView { active: left > Duration::ZERO, countdown_seconds, seconds_left, resident: self.resident.clone() }
    }

    /// Ends the session: the resident's data is dropped (and zeroed).
    fn end(&mut self) {
        self.last_activity = None;
        self.resident = None;
        self.large_print = false;
    }
}

#[cfg(test)]
mod tests;
