//! Deterministic test fixtures: a small CA set, cards and CRLs, byte-identical on every run
//! (formerly `cert::fixtures`; the committed copy is `fixtures/cert/`, written by the
//! `gen-fixtures` binary of this crate).
//!
//! Every key comes from [`crate::keys::generate_seeded_key`] with a fixed seed and every date is a
//! constant, so [`generate`] writes the same bytes each time (`cargo xtask fixtures --check`
//! relies on it). The keys are test keys, published on purpose: never trust these CAs.
//!
//! States hold at [`REFERENCE_TIME`]: the My Number, no-signature and Juki cards are valid, the
//! `expired` certificate has expired, and the `revoked` certificate is on the signature CRL.

use std::path::{Path, PathBuf};

use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use cert::crl::{Revocation, RevocationReason};
use cert::issue::{
    AuthenticationRequest, CaRequest, CertificateAuthority, CrlRequest, SignatureRequest,
};
use cert::rsa::PrivateKey;
use cert::validity;
use cert::{
    CardText, Environment, Error, Gender, Hierarchy, Holder, JpkiCertificate, Municipality, Serial,
    keys,
};

/// The instant at which the fixture states (valid, expired, revoked) are defined.
pub const REFERENCE_TIME: OffsetDateTime = datetime!(2026-01-01 00:00:00 UTC);
/// Issue instant of the My Number fixture cards (10:23:45 JST).
pub const ISSUED_AT: OffsetDateTime = datetime!(2025-06-02 01:23:45 UTC);
/// Card expiry date of the main My Number fixture card.
pub const CARD_EXPIRY: Date = date!(2035 - 08 - 20);

/// Serial of the revoked signature certificate.
pub const REVOKED_SERIAL: u64 = 0x2003;

/// A card's certificate and private key.
pub struct IssuedKey {
    /// The certificate.
    pub certificate: JpkiCertificate,
    /// The card's private key (zeroized on drop).
    pub key: PrivateKey,
}

impl std::fmt::Debug for IssuedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedKey")
            .field("serial", &self.certificate.serial())
            .field("key", &"<redacted>")
            .finish()
    }
}

/// The whole fixture set, in memory.
#[derive(Debug)]
pub struct FixtureSet {
    /// Signature CA.
    pub sign_ca: CertificateAuthority,
    /// Authentication CA.
    pub auth_ca: CertificateAuthority,
    /// My Number card: authentication certificate.
    pub my_number_auth: IssuedKey,
    /// My Number card: signature certificate.
    pub my_number_sign: IssuedKey,
    /// My Number card of an under-15 holder: authentication certificate only.
    pub no_sign_auth: IssuedKey,
    /// Juki card signature certificate (3-year validity).
    pub juki_sign: IssuedKey,
    /// A signature certificate revoked for a 4-facts change (affiliationChanged).
    pub revoked_sign: IssuedKey,
    /// An authentication certificate expired before [`REFERENCE_TIME`].
    pub expired_auth: IssuedKey,
    /// Signature CRL (DER), listing the revoked certificate.
    pub sign_crl: Vec<u8>,
    /// Authentication CRL (DER).
    pub auth_crl: Vec<u8>,
}

/// The main fixture holder: a name with two substituted characters (`なべ` for a kanji the
/// character set lacks), in 東京都千代田区.
pub fn holder() -> Holder {
    Holder {
        name: CardText::plain("渡")
            .then_substitute("なべ")
            .then_plain("\u{3000}花子"),
        address: CardText::plain("東京都千代田区霞が関二丁目１番２号"),
        birth_date: date!(1985 - 08 - 20),
        gender: Gender::Female,
        municipality: chiyoda(),
    }
}

fn chiyoda() -> Municipality {
    Municipality::new("13101", "Chiyoda-ku").expect("a valid municipality")
}

/// The holder of the Juki card and of the revoked certificate.
pub fn other_holder() -> Holder {
    Holder {
        name: CardText::plain("山田\u{3000}太郎"),
        address: CardText::plain("大阪府大阪市北区中之島一丁目３番２０号"),
        birth_date: date!(1960 - 02 - 29),
        gender: Gender::Male,
        municipality: Municipality::new("27127", "Osaka-shi-Kita-ku")
            .expect("a valid municipality"),
    }
}

fn ca(hierarchy: Hierarchy, serial: u64, seed: u64) -> Result<CertificateAuthority, Error> {
    CertificateAuthority::create(
        &CaRequest {
            hierarchy,
            environment: Environment::Production,
            serial: Serial::from(serial),
            not_before: datetime!(2017-04-01 00:00:00 UTC),
            not_after: validity::end_of_day_jst(date!(2037 - 03 - 31)),
        },
        crate::keys::generate_seeded_key(seed)?,
    )
}

fn auth(
    ca: &CertificateAuthority,
    serial: u64,
    seed: u64,
    issued: OffsetDateTime,
    not_after: OffsetDateTime,
    municipality: &Municipality,
) -> Result<IssuedKey, Error> {
    let key = crate::keys::generate_seeded_key(seed)?;
    let certificate = ca.issue_authentication(&AuthenticationRequest {
        serial: Serial::from(serial),
        public_key: &cert::SubjectKey::from(key.as_public_key()),
        not_before: issued,
        not_after,
        municipality,
        // sequence from the serial
        common_name: cert::AuthenticationCommonName::new(
            issued,
            (serial % 10_000) as u16,
            municipality.code.as_str(),
        )?,
    })?;
    Ok(IssuedKey { certificate, key })
}

fn sign(
    ca: &CertificateAuthority,
    serial: u64,
    seed: u64,
    issued: OffsetDateTime,
    not_after: OffsetDateTime,
    holder: &Holder,
) -> Result<IssuedKey, Error> {
    let key = crate::keys::generate_seeded_key(seed)?;
    let certificate = ca.issue_signature(&SignatureRequest {
        serial: Serial::from(serial),
        public_key: &cert::SubjectKey::from(key.as_public_key()),
        not_before: issued,
        not_after,
        holder,
        common_name: cert::SignatureCommonName::new(
            issued,
            (serial % 100_000) as u32,
            &cert::WindowId::new(holder.municipality.code.as_str(), 1)?,
        )?,
    })?;
    Ok(IssuedKey { certificate, key })
}

/// Builds the fixture set in memory (nine RSA-2048 keys from fixed seeds).
///
/// # Errors
/// Only if key generation or signing fails.
pub fn build() -> Result<FixtureSet, Error> {
    let sign_ca = ca(Hierarchy::Signature, 0x0A00_0001, 1)?;
    let auth_ca = ca(Hierarchy::Authentication, 0x0B00_0001, 2)?;

    // My Number card with both certificates.
    let main = holder();
    let issued_on = validity::jst_date(ISSUED_AT);
    let auth_until = validity::my_number_auth_not_after(issued_on, main.birth_date, CARD_EXPIRY)?;
    let sign_until =
        validity::my_number_sign_not_after(issued_on, main.birth_date, CARD_EXPIRY, auth_until)?;
    let my_number_auth = auth(
        &auth_ca,
        0x1001,
        10,
        ISSUED_AT,
        auth_until,
        &main.municipality,
    )?;
    let my_number_sign = sign(&sign_ca, 0x2001, 11, ISSUED_AT, sign_until, &main)?;

    // Under-15 holder: no signature certificate; card expires on the 5th birthday.
    let child_birth = date!(2015 - 03 - 03);
    let child_card = date!(2030 - 03 - 03);
    let child_until = validity::my_number_auth_not_after(issued_on, child_birth, child_card)?;
    let no_sign_auth = auth(&auth_ca, 0x1002, 12, ISSUED_AT, child_until, &chiyoda())?;

    // Juki card: 3 years from issue. Choice: a synthetic 2024 issue date keeps the fixture
    // valid at REFERENCE_TIME (real Juki issuance ended in 2015-12).
    let other = other_holder();
    let juki_issued = datetime!(2024-12-02 00:30:00 UTC);
    let juki_until = validity::juki_not_after(validity::jst_date(juki_issued))?;
    let juki_sign = sign(&sign_ca, 0x2002, 13, juki_issued, juki_until, &other)?;

    // Revoked: the holder moved (4-facts change) and the signature certificate was revoked.
    let revoked_sign = sign(&sign_ca, REVOKED_SERIAL, 14, ISSUED_AT, sign_until, &other)?;

    // Expired: issued 2018, the 5th birthday after issue passed in 2023.
    let old_issue = datetime!(2018-04-02 00:00:00 UTC);
    let old_until = validity::my_number_auth_not_after(
        validity::jst_date(old_issue),
        date!(1950 - 01 - 15),
        date!(2028 - 01 - 15),
    )?;
    let expired_auth = auth(&auth_ca, 0x1003, 15, old_issue, old_until, &chiyoda())?;

    let crl_request = CrlRequest {
        this_update: REFERENCE_TIME,
        next_update: Some(datetime!(2026-01-02 00:00:00 UTC)),
        crl_number: 1,
        scope: cert::CrlScope::Complete,
    };
    let sign_crl = sign_ca.issue_crl(
        &crl_request,
        [
            Revocation {
                serial: Serial::from(0x1FFF),
                revoked_at: datetime!(2025-03-01 01:00:00 UTC),
                reason: Some(RevocationReason::KeyCompromise),
            },
            Revocation {
                serial: Serial::from(REVOKED_SERIAL),
                revoked_at: datetime!(2025-09-01 02:00:00 UTC),
                reason: Some(RevocationReason::AffiliationChanged),
            },
        ],
    )?;
    let auth_crl = auth_ca.issue_crl(
        &crl_request,
        [Revocation {
            serial: Serial::from(0x0FFF),
            revoked_at: datetime!(2025-04-01 03:00:00 UTC),
            reason: Some(RevocationReason::CessationOfOperation),
        }],
    )?;

    Ok(FixtureSet {
        sign_ca,
        auth_ca,
        my_number_auth,
        my_number_sign,
        no_sign_auth,
        juki_sign,
        revoked_sign,
        expired_auth,
        sign_crl,
        auth_crl,
    })
}

/// The files of the fixture set: relative path and bytes.
///
/// # Errors
/// Only if key encoding fails.
pub fn files(set: &FixtureSet) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut out = Vec::new();
    for (dir, ca) in [("sign-ca", &set.sign_ca), ("auth-ca", &set.auth_ca)] {
        out.push((format!("{dir}.der"), ca.certificate().der().to_vec()));
        out.push((format!("{dir}.pem"), ca.certificate().to_pem().into_bytes()));
        out.push((
            format!("{dir}.key.der"),
            ca.private_key_pkcs8_der()?.to_vec(),
        ));
    }
    let cards = [
        ("my-number/auth", &set.my_number_auth),
        ("my-number/sign", &set.my_number_sign),
        ("my-number-no-sign/auth", &set.no_sign_auth),
        ("juki/sign", &set.juki_sign),
        ("revoked/sign", &set.revoked_sign),
        ("expired/auth", &set.expired_auth),
    ];
    for (path, k) in cards {
        out.push((format!("{path}.der"), k.certificate.der().to_vec()));
        out.push((format!("{path}.pem"), k.certificate.to_pem().into_bytes()));
        out.push((
            format!("{path}.key.der"),
            keys::to_pkcs8_der(&k.key)?.to_vec(),
        ));
    }
    out.push(("sign-ca.crl.der".into(), set.sign_crl.clone()));
    out.push(("auth-ca.crl.der".into(), set.auth_crl.clone()));
    Ok(out)
}

/// Writes the fixture set under `out_dir/cert/` and returns the paths written.
///
/// # Errors
/// [`Error::Io`] if a file cannot be written.
pub fn generate(out_dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let set = build()?;
    let root = out_dir.join("cert");
    let mut written = Vec::new();
    for (rel, bytes) in files(&set)? {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, &bytes).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}
