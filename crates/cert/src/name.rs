//! Distinguished names as the JPKI profile writes them, and the fixed names of its CAs.

use std::fmt;

use der::asn1::ObjectIdentifier;

use crate::der_reader::Reader;
use crate::der_writer::{self as w, PRINTABLE_STRING, SEQUENCE, SET, UTF8_STRING};
use crate::{Environment, Error, Hierarchy, oid};

/// The attribute types that occur in JPKI names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttributeKind {
    /// `C` (written as PrintableString).
    Country,
    /// `O`.
    Organization,
    /// `OU`.
    OrganizationalUnit,
    /// `L`.
    Locality,
    /// `CN`.
    CommonName,
    /// Any other attribute type.
    Other(ObjectIdentifier),
}

impl AttributeKind {
    pub(crate) fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Country => oid::AT_COUNTRY,
            Self::Organization => oid::AT_ORGANIZATION,
            Self::OrganizationalUnit => oid::AT_ORG_UNIT,
            Self::Locality => oid::AT_LOCALITY,
            Self::CommonName => oid::AT_COMMON_NAME,
            Self::Other(o) => o,
        }
    }

    fn from_oid(o: ObjectIdentifier) -> Self {
        match o {
            _ if o == oid::AT_COUNTRY => Self::Country,
            _ if o == oid::AT_ORGANIZATION => Self::Organization,
            _ if o == oid::AT_ORG_UNIT => Self::OrganizationalUnit,
            _ if o == oid::AT_LOCALITY => Self::Locality,
            _ if o == oid::AT_COMMON_NAME => Self::CommonName,
            _ => Self::Other(o),
        }
    }

    fn label(self) -> String {
        match self {
            Self::Country => "C".into(),
            Self::Organization => "O".into(),
            Self::OrganizationalUnit => "OU".into(),
            Self::Locality => "L".into(),
            Self::CommonName => "CN".into(),
            Self::Other(o) => o.to_string(),
        }
    }
}

/// A distinguished name: one attribute per RDN, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DistinguishedName {
    attributes: Vec<(AttributeKind, String)>,
}

impl DistinguishedName {
    /// An empty name.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one attribute (builder style).
    #[must_use]
    pub fn with(mut self, kind: AttributeKind, value: impl Into<String>) -> Self {
        self.attributes.push((kind, value.into()));
        self
    }

    /// The attributes in order.
    pub fn attributes(&self) -> &[(AttributeKind, String)] {
        &self.attributes
    }

    /// All values of one attribute type, in order (JPKI names repeat `OU` and `L`).
    pub fn values(&self, kind: AttributeKind) -> impl Iterator<Item = &str> {
        self.attributes
            .iter()
            .filter(move |(k, _)| *k == kind)
            .map(|(_, v)| v.as_str())
    }

    /// The last `CN`, if any.
    pub fn common_name(&self) -> Option<&str> {
        self.values(AttributeKind::CommonName).last()
    }

    /// DER encoding: `C` as PrintableString, everything else UTF8String (the JPKI profile).
    pub fn to_der(&self) -> Vec<u8> {
        let mut rdns = Vec::new();
        for (kind, value) in &self.attributes {
            let tag = if *kind == AttributeKind::Country {
                PRINTABLE_STRING
            } else {
                UTF8_STRING
            };
            let atv = w::seq(&[&w::oid(&kind.oid()), &w::tlv(tag, value.as_bytes())]);
            rdns.extend_from_slice(&w::tlv(SET, &atv));
        }
        w::tlv(SEQUENCE, &rdns)
    }

    /// Decodes a DER `Name`. Accepts PrintableString, UTF8String and IA5String values.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let mut outer = Reader::new(der, "Name");
        let mut rdns = outer.enter(SEQUENCE, "Name is not a SEQUENCE")?;
        outer.finish()?;
        let mut attributes = Vec::new();
        while !rdns.is_empty() {
            let mut set = rdns.enter(SET, "RDN is not a SET")?;
            while !set.is_empty() {
                let mut atv = set.enter(SEQUENCE, "AttributeTypeAndValue is not a SEQUENCE")?;
                let oid_tlv = atv.read(w::OID, "attribute type is not an OID")?;
                let o =
                    ObjectIdentifier::from_bytes(oid_tlv.content).map_err(|_| Error::BadName {
                        which: "name",
                        reason: "invalid attribute type OID",
                    })?;
                let value = atv.read_any()?;
                atv.finish()?;
                let text = match value.tag {
                    PRINTABLE_STRING | UTF8_STRING | w::IA5_STRING => {
                        std::str::from_utf8(value.content).map_err(|_| Error::BadName {
                            which: "name",
                            reason: "attribute value is not valid UTF-8",
                        })?
                    }
                    _ => {
                        return Err(Error::BadName {
                            which: "name",
                            reason: "attribute value is not PrintableString/UTF8String/IA5String",
                        });
                    }
                };
                attributes.push((AttributeKind::from_oid(o), text.to_owned()));
            }
        }
        Ok(Self { attributes })
    }
}

impl fmt::Display for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (kind, value)) in self.attributes.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}={}", kind.label(), value)?;
        }
        Ok(())
    }
}

const JLIS_EN: &str = "Japan Agency for Local Authority Information Systems";

/// The subject (= issuer) name of a JPKI CA: `C=JP, O=JPKI, OU=JPKI for …, OU=Japan Agency…`.
pub fn ca_name(hierarchy: Hierarchy, environment: Environment) -> DistinguishedName {
    DistinguishedName::new()
        .with(AttributeKind::Country, "JP")
        .with(AttributeKind::Organization, environment.organization())
        .with(AttributeKind::OrganizationalUnit, hierarchy.unit())
        .with(AttributeKind::OrganizationalUnit, JLIS_EN)
}

/// The Japanese directory name a JPKI CA carries in its SAN and its end-entity certificates in
/// their issuerAltName (observed on the real CA certificates).
pub fn ca_alt_name(hierarchy: Hierarchy) -> DistinguishedName {
    let unit = match hierarchy {
        Hierarchy::Signature => "公的個人認証サービス署名用",
        Hierarchy::Authentication => "公的個人認証サービス利用者証明用",
    };
    DistinguishedName::new()
        .with(AttributeKind::Country, "JP")
        .with(AttributeKind::Organization, "公的個人認証サービス")
        .with(AttributeKind::OrganizationalUnit, unit)
        .with(
            AttributeKind::OrganizationalUnit,
            "地方公共団体情報システム機構",
        )
}

/// The CRL distribution point of an end-entity certificate (spec §7):
/// `C=JP, O=JPKI, OU=JPKI for …, OU=CRL Distribution Points, OU=<pref>, CN=<city> CRLDP`.
pub fn crl_distribution_point(
    hierarchy: Hierarchy,
    environment: Environment,
    prefecture: &str,
    city: &str,
) -> DistinguishedName {
    DistinguishedName::new()
        .with(AttributeKind::Country, "JP")
        .with(AttributeKind::Organization, environment.organization())
        .with(AttributeKind::OrganizationalUnit, hierarchy.unit())
        .with(AttributeKind::OrganizationalUnit, "CRL Distribution Points")
        .with(AttributeKind::OrganizationalUnit, prefecture)
        .with(AttributeKind::CommonName, format!("{city} CRLDP"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_name_round_trips_and_prints() {
        let n = ca_name(Hierarchy::Signature, Environment::Production);
        let der = n.to_der();
        assert_eq!(DistinguishedName::from_der(&der).unwrap(), n);
        assert_eq!(
            n.to_string(),
            "C=JP, O=JPKI, OU=JPKI for digital signature, OU=Japan Agency for Local Authority Information Systems"
        );
        // C is PrintableString, the rest UTF8String.
        assert_eq!(
            der.get(5..14),
            Some(&[0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02][..])
        );
    }

    #[test]
    fn rejects_non_string_attribute_values() {
        let bad = w::seq(&[&w::tlv(
            SET,
            &w::seq(&[&w::oid(&oid::AT_COMMON_NAME), &w::null()]),
        )]);
        assert!(matches!(
            DistinguishedName::from_der(&bad),
            Err(Error::BadName { .. })
        ));
    }
}
