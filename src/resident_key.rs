//! Residents are known to the journal and the server only by a keyed hash of their ID number
//! (HMAC-SHA256 with a per-fleet key that comes with enrolment): stable, so that one resident's
//! votes can be counted once, and useless without the key.

use citizen_window_hardware::sam::IdNumber;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The hash of one resident's ID number, as hex.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResidentKey(String);

impl ResidentKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A key computed earlier (by [`ResidentKeyer::key_for`]) and carried as text since.
    pub fn from_computed(hex: &str) -> Self {
        Self(hex.to_string())
    }
}

impl std::fmt::Debug for ResidentKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ResidentKey({}…)", self.0.get(..8).unwrap_or_default())
    }
}

/// Computes resident keys with the fleet's secret.
pub struct ResidentKeyer {
    secret: Vec<u8>,
}

impl ResidentKeyer {
    /// `secret` must be at least 32 bytes (it comes from enrolment).
    pub fn new(secret: Vec<u8>) -> Result<Self, String> {
        if secret.len() < 32 {
            return Err(format!(
                "the resident-key secret is {} bytes; it must be at least 32: enrol the kiosk again",
                secret.len()
            ));
        }
        Ok(Self { secret })
    }

    pub fn key_for(&self, id_number: &IdNumber) -> ResidentKey {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(b"citizen-window resident v1\0");
        mac.update(id_number.reveal_full_number().as_bytes());
        ResidentKey(hex::encode(mac.finalize().into_bytes()))
    }
}

impl std::fmt::Debug for ResidentKeyer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResidentKeyer([secret])")
    }
}

impl Drop for ResidentKeyer {
    fn drop(&mut self) {
        self.secret.iter_mut().for_each(|b| *b = 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_per_secret_and_hide_the_number() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        let a = ResidentKeyer::new(vec![1; 32]).unwrap();
        let b = ResidentKeyer::new(vec![2; 32]).unwrap();
        assert_eq!(a.key_for(&id), a.key_for(&id));
        assert_ne!(a.key_for(&id), b.key_for(&id));
        let key = a.key_for(&id);
        assert_eq!(key.as_str().len(), 64);
        assert!(!key.as_str().contains("19491231"));
        assert!(!format!("{key:?}").contains(key.as_str()));
        assert!(ResidentKeyer::new(vec![0; 16]).unwrap_err().contains("at least 32"));
        // A short or odd key read back from anywhere prints without panicking.
        assert_eq!(format!("{:?}", ResidentKey::from_computed("ab")), "ResidentKey(…)");
        assert_eq!(format!("{:?}", ResidentKey::from_computed("社保社保社")), "ResidentKey(…)");
    }
}
