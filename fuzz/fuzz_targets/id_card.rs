//! Fuzz target: any read answer payload decodes to a card or a typed error, never a panic.
#![no_main]
use citizen_window_hardware::sam::id_card::IdCard;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = IdCard::from_read_answer(data);
});
