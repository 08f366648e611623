//! The other cards a resident ID reader returns, from the simulated cards' read answers: the
//! 港澳台居民居住证 and both 外国人永久居留身份证 layouts, each with its own check rule, and an
//! unknown type mark refused by name.

use citizen_window_hardware::sam::id_card::{CardKind, Gender, IdCard, IdCardError, TEXT_LEN};
use citizen_window_hardware::sam::id_number::IdNumberError;
use citizen_window_hardware::sim::sam_reader::{SimCard, sample_cards_dir};

fn sim(name: &str) -> SimCard {
    SimCard::load(&sample_cards_dir().join(format!("{name}.json"))).unwrap()
}

fn decode(card: &SimCard) -> Result<IdCard, IdCardError> {
    IdCard::from_read_answer(&card.read_answer_payload().unwrap())
}

#[test]
fn residence_permit_of_a_hong_kong_resident() {
    let card = decode(&sim("chen-jiahui-hk")).unwrap();
    assert!(matches!(&card.kind, CardKind::HkMacaoTaiwanPermit { pass_number, issue_count }
        if pass_number == "H60123456" && issue_count == "01"));
    assert_eq!((card.name.as_str(), card.gender, card.nation()), ("陈嘉慧", Gender::Female, ""));
    assert_eq!(card.id_number.masked(), "8100**********0027");
    assert_eq!(card.masked_name(), "陈**");
    assert!(card.address.contains("莲花街道"));
    let debug = format!("{card:?}");
    assert!(debug.contains("港澳台居民居住证") && !debug.contains("H60123456") && !debug.contains("嘉慧"), "{debug}");

    // A GB 11643 number from the mainland is not a permit's.
    let mut mainland = sim("chen-jiahui-hk");
    mainland.id_number = "330102195603120018".into();
    mainland.birth = "19560312".into();
    assert!(matches!(decode(&mainland), Err(IdCardError::Field { field: "ID number", .. })));
    let mut bad_check = sim("chen-jiahui-hk");
    bad_check.id_number = "810000199001010028".into();
    assert!(matches!(decode(&bad_check), Err(IdCardError::IdNumber(IdNumberError::CheckCharacter))));
}

#[test]
fn permanent_residence_card_of_2017() {
    let card = decode(&sim("anna-schmidt-2017")).unwrap();
    let CardKind::ForeignPermanent2017 { english_name, nationality, card_version, authority_code } = &card.kind else {
        panic!("{card:?}")
    };
    assert_eq!(
        (english_name.as_str(), nationality.as_str(), card_version.as_str(), authority_code.as_str()),
        ("SCHMIDT, ANNA", "DEU", "17", "3100")
    );
    assert_eq!(card.display_name(), "安娜");
    assert_eq!(card.id_number.masked(), "DEU3*******1521");
    assert_eq!(card.birth_date.to_string(), "1972-03-15");
    assert!(card.address.is_empty() && card.issuing_authority.is_empty());

    // Its number follows the 7-3-1 rule, not GB 11643's; and must agree with the card.
    let mut bad_check = sim("anna-schmidt-2017");
    bad_check.id_number = "DEU310072031522".into();
    assert!(matches!(decode(&bad_check), Err(IdCardError::IdNumber(IdNumberError::CheckCharacter))));
    let mut other_country = sim("anna-schmidt-2017");
    other_country.nationality = "FRA".into();
    assert!(matches!(decode(&other_country), Err(IdCardError::Field { field: "nationality", .. })));
    let mut other_birthday = sim("anna-schmidt-2017");
    other_birthday.birth = "19720316".into();
    assert!(matches!(decode(&other_birthday), Err(IdCardError::Field { field: "birth date", .. })));
}

#[test]
fn permanent_residence_card_of_2023() {
    let card = decode(&sim("yuki-tanaka-2023")).unwrap();
    assert!(matches!(&card.kind, CardKind::ForeignPermanent2023 { english_name, nationality, renewal_count, .. }
        if english_name == "TANAKA, YUKI" && nationality == "JPN" && renewal_count == "00"));
    // No Chinese name: greeted and masked by the English one.
    assert_eq!(card.display_name(), "TANAKA, YUKI");
    assert_eq!(card.masked_name(), "T****** ****");
    assert_eq!(card.id_number.masked(), "9313**********0042");

    // A long English name continues after the dates and comes back whole.
    let mut long = sim("yuki-tanaka-2023");
    long.english_name = "TANAKA-WILLIAMSON, YUKI ALEXANDRA MARIE".into();
    let decoded = decode(&long).unwrap();
    assert!(matches!(&decoded.kind, CardKind::ForeignPermanent2023 { english_name, .. }
        if english_name == "TANAKA-WILLIAMSON, YUKI ALEXANDRA MARIE"));

    // GB 11643's check character, and a number that begins with 9.
    let mut bad_check = sim("yuki-tanaka-2023");
    bad_check.id_number = "931392198506120043".into();
    assert!(matches!(decode(&bad_check), Err(IdCardError::IdNumber(IdNumberError::CheckCharacter))));
    let mut not_foreign = sim("yuki-tanaka-2023");
    not_foreign.id_number = "330102198506120044".into();
    assert!(matches!(decode(&not_foreign), Err(IdCardError::Field { field: "ID number", .. })));
}

#[test]
fn unknown_type_marks_are_refused_by_name() {
    let mut payload = sim("zhang-wei").read_answer_payload().unwrap();
    let mark = 7 + 248;
    payload[mark..mark + 2].copy_from_slice(&u16::from(b'Q').to_le_bytes());
    assert_eq!(IdCard::from_read_answer(&payload).unwrap_err(), IdCardError::UnknownKind("Q".into()));
    assert_eq!(payload.len(), 7 + TEXT_LEN + 1024);
}
