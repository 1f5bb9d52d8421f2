//! The API's fittings, shared by every capability's routes: the envelopes (`{"item": …}`,
//! `{"items": […], "meta": …}`), paging, JSON bodies that fail as problems, and the problems
//! every operation's document declares (the RFC 9457 problem itself is `error::Problem`, the
//! struct `error.rs` serialises, so the OpenAPI schema is what clients get).

use crate::error::AppError;
pub use crate::error::{Problem, ProblemError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::Serialize;
use std::collections::HashMap;
use tongban_domain::FieldErrors;
use tongban_store::Page;
use utoipa::ToSchema;

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

impl Meta {
    pub fn of(total: i64, page: Page) -> Meta {
        Meta {
            total,
            page: page.page,
            per_page: page.per_page,
        }
    }
}

/// One record in the `One` envelope.
pub(crate) fn one<T>(item: T) -> Json<One<T>> {
    Json(One { item })
}

/// One page of a list in the `Many` envelope.
pub(crate) fn paged<T>(items: Vec<T>, total: i64, page: Page) -> Json<Many<T>> {
    Json(Many {
        items,
        meta: Meta::of(total, page),
    })
}

/// A comma-separated query parameter (`state=submitted,accepted`), trimmed, empties dropped.
pub fn comma_list(q: &HashMap<String, String>, key: &str) -> Vec<String> {
    q.get(key)
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default()
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

/// Adds to every operation of the document the problems it can answer, derived from what its
/// annotation says it reads, so that a status cannot be sent without being documented:
/// a body or parameters can be unreadable (400) and, with a body or a query, invalid (422);
/// a body can be too large (413); a path names a record that may not exist (404); an operation
/// that accepts a token can be sent a bad one (401) by someone who may not act (403); anything
/// can fail inside (500, with the request id). State conflicts (409) are the handler's own and
/// stay in its annotation. The schemathesis run in the test suite holds the document to this.
pub struct ProblemResponses;

impl utoipa::Modify for ProblemResponses {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{Operation, ParameterIn};
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

        fn problems(op: &mut Operation, limited: bool) {
            let reads = |place: ParameterIn| {
                op.parameters.iter().flatten().any(|p| match p {
                    RefOr::T(p) => p.parameter_in == place,
                    RefOr::Ref(_) => false,
                })
            };
            let (path, query) = (reads(ParameterIn::Path), reads(ParameterIn::Query));
            let body = op.request_body.is_some();
            // `security(("bearer" = []))` or, for public reads that also take a token,
            // `security((), ("bearer" = []))`.
            let token = op.security.iter().flatten().any(|r| {
                serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(|o| !o.is_empty()))
            });
            let mut add = |status: &str, why: &str| {
                let problem = ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build();
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| {
                        RefOr::T(
                            ResponseBuilder::new()
                                .description(why)
                                .content("application/problem+json", problem)
                                .build(),
                        )
                    });
            };
            if body || path || query {
                add(
                    "400",
                    "The request cannot be read (syntax, content type, a parameter's type).",
                );
            }
            if body || query {
                add(
                    "422",
                    "The request is readable but invalid; `errors` names each field.",
                );
            }
            if body {
                add("413", "The body is larger than the server accepts.");
            }
            if path {
                add("404", "No such record, or not one this user may see.");
            }
            if token {
                add("401", "No token, or a token that is not valid.");
                add("403", "The token's user may not do this.");
            }
            if limited {
                add(
                    "429",
                    "Too many requests from this address; retry after `Retry-After` seconds.",
                );
            }
            add("500", "Internal error; quote `request_id`.");
            add(
                "503",
                "The database cannot be reached or storage is full; nothing was changed. Retry after `Retry-After` seconds.",
            );
        }

        for (path, item) in doc.paths.paths.iter_mut() {
            use axum::http::Method;
            for (method, op) in [
                (Method::GET, &mut item.get),
                (Method::PUT, &mut item.put),
                (Method::POST, &mut item.post),
                (Method::DELETE, &mut item.delete),
                (Method::PATCH, &mut item.patch),
            ] {
                if let Some(op) = op {
                    // The limiter says which operations it limits (`ops::limits`).
                    let limited = crate::ops::limits::kind_of(&method, path).is_some();
                    problems(op, limited);
                }
            }
        }
    }
}

/// A request body that refuses unknown fields (`additionalProperties: false`) may also be
/// flattened into a response that adds fields of its own (`allOf`), which that `false` would
/// then reject. Inside an `allOf` such a schema is referred to through an open copy named
/// `{Name}Fields`; as a request body it stays closed.
pub fn open_flattened(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use serde_json::Value;
    fn closed(v: &Value) -> bool {
        v.get("additionalProperties") == Some(&Value::Bool(false))
    }
    fn walk(v: &mut Value, schemas: &serde_json::Map<String, Value>, opened: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::Array(parts)) = o.get_mut("allOf") {
                    for part in parts.iter_mut() {
                        let Some(Value::String(r)) = part.get_mut("$ref") else {
                            continue;
                        };
                        let Some(name) = r.strip_prefix("#/components/schemas/") else {
                            continue;
                        };
                        if schemas.get(name).is_some_and(closed) {
                            opened.push(name.to_owned());
                            *r = format!("#/components/schemas/{name}Fields");
                        }
                    }
                }
                o.values_mut().for_each(|c| walk(c, schemas, opened));
            }
            Value::Array(a) => a.iter_mut().for_each(|c| walk(c, schemas, opened)),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(&doc).expect("the document serialises");
    let schemas = v["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut opened = Vec::new();
    walk(&mut v, &schemas, &mut opened);
    for name in opened {
        let mut open = schemas[&name].clone();
        open.as_object_mut()
            .map(|o| o.remove("additionalProperties"));
        v["components"]["schemas"][format!("{name}Fields")] = open;
    }
    serde_json::from_value(v).expect("the document reads back")
}

/// What axum itself refuses before a handler runs (a path parameter of the wrong type, a query
/// it cannot read, a method the route lacks) leaves the API as problem+json too, keeping its
/// other headers (`Allow`).
pub async fn problems_only(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let resp = next.run(req).await;
    let status = resp.status();
    let problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if problem || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let error = match status {
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
        StatusCode::NOT_FOUND => AppError::NotFound,
        s if s.is_server_error() => AppError::Internal(text),
        _ => AppError::BadRequest {
            code: "malformed_request",
            field: "request".into(),
            detail: Some(text),
        },
    };
    let mut out = error.into_response();
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    out.headers_mut().extend(parts.headers);
    out
}
