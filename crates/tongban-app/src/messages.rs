//! The message catalog: every user-facing string, Chinese first, English second, for every
//! edge that speaks to people (pages, e-mails, spreadsheets, the command line). Code looks
//! strings up by key; none are scattered in it.

use std::collections::HashMap;
use std::sync::OnceLock;
use tongban_domain::FieldError;
use tongban_domain::catalog::TimeLimit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

pub struct Catalog {
    zh: HashMap<String, String>,
    en: HashMap<String, String>,
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out),
            other => panic!("message {key} must be a string, is {other}"),
        }
    }
}

fn load(src: &str) -> HashMap<String, String> {
    let table: toml::Table = src.parse().expect("message catalog is valid TOML");
    let mut out = HashMap::new();
    flatten("", &table, &mut out);
    out
}

/// The catalog, parsed once from the files compiled into the binary.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog {
        zh: load(include_str!("../messages/zh.toml")),
        en: load(include_str!("../messages/en.toml")),
    })
}

impl Catalog {
    /// Every key of one language, sorted (the two languages must have the same keys).
    pub fn keys(&self, lang: Lang) -> Vec<&str> {
        let map = match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        };
        let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }

    /// The message for `key`, falling back to Chinese. A missing message shows as a visible
    /// marker and is logged, never as a blank.
    pub fn get(&self, lang: Lang, key: &str) -> &str {
        let primary = match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        };
        match primary.get(key).or_else(|| self.zh.get(key)) {
            Some(s) => s,
            None => {
                tracing::warn!(key, "missing message");
                "‹?›"
            }
        }
    }

    /// Label of a field path such as `materials[2].name`: the label of `materials.name`, with the
    /// row number (1-based) in front.
    pub fn field_label(&self, lang: Lang, field: &str) -> String {
        let mut row = None;
        let mut plain = String::new();
        let mut chars = field.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '[' {
                let n: String = chars.by_ref().take_while(|c| *c != ']').collect();
                row = n.parse::<usize>().ok().map(|n| n + 1);
            } else {
                plain.push(c);
            }
        }
        let label = self.path_label(lang, &plain);
        match (row, lang) {
            (Some(n), Lang::Zh) => format!("{label}（第{n}项）"),
            (Some(n), Lang::En) => format!("{label} (#{n})"),
            (None, _) => label,
        }
    }

    /// The label of a dotted path; for paths with a free part (`form.fields.valid_until`,
    /// `facts.enterprise.loan`), the label of the longest known prefix with the rest beside it.
    fn path_label(&self, lang: Lang, plain: &str) -> String {
        let mut head = plain;
        loop {
            if self.zh.contains_key(&format!("field.{head}")) {
                let label = self.get(lang, &format!("field.{head}"));
                let rest = plain[head.len()..].trim_start_matches('.');
                return match (rest.is_empty(), lang) {
                    (true, _) => label.to_string(),
                    (false, Lang::Zh) => format!("{label}（{rest}）"),
                    (false, Lang::En) => format!("{label} ({rest})"),
                };
            }
            match head.rsplit_once('.') {
                Some((h, _)) => head = h,
                None => {
                    tracing::warn!(field = plain, "missing field label");
                    return plain.to_string();
                }
            }
        }
    }

    /// A time limit for reading: 即办 / 3个工作日 / 30个自然日, "on the spot" / "3 working days"…
    pub fn limit(&self, lang: Lang, l: &TimeLimit) -> String {
        let (key, n) = match l {
            TimeLimit::OnTheSpot => ("limit.on_the_spot", 0),
            TimeLimit::WorkingDays(1) => ("limit.working_day", 1),
            TimeLimit::WorkingDays(n) => ("limit.working_days", *n),
            TimeLimit::NaturalDays(1) => ("limit.natural_day", 1),
            TimeLimit::NaturalDays(n) => ("limit.natural_days", *n),
        };
        self.get(lang, key).replace("{n}", &n.to_string())
    }

    /// A full sentence for one field error: "字段：原因".
    pub fn field_error(&self, lang: Lang, e: &FieldError) -> String {
        let template = self.get(lang, &format!("error.{}", e.code));
        let reason = match e.detail.as_deref() {
            // A time limit in the detail reads in the reader's language.
            Some(d) if e.code == "promised_exceeds_legal" => match TimeLimit::parse(d) {
                Some(l) => template.replace("{detail}", &self.limit(lang, &l)),
                None => template.replace("{detail}", d),
            },
            Some(d) => template.replace("{detail}", d),
            // No detail: drop the placeholder together with the brackets around it.
            None => template
                .replace("（{detail}）", "")
                .replace(" ({detail})", "")
                .replace("{detail}", ""),
        };
        let sep = if lang == Lang::Zh { "：" } else { ": " };
        format!("{}{sep}{reason}", self.field_label(lang, &e.field))
    }
}

/// An inbox message's detail in words in `lang` (pages and e-mail share it). The store keeps
/// details as data: the dates a loaded holiday notice moved (`deadline_moved`), the years to
/// load and the open records they concern (`calendar_reminder`). Anything else is shown as is.
pub fn inbox_detail(lang: Lang, kind: &str, detail: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Moved {
        dates: Vec<[String; 3]>,
    }
    #[derive(serde::Deserialize)]
    struct Reminder {
        years: Vec<i16>,
        open_records: i64,
    }
    let c = catalog();
    if kind == "calendar_reminder" {
        let Ok(r) = serde_json::from_str::<Reminder>(detail) else {
            return detail.to_string();
        };
        let years: Vec<String> = r.years.iter().map(i16::to_string).collect();
        return c
            .get(lang, "inbox.calendar_reminder.detail")
            .replace("{years}", &years.join("、"))
            .replace("{n}", &r.open_records.to_string());
    }
    let Ok(d) = serde_json::from_str::<Moved>(detail) else {
        return detail.to_string();
    };
    let dates: Vec<String> = d
        .dates
        .iter()
        .map(|[field, before, after]| {
            format!(
                "{} {before} → {after}",
                c.get(lang, &format!("moved.{field}"))
            )
        })
        .collect();
    dates.join(if lang == Lang::Zh { "；" } else { "; " })
}

/// `2026-11-27T03:09:41.123+08:00` → `2026-11-27 03:09`. The stored timestamps carry the
/// district's offset already, so this only shortens them; anything unexpected is shown as is.
pub fn local_minutes(ts: &str) -> String {
    let b = ts.as_bytes();
    if b.len() >= 16 && b[10] == b'T' && b[13] == b':' && ts.is_char_boundary(16) {
        format!("{} {}", &ts[..10], &ts[11..16])
    } else {
        ts.to_string()
    }
}
