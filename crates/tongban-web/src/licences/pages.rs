//! `/licences/{identifier}` (public: a licence is published; a citizen's number is masked) and
//! `/licences/mine` (the holder's licences).

use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, after_form, render, with_status};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tongban_app::licences::NextVersion;
use tongban_domain::accounts::Role;
use tongban_domain::cases::local_date;
use tongban_domain::licences::licence::{Licence, LicenceType};
use tongban_domain::licences::proof::{Status, Verdict};
use tongban_store::accounts::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/licences/mine", get(mine))
        .route("/licences/{identifier}", get(licence))
        .route("/licences/{identifier}/proof.txt", get(proof_file))
        .route("/licences/{identifier}/status.txt", get(status_file))
        .route("/verify", get(verify_form).post(verify))
        .route("/licences/{identifier}/{action}", post(next_version))
}

/// A change (the type's fields as `field.KEY`), renewal or revocation (`reason`) by the issuing
/// unit: the new version's page, or this one again with what was wrong.
async fn next_version(
    State(state): State<AppState>,
    c: Chrome,
    headers: HeaderMap,
    viewer: Viewer,
    Path((identifier, action)): Path<(String, String)>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let what = match action.as_str() {
        "change" => NextVersion::Change(
            f.iter()
                .filter_map(|(k, v)| {
                    Some((k.strip_prefix("field.")?.to_string(), v.trim().to_string()))
                })
                .collect(),
        ),
        "renew" => NextVersion::Renew,
        "revoke" => NextVersion::Revoke(f.get("reason").cloned().unwrap_or_default()),
        _ => return Err(AppError::NotFound),
    };
    let done = tongban_app::licences::next_version(&state.store, user, &identifier, what)
        .await
        .map(|l| format!("/licences/{}", l.identifier))
        .map_err(AppError::from);
    after_form(c, done, |c, errors| async move {
        licence_page(&state, c, &headers, &identifier, errors).await
    })
    .await
}

fn text_file(body: String, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The version's offline proof: what its QR code holds, as a file.
async fn proof_file(
    State(state): State<AppState>,
    Path(identifier): Path<String>,
) -> AppResult<Response> {
    let p = state
        .store
        .licence_proof(&identifier)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(text_file(
        format!("{}\n", p.to_text()),
        &format!("licence-{identifier}.txt"),
    ))
}

#[derive(Deserialize)]
struct Since {
    since: Option<u64>,
}

/// The licence's newest version at the newest checkpoint, linked to the holder's older one: with
/// it `tongban licence verify` tells, offline, whether the licence was since changed or revoked.
async fn status_file(
    State(state): State<AppState>,
    Path(identifier): Path<String>,
    Query(q): Query<Since>,
) -> AppResult<Response> {
    let p = state
        .store
        .licence_status(&identifier, q.since)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(text_file(
        format!("{}\n", p.to_text()),
        &format!("status-{identifier}.txt"),
    ))
}

#[derive(Template)]
#[template(path = "licences/verify.html")]
struct VerifyPage {
    c: Chrome,
    verdict: Option<Verdict>,
    /// The issuing unit's name, once the licence reads.
    unit_name: String,
    text: String,
}

impl VerifyPage {
    /// `ok`, `warn` or `bad`: the verdict's colour.
    fn tone(&self) -> &'static str {
        match self.verdict.as_ref().map(|v| v.status) {
            Some(Status::Valid) => "ok",
            Some(Status::Expired | Status::Superseded) => "warn",
            _ => "bad",
        }
    }
}

async fn verify_form(c: Chrome) -> AppResult<Response> {
    Ok(render(&VerifyPage {
        c,
        verdict: None,
        unit_name: String::new(),
        text: String::new(),
    }))
}

/// Checks a scanned code's text, a proof file or a picture of the code: no account needed,
/// nothing stored. Every input gets a verdict with its reason (unreadable ones 422).
async fn verify(
    State(state): State<AppState>,
    c: Chrome,
    multipart: Multipart,
) -> AppResult<Response> {
    let parts = crate::cases::read_parts(multipart).await?;
    let (input, text) = parts.file_or_text("file", "code");
    let verdict = tongban_app::licences::verify(&state.store, &input).await?;
    let units = crate::pages::unit_names(&state, &c).await?;
    let unit_name = verdict
        .licence
        .as_ref()
        .map(|l| crate::pages::unit_name(&units, &l.issuer_unit))
        .unwrap_or_default();
    let status = if verdict.status == Status::Unreadable {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let text = if text.len() > 20_000 {
        String::new()
    } else {
        text
    };
    Ok(with_status(
        render(&VerifyPage {
            c,
            verdict: Some(verdict),
            unit_name,
            text,
        }),
        status,
    ))
}

/// The holder's identity as the reader may see it: in full for the holder and staff, a
/// citizen's number masked for anyone else.
fn shown_holder(user: Option<&User>, holder_id: &str) -> String {
    let own = user.is_some_and(|u| {
        u.role.is_staff()
            || u.identity
                .as_ref()
                .is_some_and(|i| tongban_store::credit::subject_of(i).1 == holder_id)
    });
    match tongban_domain::ids::IdNumber::parse(holder_id) {
        Ok(id) if !own => id.masked(),
        _ => holder_id.to_string(),
    }
}

#[derive(Template)]
#[template(path = "licences/licence.html")]
struct LicencePage {
    c: Chrome,
    /// The version asked for, and the current one.
    asked: Licence,
    current: Licence,
    versions: Vec<(Licence, u64)>,
    ty: Option<LicenceType>,
    holder: String,
    unit_name: String,
    today: jiff::civil::Date,
    qr: String,
    /// The issuing unit's staff (and administrators) see the forms for the next version.
    can_act: bool,
    errors: Vec<String>,
}

impl LicencePage {
    /// The current value of a field, for the change form.
    fn value_of(&self, key: &str) -> &str {
        self.current.fields.get(key).map_or("", String::as_str)
    }

    /// 有效, 已注销, 已过期, or 已被新版本取代 for an older version.
    fn status(&self) -> &'static str {
        if self.asked.identifier != self.current.identifier {
            "superseded"
        } else if self.current.revoked() {
            "revoked"
        } else if self.current.valid_until.is_some_and(|u| u < self.today) {
            "expired"
        } else {
            "valid"
        }
    }
    /// The licence's fields as its type orders and labels them (any the type no longer has,
    /// after them, by key).
    fn fields(&self) -> Vec<(String, String)> {
        let defs = self.ty.as_ref().map(|t| t.fields.as_slice()).unwrap_or(&[]);
        let mut out: Vec<(String, String)> = defs
            .iter()
            .filter_map(|f| {
                self.current
                    .fields
                    .get(&f.key)
                    .map(|v| (f.label.clone(), v.clone()))
            })
            .collect();
        for (k, v) in &self.current.fields {
            if !defs.iter().any(|f| &f.key == k) {
                out.push((k.clone(), v.clone()));
            }
        }
        out
    }
}

async fn licence(
    State(state): State<AppState>,
    c: Chrome,
    headers: HeaderMap,
    Path(identifier): Path<String>,
) -> AppResult<Response> {
    licence_page(&state, c, &headers, &identifier, vec![]).await
}

async fn licence_page(
    state: &AppState,
    c: Chrome,
    headers: &HeaderMap,
    identifier: &str,
    errors: Vec<String>,
) -> AppResult<Response> {
    let identifier = identifier.to_string();
    let versions = state.store.licence_versions(&identifier).await?;
    let asked = versions
        .iter()
        .find(|(l, _)| l.identifier == identifier)
        .map(|(l, _)| l.clone())
        .ok_or(AppError::NotFound)?;
    let current = versions
        .last()
        .map(|(l, _)| l.clone())
        .ok_or(AppError::NotFound)?;
    let ty = state
        .store
        .licence_types()
        .await?
        .get(&current.type_code)
        .cloned();
    let units = crate::pages::unit_names(state, &c).await?;
    let unit_name = crate::pages::unit_name(&units, &current.issuer_unit);
    let holder = shown_holder(c.user.as_ref(), &current.holder.id);
    let can_act = asked.identifier == current.identifier
        && !current.revoked()
        && tongban_app::licences::may_act(c.user.as_ref(), &current);
    // The code carries the version's offline proof; while the log does not sign, the page's
    // address.
    let qr = match state.store.licence_proof(&asked.identifier).await? {
        Some(p) => crate::pages::qr_svg_with(&p.to_text(), qrcode::EcLevel::L, 300),
        None => crate::pages::qr_svg(&format!(
            "{}/licences/{}",
            crate::pages::public_base(state, headers),
            asked.identifier
        )),
    };
    Ok(render(&LicencePage {
        qr,
        can_act,
        errors,
        today: local_date(state.store.now()),
        c,
        asked,
        current,
        versions,
        ty,
        holder,
        unit_name,
    }))
}

#[derive(Template)]
#[template(path = "licences/mine.html")]
struct MinePage {
    c: Chrome,
    licences: Vec<Licence>,
}

async fn mine(State(state): State<AppState>, c: Chrome, viewer: Viewer) -> AppResult<Response> {
    let user = viewer.require(&[Role::Applicant])?;
    let licences = match &user.identity {
        Some(i) => {
            state
                .store
                .licences_of(&tongban_store::credit::subject_of(i).1)
                .await?
        }
        None => Vec::new(),
    };
    Ok(render(&MinePage { c, licences }))
}
