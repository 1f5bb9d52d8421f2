//! `/licences/{identifier}` (public: a licence is published; a citizen's number is masked) and
//! `/licences/mine` (the holder's licences).

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use tongban_domain::accounts::Role;
use tongban_domain::cases::local_date;
use tongban_domain::licences::licence::{Licence, LicenceType};
use tongban_store::accounts::User;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/licences/mine", get(mine))
        .route("/licences/{identifier}", get(licence))
}

/// The holder's identity as the reader may see it: in full for the holder and staff, a
/// citizen's number masked for anyone else.
fn shown_holder(user: Option<&User>, holder_id: &str) -> String {
    let own = user.is_some_and(|u| {
        u.role != Role::Applicant
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
}

impl LicencePage {
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
    let units = crate::pages::unit_names(&state, &c).await?;
    let unit_name = crate::pages::unit_name(&units, &current.issuer_unit);
    let holder = shown_holder(c.user.as_ref(), &current.holder.id);
    let url = format!(
        "{}/licences/{}",
        crate::pages::public_base(&state, &headers),
        asked.identifier
    );
    Ok(render(&LicencePage {
        qr: crate::pages::qr_svg(&url),
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
