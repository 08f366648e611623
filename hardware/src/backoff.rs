//! Exponential backoff with full jitter for reopening a port that disappeared: the delay is random
//! between zero and min(cap, base * 2^attempt), so that many devices do not retry in step.

use std::time::{Duration, Instant};

/// Pure schedule of reconnect attempts; the caller passes the current time and a random fraction.
#[derive(Debug, Clone)]
pub struct ReconnectBackoff {
    base: Duration,
    cap: Duration,
    failures: u32,
    next_attempt: Option<Instant>,
}

impl ReconnectBackoff {
    pub fn new(base: Duration, cap: Duration) -> Self {
        Self { base, cap, failures: 0, next_attempt: None }
    }

    /// The upper bound of the delay after `failures` consecutive failures.
    pub fn ceiling(&self, failures: u32) -> Duration {
        let factor = 1u32.checked_shl(failures.min(30)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// Whether an attempt may be made at `now`.
    pub fn may_attempt(&self, now: Instant) -> bool {
        self.next_attempt.is_none_or(|at| now >= at)
    }

    /// Time left before the next attempt is allowed.
    pub fn wait_left(&self, now: Instant) -> Duration {
        self.next_attempt.map_or(Duration::ZERO, |at| at.saturating_duration_since(now))
    }

    /// Records a failed attempt; `random_fraction` in [0, 1) picks the jittered delay.
    pub fn record_failure(&mut self, now: Instant, random_fraction: f64) -> Duration {
        let ceiling = self.ceiling(self.failures);
        self.failures = self.failures.saturating_add(1);
        let delay = ceiling.mul_f64(random_fraction.clamp(0.0, 1.0));
        self.next_attempt = Some(now + delay);
        delay
    }

    pub fn record_success(&mut self) {
        self.failures = 0;
        self.next_attempt = None;
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }
}

impl Default for ReconnectBackoff {
    fn default() -> Self {
        Self::new(Duration::from_millis(200), Duration::from_secs(10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_up_to_the_cap() {
        let b = ReconnectBackoff::new(Duration::from_millis(100), Duration::from_secs(1));
        assert_eq!(b.ceiling(0), Duration::from_millis(100));
        assert_eq!(b.ceiling(3), Duration::from_millis(800));
        assert_eq!(b.ceiling(4), Duration::from_secs(1));
        assert_eq!(b.ceiling(200), Duration::from_secs(1));
    }

    #[test]
    fn failure_delays_next_attempt_and_success_resets() {
        let mut b = ReconnectBackoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let now = Instant::now();
        assert!(b.may_attempt(now));
        let delay = b.record_failure(now, 0.5);
        assert_eq!(delay, Duration::from_millis(50));
        assert!(!b.may_attempt(now));
        assert!(b.may_attempt(now + delay));
        let second = b.record_failure(now, 0.999);
        assert!(second < Duration::from_millis(200) && second > Duration::from_millis(190));
        b.record_success();
        assert!(b.may_attempt(now));
        assert_eq!(b.failures(), 0);
    }
}
