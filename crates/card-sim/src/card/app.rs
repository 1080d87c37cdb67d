//! The names of the card's applications and PINs, which the file maps, the security state
//! and the commands all speak of.

/// The applications a card answers SELECT for (spec §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum App {
    /// 公的個人認証AP.
    Jpki,
    /// 券面事項入力補助AP.
    TextSupport,
    /// 券面事項確認AP (selectable; its files are not simulated).
    Visual,
    /// 共通カードAP (selectable; its files are not simulated).
    Common,
    /// 住基AP (selectable; its files are not simulated).
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
}
