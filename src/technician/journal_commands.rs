//! `kioskctl journal list|show|export`: the journal as the technician reads it, whether or not
//! the kiosk runs (SQLite's WAL lets both read). No personal data: records hold none by design
//! (docs/SYNC.md), and a vote's sealed resident key is never shown or exported, only that the
//! record has one.

use super::CommandFailed;
use crate::devices::receipt_copy::read_id;
use crate::journal::{Journal, RecordStanding, journal_path};
use crate::records::{ReceiptNumbering, grouped};
use crate::sync::identity::{KioskIdentity, LOCAL_RESIDENT_SECRET_FILE, identity_dir};
use citizen_window_protocol::china_time;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Records read from the journal at a time.
const PAGE: usize = 1000;
/// An export of more records than this shows a progress bar (on a terminal).
pub const PROGRESS_FROM: u64 = 2000;

fn failed(e: impl std::fmt::Display) -> CommandFailed {
    CommandFailed(e.to_string())
}

fn open(state_dir: &Path) -> Result<Journal, CommandFailed> {
    let path = journal_path(state_dir);
    if !path.exists() {
        return Err(CommandFailed(format!(
            "there is no journal at {}: the kiosk has recorded nothing yet, or --state / state_dir names another folder",
            path.display()
        )));
    }
    Journal::open(&path).map_err(failed)
}

/// The moment `text` names, in ms since the epoch: `2026-12-01`, `2026-12-01 08:30` (China
/// time), or a span back from `now_ms` such as `90m`, `12h`, `7d`.
pub fn parse_moment(text: &str, now_ms: i64) -> Result<i64, CommandFailed> {
    let text = text.trim();
    let span = |unit_ms: i64| text[..text.len() - 1].parse::<u32>().ok().map(|n| now_ms - i64::from(n) * unit_ms);
    let parsed = match text.chars().last() {
        Some('m') => span(60_000),
        Some('h') => span(3_600_000),
        Some('d') => span(86_400_000),
        _ => china_time::parse_date_time(&format!("{text} 00:00"))
            .or_else(|| china_time::parse_date_time(&text.replacen('T', " ", 1))),
    };
    parsed.ok_or_else(|| {
        CommandFailed(format!(
            "{text:?} is not a moment: write a day (2026-12-01), a day and time in China (\"2026-12-01 08:30\"), or a span back from now (90m, 12h, 7d)"
        ))
    })
}

/// One record as the technician sees it, and as it is exported (one JSON line each).
#[derive(Debug, Clone, Serialize)]
pub struct RecordLine {
    pub seq: u64,
    pub id: String,
    pub kind: String,
    /// In China time, `2026-12-01 09:41`.
    pub created_at: String,
    pub created_at_ms: i64,
    /// The number printed on its receipt (none for a record without one).
    pub receipt_number: Option<String>,
    pub receipt: crate::journal::ReceiptState,
    pub delivery: crate::journal::Delivery,
    /// Whether the record carries a sealed resident key (a vote); the key itself never leaves.
    pub sealed_resident: bool,
    pub payload: serde_json::Value,
    pub payload_hash: String,
}

/// Turns the journal's records into [`RecordLine`]s, numbering receipts as the kiosk does.
struct Lines {
    numbering: Option<ReceiptNumbering>,
}

impl Lines {
    /// The kiosk's numbering, if it has its secret yet (none is made here).
    fn of(state_dir: &Path) -> Result<Self, CommandFailed> {
        if !identity_dir(state_dir).join(LOCAL_RESIDENT_SECRET_FILE).exists() {
            return Ok(Self { numbering: None });
        }
        let identity = KioskIdentity::load(state_dir).ok();
        let numbering = crate::runtime::receipt_numbering(state_dir, identity.as_ref()).map_err(failed)?;
        Ok(Self { numbering: Some(numbering) })
    }

    fn line(&self, standing: RecordStanding) -> RecordLine {
        let record = standing.record;
        let has_receipt = standing.receipt != crate::journal::ReceiptState::NotNeeded;
        RecordLine {
            seq: record.seq,
            id: record.id.to_string(),
            created_at: china_time::date_time_text(record.created_at_ms),
            created_at_ms: record.created_at_ms,
            receipt_number: self.numbering.as_ref().filter(|_| has_receipt).map(|n| n.number(record.seq)),
            receipt: standing.receipt,
            delivery: standing.delivery,
            sealed_resident: record.resident.is_some(),
            payload: serde_json::from_str(record.payload.as_str()).unwrap_or(serde_json::Value::Null),
            payload_hash: record.payload_hash,
            kind: record.kind,
        }
    }
}

/// `journal list`: from `since` on, the first `limit` records; without `since`, the last `limit`.
pub fn list(state_dir: &Path, since: Option<i64>, limit: usize) -> Result<(Vec<RecordLine>, u64), CommandFailed> {
    let mut journal = open(state_dir)?;
    let lines = Lines::of(state_dir)?;
    let from = since.unwrap_or(i64::MIN);
    let total = journal.count_since(from).map_err(failed)?;
    let after = match since {
        Some(_) => 0,
        None => journal.last_seq().map_err(failed)?.saturating_sub(limit as u64),
    };
    let standings = journal.standings(from, after, limit).map_err(failed)?;
    Ok((standings.into_iter().map(|s| lines.line(s)).collect(), total))
}

pub fn render_list(lines: &[RecordLine], total: u64) -> String {
    let mut out = format!(
        "{:>7}  {:16}  {:26}  {:14}  {:11}  {}\n",
        "record", "time", "kind", "receipt No.", "receipt", "server"
    );
    for line in lines {
        let number = line.receipt_number.as_deref().map(grouped).unwrap_or_default();
        out.push_str(&format!(
            "{:>7}  {:16}  {:26}  {:14}  {:11}  {}\n",
            line.seq,
            line.created_at,
            line.kind,
            number,
            words(&line.receipt),
            words(&line.delivery)
        ));
    }
    if (lines.len() as u64) < total {
        out.push_str(&format!(
            "{} of {total} records shown: --since and --limit choose others, `kioskctl journal export` gives them all\n",
            lines.len()
        ));
    }
    out
}

/// An enum's serde name with spaces: `not_needed` → `not needed`.
fn words(value: &impl Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(|s| s.replace('_', " "))).unwrap_or_default()
}

/// `journal show ID`: one record by its number in the journal or its receipt's number.
pub fn show(state_dir: &Path, id: &str) -> Result<(RecordLine, Vec<(String, i64)>), CommandFailed> {
    let mut journal = open(state_dir)?;
    let lines = Lines::of(state_dir)?;
    let seq = match &lines.numbering {
        Some(numbering) => read_id(numbering, id),
        None => id.trim().parse().map_err(|_| format!("{id:?} is not a record's number (`kioskctl journal list`)")),
    }
    .map_err(CommandFailed)?;
    let standing = journal.standing(seq).map_err(failed)?;
    let history = journal.receipt_history(seq).map_err(failed)?;
    Ok((lines.line(standing), history))
}

pub fn render_show(line: &RecordLine, history: &[(String, i64)]) -> String {
    let mut out = format!("record:        {}\nid:            {}\nkind:          {}\n", line.seq, line.id, line.kind);
    out.push_str(&format!("created:       {} (China time)\n", line.created_at));
    if let Some(number) = &line.receipt_number {
        out.push_str(&format!("receipt No.:   {}\n", grouped(number)));
    }
    out.push_str(&format!("receipt:       {}\n", words(&line.receipt)));
    for (event, at) in history {
        out.push_str(&format!("               {} {event}\n", china_time::date_time_text(*at)));
    }
    out.push_str(&format!("server:        {}\n", words(&line.delivery)));
    if line.sealed_resident {
        out.push_str("resident:      sealed for the server's one-vote count (never shown)\n");
    }
    out.push_str(&format!("payload hash:  {}\npayload:\n", line.payload_hash));
    let payload = serde_json::to_string_pretty(&line.payload).unwrap_or_default();
    for text in payload.lines() {
        out.push_str(&format!("  {text}\n"));
    }
    out
}

/// `journal export`: every record from `since` on as JSON lines to `out`; `progress` hears how
/// many of how many are written. Returns the count.
pub fn export(
    state_dir: &Path,
    since: Option<i64>,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, CommandFailed> {
    let mut journal = open(state_dir)?;
    let lines = Lines::of(state_dir)?;
    let from = since.unwrap_or(i64::MIN);
    let total = journal.count_since(from).map_err(failed)?;
    let mut written = 0u64;
    let mut after = 0u64;
    loop {
        let page = journal.standings(from, after, PAGE).map_err(failed)?;
        let Some(last) = page.last() else { break };
        after = last.record.seq;
        for standing in page {
            let line = serde_json::to_string(&lines.line(standing)).expect("lines serialise");
            writeln!(out, "{line}").map_err(|e| CommandFailed(format!("the export could not be written: {e}")))?;
            written += 1;
        }
        progress(written, total.max(written));
    }
    out.flush().map_err(|e| CommandFailed(format!("the export could not be written: {e}")))?;
    Ok(written)
}

/// [`export`] to the file `path`, which appears whole (mode 0600) once the export is complete;
/// a failed export leaves no partial file.
pub fn export_to_file(
    state_dir: &Path,
    since: Option<i64>,
    path: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, CommandFailed> {
    use std::os::unix::fs::OpenOptionsExt;
    let cannot = |e: &dyn std::fmt::Display| CommandFailed(format!("cannot write {}: {e}", path.display()));
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&partial)
        .map_err(|e| cannot(&e))?;
    let mut writer = std::io::BufWriter::new(file);
    let written = export(state_dir, since, &mut writer, progress).and_then(|count| {
        let file = writer.into_inner().map_err(|e| cannot(&e))?;
        file.sync_all().map_err(|e| cannot(&e))?;
        std::fs::rename(&partial, path).map_err(|e| cannot(&e))?;
        Ok(count)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_is_a_day_a_day_and_time_in_china_or_a_span_back() {
        let now = 1_796_304_000_000;
        // 2026-12-01 00:00 in China is 2026-11-30 16:00 UTC.
        let day = parse_moment("2026-12-01", now).unwrap();
        assert_eq!(china_time::date_time_text(day), "2026-12-01 00:00");
        assert_eq!(day % 86_400_000, 16 * 3_600_000);
        assert_eq!(parse_moment("2026-12-01 08:30", now).unwrap(), day + 8 * 3_600_000 + 30 * 60_000);
        assert_eq!(parse_moment("2026-12-01T08:30", now).unwrap(), day + 8 * 3_600_000 + 30 * 60_000);
        assert_eq!(parse_moment("90m", now).unwrap(), now - 90 * 60_000);
        assert_eq!(parse_moment("12h", now).unwrap(), now - 12 * 3_600_000);
        assert_eq!(parse_moment("7d", now).unwrap(), now - 7 * 86_400_000);
        for wrong in ["yesterday", "2026-13-01", "2026-12-01 25:00", "h", "-5d", ""] {
            let refused = parse_moment(wrong, now).unwrap_err().0;
            assert!(refused.contains("is not a moment") && refused.contains("7d"), "{wrong}: {refused}");
        }
    }
}
