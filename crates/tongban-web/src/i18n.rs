//! The message catalog as the web uses it: the reader's language from the request, and the
//! messages bound to it for templates. The catalog itself is `tongban_app::messages`, shared
//! with e-mails, spreadsheets and the command line.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
pub use tongban_app::messages::{Catalog, Lang, catalog, inbox_detail, local_minutes};
use tongban_domain::FieldError;
use tongban_domain::catalog::TimeLimit;

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
    /// A unit's name in the reader's language.
    pub fn unit_name(&self, u: &tongban_domain::org::Unit) -> String {
        if self.is_en() {
            u.name_en.clone()
        } else {
            u.name.clone()
        }
    }
    /// A time limit for reading (the admin form keeps the compact editable form).
    pub fn limit(&self, l: &TimeLimit) -> String {
        catalog().limit(self.lang, l)
    }
    /// A message with `{name}` placeholders filled in, e.g.
    /// `fill("admin.published_notice", &[("n", "2")])`.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.get(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }
    /// An inbox message's detail in words, e.g. `H2026-000001：答复期限 2027-02-12 →
    /// 2027-02-05` (see [`inbox_detail`]).
    pub fn detail(&self, kind: &str, detail: &str) -> String {
        inbox_detail(self.lang, kind, detail)
    }
    /// `fill` with the one placeholder `{n}`, for templates.
    pub fn n(&self, key: &str, n: impl std::fmt::Display) -> String {
        self.get(key).replace("{n}", &n.to_string())
    }
}

/// The reader's language, as a handler asks for it.
pub struct ReaderLang(pub Lang);

/// The language of a request: `?lang=` first, then the `lang` cookie; Chinese otherwise.
impl<S: Send + Sync> FromRequestParts<S> for ReaderLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ReaderLang, Self::Rejection> {
        Ok(ReaderLang(lang_of(parts)))
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
    // Chinese unless the reader chose English: many browsers here send an English
    // Accept-Language by default, and the platform is Chinese first.
    Lang::Zh
}
