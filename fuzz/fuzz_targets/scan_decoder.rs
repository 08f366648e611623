//! Fuzz target: the scanner's line decoder takes any bytes, in any chunks, without panicking, and
//! never returns a code longer than its limit.
#![no_main]
use citizen_window_hardware::scanner::{MAX_CODE_LEN, ScanDecoder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut decoder = ScanDecoder::default();
    let chunk = usize::from(data.first().copied().unwrap_or(1)).max(1);
    for piece in data.chunks(chunk) {
        for code in decoder.push(piece).into_iter().flatten() {
            assert!(code.text().len() <= MAX_CODE_LEN);
        }
    }
});
