//! The serial ports present on this machine, found through /sys (no libudev), with the stable
//! /dev/serial/by-id names that point at each.

use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Serialize)]
pub struct PortInfo {
    pub path: String,
    pub kind: String,
    /// Stable names (/dev/serial/by-id/...) that point at this port.
    pub stable_names: Vec<String>,
}

pub fn list_ports() -> Vec<PortInfo> {
    let by_id: Vec<(PathBuf, PathBuf)> = std::fs::read_dir("/dev/serial/by-id")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| Some((entry.path(), std::fs::canonicalize(entry.path()).ok()?)))
        .collect();
    let mut ports: Vec<PortInfo> = serialport::available_ports()
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let kind = match p.port_type {
                serialport::SerialPortType::UsbPort(usb) => {
                    format!("usb {:04x}:{:04x} {}", usb.vid, usb.pid, usb.product.unwrap_or_default())
                        .trim_end()
                        .to_string()
                }
                serialport::SerialPortType::PciPort => "pci".into(),
                serialport::SerialPortType::BluetoothPort => "bluetooth".into(),
                serialport::SerialPortType::Unknown => "serial".into(),
            };
            let real = std::fs::canonicalize(&p.port_name).unwrap_or_else(|_| PathBuf::from(&p.port_name));
            let stable_names = by_id
                .iter()
                .filter(|(_, target)| *target == real)
                .map(|(link, _)| link.display().to_string())
                .collect();
            PortInfo { path: p.port_name, kind, stable_names }
        })
        .collect();
    ports.sort_by(|a, b| a.path.cmp(&b.path));
    ports
}
