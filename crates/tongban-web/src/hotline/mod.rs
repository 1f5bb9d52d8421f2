//! The 12345 hotline over HTTP: intake (operator, web, and later Open311), the routing catalog,
//! the ticket workflow and per-unit indicators. The rules live in `tongban_domain::hotline`.

pub mod api;
pub mod pages;

use crate::AppState;
use crate::error::{AppError, AppResult};
use tongban_domain::hotline::{Party, Ticket};
use tongban_store::accounts::User;

/// The reader's part in a ticket.
pub fn party(user: &User, t: &Ticket) -> Party {
    tongban_domain::hotline::party(user.role, user.unit.as_deref(), t)
}

/// May the reader see the ticket: the office, its units, the person who filed it.
pub fn visible(user: &User, t: &Ticket) -> bool {
    party(user, t) != Party::Other || t.filed_by == user.username
}

/// The ticket as this reader may see it: units never see a confidential caller.
pub fn for_reader(user: &User, t: Ticket) -> Ticket {
    match party(user, &t) {
        Party::Lead | Party::Assisting => t.for_units(),
        _ => t,
    }
}

pub async fn load(state: &AppState, user: &User, id: &str) -> AppResult<Ticket> {
    let t = state
        .store
        .hotline_ticket(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !visible(user, &t) {
        return Err(AppError::NotFound);
    }
    Ok(t)
}
