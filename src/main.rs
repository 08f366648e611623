//! `citizen-window`: the kiosk program. For now it runs the device demo; the kiosk UI comes next.

use citizen_window::demo::run_device_demo;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "citizen-window", about = "Citizen Window (市民之窗) self-service kiosk")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the demo on simulated devices: read a sample ID card, print a sample receipt.
    Demo {
        /// Folder for the simulated ports and the rendered receipts.
        #[arg(long, default_value = "out/demo")]
        out: PathBuf,
    },
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let result = match Cli::parse().command {
        Command::Demo { out } => run_device_demo(&out, |step| println!("• {step}")).map(|report| {
            println!("\nreceipt as text:    {}", report.receipt_text.display());
            println!("receipt as picture: {}\n", report.receipt_png.display());
            if let Ok(text) = std::fs::read_to_string(&report.receipt_text) {
                print!("{text}");
            }
        }),
    };
    if let Err(e) = result {
        eprintln!("citizen-window: {e:#}");
        std::process::exit(1);
    }
}
