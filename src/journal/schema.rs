//! The journal's tables. Records are never updated in place: every status change is a new row.
//! Schema versions are numbered with `PRAGMA user_version`; each migration runs in a transaction.

/// Each entry brings the schema from version `index` to `index + 1`.
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE transactions (
    -- The per-kiosk sequence: AUTOINCREMENT never reuses a number, even after pruning, and a
    -- rolled-back insert gives its number back, so the sequence has no gaps.
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE,
    kind           TEXT    NOT NULL,
    payload        TEXT    NOT NULL,
    payload_hash   TEXT    NOT NULL,
    resident       TEXT,
    created_at_ms  INTEGER NOT NULL,
    receipt_needed INTEGER NOT NULL CHECK (receipt_needed IN (0, 1))
);

-- The server acknowledges a prefix of the sequence: each row raises the watermark.
CREATE TABLE acknowledgements (
    through_seq INTEGER NOT NULL,
    acked_at_ms INTEGER NOT NULL
);
CREATE INDEX acknowledgements_through ON acknowledgements (through_seq);

-- Receipt outcomes after the intent recorded with the transaction.
CREATE TABLE receipt_events (
    seq    INTEGER NOT NULL,
    event  TEXT    NOT NULL CHECK (event IN ('printed', 'unconfirmed', 'reprinted')),
    at_ms  INTEGER NOT NULL
);
CREATE INDEX receipt_events_seq ON receipt_events (seq);

-- Sync attempts, for `kioskctl sync status` whether or not the kiosk runs.
CREATE TABLE sync_events (
    at_ms   INTEGER NOT NULL,
    ok      INTEGER NOT NULL CHECK (ok IN (0, 1)),
    message TEXT    NOT NULL
);

-- Records the server reported as conflicting (same id, different payload): kept for the technician.
CREATE TABLE sync_conflicts (
    seq     INTEGER NOT NULL,
    id      TEXT    NOT NULL,
    reason  TEXT    NOT NULL,
    at_ms   INTEGER NOT NULL
);
"#,
    r#"
-- Things that may happen only once, such as one resident's vote on one proposal: inserted in the
-- same SQLite transaction as the record (one short row each). A vote's key is never pruned; a
-- paid order's or a booking's goes when its record is pruned.
CREATE TABLE once_keys (
    key TEXT    PRIMARY KEY,
    seq INTEGER NOT NULL
);
"#,
    r#"
-- Records the server refused for good (a kind it does not know, a damaged payload): set aside,
-- never sent again and never pruned, for the technician. The watermark passes them.
CREATE TABLE sync_refusals (
    seq    INTEGER PRIMARY KEY,
    id     TEXT    NOT NULL,
    reason TEXT    NOT NULL,
    at_ms  INTEGER NOT NULL
);
"#,
    r#"
-- The watermark when each identity (kiosk id from enrolment) was first used: what came before was
-- delivered under an earlier identity, so a kiosk enrolled again sends only the rest.
CREATE TABLE identity_bases (
    kiosk_id TEXT    PRIMARY KEY,
    base_seq INTEGER NOT NULL
);
"#,
];
