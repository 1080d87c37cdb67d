//! The self-signed CA certificate, written with the crate's DER writer instead of rcgen.
//!
//! Why not rcgen: the real J-LIS CAs order their extensions keyUsage, subjectAltName,
//! basicConstraints, cRLDistributionPoints, subjectKeyIdentifier (spec §7.1). rcgen writes its
//! native extensions in a fixed order (SAN, keyUsage, extKeyUsage, CRL DP, then SKI before
//! basicConstraints for a CA) and custom extensions only after them, so no combination of
//! native and custom extensions yields the real order: SKI would always precede
//! basicConstraints. Writing the whole TBSCertificate here makes every byte ours to choose; it
//! is signed with the same `rsa` PKCS #1 v1.5 SHA-256 signer as the rest.

use rsa::PrivateKey;
use rsa::pkcs8::EncodePublicKey;

use super::rcgen_glue::{rcgen_time, sign_sha256};
use super::{CaRequest, key_identifier};
use crate::der_writer::{self as w, SEQUENCE};
use crate::extensions as ext;
use crate::name::{ca_alt_name, ca_name};
use crate::{Error, oid};

/// keyUsage keyCertSign + cRLSign: BIT STRING, 1 unused bit, `0000 0110` (as the real CAs).
const KEY_USAGE_CA: [u8; 4] = [w::BIT_STRING, 0x02, 0x01, 0x06];
/// basicConstraints `{ cA TRUE }`, no path length (as the real CAs).
const BASIC_CONSTRAINTS_CA: [u8; 5] = [SEQUENCE, 0x03, w::BOOLEAN, 0x01, 0xFF];

/// The DER of a self-signed CA certificate with the real profile and extension order.
pub(super) fn self_signed_der(request: &CaRequest, key: &PrivateKey) -> Result<Vec<u8>, Error> {
    if request.not_after < request.not_before {
        return Err(Error::BadValidity {
            reason: "notAfter precedes notBefore",
        });
    }
    let name = ca_name(request.hierarchy, request.environment).to_der();
    let public = key.to_public_key();
    let spki = public
        .to_public_key_der()
        .map_err(|_| Error::BadPublicKey)?;
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
            &ext::subject_key_identifier(&key_identifier(&public)?)?,
        ),
    ]);
    let mut validity = Vec::with_capacity(32);
    w::push_time(&mut validity, rcgen_time(request.not_before)?);
    w::push_time(&mut validity, rcgen_time(request.not_after)?);
    let tbs = w::seq(&[
        &w::tlv(0xA0, &w::uint(&[2])),
        &w::uint(request.serial.as_bytes()),
        &w::sha256_with_rsa(),
        &name,
        &w::tlv(SEQUENCE, &validity),
        &name,
        spki.as_bytes(),
        &w::tlv(0xA3, &extensions),
    ]);
    let signature = sign_sha256(key, &tbs)?;
    Ok(w::seq(&[
        &tbs,
        &w::sha256_with_rsa(),
        &w::bit_string(&signature),
    ]))
}
