//! The HTTP API: one table of routes from which both the router and the OpenAPI document are
//! built, so that no route can be missing from the document.

pub mod content;
mod enrol;
mod help;
pub use enrol::issue_token as issue_enrol_token;
mod identity;
pub mod kiosk_register;
mod openapi;
mod pay_page;
mod payment_notification;
mod route_doc;
mod services;
mod sync;

pub use crate::storage::MAX_LABEL_CHARS;
pub use content::StreamTiming;
pub use identity::{PeerCertificateEnd, PeerKiosk};
pub use payment_notification::{NOTIFICATION_WINDOW_MS, sign as sign_payment_notification};
pub use route_doc::{Answer, Parameter, RouteDoc};

use crate::connection_limits::ConnectionLimits;
use crate::pki::Fleet;
use crate::storage::{Storage, StorageError};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use citizen_window_protocol::error::ApiError;
use citizen_window_protocol::help::HelpCall;
use citizen_window_protocol::paths;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct AppState {
    pub storage: Storage,
    pub fleet: Fleet,
    pub public_url: String,
    /// Appointments may be booked from tomorrow to this many days ahead.
    pub appointment_horizon_days: u32,
    /// How long the kiosk certificates this server signs are valid.
    pub kiosk_certificate_days: u32,
    /// Whether the demo payment page is served (`serve --demo-payments`): anyone who sees a
    /// payment code could then mark its order paid, so never on a real fleet.
    pub demo_payments: bool,
    pub limits: ConnectionLimits,
    /// Upload bodies being read (and then parsed) at once (see [`UPLOADS_READ_AT_ONCE`]).
    pub upload_reading: tokio::sync::Semaphore,
    /// Upload bodies being parsed at once (see [`UPLOADS_PARSED_AT_ONCE`]).
    pub upload_parsing: tokio::sync::Semaphore,
    /// Which kiosks may be served: enrolled and not revoked.
    pub kiosk_register: kiosk_register::KioskRegister,
    /// Uploads in progress per kiosk, at most [`ConnectionLimits::uploads_per_kiosk`] each.
    pub uploads_in_progress: Mutex<HashMap<String, usize>>,
    /// The published content bundles (`publish`), and the doorbell of the push streams.
    pub content: Arc<crate::content_shelf::ContentShelf>,
    pub content_streams: StreamTiming,
    /// Push streams open per kiosk, at most [`content::STREAMS_PER_KIOSK`] each.
    pub streams_open: Mutex<HashMap<String, usize>>,
    /// Content files being sent per kiosk, at most [`content::DOWNLOADS_PER_KIOSK`] each.
    pub downloads_open: Mutex<HashMap<String, usize>>,
    /// The kiosks' heartbeat interval (central.toml): a kiosk is offline after 1.5 of them.
    pub heartbeat_interval_ms: i64,
    /// Rung when a kiosk changes, for the console's live view.
    pub fleet_bell: crate::fleet_bell::FleetBell,
}

impl AppState {
    pub fn new(
        storage: Storage,
        fleet: Fleet,
        config: &crate::config::CentralConfig,
        demo_payments: bool,
        limits: ConnectionLimits,
        content: Arc<crate::content_shelf::ContentShelf>,
        content_streams: StreamTiming,
    ) -> Self {
        let told_by_database = matches!(storage, Storage::Postgres(_));
        Self {
            heartbeat_interval_ms: i64::from(config.heartbeat_interval_seconds) * 1000,
            fleet_bell: crate::fleet_bell::FleetBell::new(told_by_database),
            storage,
            fleet,
            public_url: config.public_url.clone(),
            appointment_horizon_days: config.appointment_horizon_days,
            kiosk_certificate_days: config.kiosk_certificate_days,
            demo_payments,
            limits,
            upload_reading: tokio::sync::Semaphore::new(UPLOADS_READ_AT_ONCE),
            upload_parsing: tokio::sync::Semaphore::new(UPLOADS_PARSED_AT_ONCE),
            uploads_in_progress: Mutex::new(HashMap::new()),
            kiosk_register: kiosk_register::KioskRegister::default(),
            content,
            content_streams,
            streams_open: Mutex::new(HashMap::new()),
            downloads_open: Mutex::new(HashMap::new()),
        }
    }
}

pub type SharedState = Arc<AppState>;

fn routes() -> Vec<(RouteDoc, MethodRouter<SharedState>)> {
    use axum::routing::{get, post};
    use citizen_window_protocol::enrolment::{EnrolRequest, EnrolResponse, RenewRequest, RenewResponse};
    use citizen_window_protocol::heartbeat::{Heartbeat, HeartbeatAck};
    use citizen_window_protocol::services::*;
    use citizen_window_protocol::sync::{BatchAck, UploadBatch};
    let doc = RouteDoc::new;
    const IDEMPOTENCY: &[Parameter] = &[(
        citizen_window_protocol::IDEMPOTENCY_KEY_HEADER,
        "Made once per resident action and sent again with every retry of it (8 to 128 characters)",
        || serde_json::json!({"type": "string", "minLength": 8, "maxLength": 128, "pattern": "^[!-~]+$"}),
    )];
    const NOTIFICATION: &[Parameter] = &[
        (
            PAYMENT_TIMESTAMP_HEADER,
            "When the provider sent it, in milliseconds since 1970 (within 5 minutes of the server's clock)",
            || serde_json::json!({"type": "string", "pattern": "^[0-9]{1,15}$"}),
        ),
        (
            PAYMENT_SIGNATURE_HEADER,
            "Lowercase hex HMAC-SHA256 over `<timestamp>.<body>` with the shared secret",
            || serde_json::json!({"type": "string", "pattern": "^[0-9a-f]{64}$"}),
        ),
    ];
    const DAY: &[Parameter] = &[(
        "day",
        "The day, from tomorrow (China time) to the configured horizon",
        || serde_json::json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}),
    )];
    const GROUP: &[Parameter] = &[(
        "group",
        "The kiosk's group (`[content] group`); empty or absent: none",
        || serde_json::json!({"type": "string", "maxLength": 32, "pattern": "^[A-Za-z0-9_-]*$"}),
    )];
    vec![
        (
            doc(
                "get",
                paths::FLEET_CA,
                "The fleet CA certificate (check it against the enrolment token's fingerprint)",
            )
            .answers_with(Answer::Pem),
            get(enrol::fleet_ca),
        ),
        (
            doc("post", paths::ENROL, "Enrol a kiosk: one-time token and CSR in, certificate out")
                .body::<EnrolRequest>()
                .answers::<EnrolResponse>()
                .errors(&[403]),
            post(enrol::enrol),
        ),
        (
            doc(
                "post",
                paths::CERTIFICATE,
                "Renew this kiosk's certificate: a CSR with a new key in, a certificate out",
            )
            .kiosk()
            .body::<RenewRequest>()
            .answers::<RenewResponse>(),
            post(enrol::renew),
        ),
        (
            doc("post", paths::TRANSACTIONS, "Upload a batch of journal records (idempotent)")
                .kiosk()
                .body::<UploadBatch>()
                .answers::<BatchAck>()
                .errors(&[409, 429]),
            post(sync::upload),
        ),
        (
            doc("post", paths::HEARTBEAT, "Report device states, backlog and versions")
                .kiosk()
                .body::<Heartbeat>()
                .answers::<HeartbeatAck>(),
            post(sync::heartbeat),
        ),
        (
            doc("get", paths::BILLS, "Look up the current bill of an account").kiosk().answers::<Bill>().errors(&[404]),
            get(services::bill),
        ),
        (
            doc("post", paths::RESIDENT_BILLS, "The current bills of a resident's household (sealed ID number)")
                .kiosk()
                .body::<ResidentLookup>()
                .answers::<Vec<Bill>>(),
            post(services::resident_bills),
        ),
        (
            doc("post", paths::PAYMENT_ORDERS, "Create a payment order (Idempotency-Key header required)")
                .kiosk()
                .headers(IDEMPOTENCY)
                .body::<PaymentOrderRequest>()
                .answers::<PaymentOrder>()
                .errors(&[404, 409]),
            post(services::create_payment_order),
        ),
        (
            doc("get", paths::PAYMENT_ORDER, "Payment order status (only the kiosk that made it)")
                .kiosk()
                .answers::<PaymentOrder>()
                .errors(&[404]),
            get(services::payment_order),
        ),
        (
            doc("post", paths::PAYMENT_ORDER_CANCEL, "Cancel a pending payment order; a paid one stays paid")
                .kiosk()
                .answers::<PaymentOrder>()
                .errors(&[404]),
            post(services::cancel_payment_order),
        ),
        (
            doc(
                "post",
                paths::SOCIAL_INSURANCE,
                "Social insurance, pension and subsistence-allowance record of a resident (sealed ID number)",
            )
            .kiosk()
            .body::<ResidentLookup>()
            .answers::<SocialInsuranceRecord>()
            .errors(&[404]),
            post(services::social_insurance),
        ),
        (
            doc("get", paths::APPOINTMENT_SLOTS, "Appointment slots with free places on one day")
                .kiosk()
                .query(DAY)
                .answers::<Vec<AppointmentSlot>>(),
            get(services::appointment_slots),
        ),
        (
            doc("post", paths::APPOINTMENTS, "Book an appointment (Idempotency-Key header required)")
                .kiosk()
                .headers(IDEMPOTENCY)
                .body::<AppointmentRequest>()
                .answers::<Appointment>()
                .errors(&[404, 409]),
            post(services::book_appointment),
        ),
        (
            doc("get", paths::ISSUE_REPORT, "Status of an issue report by tracking number")
                .kiosk()
                .answers::<IssueReportStatus>()
                .errors(&[404]),
            get(services::issue_report),
        ),
        (
            doc("post", paths::HELP_CALLS, "Call for staff (呼叫工作人员): the kiosk's open call if it has one")
                .kiosk()
                .answers::<HelpCall>(),
            post(help::call),
        ),
        (
            doc("get", paths::HELP_CALL, "A call for staff: answered or not, with the office's answer")
                .kiosk()
                .answers::<HelpCall>()
                .errors(&[404]),
            get(help::state),
        ),
        (
            doc(
                "post",
                paths::PAYMENT_NOTIFICATIONS,
                "The payment provider's notification that an order was paid (HMAC-signed with the shared secret)",
            )
            .headers(NOTIFICATION)
            .body::<PaymentNotification>()
            .answers::<PaymentNotificationAck>()
            .errors(&[401, 404, 409]),
            post(payment_notification::notify)
                .layer(axum::extract::DefaultBodyLimit::max(payment_notification::MAX_NOTIFICATION_BYTES)),
        ),
        (
            doc("get", paths::CONTENT_MANIFEST, "The newest signed content manifest for the kiosk's group; its version is the ETag (If-None-Match: 304)")
                .kiosk()
                .query(GROUP)
                .answers::<citizen_window_protocol::content_bundle::SignedManifest>()
                .errors(&[404]),
            get(content::manifest),
        ),
        (
            doc("get", paths::CONTENT_FILE, "One file of a published content bundle, as its manifest lists it")
                .kiosk()
                .answers_with(Answer::Bytes)
                .errors(&[404, 429]),
            get(content::file),
        ),
        (
            doc(
                "get",
                paths::CONTENT_EVENTS,
                "Push stream (server-sent events): `content` with the newest version for the group, at once and on each publish",
            )
            .kiosk()
            .query(GROUP)
            .answers_with(Answer::EventStream)
            .errors(&[429]),
            get(content::events),
        ),
        (doc("get", paths::OPENAPI, "This API as an OpenAPI 3.1 document"), get(openapi::document)),
        (
            doc("get", paths::DEMO_PAY_PAGE, "Demo payment page that a payment QR code opens (serve --demo-payments)")
                .demo()
                .answers_with(Answer::Html)
                .errors(&[404]),
            get(pay_page::page),
        ),
        (
            doc("post", paths::DEMO_PAY_CONFIRM, "Demo payment: mark the order paid (确认支付; serve --demo-payments)")
                .demo()
                .answers_with(Answer::Html)
                .errors(&[404, 409]),
            post(pay_page::confirm),
        ),
    ]
}

/// The routes a server serves, without handlers, for the OpenAPI document and its test.
pub fn route_docs(demo_payments: bool) -> Vec<RouteDoc> {
    routes().into_iter().map(|(doc, _)| doc).filter(|doc| demo_payments || !doc.demo_only).collect()
}

/// Upload bodies read at once: a burst from the whole fleet waits with its bodies unread (in the
/// kernel's buffers, not the server's memory). A body is read under its own deadline and within
/// its kiosk's share of two uploads, so stalled uploads hold few of these places, and only until
/// the deadline: one kiosk can never hold more than two.
const UPLOADS_READ_AT_ONCE: usize = 128;

/// Upload bodies parsed at once (CPU work, so more would only queue). A parsed batch then waits
/// for its group commit without holding a place, so that parsing goes on while the database writes.
const UPLOADS_PARSED_AT_ONCE: usize = 16;

pub fn router(state: SharedState) -> axum::Router {
    let mut router = axum::Router::new();
    for (doc, handler) in routes() {
        if state.demo_payments || !doc.demo_only {
            router = router.route(doc.path, handler);
        }
    }
    router
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not_found", "no such endpoint: see /v1/openapi.json") })
        .layer(axum::middleware::map_response(errors_as_json))
        .with_state(state)
}

/// Every error answer in the documented error JSON: axum's own refusals (a body that is not
/// JSON, too large, of the wrong type, missing a field) come as plain text otherwise. Pages for
/// people (the demo payment page) keep their HTML.
async fn errors_as_json(response: Response) -> Response {
    let status = response.status();
    let content_type = response.headers().get(axum::http::header::CONTENT_TYPE).map(|v| v.as_bytes().to_vec());
    let plain = content_type.as_deref().is_none_or(|t| t.starts_with(b"text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 4096).await.unwrap_or_default();
    let said = String::from_utf8_lossy(&body).trim().to_string();
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable_body",
        _ => "error",
    };
    let message = if said.is_empty() { status.to_string() } else { said };
    error(status, code, format!("{message}: see /v1/openapi.json"))
}

/// An error answer with a stable code and a sentence that says what to do.
pub fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (status, Json(ApiError { code: code.into(), message: message.into() })).into_response()
}

pub fn storage_error(e: StorageError) -> Response {
    match e {
        StorageError::BadRecord { .. } => error(StatusCode::UNPROCESSABLE_ENTITY, "bad_record", e.to_string()),
        StorageError::Refused(message) => error(StatusCode::CONFLICT, "refused", message),
        StorageError::AlreadyBooked(message) => error(StatusCode::CONFLICT, "already_booked", message),
        StorageError::Backend(message) => {
            tracing::error!(%message, "storage failed");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "the server cannot reach its database: retry later",
            )
        }
    }
}

/// Milliseconds since the Unix epoch now.
pub use citizen_window_protocol::china_time::unix_now_ms as now_ms;
