//! Sample server answers (a water bill and its payment order) for the screenshots and the
//! controller's tests: one set, so that the pictures show what the rules are tested with.

use citizen_window_protocol::services::{Bill, PaymentOrder, PaymentStatus, Utility};

/// The demo server's water bill for account 3301-0288-1742.
pub fn bill() -> Bill {
    Bill {
        account: "3301-0288-1742".into(),
        utility: Utility::Water,
        holder: "张*".into(),
        period: "2026-10".into(),
        amount_fen: 4140,
        usage: "12 吨".into(),
    }
}

/// The payment order `po-1` for [`bill`], as the server reports it.
pub fn order(status: PaymentStatus) -> PaymentOrder {
    PaymentOrder {
        order_id: "po-1".into(),
        account: "3301-0288-1742".into(),
        amount_fen: 4140,
        status,
        pay_url: "https://central.example.invalid/pay/po-1".into(),
        created_at_ms: 0,
    }
}
