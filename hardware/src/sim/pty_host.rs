//! Hosts a simulated device on a pseudo-terminal: the host program opens the path the user named
//! (a symlink to the pty) as if it were a serial port. Bytes are paced at the configured baud rate
//! in both directions, so timings on the simulator mean what they would on the wire. The device can
//! be unplugged (the pty disappears) and plugged in again (a new pty behind the same path).

use super::SimulatedDevice;
use serialport::TTYPort;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// `TTYPort::pair` is not safe to call from several threads at once.
static PAIR_LOCK: Mutex<()> = Mutex::new(());

/// Bytes the device writes before pausing for their wire time, unless told otherwise.
const DEFAULT_OUTPUT_CHUNK: usize = 32;
/// Bytes taken from the host per read (at 9600 baud, 256 bytes are 267 ms on the wire).
const INPUT_CHUNK: usize = 256;

struct ControlRequest {
    command: String,
    answer: Sender<Result<String, String>>,
}

/// A running simulated device on a pseudo-terminal.
pub struct PtyHost {
    link: PathBuf,
    control: Sender<ControlRequest>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

struct Pty {
    master: TTYPort,
    // Kept open so that the master does not read end-of-file while no host has the port open.
    _slave: TTYPort,
}

fn open_pty(link: &Path) -> std::io::Result<Pty> {
    let (mut master, slave) = {
        let _guard = PAIR_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        TTYPort::pair().map_err(std::io::Error::other)?
    };
    use serialport::SerialPort;
    master.set_timeout(Duration::from_millis(5)).map_err(std::io::Error::other)?;
    let slave_path = slave.name().ok_or_else(|| std::io::Error::other("pseudo-terminal has no name"))?;
    replace_symlink(Path::new(&slave_path), link)?;
    Ok(Pty { master, _slave: slave })
}

fn replace_symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(link) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::remove_file(link)?,
        Ok(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a symlink: choose another --link path", link.display()),
            ));
        }
        Err(_) => {}
    }
    std::os::unix::fs::symlink(target, link)
}

fn remove_symlink(link: &Path) {
    if std::fs::symlink_metadata(link).is_ok_and(|m| m.file_type().is_symlink()) {
        let _ = std::fs::remove_file(link);
    }
}

/// Wire time of `bytes` at `baud`, 10 bits a byte.
pub fn wire_time(bytes: usize, baud: u32) -> Duration {
    Duration::from_secs_f64(bytes as f64 * 10.0 / f64::from(baud))
}

impl PtyHost {
    /// Starts `device` behind a new pseudo-terminal reachable at `link`.
    pub fn start(device: Box<dyn SimulatedDevice>, link: &Path, baud: u32) -> std::io::Result<Self> {
        Self::start_with_output_chunk(device, link, baud, DEFAULT_OUTPUT_CHUNK)
    }

    /// Like [`Self::start`], writing the device's answers `output_chunk` bytes at a time (1 makes
    /// the host reassemble every frame from single bytes).
    pub fn start_with_output_chunk(
        device: Box<dyn SimulatedDevice>,
        link: &Path,
        baud: u32,
        output_chunk: usize,
    ) -> std::io::Result<Self> {
        let pty = open_pty(link)?;
        let (control, requests) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let worker = Worker {
            device,
            link: link.to_path_buf(),
            baud,
            output_chunk: output_chunk.max(1),
            pty: Some(pty),
            requests,
            stop: stop.clone(),
        };
        let thread = std::thread::Builder::new().name("devsim".into()).spawn(move || worker.run())?;
        Ok(Self { link: link.to_path_buf(), control, stop, thread: Some(thread) })
    }

    pub fn link(&self) -> &Path {
        &self.link
    }

    /// Sends a control command and waits for the device's answer.
    pub fn control(&self, command: &str) -> Result<String, String> {
        self.controller().control(command)
    }

    /// A cloneable handle for sending control commands from other threads.
    pub fn controller(&self) -> PtyController {
        PtyController { control: self.control.clone() }
    }
}

/// Sends control commands to a running [`PtyHost`].
#[derive(Clone)]
pub struct PtyController {
    control: Sender<ControlRequest>,
}

impl PtyController {
    /// Sends a control command and waits for the device's answer.
    pub fn control(&self, command: &str) -> Result<String, String> {
        let (answer, reply) = mpsc::channel();
        self.control
            .send(ControlRequest { command: command.to_string(), answer })
            .map_err(|_| "the simulated device has stopped".to_string())?;
        reply.recv_timeout(Duration::from_secs(30)).map_err(|_| "the simulated device did not answer".to_string())?
    }
}

impl Drop for PtyHost {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        remove_symlink(&self.link);
    }
}

struct Worker {
    device: Box<dyn SimulatedDevice>,
    link: PathBuf,
    baud: u32,
    output_chunk: usize,
    pty: Option<Pty>,
    requests: Receiver<ControlRequest>,
    stop: Arc<AtomicBool>,
}

impl Worker {
    fn run(mut self) {
        // When the bytes read so far have finished arriving on the simulated wire.
        let mut wire_free_at = Instant::now();
        let mut buf = [0u8; INPUT_CHUNK];
        while !self.stop.load(Ordering::SeqCst) {
            while let Ok(request) = self.requests.try_recv() {
                let answer = self.handle_control(&request.command);
                let _ = request.answer.send(answer);
            }
            let Some(pty) = self.pty.as_mut() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            let read = pty.master.read(&mut buf);
            let now = Instant::now();
            match read {
                Ok(n) if n > 0 => {
                    // Bytes do not arrive faster than the wire carries them.
                    let arrived_at = wire_free_at.max(now) + wire_time(n, self.baud);
                    wire_free_at = arrived_at;
                    sleep_until(arrived_at);
                    let reply = self.device.receive(&buf[..n], Instant::now());
                    self.send(&reply);
                }
                Ok(_) => {}
                Err(e) if crate::serial_link::is_transient(&e) => {}
                Err(e) => {
                    tracing::debug!("simulated device read error: {e}");
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            let spontaneous = self.device.tick(Instant::now());
            self.send(&spontaneous);
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(self.output_chunk) {
            let Some(pty) = self.pty.as_mut() else { return };
            let started = Instant::now();
            if let Err(e) = pty.master.write_all(chunk) {
                tracing::debug!("simulated device write error: {e}");
                return;
            }
            sleep_until(started + wire_time(chunk.len(), self.baud));
        }
    }

    fn handle_control(&mut self, command: &str) -> Result<String, String> {
        match command.trim() {
            "unplug" => {
                self.pty = None;
                remove_symlink(&self.link);
                Ok("unplugged".into())
            }
            "replug" => {
                if self.pty.is_none() {
                    self.pty =
                        Some(open_pty(&self.link).map_err(|e| format!("cannot create the pseudo-terminal: {e}"))?);
                }
                Ok("plugged in".into())
            }
            other => self.device.control(other),
        }
    }
}

fn sleep_until(at: Instant) {
    let now = Instant::now();
    if at > now {
        std::thread::sleep(at - now);
    }
}
