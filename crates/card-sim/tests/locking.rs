//! One card file, one simulator: a second simulator of a card would count PIN tries of its own
//! and write them over the first one's.
//! Whoever takes a lock also clears the temp files a writer killed mid-write left behind.

use test_support::cards;

use std::fs;

use card_sim::{Error, SimCard};
use cards::*;

#[test]
fn a_card_file_is_one_simulators_at_a_time() {
    let dir = temp_dir("lock-card");
    let path = dir.join("card.jpki");
    let mut card = SimCard::create(&path, my_number_contents()).unwrap();

    // issuing took the lock: a second simulator is refused, and it wrote nothing
    let before = fs::read(&path).unwrap();
    let err = SimCard::open(&path).unwrap_err();
    assert!(matches!(err, Error::InUse { .. }), "{err}");
    assert!(err.to_string().contains("in use"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);

    // the first one goes on counting; a snapshot sees its tries
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(&mut card, "00 20 00 80 04 30 30 30 30", "63C2");
    assert_eq!(auth_tries(&SimCard::open_snapshot(&path).unwrap()), 2);
    assert!(matches!(SimCard::open(&path), Err(Error::InUse { .. })));

    // a snapshot writes nothing, whatever is done to it
    let mut snapshot = SimCard::open_snapshot(&path).unwrap();
    assert_eq!(snapshot.path(), None);
    exchange(&mut snapshot, SELECT_JPKI, "9000");
    exchange(&mut snapshot, "00 A4 02 0C 02 00 18", "9000");
    exchange(&mut snapshot, "00 20 00 80 04 30 30 30 30", "63C1");
    assert_eq!(auth_tries(&SimCard::open_snapshot(&path).unwrap()), 2);

    // taken out of the reader, the card opens elsewhere with the tries it had
    drop(card);
    let mut card = SimCard::open(&path).unwrap();
    assert_eq!(auth_tries(&card), 2);
    assert!(matches!(SimCard::open(&path), Err(Error::InUse { .. })));
    // and a new card never goes to a path in use
    assert!(matches!(
        SimCard::create(&path, my_number_contents()),
        Err(Error::AlreadyExists { .. })
    ));
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    assert_eq!(auth_tries(&reopen(card)), 3);
}

#[test]
fn taking_the_lock_removes_the_temp_file_a_killed_writer_left() {
    let dir = temp_dir("lock-temp");
    let path = dir.join("card.jpki");
    drop(SimCard::create(&path, my_number_contents()).unwrap());
    let card_file = fs::read(&path).unwrap();

    // what a writer killed between its write and its rename leaves: the whole new card state,
    // under a random temp name (and the fixed one of earlier versions)
    let temps = [
        dir.join(".card.jpki.Zq81mWc4TnLs.tmp"),
        dir.join(".card.jpki.tmp"),
    ];
    for temp in &temps {
        fs::write(temp, &card_file).unwrap();
    }
    // not ours: another card's, and a name that only looks alike
    let others = [
        dir.join(".card.jpki.x.tmp"),
        dir.join(".other.jpki.Zq81mWc4TnLs.tmp"),
    ];
    for other in &others {
        fs::write(other, b"not this card's").unwrap();
    }
    // a snapshot is no writer: it leaves them
    drop(SimCard::open_snapshot(&path).unwrap());
    assert!(temps.iter().all(|t| t.exists()));
    let card = SimCard::open(&path).unwrap();
    for temp in &temps {
        assert!(
            !temp.exists(),
            "the stale temp file {} stays",
            temp.display()
        );
    }
    assert!(others.iter().all(|t| t.exists()));
    assert_eq!(fs::read(&path).unwrap(), card_file);
    assert_eq!(auth_tries(&card), 3);
    drop(card);

    // the same for a new card issued into a path whose last issue was killed
    let new_path = dir.join("new.jpki");
    let new_temp = dir.join(".new.jpki.AAAABBBBCCCC.tmp");
    fs::write(&new_temp, &card_file).unwrap();
    let new = SimCard::create(&new_path, my_number_contents()).unwrap();
    assert!(!new_temp.exists());
    drop(new);

    // a creator killed between linking its temp file into place and removing the temp name
    // leaves the card with two links, one of them a temp name: the next opener clears it
    let linked_temp = dir.join(".card.jpki.KiLLedCreat0.tmp");
    fs::hard_link(&path, &linked_temp).unwrap();
    let card = SimCard::open(&path).unwrap();
    assert!(!linked_temp.exists());
    drop(card);

    // the lock is the card file's own: no lock file is made beside it
    assert!(!dir.join(".card.jpki.lock").exists());
    assert!(!dir.join(".new.jpki.lock").exists());
}
