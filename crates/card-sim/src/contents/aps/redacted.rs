//! `Debug` of the application contents and slots: record bytes by length, keys, PINs and the
//! security code never shown.

use core::fmt;

use super::{
    CommonContents, CommonSlot, FaceUpdate, TextRecordSlot, TextSupportRecords,
    VerificationContents, VerificationSlot, VisualContents, VisualSlot,
};

struct Len(usize);

impl fmt::Debug for Len {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

const REDACTED: &str = "<redacted>";

impl fmt::Debug for TextSupportRecords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextSupportRecords")
            .field("integrity", &Len(self.integrity.len()))
            .field("cv_certificate", &Len(self.cv_certificate.len()))
            .field("basic_info", &Len(self.basic_info.len()))
            .field("session_key", &Len(self.session_key.len()))
            .field("signed_key", &Len(self.signed_key.len()))
            .field("card_key", &REDACTED)
            .finish()
    }
}

impl fmt::Debug for VisualContents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VisualContents")
            .field("age_record", &Len(self.age_record.len()))
            .field("card_face", &Len(self.card_face.len()))
            .field("basic_info", &Len(self.basic_info.len()))
            .field("cv_certificate", &Len(self.cv_certificate.len()))
            .field("my_number_image", &Len(self.my_number_image.len()))
            .field("card_key", &REDACTED)
            .finish()
    }
}

impl fmt::Debug for VerificationContents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationContents")
            .field("number_b", &self.number_b)
            .field("birth_date", &self.birth_date)
            .field("retry_limit", &self.retry_limit)
            .field("security_code", &REDACTED)
            .finish()
    }
}

impl fmt::Debug for CommonContents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommonContents")
            .field("serial", &self.serial)
            .field("municipality", &self.municipality)
            .field("expiry", &self.expiry)
            .field("internal_auth_key", &REDACTED)
            .field("common_pin", &self.common_pin)
            .field("juki_pin", &self.juki_pin)
            .field("retry_limit", &self.retry_limit)
            .field("mf_objects", &self.mf_objects.is_some())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for TextRecordSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextRecordSlot")
            .field("card_key", &self.card_key)
            .field("number_a", &self.number_a)
            .field("number_b", &self.number_b)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for VisualSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VisualSlot")
            .field("card_key", &self.card_key)
            .field("birth_date", &self.birth_date)
            .field("number_b", &self.number_b)
            .field("number_a", &self.number_a)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for CommonSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommonSlot")
            .field("serial", &self.serial)
            .field("municipality", &self.municipality)
            .field("expiry", &self.expiry)
            .field("internal_auth_key", &self.internal_auth_key)
            .field("common_pin", &self.common_pin)
            .field("juki_pin", &self.juki_pin)
            .field("mf_objects", &self.mf_objects.is_some())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for VerificationSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationSlot")
            .field("number_b", &self.number_b)
            .field("birth_date", &self.birth_date)
            .field("retry_limit", &self.retry_limit)
            .field("security_code", &REDACTED)
            .finish()
    }
}

impl fmt::Debug for FaceUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaceUpdate")
            .field("integrity", &Len(self.integrity.len()))
            .field("age_record", &Len(self.age_record.len()))
            .field("card_face", &Len(self.card_face.len()))
            .field("number_b", &self.number_b)
            .field("birth_date", &self.birth_date)
            .finish()
    }
}
