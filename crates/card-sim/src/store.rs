//! The card file: a versioned, checksummed serialization of the card's persistent state.
//!
//! ```text
//! file    = magic "JPKISIM" 1A | version u16 (=5) | body | SHA-256(magic..body) (32 bytes)
//! body    = profile u8 (1 My Number, 2 Juki)
//!           | key(authentication) | key(signature) | text | admin | life
//!           | verification | text-records | visual | common | history | next-gen
//! admin   = 00 | 01 card-id(16) admin-key:bytes(SEC1 P-256) card-expiry i32 (Julian day)
//! life    = 00 active | 01 terminated (after a fault) | 02 lost at
//!           | 03 ceased cause u8 (1 death, 2 emigration) at
//! history = last-renewal(00 | 01 at) last-pin-reset(00 | 01 at)
//! at      = i64 (big-endian) Unix seconds
//! key     = 00 | 01 certificate:bytes ca-certificate:bytes pkcs1-private-key:bytes pin
//! text    = 00 | 01 my-number:bytes(12) name:bytes address:bytes birth:bytes(8) sex u8 pin
//! pin     = kind u8 | pin:bytes | limit u8 | tries-left u8
//!           (kind 1 Juki, 2 auth, 3 sign, 4 text, 5 照合番号A, 6 照合番号B, 7 birth date,
//!           8 住民基本台帳用, 9 PUK)
//! verification = 00 | 01 pin(照合番号B) pin(birth date) security-code:bytes(4)
//!           (the limit of A, B and the birth date = the limit of pin(照合番号B))
//! text-records = 00 | 01 integrity:bytes cv-certificate:bytes basic-info:bytes
//!           session-key:bytes signed-key:bytes pkcs1-private-key:bytes counter(A) counter(B)
//! visual  = 00 | 01 age:bytes face:bytes basic-info:bytes cv-certificate:bytes image:bytes
//!           pkcs1-private-key:bytes counter(birth) counter(B) counter(A)
//! common  = 00 | 01 serial:bytes municipality:bytes expiry:bytes key-reference(16)
//!           pkcs1-private-key:bytes pin(共通 001C) pin(住基 001C)
//! counter = limit u8 | tries-left u8  (the value is the verification section's or the My Number)
//! bytes   = length u32 (big-endian) | content
//! ```
//! next-gen = 00 | 01 … (the next-generation 認証AP: `format/next_gen.rs`)
//! Written by hand (no serde): the format is small, fixed and must stay byte-stable.
//!
//! Version 4 (before the next-generation card) is the same without `next-gen`: a card of
//! today's generation.
//! Version 3 (before the card states and history, [`crate::CardState`]) is the same without
//! `history`, with `life` only `00` (read as active) or `01` (terminated).
//! Version 2 (before the 券面/共通/住基 APs were simulated) is the same without the last four
//! sections: it reads as a card without them (their APs answer SELECT `6A82`, the text-support
//! AP has no records). Version 1 (before the administrative channel) is version 2 without
//! `admin` and `life`: a card with no authority binding, on which no administrative unlock is
//! possible. All four are still read, and the next change writes them back as version 5.

mod codec;
mod format;

use std::{
    fs,
    io::Read,
    path::{Path, PathBuf},
};

use zeroize::Zeroizing;

use crate::{
    contents::CardData,
    error::{Corruption, Error},
};
pub(crate) use format::{decode, encode};

/// First bytes of every card file.
pub const MAGIC: [u8; 8] = *b"JPKISIM\x1a";
/// The card-file format version this build reads and writes.
pub const FORMAT_VERSION: u16 = 5;
/// An older format this build still reads (no next-generation card).
const FORMAT_VERSION_4: u16 = 4;
/// An older format this build still reads (no card state beyond terminated, no history).
const FORMAT_VERSION_3: u16 = 3;
/// An older format this build still reads (no 券面/共通/住基 content).
const FORMAT_VERSION_2: u16 = 2;
/// The oldest format this build still reads (no authority binding).
const FORMAT_VERSION_1: u16 = 1;
/// No card file is larger (certificates ≤ 32 KiB each, keys ~1.2 KiB).
const MAX_FILE_LEN: u64 = 1 << 20;
const CHECKSUM_LEN: usize = 32;

/// Why bytes are not a loadable card.
pub(crate) enum DecodeError {
    NotACardFile,
    UnsupportedVersion(u16),
    Corrupt(Corruption),
}

impl From<Corruption> for DecodeError {
    fn from(c: Corruption) -> Self {
        DecodeError::Corrupt(c)
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Loads a card file; never modifies it.
pub(crate) fn load(path: &Path) -> Result<CardData, Error> {
    let file = fs::File::open(path).map_err(io_error(path))?;
    load_from(&file, path)
}

/// Loads the card from an open card file (read from its start); errors name `path`.
fn load_from(file: &fs::File, path: &Path) -> Result<CardData, Error> {
    let meta = file.metadata().map_err(io_error(path))?;
    if !meta.is_file() {
        return Err(Error::NotARegularFile {
            path: path.to_path_buf(),
        });
    }
    let len = meta.len();
    if len > MAX_FILE_LEN {
        return Err(Error::FileTooLarge {
            path: path.to_path_buf(),
            len,
        });
    }
    // Sized up front: a growing Vec would leave unwiped copies of keys and PINs behind.
    let capacity = usize::try_from(len).unwrap_or(0).saturating_add(1);
    let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
    file.take(MAX_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error(path))?;
    decode(&bytes).map_err(|e| decode_error(path, e))
}

/// Decodes the bytes of a card file held in memory (never larger than a card file may be).
/// Errors name `origin` where they would name the file.
pub(crate) fn load_bytes(bytes: &[u8], origin: &Path) -> Result<CardData, Error> {
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len > MAX_FILE_LEN {
        return Err(Error::FileTooLarge {
            path: origin.to_path_buf(),
            len,
        });
    }
    decode(bytes).map_err(|e| decode_error(origin, e))
}

fn decode_error(path: &Path, e: DecodeError) -> Error {
    match e {
        DecodeError::NotACardFile => Error::NotACardFile {
            path: path.to_path_buf(),
        },
        DecodeError::UnsupportedVersion(version) => Error::UnsupportedVersion {
            path: path.to_path_buf(),
            version,
            supported: FORMAT_VERSION,
        },
        DecodeError::Corrupt(problem) => Error::Corrupt {
            path: path.to_path_buf(),
            problem,
        },
    }
}

/// A card file held by one simulator: the path it was opened by, and the file itself, locked
/// by its identity (see [`durable`]).
#[derive(Debug)]
pub(crate) struct CardFile {
    path: PathBuf,
    locked: durable::LockedFile,
    /// Test seam: makes chosen saves fail, as a full disk would.
    #[cfg(test)]
    pub(crate) faults: faults::Faults,
}

impl CardFile {
    /// Takes the lock of the existing card file at `path`, waiting only out the fork window
    /// (see [`durable::LockedFile::lock`]).
    ///
    /// # Errors
    /// [`Error::InUse`] if another simulator holds it; [`Error::HardLinked`],
    /// [`Error::NotARegularFile`], [`Error::Io`].
    pub(crate) fn lock(path: &Path) -> Result<Self, Error> {
        let locked = durable::LockedFile::lock(path).map_err(|e| lock_error(path, e))?;
        Ok(CardFile::from_locked(path, locked))
    }

    /// Writes `data` as a new card file at `path` (never replacing anything there) and keeps
    /// it locked.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`], [`Error::Io`].
    pub(crate) fn create(path: &Path, data: &CardData) -> Result<Self, Error> {
        let bytes = encode(data)?;
        match durable::LockedFile::create(path, &bytes) {
            Ok(locked) => Ok(CardFile::from_locked(path, locked)),
            Err(source) if source.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(Error::AlreadyExists {
                    path: path.to_path_buf(),
                })
            }
            Err(source) => Err(Error::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    fn from_locked(path: &Path, locked: durable::LockedFile) -> Self {
        CardFile {
            path: path.to_path_buf(),
            locked,
            #[cfg(test)]
            faults: faults::Faults::default(),
        }
    }

    /// The card file, as the path it was opened by.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the card from the locked file itself (no second open by name).
    pub(crate) fn load(&self) -> Result<CardData, Error> {
        load_from(self.locked.file(), &self.path)
    }

    /// Writes the card over its file (atomically, durably), keeping the lock.
    pub(crate) fn save(&mut self, data: &CardData) -> Result<(), Error> {
        #[cfg(test)]
        self.faults.check(&self.path)?;
        let bytes = encode(data)?;
        self.locked.replace(&bytes).map_err(|source| Error::Io {
            path: self.locked.real_path().to_path_buf(),
            source,
        })
    }
}

fn lock_error(path: &Path, e: durable::LockError) -> Error {
    let path = path.to_path_buf();
    match e {
        durable::LockError::InUse => Error::InUse { path },
        durable::LockError::HardLinked(links) => Error::HardLinked { path, links },
        durable::LockError::NotAFile => Error::NotARegularFile { path },
        durable::LockError::Io(source) => Error::Io { path, source },
    }
}

#[cfg(test)]
pub(crate) mod faults {
    //! Injected save failures, for the tests of what a failed write leaves behind.

    use std::path::Path;

    use crate::error::Error;

    /// Which saves fail: save number `n` (counted from 0 since [`Faults::fail`]) fails when
    /// `fail_at` contains it.
    #[derive(Debug, Default)]
    pub(crate) struct Faults {
        fail_at: Vec<u32>,
        saves: u32,
    }

    impl Faults {
        /// From now on, the saves numbered in `at` (0 = the next one) fail.
        pub(crate) fn fail(&mut self, at: &[u32]) {
            self.fail_at = at.to_vec();
            self.saves = 0;
        }

        /// How many saves were tried since [`fail`](Self::fail).
        pub(crate) fn saves(&self) -> u32 {
            self.saves
        }

        pub(super) fn check(&mut self, path: &Path) -> Result<(), Error> {
            let n = self.saves;
            self.saves += 1;
            if self.fail_at.contains(&n) {
                return Err(Error::Io {
                    path: path.to_path_buf(),
                    source: std::io::Error::other("injected write failure"),
                });
            }
            Ok(())
        }
    }
}
