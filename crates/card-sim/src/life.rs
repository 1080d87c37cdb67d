//! Where a card is in its life at the municipal window: active, reported lost, returned after
//! the holder's death or departure from Japan, or terminated after a fault — and the window's
//! last renewal and PIN reset on it. Kept in the card file (format 4, see [`crate::store`]).

use time::OffsetDateTime;

/// A card's state, as the issuing municipality records it on the card file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CardState {
    /// In use (every card file from before format 4 loads as this, or as
    /// [`Terminated`](Self::Terminated) when it was).
    Active,
    /// Reported lost or stolen: both certificates revoked (keyCompromise). The card still
    /// answers every command — whoever holds it can use it — but every relying party that
    /// checks the CRL refuses its certificates.
    Lost {
        /// When it was reported (whole seconds).
        at: OffsetDateTime,
    },
    /// Returned after the holder's death or departure from Japan: certificates revoked
    /// (cessationOfOperation), keys, PINs and text data erased, every command answered `6A82`.
    Ceased {
        /// Why.
        cause: Cessation,
        /// When (whole seconds).
        at: OffsetDateTime,
    },
    /// Terminated after a fault: keys, PINs and text data erased, every command answered `6A82`.
    Terminated,
}

impl CardState {
    /// Whether the card's applications are gone (it answers every command `6A82`).
    #[must_use]
    pub fn is_terminated(self) -> bool {
        matches!(self, Self::Terminated | Self::Ceased { .. })
    }
}

impl core::fmt::Display for CardState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Active => f.write_str("active"),
            Self::Lost { at } => write!(f, "lost (reported {at}; certificates revoked)"),
            Self::Ceased { cause, at } => write!(
                f,
                "ceased ({cause}, {at}; certificates revoked, card terminated)"
            ),
            Self::Terminated => f.write_str("terminated (card fault)"),
        }
    }
}

/// Why a card ceased (its certificates revoked cessationOfOperation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cessation {
    /// The holder died (死亡).
    Death,
    /// The holder left Japan (国外転出).
    Emigration,
}

impl Cessation {
    /// The card-file code (1 death, 2 emigration).
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Death => 1,
            Self::Emigration => 2,
        }
    }

    /// The cause of a card-file code.
    pub(crate) fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Death),
            2 => Some(Self::Emigration),
            _ => None,
        }
    }
}

impl core::fmt::Display for Cessation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Death => "death",
            Self::Emigration => "emigration",
        })
    }
}

/// The window's last events on a card (format 4; `None` on older files).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CardHistory {
    /// The last renewal (更新) of a certificate on the card (whole seconds).
    pub last_renewal: Option<OffsetDateTime>,
    /// The last reset of a forgotten PIN at the window (whole seconds).
    pub last_pin_reset: Option<OffsetDateTime>,
}

/// `at` without its fraction of a second, as the card file keeps it.
pub(crate) fn whole_seconds(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).unwrap_or(at)
}

/// A renewed key (更新) for [`SimCard::renew_keys`](crate::SimCard::renew_keys): the new key and
/// certificates replace the old ones in the same slot.
pub struct KeyRenewal {
    /// Which key.
    pub role: crate::KeyRole,
    /// The new RSA-2048 private key.
    pub private_key: rsa::PrivateKey,
    /// The new end-entity certificate (DER).
    pub certificate: Vec<u8>,
    /// The issuing CA's certificate (DER).
    pub ca_certificate: Vec<u8>,
    /// A new PIN (its counter back at its limit); `None` keeps the PIN and its counter.
    pub new_pin: Option<pin_policy::Pin>,
}

impl core::fmt::Debug for KeyRenewal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyRenewal")
            .field("role", &self.role)
            .field("new_pin", &self.new_pin.is_some())
            .finish_non_exhaustive()
    }
}
