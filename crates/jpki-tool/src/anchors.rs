//! Trust anchors: the six real J-LIS CA certificates built in (three generations of each
//! hierarchy, `anchors/` beside this crate's `src/`), or CA files named on the command line.

use std::path::Path;

use crate::input::{self, Input};

/// The real J-LIS CA certificates (public data, published by J-LIS).
pub const REAL_CA_PEMS: [(&str, &str); 6] = [
    ("signca01", include_str!("../anchors/signca01.pem")),
    ("signca02", include_str!("../anchors/signca02.pem")),
    ("signca03", include_str!("../anchors/signca03.pem")),
    ("authca01", include_str!("../anchors/authca01.pem")),
    ("authca02", include_str!("../anchors/authca02.pem")),
    ("authca03", include_str!("../anchors/authca03.pem")),
];

/// The built-in anchors.
///
/// # Errors
/// Only if a built-in certificate failed to parse (a build defect, tested).
pub fn built_in() -> Result<cert::TrustAnchors, cert::Error> {
    let mut anchors = cert::TrustAnchors::new();
    for (_, pem) in REAL_CA_PEMS {
        anchors.add(cert::JpkiCertificate::from_pem(pem)?)?;
    }
    Ok(anchors)
}

/// Reads a certificate file, PEM or DER (a regular file of at most
/// [`Input::Certificate`]'s cap).
///
/// # Errors
/// [`crate::input::InputError`] and parse errors, with the file named.
pub fn read_certificate(path: &Path) -> anyhow::Result<cert::JpkiCertificate> {
    use anyhow::Context;
    let bytes = input::read(path, Input::Certificate)?;
    let parsed = match std::str::from_utf8(&bytes) {
        Ok(text) if text.contains("-----BEGIN") => cert::JpkiCertificate::from_pem(text),
        _ => cert::JpkiCertificate::from_der(&bytes),
    };
    parsed.with_context(|| format!("{} is not a JPKI certificate", path.display()))
}

/// Reads a file of one or more certificates, as openssl's `-CAfile` does: PEM with any number
/// of `CERTIFICATE` blocks (text between them and blocks of other kinds are passed over), or
/// one DER certificate. A regular file of at most [`Input::Certificate`]'s cap.
///
/// # Errors
/// [`crate::input::InputError`]; a PEM file without a certificate; a block or DER that is not
/// a JPKI certificate, with the file and the block's number named.
pub fn read_certificates(path: &Path) -> anyhow::Result<Vec<cert::JpkiCertificate>> {
    use anyhow::Context;
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let bytes = input::read(path, Input::Certificate)?;
    let Some(text) = std::str::from_utf8(&bytes)
        .ok()
        .filter(|t| t.contains("-----BEGIN"))
    else {
        let c = cert::JpkiCertificate::from_der(&bytes)
            .with_context(|| format!("{} is not a JPKI certificate", path.display()))?;
        return Ok(vec![c]);
    };
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = rest.get(start..).unwrap_or_default();
        let Some(end) = after.find(END) else {
            anyhow::bail!(
                "{}: certificate {} has no END line",
                path.display(),
                out.len() + 1
            );
        };
        let block = after.get(..end + END.len()).unwrap_or_default();
        let c = cert::JpkiCertificate::from_pem(block).with_context(|| {
            format!(
                "{}: certificate {} is not a JPKI certificate",
                path.display(),
                out.len() + 1
            )
        })?;
        out.push(c);
        rest = after.get(end + END.len()..).unwrap_or_default();
    }
    if out.is_empty() {
        anyhow::bail!("{} holds no PEM certificate", path.display());
    }
    Ok(out)
}

/// Anchors from files (each a certificate or a PEM bundle of several), or the built-in ones
/// when `files` is empty.
///
/// # Errors
/// A file that cannot be read, or a certificate in it that is not a CA certificate.
pub fn load(files: &[std::path::PathBuf]) -> anyhow::Result<cert::TrustAnchors> {
    use anyhow::Context;
    if files.is_empty() {
        return Ok(built_in()?);
    }
    let mut anchors = cert::TrustAnchors::new();
    for f in files {
        for (n, c) in read_certificates(f)?.into_iter().enumerate() {
            anchors.add(c).with_context(|| {
                format!(
                    "{} (certificate {}) is not a usable CA certificate",
                    f.display(),
                    n + 1
                )
            })?;
        }
    }
    Ok(anchors)
}

/// Reads a CRL file, PEM or DER (a regular file of at most [`Input::Crl`]'s cap).
///
/// # Errors
/// [`crate::input::InputError`] and parse errors, with the file named.
pub fn read_crl(path: &Path) -> anyhow::Result<cert::Crl> {
    use anyhow::Context;
    let bytes = input::read(path, Input::Crl)?;
    let der = match std::str::from_utf8(&bytes) {
        Ok(text) if text.contains("-----BEGIN X509 CRL-----") => {
            let (label, der) = der::pem::decode_vec(text.trim().as_bytes())
                .map_err(|e| anyhow::anyhow!("{} has a malformed PEM body: {e}", path.display()))?;
            anyhow::ensure!(label == "X509 CRL", "{} is not a PEM CRL", path.display());
            der
        }
        _ => bytes,
    };
    cert::Crl::from_der(&der).with_context(|| format!("{} is not a CRL", path.display()))
}

/// Reads every CRL the `--crl` options name: a file (PEM or DER, see [`read_crl`]) or a
/// directory, of which every regular `*.crl` file is read (in name order; other files are left
/// alone). The verifier then chooses the CRL of the certificate's issuer and partition.
///
/// # Errors
/// A directory without `*.crl` file or that cannot be listed, and [`read_crl`]'s errors.
pub fn read_crls(paths: &[std::path::PathBuf]) -> anyhow::Result<Vec<cert::Crl>> {
    use anyhow::Context;
    let mut crls = Vec::new();
    for path in paths {
        if !path.is_dir() {
            crls.push(read_crl(path)?);
            continue;
        }
        let mut files = Vec::new();
        for entry in std::fs::read_dir(path)
            .with_context(|| format!("cannot list the CRL directory {}", path.display()))?
        {
            let entry = entry
                .with_context(|| format!("cannot list the CRL directory {}", path.display()))?;
            let file = entry.path();
            let is_crl = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("crl"));
            if is_crl && entry.file_type().is_ok_and(|t| t.is_file()) {
                files.push(file);
            }
        }
        anyhow::ensure!(
            !files.is_empty(),
            "{} holds no *.crl file: give the directory of the published CRLs or a CRL file",
            path.display()
        );
        files.sort();
        for file in files {
            crls.push(read_crl(&file)?);
        }
    }
    Ok(crls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_six_real_anchors_load_and_split_by_hierarchy() {
        let anchors = built_in().unwrap();
        assert_eq!(anchors.anchors().len(), 6);
        let sign = anchors
            .anchors()
            .iter()
            .filter(|a| a.hierarchy() == cert::Hierarchy::Signature)
            .count();
        assert_eq!(sign, 3);
    }
}
