//! The one place the authority's CAs certify a card key: a serial from the counter, the
//! certificate profile's request, the CA's signature. Issuance, renewal and a change of the 4
//! facts all come through here.

use cert::rsa::PublicKey;
use cert::time::OffsetDateTime;
use cert::{
    AuthenticationCommonName, AuthenticationRequest, Holder, JpkiCertificate, Municipality, Serial,
    SignatureCommonName, SignatureRequest, WindowId,
};

use super::{Authority, cert_err};
use crate::error::Error;

/// The window number in the signature CN's window ID (the municipality's code + this): one
/// window per municipality in the simulation.
const WINDOW: u16 = 1;

/// The serial's low decimal digits: the sequence numbers the common names carry. Serials are
/// unique, so consecutive certificates differ in their sequence (until it wraps).
fn low_digits(serial: &Serial, modulus: u64) -> u64 {
    serial
        .as_bytes()
        .iter()
        .fold(0u64, |n, b| ((n << 8) | u64::from(*b)) % modulus)
}

impl Authority {
    /// An authentication certificate for `public`, valid from `at` to `not_after`, naming
    /// `municipality`'s CRL partition. Spends a serial (the caller saves the state).
    pub(crate) fn certify_authentication(
        &mut self,
        public: &PublicKey,
        at: OffsetDateTime,
        not_after: OffsetDateTime,
        municipality: &Municipality,
    ) -> Result<JpkiCertificate, Error> {
        let serial = self.take_serial()?;
        let sequence = u16::try_from(low_digits(&serial, 10_000)).unwrap_or(0);
        let common_name = AuthenticationCommonName::new(at, sequence, municipality.code.as_str())
            .map_err(cert_err)?;
        self.auth_ca
            .issue_authentication(&AuthenticationRequest {
                serial,
                public_key: public,
                not_before: at,
                not_after,
                municipality,
                common_name,
            })
            .map_err(cert_err)
    }

    /// A signature certificate for `public` over `holder`'s 4 facts, valid from `at` to
    /// `not_after`. Spends a serial (the caller saves the state).
    pub(crate) fn certify_signature(
        &mut self,
        public: &PublicKey,
        at: OffsetDateTime,
        not_after: OffsetDateTime,
        holder: &Holder,
    ) -> Result<JpkiCertificate, Error> {
        let serial = self.take_serial()?;
        let sequence = u32::try_from(low_digits(&serial, 100_000)).unwrap_or(0);
        let window = WindowId::new(holder.municipality.code.as_str(), WINDOW).map_err(cert_err)?;
        let common_name = SignatureCommonName::new(at, sequence, &window).map_err(cert_err)?;
        self.sign_ca
            .issue_signature(&SignatureRequest {
                serial,
                public_key: public,
                not_before: at,
                not_after,
                holder,
                common_name,
            })
            .map_err(cert_err)
    }
}
