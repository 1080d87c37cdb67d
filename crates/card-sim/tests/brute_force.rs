//! Brute force: a client tries every 4-digit PIN (0000–9999, one pass, bounded) against the
//! authentication PIN of a card backed by a file, with resets, re-selects, power cycles and
//! reopenings of the card file interleaved, plus the shortcuts an attacker would try (CHANGE
//! REFERENCE DATA and RESET RETRY COUNTER without authority). It gets exactly the retry limit
//! of wrong tries; the answers never depend on the PIN tried (no oracle), the right PIN is
//! refused once blocked, and the counter on disk never goes back up.

use test_support::cards;

use card_sim::{PinRef, SimCard};
use cards::*;
use pin_policy::PinKind;

/// Late in the search order, so the card is blocked long before the attacker reaches it.
const SECRET: &str = "7391";
const LIMIT: u8 = 3;
const SELECT_AUTH_PIN: &str = "00 A4 02 0C 02 00 18";

fn card_with_secret(path: &std::path::Path) -> SimCard {
    let mut contents = my_number_contents();
    contents.authentication = Some(key_contents(1, 3, PinKind::Authentication, SECRET, LIMIT));
    SimCard::create(path, contents).unwrap()
}

fn sw(rapdu: &[u8]) -> u16 {
    assert_eq!(rapdu.len(), 2, "a PIN command answers a bare status word");
    u16::from_be_bytes([rapdu[0], rapdu[1]])
}

fn tries_on_disk(path: &std::path::Path) -> u8 {
    SimCard::open_snapshot(path)
        .unwrap()
        .pin_counter(PinRef::Authentication)
        .unwrap()
        .tries_left()
}

#[derive(Debug, Default)]
struct Tally {
    /// `63 Cx`: a wrong try counted.
    counted: u32,
    /// `69 84`: refused, PIN blocked.
    blocked: u32,
    /// `90 00`.
    accepted: u32,
    /// CHANGE REFERENCE DATA / RESET RETRY COUNTER shortcuts refused with `69 82`.
    shortcuts_refused: u32,
    resets: u32,
    power_cycles: u32,
    reselects: u32,
    reopens: u32,
}

#[test]
fn every_four_digit_pin_gets_only_the_retry_limit() {
    let dir = temp_dir("brute-force");
    let path = dir.join("card.jpki");
    let mut card = card_with_secret(&path);
    let mut tally = Tally::default();
    let mut need_app = true;
    let mut need_ef = true;
    let mut disk_before = tries_on_disk(&path);
    assert_eq!(disk_before, LIMIT);

    // One pass over the whole 4-digit space: the loop is bounded by construction.
    for candidate in 0..10_000u32 {
        let pin = format!("{candidate:04}");
        match candidate % 97 {
            // reopen the card from its file (a new process would do the same)
            0 | 31 | 62 => {
                drop(card);
                card = SimCard::open(&path).unwrap();
                tally.reopens += 1;
                (need_app, need_ef) = (true, true);
            }
            5 | 40 | 77 => {
                card.power_off();
                card.power_on();
                tally.power_cycles += 1;
                (need_app, need_ef) = (true, true);
            }
            11 | 50 | 88 => {
                card.reset();
                tally.resets += 1;
                (need_app, need_ef) = (true, true);
            }
            17 | 23 | 69 => {
                need_app = true;
                need_ef = true;
                tally.reselects += 1;
            }
            _ => {}
        }
        if need_app {
            exchange(&mut card, SELECT_JPKI, "9000");
            need_app = false;
            need_ef = true;
        }
        if need_ef {
            exchange(&mut card, SELECT_AUTH_PIN, "9000");
            need_ef = false;
        }
        // Shortcuts: set a PIN of our own, or unlock, without the current PIN or authority.
        if candidate % 250 == 0 {
            exchange(
                &mut card,
                &format!("00 24 01 80 {}", lc_ascii("0000")),
                "6982",
            );
            exchange(
                &mut card,
                &format!("00 2C 02 80 {}", lc_ascii("0000")),
                "6982",
            );
            exchange(&mut card, "00 2C 03 80", "6982");
            tally.shortcuts_refused += 3;
        }

        let tries_before = card
            .pin_counter(PinRef::Authentication)
            .unwrap()
            .tries_left();
        let answer = card.process(&hx(&format!("00 20 00 80 {}", lc_ascii(&pin))));
        let tries_after = card
            .pin_counter(PinRef::Authentication)
            .unwrap()
            .tries_left();
        match sw(&answer) {
            0x9000 => tally.accepted += 1,
            0x6984 => {
                assert_eq!(tries_before, 0, "{pin}: 6984 before the PIN was blocked");
                tally.blocked += 1;
            }
            s @ 0x63C0..=0x63CF => {
                let left = u8::try_from(s & 0x0F).unwrap();
                // the answer depends only on the counter, never on which wrong PIN was tried
                assert_eq!(left + 1, tries_before, "{pin}: answered {s:04X}");
                assert_eq!(left, tries_after);
                tally.counted += 1;
            }
            other => panic!("{pin}: unexpected answer {other:04X}"),
        }
        assert!(tries_after <= tries_before, "{pin}: tries went up");
        if pin == SECRET {
            assert_eq!(
                sw(&answer),
                0x6984,
                "the right PIN must be refused once blocked"
            );
        }
        // The status query tells nothing but the tries left.
        let query = card.process(&hx("00 20 00 80"));
        assert_eq!(sw(&query), 0x63C0 | u16::from(tries_after));

        if candidate % 500 == 0 {
            let on_disk = tries_on_disk(&path);
            assert!(on_disk <= disk_before, "counter on disk went back up");
            assert_eq!(on_disk, tries_after, "the file lags behind the card");
            disk_before = on_disk;
        }
    }

    eprintln!("brute force: {tally:?}");
    assert_eq!(tally.accepted, 0, "a PIN was accepted");
    assert_eq!(tally.counted, u32::from(LIMIT), "wrong tries counted");
    assert_eq!(tally.blocked, 10_000 - u32::from(LIMIT), "attempts refused");
    assert!(tally.reopens > 0 && tally.power_cycles > 0 && tally.resets > 0);

    // After everything: the file holds a blocked PIN, and the right PIN stays refused in a
    // fresh session of a freshly opened card.
    assert_eq!(tries_on_disk(&path), 0);
    drop(card);
    let mut card = SimCard::open(&path).unwrap();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, SELECT_AUTH_PIN, "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SECRET)),
        "6984",
    );
    exchange(&mut card, "00 20 00 80", "63C0");
    // and the key stays unusable
    exchange(&mut card, "00 A4 02 0C 02 00 17", "9000");
    exchange(
        &mut card,
        "80 2A 00 80 20 0000000000000000000000000000000000000000000000000000000000000000 00",
        "6982",
    );
}

/// The attacker who already knows the PIN's position is no better off: interleaving the right
/// PIN after wrong tries restores the counter only through a correct VERIFY, and blocking
/// happens at exactly the limit however the tries are spread over sessions.
#[test]
fn wrong_tries_spread_over_power_cycles_and_reopens_still_block_at_the_limit() {
    let dir = temp_dir("brute-force-spread");
    let path = dir.join("card.jpki");
    drop(card_with_secret(&path));
    for attempt in 0..u32::from(LIMIT) {
        // a new "process" per try: open, power on, select, one wrong try, power off
        let mut card = SimCard::open(&path).unwrap();
        card.power_on();
        exchange(&mut card, SELECT_JPKI, "9000");
        exchange(&mut card, SELECT_AUTH_PIN, "9000");
        let left = LIMIT - 1 - u8::try_from(attempt).unwrap();
        exchange(
            &mut card,
            &format!("00 20 00 80 {}", lc_ascii("0000")),
            &format!("63C{left:X}"),
        );
        card.power_off();
    }
    let mut card = SimCard::open(&path).unwrap();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, SELECT_AUTH_PIN, "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SECRET)),
        "6984",
    );
}
