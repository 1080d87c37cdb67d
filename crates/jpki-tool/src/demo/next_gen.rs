//! The demo's second card: the same authority issues the holder a next-generation card
//! (NG-sim v1, ECDSA P-384, shared/next-gen-profile.md Part 2), and the walk shows what a
//! relying party sees — the generation found by SELECT, certificates to the 10th birthday, the
//! signing password that covers the 4-digit PIN, a CMS signature and a login checked by the
//! verifier that checked today's card's, a PUK re-setting a blocked 4-digit PIN, and the RSA
//! cut-off refusing today's card's signature while accepting the new one's.

use std::path::Path;
use std::time::SystemTime;

use anyhow::{Context, Result, bail, ensure};
use card_sim::{MyNumber, NextGenRetryLimits, SimCard};
use cert::keys::Algorithm;
use cert::time::{Duration, OffsetDateTime};
use cert::{Hierarchy, JpkiCertificate};
use issuer::{Authority, NextGenIssueRequest};
use jpki_applet::{
    CertSlot, Error as CardError, Generation, JpkiCard, KeyRef, NgSecret, SecretStatus,
    SignatureAlgorithm,
};
use pin_policy::{Pin, PinKind};

use super::shared::{self, anchors_of, holder, indent, key_id, print_secrets, step};
use super::{CARD_EXPIRY, NEW_ADDRESS, SIGN_PIN};
use crate::report;

const SIGN_PASSWORD: &str = "HANAKO2028";
const PIN4: &str = "4321";
const PUK: &str = "20282028";
const NEW_PIN4: &str = "8642";

/// Steps 11–16, after today's card's walk: `current` is that card (renewed at `renewed_at`),
/// `doc` the application it signed.
pub(super) fn walk(
    dir: &Path,
    authority: &mut Authority,
    current: &mut SimCard,
    renewed_at: OffsetDateTime,
    doc: &Path,
    rng: &mut rand::rngs::ThreadRng,
) -> Result<()> {
    step(
        11,
        "The same authority issues the holder a next-generation card (NG-sim v1, ECDSA P-384)",
    );
    let now = OffsetDateTime::now_utc();
    let mut ng = issue(dir, authority, now, rng)?;

    step(
        12,
        "The client finds the generation by SELECT and shows the certificates and secrets",
    );
    show_card(&mut ng, now)?;
    print_secrets(&mut ng)?;

    step(
        13,
        "The signing password covers the 4-digit PIN: one VERIFY, both keys",
    );
    one_verify_both_keys(&mut ng)?;

    step(
        14,
        "A signature (CMS, ecdsa-with-SHA384) and a login, checked as today's card's were",
    );
    let anchors = anchors_of(
        authority,
        &[Hierarchy::Signature, Hierarchy::Authentication],
    )?;
    println!(
        "the relying party's anchors: {} CA certificates, each name twice (told apart by key id):",
        anchors.anchors().len()
    );
    for a in anchors.anchors() {
        let algorithm = a.algorithm().name();
        println!("   {algorithm:<11} {}  key id {}", a.subject(), key_id(a));
    }
    let p7s = shared::sign_application(&mut ng, SIGN_PASSWORD, doc, SystemTime::now())?;
    std::fs::write(dir.join("application.xml.ng.p7s"), &p7s)?;
    let crls = shared::published_crls(authority)?;
    let signed = shared::verify_signature(&p7s, doc, &anchors, &crls, OffsetDateTime::now_utc())??;
    ensure!(
        signed.algorithm == SignatureAlgorithm::EcdsaWithSha384
            && signed.anchor.algorithm() == Algorithm::EcdsaP384,
        "the next-generation signature was not checked as ECDSA P-384"
    );
    signed.print();
    let who = shared::log_in(&mut ng, PIN4, &anchors, &crls)?;
    println!(
        "login OK (ECDSA P-384 over SHA-384 of the challenge); the service learns only: {}",
        who.subject
    );
    println!("   revocation: {}", who.revocation);

    step(
        15,
        "A PUK, set with the signing password, re-sets a blocked 4-digit PIN",
    );
    puk_resets_pin4(&mut ng)?;
    print_secrets(&mut ng)?;

    step(
        16,
        "The RSA cut-off: both cards sign after 2031-01-01; one verifier checks both",
    );
    rsa_cut_off(dir, authority, current, &mut ng, renewed_at, doc)
}

/// The window's issuance: the next-generation CAs first (P-384, today's names), then the card.
fn issue(
    dir: &Path,
    authority: &mut Authority,
    now: OffsetDateTime,
    rng: &mut rand::rngs::ThreadRng,
) -> Result<SimCard> {
    authority.enable_next_gen(now, rng)?;
    println!(
        "P-384 CAs beside today's RSA-2048 ones, with the same names: {} and {}; card-authentication CA {}",
        authority
            .ca_path_of(Hierarchy::Signature, Algorithm::EcdsaP384)
            .display(),
        authority
            .ca_path_of(Hierarchy::Authentication, Algorithm::EcdsaP384)
            .display(),
        authority.card_auth_ca_path().display()
    );
    let card_path = dir.join("hanako-ng.jpkicard");
    let request = NextGenIssueRequest {
        holder: holder(NEW_ADDRESS)?,
        my_number: MyNumber::new("123456789018")?,
        with_authentication: true,
        with_signature: true,
        sign_password: Pin::new(PinKind::Signature, SIGN_PASSWORD.as_bytes())?,
        pin4: Pin::new(PinKind::Authentication, PIN4.as_bytes())?,
        retry_limits: NextGenRetryLimits::default(),
        card_expiry: CARD_EXPIRY,
        stay_until: None,
        issued_at: now,
    };
    let card = authority.issue_next_gen_card(request, &card_path, rng)?;
    // back to today: step 10's renewal ran at a window date years ahead
    println!(
        "card file {} for 番号　花子, issued today ({})",
        card_path.display(),
        cert::validity::jst_date(now)
    );
    println!(
        "secrets chosen at the window: signing password {SIGN_PASSWORD} (署名用パスワード), 4-digit PIN {PIN4} (暗証番号); no PUK"
    );
    Ok(card)
}

/// The generation as the client detects it, and both certificates with their algorithm and
/// expiry, checked against the next generation's rule.
fn show_card(ng: &mut SimCard, now: OffsetDateTime) -> Result<()> {
    let mut card = JpkiCard::open(ng)?;
    ensure!(
        card.generation() == Generation::NextGen,
        "the client did not find the next-generation 認証AP"
    );
    println!(
        "generation: {} (its 認証AP answered SELECT; the ATR is not used), token {}, signatures {}",
        card.generation(),
        card.token_label(),
        card.signature_algorithm()
    );
    let auth = JpkiCertificate::from_der(&card.read_certificate(CertSlot::Auth)?)?;
    let sign = JpkiCertificate::from_der(&card.read_sign_certificate(SIGN_PASSWORD.as_bytes())?)?;
    for (c, what) in [
        (&auth, "authentication certificate"),
        (
            &sign,
            "signature certificate (read after the signing password)",
        ),
    ] {
        ensure!(
            c.algorithm() == Algorithm::EcdsaP384,
            "a next-generation {what} that is not P-384"
        );
        println!("-- {what}: {} key", c.algorithm());
        print!("{}", indent(&report::text(c, now)));
    }
    let issued = cert::validity::jst_date(now);
    let birth = holder("")?.birth_date;
    let auth_rule = cert::validity::ng_auth_not_after(issued, birth, CARD_EXPIRY)?;
    let sign_rule = cert::validity::ng_sign_not_after(issued, birth, CARD_EXPIRY, auth_rule)?;
    ensure!(
        auth.not_after() == auth_rule && sign.not_after() == sign_rule,
        "the certificates' expiry is not the next generation's rule"
    );
    println!(
        "both run to {}: the 10th birthday after issue (the 5th for a holder under 18), capped by the card's expiry {CARD_EXPIRY}; today's card stops at the 5th birthday, {}",
        report::jst(auth.not_after()),
        cert::validity::fifth_birthday_after(issued, birth)?
    );
    Ok(())
}

/// One VERIFY of the signing password, then both keys sign and the My Number reads; the
/// 4-digit PIN is never sent and its counter stays full.
fn one_verify_both_keys(ng: &mut SimCard) -> Result<()> {
    let mut card = JpkiCard::open(ng)?;
    let applet = card.next_gen_mut().context("not a next-generation card")?;
    let mut session = applet.verify(NgSecret::SignPassword, SIGN_PASSWORD.as_bytes())?;
    let by_auth = session.sign_message(KeyRef::Auth, b"a login under the signing password")?;
    let by_sign = session.sign_message(KeyRef::Sign, b"a signature under the same VERIFY")?;
    let number = session.my_number()?;
    drop(session);
    println!(
        "one VERIFY of the signing password; under it the authentication key signed ({} bytes DER) and the signature key signed ({} bytes DER), each 96-byte r‖s checked against its certificate's key",
        by_auth.as_bytes().len(),
        by_sign.as_bytes().len()
    );
    println!("   and the My Number reads too: {number}");
    let password = applet.secret_status(NgSecret::SignPassword)?;
    let pin4 = applet.secret_status(NgSecret::Pin4)?;
    ensure!(
        password == SecretStatus::Verified
            && pin4 == SecretStatus::TriesLeft(NextGenRetryLimits::default().pin4),
        "the signing password did not cover the 4-digit PIN as the profile says"
    );
    println!(
        "signing password: {password}; 4-digit PIN: {pin4} (never sent, its counter untouched)"
    );
    Ok(())
}

/// The PUK set with the signing password; three wrong 4-digit PINs block it; the PUK re-sets
/// it without the city hall.
fn puk_resets_pin4(ng: &mut SimCard) -> Result<()> {
    let mut card = JpkiCard::open(ng)?;
    card.set_puk(SIGN_PASSWORD.as_bytes(), PUK.as_bytes())?;
    println!("the holder sets the PUK {PUK} in the app, after the signing password");
    for _ in 0..3 {
        match card.verify_key(KeyRef::Auth, b"0000") {
            Err(e) => println!("card says: {e}"),
            Ok(_) => bail!("a wrong 4-digit PIN was accepted"),
        }
    }
    match card.verify_key(KeyRef::Auth, PIN4.as_bytes()) {
        Err(e @ CardError::SecretBlocked { .. }) => println!("even the right PIN now: {e}"),
        Err(e) => bail!("a blocked 4-digit PIN answered otherwise: {e}"),
        Ok(_) => bail!("a blocked 4-digit PIN accepted a try"),
    }
    card.reset_pin_with_puk(PUK.as_bytes(), NEW_PIN4.as_bytes())?;
    card.verify_key(KeyRef::Auth, NEW_PIN4.as_bytes())?;
    println!(
        "the PUK re-set the 4-digit PIN to {NEW_PIN4} (no trip to the city hall), and it verifies"
    );
    Ok(())
}

/// After the cut-off (and after today's card's renewal): both cards sign the application, the
/// authority publishes that day's CRLs, and one verifier with the default cut-off refuses the
/// RSA-2048 signature and accepts the P-384 one.
fn rsa_cut_off(
    dir: &Path,
    authority: &mut Authority,
    current: &mut SimCard,
    ng: &mut SimCard,
    renewed_at: OffsetDateTime,
    doc: &Path,
) -> Result<()> {
    let anchors = anchors_of(authority, &[Hierarchy::Signature])?;
    let cutoff = anchors.rsa_cutoff();
    let at = (cutoff + Duration::days(31)).max(renewed_at + Duration::days(1));
    println!(
        "RSA-2048 is not to be used from {} (CRYPTREC): the verifier's default cut-off (step 10 moved it for the renewal alone)",
        report::rfc3339(cutoff)
    );
    println!(
        "on {} both cards sign application.xml and the authority publishes that day's CRLs",
        report::jst(at)
    );
    authority.republish(at)?;
    let crls = shared::published_crls(authority)?;
    let rsa = shared::sign_application(current, SIGN_PIN, doc, at.into())?;
    std::fs::write(dir.join("application.xml.cutoff-rsa.p7s"), &rsa)?;
    let p384 = shared::sign_application(ng, SIGN_PASSWORD, doc, at.into())?;
    std::fs::write(dir.join("application.xml.cutoff-p384.p7s"), &p384)?;
    println!(
        "one verifier, the same anchors and CRLs, at {}:",
        report::jst(at)
    );
    match shared::verify_signature(&rsa, doc, &anchors, &crls, at)? {
        Err(e @ cert::Error::RsaCutOff { .. }) => {
            println!("-- today's card (RSA-2048): refused: {e}");
        }
        Err(e) => bail!("the RSA-2048 signature was refused, but not by the cut-off: {e}"),
        Ok(_) => bail!("the RSA-2048 signature was accepted after the cut-off"),
    }
    match shared::verify_signature(&p384, doc, &anchors, &crls, at)? {
        Ok(signed) => {
            println!("-- the next-generation card (ECDSA P-384): accepted");
            signed.print();
        }
        Err(e) => bail!("the P-384 signature was refused after the cut-off: {e}"),
    }
    Ok(())
}
