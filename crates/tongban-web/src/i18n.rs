//! The message catalog: every user-facing string, Chinese first, English second. Handlers and
//! templates look strings up by key; none are scattered in code.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::collections::HashMap;
use std::sync::OnceLock;
use tongban_domain::FieldError;

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
        let label = self.get(lang, &format!("field.{plain}")).to_string();
        match (row, lang) {
            (Some(n), Lang::Zh) => format!("{label}（第{n}项）"),
            (Some(n), Lang::En) => format!("{label} (#{n})"),
            (None, _) => label,
        }
    }

    /// A full sentence for one field error: "字段：原因".
    pub fn field_error(&self, lang: Lang, e: &FieldError) -> String {
        let reason = self
            .get(lang, &format!("error.{}", e.code))
            .replace("{detail}", e.detail.as_deref().unwrap_or(""));
        let sep = if lang == Lang::Zh { "：" } else { ": " };
        format!("{}{sep}{reason}", self.field_label(lang, &e.field))
    }
}

/// Messages bound to one language, handed to templates as `t`.
#[derive(Clone, Copy)]
pub struct T {
    pub lang: Lang,
}

impl T {
    pub fn get(&self, key: &str) -> &'static str {
        catalog().get(self.lang, key)
    }
    /// Label of an enumeration value, e.g. `label("level", "street")` → 街道(镇).
    pub fn label(&self, prefix: &str, key: &str) -> &'static str {
        catalog().get(self.lang, &format!("{prefix}.{key}"))
    }
    pub fn field(&self, field: &str) -> String {
        catalog().field_label(self.lang, field)
    }
    pub fn error(&self, e: &FieldError) -> String {
        catalog().field_error(self.lang, e)
    }
    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }
}

/// The language of a request: `?lang=` first, then the `lang` cookie, then Accept-Language;
/// Chinese when nothing says otherwise.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Lang, Self::Rejection> {
        Ok(lang_of(parts))
    }
}

pub fn lang_of(parts: &Parts) -> Lang {
    let from = |v: &str| match v {
        "en" => Some(Lang::En),
        "zh" => Some(Lang::Zh),
        _ => None,
    };
    if let Some(q) = parts.uri.query() {
        for pair in q.split('&') {
            if let Some(v) = pair.strip_prefix("lang=").and_then(from) {
                return v;
            }
        }
    }
    if let Some(v) = crate::auth::cookie(&parts.headers, "lang")
        .as_deref()
        .and_then(from)
    {
        return v;
    }
    let accept = parts
        .headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim_start().starts_with("en") {
        Lang::En
    } else {
        Lang::Zh
    }
}
