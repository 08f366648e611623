//! What reversing residents' keys costs, measured: one guess at the old design's fleet-wide keyed
//! hash (HMAC-SHA256 with a secret every kiosk held) beside one guess at a stolen kiosk's own
//! once-keys (Argon2id, 19 MiB, two passes), in the same run; and what the new design costs the
//! kiosk per card read and per request, and the server per request. The reversal figures are for
//! one district (3×10^7 candidate ID numbers). Run: `cargo bench --bench resident_key_bench`.

use citizen_central::residents::{ResidentKeys, new_seal_key};
use citizen_window::resident_key::ResidentSealer;
use citizen_window_hardware::sam::IdNumber;
use citizen_window_protocol::resident_seal::{SealPurpose, seal};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::time::Instant;

/// Candidate ID numbers in one district: region, birth dates, sequence numbers.
const DISTRICT_CANDIDATES: f64 = 3e7;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Seconds per call of `f`, the median of `rounds` rounds of `per_round` calls.
fn time_per_call(rounds: usize, per_round: usize, mut f: impl FnMut(usize)) -> f64 {
    let samples = (0..rounds)
        .map(|round| {
            let started = Instant::now();
            for i in 0..per_round {
                f(round * per_round + i);
            }
            started.elapsed().as_secs_f64() / per_round as f64
        })
        .collect();
    median(samples)
}

fn human(seconds: f64) -> String {
    match seconds {
        s if s < 1e-3 => format!("{:.1} µs", s * 1e6),
        s if s < 1.0 => format!("{:.1} ms", s * 1e3),
        s if s < 3600.0 => format!("{s:.1} s"),
        s if s < 86_400.0 * 2.0 => format!("{:.1} h", s / 3600.0),
        s if s < 86_400.0 * 365.0 * 2.0 => format!("{:.0} days", s / 86_400.0),
        s => format!("{:.1} years", s / (86_400.0 * 365.0)),
    }
}

fn main() {
    let id = IdNumber::parse("330106199001010018").unwrap();
    let number = id.reveal_full_number().to_string();

    // The peer: the old design's keyed hash, one guess (the secret sat on every kiosk).
    let old_secret = [7u8; 32];
    let old_guess = time_per_call(9, 200_000, |i| {
        let mut mac = Hmac::<Sha256>::new_from_slice(&old_secret).unwrap();
        mac.update(b"citizen-window resident v1\0");
        mac.update(number.as_bytes());
        mac.update(&i.to_le_bytes());
        std::hint::black_box(mac.finalize());
    });

    // The kiosk's own once-keys: one Argon2id per candidate (then an HMAC per proposal).
    let keys = ResidentKeys::new(&*new_seal_key(), vec![3; 32]).unwrap();
    let sealer =
        ResidentSealer::new(&hex::encode(keys.seal_public_key()), "k1", zeroize::Zeroizing::new(vec![1; 32])).unwrap();
    let card_read = time_per_call(9, 3, |_| {
        std::hint::black_box(sealer.hold(&id));
    });

    // What the new design costs per request: sealing at the kiosk, opening and keying at the server.
    let handle = sealer.hold(&id);
    let kiosk_seal = time_per_call(9, 500, |_| {
        std::hint::black_box(handle.lookup_seal(1_800_000_000_000).unwrap());
    });
    let sealed = seal(&keys.seal_public_key(), "k1", SealPurpose::Lookup, 1_800_000_000_000, &number).unwrap();
    let server_open = time_per_call(9, 500, |_| {
        std::hint::black_box(keys.lookup_pseudonym(&sealed, "k1", 1_800_000_000_000).unwrap());
    });

    println!("# Reversing residents' keys ({DISTRICT_CANDIDATES:.0e} candidate ID numbers: one district)\n");
    println!("| what | one guess or call | one district, one core | vs the old design |");
    println!("|---|---:|---:|---:|");
    let row = |what: &str, each: f64, district: bool| {
        let total = if district { human(each * DISTRICT_CANDIDATES) } else { "—".into() };
        println!("| {what} | {} | {total} | {:.0}× |", human(each), each / old_guess);
    };
    row("old: fleet-wide HMAC secret on every kiosk (peer)", old_guess, true);
    row("new: a stolen kiosk's own once-keys (Argon2id 19 MiB, 2 passes)", card_read, true);
    row("new: kiosk seals an ID number (X25519 + ChaCha20-Poly1305)", kiosk_seal, false);
    row("new: server opens a seal and keys the pseudonym", server_open, false);
    println!(
        "\nThe Argon2id figure is also the kiosk's cost per card read. Without the server's private \
         keys, the server's pseudonyms and the kiosk's seals do not reverse at any number of guesses."
    );
}
