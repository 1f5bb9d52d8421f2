//! Open311 GeoReport v2 at `/open311/v2`, over the hotline's tickets and routing catalog, in
//! JSON and XML: discovery, services, service definitions, requests (list, one, create) and
//! tokens. Ids and codes are strings, dates carry their offset, empty parameters count as absent,
//! errors are arrays of `{code, description}`. Internal states map to open/closed, with the
//! detail in `status_notes`. Callers never appear in what is served.

use crate::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::HashMap;
use tongban_domain::hotline::{self, Caller, Category, Location, NewTicket, Route, Source, Ticket};
use tongban_store::hotline::TicketFilter;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(top_get).post(top_post))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// `services.json` → ("services", Json). Anything else is not found.
fn split(file: &str) -> Option<(&str, Format)> {
    let (name, ext) = file.rsplit_once('.')?;
    let f = match ext {
        "json" => Format::Json,
        "xml" => Format::Xml,
        _ => return None,
    };
    (!name.is_empty()).then_some((name, f))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Serialises a JSON value as GeoReport XML: objects become elements, arrays repeat `item`.
fn xml_value(name: &str, item: &str, v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in m {
                let child_item = match k.as_str() {
                    "attributes" => "attribute",
                    "values" => "value",
                    "endpoints" => "endpoint",
                    "formats" => "format",
                    _ => "item",
                };
                xml_value(k, child_item, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Array(a) => {
            out.push_str(&format!("<{name}>"));
            for v in a {
                xml_value(item, "item", v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", esc(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

/// A GeoReport answer in the asked format: `root`/`item` name the XML wrapper of an array.
fn answer(status: StatusCode, f: Format, root: &str, item: &str, v: Value) -> Response {
    match f {
        // The charset is stated: some GeoReport clients read bodies as Latin-1 without it.
        Format::Json => {
            let mut r = (status, axum::Json(v)).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            r
        }
        Format::Xml => {
            let mut s = String::from(r#"<?xml version="1.0" encoding="utf-8"?>"#);
            xml_value(root, item, &v, &mut s);
            let mut r = (status, s).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/xml; charset=utf-8"),
            );
            r
        }
    }
}

fn error(f: Format, status: StatusCode, description: &str) -> Response {
    answer(
        status,
        f,
        "errors",
        "error",
        json!([{"code": status.as_u16(), "description": description}]),
    )
}

/// Non-empty query or form parameters (empty ones count as absent).
fn params(q: &HashMap<String, String>) -> HashMap<String, String> {
    q.iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect()
}

fn service(r: &Route) -> Value {
    json!({
        "service_code": r.code,
        "service_name": r.name,
        "description": r.description,
        "metadata": true,
        "type": "realtime",
        "keywords": r.keywords.join(","),
        "group": r.category.as_str(),
    })
}

fn definition(r: &Route) -> Value {
    let values: Vec<Value> = Category::ALL
        .iter()
        .map(|c| json!({"key": c.as_str(), "name": c.as_str()}))
        .collect();
    json!({
        "service_code": r.code,
        "attributes": [
            {"variable": true, "code": "category", "datatype": "singlevaluelist", "required": false,
             "datatype_description": "consult, help, complaint, report or suggestion",
             "order": 1, "description": "Category (咨询/求助/投诉/举报/建议)", "values": values},
            {"variable": true, "code": "confidential", "datatype": "singlevaluelist", "required": false,
             "datatype_description": "true to hide the caller from the units", "order": 2,
             "description": "Keep the caller confidential (保密)",
             "values": [{"key": "true", "name": "yes"}, {"key": "false", "name": "no"}]}
        ]
    })
}

fn rfc(t: jiff::Timestamp) -> String {
    tongban_store::rfc3339(t)
}

/// A ticket as a GeoReport request: no caller, the state mapped to open/closed with notes.
fn request(t: &Ticket, routes: &[Route], units: &HashMap<String, String>) -> Value {
    let name = t
        .intake
        .service_code
        .as_ref()
        .and_then(|c| routes.iter().find(|r| &r.code == c))
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let agency = t
        .lead
        .as_ref()
        .map(|l| units.get(l).cloned().unwrap_or_else(|| l.clone()))
        .unwrap_or_default();
    let notes = match t.state {
        hotline::State::Received => "received; awaiting dispatch".to_string(),
        hotline::State::Dispatched => format!(
            "dispatched to {agency}; reply due {}",
            t.reply_due().map(|d| d.to_string()).unwrap_or_default()
        ),
        hotline::State::Returned => {
            "returned by the unit; the hotline office is re-dispatching".into()
        }
        hotline::State::Replied => "replied; awaiting the callback".into(),
        hotline::State::Closed => "closed after the callback".into(),
        hotline::State::Merged => {
            format!("merged into {}", t.merged_into.clone().unwrap_or_default())
        }
    };
    let updated = [
        Some(t.received_at),
        t.dispatches.last().map(|d| d.at),
        t.replies.last().map(|r| r.at),
        t.callbacks.last().map(|c| c.at),
        t.closed_at,
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(t.received_at);
    let expected = t.reply_due().and_then(|d| {
        d.at(17, 30, 0, 0)
            .to_zoned(tongban_store::district_tz())
            .ok()
            .map(|z| rfc(z.timestamp()))
    });
    // A caller who asked to stay confidential (保密) may be known by what they said and where:
    // the public sees that the request exists and how it goes, not its words or its place.
    let private = t.intake.caller.as_ref().is_some_and(|c| c.confidential);
    let shown = |v: Value| {
        if private {
            Value::String(String::new())
        } else {
            v
        }
    };
    json!({
        "service_request_id": t.id,
        "status": t.state.open311(),
        "status_notes": notes,
        "service_name": name,
        "service_code": t.intake.service_code.clone().unwrap_or_default(),
        "description": shown(json!(t.intake.matter)),
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": rfc(t.received_at),
        "updated_datetime": rfc(updated),
        "expected_datetime": expected.unwrap_or_default(),
        "address": shown(json!(t.intake.location.address)),
        "address_id": "",
        "zipcode": "",
        "lat": shown(t.intake.location.lat.map_or(json!(""), |v| json!(v))),
        "long": shown(t.intake.location.long.map_or(json!(""), |v| json!(v))),
        "media_url": "",
    })
}

async fn unit_names(state: &AppState) -> HashMap<String, String> {
    state
        .store
        .units()
        .await
        .map(|u| u.into_iter().map(|u| (u.code, u.name)).collect())
        .unwrap_or_default()
}

async fn top_get(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((name, f)) = split(&file) else {
        return error(Format::Json, StatusCode::NOT_FOUND, "not found");
    };
    let q = params(&q);
    match name {
        "discovery" => {
            let v = json!({
                "changeset": "2026-11-26T00:00:00+08:00",
                "contact": "西湖区12345政务服务便民热线 / Xihu 12345 hotline office",
                "key_service": "API keys are issued by the hotline office (tongban token create)",
                "endpoints": [{
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": "/open311/v2",
                    "changeset": "2026-11-26T00:00:00+08:00",
                    "type": "production",
                    "formats": ["text/xml", "application/json"]
                }]
            });
            answer(StatusCode::OK, f, "discovery", "item", v)
        }
        "services" => match state.store.routes().await {
            Ok(routes) => answer(
                StatusCode::OK,
                f,
                "services",
                "service",
                Value::Array(routes.iter().map(service).collect()),
            ),
            Err(_) => error(f, StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        },
        "requests" => list_requests(&state, f, &q).await,
        _ => error(f, StatusCode::NOT_FOUND, "not found"),
    }
}

/// Requests returned by one list query, newest first (narrow the range for older ones).
pub const MAX_REQUESTS: u32 = 200;

async fn list_requests(state: &AppState, f: Format, q: &HashMap<String, String>) -> Response {
    let mut filter = TicketFilter::default();
    let list = |k: &str| crate::api::comma_list(q, k);
    let ids = list("service_request_id");
    let codes = list("service_code");
    let statuses = list("status");
    if !ids.is_empty() {
        // The spec: ids override every other filter.
        filter.ids = ids;
    } else {
        for s in &statuses {
            match s.as_str() {
                "open" => filter
                    .states
                    .extend(["received", "dispatched", "returned", "replied"].map(String::from)),
                "closed" => filter.states.extend(["closed", "merged"].map(String::from)),
                _ => return error(f, StatusCode::BAD_REQUEST, "status must be open or closed"),
            }
        }
        for (k, slot) in [
            ("start_date", &mut filter.since),
            ("end_date", &mut filter.until),
        ] {
            if let Some(v) = q.get(k) {
                match v.parse::<jiff::Timestamp>() {
                    Ok(t) => *slot = Some(rfc(t)),
                    Err(_) => {
                        return error(
                            f,
                            StatusCode::BAD_REQUEST,
                            &format!("{k} must be a w3 datetime"),
                        );
                    }
                }
            }
        }
    }
    if filter.ids.is_empty() && codes.len() == 1 {
        filter.service_code = Some(codes[0].clone());
    }
    // The spec: without dates, the most recent 90 days.
    if filter.ids.is_empty() && filter.since.is_none() && filter.until.is_none() {
        filter.since = Some(rfc(
            state.store.now() - jiff::SignedDuration::from_hours(24 * 90)
        ));
    }
    let Ok(mut tickets) = state
        .store
        .recent_hotline_tickets(&filter, MAX_REQUESTS)
        .await
    else {
        return error(f, StatusCode::INTERNAL_SERVER_ERROR, "internal error");
    };
    // Several codes: filtered here (one code is filtered by the store, on its index).
    if filter.ids.is_empty() && codes.len() > 1 {
        tickets.retain(|t| {
            t.intake
                .service_code
                .as_ref()
                .is_some_and(|c| codes.contains(c))
        });
    }
    let routes = state.store.routes().await.unwrap_or_default();
    let units = unit_names(state).await;
    let v = Value::Array(
        tickets
            .iter()
            .map(|t| request(t, &routes, &units))
            .collect(),
    );
    answer(StatusCode::OK, f, "service_requests", "request", v)
}

async fn service_definition(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((code, f)) = split(&file) else {
        return error(Format::Json, StatusCode::NOT_FOUND, "not found");
    };
    match state.store.routes().await {
        Ok(routes) => match routes.iter().find(|r| r.code == code) {
            Some(r) => answer(
                StatusCode::OK,
                f,
                "service_definition",
                "item",
                definition(r),
            ),
            None => error(f, StatusCode::NOT_FOUND, "unknown service_code"),
        },
        Err(_) => error(f, StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    }
}

async fn one_request(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((id, f)) = split(&file) else {
        return error(Format::Json, StatusCode::NOT_FOUND, "not found");
    };
    match state.store.hotline_ticket(id).await {
        Ok(Some(t)) => {
            let routes = state.store.routes().await.unwrap_or_default();
            let units = unit_names(&state).await;
            answer(
                StatusCode::OK,
                f,
                "service_requests",
                "request",
                json!([request(&t, &routes, &units)]),
            )
        }
        Ok(None) => error(f, StatusCode::NOT_FOUND, "unknown service_request_id"),
        Err(_) => error(f, StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    }
}

async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((token, f)) = split(&file) else {
        return error(Format::Json, StatusCode::NOT_FOUND, "not found");
    };
    match state.store.hotline_ticket_by_token(token).await {
        Ok(Some(id)) => answer(
            StatusCode::OK,
            f,
            "service_requests",
            "request",
            json!([{"service_request_id": id, "token": token}]),
        ),
        Ok(None) => error(f, StatusCode::NOT_FOUND, "unknown token"),
        Err(_) => error(f, StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    }
}

/// `POST requests.{json,xml}`: form-encoded; `api_key` in the body or the query.
async fn top_post(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    form: Result<
        axum::extract::Form<HashMap<String, String>>,
        axum::extract::rejection::FormRejection,
    >,
) -> Response {
    let Some(("requests", f)) = split(&file) else {
        return error(Format::Json, StatusCode::NOT_FOUND, "not found");
    };
    // A body that is not form-encoded counts as empty: the checks below then say what is missing.
    let form = form.map(|f| f.0).unwrap_or_default();
    let mut p = params(&q);
    p.extend(params(&form));
    // The key first: 403 for a missing or wrong one.
    let Some(key) = p.get("api_key") else {
        return error(f, StatusCode::FORBIDDEN, "api_key is required");
    };
    let user = match state
        .store
        .user_by_api_token(&crate::auth::sha256_hex(key))
        .await
    {
        Ok(Some(u)) => u,
        Ok(None) => return error(f, StatusCode::FORBIDDEN, "api_key is not valid"),
        Err(_) => return error(f, StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    };
    let Some(code) = p.get("service_code") else {
        return error(f, StatusCode::BAD_REQUEST, "service_code is required");
    };
    let routes = state.store.routes().await.unwrap_or_default();
    let Some(route) = routes.iter().find(|r| &r.code == code) else {
        return error(f, StatusCode::NOT_FOUND, "unknown service_code");
    };
    let lat = p.get("lat").and_then(|v| v.parse::<f64>().ok());
    let long = p.get("long").and_then(|v| v.parse::<f64>().ok());
    let address = p
        .get("address_string")
        .or(p.get("address_id"))
        .cloned()
        .unwrap_or_default();
    if address.is_empty() && (lat.is_none() || long.is_none()) {
        return error(
            f,
            StatusCode::BAD_REQUEST,
            "a location is required: lat and long, address_string or address_id",
        );
    }
    let category = p
        .get("attribute[category]")
        .and_then(|c| Category::parse(c))
        .unwrap_or(route.category);
    let name = [p.get("first_name"), p.get("last_name")]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let new = NewTicket {
        category,
        matter: p
            .get("description")
            .cloned()
            .unwrap_or_else(|| route.name.clone()),
        caller: Some(Caller {
            name,
            phone: p.get("phone").cloned().unwrap_or_default(),
            confidential: p
                .get("attribute[confidential]")
                .is_some_and(|v| v == "true"),
        }),
        location: Location { address, lat, long },
        street: None,
        enterprise_uscc: None,
        business_environment: false,
        service_code: Some(route.code.clone()),
        about_uscc: None,
    };
    match tongban_app::hotline::intake(&state.store, &user, Source::Open311, new)
        .await
        .map_err(crate::error::AppError::from)
    {
        // Every service is realtime (the ticket exists at once), so GeoReport v2 answers the
        // id alone: a token is for queued requests and is not returned beside an id.
        Ok((t, _token)) => answer(
            StatusCode::CREATED,
            f,
            "service_requests",
            "request",
            json!([{"service_request_id": t.id, "service_notice": "", "account_id": ""}]),
        ),
        Err(crate::error::AppError::Invalid(e)) => {
            let what =
                e.0.iter()
                    .map(|x| format!("{}: {}", x.field, x.code))
                    .collect::<Vec<_>>()
                    .join("; ");
            error(f, StatusCode::BAD_REQUEST, &what)
        }
        Err(_) => error(f, StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    }
}
