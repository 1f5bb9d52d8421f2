//! The inbox page: every message to the reader and their unit, linked to its record.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::AppResult;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use tongban_store::inbox::InboxMessage;

// ---- inbox ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "cases/inbox.html")]
struct InboxPage {
    c: Chrome,
    messages: Vec<InboxMessage>,
}

pub(super) async fn inbox_page(
    State(state): State<AppState>,
    c: Chrome,
    SignedIn(user): SignedIn,
) -> AppResult<Response> {
    let messages = state
        .store
        .inbox(&super::api::recipients(&user), 100)
        .await?;
    Ok(render(&InboxPage { c, messages }))
}
