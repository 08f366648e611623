//! The fleet's keys and certificates: a private CA, the server's certificate, kiosk certificates
//! signed from their CSRs (the kiosk's key never leaves it), the content-signing key, and the two
//! residents' keys that only the server holds (see `residents`). Files holding secrets are written
//! with mode 0600.

use anyhow::{Context, Result, bail};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub const CA_CERT: &str = "fleet-ca.pem";
pub const CA_KEY: &str = "fleet-ca.key";
pub const SERVER_CERT: &str = "server.pem";
pub const SERVER_KEY: &str = "server.key";
pub const CONTENT_SIGNING_KEY: &str = "content-signing.key";
/// The X25519 private key kiosks seal residents' ID numbers to (hex); never leaves the server.
pub const RESIDENT_SEAL_KEY: &str = "resident-seal.key";
/// The secret residents' pseudonyms are keyed with (hex); never leaves the server. Losing it
/// makes every pseudonym new: keep it in the server's backups, apart from the database's.
pub const RESIDENT_PEPPER: &str = "resident-pepper.secret";
/// The secret the payment provider signs its notifications with (hex, shared with the provider).
pub const PAYMENT_NOTIFY_SECRET: &str = "payment-notify.secret";

/// Writes a file only the owner can read.
pub fn write_secret(path: &Path, contents: &[u8]) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(contents)?;
    file.sync_all()?;
    Ok(())
}

/// `n` bytes from a cryptographically secure generator (keys, tokens, salts).
pub fn random_bytes(n: usize) -> Vec<u8> {
    // aws-lc's generator through rustls' provider: a CSPRNG, unlike fastrand.
    let mut out = vec![0u8; n];
    rustls::crypto::aws_lc_rs::default_provider()
        .secure_random
        .fill(&mut out)
        .expect("the system random generator works");
    out
}

pub fn random_hex(n: usize) -> String {
    hex::encode(random_bytes(n))
}

/// Creates the fleet CA, the server certificate for `hostnames`, the content-signing key and the
/// residents' secret in `dir`. Refuses to overwrite an existing fleet.
pub fn init_fleet(dir: &Path, hostnames: &[String]) -> Result<()> {
    citizen_window_protocol::private_files::create_private_dir(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot make {} private", dir.display()))?;
    }
    if dir.join(CA_KEY).exists() {
        bail!(
            "{} already holds a fleet CA: use another folder, or remove it only if no kiosk was enrolled with it",
            dir.display()
        );
    }
    if hostnames.is_empty() {
        bail!("give at least one --hostname the kiosks will use to reach the server (a DNS name or an IP address)");
    }
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name = name("Citizen Window fleet CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    // The fleet's root: twenty years (it signs every kiosk and server certificate after it).
    (ca_params.not_before, ca_params.not_after) = validity(20 * 365);
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let content_key = KeyPair::generate_for(&rcgen::PKCS_ED25519)?;

    std::fs::write(dir.join(CA_CERT), ca_cert.pem())?;
    write_secret(&dir.join(CA_KEY), ca_key.serialize_pem().as_bytes())?;
    write_secret(&dir.join(CONTENT_SIGNING_KEY), content_key.serialize_pem().as_bytes())?;
    write_secret(&dir.join(PAYMENT_NOTIFY_SECRET), random_hex(32).as_bytes())?;
    Fleet::load(dir)?.issue_server_certificate(hostnames)
}

/// How long the server's certificate is valid: two years, then `server-certificate` again.
pub const SERVER_CERTIFICATE_DAYS: u32 = 730;

/// From an hour ago (clocks differ a little) to `days` from now.
fn validity(days: u32) -> (time::OffsetDateTime, time::OffsetDateTime) {
    let now = time::OffsetDateTime::now_utc();
    (now - time::Duration::hours(1), now + time::Duration::days(i64::from(days)))
}

/// When a PEM certificate ends, as milliseconds since 1970.
pub fn not_after_ms(pem: &str) -> Option<i64> {
    use rustls_pki_types::pem::PemObject;
    let der = rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).ok()?;
    der_not_after_ms(&der)
}

/// When a DER certificate ends, as milliseconds since 1970.
pub fn der_not_after_ms(der: &[u8]) -> Option<i64> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(cert.validity().not_after.timestamp() * 1000)
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "Citizen Window");
    dn
}

/// The fleet's signing material, loaded once at start.
pub struct Fleet {
    pub dir: PathBuf,
    pub ca_pem: String,
    ca_key: KeyPair,
    /// Opens sealed ID numbers and keys residents' pseudonyms.
    pub residents: crate::residents::ResidentKeys,
    pub content_signing_public_key_hex: String,
    /// The payment provider's shared secret (see [`PAYMENT_NOTIFY_SECRET`]).
    pub payment_notify_secret: Vec<u8>,
}

impl Fleet {
    pub fn load(dir: &Path) -> Result<Self> {
        let read = |file: &str| {
            std::fs::read_to_string(dir.join(file)).with_context(|| {
                format!(
                    "cannot read {}: run `citizen-central init --dir {}` first",
                    dir.join(file).display(),
                    dir.display()
                )
            })
        };
        let content_key = KeyPair::from_pem(&read(CONTENT_SIGNING_KEY)?)?;
        // Secrets a fleet made before them lacks are made now (none of them is ever sent out).
        let notify_secret = dir.join(PAYMENT_NOTIFY_SECRET);
        for (file, make) in [
            (PAYMENT_NOTIFY_SECRET, random_hex as fn(usize) -> String),
            (RESIDENT_PEPPER, random_hex),
            (RESIDENT_SEAL_KEY, |_| hex::encode(*crate::residents::new_seal_key())),
        ] {
            if !dir.join(file).exists() {
                write_secret(&dir.join(file), make(32).as_bytes())?;
            }
        }
        let hex_file = |file: &str| {
            hex::decode(read(file)?.trim()).with_context(|| {
                format!("{} is not hex: restore it from the server's backup", dir.join(file).display())
            })
        };
        let residents = crate::residents::ResidentKeys::new(&hex_file(RESIDENT_SEAL_KEY)?, hex_file(RESIDENT_PEPPER)?)?;
        let payment_notify_secret = hex::decode(read(PAYMENT_NOTIFY_SECRET)?.trim()).with_context(|| {
            format!("{} is not hex: write 64 hex digits, or remove it to make a new one", notify_secret.display())
        })?;
        Ok(Self {
            dir: dir.to_path_buf(),
            ca_pem: read(CA_CERT)?,
            ca_key: KeyPair::from_pem(&read(CA_KEY)?)?,
            residents,
            content_signing_public_key_hex: hex::encode(content_key.public_key_raw()),
            payment_notify_secret,
        })
    }

    /// Signs a kiosk's CSR as a client certificate for `kiosk_id`; whatever subject the CSR
    /// asked for is replaced, so that a kiosk cannot name itself.
    pub fn sign_kiosk_csr(&self, csr_pem: &str, kiosk_id: &str, days: u32) -> Result<String> {
        let mut csr = CertificateSigningRequestParams::from_pem(csr_pem)
            .context("the certificate signing request is not valid PEM or its signature does not verify")?;
        let mut params = CertificateParams::default();
        params.distinguished_name = name(kiosk_id);
        params.subject_alt_names = vec![SanType::URI(format!("urn:citizen-window:kiosk:{kiosk_id}").try_into()?)];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        (params.not_before, params.not_after) = validity(days);
        csr.params = params;
        let issuer = Issuer::from_ca_cert_pem(&self.ca_pem, &self.ca_key)?;
        Ok(csr.signed_by(&issuer)?.pem())
    }
}

impl Fleet {
    /// Makes the server's key and certificate for `hostnames`, valid [`SERVER_CERTIFICATE_DAYS`]
    /// (at `init`, and with `server-certificate` before it ends); `serve` loads them at start.
    pub fn issue_server_certificate(&self, hostnames: &[String]) -> Result<()> {
        if hostnames.is_empty() {
            bail!("give at least one --hostname the kiosks will use to reach the server (a DNS name or an IP address)");
        }
        let server_key = KeyPair::generate()?;
        let mut params = CertificateParams::new(hostnames.to_vec())?;
        params.distinguished_name = name("Citizen Window central server");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        (params.not_before, params.not_after) = validity(SERVER_CERTIFICATE_DAYS);
        let issuer = Issuer::from_ca_cert_pem(&self.ca_pem, &self.ca_key)?;
        let server_cert = params.signed_by(&server_key, &issuer)?;
        write_secret(&self.dir.join(SERVER_KEY), server_key.serialize_pem().as_bytes())?;
        std::fs::write(self.dir.join(SERVER_CERT), server_cert.pem())?;
        Ok(())
    }
}

/// The fingerprint put into enrolment tokens: the first 32 hex digits of SHA-256 over the CA's DER.
pub fn ca_fingerprint(ca_pem: &str) -> Result<String> {
    citizen_window_protocol::enrolment::ca_fingerprint(ca_pem).context("the fleet CA is not PEM")
}

/// The kiosk id a client certificate names (its common name), read after rustls verified it.
pub fn kiosk_id_from_certificate(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let cn = cert.subject().iter_common_name().next()?.as_str().ok()?.to_string();
    cn.starts_with("kiosk-").then_some(cn)
}
