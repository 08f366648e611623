//! Residents as the server knows them. A kiosk sends a resident's ID number sealed to the server
//! (`protocol::resident_seal`); the server opens it, keys it with a secret only it holds (the
//! pepper), keeps the pseudonym and forgets the number. Two pseudonyms, never stored side by side:
//! the resident's, for what is theirs across visits (bills, records, one appointment a day), and
//! one per proposal for ballots, so a ballot links to nothing else. Neither key leaves the server,
//! and neither is in the database. See docs/SECURITY.md.

use anyhow::{Context, Result};
use citizen_window_protocol::resident_seal::{KEY_LEN, SealError, SealPurpose, Unsealer};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// How old a lookup's seal may be: it is made when the resident asks, and the kiosk sends it at
/// once. A copied seal is useless after this.
pub const LOOKUP_SEAL_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// How far ahead of the server's clock a kiosk's clock may be.
const CLOCK_TOLERANCE_MS: i64 = 5 * 60 * 1000;

/// A new private key for sealing, as bytes to store.
pub fn new_seal_key() -> Zeroizing<[u8; KEY_LEN]> {
    Unsealer::new_private_key().expect("the system random generator works")
}

/// Why a sealed resident was not accepted; said to the kiosk as `bad_resident`.
#[derive(Debug, thiserror::Error)]
pub enum ResidentRefusal {
    #[error("{0}")]
    Seal(#[from] SealError),
    #[error(
        "the sealed ID number was made {0} s from now, outside the {1} s a lookup's seal lives: seal it when the resident asks, and check the kiosk's clock"
    )]
    Stale(i64, i64),
}

pub struct ResidentKeys {
    unsealer: Unsealer,
    pepper: Zeroizing<Vec<u8>>,
}

impl ResidentKeys {
    pub fn new(seal_private_key: &[u8], pepper: Vec<u8>) -> Result<Self> {
        let pepper = Zeroizing::new(pepper);
        if pepper.len() < 32 {
            anyhow::bail!("the residents' pepper is {} bytes; it must be at least 32", pepper.len());
        }
        let unsealer = Unsealer::from_private_key(seal_private_key).context("the residents' seal key")?;
        Ok(Self { unsealer, pepper })
    }

    /// What identifies this pair of keys, to check that a database's pseudonyms were made with
    /// them (never the keys themselves).
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        let mut hash = Sha256::new();
        hash.update(b"citizen-window resident keys v2\0");
        hash.update(self.keyed(b"fingerprint", &[]));
        hash.update(self.unsealer.public_key());
        hex::encode(hash.finalize())
    }

    /// The public key kiosks seal to.
    pub fn seal_public_key(&self) -> [u8; KEY_LEN] {
        self.unsealer.public_key()
    }

    fn keyed(&self, domain: &[u8], parts: &[&[u8]]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.pepper).expect("HMAC takes any key length");
        mac.update(domain);
        for part in parts {
            mac.update(b"\0");
            mac.update(part);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// The resident's pseudonym from a seal `kiosk_id` made for a lookup within the last
    /// [`LOOKUP_SEAL_LIFETIME_MS`].
    pub fn lookup_pseudonym(&self, sealed: &str, kiosk_id: &str, now_ms: i64) -> Result<String, ResidentRefusal> {
        let opened = self.unsealer.open(sealed, kiosk_id, SealPurpose::Lookup)?;
        let age = now_ms - opened.made_at_ms;
        if !(-CLOCK_TOLERANCE_MS..=LOOKUP_SEAL_LIFETIME_MS).contains(&age) {
            return Err(ResidentRefusal::Stale(-age / 1000, LOOKUP_SEAL_LIFETIME_MS / 1000));
        }
        Ok(self.keyed(b"citizen-window resident v2", &[opened.id_number.as_bytes()]))
    }

    /// The ballot pseudonym of the resident a vote's seal names, for that proposal only: the same
    /// at every kiosk, so one vote per resident per proposal holds across the fleet.
    pub fn ballot_pseudonym(&self, sealed: &str, kiosk_id: &str, proposal: &str) -> Result<String, SealError> {
        let opened = self.unsealer.open(sealed, kiosk_id, SealPurpose::Vote { proposal })?;
        Ok(self.keyed(b"citizen-window ballot v2", &[proposal.as_bytes(), opened.id_number.as_bytes()]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use citizen_window_protocol::resident_seal::seal;

    const ID: &str = "11010519491231002X";

    #[test]
    fn pseudonyms_are_stable_per_resident_and_unlinkable_across_uses() {
        let keys = ResidentKeys::new(&*new_seal_key(), vec![3; 32]).unwrap();
        let public = keys.seal_public_key();
        let now = 1_800_000_000_000;
        let lookup = |kiosk: &str, at: i64| seal(&public, kiosk, SealPurpose::Lookup, at, ID).unwrap();
        let a = keys.lookup_pseudonym(&lookup("k1", now), "k1", now).unwrap();
        assert_eq!(a, keys.lookup_pseudonym(&lookup("k2", now - 1000), "k2", now).unwrap(), "any kiosk, one resident");
        let vote = |kiosk: &str, proposal: &str| {
            let sealed = seal(&public, kiosk, SealPurpose::Vote { proposal }, 1, ID).unwrap();
            keys.ballot_pseudonym(&sealed, kiosk, proposal).unwrap()
        };
        assert_eq!(vote("k1", "p-1"), vote("k2", "p-1"), "one ballot per proposal across kiosks");
        assert_ne!(vote("k1", "p-1"), vote("k1", "p-2"), "ballots on two proposals do not link");
        assert_ne!(vote("k1", "p-1"), a, "a ballot does not link to the resident's pseudonym");
        let other_pepper = ResidentKeys::new(&*new_seal_key(), vec![4; 32]).unwrap();
        let theirs = seal(&other_pepper.seal_public_key(), "k1", SealPurpose::Lookup, now, ID).unwrap();
        assert_ne!(other_pepper.lookup_pseudonym(&theirs, "k1", now).unwrap(), a);
    }

    #[test]
    fn stale_or_foreign_lookups_are_refused() {
        let keys = ResidentKeys::new(&*new_seal_key(), vec![3; 32]).unwrap();
        let now = 1_800_000_000_000;
        let old =
            seal(&keys.seal_public_key(), "k1", SealPurpose::Lookup, now - LOOKUP_SEAL_LIFETIME_MS - 1, ID).unwrap();
        assert!(matches!(keys.lookup_pseudonym(&old, "k1", now), Err(ResidentRefusal::Stale(..))));
        let fresh = seal(&keys.seal_public_key(), "k1", SealPurpose::Lookup, now, ID).unwrap();
        assert!(keys.lookup_pseudonym(&fresh, "k2", now).unwrap_err().to_string().contains("does not open"));
        assert!(ResidentKeys::new(&[1; 32], vec![1; 8]).is_err());
    }
}
