//! `citizen-window soak`: the whole demo system (central server, simulated reader and printer on
//! pseudo-terminals, the enrolled kiosk with its control socket) driven through resident visits
//! for hours, sampling what a leak shows in: the kiosk's open files, threads and memory, the
//! journal's size, and the server's open files and memory. At the end, every transaction the
//! kiosk journaled must be on the server exactly once.

use super::system::DemoSystem;
use super::walker::Walker;
use crate::control::{ControlAnswer, ControlRequest};
use crate::journal::{Journal, journal_path};
use crate::service_manager::Notifier;
use crate::ui::AppWindow;
use crate::ui::screenshot::{save_png, snapshot, use_headless_renderer};
use anyhow::{Context, Result, bail};
use slint::ComponentHandle;
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// One row of the soak's record (`soak.csv`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    pub elapsed_s: u64,
    pub visits: u64,
    pub transactions: u64,
    pub open_files: u64,
    pub threads: u64,
    pub rss_kib: u64,
    pub journal_kib: u64,
    pub wal_kib: u64,
    pub server_open_files: u64,
    pub server_rss_kib: u64,
}

const CSV_HEADER: &str =
    "elapsed_s,visits,transactions,open_files,threads,rss_kib,journal_kib,wal_kib,server_open_files,server_rss_kib";

impl Sample {
    fn csv(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{},{},{}",
            self.elapsed_s,
            self.visits,
            self.transactions,
            self.open_files,
            self.threads,
            self.rss_kib,
            self.journal_kib,
            self.wal_kib,
            self.server_open_files,
            self.server_rss_kib
        )
    }
}

/// What the soak found: the samples, and the count check at the end.
pub struct SoakReport {
    pub samples: Vec<Sample>,
    pub journaled: u64,
    pub on_server: usize,
    pub csv: std::path::PathBuf,
}

impl SoakReport {
    /// The summary for docs/BENCHMARKS.md: each measure after the warm-up (the first sample
    /// past a tenth of the run) against the end.
    pub fn summary(&self) -> String {
        let last = self.samples.last().copied().unwrap_or_default();
        let warm = self.samples.iter().find(|s| s.elapsed_s * 10 >= last.elapsed_s).copied().unwrap_or_default();
        let peak = |f: fn(&Sample) -> u64| self.samples.iter().map(f).max().unwrap_or(0);
        let row = |what: &str, f: fn(&Sample) -> u64| {
            format!("{what:28} after warm-up {:>8}   at the end {:>8}   peak {:>8}\n", f(&warm), f(&last), peak(f))
        };
        let mut out = format!(
            "soak: {} s, {} visits, {} transactions journaled, {} on the server (each once)\n",
            last.elapsed_s, last.visits, self.journaled, self.on_server
        );
        out += &row("kiosk open files", |s| s.open_files);
        out += &row("kiosk threads", |s| s.threads);
        out += &row("kiosk memory (RSS, KiB)", |s| s.rss_kib);
        out += &row("journal (KiB)", |s| s.journal_kib);
        out += &row("journal's WAL (KiB)", |s| s.wal_kib);
        out += &row("server open files", |s| s.server_open_files);
        out += &row("server memory (RSS, KiB)", |s| s.server_rss_kib);
        if last.transactions > 0 {
            out += &format!("journal bytes per transaction: {}\n", last.journal_kib * 1024 / last.transactions.max(1));
        }
        out
    }
}

/// Runs the soak for `length`, sampling every `every`, in `out` (emptied first).
pub fn soak(out: &Path, length: Duration, every: Duration, say: &mut dyn FnMut(&str)) -> Result<SoakReport> {
    let system = DemoSystem::start(out, say)?;
    use_headless_renderer()?;
    let window = AppWindow::new().context("the headless renderer cannot start")?;
    window.window().set_size(slint::PhysicalSize::new(1080, 1920));
    let (ui, _services) = crate::run::start_kiosk(window, system.config.clone(), None, Notifier::default())?;
    ui.window.show()?;
    let screens = out.join("screens");
    std::fs::create_dir_all(&screens)?;
    let csv_path = out.join("soak.csv");
    let mut csv = std::fs::File::create(&csv_path)?;
    writeln!(csv, "{CSV_HEADER}")?;
    say(CSV_HEADER);
    let mut quiet = |_: &str| ();
    let mut w = Walker { ui, screens, shot: 0, say: &mut quiet };

    let started = Instant::now();
    let mut samples = Vec::new();
    let mut next_sample = started;
    let mut visits = 0u64;
    while started.elapsed() < length {
        if let Err(e) = visit(&mut w, &system, visits) {
            let path = out.join("soak-failed.png");
            let _ = snapshot(&w.ui).map_err(anyhow::Error::from).and_then(|s| Ok(save_png(&s, &path)?));
            return Err(e.context(format!(
                "visit {visits} failed after {} s; its screen: {}",
                started.elapsed().as_secs(),
                path.display()
            )));
        }
        visits += 1;
        // The technician's view, as `kioskctl status` asks it, every visit.
        match crate::control::ask(&system.config.control.socket, &ControlRequest::Status, Duration::from_secs(5)) {
            Ok(ControlAnswer::Status { .. }) => {}
            other => bail!("the control socket did not answer status: {other:?}"),
        }
        if Instant::now() >= next_sample {
            let sample = measure(&system, started.elapsed(), visits)?;
            writeln!(csv, "{}", sample.csv())?;
            csv.flush()?;
            say(&sample.csv());
            samples.push(sample);
            next_sample += every;
        }
    }
    // The last sample before the check below, which reads every transaction the server holds
    // into this process and would count that as the kiosk's memory.
    let last = measure(&system, started.elapsed(), visits)?;
    writeln!(csv, "{}", last.csv())?;
    samples.push(last);
    let journaled = Journal::open(&journal_path(&system.config.state_dir))?.last_seq()?;
    // Everything journaled reaches the server, each transaction once.
    let deadline = Instant::now() + Duration::from_secs(60);
    let on_server = loop {
        w.ui.tick();
        let held = system.server_transactions()?;
        let ids: HashSet<String> = held.iter().filter_map(|t| Some(t.get("id")?.as_str()?.to_string())).collect();
        if ids.len() != held.len() {
            bail!("the server holds a transaction twice: {} rows, {} ids", held.len(), ids.len());
        }
        if held.len() as u64 >= journaled || Instant::now() > deadline {
            break held.len();
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    if on_server as u64 != journaled {
        bail!("the kiosk journaled {journaled} transactions and the server holds {on_server}");
    }
    Ok(SoakReport { samples, journaled, on_server, csv: csv_path })
}

/// One resident's visit, from the attract screen back to it: a queue ticket, a problem report,
/// a notice; every fifth visit also a card and a printed social-insurance statement.
fn visit(w: &mut Walker, system: &DemoSystem, number: u64) -> Result<()> {
    w.tap("请触摸屏幕开始 / Touch to start")?;
    w.tap("预约取号")?;
    w.tap("社保：取号")?;
    w.wait_for("出纸口")?;
    w.tap("返回首页")?;
    w.tap("报事报修")?;
    w.tap("路灯照明损坏")?;
    w.tap("3 号楼")?;
    w.wait_for("出纸口")?;
    w.tap("返回首页")?;
    w.tap("社区公告")?;
    w.tap("关于冬季供暖的通知")?;
    w.tap("首页")?;
    if number.is_multiple_of(5) {
        w.tap("社保查询")?;
        system.reader.control("place zhang-wei").map_err(anyhow::Error::msg)?;
        w.wait_for("缴费记录")?;
        w.tap("打印对账单")?;
        w.wait_for("出纸口")?;
        w.tap("首页")?;
    }
    w.tap("退出")?;
    system.reader.control("remove").map_err(anyhow::Error::msg)?;
    w.wait_for("请触摸屏幕开始")?;
    Ok(())
}

fn measure(system: &DemoSystem, elapsed: Duration, visits: u64) -> Result<Sample> {
    let journal = journal_path(&system.config.state_dir);
    let size = |path: &Path| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let wal = journal.with_extension("sqlite-wal");
    let server = format!("/proc/{}", system.server_pid());
    Ok(Sample {
        elapsed_s: elapsed.as_secs(),
        visits,
        transactions: Journal::open(&journal)?.last_seq()?,
        open_files: open_files("/proc/self")?,
        threads: status_field("/proc/self", "Threads:")?,
        rss_kib: status_field("/proc/self", "VmRSS:")?,
        journal_kib: size(&journal) / 1024,
        wal_kib: size(&wal) / 1024,
        server_open_files: open_files(&server)?,
        server_rss_kib: status_field(&server, "VmRSS:")?,
    })
}

fn open_files(process: &str) -> Result<u64> {
    Ok(std::fs::read_dir(format!("{process}/fd")).with_context(|| format!("cannot list {process}/fd"))?.count() as u64)
}

/// A number from `/proc/PID/status` (`Threads:`, `VmRSS:` in KiB).
fn status_field(process: &str, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("{process}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.split_whitespace().next()?.parse().ok())
        .with_context(|| format!("no {field} in {process}/status"))
}
