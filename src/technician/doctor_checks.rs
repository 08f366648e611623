//! The checks of `kioskctl doctor` but the display's: configuration, printer, reader, scanner,
//! sound, clock, certificate, server, disk, journal and content. Each returns one [`Check`] saying what it
//! found and, for a problem, what to do.

use super::doctor::{Check, DoctorOptions};
use super::status_report::LiveStatus;
use crate::config::Config;
use crate::devices::device_board::{CARD_READER, PRINTER, SCANNER, SOUND};
use crate::sync::SyncError;
use crate::sync::identity::KioskIdentity;
use citizen_window_hardware::card_reader::ReaderProtocol;
use citizen_window_hardware::sam::reader::SamReader;
use citizen_window_hardware::serial_link::{LinkOpener, SerialPortOpener};
use std::path::Path;

const DAY_MS: i64 = 86_400_000;

pub fn configuration(file: &Path, problem: Option<String>) -> Check {
    match problem {
        Some(problem) => Check::fail(
            "configuration",
            problem,
            "fix the value named (`kioskctl config set KEY VALUE` checks before writing); the kiosk will not start until then",
        ),
        None if !file.exists() => Check::warn(
            "configuration",
            format!("there is no {}: every key has its default (no printer, no reader)", file.display()),
            "install the package's configuration or write one (`kioskctl config set ...`)",
        ),
        None => Check::pass("configuration", format!("{} is valid", file.display())),
    }
}

/// The printer: as the running kiosk reports it, else asked on its port.
pub fn printer(config: &Config, running: Option<&LiveStatus>) -> Check {
    let Some(setup) = &config.printer else { return Check::pass("printer", "none configured") };
    let port = setup.port.display().to_string();
    if let Some(live) = running {
        return from_board(live, PRINTER, "printer", &port);
    }
    if !setup.port.exists() {
        return unplugged("printer", &port);
    }
    match setup.driver().status() {
        Err(e) => Check::fail(
            "printer",
            format!("{port} does not answer: {e}"),
            format!(
                "check the printer is switched on and its cable; check the profile's baud rate ({}, printer.profile)",
                setup.profile.baud
            ),
        ),
        Ok(status) if status.ready_to_print() => {
            let paper = status.paper().to_string();
            if paper == "low" {
                Check::warn("printer", format!("{port}: ready, paper low"), "put in a new roll soon")
            } else {
                Check::pass("printer", format!("{port}: ready, paper {paper}"))
            }
        }
        Ok(status) => {
            let fix = if status.cover_open {
                "close the printer's cover".to_string()
            } else if status.paper().to_string() == "out" {
                "load a paper roll; receipts not printed meanwhile can be reprinted (补打)".to_string()
            } else {
                format!("{} (then `kioskctl printer test --port {port}`)", status.required_action())
            };
            Check::fail("printer", format!("{port}: {}", status.describe()), fix)
        }
    }
}

/// The card reader: as the running kiosk reports it, else asked on its port (a SAM reader is
/// asked for its module's identity; the other readers only speak when a card comes, so their
/// port is opened).
pub fn reader(config: &Config, running: Option<&LiveStatus>) -> Check {
    let Some(setup) = &config.reader else { return Check::pass("reader", "none configured") };
    let port = setup.port.display().to_string();
    if let Some(live) = running {
        return from_board(live, CARD_READER, "reader", &port);
    }
    if !setup.port.exists() {
        return unplugged("reader", &port);
    }
    let baud = setup.protocol.default_baud();
    match setup.protocol {
        ReaderProtocol::Sam => match SamReader::new(SerialPortOpener::new(&setup.port, baud), baud).sam_id() {
            Ok(id) => Check::pass("reader", format!("{port}: SAM module {id} answers")),
            Err(e) => Check::fail(
                "reader",
                format!("{port}: the SAM module does not answer: {e}"),
                "check the reader's power and cable, and that reader.protocol is right (`kioskctl reader read` to try a card)",
            ),
        },
        ReaderProtocol::Rdm6300 | ReaderProtocol::Magstripe => match SerialPortOpener::new(&setup.port, baud).open() {
            Ok(_) => Check::pass("reader", format!("{port}: opens (this reader speaks only when a card comes)")),
            Err(e) => Check::fail(
                "reader",
                format!("{port} cannot be opened: {e}"),
                "run doctor as root; check that nothing else holds the port (`fuser {port}`)",
            ),
        },
    }
}

/// The code scanner: as the running kiosk reports it, else its port opened (a scanner speaks only
/// when a code is scanned; `kioskctl scanner read` tries one).
pub fn scanner(config: &Config, running: Option<&LiveStatus>) -> Check {
    let Some(setup) = &config.scanner else { return Check::pass("scanner", "none configured") };
    let port = setup.port.display().to_string();
    if let Some(live) = running {
        return from_board(live, SCANNER, "scanner", &port);
    }
    if !setup.port.exists() {
        return unplugged("scanner", &port);
    }
    match SerialPortOpener::new(&setup.port, setup.baud).open() {
        Ok(_) => Check::pass("scanner", format!("{port}: opens (`kioskctl scanner read --port {port}` to try a code)")),
        Err(e) => Check::fail(
            "scanner",
            format!("{port} cannot be opened: {e}"),
            "run doctor as root; check that nothing else holds the port (`fuser {port}`)",
        ),
    }
}

/// The sound output of the voice prompts: as the running kiosk reports it, else opened. Without
/// one the kiosk runs on silent, so a missing device is a warning.
pub fn sound(config: &Config, running: Option<&LiveStatus>) -> Check {
    let Some(device) = &config.voice.device else {
        return Check::pass("sound", "none configured: the kiosk is silent");
    };
    let fix = "check the sound card (`aplay -l`), the speaker's cable and voice.device (`aplay -L` lists the devices); \
               the kiosk works on without its voice meanwhile";
    if let Some(live) = running {
        let report = live.devices.iter().find(|d| d.device == SOUND);
        return match report {
            Some(report) if report.status == "online" => {
                Check::pass("sound", format!("ALSA {device}: plays, as the running kiosk sees it"))
            }
            Some(report) => {
                let detail = report.detail.as_deref().unwrap_or(report.status.as_str());
                Check::warn("sound", format!("{detail}, as the running kiosk sees it"), fix)
            }
            None => Check::warn("sound", "the running kiosk does not report it", "see `kioskctl logs`"),
        };
    }
    match crate::voice::AlsaOutput::probe(device) {
        Ok(()) => Check::pass("sound", format!("ALSA {device}: opens for playback")),
        Err(e) => Check::warn("sound", format!("ALSA {device}: {e}"), fix),
    }
}

fn unplugged(name: &str, port: &str) -> Check {
    Check::fail(
        name,
        format!("{port} is not there: unplugged?"),
        "check the cable and the USB adapter; `kioskctl ports` lists the ports present, `ls -l /dev/kiosk-*` the \
         stable names (docs/INSTALL.md, \"Serial devices\")",
    )
}

/// A device as the running kiosk last saw it.
fn from_board(live: &LiveStatus, device: &str, name: &str, port: &str) -> Check {
    let Some(report) = live.devices.iter().find(|d| d.device == device) else {
        return Check::warn(name, "the running kiosk does not report it", "see `kioskctl logs`");
    };
    let detail = report.detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
    let paper = report.paper.as_deref().map(|p| format!(", paper {p}")).unwrap_or_default();
    let found = format!("{port}: {}{paper}{detail}, as the running kiosk sees it", report.status);
    match (report.status.as_str(), report.paper.as_deref()) {
        ("online", Some("low")) => Check::warn(name, found, "put in a new roll soon"),
        ("online", _) => Check::pass(name, found),
        (_, Some("out")) => {
            Check::fail(name, found, "load a paper roll; receipts not printed meanwhile can be reprinted (补打)")
        }
        ("no_device", _) => Check::fail(name, found, "check the cable and the USB adapter; `kioskctl ports`"),
        _ => Check::fail(name, found, "see the detail; `kioskctl logs` shows what the kiosk saw"),
    }
}

/// The server check, with the server's clock for the clock check.
pub struct ServerCheck {
    pub check: Check,
    pub server_time_ms: Option<i64>,
}

/// One authenticated request to the server: reachable, and does it take this kiosk's
/// certificate, and is it the server the kiosk was enrolled with.
pub fn server(config: &Config) -> ServerCheck {
    let identity = match KioskIdentity::load(&config.state_dir) {
        Ok(identity) => identity,
        Err(_) => {
            let check = Check::fail(
                "server",
                "not enrolled: the kiosk has no server",
                "kioskctl enrol --server URL --token TOKEN",
            );
            return ServerCheck { check, server_time_ms: None };
        }
    };
    let url = identity.enrolment.server_url.clone();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            return ServerCheck { check: Check::fail("server", e.to_string(), "see the error"), server_time_ms: None };
        }
    };
    let group = config.content_updates.group.clone();
    let answer = runtime.block_on(async {
        let client = crate::sync::server_client::ServerClient::new(&identity)?;
        match client.check_in(&group).await {
            Ok(check_in) => Ok(check_in),
            // A bare failure ("connection closed") says little: a handshake of its own tells.
            Err(e) => Err(crate::sync::tls_probe::diagnose(&url, &identity).await.unwrap_or(e)),
        }
    });
    let (check, server_time_ms) = match answer {
        Ok(check_in) => {
            let found = format!("{url} answers over mutual TLS in {} ms", check_in.round_trip.as_millis());
            (Check::pass("server", found), check_in.server_time_ms)
        }
        Err(e) if e.refuses_this_kiosk() => (
            Check::fail(
                "server",
                format!("{url} refuses this kiosk: {e}"),
                "the kiosk was revoked or its certificate expired: ask the office for a token (`citizen-central \
                 enrol-token`) and run `kioskctl enrol` again",
            ),
            None,
        ),
        Err(SyncError::UntrustedServer(why)) => (
            Check::fail(
                "server",
                format!("{url} presents a certificate from another CA than the kiosk was enrolled with ({why})"),
                "something else answers at that address (a wrong DNS entry, a proxy), or the fleet was set up again: \
                 check the address; if the fleet is new, enrol the kiosk again",
            ),
            None,
        ),
        Err(e) => (
            Check::fail(
                "server",
                format!("{url} does not answer: {e}"),
                "check the network (`ip route`, `ping`), the name (`getent hosts`), the firewall, and that the \
                 server runs; the kiosk keeps working offline and sends its backlog later",
            ),
            None,
        ),
    };
    ServerCheck { check, server_time_ms }
}

/// The clock: against the server's when it answered; at least after the certificate's start.
pub fn clock(config: &Config, server_time_ms: Option<i64>, options: &DoctorOptions) -> Check {
    let now = crate::journal::now_ms();
    let shown = format!("{} (China time)", citizen_window_protocol::china_time::date_time_text(now));
    let fix = "set the time source: `timedatectl set-ntp true`, then `timedatectl status` should say synchronized; \
               a wrong clock prints wrong receipts and fails TLS";
    if let Some(server) = server_time_ms {
        let offset = (now - server) / 1000;
        if offset.abs() > options.max_clock_offset_seconds {
            let way = if offset > 0 { "ahead of" } else { "behind" };
            return Check::fail("clock", format!("{shown}: {} s {way} the server's clock", offset.abs()), fix);
        }
        return Check::pass("clock", format!("{shown}, within {} s of the server's", offset.abs().max(1)));
    }
    let starts = KioskIdentity::load(&config.state_dir)
        .ok()
        .and_then(|identity| crate::sync::renewal::validity_ms(&identity.cert_pem))
        .map(|(start, _)| start);
    match starts {
        Some(start) if now < start => {
            Check::fail("clock", format!("{shown}: before the kiosk's certificate was made"), fix)
        }
        _ => Check::warn(
            "clock",
            format!("{shown}: not compared (the server did not answer)"),
            "check `timedatectl status` says the clock is synchronized",
        ),
    }
}

/// The kiosk's certificate: readable, in force, how long left.
pub fn certificate(config: &Config) -> Check {
    let Ok(identity) = KioskIdentity::load(&config.state_dir) else {
        return Check::fail(
            "certificate",
            "none: the kiosk is not enrolled, so it works offline",
            "ask the office for a token (`citizen-central enrol-token`) and run `kioskctl enrol`",
        );
    };
    let Some((_, ends)) = crate::sync::renewal::validity_ms(&identity.cert_pem) else {
        return Check::fail(
            "certificate",
            "the kiosk's certificate cannot be read",
            "enrol the kiosk again (`kioskctl enrol`)",
        );
    };
    let days = (ends - crate::journal::now_ms()).div_euclid(DAY_MS);
    let enrol_again = "ask the office for a token (`citizen-central enrol-token`) and run `kioskctl enrol` again";
    if days < 0 {
        Check::fail("certificate", format!("expired {} days ago: the server refuses it", -days), enrol_again)
    } else if days <= super::status_report::CERTIFICATE_WARNING_DAYS {
        Check::warn(
            "certificate",
            format!("{days} days left"),
            format!("the kiosk renews it by itself while it reaches the server; if it cannot, {enrol_again}"),
        )
    } else {
        Check::pass("certificate", format!("{days} days left ({})", identity.enrolment.kiosk_id))
    }
}

pub fn disk(config: &Config, options: &DoctorOptions) -> Check {
    let Some(free) = crate::sync::heartbeat::free_disk_bytes(&config.state_dir) else {
        return Check::fail(
            "disk",
            format!("{} cannot be read", config.state_dir.display()),
            "check the state folder exists (state_dir) and the disk is mounted",
        );
    };
    let free_mib = free >> 20;
    if free_mib < options.min_free_mib {
        Check::fail(
            "disk",
            format!(
                "{free_mib} MiB free on the disk of {} (less than {} MiB)",
                config.state_dir.display(),
                options.min_free_mib
            ),
            "free space: old logs (`journalctl --vacuum-size=100M`), old packages (`apt clean`); the journal keeps \
             every transaction until the server has it",
        )
    } else {
        Check::pass("disk", format!("{free_mib} MiB free"))
    }
}

pub fn journal(config: &Config) -> Check {
    let path = crate::journal::journal_path(&config.state_dir);
    if !path.exists() {
        return Check::pass("journal", "none yet (made at the kiosk's first start)");
    }
    match crate::journal::integrity_check(&path) {
        Ok(()) => {
            let size = std::fs::metadata(&path).map_or(0, |m| m.len());
            Check::pass("journal", format!("{} is intact ({:.1} MiB)", path.display(), size as f64 / 1048576.0))
        }
        Err(found) => Check::fail(
            "journal",
            format!("{} is damaged: {found}", path.display()),
            "stop the kiosk (`systemctl stop citizen-window`), keep a copy of the file, and call the maintainers: \
             transactions not yet sent can be recovered from it (`sqlite3 journal.sqlite .recover`)",
        ),
    }
}

/// The server's content on disk: the current version's signature and files.
pub fn content(config: &Config) -> Check {
    if KioskIdentity::load(&config.state_dir).is_err() {
        return Check::pass("content", format!("the installed folder {} (not enrolled)", config.content_dir.display()));
    }
    match super::content_commands::verify(&config.state_dir) {
        Err(e) => Check::fail("content", e.to_string(), "see `kioskctl content status`"),
        Ok((None, _)) => Check::pass("content", "nothing published yet: the installed folder shows"),
        Ok((Some(version), problems)) if problems.is_empty() => {
            Check::pass("content", format!("version {version}: signature and every file match"))
        }
        Ok((Some(version), problems)) => Check::fail(
            "content",
            format!("version {version}: {}", problems.join("; ")),
            "the running kiosk fetches damaged files again by itself at its next file check; `kioskctl restart` \
             checks at once, and `kioskctl content rollback` shows the previous version meanwhile",
        ),
    }
}
