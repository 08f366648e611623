//! Ethnic group codes (GB/T 3304) as the ID card stores them, two digits.

const NATIONS: [&str; 56] = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
];

/// The group's name for a code such as "01", or `None` for an unknown code.
pub fn nation_name(code: &str) -> Option<&'static str> {
    let n: usize = code.parse().ok()?;
    match n {
        1..=56 => Some(NATIONS[n - 1]),
        97 => Some("其他"),
        98 => Some("外国血统中国籍人士"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_codes() {
        assert_eq!(super::nation_name("01"), Some("汉"));
        assert_eq!(super::nation_name("56"), Some("基诺"));
        assert_eq!(super::nation_name("57"), None);
        assert_eq!(super::nation_name("x1"), None);
    }
}
