//! The 12345 hotline: intake (phone, web, Open311), who may see and act on a ticket, its
//! commands in one write, and the routing catalog's checks.

use crate::{Error, Result};
use tongban_domain::FieldErrors;
use tongban_domain::hotline::{self, Command, NewTicket, Party, Route, Source, Ticket};
use tongban_store::Store;
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

pub async fn load(store: &Store, user: &User, id: &str) -> Result<Ticket> {
    let t = store.hotline_ticket(id).await?.ok_or(Error::NotFound)?;
    if !visible(user, &t) {
        return Err(Error::NotFound);
    }
    Ok(t)
}

/// Take in a ticket: operators from the phone, anyone signed in from the web form, Open311
/// clients with an API key. Returns the ticket and the token an Open311 client may follow.
pub async fn intake(
    store: &Store,
    user: &User,
    source: Source,
    new: NewTicket,
) -> Result<(Ticket, String)> {
    // The evaluator reads the dashboard and the plan, and changes nothing.
    if user.role == tongban_domain::accounts::Role::Evaluator {
        return Err(Error::Forbidden);
    }
    let units = store.unit_codes().await?;
    new.validate(&|u| units.contains(u))?;
    if let Some(code) = &new.service_code {
        if !store.routes().await?.iter().any(|r| &r.code == code) {
            return Err(FieldErrors::single("service_code", "unknown_value").into());
        }
    }
    let filed_by = user.username.clone();
    let token = crate::accounts::random_token()[..24].to_string();
    let t = store
        .create_hotline_ticket(&user.username, &token, |id, now| {
            hotline::new_ticket(id, source, new, &filed_by, now)
        })
        .await?;
    Ok((t, token))
}

pub async fn run(store: &Store, user: &User, id: &str, cmd: Command) -> Result<Ticket> {
    load(store, user, id).await?;
    let units = store.unit_codes().await?;
    // Merging needs to know the target is open; read it before the write.
    let target_open = match &cmd {
        Command::MergeInto { ticket } => store
            .hotline_ticket(ticket)
            .await?
            .is_some_and(|t| !matches!(t.state, hotline::State::Closed | hotline::State::Merged)),
        _ => false,
    };
    let cal = store.calendar();
    store
        .change_hotline_ticket::<Error>(&user.username, id, cmd.name(), |t, now| {
            Ok(hotline::apply(
                t,
                &cmd,
                party(user, t),
                &user.username,
                now,
                &cal,
                &|u| units.contains(u),
                &|_| target_open,
            )?)
        })
        .await
}

/// Checks a routing entry, naming each bad field.
pub async fn check_route(store: &Store, route: &Route, code: &str) -> Result<()> {
    let units = store.unit_codes().await?;
    let mut e = FieldErrors::new();
    let well_formed = !route.code.is_empty()
        && route.code.len() <= 48
        && route
            .code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if route.code != code || !well_formed {
        e.push("code", "route_code_format");
    }
    e.text("name", &route.name, 60);
    if route.keywords.is_empty() {
        e.push("keywords", "required");
    }
    if !units.contains(&route.lead) {
        e.push("lead", "unknown_unit");
    }
    for (i, a) in route.assisting.iter().enumerate() {
        if !units.contains(a) {
            e.push(format!("assisting[{i}]"), "unknown_unit");
        }
    }
    e.into_result(()).map_err(Into::into)
}
