//! Every path the central server serves. `{name}` marks a path parameter (axum 0.8 syntax).

pub const ENROL: &str = "/v1/enrol";
/// A kiosk's certificate renewed: a new CSR in, over mutual TLS with the current certificate.
pub const CERTIFICATE: &str = "/v1/certificate";
/// The fleet CA certificate, fetched before enrolment and checked against the token's fingerprint.
pub const FLEET_CA: &str = "/v1/fleet-ca.pem";
pub const TRANSACTIONS: &str = "/v1/transactions";
pub const HEARTBEAT: &str = "/v1/heartbeat";
pub const BILLS: &str = "/v1/bills/{account}";
/// The identified resident's household bills: POST a sealed ID number.
pub const RESIDENT_BILLS: &str = "/v1/resident-bills";
pub const PAYMENT_ORDERS: &str = "/v1/payment-orders";
pub const PAYMENT_ORDER: &str = "/v1/payment-orders/{order_id}";
pub const PAYMENT_ORDER_CANCEL: &str = "/v1/payment-orders/{order_id}/cancel";
/// The identified resident's social-insurance record: POST a sealed ID number.
pub const SOCIAL_INSURANCE: &str = "/v1/social-insurance";
pub const APPOINTMENT_SLOTS: &str = "/v1/appointments/slots";
pub const APPOINTMENTS: &str = "/v1/appointments";
pub const PAYMENT_NOTIFICATIONS: &str = "/v1/payment-notifications";
pub const ISSUE_REPORT: &str = "/v1/issue-reports/{tracking_number}";
/// 呼叫工作人员: POST to call staff (the kiosk's open call if it has one), GET its state.
pub const HELP_CALLS: &str = "/v1/help-calls";
pub const HELP_CALL: &str = "/v1/help-calls/{call_id}";
/// The newest signed manifest for the kiosk's group (`?group=`), with its version as the ETag.
pub const CONTENT_MANIFEST: &str = "/v1/content/manifest";
/// One file of a published bundle, as its manifest lists it.
pub const CONTENT_FILE: &str = "/v1/content/bundles/{version}/files/{*path}";
/// The doorbell: a server-sent-events stream that says the newest version each time one is
/// published (and once at the start), with keep-alive comments between.
pub const CONTENT_EVENTS: &str = "/v1/content/events";
pub const OPENAPI: &str = "/v1/openapi.json";
/// The demo payment page a payment order's QR code opens (a phone or a browser).
pub const DEMO_PAY_PAGE: &str = "/pay/{order_id}";
pub const DEMO_PAY_CONFIRM: &str = "/pay/{order_id}/confirm";

/// Fills `{name}` parameters in order: `fill(PAYMENT_ORDER, &["abc"])` → "/v1/payment-orders/abc".
pub fn fill(path: &str, values: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = path;
    let mut values = values.iter();
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e + 1);
        out.push_str(values.next().copied().unwrap_or(""));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fills_parameters() {
        assert_eq!(super::fill(super::PAYMENT_ORDER, &["o-1"]), "/v1/payment-orders/o-1");
        assert_eq!(super::fill(super::TRANSACTIONS, &[]), "/v1/transactions");
    }
}
