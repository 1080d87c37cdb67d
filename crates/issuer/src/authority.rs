//! The municipal window and J-LIS in one directory: the two CAs (keys, certificates), the serial
//! counter, the revocation list and the CRLs, and the issuance of cards from holder data.
//!
//! Layout of an authority directory (every file written atomically):
//!
//! | file | content |
//! |---|---|
//! | `authority.txt` | `JPKI-SIM-AUTHORITY/1`, next serial, CRL number, one `revoked:` line per revocation |
//! | `sign-ca.pem`, `auth-ca.pem` | the CA certificates (trust anchors for clients) |
//! | `sign-ca.key`, `auth-ca.key` | the CA private keys, PKCS#8 DER, mode 0600 |
//! | `sign.crl`, `auth.crl` | the current CRLs, DER, rewritten on every change |
//! | `admin.key` | the municipal administration key, ECDSA P-256 scalar (32 bytes), mode 0600 |
//! | `admin.pub` | its public key, SEC1 uncompressed point (65 bytes) |
//!
//! Administration (the city hall) works on cards this authority issued: every card carries the
//! admin public key and a unique card ID. [`Authority::unlock`] releases a blocked PIN over
//! APDUs (see [`card_sim::admin`]); [`Authority::change_facts`] and [`Authority::fault`] work on
//! the card file the window holds.
//!
//! An [`Authority`] holds the lock of its directory (the directory itself, `flock`ed) while it lives: a second
//! opener, here or in another process, gets [`Error::AuthorityInUse`] instead of a copy of the
//! serial counter and revocation list that the two would each write back.
//!
//! The CAs use the production profile (`O=JPKI`) with keys of their own: certificates they
//! issue verify against these CA files, never against the real J-LIS anchors.

use std::fs;
use std::path::{Path, PathBuf};

use apdu::{Command, Response, StatusWord, Transport};
use cert::time::{Date, OffsetDateTime};
use cert::{
    AuthenticationRequest, CaRequest, CertificateAuthority, CrlRequest, Environment, Hierarchy,
    JpkiCertificate, Revocation, RevocationReason, Serial, SignatureRequest,
};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey, signature::Signer};
use p256::elliptic_curve::Generate;
use pin_policy::Pin;
use rand::CryptoRng;
use zeroize::{Zeroize, Zeroizing};

use card_sim::admin::{CARD_ID_TAG, CHALLENGE_LEN, admin_message};
use card_sim::{
    Administration, CARD_ID_LEN, CardContents, CardProfile, FourFacts, KeyContents, KeyRole,
    MyNumber, PinRef, Sex, SimCard, TextSupportContents,
};
use durable as atomic;

use crate::error::Error;

const STATE_FILE: &str = "authority.txt";
const STATE_MAGIC: &str = "JPKI-SIM-AUTHORITY/1";
const ADMIN_KEY_FILE: &str = "admin.key";
const ADMIN_PUB_FILE: &str = "admin.pub";

/// Retry limits of a card's PINs: the real card's by default (auth 3, sign 5, text 3; Juki 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryLimits {
    /// Authentication PIN.
    pub auth: u8,
    /// Signature PIN (My Number or Juki).
    pub sign: u8,
    /// Text-support PIN.
    pub text: u8,
}

impl Default for RetryLimits {
    fn default() -> Self {
        Self {
            auth: 3,
            sign: 5,
            text: 3,
        }
    }
}

impl RetryLimits {
    /// The municipal page's figures: 5 wrong entries lock a PIN, 3 for the signature PIN.
    #[must_use]
    pub const fn municipal_page() -> Self {
        Self {
            auth: 5,
            sign: 3,
            text: 5,
        }
    }
}

/// What the window needs to issue a card.
#[derive(Debug)]
pub struct IssueRequest {
    /// Juki or My Number card.
    pub profile: CardProfile,
    /// The 4 facts and municipality.
    pub holder: cert::Holder,
    /// The individual number (My Number card; written to the text-support application).
    pub my_number: Option<MyNumber>,
    /// Authentication PIN; `None` issues no authentication certificate (My Number card only).
    pub auth_pin: Option<Pin>,
    /// Signature PIN; `None` issues no signature certificate (e.g. holders under 15).
    pub sign_pin: Option<Pin>,
    /// Text-support PIN (My Number card).
    pub text_pin: Option<Pin>,
    /// Retry limits.
    pub retry_limits: RetryLimits,
    /// The card's expiry date (My Number: 10th birthday after issue for adults, by the card).
    pub card_expiry: Date,
    /// The issuing instant.
    pub issued_at: OffsetDateTime,
}

/// An authority directory, loaded.
pub struct Authority {
    dir: PathBuf,
    sign_ca: CertificateAuthority,
    auth_ca: CertificateAuthority,
    admin: SigningKey,
    next_serial: u64,
    crl_number: u64,
    revoked: Vec<(Hierarchy, Revocation)>,
    _lock: atomic::DirLock,
}

/// Every file of an authority directory, each written through a temp file beside it
/// (`.NAME.XXXXXXXXXXXX.tmp`, created exclusively; see [`atomic`]).
const FILES: [&str; 9] = [
    STATE_FILE,
    "sign-ca.pem",
    "sign-ca.key",
    "auth-ca.pem",
    "auth-ca.key",
    "sign.crl",
    "auth.crl",
    ADMIN_KEY_FILE,
    ADMIN_PUB_FILE,
];

/// Takes the lock of the authority in `dir` — the directory itself, `flock`ed, so every path
/// to it shares one lock (waiting only out the fork window) — then removes the temp files that
/// a process killed mid-write left (they may hold CA keys).
fn lock(dir: &Path) -> Result<atomic::DirLock, Error> {
    let lock = atomic::DirLock::lock(dir).map_err(|e| match e {
        atomic::LockError::InUse => Error::AuthorityInUse {
            path: dir.to_path_buf(),
        },
        atomic::LockError::NotAFile | atomic::LockError::HardLinked(_) => Error::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
        },
        atomic::LockError::Io(source) => Error::Io {
            path: dir.to_path_buf(),
            source,
        },
    })?;
    for name in FILES {
        let path = dir.join(name);
        atomic::remove_stale_temps(&path).map_err(io(dir))?;
    }
    Ok(lock)
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority")
            .field("dir", &self.dir)
            .field("next_serial", &self.next_serial)
            .field("revoked", &self.revoked.len())
            .finish_non_exhaustive()
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn cert_err(e: cert::Error) -> Error {
    Error::Certificate(e)
}

fn serial(n: u64) -> Result<Serial, Error> {
    Serial::from_be_bytes(&n.to_be_bytes()).map_err(cert_err)
}

impl Authority {
    /// Creates a new authority in `dir` (which must not hold one): two self-signed CAs valid
    /// from `now` for 10 years, serials from `0x1000`.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] if `dir` has an authority; I/O and key errors.
    pub fn create<R: CryptoRng + ?Sized>(
        dir: &Path,
        now: OffsetDateTime,
        rng: &mut R,
    ) -> Result<Self, Error> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let state = dir.join(STATE_FILE);
        if state.exists() {
            return Err(Error::AlreadyExists { path: state });
        }
        let lock = lock(dir)?;
        if state.exists() {
            return Err(Error::AlreadyExists { path: state });
        }
        let make = |hierarchy, number: u64, rng: &mut R| -> Result<CertificateAuthority, Error> {
            let key = cert::keys::generate_key(rng).map_err(cert_err)?;
            let request = CaRequest {
                hierarchy,
                environment: Environment::Production,
                serial: serial(number)?,
                not_before: now,
                not_after: now + cert::time::Duration::days(3653),
            };
            CertificateAuthority::create(&request, key).map_err(cert_err)
        };
        let authority = Self {
            dir: dir.to_path_buf(),
            sign_ca: make(Hierarchy::Signature, 1, rng)?,
            auth_ca: make(Hierarchy::Authentication, 2, rng)?,
            admin: SigningKey::generate_from_rng(rng),
            next_serial: 0x1000,
            crl_number: 0,
            revoked: Vec::new(),
            _lock: lock,
        };
        for (name, ca) in [
            ("sign-ca", &authority.sign_ca),
            ("auth-ca", &authority.auth_ca),
        ] {
            let key = ca.private_key_pkcs8_der().map_err(cert_err)?;
            let key_path = dir.join(format!("{name}.key"));
            atomic::replace(&key_path, &key).map_err(io(&key_path))?;
            let pem_path = dir.join(format!("{name}.pem"));
            atomic::replace(&pem_path, ca.certificate().to_pem().as_bytes())
                .map_err(io(&pem_path))?;
        }
        let mut admin_key = authority.admin.to_bytes();
        let key_path = dir.join(ADMIN_KEY_FILE);
        let written = atomic::replace(&key_path, &admin_key);
        admin_key.as_mut_slice().zeroize();
        written.map_err(io(&key_path))?;
        let pub_path = dir.join(ADMIN_PUB_FILE);
        atomic::replace(&pub_path, &authority.admin.verifying_key().to_sec1_bytes())
            .map_err(io(&pub_path))?;
        let mut authority = authority;
        authority.save(now)?;
        Ok(authority)
    }

    /// Opens an authority directory and locks it until the `Authority` is dropped.
    ///
    /// # Errors
    /// [`Error::AuthorityInUse`] while another `Authority` has it open; missing or corrupt
    /// files, named in the error.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let lock = lock(dir)?;
        let load_ca = |name: &str| -> Result<CertificateAuthority, Error> {
            let pem_path = dir.join(format!("{name}.pem"));
            let pem = fs::read_to_string(&pem_path).map_err(io(&pem_path))?;
            let certificate = JpkiCertificate::from_pem(&pem).map_err(cert_err)?;
            let key_path = dir.join(format!("{name}.key"));
            let key_der = zeroize::Zeroizing::new(fs::read(&key_path).map_err(io(&key_path))?);
            let key = cert::keys::from_pkcs8_der(&key_der).map_err(cert_err)?;
            CertificateAuthority::from_parts(certificate, key).map_err(cert_err)
        };
        let sign_ca = load_ca("sign-ca")?;
        let auth_ca = load_ca("auth-ca")?;
        let key_path = dir.join(ADMIN_KEY_FILE);
        let admin_key = Zeroizing::new(fs::read(&key_path).map_err(io(&key_path))?);
        let admin = SigningKey::from_slice(&admin_key).map_err(|_| Error::AuthorityCorrupt {
            path: key_path.clone(),
            what: "not an ECDSA P-256 private key",
        })?;
        let state_path = dir.join(STATE_FILE);
        let text = fs::read_to_string(&state_path).map_err(io(&state_path))?;
        let corrupt = |what: &'static str| Error::AuthorityCorrupt {
            path: state_path.clone(),
            what,
        };
        let mut lines = text.lines();
        if lines.next() != Some(STATE_MAGIC) {
            return Err(corrupt("not a JPKI-SIM-AUTHORITY/1 file"));
        }
        let (mut next_serial, mut crl_number, mut revoked) = (None, None, Vec::new());
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let (key, value) = line
                .split_once(':')
                .ok_or_else(|| corrupt("a line without ':'"))?;
            let value = value.trim();
            match key {
                "next-serial" => next_serial = u64::from_str_radix(value, 16).ok(),
                "crl-number" => crl_number = value.parse().ok(),
                "revoked" => revoked
                    .push(parse_revoked(value).ok_or_else(|| corrupt("a malformed revoked line"))?),
                _ => return Err(corrupt("an unknown key")),
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            sign_ca,
            auth_ca,
            admin,
            next_serial: next_serial.ok_or_else(|| corrupt("no next-serial"))?,
            crl_number: crl_number.ok_or_else(|| corrupt("no crl-number"))?,
            revoked,
            _lock: lock,
        })
    }

    /// The directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A hierarchy's CA.
    #[must_use]
    pub fn ca(&self, hierarchy: Hierarchy) -> &CertificateAuthority {
        match hierarchy {
            Hierarchy::Signature => &self.sign_ca,
            Hierarchy::Authentication => &self.auth_ca,
        }
    }

    /// The path of a hierarchy's current CRL (DER).
    #[must_use]
    pub fn crl_path(&self, hierarchy: Hierarchy) -> PathBuf {
        self.dir.join(match hierarchy {
            Hierarchy::Signature => "sign.crl",
            Hierarchy::Authentication => "auth.crl",
        })
    }

    /// The path of a hierarchy's CA certificate (PEM).
    #[must_use]
    pub fn ca_path(&self, hierarchy: Hierarchy) -> PathBuf {
        self.dir.join(match hierarchy {
            Hierarchy::Signature => "sign-ca.pem",
            Hierarchy::Authentication => "auth-ca.pem",
        })
    }

    fn take_serial(&mut self) -> Result<Serial, Error> {
        let s = serial(self.next_serial)?;
        self.next_serial = self.next_serial.saturating_add(1);
        Ok(s)
    }

    /// Issues a card into a new file at `card_path`: generates its keys, has the CAs certify
    /// them with the validity rules, and writes certificates, keys, PINs and text data.
    ///
    /// # Errors
    /// A request that breaks a rule (wrong PIN kind, a Juki card with an authentication key,
    /// a card with neither key…), certificate errors, or an existing `card_path`.
    pub fn issue_card<R: CryptoRng + ?Sized>(
        &mut self,
        request: IssueRequest,
        card_path: &Path,
        rng: &mut R,
    ) -> Result<SimCard, Error> {
        // Refuse before any key is generated or serial spent on certificates that would
        // reach no card.
        if card_path.exists() {
            return Err(Error::AlreadyExists {
                path: card_path.to_path_buf(),
            });
        }
        check_request(&request)?;
        let issued = cert::validity::jst_date(request.issued_at);
        let birth = request.holder.birth_date;
        let mut auth_not_after = None;
        let authentication = match request.auth_pin {
            None => None,
            Some(pin) => {
                let key = cert::keys::generate_key(rng).map_err(cert_err)?;
                let not_after =
                    cert::validity::my_number_auth_not_after(issued, birth, request.card_expiry)
                        .map_err(cert_err)?;
                auth_not_after = Some(not_after);
                let public = key.to_public_key();
                let serial = self.take_serial()?;
                let certificate = self
                    .auth_ca
                    .issue_authentication(&AuthenticationRequest {
                        serial,
                        public_key: &public,
                        not_before: request.issued_at,
                        not_after,
                        municipality: &request.holder.municipality,
                    })
                    .map_err(cert_err)?;
                Some(KeyContents {
                    certificate: certificate.der().to_vec(),
                    ca_certificate: self.auth_ca.certificate().der().to_vec(),
                    private_key: key,
                    pin,
                    retry_limit: request.retry_limits.auth,
                })
            }
        };
        let signature = match request.sign_pin {
            None => None,
            Some(pin) => {
                let key = cert::keys::generate_key(rng).map_err(cert_err)?;
                let not_after = match (request.profile, auth_not_after) {
                    (CardProfile::Juki, _) => cert::validity::juki_not_after(issued),
                    (CardProfile::MyNumber, Some(auth)) => {
                        cert::validity::my_number_sign_not_after(
                            issued,
                            birth,
                            request.card_expiry,
                            auth,
                        )
                    }
                    (CardProfile::MyNumber, None) => {
                        cert::validity::my_number_auth_not_after(issued, birth, request.card_expiry)
                    }
                }
                .map_err(cert_err)?;
                let public = key.to_public_key();
                let serial = self.take_serial()?;
                let certificate = self
                    .sign_ca
                    .issue_signature(&SignatureRequest {
                        serial,
                        public_key: &public,
                        not_before: request.issued_at,
                        not_after,
                        holder: &request.holder,
                    })
                    .map_err(cert_err)?;
                Some(KeyContents {
                    certificate: certificate.der().to_vec(),
                    ca_certificate: self.sign_ca.certificate().der().to_vec(),
                    private_key: key,
                    pin,
                    retry_limit: request.retry_limits.sign,
                })
            }
        };
        let text_support = match (request.text_pin, request.my_number) {
            (Some(pin), Some(my_number)) => Some(TextSupportContents {
                my_number,
                facts: text_facts(&request.holder),
                pin,
                retry_limit: request.retry_limits.text,
            }),
            (None, None) => None,
            _ => {
                return Err(Error::IssueRequest {
                    reason: "the text-support application needs both a My Number and a PIN",
                });
            }
        };
        let contents = CardContents {
            profile: request.profile,
            authentication,
            signature,
            text_support,
        };
        let mut card_id = [0u8; CARD_ID_LEN];
        rng.fill_bytes(&mut card_id);
        let administration = Administration {
            card_id,
            admin_key: *self.admin.verifying_key(),
            card_expiry: request.card_expiry,
        };
        // the serials are spent whether or not the card file is written
        self.save(request.issued_at)?;
        Ok(SimCard::create_administered(
            card_path,
            contents,
            administration,
        )?)
    }

    /// Revokes a certificate and republishes its hierarchy's CRL.
    ///
    /// # Errors
    /// I/O or certificate errors.
    pub fn revoke(
        &mut self,
        certificate: &JpkiCertificate,
        reason: RevocationReason,
        at: OffsetDateTime,
    ) -> Result<(), Error> {
        let hierarchy = certificate.hierarchy();
        certificate
            .verify_signed_by(self.ca(hierarchy).certificate())
            .map_err(|_| Error::ForeignCard {
                reason: "the certificate was issued by another CA",
            })?;
        let serial = certificate.serial();
        if !self
            .revoked
            .iter()
            .any(|(h, r)| *h == hierarchy && r.serial == serial)
        {
            self.revoked.push((
                hierarchy,
                Revocation {
                    serial,
                    revoked_at: at,
                    reason: Some(reason),
                },
            ));
        }
        self.save(at)
    }

    /// Whether a certificate is on this authority's revocation list.
    #[must_use]
    pub fn is_revoked(&self, certificate: &JpkiCertificate) -> bool {
        let serial = certificate.serial();
        self.revoked
            .iter()
            .any(|(h, r)| *h == certificate.hierarchy() && r.serial == serial)
    }

    /// The municipal administration public key written onto every card this authority issues.
    #[must_use]
    pub fn admin_public_key(&self) -> &VerifyingKey {
        self.admin.verifying_key()
    }

    /// The municipality's half of EXTERNAL AUTHENTICATE: an ECDSA P-256 signature (raw
    /// `r || s`, 64 bytes) over [`admin_message`]`(card_id, challenge)`.
    #[must_use]
    pub fn admin_response(
        &self,
        card_id: &[u8; CARD_ID_LEN],
        challenge: &[u8; CHALLENGE_LEN],
    ) -> Vec<u8> {
        let signature: Signature = self.admin.sign(&admin_message(card_id, challenge));
        signature.to_bytes().to_vec()
    }

    /// Releases a PIN at the city hall, over the APDUs a real card sees: SELECT the PIN's
    /// application and EF, GET DATA (card ID), GET CHALLENGE, EXTERNAL AUTHENTICATE with the
    /// admin key, then RESET RETRY COUNTER — `00 2C 03 80` (counter back at its limit), or
    /// `00 2C 02 80 Lc <new PIN>` with `new_pin`. The PIN is left unverified.
    ///
    /// # Errors
    /// [`Error::ForeignCard`] for a card of another authority (EXTERNAL AUTHENTICATE `6300`)
    /// or of none (GET DATA `6A88`); [`Error::CardRefused`] naming the command the card
    /// refused (e.g. RESET RETRY COUNTER `6A80` for a new PIN that breaks the format rule,
    /// SELECT `6A82` for a card without that PIN);
    /// [`Error::Transport`]; [`Error::BadCardResponse`].
    pub fn unlock(
        &self,
        card: &mut dyn Transport,
        pin: PinRef,
        new_pin: Option<&Pin>,
    ) -> Result<(), Error> {
        let (aid, fid): (&[u8], [u8; 2]) = match pin {
            PinRef::Authentication => (&AID_JPKI, [0x00, 0x18]),
            PinRef::Signature => (&AID_JPKI, [0x00, 0x1B]),
            PinRef::TextSupport => (&AID_TEXT_SUPPORT, [0x00, 0x11]),
        };
        exchange(
            card,
            "SELECT (application)",
            &Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(aid.to_vec()),
        )?;
        exchange(
            card,
            "SELECT (PIN EF)",
            &Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(fid.to_vec()),
        )?;
        let [tag_hi, tag_lo] = CARD_ID_TAG.to_be_bytes();
        let card_id: [u8; CARD_ID_LEN] = exchange_data(
            card,
            "GET DATA (card ID)",
            &Command::new(0x00, 0xCA, tag_hi, tag_lo).with_le(256),
        )
        .map_err(|e| match e {
            Error::CardRefused {
                status: StatusWord::REFERENCED_DATA_NOT_FOUND,
                ..
            } => Error::ForeignCard {
                reason: "it carries no authority binding: GET DATA (card ID) answered 6A88",
            },
            e => e,
        })?;
        let challenge: [u8; CHALLENGE_LEN] = exchange_data(
            card,
            "GET CHALLENGE",
            &Command::new(0x00, 0x84, 0x00, 0x00).with_le(CHALLENGE_LEN),
        )?;
        exchange(
            card,
            "EXTERNAL AUTHENTICATE",
            &Command::new(0x00, 0x82, 0x00, 0x00)
                .with_data(self.admin_response(&card_id, &challenge)),
        )
        .map_err(|e| match e {
            // the card checked this authority's signature against the admin key it carries
            Error::CardRefused {
                status: StatusWord(0x6300),
                ..
            } => Error::ForeignCard {
                reason: "its admin key is another authority's: EXTERNAL AUTHENTICATE answered 6300",
            },
            e => e,
        })?;
        let reset = match new_pin {
            None => Command::new(0x00, 0x2C, 0x03, 0x80),
            Some(new) => {
                Command::new(0x00, 0x2C, 0x02, 0x80).with_data(new.expose_secret().to_vec())
            }
        }
        .sensitive();
        exchange(card, "RESET RETRY COUNTER", &reset)
    }

    /// Checks that `card` was issued by this authority and is not terminated.
    fn check_ours(&self, card: &SimCard) -> Result<(), Error> {
        let Some(admin) = card.administration() else {
            return Err(Error::ForeignCard {
                reason: "it carries no authority binding",
            });
        };
        if admin.admin_key != *self.admin.verifying_key() {
            return Err(Error::ForeignCard {
                reason: "its admin key is another authority's",
            });
        }
        if card.is_terminated() {
            return Err(Error::Terminated);
        }
        Ok(())
    }

    /// A change of the 4 facts (name, address, date of birth, gender) at the window: the
    /// signature certificate on the card is revoked on the signature CRL (reason
    /// affiliationChanged), and a new signature key and certificate for `holder` are written to
    /// the card, which keeps its signature PIN and retry counter. The authentication
    /// certificate survives (it carries no 4 facts); the text-support AP's 4 facts are replaced
    /// so they stay consistent with the new certificate.
    ///
    /// Everything that can be checked is checked before anything is revoked; the new
    /// certificate is issued, then the revocation (with the spent serial) is written, then the
    /// card. If the card cannot be written, the old certificate stays revoked and running the
    /// change again issues another one (the unused certificate's key never left memory).
    ///
    /// # Errors
    /// [`Error::ForeignCard`], [`Error::Terminated`], [`Error::NotOnCard`] (no signature key),
    /// certificate and I/O errors.
    pub fn change_facts<R: CryptoRng + ?Sized>(
        &mut self,
        card: &mut SimCard,
        holder: cert::Holder,
        at: OffsetDateTime,
        rng: &mut R,
    ) -> Result<(), Error> {
        self.check_ours(card)?;
        let Some(old_der) = card.certificate(KeyRole::Signature) else {
            return Err(Error::NotOnCard {
                part: "signature certificate",
            });
        };
        let old = JpkiCertificate::from_der(old_der).map_err(cert_err)?;
        old.verify_signed_by(self.sign_ca.certificate())
            .map_err(|_| Error::ForeignCard {
                reason: "its signature certificate is another CA's",
            })?;
        let card_expiry =
            card.administration()
                .map(|a| a.card_expiry)
                .ok_or(Error::ForeignCard {
                    reason: "it carries no authority binding",
                })?;
        holder
            .validate_on(cert::validity::jst_date(at))
            .map_err(cert_err)?;
        let facts = text_facts(&holder);
        if card.has_text_support() {
            facts.validate()?;
        }
        let issued = cert::validity::jst_date(at);
        let not_after = match card.profile() {
            CardProfile::Juki => cert::validity::juki_not_after(issued),
            CardProfile::MyNumber => match card.certificate(KeyRole::Authentication) {
                Some(auth) => {
                    let auth = JpkiCertificate::from_der(auth).map_err(cert_err)?;
                    cert::validity::my_number_sign_not_after(
                        issued,
                        holder.birth_date,
                        card_expiry,
                        auth.not_after(),
                    )
                }
                None => {
                    cert::validity::my_number_auth_not_after(issued, holder.birth_date, card_expiry)
                }
            },
        }
        .map_err(cert_err)?;
        let key = cert::keys::generate_key(rng).map_err(cert_err)?;
        let public = key.to_public_key();
        let serial = self.take_serial()?;
        let certificate = self
            .sign_ca
            .issue_signature(&SignatureRequest {
                serial,
                public_key: &public,
                not_before: at,
                not_after,
                holder: &holder,
            })
            .map_err(cert_err)?;
        // writes the state (serial spent) and the CRLs
        self.revoke(&old, RevocationReason::AffiliationChanged, at)?;
        Ok(card.replace_signature(
            key,
            certificate.der().to_vec(),
            self.sign_ca.certificate().der().to_vec(),
            facts,
        )?)
    }

    /// A card fault: every certificate on the card is revoked (reason cessationOfOperation —
    /// the keys are lost with the card, nothing says they were compromised) and the card is
    /// terminated: its keys, PINs and text data are erased from the card file and it answers
    /// every command `6A82`, like a card whose applications are gone (clients report "no JPKI
    /// card" instead of retrying). The revocations are written before the card.
    ///
    /// # Errors
    /// [`Error::ForeignCard`], [`Error::Terminated`], certificate and I/O errors.
    pub fn fault(&mut self, card: &mut SimCard, at: OffsetDateTime) -> Result<(), Error> {
        self.check_ours(card)?;
        for role in [KeyRole::Authentication, KeyRole::Signature] {
            if let Some(der) = card.certificate(role) {
                let certificate = JpkiCertificate::from_der(der).map_err(cert_err)?;
                self.revoke(&certificate, RevocationReason::CessationOfOperation, at)?;
            }
        }
        Ok(card.terminate()?)
    }

    /// Writes the state file and both CRLs.
    fn save(&mut self, now: OffsetDateTime) -> Result<(), Error> {
        self.crl_number = self.crl_number.saturating_add(1);
        for hierarchy in [Hierarchy::Signature, Hierarchy::Authentication] {
            let entries = self
                .revoked
                .iter()
                .filter(|(h, _)| *h == hierarchy)
                .map(|(_, r)| *r);
            let crl = self
                .ca(hierarchy)
                .issue_crl(
                    &CrlRequest {
                        this_update: now,
                        next_update: Some(now + cert::time::Duration::days(1)),
                        crl_number: self.crl_number,
                    },
                    entries,
                )
                .map_err(cert_err)?;
            let path = self.crl_path(hierarchy);
            atomic::replace(&path, &crl).map_err(io(&path))?;
        }
        let mut text = format!(
            "{STATE_MAGIC}\nnext-serial: {:x}\ncrl-number: {}\n",
            self.next_serial, self.crl_number
        );
        for (h, r) in &self.revoked {
            let code = r.reason.map_or(0, RevocationReason::code);
            text.push_str(&format!(
                "revoked: {} {} {} {code}\n",
                match h {
                    Hierarchy::Signature => "sign",
                    Hierarchy::Authentication => "auth",
                },
                hex_serial(&r.serial),
                r.revoked_at.unix_timestamp()
            ));
        }
        let path = self.dir.join(STATE_FILE);
        atomic::replace(&path, text.as_bytes()).map_err(io(&path))
    }
}

/// Application identifiers (shared/jpki-spec.md §3), as the municipality's terminal sends them.
const AID_JPKI: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
const AID_TEXT_SUPPORT: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// Sends one command, expects `9000`, returns the data.
fn transmit(
    card: &mut dyn Transport,
    what: &'static str,
    command: &Command,
) -> Result<Vec<u8>, Error> {
    let capdu = Zeroizing::new(
        command
            .encode()
            .map_err(|_| Error::BadCardResponse { command: what })?,
    );
    let rapdu = card.transmit(&capdu)?;
    let response =
        Response::decode(&rapdu).map_err(|_| Error::BadCardResponse { command: what })?;
    if response.sw == StatusWord::SUCCESS {
        Ok(response.data)
    } else {
        Err(Error::CardRefused {
            command: what,
            status: response.sw,
        })
    }
}

/// [`transmit`], expecting no data.
fn exchange(card: &mut dyn Transport, what: &'static str, command: &Command) -> Result<(), Error> {
    transmit(card, what, command).map(|_| ())
}

/// [`transmit`], expecting exactly `N` bytes of data.
fn exchange_data<const N: usize>(
    card: &mut dyn Transport,
    what: &'static str,
    command: &Command,
) -> Result<[u8; N], Error> {
    let data = transmit(card, what, command)?;
    data.as_slice()
        .try_into()
        .map_err(|_| Error::BadCardResponse { command: what })
}

fn hex_serial(s: &Serial) -> String {
    s.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_revoked(value: &str) -> Option<(Hierarchy, Revocation)> {
    let mut parts = value.split_whitespace();
    let hierarchy = match parts.next()? {
        "sign" => Hierarchy::Signature,
        "auth" => Hierarchy::Authentication,
        _ => return None,
    };
    let serial_hex = parts.next()?;
    if serial_hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..serial_hex.len())
        .step_by(2)
        .map(|i| {
            serial_hex
                .get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    let serial = Serial::from_be_bytes(&bytes?).ok()?;
    let revoked_at = OffsetDateTime::from_unix_timestamp(parts.next()?.parse().ok()?).ok()?;
    let code: u8 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some((
        hierarchy,
        Revocation {
            serial,
            revoked_at,
            reason: RevocationReason::from_code(code),
        },
    ))
}

/// The rules of a request that can be checked before any key is generated: holder data,
/// parts the profile has, PIN kinds and retry limits.
fn check_request(request: &IssueRequest) -> Result<(), Error> {
    let issued = cert::validity::jst_date(request.issued_at);
    request.holder.validate_on(issued).map_err(cert_err)?;
    if request.card_expiry <= issued {
        return Err(Error::IssueRequest {
            reason: "the card expiry date is not after the issuing date",
        });
    }
    let profile = request.profile;
    if profile == CardProfile::Juki {
        if request.auth_pin.is_some() {
            return Err(card_sim::Error::NotOnProfile {
                profile,
                part: "authentication key",
            }
            .into());
        }
        if request.text_pin.is_some() || request.my_number.is_some() {
            return Err(card_sim::Error::NotOnProfile {
                profile,
                part: "text-support application",
            }
            .into());
        }
    }
    for (role, pin, limit) in [
        (
            KeyRole::Authentication,
            &request.auth_pin,
            request.retry_limits.auth,
        ),
        (
            KeyRole::Signature,
            &request.sign_pin,
            request.retry_limits.sign,
        ),
    ] {
        let Some(pin) = pin else { continue };
        let expected = profile.pin_kind(role);
        if pin.kind() != expected {
            return Err(card_sim::Error::WrongPinKind {
                role,
                expected,
                found: pin.kind(),
            }
            .into());
        }
        pin_policy::RetryCounter::new(limit)?;
    }
    if request.text_pin.is_some() != request.my_number.is_some() {
        return Err(Error::IssueRequest {
            reason: "the text-support application needs both a My Number and a PIN",
        });
    }
    if request.text_pin.is_some() {
        text_facts(&request.holder).validate()?;
    }
    if let Some(pin) = &request.text_pin {
        if pin.kind() != pin_policy::PinKind::TextSupport {
            return Err(Error::Pin(pin_policy::Error::KindMismatch {
                expected: pin_policy::PinKind::TextSupport,
                found: pin.kind(),
            }));
        }
        pin_policy::RetryCounter::new(request.retry_limits.text)?;
    }
    Ok(())
}

/// The text-support application's 4 facts, from the same holder data as the certificate.
fn text_facts(holder: &cert::Holder) -> FourFacts {
    let d = holder.birth_date;
    FourFacts {
        name: holder.name.text(),
        address: holder.address.text(),
        birth_date: format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day()),
        sex: match holder.gender {
            cert::Gender::Male => Sex::Male,
            cert::Gender::Female => Sex::Female,
            cert::Gender::Unknown => Sex::NotApplicable,
        },
    }
}
