//! The residents' ratings of services (好差评), counted straight from their records: per day
//! (China time, as the kiosk journaled it), kiosk, service, level (5 非常满意 … 1 非常不满意)
//! and reason. SQL both databases share. The server refuses a rating whose score is not a whole
//! number 1 to 5 (`record_rules`); one stored before that rule, or anything else not such a number,
//! counts as 0 alike in both databases and is dropped by the tally: nonsense cannot break the page.

use super::kind_sql::const_str_concat;
use citizen_window_protocol::record_rules::kinds;
use serde::Serialize;

/// How many ratings share a day, kiosk, service, score and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingGroup {
    /// YYYY-MM-DD, China time.
    pub day: String,
    pub kiosk_id: String,
    /// The kind of record the rated service made (`queue_ticket`, …).
    pub service: String,
    /// 1 to 5; 0 for a score that is not one.
    pub score: u8,
    /// The reason's id, empty for none.
    pub reason: String,
    /// The reason's name as a kiosk sent it (Chinese, English).
    pub reason_name: (String, String),
    pub count: u64,
}

const KIND_IS_RATING: &str = const_str_concat!("kind = '", kinds::SERVICE_RATING, "'");

pub(super) const SQLITE_SCHEMA: &str = const_str_concat!(
    "CREATE INDEX IF NOT EXISTS ratings_by_day ON transactions (json_extract(payload, '$.day')) WHERE ",
    KIND_IS_RATING,
    ";\n"
);

pub(super) const POSTGRES_SCHEMA: &str = const_str_concat!(
    "CREATE INDEX IF NOT EXISTS ratings_by_day ON transactions ((payload::jsonb ->> 'day')) WHERE ",
    KIND_IS_RATING,
    ";\n"
);

/// The ratings of the days in the JSON array `?1`.
pub(super) const SQLITE_RATINGS: &str = const_str_concat!(
    "SELECT CAST(json_extract(t.payload, '$.day') AS TEXT), p.kiosk_id, CAST(json_extract(t.payload, '$.service') AS TEXT),
        CASE WHEN json_type(t.payload, '$.score') = 'integer' AND json_extract(t.payload, '$.score') BETWEEN 1 AND 5
            THEN json_extract(t.payload, '$.score') ELSE 0 END,
        COALESCE(CAST(json_extract(t.payload, '$.reason') AS TEXT), ''),
        MAX(CAST(json_extract(t.payload, '$.reason_name') AS TEXT)), COUNT(*)
    FROM transactions t JOIN kiosk_progress p ON p.kiosk = t.kiosk WHERE t.",
    KIND_IS_RATING,
    " AND json_extract(t.payload, '$.day') IN (SELECT value FROM json_each(?1)) GROUP BY 1, 2, 3, 4, 5"
);

/// The ratings of the days in `$1`.
pub(super) const POSTGRES_RATINGS: &str = const_str_concat!(
    "SELECT payload::jsonb ->> 'day', kiosk_id, payload::jsonb ->> 'service',
        CASE WHEN jsonb_typeof(payload::jsonb -> 'score') = 'number' AND payload::jsonb ->> 'score' IN ('1', '2', '3', '4', '5')
            THEN (payload::jsonb ->> 'score')::int ELSE 0 END,
        COALESCE(payload::jsonb ->> 'reason', ''), MAX((payload::jsonb -> 'reason_name')::text), COUNT(*)
    FROM transactions WHERE ",
    KIND_IS_RATING,
    " AND payload::jsonb ->> 'day' = ANY($1) GROUP BY 1, 2, 3, 4, 5"
);
