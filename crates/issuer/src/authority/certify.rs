//! The one place the authority's CAs certify a card key (RSA-2048 by today's CA of the
//! hierarchy, P-384 by the next-generation CA of the same name): the municipality registered (its CRL
//! partition), a serial from the counter, a subject CN from the sequence, the certificate
//! profile's request, the CA's signature. Issuance, renewal and a change of the 4 facts all
//! come through here.
//!
//! Subject common names, with the structure of real certificates (jpki-spec §7.1; what the
//! parts mean is not public, so the parts below are our choice):
//! * authentication, 23 characters: `YYMMDDhhmm` (JST) of the request + a 4-digit sequence
//!   (14 characters) + the 5-digit 団体コード + `003A`;
//! * signature, 28 characters: `YYYYMMDDhhmmss` (JST) of the request + a 5-digit sequence +
//!   the 9-character window ID, which is the 5-digit 団体コード + the 4-digit window number
//!   [`WINDOW`] (`0001`: every authority is one window per municipality).
//!
//! The sequence is one counter of the authority's state (`cn-sequence`), advanced by every
//! certificate and taken modulo 10⁴ (authentication) or 10⁵ (signature): two CNs can only be
//! equal if 10 000 certificates were issued within the same minute.

use cert::keys::SubjectKey;
use cert::time::OffsetDateTime;
use cert::{
    AuthenticationCommonName, AuthenticationRequest, Hierarchy, Holder, JpkiCertificate,
    Municipality, SignatureCommonName, SignatureRequest, WindowId,
};

use super::{Authority, cert_err};
use crate::error::Error;

/// The window number in a signature CN's window ID.
pub const WINDOW: u16 = 1;

impl Authority {
    /// An authentication certificate for `public`, valid from `at` to `not_after`, naming
    /// `municipality`'s CRL partition (registered now if new). Spends a serial and a CN
    /// sequence number (the caller saves the state).
    pub(crate) fn certify_authentication(
        &mut self,
        public: impl Into<SubjectKey>,
        at: OffsetDateTime,
        not_after: OffsetDateTime,
        municipality: &Municipality,
    ) -> Result<JpkiCertificate, Error> {
        let public = public.into();
        self.require_ca(Hierarchy::Authentication, public.algorithm())?;
        self.register(municipality)?;
        let serial = self.take_serial()?;
        let sequence = self.take_cn_sequence();
        let common_name = authentication_common_name(at, sequence, municipality)?;
        self.require_ca(Hierarchy::Authentication, public.algorithm())?
            .issue_authentication(&AuthenticationRequest {
                serial,
                public_key: &public,
                not_before: at,
                not_after,
                municipality,
                common_name,
            })
            .map_err(cert_err)
    }

    /// A signature certificate for `public` over `holder`'s 4 facts, valid from `at` to
    /// `not_after`, in the holder's municipality's partition (registered now if new). Spends a
    /// serial and a CN sequence number (the caller saves the state).
    pub(crate) fn certify_signature(
        &mut self,
        public: impl Into<SubjectKey>,
        at: OffsetDateTime,
        not_after: OffsetDateTime,
        holder: &Holder,
    ) -> Result<JpkiCertificate, Error> {
        let public = public.into();
        self.require_ca(Hierarchy::Signature, public.algorithm())?;
        self.register(&holder.municipality)?;
        let serial = self.take_serial()?;
        let sequence = self.take_cn_sequence();
        let common_name = signature_common_name(at, sequence, &holder.municipality)?;
        self.require_ca(Hierarchy::Signature, public.algorithm())?
            .issue_signature(&SignatureRequest {
                serial,
                public_key: &public,
                not_before: at,
                not_after,
                holder,
                common_name,
            })
            .map_err(cert_err)
    }

    /// The next CN sequence number (the counter wraps, see the module docs).
    fn take_cn_sequence(&mut self) -> u64 {
        let n = self.state.cn_sequence;
        self.state.cn_sequence = n.wrapping_add(1);
        n
    }
}

/// An authentication certificate's subject CN (23 characters, see the module docs).
pub(crate) fn authentication_common_name(
    at: OffsetDateTime,
    sequence: u64,
    municipality: &Municipality,
) -> Result<AuthenticationCommonName, Error> {
    // < 10 000
    let sequence = u16::try_from(sequence % 10_000).unwrap_or(0);
    AuthenticationCommonName::new(at, sequence, municipality.code.as_str()).map_err(cert_err)
}

/// A signature certificate's subject CN (28 characters, see the module docs).
pub(crate) fn signature_common_name(
    at: OffsetDateTime,
    sequence: u64,
    municipality: &Municipality,
) -> Result<SignatureCommonName, Error> {
    // < 100 000
    let sequence = u32::try_from(sequence % 100_000).unwrap_or(0);
    let window = WindowId::new(municipality.code.as_str(), WINDOW).map_err(cert_err)?;
    SignatureCommonName::new(at, sequence, &window).map_err(cert_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn common_names_have_the_real_lengths_and_parts() {
        let m = Municipality::new("14104", "Yokohama-shi-Naka-ku").unwrap();
        // 2026-04-01 23:30:05 UTC is 2026-04-02 08:30:05 JST
        let at = datetime!(2026-04-01 23:30:05 UTC);
        let auth = authentication_common_name(at, 12_345, &m).unwrap();
        let auth = auth.as_str();
        assert_eq!(auth, "2604020830234514104003A");
        assert_eq!(auth.len(), 23);
        assert_eq!(&auth[..10], "2604020830");
        assert_eq!(&auth[10..14], "2345");
        assert_eq!(&auth[14..19], "14104");
        assert!(auth.ends_with("003A"));
        let sign = signature_common_name(at, 123_456, &m).unwrap();
        let sign = sign.as_str();
        assert_eq!(sign, "2026040208300523456141040001");
        assert_eq!(sign.len(), 28);
        assert_eq!(&sign[..14], "20260402083005");
        assert_eq!(&sign[14..19], "23456");
        assert_eq!(&sign[19..], "141040001");
        assert!(sign.bytes().all(|b| b.is_ascii_digit()));
    }
}
