//! The 12345 hotline (R6): intake → classified dispatch by a routing catalog (lead and assisting
//! units) → handling and a reply within the category's limit → the hotline office's callback →
//! closing or reopening. A unit that is not responsible returns the ticket within 2 working days
//! with a reason; the office re-dispatches or insists. Duplicates of an open ticket merge into
//! it. Tickets from enterprises or tagged 营商环境 run on the business-environment line: shorter
//! limits, their own board. Confidential callers are hidden from units.

use crate::accounts::Role;
use crate::calendar::Calendar;
use crate::cases::local_date;
use crate::records::Notify;
use crate::validation::FieldErrors;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Category {
    /// 咨询
    Consult,
    /// 求助
    Help,
    /// 投诉
    Complaint,
    /// 举报
    Report,
    /// 建议
    Suggestion,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Consult,
        Category::Help,
        Category::Complaint,
        Category::Report,
        Category::Suggestion,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Consult => "consult",
            Category::Help => "help",
            Category::Complaint => "complaint",
            Category::Report => "report",
            Category::Suggestion => "suggestion",
        }
    }
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
    /// Working days from dispatch to the reply; the business-environment line has shorter ones.
    pub fn reply_days(self, business: bool) -> u32 {
        match (self, business) {
            (Category::Consult, _) => 1,
            (Category::Help, false) => 3,
            (Category::Help, true) => 2,
            (Category::Complaint, false) => 5,
            (Category::Complaint, true) => 3,
            (Category::Report, false) => 7,
            (Category::Report, true) => 5,
            (Category::Suggestion, false) => 10,
            (Category::Suggestion, true) => 5,
        }
    }
}

/// Working days within which a unit may return a ticket it is not responsible for.
pub const RETURN_WINDOW_DAYS: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Source {
    Phone,
    Web,
    Open311,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum State {
    /// 待派单: taken in, not yet dispatched.
    Received,
    /// 办理中: at the lead unit.
    Dispatched,
    /// 退单待审: the unit says it is not responsible; the office decides.
    Returned,
    /// 已答复: the unit replied; the office calls back.
    Replied,
    /// 已办结.
    Closed,
    /// 已合并 into another open ticket.
    Merged,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Received => "received",
            State::Dispatched => "dispatched",
            State::Returned => "returned",
            State::Replied => "replied",
            State::Closed => "closed",
            State::Merged => "merged",
        }
    }
    pub fn parse(s: &str) -> Option<State> {
        [
            State::Received,
            State::Dispatched,
            State::Returned,
            State::Replied,
            State::Closed,
            State::Merged,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
    /// Open311's two states.
    pub fn open311(self) -> &'static str {
        match self {
            State::Closed | State::Merged => "closed",
            _ => "open",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Caller {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    /// Hide the caller from the units (保密).
    #[serde(default)]
    pub confidential: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    #[serde(default)]
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long: Option<f64>,
}

/// What intake asks (phone, web form, Open311).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTicket {
    pub category: Category,
    /// 诉求内容.
    pub matter: String,
    #[serde(default)]
    pub caller: Option<Caller>,
    pub location: Location,
    /// Street (街道) code, when known.
    #[serde(default)]
    pub street: Option<String>,
    /// 统一社会信用代码 of an enterprise caller: the business-environment line.
    #[serde(default)]
    pub enterprise_uscc: Option<String>,
    /// Tagged 营商环境 by the operator.
    #[serde(default)]
    pub business_environment: bool,
    /// Routing-catalog entry (Open311 service code), when the caller chose one.
    #[serde(default)]
    pub service_code: Option<String>,
    /// 统一社会信用代码 of the enterprise the call is about (被反映主体), when the operator
    /// knows it: repeated complaints about one entity raise a risk warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about_uscc: Option<String>,
}

impl NewTicket {
    pub fn validate(&self, street_exists: &dyn Fn(&str) -> bool) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        e.text("matter", &self.matter, 4000);
        if self.location.address.trim().is_empty()
            && (self.location.lat.is_none() || self.location.long.is_none())
        {
            e.push("location", "address_or_coordinates");
        }
        if let (Some(lat), Some(long)) = (self.location.lat, self.location.long) {
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&long) {
                e.push("location", "coordinates_out_of_range");
            }
        }
        e.optional_text("location.address", &self.location.address, 300);
        if let Some(c) = &self.caller {
            e.optional_text("caller.name", &c.name, 50);
            if !c.phone.trim().is_empty() && !crate::cases::valid_phone(c.phone.trim()) {
                e.push("caller.phone", "phone_format");
            }
        }
        if let Some(s) = &self.street {
            if !street_exists(s) {
                e.push("street", "unknown_unit");
            }
        }
        if let Some(u) = &self.enterprise_uscc {
            if crate::ids::Uscc::parse(u).is_err() {
                e.push("enterprise_uscc", "id_check");
            }
        }
        if let Some(u) = &self.about_uscc {
            if crate::ids::Uscc::parse(u).is_err() {
                e.push("about_uscc", "id_check");
            }
        }
        e.into_result(())
    }
}

/// One entry of the routing catalog (派单目录) the office edits: which words and category point
/// to which lead unit and which units assist. Its code is the Open311 service code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Route {
    pub code: String,
    pub name: String,
    pub category: Category,
    pub keywords: Vec<String>,
    pub lead: String,
    #[serde(default)]
    pub assisting: Vec<String>,
    #[serde(default)]
    pub description: String,
}

/// Routes ranked for a matter: keyword hits first, the category breaking ties.
pub fn suggest<'a>(routes: &'a [Route], matter: &str, category: Category) -> Vec<&'a Route> {
    let mut scored: Vec<(usize, &Route)> = routes
        .iter()
        .map(|r| {
            let hits = r
                .keywords
                .iter()
                .filter(|k| matter.contains(k.as_str()))
                .count();
            (hits * 2 + usize::from(r.category == category), r)
        })
        .filter(|(score, _)| *score >= 2)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.code.cmp(&b.1.code)));
    scored.into_iter().map(|(_, r)| r).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dispatch {
    pub at: Timestamp,
    pub by: String,
    pub lead: String,
    pub assisting: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub reply_due: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Return {
    pub at: Timestamp,
    pub unit: String,
    pub by: String,
    pub reason: String,
    /// The office's answer: `redispatched` or `insisted`.
    #[serde(default)]
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reply {
    pub at: Timestamp,
    pub unit: String,
    pub by: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallbackRecord {
    pub at: Timestamp,
    pub by: String,
    pub satisfied: bool,
    pub note: String,
}

/// A hotline ticket (工单).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = HotlineTicket))]
pub struct Ticket {
    pub id: String,
    pub source: Source,
    #[serde(flatten)]
    pub intake: NewTicket,
    pub state: State,
    pub received_at: Timestamp,
    /// The business-environment line (enterprise caller or tagged).
    pub business: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    #[serde(default)]
    pub assisting: Vec<String>,
    #[serde(default)]
    pub dispatches: Vec<Dispatch>,
    #[serde(default)]
    pub returns: Vec<Return>,
    #[serde(default)]
    pub replies: Vec<Reply>,
    #[serde(default)]
    pub callbacks: Vec<CallbackRecord>,
    #[serde(default)]
    pub reopened: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    #[serde(default)]
    pub merged: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    /// The account that filed it (Open311 client, web user, operator).
    #[serde(default)]
    pub filed_by: String,
}

impl Ticket {
    pub fn reply_due(&self) -> Option<Date> {
        self.dispatches.last().map(|d| d.reply_due)
    }
    /// What staff of the units see: a confidential caller is hidden.
    pub fn for_units(&self) -> Ticket {
        let mut t = self.clone();
        if let Some(c) = t.intake.caller.as_mut() {
            if c.confidential {
                c.name = "（保密）".into();
                c.phone = String::new();
            }
        }
        t
    }
}

pub fn new_ticket(
    id: String,
    source: Source,
    intake: NewTicket,
    filed_by: &str,
    now: Timestamp,
) -> Ticket {
    let business = intake.business_environment || intake.enterprise_uscc.is_some();
    Ticket {
        id,
        source,
        intake,
        state: State::Received,
        received_at: now,
        business,
        lead: None,
        assisting: vec![],
        dispatches: vec![],
        returns: vec![],
        replies: vec![],
        callbacks: vec![],
        reopened: 0,
        merged_into: None,
        merged: vec![],
        closed_at: None,
        filed_by: filed_by.into(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = HotlineCommand))]
pub enum Command {
    /// The office: send to a lead unit (and assisting units).
    Dispatch {
        lead: String,
        #[serde(default)]
        assisting: Vec<String>,
    },
    /// The lead unit: not ours (within 2 working days of dispatch), with a reason.
    Return { reason: String },
    /// The office, after a return: send to another unit…
    Redispatch {
        lead: String,
        #[serde(default)]
        assisting: Vec<String>,
    },
    /// …or insist the unit handles it.
    Insist { note: String },
    /// The lead unit: the reply to the caller.
    Reply { text: String },
    /// The office: the callback; not satisfied reopens the ticket to the same unit.
    CallBack { satisfied: bool, note: String },
    /// The office: this is a duplicate of an open ticket.
    MergeInto { ticket: String },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Dispatch { .. } => "dispatch",
            Command::Return { .. } => "return",
            Command::Redispatch { .. } => "redispatch",
            Command::Insist { .. } => "insist",
            Command::Reply { .. } => "reply",
            Command::CallBack { .. } => "call_back",
            Command::MergeInto { .. } => "merge_into",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The hotline office (operators) and supervisors.
    Office,
    /// Staff of the lead unit.
    Lead,
    /// Staff of an assisting unit (read only).
    Assisting,
    Other,
}

/// Why a ticket command was refused (the one domain refusal).
pub type Error = crate::refusal::Refusal;

/// What this party may do now.
pub fn allowed(t: &Ticket, party: Party, now: Timestamp, cal: &Calendar) -> Vec<&'static str> {
    use State::*;
    let mut v = Vec::new();
    match (t.state, party) {
        (Received, Party::Office) => v.extend(["dispatch", "merge_into"]),
        (Dispatched, Party::Office) => v.push("merge_into"),
        (Dispatched, Party::Lead) => {
            v.push("reply");
            if within_return_window(t, now, cal) {
                v.push("return");
            }
        }
        (Returned, Party::Office) => v.extend(["redispatch", "insist"]),
        (Replied, Party::Office) => v.push("call_back"),
        _ => {}
    }
    v
}

fn within_return_window(t: &Ticket, now: Timestamp, cal: &Calendar) -> bool {
    t.dispatches.last().is_some_and(|d| {
        cal.working_days_between(local_date(d.at), local_date(now))
            .is_ok_and(|n| n <= i64::from(RETURN_WINDOW_DAYS))
    })
}

/// Applies a command. `unit_exists` checks unit codes; `target_open` tells whether a ticket to
/// merge into exists and is open.
pub fn apply(
    t: &Ticket,
    cmd: &Command,
    party: Party,
    actor: &str,
    now: Timestamp,
    cal: &Calendar,
    unit_exists: &dyn Fn(&str) -> bool,
    target_open: &dyn Fn(&str) -> bool,
) -> Result<(Ticket, Effects), Error> {
    if party == Party::Other || party == Party::Assisting {
        return Err(Error::Forbidden);
    }
    let ok = allowed(t, party, now, cal);
    if !ok.contains(&cmd.name()) {
        let reason =
            (cmd.name() == "return" && t.state == State::Dispatched && party == Party::Lead)
                .then_some("return_window_passed");
        return Err(Error::NotAllowed {
            action: cmd.name(),
            state: t.state.as_str(),
            allowed: ok,
            reason,
        });
    }
    let mut t = t.clone();
    let mut e = FieldErrors::new();
    let dispatch = |t: &mut Ticket,
                    lead: &str,
                    assisting: &[String],
                    e: &mut FieldErrors|
     -> Result<(), Error> {
        if !unit_exists(lead) {
            e.push("lead", "unknown_unit");
        }
        for (i, a) in assisting.iter().enumerate() {
            if !unit_exists(a) || a == lead {
                e.push(format!("assisting[{i}]"), "unknown_unit");
            }
        }
        let days = t.intake.category.reply_days(t.business);
        let reply_due = cal.add_working_days(local_date(now), days)?;
        t.lead = Some(lead.into());
        t.assisting = assisting.to_vec();
        t.dispatches.push(Dispatch {
            at: now,
            by: actor.into(),
            lead: lead.into(),
            assisting: assisting.to_vec(),
            reply_due,
        });
        t.state = State::Dispatched;
        Ok(())
    };
    match cmd {
        Command::Dispatch { lead, assisting } => dispatch(&mut t, lead, assisting, &mut e)?,
        Command::Redispatch { lead, assisting } => {
            if let Some(r) = t.returns.last_mut() {
                r.outcome = "redispatched".into();
            }
            dispatch(&mut t, lead, assisting, &mut e)?;
        }
        Command::Insist { note } => {
            e.text("note", note, 1000);
            if let Some(r) = t.returns.last_mut() {
                r.outcome = "insisted".into();
            }
            let lead = t.lead.clone().unwrap_or_default();
            let assisting = t.assisting.clone();
            dispatch(&mut t, &lead, &assisting, &mut e)?;
        }
        Command::Return { reason } => {
            e.text("reason", reason, 1000);
            t.returns.push(Return {
                at: now,
                unit: t.lead.clone().unwrap_or_default(),
                by: actor.into(),
                reason: reason.trim().into(),
                outcome: String::new(),
            });
            t.state = State::Returned;
        }
        Command::Reply { text } => {
            e.text("text", text, 4000);
            t.replies.push(Reply {
                at: now,
                unit: t.lead.clone().unwrap_or_default(),
                by: actor.into(),
                text: text.trim().into(),
            });
            t.state = State::Replied;
        }
        Command::CallBack { satisfied, note } => {
            e.text("note", note, 1000);
            t.callbacks.push(CallbackRecord {
                at: now,
                by: actor.into(),
                satisfied: *satisfied,
                note: note.trim().into(),
            });
            if *satisfied {
                t.state = State::Closed;
                t.closed_at = Some(now);
            } else {
                // Reopened to the same unit, on a fresh limit.
                t.reopened += 1;
                let lead = t.lead.clone().unwrap_or_default();
                let assisting = t.assisting.clone();
                dispatch(&mut t, &lead, &assisting, &mut e)?;
            }
        }
        Command::MergeInto { ticket } => {
            if ticket == &t.id || !target_open(ticket) {
                e.push("ticket", "not_an_open_ticket");
            }
            t.merged_into = Some(ticket.clone());
            t.state = State::Merged;
            t.closed_at = Some(now);
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    // A ticket that (again) waits at its lead unit tells the unit: dispatched, re-dispatched,
    // insisted on after a return, or reopened by an unsatisfied caller.
    let mut fx = Effects::default();
    if t.state == State::Dispatched
        && let Some(lead) = &t.lead
        && matches!(
            cmd,
            Command::Dispatch { .. }
                | Command::Redispatch { .. }
                | Command::Insist { .. }
                | Command::CallBack { .. }
        )
    {
        fx.messages.push(Notify::unit(lead, "hotline"));
    }
    Ok((t, fx))
}

/// What a ticket's change caused besides the new ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    /// Messages about the ticket.
    pub messages: Vec<Notify>,
}

/// Who the reader is to a ticket, from their role and unit: the office (operators, supervisors,
/// administrators), its lead or an assisting unit, or no one.
pub fn party(role: Role, unit: Option<&str>, t: &Ticket) -> Party {
    match role {
        Role::HotlineOperator | Role::Supervisor | Role::Admin => Party::Office,
        Role::Clerk | Role::Approver => match unit {
            Some(u) if t.lead.as_deref() == Some(u) => Party::Lead,
            Some(u) if t.assisting.iter().any(|a| a == u) => Party::Assisting,
            _ => Party::Other,
        },
        Role::Applicant | Role::Evaluator => Party::Other,
    }
}

/// Per-unit indicators from the records: on-time replies, callbacks, satisfaction, returns and
/// reopenings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicators {
    pub unit: String,
    pub dispatched: usize,
    /// Replies made by the due date / replies.
    pub on_time_reply: crate::cases::indicators::Ratio,
    /// Replied tickets called back / replied tickets.
    pub callback_rate: crate::cases::indicators::Ratio,
    /// Satisfied callbacks / callbacks.
    pub satisfaction: crate::cases::indicators::Ratio,
    pub returns: usize,
    pub reopenings: usize,
}

/// What a unit's hotline indicators are made of, counted from its tickets or read from the
/// tallies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub dispatched: usize,
    pub replies: usize,
    pub replies_on_time: usize,
    pub replied: usize,
    pub called_back: usize,
    pub callbacks: usize,
    pub callbacks_satisfied: usize,
    pub returns: usize,
    pub reopenings: usize,
}

impl Indicators {
    pub fn of(unit: &str, c: Counts) -> Indicators {
        use crate::cases::indicators::Ratio;
        let f = |n: usize| n as f64;
        Indicators {
            unit: unit.into(),
            dispatched: c.dispatched,
            on_time_reply: Ratio::new(f(c.replies_on_time), f(c.replies)),
            callback_rate: Ratio::new(f(c.called_back), f(c.replied)),
            satisfaction: Ratio::new(f(c.callbacks_satisfied), f(c.callbacks)),
            returns: c.returns,
            reopenings: c.reopenings,
        }
    }
}

/// A unit's indicators counted from the tickets themselves (the tallies keep the same counts;
/// the tests compare the two).
pub fn indicators(unit: &str, tickets: &[Ticket]) -> Indicators {
    let mine: Vec<&Ticket> = tickets
        .iter()
        .filter(|t| t.dispatches.iter().any(|d| d.lead == unit))
        .collect();
    let mut c = Counts {
        dispatched: mine.len(),
        ..Counts::default()
    };
    for t in &mine {
        for r in t.replies.iter().filter(|r| r.unit == unit) {
            c.replies += 1;
            let due = t
                .dispatches
                .iter()
                .rev()
                .find(|d| d.at <= r.at && d.lead == unit)
                .map(|d| d.reply_due);
            c.replies_on_time += usize::from(due.is_some_and(|d| local_date(r.at) <= d));
        }
        if t.replies.iter().any(|r| r.unit == unit) {
            c.replied += 1;
            c.called_back += usize::from(!t.callbacks.is_empty());
            c.callbacks += t.callbacks.len();
            c.callbacks_satisfied += t.callbacks.iter().filter(|k| k.satisfied).count();
        }
        c.returns += t.returns.iter().filter(|r| r.unit == unit).count();
        c.reopenings += t.reopened as usize;
    }
    Indicators::of(unit, c)
}

/// The years without a loaded holiday notice that the open reply date was counted over (empty
/// when it was counted on loaded notices only, or once the ticket is answered).
pub fn provisional_years(t: &Ticket, cal: &Calendar) -> Vec<i16> {
    match (t.state, t.dispatches.last()) {
        (State::Dispatched | State::Returned, Some(d)) => {
            cal.provisional_years(local_date(d.at), d.reply_due)
        }
        _ => Vec::new(),
    }
}

/// The ticket as a new holiday notice leaves it: the reply date of a dispatch not yet answered
/// follows the notice (it binds the unit).
pub fn recount(
    t: &Ticket,
    old: &Calendar,
    new: &Calendar,
) -> Result<(Ticket, Vec<crate::calendar::Moved>), crate::calendar::CalendarError> {
    use crate::calendar::{Binds, recount_moved};
    let mut t = t.clone();
    let mut moved = Vec::new();
    if matches!(t.state, State::Dispatched | State::Returned)
        && let Some(d) = t.dispatches.last_mut()
    {
        let anchor = local_date(d.at);
        if let Some(m) = recount_moved(
            "reply_due",
            old,
            new,
            anchor,
            d.reply_due,
            Binds::Administration,
        )? {
            d.reply_due = m.after;
            moved.push(m);
        }
    }
    Ok((t, moved))
}

#[cfg(test)]
mod tests;
