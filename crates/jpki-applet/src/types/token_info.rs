//! EF `0006` of the JPKI application: a PKCS#11 `CK_TOKEN_INFO`, 160 bytes, with 4-byte
//! big-endian ULONGs and space-padded text (card-map §3; soltia48/myna-card `TokenInfo`).

use super::CardKind;

/// Size of EF `0006` on every card the sources describe.
pub const TOKEN_INFO_LEN: usize = 160;

/// EF `0006`, field by field. Text fields have their space padding removed.
///
/// | bytes | field |
/// |---|---|
/// | 0–31 | label (`JPKIAPICCTOKEN2`, Juki `JPKIAPICCTOKEN`) |
/// | 32–63 | manufacturerID |
/// | 64–79 | model |
/// | 80–95 | serialNumber |
/// | 96–99 | flags |
/// | 100–115 | max sessions, sessions, max RW sessions, RW sessions |
/// | 116–123 | max / min PIN length |
/// | 124–139 | total / free public, total / free private memory |
/// | 140–143 | hardware, firmware version: 2 ASCII bytes each on real cards (`03`, `01`) |
/// | 144–159 | utcTime |
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// The label.
    pub label: String,
    /// The card generation the label names.
    pub kind: CardKind,
    /// manufacturerID.
    pub manufacturer_id: String,
    /// model (`E16R01NJ` on the card of the sources).
    pub model: String,
    /// serialNumber: 16 characters, digits on real cards.
    pub serial_number: String,
    /// PKCS#11 `CKF_*` flags (`0000040D` on real cards).
    pub flags: u32,
    /// ulMaxSessionCount, ulSessionCount, ulMaxRwSessionCount, ulRwSessionCount.
    pub sessions: [u32; 4],
    /// ulMaxPinLen.
    pub max_pin_len: u32,
    /// ulMinPinLen.
    pub min_pin_len: u32,
    /// ulTotalPublicMemory, ulFreePublicMemory, ulTotalPrivateMemory, ulFreePrivateMemory
    /// (`FFFFFFFF` = unavailable on real cards).
    pub memory: [u32; 4],
    /// hardwareVersion as stored: ASCII `03` on real cards, not a `CK_VERSION`.
    pub hardware_version: [u8; 2],
    /// firmwareVersion as stored: ASCII `01` on real cards.
    pub firmware_version: [u8; 2],
    /// utcTime as stored.
    pub utc_time: [u8; 16],
}

/// Reads `N` bytes at `at` of a file already checked to be [`TOKEN_INFO_LEN`] long.
fn bytes<const N: usize>(file: &[u8], at: usize) -> Result<[u8; N], &'static str> {
    file.get(at..at + N)
        .and_then(|b| <[u8; N]>::try_from(b).ok())
        .ok_or("shorter than its layout")
}

fn ulong(file: &[u8], at: usize) -> Result<u32, &'static str> {
    bytes::<4>(file, at).map(u32::from_be_bytes)
}

/// A space-padded text field: printable ASCII, trailing spaces removed.
fn text(file: &[u8], at: usize, len: usize) -> Result<String, &'static str> {
    let field = file.get(at..at + len).ok_or("shorter than its layout")?;
    if !field.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        return Err("a text field is not printable ASCII");
    }
    Ok(String::from_utf8_lossy(field)
        .trim_end_matches(' ')
        .to_owned())
}

impl TokenInfo {
    /// Parses EF `0006`: exactly [`TOKEN_INFO_LEN`] bytes, a label naming a JPKI card.
    ///
    /// ```
    /// # use jpki_applet::{CardKind, TokenInfo};
    /// let mut file = [b' '; 160];
    /// file[..15].copy_from_slice(b"JPKIAPICCTOKEN2");
    /// let info = TokenInfo::parse(&file).unwrap();
    /// assert_eq!(info.kind, CardKind::MyNumber);
    /// assert!(TokenInfo::parse(&file[..32]).is_err());
    /// ```
    ///
    /// # Errors
    /// Why the file is not a JPKI token info: its length, a text field that is not
    /// printable ASCII, or a label that names no JPKI card.
    pub fn parse(file: &[u8]) -> Result<Self, &'static str> {
        if file.len() != TOKEN_INFO_LEN {
            return Err("not 160 bytes");
        }
        let label = text(file, 0, 32)?;
        let kind = CardKind::from_token_label(&label)
            .ok_or("token label is not JPKIAPICCTOKEN or JPKIAPICCTOKEN2")?;
        Ok(Self {
            label,
            kind,
            manufacturer_id: text(file, 32, 32)?,
            model: text(file, 64, 16)?,
            serial_number: text(file, 80, 16)?,
            flags: ulong(file, 96)?,
            sessions: [
                ulong(file, 100)?,
                ulong(file, 104)?,
                ulong(file, 108)?,
                ulong(file, 112)?,
            ],
            max_pin_len: ulong(file, 116)?,
            min_pin_len: ulong(file, 120)?,
            memory: [
                ulong(file, 124)?,
                ulong(file, 128)?,
                ulong(file, 132)?,
                ulong(file, 136)?,
            ],
            hardware_version: bytes(file, 140)?,
            firmware_version: bytes(file, 142)?,
            utc_time: bytes(file, 144)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// soltia48/myna-card's vector of a physical card (card-map §3).
    fn real_card() -> Vec<u8> {
        let mut raw = vec![b' '; TOKEN_INFO_LEN];
        raw[..15].copy_from_slice(b"JPKIAPICCTOKEN2");
        raw[32..64].copy_from_slice(b"00000000000000000000000000000001");
        raw[64..72].copy_from_slice(b"E16R01NJ");
        raw[80..96].copy_from_slice(b"0000000020500003");
        let ulongs = hex::decode(
            "0000040D 00000001 00000000 00000001 00000000 00000010 00000006
             FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF"
                .replace([' ', '\n'], ""),
        )
        .unwrap();
        raw[96..140].copy_from_slice(&ulongs);
        raw[140..144].copy_from_slice(b"0301");
        raw[144..].fill(b'9');
        raw
    }

    #[test]
    fn parses_every_field_of_a_real_card() {
        let info = TokenInfo::parse(&real_card()).unwrap();
        assert_eq!(
            info,
            TokenInfo {
                label: "JPKIAPICCTOKEN2".into(),
                kind: CardKind::MyNumber,
                manufacturer_id: "00000000000000000000000000000001".into(),
                model: "E16R01NJ".into(),
                serial_number: "0000000020500003".into(),
                flags: 0x0000_040D,
                sessions: [1, 0, 1, 0],
                max_pin_len: 16,
                min_pin_len: 6,
                memory: [u32::MAX; 4],
                hardware_version: *b"03",
                firmware_version: *b"01",
                utc_time: [b'9'; 16],
            }
        );
    }

    #[test]
    fn the_juki_label_names_the_juki_card() {
        let mut raw = real_card();
        raw[14] = b' ';
        assert_eq!(TokenInfo::parse(&raw).unwrap().kind, CardKind::Juki);
    }

    #[test]
    fn short_long_and_odd_files_are_refused() {
        let raw = real_card();
        for len in [0, 32, 159] {
            assert_eq!(TokenInfo::parse(&raw[..len]), Err("not 160 bytes"));
        }
        let mut long = raw.clone();
        long.push(0);
        assert_eq!(TokenInfo::parse(&long), Err("not 160 bytes"));
        // the label then 128 zeros: what card-sim answered before
        let mut zeros = raw.clone();
        zeros[32..].fill(0);
        assert_eq!(
            TokenInfo::parse(&zeros),
            Err("a text field is not printable ASCII")
        );
        let mut label = raw.clone();
        label[..15].copy_from_slice(b"JPKIAPGPSETOKEN");
        assert_eq!(
            TokenInfo::parse(&label),
            Err("token label is not JPKIAPICCTOKEN or JPKIAPICCTOKEN2")
        );
        let mut serial = raw;
        serial[90] = 0xFF;
        assert_eq!(
            TokenInfo::parse(&serial),
            Err("a text field is not printable ASCII")
        );
    }
}
