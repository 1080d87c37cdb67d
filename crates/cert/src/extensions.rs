//! Contents of the JPKI extensions that rcgen cannot write itself, encoded with `der` /
//! `x509-cert` types and handed to rcgen as [`rcgen::CustomExtension`]s.
//!
//! rcgen writes keyUsage and extKeyUsage natively; the rest is built here. rcgen has no
//! certificatePolicies, no issuerAltName, no directoryName in SAN or CRL distribution points
//! (URIs only), an AKI with the key identifier only (JPKI adds issuer and serial), no AIA, and
//! writes an SKI only on certificates that carry basicConstraints. It also writes a SAN before
//! keyUsage where J-LIS writes it after, so the signature certificate's SAN otherNames are a
//! custom extension too. CA certificates are not written with rcgen at all (see `issue::ca`).

use der::asn1::{Ia5String, ObjectIdentifier, OctetString, PrintableStringRef, Utf8StringRef};
use der::{Any, Decode, Encode};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName, OtherName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, CrlDistributionPoints,
    IssuerAltName, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;

use crate::der_writer as w;
use crate::name::{AttributeKind, DistinguishedName};
use crate::{Error, Serial, oid};

/// The arcs of an OID as rcgen wants them.
pub(crate) fn arcs(id: &ObjectIdentifier) -> Vec<u64> {
    id.arcs().map(u64::from).collect()
}

/// A custom extension with `der`-encoded content.
pub(crate) fn custom(
    id: &ObjectIdentifier,
    critical: bool,
    content: Vec<u8>,
) -> rcgen::CustomExtension {
    let mut ext = rcgen::CustomExtension::from_oid_content(&arcs(id), content);
    ext.set_criticality(critical);
    ext
}

/// An x509-cert `Name` with the JPKI string types: `C` PrintableString, the rest UTF8String,
/// one attribute per RDN, repeated types kept in order.
pub(crate) fn x509_name(name: &DistinguishedName) -> Result<Name, Error> {
    let mut rdns = Vec::with_capacity(name.attributes().len());
    for (kind, value) in name.attributes() {
        let value = if *kind == AttributeKind::Country {
            Any::encode_from(&PrintableStringRef::new(value)?)?
        } else {
            Any::encode_from(&Utf8StringRef::new(value)?)?
        };
        let atv = AttributeTypeAndValue {
            oid: kind.oid(),
            value,
        };
        rdns.push(RelativeDistinguishedName::try_from(vec![atv])?);
    }
    // `Name` has no public constructor from an `RdnSequence` (short of the `hazmat` feature):
    // go through its DER, which is the RDN sequence's.
    Ok(Name::from_der(&RdnSequence::from(rdns).to_der()?)?)
}

/// `GeneralNames` holding one directoryName: SAN of a CA.
pub(crate) fn subject_alt_directory_name(name: &DistinguishedName) -> Result<Vec<u8>, Error> {
    Ok(SubjectAltName(vec![GeneralName::DirectoryName(x509_name(name)?)]).to_der()?)
}

/// subjectAltName of a signature certificate: one otherName `{ type-id, [0] EXPLICIT
/// UTF8String }` per 4-facts value, in the order given (the card order).
pub(crate) fn subject_alt_other_names(
    values: &[(ObjectIdentifier, &str)],
) -> Result<Vec<u8>, Error> {
    let mut names = Vec::with_capacity(values.len());
    for (type_id, value) in values {
        names.push(GeneralName::OtherName(OtherName {
            type_id: *type_id,
            value: Any::encode_from(&Utf8StringRef::new(value)?)?,
        }));
    }
    Ok(SubjectAltName(names).to_der()?)
}

/// `GeneralNames` holding one directoryName: issuerAltName of an end-entity certificate.
pub(crate) fn issuer_alt_directory_name(name: &DistinguishedName) -> Result<Vec<u8>, Error> {
    Ok(IssuerAltName(vec![GeneralName::DirectoryName(x509_name(name)?)]).to_der()?)
}

/// cRLDistributionPoints with one distribution point whose fullName is a directoryName.
pub(crate) fn crl_distribution_point(name: &DistinguishedName) -> Result<Vec<u8>, Error> {
    let point = DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![
            GeneralName::DirectoryName(x509_name(name)?),
        ])),
        reasons: None,
        crl_issuer: None,
    };
    Ok(CrlDistributionPoints(vec![point]).to_der()?)
}

/// certificatePolicies with one policy (DER content octets: the NG-sim arc does not fit `der`'s
/// `ObjectIdentifier`, see [`oid::NG_SIM_ARC`]) and its CPS URI qualifier, written with the
/// crate's DER writer: `SEQUENCE { SEQUENCE { policy, SEQUENCE { SEQUENCE { id-qt-cps,
/// IA5String uri } } } }`.
pub(crate) fn certificate_policies(policy: &[u8], cps_uri: &str) -> Vec<u8> {
    let cps = w::seq(&[
        &w::oid(&oid::QT_CPS),
        &w::tlv(w::IA5_STRING, cps_uri.as_bytes()),
    ]);
    let info = w::seq(&[&w::tlv(w::OID, policy), &w::seq(&[&cps])]);
    w::seq(&[&info])
}

/// authorityInfoAccess with one OCSP responder URI.
pub(crate) fn ocsp_access(uri: &str) -> Result<Vec<u8>, Error> {
    let ocsp = AccessDescription {
        access_method: oid::AD_OCSP,
        access_location: GeneralName::UniformResourceIdentifier(Ia5String::new(uri)?),
    };
    Ok(AuthorityInfoAccessSyntax(vec![ocsp]).to_der()?)
}

/// authorityKeyIdentifier with keyIdentifier, authorityCertIssuer (directoryName) and
/// authorityCertSerialNumber, as J-LIS writes it.
pub(crate) fn authority_key_identifier(
    key_id: &[u8],
    issuer: &DistinguishedName,
    serial: Serial,
) -> Result<Vec<u8>, Error> {
    let magnitude = match serial.as_bytes() {
        [] => &[0u8][..],
        m => m,
    };
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(key_id)?),
        authority_cert_issuer: Some(vec![GeneralName::DirectoryName(x509_name(issuer)?)]),
        authority_cert_serial_number: Some(SerialNumber::new(magnitude)?),
    };
    Ok(aki.to_der()?)
}

/// subjectKeyIdentifier (end-entity certificates; rcgen writes it only with basicConstraints).
pub(crate) fn subject_key_identifier(key_id: &[u8]) -> Result<Vec<u8>, Error> {
    Ok(SubjectKeyIdentifier(OctetString::new(key_id)?).to_der()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::ca_name;
    use crate::{Environment, Hierarchy};

    #[test]
    fn names_encode_as_the_profile_writer_does() {
        for h in [Hierarchy::Signature, Hierarchy::Authentication] {
            let name = ca_name(h, Environment::Production);
            assert_eq!(x509_name(&name).unwrap().to_der().unwrap(), name.to_der());
        }
    }

    #[test]
    fn aki_carries_key_id_issuer_and_serial() {
        let name = ca_name(Hierarchy::Signature, Environment::Production);
        let der = authority_key_identifier(&[7; 20], &name, Serial::from(0x80)).unwrap();
        let aki = AuthorityKeyIdentifier::from_der(&der).unwrap();
        assert_eq!(aki.key_identifier.unwrap().as_bytes(), [7; 20]);
        let serial = aki.authority_cert_serial_number.unwrap();
        assert_eq!(
            Serial::from_der_integer(serial.as_bytes()).unwrap(),
            Serial::from(0x80)
        );
        // [2] IMPLICIT INTEGER 128: a sign byte is added.
        assert!(der.ends_with(&[0x82, 0x02, 0x00, 0x80]));
    }
}
