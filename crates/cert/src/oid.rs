//! Object identifiers used by the JPKI profile (RFC 5280, PKCS #1 and J-LIS arcs).

use der::asn1::ObjectIdentifier as Oid;

/// `sha256WithRSAEncryption` (PKCS #1).
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
/// `rsaEncryption` (PKCS #1).
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// `ecdsa-with-SHA384` (RFC 5758 §3.2; parameters absent).
pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
/// `id-ecPublicKey` (RFC 5480 §2.1.1).
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
/// `secp384r1` (P-384) named curve (RFC 5480 §2.1.1.1).
pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");

/// `countryName`.
pub const AT_COUNTRY: Oid = Oid::new_unwrap("2.5.4.6");
/// `localityName`.
pub const AT_LOCALITY: Oid = Oid::new_unwrap("2.5.4.7");
/// `organizationName`.
pub const AT_ORGANIZATION: Oid = Oid::new_unwrap("2.5.4.10");
/// `organizationalUnitName`.
pub const AT_ORG_UNIT: Oid = Oid::new_unwrap("2.5.4.11");
/// `commonName`.
pub const AT_COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");

/// `subjectKeyIdentifier`.
pub const EXT_SKI: Oid = Oid::new_unwrap("2.5.29.14");
/// `keyUsage`.
pub const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
/// `subjectAltName`.
pub const EXT_SAN: Oid = Oid::new_unwrap("2.5.29.17");
/// `issuerAltName`.
pub const EXT_IAN: Oid = Oid::new_unwrap("2.5.29.18");
/// `basicConstraints`.
pub const EXT_BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
/// `cRLNumber`.
pub const EXT_CRL_NUMBER: Oid = Oid::new_unwrap("2.5.29.20");
/// `reasonCode` (CRL entry extension).
pub const EXT_CRL_REASON: Oid = Oid::new_unwrap("2.5.29.21");
/// `cRLDistributionPoints`.
pub const EXT_CRL_DP: Oid = Oid::new_unwrap("2.5.29.31");
/// `issuingDistributionPoint` (CRL extension, RFC 5280 §5.2.5).
pub const EXT_ISSUING_DP: Oid = Oid::new_unwrap("2.5.29.28");
/// `certificatePolicies`.
pub const EXT_CERT_POLICIES: Oid = Oid::new_unwrap("2.5.29.32");
/// `authorityKeyIdentifier`.
pub const EXT_AKI: Oid = Oid::new_unwrap("2.5.29.35");
/// `extKeyUsage`.
pub const EXT_EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
/// `authorityInfoAccess`.
pub const EXT_AIA: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");

/// `id-kp-clientAuth`.
pub const KP_CLIENT_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.2");
/// `id-qt-cps` policy qualifier.
pub const QT_CPS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.2.1");
/// `id-ad-ocsp` access method.
pub const AD_OCSP: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1");

/// JPKI signature certificate policy (production).
pub const POLICY_SIGN: Oid = Oid::new_unwrap("1.2.392.200149.8.5.1.1.20");
/// JPKI user-authentication certificate policy (production).
pub const POLICY_AUTH: Oid = Oid::new_unwrap("1.2.392.200149.8.5.1.3.30");
/// JPKI signature certificate policy on test cards (`…8.5.1.0.20`).
pub const POLICY_SIGN_TEST: Oid = Oid::new_unwrap("1.2.392.200149.8.5.1.0.20");
/// Test-card authentication policy. Choice: the spec names only the signature test arc; we use
/// `…8.5.1.0.30` by analogy.
pub const POLICY_AUTH_TEST: Oid = Oid::new_unwrap("1.2.392.200149.8.5.1.0.30");

/// NG-sim v1 policy arc: the X.667 UUID arc `2.25.173270617506876255557316769785243186282`.
/// NG-sim v1, ours (shared/next-gen-profile.md §2.7), never the J-LIS arc; to be replaced when
/// the real next-generation specification is published. The three policies below are this
/// crate's whole NG identifier table.
///
/// Its UUID arc is a 128-bit number, beyond the 32-bit arcs of `der`'s `ObjectIdentifier`, so
/// the NG policies are kept as their DER content octets (the bytes after tag `06` and length)
/// and compared as bytes; [`dotted`] writes them as text.
pub const NG_SIM_ARC: &str = "2.25.173270617506876255557316769785243186282";
/// NG-sim v1 (ours, to be replaced): next-generation signature certificate policy
/// `2.25.173270617506876255557316769785243186282.1.1`, DER content octets.
pub const POLICY_NG_SIGN: &[u8] = &[
    0x69, 0x82, 0x84, 0xDA, 0xDA, 0xC0, 0xD9, 0xB7, 0xDA, 0x8C, 0xA5, 0xA9, 0xE9, 0xE8, 0xDC, 0xAA,
    0xF7, 0xCC, 0xE8, 0x6A, 0x01, 0x01,
];
/// NG-sim v1 (ours, to be replaced): next-generation user-authentication certificate policy
/// `2.25.173270617506876255557316769785243186282.1.3`, DER content octets.
pub const POLICY_NG_AUTH: &[u8] = &[
    0x69, 0x82, 0x84, 0xDA, 0xDA, 0xC0, 0xD9, 0xB7, 0xDA, 0x8C, 0xA5, 0xA9, 0xE9, 0xE8, 0xDC, 0xAA,
    0xF7, 0xCC, 0xE8, 0x6A, 0x01, 0x03,
];
/// NG-sim v1 (ours, to be replaced): card-authentication (genuineness key) certificate policy
/// `2.25.173270617506876255557316769785243186282.1.9`, DER content octets.
pub const POLICY_NG_CARD_AUTH: &[u8] = &[
    0x69, 0x82, 0x84, 0xDA, 0xDA, 0xC0, 0xD9, 0xB7, 0xDA, 0x8C, 0xA5, 0xA9, 0xE9, 0xE8, 0xDC, 0xAA,
    0xF7, 0xCC, 0xE8, 0x6A, 0x01, 0x09,
];

/// The dotted text of an OID given as DER content octets, arcs of up to 128 bits (enough for
/// the UUID arc); `None` if the octets are not a valid OID encoding.
pub fn dotted(content: &[u8]) -> Option<String> {
    let mut arcs: Vec<u128> = Vec::new();
    let mut value: u128 = 0;
    let mut in_arc = false;
    for &b in content {
        if !in_arc && b == 0x80 {
            return None; // non-minimal encoding
        }
        value = value.checked_mul(128)?.checked_add(u128::from(b & 0x7F))?;
        in_arc = b & 0x80 != 0;
        if !in_arc {
            arcs.push(value);
            value = 0;
        }
    }
    if in_arc {
        return None;
    }
    let (&first, rest) = arcs.split_first()?;
    let (a, b) = match first {
        0..40 => (0, first),
        40..80 => (1, first - 40),
        _ => (2, first - 80),
    };
    let mut out = format!("{a}.{b}");
    for arc in rest {
        out.push_str(&format!(".{arc}"));
    }
    Some(out)
}

/// SAN otherName: name (氏 + U+3000 + 名).
pub const SAN_NAME: Oid = Oid::new_unwrap("1.2.392.200149.8.5.5.1");
/// SAN otherName: name substitute-character positions.
pub const SAN_NAME_SUBSTITUTES: Oid = Oid::new_unwrap("1.2.392.200149.8.5.5.2");
/// SAN otherName: gender.
pub const SAN_GENDER: Oid = Oid::new_unwrap("1.2.392.200149.8.5.5.3");
/// SAN otherName: date of birth (`EYYYYMMDD`).
pub const SAN_BIRTH_DATE: Oid = Oid::new_unwrap("1.2.392.200149.8.5.5.4");
/// SAN otherName: address.
pub const SAN_ADDRESS: Oid = Oid::new_unwrap("1.2.392.200149.8.5.5.5");
/// SAN otherName: address substitute-character positions.
pub const SAN_ADDRESS_SUBSTITUTES: Oid = Oid::new_unwrap("1.2.392.200149.8.5.5.6");

/// The six SAN otherNames of a signature certificate, in card order (.1, .4, .3, .5, .2, .6).
pub const SAN_CARD_ORDER: [Oid; 6] = [
    SAN_NAME,
    SAN_BIRTH_DATE,
    SAN_GENDER,
    SAN_ADDRESS,
    SAN_NAME_SUBSTITUTES,
    SAN_ADDRESS_SUBSTITUTES,
];
