//! The votes as the community office counts them: counted votes (a resident's second ballot on a
//! proposal was set aside as it arrived, so every stored vote counts) grouped by choice, comment,
//! day and kiosk; the proposals voted on; and the office's closing of a proposal, which fixes its
//! tally (votes received after it are shown apart, not counted) until its result is published.
//! Times are the server's (when a vote arrived), never a kiosk's clock, which a kiosk could set.

use super::kind_sql::{KIND_IS_VOTE, const_str_concat};
use serde::Serialize;

/// Counted votes of one proposal sharing a choice, a comment, a day and a kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoteGroup {
    /// `agree`, `disagree` or `abstain`.
    pub choice: String,
    /// The comment phrase chosen (Chinese, English), if any.
    pub comment: Option<(String, String)>,
    /// The China day the vote arrived (days since 1970-01-01).
    pub day: i64,
    pub kiosk_id: String,
    pub votes: u64,
}

/// A proposal residents voted on, and how the office stands with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalRow {
    pub proposal: String,
    pub title: (String, String),
    pub votes: u64,
    pub first_vote_ms: i64,
    pub last_vote_ms: i64,
    pub closed_at_ms: Option<i64>,
    pub closed_by: Option<String>,
    /// The content version that published its result, once published.
    pub result_version: Option<i64>,
}

/// A comment as stored (a JSON array of two strings, JSON null, or nothing), read back.
pub(super) fn comment_of(json: &str) -> Option<(String, String)> {
    serde_json::from_str(json).ok().flatten()
}

pub(super) const SQLITE_SCHEMA: &str = const_str_concat!(
    r#"
CREATE INDEX IF NOT EXISTS votes_by_proposal ON transactions (json_extract(payload, '$.proposal')) WHERE "#,
    KIND_IS_VOTE,
    r#";
CREATE TABLE IF NOT EXISTS proposal_closures (
    proposal TEXT PRIMARY KEY, closed_at_ms INTEGER NOT NULL, staff TEXT NOT NULL, result_version INTEGER
);
"#
);

pub(super) const POSTGRES_SCHEMA: &str = const_str_concat!(
    r#"
CREATE INDEX IF NOT EXISTS votes_by_proposal ON transactions ((payload::jsonb ->> 'proposal')) WHERE "#,
    KIND_IS_VOTE,
    r#";
CREATE TABLE IF NOT EXISTS proposal_closures (
    proposal TEXT PRIMARY KEY, closed_at_ms BIGINT NOT NULL, staff TEXT NOT NULL, result_version BIGINT
);
"#
);

/// The counted votes of proposal `?1` made up to `?2` (NULL: all), grouped.
pub(super) const SQLITE_TALLY: &str = const_str_concat!(
    "SELECT CAST(json_extract(t.payload, '$.choice') AS TEXT), CAST(COALESCE(json_extract(t.payload, '$.comment'), '') AS TEXT),
        (t.received_at_ms + 28800000) / 86400000, p.kiosk_id, COUNT(*)
    FROM transactions t JOIN kiosk_progress p ON p.kiosk = t.kiosk
    WHERE ",
    KIND_IS_VOTE,
    " AND json_extract(t.payload, '$.proposal') = ?1 AND (?2 IS NULL OR t.received_at_ms <= ?2)
    GROUP BY 1, 2, 3, 4 ORDER BY 3, 4, 1"
);

pub(super) const POSTGRES_TALLY: &str = const_str_concat!(
    "SELECT payload::jsonb ->> 'choice', COALESCE((payload::jsonb -> 'comment')::text, ''),
        (received_at_ms + 28800000) / 86400000, kiosk_id, COUNT(*)
    FROM transactions
    WHERE ",
    KIND_IS_VOTE,
    " AND payload::jsonb ->> 'proposal' = $1 AND ($2::BIGINT IS NULL OR received_at_ms <= $2)
    GROUP BY 1, 2, 3, 4 ORDER BY 3, 4, 1"
);

/// Votes of proposal `?1` made after `?2`.
pub(super) const SQLITE_LATE_VOTES: &str = const_str_concat!(
    "SELECT COUNT(*) FROM transactions WHERE ",
    KIND_IS_VOTE,
    " AND json_extract(payload, '$.proposal') = ?1 AND received_at_ms > ?2"
);

pub(super) const POSTGRES_LATE_VOTES: &str = const_str_concat!(
    "SELECT COUNT(*) FROM transactions WHERE ",
    KIND_IS_VOTE,
    " AND payload::jsonb ->> 'proposal' = $1 AND received_at_ms > $2"
);

/// Every proposal voted on, with the office's closing.
pub(super) const SQLITE_PROPOSALS: &str = const_str_concat!(
    "SELECT v.proposal, v.title, v.votes, v.first_ms, v.last_ms, c.closed_at_ms, c.staff, c.result_version
    FROM (SELECT CAST(json_extract(payload, '$.proposal') AS TEXT) AS proposal,
                 MIN(CAST(json_extract(payload, '$.proposal_title') AS TEXT)) AS title,
                 COUNT(*) AS votes, MIN(received_at_ms) AS first_ms, MAX(received_at_ms) AS last_ms
          FROM transactions WHERE ",
    KIND_IS_VOTE,
    " GROUP BY 1) v LEFT JOIN proposal_closures c ON c.proposal = v.proposal ORDER BY v.last_ms DESC"
);

pub(super) const POSTGRES_PROPOSALS: &str = const_str_concat!(
    "SELECT v.proposal, v.title, v.votes, v.first_ms, v.last_ms, c.closed_at_ms, c.staff, c.result_version
    FROM (SELECT payload::jsonb ->> 'proposal' AS proposal, MIN((payload::jsonb -> 'proposal_title')::text) AS title,
                 COUNT(*) AS votes, MIN(received_at_ms) AS first_ms, MAX(received_at_ms) AS last_ms
          FROM transactions WHERE ",
    KIND_IS_VOTE,
    " GROUP BY 1) v LEFT JOIN proposal_closures c ON c.proposal = v.proposal ORDER BY v.last_ms DESC"
);
