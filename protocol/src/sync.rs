//! Transaction upload: batches in sequence order, answered with the highest contiguous sequence
//! number the server holds for the kiosk (the kiosk's acknowledgement watermark).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransactionRecord {
    pub id: Uuid,
    pub seq: u64,
    pub kind: String,
    pub payload: serde_json::Value,
    /// Hex SHA-256 of the payload's JSON text as the kiosk wrote it.
    pub payload_hash: String,
    /// The resident's keyed hash, never the ID number.
    pub resident: Option<String>,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadBatch {
    pub records: Vec<TransactionRecord>,
}

/// A record whose id the server already holds with a different payload: reported, not overwritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub id: Uuid,
    pub seq: u64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchAck {
    /// Every sequence number from 1 to this one is stored on the server.
    pub highest_contiguous_seq: u64,
    pub inserted: u32,
    pub duplicates: u32,
    pub conflicts: Vec<Conflict>,
}

/// The hash both sides agree on: hex SHA-256 of the payload's JSON text (serde_json, sorted keys).
pub fn payload_hash(payload_text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(payload_text.as_bytes()))
}

/// Largest batch the server takes in one request.
pub const MAX_BATCH: usize = 1000;
