//! The kiosk's HTTPS client: its own certificate, trust in the fleet CA only (no system roots),
//! short timeouts for online services and an idempotency key on every request that changes
//! something.

use super::SyncError;
use super::identity::KioskIdentity;
use citizen_window_protocol::content_bundle::{MAX_MANIFEST_BYTES, SignedManifest};
use citizen_window_protocol::error::ApiError;
use citizen_window_protocol::heartbeat::{Heartbeat, HeartbeatAck};
use citizen_window_protocol::help::HelpCall;
use citizen_window_protocol::services::{
    Appointment, AppointmentRequest, AppointmentSlot, Bill, IssueReportStatus, PaymentOrder, PaymentOrderRequest,
    ResidentLookup, SocialInsuranceRecord,
};
use citizen_window_protocol::sync::{BatchAck, UploadBatch};
use citizen_window_protocol::{IDEMPOTENCY_KEY_HEADER, paths};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Uploads may carry a thousand records; online services must answer while a resident waits.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(30);
const ONLINE_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct ServerClient {
    /// Shared by every clone, so that a renewed certificate reaches all of them at once.
    http: std::sync::Arc<std::sync::RwLock<reqwest::Client>>,
    /// The push stream's: a new connection for each stream, never a pooled one, so that the
    /// stream is its connection's first request (the server then serves it with small buffers).
    stream_http: std::sync::Arc<std::sync::RwLock<reqwest::Client>>,
    base: String,
    identity: KioskIdentity,
    upload_timeout: Duration,
}

/// A reqwest client that trusts only `ca_pem` and, if given, presents `identity_pem`.
/// What one request to the server showed ([`ServerClient::check_in`]).
#[derive(Debug, Clone, Copy)]
pub struct CheckIn {
    pub round_trip: Duration,
    /// The server's clock when it answered (ms since the epoch), to the second.
    pub server_time_ms: Option<i64>,
}

pub fn fleet_http_client(ca_pem: &str, identity_pem: Option<&str>) -> Result<reqwest::Client, SyncError> {
    fleet_client(ca_pem, identity_pem, true)
}

/// The same, keeping no idle connection for another request when `pooled` is false.
fn fleet_client(ca_pem: &str, identity_pem: Option<&str>, pooled: bool) -> Result<reqwest::Client, SyncError> {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes())
        .map_err(|e| SyncError::NotEnrolled(format!("the fleet CA file is not a certificate: {e}")))?;
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([ca])
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(UPLOAD_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("citizen-window/", env!("CARGO_PKG_VERSION")));
    if !pooled {
        builder = builder.pool_max_idle_per_host(0);
    }
    if let Some(pem) = identity_pem {
        let identity = reqwest::Identity::from_pem(pem.as_bytes())
            .map_err(|e| SyncError::NotEnrolled(format!("the kiosk's key or certificate is unreadable: {e}")))?;
        builder = builder.identity(identity);
    }
    builder.build().map_err(|e| SyncError::Local(format!("cannot build the HTTPS client: {e}")))
}

impl ServerClient {
    pub fn new(identity: &KioskIdentity) -> Result<Self, SyncError> {
        let pem = format!("{}\n{}", identity.key_pem.trim_end(), identity.cert_pem);
        let shared = |client| std::sync::Arc::new(std::sync::RwLock::new(client));
        Ok(Self {
            http: shared(fleet_client(&identity.ca_pem, Some(&pem), true)?),
            stream_http: shared(fleet_client(&identity.ca_pem, Some(&pem), false)?),
            base: identity.enrolment.server_url.clone(),
            identity: identity.clone(),
            upload_timeout: UPLOAD_TIMEOUT,
        })
    }

    /// The identity this client presents.
    pub fn identity(&self) -> &KioskIdentity {
        &self.identity
    }

    /// Presents `identity`'s key and certificate from now on, in this client and every clone of it.
    pub fn use_identity(&mut self, identity: &KioskIdentity) -> Result<(), SyncError> {
        let pem = format!("{}\n{}", identity.key_pem.trim_end(), identity.cert_pem);
        let http = fleet_client(&identity.ca_pem, Some(&pem), true)?;
        let stream_http = fleet_client(&identity.ca_pem, Some(&pem), false)?;
        *self.http.write().unwrap_or_else(|e| e.into_inner()) = http;
        *self.stream_http.write().unwrap_or_else(|e| e.into_inner()) = stream_http;
        self.identity = identity.clone();
        Ok(())
    }

    fn http(&self) -> reqwest::Client {
        self.http.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Asks the server for a certificate for this kiosk's new key (renewal).
    pub async fn renew_certificate(&self, csr_pem: &str) -> Result<String, SyncError> {
        let request = citizen_window_protocol::enrolment::RenewRequest { csr_pem: csr_pem.to_string() };
        let response =
            self.http().post(self.url(paths::CERTIFICATE)).timeout(ONLINE_TIMEOUT).json(&request).send().await?;
        let answer: citizen_window_protocol::enrolment::RenewResponse = Self::answer(response).await?;
        Ok(answer.certificate_pem)
    }

    /// A client whose uploads give up after `timeout` (tests; the default is 30 s).
    pub fn with_upload_timeout(mut self, timeout: Duration) -> Self {
        self.upload_timeout = timeout;
        self
    }

    /// A client for a given base URL (tests point it at a proxy).
    pub fn with_base(mut self, base: &str) -> Self {
        self.base = base.trim_end_matches('/').to_string();
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn answer<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, SyncError> {
        let status = response.status();
        if status.is_success() {
            let body = response.bytes().await?;
            return serde_json::from_slice(&body).map_err(|e| SyncError::Malformed(e.to_string()));
        }
        // An error's body is a sentence: a server that sends more is not read further.
        let body = read_start(response, MAX_ERROR_BYTES).await?;
        let (code, message) = match serde_json::from_slice::<ApiError>(&body) {
            Ok(e) => (e.code, e.message),
            Err(_) => ("http_error".into(), String::from_utf8_lossy(&body).chars().take(200).collect()),
        };
        Err(SyncError::Server { status: status.as_u16(), code, message })
    }

    pub async fn upload(&self, batch: &UploadBatch) -> Result<BatchAck, SyncError> {
        match self.http().post(self.url(paths::TRANSACTIONS)).json(batch).send().await {
            Ok(response) => Self::answer(response).await,
            Err(e) => Err(self.explain(e.into()).await),
        }
    }

    /// Replaces a vague connection failure with what a direct handshake shows, if anything.
    async fn explain(&self, error: SyncError) -> SyncError {
        if !matches!(error, SyncError::Unreachable(_)) {
            return error;
        }
        super::tls_probe::diagnose(&self.base, &self.identity).await.unwrap_or(error)
    }

    pub async fn heartbeat(&self, heartbeat: &Heartbeat) -> Result<HeartbeatAck, SyncError> {
        let response =
            self.http().post(self.url(paths::HEARTBEAT)).timeout(ONLINE_TIMEOUT).json(heartbeat).send().await?;
        Self::answer(response).await
    }

    async fn get<T: DeserializeOwned>(&self, path: String) -> Result<T, SyncError> {
        let response = self.http().get(self.url(&path)).timeout(ONLINE_TIMEOUT).send().await?;
        Self::answer(response).await
    }

    pub async fn bill(&self, account: &str) -> Result<Bill, SyncError> {
        self.get(paths::fill(paths::BILLS, &[account])).await
    }

    /// Something of the identified resident's: `sealed` is their ID number sealed for a lookup,
    /// sent in the body (never in a URL).
    async fn lookup<T: DeserializeOwned>(&self, path: &str, sealed: &str) -> Result<T, SyncError> {
        let body = ResidentLookup { resident: sealed.to_string() };
        let response = self.http().post(self.url(path)).timeout(ONLINE_TIMEOUT).json(&body).send().await?;
        Self::answer(response).await
    }

    /// The bills of an identified resident's household.
    pub async fn resident_bills(&self, sealed: &str) -> Result<Vec<Bill>, SyncError> {
        self.lookup(paths::RESIDENT_BILLS, sealed).await
    }

    /// A request that changes something: `idempotency_key` is made once per resident action and
    /// reused on every retry of it, so that a retry never does the thing twice.
    async fn post_idempotent<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        idempotency_key: &str,
    ) -> Result<T, SyncError> {
        let request =
            self.http().post(self.url(path)).timeout(ONLINE_TIMEOUT).header(IDEMPOTENCY_KEY_HEADER, idempotency_key);
        Self::answer(request.json(body).send().await?).await
    }

    pub async fn create_payment_order(
        &self,
        request: &PaymentOrderRequest,
        idempotency_key: &str,
    ) -> Result<PaymentOrder, SyncError> {
        self.post_idempotent(paths::PAYMENT_ORDERS, request, idempotency_key).await
    }

    pub async fn payment_order(&self, order_id: &str) -> Result<PaymentOrder, SyncError> {
        self.get(paths::fill(paths::PAYMENT_ORDER, &[order_id])).await
    }

    /// Cancels a pending order (idempotent: cancelling twice, or after payment, changes nothing).
    pub async fn cancel_payment_order(&self, order_id: &str) -> Result<PaymentOrder, SyncError> {
        let path = paths::fill(paths::PAYMENT_ORDER_CANCEL, &[order_id]);
        let response = self.http().post(self.url(&path)).timeout(ONLINE_TIMEOUT).send().await?;
        Self::answer(response).await
    }

    /// 呼叫工作人员: the kiosk's open call for staff, or a new one.
    pub async fn call_for_help(&self) -> Result<HelpCall, SyncError> {
        let response = self.http().post(self.url(paths::HELP_CALLS)).timeout(ONLINE_TIMEOUT).send().await?;
        Self::answer(response).await
    }

    /// A call for staff as it stands: answered or not.
    pub async fn help_call(&self, call_id: &str) -> Result<HelpCall, SyncError> {
        self.get(paths::fill(paths::HELP_CALL, &[call_id])).await
    }

    pub async fn social_insurance(&self, sealed: &str) -> Result<SocialInsuranceRecord, SyncError> {
        self.lookup(paths::SOCIAL_INSURANCE, sealed).await
    }

    pub async fn appointment_slots(&self, day: &str) -> Result<Vec<AppointmentSlot>, SyncError> {
        self.get(format!("{}?day={day}", paths::APPOINTMENT_SLOTS)).await
    }

    pub async fn book_appointment(
        &self,
        request: &AppointmentRequest,
        idempotency_key: &str,
    ) -> Result<Appointment, SyncError> {
        self.post_idempotent(paths::APPOINTMENTS, request, idempotency_key).await
    }

    pub async fn issue_report(&self, tracking_number: &str) -> Result<IssueReportStatus, SyncError> {
        self.get(paths::fill(paths::ISSUE_REPORT, &[tracking_number])).await
    }

    /// The newest signed manifest for `group`, unless it is version `known` (the ETag) or none
    /// is published. At most [`MAX_MANIFEST_BYTES`] are read.
    pub async fn content_manifest(&self, group: &str, known: Option<u64>) -> Result<ManifestAnswer, SyncError> {
        let mut request =
            self.http().get(self.url(&with_group(paths::CONTENT_MANIFEST, group))).timeout(ONLINE_TIMEOUT);
        if let Some(version) = known {
            request = request.header(reqwest::header::IF_NONE_MATCH, format!("\"{version}\""));
        }
        let response = request.send().await?;
        match response.status() {
            reqwest::StatusCode::NOT_MODIFIED => return Ok(ManifestAnswer::Unchanged),
            reqwest::StatusCode::NOT_FOUND => return Ok(ManifestAnswer::NonePublished),
            status if !status.is_success() => return Err(Self::answer::<()>(response).await.unwrap_err()),
            _ => {}
        }
        let body = read_at_most(response, MAX_MANIFEST_BYTES as u64).await?;
        serde_json::from_slice(&body).map(ManifestAnswer::New).map_err(|e| SyncError::Malformed(e.to_string()))
    }

    /// One authenticated request that changes nothing (the content manifest, its body unread):
    /// whether the server takes the kiosk's certificate, how long it took, and the server's clock
    /// (its `Date` header), for `kioskctl doctor`.
    pub async fn check_in(&self, group: &str) -> Result<CheckIn, SyncError> {
        let started = std::time::Instant::now();
        let url = self.url(&with_group(paths::CONTENT_MANIFEST, group));
        let response =
            self.http().get(url).header(reqwest::header::IF_NONE_MATCH, "\"0\"").timeout(ONLINE_TIMEOUT).send().await?;
        let round_trip = started.elapsed();
        let server_time_ms = response
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|date| httpdate::parse_http_date(date.to_str().ok()?).ok())
            .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|since| since.as_millis() as i64);
        match response.status() {
            status if status.is_success() || status.as_u16() == 304 || status.as_u16() == 404 => {
                Ok(CheckIn { round_trip, server_time_ms })
            }
            _ => Err(Self::answer::<()>(response).await.unwrap_err()),
        }
    }

    /// One file of a published bundle: at most `size` bytes are read (its manifest's size).
    pub async fn content_file(&self, version: u64, path: &str, size: u64) -> Result<Vec<u8>, SyncError> {
        let url = self.url(&paths::fill(paths::CONTENT_FILE, &[&version.to_string(), path]));
        // A slow link still gets a large file: 30 s and a second per 100 kB.
        let timeout = Duration::from_secs(30 + size / 100_000);
        let response = self.http().get(url).timeout(timeout).send().await?;
        if !response.status().is_success() {
            return Err(Self::answer::<()>(response).await.unwrap_err());
        }
        read_at_most(response, size).await
    }

    /// Opens the content push stream for `group` (server-sent events); the caller reads it and
    /// decides when it is dead (silence past the keep-alives).
    pub async fn content_events(&self, group: &str) -> Result<reqwest::Response, SyncError> {
        let http = self.stream_http.read().unwrap_or_else(|e| e.into_inner()).clone();
        let response = http
            .get(self.url(&with_group(paths::CONTENT_EVENTS, group)))
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .timeout(PUSH_STREAM_LIFETIME)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(Self::answer::<()>(response).await.unwrap_err());
        }
        Ok(response)
    }
}

/// `path?group=…`; the group is plain (letters, digits, '-', '_': the configuration checks it).
fn with_group(path: &str, group: &str) -> String {
    let plain: String = group.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    format!("{path}?group={plain}")
}

/// The longest the kiosk holds one push stream (the server ends its own sooner).
const PUSH_STREAM_LIFETIME: Duration = Duration::from_secs(2 * 3600);

/// What the server says of the content for a kiosk's group.
#[derive(Debug)]
pub enum ManifestAnswer {
    /// The version the kiosk named is still the newest.
    Unchanged,
    /// Nothing is published for the group: the kiosk keeps what it has.
    NonePublished,
    New(SignedManifest),
}

/// The most of an error answer's body the kiosk reads.
const MAX_ERROR_BYTES: usize = 4096;

/// The first `limit` bytes of `response`'s body at most; the rest is not read.
async fn read_start(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, SyncError> {
    let mut body = Vec::new();
    while body.len() < limit {
        let Some(chunk) = response.chunk().await? else { break };
        body.extend_from_slice(&chunk[..chunk.len().min(limit - body.len())]);
    }
    Ok(body)
}

/// The body of `response`, refused as malformed if it is longer than `limit` bytes.
async fn read_at_most(mut response: reqwest::Response, limit: u64) -> Result<Vec<u8>, SyncError> {
    let too_long = || SyncError::Malformed(format!("the answer is longer than the {limit} bytes expected"));
    if response.content_length().is_some_and(|length| length > limit) {
        return Err(too_long());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_long());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
