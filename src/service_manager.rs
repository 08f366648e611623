//! Telling systemd how the kiosk is (the sd_notify protocol, spoken by hand: one datagram to
//! `$NOTIFY_SOCKET`): ready once the UI is up, a watchdog ping from the UI's event loop, stopping
//! on the way out. Without systemd (no `$NOTIFY_SOCKET`) every call does nothing.

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::Duration;

/// The service manager's socket and watchdog interval, as systemd gave them.
#[derive(Debug, Default)]
pub struct Notifier {
    socket: Option<(UnixDatagram, NotifyAddress)>,
    watchdog: Option<Duration>,
}

#[derive(Debug)]
enum NotifyAddress {
    Path(PathBuf),
    /// A Linux abstract socket (`@name` in `$NOTIFY_SOCKET`).
    Abstract(Vec<u8>),
}

impl Notifier {
    /// From `$NOTIFY_SOCKET` and `$WATCHDOG_USEC` (taken only when `$WATCHDOG_PID`, if set, is
    /// this process). The variables are left in place: the kiosk starts no child that could take
    /// them.
    pub fn from_environment() -> Self {
        let Some(socket) = std::env::var_os("NOTIFY_SOCKET") else { return Self::default() };
        let bytes = socket.as_encoded_bytes();
        let address = match bytes.strip_prefix(b"@") {
            Some(name) => NotifyAddress::Abstract(name.to_vec()),
            None => NotifyAddress::Path(PathBuf::from(&socket)),
        };
        let for_us = std::env::var("WATCHDOG_PID").ok().is_none_or(|pid| pid == std::process::id().to_string());
        let watchdog = std::env::var("WATCHDOG_USEC")
            .ok()
            .and_then(|usec| usec.parse::<u64>().ok())
            .filter(|&usec| usec > 0 && for_us)
            .map(Duration::from_micros);
        match unbound_nonblocking() {
            Ok(datagram) => Self { socket: Some((datagram, address)), watchdog },
            Err(e) => {
                tracing::error!("cannot talk to systemd ({e}): the watchdog will restart the kiosk");
                Self::default()
            }
        }
    }

    /// A notifier for the socket at `path`, watched every `watchdog` (a test's own socket, or a
    /// service manager other than systemd's environment variables tell of).
    pub fn for_socket(path: &std::path::Path, watchdog: Option<Duration>) -> std::io::Result<Self> {
        Ok(Self { socket: Some((unbound_nonblocking()?, NotifyAddress::Path(path.to_path_buf()))), watchdog })
    }

    /// How often systemd wants a ping, if it watches.
    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.watchdog
    }

    /// The UI is up and serving.
    pub fn ready(&self) {
        self.send("READY=1\nSTATUS=serving residents");
    }

    /// The UI's event loop is alive.
    pub fn watchdog_ping(&self) {
        if self.watchdog.is_some() {
            self.send("WATCHDOG=1");
        }
    }

    /// The kiosk is on its way out.
    pub fn stopping(&self) {
        self.send("STOPPING=1");
    }

    fn send(&self, message: &str) {
        let Some((datagram, address)) = &self.socket else { return };
        let sent = match address {
            NotifyAddress::Path(path) => datagram.send_to(message.as_bytes(), path),
            NotifyAddress::Abstract(name) => {
                use std::os::linux::net::SocketAddrExt;
                std::os::unix::net::SocketAddr::from_abstract_name(name)
                    .and_then(|to| datagram.send_to_addr(message.as_bytes(), &to))
            }
        };
        match sent {
            Ok(_) => {}
            // The manager is not reading: this message is dropped, the UI does not wait.
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                tracing::debug!("systemd's socket is full: {message:?} dropped")
            }
            Err(e) => tracing::warn!("systemd did not take {message:?}: {e}"),
        }
    }
}

/// The socket the messages go out on: never blocking, so that a manager that stops reading
/// can never stall the UI's event loop that pings it.
fn unbound_nonblocking() -> std::io::Result<UnixDatagram> {
    let datagram = UnixDatagram::unbound()?;
    datagram.set_nonblocking(true)?;
    Ok(datagram)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_reach_a_path_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        let notifier = Notifier::for_socket(&path, Some(Duration::from_secs(10))).unwrap();
        notifier.ready();
        notifier.watchdog_ping();
        let mut buffer = [0u8; 256];
        let n = listener.recv(&mut buffer).unwrap();
        assert!(std::str::from_utf8(&buffer[..n]).unwrap().starts_with("READY=1"));
        let n = listener.recv(&mut buffer).unwrap();
        assert_eq!(&buffer[..n], b"WATCHDOG=1");
    }

    #[test]
    fn a_manager_that_stops_reading_never_blocks_the_pinger() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let _listener = UnixDatagram::bind(&path).unwrap();
        let notifier = Notifier::for_socket(&path, Some(Duration::from_secs(10))).unwrap();
        // Far more than the socket's queue holds, and nobody reads: a blocking send would hang
        // here for ever (as the UI's event loop would); each one returns instead.
        for _ in 0..100_000 {
            notifier.watchdog_ping();
        }
    }
}
