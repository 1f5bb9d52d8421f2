//! The API's fittings, shared by every capability's routes: the envelopes (`{"item": …}`,
//! `{"items": […], "meta": …}`), paging, JSON bodies that fail as problems, and the RFC 9457
//! problem every error is sent as (built in `error.rs` from this very struct, so the OpenAPI
//! schema is what clients get).

use crate::error::AppError;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::Serialize;
use std::collections::HashMap;
use tongban_domain::FieldErrors;
use tongban_store::Page;
use utoipa::ToSchema;

/// RFC 9457 problem details, as every error of this API is returned.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    /// Stable problem type, e.g. `/problems/validation`.
    #[schema(example = "/problems/validation")]
    pub r#type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// One entry per bad field (or the one rule that refused the request).
    pub errors: Vec<ProblemError>,
    /// A command not allowed now: the record's state …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// … and the actions that are allowed in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
    /// An internal error: the id to quote, under which the server logged what happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// What is wrong with one field.
#[derive(Serialize, ToSchema)]
pub struct ProblemError {
    /// The field, as a path into the request (`items[2].problem`, `body`, `action`).
    pub field: String,
    /// Stable code, e.g. `required`, `out_of_range`.
    pub code: String,
    /// The bound or value the code refers to, e.g. `1–100`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// An English sentence; pages use the message catalog for Chinese.
    pub message: String,
}

/// JSON body whose syntax or shape errors come back as problem+json naming what is wrong.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(AppError::bad_body("malformed_body", e.body_text()))
            }
            Err(JsonRejection::JsonSyntaxError(e)) => {
                Err(AppError::bad_body("malformed_json", e.body_text()))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::bad_body(
                "content_type",
                "Content-Type: application/json",
            )),
            Err(JsonRejection::BytesRejection(_)) => Err(AppError::TooLarge),
            Err(e) => Err(AppError::bad_body("malformed_body", e.body_text())),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Meta {
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Serialize, ToSchema)]
pub struct One<T> {
    pub item: T,
}

#[derive(Serialize, ToSchema)]
pub struct Many<T> {
    pub items: Vec<T>,
    pub meta: Meta,
}

/// A whole (unpaged) list in the `Many` envelope.
pub(crate) fn many<T>(items: Vec<T>) -> Json<Many<T>> {
    let n = items.len();
    Json(Many {
        meta: Meta {
            total: n as i64,
            page: 1,
            per_page: n as u32,
        },
        items,
    })
}

pub const DEFAULT_PER_PAGE: u32 = 20;

/// Reads `page` and `per_page`, naming the parameter that is wrong.
pub fn parse_page(q: &HashMap<String, String>, errors: &mut FieldErrors) -> Page {
    let mut number = |name: &str, default: u32, max: u32| match q
        .get(name)
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        None => default,
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                errors.push_detail(name, "out_of_range", format!("1–{max}"));
                default
            }
        },
    };
    let page = number("page", 1, 100_000);
    let per_page = number("per_page", DEFAULT_PER_PAGE, Page::MAX_PER_PAGE);
    Page { page, per_page }
}
