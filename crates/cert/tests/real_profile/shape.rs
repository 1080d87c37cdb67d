//! A certificate reduced to its "shape": what the profile fixes, without the values that differ
//! between any two certificates (keys, signatures, dates, names' text).
//!
//! One line per field or extension: tags, OIDs in order, criticality, string tags with whether
//! the text is ASCII (romaji place names are, kanji are not), the length of the serial and of
//! the subject CN, key-usage bits, key-identifier and serial lengths. Written independently of
//! the crate under test (its own TLV reader), so it can judge the crate's output.

/// One DER TLV: tag byte, content.
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
}

/// Splits `der` into its top-level TLVs (single-byte tags, definite lengths).
fn tlvs(mut der: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    while let [tag, first, rest @ ..] = der {
        let (len, rest) = if first & 0x80 == 0 {
            (usize::from(*first), rest)
        } else {
            let n = usize::from(first & 0x7F);
            let (bytes, rest) = rest.split_at(n);
            (bytes.iter().fold(0, |l, b| l << 8 | usize::from(*b)), rest)
        };
        let (content, rest) = rest.split_at(len);
        out.push(Tlv { tag: *tag, content });
        der = rest;
    }
    assert!(der.is_empty(), "trailing bytes in {der:02X?}");
    out
}

/// Dotted text of OID content octets.
pub fn oid_text(content: &[u8]) -> String {
    let mut arcs = Vec::new();
    let mut n: u64 = 0;
    for b in content {
        n = n << 7 | u64::from(b & 0x7F);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (n / 40).min(2);
                arcs.push(first);
                arcs.push(n - first * 40);
            } else {
                arcs.push(n);
            }
            n = 0;
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn ascii(content: &[u8]) -> &'static str {
    if content.is_ascii() {
        "ascii"
    } else {
        "non-ascii"
    }
}

/// The skeleton of a run of TLVs: constructed tags opened, OIDs spelled, strings typed,
/// lengths of INTEGERs, key identifiers and serials, short BIT STRINGs (key usage) in hex.
pub fn skeleton(der: &[u8]) -> String {
    tlvs(der)
        .iter()
        .map(|t| match t.tag {
            tag if tag & 0x20 != 0 => format!("{tag:02X}{{{}}}", skeleton(t.content)),
            0x06 => format!("06:{}", oid_text(t.content)),
            0x0C | 0x13 | 0x16 | 0x86 => format!("{:02X}:{}", t.tag, ascii(t.content)),
            0x01 | 0x05 => format!("{:02X}={:02X?}", t.tag, t.content),
            0x03 if t.content.len() <= 3 => format!("03={:02X?}", t.content),
            tag => format!("{tag:02X}({})", t.content.len()),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn attribute(oid: &str) -> &str {
    match oid {
        "2.5.4.6" => "C",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.7" => "L",
        "2.5.4.3" => "CN",
        other => other,
    }
}

/// A Name: per RDN, `type:string tag:ascii`; the CN's length too when `cn_length`.
fn name(content: &[u8], cn_length: bool) -> String {
    let mut parts = Vec::new();
    for rdn in tlvs(content) {
        for atv in tlvs(rdn.content) {
            let [id, value] = &tlvs(atv.content)[..] else {
                panic!("AttributeTypeAndValue without type and value");
            };
            let kind = attribute(&oid_text(id.content)).to_owned();
            let len = if cn_length && kind == "CN" {
                format!(" len {}", value.content.len())
            } else {
                String::new()
            };
            parts.push(format!(
                "{kind}:{:02X}:{}{len}",
                value.tag,
                ascii(value.content)
            ));
        }
    }
    parts.join(", ")
}

/// The shape of a DER certificate, one line each.
pub fn shape(der: &[u8]) -> Vec<String> {
    let [cert] = &tlvs(der)[..] else {
        panic!("not one TLV")
    };
    let [tbs, alg, sig] = &tlvs(cert.content)[..] else {
        panic!("Certificate is not tbs, algorithm, signature")
    };
    let fields = tlvs(tbs.content);
    let [
        version,
        serial,
        sig_alg,
        issuer,
        validity,
        subject,
        spki,
        exts,
    ] = &fields[..]
    else {
        panic!("tbsCertificate has {} fields, not 8", fields.len())
    };
    let times = tlvs(validity.content);
    let mut out = vec![
        format!(
            "version {:02X}{{{}}}",
            version.tag,
            skeleton(version.content)
        ),
        format!("serial {} bytes", serial.content.len()),
        format!("signature {}", skeleton(sig_alg.content)),
        format!("issuer {}", name(issuer.content, false)),
        format!(
            "validity {} notAfter ends 145959Z: {}",
            times
                .iter()
                .map(|t| format!("{:02X}", t.tag))
                .collect::<Vec<_>>()
                .join(" "),
            times
                .get(1)
                .is_some_and(|t| t.content.ends_with(b"145959Z"))
        ),
        format!("subject {}", name(subject.content, true)),
        format!("subjectPublicKeyInfo {}", skeleton(spki.content)),
    ];
    assert_eq!(exts.tag, 0xA3, "extensions are not [3]");
    let [list] = &tlvs(exts.content)[..] else {
        panic!("[3] does not hold one SEQUENCE")
    };
    for ext in tlvs(list.content) {
        let parts = tlvs(ext.content);
        let (id, critical, value) = match &parts[..] {
            [id, value] => (id, false, value),
            [id, flag, value] => (id, flag.content == [0xFF], value),
            _ => panic!("extension with {} fields", parts.len()),
        };
        out.push(format!(
            "extension {} critical {critical}: {}",
            oid_text(id.content),
            skeleton(value.content)
        ));
    }
    out.push(format!("signatureAlgorithm {}", skeleton(alg.content)));
    out.push(format!("signatureValue {:02X}", sig.tag));
    out
}

/// Panics with both shapes, differing lines marked, unless they are equal.
pub fn assert_same_shape(ours: &[String], reference: &[String], what: &str) {
    if ours == reference {
        return;
    }
    let mut report = format!("{what}: shapes differ\n--- ours\n");
    for (i, line) in ours.iter().enumerate() {
        let mark = if reference.get(i) == Some(line) {
            ' '
        } else {
            '!'
        };
        report.push_str(&format!("{mark} {line}\n"));
    }
    report.push_str("--- reference\n");
    for (i, line) in reference.iter().enumerate() {
        let mark = if ours.get(i) == Some(line) { ' ' } else { '!' };
        report.push_str(&format!("{mark} {line}\n"));
    }
    panic!("{report}");
}
