//! The `jpki-sim` binary and the whole card: unlocking every key reference, inspecting the
//! 券面 and 共通 applications, the security code `issue` prints (card-map §4–§7, §9).

use test_support::cards;
#[path = "support/sim.rs"]
mod sim;
use sim::{fails, ok, s};

use std::path::{Path, PathBuf};

use card_sim::{PinRef, SimCard};
use cards::{exchange, lc_ascii, temp_dir};

/// SELECT 券面事項入力補助AP (card-map §4).
const SELECT_TEXT: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";
/// SELECT 券面事項確認AP (card-map §5).
const SELECT_VISUAL: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02";
/// SELECT 共通カードAP (card-map §6).
const SELECT_COMMON: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 01 00";
/// SELECT 住基AP (card-map §7).
const SELECT_JUKI: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 01";
/// The My Number `sim::issue_my_number` writes.
const MY_NUMBER: &str = "123456789018";
/// HOLDER's birth date 1990-01-01 as Japanese era `YYMMDD`: 平成2年1月1日 (card-map §5).
const BIRTH_ERA: &str = "020101";

/// `authority init` + `issue` of a My Number card (PINs 1234, ABC123, 5678); returns the
/// authority, the card and what `issue` printed.
fn issue(dir: &Path) -> (PathBuf, PathBuf, String) {
    sim::issue_my_number(dir)
}

/// Where each key reference lives: the SELECT of its AP, its EF, a wrong value of its format.
fn place(pin: PinRef) -> (&'static str, &'static str, &'static str) {
    match pin {
        PinRef::TextSupport => (SELECT_TEXT, "00 11", "9999"),
        PinRef::TextSupportA => (SELECT_TEXT, "00 14", "111111111111"),
        PinRef::TextSupportB => (SELECT_TEXT, "00 15", "11111111111111"),
        PinRef::VisualBirthDate => (SELECT_VISUAL, "00 11", "111111"),
        PinRef::VisualB => (SELECT_VISUAL, "00 12", "11111111111111"),
        PinRef::VisualA => (SELECT_VISUAL, "00 13", "111111111111"),
        PinRef::Common => (SELECT_COMMON, "00 1C", "9999"),
        PinRef::Juki => (SELECT_JUKI, "00 1C", "9999"),
        other => panic!("not placed here: {other:?}"),
    }
}

/// Blocks a key reference with wrong VERIFYs over APDUs (`63Cx` down to `63C0`, then
/// `6984`: card-map §1).
fn block(card: &Path, pin: PinRef) {
    let limit = SimCard::open_snapshot(card)
        .unwrap()
        .pin_counter(pin)
        .unwrap()
        .limit();
    let (select, ef, wrong) = place(pin);
    let mut sim = SimCard::open(card).unwrap();
    exchange(&mut sim, select, "9000");
    exchange(&mut sim, &format!("00 A4 02 0C 02 {ef}"), "9000");
    for left in (0..limit).rev() {
        exchange(
            &mut sim,
            &format!("00 20 00 80 {}", lc_ascii(wrong)),
            &format!("63C{left:X}"),
        );
    }
    exchange(
        &mut sim,
        &format!("00 20 00 80 {}", lc_ascii(wrong)),
        "6984",
    );
}

fn tries(card: &Path, pin: PinRef) -> (u8, u8) {
    let c = SimCard::open_snapshot(card)
        .unwrap()
        .pin_counter(pin)
        .unwrap();
    (c.tries_left(), c.limit())
}

/// VERIFY `value` on a key reference of a fresh session of the card file; returns the SW.
fn verify(card: &Path, pin: PinRef, value: &str, sw: &str) {
    let (select, ef, _) = place(pin);
    let mut sim = SimCard::open(card).unwrap();
    exchange(&mut sim, select, "9000");
    exchange(&mut sim, &format!("00 A4 02 0C 02 {ef}"), "9000");
    exchange(&mut sim, &format!("00 20 00 80 {}", lc_ascii(value)), sw);
}

fn security_code(issued: &str) -> String {
    let code = issued
        .lines()
        .find_map(|l| l.strip_prefix("security code printed on the card face: "))
        .unwrap_or_else(|| panic!("no security code in {issued}"));
    assert_eq!(code.len(), 4, "{code}");
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    code.to_owned()
}

/// 照合番号B: era birth `YYMMDD` + card expiry year + security code (card-map §5).
fn number_b(card: &Path, code: &str) -> String {
    let expiry = SimCard::open_snapshot(card)
        .unwrap()
        .administration()
        .unwrap()
        .card_expiry;
    format!("{BIRTH_ERA}{}{code}", expiry.year())
}

#[test]
fn admin_unlock_releases_every_key_reference() {
    let dir = temp_dir("sim-unlock-all");
    let (authority, card, issued) = issue(&dir);
    let code = security_code(&issued);
    let target = ["--authority", s(&authority), "--card", s(&card)];
    let unlock = |pin: &'static str, extra: &[&'static str], stdin: &str| {
        let mut args = vec!["admin", "unlock", "--pin", pin];
        args.extend(target);
        args.extend(extra.iter().copied());
        (args, stdin.to_owned())
    };

    // keys of facts: the counter comes back, the value stays; a new value is refused
    for (arg, pin, right) in [
        ("text-a", PinRef::TextSupportA, MY_NUMBER.to_owned()),
        ("text-b", PinRef::TextSupportB, number_b(&card, &code)),
        ("birth-date", PinRef::VisualBirthDate, BIRTH_ERA.to_owned()),
        ("visual-b", PinRef::VisualB, number_b(&card, &code)),
        ("visual-a", PinRef::VisualA, MY_NUMBER.to_owned()),
    ] {
        block(&card, pin);
        assert_eq!(tries(&card, pin), (0, 10), "{arg}");
        let (args, stdin) = unlock(arg, &["--new-pin", "--pin-stdin"], "123456789012\n");
        let err = fails(&args, &stdin, 6);
        assert!(err.contains("drop --new-pin"), "{err}");
        assert_eq!(tries(&card, pin), (0, 10), "refused: nothing changed");
        let (args, stdin) = unlock(arg, &[], "");
        let out = ok(&args, &stdin);
        assert!(out.contains("unlocked (10 of 10 tries, was 0)"), "{out}");
        assert_eq!(tries(&card, pin), (10, 10), "{arg}");
        verify(&card, pin, &right, "9000");
    }

    // PINs: reset, or a new value read from stdin (never argv)
    for (arg, pin, old, new) in [
        ("text", PinRef::TextSupport, "5678", "2468"),
        ("common", PinRef::Common, "1234", "9753"),
        ("juki", PinRef::Juki, "1234", "8642"),
        ("resident", PinRef::Common, "9753", "1357"),
    ] {
        block(&card, pin);
        let (args, stdin) = unlock(arg, &[], "");
        let out = ok(&args, &stdin);
        assert!(out.contains("PIN unlocked (3 of 3 tries, was 0)"), "{out}");
        assert_eq!(tries(&card, pin), (3, 3), "{arg}");
        verify(&card, pin, old, "9000");

        block(&card, pin);
        let (args, _) = unlock(arg, &["--new-pin", "--pin-stdin"], "");
        fails(&args, "12345\n", 6); // 4 digits only
        assert_eq!(tries(&card, pin), (0, 3), "refused: nothing changed");
        let out = ok(&args, &format!("{new}\n"));
        assert!(out.contains("new PIN set"), "{out}");
        assert!(!out.contains(new), "the PIN is not echoed");
        assert_eq!(tries(&card, pin), (3, 3), "{arg}");
        verify(&card, pin, old, "63C2");
        verify(&card, pin, new, "9000");
    }
    // the two 001C are two counters: unlocking one leaves the other
    block(&card, PinRef::Juki);
    let (args, stdin) = unlock("common", &[], "");
    ok(&args, &stdin);
    assert_eq!(tries(&card, PinRef::Juki), (0, 3));

    // 0012 is blocked as issued: refused before anything is sent
    let before = std::fs::read(&card).unwrap();
    let (args, stdin) = unlock("text-blocked", &[], "");
    let err = fails(&args, &stdin, 6);
    assert!(err.contains("0012 is blocked as issued"), "{err}");
    assert_eq!(std::fs::read(&card).unwrap(), before);
    assert_eq!(tries(&card, PinRef::TextSupportBlocked), (0, 3));
}

#[test]
fn inspect_shows_the_new_applications_without_personal_data() {
    let dir = temp_dir("sim-inspect-all");
    let (_, card, issued) = issue(&dir);
    let code = security_code(&issued);
    block(&card, PinRef::VisualB);
    let out = ok(&["inspect", "--card", s(&card)], "");
    for expected in [
        "text-support 照合番号A key: 10 of 10 tries left",
        "text-support 照合番号B key: 10 of 10 tries left",
        "text-support 0012 key: 0 of 3 tries left (blocked as issued",
        "visual birth-date key: 10 of 10 tries left",
        "visual 照合番号B key: 0 of 10 tries left (BLOCKED",
        "visual 照合番号A key: 10 of 10 tries left",
        "common 001C PIN: 3 of 3 tries left",
        "juki 001C PIN: 3 of 3 tries left",
        "visual AP (券面事項確認AP): present",
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }
    // the 共通AP record as a terminal reads it: `01 1C` + serial, municipality, expiry
    let mut sim = SimCard::open_snapshot(&card).unwrap();
    exchange(&mut sim, SELECT_COMMON, "9000");
    let record = exchange(&mut sim, "00 B2 01 0C 00", "9000");
    let digits = std::str::from_utf8(&record[2..]).unwrap();
    let (serial, municipality, expiry) = (&digits[..15], &digits[15..20], &digits[20..]);
    let expiry = format!("{}-{}-{}", &expiry[..4], &expiry[4..6], &expiry[6..]);
    assert!(
        out.contains(&format!(
            "common AP (共通カードAP): serial {serial}, municipality {municipality}, expiry {expiry}"
        )),
        "{out}"
    );
    let b = number_b(&card, &code);
    let json = ok(&["inspect", "--card", s(&card), "--json"], "");
    for text in [&out, &json] {
        for secret in [MY_NUMBER, b.as_str()] {
            assert!(!text.contains(secret), "{secret} in\n{text}");
        }
        assert!(!text.to_lowercase().contains("security code"), "{text}");
    }
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["pins"]["visual_b"]["tries_left"], 0);
    assert_eq!(v["pins"]["visual_b"]["blocked"], true);
    assert_eq!(v["pins"]["text_support_a"]["limit"], 10);
    assert_eq!(v["pins"]["juki"]["limit"], 3);
    assert_eq!(v["visual"], true);
    assert_eq!(v["text_support_records"], true);
    assert_eq!(v["common"]["serial"], serial);
    assert_eq!(v["common"]["municipality"], municipality);
    assert_eq!(v["common"]["expiry"], expiry.as_str());

    // a Juki card issued by the CLI has none of them
    let juki = dir.join("juki");
    let authority = dir.join("authority");
    let issued = sim::issue_juki(&authority, &juki);
    assert!(!issued.contains("security code"), "{issued}");
    let out = ok(&["inspect", "--card", s(&juki)], "");
    assert!(out.contains("common AP (共通カードAP): none"), "{out}");
    assert!(!out.contains("照合番号"), "{out}");
    assert!(!out.contains("visual AP"), "{out}");
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["inspect", "--card", s(&juki), "--json"], "")).unwrap();
    assert_eq!(v["common"], serde_json::Value::Null);
    assert_eq!(v["pins"]["common"], serde_json::Value::Null);
    assert_eq!(v["visual"], false);
}

#[test]
fn issue_prints_the_security_code_that_makes_number_b() {
    let dir = temp_dir("sim-security-code");
    let (_, card, issued) = issue(&dir);
    let code = security_code(&issued);
    let b = number_b(&card, &code);
    assert_eq!(b.len(), 14);
    // 照合番号B on 確認AP `0012` (card-map §5): a wrong code counts, the printed one opens
    let wrong_code = format!("{:04}", (code.parse::<u16>().unwrap() + 1) % 10_000);
    verify(
        &card,
        PinRef::VisualB,
        &number_b(&card, &wrong_code),
        "63C9",
    );
    verify(&card, PinRef::VisualB, &b, "9000");
    assert_eq!(tries(&card, PinRef::VisualB), (10, 10));
    // and reads the card face `0002` in the same session
    let mut sim = SimCard::open(&card).unwrap();
    exchange(&mut sim, SELECT_VISUAL, "9000");
    exchange(&mut sim, "00 A4 02 0C 02 00 12", "9000");
    exchange(&mut sim, &format!("00 20 00 80 {}", lc_ascii(&b)), "9000");
    exchange(&mut sim, "00 A4 02 0C 02 00 02", "9000");
    let face = exchange(&mut sim, "00 B0 00 00 03", "9000");
    assert_eq!(face, [0xFF, 0x20, 0x82], "card-map §5: FF 20 82 LL LL");
}
