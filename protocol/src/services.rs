//! Online services that need the server live: bills and payment orders, social-insurance
//! records, appointments, issue-report status. All demo data is synthetic.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Utility {
    Water,
    Electricity,
    Gas,
    PropertyFee,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Bill {
    pub account: String,
    pub utility: Utility,
    /// Masked holder name: "张*".
    pub holder: String,
    pub period: String,
    pub amount_fen: u64,
    pub usage: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PaymentOrderRequest {
    pub account: String,
    pub amount_fen: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Paid,
    Cancelled,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PaymentOrder {
    pub order_id: String,
    pub account: String,
    pub amount_fen: u64,
    pub status: PaymentStatus,
    /// What the payment QR code encodes: the demo payment page on the server.
    pub pay_url: String,
    pub created_at_ms: i64,
}

/// The payment provider's notification that an order was paid (`POST /v1/payment-notifications`),
/// signed with the secret the provider shares with the server: the signature header carries the
/// lowercase hex of HMAC-SHA256(secret, "<timestamp>.<body>"), the timestamp header the
/// milliseconds since 1970 at which it was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentNotification {
    pub order_id: String,
    /// What the payer paid; it must be the order's amount.
    pub amount_fen: u64,
}

pub const PAYMENT_TIMESTAMP_HEADER: &str = "x-citizen-timestamp";
pub const PAYMENT_SIGNATURE_HEADER: &str = "x-citizen-signature";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PaymentNotificationAck {
    pub order_id: String,
    pub status: PaymentStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ContributionMonth {
    pub month: String,
    pub pension_fen: u64,
    pub medical_fen: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SocialInsuranceRecord {
    pub contributions: Vec<ContributionMonth>,
    pub pension_payments: Vec<ContributionMonth>,
    /// 低保 status: "none", "granted", "under_review".
    pub subsistence_allowance: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AppointmentSlot {
    pub slot_id: String,
    pub window: crate::station::WindowId,
    pub starts_at: String,
    pub free: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AppointmentRequest {
    pub slot_id: String,
    /// The resident's ID number sealed for a lookup ([`crate::resident_seal`]).
    #[schemars(regex(pattern = r"^s1:[0-9]{1,20}:[0-9a-f]{132}$"))]
    pub resident: String,
}

/// Asks for something of the identified resident (their bills, their social-insurance record):
/// the ID number sealed for a lookup, in the body so that it is never in a URL or a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResidentLookup {
    #[schemars(regex(pattern = r"^s1:[0-9]{1,20}:[0-9a-f]{132}$"))]
    pub resident: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Appointment {
    pub appointment_id: String,
    pub slot: AppointmentSlot,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IssueReportStatus {
    pub tracking_number: String,
    /// received, assigned, in_progress, resolved, rejected (set by the community office).
    pub status: String,
    pub updated_at_ms: i64,
    /// The office's note for the resident (at most 200 characters), if it wrote one.
    pub note: Option<String>,
}
