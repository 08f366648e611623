//! Staff accounts: roles, passwords hashed with Argon2id (only the hash is stored), and the rule
//! for wrong passwords: each one makes the next answer slower, and five within fifteen minutes
//! lock the name for fifteen minutes, whether or not such a name exists (a stranger learns
//! nothing by trying names).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::Serialize;
use std::time::Duration;

/// What a staff member may do: `Admin` manages kiosks and staff; `Staff` handles reports, votes,
/// appointments and content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Role::Admin),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }
}

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The most: Argon2 takes any length, a form field does not need more.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// The most characters of a name, and which ones: letters (Chinese too), digits, `.`, `-`, `_`.
pub const MAX_NAME_CHARS: usize = 32;

/// Wrong passwords within [`FAILURE_WINDOW`] that lock a name.
pub const FAILURES_TO_LOCK: u32 = 5;
/// How far back wrong passwords count, and how long a locked name stays locked after the last.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Why a name or password is refused, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountRefusal {
    #[error(
        "a staff name is 1 to {MAX_NAME_CHARS} letters, digits, '.', '-' or '_' (Chinese names are fine): {0:?} is not"
    )]
    BadName(String),
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters (a few words are easiest to remember)")]
    PasswordTooShort,
    #[error("a password may have at most {MAX_PASSWORD_CHARS} characters")]
    PasswordTooLong,
}

/// Checks a staff member's name.
pub fn check_name(name: &str) -> Result<(), AccountRefusal> {
    let fine = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_');
    let count = name.chars().count();
    if (1..=MAX_NAME_CHARS).contains(&count) && name.chars().all(fine) {
        Ok(())
    } else {
        Err(AccountRefusal::BadName(name.chars().take(MAX_NAME_CHARS + 8).collect()))
    }
}

/// Checks a new password's length.
pub fn check_password(password: &str) -> Result<(), AccountRefusal> {
    match password.chars().count() {
        n if n < MIN_PASSWORD_CHARS => Err(AccountRefusal::PasswordTooShort),
        n if n > MAX_PASSWORD_CHARS => Err(AccountRefusal::PasswordTooLong),
        _ => Ok(()),
    }
}

/// Argon2id with OWASP's first recommended set: 19 MiB of memory, 2 passes, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("the parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The stored form of `password`: a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
pub fn hash_password(password: &str) -> Result<String, AccountRefusal> {
    check_password(password)?;
    let salt = SaltString::encode_b64(&crate::pki::random_bytes(16)).expect("16 bytes make a salt");
    Ok(hasher().hash_password(password.as_bytes(), &salt).expect("hashing a checked password works").to_string())
}

/// Whether `password` is the one `stored` was made from. A damaged stored hash matches nothing.
pub fn password_matches(password: &str, stored: &str) -> bool {
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return false;
    }
    PasswordHash::new(stored).is_ok_and(|hash| hasher().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A hash of nothing anyone can type, checked when the name is unknown or disabled, so that a
/// wrong name takes as long to refuse as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("\u{0}decoy, never a password\u{0}").expect("long enough"))
}

/// What the wrong passwords so far mean for the next sign-in with a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    /// Answer, after this long.
    Wait(Duration),
    /// Locked until this moment (ms since the epoch): refuse without looking at the password.
    LockedUntil(i64),
}

/// The rule: `failures` wrong passwords for a name, the last at `last_failure_ms`, as seen at
/// `now_ms`. Failures older than [`FAILURE_WINDOW`] are forgotten (the caller resets them).
pub fn throttle(failures: u32, last_failure_ms: i64, now_ms: i64) -> Throttle {
    let window_ms = FAILURE_WINDOW.as_millis() as i64;
    if failures == 0 || now_ms - last_failure_ms >= window_ms {
        return Throttle::Wait(Duration::ZERO);
    }
    if failures >= FAILURES_TO_LOCK {
        return Throttle::LockedUntil(last_failure_ms + window_ms);
    }
    // 250 ms after the first, doubling: 0.25, 0.5, 1, 2 s.
    Throttle::Wait(Duration::from_millis(250 << (failures - 1).min(4)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_stored_as_argon2id_and_only_the_same_password_matches() {
        let stored = hash_password("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(!stored.contains("correct horse"));
        assert!(password_matches("correct horse battery", &stored));
        assert!(!password_matches("correct horse batterY", &stored));
        assert!(!password_matches("correct horse battery", "not a hash"));
        let again = hash_password("correct horse battery").unwrap();
        assert_ne!(stored, again, "each hash has its own salt");
        assert!(!password_matches("", decoy_hash()));
    }

    #[test]
    fn short_passwords_and_odd_names_are_refused_with_what_is_allowed() {
        assert_eq!(hash_password("short"), Err(AccountRefusal::PasswordTooShort));
        assert_eq!(check_password(&"x".repeat(MAX_PASSWORD_CHARS + 1)), Err(AccountRefusal::PasswordTooLong));
        for fine in ["li.ming", "王芳", "staff_2"] {
            assert_eq!(check_name(fine), Ok(()), "{fine}");
        }
        for bad in ["", "li ming", "<script>", "a/b", &"x".repeat(MAX_NAME_CHARS + 1)] {
            let refused = check_name(bad).unwrap_err().to_string();
            assert!(refused.contains("letters, digits"), "{bad}: {refused}");
        }
    }

    #[test]
    fn wrong_passwords_slow_the_name_down_then_lock_it_for_fifteen_minutes() {
        let t = 1_800_000_000_000;
        assert_eq!(throttle(0, 0, t), Throttle::Wait(Duration::ZERO));
        assert_eq!(throttle(1, t, t + 1), Throttle::Wait(Duration::from_millis(250)));
        assert_eq!(throttle(4, t, t + 1), Throttle::Wait(Duration::from_secs(2)));
        let window = FAILURE_WINDOW.as_millis() as i64;
        assert_eq!(throttle(5, t, t + 1), Throttle::LockedUntil(t + window));
        assert_eq!(throttle(9, t, t + window - 1), Throttle::LockedUntil(t + window));
        assert_eq!(throttle(5, t, t + window), Throttle::Wait(Duration::ZERO), "forgotten after the window");
    }
}
