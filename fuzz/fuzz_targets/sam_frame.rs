//! Fuzz target: the SAM frame decoder takes any bytes, in any split, without panicking, and
//! always makes progress.
#![no_main]
use citizen_window_hardware::sam::frame::SamFrameDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(1, |b| usize::from(*b % 16) + 1);
    let mut decoder = SamFrameDecoder::new();
    for chunk in data.chunks(split) {
        decoder.push(chunk);
        while decoder.next_frame().is_some() {}
    }
});
