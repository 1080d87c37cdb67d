//! One authority directory, one opener: a second opener would hand out the same serials and
//! write back its own revocation list. Whoever takes the lock also clears the temp files a
//! writer killed mid-write left behind.

use test_support::cards;

use std::fs;

use cards::*;
use issuer::{Authority, Error};

#[test]
fn an_authority_is_one_openers_at_a_time() {
    let dir = temp_dir("lock-authority");
    let authority_dir = dir.join("authority");
    let now = time::macros::datetime!(2026-04-01 10:00 +09:00);
    let authority =
        Authority::create(&authority_dir, now, &mut test_support::keys::seeded_rng(5)).unwrap();
    let state = fs::read(authority_dir.join("authority.txt")).unwrap();
    let err = Authority::open(&authority_dir).unwrap_err();
    assert!(matches!(err, Error::AuthorityInUse { .. }), "{err}");
    assert!(matches!(
        Authority::create(&authority_dir, now, &mut test_support::keys::seeded_rng(6)),
        Err(Error::AlreadyExists { .. })
    ));
    assert_eq!(
        fs::read(authority_dir.join("authority.txt")).unwrap(),
        state
    );
    drop(authority);

    // temp files that a process killed mid-write left (a CA key among them) go when the
    // authority is next opened; files that are not the authority's stay
    let temps = [
        ".sign-ca.key.tmp",
        ".authority.txt.tmp",
        "crl/.auth-arl.crl.tmp",
        "crl/.sign-arl.crl.0123456789ab.tmp",
        ".auth-ca.key.0123456789ab.tmp",
        ".admin.key.ZYXWVUTSRQPO.tmp",
    ];
    for name in temps {
        fs::write(authority_dir.join(name), b"left by a killed writer").unwrap();
    }
    fs::write(authority_dir.join(".notes.tmp"), b"not ours").unwrap();
    let authority = Authority::open(&authority_dir).unwrap();
    for name in temps {
        assert!(!authority_dir.join(name).exists(), "{name} stays");
    }
    assert!(authority_dir.join(".notes.tmp").exists());
    drop(authority);
    Authority::open(&authority_dir).unwrap();
    // the lock is the directory's own: no lock file in it
    assert!(!authority_dir.join(".authority.txt.lock").exists());
    // and through a symlink to the directory it is the same lock
    let authority = Authority::open(&authority_dir).unwrap();
    let link = dir.join("authority-link");
    std::os::unix::fs::symlink(&authority_dir, &link).unwrap();
    let err = Authority::open(&link).unwrap_err();
    assert!(matches!(err, Error::AuthorityInUse { .. }), "{err}");
    drop(authority);
    Authority::open(&link).unwrap();
}
