//! How a secret would show if it leaked into text. Shared by the secrets tests of card-sim and
//! jpki-tool (jpki-tool includes this file by path).

/// Every form in which a secret could leak into text: hex upper and lower, spaced hex, the
/// decimal byte list `Debug` prints for a `Vec<u8>`, and quoted as `Debug` prints a string —
/// and, for a PIN with a letter, the plain text. A 4-digit PIN's plain digits are searched for
/// as a token of their own ([`shows_digits`]): inside a longer run of digits or hex they turn
/// up by chance (process IDs, timestamps, random keys and certificates).
pub fn forms(secret: &str) -> Vec<String> {
    let upper = hex::encode_upper(secret.as_bytes());
    let spaced = secret
        .bytes()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ");
    let decimal = secret
        .bytes()
        .map(|b| b.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut forms = vec![
        upper.clone(),
        upper.to_lowercase(),
        spaced.clone(),
        spaced.to_lowercase(),
        decimal,
        format!("{secret:?}"),
    ];
    if !secret.bytes().all(|b| b.is_ascii_digit()) {
        forms.push(secret.to_owned());
    }
    forms
}

/// Whether `text` shows the all-digit `secret` with no hex digit right before or after it.
pub fn shows_digits(text: &str, secret: &str) -> bool {
    if !secret.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let bytes = text.as_bytes();
    text.match_indices(secret).any(|(at, _)| {
        let before = at.checked_sub(1).and_then(|i| bytes.get(i));
        let after = bytes.get(at + secret.len());
        !before.is_some_and(u8::is_ascii_hexdigit) && !after.is_some_and(u8::is_ascii_hexdigit)
    })
}
