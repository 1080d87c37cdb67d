//! Structural fixtures of real end-entity certificates: hand-assembled here, with a writer of
//! its own (not the crate's), from spec §7 and §7.1, with synthetic values only (never a real
//! person's certificate). Only the structure is real: extension order and criticality, string
//! types, 4-byte serials, 23/28-character CNs, romaji place names, CRLDP directory names. Keys
//! and signatures are filler; the shape walker does not look at them.

pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = u16::try_from(content.len()).unwrap().to_be_bytes();
    match len {
        [0, short @ 0..0x80] => out.push(short),
        [0, byte] => out.extend([0x81, byte]),
        [high, low] => out.extend([0x82, high, low]),
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

pub fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
    let mut content = Vec::new();
    let mut push = |mut n: u64| {
        let mut groups = vec![n.to_le_bytes()[0] & 0x7F];
        n >>= 7;
        while n > 0 {
            groups.push(n.to_le_bytes()[0] | 0x80);
            n >>= 7;
        }
        content.extend(groups.iter().rev());
    };
    push(arcs[0] * 40 + arcs[1]);
    arcs[2..].iter().for_each(|a| push(*a));
    tlv(0x06, &content)
}

fn utf8(s: &str) -> Vec<u8> {
    tlv(0x0C, s.as_bytes())
}

/// A Name, one attribute per RDN: `C` PrintableString, the rest UTF8String.
pub fn name(attributes: &[(&str, &str)]) -> Vec<u8> {
    let rdns: Vec<Vec<u8>> = attributes
        .iter()
        .map(|(kind, value)| {
            let (id, value) = match *kind {
                "C" => ("2.5.4.6", tlv(0x13, value.as_bytes())),
                "O" => ("2.5.4.10", utf8(value)),
                "OU" => ("2.5.4.11", utf8(value)),
                "L" => ("2.5.4.7", utf8(value)),
                "CN" => ("2.5.4.3", utf8(value)),
                other => panic!("no attribute {other}"),
            };
            tlv(0x31, &seq(&[oid(id), value]))
        })
        .collect();
    seq(&rdns)
}

const JLIS: &str = "Japan Agency for Local Authority Information Systems";

fn ca(unit: &str) -> Vec<u8> {
    name(&[("C", "JP"), ("O", "JPKI"), ("OU", unit), ("OU", JLIS)])
}

fn ca_alt(unit: &str) -> Vec<u8> {
    name(&[
        ("C", "JP"),
        ("O", "公的個人認証サービス"),
        ("OU", unit),
        ("OU", "地方公共団体情報システム機構"),
    ])
}

fn extension(id: &str, critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid(id)];
    if critical {
        parts.push(vec![0x01, 0x01, 0xFF]);
    }
    parts.push(tlv(0x04, &value));
    seq(&parts)
}

fn policies(policy: &str) -> Vec<u8> {
    let cps = seq(&[
        oid("1.3.6.1.5.5.7.2.1"),
        tlv(0x16, b"http://www.jpki.go.jp/cps.html"),
    ]);
    seq(&[seq(&[oid(policy), seq(&[cps])])])
}

fn crl_dp(unit: &str, prefecture: &str, city: &str) -> Vec<u8> {
    let cn = format!("{city} CRLDP");
    let dir = name(&[
        ("C", "JP"),
        ("O", "JPKI"),
        ("OU", unit),
        ("OU", "CRL Distribution Points"),
        ("OU", prefecture),
        ("CN", &cn),
    ]);
    seq(&[seq(&[tlv(0xA0, &tlv(0xA0, &tlv(0xA4, &dir)))])])
}

fn aki(unit: &str) -> Vec<u8> {
    seq(&[
        tlv(0x80, &[0x5A; 20]),
        tlv(0xA1, &tlv(0xA4, &ca(unit))),
        tlv(0x82, &[0x06, 0x7C, 0x6A, 0x21]),
    ])
}

/// A filler RSA-2048 subjectPublicKeyInfo (modulus of the right length, e = 65537).
fn spki() -> Vec<u8> {
    let mut modulus = vec![0x00, 0xC5];
    modulus.resize(257, 0x3B);
    let key = seq(&[tlv(0x02, &modulus), tlv(0x02, &[0x01, 0x00, 0x01])]);
    let mut bits = vec![0x00];
    bits.extend(key);
    seq(&[
        seq(&[oid("1.2.840.113549.1.1.1"), vec![0x05, 0x00]]),
        tlv(0x03, &bits),
    ])
}

fn certificate(unit: &str, subject: Vec<u8>, extensions: Vec<Vec<u8>>) -> Vec<u8> {
    let alg = seq(&[oid("1.2.840.113549.1.1.11"), vec![0x05, 0x00]]);
    let tbs = seq(&[
        tlv(0xA0, &[0x02, 0x01, 0x02]),
        tlv(0x02, &[0x06, 0xBF, 0xC3, 0x41]),
        alg.clone(),
        ca(unit),
        seq(&[tlv(0x17, b"250602012345Z"), tlv(0x17, b"300820145959Z")]),
        subject,
        spki(),
        tlv(0xA3, &seq(&extensions)),
    ]);
    let mut signature = vec![0x00];
    signature.resize(257, 0x77);
    seq(&[tbs, alg, tlv(0x03, &signature)])
}

/// A signature certificate shaped like a real one: `C=JP, L=Tokyo-to, L=Shibuya-ku, CN=<28>`;
/// KU, SAN (six otherNames in card order), CP, IAN, CRLDP, AKI, SKI.
pub fn signature_certificate() -> Vec<u8> {
    const UNIT: &str = "JPKI for digital signature";
    let subject = name(&[
        ("C", "JP"),
        ("L", "Tokyo-to"),
        ("L", "Shibuya-ku"),
        ("CN", "2025060210234500001131130001"),
    ]);
    let other = |arc: u8, value: &str| {
        let id = oid(&format!("1.2.392.200149.8.5.5.{arc}"));
        tlv(0xA0, &[id, tlv(0xA0, &utf8(value))].concat())
    };
    let san = seq(&[
        other(1, "見本\u{3000}花子"),
        other(4, "319850820"),
        other(3, "2"),
        other(5, "東京都渋谷区見本町一丁目２番３号"),
        other(2, "00000"),
        other(6, "0000000000000000"),
    ]);
    certificate(
        UNIT,
        subject,
        vec![
            extension("2.5.29.15", true, tlv(0x03, &[0x06, 0xC0])),
            extension("2.5.29.17", false, san),
            extension("2.5.29.32", true, policies("1.2.392.200149.8.5.1.1.20")),
            extension(
                "2.5.29.18",
                false,
                seq(&[tlv(0xA4, &ca_alt("公的個人認証サービス署名用"))]),
            ),
            extension("2.5.29.31", false, crl_dp(UNIT, "Tokyo-to", "Shibuya-ku")),
            extension("2.5.29.35", false, aki(UNIT)),
            extension("2.5.29.14", false, tlv(0x04, &[0x3C; 20])),
        ],
    )
}

/// An authentication certificate shaped like a real one: `C=JP, CN=<23>`; KU, EKU clientAuth,
/// CP, IAN, CRLDP, AIA OCSP, AKI, SKI.
pub fn authentication_certificate() -> Vec<u8> {
    const UNIT: &str = "JPKI for user authentication";
    let subject = name(&[("C", "JP"), ("CN", "2506021023000114104003A")]);
    let ocsp = seq(&[seq(&[
        oid("1.3.6.1.5.5.7.48.1"),
        tlv(0x86, b"http://ocspauthnorm.jpki.go.jp"),
    ])]);
    certificate(
        UNIT,
        subject,
        vec![
            extension("2.5.29.15", true, tlv(0x03, &[0x07, 0x80])),
            extension("2.5.29.37", false, seq(&[oid("1.3.6.1.5.5.7.3.2")])),
            extension("2.5.29.32", true, policies("1.2.392.200149.8.5.1.3.30")),
            extension(
                "2.5.29.18",
                false,
                seq(&[tlv(0xA4, &ca_alt("公的個人認証サービス利用者証明用"))]),
            ),
            extension(
                "2.5.29.31",
                false,
                crl_dp(UNIT, "Kanagawa-ken", "Yokohama-shi-Naka-ku"),
            ),
            extension("1.3.6.1.5.5.7.1.1", false, ocsp),
            extension("2.5.29.35", false, aki(UNIT)),
            extension("2.5.29.14", false, tlv(0x04, &[0x3C; 20])),
        ],
    )
}
