//! The self-signed CA certificate, written with the crate's DER writer instead of rcgen.
//!
//! Why not rcgen: the real J-LIS CAs order their extensions keyUsage, subjectAltName,
//! basicConstraints, cRLDistributionPoints, subjectKeyIdentifier (spec §7.1). rcgen writes its
//! native extensions in a fixed order (SAN, keyUsage, extKeyUsage, CRL DP, then SKI before
//! basicConstraints for a CA) and custom extensions only after them, so no combination of
//! native and custom extensions yields the real order: SKI would always precede
//! basicConstraints. Writing the whole TBSCertificate here makes every byte ours to choose; it
//! is signed with the same signer as the rest (RSA sha256WithRSAEncryption, or for the
//! next-generation P-384 CA ecdsa-with-SHA384, parameters absent, DER ECDSA-Sig-Value). The
//! P-384 CA keeps its hierarchy's DN (shared/next-gen-profile.md §2.7); dates from 2050 on are
//! written as GeneralizedTime (`der_writer::push_time`, RFC 5280 §4.1.2.5).

use super::CaRequest;
use super::rcgen_glue::{rcgen_time, sign};
use crate::der_writer::{self as w, SEQUENCE};
use crate::extensions as ext;
use crate::keys::CaKey;
use crate::name::{ca_alt_name, ca_name};
use crate::{Error, oid};

/// keyUsage keyCertSign + cRLSign: BIT STRING, 1 unused bit, `0000 0110` (as the real CAs).
pub(super) const KEY_USAGE_CA: [u8; 4] = [w::BIT_STRING, 0x02, 0x01, 0x06];
/// basicConstraints `{ cA TRUE }`, no path length (as the real CAs).
pub(super) const BASIC_CONSTRAINTS_CA: [u8; 5] = [SEQUENCE, 0x03, w::BOOLEAN, 0x01, 0xFF];

/// The DER of a self-signed CA certificate with the real profile and extension order.
pub(super) fn self_signed_der(request: &CaRequest, key: &CaKey) -> Result<Vec<u8>, Error> {
    if request.not_after < request.not_before {
        return Err(Error::BadValidity {
            reason: "notAfter precedes notBefore",
        });
    }
    let name = ca_name(request.hierarchy, request.environment).to_der();
    let public = key.public_key();
    let spki = public.to_spki_der()?;
    let algorithm = w::signature_algorithm(key.algorithm());
    let extensions = w::seq(&[
        &w::critical_extension(&oid::EXT_KEY_USAGE, &KEY_USAGE_CA),
        &w::extension(
            &oid::EXT_SAN,
            &ext::subject_alt_directory_name(&ca_alt_name(request.hierarchy))?,
        ),
        &w::critical_extension(&oid::EXT_BASIC_CONSTRAINTS, &BASIC_CONSTRAINTS_CA),
        &w::extension(
            &oid::EXT_CRL_DP,
            &ext::crl_distribution_point(&ca_name(request.hierarchy, request.environment))?,
        ),
        &w::extension(
            &oid::EXT_SKI,
            &ext::subject_key_identifier(&public.key_identifier()?)?,
        ),
    ]);
    let mut validity = Vec::with_capacity(32);
    w::push_time(&mut validity, rcgen_time(request.not_before)?);
    w::push_time(&mut validity, rcgen_time(request.not_after)?);
    let tbs = w::seq(&[
        &w::tlv(0xA0, &w::uint(&[2])),
        &w::uint(request.serial.as_bytes()),
        &algorithm,
        &name,
        &w::tlv(SEQUENCE, &validity),
        &name,
        &spki,
        &w::tlv(0xA3, &extensions),
    ]);
    let signature = sign(key, &tbs)?;
    Ok(w::seq(&[&tbs, &algorithm, &w::bit_string(&signature)]))
}
