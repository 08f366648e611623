//! An in-memory link from a driver straight to a simulated device, for fast unit tests of the
//! drivers without a pseudo-terminal; no pacing, same bytes.

use super::SimulatedDevice;
use crate::serial_link::{LinkOpener, SerialIo};
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Instant;

struct Shared<D> {
    device: D,
    to_host: VecDeque<u8>,
    written: Vec<u8>,
    unplugged: bool,
}

/// Cloneable handle to the device behind the link, for controlling it in a test.
pub struct MemoryDeviceLink<D: SimulatedDevice> {
    shared: Arc<Mutex<Shared<D>>>,
}

impl<D: SimulatedDevice> Clone for MemoryDeviceLink<D> {
    fn clone(&self) -> Self {
        Self { shared: self.shared.clone() }
    }
}

impl<D: SimulatedDevice> MemoryDeviceLink<D> {
    pub fn new(device: D) -> Self {
        Self {
            shared: Arc::new(Mutex::new(Shared {
                device,
                to_host: VecDeque::new(),
                written: Vec::new(),
                unplugged: false,
            })),
        }
    }

    pub fn control(&self, command: &str) -> Result<String, String> {
        self.shared.lock().expect("lock").device.control(command)
    }

    pub fn with_device<R>(&self, f: impl FnOnce(&mut D) -> R) -> R {
        f(&mut self.shared.lock().expect("lock").device)
    }

    /// Everything the host wrote so far.
    pub fn written(&self) -> Vec<u8> {
        self.shared.lock().expect("lock").written.clone()
    }

    pub fn set_unplugged(&self, unplugged: bool) {
        self.shared.lock().expect("lock").unplugged = unplugged;
    }
}

impl<D: SimulatedDevice> Read for MemoryDeviceLink<D> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut s = self.shared.lock().expect("lock");
        if s.unplugged {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "unplugged"));
        }
        let ticked = s.device.tick(Instant::now());
        s.to_host.extend(ticked);
        if s.to_host.is_empty() {
            drop(s);
            std::thread::sleep(std::time::Duration::from_millis(1));
            return Err(io::Error::new(io::ErrorKind::TimedOut, "nothing to read"));
        }
        let n = buf.len().min(s.to_host.len());
        for (slot, b) in buf.iter_mut().zip(s.to_host.drain(..n)) {
            *slot = b;
        }
        Ok(n)
    }
}

impl<D: SimulatedDevice> Write for MemoryDeviceLink<D> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut s = self.shared.lock().expect("lock");
        if s.unplugged {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "unplugged"));
        }
        s.written.extend_from_slice(buf);
        let reply = s.device.receive(buf, Instant::now());
        s.to_host.extend(reply);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<D: SimulatedDevice> SerialIo for MemoryDeviceLink<D> {
    fn discard_input(&mut self) -> io::Result<()> {
        self.shared.lock().expect("lock").to_host.clear();
        Ok(())
    }
}

impl<D: SimulatedDevice> LinkOpener for MemoryDeviceLink<D> {
    type Io = MemoryDeviceLink<D>;
    fn open(&mut self) -> io::Result<Self::Io> {
        if self.shared.lock().expect("lock").unplugged {
            return Err(io::Error::new(io::ErrorKind::NotFound, "no such device"));
        }
        Ok(self.clone())
    }
    fn describe(&self) -> String {
        "memory link".into()
    }
}
