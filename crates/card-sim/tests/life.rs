//! The window's life-cycle writes on a card file: renewed keys, lost, ceased, a PIN reset —
//! each durable, each refused on a terminated card.

use test_support::cards;

use card_sim::{CardState, Cessation, Error, KeyRenewal, KeyRole, SimCard};
use cards::*;
use pin_policy::{Pin, PinKind};
use time::macros::datetime;

#[test]
fn renewed_keys_replace_the_slot_and_keep_or_replace_the_pin() {
    let dir = temp_dir("life-renew");
    let path = dir.join("card.jpki");
    let mut card = SimCard::create(&path, my_number_contents()).unwrap();
    let at = datetime!(2030-07-01 01:00:00.75 UTC);
    let new = key(2);
    card.renew_keys(
        vec![
            KeyRenewal {
                role: KeyRole::Authentication,
                private_key: new.key.clone(),
                certificate: new.cert.clone(),
                ca_certificate: key(3).cert.clone(),
                new_pin: Some(Pin::new(PinKind::Authentication, b"9999").unwrap()),
            },
            KeyRenewal {
                role: KeyRole::Signature,
                private_key: key(1).key.clone(),
                certificate: key(1).cert.clone(),
                ca_certificate: key(4).cert.clone(),
                new_pin: None,
            },
        ],
        at,
    )
    .unwrap();
    let mut card = reopen(card);
    assert_eq!(
        card.certificate(KeyRole::Authentication),
        Some(&new.cert[..])
    );
    assert_eq!(card.certificate(KeyRole::Signature), Some(&key(1).cert[..]));
    // the date is kept in whole seconds
    assert_eq!(
        card.history().last_renewal,
        Some(datetime!(2030-07-01 01:00 UTC))
    );
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(&mut card, "00 20 00 80 04 31 32 33 34", "63C2");
    exchange(&mut card, "00 20 00 80 04 39 39 39 39", "9000");
    // a PIN of the wrong kind: nothing changes
    let err = card
        .renew_keys(
            vec![KeyRenewal {
                role: KeyRole::Signature,
                private_key: key(2).key.clone(),
                certificate: key(2).cert.clone(),
                ca_certificate: key(4).cert.clone(),
                new_pin: Some(Pin::new(PinKind::Authentication, b"1111").unwrap()),
            }],
            at,
        )
        .unwrap_err();
    assert!(matches!(err, Error::WrongPinKind { .. }), "{err}");
    assert_eq!(card.certificate(KeyRole::Signature), Some(&key(1).cert[..]));
}

#[test]
fn lost_keeps_answering_ceased_answers_nothing() {
    let dir = temp_dir("life-states");
    let path = dir.join("card.jpki");
    let mut card = SimCard::create(&path, my_number_contents()).unwrap();
    assert_eq!(card.state(), CardState::Active);
    let at = datetime!(2027-01-02 03:04:05 UTC);
    card.mark_lost(at).unwrap();
    card.record_pin_reset(at).unwrap();
    let mut card = reopen(card);
    assert_eq!(card.state(), CardState::Lost { at });
    assert_eq!(card.history().last_pin_reset, Some(at));
    exchange(&mut card, SELECT_JPKI, "9000");
    card.cease(Cessation::Emigration, at).unwrap();
    let mut card = reopen(card);
    assert_eq!(
        card.state(),
        CardState::Ceased {
            cause: Cessation::Emigration,
            at
        }
    );
    assert!(card.is_terminated());
    assert!(card.certificate(KeyRole::Authentication).is_none());
    exchange(&mut card, SELECT_JPKI, "6A82");
    assert!(matches!(card.mark_lost(at), Err(Error::Terminated)));
    assert!(matches!(card.record_pin_reset(at), Err(Error::Terminated)));
    assert!(matches!(
        card.renew_keys(Vec::new(), at),
        Err(Error::Terminated)
    ));
}
