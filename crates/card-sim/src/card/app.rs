//! The names of the card's applications and PINs, which the file maps, the security state
//! and the commands all speak of.

/// The applications a card answers SELECT for (spec §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum App {
    /// 公的個人認証AP.
    Jpki,
    /// 券面事項入力補助AP.
    TextSupport,
    /// 券面事項確認AP.
    Visual,
    /// 共通カードAP.
    Common,
    /// 住基AP.
    Juki,
}

/// The card's PINs, for security state and counter queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PinRef {
    /// JPKI authentication PIN, EF 0018.
    Authentication,
    /// JPKI signature PIN, EF 001B (the Juki PIN on a Juki card).
    Signature,
    /// Text-support PIN, EF 0011 of the 券面事項入力補助AP.
    TextSupport,
    /// 入力補助AP `0014`: 照合番号A (the My Number).
    TextSupportA,
    /// 入力補助AP `0015`: 照合番号B.
    TextSupportB,
    /// 入力補助AP `0012`: blocked as issued (empty VERIFY `63C0`, VERIFY `6984`); its counter
    /// reads limit 3, 0 tries left (our choice: the real limit is unknown).
    TextSupportBlocked,
    /// 券面事項確認AP `0011`: the birth date (era `YYMMDD`).
    VisualBirthDate,
    /// 券面事項確認AP `0012`: 照合番号B.
    VisualB,
    /// 券面事項確認AP `0013`: 照合番号A.
    VisualA,
    /// 共通カードAP `001C`: 住民基本台帳用 PIN.
    Common,
    /// 住基AP `001C`: 住民基本台帳用 PIN (its own counter).
    Juki,
}

impl PinRef {
    /// Every key reference, for iteration.
    pub const ALL: [PinRef; 11] = [
        PinRef::Authentication,
        PinRef::Signature,
        PinRef::TextSupport,
        PinRef::TextSupportA,
        PinRef::TextSupportB,
        PinRef::TextSupportBlocked,
        PinRef::VisualBirthDate,
        PinRef::VisualB,
        PinRef::VisualA,
        PinRef::Common,
        PinRef::Juki,
    ];

    /// Whether CHANGE REFERENCE DATA (`00 24`) may change it: the JPKI PINs and the
    /// text-support PIN only (card-map §1).
    pub(crate) fn changeable(self) -> bool {
        matches!(
            self,
            PinRef::Authentication | PinRef::Signature | PinRef::TextSupport
        )
    }

    /// Whether CHANGE KEY (`80 32`) may change it: both `001C` (card-map §6, §7).
    pub(crate) fn key_changeable(self) -> bool {
        matches!(self, PinRef::Common | PinRef::Juki)
    }

    /// The bit of this reference in a set of verified keys.
    pub(crate) fn bit(self) -> u16 {
        let index = PinRef::ALL.iter().position(|p| *p == self).unwrap_or(15);
        1 << index
    }
}

/// The card keys of the 券面 APs and the 共通カードAP, whose public halves the issuer needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApKey {
    /// 入力補助AP key `0013`, `80 2A 00 00`.
    TextSupport,
    /// 券面事項確認AP key (`001A`), `80 2A 00 00`.
    Visual,
    /// 共通カードAP key `0019`, INTERNAL AUTHENTICATE.
    InternalAuthentication,
}
