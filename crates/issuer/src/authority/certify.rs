//! The one place the authority's CAs certify a card key: a serial from the counter, the
//! certificate profile's request, the CA's signature. Issuance, renewal and a change of the 4
//! facts all come through here.

use cert::rsa::PublicKey;
use cert::time::OffsetDateTime;
use cert::{AuthenticationRequest, Holder, JpkiCertificate, Municipality, SignatureRequest};

use super::{Authority, cert_err};
use crate::error::Error;

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
        self.auth_ca
            .issue_authentication(&AuthenticationRequest {
                serial,
                public_key: public,
                not_before: at,
                not_after,
                municipality,
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
        self.sign_ca
            .issue_signature(&SignatureRequest {
                serial,
                public_key: public,
                not_before: at,
                not_after,
                holder,
            })
            .map_err(cert_err)
    }
}
