//! Fuzz target: the swipe decoder takes any bytes without panicking.
#![no_main]
use citizen_window_hardware::magstripe::SwipeDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut decoder = SwipeDecoder::new(b'\r');
    for chunk in data.chunks(5) {
        let _ = decoder.push(chunk);
    }
});
