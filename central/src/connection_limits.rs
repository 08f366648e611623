//! How many connections the server holds and for how long, so that nobody can take it from the
//! fleet: the open-file limit is raised at start and the connection budgets are cut from it, with
//! a budget for TLS handshakes in progress, one for anonymous clients (enrolment, the payment
//! provider, the OpenAPI document) and the rest for kiosks, so that anonymous connections can never
//! use up the kiosks' places. Every stage has a deadline: the handshake, each request's headers
//! (which also ends an idle keep-alive connection), and each request as a whole.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// File descriptors left for everything but client connections: the database, PostgreSQL's
/// pool, logs, the listening socket, blocking threads' files.
const RESERVED_FILES: u64 = 128;

/// The deadlines and budgets of client connections.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Connections between accept and the end of their TLS handshake.
    pub handshaking: usize,
    /// Connections without a kiosk certificate.
    pub anonymous: usize,
    /// Connections with a verified kiosk certificate.
    pub kiosks: usize,
    pub handshake_timeout: Duration,
    /// How long an anonymous connection may take to send a request's headers, counted from the
    /// moment it is ready for one: a slow client and an idle keep-alive both end there.
    pub anonymous_header_timeout: Duration,
    /// The same for kiosks, long enough to keep the connection between two heartbeats (30 s).
    pub kiosk_header_timeout: Duration,
    /// The most a request may take once its headers are in, body included.
    pub request_deadline: Duration,
    /// The most an upload's body may take to arrive (an upload holds nothing shared meanwhile).
    pub upload_body_deadline: Duration,
    /// Uploads one kiosk may have in progress at once.
    pub uploads_per_kiosk: usize,
}

impl ConnectionLimits {
    /// Budgets cut from an open-file limit: a quarter for handshakes, an eighth for anonymous
    /// clients, the rest for kiosks.
    pub fn for_open_files(limit: u64) -> Self {
        let usable = usize::try_from(limit.saturating_sub(RESERVED_FILES).max(64)).unwrap_or(usize::MAX);
        let handshaking = usable / 4;
        let anonymous = (usable / 8).max(4);
        Self {
            handshaking,
            anonymous,
            kiosks: usable - handshaking - anonymous,
            handshake_timeout: Duration::from_secs(5),
            anonymous_header_timeout: Duration::from_secs(10),
            kiosk_header_timeout: Duration::from_secs(65),
            request_deadline: Duration::from_secs(30),
            upload_body_deadline: Duration::from_secs(20),
            uploads_per_kiosk: 2,
        }
    }

    /// The most client connections these budgets allow at once.
    pub fn total(&self) -> usize {
        self.handshaking + self.anonymous + self.kiosks
    }
}

/// Raises the soft open-file limit to the hard one and returns the limit then in force.
pub fn raise_open_file_limit() -> u64 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if let Some(hard) = limit.maximum
        && limit.current.is_some_and(|soft| soft < hard)
    {
        limit.current = Some(hard);
        if let Err(e) = setrlimit(Resource::Nofile, limit) {
            tracing::warn!("cannot raise the open-file limit to {hard}: {e}");
        }
    }
    getrlimit(Resource::Nofile).current.unwrap_or(1 << 20)
}

/// The budgets in force, shared by every connection.
#[derive(Clone)]
pub struct ConnectionBudgets {
    pub limits: ConnectionLimits,
    handshaking: Arc<Semaphore>,
    anonymous: Arc<Semaphore>,
    kiosks: Arc<Semaphore>,
}

impl ConnectionBudgets {
    pub fn new(limits: ConnectionLimits) -> Self {
        Self {
            handshaking: Arc::new(Semaphore::new(limits.handshaking)),
            anonymous: Arc::new(Semaphore::new(limits.anonymous)),
            kiosks: Arc::new(Semaphore::new(limits.kiosks)),
            limits,
        }
    }

    /// A place for a new connection's handshake, if one is free.
    pub fn handshake_place(&self) -> Option<OwnedSemaphorePermit> {
        self.handshaking.clone().try_acquire_owned().ok()
    }

    /// A place for a connection whose handshake is done, from its class's budget.
    pub fn connection_place(&self, kiosk: bool) -> Option<OwnedSemaphorePermit> {
        let budget = if kiosk { &self.kiosks } else { &self.anonymous };
        budget.clone().try_acquire_owned().ok()
    }

    /// How long a connection of this class may take over a request's headers.
    pub fn header_timeout(&self, kiosk: bool) -> Duration {
        if kiosk { self.limits.kiosk_header_timeout } else { self.limits.anonymous_header_timeout }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_fit_the_open_file_limit_and_anonymous_clients_never_get_the_kiosks_share() {
        for limit in [0, 256, 1024, 20_000, 1 << 20] {
            let limits = ConnectionLimits::for_open_files(limit);
            assert!(limits.total() as u64 <= limit.saturating_sub(RESERVED_FILES).max(64), "{limit}: {limits:?}");
            assert!(limits.kiosks > limits.anonymous, "{limit}: {limits:?}");
            assert!(limits.handshaking > 0 && limits.anonymous > 0, "{limit}: {limits:?}");
        }
    }

    #[test]
    fn a_full_budget_refuses_and_a_released_place_is_reused() {
        let limits = ConnectionLimits { anonymous: 2, ..ConnectionLimits::for_open_files(1024) };
        let budgets = ConnectionBudgets::new(limits);
        let first = budgets.connection_place(false).unwrap();
        let _second = budgets.connection_place(false).unwrap();
        assert!(budgets.connection_place(false).is_none(), "the anonymous budget is full");
        assert!(budgets.connection_place(true).is_some(), "kiosks have their own budget");
        drop(first);
        assert!(budgets.connection_place(false).is_some());
    }

    #[test]
    fn the_limit_is_raised_as_far_as_allowed() {
        let raised = raise_open_file_limit();
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        assert_eq!(Some(raised), limit.current);
        assert_eq!(limit.current, limit.maximum, "the soft limit is the hard one");
    }
}
