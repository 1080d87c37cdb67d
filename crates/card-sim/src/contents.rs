//! What the issuer writes onto a card: the typed input of [`SimCard::new`](crate::SimCard::new).

use core::fmt;

use pin_policy::{Pin, PinKind, PinSlot};

// `sample` still names the profile through here
pub use crate::profile::{CardProfile, KeyRole};
mod aps;
mod debug;
pub(crate) mod next_gen;

pub use aps::{
    CommonContents, FaceUpdate, MfObjects, TextSupportRecords, VerificationContents, VisualContents,
};
pub(crate) use aps::{
    CommonSlot, TextRecordSlot, VerificationSlot, VisualSlot, needs_verification, number_a,
};

use crate::{
    admin::{CARD_ID_LEN, Hex},
    engine::SigningKey,
    error::Error,
    holder::{FourFacts, MyNumber},
    life::{CardHistory, CardState},
};

/// Largest EF content: READ BINARY offsets end at `7FFF` and one read returns up to 256 bytes.
pub(crate) const MAX_EF_LEN: usize = 0x7FFF + 256;

/// One JPKI key with its certificates and PIN, as issued.
#[derive(Clone)]
pub struct KeyContents {
    /// The end-entity certificate (DER).
    pub certificate: Vec<u8>,
    /// The issuing CA's certificate (DER).
    pub ca_certificate: Vec<u8>,
    /// The RSA-2048 private key (zeroized on drop by `rsa`).
    pub private_key: rsa::PrivateKey,
    /// The PIN guarding the key.
    pub pin: Pin,
    /// The PIN's retry limit (1..=15); [`PinKind::default_retry_limit`] for a real card.
    pub retry_limit: u8,
}

/// The 券面事項入力補助AP's content.
#[derive(Debug, Clone)]
pub struct TextSupportContents {
    /// The individual number.
    pub my_number: MyNumber,
    /// Name, address, date of birth, sex.
    pub facts: FourFacts,
    /// The 4-digit PIN (EF 0011).
    pub pin: Pin,
    /// Its retry limit (3 on a real card).
    pub retry_limit: u8,
    /// EFs `0003`–`0008` and keys `0013`–`0015` (card-map §4). `None` = a card issued before
    /// they were simulated (an older card file): those EFs and keys are absent (`6A82`).
    pub records: Option<TextSupportRecords>,
}

/// Everything on a card, as the issuer (the municipal window) fills it in.
#[derive(Debug, Clone)]
pub struct CardContents {
    /// Juki or My Number card.
    pub profile: CardProfile,
    /// The authentication key (My Number card only; may be omitted).
    pub authentication: Option<KeyContents>,
    /// The signature key (may be omitted, e.g. for holders under 15).
    pub signature: Option<KeyContents>,
    /// The text-support AP (My Number card only).
    pub text_support: Option<TextSupportContents>,
    /// The 券面事項確認AP (My Number card only; needs `text_support` for 照合番号A, the My
    /// Number, and `verification`).
    pub visual: Option<VisualContents>,
    /// The 共通カードAP and 住基AP (both profiles).
    pub common: Option<CommonContents>,
    /// 照合番号B and the birth-date key: required when `text_support.records` or `visual` is
    /// present, refused otherwise and on a Juki card.
    pub verification: Option<VerificationContents>,
}

/// What binds a card to its issuing municipality (written at issuance, card-file format 2):
/// the card's unique ID, the municipal administration public key that EXTERNAL AUTHENTICATE
/// checks, and the card's expiry date (which bounds the certificates' validity on re-issue).
#[derive(Clone, PartialEq, Eq)]
pub struct Administration {
    /// The card's unique ID (random at issuance), readable with GET DATA `00 CA 00 45 00`.
    pub card_id: [u8; CARD_ID_LEN],
    /// The municipality's ECDSA P-256 administration key (public half).
    pub admin_key: p256::ecdsa::VerifyingKey,
    /// The card's expiry date.
    pub card_expiry: time::Date,
}

impl fmt::Debug for Administration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Administration")
            .field("card_id", &Hex(&self.card_id))
            .field("card_expiry", &self.card_expiry)
            .finish_non_exhaustive()
    }
}

/// A key as the card holds it: contents with a live retry counter.
#[derive(Clone)]
pub(crate) struct KeySlot {
    pub(crate) certificate: Vec<u8>,
    pub(crate) ca_certificate: Vec<u8>,
    /// Prepared for every engine once, at load or issue.
    pub(crate) private_key: SigningKey,
    pub(crate) pin: PinSlot,
}

/// The text-support AP as the card holds it.
#[derive(Debug, Clone)]
pub(crate) struct TextSlot {
    pub(crate) my_number: MyNumber,
    pub(crate) facts: FourFacts,
    pub(crate) pin: PinSlot,
    pub(crate) records: Option<TextRecordSlot>,
}

/// The card's persistent state (what the card file holds).
#[derive(Debug, Clone)]
pub(crate) struct CardData {
    pub(crate) profile: CardProfile,
    pub(crate) authentication: Option<KeySlot>,
    pub(crate) signature: Option<KeySlot>,
    pub(crate) text_support: Option<TextSlot>,
    pub(crate) visual: Option<VisualSlot>,
    pub(crate) common: Option<CommonSlot>,
    pub(crate) verification: Option<VerificationSlot>,
    /// The next-generation 認証AP (NG-sim v1): on such a card every part above is absent.
    pub(crate) next_gen: Option<next_gen::NgSlot>,
    /// Issued by an authority (format 2); `None` for cards built from bare contents and
    /// version-1 files: no administrative unlock is possible on them.
    pub(crate) admin: Option<Administration>,
    /// Active, lost, ceased or terminated (a terminated or ceased card has its keys, PINs and
    /// text data erased and answers every command `6A82`).
    pub(crate) state: CardState,
    /// The window's last renewal and PIN reset.
    pub(crate) history: CardHistory,
}

impl CardData {
    /// Checks `contents` against the profile's rules and builds the card state.
    pub(crate) fn issue(contents: CardContents) -> Result<Self, Error> {
        let CardContents {
            profile,
            authentication,
            signature,
            text_support,
            visual,
            common,
            verification,
        } = contents;
        if profile == CardProfile::Juki {
            if visual.is_some() {
                return Err(Error::NotOnProfile {
                    profile,
                    part: "visual application",
                });
            }
            if verification.is_some() {
                return Err(Error::NotOnProfile {
                    profile,
                    part: "verification numbers",
                });
            }
            if authentication.is_some() {
                return Err(Error::NotOnProfile {
                    profile,
                    part: "authentication key",
                });
            }
            if text_support.is_some() {
                return Err(Error::NotOnProfile {
                    profile,
                    part: "text-support application",
                });
            }
        }
        let authentication = authentication
            .map(|k| KeySlot::issue(profile, KeyRole::Authentication, k))
            .transpose()?;
        let signature = signature
            .map(|k| KeySlot::issue(profile, KeyRole::Signature, k))
            .transpose()?;
        let verification = verification.map(VerificationSlot::issue).transpose()?;
        let text_support = text_support
            .map(|t| TextSlot::issue(t, verification.as_ref()))
            .transpose()?;
        let visual = match (visual, &text_support, &verification) {
            (None, _, _) => None,
            (Some(v), Some(text), Some(verification)) => Some(VisualSlot::issue(
                v,
                number_a(&text.my_number)?,
                verification,
            )?),
            (Some(_), None, _) => {
                return Err(Error::InvalidContents {
                    part: "visual application",
                    reason: "照合番号A needs the text-support My Number",
                });
            }
            (Some(_), _, None) => return Err(needs_verification()),
        };
        let common = common.map(CommonSlot::issue).transpose()?;
        let data = CardData {
            profile,
            authentication,
            signature,
            text_support,
            visual,
            common,
            verification,
            next_gen: None,
            admin: None,
            state: CardState::Active,
            history: CardHistory::default(),
        };
        data.check()?;
        Ok(data)
    }

    /// The rules every card state satisfies (also checked after loading a file).
    pub(crate) fn check(&self) -> Result<(), Error> {
        self.check_next_gen()?;
        for (role, slot) in [
            (KeyRole::Authentication, &self.authentication),
            (KeyRole::Signature, &self.signature),
        ] {
            let Some(slot) = slot else { continue };
            let expected = self.profile.pin_kind(role);
            if slot.pin.kind() != expected {
                return Err(Error::WrongPinKind {
                    role,
                    expected,
                    found: slot.pin.kind(),
                });
            }
            let bits = slot.private_key.size() * 8;
            if bits != 2048 {
                return Err(Error::KeySize { role, bits });
            }
            let (cert_fid, ca_fid) = match role {
                KeyRole::Authentication => (0x000A, 0x000B),
                KeyRole::Signature => (0x0001, 0x0002),
            };
            check_ef_len(cert_fid, slot.certificate.len())?;
            check_ef_len(ca_fid, slot.ca_certificate.len())?;
        }
        if self.profile == CardProfile::Juki && self.authentication.is_some() {
            return Err(Error::NotOnProfile {
                profile: self.profile,
                part: "authentication key",
            });
        }
        if let Some(text) = &self.text_support {
            if self.profile == CardProfile::Juki {
                return Err(Error::NotOnProfile {
                    profile: self.profile,
                    part: "text-support application",
                });
            }
            if text.pin.kind() != PinKind::TextSupport {
                return Err(Error::Pin(pin_policy::Error::KindMismatch {
                    expected: PinKind::TextSupport,
                    found: text.pin.kind(),
                }));
            }
            text.facts.validate()?;
            if let Some(records) = &text.records {
                records.check()?;
            }
        }
        self.check_new_aps()
    }

    /// The rules of the 確認AP, 共通/住基 APs and verification numbers.
    fn check_new_aps(&self) -> Result<(), Error> {
        if self.profile == CardProfile::Juki
            && (self.visual.is_some() || self.verification.is_some())
        {
            return Err(Error::NotOnProfile {
                profile: self.profile,
                part: "visual application",
            });
        }
        let verification_needed = self.visual.is_some()
            || self
                .text_support
                .as_ref()
                .is_some_and(|t| t.records.is_some());
        match &self.verification {
            Some(v) => v.check()?,
            None if verification_needed => return Err(needs_verification()),
            None => {}
        }
        if let Some(visual) = &self.visual {
            if self.text_support.is_none() {
                return Err(Error::InvalidContents {
                    part: "visual application",
                    reason: "照合番号A needs the text-support My Number",
                });
            }
            visual.check()?;
        }
        if let Some(common) = &self.common {
            common.check()?;
        }
        Ok(())
    }
}

pub(crate) fn check_ef_len(fid: u16, len: usize) -> Result<(), Error> {
    if len > MAX_EF_LEN {
        Err(Error::EfTooLarge { fid, len })
    } else {
        Ok(())
    }
}

impl KeySlot {
    fn issue(profile: CardProfile, role: KeyRole, k: KeyContents) -> Result<Self, Error> {
        let expected = profile.pin_kind(role);
        if k.pin.kind() != expected {
            return Err(Error::WrongPinKind {
                role,
                expected,
                found: k.pin.kind(),
            });
        }
        Ok(KeySlot {
            certificate: k.certificate,
            ca_certificate: k.ca_certificate,
            private_key: SigningKey::new(k.private_key).ok_or(Error::KeyRejected { role })?,
            pin: PinSlot::new(k.pin, k.retry_limit)?,
        })
    }
}

impl TextSlot {
    fn issue(
        t: TextSupportContents,
        verification: Option<&VerificationSlot>,
    ) -> Result<Self, Error> {
        if t.pin.kind() != PinKind::TextSupport {
            return Err(Error::Pin(pin_policy::Error::KindMismatch {
                expected: PinKind::TextSupport,
                found: t.pin.kind(),
            }));
        }
        t.facts.validate()?;
        let records = match (t.records, verification) {
            (None, _) => None,
            (Some(r), Some(v)) => Some(TextRecordSlot::issue(r, number_a(&t.my_number)?, v)?),
            (Some(_), None) => return Err(needs_verification()),
        };
        Ok(TextSlot {
            my_number: t.my_number,
            facts: t.facts,
            pin: PinSlot::new(t.pin, t.retry_limit)?,
            records,
        })
    }
}
