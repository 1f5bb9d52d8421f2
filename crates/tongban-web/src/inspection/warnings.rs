//! The pages of risk warnings (风险预警): a unit's list with the raise form, one warning with
//! the responsible unit's answer.

use crate::AppState;
use crate::auth::{CsrfForm, Viewer};
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, after_form, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use std::collections::HashMap;
use tongban_app::warnings as uc;
use tongban_domain::FieldErrors;
use tongban_domain::cases::local_date;
use tongban_domain::inspection::warning::{NewWarning, Warning};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/warnings", get(list).post(raise))
        .route("/warnings/{id}", get(one))
        .route("/warnings/{id}/answer", post(answer))
}

#[derive(Template)]
#[template(path = "inspection/warnings.html")]
struct ListPage {
    c: Chrome,
    warnings: Vec<Warning>,
    today: jiff::civil::Date,
    units: HashMap<String, String>,
    f: HashMap<String, String>,
    errors: Vec<String>,
}

impl ListPage {
    fn unit(&self, code: &str) -> String {
        crate::pages::unit_name(&self.units, code)
    }
    fn value(&self, k: &str) -> String {
        self.f.get(k).cloned().unwrap_or_default()
    }
    /// The units a warning can go to, by name.
    fn unit_choices(&self) -> Vec<(&String, &String)> {
        let mut v: Vec<_> = self.units.iter().collect();
        v.sort();
        v
    }
}

async fn list_page(
    state: &AppState,
    c: Chrome,
    f: HashMap<String, String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let user = c.user.clone().ok_or(AppError::Unauthorized)?;
    let warnings = uc::list(&state.store, &user).await?;
    let units = crate::pages::unit_names(state, &c).await?;
    let today = local_date(state.store.now());
    Ok(render(&ListPage {
        c,
        warnings,
        today,
        units,
        f,
        errors,
    }))
}

async fn list(State(state): State<AppState>, c: Chrome) -> AppResult<Response> {
    list_page(&state, c, HashMap::new(), vec![]).await
}

async fn raise(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let new = NewWarning {
        entity: get("entity"),
        entity_name: get("entity_name"),
        unit: get("unit"),
        reason: get("reason"),
    };
    let done = uc::raise(&state.store, user, new)
        .await
        .map(|w| format!("/warnings/{}", w.id))
        .map_err(AppError::from);
    after_form(c, done, |c, errors| list_page(&state, c, f, errors)).await
}

#[derive(Template)]
#[template(path = "inspection/warning.html")]
struct OnePage {
    c: Chrome,
    w: Warning,
    today: jiff::civil::Date,
    unit_name: String,
    may_answer: bool,
    errors: Vec<String>,
}

async fn one_page(
    state: &AppState,
    c: Chrome,
    id: &str,
    errors: Vec<String>,
) -> AppResult<Response> {
    let user = c.user.clone().ok_or(AppError::Unauthorized)?;
    let w = uc::load(&state.store, &user, id).await?;
    let units = crate::pages::unit_names(state, &c).await?;
    let unit_name = crate::pages::unit_name(&units, &w.raised.unit);
    let may_answer = w.feedback.is_none()
        && matches!(
            user.role,
            tongban_domain::accounts::Role::Clerk | tongban_domain::accounts::Role::Approver
        )
        && user.unit.as_deref() == Some(w.raised.unit.as_str());
    let today = local_date(state.store.now());
    Ok(render(&OnePage {
        c,
        w,
        today,
        unit_name,
        may_answer,
        errors,
    }))
}

async fn one(
    State(state): State<AppState>,
    c: Chrome,
    Path(id): Path<String>,
) -> AppResult<Response> {
    one_page(&state, c, &id, vec![]).await
}

async fn answer(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let confirmed = match f.get("confirmed").map(String::as_str) {
        Some("yes") => Ok(true),
        Some("no") => Ok(false),
        _ => Err(FieldErrors::single("confirmed", "required")),
    };
    let action = f.get("action").cloned().unwrap_or_default();
    let done = match confirmed {
        Ok(yes) => uc::answer(&state.store, user, &id, yes, &action)
            .await
            .map(|_| format!("/warnings/{id}"))
            .map_err(AppError::from),
        Err(e) => Err(e.into()),
    };
    after_form(c, done, |c, errors| one_page(&state, c, &id, errors)).await
}
