//! The crate's error type.

use std::path::PathBuf;

use pin_policy::PinKind;

use crate::profile::{CardProfile, KeyRole};

/// What went wrong building, loading or saving a card.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing the card file (or a file of an authority directory) failed.
    #[error("{path}: {source}")]
    Io {
        /// The card file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file does not start with the card-file magic: it is not a card (left untouched).
    #[error("{path} is not a card file (wrong magic); it was left untouched")]
    NotACardFile {
        /// The file.
        path: PathBuf,
    },
    /// A card file of a format version this build does not know (left untouched).
    #[error(
        "{path} is a card file of version {version}, this build reads version {supported}; it was left untouched"
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Its version.
        version: u16,
        /// The version this build reads and writes.
        supported: u16,
    },
    /// A card file that fails its integrity checks (left untouched).
    #[error(
        "card file {path} is corrupt ({problem}); it was left untouched: restore it from a backup or issue a new card"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: Corruption,
    },
    /// A card file larger than any card: refused without reading.
    #[error("{path} is {len} bytes, too large to be a card file")]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        len: u64,
    },
    /// Creating a card would replace an existing file.
    #[error("{path} already exists; a new card never overwrites a file")]
    AlreadyExists {
        /// The file.
        path: PathBuf,
    },
    /// Another simulator (in this process or another) has the card file open: a card is in
    /// one reader at a time, and two writers would each count their own PIN tries.
    #[error(
        "the card {path} is in use by another simulator (such as a running `jpki-sim serve`); stop it first"
    )]
    InUse {
        /// The card file.
        path: PathBuf,
    },
    /// The card file has a second hard link: a save through one name would leave the old card
    /// under the other, and two cards would count PIN tries of their own.
    #[error(
        "{path} has {links} hard links; a card file must have exactly one (a save would split it into two cards): remove the other links, or copy the file"
    )]
    HardLinked {
        /// The card file.
        path: PathBuf,
        /// Its number of links.
        links: u64,
    },
    /// The path names a directory, device, FIFO or socket, not a card file (left untouched).
    #[error("{path} is not a regular file, so it is not a card file; it was left untouched")]
    NotARegularFile {
        /// The path.
        path: PathBuf,
    },
    /// A PIN or retry limit that breaks the PIN rules.
    #[error(transparent)]
    Pin(#[from] pin_policy::Error),
    /// A PIN of the wrong kind for its key.
    #[error("the {role} key needs a {expected} PIN, a {found} PIN was given")]
    WrongPinKind {
        /// The key.
        role: KeyRole,
        /// The kind this profile needs.
        expected: PinKind,
        /// The kind given.
        found: PinKind,
    },
    /// A part the card profile does not have (e.g. an authentication key on a Juki card).
    #[error("a {profile} card has no {part}")]
    NotOnProfile {
        /// The profile.
        profile: CardProfile,
        /// The part.
        part: &'static str,
    },
    /// A key that is not RSA-2048.
    #[error("the {role} key has {bits} bits; a JPKI card holds RSA-2048 keys")]
    KeySize {
        /// The key.
        role: KeyRole,
        /// Its modulus size in bits.
        bits: usize,
    },
    /// Content too large for its elementary file (READ BINARY offsets end at 7FFF).
    #[error("EF {fid:04X} would hold {len} bytes, more than a card file can address")]
    EfTooLarge {
        /// The file identifier.
        fid: u16,
        /// The content size.
        len: usize,
    },
    /// A My Number that is not 12 digits with a valid check digit.
    #[error("invalid My Number: {reason}")]
    InvalidMyNumber {
        /// Which rule is broken.
        reason: &'static str,
    },
    /// 4 facts that do not fit the text-support AP's format.
    #[error("invalid 4 facts: {reason}")]
    InvalidFacts {
        /// Which rule is broken.
        reason: &'static str,
    },
    /// The card lacks a part an administrative operation needs.
    #[error("the card has no {part}")]
    NotOnCard {
        /// The part.
        part: &'static str,
    },
    /// The private key could not be serialized.
    #[error("the {role} private key could not be encoded")]
    KeyEncoding {
        /// The key.
        role: KeyRole,
    },
    /// Content of an application that breaks its format (card-map §4–§7): a wrong length, a
    /// non-digit character, a key that is not RSA-2048, a part without the part it needs.
    #[error("invalid {part}: {reason}")]
    InvalidContents {
        /// The part (e.g. "common serial").
        part: &'static str,
        /// Which rule is broken.
        reason: &'static str,
    },
    /// A signing engine refused the private key (see [`Engine`](crate::Engine)).
    #[error("the {role} private key is not accepted by the signing engine")]
    KeyRejected {
        /// The key.
        role: KeyRole,
    },
    /// The card was terminated (after a fault, or returned when its holder died or left
    /// Japan): its keys and data are erased and nothing more is written to it.
    #[error("the card was terminated (its keys and data are erased); issue a new card")]
    Terminated,
}

/// Why a card file's content is rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Corruption {
    /// The file ends before its content does.
    #[error("truncated")]
    Truncated,
    /// The checksum over the content does not match.
    #[error("checksum mismatch")]
    ChecksumMismatch,
    /// Bytes after the content.
    #[error("{extra} unexpected bytes after the content")]
    TrailingBytes {
        /// How many.
        extra: usize,
    },
    /// A field with an impossible value.
    #[error("bad value in field {field}")]
    BadField {
        /// The field.
        field: &'static str,
    },
    /// A private key that does not decode.
    #[error("the {role} private key does not decode")]
    BadKey {
        /// The key.
        role: KeyRole,
    },
}
