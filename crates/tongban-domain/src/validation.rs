//! Field-level validation errors shared by every capability.
//!
//! The domain only names the field and a stable code; the web layer turns the pair into a
//! Chinese (or English) sentence from the message catalog, and into problem+json `errors`.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Dotted path of the field, e.g. `materials[2].name` or `promised_limit`.
    pub field: String,
    /// Stable code, e.g. `required`, `too_long`, `promised_exceeds_legal`.
    pub code: &'static str,
    /// Optional detail that the message interpolates (a limit, an allowed value list…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{} invalid field(s)", .0.len())]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn single(field: impl Into<String>, code: &'static str) -> Self {
        let mut e = Self::new();
        e.push(field, code);
        e
    }
    pub fn push(&mut self, field: impl Into<String>, code: &'static str) {
        self.0.push(FieldError {
            field: field.into(),
            code,
            detail: None,
        });
    }
    pub fn push_detail(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        detail: impl Into<String>,
    ) {
        self.0.push(FieldError {
            field: field.into(),
            code,
            detail: Some(detail.into()),
        });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result<T>(self, ok: T) -> Result<T, FieldErrors> {
        if self.0.is_empty() { Ok(ok) } else { Err(self) }
    }

    /// Checks a required single-line text field: not blank, at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.push(field, "required");
        } else {
            self.optional_text(field, value, max);
        }
    }

    /// Checks an optional text field's length only.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.push_detail(field, "too_long", max.to_string());
        }
    }
}

/// A document that is not TOML at all: one error on `document` with the parser's message.
pub fn invalid_toml(e: toml::de::Error) -> FieldErrors {
    let mut f = FieldErrors::new();
    f.push_detail("document", "invalid_toml", e.message().to_string());
    f
}
