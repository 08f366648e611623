//! The server against its own OpenAPI document: schemathesis (from PyPI, installed by
//! scripts/setup.sh) generates requests from the document, sends them to the real server over
//! mutual TLS with an enrolled kiosk's certificate, and fails on any server error, any status the
//! document does not list, any answer of another content type, and any body that breaks its
//! schema. Bounded: a fixed number of examples per route and a deadline for the whole run.

mod support;

use citizen_central::server::ServeOptions;
use std::path::PathBuf;
use std::time::Duration;
use support::{TestFleet, TestKiosk};

/// Where scripts/setup.sh puts schemathesis (or `CITIZEN_SCHEMATHESIS`).
fn schemathesis() -> Option<PathBuf> {
    let path = std::env::var_os("CITIZEN_SCHEMATHESIS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tools/schemathesis/bin/schemathesis")
    });
    path.exists().then_some(path)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_keeps_its_openapi_contract_under_generated_requests() {
    let Some(schemathesis) = schemathesis() else {
        assert!(std::env::var_os("CI").is_none(), "CI must provide schemathesis: run scripts/setup.sh");
        eprintln!("schemathesis is not installed: run scripts/setup.sh to run the API contract test");
        return;
    };
    // A push stream ends after its first event here: a generated request must get its whole answer.
    let streams = citizen_central::api::StreamTiming { keep_alive: Duration::from_secs(1), lifetime: Duration::ZERO };
    let options = ServeOptions {
        database: None,
        demo_payments: false,
        limits: None,
        content_streams: Some(streams),
        console: None,
    };
    let fleet = TestFleet::start_with_options(&options, |router| router).await;
    let kiosk = TestKiosk::enrol(&fleet).await;
    let identity = kiosk.state.path().join("identity");
    let report = tempfile::tempdir().unwrap();
    let mut command = tokio::process::Command::new(schemathesis);
    command
        .arg("run")
        .arg(format!("{}/v1/openapi.json", fleet.url))
        .arg("--request-cert")
        .arg(identity.join("kiosk.pem"))
        .arg("--request-cert-key")
        .arg(identity.join("kiosk.key"))
        .arg("--tls-verify")
        .arg(identity.join("fleet-ca.pem"))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        ])
        .args(["--max-examples", "100", "--workers", "2", "--seed", "20261129", "--no-color"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--request-timeout", "10"])
        .current_dir(report.path())
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(900), command.output())
        .await
        .expect("schemathesis finished within 15 minutes")
        .expect("schemathesis runs");
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    println!("{said}");
    assert!(output.status.success(), "schemathesis found the server breaking its contract:\n{said}");
    assert!(said.contains("passed") || said.contains("Passed"), "{said}");
}
