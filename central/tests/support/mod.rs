//! What the central server's tests share: a fresh PostgreSQL database for each test that wants one.
#![allow(dead_code)]

use citizen_central::storage::postgres_tls;

/// A new, empty database on the test PostgreSQL (`CITIZEN_CENTRAL_TEST_POSTGRES`, a postgres:// URL
/// of a server where the test may create databases; scripts/test.sh starts one), or None outside
/// CI when there is none.
pub async fn postgres_test_database() -> Option<String> {
    let Ok(base) = std::env::var("CITIZEN_CENTRAL_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must provide PostgreSQL: set CITIZEN_CENTRAL_TEST_POSTGRES (scripts/test.sh does)"
        );
        eprintln!("CITIZEN_CENTRAL_TEST_POSTGRES is not set: run scripts/test.sh to test against PostgreSQL");
        return None;
    };
    let client = postgres_tls::connect_one(&base).await.expect("test PostgreSQL reachable");
    let name = format!("citizen_test_{}", uuid::Uuid::now_v7().simple());
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    Some(postgres_tls::with_database(&base, &name))
}
