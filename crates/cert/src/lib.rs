#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod algorithm;
pub mod card_auth;
mod certificate;
pub mod common_name;
pub mod crl;
mod der_reader;
mod der_writer;
mod error;
#[cfg(feature = "issue")]
mod extensions;
pub mod holder;
#[cfg(feature = "issue")]
pub mod issue;
mod key_algorithm;
pub mod keys;
pub mod name;
pub mod oid;
mod types;
pub mod validity;
mod verify;

pub use card_auth::CardAuthCertificate;
pub use certificate::JpkiCertificate;
pub use common_name::{AuthenticationCommonName, SignatureCommonName, WindowId};
pub use crl::{Crl, CrlScope, Revocation, RevocationReason};
pub use error::Error;
pub use holder::{
    CardText, Era, FourFacts, Gender, Holder, Locality, Municipality, MunicipalityCode, TextPart,
};
#[cfg(feature = "issue")]
pub use issue::{
    AuthenticationRequest, CaRequest, CardAuthenticationAuthority, CardAuthenticationRequest,
    CertificateAuthority, CrlRequest, SignatureRequest,
};
pub use keys::{Algorithm, CaKey, SubjectKey};
pub use name::{AttributeKind, DistinguishedName};
pub use types::{CertKind, Environment, Hierarchy, Serial};
pub use verify::{
    CrlStore, RSA_CUTOFF, RevocationCheck, RevocationStatus, TrustAnchors, Verification,
};

/// Re-exported so callers use the same `rsa` as this crate.
pub use rsa;
/// Characters that must never reach a terminal raw (the `safe-text` crate, shared with the card).
pub use safe_text as text;
/// Re-exported so callers use the same `time` as this crate.
pub use time;
