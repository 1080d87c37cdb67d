//! Attacks by another user of a shared directory, and a clumsy holder with links: a file,
//! symlink or directory planted at any name a writer of the card or of the authority could
//! choose never receives a byte, and a card file reached by a symlink or a second hard link is
//! still one card with one lock.

use test_support::cards;
use test_support::planting;

use std::{
    fs,
    os::unix::fs::{MetadataExt, PermissionsExt, symlink},
};

use card_sim::{Error, SimCard};
use cards::*;
use planting::*;

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
