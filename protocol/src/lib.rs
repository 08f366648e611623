//! The wire protocol between kiosks and the central server: paths and the JSON bodies, in one
//! crate that both sides use, so that they cannot drift apart.

pub mod enrolment;
pub mod error;
pub mod heartbeat;
pub mod id_number_check;
pub mod paths;
pub mod private_files;
pub mod record_rules;
pub mod resident_seal;
pub mod services;
pub mod sync;

/// Header carrying the idempotency key of a request that changes something.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
