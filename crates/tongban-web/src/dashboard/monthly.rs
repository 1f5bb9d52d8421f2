//! The leadership's monthly reports on the web: the kept reports with their hashes, a form to
//! make one for any month (those who keep the plan), each report's PDF, and drawing a kept
//! report again from its inputs to show it is byte for byte the same.

use super::pages::may_see;
use crate::AppState;
use crate::auth::{CsrfForm, SignedIn};
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, after_form, download, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use tongban_app::dashboard::monthly::{self as uc, Check};
use tongban_domain::dashboard::Month;
use tongban_store::monthly::MonthlyReport;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard/monthly", get(list).post(make))
        .route("/dashboard/monthly/{id}", get(one))
        .route("/dashboard/monthly/{id}/check", get(check))
        .route("/dashboard/monthly/{id}/report.pdf", get(pdf))
}

#[derive(Template)]
#[template(path = "dashboard/monthly.html")]
struct ListPage {
    c: Chrome,
    reports: Vec<MonthlyReport>,
    may_make: bool,
    month: String,
    errors: Vec<String>,
}

/// The month before the current one: what the form offers first.
fn last_month(state: &AppState) -> String {
    let today = tongban_domain::cases::local_date(state.store.now());
    let m = Month::of(today.first_of_month().yesterday().unwrap_or(today));
    m.to_string()
}

async fn list_page(
    state: &AppState,
    c: Chrome,
    month: String,
    errors: Vec<String>,
) -> AppResult<Response> {
    let user = c.user.clone().ok_or(AppError::Unauthorized)?;
    may_see(&user)?;
    Ok(render(&ListPage {
        reports: state.store.monthly_reports().await?,
        may_make: uc::may_make(&user),
        month,
        errors,
        c,
    }))
}

async fn list(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(_u): SignedIn,
) -> AppResult<Response> {
    let month = last_month(&state);
    list_page(&state, c, month, vec![]).await
}

async fn make(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let month = f.get("month").cloned().unwrap_or_default();
    let done = async {
        let r = uc::make(&state.store, &user, &month).await?;
        Ok::<_, AppError>(format!("/dashboard/monthly/{}", r.id))
    }
    .await;
    after_form(c, done, |c, errors| {
        list_page(&state, c, month.clone(), errors)
    })
    .await
}

#[derive(Template)]
#[template(path = "dashboard/monthly_one.html")]
struct OnePage {
    c: Chrome,
    r: MonthlyReport,
    check: Option<Check>,
}

impl ListPage {
    fn local(&self, ts: &str) -> String {
        tongban_app::messages::local_minutes(ts)
    }
}

impl OnePage {
    fn local(&self, ts: &str) -> String {
        tongban_app::messages::local_minutes(ts)
    }
    fn font_changed(&self) -> String {
        self.c
            .t
            .get("monthly.font_changed")
            .replace("{kept}", &self.r.font)
    }
}

async fn one_page(
    state: &AppState,
    c: Chrome,
    user: &tongban_store::accounts::User,
    id: &str,
    check: bool,
) -> AppResult<Response> {
    may_see(user)?;
    let r = state.store.monthly_report(id).await?;
    let check = match check {
        true => Some(uc::check(&state.store, id).await?),
        false => None,
    };
    Ok(render(&OnePage { c, r, check }))
}

async fn one(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    one_page(&state, c, &user, &id, false).await
}

/// Drawing again only reads: anyone who sees the report may check it.
async fn check(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    one_page(&state, c, &user, &id, true).await
}

async fn pdf(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    may_see(&user)?;
    let r = state.store.monthly_report(&id).await?;
    let bytes = state
        .store
        .read_file(&r.pdf_sha256)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(download(
        "application/pdf",
        &format!("tongban-{}.pdf", r.id),
        bytes,
    ))
}
