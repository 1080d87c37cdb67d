//! What the issuer writes onto a next-generation card (NG-sim v1): the input of
//! [`SimCard::new_next_gen`](crate::SimCard::new_next_gen). How the card holds it is in
//! `contents::next_gen`.

use core::fmt;

use pin_policy::Pin;

use super::ids;
use crate::holder::{FourFacts, MyNumber};

/// One P-384 key of the 認証AP with its end-entity and CA certificates (DER; the card never
/// parses them).
#[derive(Clone)]
pub struct NextGenKey {
    /// The private key (wiped on drop by `p384`).
    pub private_key: p384::SecretKey,
    /// The end-entity certificate (DER).
    pub certificate: Vec<u8>,
    /// The issuing CA's certificate (DER).
    pub ca_certificate: Vec<u8>,
}

/// Retry limits of the three secrets (issuance parameters, `1..=15`; the profile's defaults
/// by [`Default`]: SIGN_PW 5, PIN4 3, PUK 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextGenRetryLimits {
    /// 署名用パスワード (`81`).
    pub sign_pw: u8,
    /// 暗証番号 (`82`).
    pub pin4: u8,
    /// PUK (`83`), applied when the holder sets one.
    pub puk: u8,
}

impl Default for NextGenRetryLimits {
    fn default() -> Self {
        NextGenRetryLimits {
            sign_pw: ids::DEFAULT_SIGN_PW_RETRIES,
            pin4: ids::DEFAULT_PIN4_RETRIES,
            puk: ids::DEFAULT_PUK_RETRIES,
        }
    }
}

/// Everything on an NG-sim v1 card (shared/next-gen-profile.md §2.3), as the municipal window
/// fills it in: the input of [`SimCard::new_next_gen`](crate::SimCard::new_next_gen). No PUK:
/// the holder sets one after the signing password.
#[derive(Clone)]
pub struct NextGenContents {
    /// Key `01` with EF `000A`/`000B` (may be omitted, as today).
    pub authentication: Option<NextGenKey>,
    /// Key `02` with EF `0001`/`0002` (may be omitted, e.g. under 15).
    pub signature: Option<NextGenKey>,
    /// Key `03` (card genuineness) with EF `000C`/`000D`.
    pub card_authentication: NextGenKey,
    /// EF `0021` (bytes as today's 入力補助 `0001`).
    pub my_number: MyNumber,
    /// EF `0022` (bytes as today's 入力補助 `0002`).
    pub facts: FourFacts,
    /// 署名用パスワード: a [`PinKind::Signature`](pin_policy::PinKind::Signature) (6–16 `A–Z`/`0–9`, a letter and a digit).
    pub sign_pw: Pin,
    /// 暗証番号: a [`PinKind::Authentication`](pin_policy::PinKind::Authentication) (4 digits).
    pub pin4: Pin,
    /// The retry limits.
    pub retry_limits: NextGenRetryLimits,
}

/// A renewal (更新) of a next-generation card for
/// [`SimCard::renew_next_gen`](crate::SimCard::renew_next_gen): the keys renewed (each replaces
/// the key of its slot), and new values for the secrets the holder chose to change (`None`
/// keeps a secret with its counter).
#[derive(Debug, Default)]
pub struct NextGenRenewal {
    /// Key `01` with EF `000A`/`000B`.
    pub authentication: Option<NextGenKey>,
    /// Key `02` with EF `0001`/`0002`.
    pub signature: Option<NextGenKey>,
    /// A new 暗証番号 (`82`), its counter back at its limit.
    pub pin4: Option<Pin>,
    /// A new 署名用パスワード (`81`), its counter back at its limit.
    pub sign_pw: Option<Pin>,
}

/// Certificates by size, the key not at all: `Debug` output lands in logs.
impl fmt::Debug for NextGenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NextGenKey")
            .field("private_key", &format_args!("<redacted>"))
            .field(
                "certificate",
                &format_args!("<{} bytes>", self.certificate.len()),
            )
            .field(
                "ca_certificate",
                &format_args!("<{} bytes>", self.ca_certificate.len()),
            )
            .finish()
    }
}

impl fmt::Debug for NextGenContents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NextGenContents")
            .field("authentication", &self.authentication)
            .field("signature", &self.signature)
            .field("card_authentication", &self.card_authentication)
            .field("sign_pw", &self.sign_pw)
            .field("pin4", &self.pin4)
            .field("retry_limits", &self.retry_limits)
            .finish_non_exhaustive()
    }
}
