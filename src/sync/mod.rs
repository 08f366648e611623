//! The kiosk's link to the central server: its identity (key, certificate, fleet CA), enrolment,
//! the mutual-TLS client, the outbox uploader and the heartbeat, and the link's thread in the
//! running kiosk.

pub mod content_sync;
pub mod enrolment;
pub mod heartbeat;
pub mod identity;
pub mod link_board;
pub mod link_worker;
pub mod online_desk;
pub mod push_stream;
pub mod renewal;
pub mod server_client;
pub mod tls_probe;
pub mod uploader;

use crate::journal::JournalError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("this kiosk is not enrolled ({0}): run kioskctl enrol --server URL --token TOKEN")]
    NotEnrolled(String),
    #[error(
        "the server's certificate is not from this kiosk's fleet CA ({0}): check the server address, or enrol the kiosk again"
    )]
    UntrustedServer(String),
    #[error(
        "the server refused this kiosk's certificate ({0}): it may have ended (kiosks renew theirs while a third is left) or be from another fleet; enrol the kiosk again with a new token (kioskctl enrol)"
    )]
    CertificateRefused(String),
    #[error(
        "the server cannot be reached ({0}): check the network; transactions wait in the journal and are sent later"
    )]
    Unreachable(String),
    #[error("the server did not answer in time: transactions wait in the journal and are sent later")]
    Timeout,
    #[error("the server answered {status} {code}: {message}")]
    Server { status: u16, code: String, message: String },
    #[error("the server's answer is malformed ({0}): transactions are kept and sent again later")]
    Malformed(String),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("{0}")]
    Local(String),
}

impl SyncError {
    /// Whether the server refuses this kiosk itself: its certificate (ended, another fleet's)
    /// or its standing (revoked by the operator, unknown to the server). Only enrolling again helps.
    pub fn refuses_this_kiosk(&self) -> bool {
        match self {
            SyncError::CertificateRefused(_) => true,
            SyncError::Server { code, .. } => code == "kiosk_revoked" || code == "kiosk_unknown",
            _ => false,
        }
    }

    /// Whether trying again later can help (as opposed to needing a technician).
    pub fn is_retryable(&self) -> bool {
        match self {
            SyncError::Unreachable(_) | SyncError::Timeout | SyncError::Malformed(_) => true,
            SyncError::Server { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            SyncError::Journal(e) => !e.is_permanent(),
            _ => false,
        }
    }
}

/// The full text of an error and its sources, to recognise TLS failures inside reqwest's errors.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// TLS alerts (as rustls names them, lower case) with which a server refuses a client certificate.
const REFUSAL_ALERTS: [&str; 8] = [
    "alert: unknownca",
    "alert: badcertificate",
    "alert: decrypterror",
    "alert: certificateunknown",
    "alert: certificaterequired",
    "alert: certificateexpired",
    "alert: certificaterevoked",
    "alert: accessdenied",
];

impl From<reqwest::Error> for SyncError {
    fn from(e: reqwest::Error) -> Self {
        let chain = error_chain(&e);
        let lower = chain.to_ascii_lowercase();
        if e.is_timeout() {
            SyncError::Timeout
        } else if lower.contains("unknownissuer")
            || lower.contains("unknown issuer")
            || lower.contains("invalid peer certificate")
        {
            SyncError::UntrustedServer(chain)
        } else if REFUSAL_ALERTS.iter().any(|alert| lower.contains(alert)) {
            SyncError::CertificateRefused(chain)
        } else if e.is_decode() || e.is_body() {
            SyncError::Malformed(chain)
        } else {
            SyncError::Unreachable(chain)
        }
    }
}
