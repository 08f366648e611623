//! `kioskctl`: the technician's command line for a kiosk, used over SSH. Parses flags, runs one
//! command, prints its report, and turns a failure into one line and a non-zero exit code.

use citizen_window::config::Config;
use citizen_window::config::file::default_config_path;
use citizen_window::control::client;
use citizen_window::sync::identity::default_state_dir;
use citizen_window::technician::{
    CommandFailed, config_commands, content_commands, doctor, journal_commands, ports, printer_commands,
    reader_commands, scanner_commands, status_report, sync_commands,
};
use citizen_window_hardware::card_reader::ReaderProtocol;
use clap::{CommandFactory, Parser, Subcommand};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "kioskctl", version, about = "Configure, diagnose and repair a Citizen Window kiosk")]
struct Cli {
    /// The kiosk's configuration file; default $CITIZEN_WINDOW_CONFIG or /etc/citizen-window/kiosk.toml.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// The kiosk's state folder (identity, journal); default the configuration's state_dir, else
    /// $CITIZEN_WINDOW_STATE or /var/lib/citizen-window.
    #[arg(long, global = true)]
    state: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The kiosk at a glance: versions, uptime, devices, paper, server link, sync backlog, disk,
    /// certificate, the page shown; from the running kiosk, else from its files.
    Status {
        #[arg(long)]
        json: bool,
        /// Show it again every 2 seconds until Ctrl+C.
        #[arg(long)]
        watch: bool,
    },
    /// Check every part: configuration, printer, reader, scanner, clock, certificate, server, disk, journal,
    /// content, display; for each failure, what to do. Exits 1 if any check fails.
    Doctor {
        #[arg(long)]
        json: bool,
        /// Less free space than this (MiB) on the state folder's disk fails.
        #[arg(long, default_value_t = status_report::LOW_DISK_BYTES >> 20)]
        min_free_mib: u64,
    },
    /// Read and change the configuration file (docs/CONFIG.md).
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Quit the running kiosk, for systemd to start it again.
    Restart,
    /// The kiosk's log (the systemd journal of citizen-window.service): the last 200 lines.
    Logs {
        /// Keep showing new lines until Ctrl+C.
        #[arg(long, short)]
        follow: bool,
    },
    /// The journal: every transaction this kiosk recorded, with its receipt and whether the
    /// server has it. No personal data is shown or exported.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Receipts.
    Receipt {
        #[command(subcommand)]
        command: ReceiptCommand,
    },
    /// Print kioskctl's shell completions (the Debian package installs them).
    Completions { shell: clap_complete::Shell },
    /// Print kioskctl's manual page, in roff (the Debian package installs it).
    Man,
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
    /// QR/barcode scanner commands.
    Scanner {
        #[command(subcommand)]
        command: ScannerCommand,
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
enum ConfigCommand {
    /// Every key with its value; the defaults marked.
    Show,
    /// One key's value.
    Get { key: String },
    /// Set KEY VALUE (several pairs at once: `set reader.port /dev/kiosk-reader reader.protocol sam`),
    /// checked, written atomically and applied to the running kiosk where it can be.
    Set {
        #[arg(required = true, num_args = 2.., value_names = ["KEY", "VALUE"])]
        pairs: Vec<String>,
    },
    /// Take keys out (their defaults apply), or a whole section such as `reader`.
    Unset {
        #[arg(required = true)]
        keys: Vec<String>,
    },
    /// Check a file as the kiosk would read it (default: the configuration file).
    Validate { file: Option<PathBuf> },
    /// Every key: default, what is allowed, when a change applies.
    Keys,
}

#[derive(Subcommand)]
enum JournalCommand {
    /// The last records, or those from a moment on.
    List {
        /// From this moment on: a day (2026-12-01), a day and time in China ("2026-12-01 08:30"),
        /// or a span back from now (90m, 12h, 7d).
        #[arg(long)]
        since: Option<String>,
        /// At most this many records.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// One record in full, by its number in the journal or its receipt's number.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Every record (from a moment on) as JSON lines, to a file or standard output, with a
    /// progress bar when long.
    Export {
        /// From this moment on (as for `list`).
        #[arg(long)]
        since: Option<String>,
        /// Write here (replaced whole once complete) rather than to standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ReceiptCommand {
    /// Print a receipt again, marked as a copy (补打), by its receipt number or its record's
    /// number: through the running kiosk, or directly when the kiosk program is stopped.
    Reprint { id: String },
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

#[derive(Subcommand)]
enum ScannerCommand {
    /// Wait for a code and show it, with what the kiosk makes of it.
    Read {
        #[arg(long)]
        port: PathBuf,
        /// 9600 or 115200, as the scanner module is set.
        #[arg(long, default_value_t = 9600)]
        baud: u32,
        /// Seconds to wait for a code.
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

/// The configuration file, whether it exists, and the configuration it gives (the defaults when
/// there is none, or when it does not check: then a warning).
fn configuration(path: Option<PathBuf>) -> (PathBuf, bool, Config, Option<String>) {
    let path = path.unwrap_or_else(default_config_path);
    let exists = path.exists();
    let loaded = exists.then(|| Config::load(&path)).transpose();
    let problem = loaded.as_ref().err().map(ToString::to_string);
    let config = loaded
        .inspect_err(|e| eprintln!("kioskctl: warning: {e}; the defaults are used"))
        .ok()
        .flatten()
        .unwrap_or_else(|| Config::parse("", &path).expect("the defaults are valid"));
    (path, exists, config, problem)
}

fn run(cli: Cli) -> Result<String, CommandFailed> {
    let (config_path, config_exists, mut config, config_problem) = configuration(cli.config);
    if !config_exists && cli.state.is_none() {
        config.state_dir = default_state_dir();
    }
    if let Some(state) = cli.state {
        config.state_dir = state;
    }
    let state = config.state_dir.clone();
    match cli.command {
        Command::Status { json: as_json, watch } => loop {
            let status = client::status(&config, config_exists.then_some(config_path.as_path()))?;
            let output =
                if as_json { json(&status) } else { status_report::render(&status, citizen_window::journal::now_ms()) };
            if !watch {
                return Ok(output);
            }
            print!("\x1b[2J\x1b[H{output}");
            std::thread::sleep(Duration::from_secs(2));
        },
        Command::Restart => client::restart(&config),
        Command::Doctor { json: as_json, min_free_mib } => {
            let running = client::running_status(&config);
            let options = doctor::DoctorOptions { min_free_mib, ..Default::default() };
            let checks = doctor::examine(&config, &config_path, config_problem, running.as_ref(), &options);
            let output = if as_json { json(&checks) } else { doctor::render(&checks) };
            if doctor::any_failed(&checks) {
                print!("{output}");
                Err(CommandFailed("some checks failed: see what to do under each".into()))
            } else {
                Ok(output)
            }
        }
        Command::Logs { follow } => {
            let mut journalctl = std::process::Command::new("journalctl");
            journalctl.args(["--unit", "citizen-window.service", "--lines", "200", "--output", "short-iso"]);
            if follow {
                journalctl.arg("--follow");
            }
            let status = journalctl.status().map_err(|e| {
                CommandFailed(format!("cannot run journalctl ({e}): the kiosk logs to the systemd journal"))
            })?;
            if status.success() {
                Ok(String::new())
            } else {
                Err(CommandFailed(format!("journalctl ended with {status}")))
            }
        }
        Command::Journal { command } => journal(&state, command),
        Command::Receipt { command: ReceiptCommand::Reprint { id } } => client::reprint(&config, &id),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "kioskctl", &mut out);
            Ok(String::from_utf8_lossy(&out).into_owned())
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut out).map_err(|e| CommandFailed(e.to_string()))?;
            Ok(String::from_utf8_lossy(&out).into_owned())
        }
        Command::Config { command } => match command {
            ConfigCommand::Show => config_commands::show(&config_path),
            ConfigCommand::Get { key } => config_commands::get(&config_path, &key),
            ConfigCommand::Set { pairs } => {
                if pairs.len() % 2 != 0 {
                    return Err(CommandFailed(
                        "give each KEY its VALUE: `kioskctl config set KEY VALUE [KEY VALUE]...`".into(),
                    ));
                }
                let changes: Vec<(String, String)> = pairs.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect();
                let config = config_commands::set(&config_path, &changes)?;
                Ok(format!("{} written\n{}", config_path.display(), client::tell_running_kiosk(&config)))
            }
            ConfigCommand::Unset { keys } => {
                let config = config_commands::unset(&config_path, &keys)?;
                Ok(format!("{} written\n{}", config_path.display(), client::tell_running_kiosk(&config)))
            }
            ConfigCommand::Validate { file } => config_commands::validate(file.as_deref().unwrap_or(&config_path)),
            ConfigCommand::Keys => Ok(config_commands::keys_table()),
        },
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
        Command::Scanner { command: ScannerCommand::Read { port, baud, timeout, json: as_json } } => {
            let report = scanner_commands::read_code(&port, baud, Duration::from_secs(timeout))?;
            Ok(if as_json { json(&report) } else { scanner_commands::render(&report) })
        }
    }
}

fn journal(state: &std::path::Path, command: JournalCommand) -> Result<String, CommandFailed> {
    let now = citizen_window::journal::now_ms();
    let moment = |since: Option<String>| since.map(|s| journal_commands::parse_moment(&s, now)).transpose();
    match command {
        JournalCommand::List { since, limit, json: as_json } => {
            let (lines, total) = journal_commands::list(state, moment(since)?, limit)?;
            Ok(if as_json { json(&lines) } else { journal_commands::render_list(&lines, total) })
        }
        JournalCommand::Show { id, json: as_json } => {
            let (line, history) = journal_commands::show(state, &id)?;
            Ok(if as_json { json(&line) } else { journal_commands::render_show(&line, &history) })
        }
        JournalCommand::Export { since, output } => {
            let since = moment(since)?;
            let bar = indicatif::ProgressBar::hidden();
            let mut progress = |done: u64, total: u64| {
                if total > journal_commands::PROGRESS_FROM && bar.is_hidden() && done < total {
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    bar.set_style(
                        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} records  {eta} left")
                            .expect("the template is valid"),
                    );
                }
                bar.set_length(total);
                bar.set_position(done);
            };
            let count = match &output {
                Some(path) => journal_commands::export_to_file(state, since, path, &mut progress)?,
                None => {
                    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                    journal_commands::export(state, since, &mut out, &mut progress)?
                }
            };
            bar.finish_and_clear();
            eprintln!("{count} records exported");
            Ok(String::new())
        }
    }
}
