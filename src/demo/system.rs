//! The whole system on one machine, for the demo: the reference central server as its own
//! process (`citizen-central`, a fresh test PKI and its demo data, on loopback), this kiosk
//! enrolled with it, and a simulated ID card reader, receipt printer and code scanner on
//! pseudo-terminals.
//! Everything lives under one folder; the server stops when this is dropped.

use crate::config::PrinterSetup;
use crate::config::{Config, ReaderConfig, ScannerConfig};
use crate::session::SessionTiming;
use anyhow::{Context, Result, bail};
use citizen_window_hardware::card_reader::ReaderProtocol;
use citizen_window_hardware::printer::PrinterProfile;
use citizen_window_hardware::sim::printer::SimPrinter;
use citizen_window_hardware::sim::pty_host::PtyHost;
use citizen_window_hardware::sim::receipt_render::FolderSink;
use citizen_window_hardware::sim::sam_reader::{SimSamReader, sample_cards_dir};
use citizen_window_hardware::sim::scanner::SimScanner;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where `citizen-central` is: `CITIZEN_CENTRAL_BIN`, or beside this program (cargo builds
/// both into the same folder).
pub fn central_binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("CITIZEN_CENTRAL_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().context("cannot find this program's own path")?;
    let candidate = exe.with_file_name(format!("citizen-central{}", std::env::consts::EXE_SUFFIX));
    if candidate.exists() {
        return Ok(candidate);
    }
    // Integration tests run from target/debug/deps; the binaries are one folder up.
    let above = exe.parent().and_then(Path::parent).map(|dir| dir.join(candidate.file_name().expect("named")));
    match above.filter(|p| p.exists()) {
        Some(path) => Ok(path),
        None => bail!(
            "the demo needs the citizen-central server program beside citizen-window ({}): build it with `cargo build -p citizen-central --bin citizen-central`, or use scripts/demo.sh",
            candidate.display()
        ),
    }
}

pub struct DemoSystem {
    pub out: PathBuf,
    pub server_url: String,
    /// The community office's console (`demo.office` signs in there).
    pub console_url: String,
    pub central_dir: PathBuf,
    pub receipts: PathBuf,
    pub config: Config,
    pub reader: PtyHost,
    pub printer: PtyHost,
    pub scanner: PtyHost,
    server: Child,
    central: PathBuf,
}

impl DemoSystem {
    /// Starts everything under `out` (emptied first); `say` hears each step.
    pub fn start(out: &Path, say: &mut dyn FnMut(&str)) -> Result<Self> {
        if out.exists() {
            std::fs::remove_dir_all(out).with_context(|| format!("cannot empty the demo folder {}", out.display()))?;
        }
        std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
        let central = central_binary()?;
        let central_dir = out.join("central");
        let port = free_port()?;
        let console_port = free_port()?;
        run(Command::new(&central).args(["init", "--hostname", "localhost", "--hostname", "127.0.0.1"]).args([
            "--dir".as_ref(),
            central_dir.as_os_str(),
            "--port".as_ref(),
            port.to_string().as_ref(),
        ]))
        .context("the demo fleet (CA, server certificate, database) could not be created")?;
        super::office::add_demo_staff(&central, &central_dir)?;
        let log = std::fs::File::create(out.join("central.log"))?;
        let mut serve = Command::new(&central);
        serve
            .args(["serve", "--demo-payments", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--console-listen", &format!("127.0.0.1:{console_port}")])
            .arg("--dir")
            .arg(&central_dir)
            .stdout(Stdio::null())
            .stderr(log);
        // The server goes with the demo, even when the demo is killed (Ctrl-C, a closed terminal).
        // SAFETY: between fork and exec the child only makes the prctl system call, which is
        // async-signal-safe, and touches no memory of the parent's.
        unsafe {
            serve.pre_exec(|| {
                rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::TERM))
                    .map_err(std::io::Error::from)
            });
        }
        let server = serve.spawn().with_context(|| format!("cannot start {}", central.display()))?;
        let server_url = format!("https://localhost:{port}");
        let mut system = Self {
            out: out.to_path_buf(),
            server_url: server_url.clone(),
            console_url: format!("https://localhost:{console_port}"),
            central_dir: central_dir.clone(),
            receipts: out.join("receipts"),
            config: Config::parse("", Path::new("(demo)"))?,
            reader: start_reader(out)?,
            printer: start_printer(out)?,
            scanner: PtyHost::start(Box::<SimScanner>::default(), &out.join("scanner.port"), 9600)
                .context("cannot start the simulated code scanner")?,
            server,
            central,
        };
        wait_for_port(port, Duration::from_secs(15))
            .with_context(|| format!("the central server did not start: see {}", out.join("central.log").display()))?;
        say(&format!(
            "central server (citizen-central) on {server_url}, fresh test PKI and demo data in {}",
            central_dir.display()
        ));
        say(&format!(
            "the office's console on {} (staff {} with the demo-only password {})",
            system.console_url,
            super::office::DEMO_STAFF,
            super::office::DEMO_ONLY_STAFF_PASSWORD
        ));

        let token = run(Command::new(&system.central).arg("enrol-token").arg("--dir").arg(&central_dir))?;
        let state_dir = out.join("kiosk");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let identity = runtime
            .block_on(crate::sync::enrolment::enrol(&state_dir, &server_url, token.trim(), Some("幸福里社区 1号机")))
            .context("the demo kiosk could not enrol")?;
        say(&format!(
            "kiosk enrolled as {} (its key and certificate in {})",
            identity.enrolment.kiosk_id,
            state_dir.display()
        ));
        say(&format!("simulated ID card reader (SAM) at {}", out.join("reader.port").display()));
        say(&format!(
            "simulated receipt printer at {}; receipts go to {}",
            out.join("printer.port").display(),
            system.receipts.display()
        ));
        say(&format!("simulated QR/barcode scanner at {}", out.join("scanner.port").display()));

        system.config = Config {
            state_dir,
            content_dir: crate::content::Content::example_dir(),
            session: SessionTiming::default(),
            window_size: None,
            reader: Some(ReaderConfig { port: out.join("reader.port"), protocol: ReaderProtocol::Sam }),
            printer: Some(PrinterSetup { port: out.join("printer.port"), profile: PrinterProfile::default_profile() }),
            scanner: Some(ScannerConfig { port: out.join("scanner.port"), baud: 9600 }),
            journal_keep_acknowledged: std::time::Duration::from_secs(
                crate::config::DEFAULT_KEEP_ACKNOWLEDGED_DAYS * 86_400,
            ),
            receipts_bilingual: false,
            content_updates: Default::default(),
            languages: vec![crate::content::Language::Zh, crate::content::Language::En],
            control: crate::config::ControlSetup { socket: out.join("control.sock"), group: String::new() },
            help_answer_timeout: std::time::Duration::from_secs(180),
            voice: Default::default(),
        };
        Ok(system)
    }

    /// The community office publishes the example content with a new urgent notice (`title` and
    /// `body`, each in Chinese and English): `citizen-central publish`, as an operator runs it.
    /// Returns what it said.
    pub fn publish_notice(&self, title: [&str; 2], body: [&str; 2]) -> Result<String> {
        let folder = self.out.join("published-content");
        let _ = std::fs::remove_dir_all(&folder);
        copy_tree(&crate::content::Content::example_dir(), &folder)?;
        let notices = folder.join("notices.toml");
        let text = std::fs::read_to_string(&notices)?
            .replace("停水通知：12月3日9时至15时", title[0])
            .replace("Water off: 3 December, 9:00 to 15:00", title[1])
            .replace(
                "因主管道维修，12月3日9:00至15:00，3号楼、5号楼停水，请提前储水。如有问题请拨打社区服务站电话。",
                body[0],
            )
            .replace("For a repair of the main pipe, buildings 3 and 5 have no water on 3 December from 9:00 to 15:00. Please store water beforehand; call the service station with any question.", body[1]);
        std::fs::write(&notices, text)?;
        let said = run(Command::new(&self.central).arg("publish").arg(&folder).arg("--dir").arg(&self.central_dir))?;
        Ok(said.trim().to_string())
    }

    /// The central server's process id (the soak samples its open files and memory).
    pub fn server_pid(&self) -> u32 {
        self.server.id()
    }

    /// The central server's own account of what it holds: `citizen-central transactions export`.
    pub fn server_transactions(&self) -> Result<Vec<serde_json::Value>> {
        let text =
            run(Command::new(&self.central).args(["transactions", "export"]).arg("--dir").arg(&self.central_dir))?;
        text.lines().filter(|l| !l.trim().is_empty()).map(|l| Ok(serde_json::from_str(l)?)).collect()
    }
}

impl Drop for DemoSystem {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

fn start_reader(out: &Path) -> Result<PtyHost> {
    PtyHost::start(Box::new(SimSamReader::new(sample_cards_dir())), &out.join("reader.port"), 115_200)
        .context("cannot start the simulated ID card reader")
}

fn start_printer(out: &Path) -> Result<PtyHost> {
    let profile = PrinterProfile::default_profile();
    let sink = FolderSink::new(&out.join("receipts"))?;
    PtyHost::start(Box::new(SimPrinter::new(profile.clone(), Box::new(sink))), &out.join("printer.port"), profile.baud)
        .context("cannot start the simulated printer")
}

/// Runs a command to its end; its standard output, or an error with what it printed.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn run(command: &mut Command) -> Result<String> {
    let output = command.output().with_context(|| format!("cannot run {command:?}"))?;
    if !output.status.success() {
        bail!("{command:?} failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("no free port on loopback")?;
    Ok(listener.local_addr()?.port())
}

fn wait_for_port(port: u16, limit: Duration) -> Result<()> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("nothing listens on port {port} after {} s", limit.as_secs())
}
