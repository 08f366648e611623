//! What the console's tests share: a fleet whose server serves the console, a browser that trusts
//! the fleet's CA, signing in through the real forms, a simulated kiosk that sends heartbeats over
//! mutual TLS with a certificate of the fleet, and a reader of the live view's events.
#![allow(dead_code)]

use citizen_central::server::{RunningServer, ServeOptions, start};
use citizen_central::storage::{Storage, token_hash};
use citizen_window_protocol::heartbeat::{DeviceReport, Heartbeat};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use std::time::{Duration, Instant};

/// Every test staff member's password.
pub const PASSWORD: &str = "a long enough password";

pub fn init_fleet(dir: &std::path::Path) {
    let init = std::process::Command::new(env!("CARGO_BIN_EXE_citizen-central"))
        .args(["init", "--hostname", "localhost", "--dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
}

pub fn browser(dir: &std::path::Path, addr: std::net::SocketAddr) -> reqwest::Client {
    let ca = std::fs::read(dir.join(citizen_central::pki::CA_CERT)).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .resolve("localhost", addr)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` of a Set-Cookie for `name`, and the whole header.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> (String, String) {
    let header = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie"));
    (header.split(';').next().unwrap().to_string(), header)
}

/// A form's body, URL-encoded.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect()
    };
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// Posts the form `pairs` with the cookie `cookie`.
pub async fn post(web: &reqwest::Client, url: String, cookie: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
    let request = web.post(url).header("cookie", cookie).header("content-type", "application/x-www-form-urlencoded");
    request.body(form(pairs)).send().await.unwrap()
}

pub fn form_token(page: &str) -> String {
    let start = page.find(r#"name="csrf" value=""#).expect("a form with its token") + r#"name="csrf" value=""#.len();
    page[start..start + page[start..].find('"').unwrap()].to_string()
}

/// Signs `name` in through the sign-in page; the session cookie and the fleet page.
pub async fn signed_in(
    web: &reqwest::Client,
    at: &dyn Fn(&str) -> String,
    name: &str,
    password: &str,
) -> (String, String) {
    let page = web.get(at("/sign-in")).send().await.unwrap();
    let (pre, _) = set_cookie(&page, "__Host-cw_pre");
    let token = form_token(&page.text().await.unwrap());
    let answer = post(web, at("/sign-in"), &pre, &[("name", name), ("password", password), ("csrf", &token)]).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{name} signs in");
    let (session, _) = set_cookie(&answer, "__Host-cw_session");
    let fleet = web.get(at("/")).header("cookie", &session).send().await.unwrap().text().await.unwrap();
    (session, fleet)
}

/// How the rig's server runs.
pub struct RigOptions {
    /// A postgres:// URL, or SQLite.
    pub database: Option<String>,
    /// The kiosks' heartbeat interval the server expects (central.toml).
    pub heartbeat_interval_seconds: u32,
}

impl Default for RigOptions {
    fn default() -> Self {
        Self { database: None, heartbeat_interval_seconds: 30 }
    }
}

/// A fleet in a folder of its own with `staff` (name, role) and one enrolled kiosk (id, label),
/// its server serving the console; a browser that trusts the fleet's CA.
pub struct Rig {
    pub fleet: tempfile::TempDir,
    pub storage: Storage,
    pub server: RunningServer,
    pub web: reqwest::Client,
    pub console: std::net::SocketAddr,
    options: ServeOptions,
}

impl Rig {
    pub async fn start(staff: &[(&str, &str)], kiosk: (&str, &str)) -> Self {
        Self::start_with(staff, kiosk, RigOptions::default()).await
    }

    pub async fn start_with(staff: &[(&str, &str)], kiosk: (&str, &str), rig: RigOptions) -> Self {
        let fleet = tempfile::tempdir().unwrap();
        let dir = fleet.path();
        init_fleet(dir);
        let mut config = citizen_central::config::CentralConfig::load(dir).unwrap();
        config.heartbeat_interval_seconds = rig.heartbeat_interval_seconds;
        config.save(dir).unwrap();
        let database = rig.database.clone().unwrap_or_else(|| "central.sqlite".into());
        let storage = Storage::open(&database, dir).await.unwrap();
        let hash = citizen_central::console::staff::hash_password(PASSWORD).unwrap();
        for (name, role) in staff {
            storage.add_staff(name, role, &hash, 1).await.unwrap();
        }
        storage.create_enrol_token(&token_hash("t"), i64::MAX).await.unwrap();
        storage.enrol_kiosk(&token_hash("t"), kiosk.0, Some(kiosk.1), 1).await.unwrap();
        let loopback = "127.0.0.1:0".parse().unwrap();
        let options = ServeOptions { console: Some(loopback), database: rig.database, ..ServeOptions::default() };
        let server = start(dir, loopback, &options).await.unwrap();
        let console = server.console_addr.unwrap();
        let web = browser(dir, console);
        Self { storage, web, console, server, fleet, options }
    }

    pub fn at(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.console.port())
    }

    /// Enrols another kiosk (id, label) in the rig's fleet.
    pub async fn enrol(&self, kiosk_id: &str, label: &str) {
        let token = format!("t-{kiosk_id}");
        self.storage.create_enrol_token(&token_hash(&token), i64::MAX).await.unwrap();
        self.storage.enrol_kiosk(&token_hash(&token), kiosk_id, Some(label), 1).await.unwrap().unwrap();
    }

    /// A second server instance on the same fleet and database, with its own console.
    pub async fn another_instance(&self) -> RunningServer {
        start(self.fleet.path(), "127.0.0.1:0".parse().unwrap(), &self.options).await.unwrap()
    }
}

/// A kiosk of the fleet as the server sees it: a key, a certificate the fleet's CA signed for its
/// id, heartbeats over mutual TLS.
pub struct SimKiosk {
    client: reqwest::Client,
    url: String,
    kiosk_id: String,
    fleet: citizen_central::pki::Fleet,
}

impl SimKiosk {
    /// Kiosk `kiosk_id` of the fleet in `dir`, talking to the kiosks' port at `addr`.
    pub fn new(dir: &std::path::Path, addr: std::net::SocketAddr, kiosk_id: &str) -> Self {
        let key = rcgen::KeyPair::generate().unwrap();
        let csr = rcgen::CertificateParams::default().serialize_request(&key).unwrap().pem().unwrap();
        let fleet = citizen_central::pki::Fleet::load(dir).unwrap();
        let certificate = fleet.sign_kiosk_csr(&csr, kiosk_id, 365).unwrap();
        let identity =
            reqwest::Identity::from_pem(format!("{}\n{certificate}", key.serialize_pem()).as_bytes()).unwrap();
        let ca = reqwest::Certificate::from_pem(fleet.ca_pem.as_bytes()).unwrap();
        let client = reqwest::Client::builder()
            .tls_certs_only([ca])
            .identity(identity)
            .resolve("localhost", addr)
            .build()
            .unwrap();
        Self { client, url: format!("https://localhost:{}", addr.port()), kiosk_id: kiosk_id.into(), fleet }
    }

    /// Sends a heartbeat with the printer's paper `paper` (ok, low, out); the answer's status.
    pub async fn heartbeat(&self, paper: &str) -> StatusCode {
        self.heartbeat_with(paper, |_| {}).await
    }

    /// As [`SimKiosk::heartbeat`], the heartbeat changed by `change` first (a lying kiosk's).
    pub async fn heartbeat_with(&self, paper: &str, change: impl FnOnce(&mut Heartbeat)) -> StatusCode {
        let printer_status = if paper == "out" { "user_error" } else { "online" };
        let device = |device: &str, status: &str, paper: Option<&str>| DeviceReport {
            device: device.into(),
            status: status.into(),
            paper: paper.map(str::to_string),
            detail: None,
        };
        let heartbeat = Heartbeat {
            sent_at_ms: citizen_central::api::now_ms(),
            devices: vec![
                device("receipt_printer", printer_status, Some(paper)),
                device("card_reader", "online", None),
            ],
            backlog: 0,
            oldest_pending_ms: None,
            content_version: Some(1),
            software_version: "0.1.0".into(),
            free_disk_bytes: None,
            rejected_bundles: vec![],
            content: None,
            refused_records: 0,
        };
        let mut heartbeat = heartbeat;
        change(&mut heartbeat);
        let path = citizen_window_protocol::paths::HEARTBEAT;
        self.client.post(format!("{}{path}", self.url)).json(&heartbeat).send().await.unwrap().status()
    }
}

impl SimKiosk {
    /// Uploads journal records; the answer's status.
    pub async fn upload(&self, records: Vec<citizen_window_protocol::sync::TransactionRecord>) -> StatusCode {
        let batch = citizen_window_protocol::sync::UploadBatch::of(records);
        let path = citizen_window_protocol::paths::TRANSACTIONS;
        self.client.post(format!("{}{path}", self.url)).json(&batch).send().await.unwrap().status()
    }

    /// Looks a report up as the kiosk's status lookup does.
    pub async fn report_status(&self, tracking_number: &str) -> citizen_window_protocol::services::IssueReportStatus {
        let path =
            citizen_window_protocol::paths::fill(citizen_window_protocol::paths::ISSUE_REPORT, &[tracking_number]);
        let answer = self.client.get(format!("{}{path}", self.url)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        answer.json().await.unwrap()
    }
}

impl SimKiosk {
    /// Calls for staff, as the help page's button does; the call.
    pub async fn call_help(&self) -> citizen_window_protocol::help::HelpCall {
        let path = citizen_window_protocol::paths::HELP_CALLS;
        let answer = self.client.post(format!("{}{path}", self.url)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        answer.json().await.unwrap()
    }

    /// A call's state as the waiting kiosk asks for it: the status, and the call if found.
    pub async fn help_state(&self, call_id: &str) -> (StatusCode, Option<citizen_window_protocol::help::HelpCall>) {
        let path = citizen_window_protocol::paths::fill(citizen_window_protocol::paths::HELP_CALL, &[call_id]);
        let answer = self.client.get(format!("{}{path}", self.url)).send().await.unwrap();
        let status = answer.status();
        (status, if status == StatusCode::OK { Some(answer.json().await.unwrap()) } else { None })
    }

    /// Books `slot_id` for resident number `resident` (sealed as a kiosk seals a lookup).
    pub async fn book(&self, slot_id: &str, resident: u32) -> StatusCode {
        use citizen_window_protocol::resident_seal::{SealPurpose, seal};
        let public = self.fleet.residents.seal_public_key();
        let now = citizen_central::api::now_ms();
        let sealed = seal(&public, &self.kiosk_id, SealPurpose::Lookup, now, &id_number(resident)).unwrap();
        let body = citizen_window_protocol::services::AppointmentRequest { slot_id: slot_id.into(), resident: sealed };
        let path = citizen_window_protocol::paths::APPOINTMENTS;
        let request = self.client.post(format!("{}{path}", self.url)).json(&body);
        let key = format!("book-{slot_id}-{resident}");
        request.header(citizen_window_protocol::IDEMPOTENCY_KEY_HEADER, key).send().await.unwrap().status()
    }

    /// The free places of `slot_id` as the kiosks' slot list of `day` says.
    pub async fn free_places(&self, day: &str, slot_id: &str) -> u32 {
        let path = citizen_window_protocol::paths::APPOINTMENT_SLOTS;
        let answer = self.client.get(format!("{}{path}?day={day}", self.url)).send().await.unwrap();
        let slots: Vec<citizen_window_protocol::services::AppointmentSlot> = answer.json().await.unwrap();
        slots.into_iter().find(|s| s.slot_id == slot_id).unwrap().free
    }
}

/// A journal record of `kind` with `payload`, number `seq` of its kiosk.
pub fn record(seq: u64, kind: &str, payload: serde_json::Value) -> citizen_window_protocol::sync::TransactionRecord {
    let payload = citizen_window_protocol::sync::Payload::from_value(&payload);
    citizen_window_protocol::sync::TransactionRecord {
        id: uuid::Uuid::now_v7(),
        seq,
        kind: kind.into(),
        payload_hash: payload.hash(),
        payload,
        resident: None,
        created_at_ms: citizen_central::api::now_ms(),
    }
}

/// An issue report's record.
pub fn issue_report(
    seq: u64,
    tracking_number: &str,
    place: (&str, &str),
) -> citizen_window_protocol::sync::TransactionRecord {
    let payload = serde_json::json!({
        "tracking_number": tracking_number,
        "category": "leaking_pipe",
        "category_name": ["水管漏水", "Leaking pipe"],
        "place": place.0,
        "place_name": [place.1, "Building"],
    });
    record(seq, "issue_report", payload)
}

/// A resident's ID number (with its check character) from a running number.
pub fn id_number(n: u32) -> String {
    let first17 = format!("11010519800101{n:03}");
    let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
    format!("{first17}{}", citizen_window_protocol::id_number_check::check_character(&bytes))
}

/// A vote of resident `resident` cast at kiosk `kiosk_id` of the fleet in `dir`, on `proposal`,
/// sealed for the server as a kiosk seals it.
pub fn vote(
    dir: &std::path::Path,
    kiosk_id: &str,
    seq: u64,
    proposal: &str,
    resident: u32,
    choice: &str,
    comment: Option<(&str, &str)>,
) -> citizen_window_protocol::sync::TransactionRecord {
    use citizen_window_protocol::resident_seal::{SealPurpose, seal};
    let fleet = citizen_central::pki::Fleet::load(dir).unwrap();
    let payload = serde_json::json!({
        "proposal": proposal,
        "proposal_title": ["增设充电棚", "Charging shelters"],
        "choice": choice,
        "comment": comment,
        "vote_code": format!("K7M2-{seq:04}"),
    });
    let mut record = record(seq, "vote", payload);
    let purpose = SealPurpose::Vote { proposal };
    let public = fleet.residents.seal_public_key();
    record.resident = Some(seal(&public, kiosk_id, purpose, record.created_at_ms, &id_number(resident)).unwrap());
    record
}

/// The live view's events as a browser reads them.
pub struct LiveView {
    response: reqwest::Response,
    buffer: String,
}

/// One server-sent event: its name and data.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    pub name: String,
    pub data: String,
}

impl LiveView {
    pub async fn open(web: &reqwest::Client, url: String, session: &str) -> Self {
        let response = web.get(url).header("cookie", session).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self { response, buffer: String::new() }
    }

    /// The next named event within `limit` (comments are skipped), or None.
    pub async fn next(&mut self, limit: Duration) -> Option<LiveEvent> {
        let deadline = Instant::now() + limit;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .filter_map(|l| l.strip_prefix(name))
                        .map(str::trim_start)
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                let name = field("event:");
                if !name.is_empty() {
                    return Some(LiveEvent { name, data: field("data:") });
                }
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }

    /// The next `row` event of `kiosk_id` whose HTML contains `text`, within `limit`; how long it
    /// took and its HTML.
    pub async fn row_with(&mut self, kiosk_id: &str, text: &str, limit: Duration) -> (Duration, String) {
        let started = Instant::now();
        loop {
            let left = limit.checked_sub(started.elapsed()).unwrap_or_default();
            let event =
                self.next(left).await.unwrap_or_else(|| panic!("no row of {kiosk_id} with {text:?} in {limit:?}"));
            if event.name != "row" {
                continue;
            }
            let data: serde_json::Value = serde_json::from_str(&event.data).unwrap();
            let html = data["html"].as_str().unwrap().to_string();
            if data["id"] == kiosk_id && html.contains(text) {
                return (started.elapsed(), html);
            }
        }
    }
}
