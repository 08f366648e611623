//! What a journal record must be for the server to store it: a kind the protocol knows, a
//! resident only on a vote and only as a sealed ID number, a payload within its size and nesting depth, no NUL
//! anywhere and no half of a surrogate pair, the fields the server indexes (a report's number and
//! place, a vote's proposal, a ticket's day and window) short, and a hash that matches. The kiosk checks the same rules before it journals a record,
//! and the server refuses, for good, a record that breaks them.

use crate::sync::{MAX_PAYLOAD_BYTES, TransactionRecord, payload_hash};

/// The kinds of record a kiosk journals and the server stores.
pub mod kinds {
    pub const QUEUE_TICKET: &str = "queue_ticket";
    pub const ISSUE_REPORT: &str = "issue_report";
    pub const VOTE: &str = "vote";
    pub const BILL_PAYMENT: &str = "bill_payment";
    pub const SOCIAL_INSURANCE_STATEMENT: &str = "social_insurance_statement";
    pub const APPOINTMENT: &str = "appointment";
    pub const CONTENT_SLIP: &str = "content_slip";
    /// A resident's rating of a service (好差评); names no one.
    pub const SERVICE_RATING: &str = "service_rating";
    /// `kioskctl sync selftest`'s record.
    pub const SELFTEST: &str = "selftest";
    /// What the server stores in place of a record it refused (never sent by a kiosk).
    pub const REFUSED: &str = "refused";

    /// Every kind a kiosk may send.
    pub const ALL: &[&str] = &[
        QUEUE_TICKET,
        ISSUE_REPORT,
        VOTE,
        BILL_PAYMENT,
        SOCIAL_INSURANCE_STATEMENT,
        APPOINTMENT,
        CONTENT_SLIP,
        SERVICE_RATING,
        SELFTEST,
    ];
}

/// How deeply a payload's arrays and objects may nest; a receipt's payload needs three.
pub const MAX_PAYLOAD_DEPTH: usize = 32;

/// The longest text the server indexes from a payload (a key in a database index has a size limit).
pub const MAX_KEY_CHARS: usize = 128;

/// The payload fields of each kind that the server indexes.
fn indexed_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        kinds::ISSUE_REPORT => &["tracking_number", "place", "category"],
        kinds::VOTE => &["proposal"],
        kinds::QUEUE_TICKET => &["day", "window", "number"],
        kinds::SERVICE_RATING => &["day", "service", "reason"],
        _ => &[],
    }
}

/// A field the server indexes that is text longer than [`MAX_KEY_CHARS`].
fn long_key_refusal(kind: &str, payload_text: &str) -> Option<String> {
    let fields = indexed_fields(kind);
    if fields.is_empty() {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(payload_text).ok()?;
    fields.iter().find_map(|field| {
        let text = value.get(field)?.as_str()?;
        (text.chars().count() > MAX_KEY_CHARS)
            .then(|| format!("the payload's {field} is over {MAX_KEY_CHARS} characters: no kiosk writes one so long"))
    })
}

/// Why the server refused a record, when a kiosk acts on it.
pub mod refusal_codes {
    /// A vote from a resident who had already voted on the proposal (at this or another kiosk):
    /// kept, not counted.
    pub const ALREADY_VOTED: &str = "already_voted";
}

/// Why a record with this kind, payload text and resident may not be stored, if it may not.
pub fn content_refusal(kind: &str, payload_text: &str, resident: Option<&str>) -> Option<String> {
    if !kinds::ALL.contains(&kind) {
        let shown: String = kind.chars().filter(|c| !c.is_control()).take(40).collect();
        return Some(format!("unknown kind {shown:?}: the protocol knows {}", kinds::ALL.join(", ")));
    }
    match resident {
        Some(_) if kind != kinds::VOTE => {
            return Some("only a vote carries a resident; other records carry none".into());
        }
        Some(r) if !crate::resident_seal::is_sealed_form(r) => {
            return Some("the resident is not a sealed ID number (s1:<time>:<hex>)".into());
        }
        None if kind == kinds::VOTE => return Some("a vote must carry its resident, sealed".into()),
        _ => {}
    }
    if payload_text.len() > MAX_PAYLOAD_BYTES {
        return Some(format!("the payload is {} bytes, over the limit of {MAX_PAYLOAD_BYTES}", payload_text.len()));
    }
    payload_shape_refusal(payload_text)
        .or_else(|| long_key_refusal(kind, payload_text))
        .or_else(|| (kind == kinds::SERVICE_RATING).then(|| rating_refusal(payload_text)).flatten())
}

/// A rating's score must be a whole number 1 to 5 (the console counts by it).
fn rating_refusal(payload_text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(payload_text).ok()?;
    match value.get("score").and_then(serde_json::Value::as_u64) {
        Some(1..=5) => None,
        _ => Some("a rating's score is a whole number from 1 to 5".into()),
    }
}

/// Why a whole record may not be stored, if it may not: [`content_refusal`], and a hash that
/// does not match the payload.
pub fn record_refusal(record: &TransactionRecord) -> Option<String> {
    content_refusal(&record.kind, record.payload.as_str(), record.resident.as_deref()).or_else(|| {
        (payload_hash(record.payload.as_str()) != record.payload_hash)
            .then(|| "the payload hash is not the SHA-256 of the payload (64 lowercase hex digits)".into())
    })
}

/// Nesting deeper than [`MAX_PAYLOAD_DEPTH`] or a NUL character (`\u0000`) in a string: SQLite's
/// and PostgreSQL's JSON functions refuse both, so the record could never be stored or indexed.
fn payload_shape_refusal(text: &str) -> Option<String> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let bytes = text.as_bytes();
    for (at, &byte) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
                if byte == b'u' {
                    if bytes.get(at + 1..at + 5) == Some(b"0000") {
                        return Some("the payload holds a NUL character (\\u0000)".into());
                    }
                    if let Some(refusal) = surrogate_refusal(bytes, at) {
                        return Some(refusal);
                    }
                }
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            } else if byte == 0 {
                return Some("the payload holds a NUL character".into());
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_PAYLOAD_DEPTH {
                    return Some(format!("the payload nests deeper than {MAX_PAYLOAD_DEPTH} levels"));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            0 => return Some("the payload holds a NUL character".into()),
            _ => {}
        }
    }
    None
}

/// The hex value of the four digits after `\\u` at `at` (the `u`).
fn escape_value(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(bytes.get(at + 1..at + 5)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

/// Half of a surrogate pair escaped alone (`\\ud800`): PostgreSQL's JSON refuses it, so the record
/// could never be indexed there. `at` is the escape's `u`.
fn surrogate_refusal(bytes: &[u8], at: usize) -> Option<String> {
    let lone = || Some("the payload holds half of a UTF-16 surrogate pair (\\ud800 to \\udfff) alone".to_string());
    match escape_value(bytes, at)? {
        0xD800..=0xDBFF => {
            let paired = bytes.get(at + 5..at + 7) == Some(b"\\u")
                && escape_value(bytes, at + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low));
            if paired { None } else { lone() }
        }
        // A low half right after a high half was checked with the high half.
        0xDC00..=0xDFFF => {
            let after_high = at >= 7
                && bytes.get(at - 7..at - 5) == Some(b"\\u")
                && escape_value(bytes, at - 6).is_some_and(|high| (0xD800..=0xDBFF).contains(&high));
            if after_high { None } else { lone() }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: &str, payload: &str, resident: Option<&str>, refused_for: Option<&str>) {
        let refusal = content_refusal(kind, payload, resident);
        match (refused_for, &refusal) {
            (None, None) => {}
            (Some(expected), Some(reason)) => assert!(reason.contains(expected), "{payload}: {reason}"),
            _ => panic!("{kind} {payload} {resident:?}: expected {refused_for:?}, got {refusal:?}"),
        }
    }

    #[test]
    fn records_are_refused_for_what_no_kiosk_sends() {
        let server = crate::resident_seal::Unsealer::from_private_key(&[9; 32]).unwrap();
        let vote = crate::resident_seal::SealPurpose::Vote { proposal: "p" };
        let sealed = crate::resident_seal::seal(&server.public_key(), "k", vote, 1, "11010519491231002X").unwrap();
        let sealed = Some(sealed.as_str());
        check("vote", r#"{"choice":"agree","note":"a \"quoted\" [ brace"}"#, sealed, None);
        check("queue_ticket", r#"{"window":"legal_aid"}"#, None, None);
        check("vote\0", "{}", None, Some("unknown kind"));
        check("anything", "{}", None, Some("unknown kind"));
        check("vote", "{}", Some("11010519491231002X"), Some("not a sealed ID number"));
        check("vote", "{}", Some(&"ab".repeat(32)), Some("not a sealed ID number"));
        check("vote", "{}", None, Some("must carry its resident"));
        check("appointment", "{}", sealed, Some("only a vote carries a resident"));
        check("queue_ticket", r#"{"a":"x\u0000y"}"#, None, Some("NUL"));
        check("queue_ticket", r#"{"a":"x\\u0000y"}"#, None, None);
        let deep = format!("{}{}", "[".repeat(MAX_PAYLOAD_DEPTH + 1), "]".repeat(MAX_PAYLOAD_DEPTH + 1));
        check("vote", &deep, sealed, Some("deeper"));
        let fine = format!("{}{}", "[".repeat(MAX_PAYLOAD_DEPTH), "]".repeat(MAX_PAYLOAD_DEPTH));
        check("vote", &fine, sealed, None);
        check("selftest", &format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_PAYLOAD_BYTES)), None, Some("over the limit"));
        check("queue_ticket", r#"{"a":"\ud800"}"#, None, Some("surrogate"));
        check("queue_ticket", r#"{"a":"x\udc00y"}"#, None, Some("surrogate"));
        check("queue_ticket", r#"{"a":"\ud83d\ude00 \u4e2d"}"#, None, None);
        check("queue_ticket", r#"{"a":"\\ud800"}"#, None, None);
        let long = "长".repeat(MAX_KEY_CHARS + 1);
        check("queue_ticket", &format!(r#"{{"day":"{long}"}}"#), None, Some("day is over"));
        check("issue_report", &format!(r#"{{"place":"{long}"}}"#), None, Some("place is over"));
        check("vote", &format!(r#"{{"proposal":"{long}"}}"#), sealed, Some("proposal is over"));
        check("queue_ticket", &format!(r#"{{"other":"{long}","day":5}}"#), None, None);
        check("service_rating", r#"{"day":"2026-12-04","service":"vote","score":4}"#, None, None);
        for score in ["0", "6", "2.0", "\"5\"", "null"] {
            let payload = format!(r#"{{"day":"2026-12-04","service":"vote","score":{score}}}"#);
            check("service_rating", &payload, None, Some("whole number from 1 to 5"));
        }
        check("service_rating", r#"{"day":"2026-12-04"}"#, None, Some("whole number from 1 to 5"));
    }
}
