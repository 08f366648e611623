//! Transaction upload: batches in sequence order, answered with the highest contiguous sequence
//! number the server holds for the kiosk (the kiosk's acknowledgement watermark).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

/// A record's payload: JSON text carried byte for byte, so that the server hashes and stores
/// exactly what the kiosk hashed and journaled, without parsing it into a tree and writing it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Payload(Box<RawValue>);

impl schemars::JsonSchema for Payload {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Payload".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The record's JSON, hashed as sent (at most 256 KiB, nested at most 32 deep)",
            "type": "object"
        })
    }
}

impl Payload {
    /// The canonical text of a JSON value (serde_json, keys sorted), as the kiosk journals it.
    pub fn from_value(value: &serde_json::Value) -> Self {
        Self(serde_json::value::to_raw_value(value).expect("JSON values serialise"))
    }

    /// Checks that `text` is one JSON value and keeps it as it is.
    pub fn from_text(text: String) -> Result<Self, serde_json::Error> {
        RawValue::from_string(text).map(Self)
    }

    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(self.as_str()).expect("a payload is valid JSON")
    }

    /// [`payload_hash`] of this text.
    pub fn hash(&self) -> String {
        payload_hash(self.as_str())
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TransactionRecord {
    pub id: Uuid,
    pub seq: u64,
    pub kind: String,
    pub payload: Payload,
    /// Hex SHA-256 of the payload's JSON text as the kiosk wrote it (and sent it).
    pub payload_hash: String,
    /// A vote's resident: the ID number sealed for the server ([`crate::resident_seal`]); the
    /// server stores the vote's ballot pseudonym here instead. Never the ID number.
    pub resident: Option<String>,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UploadBatch {
    pub records: Vec<TransactionRecord>,
    /// Nothing at or below this sequence number will ever come under the sending kiosk's
    /// identity (delivered under an earlier one, or acknowledged and pruned): the server's
    /// watermark may start there.
    #[serde(default)]
    pub starts_after: u64,
}

impl UploadBatch {
    /// A batch of `records` that declares no floor.
    pub fn of(records: Vec<TransactionRecord>) -> Self {
        Self { records, starts_after: 0 }
    }
}

/// A record whose id the server already holds with a different payload: reported, not overwritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Conflict {
    pub id: Uuid,
    pub seq: u64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BatchAck {
    /// Every sequence number from 1 to this one is stored on the server.
    pub highest_contiguous_seq: u64,
    pub inserted: u32,
    pub duplicates: u32,
    pub conflicts: Vec<Conflict>,
    /// Records refused for good (`record_rules`): the server holds a note in their place, so the
    /// watermark passes them; the kiosk keeps them aside and never sends them again.
    #[serde(default)]
    pub refused: Vec<Refusal>,
}

/// A record the server will never store, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Refusal {
    pub id: Uuid,
    pub seq: u64,
    pub reason: String,
    /// What kind of refusal, for a kiosk to act on (`record_rules::refusal_codes`); none for a
    /// record that breaks the record rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The hash both sides agree on: hex SHA-256 of the payload's JSON text (serde_json, sorted keys).
pub fn payload_hash(payload_text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(payload_text.as_bytes()))
}

/// Largest batch the server takes in one request.
pub const MAX_BATCH: usize = 1000;

/// Largest upload body the server reads, in bytes.
pub const MAX_BATCH_BYTES: usize = 8 << 20;

/// Largest payload a kiosk journals, in bytes: a batch of [`MAX_BATCH_BYTES`] always holds at
/// least one record, and a receipt-sized transaction never comes near it.
pub const MAX_PAYLOAD_BYTES: usize = 256 << 10;

/// Wire size allowed for a record besides its payload (id, hashes, kind, numbers, JSON syntax).
pub const RECORD_OVERHEAD_BYTES: usize = 512;
