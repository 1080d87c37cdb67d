//! `face show` and `face verify`: the card-face check application (券面事項確認AP, card-map §5)
//! opened with a 照合番号, read like a PIN (prompt or `--pin-stdin`, never argv).

use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use cli_common::InvalidInput;
use jpki_applet::records::CvCertificate;
use jpki_applet::{CardPin, Error as CardError, NumberKind, VerificationNumber};
use jpki_tool::pin_input::PinInput;
use rsa::pkcs8::DecodePublicKey as _;

use super::read_pin;
use crate::exit::Exit;
use crate::open::{Card, current};

/// What the prompt asks for.
const PROMPT: &str = "照合番号 (A: the 12-digit My Number, or B: 14 digits)";

/// Reads the 照合番号 and checks its format (A by 12 digits, B by 14): one that cannot be right
/// is never sent, so it costs no try.
fn read_number(pins: &mut PinInput) -> Result<VerificationNumber> {
    let text = read_pin(pins, PROMPT)?;
    Ok(VerificationNumber::parse(text.as_bytes())
        .map_err(|reason| CardError::NumberFormat { reason })?)
}

fn kind_str(kind: NumberKind) -> &'static str {
    match kind {
        NumberKind::A => "A",
        NumberKind::B => "B",
    }
}

/// `face verify`: VERIFY the 照合番号 and nothing else.
pub(crate) fn verify(card: &mut Card<'_>, pins: &mut PinInput, json: bool) -> Result<()> {
    let card = current(card, "face verify (the card-face application)")?;
    let number = read_number(pins)?;
    let kind = kind_str(number.kind());
    let result = card.whole_card().face_check().verify(&number).map(drop);
    if json {
        let v = match &result {
            Ok(()) => serde_json::json!({ "number": kind, "right": true }),
            Err(CardError::WrongNumber { tries_left, .. }) => serde_json::json!({
                "number": kind, "right": false, "tries_left": tries_left, "blocked": *tries_left == 0,
            }),
            Err(CardError::NumberBlocked { .. }) => serde_json::json!({
                "number": kind, "right": false, "tries_left": 0, "blocked": true,
            }),
            Err(_) => serde_json::Value::Null,
        };
        if !v.is_null() {
            println!("{}", cli_common::json(&v));
        }
    }
    result?;
    if !json {
        println!("{}: right", CardPin::face_number(number.kind()));
    }
    Ok(())
}

/// The files `face show` writes: (name, bytes).
type Outputs = Vec<(&'static str, Vec<u8>)>;

/// `face show`: VERIFY, read the card face (and with A the My Number image) and the CV
/// certificate, check every signature, then write the images. Nothing is written unless the
/// card face's signature verifies.
pub(crate) fn show(
    card: &mut Card<'_>,
    pins: &mut PinInput,
    out_dir: &Path,
    face_ca: Option<&Path>,
    json: bool,
) -> Result<()> {
    // the CA key first: a bad file costs no try
    let ca = face_ca.map(read_ca_key).transpose()?;
    let card = current(card, "face show (the card-face application)")?;
    let number = read_number(pins)?;
    let mut whole = card.whole_card();
    let mut session = whole.face_check().verify(&number)?;
    let face = session.card_face()?;
    let cv = session.cv_certificate()?;
    let my_number_image = match number.kind() {
        NumberKind::A => Some(session.my_number_image()?),
        NumberKind::B => None,
    };
    let not_verified = |e: CardError| Exit::NotVerified(e.to_string());
    face.verify_signature(&cv.public_key)
        .map_err(not_verified)?;
    if let Some(image) = &my_number_image {
        image
            .verify_signature(&cv.public_key)
            .map_err(not_verified)?;
    }
    let cv_state = match (&ca, face_ca) {
        (Some(ca), Some(path)) => {
            cv.verify_signed_by(ca).map_err(not_verified)?;
            format!("verified with {}", path.display())
        }
        _ => "not checked (no --face-ca given)".to_owned(),
    };
    let mut outputs: Outputs = vec![
        ("face.jp2", face.face_photo.clone()),
        ("name.png", face.name_image.clone()),
        ("address.png", face.address_image.clone()),
        ("security-code.png", face.security_code_image.clone()),
    ];
    if let Some(image) = my_number_image {
        outputs.push(("my-number.png", image.image));
    }
    let written = write_all(out_dir, &outputs)?;
    report(&number, &face, &cv, &cv_state, &written, json);
    Ok(())
}

fn report(
    number: &VerificationNumber,
    face: &jpki_applet::records::CardFace,
    cv: &CvCertificate,
    cv_state: &str,
    written: &[PathBuf],
    json: bool,
) {
    let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    if json {
        println!(
            "{}",
            cli_common::json(&serde_json::json!({
                "number": kind_str(number.kind()),
                "birth_date": face.birth.to_string(),
                "sex": face.sex.to_string(),
                "expiry": face.expiry.to_string(),
                "card_face_signature": "verified",
                "cv_certificate": {
                    "issuer_key_id": cv.issuer_key_id.to_string(),
                    "subject_key_id": cv.subject_key_id.to_string(),
                    "signature": cv_state,
                },
                "files": files,
            }))
        );
        return;
    }
    println!("照合番号:        {} (right)", number.kind());
    println!("birth date:      {}", face.birth);
    println!("sex:             {}", face.sex);
    println!("expiry:          {}", face.expiry);
    println!(
        "card face:       signature verified with the key CV certificate {} certifies",
        cv.subject_key_id
    );
    println!(
        "CV certificate:  {} → {}: {cv_state}",
        cv.issuer_key_id, cv.subject_key_id
    );
    for f in &files {
        println!("wrote:           {}", cli_common::printable(f));
    }
}

/// The card-face CA's public key: PEM SubjectPublicKeyInfo.
pub(crate) fn read_ca_key(path: &Path) -> Result<rsa::PublicKey> {
    let pem = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the CA key {}", path.display()))?;
    rsa::PublicKey::from_public_key_pem(&pem).map_err(|e| {
        InvalidInput(format!(
            "{} is not a PEM RSA public key (SubjectPublicKeyInfo): {e}",
            path.display()
        ))
        .into()
    })
}

/// Creates `dir` if missing (0700), then each file exclusively (`O_CREAT | O_EXCL`: a file or
/// a planted link already at the name is an error, never followed or replaced), 0600, synced.
/// Every name is checked free first, so a clash writes nothing.
fn write_all(dir: &Path, outputs: &Outputs) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    }
    let paths: Vec<PathBuf> = outputs.iter().map(|(name, _)| dir.join(name)).collect();
    if let Some(taken) = paths.iter().find(|p| p.symlink_metadata().is_ok()) {
        return Err(InvalidInput(format!(
            "{} already exists: nothing was written (files are never replaced)",
            taken.display()
        ))
        .into());
    }
    for (path, (_, bytes)) in paths.iter().zip(outputs) {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("cannot create {} (never replaced)", path.display()))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("jpki-face-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        dir
    }

    #[test]
    fn writes_private_files_in_a_new_directory() {
        use std::os::unix::fs::PermissionsExt as _;
        let base = scratch("new");
        let dir = base.join("out");
        let outputs: Outputs = vec![("face.jp2", vec![1, 2]), ("name.png", vec![3])];
        let written = write_all(&dir, &outputs).unwrap();
        assert_eq!(written, [dir.join("face.jp2"), dir.join("name.png")]);
        assert_eq!(std::fs::read(dir.join("face.jp2")).unwrap(), [1, 2]);
        let mode = std::fs::metadata(dir.join("name.png"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn a_planted_link_or_an_existing_file_stops_everything_and_is_left_alone() {
        let dir = scratch("planted");
        let victim = dir.join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        std::os::unix::fs::symlink(&victim, dir.join("name.png")).unwrap();
        // a dangling link too: O_EXCL refuses it, it is never followed to create its target
        std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("address.png")).unwrap();
        let outputs: Outputs = vec![("face.jp2", vec![1]), ("name.png", vec![2])];
        let e = write_all(&dir, &outputs).unwrap_err();
        assert!(cli_common::is_invalid_input(e.root_cause()), "{e:#}");
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert!(!dir.join("face.jp2").exists(), "nothing written on a clash");
        let e = write_all(&dir, &vec![("address.png", vec![3])]).unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e:#}");
        assert!(!dir.join("nowhere").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_ca_key_must_be_a_pem_public_key() {
        let dir = scratch("ca");
        let file = dir.join("ca.pem");
        std::fs::write(
            &file,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let e = read_ca_key(&file).unwrap_err();
        assert!(cli_common::is_invalid_input(e.root_cause()), "{e:#}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
