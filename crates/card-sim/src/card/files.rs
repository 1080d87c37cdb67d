//! The file maps of the five applications (card-map §3–§7), and the content of the files the
//! card computes.

use apdu::tlv;

mod jpki;

use jpki::{availability, token_info};

use crate::{
    card::app::{ApKey, App, PinRef},
    contents::CardData,
    holder::FourFacts,
    profile::KeyRole,
};

/// An elementary file of a simulated application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ef {
    /// JPKI `000A` / `0001`: end-entity certificate.
    Certificate(KeyRole),
    /// JPKI `000B` / `0002`: CA certificate.
    CaCertificate(KeyRole),
    /// JPKI `0006`: token info.
    TokenInfo,
    /// JPKI `0008`: certificate availability.
    Availability,
    /// JPKI `0017` / `001A`: private key.
    Key(KeyRole),
    /// JPKI `0018` / `001B`, text-support `0011`: PIN.
    Pin(PinRef),
    /// Text-support `0001`: My Number.
    MyNumber,
    /// Text-support `0002`: the 4 facts.
    Facts,
    /// A binary EF of a 券面 AP whose bytes the issuer wrote (or the card makes: `FF` × 16).
    Stored(Stored),
    /// A card key of a 券面 AP or the 共通カードAP.
    ApKey(ApKey),
    /// A record EF of the 共通カードAP or the 住基AP.
    Record(RecordEf),
}

/// The binary EFs of the two 券面 APs (card-map §4, §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stored {
    /// 入力補助 `0003`.
    TextIntegrity,
    /// 入力補助 `0004`.
    TextCvCertificate,
    /// 入力補助 `0005`.
    TextBasicInfo,
    /// 入力補助 `0006`.
    TextSessionKey,
    /// 入力補助 `0007`.
    TextSignedKey,
    /// 入力補助 `0008`: 16 × `FF`.
    TextUnknown,
    /// 確認AP `0001`.
    VisualAge,
    /// 確認AP `0002`.
    VisualFace,
    /// 確認AP `0003`.
    VisualBasicInfo,
    /// 確認AP `0004`.
    VisualCvCertificate,
    /// 確認AP `0005`.
    VisualMyNumberImage,
    /// 確認AP `0006`: 16 × `FF`.
    VisualUnknown,
}

/// The record EFs (card-map §6, §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordEf {
    /// 共通 `0001`: serial, municipality, expiry.
    CommonCard,
    /// 共通 `0002`: the key reference.
    CommonKeyReference,
    /// 住基 `0002`: the same key reference.
    JukiKeyReference,
}

/// How an EF may be used.
pub(crate) enum Access {
    /// Readable by READ BINARY: free when `needs` is empty, else after VERIFY of any one of
    /// `needs` ("PIN or A").
    Binary { needs: &'static [PinRef] },
    /// Readable by READ RECORD, on the same terms.
    Record { needs: &'static [PinRef] },
    /// A JPKI private key: COMPUTE DIGITAL SIGNATURE only.
    Key(KeyRole),
    /// A 券面/共通 card key: `80 2A 00 00` or INTERNAL AUTHENTICATE.
    ApKey(ApKey),
    /// A PIN: VERIFY and CHANGE REFERENCE DATA only.
    Pin(PinRef),
}

const FREE: &[PinRef] = &[];
const TEXT_PIN_OR_A: &[PinRef] = &[PinRef::TextSupport, PinRef::TextSupportA];
const TEXT_PIN_OR_B: &[PinRef] = &[PinRef::TextSupport, PinRef::TextSupportB];
const TEXT_ANY: &[PinRef] = &[
    PinRef::TextSupport,
    PinRef::TextSupportA,
    PinRef::TextSupportB,
];
const VISUAL_A_OR_B: &[PinRef] = &[PinRef::VisualA, PinRef::VisualB];

/// `0008` of the 入力補助AP and `0006` of the 確認AP: 16 × `FF`, meaning unknown.
const UNKNOWN_EF: [u8; 16] = [0xFF; 16];

pub(crate) fn pin_of(role: KeyRole) -> PinRef {
    match role {
        KeyRole::Authentication => PinRef::Authentication,
        KeyRole::Signature => PinRef::Signature,
    }
}

impl Ef {
    /// The EF with identifier `fid` in `app`, if the card has it.
    pub(crate) fn find(data: &CardData, app: App, fid: u16) -> Option<Ef> {
        let ef = match (app, fid) {
            (App::Jpki, 0x000A) => Ef::Certificate(KeyRole::Authentication),
            (App::Jpki, 0x000B) => Ef::CaCertificate(KeyRole::Authentication),
            (App::Jpki, 0x0001) => Ef::Certificate(KeyRole::Signature),
            (App::Jpki, 0x0002) => Ef::CaCertificate(KeyRole::Signature),
            (App::Jpki, 0x0006) => Ef::TokenInfo,
            (App::Jpki, 0x0008) => Ef::Availability,
            (App::Jpki, 0x0017) => Ef::Key(KeyRole::Authentication),
            (App::Jpki, 0x0018) => Ef::Pin(PinRef::Authentication),
            (App::Jpki, 0x001A) => Ef::Key(KeyRole::Signature),
            (App::Jpki, 0x001B) => Ef::Pin(PinRef::Signature),
            (App::TextSupport, 0x0001) => Ef::MyNumber,
            (App::TextSupport, 0x0002) => Ef::Facts,
            (App::TextSupport, 0x0011) => Ef::Pin(PinRef::TextSupport),
            (App::TextSupport, 0x0012) => Ef::Pin(PinRef::TextSupportBlocked),
            (App::TextSupport, 0x0013) => Ef::ApKey(ApKey::TextSupport),
            (App::TextSupport, 0x0014) => Ef::Pin(PinRef::TextSupportA),
            (App::TextSupport, 0x0015) => Ef::Pin(PinRef::TextSupportB),
            (App::TextSupport, 0x0003) => Ef::Stored(Stored::TextIntegrity),
            (App::TextSupport, 0x0004) => Ef::Stored(Stored::TextCvCertificate),
            (App::TextSupport, 0x0005) => Ef::Stored(Stored::TextBasicInfo),
            (App::TextSupport, 0x0006) => Ef::Stored(Stored::TextSessionKey),
            (App::TextSupport, 0x0007) => Ef::Stored(Stored::TextSignedKey),
            (App::TextSupport, 0x0008) => Ef::Stored(Stored::TextUnknown),
            (App::Visual, 0x0001) => Ef::Stored(Stored::VisualAge),
            (App::Visual, 0x0002) => Ef::Stored(Stored::VisualFace),
            (App::Visual, 0x0003) => Ef::Stored(Stored::VisualBasicInfo),
            (App::Visual, 0x0004) => Ef::Stored(Stored::VisualCvCertificate),
            (App::Visual, 0x0005) => Ef::Stored(Stored::VisualMyNumberImage),
            (App::Visual, 0x0006) => Ef::Stored(Stored::VisualUnknown),
            (App::Visual, 0x0011) => Ef::Pin(PinRef::VisualBirthDate),
            (App::Visual, 0x0012) => Ef::Pin(PinRef::VisualB),
            (App::Visual, 0x0013) => Ef::Pin(PinRef::VisualA),
            (App::Visual, 0x001A) => Ef::ApKey(ApKey::Visual),
            (App::Common, 0x0001) => Ef::Record(RecordEf::CommonCard),
            (App::Common, 0x0002) => Ef::Record(RecordEf::CommonKeyReference),
            (App::Common, 0x0019) => Ef::ApKey(ApKey::InternalAuthentication),
            (App::Common, 0x001C) => Ef::Pin(PinRef::Common),
            (App::Juki, 0x0002) => Ef::Record(RecordEf::JukiKeyReference),
            (App::Juki, 0x001C) => Ef::Pin(PinRef::Juki),
            _ => return None,
        };
        let present = match ef {
            Ef::Certificate(role) | Ef::CaCertificate(role) | Ef::Key(role) => {
                key_present(data, role)
            }
            Ef::Pin(PinRef::Authentication) => key_present(data, KeyRole::Authentication),
            Ef::Pin(PinRef::Signature) => key_present(data, KeyRole::Signature),
            Ef::Pin(PinRef::TextSupport) | Ef::MyNumber | Ef::Facts => data.text_support.is_some(),
            Ef::TokenInfo | Ef::Availability => true,
            Ef::Pin(PinRef::TextSupportA | PinRef::TextSupportB | PinRef::TextSupportBlocked)
            | Ef::ApKey(ApKey::TextSupport) => text_records(data).is_some(),
            Ef::Stored(stored) => stored_content(data, stored).is_some(),
            Ef::Pin(PinRef::VisualBirthDate | PinRef::VisualA | PinRef::VisualB)
            | Ef::ApKey(ApKey::Visual) => data.visual.is_some(),
            Ef::Pin(PinRef::Common | PinRef::Juki)
            | Ef::ApKey(ApKey::InternalAuthentication)
            | Ef::Record(_) => data.common.is_some(),
        };
        present.then_some(ef)
    }

    pub(crate) fn access(self) -> Access {
        match self {
            Ef::Certificate(KeyRole::Signature) => Access::Binary {
                needs: &[PinRef::Signature],
            },
            Ef::Certificate(KeyRole::Authentication)
            | Ef::CaCertificate(_)
            | Ef::TokenInfo
            | Ef::Availability => Access::Binary { needs: FREE },
            Ef::MyNumber => Access::Binary {
                needs: TEXT_PIN_OR_A,
            },
            Ef::Facts => Access::Binary {
                needs: TEXT_PIN_OR_B,
            },
            Ef::Stored(stored) => Access::Binary {
                needs: match stored {
                    Stored::TextIntegrity | Stored::TextSessionKey | Stored::TextSignedKey => {
                        TEXT_ANY
                    }
                    Stored::TextCvCertificate
                    | Stored::TextBasicInfo
                    | Stored::TextUnknown
                    | Stored::VisualBasicInfo
                    | Stored::VisualCvCertificate => FREE,
                    Stored::VisualAge => &[PinRef::VisualBirthDate],
                    Stored::VisualFace | Stored::VisualUnknown => VISUAL_A_OR_B,
                    Stored::VisualMyNumberImage => &[PinRef::VisualA],
                },
            },
            Ef::Record(_) => Access::Record { needs: FREE },
            Ef::Key(role) => Access::Key(role),
            Ef::ApKey(key) => Access::ApKey(key),
            Ef::Pin(pin) => Access::Pin(pin),
        }
    }

    /// The records READ RECORD serves, record 1 first; `None` for a binary or internal EF.
    pub(crate) fn records(self, data: &CardData) -> Option<Vec<Vec<u8>>> {
        let common = data.common.as_ref()?;
        match self {
            Ef::Record(RecordEf::CommonCard) => Some(vec![common.record()]),
            Ef::Record(RecordEf::CommonKeyReference | RecordEf::JukiKeyReference) => {
                Some(vec![common.key_reference_record()])
            }
            _ => None,
        }
    }

    /// The bytes READ BINARY serves. `None` for files without binary content or whose
    /// content cannot be built.
    pub(crate) fn content(self, data: &CardData) -> Option<Vec<u8>> {
        match self {
            Ef::Certificate(role) => key(data, role).map(|k| k.certificate.clone()),
            Ef::CaCertificate(role) => key(data, role).map(|k| k.ca_certificate.clone()),
            Ef::TokenInfo => Some(token_info(data).to_vec()),
            Ef::Availability => Some(availability(data)),
            Ef::MyNumber => data
                .text_support
                .as_ref()
                .map(|t| my_number_ef(t.my_number.digits())),
            Ef::Facts => data.text_support.as_ref().and_then(|t| facts_ef(&t.facts)),
            Ef::Stored(stored) => stored_content(data, stored).map(<[u8]>::to_vec),
            Ef::Key(_) | Ef::Pin(_) | Ef::ApKey(_) | Ef::Record(_) => None,
        }
    }
}

fn text_records(data: &CardData) -> Option<&crate::contents::TextRecordSlot> {
    data.text_support.as_ref()?.records.as_ref()
}

/// The bytes of a stored EF, `None` when its application (or its records) is absent.
fn stored_content(data: &CardData, stored: Stored) -> Option<&[u8]> {
    let text = || text_records(data);
    let visual = || data.visual.as_ref();
    Some(match stored {
        Stored::TextIntegrity => &text()?.integrity,
        Stored::TextCvCertificate => &text()?.cv_certificate,
        Stored::TextBasicInfo => &text()?.basic_info,
        Stored::TextSessionKey => &text()?.session_key,
        Stored::TextSignedKey => &text()?.signed_key,
        Stored::TextUnknown => text().map(|_| &UNKNOWN_EF[..])?,
        Stored::VisualAge => &visual()?.age_record,
        Stored::VisualFace => &visual()?.card_face,
        Stored::VisualBasicInfo => &visual()?.basic_info,
        Stored::VisualCvCertificate => &visual()?.cv_certificate,
        Stored::VisualMyNumberImage => &visual()?.my_number_image,
        Stored::VisualUnknown => visual().map(|_| &UNKNOWN_EF[..])?,
    })
}

fn key(data: &CardData, role: KeyRole) -> Option<&crate::contents::KeySlot> {
    match role {
        KeyRole::Authentication => data.authentication.as_ref(),
        KeyRole::Signature => data.signature.as_ref(),
    }
}

fn key_present(data: &CardData, role: KeyRole) -> bool {
    key(data, role).is_some()
}

/// Filler after the 12 digits, so that a 17-byte read (spec §9) is served in full (choice: `FF`).
const MY_NUMBER_FILLER: [u8; 2] = [0xFF, 0xFF];

/// Text-support EF 0001: `FF 10 0C` + 12 ASCII digits + filler.
///
/// Written by hand rather than with `apdu::tlv`: tag `FF10` is a constructed tag, yet the card
/// stores plain digits in it, which a BER builder rightly refuses.
pub(crate) fn my_number_ef(digits: &[u8; 12]) -> Vec<u8> {
    let mut out = Vec::with_capacity(17);
    out.extend_from_slice(&[0xFF, 0x10, 0x0C]);
    out.extend_from_slice(digits);
    out.extend_from_slice(&MY_NUMBER_FILLER);
    out
}

/// Text-support EF 0002: `FF 20 <len>` { `DF21` offsets, `DF22` name, `DF23` address,
/// `DF24` birth `YYYYMMDD`, `DF25` sex }, in that order (card-map §4).
///
/// `DF21`: four 2-byte big-endian offsets of the `DF22`..`DF25` tags, counted from byte 0 of
/// the EF, as real cards write them: `FF 20 62 DF 21 08 000E 0020 0056 0061` (the first is
/// 3 header bytes + the 11 bytes of `DF21`). A long-form `FF20` length (`81 xx`, `82 xx xx`)
/// moves every offset by its extra bytes.
pub(crate) fn facts_ef(facts: &FourFacts) -> Option<Vec<u8>> {
    let fields = [
        tlv::primitive(0xDF22, facts.name.as_bytes()).ok()?,
        tlv::primitive(0xDF23, facts.address.as_bytes()).ok()?,
        tlv::primitive(0xDF24, facts.birth_date.as_bytes()).ok()?,
        tlv::primitive(0xDF25, &[facts.sex.code()]).ok()?,
    ];
    // The header's length depends only on the value's length, which the offsets (fixed size)
    // do not change: measure it with a zero table, then write the real one.
    let with_table = |offsets: &[u8]| -> Option<Vec<u8>> {
        let mut children = Vec::with_capacity(5);
        children.push(tlv::primitive(0xDF21, offsets).ok()?);
        children.extend(fields.iter().cloned());
        Some(tlv::encode(&tlv::constructed(0xFF20, children).ok()?))
    };
    let field_lens: Vec<usize> = fields.iter().map(|f| tlv::encode(f).len()).collect();
    let value_len = field_lens
        .iter()
        .try_fold(DF21_LEN, |acc, l| acc.checked_add(*l))?;
    let header_len = with_table(&[0; 8])?.len().checked_sub(value_len)?;
    let mut offset = header_len.checked_add(DF21_LEN)?;
    let mut offsets = Vec::with_capacity(8);
    for len in field_lens {
        offsets.extend_from_slice(&u16::try_from(offset).ok()?.to_be_bytes());
        offset = offset.checked_add(len)?;
    }
    with_table(&offsets)
}

/// `DF 21 08` + 4 two-byte offsets.
const DF21_LEN: usize = 3 + 8;
