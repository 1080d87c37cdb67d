//! The used-challenge list of `auth check --used`: each challenge's nonce recorded once, under
//! a lock, so a replayed response is refused.

use super::{Challenge, LoginError};

/// Records `challenge`'s nonce in the used-challenge list at `path`; fails if it is there.
///
/// The list is one hex nonce per line. The check and the append happen under an exclusive lock
/// on the list (`flock`), so of any number of concurrent checks of one challenge exactly one
/// records it and the others see [`LoginError::Replayed`]; the append is fsynced before the
/// lock is released. The list is opened with `O_NOFOLLOW` (a symbolic link planted in its
/// place is refused, not followed), created with mode 0600, must be a regular file, and is
/// scanned line by line up to its cap ([`crate::input::Input::UsedChallenges`]).
///
/// # Errors
/// [`LoginError::Replayed`], [`LoginError::UsedList`], or I/O errors.
pub fn mark_used(path: &std::path::Path, challenge_text: &[u8]) -> Result<(), LoginError> {
    use std::io::{BufRead, Read, Write};

    use rustix::fs::{Mode, OFlags};

    use crate::input::{Input, InputError};

    /// Longer lines are not nonces (64 hex digits and a newline); they are read in pieces.
    const LINE_MAX: u64 = 128;
    let what = Input::UsedChallenges;
    let challenge = Challenge::parse(challenge_text)?;
    let nonce = hex::encode(challenge.nonce);
    let fd = rustix::fs::open(
        path,
        OFlags::RDWR
            | OFlags::CREATE
            | OFlags::APPEND
            | OFlags::NOFOLLOW
            | OFlags::NONBLOCK
            | OFlags::NOCTTY
            | OFlags::CLOEXEC,
        Mode::RUSR | Mode::WUSR,
    )
    .map_err(|e| match e {
        rustix::io::Errno::LOOP => LoginError::UsedList(InputError::Symlink {
            what,
            path: path.to_owned(),
        }),
        e => LoginError::Io(e.into()),
    })?;
    let mut file = std::fs::File::from(fd);
    let too_large = || {
        LoginError::UsedList(InputError::TooLarge {
            what,
            path: path.to_owned(),
            cap: what.cap().unwrap_or(0),
        })
    };
    let cap = what.cap().unwrap_or(u64::MAX);
    let meta = file.metadata()?;
    if let Some(kind) = crate::input::kind_of(meta.file_type()) {
        return Err(InputError::NotAFile {
            what,
            path: path.to_owned(),
            kind,
        }
        .into());
    }
    // Everything from here to the fsync happens under the lock: no other check can read the
    // list between our scan and our append.
    file.lock()?;
    if file.metadata()?.len() > cap {
        return Err(too_large());
    }
    let mut reader = std::io::BufReader::new((&file).take(cap.saturating_add(1)));
    let mut line = Vec::with_capacity(usize::try_from(LINE_MAX).unwrap_or(128));
    let mut total: u64 = 0;
    let mut at_line_start = true;
    let mut ends_with_newline = true;
    loop {
        line.clear();
        let n = (&mut reader).take(LINE_MAX).read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        total = total.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        if total > cap {
            return Err(too_large());
        }
        if at_line_start && line.trim_ascii() == nonce.as_bytes() {
            return Err(LoginError::Replayed);
        }
        ends_with_newline = line.last() == Some(&b'\n');
        at_line_start = ends_with_newline;
    }
    // A last line cut short (a crash mid-append) is closed first, so ours stands alone.
    let record = if ends_with_newline {
        format!("{nonce}\n")
    } else {
        format!("\n{nonce}\n")
    };
    file.write_all(record.as_bytes())?;
    file.sync_all()?;
    Ok(())
}
