//! Company-name check (名称自主申报): a proposed name against the names already registered.
//!
//! A name is region + 字号 (the distinctive part) + industry + organisational form, e.g.
//! 南昌市西湖区 + 洪城数智 + 科技 + 有限公司. Two names clash when their 字号 are the same in the
//! same industry; the registration authority also flags 字号 that differ by one character. The
//! check strips the known region, industry and form words to compare the 字号, and says why.

use serde::{Deserialize, Serialize};

/// Region prefixes of the district, longest first.
const REGIONS: [&str; 7] = [
    "江西省南昌市西湖区",
    "南昌市西湖区",
    "江西省南昌市",
    "西湖区",
    "南昌市",
    "江西省",
    "南昌",
];

/// Organisational forms, longest first.
const FORMS: [&str; 8] = [
    "股份有限公司",
    "有限责任公司",
    "合伙企业（有限合伙）",
    "个人独资企业",
    "合伙企业",
    "有限公司",
    "分公司",
    "公司",
];

/// Industry words (行业表述) commonly found before the form.
const INDUSTRIES: [&str; 16] = [
    "信息技术",
    "网络科技",
    "文化传媒",
    "建设工程",
    "企业管理",
    "餐饮管理",
    "科技",
    "商贸",
    "贸易",
    "实业",
    "咨询",
    "服务",
    "餐饮",
    "物流",
    "建材",
    "电子",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Clash {
    /// The same full name: refused.
    Exact,
    /// The same 字号 in the same industry: refused.
    SameTradeName,
    /// A 字号 one character apart, or one containing the other: allowed, flagged for review.
    Similar,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameClash {
    pub existing: String,
    pub clash: Clash,
    /// The 字号 of each name, so the reason can be read.
    pub trade_name: String,
    pub existing_trade_name: String,
}

impl NameClash {
    /// Refused outright (exact or same 字号), as opposed to flagged.
    pub fn blocks(&self) -> bool {
        self.clash != Clash::Similar
    }
}

/// The parts of a name: (字号, industry).
pub fn split(name: &str) -> (String, String) {
    let mut s = name.trim();
    for r in REGIONS {
        if let Some(rest) = s.strip_prefix(r) {
            s = rest;
            break;
        }
    }
    for f in FORMS {
        if let Some(rest) = s.strip_suffix(f) {
            s = rest;
            break;
        }
    }
    let mut industry = "";
    for i in INDUSTRIES {
        if let Some(rest) = s.strip_suffix(i) {
            if !rest.is_empty() {
                s = rest;
                industry = i;
            }
            break;
        }
    }
    (s.to_string(), industry.to_string())
}

/// Levenshtein distance over characters, bounded small strings only.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Every registered name the proposed one clashes with, refusals first.
pub fn check<'a>(proposed: &str, registered: impl IntoIterator<Item = &'a str>) -> Vec<NameClash> {
    let (trade, industry) = split(proposed);
    let mut out = Vec::new();
    for existing in registered {
        let (other, other_industry) = split(existing);
        let clash = if existing.trim() == proposed.trim() {
            Some(Clash::Exact)
        } else if trade == other && industry == other_industry {
            Some(Clash::SameTradeName)
        } else if trade.chars().count() >= 2
            && other.chars().count() >= 2
            && (distance(&trade, &other) <= 1 || trade.contains(&other) || other.contains(&trade))
        {
            Some(Clash::Similar)
        } else {
            None
        };
        if let Some(clash) = clash {
            out.push(NameClash {
                existing: existing.to_string(),
                clash,
                trade_name: trade.clone(),
                existing_trade_name: other,
            });
        }
    }
    out.sort_by_key(|c| c.clash != Clash::Exact && c.clash != Clash::SameTradeName);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGISTERED: [&str; 3] = [
        "南昌市西湖区洪城数智科技有限公司",
        "南昌市西湖区恒通商贸有限公司",
        "南昌市西湖区万寿宫文化传媒有限公司",
    ];

    #[test]
    fn trade_names_are_found_between_region_industry_and_form() {
        assert_eq!(
            split("南昌市西湖区洪城数智科技有限公司"),
            ("洪城数智".into(), "科技".into())
        );
        assert_eq!(
            split("西湖区老街餐饮管理有限公司"),
            ("老街".into(), "餐饮管理".into())
        );
        assert_eq!(
            split("南昌绳金塔个人独资企业"),
            ("绳金塔".into(), String::new())
        );
    }

    #[test]
    fn exact_same_and_similar_names_are_told_apart() {
        let c = check("南昌市西湖区洪城数智科技有限公司", REGISTERED);
        assert_eq!(c[0].clash, Clash::Exact);
        let c = check("西湖区洪城数智科技有限责任公司", REGISTERED);
        assert_eq!(c[0].clash, Clash::SameTradeName);
        assert!(c[0].blocks());
        // Same 字号, other industry: allowed but flagged.
        let c = check("南昌市西湖区恒通餐饮有限公司", REGISTERED);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].clash, Clash::Similar);
        assert!(!c[0].blocks());
        // One character apart.
        let c = check("南昌市西湖区洪城数码科技有限公司", REGISTERED);
        assert_eq!(c[0].clash, Clash::Similar);
        assert_eq!(c[0].existing_trade_name, "洪城数智");
        assert!(check("南昌市西湖区赣江源科技有限公司", REGISTERED).is_empty());
    }
}
