//! The crate's error type.

use der::asn1::ObjectIdentifier;

/// Everything that can go wrong while issuing, parsing or checking JPKI certificates and CRLs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not valid DER for the expected structure.
    #[error("malformed DER in {structure}: {reason}")]
    MalformedDer {
        /// What was being read (certificate, CRL…).
        structure: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The `der`/`x509-cert` decoder rejected the input.
    #[error("certificate is not valid X.509 DER: {0}")]
    Asn1(#[from] der::Error),
    /// Not an X.509 v3 certificate.
    #[error("certificate is not X.509 v3; JPKI certificates are always v3")]
    NotV3,
    /// A signature or key algorithm other than RSA / sha256WithRSAEncryption or ECDSA P-384 /
    /// ecdsa-with-SHA384.
    #[error(
        "unsupported algorithm {oid}; JPKI uses RSA-2048 with sha256WithRSAEncryption or (next generation) ECDSA P-384 with ecdsa-with-SHA384"
    )]
    UnsupportedAlgorithm {
        /// The algorithm found.
        oid: ObjectIdentifier,
    },
    /// The outer and inner signature algorithm fields differ.
    #[error("signatureAlgorithm and tbsCertificate.signature differ")]
    AlgorithmMismatch,
    /// The RSA key is not 2048 bits with e = 65537.
    #[error("RSA key of {bits} bits; the JPKI profile requires RSA-2048 with e = 65537")]
    WrongKeySize {
        /// Modulus size found.
        bits: usize,
    },
    /// An elliptic-curve key on a curve other than P-384.
    #[error(
        "elliptic curve {oid} is not supported; the next-generation JPKI profile uses P-384 (secp384r1) only"
    )]
    UnsupportedCurve {
        /// The namedCurve found.
        oid: ObjectIdentifier,
    },
    /// ECDSA algorithm parameters outside RFC 5480 / RFC 5758: explicit curve parameters, a
    /// compressed point, or parameters on ecdsa-with-SHA384.
    #[error("ECDSA parameters break RFC 5480/5758: {reason}")]
    BadEcParameters {
        /// What is wrong, and what is required.
        reason: &'static str,
    },
    /// The signature algorithm needs another kind of issuer key than the one given.
    #[error(
        "{signature} needs a {needed} issuer key, but the key given is {found}; pick the CA of the certificate's generation"
    )]
    KeyAlgorithmMismatch {
        /// The signatureAlgorithm of the signed object.
        signature: &'static str,
        /// The key algorithm it needs.
        needed: crate::key_algorithm::Algorithm,
        /// The issuer key's algorithm.
        found: crate::key_algorithm::Algorithm,
    },
    /// A chain mixes algorithms (e.g. an RSA-2048 end entity under a P-384 CA): no card
    /// carries both and no link certificates are public (next-gen-profile §2.8).
    #[error(
        "a chain mixing algorithms is refused: a {certificate} certificate under a {issuer} CA; JPKI chains use one algorithm throughout"
    )]
    MixedAlgorithms {
        /// The certificate's key algorithm.
        certificate: crate::key_algorithm::Algorithm,
        /// The issuing CA's key algorithm.
        issuer: crate::key_algorithm::Algorithm,
    },
    /// An RSA-2048 chain checked at or after the RSA cut-off.
    #[error(
        "RSA-2048 JPKI certificates are not accepted from {} (CRYPTREC); this is a first-generation card: renew it for a next-generation (ECDSA P-384) card, or check at an earlier time if the evidence predates the cut-off",
        crate::crl::reason::utc_text(*cutoff)
    )]
    RsaCutOff {
        /// The cut-off instant in force.
        cutoff: time::OffsetDateTime,
    },
    /// An ECDSA signing operation failed.
    #[error("ECDSA P-384 signing failed")]
    Ecdsa,
    /// The RSA public key could not be decoded.
    #[error("subjectPublicKeyInfo does not hold a valid RSA-2048 or P-384 public key")]
    BadPublicKey,
    /// The issuer name is not one of the JPKI CA names.
    #[error("issuer is not a JPKI certification authority (C=JP, O=JPKI[-TEST], OU=JPKI for …)")]
    NotJpkiIssuer,
    /// A name's attributes do not follow the JPKI profile.
    #[error("{which} name breaks the JPKI profile: {reason}")]
    BadName {
        /// `"subject"` or `"issuer"` or an extension's name.
        which: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A subject common name does not have the real structure (spec §7.1).
    #[error("{kind} common name breaks the JPKI profile: {reason}")]
    BadCommonName {
        /// `"authentication"`, `"signature"` or `"window ID"`.
        kind: &'static str,
        /// What is wrong, and the form expected.
        reason: &'static str,
    },
    /// A required extension is absent.
    #[error("required extension {name} is missing")]
    MissingExtension {
        /// The extension's name.
        name: &'static str,
    },
    /// An extension appears twice.
    #[error("extension {oid} appears more than once")]
    DuplicateExtension {
        /// The extension's OID.
        oid: ObjectIdentifier,
    },
    /// An extension the profile marks critical is not critical.
    #[error("extension {name} must be critical")]
    NotCritical {
        /// The extension's name.
        name: &'static str,
    },
    /// A critical extension this crate does not understand.
    #[error("unknown critical extension {oid}")]
    UnknownCriticalExtension {
        /// The extension's OID.
        oid: ObjectIdentifier,
    },
    /// An extension's content is malformed or differs from the profile.
    #[error("extension {name} breaks the JPKI profile: {reason}")]
    BadExtension {
        /// The extension's name.
        name: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// keyUsage differs from what the certificate kind requires.
    #[error("wrong keyUsage for a {kind} certificate: expected {expected}")]
    WrongKeyUsage {
        /// The kind the certificate claims to be.
        kind: &'static str,
        /// The usage bits required.
        expected: &'static str,
    },
    /// The certificate policy does not match the hierarchy or the environment.
    #[error("certificatePolicies does not hold the {expected} policy")]
    WrongPolicy {
        /// The policy OID required, dotted.
        expected: String,
    },
    /// A SAN otherName of a signature certificate is not a UTF8String.
    #[error("SAN otherName {oid} is not a [0] EXPLICIT UTF8String")]
    OtherNameNotUtf8 {
        /// The otherName's type-id.
        oid: ObjectIdentifier,
    },
    /// The SAN otherNames of a signature certificate are missing, extra or out of order.
    #[error("signature certificate SAN must hold the six 4-facts otherNames in card order")]
    SanOrder,
    /// One of the 4 facts (or its substitute-position string) is malformed.
    #[error("4-facts field {field} is malformed: {reason}")]
    BadFourFacts {
        /// Which field.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// Holder data given for issuance cannot be encoded.
    #[error("holder data {field} is invalid: {reason}")]
    BadHolder {
        /// Which field.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The validity rules give no valid period (e.g. the card expires before issuance).
    #[error("no validity period: {reason}")]
    BadValidity {
        /// Why.
        reason: &'static str,
    },
    /// The signature does not verify under the issuer's key.
    #[error("signature does not verify with the issuer's key")]
    BadSignature,
    /// No trust anchor signed this certificate.
    #[error(
        "no trust anchor of this hierarchy signed the certificate; add the issuing CA generation"
    )]
    UnknownIssuer,
    /// A CA certificate was offered where an end-entity certificate was expected, or vice versa.
    #[error("expected a {expected} certificate")]
    WrongKind {
        /// What was expected.
        expected: &'static str,
    },
    /// The certificate (or its CA) is not yet valid at the given instant.
    #[error("certificate not valid before {not_before}")]
    NotYetValid {
        /// The notBefore date.
        not_before: time::OffsetDateTime,
    },
    /// The certificate (or its CA) expired before the given instant.
    #[error("certificate expired at {not_after}")]
    Expired {
        /// The notAfter date.
        not_after: time::OffsetDateTime,
    },
    /// The certificate is on the CRL.
    #[error("certificate revoked on {} (reason: {})", crate::crl::reason::utc_text(*revoked_at), crate::crl::reason::reason_text(*reason))]
    Revoked {
        /// The revocation date.
        revoked_at: time::OffsetDateTime,
        /// The reason code, if the CRL gives one.
        reason: Option<crate::crl::reason::RevocationReason>,
    },
    /// The CRL was not issued by this certificate's CA.
    #[error("the CRL was issued by another CA than the certificate")]
    CrlIssuerMismatch,
    /// The CRL's IssuingDistributionPoint names another partition than the certificate's
    /// cRLDistributionPoints.
    #[error(
        "the CRL for {crl} does not cover a certificate of {certificate}; give the CRL of the certificate's partition"
    )]
    /// (The names are given as text: this module is a leaf of the crate's imports.)
    CrlWrongPartition {
        /// The partition the CRL covers (its IDP directory name, as text).
        crl: String,
        /// The certificate's partition (its CRLDP directory name, or its issuer without one).
        certificate: String,
    },
    /// The CRL holds another kind of certificate (an ARL for an end entity, a partition CRL
    /// for a CA).
    #[error("the CRL covers {crl} and cannot decide on {certificate}")]
    CrlWrongScope {
        /// What the CRL covers.
        crl: &'static str,
        /// What the certificate is.
        certificate: &'static str,
    },
    /// Several CRLs were given and none is the certificate issuer's CRL for its partition.
    #[error(
        "no CRL for partition {partition} among the {given} given; add that partition's CRL from the issuing CA"
    )]
    NoCrlForPartition {
        /// The certificate's partition (CRLDP directory name, or its issuer without one), as
        /// text.
        partition: String,
        /// How many CRLs were given.
        given: usize,
    },
    /// The CRL is past its nextUpdate: a newer one exists and may list the certificate.
    #[error(
        "the CRL is stale: its nextUpdate {} is before the check time {}; fetch the current CRL",
        crate::crl::reason::utc_text(*next_update),
        crate::crl::reason::utc_text(*at)
    )]
    CrlStale {
        /// The CRL's nextUpdate.
        next_update: time::OffsetDateTime,
        /// The instant of the check.
        at: time::OffsetDateTime,
    },
    /// A CRL's IssuingDistributionPoint is malformed or outside the JPKI profile.
    #[error("CRL IssuingDistributionPoint is malformed or outside the JPKI profile: {reason}")]
    BadIssuingDistributionPoint {
        /// What is wrong.
        reason: &'static str,
    },
    /// A serial number is empty, negative or longer than 20 octets.
    #[error("serial number must be a positive integer of at most 20 octets")]
    BadSerial,
    /// An RSA operation failed.
    #[error("RSA operation failed: {0}")]
    Rsa(#[from] rsa::Error),
    /// A PKCS#8 key could not be encoded or decoded.
    #[error("PKCS#8 private key: {0}")]
    Pkcs8(#[from] pkcs8::Error),
    /// Reading or writing fixture files failed.
    #[error("I/O on {path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}
