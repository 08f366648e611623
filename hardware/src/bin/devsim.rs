//! `devsim`: simulated kiosk devices on pseudo-terminals, for development, the demo and the tests.
//! Each device appears at a path the user names and is steered through a control socket.

use anyhow::{Context, Result, bail};
use citizen_window_hardware::printer::PrinterProfile;
use citizen_window_hardware::sim::magstripe_reader::SimMagstripeReader;
use citizen_window_hardware::sim::printer::SimPrinter;
use citizen_window_hardware::sim::pty_host::PtyHost;
use citizen_window_hardware::sim::receipt_render::FolderSink;
use citizen_window_hardware::sim::rfid_reader::SimRfidReader;
use citizen_window_hardware::sim::sam_reader::{SimSamReader, sample_cards_dir};
use citizen_window_hardware::sim::scanner::SimScanner;
use citizen_window_hardware::sim::{SimulatedDevice, control};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(name = "devsim", about = "Simulated kiosk devices on pseudo-terminals")]
struct Cli {
    #[command(subcommand)]
    device: Device,
}

#[derive(clap::Args)]
struct Common {
    /// Path where the device's port appears (a symlink to a pseudo-terminal).
    #[arg(long)]
    link: PathBuf,
    /// Wire speed to pace the bytes at; defaults to the device's usual speed.
    #[arg(long)]
    baud: Option<u32>,
    /// Control socket; defaults to the link path with ".ctl" added.
    #[arg(long)]
    control: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Device {
    /// An ESC/POS receipt printer that writes each receipt as text and PNG.
    Printer {
        #[command(flatten)]
        common: Common,
        /// Folder for the rendered receipts.
        #[arg(long)]
        out: PathBuf,
        /// Printer profile name or file (sets columns, encoding and default speed).
        #[arg(long, default_value = "generic-58mm")]
        profile: String,
    },
    /// A SAM resident ID card reader (GA 467).
    Sam {
        #[command(flatten)]
        common: Common,
        /// Folder of card JSON files; defaults to the synthetic cards shipped with devsim.
        #[arg(long)]
        cards: Option<PathBuf>,
        /// Card placed at start.
        #[arg(long)]
        place: Option<String>,
    },
    /// An RDM6300 125 kHz RFID reader.
    Rfid {
        #[command(flatten)]
        common: Common,
    },
    /// A magnetic-stripe swipe reader.
    Magstripe {
        #[command(flatten)]
        common: Common,
    },
    /// A serial QR/barcode scanner (codes ended by CR LF; 9600 baud unless --baud says 115200).
    Scanner {
        #[command(flatten)]
        common: Common,
    },
    /// Sends a control command to a running simulator: "paper out", "place zhang-wei", "unplug".
    Ctl {
        /// The simulator's control socket (its link path with ".ctl").
        #[arg(long)]
        control: PathBuf,
        #[arg(required = true, num_args = 1..)]
        command: Vec<String>,
    },
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(Cli::parse()) {
        eprintln!("devsim: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let (device, common, default_baud, startup): (Box<dyn SimulatedDevice>, Common, u32, Option<String>) = match cli
        .device
    {
        Device::Ctl { control: socket, command } => {
            match control::send(&socket, &command.join(" ")) {
                Ok(answer) => println!("{answer}"),
                Err(e) => bail!("{e}"),
            }
            return Ok(());
        }
        Device::Printer { common, out, profile } => {
            let profile = PrinterProfile::load(&profile)?;
            let sink = FolderSink::new(&out).with_context(|| format!("cannot use {} for receipts", out.display()))?;
            let baud = profile.baud;
            (Box::new(SimPrinter::new(profile, Box::new(sink))), common, baud, None)
        }
        Device::Sam { common, cards, place } => {
            let dir = cards.unwrap_or_else(sample_cards_dir);
            (Box::new(SimSamReader::new(dir)), common, 115_200, place.map(|p| format!("place {p}")))
        }
        Device::Rfid { common } => (Box::new(SimRfidReader::default()), common, 9600, None),
        Device::Magstripe { common } => (Box::new(SimMagstripeReader::default()), common, 9600, None),
        Device::Scanner { common } => (Box::new(SimScanner::default()), common, 9600, None),
    };
    let baud = common.baud.unwrap_or(default_baud);
    let host = PtyHost::start(device, &common.link, baud)
        .with_context(|| format!("cannot create the device at {}", common.link.display()))?;
    let socket = common.control.unwrap_or_else(|| control_path(&common.link));
    control::serve(&socket, host.controller())
        .with_context(|| format!("cannot open the control socket {}", socket.display()))?;
    if let Some(command) = startup {
        host.control(&command).map_err(anyhow::Error::msg)?;
    }
    println!(
        "device ready at {} ({baud} baud); control: devsim ctl --control {} <command>",
        common.link.display(),
        socket.display()
    );
    // Runs until killed; the port disappears with the process.
    loop {
        std::thread::park();
    }
}

fn control_path(link: &Path) -> PathBuf {
    let mut name = link.as_os_str().to_owned();
    name.push(".ctl");
    PathBuf::from(name)
}
