//! Signing in to the console and staying signed in: a name and a password checked under the
//! wrong-password throttle (`staff::throttle`), then a session: a random token for an HttpOnly
//! cookie (only its hash is stored, so a copy of the database signs nobody in) and a CSRF token
//! for every form. A session ends when its staff member signs out or is disabled, after
//! [`IDLE_LIMIT`] without a request, and at the latest [`SESSION_LIMIT`] after signing in.

use super::staff::{self, Role, Throttle};
use crate::storage::{AuditEntry, SessionRow, Storage, StorageError, token_hash};
use std::time::Duration;

/// A session ends this long after its last request.
pub const IDLE_LIMIT: Duration = Duration::from_secs(30 * 60);
/// And at the latest this long after signing in.
pub const SESSION_LIMIT: Duration = Duration::from_secs(12 * 3600);

/// A session just opened: the cookie's token and the forms' CSRF token (both shown once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
}

/// A signed-in staff member, as each request sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub name: String,
    pub role: Role,
    pub csrf: String,
}

/// Why signing in failed. The words never say whether the name exists.
#[derive(Debug, thiserror::Error)]
pub enum SignInRefusal {
    #[error("wrong name or password")]
    Wrong {
        /// How long the answer waits (each wrong password makes the next one slower).
        wait: Duration,
    },
    #[error("too many wrong passwords for this name: try again after {}", citizen_window_protocol::china_time::time_text(*until_ms))]
    Locked { until_ms: i64 },
    #[error("the console cannot check this now: {0}")]
    Storage(#[from] StorageError),
}

/// How often sign-ins clear out what has expired.
const PRUNE_EVERY_MS: i64 = 60_000;

/// Deletes, at most once a minute, the wrong-password counts past their window and the sessions
/// that have ended, so that neither table grows with strangers' tries or abandoned sessions.
async fn prune_now_and_then(storage: &Storage, now_ms: i64) -> Result<(), StorageError> {
    use std::sync::atomic::{AtomicI64, Ordering};
    static LAST: AtomicI64 = AtomicI64::new(i64::MIN);
    let last = LAST.load(Ordering::Relaxed);
    if now_ms.saturating_sub(last) < PRUNE_EVERY_MS
        || LAST.compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed).is_err()
    {
        return Ok(());
    }
    let window_ms = staff::FAILURE_WINDOW.as_millis() as i64;
    let idle_ms = IDLE_LIMIT.as_millis() as i64;
    let session_ms = SESSION_LIMIT.as_millis() as i64;
    storage.prune_console(now_ms - window_ms, now_ms - idle_ms, now_ms - session_ms).await.map(|_| ())
}

/// Password checks running at once: Argon2 takes 19 MiB and tens of milliseconds each, off the
/// threads that serve the kiosks.
static CHECKING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Whether `password` matches `stored`, checked on a blocking thread, two at a time at most.
async fn check_password(password: &str, stored: &str) -> bool {
    let Ok(_turn) = CHECKING.acquire().await else { return false };
    let (password, stored) = (zeroize::Zeroizing::new(password.to_string()), stored.to_string());
    tokio::task::spawn_blocking(move || staff::password_matches(&password, &stored)).await.unwrap_or(false)
}

/// Signs `name` in with `password` at `now_ms`; every success and refusal of a staff member is in
/// the audit log. Each try is counted before its password is looked at, in one statement, so that
/// tries sent all at once get no more guesses than tries sent one by one.
pub async fn sign_in(storage: &Storage, name: &str, password: &str, now_ms: i64) -> Result<NewSession, SignInRefusal> {
    let window_ms = staff::FAILURE_WINDOW.as_millis() as i64;
    prune_now_and_then(storage, now_ms).await?;
    // A name no account could have (the rules are public) is refused at once, uncounted.
    if staff::check_name(name).is_err() {
        return Err(SignInRefusal::Wrong { wait: Duration::from_millis(250) });
    }
    let tries = storage.note_sign_in_failure(name, now_ms, window_ms).await?;
    if tries > staff::FAILURES_TO_LOCK {
        return Err(SignInRefusal::Locked { until_ms: now_ms + window_ms });
    }
    let member = storage.staff_member(name).await?.filter(|m| m.disabled_at_ms.is_none());
    let stored = member.as_ref().map_or(staff::decoy_hash(), |m| m.password_hash.as_str());
    let role = member.as_ref().and_then(|m| Role::parse(&m.role));
    let (true, Some(role)) = (check_password(password, stored).await, role) else {
        if member.is_some() {
            audit(storage, now_ms, name, "sign-in refused", format!("wrong password, {tries} in a row")).await?;
        }
        return Err(match staff::throttle(tries, now_ms, now_ms) {
            Throttle::LockedUntil(until_ms) => SignInRefusal::Locked { until_ms },
            Throttle::Wait(wait) => SignInRefusal::Wrong { wait },
        });
    };
    storage.clear_sign_in_failures(name).await?;
    let session = NewSession { token: crate::pki::random_hex(32), csrf: crate::pki::random_hex(32) };
    let row = SessionRow {
        token_hash: token_hash(&session.token),
        name: name.to_string(),
        csrf: session.csrf.clone(),
        created_at_ms: now_ms,
        last_seen_ms: now_ms,
    };
    storage.open_session(&row).await?;
    audit(storage, now_ms, name, "sign in", role.as_str().to_string()).await?;
    Ok(session)
}

/// The staff member whose cookie carries `token`, if the session is still open (it is kept open
/// by this request); `None` for an unknown, ended or expired one, or a disabled staff member.
pub async fn session(storage: &Storage, token: &str, now_ms: i64) -> Result<Option<Session>, StorageError> {
    check_session(storage, token, now_ms, true).await
}

/// Whether the session of `token` is still open, without keeping it open (a live view asks).
pub async fn session_open(storage: &Storage, token: &str, now_ms: i64) -> Result<bool, StorageError> {
    Ok(check_session(storage, token, now_ms, false).await?.is_some())
}

async fn check_session(
    storage: &Storage,
    token: &str,
    now_ms: i64,
    touch: bool,
) -> Result<Option<Session>, StorageError> {
    let Some(row) = storage.session(&token_hash(token)).await? else { return Ok(None) };
    let idle = now_ms - row.last_seen_ms >= IDLE_LIMIT.as_millis() as i64;
    let old = now_ms - row.created_at_ms >= SESSION_LIMIT.as_millis() as i64;
    let member = storage.staff_member(&row.name).await?.filter(|m| m.disabled_at_ms.is_none());
    let role = member.as_ref().and_then(|m| Role::parse(&m.role));
    match role {
        Some(role) if !idle && !old => {
            if touch {
                storage.touch_session(&row.token_hash, now_ms).await?;
            }
            Ok(Some(Session { name: row.name, role, csrf: row.csrf }))
        }
        _ => {
            storage.close_session(&row.token_hash).await?;
            Ok(None)
        }
    }
}

/// Ends the session of `token` (signing out).
pub async fn sign_out(storage: &Storage, token: &str, now_ms: i64) -> Result<(), StorageError> {
    if let Some(row) = storage.session(&token_hash(token)).await? {
        storage.close_session(&row.token_hash).await?;
        audit(storage, now_ms, &row.name, "sign out", String::new()).await?;
    }
    Ok(())
}

/// Whether a form's CSRF token is the session's (compared in constant time).
pub fn csrf_matches(session: &Session, sent: &str) -> bool {
    let (a, b) = (session.csrf.as_bytes(), sent.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn audit(storage: &Storage, at_ms: i64, staff: &str, action: &str, detail: String) -> Result<(), StorageError> {
    storage.audit(&AuditEntry { at_ms, staff: staff.into(), action: action.into(), detail }).await
}
