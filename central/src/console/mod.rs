//! The community office's console (docs/CONSOLE.md): staff of the office sign in with a name and
//! a password. The staff accounts (`staff`), their passwords (Argon2id) and how repeated wrong
//! passwords slow down and then lock a name; signing in and sessions (`auth`); the console's own
//! HTTPS port (`listener`) and its routes (`web`) with the pages (`pages`); the fleet watch
//! (`fleet_watch`) and the fleet page's live view (`live`); the residents' reports
//! (`report_routes`); the votes (`vote_routes`); appointments and tickets (`station_routes`); the
//! residents' ratings (`rating_routes`); answering a kiosk's call for staff (`help_routes`); exporting transactions (`export_routes`). Every change, and every export, goes to the audit
//! log.

pub mod auth;
mod export_routes;
pub mod fleet_watch;
mod help_routes;
pub mod listener;
mod live;
mod pages;
mod rating_routes;
mod report_routes;
pub mod staff;
mod station_routes;
mod vote_routes;
pub mod web;
