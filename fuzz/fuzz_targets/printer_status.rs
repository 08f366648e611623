//! Fuzz target: any four reply bytes give a status report or are rejected, never a panic.
#![no_main]
use citizen_window_hardware::escpos::status::{PrinterStatus, StatusQuery};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut status = PrinterStatus::default();
    for (query, byte) in StatusQuery::ALL.into_iter().zip(data) {
        let _ = status.apply(query, *byte);
    }
    let _ = (status.device_status(), status.required_action(), status.describe());
});
