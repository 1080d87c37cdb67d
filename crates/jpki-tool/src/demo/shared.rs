//! What both generations' walks share: the holder, the step headings, the secrets' status as
//! the client reads them, and the card and relying-party sides of a signature and a login.
//! Each of these runs the same code for either card ([`JpkiCard`] on the card side; one
//! [`cert::TrustAnchors`] and the published CRLs on the relying party's): the generation shows
//! only in what is printed.

use std::path::Path;
use std::time::{Duration, SystemTime};

use anyhow::Result;
use card_sim::SimCard;
use cert::time::OffsetDateTime;
use cert::{CardText, Gender, Hierarchy, Holder, JpkiCertificate, Municipality, RevocationCheck};
use issuer::Authority;
use jpki_applet::{CardSignature, CertSlot, JpkiCard, KeyRef, SecretStatus, SignatureAlgorithm};

use crate::input::{self, Input};
use crate::{card_sign, cms, login};

/// The holder of both cards, at `address`.
pub(super) fn holder(address: &str) -> Result<Holder> {
    Ok(Holder {
        name: CardText::plain("番号\u{3000}花子"),
        address: CardText::plain(address),
        birth_date: cert::time::macros::date!(1985 - 04 - 12),
        gender: Gender::Female,
        municipality: Municipality::new("13101", "Chiyoda-ku")?,
    })
}

/// A step's heading.
pub(super) fn step(n: u32, title: &str) {
    println!("\n== {n}. {title}");
}

/// `text` with each line indented.
pub(super) fn indent(text: &str) -> String {
    text.lines().map(|l| format!("   {l}\n")).collect()
}

/// Every PIN and secret of the card, read without spending a try: today every key reference
/// of the whole card, next generation the signing password, the 4-digit PIN and the PUK.
pub(super) fn print_secrets(sim: &mut SimCard) -> Result<()> {
    let mut card = JpkiCard::open(sim)?;
    for pin in card.pin_statuses()? {
        let name = pin.name;
        match pin.status {
            None => println!("{name}: not on this card"),
            Some(SecretStatus::NotSet) => println!("{name}: not set"),
            Some(SecretStatus::Verified) => println!("{name}: verified"),
            Some(s) if s.is_blocked() => println!("{name}: BLOCKED"),
            Some(SecretStatus::TriesLeft(n)) => println!("{name}: {n} tries left"),
            Some(s) => println!("{name}: {s}"),
        }
    }
    Ok(())
}

/// The relying party's anchors: every CA certificate `authority` has for `hierarchies`, of
/// both generations once it has the next one (a P-384 CA carries the name of the RSA-2048 CA
/// beside it; the verifier tells them apart by key identifier and algorithm).
pub(super) fn anchors_of(
    authority: &Authority,
    hierarchies: &[Hierarchy],
) -> Result<cert::TrustAnchors> {
    let mut anchors = cert::TrustAnchors::new();
    for algorithm in [
        cert::keys::Algorithm::Rsa2048,
        cert::keys::Algorithm::EcdsaP384,
    ] {
        for &h in hierarchies {
            if let Some(ca) = authority.ca_of(h, algorithm) {
                anchors.add(ca.certificate().clone())?;
            }
        }
    }
    Ok(anchors)
}

/// Every CRL the authority has published (both generations, every partition): the verifier
/// picks the one of a certificate's issuer key and partition.
pub(super) fn published_crls(authority: &Authority) -> Result<Vec<cert::Crl>> {
    crate::anchors::read_crls(&[authority.crl_dir()])
}

/// The card side of a detached CMS signature over `doc` with the signature key:
/// [`card_sign::sign_document_on_card`] (one VERIFY of `secret`).
pub(super) fn sign_application(
    sim: &mut SimCard,
    secret: &str,
    doc: &Path,
    signing_time: SystemTime,
) -> Result<Vec<u8>> {
    let mut card = JpkiCard::open(sim)?;
    let content = input::open(doc, Input::Document)?;
    Ok(card_sign::sign_document_on_card(
        &mut card,
        KeyRef::Sign,
        secret.as_bytes(),
        &content,
        cms::whole_seconds(signing_time),
    )?)
}

/// A signature that verified and whose signer certificate chains to an anchor.
pub(super) struct Signed<'a> {
    /// The signer's certificate.
    pub signer: JpkiCertificate,
    /// The algorithm that verified.
    pub algorithm: SignatureAlgorithm,
    /// The anchor the verifier picked.
    pub anchor: &'a JpkiCertificate,
    /// What the CRL said.
    pub revocation: cert::RevocationStatus,
}

impl Signed<'_> {
    /// The report: algorithm, the anchor picked and revocation; then the 4 facts, if any.
    pub(super) fn print(&self) {
        println!(
            "signature verified ({}): chain to the {} signature CA (key id {}), revocation: {}",
            self.algorithm,
            self.anchor.algorithm(),
            key_id(self.anchor),
            self.revocation
        );
        if let Some(facts) = self.signer.four_facts() {
            println!(
                "   signer {} born {} at {}",
                facts.name.text(),
                facts.birth_date,
                facts.address.text()
            );
        }
    }
}

/// The relying party's check of a detached signature over `doc` at `at`: the CMS
/// cryptography ([`cms::check_detached`]: RSA or ECDSA P-384 by the signer's key), then the
/// chain, validity, RSA cut-off and revocation ([`cert::TrustAnchors::verify`]). The outer
/// error is a message that does not verify at all; the inner one the chain's refusal, for a
/// step to show.
pub(super) fn verify_signature<'a>(
    p7s: &[u8],
    doc: &Path,
    anchors: &'a cert::TrustAnchors,
    crls: &[cert::Crl],
    at: OffsetDateTime,
) -> Result<Result<Signed<'a>, cert::Error>> {
    let checked = cms::check_detached(p7s, input::open(doc, Input::Document)?)?;
    let signer = JpkiCertificate::from_der(&checked.signer)?;
    Ok(
        match anchors.verify(&signer, at, RevocationCheck::Crls(crls)) {
            Ok(v) => Ok(Signed {
                algorithm: checked.algorithm,
                anchor: v.anchor,
                revocation: v.revocation,
                signer,
            }),
            Err(e) => Err(e),
        },
    )
}

/// A login: the service's challenge, the card's answer with the authentication key
/// ([`login::Response::answer_message`], one VERIFY of `secret`), and the service's check
/// against `anchors` and the published CRLs ([`login::check`]).
pub(super) fn log_in(
    sim: &mut SimCard,
    secret: &str,
    anchors: &cert::TrustAnchors,
    crls: &[cert::Crl],
) -> Result<login::Identity> {
    let challenge = login::Challenge::new("mynaportal.example.jp", SystemTime::now()).to_text();
    let response = {
        let mut card = JpkiCard::open(sim)?;
        let certificate = card.read_certificate(CertSlot::Auth)?;
        login::Response::answer_message(challenge.as_bytes(), certificate, |message| {
            card.sign(KeyRef::Auth, secret.as_bytes(), message)
                .map(CardSignature::into_bytes)
        })??
    };
    Ok(login::check(
        challenge.as_bytes(),
        &response,
        &login::Policy {
            anchors,
            revocation: RevocationCheck::Crls(crls),
            now: SystemTime::now(),
            max_age: Duration::from_secs(300),
        },
    )?)
}

/// A certificate's subject key identifier in hex (the one the verifier matches with the
/// authority key identifier of the certificates it checks).
pub(super) fn key_id(certificate: &JpkiCertificate) -> String {
    certificate
        .subject_key_id()
        .map_or_else(|| "none".to_owned(), hex::encode_upper)
}
