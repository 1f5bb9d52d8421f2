//! 好差评 (R5) over HTTP: rating a case online, rating a window visit from its QR code or the
//! window's pad (no account), rectification tickets for bad ratings, appeals and
//! re-examination, and the public statistics. The rules live in `tongban_domain::reviews`.

pub mod api;
pub mod pages;

use crate::AppState;
use crate::error::{AppError, AppResult};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::cases::{CaseState, Party};
use tongban_domain::reviews::{
    self, Channel, NewRating, Rating, Ticket, TicketParty, TicketState, within_window,
};
use tongban_store::accounts::User;
use tongban_store::reviews::Visit;

/// Working days the office gives for a bad rating that is not real-name with a demand, until
/// the office sets its own (`reviews.office_rectify_days`).
pub const OFFICE_RECTIFY_DAYS: u32 = 5;
pub const OFFICE_RECTIFY_KEY: &str = "reviews.office_rectify_days";

/// The office's deadline for ordinary bad ratings, in working days.
pub async fn office_days(state: &AppState) -> AppResult<u32> {
    Ok(state
        .store
        .setting(OFFICE_RECTIFY_KEY)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(OFFICE_RECTIFY_DAYS))
}

/// Builds the rating and, when it is bad, its ticket; stores both in one write.
async fn store_rating(
    state: &AppState,
    actor: &str,
    mut base: Rating,
    new: NewRating,
) -> AppResult<(Rating, Option<Ticket>)> {
    let cal = state.store.calendar();
    let urgent = new.real_name.is_some() && !new.demand.trim().is_empty();
    let due = reviews::ticket_due(urgent, office_days(state).await?, state.store.now(), &cal)?;
    let (rating, ticket) = state
        .store
        .save_rating(actor, move |id, now| {
            base.id = id.clone();
            base.at = now;
            base.scores = new.scores;
            base.comment = new.comment.trim().to_string();
            base.demand = new.demand.trim().to_string();
            base.real_name = new.real_name;
            let ticket = base.overall.is_bad().then(|| Ticket {
                id: String::new(),
                rating_id: id,
                unit: base.unit.clone(),
                state: TicketState::Open,
                opened_at: now,
                due,
                urgent,
                remedy: None,
                action_taken: String::new(),
                rectified_at: None,
                callback: None,
                appeal: None,
            });
            (base, ticket)
        })
        .await?;
    Ok((rating, ticket))
}

/// Rates a case online: only its applicant (or agent), only once its result is issued, only
/// within 5 working days, once.
pub async fn rate_case(
    state: &AppState,
    user: &User,
    case_id: &str,
    new: NewRating,
) -> AppResult<(Rating, Option<Ticket>)> {
    let row = state.store.case(case_id).await?.ok_or(AppError::NotFound)?;
    let case = row.case;
    if case.party(&crate::cases::actor(user)) != Party::Applicant {
        return Err(AppError::NotFound);
    }
    let overall = new.validate(Channel::Online)?;
    if case.state != CaseState::Issued {
        return Err(FieldErrors::single("case", "not_served_yet").into());
    }
    let served = case.closed_at.unwrap_or(case.created_at);
    if !rating_window_open(state, served).await? {
        return Err(FieldErrors::single("case", "rating_window_passed").into());
    }
    let base = Rating {
        id: String::new(),
        channel: Channel::Online,
        case_id: Some(case.id.clone()),
        visit_id: None,
        ticket_number: None,
        unit: case.unit.clone(),
        item_code: case.item_code.clone(),
        item_name: case.item_name.clone(),
        overall,
        scores: Default::default(),
        comment: String::new(),
        demand: String::new(),
        real_name: None,
        rater: Some(user.username.clone()),
        at: state.store.now(),
        removed: false,
    };
    store_rating(state, &user.username, base, new).await
}

/// Is the 5-working-day rating window of a service delivered at `served` still open? The window
/// binds the applicant, so a holiday notice loaded since the service never shortens it: it is
/// open on today's calendar or on the calendar as it stood when the service was delivered.
async fn rating_window_open(state: &AppState, served: jiff::Timestamp) -> AppResult<bool> {
    let now = state.store.now();
    if within_window(served, now, &state.store.calendar())? {
        return Ok(true);
    }
    let then = state.store.calendar_as_of(served).await?;
    Ok(within_window(served, now, &then)?)
}

/// Rates a window visit by its QR token: no account, within 5 working days, once.
pub async fn rate_visit(
    state: &AppState,
    token: &str,
    new: NewRating,
) -> AppResult<(Rating, Option<Ticket>, Visit)> {
    let visit = state
        .store
        .visit_by_token(token)
        .await?
        .ok_or(AppError::NotFound)?;
    let overall = new.validate(Channel::Offline)?;
    let served: jiff::Timestamp = visit
        .served_at
        .parse()
        .map_err(|e| AppError::Internal(format!("visit time: {e}")))?;
    if !rating_window_open(state, served).await? {
        return Err(FieldErrors::single("visit", "rating_window_passed").into());
    }
    let item_name = match &visit.item_code {
        Some(code) => state
            .store
            .published_item(code)
            .await?
            .map(|p| p.guide.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let base = Rating {
        id: String::new(),
        channel: Channel::Offline,
        case_id: None,
        visit_id: Some(visit.id.clone()),
        ticket_number: Some(visit.ticket.clone()),
        unit: visit.unit.clone(),
        item_code: visit.item_code.clone().unwrap_or_default(),
        item_name,
        overall,
        scores: Default::default(),
        comment: String::new(),
        demand: String::new(),
        real_name: None,
        rater: None,
        at: state.store.now(),
        removed: false,
    };
    let (r, t) = store_rating(state, "system:window-pad", base, new).await?;
    Ok((r, t, visit))
}

/// The reader's part in a ticket: staff of its unit, supervisors, or nobody.
pub fn party(user: &User, t: &Ticket) -> TicketParty {
    reviews::ticket_party(user.role, user.unit.as_deref(), t)
}

/// The rating as this reader may see it: the office in full (for the callback), the unit
/// without the rater's identity.
pub fn rating_for(user: &User, r: &Rating) -> Rating {
    if matches!(user.role, Role::Supervisor | Role::Admin) {
        r.clone()
    } else {
        r.for_staff()
    }
}

/// A fresh unguessable token for a visit's QR code.
pub fn visit_token() -> String {
    crate::auth::random_token()[..24].to_string()
}

/// The QR code of a visit's rating page as inline SVG.
pub fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(180, 180)
                .build();
            // Inline in HTML: no XML declaration.
            match svg.find("<svg") {
                Some(i) => svg[i..].to_string(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}
