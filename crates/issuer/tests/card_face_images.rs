//! The synthetic card-face content on its own: the committed JP2 face photos (decoded by
//! OpenJPEG's `opj_decompress`), the 1-bit PNGs, 照合番号B and the birth-date key (card-map §5, §9).

use std::process::Command;

use issuer::card_face::{self, FACE_SIZE, FACES};
use time::macros::date;

/// The boxes at the top level of a JP2 file: (type, contents).
fn jp2_boxes(file: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut boxes = Vec::new();
    let mut rest = file;
    while !rest.is_empty() {
        let len = u32::from_be_bytes(rest[..4].try_into().unwrap()) as usize;
        let kind: [u8; 4] = rest[4..8].try_into().unwrap();
        // length 0 = to the end of the file (allowed for the last box, jp2c)
        let len = if len == 0 { rest.len() } else { len };
        assert!(
            len >= 8 && len <= rest.len(),
            "box {kind:?} overruns the file"
        );
        boxes.push((kind, &rest[8..len]));
        rest = &rest[len..];
    }
    boxes
}

#[test]
fn committed_faces_are_jp2_files_with_the_four_boxes() {
    for (i, face) in FACES.iter().enumerate() {
        // card-map §9: the JPEG 2000 signature box
        assert_eq!(
            face[..12],
            [
                0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A
            ],
            "face {i}"
        );
        let kinds: Vec<[u8; 4]> = jp2_boxes(face).iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, [*b"jP  ", *b"ftyp", *b"jp2h", *b"jp2c"], "face {i}");
        let (_, ftyp) = jp2_boxes(face)[1];
        assert_eq!(&ftyp[..4], b"jp2 ", "face {i}: brand");
        // jp2h starts with ihdr: height, width, components (1 = greyscale)
        let (_, jp2h) = jp2_boxes(face)[2];
        assert_eq!(&jp2h[4..8], b"ihdr");
        let height = u32::from_be_bytes(jp2h[8..12].try_into().unwrap());
        let width = u32::from_be_bytes(jp2h[12..16].try_into().unwrap());
        let components = u16::from_be_bytes(jp2h[16..18].try_into().unwrap());
        assert_eq!((width, height, components), (FACE_SIZE.0, FACE_SIZE.1, 1));
        // the codestream starts with SOC + SIZ
        let (_, jp2c) = jp2_boxes(face)[3];
        assert_eq!(jp2c[..4], [0xFF, 0x4F, 0xFF, 0x51]);
    }
}

/// A PGM file's 4 header tokens (magic, width, height, maxval; `#` comments skipped) and its
/// pixels.
fn parse_pgm(file: &[u8]) -> (Vec<String>, &[u8]) {
    let mut tokens = Vec::new();
    let mut at = 0;
    while tokens.len() < 4 {
        if file[at] == b'#' {
            while file[at] != b'\n' {
                at += 1;
            }
        } else if file[at].is_ascii_whitespace() {
            at += 1;
        } else {
            let start = at;
            while !file[at].is_ascii_whitespace() {
                at += 1;
            }
            tokens.push(String::from_utf8(file[start..at].to_vec()).unwrap());
        }
    }
    // one whitespace byte after maxval, then the pixels
    (tokens, &file[at + 1..])
}

#[test]
fn committed_faces_decode_as_greyscale_90x110() {
    let dir = test_support::cards::temp_dir("faces");
    let mut decoded = Vec::new();
    for (i, face) in FACES.iter().enumerate() {
        let jp2 = dir.join(format!("face-{i}.jp2"));
        let pgm = dir.join(format!("face-{i}.pgm"));
        std::fs::write(&jp2, face).unwrap();
        let status = Command::new("opj_decompress")
            .arg("-i")
            .arg(&jp2)
            .arg("-o")
            .arg(&pgm)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run opj_decompress ({e}): install libopenjp2-tools")
            });
        assert!(
            status.status.success(),
            "face {i} does not decode: {status:?}"
        );
        // a PGM (P5 = one grey channel, 8 bits) of the committed size
        let image = std::fs::read(&pgm).unwrap();
        let (header, pixels) = parse_pgm(&image);
        assert_eq!(
            header,
            [
                "P5",
                &FACE_SIZE.0.to_string(),
                &FACE_SIZE.1.to_string(),
                "255"
            ],
            "face {i}: not greyscale 90x110"
        );
        assert_eq!(pixels.len(), (FACE_SIZE.0 * FACE_SIZE.1) as usize);
        // a drawing, not a blank: dark eyes and a light background
        assert!(pixels.iter().any(|&p| p < 60) && pixels.iter().any(|&p| p > 200));
        decoded.push(pixels.to_vec());
    }
    for i in 0..decoded.len() {
        for j in i + 1..decoded.len() {
            assert_ne!(decoded[i], decoded[j], "faces {i} and {j} are the same");
        }
    }
}

#[test]
fn number_b_and_the_birth_date_key_use_the_japanese_era_year() {
    // card-map §5: 1980-02-17 (昭和55), expiry 2035, code 2285
    let b = card_face::number_b(date!(1980 - 02 - 17), 2035, "2285").unwrap();
    assert_eq!(b.as_str(), "55021720352285");
    for (birth, key) in [
        (date!(1989 - 01 - 07), "640107"),
        (date!(1989 - 01 - 08), "010108"),
        (date!(2019 - 04 - 30), "310430"),
        (date!(2019 - 05 - 01), "010501"),
        (date!(1926 - 12 - 25), "011225"),
        (date!(1912 - 07 - 29), "450729"),
        (date!(1868 - 01 - 25), "010125"),
    ] {
        assert_eq!(card_face::birth_date_key(birth).unwrap().as_str(), key);
    }
    assert!(card_face::number_b(date!(1980 - 02 - 17), 2035, "228").is_err());
    assert!(card_face::number_b(date!(1980 - 02 - 17), 2035, "22X5").is_err());
    assert!(card_face::number_b(date!(1980 - 02 - 17), 12035, "2285").is_err());
    assert!(card_face::birth_date_key(date!(1867 - 12 - 31)).is_err());
}

#[test]
fn the_card_carries_the_municipality_code_without_its_check_digit() {
    let m = |code: &str, city: &str| cert::Municipality::new(code, city).unwrap();
    assert_eq!(
        card_face::municipality_code(&m("131016", "Chiyoda-ku")),
        "13101"
    );
    assert_eq!(
        card_face::municipality_code(&m("14104", "Yokohama-shi-Naka-ku")),
        "14104"
    );
}
