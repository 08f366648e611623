//! Shared test rig: a fleet (CA, server certificate, keys) in a temporary folder, the real
//! central server on a loopback port, and kiosks enrolled with it.
#![allow(dead_code)]

pub mod fault_proxy;
pub mod http_faults;
pub mod raw_tls;

use citizen_central::server::{RunningServer, ServeOptions};
use citizen_central::storage::{Storage, token_hash};
use citizen_central::{config::CentralConfig, pki};
use citizen_window::journal::Journal;
use citizen_window::sync::identity::KioskIdentity;
use citizen_window::sync::server_client::ServerClient;
use citizen_window::sync::uploader::SharedJournal;
use std::path::Path;
use std::sync::{Arc, Mutex};

pub struct TestFleet {
    pub dir: tempfile::TempDir,
    pub server: RunningServer,
    pub url: String,
}

impl TestFleet {
    /// A new fleet with its server on 127.0.0.1 and an ephemeral port; `database` overrides SQLite.
    pub async fn start(database: Option<&str>) -> Self {
        Self::start_with(database, |router| router).await
    }

    /// A fleet whose server's router is wrapped by `customize` (fault injection).
    pub async fn start_with(database: Option<&str>, customize: impl FnOnce(axum::Router) -> axum::Router) -> Self {
        // The demo payment page stands in for a phone paying; the payment tests without it start
        // their own server.
        let options = ServeOptions {
            database: database.map(str::to_string),
            demo_payments: true,
            limits: None,
            content_streams: None,
            console: None,
        };
        Self::start_with_options(&options, customize).await
    }

    /// A fleet whose server runs with `options`.
    pub async fn start_with_options(
        options: &ServeOptions,
        customize: impl FnOnce(axum::Router) -> axum::Router,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        pki::init_fleet(dir.path(), &["localhost".into(), "127.0.0.1".into()]).unwrap();
        let config = CentralConfig {
            database: "central.sqlite".into(),
            public_url: "https://localhost:1".into(),
            appointment_horizon_days: 30,
            kiosk_certificate_days: 365,
            heartbeat_interval_seconds: 30,
        };
        config.save(dir.path()).unwrap();
        let listen = "127.0.0.1:0".parse().unwrap();
        let server = citizen_central::server::start_with(dir.path(), listen, options, customize).await.unwrap();
        let url = format!("https://localhost:{}", server.addr.port());
        Self { dir, server, url }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A fresh one-time enrolment token.
    pub async fn token(&self) -> String {
        let storage = Storage::open("central.sqlite", self.path()).await.unwrap();
        let fleet = pki::Fleet::load(self.path()).unwrap();
        let token = format!("{}.{}", pki::random_hex(16), pki::ca_fingerprint(&fleet.ca_pem).unwrap());
        storage.create_enrol_token(&token_hash(&token), i64::MAX).await.unwrap();
        token
    }

    /// Enrols a kiosk whose state lives in `state`; returns its identity.
    pub async fn enrol(&self, state: &Path) -> KioskIdentity {
        let token = self.token().await;
        citizen_window::sync::enrolment::enrol(state, &self.url, &token, Some("test kiosk")).await.unwrap()
    }

    pub async fn storage(&self) -> Storage {
        Storage::open("central.sqlite", self.path()).await.unwrap()
    }
}

/// A kiosk: its state folder, journal and client.
pub struct TestKiosk {
    pub state: tempfile::TempDir,
    pub identity: KioskIdentity,
    pub journal: SharedJournal,
    pub client: ServerClient,
}

impl TestKiosk {
    pub async fn enrol(fleet: &TestFleet) -> Self {
        let state = tempfile::tempdir().unwrap();
        let identity = fleet.enrol(state.path()).await;
        let journal = Arc::new(Mutex::new(Journal::open(&journal_path(state.path())).unwrap()));
        let client = ServerClient::new(&identity).unwrap();
        Self { state, identity, journal, client }
    }

    /// A resident whose ID card (any kind the reader returns) was read at this kiosk, held as the
    /// reader thread holds them.
    pub fn resident(&self, id_number: &str) -> citizen_window::resident_key::ResidentHandle {
        use citizen_window_hardware::sam::IdNumber;
        let enrolment = &self.identity.enrolment;
        let local_secret = citizen_window::sync::identity::local_resident_secret(self.state.path()).unwrap();
        citizen_window::resident_key::ResidentSealer::new(
            &enrolment.resident_seal_public_key_hex,
            &enrolment.kiosk_id,
            local_secret,
        )
        .unwrap()
        .hold(&IdNumber::parse(id_number).or_else(|_| IdNumber::parse_foreign_2017(id_number)).unwrap())
    }
}

pub use citizen_window::journal::journal_path;

/// The central server's tests' own helpers, shared: a fresh PostgreSQL database per test.
#[path = "../../central/tests/support/mod.rs"]
mod central_support;
#[allow(unused_imports)] // not every test binary that takes the support module uses it
pub use central_support::postgres_test_database;
