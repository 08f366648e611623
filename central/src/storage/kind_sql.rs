//! SQL that names a record kind, written from the protocol's own constants
//! (`record_rules::kinds`), so that the server's indexes and lookups name exactly the kinds a
//! kiosk sends.
//!
//! The kind is spelled into the statement's text, not bound as a parameter: a partial index
//! (`... WHERE kind = 'vote'`) serves only a query whose own condition names the same value.
//! PostgreSQL's generic plans cannot see a parameter's value, and SQLite can only by planning the
//! statement again each time the parameter is bound. The text is joined at compile time, so the
//! statements are the very bytes they were when they spelled the kinds out, and an existing
//! database's indexes (made from that text) still fit the lookups. A kind renamed in the protocol
//! would need a migration all the same: stored rows and existing indexes keep the old name.

use citizen_window_protocol::record_rules::kinds;

/// Joins string constants into one `&'static str` constant at compile time (`concat!` takes only
/// literals).
macro_rules! const_str_concat {
    ($($part:expr),+ $(,)?) => {{
        const PARTS: &[&str] = &[$($part),+];
        const LEN: usize = $crate::storage::kind_sql::joined_len(PARTS);
        const BYTES: [u8; LEN] = $crate::storage::kind_sql::join_bytes::<LEN>(PARTS);
        match ::std::str::from_utf8(&BYTES) {
            Ok(text) => text,
            // Whole `&str`s joined are UTF-8: this cannot happen.
            Err(_) => panic!("string constants joined are not UTF-8"),
        }
    }};
}
pub(super) use const_str_concat;

/// `kind = '<kind>'`; refuses, at compile time, a kind that is not a plain word, since a quote in
/// it would end the SQL string early.
macro_rules! kind_is {
    ($kind:expr) => {{
        assert!(is_plain_word($kind), "a kind written into SQL must be lowercase letters and _ only");
        const_str_concat!("kind = '", $kind, "'")
    }};
}

/// The condition of the `transactions_tracking_number` index and of the lookups through it.
pub(super) const KIND_IS_ISSUE_REPORT: &str = kind_is!(kinds::ISSUE_REPORT);

/// The condition of the `one_ballot` index and of the lookups through it.
pub(super) const KIND_IS_VOTE: &str = kind_is!(kinds::VOTE);

/// The length of `parts` joined.
pub(super) const fn joined_len(parts: &[&str]) -> usize {
    let (mut len, mut i) = (0, 0);
    while i < parts.len() {
        len += parts[i].len();
        i += 1;
    }
    len
}

/// The bytes of `parts` joined, `LEN` of them ([`joined_len`]).
pub(super) const fn join_bytes<const LEN: usize>(parts: &[&str]) -> [u8; LEN] {
    let mut joined = [0u8; LEN];
    let (mut at, mut i) = (0, 0);
    while i < parts.len() {
        let part = parts[i].as_bytes();
        let mut j = 0;
        while j < part.len() {
            joined[at] = part[j];
            at += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(at == LEN, "LEN is the length of the parts joined");
    joined
}

/// Lowercase ASCII letters and `_`, at least one: safe between SQL quotes as it is.
const fn is_plain_word(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !(bytes[i].is_ascii_lowercase() || bytes[i] == b'_') {
            return false;
        }
        i += 1;
    }
    !bytes.is_empty()
}

#[cfg(test)]
mod tests {
    use super::{KIND_IS_ISSUE_REPORT, KIND_IS_VOTE, is_plain_word};
    use citizen_window_protocol::record_rules::kinds;

    #[test]
    fn the_conditions_name_the_protocols_kinds() {
        assert_eq!(KIND_IS_ISSUE_REPORT, format!("kind = '{}'", kinds::ISSUE_REPORT));
        assert_eq!(KIND_IS_VOTE, format!("kind = '{}'", kinds::VOTE));
    }

    #[test]
    fn constants_are_joined_in_order() {
        const JOINED: &str = const_str_concat!("a", "", "bc ", kinds::VOTE, "\n");
        assert_eq!(JOINED, format!("abc {}\n", kinds::VOTE));
    }

    #[test]
    fn only_plain_words_are_written_between_quotes() {
        assert!(kinds::ALL.iter().all(|kind| is_plain_word(kind)), "{:?}", kinds::ALL);
        assert!(!is_plain_word("it's"));
        assert!(!is_plain_word("Vote"));
        assert!(!is_plain_word(""));
    }
}
