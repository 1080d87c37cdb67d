//! Any bytes as a detached CMS signature over a fixed document: `verify_detached` answers Ok or
//! a typed error, never panics; whatever it accepts names a signer certificate that the
//! message carries.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The document every seed signature was made over. The seeds are `jpki-tool sign` of this
/// text, one per key, with a card of a throwaway `jpki-sim authority` (synthetic holder).
const DOCUMENT: &[u8] = b"jpki-toolkit fuzz document\n";

fuzz_target!(|data: &[u8]| {
    if let Ok(verified) = jpki_tool::cms::verify_detached(data, DOCUMENT) {
        let signer = verified.signer.der();
        assert!(
            verified.certificates.iter().any(|c| c.as_slice() == signer),
            "accepted a signature whose signer certificate is not in the message"
        );
        // the same message over another document must not verify
        assert!(
            jpki_tool::cms::verify_detached(data, &b"another document"[..]).is_err(),
            "a signature verified over two different documents"
        );
    }
});
