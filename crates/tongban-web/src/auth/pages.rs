//! Sign-in, sign-out and applicant self-registration pages.

use super::*;
use crate::i18n::ReaderLang;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::OnceLock;
use tongban_domain::FieldErrors;
use tongban_domain::accounts::{ApplicantIdentity, NewUser};
use tongban_domain::ids::{IdNumber, Uscc};

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/register", get(register_form).post(register))
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    c: Chrome,
    form_csrf: String,
    username: String,
    next: String,
    error: String,
}

#[derive(serde::Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

/// Sets the CSRF cookie of a form shown to someone not signed in (the form carries the same
/// token in a hidden field).
pub(crate) fn with_prelogin_csrf(state: &AppState, page: Response, token: &str) -> Response {
    let mut page = page;
    if let Ok(v) = set_cookie(
        PRELOGIN_CSRF_COOKIE,
        token,
        3600,
        state.config.secure_cookies,
    )
    .parse()
    {
        page.headers_mut().append(header::SET_COOKIE, v);
    }
    page
}

async fn login_form(
    State(state): State<AppState>,
    c: Chrome,
    axum::extract::Query(q): axum::extract::Query<NextQuery>,
) -> Response {
    let token = random_token();
    let page = LoginPage {
        c,
        form_csrf: token.clone(),
        username: String::new(),
        next: crate::pages::safe_path(q.next),
        error: String::new(),
    };
    with_prelogin_csrf(&state, render(&page), &token)
}

#[derive(serde::Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

async fn dummy_hash() -> String {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return h.clone();
    }
    let h = hash_password(random_token()).await.unwrap_or_default();
    DUMMY.get_or_init(|| h).clone()
}

async fn login(
    State(state): State<AppState>,
    ReaderLang(lang): ReaderLang,
    crate::ops::client::ClientAddr(client): crate::ops::client::ClientAddr,
    headers: axum::http::HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let cookie_token = cookie(&headers, PRELOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie_token.is_empty() || !constant_time_eq(cookie_token.as_bytes(), f.csrf.as_bytes()) {
        return Err(AppError::bad_request("csrf", "csrf"));
    }
    let username = f.username.trim().to_lowercase();
    let throttle_key = format!("{username}@{client}");
    let now = state.store.now();
    let window_start =
        tongban_store::rfc3339(now - jiff::SignedDuration::from_mins(LOGIN_WINDOW_MINUTES));
    if state
        .store
        .login_failures(&throttle_key, &window_start)
        .await?
        >= MAX_LOGIN_FAILURES
    {
        return Err(AppError::TooManyRequests {
            retry_after_secs: (LOGIN_WINDOW_MINUTES * 60) as u64,
        });
    }
    let found = state.store.user_with_password(&username).await?;
    let hash = match &found {
        Some((_, h)) => h.clone(),
        None => dummy_hash().await,
    };
    let ok = verify_password(f.password, hash).await;
    let user = match found {
        Some((u, _)) if ok && !u.disabled => u,
        _ => {
            state
                .store
                .record_login_failure(&username, &throttle_key, &window_start)
                .await?;
            let token = random_token();
            let page = LoginPage {
                c: Chrome::new(lang, &Viewer::default(), "/login"),
                form_csrf: token.clone(),
                username,
                next: crate::pages::safe_path(f.next),
                error: crate::i18n::catalog().get(lang, "login.failed").to_string(),
            };
            let resp = (StatusCode::UNAUTHORIZED, render(&page)).into_response();
            return Ok(with_prelogin_csrf(&state, resp, &token));
        }
    };
    let token = random_token();
    let expires = tongban_store::rfc3339(now + jiff::SignedDuration::from_hours(SESSION_HOURS));
    state
        .store
        .create_session(
            &user,
            &sha256_hex(&token),
            &random_token(),
            &expires,
            &throttle_key,
        )
        .await?;
    let cookie = set_cookie(
        SESSION_COOKIE,
        &token,
        SESSION_HOURS * 3600,
        state.config.secure_cookies,
    );
    let dest = match f.next.filter(|n| n != "/") {
        Some(n) => crate::pages::safe_path(Some(n)),
        None => home_of(&user).to_string(),
    };
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, dest), (header::SET_COOKIE, cookie)],
    )
        .into_response())
}

/// Where each role lands after signing in.
fn home_of(user: &User) -> &'static str {
    match user.role {
        Role::Admin => "/admin/items",
        Role::Supervisor => "/supervision/overdue",
        // Staff start the day on their queue, sorted by time left.
        Role::Clerk | Role::Approver => "/cases",
        Role::HotlineOperator => "/hotline",
        _ => "/items",
    }
}

#[derive(serde::Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    if let (Some(user), Some(hash)) = (&viewer.user, &viewer.session_hash) {
        viewer.check_csrf(Some(&f.csrf))?;
        state.store.delete_session(&user.username, hash).await?;
    }
    let clear = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/".to_string()),
            (header::SET_COOKIE, clear),
        ],
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "auth/register.html")]
struct RegisterPage {
    c: Chrome,
    form_csrf: String,
    f: RegisterForm,
    errors: Vec<String>,
}

#[derive(serde::Deserialize, Default)]
struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    identity: String,
    #[serde(default)]
    password: String,
}

async fn register_form(State(state): State<AppState>, c: Chrome) -> Response {
    let token = random_token();
    let page = RegisterPage {
        c,
        form_csrf: token.clone(),
        f: RegisterForm {
            kind: "enterprise".into(),
            ..Default::default()
        },
        errors: vec![],
    };
    with_prelogin_csrf(&state, render(&page), &token)
}

/// Applicants register themselves; the identity's check character is verified (GB 32100 for
/// enterprises, GB 11643 for citizens).
async fn register(
    State(state): State<AppState>,
    ReaderLang(lang): ReaderLang,
    headers: axum::http::HeaderMap,
    Form(mut f): Form<RegisterForm>,
) -> Result<Response, AppError> {
    let cookie_token = cookie(&headers, PRELOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie_token.is_empty() || !constant_time_eq(cookie_token.as_bytes(), f.csrf.as_bytes()) {
        return Err(AppError::bad_request("csrf", "csrf"));
    }
    f.username = f.username.trim().to_lowercase();
    let mut errors = FieldErrors::new();
    let identity = match f.kind.as_str() {
        "enterprise" => Uscc::parse(&f.identity)
            .map(ApplicantIdentity::Enterprise)
            .map_err(|e| e.code()),
        "citizen" => IdNumber::parse(&f.identity)
            .map(ApplicantIdentity::Citizen)
            .map_err(|e| e.code()),
        _ => Err("required"),
    };
    let identity = identity.map_err(|code| errors.push("identity", code)).ok();
    let new = NewUser {
        username: f.username.clone(),
        display_name: f.display_name.trim().to_string(),
        role: Role::Applicant,
        unit: None,
        identity,
    };
    if let Err(e) = new.validate(&f.password, &|_| false) {
        // A missing identity was already reported with the reason it failed to parse.
        errors.0.extend(
            e.0.into_iter()
                .filter(|x| x.field != "identity" || new.identity.is_some()),
        );
    }
    let result = if errors.is_empty() {
        let hash = hash_password(f.password.clone()).await?;
        state
            .store
            .create_user(&new.username, &new, &hash)
            .await
            .map_err(AppError::from)
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, "/login?registered=1")],
        )
            .into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let i = crate::i18n::catalog();
            let errors = e
                .field_errors()
                .iter()
                .map(|fe| i.field_error(lang, fe))
                .collect();
            let token = random_token();
            f.password.clear();
            let page = RegisterPage {
                c: Chrome::new(lang, &Viewer::default(), "/register"),
                form_csrf: token.clone(),
                f,
                errors,
            };
            let resp = (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response();
            Ok(with_prelogin_csrf(&state, resp, &token))
        }
        Err(e) => Err(e),
    }
}
