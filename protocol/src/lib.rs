//! The wire protocol between kiosks and the central server: paths and the JSON bodies, in one
//! crate that both sides use, so that they cannot drift apart.

pub mod china_time;
pub mod content_bundle;
pub mod enrolment;
pub mod error;
pub mod heartbeat;
pub mod help;
pub mod id_number_check;
pub mod paths;
pub mod private_files;
pub mod record_rules;
pub mod resident_seal;
pub mod services;
pub mod station;
pub mod sync;

/// Header carrying the idempotency key of a request that changes something.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// An idempotency key made from 128 random bits: 32 lowercase hex digits. Made once per
/// resident's tap and reused by every retry of that request.
pub fn new_idempotency_key(random: u128) -> String {
    format!("{random:032x}")
}
