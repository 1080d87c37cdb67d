//! `SimCard::from_bytes`: a card file held in memory loads exactly as `open` loads it from
//! disk, with the same checks, and is never written anywhere.

use test_support::cards;

use card_sim::{Corruption, Error, PinRef, SimCard};
use cards::*;

#[test]
fn bytes_of_a_card_file_load_as_the_file_does() {
    let dir = temp_dir("from-bytes");
    let path = dir.join("card.jpki");
    let mut on_disk = SimCard::create(&path, my_number_contents()).unwrap();
    // spend a try, so that the counter is not the default one
    exchange(&mut on_disk, SELECT_JPKI, "9000");
    exchange(&mut on_disk, "00 A4 02 0C 02 00 1B", "9000");
    exchange(
        &mut on_disk,
        &format!("00 20 00 80 {}", lc_ascii("XXX999")),
        "63C4",
    );
    let bytes = std::fs::read(&path).unwrap();

    let mut card = SimCard::from_bytes(&bytes).unwrap();
    assert_eq!(card.path(), None, "an in-memory card has no file");
    assert_eq!(card.pin_counter(PinRef::Signature).unwrap().tries_left(), 4);
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii("XXX999")),
        "63C3",
    );
    // nothing was written back
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert_eq!(
        SimCard::open_snapshot(&path)
            .unwrap()
            .pin_counter(PinRef::Signature)
            .unwrap()
            .tries_left(),
        4
    );
}

#[test]
fn bad_bytes_are_refused_with_the_file_errors() {
    let dir = temp_dir("from-bytes-bad");
    let path = dir.join("card.jpki");
    drop(SimCard::create(&path, my_number_contents()).unwrap());
    let bytes = std::fs::read(&path).unwrap();

    assert!(matches!(
        SimCard::from_bytes(b"not a card"),
        Err(Error::NotACardFile { .. })
    ));
    let mut version = bytes.clone();
    version[9] = 9;
    assert!(matches!(
        SimCard::from_bytes(&version),
        Err(Error::UnsupportedVersion { version: 9, .. })
    ));
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 1;
    assert!(matches!(
        SimCard::from_bytes(&flipped),
        Err(Error::Corrupt {
            problem: Corruption::ChecksumMismatch,
            ..
        })
    ));
    assert!(matches!(
        SimCard::from_bytes(&bytes[..12]),
        Err(Error::Corrupt { .. })
    ));
    let huge = vec![0u8; (1 << 20) + 1];
    assert!(matches!(
        SimCard::from_bytes(&huge),
        Err(Error::FileTooLarge { .. })
    ));
}

/// The committed seeds of the `card_file` fuzz target: two whole card files that load, and a
/// card body (no header) that does not.
#[test]
fn card_file_fuzz_seeds_load_as_expected() {
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/card_file");
    for (name, loads) in [
        ("seed-my-number-card", true),
        ("seed-juki-card", true),
        ("seed-my-number-body", false),
    ] {
        let bytes = std::fs::read(seeds.join(name)).unwrap();
        assert_eq!(SimCard::from_bytes(&bytes).is_ok(), loads, "{name}");
    }
}
