//! Residents at the kiosk. The ID number read from a card stays in memory for the session only,
//! inside a [`ResidentHandle`], wiped when the last copy drops. What leaves the handle:
//! - seals of the number to the server's public key (`protocol::resident_seal`), fresh each time,
//!   for what the server looks up while the resident waits and for the resident's votes; the
//!   kiosk cannot open them, and no two look alike;
//! - the vote's once-key, a pseudonym of this kiosk only and of one proposal only, so that one
//!   vote per resident per proposal holds here offline. It is keyed with a secret this kiosk made
//!   for itself, through Argon2id (memory-hard): the holder of a stolen kiosk pays that cost for
//!   every candidate ID number (once: the proposal comes after, through HMAC; figures in
//!   docs/SECURITY.md).

use citizen_window_hardware::sam::IdNumber;
use citizen_window_protocol::resident_seal::{self, KEY_LEN, SealError, SealPurpose};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Argon2id's cost for the kiosk's own resident keys: 19 MiB and two passes (OWASP's minimum
/// for Argon2id), computed once per card read.
pub const LOCAL_KEY_MEMORY_KIB: u32 = 19 * 1024;
pub const LOCAL_KEY_PASSES: u32 = 2;

/// Makes handles for residents identified at this kiosk.
pub struct ResidentSealer {
    server_public_key: [u8; KEY_LEN],
    kiosk_id: String,
    local_secret: Zeroizing<Vec<u8>>,
}

impl ResidentSealer {
    /// `server_public_key_hex` comes with enrolment; `local_secret` is this kiosk's own (at
    /// least 16 bytes, never sent anywhere).
    pub fn new(server_public_key_hex: &str, kiosk_id: &str, local_secret: Zeroizing<Vec<u8>>) -> Result<Self, String> {
        let mut server_public_key = [0u8; KEY_LEN];
        hex::decode_to_slice(server_public_key_hex.trim(), &mut server_public_key).map_err(|_| {
            "the enrolment holds no server key for sealing residents (an older enrolment): enrol the kiosk again"
                .to_string()
        })?;
        if local_secret.len() < 16 {
            return Err(format!(
                "the kiosk's own resident secret is {} bytes; it must be 16 or more",
                local_secret.len()
            ));
        }
        Ok(Self { server_public_key, kiosk_id: kiosk_id.to_string(), local_secret })
    }

    /// Holds a card's ID number for the session (takes one Argon2id computation).
    pub fn hold(&self, id_number: &IdNumber) -> ResidentHandle {
        let params =
            argon2::Params::new(LOCAL_KEY_MEMORY_KIB, LOCAL_KEY_PASSES, 1, Some(32)).expect("valid parameters");
        let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut local_root = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(id_number.reveal_full_number().as_bytes(), &self.local_secret, &mut *local_root)
            .expect("a 32-byte output and a salt of 16 bytes or more are accepted");
        ResidentHandle(Arc::new(Held {
            id_number: Zeroizing::new(id_number.reveal_full_number().to_string()),
            local_root,
            server_public_key: self.server_public_key,
            kiosk_id: self.kiosk_id.clone(),
        }))
    }
}

/// The server key behind [`test_only_handle`]: a published private key, for pictures and tests.
pub const TEST_ONLY_SERVER_PRIVATE_KEY: [u8; KEY_LEN] = [0x5e; KEY_LEN];

/// A handle for a made-up resident, sealed to [`TEST_ONLY_SERVER_PRIVATE_KEY`]'s public key as
/// kiosk `test-kiosk`: for screenshots and tests, never for a real card.
pub fn test_only_handle(id_number: &str) -> ResidentHandle {
    let server = resident_seal::Unsealer::from_private_key(&TEST_ONLY_SERVER_PRIVATE_KEY).expect("a valid key");
    let sealer = ResidentSealer::new(&hex::encode(server.public_key()), "test-kiosk", Zeroizing::new(vec![0x5e; 32]))
        .expect("valid keys");
    sealer.hold(&IdNumber::parse(id_number).expect("a valid test ID number"))
}

impl std::fmt::Debug for ResidentSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResidentSealer([keys])")
    }
}

struct Held {
    id_number: Zeroizing<String>,
    local_root: Zeroizing<[u8; 32]>,
    server_public_key: [u8; KEY_LEN],
    kiosk_id: String,
}

/// One identified resident, for the session: cheap to clone, prints nothing.
#[derive(Clone)]
pub struct ResidentHandle(Arc<Held>);

impl ResidentHandle {
    fn seal(&self, purpose: SealPurpose<'_>, now_ms: i64) -> Result<String, SealError> {
        let held = &self.0;
        resident_seal::seal(&held.server_public_key, &held.kiosk_id, purpose, now_ms, &held.id_number)
    }

    /// The ID number sealed for a lookup the server answers now (it refuses a stale one).
    pub fn lookup_seal(&self, now_ms: i64) -> Result<String, SealError> {
        self.seal(SealPurpose::Lookup, now_ms)
    }

    /// The ID number sealed for the resident's vote on `proposal`, carried in the vote's record.
    pub fn vote_seal(&self, proposal: &str, now_ms: i64) -> Result<String, SealError> {
        self.seal(SealPurpose::Vote { proposal }, now_ms)
    }

    /// This kiosk's once-key for the resident's vote on `proposal`.
    pub fn vote_once_key(&self, proposal: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&*self.0.local_root).expect("HMAC takes any key length");
        mac.update(b"citizen-window local vote v2\0");
        mac.update(proposal.as_bytes());
        format!("vote:{proposal}:{}", hex::encode(mac.finalize().into_bytes()))
    }
}

impl PartialEq for ResidentHandle {
    fn eq(&self, other: &Self) -> bool {
        *self.0.local_root == *other.0.local_root
    }
}

impl Eq for ResidentHandle {}

impl std::fmt::Debug for ResidentHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResidentHandle(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use citizen_window_protocol::resident_seal::Unsealer;

    const ID: &str = "11010519491231002X";

    fn sealer(server: &Unsealer, local: u8) -> ResidentSealer {
        ResidentSealer::new(&hex::encode(server.public_key()), "k1", Zeroizing::new(vec![local; 32])).unwrap()
    }

    #[test]
    fn the_kiosk_seals_for_the_server_and_keys_votes_for_itself() {
        let server = Unsealer::from_private_key(&[5; 32]).unwrap();
        let id = IdNumber::parse(ID).unwrap();
        let here = sealer(&server, 1).hold(&id);
        // The server opens what the kiosk sealed; the kiosk's text shows nothing of the number.
        let sealed = here.vote_seal("p-1", 7).unwrap();
        assert!(!sealed.contains("19491231"));
        let opened = server.open(&sealed, "k1", SealPurpose::Vote { proposal: "p-1" }).unwrap();
        assert_eq!(opened.id_number.as_str(), ID);
        assert_ne!(here.lookup_seal(7).unwrap(), here.lookup_seal(7).unwrap(), "every seal is fresh");
        // Once-keys: stable here, per proposal, and another kiosk's differ.
        assert_eq!(here.vote_once_key("p-1"), sealer(&server, 1).hold(&id).vote_once_key("p-1"));
        assert_ne!(here.vote_once_key("p-1"), here.vote_once_key("p-2"));
        assert_ne!(here.vote_once_key("p-1"), sealer(&server, 2).hold(&id).vote_once_key("p-1"));
        assert!(!here.vote_once_key("p-1").contains("19491231"));
        assert_eq!(format!("{here:?}"), "ResidentHandle(…)");
    }

    #[test]
    fn an_old_enrolment_or_a_short_secret_says_what_to_do() {
        let no_key = ResidentSealer::new("", "k1", Zeroizing::new(vec![1; 32])).unwrap_err();
        assert!(no_key.contains("enrol the kiosk again"), "{no_key}");
        let server = Unsealer::from_private_key(&[5; 32]).unwrap();
        let short = ResidentSealer::new(&hex::encode(server.public_key()), "k1", Zeroizing::new(vec![1; 8]));
        assert!(short.unwrap_err().contains("16 or more"));
    }
}
