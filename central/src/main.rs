//! `citizen-central`: the reference central server and its operator commands. Parses flags, runs
//! one command, turns a failure into one line and a non-zero exit code.

use anyhow::{Context, Result};
use citizen_central::api::now_ms;
use citizen_central::config::CentralConfig;
use citizen_central::console::staff::{self, Role};
use citizen_central::storage::Storage;
use citizen_central::{pki, server};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "citizen-central", about = "Citizen Window reference central server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a fleet: CA, server certificate, content-signing key, residents' secret, database.
    Init {
        #[arg(long)]
        dir: PathBuf,
        /// Names or addresses kiosks use to reach the server (repeat for several).
        #[arg(long = "hostname", required = true)]
        hostnames: Vec<String>,
        /// Port in the public URL written to central.toml.
        #[arg(long, default_value_t = 8443)]
        port: u16,
        /// A postgres:// URL instead of the SQLite file.
        #[arg(long)]
        database: Option<String>,
    },
    /// Serve kiosks over HTTPS with mutual TLS.
    Serve {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, default_value = "0.0.0.0:8443")]
        listen: SocketAddr,
        /// Overrides the database in central.toml (a SQLite file or a postgres:// URL).
        #[arg(long)]
        database: Option<String>,
        /// Serve the demo payment page, on which anyone holding a payment code can mark it paid:
        /// for demos only, never on a real fleet.
        #[arg(long)]
        demo_payments: bool,
        /// Serve the community office's console on this address too (docs/CONSOLE.md), such as
        /// 127.0.0.1:8444; a browser reaches it over HTTPS with the server's certificate.
        #[arg(long)]
        console_listen: Option<SocketAddr>,
    },
    /// Make a new server key and certificate (valid two years) for the host names kiosks use;
    /// restart `serve` to use them. Run it before the certificate in use ends (`serve` warns).
    ServerCertificate {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long = "hostname", required = true)]
        hostnames: Vec<String>,
    },
    /// Print a one-time enrolment token for a new kiosk.
    EnrolToken {
        #[arg(long)]
        dir: PathBuf,
        /// Hours the token stays valid.
        #[arg(long, default_value_t = 24)]
        valid_hours: u32,
    },
    /// List the kiosks with their last heartbeat.
    Kiosks {
        #[command(subcommand)]
        command: Option<KiosksCommand>,
        #[arg(long, global = true)]
        dir: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Check a content folder as the kiosks will, sign it as the next version and keep it for
    /// them (docs/SYNC.md, "Content").
    Publish {
        /// The content folder (docs/CONTENT.md).
        content: PathBuf,
        #[arg(long)]
        dir: PathBuf,
        /// The kiosk groups it is for (repeat for several); none: every kiosk.
        #[arg(long = "group", conflicts_with = "stages")]
        groups: Vec<String>,
        /// A staged rollout: the first stage's groups (comma-separated) get it first, each
        /// `--stage` after follows once the stage before has applied it without refusals.
        #[arg(long = "stage")]
        stages: Vec<String>,
        /// A rollout stops when more than this per cent of a stage's kiosks refuse it.
        #[arg(long, default_value_t = citizen_central::rollout::DEFAULT_STOP_ABOVE_PERCENT)]
        stop_above_percent: u32,
        /// Days kiosks may still apply it.
        #[arg(long, default_value_t = citizen_central::publish::DEFAULT_VALID_DAYS)]
        valid_days: u32,
        /// The database the servers use, if not central.toml's: on PostgreSQL every instance is
        /// told of the publish at once.
        #[arg(long)]
        database: Option<String>,
    },
    /// Content commands: the versions published and which kiosks show them.
    Content {
        #[command(subcommand)]
        command: ContentCommand,
        #[arg(long, global = true)]
        dir: Option<PathBuf>,
    },
    /// The community office's staff, who sign in to the console.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
        #[arg(long, global = true)]
        dir: Option<PathBuf>,
    },
    /// Transaction commands.
    Transactions {
        #[command(subcommand)]
        command: TransactionsCommand,
    },
}

#[derive(Subcommand)]
enum KiosksCommand {
    /// Refuse this kiosk from now on, on every request (a stolen or retired kiosk). Every server
    /// instance refuses it within a second; enrolling it again makes it a new kiosk.
    Revoke { kiosk_id: String },
}

#[derive(Subcommand)]
enum ContentCommand {
    /// Every version published, newest first, with how many kiosks show or refused it.
    List,
    /// Each kiosk's content version, group, push stream and refusals.
    Status,
    /// Moves the rollouts under way on if their stage is through (the server does every 30 s);
    /// with --force, on to the next stage whatever the stage says.
    Advance {
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add a staff member; the password is asked for twice (or read from standard input).
    Add {
        name: String,
        /// admin: manages kiosks and staff; staff: reports, votes, appointments and content.
        #[arg(long, value_enum)]
        role: Role,
        /// Read the password from the first line of standard input (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password for a staff member.
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a staff member: they can no longer sign in; their entries in the audit log stay.
    Disable { name: String },
    /// Every staff member with their role, and whether they are disabled.
    List {
        #[arg(long)]
        json: bool,
    },
    /// The newest changes staff made, newest first.
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum TransactionsCommand {
    /// Write every stored transaction as JSON lines to standard output.
    Export {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        kiosk: Option<String>,
    },
}

fn main() {
    citizen_central::memory_trim::limit_arenas();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("citizen-central: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    runtime.block_on(async_main());
}

async fn async_main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("citizen-central: {e:#}");
        std::process::exit(1);
    }
}

/// A label as a terminal may show it: control characters (escape codes) dropped, at most 64
/// characters, whatever an older server stored.
fn printable_label(label: &str) -> String {
    label.chars().filter(|c| !c.is_control()).take(citizen_central::api::MAX_LABEL_CHARS).collect()
}

/// `content advance`: each rollout under way looked at (and moved on if `force`), a line each.
async fn advance_rollouts(
    dir: &std::path::Path,
    kiosks: &[citizen_central::storage::KioskRow],
    force: bool,
) -> Result<Vec<String>> {
    use citizen_central::rollout::{Step, look, rollouts};
    let database = CentralConfig::load(dir)?.database;
    let mut lines = Vec::new();
    for rollout in rollouts(dir).into_iter().filter(|r| !r.is_done()) {
        let first = rollout.first_version();
        let line = match look(dir, rollout, kiosks, force, now_ms())? {
            Step::Waiting(c) => format!(
                "rollout of v{first}: waiting, {} of {} kiosks of the stage show it, {} refused",
                c.applied, c.kiosks, c.refused
            ),
            Step::Advanced { version, groups } => {
                if citizen_central::content_bell::is_postgres(&database) {
                    citizen_central::content_bell::announce(&database, version).await?;
                }
                format!("rollout of v{first}: version {version} published for {}", groups.join(", "))
            }
            Step::Stopped(why) => format!("rollout of v{first}: STOPPED: {why}"),
            Step::Done => format!("rollout of v{first}: every stage has it"),
        };
        lines.push(line);
    }
    Ok(lines)
}

async fn open_storage(dir: &std::path::Path) -> Result<Storage> {
    let config = CentralConfig::load(dir)?;
    Storage::open(&config.database, dir)
        .await
        .with_context(|| format!("cannot open the database {}", citizen_central::config::redacted(&config.database)))
}

/// A new password: the first line of standard input, or typed twice on the terminal.
fn new_password(from_stdin: bool) -> Result<String> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        let first = rpassword::prompt_password("new password: ").context("cannot read the password")?;
        let again = rpassword::prompt_password("the same again: ").context("cannot read the password")?;
        if first != again {
            anyhow::bail!("the two passwords differ: nothing was changed");
        }
        first
    };
    staff::check_password(&password)?;
    Ok(password)
}

/// What the operator at the command line changed, in the audit log.
async fn audit_from_command_line(storage: &Storage, action: &str, detail: String) -> Result<()> {
    let entry = citizen_central::storage::AuditEntry {
        at_ms: now_ms(),
        staff: "(command line)".into(),
        action: action.into(),
        detail,
    };
    Ok(storage.audit(&entry).await?)
}

async fn staff_command(dir: &std::path::Path, command: StaffCommand) -> Result<()> {
    let storage = open_storage(dir).await?;
    match command {
        StaffCommand::Add { name, role, password_stdin } => {
            staff::check_name(&name)?;
            let hash = staff::hash_password(&new_password(password_stdin)?)?;
            if !storage.add_staff(&name, role.as_str(), &hash, now_ms()).await? {
                anyhow::bail!("there is already a staff member {name}: `staff passwd {name}` sets a new password");
            }
            audit_from_command_line(&storage, "staff add", format!("{name} as {}", role.as_str())).await?;
            println!("{name} added as {}: they sign in to the console with this password", role.as_str());
        }
        StaffCommand::Passwd { name, password_stdin } => {
            let hash = staff::hash_password(&new_password(password_stdin)?)?;
            if !storage.set_staff_password(&name, &hash).await? {
                anyhow::bail!("there is no staff member {name}: see `citizen-central staff list`");
            }
            storage.clear_sign_in_failures(&name).await?;
            audit_from_command_line(&storage, "staff passwd", name.clone()).await?;
            println!("{name} has a new password (and is no longer locked out)");
        }
        StaffCommand::Disable { name } => {
            if !storage.disable_staff(&name, now_ms()).await? {
                anyhow::bail!("there is no staff member {name}: see `citizen-central staff list`");
            }
            audit_from_command_line(&storage, "staff disable", name.clone()).await?;
            println!("{name} is disabled: they can no longer sign in");
        }
        StaffCommand::List { json } => {
            let members = storage.staff_list().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&members)?);
            } else if members.is_empty() {
                println!("no staff yet: citizen-central staff add NAME --role admin --dir {}", dir.display());
            }
            for member in members.iter().filter(|_| !json) {
                let disabled = if member.disabled_at_ms.is_some() { "  DISABLED" } else { "" };
                println!("{:<32} {}{disabled}", member.name, member.role);
            }
        }
        StaffCommand::Audit { limit } => {
            for entry in storage.audit_log(limit).await? {
                let at = citizen_window_protocol::china_time::date_time_text(entry.at_ms);
                println!("{at}  {:<20} {:<16} {}", entry.staff, entry.action, printable_label(&entry.detail));
            }
        }
    }
    Ok(())
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Staff { command, dir } => {
            let dir = dir.context("give the server's folder with --dir")?;
            staff_command(&dir, command).await?;
        }
        Command::Init { dir, hostnames, port, database } => {
            pki::init_fleet(&dir, &hostnames)?;
            let config = CentralConfig {
                database: database.unwrap_or_else(|| "central.sqlite".into()),
                public_url: format!("https://{}:{port}", hostnames[0]),
                appointment_horizon_days: citizen_central::config::DEFAULT_APPOINTMENT_HORIZON_DAYS,
                kiosk_certificate_days: citizen_central::config::DEFAULT_KIOSK_CERTIFICATE_DAYS,
                heartbeat_interval_seconds: citizen_central::config::DEFAULT_HEARTBEAT_INTERVAL_SECONDS,
            };
            config.save(&dir)?;
            Storage::open(&config.database, &dir).await?;
            println!(
                "fleet created in {}: CA {}, server certificate for {}",
                dir.display(),
                pki::CA_CERT,
                hostnames.join(", ")
            );
            println!(
                "next: citizen-central serve --dir {}   and   citizen-central enrol-token --dir {}",
                dir.display(),
                dir.display()
            );
        }
        Command::Serve { dir, listen, database, demo_payments, console_listen } => {
            let options = server::ServeOptions {
                database,
                demo_payments,
                limits: None,
                content_streams: None,
                console: console_listen,
            };
            let running = server::start(&dir, listen, &options).await?;
            println!("serving on https://{} (Ctrl-C to stop)", running.addr);
            if let Some(console) = running.console_addr {
                println!("the console on https://{console}");
            }
            tokio::signal::ctrl_c().await?;
            running.shutdown.cancel();
            let _ = running.task.await;
        }
        Command::ServerCertificate { dir, hostnames } => {
            pki::Fleet::load(&dir)?.issue_server_certificate(&hostnames)?;
            println!(
                "new server certificate for {} in {}, valid {} days: restart citizen-central serve to use it",
                hostnames.join(", "),
                dir.join(pki::SERVER_CERT).display(),
                pki::SERVER_CERTIFICATE_DAYS
            );
        }
        Command::Publish { content, dir, groups, stages, stop_above_percent, valid_days, database } => {
            let stages: Vec<Vec<String>> = stages
                .iter()
                .map(|s| s.split(',').map(|g| g.trim().to_string()).filter(|g| !g.is_empty()).collect())
                .collect();
            let published = if stages.is_empty() {
                citizen_central::publish::publish(&dir, &content, &groups, valid_days, now_ms())?
            } else {
                citizen_central::rollout::start(
                    &dir,
                    &content,
                    stages.clone(),
                    stop_above_percent,
                    valid_days,
                    now_ms(),
                )?
            };
            let groups = stages.first().cloned().unwrap_or(groups);
            let database = match database {
                Some(database) => database,
                None => CentralConfig::load(&dir)?.database,
            };
            if citizen_central::content_bell::is_postgres(&database) {
                // Servers look at the folder every minute anyway: a lost notification delays, never loses.
                if let Err(e) = citizen_central::content_bell::announce(&database, published.version).await {
                    eprintln!("the servers could not be told at once ({e}): kiosks get it within a minute");
                }
            }
            let whom = if groups.is_empty() { "every kiosk".to_string() } else { groups.join(", ") };
            println!(
                "published version {} ({} files, {} bytes) for {whom}, in {}",
                published.version,
                published.files,
                published.bytes,
                published.folder.display()
            );
        }
        Command::EnrolToken { dir, valid_hours } => {
            let storage = open_storage(&dir).await?;
            let fleet = pki::Fleet::load(&dir)?;
            println!("{}", citizen_central::api::issue_enrol_token(&storage, &fleet, valid_hours, now_ms()).await?);
        }
        Command::Kiosks { command: Some(KiosksCommand::Revoke { kiosk_id }), dir, .. } => {
            let dir = dir.context("give the server's folder with --dir")?;
            if !open_storage(&dir).await?.revoke_kiosk(&kiosk_id, now_ms()).await? {
                anyhow::bail!(
                    "no kiosk {kiosk_id} is enrolled here: see citizen-central kiosks --dir {}",
                    dir.display()
                );
            }
            println!("{kiosk_id} is revoked: every request from it is refused from now on");
        }
        Command::Kiosks { command: None, dir, json } => {
            let dir = dir.context("give the server's folder with --dir")?;
            let kiosks = open_storage(&dir).await?.kiosks().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&kiosks)?);
            } else if kiosks.is_empty() {
                println!("no kiosks enrolled yet: make a token with citizen-central enrol-token");
            } else {
                let now = now_ms();
                for k in kiosks {
                    let seen = k.last_heartbeat_ms.map_or("never".into(), |t| format!("{} s ago", (now - t) / 1000));
                    let backlog = k.last_heartbeat.as_ref().map_or("-".into(), |h| h.backlog.to_string());
                    let revoked = if k.revoked_at_ms.is_some() { "  REVOKED" } else { "" };
                    let content =
                        k.last_heartbeat.as_ref().map_or("-".into(), citizen_central::content_report::kiosk_content);
                    println!(
                        "{}  {:<24} heartbeat {:<14} synced through {:<8} backlog {:<6} content {content}{revoked}",
                        k.kiosk_id,
                        printable_label(k.label.as_deref().unwrap_or_default()),
                        seen,
                        k.highest_contiguous_seq,
                        backlog
                    );
                    let refusals = k.last_heartbeat.iter().flat_map(|h| &h.rejected_bundles);
                    for refused in refusals.take(citizen_central::content_report::REFUSALS_SHOWN) {
                        println!("    refused {}", citizen_central::content_report::printable(refused));
                    }
                }
            }
        }
        Command::Content { command, dir } => {
            let dir = dir.context("give the server's folder with --dir")?;
            let kiosks = open_storage(&dir).await?.kiosks().await?;
            let lines = match command {
                ContentCommand::List => {
                    let shelf = citizen_central::content_shelf::ContentShelf::open(&dir);
                    let rollouts = citizen_central::rollout::rollouts(&dir);
                    citizen_central::content_report::version_lines(&shelf.versions(), &kiosks, &rollouts)
                }
                ContentCommand::Status => citizen_central::content_report::kiosk_lines(&kiosks, now_ms()),
                ContentCommand::Advance { force } => advance_rollouts(&dir, &kiosks, force).await?,
            };
            if lines.is_empty() {
                println!("nothing yet: no content published, no rollout under way or no kiosk enrolled");
            }
            for line in lines {
                println!("{line}");
            }
        }
        Command::Transactions { command: TransactionsCommand::Export { dir, kiosk } } => {
            let storage = open_storage(&dir).await?;
            for t in storage.export(kiosk.as_deref()).await? {
                println!("{}", serde_json::to_string(&t)?);
            }
        }
    }
    Ok(())
}
