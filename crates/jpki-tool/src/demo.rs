//! `jpki-tool demo`: the whole life of a My Number card in a temporary directory, on the
//! simulator, printing each step — issuance at the municipal window, certificates and their
//! expiry, PIN status, a wrong PIN, a PIN change, a CMS signature verified, a login, a change
//! of the 4 facts that revokes the signature certificate (and re-signs the card face, shown
//! with 照合番号B), a city-hall unlock, and a renewal (更新) of the certificates. Then the same
//! authority issues the holder a next-generation card (ECDSA P-384), walked in
//! `demo/next_gen.rs` through the same card and relying-party code (`demo/shared.rs`), down to
//! the RSA cut-off.

use std::path::Path;
use std::time::SystemTime;

use anyhow::{Context, Result, bail, ensure};
use card_sim::{CardProfile, MyNumber, SimCard};
use cert::time::OffsetDateTime;
use cert::{Hierarchy, RevocationCheck};
use issuer::{Authority, IssueRequest, RetryLimits};
use jpki_applet::{CertSlot, Error as CardError, JpkiApplet, KeyRef, PinRef, VerificationNumber};
use pin_policy::{Pin, PinKind};
use rsa::pkcs8::DecodePublicKey as _;

use crate::report;

mod next_gen;
mod shared;

use shared::{anchors_of, holder, indent, print_secrets, step};

const AUTH_PIN: &str = "1234";
const SIGN_PIN: &str = "JPKI2026";
const TEXT_PIN: &str = "5678";
const CARD_EXPIRY: cert::time::Date = cert::time::macros::date!(2036 - 04 - 12);
/// The address after the move of step 8, on the next-generation card too.
const NEW_ADDRESS: &str = "東京都千代田区霞が関２－１－２";

/// Runs the demo in `dir` (created; it must not hold an earlier demo).
///
/// # Errors
/// Any step that does not behave as a real card would.
pub fn run(dir: &Path) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    let mut rng = rand::rng();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    println!(
        "jpki-tool demo: a simulated My Number card in {}",
        dir.display()
    );

    step(1, "The municipal window issues a card");
    let mut authority = Authority::create(&dir.join("authority"), now, &mut rng)?;
    let card_path = dir.join("hanako.jpkicard");
    let pin = |kind, value: &str| Pin::new(kind, value.as_bytes());
    let request = IssueRequest {
        profile: CardProfile::MyNumber,
        holder: holder("東京都千代田区永田町１－７－１")?,
        my_number: Some(MyNumber::new("123456789018")?),
        auth_pin: Some(pin(PinKind::Authentication, AUTH_PIN)?),
        sign_pin: Some(pin(PinKind::Signature, SIGN_PIN)?),
        text_pin: Some(pin(PinKind::TextSupport, TEXT_PIN)?),
        resident_pin: None,
        retry_limits: RetryLimits::default(),
        card_expiry: CARD_EXPIRY,
        stay_until: None,
        issued_at: now,
    };
    let mut sim = authority.issue_card(request, &card_path, &mut rng)?;
    println!(
        "card file {} for 番号　花子; CA certificates and CRLs in {}",
        card_path.display(),
        authority.dir().display()
    );
    println!(
        "PINs chosen at the window: authentication {AUTH_PIN}, signature {SIGN_PIN}, text-support {TEXT_PIN}"
    );
    let security_code = sim
        .security_code()
        .context("the card has no card face")?
        .to_owned();
    println!("security code printed on the card face: {security_code}");

    step(
        2,
        "The holder's client software shows the certificates and their expiry",
    );
    {
        let mut card = JpkiApplet::open(&mut sim)?;
        let auth = cert::JpkiCertificate::from_der(&card.read_certificate(CertSlot::Auth)?)?;
        println!("-- authentication certificate (no personal data in it):");
        print!("{}", indent(&report::text(&auth, now)));
        let sign =
            cert::JpkiCertificate::from_der(&card.read_sign_certificate(SIGN_PIN.as_bytes())?)?;
        println!("-- signature certificate (read after the signature PIN; carries the 4 facts):");
        print!("{}", indent(&report::text(&sign, now)));
    }

    step(3, "PIN status, read without spending a try");
    print_secrets(&mut sim)?;

    step(4, "A wrong authentication PIN");
    let mut card = JpkiApplet::open(&mut sim)?;
    match card.verify_pin(PinRef::Auth, b"9999") {
        Err(e @ CardError::WrongPin { .. }) => println!("card says: {e}"),
        other => bail!("a wrong PIN was not refused: {other:?}"),
    }

    step(5, "The holder changes the authentication PIN at home");
    card.change_pin(PinRef::Auth, AUTH_PIN.as_bytes(), b"2468")?;
    println!("authentication PIN changed from {AUTH_PIN} to 2468; the counter is full again");
    let new_auth = "2468";
    drop(card);
    print_secrets(&mut sim)?;

    step(
        6,
        "An e-Tax-style application signed with the signature key (CMS, detached)",
    );
    let doc = dir.join("application.xml");
    std::fs::write(
        &doc,
        "<申告書><氏名>番号　花子</氏名><所得>5000000</所得></申告書>\n",
    )?;
    // the relying party: today's CAs (the next generation's join them in step 11)
    let anchors = anchors_of(
        &authority,
        &[Hierarchy::Signature, Hierarchy::Authentication],
    )?;
    let p7s = shared::sign_application(&mut sim, SIGN_PIN, &doc, SystemTime::now())?;
    std::fs::write(dir.join("application.xml.p7s"), &p7s)?;
    let crls = shared::published_crls(&authority)?;
    shared::verify_signature(&p7s, &doc, &anchors, &crls, OffsetDateTime::now_utc())??.print();

    step(
        7,
        "A login with the authentication certificate (challenge and response)",
    );
    let who = shared::log_in(&mut sim, new_auth, &anchors, &crls)?;
    println!("login OK; the service learns only: {}", who.subject);
    println!("   revocation: {}", who.revocation);

    step(8, "The holder moves: the city hall records the new address");
    authority.change_facts(
        &mut sim,
        holder(NEW_ADDRESS)?,
        OffsetDateTime::now_utc(),
        &mut rng,
    )?;
    let crls = shared::published_crls(&authority)?;
    println!("verifying application.xml.p7s again, against the new CRL:");
    match shared::verify_signature(&p7s, &doc, &anchors, &crls, OffsetDateTime::now_utc())? {
        Err(e @ cert::Error::Revoked { .. }) => println!("   verification fails: {e}"),
        Err(e) => bail!("the old signature certificate was refused, not as revoked: {e}"),
        Ok(_) => bail!("the old signature certificate was not revoked"),
    }
    let new_sign = {
        let mut card = JpkiApplet::open(&mut sim)?;
        cert::JpkiCertificate::from_der(&card.read_sign_certificate(SIGN_PIN.as_bytes())?)?
    };
    let new_facts = new_sign.four_facts().context("no 4 facts")?;
    println!(
        "a new signature certificate (serial {}) carries the new address: {}",
        new_sign.serial(),
        new_facts.address.text()
    );
    let auth_cert = cert::JpkiCertificate::from_der(
        &JpkiApplet::open(&mut sim)?.read_certificate(CertSlot::Auth)?,
    )?;
    anchors.verify(
        &auth_cert,
        OffsetDateTime::now_utc(),
        RevocationCheck::Crls(&crls),
    )?;
    println!("the authentication certificate is untouched and still valid (it holds no 4 facts)");
    show_card_face(&mut sim, &authority, &security_code, dir)?;

    step(
        9,
        "Three wrong PINs block the authentication PIN; only the city hall can unlock it",
    );
    {
        let mut card = JpkiApplet::open(&mut sim)?;
        for _ in 0..3 {
            if let Err(e) = card.verify_pin(PinRef::Auth, b"0000") {
                println!("card says: {e}");
            }
        }
        ensure!(
            card.pin_status(PinRef::Auth)?.is_blocked(),
            "the PIN did not block"
        );
        match card.verify_pin(PinRef::Auth, new_auth.as_bytes()) {
            Err(e @ CardError::PinBlocked { .. }) => println!("even the right PIN now: {e}"),
            other => bail!("a blocked PIN accepted a try: {other:?}"),
        }
    }
    let reset_pin = Pin::new(PinKind::Authentication, b"1357")?;
    authority.unlock(&mut sim, card_sim::PinRef::Authentication, Some(&reset_pin))?;
    println!(
        "the city hall authenticated to the card (challenge-response with its key) and reset the PIN to 1357"
    );
    JpkiApplet::open(&mut sim)?.verify_pin(PinRef::Auth, b"1357")?;
    print_secrets(&mut sim)?;

    step(
        10,
        "Renewal (更新): three months before expiry, new keys and certificates on the same card",
    );
    let renewed_at = show_renewal(&mut sim, &mut authority, &mut rng)?;

    next_gen::walk(dir, &mut authority, &mut sim, renewed_at, &doc, &mut rng)?;

    println!(
        "\ndemo complete: every step behaved as a real card of its generation does. Files are in {}",
        dir.display()
    );
    Ok(())
}

/// Renewal at a window date the demo chooses inside the window (the certificates were issued
/// today and expire years from now): the old authentication certificate then fails as
/// superseded, the new one verifies and the card signs with it under the same PIN. Returns the
/// renewal's instant.
fn show_renewal(
    sim: &mut SimCard,
    authority: &mut Authority,
    rng: &mut rand::rngs::ThreadRng,
) -> Result<OffsetDateTime> {
    let old = cert::JpkiCertificate::from_der(
        &JpkiApplet::open(&mut *sim)?.read_certificate(CertSlot::Auth)?,
    )?;
    let expiry = cert::validity::jst_date(old.not_after());
    let opens = cert::validity::renewal_opens(expiry)?;
    // 10:00 JST a week after the window opens
    let at = cert::time::PrimitiveDateTime::new(
        opens + cert::time::Duration::days(7),
        cert::time::Time::from_hms(10, 0, 0)?,
    )
    .assume_offset(cert::validity::JST);
    println!(
        "the authentication certificate expires on {expiry}; renewal opens on {opens}; the window renews on {}",
        at.date()
    );
    let renewed = authority.renew(sim, issuer::RenewRequest::default(), at, rng)?;
    for r in &renewed {
        println!(
            "{} certificate: serial {} revoked (superseded), new serial {} valid to {}",
            r.role,
            r.old_serial,
            r.new_serial,
            r.not_after.to_offset(cert::validity::JST).date()
        );
    }
    let mut anchors = anchors_of(authority, &[Hierarchy::Authentication])?;
    if at >= anchors.rsa_cutoff() {
        // An RSA card renewing past the 2031 cut-off: the step shows renewal, so it moves it.
        println!("(renewal is past the RSA-2048 cut-off; the demo moves it for this card)");
        anchors.set_rsa_cutoff(at + cert::time::Duration::days(1));
    }
    // the partition CRL of the card's municipality (the old and the new certificate share it)
    let crl = cert::Crl::from_der(&std::fs::read(authority.crl_path_for(&old)?)?)?;
    match anchors.verify(&old, at, RevocationCheck::Crl(&crl)) {
        Err(e @ cert::Error::Revoked { .. }) => println!("the old certificate now: {e}"),
        other => bail!("the old authentication certificate was not revoked: {other:?}"),
    }
    let mut card = JpkiApplet::open(&mut *sim)?;
    let new = cert::JpkiCertificate::from_der(&card.read_certificate(CertSlot::Auth)?)?;
    let checked = anchors.verify(&new, at, RevocationCheck::Crl(&crl))?;
    let hash = <sha2::Sha256 as sha2::Digest>::digest(b"renewed");
    let digest_info = jpki_applet::digest_info(jpki_applet::HashAlg::Sha256, &hash)
        .context("a SHA-256 DigestInfo")?;
    let signature = card.sign(KeyRef::Auth, b"1357", &digest_info)?;
    new.rsa_public_key()
        .context("the demo card's certificate is not RSA-2048")?
        .verify(
            rsa::Pkcs1v15Sign::new_unprefixed(),
            &digest_info,
            &signature,
        )
        .context("the card's new key does not match its new certificate")?;
    println!(
        "the new certificate {} verifies (revocation: {}), and the card signs with its new key under the same PIN (1357)",
        new.serial(),
        checked.revocation
    );
    Ok(at)
}

/// The card face after the move: 照合番号B (birth date, expiry year, security code) opens the
/// 券面事項確認AP; the photo is written; J-LIS's signature over the face (re-signed at the
/// window over the new address) and the CV certificate verify.
fn show_card_face(
    sim: &mut SimCard,
    authority: &Authority,
    security_code: &str,
    dir: &Path,
) -> Result<()> {
    let number_b =
        issuer::card_face::number_b(holder("")?.birth_date, CARD_EXPIRY.year(), security_code)?;
    let number = VerificationNumber::parse(number_b.as_bytes())
        .map_err(|reason| CardError::NumberFormat { reason })?;
    let mut card = JpkiApplet::open(sim)?;
    let mut whole = card.whole_card();
    let mut session = whole.face_check().verify(&number)?;
    let face = session.card_face()?;
    let cv = session.cv_certificate()?;
    face.verify_signature(&cv.public_key)?;
    let ca_pem = std::fs::read_to_string(authority.face_ca_path(issuer::FaceAp::Visual))?;
    let ca =
        rsa::PublicKey::from_public_key_pem(&ca_pem).context("the authority's card-face CA key")?;
    cv.verify_signed_by(&ca)?;
    let photo = dir.join("face.jp2");
    std::fs::write(&photo, &face.face_photo)?;
    println!(
        "照合番号B (birth date in era, expiry year, security code) opens the card-face application:"
    );
    println!(
        "   birth date {}, sex {}, card expiry {}; photo ({} bytes, JPEG 2000) written to {}",
        face.birth,
        face.sex,
        face.expiry,
        face.face_photo.len(),
        photo.display()
    );
    println!(
        "   J-LIS's signature over the face (re-signed at the window for the new address) verifies"
    );
    println!(
        "   with the key of CV certificate {}, itself signed by the card-face CA {}",
        cv.subject_key_id, cv.issuer_key_id
    );
    Ok(())
}
