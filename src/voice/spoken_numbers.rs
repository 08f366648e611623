//! Numbers as the prompts that say them: whole numbers, amounts of money and ticket numbers,
//! spoken from recorded digits and units (零 一 … 十 百 千 万 元 角 分, and 两 where a person says
//! it: 两百, 两千, 两万, 两元; zero … nineteen, twenty … ninety, hundred, thousand, yuan, fen), so
//! that no amount needs a prompt of its own.

use crate::content::Language;

/// Amounts from this many fen (a million yuan) are not said: the English words stop at
/// 999 999.
pub const AMOUNT_SAID_BELOW_FEN: u64 = 100_000_000;

/// The prompts of a number's digits and units: `n0` … `n9`, `n10`, `n100`, `n1000`, `n10000` in
/// Chinese; `n0` … `n19`, `n20` … `n90`, `n100`, `n1000` in English.
pub fn whole(language: Language, n: u64) -> Vec<String> {
    match language {
        Language::Zh => zh_whole(n),
        Language::En => en_whole(n),
    }
}

/// An amount of money: 12.50 元 is 十二元五角, "twelve yuan fifty fen".
pub fn amount(language: Language, fen: u64) -> Vec<String> {
    let (yuan, cents) = (fen / 100, fen % 100);
    let mut said = Vec::new();
    match language {
        Language::Zh => {
            let (jiao, fen) = (cents / 10, cents % 10);
            // 两 before a unit on its own: 两元, 两角, 两分 (but 十二元).
            let counted = |n: u64| if n == 2 { vec![LIANG.to_string()] } else { zh_whole(n) };
            if yuan > 0 || cents == 0 {
                said.extend(counted(yuan));
                said.push("yuan".into());
            }
            if jiao > 0 {
                said.extend(counted(jiao));
                said.push("jiao".into());
            } else if fen > 0 && yuan > 0 {
                said.push(digit(0));
            }
            if fen > 0 {
                said.extend(counted(fen));
                said.push("fen".into());
            }
        }
        Language::En => {
            if yuan > 0 || cents == 0 {
                said.extend(en_whole(yuan));
                said.push("yuan".into());
            }
            if cents > 0 {
                said.extend(en_whole(cents));
                said.push("fen".into());
            }
        }
    }
    said
}

/// A code read out sign by sign (a ticket's A023): each letter and each digit; anything else is
/// passed over.
pub fn signs(code: &str) -> Vec<String> {
    code.chars()
        .filter_map(|c| match c {
            'A'..='Z' | 'a'..='z' => Some(format!("letter_{}", c.to_ascii_lowercase())),
            '0'..='9' => Some(digit(u64::from(c as u8 - b'0'))),
            _ => None,
        })
        .collect()
}

fn digit(d: u64) -> String {
    format!("n{d}")
}

/// 两: two, before 百, 千, 万 or a unit of money.
const LIANG: &str = "liang";

/// 0 to 99 999 999 (larger numbers are said as their last eight digits: no amount at a kiosk
/// comes near).
fn zh_whole(n: u64) -> Vec<String> {
    let n = n % 100_000_000;
    if n == 0 {
        return vec![digit(0)];
    }
    let (high, low) = (n / 10_000, n % 10_000);
    let mut said = Vec::new();
    if high > 0 {
        if high == 2 {
            said.push(LIANG.into());
        } else {
            said.extend(zh_below_ten_thousand(high, true));
        }
        said.push("n10000".into());
        if low > 0 && low < 1000 {
            said.push(digit(0));
        }
    }
    if low > 0 {
        said.extend(zh_below_ten_thousand(low, high == 0));
    }
    said
}

/// 1 to 9999: 一千零五, 二十, 两百, and 十五 (not 一十五) when it leads the number.
fn zh_below_ten_thousand(n: u64, leads: bool) -> Vec<String> {
    let places = [(1000, "n1000"), (100, "n100"), (10, "n10"), (1, "")];
    let mut said = Vec::new();
    let mut zero_pending = false;
    for (place, unit) in places {
        let d = n / place % 10;
        if d == 0 {
            zero_pending = !said.is_empty();
            continue;
        }
        if zero_pending {
            said.push(digit(0));
            zero_pending = false;
        }
        let bare_ten = place == 10 && d == 1 && said.is_empty() && leads;
        if d == 2 && place >= 100 {
            said.push(LIANG.into());
        } else if !bare_ten {
            said.push(digit(d));
        }
        if !unit.is_empty() {
            said.push(unit.into());
        }
    }
    said
}

/// 0 to 999 999 (larger: the last six digits).
fn en_whole(n: u64) -> Vec<String> {
    let n = n % 1_000_000;
    if n == 0 {
        return vec![digit(0)];
    }
    let mut said = Vec::new();
    if n >= 1000 {
        said.extend(en_below_thousand(n / 1000));
        said.push("n1000".into());
    }
    said.extend(en_below_thousand(n % 1000));
    said
}

fn en_below_thousand(n: u64) -> Vec<String> {
    let mut said = Vec::new();
    if n >= 100 {
        said.extend([digit(n / 100), "n100".into()]);
    }
    match n % 100 {
        0 => {}
        rest @ 1..=19 => said.push(digit(rest)),
        rest => {
            said.push(format!("n{}", rest / 10 * 10));
            if rest % 10 > 0 {
                said.push(digit(rest % 10));
            }
        }
    }
    said
}

/// Every prompt the numbers above can ask for, in `language`.
pub fn every_prompt(language: Language) -> Vec<String> {
    let mut keys: Vec<String> = match language {
        Language::Zh => {
            (0..=9).map(digit).chain(["n10", "n100", "n1000", "n10000", "jiao", LIANG].map(String::from)).collect()
        }
        Language::En => {
            (0..=19).map(digit).chain((2..=9).map(|t| digit(t * 10))).chain(["n100".into(), "n1000".into()]).collect()
        }
    };
    keys.extend(["yuan", "fen"].map(String::from));
    keys.extend(('a'..='z').map(|c| format!("letter_{c}")));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zh(n: u64) -> String {
        say(whole(Language::Zh, n), Language::Zh)
    }

    /// The prompts as the words they say, to read the tests by.
    fn say(keys: Vec<String>, language: Language) -> String {
        let zh_words = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        let en_words = [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ];
        let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
        let words: Vec<String> = keys
            .iter()
            .map(|key| match (language, key.as_str()) {
                (Language::Zh, "n10") => "十".into(),
                (Language::Zh, "n100") => "百".into(),
                (Language::Zh, "n1000") => "千".into(),
                (Language::Zh, "n10000") => "万".into(),
                (Language::Zh, "yuan") => "元".into(),
                (Language::Zh, "jiao") => "角".into(),
                (Language::Zh, "fen") => "分".into(),
                (Language::Zh, "liang") => "两".into(),
                (Language::Zh, key) => zh_words[key[1..].parse::<usize>().unwrap()].into(),
                (Language::En, "n100") => "hundred".into(),
                (Language::En, "n1000") => "thousand".into(),
                (Language::En, "yuan" | "fen") => key.clone(),
                (Language::En, key) => match key[1..].parse::<usize>().unwrap() {
                    n @ 0..=19 => en_words[n].into(),
                    n => tens[n / 10].into(),
                },
            })
            .collect();
        words.join(if language == Language::Zh { "" } else { " " })
    }

    #[test]
    fn chinese_numbers_are_said_as_a_person_says_them() {
        assert_eq!(zh(0), "零");
        assert_eq!(zh(7), "七");
        assert_eq!(zh(10), "十");
        assert_eq!(zh(15), "十五");
        assert_eq!(zh(20), "二十");
        assert_eq!(zh(105), "一百零五");
        assert_eq!(zh(110), "一百一十");
        assert_eq!(zh(1005), "一千零五");
        assert_eq!(zh(1050), "一千零五十");
        assert_eq!(zh(2300), "两千三百");
        assert_eq!(zh(1200), "一千两百");
        assert_eq!(zh(222), "两百二十二");
        assert_eq!(zh(22), "二十二");
        assert_eq!(zh(2), "二");
        assert_eq!(zh(20_000), "两万");
        assert_eq!(zh(120_000), "十二万");
        assert_eq!(zh(10_000), "一万");
        assert_eq!(zh(10_005), "一万零五");
        assert_eq!(zh(100_010), "十万零一十");
        assert_eq!(zh(123_456), "十二万三千四百五十六");
        assert_eq!(zh(99_999_999), "九千九百九十九万九千九百九十九");
    }

    #[test]
    fn english_numbers_are_said_in_words() {
        let en = |n| say(whole(Language::En, n), Language::En);
        assert_eq!(en(0), "zero");
        assert_eq!(en(13), "thirteen");
        assert_eq!(en(40), "forty");
        assert_eq!(en(99), "ninety nine");
        assert_eq!(en(305), "three hundred five");
        assert_eq!(en(12_000), "twelve thousand");
        assert_eq!(en(999_999), "nine hundred ninety nine thousand nine hundred ninety nine");
    }

    #[test]
    fn amounts_are_said_in_yuan_jiao_and_fen() {
        let zh = |fen| say(amount(Language::Zh, fen), Language::Zh);
        assert_eq!(zh(12_850), "一百二十八元五角");
        assert_eq!(zh(1205), "十二元零五分");
        assert_eq!(zh(1_000), "十元");
        assert_eq!(zh(7), "七分");
        assert_eq!(zh(0), "零元");
        assert_eq!(zh(33), "三角三分");
        assert_eq!(zh(222), "两元两角两分");
        assert_eq!(zh(1220), "十二元两角");
        let en = |fen| say(amount(Language::En, fen), Language::En);
        assert_eq!(en(12_850), "one hundred twenty eight yuan fifty fen");
        assert_eq!(en(100), "one yuan");
        assert_eq!(en(5), "five fen");
    }

    #[test]
    fn a_ticket_is_read_sign_by_sign_and_every_prompt_is_known() {
        assert_eq!(signs("A023"), ["letter_a", "n0", "n2", "n3"]);
        assert_eq!(signs("b-7"), ["letter_b", "n7"]);
        for language in [Language::Zh, Language::En] {
            let known = every_prompt(language);
            for n in (0..20_000).chain([99_999_999, 123_456, 999_999]) {
                for key in whole(language, n).into_iter().chain(amount(language, n)) {
                    assert!(known.contains(&key), "{key} for {n} in {language:?}");
                }
            }
        }
    }
}
