//! `citizen-window`: the kiosk program. Parses flags, runs one command, turns a failure into one
//! line and a non-zero exit code.

#[cfg(feature = "developer")]
use citizen_window::content::{Content, Language};
#[cfg(feature = "developer")]
use citizen_window::demo::run_device_demo;
#[cfg(feature = "developer")]
use citizen_window::ui::screenshot::{Shot, screenshot};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "citizen-window", version, about = "Citizen Window (市民之窗) self-service kiosk")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[cfg(feature = "developer")]
    /// The whole system on this machine: the central server on loopback, simulated reader and
    /// printer, the kiosk in a window with a demo panel; without a display, a scripted walk
    /// through every service, headless, with screenshots and receipts.
    Demo {
        /// Folder for the server, the kiosk's state, the simulated ports, screenshots and receipts
        /// (emptied first).
        #[arg(long, default_value = "out/demo")]
        out: PathBuf,
        /// The scripted walk even where a display is available.
        #[arg(long)]
        headless: bool,
        /// Only the devices: read a synthetic card and print one receipt.
        #[arg(long)]
        devices_only: bool,
    },
    /// Print this program's manual page, in roff (the Debian package installs it).
    #[command(hide = true)]
    Man,
    /// Run the kiosk UI (docs/CONFIG.md for the configuration file).
    Run {
        /// The configuration file; without it, the defaults.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    #[cfg(feature = "developer")]
    /// The soak: the whole demo system driven through resident visits for hours, sampling the
    /// kiosk's open files, threads and memory, the journal's size and the server's (docs/BENCHMARKS.md).
    Soak {
        /// How long to run, in minutes.
        #[arg(long, default_value_t = 120)]
        minutes: u64,
        /// How often to sample, in seconds.
        #[arg(long, default_value_t = 60)]
        every: u64,
        /// Folder for the system and `soak.csv` (emptied first).
        #[arg(long, default_value = "out/soak")]
        out: PathBuf,
    },
    #[cfg(feature = "developer")]
    /// Render one page of the kiosk UI to a PNG file, without a display (software renderer).
    Screenshot {
        /// A page's name (see README: attract, home, notices, tickets, bills, payment, ...).
        #[arg(long)]
        page: String,
        #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
        lang: String,
        /// Elderly mode (适老化): larger text and touch targets.
        #[arg(long)]
        elderly: bool,
        /// Width x height in pixels; the kiosk's reference screen is 1080x1920.
        #[arg(long, default_value = "1080x1920", value_parser = parse_size)]
        size: (u32, u32),
        /// Content folder (docs/CONTENT.md); the example content set by default.
        #[arg(long)]
        content: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
}

#[cfg(feature = "developer")]
fn parse_size(text: &str) -> Result<(u32, u32), String> {
    citizen_window::config::parse_size(text)
        .ok_or_else(|| format!("{text:?} is not a size: write WIDTHxHEIGHT, each side from 320 to 7680 pixels"))
}

fn main() {
    let cli = Cli::parse();
    #[cfg(feature = "developer")]
    if matches!(cli.command, Command::Demo { headless: false, devices_only: false, .. })
        && std::env::var_os("SLINT_SCALE_FACTOR").is_none()
    {
        // The windowed demo shows the tested 1080×1920 layout whole, at half size (540×960 on
        // the screen), rather than a small layout no test renders.
        // SAFETY: nothing else runs yet: the program has started no thread.
        unsafe { std::env::set_var("SLINT_SCALE_FACTOR", citizen_window::demo::WINDOW_SCALE) };
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        #[cfg(feature = "developer")]
        Command::Demo { out, devices_only: true, .. } => {
            run_device_demo(&out, |step| println!("• {step}")).map(|report| {
                println!("\nreceipt as text:    {}", report.receipt_text.display());
                println!("receipt as picture: {}\n", report.receipt_png.display());
                if let Ok(text) = std::fs::read_to_string(&report.receipt_text) {
                    print!("{text}");
                }
            })
        }
        #[cfg(feature = "developer")]
        Command::Demo { out, headless, .. } => {
            citizen_window::demo::whole_system(&out, headless, |step| println!("• {step}")).map(|walked| {
                if let Some(walked) = walked {
                    println!("\nthe central server holds {} transactions from this kiosk, each once", walked.held);
                    println!("{} receipts printed: {}", walked.receipts, walked.receipts_dir.display());
                    println!("screens of every step:  {}", walked.screens_dir.display());
                }
            })
        }
        #[cfg(feature = "developer")]
        Command::Soak { minutes, every, out } => {
            let length = std::time::Duration::from_secs(minutes * 60);
            let every = std::time::Duration::from_secs(every.max(1));
            citizen_window::demo::soak::soak(&out, length, every, &mut |line| println!("{line}")).map(|report| {
                println!("\n{}samples: {}", report.summary(), report.csv.display());
            })
        }
        Command::Run { config } => citizen_window::run::run(config.as_deref()),
        Command::Man => {
            use clap::CommandFactory;
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()).map_err(anyhow::Error::from)
        }
        #[cfg(feature = "developer")]
        Command::Screenshot { page, lang, elderly, size: (width, height), content, out } => {
            let language = if lang == "en" { Language::En } else { Language::Zh };
            let shot = Shot { page, language, elderly, width, height };
            let folder = content.unwrap_or_else(Content::example_dir);
            Content::load(&folder)
                .map_err(anyhow::Error::from)
                .and_then(|content| Ok(screenshot(content, &shot, &out)?))
                .map(|()| println!("{}", out.display()))
        }
    };
    if let Err(e) = result {
        eprintln!("citizen-window: {e:#}");
        std::process::exit(1);
    }
}
