//! One error type for every handler. API clients get RFC 9457 problem+json with a stable `type`;
//! browsers get the same error as a page in their language (see `pages::render_errors`).
//! Internal errors are logged with a request id and never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tongban_domain::calendar::CalendarError;
use tongban_domain::refusal::Refusal;
use tongban_domain::{FieldError, FieldErrors};
use tongban_store::StoreError;
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

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("conflict: {code}")]
    Conflict {
        field: &'static str,
        code: &'static str,
    },
    #[error("bad request: {code}")]
    BadRequest {
        code: &'static str,
        field: String,
        detail: Option<String>,
    },
    /// A case action not allowed in the case's current state; lists what is allowed.
    #[error("action {action} not allowed in state {state}")]
    NotAllowed {
        action: &'static str,
        state: &'static str,
        allowed: Vec<&'static str>,
        reason: Option<&'static str>,
    },
    /// A deadline would fall in a year whose working-day schedule is not loaded.
    #[error("no calendar for {0}")]
    CalendarMissing(i16),
    #[error("too many failed logins")]
    TooManyRequests { retry_after_secs: u64 },
    /// Too many requests of one kind from one address (`ops::limits`).
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// The database cannot be reached or cannot take the write now (restarting, disk full):
    /// nothing was changed; the same request may be sent again later.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("payload too large")]
    TooLarge,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => AppError::NotFound,
            StoreError::Conflict { field, code } => AppError::Conflict { field, code },
            StoreError::Invalid(f) => AppError::Invalid(f),
            StoreError::Refused(e) => e.into(),
            e if e.is_unavailable() => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// A use case's errors (`tongban_app`) map here, once.
impl From<tongban_app::Error> for AppError {
    fn from(e: tongban_app::Error) -> Self {
        match e {
            tongban_app::Error::NotFound => AppError::NotFound,
            tongban_app::Error::Forbidden => AppError::Forbidden,
            tongban_app::Error::Invalid(f) => AppError::Invalid(f),
            tongban_app::Error::Refused(r) => r.into(),
            tongban_app::Error::Store(s) => s.into(),
            tongban_app::Error::TooLarge => AppError::TooLarge,
            tongban_app::Error::Unreadable(code) => AppError::bad_request(code, "file"),
            tongban_app::Error::Internal(m) => AppError::Internal(m),
        }
    }
}

/// Every capability's refusals map here, once.
impl From<Refusal> for AppError {
    fn from(e: Refusal) -> Self {
        match e {
            Refusal::Forbidden => AppError::Forbidden,
            Refusal::NotAllowed {
                action,
                state,
                allowed,
                reason,
            } => AppError::NotAllowed {
                action,
                state,
                allowed,
                reason,
            },
            Refusal::Conflict { field, code } => AppError::Conflict { field, code },
            Refusal::Invalid(f) => AppError::Invalid(f),
            Refusal::Calendar(CalendarError::YearNotLoaded(y)) => AppError::CalendarMissing(y),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::NotAllowed { .. } | AppError::CalendarMissing(_) => StatusCode::CONFLICT,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::TooManyRequests { .. } | AppError::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable problem type code: `/problems/{code}`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::Invalid(_) => "validation",
            AppError::Conflict { code, .. } => code,
            AppError::NotAllowed { .. } => "action_not_allowed",
            AppError::CalendarMissing(_) => "calendar_year_not_loaded",
            AppError::BadRequest { code, .. } => code,
            AppError::TooManyRequests { .. } => "too_many_login_failures",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable(_) => "unavailable",
            AppError::TooLarge => "payload_too_large",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Internal(_) => "internal",
        }
    }

    /// The field errors the problem carries (validation, and the field of a conflict).
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            AppError::Invalid(f) => f.0.clone(),
            AppError::Conflict { field, code } => vec![FieldError {
                field: field.to_string(),
                code,
                detail: None,
            }],
            AppError::BadRequest {
                code,
                field,
                detail,
            } => {
                vec![FieldError {
                    field: field.clone(),
                    code,
                    detail: detail.clone(),
                }]
            }
            AppError::NotAllowed { action, reason, .. } => vec![FieldError {
                field: "action".into(),
                code: reason.unwrap_or("not_allowed_in_state"),
                detail: Some(action.to_string()),
            }],
            AppError::CalendarMissing(year) => vec![FieldError {
                field: "calendar".into(),
                code: "calendar_year_not_loaded",
                detail: Some(year.to_string()),
            }],
            _ => vec![],
        }
    }

    pub fn bad_request(code: &'static str, field: impl Into<String>) -> AppError {
        AppError::BadRequest {
            code,
            field: field.into(),
            detail: None,
        }
    }

    /// A request body that could not be read; `message` says where (line, column, field).
    pub fn bad_body(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::BadRequest {
            code,
            field: "body".into(),
            detail: Some(message.into()),
        }
    }
}

/// What the page layer needs to re-render an error as HTML.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub code: &'static str,
    pub errors: Vec<FieldError>,
}

/// Answers a request refused before its handler read the body (a rate limit, the access table).
/// What was sent is read first, up to a form's worth, so the connection can carry the client's
/// next request; a larger body is left unread and the connection is closed after the answer.
pub async fn refuse_unread(body: axum::body::Body, error: AppError) -> Response {
    let drained = axum::body::to_bytes(body, 64 * 1024).await.is_ok();
    let mut r = error.into_response();
    if !drained {
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    r
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        // Internal errors are logged with an id the user can quote; the message stays in the log.
        let request_id = match &self {
            AppError::Internal(msg) => {
                let id = crate::ops::observe::current_request_id();
                tracing::error!(request_id = %id, error = %msg, "internal error");
                Some(id)
            }
            AppError::Unavailable(msg) => {
                let id = crate::ops::observe::current_request_id();
                tracing::warn!(request_id = %id, error = %msg, "store unavailable");
                Some(id)
            }
            _ => None,
        };
        let errors = self.field_errors();
        let i18n = tongban_app::messages::catalog();
        let en = tongban_app::messages::Lang::En;
        // A command not allowed now tells the client what it may do instead.
        let (state, allowed_actions) = match &self {
            AppError::NotAllowed { state, allowed, .. } => (
                Some(state.to_string()),
                Some(allowed.iter().map(|a| a.to_string()).collect()),
            ),
            _ => (None, None),
        };
        let body = Problem {
            r#type: format!("/problems/{code}"),
            title: i18n.get(en, &format!("problem.{code}")).to_string(),
            status: status.as_u16(),
            detail: i18n.get(en, &format!("problem.{code}.detail")).to_string(),
            errors: errors
                .iter()
                .map(|e| ProblemError {
                    field: e.field.clone(),
                    code: e.code.to_string(),
                    detail: e.detail.clone(),
                    message: i18n.field_error(en, e),
                })
                .collect(),
            state,
            allowed_actions,
            request_id,
        };
        let mut resp = (status, axum::Json(body)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match self {
            AppError::TooManyRequests { retry_after_secs }
            | AppError::RateLimited { retry_after_secs } => {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            // Long enough for a database restart; clients and proxies may retry then.
            AppError::Unavailable(_) => {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(5u64));
            }
            _ => {}
        }
        resp.extensions_mut().insert(ErrorInfo {
            status,
            code,
            errors,
        });
        resp
    }
}

pub type AppResult<T> = Result<T, AppError>;
