//! Fuzz target: the RDM6300 decoder takes any bytes without panicking.
#![no_main]
use citizen_window_hardware::rfid::RfidDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut decoder = RfidDecoder::default();
    for chunk in data.chunks(3) {
        decoder.push(chunk);
        while decoder.next_tag().is_some() {}
    }
});
