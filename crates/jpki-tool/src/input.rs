//! Every file jpki-tool reads, and how much of it: the size caps in one place.
//!
//! Inputs other than documents are read whole, so each has a cap well above any real file of
//! its kind; a larger file is refused with one line, before it is read when its size is known
//! (a sparse file) and after `cap + 1` bytes otherwise (a file that grows while read).
//! Documents (the file signed by `sign`, checked by `verify`) have no cap: they are hashed as
//! they stream, in constant memory.
//!
//! Every input must be a regular file. A FIFO, a device such as `/dev/zero`, a socket or a
//! directory is refused at once: the file is opened non-blocking (a FIFO without a writer would
//! otherwise block the open forever), its type is checked on the open descriptor, and only then
//! is it read. Standard input is not accepted as a document: save a stream to a file first.
//! (PINs are the exception: `--pin-stdin` reads them from standard input, one short line each.)

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// What an input file is; each kind has its cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// A certificate file, PEM or DER (`cert verify FILE`, each `--ca FILE`): 64 KiB. A JPKI
    /// certificate is about 1.5 KB in DER, 2 KB in PEM.
    Certificate,
    /// A detached CMS signature (`verify FILE.p7s`): 1 MiB. Ours are about 2 KB (one
    /// certificate); a message carrying a few chain certificates stays far below.
    Signature,
    /// A CRL, PEM or DER (`--crl FILE`): 128 MiB. Measured: a CRL of 1,000,000 entries with
    /// 20-octet serials (the longest RFC 5280 allows) and a reason code is 53 MB in DER and
    /// 72 MB in PEM, and loads with a peak of about 140 MiB (DER) / 210 MiB (PEM).
    Crl,
    /// A login challenge (`auth respond`, `auth check`): 64 KiB. Ours are under 200 bytes.
    Challenge,
    /// A login response (`auth check`): 64 KiB. Ours are about 4 KB (hex certificate and
    /// signature).
    Response,
    /// The used-challenge list (`auth check --used`): 64 MiB, about a million challenges
    /// (65 bytes each). It is scanned line by line, not held in memory; challenges older than
    /// `--max-age` can be dropped from it when it grows.
    UsedChallenges,
    /// A document to sign or verify: no cap, hashed as it streams in constant memory.
    Document,
}

impl Input {
    /// The largest file accepted, in bytes; `None` for documents (streamed).
    #[must_use]
    pub const fn cap(self) -> Option<u64> {
        match self {
            Self::Certificate | Self::Challenge | Self::Response => Some(64 * KIB),
            Self::Signature => Some(MIB),
            Self::Crl => Some(128 * MIB),
            Self::UsedChallenges => Some(64 * MIB),
            Self::Document => None,
        }
    }

    /// How the input is named in messages.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Certificate => "certificate",
            Self::Signature => "signature",
            Self::Crl => "CRL",
            Self::Challenge => "challenge",
            Self::Response => "response",
            Self::UsedChallenges => "used-challenge list",
            Self::Document => "document",
        }
    }
}

/// The input rules for `jpki-tool --help`.
pub const HELP: &str = "Inputs: every input must be a regular file (a FIFO, device or directory is \
refused). Documents are hashed as they stream, any size. Caps: certificate, challenge and \
response 64 KiB; signature 1 MiB; CRL 128 MiB (a CRL of a million entries is 53 MB); \
used-challenge list 64 MiB.";

/// A size as people read it: `64 KiB`, `128 MiB`.
#[must_use]
pub fn size_text(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The longest line accepted as a PIN on standard input (`--pin-stdin`), in bytes. JPKI PINs
/// are at most 16 characters.
pub use cli_common::pins::MAX_PIN_LINE;

/// Why an input file was not read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// Opening or reading failed.
    #[error("cannot read {} {}: {source}", .what.name(), .path.display())]
    Io {
        /// Which input.
        what: Input,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// Not a regular file.
    #[error("{} {} is {kind}, not a regular file: give the {} as a file", .what.name(), .path.display(), .what.name())]
    NotAFile {
        /// Which input.
        what: Input,
        /// The file.
        path: PathBuf,
        /// What it is instead ("a FIFO", "a character device", …).
        kind: &'static str,
    },
    /// A symbolic link where a file is written: refused, it could point anywhere.
    #[error("{} {} is a symbolic link: refused (it could point at another file); give the real file", .what.name(), .path.display())]
    Symlink {
        /// Which input.
        what: Input,
        /// The link.
        path: PathBuf,
    },
    /// Larger than its cap.
    #[error("{} {} is larger than {}, the most a {} may be: refused", .what.name(), .path.display(), size_text(*.cap), .what.name())]
    TooLarge {
        /// Which input.
        what: Input,
        /// The file.
        path: PathBuf,
        /// The cap, in bytes.
        cap: u64,
    },
}

pub(crate) fn kind_of(t: std::fs::FileType) -> Option<&'static str> {
    if t.is_file() {
        None
    } else if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_char_device() {
        Some("a character device")
    } else if t.is_block_device() {
        Some("a block device")
    } else if t.is_socket() {
        Some("a socket")
    } else if t.is_dir() {
        Some("a directory")
    } else {
        Some("not a file")
    }
}

/// Opens `path` for reading as `what`: non-blocking (a FIFO never blocks the open), then
/// refused unless it is a regular file, or larger than `what`'s cap by its size.
///
/// # Errors
/// [`InputError`].
pub fn open(path: &Path, what: Input) -> Result<File, InputError> {
    use rustix::fs::{Mode, OFlags};
    let io_err = |source: io::Error| InputError::Io {
        what,
        path: path.to_owned(),
        source,
    };
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
        Mode::empty(),
    )
    .map_err(|e| io_err(e.into()))?;
    let file = File::from(fd);
    let meta = file.metadata().map_err(io_err)?;
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(InputError::NotAFile {
            what,
            path: path.to_owned(),
            kind,
        });
    }
    if let Some(cap) = what.cap()
        && meta.len() > cap
    {
        return Err(InputError::TooLarge {
            what,
            path: path.to_owned(),
            cap,
        });
    }
    Ok(file)
}

/// Reads `path` whole as `what`, at most its cap: see [`open`].
///
/// # Errors
/// [`InputError`].
pub fn read(path: &Path, what: Input) -> Result<Vec<u8>, InputError> {
    let file = open(path, what)?;
    let cap = what.cap().unwrap_or(u64::MAX);
    let known = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(usize::try_from(known.min(cap)).unwrap_or(0));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| InputError::Io {
            what,
            path: path.to_owned(),
            source,
        })?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > cap {
        return Err(InputError::TooLarge {
            what,
            path: path.to_owned(),
            cap,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_text_states_every_cap() {
        for what in [
            Input::Certificate,
            Input::Signature,
            Input::Crl,
            Input::Challenge,
            Input::Response,
            Input::UsedChallenges,
        ] {
            let cap = what.cap().unwrap();
            assert!(HELP.contains(&size_text(cap)), "{what:?}: {HELP}");
            assert!(HELP.contains(what.name()), "{what:?}: {HELP}");
        }
        assert_eq!(Input::Document.cap(), None);
        assert_eq!(size_text(64 * KIB), "64 KiB");
        assert_eq!(size_text(128 * MIB), "128 MiB");
        assert_eq!(size_text(1000), "1000 bytes");
    }
}
