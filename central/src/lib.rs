//! The reference central server of a Citizen Window fleet: enrolment, transaction sync, heartbeats
//! and online services over HTTPS with mutual TLS, on SQLite or PostgreSQL.

pub mod api;
pub mod calendar;
pub mod config;
pub mod connection_limits;
pub mod console;
pub mod content_bell;
pub mod content_report;
pub mod content_shelf;
pub mod demo_data;
pub mod fleet_bell;
pub mod kiosk_condition;
pub mod memory_trim;
pub mod pg_listen;
pub mod pki;
pub mod publish;
pub mod push_connections;
pub mod rating_tally;
pub mod report_workflow;
pub mod residents;
pub mod rollout;
pub mod server;
pub mod storage;
pub mod tls_server;
pub mod vote_results;
