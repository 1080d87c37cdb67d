//! The municipal window and J-LIS in one directory: the two CAs (keys, certificates), the serial
//! counter, the municipality register, the revocation list and the CRLs, and the issuance of
//! cards from holder data.
//!
//! (One piece, over 400 lines: the directory's files — create, open, lock and save — are kept in
//! one place; the state file's format is [`state`], the CRLs [`publish`], and issuance,
//! revocation, the life cycle and the terminal are the other submodules.)
//!
//! Layout of an authority directory (every file written atomically):
//!
//! | file | content |
//! |---|---|
//! | `authority.txt` | `JPKI-SIM-AUTHORITY/2`: next serial, CRL number, CN sequence, the municipality register, one `revoked:` line per revocation (see [`state`]) |
//! | `sign-ca.pem`, `auth-ca.pem` | the CA certificates (trust anchors for clients) |
//! | `sign-ca.key`, `auth-ca.key` | the CA private keys, PKCS#8 DER, mode 0600 |
//! | `crl/sign-<code>.crl`, `crl/auth-<code>.crl` | each municipality's CRL partition, DER, rewritten on every change (see [`publish`]) |
//! | `crl/sign-arl.crl`, `crl/auth-arl.crl` | each CA's authority revocation list (empty) |
//! | `admin.key` | the municipal administration key, ECDSA P-256 scalar (32 bytes), mode 0600 |
//! | `admin.pub` | its public key, SEC1 uncompressed point (65 bytes) |
//! | `face-text-ca.key`, `face-visual-ca.key` | the simulated J-LIS card-face CA keys (入力補助AP `9000033`, 確認AP `9000023`), PKCS#8 DER, mode 0600 |
//! | `face-text-signer.key`, `face-visual-signer.key` | the record-signing keys their CV certificates certify, PKCS#8 DER, mode 0600 |
//! | `face-text-ca.pem`, `face-visual-ca.pem` | the card-face CA public keys, PEM SPKI (clients verify EF `0004` with them) |
//!
//! The six `face-*` files come with the first [`Authority::card_face`]: a directory from before
//! them opens as it is (see [`crate::card_face`]). The single `sign.crl` and `auth.crl` of
//! version 1 are no longer written: a version 1 directory is refused (see [`state`]).
//!
//! Serials: one 4-byte counter (`01000000`–`7FFFFFFF`, as J-LIS's) shared by the two CAs and
//! every certificate they issue; a new authority starts it at a random point of
//! `01000000`–`06FFFFFF`, its signature CA takes the first serial and its authentication CA the
//! second. The CAs are valid from their creation to 23:59:59 JST of the day before the 10th
//! anniversary of its JST date (`…145959Z`, as the real CAs: 2019-09-15 JST → 2029-09-14).
//!
//! Administration (the city hall) works on cards this authority issued: every card carries the
//! admin public key and a unique card ID. [`Authority::unlock`] releases a blocked PIN over
//! APDUs (see [`card_sim::admin`]); [`Authority::change_facts`] and [`Authority::fault`] work on
//! the card file the window holds. A next-generation card has no administrative APDUs in
//! NG-sim v1: its secrets are released and reset on the card file
//! ([`Authority::unlock_next_gen`], [`Authority::reset_next_gen_secret`]), and
//! [`Authority::change_facts`] and [`Authority::renew`] serve both generations.
//!
//! An [`Authority`] holds the lock of its directory (the directory itself, `flock`ed) while it lives: a second
//! opener, here or in another process, gets [`Error::AuthorityInUse`] instead of a copy of the
//! serial counter and revocation list that the two would each write back.
//!
//! The CAs use the production profile (`O=JPKI`) with keys of their own: certificates they
//! issue verify against these CA files, never against the real J-LIS anchors.

use std::fs;
use std::path::{Path, PathBuf};

use cert::time::{Date, OffsetDateTime};
use cert::{CaRequest, CertificateAuthority, Environment, Hierarchy, JpkiCertificate, Serial};
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::elliptic_curve::Generate;
use pin_policy::Pin;
use rand::CryptoRng;
use zeroize::{Zeroize, Zeroizing};

use card_sim::{CardProfile, MyNumber};
use durable as atomic;

use crate::error::Error;

mod certify;
mod events;
pub use events::IdentityCheck;
mod renew;
pub use renew::{RenewRequest, Renewed};
mod face;
mod issue;
mod issue_next_gen;
pub use crate::card_face::text_facts;
pub use issue_next_gen::NextGenIssueRequest;
mod life;
mod next_gen;
mod next_gen_life;
mod next_gen_renew;
pub mod publish;
mod revocation;
pub mod state;
mod terminal;
pub use revocation::RevokeOutcome;
use state::{SERIAL_END, SERIAL_MIN, SERIAL_START_SPAN, State};
const STATE_FILE: &str = "authority.txt";
const ADMIN_KEY_FILE: &str = "admin.key";
const ADMIN_PUB_FILE: &str = "admin.pub";

/// Retry limits of a card's PINs: the real card's by default (auth 3, sign 5, text 3; Juki 5;
/// 住民基本台帳用 3; 照合番号A, B and the birth-date key 10, card-map §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryLimits {
    /// Authentication PIN.
    pub auth: u8,
    /// Signature PIN (My Number or Juki).
    pub sign: u8,
    /// Text-support PIN.
    pub text: u8,
    /// The 住民基本台帳用 PIN `001C` of the 共通カードAP and of the 住基AP (one counter each).
    pub resident: u8,
    /// 照合番号A, 照合番号B and the 確認AP's birth-date key (each key reference counts alone).
    pub numbers: u8,
}

impl Default for RetryLimits {
    fn default() -> Self {
        Self {
            auth: 3,
            sign: 5,
            text: 3,
            resident: 3,
            numbers: 10,
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
            resident: 5,
            numbers: 10,
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
    /// Signature PIN; `None` issues no signature certificate. A My Number card for a holder
    /// under 15 on the issuing date must have `None` (JPKI rule).
    pub sign_pin: Option<Pin>,
    /// Text-support PIN (My Number card).
    pub text_pin: Option<Pin>,
    /// The 住民基本台帳用 PIN (4 digits) of the 共通カードAP and the 住基AP. `None` on a My Number
    /// card: the same 4 digits as the authentication PIN, else the text-support PIN (the
    /// window lets the holder set one number for all three, as most do); `None` on a Juki card:
    /// no 共通カードAP and 住基AP.
    pub resident_pin: Option<Pin>,
    /// Retry limits.
    pub retry_limits: RetryLimits,
    /// The card's expiry date: no later than the 10th birthday after issue, the 5th for a
    /// holder under 18 on the issuing date (My Number card, spec §1), and no later than
    /// `stay_until`.
    pub card_expiry: Date,
    /// A foreign resident's period of stay (在留期間) ends on this date (JST): the card and its
    /// certificates end no later than that day (23:59:59 JST). `None` for a Japanese national
    /// or a special permanent resident.
    pub stay_until: Option<Date>,
    /// The issuing instant. A Juki card only before 2016-01-01 JST, when its issuance ended.
    pub issued_at: OffsetDateTime,
}

/// An authority directory, loaded.
pub struct Authority {
    dir: PathBuf,
    sign_ca: CertificateAuthority,
    auth_ca: CertificateAuthority,
    admin: SigningKey,
    /// Serial counter, CRL number, CN sequence, register and revocations (`authority.txt`).
    state: State,
    /// The card-face CA keys, `None` until the first card face (see [`crate::card_face`]).
    face: Option<crate::card_face::FaceKeys>,
    /// The next-generation (P-384) CAs, `None` until the first next-generation card (see
    /// [`next_gen`]).
    ng: Option<next_gen::NextGenCas>,
    _lock: atomic::DirLock,
}

/// Every file of an authority directory, each written through a temp file beside it
/// (`.NAME.XXXXXXXXXXXX.tmp`, created exclusively; see [`atomic`]).
/// The CRLs in `crl/` are listed by [`Authority::crl_files`].
const FILES: [&str; 7] = [
    STATE_FILE,
    "sign-ca.pem",
    "sign-ca.key",
    "auth-ca.pem",
    "auth-ca.key",
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
    for name in FILES
        .iter()
        .chain(crate::card_face::KEY_FILES.iter())
        .chain(next_gen::FILES.iter())
    {
        let path = dir.join(name);
        atomic::remove_stale_temps(&path).map_err(io(dir))?;
    }
    Ok(lock)
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority")
            .field("dir", &self.dir)
            .field("next_serial", &self.state.next_serial)
            .field("municipalities", &self.state.register.len())
            .field("revoked", &self.state.revoked.len())
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

/// A serial of the counter: exactly 4 bytes, positive (`01000000`–`7FFFFFFF`).
fn serial(n: u64) -> Result<Serial, Error> {
    if !(SERIAL_MIN..SERIAL_END).contains(&n) {
        return Err(Error::SerialsExhausted { next: n });
    }
    Serial::from_be_bytes(&n.to_be_bytes()).map_err(cert_err)
}

impl Authority {
    /// Creates a new authority in `dir` (which must not hold one): two self-signed CAs valid
    /// from `now` to the end (JST) of the day before their 10th anniversary, with the first two
    /// serials of a 4-byte counter started at a random point of `01000000`–`06FFFFFF` (drawn
    /// from `rng` after the CA and admin keys).
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
        let sign_key = cert::keys::generate_key(rng).map_err(cert_err)?;
        let auth_key = cert::keys::generate_key(rng).map_err(cert_err)?;
        let admin = SigningKey::generate_from_rng(rng);
        let mut start = [0u8; 4];
        rng.fill_bytes(&mut start);
        let first = SERIAL_MIN + u64::from(u32::from_be_bytes(start)) % SERIAL_START_SPAN;
        let not_after =
            cert::validity::ca_not_after(cert::validity::jst_date(now), 10).map_err(cert_err)?;
        let make = |hierarchy, number: u64, key| -> Result<CertificateAuthority, Error> {
            let request = CaRequest {
                hierarchy,
                environment: Environment::Production,
                serial: serial(number)?,
                not_before: now,
                not_after,
            };
            CertificateAuthority::create(&request, key).map_err(cert_err)
        };
        let authority = Self {
            dir: dir.to_path_buf(),
            sign_ca: make(Hierarchy::Signature, first, sign_key)?,
            auth_ca: make(Hierarchy::Authentication, first + 1, auth_key)?,
            admin,
            state: State {
                next_serial: first + 2,
                crl_number: 0,
                cn_sequence: 0,
                register: Vec::new(),
                revoked: Vec::new(),
            },
            face: None,
            ng: None,
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
        let state = State::parse(&text, &state_path)?;
        let authority = Self {
            dir: dir.to_path_buf(),
            sign_ca,
            auth_ca,
            admin,
            state,
            face: crate::card_face::load_keys(dir)?,
            ng: next_gen::load(dir)?,
            _lock: lock,
        };
        // temp files of CRLs a killed writer left (the crl/ directory is only read if it is
        // one: a planted link is refused when the CRLs are next written)
        let crl_dir = authority.crl_dir();
        if fs::symlink_metadata(&crl_dir).is_ok_and(|m| m.is_dir()) {
            for path in authority.crl_files() {
                atomic::remove_stale_temps(&path).map_err(io(&crl_dir))?;
            }
        }
        Ok(authority)
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

    /// The path of a hierarchy's CA certificate (PEM).
    #[must_use]
    pub fn ca_path(&self, hierarchy: Hierarchy) -> PathBuf {
        self.dir.join(match hierarchy {
            Hierarchy::Signature => "sign-ca.pem",
            Hierarchy::Authentication => "auth-ca.pem",
        })
    }

    /// The next serial of the shared counter.
    ///
    /// # Errors
    /// [`Error::SerialsExhausted`] past `7FFFFFFF` (the counter stays there).
    fn take_serial(&mut self) -> Result<Serial, Error> {
        let s = serial(self.state.next_serial)?;
        self.state.next_serial = self.state.next_serial.saturating_add(1);
        Ok(s)
    }

    /// The serial the next certificate will get (hex in `authority.txt`).
    #[must_use]
    pub fn next_serial(&self) -> u64 {
        self.state.next_serial
    }

    /// The municipal administration public key written onto every card this authority issues.
    #[must_use]
    pub fn admin_public_key(&self) -> &VerifyingKey {
        self.admin.verifying_key()
    }

    /// Publishes every CRL again, dated `now` (thisUpdate `now`, nextUpdate a day later): the
    /// daily update J-LIS makes, which relying parties need (a CRL past its nextUpdate is
    /// refused as stale), and the present date back on the CRLs after an event recorded at
    /// another instant (a card issued with a past date).
    ///
    /// # Errors
    /// I/O or certificate errors.
    pub fn republish(&mut self, now: OffsetDateTime) -> Result<(), Error> {
        self.save(now)
    }

    /// Publishes every CRL (see [`publish`]), then writes the state file.
    fn save(&mut self, now: OffsetDateTime) -> Result<(), Error> {
        self.state.crl_number = self.state.crl_number.saturating_add(1);
        self.publish(now)?;
        self.write_state()
    }

    /// Writes the state file alone (the counter, before files that spend its serials).
    fn write_state(&self) -> Result<(), Error> {
        let path = self.dir.join(STATE_FILE);
        atomic::replace(&path, self.state.render().as_bytes()).map_err(io(&path))
    }
}
