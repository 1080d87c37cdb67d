//! The whole card end to end (card-map §2–§7): `pin status` over every key reference, `text
//! basic-info`, `face show` and `face verify`.
//!
//! These need a card that serves the 券面事項確認AP, 共通カードAP and 住基AP with the
//! issuer's signed records: they cannot pass until the card and issuer work for issue #16 is
//! merged (the coordinator makes them pass). Until then the 照合番号 values are the ones
//! card-map gives: A = the sample My Number, B = card-map §5's example; once test-support
//! exposes the sample card's 照合番号B, [`number_b`] reads it from there.

use std::path::Path;

use test_support::sample;

use crate::ok;
use crate::target::{Target, path_str};

/// The JP2 signature box (card-map §9).
const JP2: [u8; 12] = [
    0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
];
const PNG: [u8; 8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

/// 照合番号A: the My Number.
fn number_a() -> String {
    format!("{}\n", sample::MY_NUMBER)
}

/// `NAME: N tries left` in `text`, as N.
fn tries(text: &str, name: &str) -> Option<u8> {
    let line = text.lines().find(|l| l.starts_with(&format!("{name}:")))?;
    line.split_once(": ")?
        .1
        .strip_suffix(" tries left")?
        .parse()
        .ok()
}

#[test]
fn pin_status_lists_every_key_reference_of_the_card() {
    let t = Target::new("whole-pin-status");
    let out = ok(&t.tool(&["pin", "status"], ""));
    // card-map §3–§7; the 照合番号 and birth-date limits are 10 (card-map §9, our choice)
    let expected = [
        ("authentication PIN", 3),
        ("signature PIN", 5),
        ("text-support PIN", 3),
        ("text-support 照合番号A", 10),
        ("text-support 照合番号B", 10),
        ("card-face birth-date key", 10),
        ("card-face 照合番号B", 10),
        ("card-face 照合番号A", 10),
        ("common-card PIN", 3),
        ("resident-registry PIN", 3),
    ];
    for (name, max) in expected {
        let n = tries(&out, name).unwrap_or_else(|| panic!("no {name} tries in {out}"));
        if t.is_fixture_card() {
            assert_eq!(n, max, "{name}: {out}");
        } else {
            assert!((1..=max).contains(&n), "{name}: {out}");
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&ok(&t.tool(&["pin", "status", "--json"], ""))).unwrap();
    for key in [
        "auth",
        "sign",
        "text_support",
        "text_support_number_a",
        "text_support_number_b",
        "face_birth_date",
        "face_number_b",
        "face_number_a",
        "common",
        "juki",
    ] {
        assert_eq!(json[key]["present"], true, "{key}: {json}");
    }
    // spends nothing: the same again
    assert_eq!(ok(&t.tool(&["pin", "status"], "")), out);
}

#[test]
fn basic_info_shows_one_serial_municipality_and_expiry_everywhere() {
    let t = Target::new("whole-basic-info");
    let out = ok(&t.tool(&["text", "basic-info"], ""));
    assert!(!out.contains("not on this card"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&t.tool(&["text", "basic-info", "--json"], ""))).unwrap();
    let serial = json["common"]["serial"].as_str().unwrap();
    assert!(
        serial.len() == 15 && serial.bytes().all(|b| b.is_ascii_digit()),
        "{json}"
    );
    let municipality = &json["common"]["municipality"];
    assert_eq!(municipality.as_str().map(str::len), Some(5), "{json}");
    // one issuance value shared by MF 00F0/00F2, the common record and 確認AP DF34 (card-map §9)
    assert_eq!(&json["mf"]["municipality"], municipality, "{json}");
    assert_eq!(&json["face_check"]["municipality"], municipality, "{json}");
    assert_eq!(json["mf"]["expiry"], json["common"]["expiry"], "{json}");
    assert_eq!(json["text_support"]["profile"], "01030E01", "{json}");
    assert_eq!(json["face_check"]["profile"], "06030E01", "{json}");
    assert!(
        out.contains(&format!("card serial:                {serial}\n")),
        "{out}"
    );
}

fn starts_with(path: &Path, magic: &[u8]) -> bool {
    std::fs::read(path).unwrap().starts_with(magic)
}

#[test]
fn face_show_with_a_writes_the_photo_the_images_and_the_my_number_image() {
    let t = Target::new("whole-face-a");
    let dir = t.dir.path("face");
    let out = ok(&t.tool(&["face", "show", "--out-dir", &path_str(&dir)], &number_a()));
    assert!(out.contains("照合番号:        照合番号A (right)"), "{out}");
    assert!(out.contains("card face:       signature verified"), "{out}");
    assert!(out.contains("not checked (no --face-ca given)"), "{out}");
    if t.is_fixture_card() {
        assert!(out.contains("birth date:      "), "{out}");
        assert!(out.contains("expiry:          "), "{out}");
    }
    assert!(starts_with(&dir.join("face.jp2"), &JP2));
    for png in [
        "name.png",
        "address.png",
        "security-code.png",
        "my-number.png",
    ] {
        assert!(starts_with(&dir.join(png), &PNG), "{png}");
    }
    // files are never replaced: a second run refuses and leaves them
    let before = std::fs::read(dir.join("face.jp2")).unwrap();
    let again = t.tool(&["face", "show", "--out-dir", &path_str(&dir)], &number_a());
    assert_eq!(again.status.code(), Some(6), "{again:?}");
    assert_eq!(std::fs::read(dir.join("face.jp2")).unwrap(), before);
}

#[test]
fn face_show_with_b_has_no_my_number_image_and_json_says_what_it_checked() {
    let t = Target::new("whole-face-b");
    let dir = t.dir.path("face");
    let out = ok(&t.tool(
        &["face", "show", "--out-dir", &path_str(&dir), "--json"],
        &t.number_b_line(),
    ));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["number"], "B");
    assert_eq!(json["card_face_signature"], "verified");
    assert_eq!(
        json["cv_certificate"]["signature"],
        "not checked (no --face-ca given)"
    );
    assert_eq!(json["files"].as_array().unwrap().len(), 4, "{json}");
    assert!(!dir.join("my-number.png").exists());
    assert!(starts_with(&dir.join("face.jp2"), &JP2));
}

#[test]
fn face_show_never_follows_a_planted_link() {
    let t = Target::new("whole-face-link");
    let dir = t.dir.path("face");
    std::fs::create_dir(&dir).unwrap();
    let victim = t.dir.path("victim");
    std::fs::write(&victim, b"keep me").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("name.png")).unwrap();
    let out = t.tool(&["face", "show", "--out-dir", &path_str(&dir)], &number_a());
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");
    assert!(
        !dir.join("face.jp2").exists(),
        "nothing is written on a clash"
    );
}

#[test]
fn face_show_with_the_wrong_ca_key_fails_verification() {
    let t = Target::new("whole-face-wrong-ca");
    let key = test_support::keys::generate_seeded_key(4242).unwrap();
    let pem = {
        use rsa::pkcs8::{EncodePublicKey, LineEnding};
        key.to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap()
    };
    let ca = t.dir.path("not-the-face-ca.pem");
    std::fs::write(&ca, pem).unwrap();
    let dir = t.dir.path("face");
    let out = t.tool(
        &[
            "face",
            "show",
            "--out-dir",
            &path_str(&dir),
            "--face-ca",
            &path_str(&ca),
        ],
        &number_a(),
    );
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("CV certificate"),
        "{out:?}"
    );
    assert!(
        !dir.join("face.jp2").exists(),
        "nothing written when a signature fails"
    );
}

#[test]
fn face_verify_says_right_and_a_malformed_number_is_never_sent() {
    let t = Target::new("whole-face-verify");
    let out = ok(&t.tool(&["face", "verify"], &number_a()));
    assert_eq!(out, "card-face 照合番号A: right\n");
    let json: serde_json::Value = serde_json::from_str(&ok(
        &t.tool(&["face", "verify", "--json"], &t.number_b_line())
    ))
    .unwrap();
    assert_eq!(json, serde_json::json!({ "number": "B", "right": true }));
    // 13 digits: neither A nor B, refused before the card (exit 6), no try spent
    let bad = t.tool(&["face", "verify"], "1234567890123\n");
    assert_eq!(bad.status.code(), Some(6), "{bad:?}");
    let status = ok(&t.tool(&["pin", "status"], ""));
    if t.is_fixture_card() {
        assert_eq!(tries(&status, "card-face 照合番号A"), Some(10), "{status}");
    }
}

#[test]
fn a_wrong_number_b_reports_the_tries_left() {
    let Some(t) = Target::simulator_only("whole-face-wrong-b", "spends a wrong 照合番号B")
    else {
        return;
    };
    // a well-formed B that is not the card's
    let wrong = "55021720359999\n";
    let out = t.tool(&["face", "verify", "--json"], wrong);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["right"], false);
    assert_eq!(json["tries_left"], 9);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("wrong card-face 照合番号B: 9 tries left"),
        "{out:?}"
    );
    let status = ok(&t.tool(&["pin", "status"], ""));
    assert_eq!(tries(&status, "card-face 照合番号B"), Some(9), "{status}");
}

/// The right card-face CA (the issuer's `face-visual-ca.pem`): the CV certificate verifies and
/// the JSON says so.
#[test]
fn face_show_with_the_issuers_ca_key_checks_the_cv_certificate() {
    let Some(t) = Target::simulator_only(
        "whole-face-right-ca",
        "the card-face CA key of a real card is J-LIS's, not the fixture's",
    ) else {
        return;
    };
    let dir = t.dir.path("face");
    let ca = t.ca("face-visual");
    let out = ok(&t.tool(
        &[
            "face",
            "show",
            "--out-dir",
            &path_str(&dir),
            "--face-ca",
            &path_str(&ca),
            "--json",
        ],
        &t.number_b_line(),
    ));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["card_face_signature"], "verified", "{json}");
    assert_eq!(
        json["cv_certificate"]["signature"],
        format!("verified with {}", path_str(&ca)),
        "{json}"
    );
    assert_eq!(json["cv_certificate"]["issuer_key_id"], "9000023/001");
    assert!(starts_with(&dir.join("face.jp2"), &JP2));
}

/// MF `00F8`/`7F21` (card-map §2): the key IDs, not checked without `--card-ca`, verified up to
/// the issuer's `card-ca.pem` with it, and refused under another key.
#[test]
fn basic_info_shows_the_card_chain_and_verifies_it_up_to_the_card_ca() {
    let Some(t) = Target::simulator_only(
        "whole-card-chain",
        "the card CA key of a real card is J-LIS's, not the fixture's",
    ) else {
        return;
    };
    let out = ok(&t.tool(&["text", "basic-info"], ""));
    assert!(
        out.contains(
            "card chain (MF 00F8, 7F21): root 9000011/001 -> intermediate 9000012/001 (00F7) \
             -> card key 9000013/001\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("card chain check:           not checked (no --card-ca given)\n"),
        "{out}"
    );
    let ca = t.ca("card");
    let out = ok(&t.tool(
        &["text", "basic-info", "--card-ca", &path_str(&ca), "--json"],
        "",
    ));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let chain = &json["card_chain"];
    assert_eq!(chain["root_key_id"], "9000011/001", "{json}");
    assert_eq!(chain["intermediate_key_id"], "9000012/001", "{json}");
    assert_eq!(chain["card_key_id"], "9000013/001", "{json}");
    assert_eq!(
        chain["check"],
        format!(
            "verified up to the card CA given by --card-ca {}",
            path_str(&ca)
        ),
        "{json}"
    );
    // the card-face CA is not the card CA
    let out = t.tool(
        &[
            "text",
            "basic-info",
            "--card-ca",
            &path_str(&t.ca("face-visual")),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("MF 00F8"),
        "{out:?}"
    );
}

/// 共通 `0019` INTERNAL AUTHENTICATE (card-map §6) answers with a signature the key `7F21`
/// certifies verifies: a terminal can check a card's answer up to the card CA.
#[test]
fn the_internal_authenticate_answer_verifies_with_the_key_7f21_certifies() {
    use rsa::{Pkcs1v15Sign, PublicKey};
    use sha2::{Digest, Sha256};

    let Some(t) = Target::simulator_only(
        "whole-card-internal-auth",
        "speaks APDUs to the card file directly",
    ) else {
        return;
    };
    let Some(file) = t.card_file() else {
        crate::target::skip(
            "whole-card-internal-auth",
            "the simulator is served in a reader: no card file to speak to",
        );
        return;
    };
    let mut card = card_sim::SimCard::open(file).unwrap();
    let send = |card: &mut card_sim::SimCard, hex: &str| -> Vec<u8> {
        let answer = card.process(&hex::decode(hex.replace(' ', "")).unwrap());
        let (data, sw) = answer.split_at(answer.len() - 2);
        assert_eq!(sw, [0x90, 0x00], "{hex}");
        data.to_vec()
    };
    // card-map §2: GET DATA 00F8, 7F21 with an extended Le
    let f8 = send(&mut card, "00 CA 00 F8 00 00 00");
    let cv = send(&mut card, "00 CA 7F 21 00 00 00");
    let id = send(&mut card, "00 CA 00 F7 00");
    let chain = jpki_applet::records::CardChain::parse(&id, &f8, &cv).unwrap();
    let root = std::fs::read_to_string(t.ca("card")).unwrap();
    let root = {
        use rsa::pkcs8::DecodePublicKey;
        PublicKey::from_public_key_pem(&root).unwrap()
    };
    chain.verify(&root).unwrap();
    // card-map §6: SELECT 共通カードAP, INTERNAL AUTHENTICATE 00 88 00 99 Lc <challenge> 00
    send(&mut card, "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 01 00");
    let challenge = [0x5Au8; 20];
    let signature = send(
        &mut card,
        &format!("00 88 00 99 14 {} 00", hex::encode(challenge)),
    );
    assert_eq!(signature.len(), 256);
    chain
        .card_key()
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(challenge),
            &signature,
        )
        .expect("the answer verifies with the certified key");
}
