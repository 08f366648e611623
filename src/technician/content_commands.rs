//! `kioskctl content status` and `kioskctl content rollback`: the content versions the server sent
//! (current, previous, highest accepted, last refused and why, damaged files), and a technician's
//! deliberate return to the previous version, recorded, which the running kiosk shows within
//! seconds and keeps until the server publishes a newer one.

use super::CommandFailed;
use crate::content_store::ContentStore;
use crate::sync::identity::KioskIdentity;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ContentStatus {
    pub current: Option<u64>,
    pub previous: Option<u64>,
    pub highest: u64,
    pub held_back: Option<u64>,
    pub clock_behind: bool,
    /// Files of the current version that do not match its manifest.
    pub damaged_files: Vec<String>,
    pub refused: Vec<Refused>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Refused {
    pub at_ms: i64,
    pub version: u64,
    pub why: String,
}

fn open(state: &Path) -> Result<ContentStore, CommandFailed> {
    let identity = KioskIdentity::load(state).map_err(|e| {
        CommandFailed(format!("{e}: content from the server comes once the kiosk is enrolled (kioskctl enrol)"))
    })?;
    let key = &identity.enrolment.content_signing_public_key_hex;
    // The group and file limit only matter to an apply, which these commands never do.
    ContentStore::open(&crate::content_store::store_dir(state), key, "", u64::MAX)
        .map_err(|e| CommandFailed(format!("the kiosk's content folder cannot be read: {e}")))
}

pub fn status(state: &Path) -> Result<ContentStatus, CommandFailed> {
    let store = open(state)?;
    let status = store.status();
    let damaged = store.damaged_files().map(|(_, files)| files.into_iter().map(|f| f.path).collect());
    Ok(ContentStatus {
        current: status.current,
        previous: status.previous,
        highest: status.highest,
        held_back: status.held_back,
        clock_behind: status.clock_behind,
        damaged_files: damaged.unwrap_or_default(),
        refused: status.refused.into_iter().map(|(at_ms, version, why)| Refused { at_ms, version, why }).collect(),
    })
}

pub fn render_status(status: &ContentStatus) -> String {
    let version = |v: Option<u64>| v.map_or("none".to_string(), |v| format!("version {v}"));
    let mut out = match status.current {
        Some(v) => format!("showing: version {v} from the server\n"),
        None => "showing: the content folder of the configuration (nothing from the server yet)\n".to_string(),
    };
    out += &format!("previous: {}\nhighest accepted: {}\n", version(status.previous), status.highest);
    if let Some(held) = status.held_back {
        out += &format!("rolled back by a technician: versions up to {held} wait for a newer one\n");
    }
    if status.clock_behind {
        out += "clock: behind the server's signing time; bundles are judged at their signing (check the time source)\n";
    }
    if !status.damaged_files.is_empty() {
        out += &format!(
            "damaged on disk: {} (fetched again by the running kiosk; the last whole version shows meanwhile)\n",
            status.damaged_files.join(", ")
        );
    }
    match status.refused.first() {
        None => out += "last refused: none\n",
        Some(last) => {
            let when = citizen_window_protocol::china_time::date_time_text(last.at_ms);
            out += &format!("last refused: version {} at {when}: {}\n", last.version, last.why);
        }
    }
    out
}

/// Switches back to the previous version; returns the line to print.
pub fn rollback(state: &Path) -> Result<String, CommandFailed> {
    let store = open(state)?;
    let who = std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "unknown".into());
    let (from, to) = store.roll_back(crate::journal::now_ms(), &format!("kioskctl ({who})")).map_err(CommandFailed)?;
    tracing::warn!(from, to, "content rolled back by a technician");
    Ok(format!(
        "rolled back from version {from} to {to}; the running kiosk shows it within seconds (between residents) and keeps it until the server publishes a version newer than {from}; recorded in {}\n",
        crate::content_store::store_dir(state).join("overrides.log").display()
    ))
}

/// The current version (if any) and what is wrong with it: an unreadable or wrongly signed
/// manifest, a file missing or not matching it.
pub fn verify(state: &Path) -> Result<(Option<u64>, Vec<String>), CommandFailed> {
    let store = open(state)?;
    let current = store.status().current;
    Ok((current, store.verify_current().iter().map(ToString::to_string).collect()))
}
