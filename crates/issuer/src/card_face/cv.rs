//! The simulated J-LIS card-face CAs (card-map §5, §9): per 券面 AP a CA key, which signs the
//! AP's CV certificate, and the record-signing key that certificate certifies, which signs the
//! AP's records. Kept in the authority directory:
//!
//! | file | content |
//! |---|---|
//! | `face-text-ca.key`, `face-visual-ca.key` | CA keys (証明者鍵ID `9000033`, `9000023`), PKCS#8 DER, 0600 |
//! | `face-text-signer.key`, `face-visual-signer.key` | record-signing keys, PKCS#8 DER, 0600 |
//! | `face-text-ca.pem`, `face-visual-ca.pem` | the CA public keys, PEM SPKI (clients verify `0004` with them) |
//!
//! (Our choice: the CV certificate certifies a record-signing key distinct from the CA key,
//! like J-LIS's chain; its 被証明者鍵ID is `9000035`/`9000025` `08 05` `001`.)

use std::fs;
use std::path::Path;

use rand::CryptoRng;
use rsa::pkcs8::EncodePublicKey;
use rsa::{Pkcs1v15Sign, PrivateKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::tlv;
use crate::error::Error;
use durable as atomic;

/// One of the two 券面 APs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceAp {
    /// 券面事項入力補助AP.
    Text,
    /// 券面事項確認AP.
    Visual,
}

impl FaceAp {
    /// The file-name stem in the authority directory (`face-text`, `face-visual`).
    #[must_use]
    pub fn stem(self) -> &'static str {
        match self {
            Self::Text => "face-text",
            Self::Visual => "face-visual",
        }
    }

    /// 証明者鍵ID of the CA key: `9000033` (入力補助AP) / `9000023` (確認AP) + `08 05 "001"` + 4
    /// zero bytes (production `5000033`/`5000023`; our issuer IDs start with `9`).
    #[must_use]
    pub fn ca_key_id(self) -> [u8; 16] {
        key_id(match self {
            Self::Text => b"9000033",
            Self::Visual => b"9000023",
        })
    }

    /// 被証明者鍵ID: the record-signing key the CV certificate certifies (our choice).
    #[must_use]
    pub fn signer_key_id(self) -> [u8; 16] {
        key_id(match self {
            Self::Text => b"9000035",
            Self::Visual => b"9000025",
        })
    }

    /// The key ID of the basic-info EF (入力補助 `0005` `DF42`, 確認AP `0003` `DF32`):
    /// `…0034/001` / `…0024/001` as on real cards, with our leading `9`.
    #[must_use]
    pub fn basic_info_key_id(self) -> [u8; 16] {
        key_id(match self {
            Self::Text => b"9000034",
            Self::Visual => b"9000024",
        })
    }
}

/// 7 ASCII digits + `08 05` + `001` + 4 zero bytes (card-map §5).
pub(super) fn key_id(number: &[u8; 7]) -> [u8; 16] {
    let mut id = [0u8; 16];
    let group = [0x08, 0x05, b'0', b'0', b'1'];
    for (slot, byte) in id.iter_mut().zip(number.iter().chain(group.iter())) {
        *slot = *byte;
    }
    id
}

/// PKCS#1 v1.5 over exactly `digest_info` (already a DigestInfo).
pub(crate) fn sign_digest_info(key: &PrivateKey, digest_info: &[u8]) -> Result<Vec<u8>, Error> {
    key.sign_with_rng(
        &mut rand::rng(),
        Pkcs1v15Sign::new_unprefixed(),
        digest_info,
    )
    .map_err(|e| Error::Certificate(e.into()))
}

/// PKCS#1 v1.5 SHA-256 over `message`.
pub(crate) fn sign_sha256(key: &PrivateKey, message: &[u8]) -> Result<Vec<u8>, Error> {
    let digest = Sha256::digest(message);
    key.sign_with_rng(&mut rand::rng(), Pkcs1v15Sign::new::<Sha256>(), &digest)
        .map_err(|e| Error::Certificate(e.into()))
}

/// One AP's CA key and record-signing key.
pub(crate) struct FaceCa {
    ap: FaceAp,
    ca: PrivateKey,
    signer: PrivateKey,
}

impl FaceCa {
    /// Signs a record's covered bytes (PKCS#1 v1.5 SHA-256) with the record-signing key.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        sign_sha256(&self.signer, message)
    }

    /// Signs a ready DigestInfo with the record-signing key.
    pub(crate) fn sign_digest_info(&self, digest_info: &[u8]) -> Result<Vec<u8>, Error> {
        sign_digest_info(&self.signer, digest_info)
    }

    /// The CV certificate (EF `0004`, 568 B): `7F 21 82 02 33` { `5F 4E 82 01 29` 証明者鍵ID +
    /// 被証明者鍵ID + the signer's public key; `5F 37 82 01 00` CA signature over those 297 B }.
    pub(crate) fn cv_certificate(&self) -> Result<Vec<u8>, Error> {
        let mut body = Vec::with_capacity(297);
        body.extend_from_slice(&self.ap.ca_key_id());
        body.extend_from_slice(&self.ap.signer_key_id());
        body.extend_from_slice(&tlv::public_key(&self.signer.to_public_key())?);
        let signature = sign_sha256(&self.ca, &body)?;
        let mut inner = tlv::tlv(&[0x5F, 0x4E], &body)?;
        tlv::push(&mut inner, &[0x5F, 0x37], &signature)?;
        tlv::tlv(&[0x7F, 0x21], &inner)
    }

    /// The CA public key.
    pub(crate) fn ca_public_key(&self) -> rsa::PublicKey {
        self.ca.to_public_key()
    }
}

/// The card CA's root and intermediate keys (see [`super::chain`], which signs with them).
pub(crate) struct CardCa {
    pub(crate) root: PrivateKey,
    pub(crate) intermediate: PrivateKey,
}

/// Both APs' keys and the card CA behind the MF objects (see [`super::chain`]).
pub(crate) struct FaceKeys {
    pub(crate) text: FaceCa,
    pub(crate) visual: FaceCa,
    pub(crate) card: CardCa,
}

/// How many of [`FILES`] are keys (the first ones).
const KEY_COUNT: usize = 6;

/// The key and PEM files, keys first, for the stale-temp sweep of the authority lock.
pub(crate) const FILES: [&str; 9] = [
    "face-text-ca.key",
    "face-text-signer.key",
    "face-visual-ca.key",
    "face-visual-signer.key",
    "card-ca.key",
    "card-intermediate.key",
    "face-text-ca.pem",
    "face-visual-ca.pem",
    "card-ca.pem",
];

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// PEM SPKI of a CA public key.
pub(crate) fn pem(key: &rsa::PublicKey) -> Result<String, Error> {
    let der = key
        .to_public_key_der()
        .map_err(|_| Error::Certificate(cert::Error::BadPublicKey))?;
    der::pem::encode_string("PUBLIC KEY", der::pem::LineEnding::LF, der.as_bytes()).map_err(|_| {
        Error::CardFace {
            reason: "PEM encoding of a card-face CA key failed",
        }
    })
}

/// Loads the card-face and card CA keys of the authority in `dir`: `None` unless all six key
/// files exist (an authority from before them — also one with only the four card-face keys —
/// or one whose first generation was cut short: it gets a full new set). A missing PEM beside
/// present keys is rewritten.
pub(crate) fn load(dir: &Path) -> Result<Option<FaceKeys>, Error> {
    let keys = FILES
        .get(..KEY_COUNT)
        .unwrap_or_default()
        .iter()
        .map(|name| dir.join(name));
    if !keys.clone().all(|p| p.exists()) {
        return Ok(None);
    }
    let read = |name: String| -> Result<PrivateKey, Error> {
        let path = dir.join(format!("{name}.key"));
        let der = Zeroizing::new(fs::read(&path).map_err(io(&path))?);
        cert::keys::from_pkcs8_der(&der).map_err(|_| Error::AuthorityCorrupt {
            path: path.clone(),
            what: "not an RSA PKCS#8 private key",
        })
    };
    let ca = |ap: FaceAp| -> Result<FaceCa, Error> {
        let face = FaceCa {
            ap,
            ca: read(format!("{}-ca", ap.stem()))?,
            signer: read(format!("{}-signer", ap.stem()))?,
        };
        let pem_path = dir.join(format!("{}-ca.pem", ap.stem()));
        if !pem_path.exists() {
            atomic::replace(&pem_path, pem(&face.ca_public_key())?.as_bytes())
                .map_err(io(&pem_path))?;
        }
        Ok(face)
    };
    let card = CardCa {
        root: read("card-ca".to_owned())?,
        intermediate: read("card-intermediate".to_owned())?,
    };
    let pem_path = dir.join("card-ca.pem");
    if !pem_path.exists() {
        atomic::replace(&pem_path, pem(&card.root_public_key())?.as_bytes())
            .map_err(io(&pem_path))?;
    }
    Ok(Some(FaceKeys {
        text: ca(FaceAp::Text)?,
        visual: ca(FaceAp::Visual)?,
        card,
    }))
}

/// Both APs' keys and the card CA from `rng` (text CA, text signer, visual CA, visual signer,
/// card root, card intermediate), in memory only.
pub(crate) fn in_memory<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<FaceKeys, Error> {
    let mut make = |ap| -> Result<FaceCa, Error> {
        Ok(FaceCa {
            ap,
            ca: cert::keys::generate_key(rng)?,
            signer: cert::keys::generate_key(rng)?,
        })
    };
    let text = make(FaceAp::Text)?;
    let visual = make(FaceAp::Visual)?;
    let card = CardCa {
        root: cert::keys::generate_key(rng)?,
        intermediate: cert::keys::generate_key(rng)?,
    };
    Ok(FaceKeys { text, visual, card })
}

/// Generates the keys from `rng` (as [`in_memory`]) and writes them, keys first, PEMs last.
pub(crate) fn generate<R: CryptoRng + ?Sized>(dir: &Path, rng: &mut R) -> Result<FaceKeys, Error> {
    let keys = in_memory(rng)?;
    for face in [&keys.text, &keys.visual] {
        for (suffix, key) in [("ca", &face.ca), ("signer", &face.signer)] {
            let path = dir.join(format!("{}-{suffix}.key", face.ap.stem()));
            let der = cert::keys::to_pkcs8_der(key)?;
            atomic::replace(&path, &der).map_err(io(&path))?;
        }
    }
    for (name, key) in [
        ("card-ca", &keys.card.root),
        ("card-intermediate", &keys.card.intermediate),
    ] {
        let path = dir.join(format!("{name}.key"));
        let der = cert::keys::to_pkcs8_der(key)?;
        atomic::replace(&path, &der).map_err(io(&path))?;
    }
    for face in [&keys.text, &keys.visual] {
        let path = dir.join(format!("{}-ca.pem", face.ap.stem()));
        atomic::replace(&path, pem(&face.ca_public_key())?.as_bytes()).map_err(io(&path))?;
    }
    let path = dir.join("card-ca.pem");
    atomic::replace(&path, pem(&keys.card.root_public_key())?.as_bytes()).map_err(io(&path))?;
    Ok(keys)
}
