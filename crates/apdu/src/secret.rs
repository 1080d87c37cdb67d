//! Which commands carry secrets, told by the instruction byte alone: what a card wipes after
//! use and what a trace never shows.

/// Whether commands with this INS can carry a PIN or an authentication secret in their data,
/// in the even and the odd INS form and whatever the class byte (interindustry, proprietary,
/// chained): VERIFY `20`, CHANGE REFERENCE DATA `24`, RESET RETRY COUNTER `2C` (a new PIN),
/// `32` (a proprietary key or PIN change), EXTERNAL AUTHENTICATE `82`, GENERAL AUTHENTICATE
/// `86` and ENVELOPE `C2` (which can wrap any of them).
#[must_use]
pub const fn is_secret_ins(ins: u8) -> bool {
    matches!(ins & 0xFE, 0x20 | 0x24 | 0x2C | 0x32 | 0x82 | 0x86 | 0xC2)
}

#[cfg(test)]
mod tests {
    use super::is_secret_ins;

    #[test]
    fn seven_instructions_in_both_forms_and_nothing_else() {
        let secret: Vec<u8> = (0..=u8::MAX).filter(|&ins| is_secret_ins(ins)).collect();
        assert_eq!(
            secret,
            [
                0x20, 0x21, 0x24, 0x25, 0x2C, 0x2D, 0x32, 0x33, 0x82, 0x83, 0x86, 0x87, 0xC2, 0xC3
            ]
        );
    }
}
