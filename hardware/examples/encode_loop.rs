//! Profiling aid: encodes the standard payment receipt in a loop (for perf or callgrind).
use citizen_window_hardware::escpos::{Receipt, ReceiptEncoder};
use citizen_window_hardware::printer::PrinterProfile;
fn main() {
    let profile = PrinterProfile::default_profile();
    let receipt = Receipt::sample_payment();
    let encoder = ReceiptEncoder::new(&profile);
    let mut out = Vec::new();
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    for _ in 0..n {
        out.clear();
        encoder
            .encode_into(std::hint::black_box(&receipt), &mut out)
            .unwrap();
    }
    println!("{}", out.len());
}
