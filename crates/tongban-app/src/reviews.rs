//! 好差评: rating a case online and a window visit from its code (within the window the
//! applicant was told), the rectification ticket a bad rating opens, and the ticket's commands.

use crate::{Error, Result};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::cases::{CaseState, Party};
use tongban_domain::reviews::{
    self, Channel, NewRating, Rating, Ticket, TicketCommand, TicketParty, TicketState,
    within_window,
};
use tongban_store::Store;
use tongban_store::accounts::User;
use tongban_store::reviews::Visit;

/// Working days the office gives for a bad rating that is not real-name with a demand, until
/// the office sets its own (`reviews.office_rectify_days`).
pub const OFFICE_RECTIFY_DAYS: u32 = 5;
pub const OFFICE_RECTIFY_KEY: &str = "reviews.office_rectify_days";

/// The office's deadline for ordinary bad ratings, in working days.
pub async fn office_days(store: &Store) -> Result<u32> {
    Ok(store
        .setting(OFFICE_RECTIFY_KEY)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(OFFICE_RECTIFY_DAYS))
}

/// Builds the rating and, when it is bad, its ticket; stores both in one write.
async fn store_rating(
    store: &Store,
    actor: &str,
    mut base: Rating,
    new: NewRating,
) -> Result<(Rating, Option<Ticket>)> {
    let cal = store.calendar();
    let urgent = new.real_name.is_some() && !new.demand.trim().is_empty();
    let due = reviews::ticket_due(urgent, office_days(store).await?, store.now(), &cal)?;
    let (rating, ticket) = store
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
    store: &Store,
    user: &User,
    case_id: &str,
    new: NewRating,
) -> Result<(Rating, Option<Ticket>)> {
    let row = store.case(case_id).await?.ok_or(Error::NotFound)?;
    let case = row.case;
    if case.party(&crate::cases::actor(user)) != Party::Applicant {
        return Err(Error::NotFound);
    }
    let overall = new.validate(Channel::Online)?;
    if case.state != CaseState::Issued {
        return Err(FieldErrors::single("case", "not_served_yet").into());
    }
    let served = case.closed_at.unwrap_or(case.created_at);
    if !rating_window_open(store, served).await? {
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
        at: store.now(),
        removed: false,
    };
    store_rating(store, &user.username, base, new).await
}

/// Is the 5-working-day rating window of a service delivered at `served` still open? The window
/// binds the applicant, so a holiday notice loaded since the service never shortens it: it is
/// open on today's calendar or on the calendar as it stood when the service was delivered.
async fn rating_window_open(store: &Store, served: jiff::Timestamp) -> Result<bool> {
    let now = store.now();
    if within_window(served, now, &store.calendar())? {
        return Ok(true);
    }
    let then = store.calendar_as_of(served).await?;
    Ok(within_window(served, now, &then)?)
}

/// Rates a window visit by its QR token: no account, within 5 working days, once.
pub async fn rate_visit(
    store: &Store,
    token: &str,
    new: NewRating,
) -> Result<(Rating, Option<Ticket>, Visit)> {
    let visit = store.visit_by_token(token).await?.ok_or(Error::NotFound)?;
    let overall = new.validate(Channel::Offline)?;
    let served: jiff::Timestamp = visit
        .served_at
        .parse()
        .map_err(|e| Error::Internal(format!("visit time: {e}")))?;
    if !rating_window_open(store, served).await? {
        return Err(FieldErrors::single("visit", "rating_window_passed").into());
    }
    let item_name = match &visit.item_code {
        Some(code) => store
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
        at: store.now(),
        removed: false,
    };
    let (r, t) = store_rating(store, "system:window-pad", base, new).await?;
    Ok((r, t, visit))
}

/// The reader's part in a ticket: staff of its unit, supervisors, or nobody.
pub fn party(user: &User, t: &Ticket) -> TicketParty {
    reviews::ticket_party(user.role, user.unit.as_deref(), t)
}

/// The rectification tickets a user may see: a unit's staff their unit's, supervisors and
/// administrators all; open ones first.
pub async fn visible_tickets(store: &Store, user: &User) -> Result<Vec<Ticket>> {
    let unit = match user.role {
        Role::Clerk | Role::Approver => Some(user.unit.as_deref().ok_or(Error::Forbidden)?),
        Role::Supervisor | Role::Admin => None,
        _ => return Err(Error::Forbidden),
    };
    Ok(store.tickets(unit).await?)
}

pub async fn load_ticket(store: &Store, user: &User, id: &str) -> Result<Ticket> {
    let t = store.ticket(id).await?.ok_or(Error::NotFound)?;
    if party(user, &t) == reviews::TicketParty::Other {
        return Err(Error::NotFound);
    }
    Ok(t)
}

pub async fn run_ticket(
    store: &Store,
    user: &User,
    id: &str,
    cmd: TicketCommand,
) -> Result<Ticket> {
    load_ticket(store, user, id).await?;
    store
        .change_ticket::<Error>(&user.username, id, cmd.name(), |t, now| {
            Ok(reviews::apply_ticket(
                t,
                &cmd,
                party(user, t),
                &user.username,
                now,
            )?)
        })
        .await
}
