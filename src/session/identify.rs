//! From a card read to the session's resident: the ID card's expiry checked against today, the
//! ID number masked for the screen and held for sealing (`resident_key`), and nothing else kept.

use super::Resident;
use crate::resident_key::ResidentSealer;
use citizen_window_hardware::sam::IdCard;
use citizen_window_hardware::sam::date::CalendarDate;
use citizen_window_hardware::sam::id_card::Validity;
use zeroize::Zeroizing;

/// Why a card read does not identify a resident; each says what to do next on screen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifyError {
    #[error("this ID card expired on {0}: please renew it at the police station; services without a card still work")]
    Expired(String),
}

/// The resident a valid ID card names, as the session may hold them.
pub fn resident_from_card(
    card: &IdCard,
    sealer: &ResidentSealer,
    today: CalendarDate,
) -> Result<Resident, IdentifyError> {
    if let Validity::Until(last_day) = card.valid_to
        && card.is_expired(today)
    {
        return Err(IdentifyError::Expired(last_day.to_string()));
    }
    Ok(Resident {
        name: Zeroizing::new(card.display_name().to_string()),
        masked_id: Zeroizing::new(card.id_number.masked()),
        handle: sealer.hold(&card.id_number),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use citizen_window_hardware::sam::IdNumber;
    use citizen_window_hardware::sam::id_card::Gender;

    fn card(valid_to: Validity) -> IdCard {
        IdCard {
            kind: citizen_window_hardware::sam::CardKind::ResidentId,
            name: "张伟".into(),
            gender: Gender::Male,
            nation_code: "01".into(),
            birth_date: CalendarDate::new(1960, 5, 1).unwrap(),
            address: "北京市东城区和平里街道1号".into(),
            id_number: IdNumber::parse("110101196005010019").unwrap(),
            issuing_authority: "北京市公安局东城分局".into(),
            valid_from: CalendarDate::new(2016, 5, 1).unwrap(),
            valid_to,
            photo_wlt: Vec::new(),
        }
    }

    fn keyer() -> ResidentSealer {
        let server = citizen_window_protocol::resident_seal::Unsealer::from_private_key(&[7; 32]).unwrap();
        ResidentSealer::new(&hex::encode(server.public_key()), "k", Zeroizing::new(vec![7; 32])).unwrap()
    }

    #[test]
    fn a_valid_card_gives_the_name_the_masked_number_and_the_handle_and_nothing_else() {
        let today = CalendarDate::new(2026, 11, 26).unwrap();
        let resident = resident_from_card(&card(Validity::LongTerm), &keyer(), today).unwrap();
        assert_eq!(resident.name.as_str(), "张伟");
        assert_eq!(resident.masked_id.as_str(), card(Validity::LongTerm).id_number.masked());
        assert!(!resident.masked_id.contains("19600501"), "the birth date is masked");
        assert!(!format!("{:?}", resident.handle).contains("110101"));
        assert!(resident.handle.vote_once_key("p").starts_with("vote:p:"));
    }

    #[test]
    fn a_card_is_valid_through_its_last_day() {
        let last = CalendarDate::new(2026, 11, 26).unwrap();
        let card = card(Validity::Until(last));
        assert!(resident_from_card(&card, &keyer(), last).is_ok());
        let err = resident_from_card(&card, &keyer(), CalendarDate::new(2026, 11, 27).unwrap()).unwrap_err();
        assert!(err.to_string().contains("renew"), "{err}");
    }
}
