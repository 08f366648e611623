//! Enrolment: a one-time token and the kiosk's certificate signing request go in, the kiosk's
//! certificate (signed by the fleet CA) and the fleet's settings come out. The key stays on the kiosk.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    pub token: String,
    /// PEM certificate signing request made with the kiosk's own key.
    pub csr_pem: String,
    /// A name for the kiosk that the technician chose: "幸福里社区 1号机".
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    pub kiosk_id: String,
    pub certificate_pem: String,
    /// The fleet CA the kiosk trusts for the server (and nothing else).
    pub fleet_ca_pem: String,
    /// Hex secret for the residents' keyed hash, the same for every kiosk of the fleet.
    pub resident_key_secret_hex: String,
    /// Hex Ed25519 public key that signs content bundles.
    pub content_signing_public_key_hex: String,
}
