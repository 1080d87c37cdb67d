#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
// How it works.
//
// Every write goes to a temp file created *exclusively* beside its target under an
// unpredictable name (`.NAME.XXXXXXXXXXXX.tmp`, the `tempfile` crate: `O_CREAT | O_EXCL`, so a
// file, link or directory planted at that name is never opened, only stepped around), mode
// 0600 from its first byte; it is written, fsynced, renamed over the target, and the directory
// is fsynced. No fixed name is ever opened for writing, so a link another user plants in a
// shared directory leads nowhere.
//
// A locked file (a card file) is locked by its identity, not by a name: the holder keeps the card file itself
// open and `flock`ed. Every path to the file (itself, a symlink to it) reaches the same inode
// and so the same lock. A save renames a new inode into place, so the holder locks the new
// temp file *before* renaming it, and an opener that locked a file checks afterwards that the
// path still names that very file (else it was replaced while it waited, and it tries again).
// A card file with a second hard link is refused: a save through one name would leave the
// other name holding the old card, and two cards would count PIN tries of their own.

use std::{
    ffi::OsStr,
    fs::{self, File, TryLockError},
    io::{self, Write},
    os::unix::fs::MetadataExt,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use tempfile::NamedTempFile;

/// Random characters in a temp file's name (62^12 ≈ 3·10^21 names).
const TEMP_RANDOM_LEN: usize = 12;

/// How long a lock that is held is tried again. A process that starts a program holds a copy
/// of every descriptor from the fork until the program starts (the descriptors close on exec);
/// a lock its other thread released meanwhile stays held by the copy that long.
const LOCK_GRACE: Duration = Duration::from_millis(500);

/// Why a lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another holder (in this process or another) has the lock.
    InUse,
    /// The card file has more than one hard link.
    HardLinked(u64),
    /// The path names something other than a regular file.
    NotAFile,
    /// Resolving, opening or locking failed, or a stale temp file could not be removed.
    Io(io::Error),
}

impl From<io::Error> for LockError {
    fn from(e: io::Error) -> Self {
        LockError::Io(e)
    }
}

/// The directory of `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn file_name(path: &Path) -> io::Result<&OsStr> {
    path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path does not end in a file name",
        )
    })
}

/// Whether `entry` (a name in the directory of `target`) is a temp file of `target`: the
/// current form `.NAME.<12 alphanumerics>.tmp`, or the fixed `.NAME.tmp` of earlier versions.
fn is_temp_of(entry: &OsStr, target: &OsStr) -> bool {
    let (Some(entry), Some(target)) = (entry.to_str(), target.to_str()) else {
        return false;
    };
    let Some(rest) = entry
        .strip_prefix('.')
        .and_then(|r| r.strip_prefix(target))
        .and_then(|r| r.strip_suffix(".tmp"))
    else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    rest.strip_prefix('.').is_some_and(|random| {
        random.len() == TEMP_RANDOM_LEN && random.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// Removes the temp files of `target` that a writer killed mid-write left in its directory.
/// Only for a caller holding the lock that every writer of `target` holds. Only regular files
/// owned by this user are removed: anything else at such a name was planted, and is left
/// alone (removing it could not help, and following it could harm).
pub fn remove_stale_temps(target: &Path) -> io::Result<()> {
    let dir = parent_dir(target);
    let name = file_name(target)?;
    let me = rustix::process::geteuid().as_raw();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if !is_temp_of(&entry.file_name(), name) {
            continue;
        }
        let meta = match entry.path().symlink_metadata() {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if !meta.file_type().is_file() || meta.uid() != me {
            continue;
        }
        match fs::remove_file(entry.path()) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A new, exclusively created, private (0600) temp file beside `target`, holding `bytes`,
/// fsynced.
fn write_temp(target: &Path, bytes: &[u8]) -> io::Result<NamedTempFile> {
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file_name(target)?);
    prefix.push(".");
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .rand_bytes(TEMP_RANDOM_LEN)
        .tempfile_in(parent_dir(target))?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    Ok(temp)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Replaces `path` with `bytes` atomically and durably: after a crash the file holds either the
/// old or the new content, never a mix. A symlink at `path` is replaced, not followed. For
/// files whose writer holds a lock of its own (the authority's, under the directory lock); a
/// card file is written through [`LockedFile::replace`].
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = write_temp(path, bytes)?;
    temp.persist(path).map_err(|e| e.error)?;
    sync_dir(parent_dir(path))
}

/// Tries `file`'s exclusive `flock`, waiting out the fork window ([`LOCK_GRACE`]).
fn try_lock_with_grace(file: &File) -> Result<(), LockError> {
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) if start.elapsed() < LOCK_GRACE => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(TryLockError::WouldBlock) => return Err(LockError::InUse),
            Err(TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
    }
}

/// Opens `path` for reading without following a final symlink.
fn open_no_follow(path: &Path) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK,
        Mode::empty(),
    )?;
    Ok(File::from(fd))
}

fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// A card file, open and locked by its identity (see the module docs), with its resolved path.
#[derive(Debug)]
pub struct LockedFile {
    /// The card file itself, `flock`ed.
    file: File,
    /// The resolved path (no symlink in it), where saves rename their temp files to.
    real: PathBuf,
}

impl LockedFile {
    /// Locks the existing card file at `path`: resolves it once (symlinks lead to the file
    /// they name), opens it, takes its lock, and checks that the path still names the locked
    /// file and that it has no second hard link. Then removes the temp files a killed writer
    /// left.
    pub fn lock(path: &Path) -> Result<Self, LockError> {
        let real = fs::canonicalize(path)?;
        loop {
            let file = open_no_follow(&real)?;
            let meta = file.metadata()?;
            if !meta.file_type().is_file() {
                return Err(LockError::NotAFile);
            }
            try_lock_with_grace(&file)?;
            // Replaced by a save while we waited? Then this is an old card: try again.
            match real.symlink_metadata() {
                Ok(now) if same_file(&now, &meta) => {}
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(LockError::Io(e)),
            }
            // First the remains of a killed writer: a creator killed between linking its temp
            // file into place and removing the temp name leaves the card with two links.
            remove_stale_temps(&real)?;
            let links = file.metadata()?.nlink();
            if links != 1 {
                return Err(LockError::HardLinked(links));
            }
            return Ok(LockedFile { file, real });
        }
    }

    /// Creates the card file `path` holding `bytes`, atomically, durably and already locked;
    /// fails with `AlreadyExists` (leaving what is there alone) if anything is at `path`, a
    /// dangling symlink included.
    pub fn create(path: &Path, bytes: &[u8]) -> io::Result<Self> {
        let dir = fs::canonicalize(parent_dir(path))?;
        let real = dir.join(file_name(path)?);
        let temp = write_temp(&real, bytes)?;
        // A brand-new inode nobody else can name yet: the lock is free.
        temp.as_file().try_lock().map_err(io::Error::from)?;
        // Moved into place without replacing anything (a file, a link, a dangling link): a
        // rename that refuses an existing target, so the card never has a second name; where
        // the file system cannot do that, a hard link and the temp name removed (a kill in
        // between leaves two links, which the next opener clears as a stale temp file).
        let (file, temp_name) = temp.into_parts();
        let placed = rustix::fs::renameat_with(
            rustix::fs::CWD,
            &*temp_name,
            rustix::fs::CWD,
            &real,
            rustix::fs::RenameFlags::NOREPLACE,
        );
        match placed {
            Ok(()) => {
                temp_name.keep().map_err(|e| e.error)?;
            }
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
                fs::hard_link(&temp_name, &real).map_err(|e| exists_or(&real, e))?;
                temp_name.close()?;
            }
            // A creator of the same path that got there first may have removed our temp file
            // as stale.
            Err(e) => return Err(exists_or(&real, e.into())),
        }
        remove_stale_temps(&real)?;
        sync_dir(&dir)?;
        Ok(LockedFile { file, real })
    }

    /// The resolved path of the card file.
    pub fn real_path(&self) -> &Path {
        &self.real
    }

    /// The locked file, for reading the card.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Replaces the card file with `bytes` atomically and durably, keeping it locked: the new
    /// file is locked before it is renamed into place, so there is no moment in which the
    /// path names an unlocked card.
    pub fn replace(&mut self, bytes: &[u8]) -> io::Result<()> {
        let temp = write_temp(&self.real, bytes)?;
        temp.as_file().try_lock().map_err(io::Error::from)?;
        let file = temp.persist(&self.real).map_err(|e| e.error)?;
        // From here the path names the new, locked file; the old one is released on drop.
        self.file = file;
        sync_dir(parent_dir(&self.real))
    }
}

/// `AlreadyExists` if something is at `path` now, else `e`.
fn exists_or(path: &Path, e: io::Error) -> io::Error {
    if path.symlink_metadata().is_ok() {
        io::ErrorKind::AlreadyExists.into()
    } else {
        e
    }
}

/// The lock of an authority directory: the directory itself, `flock`ed, so every path to it
/// shares one lock and no lock file can be planted or redirected.
#[derive(Debug)]
pub struct DirLock {
    _dir: File,
}

impl DirLock {
    /// Takes the lock of `dir`, waiting out the fork window.
    pub fn lock(dir: &Path) -> Result<Self, LockError> {
        let file = File::open(dir)?;
        if !file.metadata()?.is_dir() {
            return Err(LockError::NotAFile);
        }
        try_lock_with_grace(&file)?;
        Ok(DirLock { _dir: file })
    }
}
