//! `kioskctl ports`: the serial ports present, as a table for the terminal.

pub use citizen_window_hardware::port_list::{PortInfo, list_ports};

pub fn render(ports: &[PortInfo]) -> String {
    if ports.is_empty() {
        return "no serial ports found: check that the USB adapters are plugged in (dmesg shows them)\n".into();
    }
    let mut out = String::new();
    for p in ports {
        out.push_str(&format!("{:<20} {}", p.path, p.kind));
        for name in &p.stable_names {
            out.push_str(&format!("  ({name})"));
        }
        out.push('\n');
    }
    out
}
