//! Who is asking. People sign in with a password and carry an HttpOnly session cookie; every form
//! they post carries the session's CSRF token. Machine clients send `Authorization: Bearer`.
//! Handlers ask for a [`Viewer`] and call `require` with the roles allowed to act.

pub mod access;
pub mod pages;

use crate::AppState;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use tongban_domain::accounts::Role;
use tongban_store::accounts::User;

pub const SESSION_COOKIE: &str = "tongban_session";
/// Double-submit cookie protecting the login and registration forms (no session yet).
pub const PRELOGIN_CSRF_COOKIE: &str = "tongban_csrf";
pub const SESSION_HOURS: i64 = 12;
pub const MAX_LOGIN_FAILURES: i64 = 5;
pub const LOGIN_WINDOW_MINUTES: i64 = 15;

pub use tongban_app::accounts::{
    constant_time_eq, hash_password, random_token, sha256_hex, verify_password,
};

/// A fixed valid hash to verify against when the user does not exist, so that a login for an
/// unknown name takes as long as one with a wrong password.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Pd+Yo3ZNgZHiSGhcfzmqtRbVY44W0Yd2eGfUQD21oPU";

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// `Set-Cookie` value for a cookie the page scripts never need.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The person or machine behind a request, if signed in.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub user: Option<User>,
    /// The session's CSRF token (browser sessions only).
    pub csrf: Option<String>,
    pub session_hash: Option<String>,
    /// Authenticated by an API token: no CSRF check needed, no cookie involved.
    pub via_token: bool,
}

impl Viewer {
    /// The signed-in user if their role is one of `roles`; 401 when not signed in, 403 otherwise.
    pub fn require(&self, roles: &[Role]) -> Result<&User, AppError> {
        let user = self.user.as_ref().ok_or(AppError::Unauthorized)?;
        if roles.contains(&user.role) {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn has_role(&self, roles: &[Role]) -> bool {
        self.user.as_ref().is_some_and(|u| roles.contains(&u.role))
    }

    /// Checks the CSRF token a browser sent with a state-changing request.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), AppError> {
        if self.via_token {
            return Ok(());
        }
        match (&self.csrf, sent) {
            (Some(expected), Some(sent))
                if constant_time_eq(expected.as_bytes(), sent.as_bytes()) =>
            {
                Ok(())
            }
            _ => Err(AppError::bad_request("csrf", "csrf")),
        }
    }

    /// The username to stamp on audit entries.
    pub fn actor(&self) -> &str {
        self.user
            .as_ref()
            .map_or("anonymous", |u| u.username.as_str())
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Viewer, AppError> {
        if let Some(v) = parts.extensions.get::<Viewer>() {
            return Ok(v.clone());
        }
        let viewer = resolve(&parts.headers, state).await?;
        parts.extensions.insert(viewer.clone());
        Ok(viewer)
    }
}

async fn resolve(headers: &HeaderMap, state: &AppState) -> Result<Viewer, AppError> {
    if let Some(auth) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let token = auth.strip_prefix("Bearer ").ok_or(AppError::Unauthorized)?;
        let user = state
            .store
            .user_by_api_token(&sha256_hex(token.trim()))
            .await?
            .ok_or(AppError::Unauthorized)?;
        return Ok(Viewer {
            user: Some(user),
            via_token: true,
            ..Viewer::default()
        });
    }
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let hash = sha256_hex(&token);
        if let Some(s) = state.store.session(&hash).await? {
            return Ok(Viewer {
                user: Some(s.user),
                csrf: Some(s.csrf),
                session_hash: Some(hash),
                via_token: false,
            });
        }
    }
    Ok(Viewer::default())
}

/// A signed-in user (by session or API token); 401 otherwise, which pages turn into the sign-in
/// page. Take it instead of unwrapping `Viewer::user` in a handler.
pub struct SignedIn(pub User);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<SignedIn, AppError> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        viewer.user.map(SignedIn).ok_or(AppError::Unauthorized)
    }
}

/// An API write whose CSRF token checked out: a session client sends it in `X-CSRF-Token`; a
/// client with an API token needs none. Without any sign-in it passes, so that the handler's own
/// check answers 401 rather than a CSRF error.
pub struct CsrfChecked;

impl FromRequestParts<AppState> for CsrfChecked {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<CsrfChecked, AppError> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        if viewer.user.is_some() {
            viewer.check_csrf(csrf_header(&parts.headers))?;
        }
        Ok(CsrfChecked)
    }
}

/// A submitted page form whose `csrf` field checked out, as its fields. Without a sign-in it
/// passes, so that the handler's own check sends the reader to the sign-in page.
pub struct CsrfForm(pub std::collections::HashMap<String, String>);

impl axum::extract::FromRequest<AppState> for CsrfForm {
    type Rejection = AppError;
    async fn from_request(
        req: axum::extract::Request,
        state: &AppState,
    ) -> Result<CsrfForm, AppError> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let req = axum::extract::Request::from_parts(parts, body);
        let axum::extract::Form(fields) = axum::extract::Form::<
            std::collections::HashMap<String, String>,
        >::from_request(req, state)
        .await
        .map_err(|e| AppError::bad_body("malformed_body", e.body_text()))?;
        if viewer.user.is_some() {
            viewer.check_csrf(fields.get("csrf").map(String::as_str))?;
        }
        Ok(CsrfForm(fields))
    }
}

/// The CSRF token an API client sent in the `X-CSRF-Token` header (session clients only).
pub fn csrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

/// Roles that keep the catalog.
pub const CATALOG_EDITORS: &[Role] = &[Role::Admin];
/// Roles that read supervision reports.
pub const SUPERVISORS: &[Role] = &[Role::Supervisor, Role::Admin];
