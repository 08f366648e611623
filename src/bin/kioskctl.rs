//! `kioskctl`: the technician's command line for a kiosk, used over SSH. Parses flags, runs one
//! command, prints its report, and turns a failure into one line and a non-zero exit code.

use citizen_window::sync::identity::default_state_dir;
use citizen_window::technician::{
    CommandFailed, content_commands, ports, printer_commands, reader_commands, sync_commands,
};
use citizen_window_hardware::card_reader::ReaderProtocol;
use clap::{Parser, Subcommand};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "kioskctl", about = "Configure, diagnose and repair a Citizen Window kiosk")]
struct Cli {
    /// The kiosk's state folder (identity, journal); default $CITIZEN_WINDOW_STATE or /var/lib/citizen-window.
    #[arg(long, global = true)]
    state: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the serial ports present.
    Ports {
        #[arg(long)]
        json: bool,
    },
    /// Receipt printer commands.
    Printer {
        #[command(subcommand)]
        command: PrinterCommand,
    },
    /// Card reader commands.
    Reader {
        #[command(subcommand)]
        command: ReaderCommand,
    },
    /// Enrol this kiosk with the central server: makes its key (0600), sends its CSR, stores its certificate.
    Enrol {
        /// The server's https:// URL.
        #[arg(long)]
        server: String,
        /// The one-time token from `citizen-central enrol-token`.
        #[arg(long)]
        token: String,
        /// A name for this kiosk in the fleet list.
        #[arg(long)]
        label: Option<String>,
    },
    /// Sync with the central server.
    Sync {
        #[command(subcommand)]
        command: SyncCommand,
    },
    /// The content the server sent.
    Content {
        #[command(subcommand)]
        command: ContentCommand,
    },
}

#[derive(Subcommand)]
enum ContentCommand {
    /// Current, previous and highest version, the last bundle refused and why, damaged files.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Show the previous version again (a deliberate override, recorded) until the server
    /// publishes a newer one.
    Rollback,
}

#[derive(Subcommand)]
enum SyncCommand {
    /// Backlog, oldest pending, last success, last error.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Send everything pending now.
    Now,
    /// Record a test transaction and wait until the server acknowledges it.
    Selftest {
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
}

#[derive(Subcommand)]
enum PrinterCommand {
    /// Show state, paper, cover and errors.
    Status {
        #[arg(long)]
        port: PathBuf,
        #[arg(long, default_value = "generic-58mm")]
        profile: String,
        #[arg(long)]
        json: bool,
    },
    /// Print a test page with Chinese and English text, sizes, a QR code and a cut.
    Test {
        #[arg(long)]
        port: PathBuf,
        #[arg(long, default_value = "generic-58mm")]
        profile: String,
    },
}

#[derive(Subcommand)]
enum ReaderCommand {
    /// Wait for a card and show its fields, the ID number masked.
    Read {
        #[arg(long)]
        port: PathBuf,
        /// sam, rdm6300 or magstripe.
        #[arg(long)]
        protocol: ReaderProtocol,
        #[arg(long)]
        baud: Option<u32>,
        /// Seconds to wait for a card.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        #[arg(long)]
        json: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(output) => print!("{output}"),
        Err(CommandFailed(message)) => {
            eprintln!("kioskctl: {message}");
            std::process::exit(1);
        }
    }
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("reports serialise") + "\n"
}

fn run(cli: Cli) -> Result<String, CommandFailed> {
    let state = cli.state.unwrap_or_else(default_state_dir);
    match cli.command {
        Command::Enrol { server, token, label } => sync_commands::enrol(&state, &server, &token, label.as_deref()),
        Command::Sync { command: SyncCommand::Status { json: as_json } } => {
            let status = sync_commands::status(&state)?;
            Ok(if as_json {
                json(&status)
            } else {
                sync_commands::render_status(&status, citizen_window::journal::now_ms())
            })
        }
        Command::Sync { command: SyncCommand::Now } => {
            let report = sync_commands::sync_now(&state)?;
            Ok(format!(
                "sent {} (new {}, already there {}, conflicts {}); acknowledged through {}\n",
                report.sent, report.inserted, report.duplicates, report.conflicts, report.acknowledged_through
            ))
        }
        Command::Sync { command: SyncCommand::Selftest { timeout } } => {
            let (seq, round_trip) = sync_commands::selftest(&state, Duration::from_secs(timeout))?;
            Ok(format!("test transaction {seq} acknowledged by the server; round trip {} ms\n", round_trip.as_millis()))
        }
        Command::Content { command: ContentCommand::Status { json: as_json } } => {
            let status = content_commands::status(&state)?;
            Ok(if as_json { json(&status) } else { content_commands::render_status(&status) })
        }
        Command::Content { command: ContentCommand::Rollback } => content_commands::rollback(&state),
        Command::Ports { json: as_json } => {
            let ports = ports::list_ports();
            Ok(if as_json { json(&ports) } else { ports::render(&ports) })
        }
        Command::Printer { command: PrinterCommand::Status { port, profile, json: as_json } } => {
            let report = printer_commands::status(&port, &profile)?;
            let output = if as_json { json(&report) } else { printer_commands::render_status(&report) };
            if report.raw.ready_to_print() {
                Ok(output)
            } else {
                print!("{output}");
                Err(CommandFailed(report.message))
            }
        }
        Command::Printer { command: PrinterCommand::Test { port, profile } } => {
            let report = printer_commands::print_test_page(&port, &profile)?;
            Ok(format!(
                "test page printed and confirmed: {} bytes; {}\n",
                report.bytes,
                serde_json::to_string(&report.outcome).unwrap_or_default()
            ))
        }
        Command::Reader { command: ReaderCommand::Read { port, protocol, baud, timeout, json: as_json } } => {
            let report = reader_commands::read_card(&port, protocol, baud, Duration::from_secs(timeout))?;
            Ok(if as_json { json(&report) } else { reader_commands::render(&report) })
        }
    }
}
