//! The synthetic images of the card face (card-map §9): 1-bit greyscale PNGs (name, address,
//! security code, My Number) and the JPEG 2000 face photos committed in `crates/issuer/faces/`.

use crate::error::Error;

/// The committed face photos, JP2 (see `crates/issuer/faces/README.md`): 90×110, greyscale.
pub const FACES: [&[u8]; 5] = [
    include_bytes!("../../faces/face-1.jp2"),
    include_bytes!("../../faces/face-2.jp2"),
    include_bytes!("../../faces/face-3.jp2"),
    include_bytes!("../../faces/face-4.jp2"),
    include_bytes!("../../faces/face-5.jp2"),
];

/// Width and height of every committed face photo.
pub const FACE_SIZE: (u32, u32) = (90, 110);

/// Height of the digit images (security code 24×12, My Number 72×12; card-map §9).
const DIGIT_HEIGHT: usize = 12;
/// Width of one digit cell (5 pixels of glyph, 1 of space).
const DIGIT_WIDTH: usize = 6;

/// A 5×7 bitmap digit font of our own, one row per byte (bit 4 = leftmost pixel).
const FONT: [[u8; 7]; 10] = [
    [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], // 0
    [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E], // 1
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], // 2
    [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E], // 3
    [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], // 4
    [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E], // 5
    [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], // 6
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08], // 7
    [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], // 8
    [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C], // 9
];

/// A 1-bit canvas, `true` = black ink on white.
struct Canvas {
    width: usize,
    height: usize,
    ink: Vec<bool>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            ink: vec![false; width * height],
        }
    }

    fn set(&mut self, x: usize, y: usize) {
        if x < self.width
            && y < self.height
            && let Some(p) = self.ink.get_mut(y * self.width + x)
        {
            *p = true;
        }
    }

    /// PNG, greyscale, bit depth 1 (0 = black ink, 1 = white).
    fn png(&self) -> Result<Vec<u8>, Error> {
        let bad = |_| Error::CardFace {
            reason: "PNG encoding failed",
        };
        let width = u32::try_from(self.width).map_err(|_| Error::CardFace {
            reason: "image too wide",
        })?;
        let height = u32::try_from(self.height).map_err(|_| Error::CardFace {
            reason: "image too high",
        })?;
        let mut data = Vec::with_capacity(self.height * self.width.div_ceil(8));
        for row in self.ink.chunks(self.width.max(1)) {
            for byte in row.chunks(8) {
                let mut b = 0u8;
                for (i, &ink) in byte.iter().enumerate() {
                    if !ink {
                        b |= 0x80 >> i;
                    }
                }
                data.push(b);
            }
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        encoder.set_compression(png::Compression::High);
        let mut writer = encoder.write_header().map_err(bad)?;
        writer.write_image_data(&data).map_err(bad)?;
        writer.finish().map_err(bad)?;
        Ok(out)
    }
}

/// Digits drawn with [`FONT`] in 6×12 cells, glyphs vertically centred: a 24×12 image for the
/// 4-digit security code, 72×12 for the 12-digit My Number.
///
/// # Errors
/// [`Error::CardFace`] for a non-digit.
pub(crate) fn digits_png(digits: &[u8]) -> Result<Vec<u8>, Error> {
    let mut canvas = Canvas::new(digits.len() * DIGIT_WIDTH, DIGIT_HEIGHT);
    for (cell, &d) in digits.iter().enumerate() {
        let glyph = d
            .checked_sub(b'0')
            .and_then(|i| FONT.get(usize::from(i)))
            .ok_or(Error::CardFace {
                reason: "a digit image of a non-digit",
            })?;
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..5 {
                if bits & (0x10 >> col) != 0 {
                    canvas.set(cell * DIGIT_WIDTH + col, 2 + row);
                }
            }
        }
    }
    canvas.png()
}

/// Characters per line of the name and address images.
const TEXT_COLUMNS: usize = 16;
/// Cell of one character in the name and address images.
const TEXT_CELL: usize = 16;

/// A name or address image (our choice: no kanji font is available): one 12×12 outlined box
/// per character in 16×16 cells, 16 characters a line, a space left blank — the text's shape,
/// not its glyphs. At least one line of `min_columns` cells wide.
///
/// # Errors
/// [`Error::CardFace`] if encoding fails.
pub(crate) fn text_png(text: &str, min_columns: usize) -> Result<Vec<u8>, Error> {
    let chars: Vec<char> = text.chars().collect();
    let columns = chars
        .len()
        .clamp(min_columns, TEXT_COLUMNS.max(min_columns));
    let lines = chars.len().div_ceil(columns).max(1);
    let mut canvas = Canvas::new(columns * TEXT_CELL, lines * TEXT_CELL);
    for (i, c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            continue;
        }
        let (x0, y0) = ((i % columns) * TEXT_CELL + 2, (i / columns) * TEXT_CELL + 2);
        for k in 0..12 {
            canvas.set(x0 + k, y0);
            canvas.set(x0 + k, y0 + 11);
            canvas.set(x0, y0 + k);
            canvas.set(x0 + 11, y0 + k);
        }
        // one inner pixel per character, from its code point, so different texts differ
        let code = usize::try_from(u32::from(*c)).unwrap_or_default();
        canvas.set(x0 + 2 + code % 8, y0 + 2 + (code / 8) % 8);
    }
    canvas.png()
}
