//! Fuzz target: the simulated printer interprets any byte stream without panicking (it is the
//! reference the driver tests compare against, so it must survive garbage too).
#![no_main]
use citizen_window_hardware::printer::PrinterProfile;
use citizen_window_hardware::sim::SimulatedDevice;
use citizen_window_hardware::sim::printer::{PrintedReceipt, SimPrinter};
use libfuzzer_sys::fuzz_target;
use std::time::Instant;

fuzz_target!(|data: &[u8]| {
    let mut printer = SimPrinter::new(PrinterProfile::default_profile(), Box::new(|_: PrintedReceipt, _: &PrinterProfile| {}));
    for chunk in data.chunks(7) {
        let _ = printer.receive(chunk, Instant::now());
    }
});
