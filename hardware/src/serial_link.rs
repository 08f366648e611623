//! The byte link to a device: a trait over serial ports (and pseudo-terminals, and in-memory
//! buffers in tests), and a wrapper that notices a vanished port and reopens it with backoff.

use crate::backoff::ReconnectBackoff;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A device's byte stream. Reads wait a short time and return `TimedOut` if nothing came.
pub trait SerialIo: Read + Write + Send {
    /// Drops whatever the device sent that nobody read yet.
    fn discard_input(&mut self) -> io::Result<()>;
}

impl SerialIo for serialport::TTYPort {
    fn discard_input(&mut self) -> io::Result<()> {
        use serialport::SerialPort;
        self.clear(serialport::ClearBuffer::Input).map_err(io::Error::from)
    }
}

/// Opens (and reopens) the link to one device.
pub trait LinkOpener: Send {
    type Io: SerialIo;
    fn open(&mut self) -> io::Result<Self::Io>;
    /// The port, for messages: "/dev/ttyUSB0".
    fn describe(&self) -> String;
}

/// Opens a serial port (or a pseudo-terminal, or a symlink to either) by path.
#[derive(Debug, Clone)]
pub struct SerialPortOpener {
    pub path: PathBuf,
    pub baud: u32,
    /// How long one read waits for the first byte.
    pub read_timeout: Duration,
}

impl SerialPortOpener {
    pub fn new(path: impl Into<PathBuf>, baud: u32) -> Self {
        Self { path: path.into(), baud, read_timeout: Duration::from_millis(20) }
    }
}

impl LinkOpener for SerialPortOpener {
    type Io = serialport::TTYPort;

    fn open(&mut self) -> io::Result<Self::Io> {
        let path = self.path.to_string_lossy();
        match serialport::new(path.as_ref(), self.baud).timeout(self.read_timeout).open_native() {
            Ok(port) => Ok(port),
            Err(e) if lacks_termios2(&e) => open_with_classic_termios(&self.path, self.baud, self.read_timeout),
            Err(e) => Err(match e.kind {
                serialport::ErrorKind::NoDevice => io::Error::new(io::ErrorKind::NotFound, e.description),
                serialport::ErrorKind::Io(kind) => io::Error::new(kind, e.description),
                _ => io::Error::other(e.description),
            }),
        }
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

/// Whether opening failed because the terminal interface has no termios2 (the serialport crate
/// sets the speed with it): an emulator such as qemu-user, where the board's arm64 build is tried.
fn lacks_termios2(e: &serialport::Error) -> bool {
    let text = e.description.to_ascii_lowercase();
    matches!(e.kind, serialport::ErrorKind::Io(io::ErrorKind::Unsupported))
        || ["inappropriate ioctl", "not a typewriter", "function not implemented"].iter().any(|t| text.contains(t))
}

/// Opens the port raw at a standard `baud` with the classic termios calls (`tcsetattr`), for a
/// system without termios2; then it is a port like any other.
pub fn open_with_classic_termios(
    path: &std::path::Path,
    baud: u32,
    read_timeout: Duration,
) -> io::Result<serialport::TTYPort> {
    use serialport::SerialPort;
    use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
    use std::os::unix::fs::OpenOptionsExt;
    let speed = match baud {
        1200 => libc::B1200,
        2400 => libc::B2400,
        4800 => libc::B4800,
        9600 => libc::B9600,
        19_200 => libc::B19200,
        38_400 => libc::B38400,
        57_600 => libc::B57600,
        115_200 => libc::B115200,
        230_400 => libc::B230400,
        _ => return Err(io::Error::new(io::ErrorKind::Unsupported, format!("{baud} baud needs termios2"))),
    };
    let file = std::fs::OpenOptions::new().read(true).write(true).custom_flags(libc::O_NOCTTY).open(path)?;
    let fd = file.as_raw_fd();
    // SAFETY: `termios` is plain data that tcgetattr fills; every call gets the open descriptor
    // `fd` and a pointer to that one struct.
    unsafe {
        let mut termios: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(fd, &mut termios) != 0 {
            return Err(io::Error::last_os_error());
        }
        libc::cfmakeraw(&mut termios);
        termios.c_cflag |= libc::CLOCAL | libc::CREAD;
        if libc::cfsetispeed(&mut termios, speed) != 0
            || libc::cfsetospeed(&mut termios, speed) != 0
            || libc::tcsetattr(fd, libc::TCSANOW, &termios) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    // SAFETY: the descriptor is open and handed over whole: the port owns and closes it.
    let mut port = unsafe { serialport::TTYPort::from_raw_fd(file.into_raw_fd()) };
    port.set_timeout(read_timeout).map_err(|e| io::Error::other(e.description))?;
    Ok(port)
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("{port} is disconnected ({cause}): check the cable and the port name; retrying in {retry_in_ms} ms")]
    Disconnected { port: String, cause: String, retry_in_ms: u64 },
    #[error("{port} did not accept data within {timeout_ms} ms: the device is busy or flow control is stuck")]
    WriteTimeout { port: String, timeout_ms: u64 },
}

/// Whether an IO error means the device is gone (as opposed to "nothing yet").
pub fn is_transient(error: &io::Error) -> bool {
    matches!(error.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted)
}

/// A link that opens lazily, marks itself disconnected on a fatal error, and reopens with backoff.
pub struct ReconnectingLink<O: LinkOpener> {
    opener: O,
    io: Option<O::Io>,
    backoff: ReconnectBackoff,
    last_error: Option<String>,
}

impl<O: LinkOpener> ReconnectingLink<O> {
    pub fn new(opener: O) -> Self {
        Self { opener, io: None, backoff: ReconnectBackoff::default(), last_error: None }
    }

    pub fn with_backoff(mut self, backoff: ReconnectBackoff) -> Self {
        self.backoff = backoff;
        self
    }

    pub fn port_name(&self) -> String {
        self.opener.describe()
    }

    pub fn is_connected(&self) -> bool {
        self.io.is_some()
    }

    /// Opens the port if it is closed and the backoff allows an attempt now.
    pub fn ensure_open(&mut self) -> Result<&mut O::Io, LinkError> {
        if self.io.is_none() {
            let now = Instant::now();
            if !self.backoff.may_attempt(now) {
                return Err(self.disconnected_error(now));
            }
            match self.opener.open() {
                Ok(mut io) => {
                    let _ = io.discard_input();
                    tracing::info!(port = %self.opener.describe(), "device port opened");
                    self.backoff.record_success();
                    self.last_error = None;
                    self.io = Some(io);
                }
                Err(e) => {
                    self.backoff.record_failure(now, fastrand::f64());
                    self.last_error = Some(e.to_string());
                    return Err(self.disconnected_error(now));
                }
            }
        }
        Ok(self.io.as_mut().expect("opened above"))
    }

    fn disconnected_error(&self, now: Instant) -> LinkError {
        LinkError::Disconnected {
            port: self.opener.describe(),
            cause: self.last_error.clone().unwrap_or_else(|| "not open".into()),
            retry_in_ms: self.backoff.wait_left(now).as_millis() as u64,
        }
    }

    /// Closes the port after a fatal error; the next call reopens it after the backoff.
    pub fn mark_disconnected(&mut self, cause: &io::Error) {
        if self.io.take().is_some() {
            tracing::warn!(port = %self.opener.describe(), error = %cause, "device port lost");
        }
        self.last_error = Some(cause.to_string());
        self.backoff.record_failure(Instant::now(), fastrand::f64());
    }

    fn fail(&mut self, e: io::Error) -> LinkError {
        self.mark_disconnected(&e);
        self.disconnected_error(Instant::now())
    }

    /// Writes all of `bytes`, waiting while the device is slow, until `deadline`.
    pub fn write_all(&mut self, mut bytes: &[u8], deadline: Instant) -> Result<(), LinkError> {
        while !bytes.is_empty() {
            let io = self.ensure_open()?;
            match io.write(bytes) {
                Ok(0) => {
                    return Err(self.fail(io::Error::new(io::ErrorKind::WriteZero, "port accepts no data")));
                }
                Ok(n) => bytes = &bytes[n..],
                Err(e) if is_transient(&e) => {
                    if Instant::now() >= deadline {
                        return Err(LinkError::WriteTimeout {
                            port: self.opener.describe(),
                            timeout_ms: deadline.elapsed().as_millis() as u64,
                        });
                    }
                }
                Err(e) => return Err(self.fail(e)),
            }
        }
        Ok(())
    }

    /// Reads what has arrived; `Ok(0)` when nothing came within the port's read timeout.
    pub fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, LinkError> {
        let io = self.ensure_open()?;
        match io.read(buf) {
            // A pseudo-terminal whose other side closed reads as end of file.
            Ok(0) => Err(self.fail(io::Error::new(io::ErrorKind::UnexpectedEof, "port closed"))),
            Ok(n) => Ok(n),
            Err(e) if is_transient(&e) => Ok(0),
            Err(e) => Err(self.fail(e)),
        }
    }

    pub fn discard_input(&mut self) -> Result<(), LinkError> {
        let io = self.ensure_open()?;
        if let Err(e) = io.discard_input() {
            return Err(self.fail(e));
        }
        Ok(())
    }
}
