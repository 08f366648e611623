//! `citizen-window demo`: the whole system on one machine ([`system`]), with the kiosk UI in a
//! window and a demo panel beside it, or, without a display, a scripted walk through every
//! service, headless ([`walk`]). `citizen-window demo --devices-only` keeps the first demo: read
//! a synthetic card and print one receipt on the simulated devices.

pub mod office;
pub mod soak;
pub mod system;
pub mod walk;
mod walker;
mod window;

pub use window::windowed_demo;

/// The windowed demo's scale: the tested 1080×1920 layout at half size, 540×960 on the screen.
pub const WINDOW_SCALE: &str = "0.5";

use anyhow::{Context, Result, bail};
use citizen_window_hardware::escpos::raster::GlyphRasterizer;
use citizen_window_hardware::escpos::{Receipt, ReceiptEncoder, TextStyle};
use citizen_window_hardware::printer::{PrintOutcome, PrinterDriver, PrinterProfile};
use citizen_window_hardware::sam::SamReader;
use citizen_window_hardware::sam::id_card::IdCard;
use citizen_window_hardware::serial_link::SerialPortOpener;
use citizen_window_hardware::sim::printer::SimPrinter;
use citizen_window_hardware::sim::pty_host::PtyHost;
use citizen_window_hardware::sim::receipt_render::FolderSink;
use citizen_window_hardware::sim::sam_reader::{SimSamReader, sample_cards_dir};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What the headless walk through the whole system left behind.
pub struct WalkReport {
    /// Transactions the central server holds from the kiosk.
    pub held: usize,
    /// Receipts printed, and where.
    pub receipts: usize,
    pub receipts_dir: PathBuf,
    /// The screenshots of every step.
    pub screens_dir: PathBuf,
}

/// The whole-system demo: windowed where there is a display (and `headless` is not asked),
/// otherwise the headless walk, whose report it returns.
pub fn whole_system(out: &Path, headless: bool, mut say: impl FnMut(&str)) -> Result<Option<WalkReport>> {
    let system = system::DemoSystem::start(out, &mut say)?;
    let display = std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if display && !headless {
        windowed_demo(&system)?;
        return Ok(None);
    }
    if !headless {
        say("no display here (neither DISPLAY nor WAYLAND_DISPLAY is set): walking through every service headless");
    }
    let held = walk::headless_walk(&system, &mut say)?;
    let receipts = std::fs::read_dir(&system.receipts)
        .map(|entries| entries.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "txt")).count())
        .unwrap_or(0);
    Ok(Some(WalkReport {
        held,
        receipts,
        receipts_dir: system.receipts.clone(),
        screens_dir: system.out.join("screens"),
    }))
}

/// What the device demo produced.
pub struct DemoReport {
    pub receipt_text: PathBuf,
    pub receipt_png: PathBuf,
}

/// Runs the device demo with its files under `out`; `say` receives each step for the user.
pub fn run_device_demo(out: &Path, mut say: impl FnMut(&str)) -> Result<DemoReport> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let receipts = out.join("receipts");
    let profile = PrinterProfile::default_profile();

    let printer_port = out.join("printer.port");
    let sink = FolderSink::new(&receipts)?;
    let before = count_receipts(&receipts);
    let _printer =
        PtyHost::start(Box::new(SimPrinter::new(profile.clone(), Box::new(sink))), &printer_port, profile.baud)
            .context("cannot start the simulated printer")?;
    say(&format!("simulated receipt printer ({}, {} baud) at {}", profile.name, profile.baud, printer_port.display()));

    let reader_port = out.join("reader.port");
    let reader = PtyHost::start(Box::new(SimSamReader::new(sample_cards_dir())), &reader_port, 115_200)
        .context("cannot start the simulated ID card reader")?;
    say(&format!("simulated ID card reader (SAM, 115200 baud) at {}", reader_port.display()));

    reader.control("place zhang-wei").map_err(anyhow::Error::msg)?;
    say("placed the synthetic card zhang-wei on the reader");
    let card = read_card(&reader_port)?;
    say(&format!("read card: {} {}, ID {}", card.masked_name(), card.nation(), card.id_number.masked()));

    let receipt = demo_receipt(&card);
    let font = GlyphRasterizer::find_system_font().ok();
    let mut encoder = ReceiptEncoder::new(&profile);
    if let Some(font) = &font {
        encoder = encoder.with_rasterizer(font);
    }
    let job = encoder.encode(&receipt)?;
    let mut printer = PrinterDriver::new(SerialPortOpener::new(&printer_port, profile.baud), profile.clone());
    match printer.print(&job)? {
        PrintOutcome::Confirmed { bytes, elapsed_ms, .. } => say(&format!(
            "printed and confirmed: {bytes} bytes in {elapsed_ms} ms (wire time {:.0} ms)",
            profile.wire_seconds(bytes) * 1000.0
        )),
        PrintOutcome::Unconfirmed { fault, .. } => bail!("the receipt was not confirmed: {fault}"),
    }
    let (receipt_text, receipt_png) = wait_for_receipt(&receipts, before)?;
    Ok(DemoReport { receipt_text, receipt_png })
}

fn read_card(port: &Path) -> Result<IdCard> {
    let mut reader = SamReader::new(SerialPortOpener::new(port, 115_200), 115_200);
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(card) = reader.poll()? {
            return Ok(card);
        }
        std::thread::sleep(citizen_window_hardware::sam::reader::MIN_POLL_INTERVAL);
    }
    bail!("no card was read within 10 s")
}

/// A queue-ticket style receipt with the resident's masked data only.
fn demo_receipt(card: &IdCard) -> Receipt {
    Receipt::new()
        .title("市民之窗")
        .text("Citizen Window · 设备演示 Device demo", TextStyle::default().centred())
        .separator()
        .key_value("居民 Resident", card.masked_name())
        .key_value("证件 ID", card.id_number.masked())
        .key_value("业务 Service", "社保工作站 Social insurance")
        .key_value("号码 Ticket", "A 017")
        .key_value("窗口 Window", "3 号 No. 3")
        .separator()
        .text("请留意叫号 Please wait for your number", TextStyle::default().centred())
        .qr("https://example.org/q/A017", 5)
        .cut()
}

fn count_receipts(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "txt")).count())
        .unwrap_or(0)
}

fn wait_for_receipt(dir: &Path, before: usize) -> Result<(PathBuf, PathBuf)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if count_receipts(dir) > before {
            let mut texts: Vec<PathBuf> = std::fs::read_dir(dir)?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                .collect();
            texts.sort();
            let text = texts.pop().expect("counted above");
            let png = text.with_extension("png");
            return Ok((text, png));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    bail!("the simulated printer did not write the receipt into {}", dir.display())
}
