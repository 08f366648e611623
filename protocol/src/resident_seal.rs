//! A resident's ID number sealed to the fleet server's public key: the kiosk can seal, only the
//! server can open. Kiosks hold no key that turns anything back into an ID number.
//!
//! Scheme (version `s1`): a fresh X25519 key pair per seal; the shared secret with the server's
//! key goes through HKDF-SHA256 (salt: both public keys) to a ChaCha20-Poly1305 key; the ID number
//! is encrypted under it with, as associated data, the purpose, the moment of sealing and, for a
//! lookup, the kiosk's id. So a seal opens only for the purpose it was made for (a vote on one
//! proposal cannot be replayed as a lookup or as a vote on another), a lookup's only for its
//! kiosk, and the server can refuse a stale lookup. Each seal of the same number looks unrelated
//! to every other.
//! Text form: `s1:<made_at_ms>:<hex of ephemeral public key, ciphertext, tag>`.

use aws_lc_rs::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::agreement::{self, PrivateKey, UnparsedPublicKey, X25519};
use aws_lc_rs::hkdf::{HKDF_SHA256, Salt};
use zeroize::Zeroizing;

const PREFIX: &str = "s1:";
const CONTEXT: &[u8] = b"citizen-window resident seal v1";
/// Bytes of an X25519 public or private key.
pub const KEY_LEN: usize = 32;
const ID_NUMBER_LEN: usize = 18;
const TAG_LEN: usize = 16;
/// Hex digits of a sealed ID number's body.
const BODY_HEX_LEN: usize = 2 * (KEY_LEN + ID_NUMBER_LEN + TAG_LEN);
/// The longest text a seal can be: what the record rules and request limits allow for.
pub const MAX_SEALED_LEN: usize = PREFIX.len() + 20 + 1 + BODY_HEX_LEN;

/// What a seal may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealPurpose<'a> {
    /// Looking up or booking something for the resident while they wait (short-lived).
    Lookup,
    /// The resident's vote on this proposal, carried in the vote's record (kept until uploaded).
    Vote { proposal: &'a str },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the server's resident key is not a 32-byte X25519 key: enrol the kiosk again")]
    BadServerKey,
    #[error("the text is not a sealed ID number (s1:<time>:<132 hex digits>)")]
    Malformed,
    #[error("the sealed ID number does not open: made for another kiosk, purpose or server key, or altered")]
    DoesNotOpen,
    #[error("what was sealed is not an ID number")]
    NotAnIdNumber,
    #[error("sealing failed in the crypto library")]
    Crypto,
}

/// Whether `text` is the number of a card the kiosk reads, check character included.
pub fn has_id_number_form(text: &str) -> bool {
    crate::id_number_check::is_document_number(text)
}

/// What is sealed: the number, padded with spaces to the 18 bytes of the longest, so a seal's
/// length does not tell which kind of card the resident holds.
fn padded(id_number: &str) -> Zeroizing<Vec<u8>> {
    let mut body = Zeroizing::new(Vec::with_capacity(ID_NUMBER_LEN + TAG_LEN));
    body.extend_from_slice(id_number.as_bytes());
    body.resize(ID_NUMBER_LEN, b' ');
    body
}

/// Whether `text` has the form of a sealed ID number (says nothing of whether it opens).
pub fn is_sealed_form(text: &str) -> bool {
    split(text).is_some()
}

fn split(text: &str) -> Option<(i64, &str)> {
    let rest = text.strip_prefix(PREFIX)?;
    let (made_at, body) = rest.split_once(':')?;
    // One spelling per moment: no leading zeros.
    let valid_time = !made_at.is_empty()
        && made_at.len() <= 20
        && made_at.bytes().all(|b| b.is_ascii_digit())
        && (made_at == "0" || !made_at.starts_with('0'));
    let valid_body = body.len() == BODY_HEX_LEN && body.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (valid_time && valid_body).then_some(())?;
    Some((made_at.parse().ok()?, body))
}

/// A lookup's seal is bound to the kiosk that made it (a copied seal is useless elsewhere); a
/// vote's is not, so that a kiosk enrolled again under a new id still delivers its backlog of
/// votes (any kiosk can seal any number anyway: the binding would protect nothing).
fn associated_data(kiosk_id: &str, purpose: SealPurpose<'_>, made_at_ms: i64) -> Vec<u8> {
    let bound_kiosk = match purpose {
        SealPurpose::Lookup => kiosk_id,
        SealPurpose::Vote { .. } => "",
    };
    let mut aad = CONTEXT.to_vec();
    for part in [b"\0".as_slice(), bound_kiosk.as_bytes(), b"\0"] {
        aad.extend_from_slice(part);
    }
    match purpose {
        SealPurpose::Lookup => aad.extend_from_slice(b"lookup"),
        SealPurpose::Vote { proposal } => {
            aad.extend_from_slice(b"vote\0");
            aad.extend_from_slice(proposal.as_bytes());
        }
    }
    aad.push(0);
    aad.extend_from_slice(made_at_ms.to_string().as_bytes());
    aad
}

/// The AEAD key both sides derive from the shared secret and the two public keys.
fn aead_key(shared: &[u8], ephemeral_public: &[u8], server_public: &[u8]) -> LessSafeKey {
    let salt = Salt::new(HKDF_SHA256, &[ephemeral_public, server_public].concat());
    let pseudo_random_key = salt.extract(shared);
    let okm = pseudo_random_key.expand(&[CONTEXT], &CHACHA20_POLY1305).expect("32 bytes is within HKDF's limit");
    LessSafeKey::new(UnboundKey::from(okm))
}

/// Seals `id_number` for the server whose resident public key is `server_public_key`.
pub fn seal(
    server_public_key: &[u8],
    kiosk_id: &str,
    purpose: SealPurpose<'_>,
    made_at_ms: i64,
    id_number: &str,
) -> Result<String, SealError> {
    if server_public_key.len() != KEY_LEN {
        return Err(SealError::BadServerKey);
    }
    if !has_id_number_form(id_number) {
        return Err(SealError::NotAnIdNumber);
    }
    let ephemeral = PrivateKey::generate(&X25519).map_err(|_| SealError::Crypto)?;
    let ephemeral_public = ephemeral.compute_public_key().map_err(|_| SealError::Crypto)?;
    let ephemeral_public = ephemeral_public.as_ref().to_vec();
    let key = agreement::agree(
        &ephemeral,
        UnparsedPublicKey::new(&X25519, server_public_key),
        SealError::BadServerKey,
        |shared| Ok(aead_key(shared, &ephemeral_public, server_public_key)),
    )?;
    let mut body = padded(id_number);
    // A key is used once (its ephemeral key pair is new), so a fixed nonce is safe.
    let aad = associated_data(kiosk_id, purpose, made_at_ms.max(0));
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key([0; 12]), Aad::from(aad), &mut *body)
        .map_err(|_| SealError::Crypto)?;
    Ok(format!("{PREFIX}{}:{}{}", made_at_ms.max(0), hex::encode(&ephemeral_public), hex::encode(&*body)))
}

/// An opened seal: the ID number (wiped on drop) and when the kiosk sealed it.
pub struct Opened {
    pub id_number: Zeroizing<String>,
    pub made_at_ms: i64,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Opened {{ made_at_ms: {} }}", self.made_at_ms)
    }
}

/// The server's side: holds the private key and opens seals.
pub struct Unsealer {
    key: PrivateKey,
    public: [u8; KEY_LEN],
}

impl Unsealer {
    /// A new random private key, as the bytes to store (0600) and load again.
    pub fn new_private_key() -> Result<Zeroizing<[u8; KEY_LEN]>, SealError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        aws_lc_rs::rand::fill(&mut *bytes).map_err(|_| SealError::Crypto)?;
        Ok(bytes)
    }

    pub fn from_private_key(bytes: &[u8]) -> Result<Self, SealError> {
        let key = PrivateKey::from_private_key(&X25519, bytes).map_err(|_| SealError::BadServerKey)?;
        let public = key.compute_public_key().map_err(|_| SealError::Crypto)?;
        let public = public.as_ref().try_into().map_err(|_| SealError::Crypto)?;
        Ok(Self { key, public })
    }

    /// The public key kiosks seal to (given to them at enrolment).
    pub fn public_key(&self) -> [u8; KEY_LEN] {
        self.public
    }

    /// Opens a seal made by `kiosk_id` for `purpose`.
    pub fn open(&self, sealed: &str, kiosk_id: &str, purpose: SealPurpose<'_>) -> Result<Opened, SealError> {
        let (made_at_ms, body) = split(sealed).ok_or(SealError::Malformed)?;
        let body = Zeroizing::new(hex::decode(body).map_err(|_| SealError::Malformed)?);
        let (ephemeral_public, ciphertext) = body.split_at(KEY_LEN);
        let key = agreement::agree(
            &self.key,
            UnparsedPublicKey::new(&X25519, ephemeral_public),
            SealError::DoesNotOpen,
            |shared| Ok(aead_key(shared, ephemeral_public, &self.public)),
        )?;
        let mut text = Zeroizing::new(ciphertext.to_vec());
        let aad = associated_data(kiosk_id, purpose, made_at_ms);
        let plain = key
            .open_in_place(Nonce::assume_unique_for_key([0; 12]), Aad::from(aad), &mut text)
            .map_err(|_| SealError::DoesNotOpen)?;
        let text = std::str::from_utf8(plain).map_err(|_| SealError::NotAnIdNumber)?;
        let id_number = Zeroizing::new(text.trim_end_matches(' ').to_string());
        if !has_id_number_form(&id_number) {
            return Err(SealError::NotAnIdNumber);
        }
        Ok(Opened { id_number, made_at_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "11010519491231002X";

    fn server() -> Unsealer {
        Unsealer::from_private_key(&*Unsealer::new_private_key().unwrap()).unwrap()
    }

    #[test]
    fn a_seal_opens_only_at_the_server_for_its_kiosk_and_purpose() {
        let server = server();
        let vote = SealPurpose::Vote { proposal: "p-1" };
        let sealed = seal(&server.public_key(), "kiosk-a", vote, 1_800_000_000_000, ID).unwrap();
        assert!(is_sealed_form(&sealed), "{sealed}");
        assert!(sealed.len() <= MAX_SEALED_LEN);
        assert!(!sealed.contains("19491231"));
        let opened = server.open(&sealed, "kiosk-a", vote).unwrap();
        assert_eq!((opened.id_number.as_str(), opened.made_at_ms), (ID, 1_800_000_000_000));
        assert!(!format!("{opened:?}").contains(ID));
        // Another purpose, another proposal or another server: it does not open. A vote's seal
        // opens whichever kiosk uploads it (a kiosk enrolled again has a new id); a lookup's does not.
        assert_eq!(server.open(&sealed, "kiosk-b", vote).unwrap().id_number.as_str(), ID);
        assert_eq!(server.open(&sealed, "kiosk-a", SealPurpose::Lookup).unwrap_err(), SealError::DoesNotOpen);
        let lookup = seal(&server.public_key(), "kiosk-a", SealPurpose::Lookup, 1_800_000_000_000, ID).unwrap();
        assert_eq!(server.open(&lookup, "kiosk-b", SealPurpose::Lookup).unwrap_err(), SealError::DoesNotOpen);
        let other_proposal = SealPurpose::Vote { proposal: "p-2" };
        assert_eq!(server.open(&sealed, "kiosk-a", other_proposal).unwrap_err(), SealError::DoesNotOpen);
        assert_eq!(server_open_elsewhere(&sealed), SealError::DoesNotOpen);
        // The time is bound too: a seal re-dated to look fresh does not open.
        let redated = sealed.replacen("1800000000000", "1800000000001", 1);
        assert_eq!(server.open(&redated, "kiosk-a", vote).unwrap_err(), SealError::DoesNotOpen);
    }

    fn server_open_elsewhere(sealed: &str) -> SealError {
        server().open(sealed, "kiosk-a", SealPurpose::Vote { proposal: "p-1" }).unwrap_err()
    }

    #[test]
    fn two_seals_of_one_number_share_nothing_visible() {
        let server = server();
        let a = seal(&server.public_key(), "k", SealPurpose::Lookup, 5, ID).unwrap();
        let b = seal(&server.public_key(), "k", SealPurpose::Lookup, 5, ID).unwrap();
        assert_ne!(a, b);
        let (body_a, body_b) = (&a[a.len() - BODY_HEX_LEN..], &b[b.len() - BODY_HEX_LEN..]);
        assert!(body_a.as_bytes().chunks(2).zip(body_b.as_bytes().chunks(2)).filter(|(x, y)| x == y).count() < 8);
    }

    #[test]
    fn malformed_or_altered_seals_are_refused_not_trusted() {
        let server = server();
        let sealed = seal(&server.public_key(), "k", SealPurpose::Lookup, 5, ID).unwrap();
        let zero_padded = sealed.replacen("s1:5:", "s1:05:", 1);
        for bad in
            ["", "s1:", "s1:5:", "s2:5:00", &sealed.to_uppercase(), &format!("{sealed}0"), "s1:-5:00", &zero_padded]
        {
            assert!(!is_sealed_form(bad), "{bad}");
            assert_eq!(server.open(bad, "k", SealPurpose::Lookup).unwrap_err(), SealError::Malformed);
        }
        let mut flipped = sealed.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(server.open(&flipped, "k", SealPurpose::Lookup).unwrap_err(), SealError::DoesNotOpen);
        assert_eq!(seal(&[1; 31], "k", SealPurpose::Lookup, 5, ID).unwrap_err(), SealError::BadServerKey);
        assert_eq!(
            seal(&server.public_key(), "k", SealPurpose::Lookup, 5, "123").unwrap_err(),
            SealError::NotAnIdNumber
        );
    }

    #[test]
    fn every_card_number_seals_to_the_same_length_and_opens_to_itself() {
        let server = server();
        let lengths: Vec<usize> = [ID, "USA110080051211", "810000199001010019"]
            .into_iter()
            .map(|number| {
                let sealed = seal(&server.public_key(), "k", SealPurpose::Lookup, 5, number).unwrap();
                assert_eq!(server.open(&sealed, "k", SealPurpose::Lookup).unwrap().id_number.as_str(), number);
                sealed.len()
            })
            .collect();
        assert!(lengths.iter().all(|&len| len == lengths[0]), "{lengths:?}");
    }

    #[test]
    fn id_number_forms() {
        assert!(has_id_number_form(ID));
        assert!(has_id_number_form("USA110080051211"));
        for bad in [
            "110105194912310021",
            "11010519491231002x",
            "1101051949123100",
            "11010519491231002XX",
            "a1010519491231002X",
            "USA110080051212",
            "USA110080051211   ",
            "",
        ] {
            assert!(!has_id_number_form(bad), "{bad}");
        }
    }
}
