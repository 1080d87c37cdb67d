//! 券面事項確認AP (card-face check application, card-map §5): VERIFY a 照合番号, then read
//! the card face, the My Number image and the CV certificate.

use apdu::{Channel, Transport};

use crate::error::Error;
use crate::file_map::{App, face_check as ef};
use crate::iso;
use crate::records::{CardFace, CvCertificate, MyNumberImage};
use crate::types::{CardPin, NumberKind, VerificationNumber};

/// The card-face check application, from [`crate::WholeCard::face_check`].
#[derive(Debug)]
pub struct FaceCheck<'a, T> {
    channel: &'a mut Channel<T>,
}

impl<'a, T: Transport> FaceCheck<'a, T> {
    /// Borrows a channel.
    pub const fn new(channel: &'a mut Channel<T>) -> Self {
        Self { channel }
    }

    /// VERIFY a 照合番号 once: `00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02`, SELECT its key
    /// EF (`00 A4 02 0C 02 00 13` for A, `… 00 12` for B), `00 20 00 80 Lc <digits>`.
    ///
    /// # Errors
    /// [`Error::ApplicationNotFound`] on a card without it; [`Error::WrongNumber`] with the
    /// tries left; [`Error::NumberBlocked`].
    pub fn verify(self, number: &VerificationNumber) -> Result<FaceSession<'a, T>, Error> {
        let which = CardPin::face_number(number.kind());
        let (app, fid) = which.location();
        iso::select_application(self.channel, app)?;
        iso::select_ef(self.channel, fid)?;
        iso::verify_number(self.channel, which, number.expose_secret())?;
        Ok(FaceSession {
            channel: self.channel,
            kind: number.kind(),
        })
    }

    /// The CV certificate (EF `0004`, free): SELECT the application, `00 A4 02 0C 02 00 04`,
    /// `00 B0 00 00 08`, then the rest.
    ///
    /// # Errors
    /// [`Error::MalformedFile`]; [`Error::ApplicationNotFound`].
    pub fn cv_certificate(&mut self) -> Result<CvCertificate, Error> {
        iso::select_application(self.channel, App::FaceCheck)?;
        read_cv(self.channel)
    }
}

fn read_cv<T: Transport>(ch: &mut Channel<T>) -> Result<CvCertificate, Error> {
    CvCertificate::parse(
        &iso::read_tlv_file(ch, ef::CV_CERTIFICATE)?,
        ef::CV_CERTIFICATE,
    )
}

/// The card-face check application with a 照合番号 verified. It borrows the channel mutably,
/// so no application SELECT (which would end the verified state) can happen while it lives.
#[derive(Debug)]
pub struct FaceSession<'a, T> {
    channel: &'a mut Channel<T>,
    kind: NumberKind,
}

impl<T: Transport> FaceSession<'_, T> {
    /// Which 照合番号 opened it.
    #[must_use]
    pub const fn kind(&self) -> NumberKind {
        self.kind
    }

    /// EF `0002`: `00 A4 02 0C 02 00 02`, `00 B0 00 00 08`, then the rest; parsed and checked
    /// against its offset table.
    ///
    /// # Errors
    /// [`Error::MalformedFile`].
    pub fn card_face(&mut self) -> Result<CardFace, Error> {
        CardFace::parse(&iso::read_tlv_file(self.channel, ef::CARD_FACE)?)
    }

    /// EF `0005`, readable after 照合番号A only: `00 A4 02 0C 02 00 05`, `00 B0 00 00 08`, then
    /// the rest.
    ///
    /// # Errors
    /// [`Error::SecurityStatusNotSatisfied`] after B (the card says `6982`); malformed file.
    pub fn my_number_image(&mut self) -> Result<MyNumberImage, Error> {
        MyNumberImage::parse(&iso::read_tlv_file(self.channel, ef::MY_NUMBER_IMAGE)?)
    }

    /// EF `0004` without leaving the session: `00 A4 02 0C 02 00 04`, then as
    /// [`FaceCheck::cv_certificate`].
    ///
    /// # Errors
    /// [`Error::MalformedFile`].
    pub fn cv_certificate(&mut self) -> Result<CvCertificate, Error> {
        read_cv(self.channel)
    }
}
