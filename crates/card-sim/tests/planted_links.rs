//! Attacks by another user of a shared directory, and a clumsy holder with links: a file,
//! symlink or directory planted at any name a writer of the card or of the authority could
//! choose never receives a byte, and a card file reached by a symlink or a second hard link is
//! still one card with one lock.

#[path = "support/fixtures.rs"]
mod fixtures;

use std::{
    fs,
    os::unix::fs::{MetadataExt, PermissionsExt, symlink},
    path::{Path, PathBuf},
};

use card_sim::{Error, SimCard, authority::Authority};
use fixtures::*;

/// Names in the temp-file form of `target` (`.NAME.<12 alphanumerics>.tmp`), `n` of them.
fn temp_like_names(target: &str, n: usize) -> Vec<String> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    (0..n)
        .map(|_| {
            let random: String = (0..12)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let alphabet =
                        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
                    char::from(alphabet[(state % 62) as usize])
                })
                .collect();
            format!(".{target}.{random}.tmp")
        })
        .collect()
}

/// Everything an attacker can plant beside `target` in `dir`: a symlink at the fixed temp and
/// lock names of earlier versions, and at `n` names of the current temp-file form, each to a
/// file of its own in `loot` that does not exist yet; directories at a few more.
fn plant(dir: &Path, target: &str, loot: &Path, n: usize) -> Vec<PathBuf> {
    let mut names = vec![format!(".{target}.tmp"), format!(".{target}.lock")];
    names.extend(temp_like_names(target, n));
    let mut planted = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let at = dir.join(name);
        if i % 10 == 9 {
            fs::create_dir(&at).unwrap();
        } else {
            symlink(loot.join(format!("{target}-{i}")), &at).unwrap();
        }
        planted.push(at);
    }
    planted
}

/// Owned by someone else when the test runs as root (as CI does).
fn give_away(path: &Path) {
    if rustix::process::geteuid().is_root() {
        std::os::unix::fs::lchown(path, Some(65534), Some(65534)).unwrap();
    }
}

fn assert_untouched(planted: &[PathBuf], loot: &Path) {
    let taken: Vec<_> = fs::read_dir(loot)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(taken.is_empty(), "bytes reached {taken:?}");
    for at in planted {
        let meta = at.symlink_metadata().unwrap();
        assert!(
            meta.file_type().is_symlink() || meta.is_dir(),
            "{} was replaced",
            at.display()
        );
    }
}

#[test]
fn planted_links_at_every_temp_name_never_receive_card_bytes() {
    let dir = temp_dir("planted-card");
    let loot = dir.join("loot");
    fs::create_dir(&loot).unwrap();
    let path = dir.join("card.jpki");
    drop(SimCard::create(&path, my_number_contents()).unwrap());
    let planted = plant(&dir, "card.jpki", &loot, 400);
    // and a world-writable file of someone else's at the old fixed temp name of another card
    let other = dir.join("other.jpki");
    drop(SimCard::create(&other, my_number_contents()).unwrap());
    let trap = dir.join(".other.jpki.tmp");
    fs::write(&trap, b"").unwrap();
    fs::set_permissions(&trap, fs::Permissions::from_mode(0o666)).unwrap();
    give_away(&trap);

    for card_path in [&path, &other] {
        let mut card = SimCard::open(card_path).unwrap();
        exchange(&mut card, SELECT_JPKI, "9000");
        exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
        // every save of the card: wrong and right tries, two PIN changes
        exchange(&mut card, "00 20 00 80 04 30 30 30 30", "63C2");
        exchange(
            &mut card,
            &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
            "9000",
        );
        exchange(
            &mut card,
            &format!("00 24 01 80 {}", lc_ascii("4321")),
            "9000",
        );
        exchange(
            &mut card,
            &format!("00 20 00 80 {}", lc_ascii("4321")),
            "9000",
        );
        exchange(
            &mut card,
            &format!("00 24 01 80 {}", lc_ascii(AUTH_PIN)),
            "9000",
        );
        exchange(&mut card, "00 20 00 80 04 30 30 30 30", "63C2");
        assert_eq!(auth_tries(&reopen(card)), 2);
        // the card file is a private regular file
        let meta = fs::symlink_metadata(card_path).unwrap();
        assert!(meta.is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    assert_untouched(&planted, &loot);
    if rustix::process::geteuid().is_root() {
        // someone else's file is neither written nor removed
        assert_eq!(fs::read(&trap).unwrap(), b"");
        assert_eq!(fs::metadata(&trap).unwrap().uid(), 65534);
    }
    // no temp file of ours is left
    let ours: Vec<_> = fs::read_dir(&*dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !planted.contains(p) && *p != trap && p.extension().is_some_and(|e| e == "tmp"))
        .collect();
    assert!(ours.is_empty(), "{ours:?}");
}

#[test]
fn planted_links_in_an_authority_directory_never_receive_keys() {
    let dir = temp_dir("planted-authority");
    let loot = dir.join("loot");
    fs::create_dir(&loot).unwrap();
    let authority_dir = dir.join("authority");
    fs::create_dir(&authority_dir).unwrap();
    let mut planted = Vec::new();
    for name in [
        "authority.txt",
        "sign-ca.pem",
        "sign-ca.key",
        "auth-ca.pem",
        "auth-ca.key",
        "sign.crl",
        "auth.crl",
        "admin.key",
        "admin.pub",
    ] {
        planted.extend(plant(&authority_dir, name, &loot, 40));
    }
    let now = time::macros::datetime!(2026-04-01 10:00 +09:00);
    let mut authority =
        Authority::create(&authority_dir, now, &mut cert::keys::seeded_rng(5)).unwrap();
    let holder = cert::fixtures::holder();
    let request = card_sim::authority::IssueRequest {
        profile: card_sim::CardProfile::MyNumber,
        holder,
        my_number: Some(card_sim::MyNumber::new(MY_NUMBER).unwrap()),
        auth_pin: Some(pin_policy::Pin::new(pin_policy::PinKind::Authentication, b"1234").unwrap()),
        sign_pin: Some(pin_policy::Pin::new(pin_policy::PinKind::Signature, b"ABC123").unwrap()),
        text_pin: Some(pin_policy::Pin::new(pin_policy::PinKind::TextSupport, b"5678").unwrap()),
        retry_limits: card_sim::authority::RetryLimits::default(),
        card_expiry: time::macros::date!(2036 - 04 - 01),
        issued_at: now,
    };
    let card = authority
        .issue_card(
            request,
            &dir.join("card.jpki"),
            &mut cert::keys::seeded_rng(6),
        )
        .unwrap();
    let certificate =
        cert::JpkiCertificate::from_der(card.certificate(card_sim::KeyRole::Signature).unwrap())
            .unwrap();
    authority
        .revoke(&certificate, cert::RevocationReason::KeyCompromise, now)
        .unwrap();
    drop(authority);
    let authority = Authority::open(&authority_dir).unwrap();
    assert!(authority.is_revoked(&certificate));
    assert_untouched(&planted, &loot);
    for file in ["sign-ca.key", "auth-ca.key", "admin.key"] {
        let meta = fs::symlink_metadata(authority_dir.join(file)).unwrap();
        assert!(meta.is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{file}");
    }
}

#[test]
fn a_card_is_locked_by_its_identity_not_by_its_name() {
    let dir = temp_dir("identity");
    let path = dir.join("card.jpki");
    drop(SimCard::create(&path, my_number_contents()).unwrap());
    let link = dir.join("link.jpki");
    symlink("card.jpki", &link).unwrap();
    let elsewhere = temp_dir("identity-elsewhere");
    let far_link = elsewhere.join("far.jpki");
    symlink(&path, &far_link).unwrap();

    // the card through its own name: every other way to it is in use
    let card = SimCard::open(&path).unwrap();
    for other in [&path, &link, &far_link] {
        let err = SimCard::open(other).unwrap_err();
        assert!(
            matches!(err, Error::InUse { .. }),
            "{}: {err}",
            other.display()
        );
    }
    // and the other way round, through a link; saves keep the link a link
    drop(card);
    let mut card = SimCard::open(&far_link).unwrap();
    assert!(matches!(SimCard::open(&path), Err(Error::InUse { .. })));
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    for sw in ["63C2", "63C1"] {
        exchange(&mut card, "00 20 00 80 04 30 30 30 30", sw);
        // after every save, still one card: the path's new file is locked too
        assert!(matches!(SimCard::open(&path), Err(Error::InUse { .. })));
        assert!(matches!(SimCard::open(&link), Err(Error::InUse { .. })));
    }
    drop(card);
    assert!(
        far_link
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert_eq!(auth_tries(&SimCard::open(&path).unwrap()), 1);

    // a second hard link is refused with the reason, and nothing is written
    let hard = dir.join("hard.jpki");
    fs::hard_link(&path, &hard).unwrap();
    let before = fs::read(&path).unwrap();
    for name in [&path, &hard, &link] {
        let err = SimCard::open(name).unwrap_err();
        assert!(matches!(err, Error::HardLinked { links: 2, .. }), "{err}");
        assert!(err.to_string().contains("hard links"), "{err}");
    }
    assert_eq!(fs::read(&path).unwrap(), before);
    fs::remove_file(&hard).unwrap();
    assert_eq!(auth_tries(&SimCard::open(&link).unwrap()), 1);

    // a new card never goes through a link, dangling or not
    let dangling = dir.join("dangling.jpki");
    symlink(dir.join("nowhere.jpki"), &dangling).unwrap();
    for at in [&link, &dangling] {
        let err = SimCard::create(at, my_number_contents()).unwrap_err();
        assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");
    }
    assert!(!dir.join("nowhere.jpki").exists());
    // a directory is not a card
    let err = SimCard::open(&*dir).unwrap_err();
    assert!(matches!(err, Error::NotARegularFile { .. }), "{err}");
}
