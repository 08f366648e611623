//! The control socket's listener: a Unix socket that only root and the technicians' group may
//! open (mode 0660, owned by that group; 0600 when there is none), served on its own thread one
//! connection at a time, each bounded: a request of at most 4 KiB, read and answered within 2 s.

use super::{ControlAnswer, ControlRequest, REQUEST_LIMIT};
use crate::config::ControlSetup;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long one technician's connection may take, request and answer.
const CONNECTION_DEADLINE: Duration = Duration::from_secs(2);

/// The socket, served until dropped (the socket file is then removed).
pub struct ControlServer {
    path: PathBuf,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ControlServer {
    /// Serves `setup.socket`, answering each request with `answer`.
    pub fn start(
        setup: &ControlSetup,
        answer: impl Fn(ControlRequest) -> ControlAnswer + Send + 'static,
    ) -> std::io::Result<Self> {
        let listener = bind(&setup.socket, &setup.group)?;
        let stopping = Arc::new(AtomicBool::new(false));
        let thread = {
            let stopping = stopping.clone();
            std::thread::Builder::new().name("control-socket".into()).spawn(move || {
                for connection in listener.incoming() {
                    if stopping.load(Ordering::Acquire) {
                        return;
                    }
                    match connection {
                        Ok(stream) => serve(stream, &answer),
                        Err(e) => {
                            tracing::warn!("the control socket refused a connection: {e}");
                            std::thread::sleep(Duration::from_millis(100));
                        }
                    }
                }
            })?
        };
        Ok(Self { path: setup.socket.clone(), stopping, thread: Some(thread) })
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::Release);
        // Wakes the listener's accept, which then sees it is stopping.
        let _ = UnixStream::connect(&self.path);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Binds the socket: a file left by a kiosk that died is replaced; one that a running kiosk
/// serves is not.
fn bind(path: &Path, group: &str) -> std::io::Result<UnixListener> {
    if UnixStream::connect(path).is_ok() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            format!(
                "another kiosk program already serves {}: stop it first (systemctl stop citizen-window)",
                path.display()
            ),
        ));
    }
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let listener = UnixListener::bind(path)?;
    let gid = (!group.is_empty()).then(|| group_id(group)).flatten();
    if !group.is_empty() && gid.is_none() {
        tracing::warn!("there is no group {group:?} (control.group): only root may use {}", path.display());
    }
    if let Some(gid) = gid {
        std::os::unix::fs::chown(path, None, Some(gid))?;
    }
    let mode = if gid.is_some() { 0o660 } else { 0o600 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(listener)
}

/// The id of the local group `name` (/etc/group).
fn group_id(name: &str) -> Option<u32> {
    let groups = std::fs::read_to_string("/etc/group").ok()?;
    groups.lines().find_map(|line| {
        let mut fields = line.split(':');
        (fields.next() == Some(name)).then(|| fields.nth(1)?.parse().ok()).flatten()
    })
}

/// One connection: one request line in, one answer line out, the whole within the deadline
/// (a client that trickles its request is cut off at it).
fn serve(stream: UnixStream, answer: &impl Fn(ControlRequest) -> ControlAnswer) {
    let reply = match read_request(&stream) {
        Ok(request) => answer(request),
        Err(message) => ControlAnswer::Refused { message },
    };
    let mut out = serde_json::to_vec(&reply).expect("answers serialise");
    out.push(b'\n');
    if stream.set_write_timeout(Some(CONNECTION_DEADLINE)).is_ok() {
        let _ = (&stream).write_all(&out);
    }
}

fn read_request(mut stream: &UnixStream) -> Result<ControlRequest, String> {
    let started = Instant::now();
    let mut line = Vec::new();
    let mut chunk = [0u8; 512];
    while !line.contains(&b'\n') {
        let left = CONNECTION_DEADLINE.saturating_sub(started.elapsed());
        if left.is_zero() || line.len() as u64 > REQUEST_LIMIT {
            return Err("the request was too slow or too long".into());
        }
        stream.set_read_timeout(Some(left)).map_err(|e| e.to_string())?;
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => line.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(format!("the request could not be read: {e}")),
        }
    }
    serde_json::from_slice(&line)
        .map_err(|e| format!("not a request this kiosk knows ({e}): is kioskctl the same version as the kiosk?"))
}
