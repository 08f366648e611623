//! Bill payments: paid through a payment order on the server (the resident's phone pays the QR
//! code); the kiosk records the paid order once, then prints its receipt.

use citizen_window_protocol::services::Utility;
use serde::{Deserialize, Serialize};

/// A paid bill as journaled: no holder name, only the account and what was paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentPayload {
    pub order_id: String,
    pub account: String,
    /// The bill's utility and period, when the kiosk still had the bill (not after a restart).
    pub utility: Option<Utility>,
    pub period: Option<String>,
    pub amount_fen: u64,
}

/// The utility as printed, Chinese then English.
pub fn utility_name(utility: Option<&Utility>) -> (&'static str, &'static str) {
    match utility {
        Some(Utility::Water) => ("水费", "Water"),
        Some(Utility::Electricity) => ("电费", "Electricity"),
        Some(Utility::Gas) => ("燃气费", "Gas"),
        Some(Utility::PropertyFee) => ("物业费", "Property fee"),
        None => ("缴费", "Bill"),
    }
}

/// "￥41.40".
pub fn yuan(amount_fen: u64) -> String {
    format!("￥{}.{:02}", amount_fen / 100, amount_fen % 100)
}

/// The key that lets one paid order be recorded only once, however often "paid" is heard.
pub fn once_key(order_id: &str) -> String {
    format!("payment:{order_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_in_yuan_with_two_decimals() {
        assert_eq!(yuan(4140), "￥41.40");
        assert_eq!(yuan(5), "￥0.05");
        assert_eq!(yuan(18_000), "￥180.00");
    }
}
