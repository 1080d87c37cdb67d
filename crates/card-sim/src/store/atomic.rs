//! Durable, atomic file replacement: temp file in the same directory, fsync, rename, fsync dir;
//! and the lock that makes the simulator holding a card file its only writer.

use std::{
    fs::{self, File, OpenOptions, TryLockError},
    io::{self, Write},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// `.NAME.suffix` beside `path`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{suffix}"))
}

/// The temp file used while writing `path` (same directory, so `rename` is atomic).
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    sibling(path, "tmp")
}

/// The lock file of `path`. It is never renamed or removed, so every opener locks the same
/// file, whatever renames have replaced the card file itself.
pub(crate) fn lock_path(path: &Path) -> PathBuf {
    sibling(path, "lock")
}

/// An exclusive lock on a card file, held while a simulator may write it; released when
/// dropped, or by the kernel when the process dies.
#[derive(Debug)]
pub(crate) struct FileLock {
    _file: File,
}

/// Why [`lock`] failed.
#[derive(Debug)]
pub(crate) enum LockError {
    /// Another holder (in this process or another) has the lock.
    InUse,
    /// The lock file could not be created, opened or locked, or a stale temp file removed.
    Io(io::Error),
}

fn open_private(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// How long [`lock`] keeps trying a lock that is held. A process that starts a program holds
/// a copy of every descriptor from the fork until the program starts (the descriptors close on
/// exec); a lock its other thread released meanwhile stays held by the copy that long.
const LOCK_GRACE: Duration = Duration::from_millis(500);

/// Takes the lock of `path`, waiting only out the fork window ([`LOCK_GRACE`]) for a lock
/// that is held. Once it is held, a temp file left beside `path` can only be the remains of a
/// writer that died mid-write (every writer holds the lock), and it may hold keys and PINs: it
/// is removed.
pub(crate) fn lock(path: &Path) -> Result<FileLock, LockError> {
    let file = open_private(OpenOptions::new().read(true).write(true).create(true))
        .open(lock_path(path))
        .map_err(LockError::Io)?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) if start.elapsed() < LOCK_GRACE => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(TryLockError::WouldBlock) => return Err(LockError::InUse),
            Err(TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
    }
    remove_stale_temp(path).map_err(LockError::Io)?;
    Ok(FileLock { _file: file })
}

/// Removes the temp file of `path`, if there is one. Only for a caller that holds the lock
/// that every writer of `path` holds.
pub(crate) fn remove_stale_temp(path: &Path) -> io::Result<()> {
    match fs::remove_file(temp_path(path)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn write_temp(tmp: &Path, bytes: &[u8]) -> io::Result<()> {
    // The file holds PINs and private keys.
    let mut file =
        open_private(OpenOptions::new().write(true).create(true).truncate(true)).open(tmp)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    // Directories cannot be opened as files on every platform; where they can, fsync makes the
    // rename durable.
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
    }
    Ok(())
}

/// Replaces `path` with `bytes` atomically and durably: after a crash the file holds either the
/// old or the new content, never a mix. The caller holds `path`'s [`lock`].
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_path(path);
    write_temp(&tmp, bytes)?;
    fs::rename(&tmp, path)?;
    sync_dir(parent_dir(path))
}

/// Creates `path` with `bytes` atomically and durably; fails with `AlreadyExists` (and leaves
/// the existing file alone) if `path` exists. The caller holds `path`'s [`lock`].
pub(crate) fn create_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_path(path);
    write_temp(&tmp, bytes)?;
    let linked = fs::hard_link(&tmp, path);
    let removed = fs::remove_file(&tmp);
    linked?;
    removed?;
    sync_dir(parent_dir(path))
}
