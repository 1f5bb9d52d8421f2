//! 好差评 (R5): one rating per case online once its result is issued (一事一评), one per window
//! visit offline (一次一评), within 5 working days after the service. A bad rating opens a
//! rectification ticket to the unit that served: fixed, ledgered or explained; a callback to the
//! person and their satisfaction; an appeal by the unit for a mistaken or malicious rating, which
//! a supervisor upholds or removes (申诉复核). Statistics are public; raters' identities are not.

use crate::calendar::{Calendar, CalendarError};
use crate::cases::local_date;
use crate::validation::FieldErrors;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The five levels, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RatingLevel))]
pub enum Level {
    /// 非常满意
    VerySatisfied,
    /// 满意
    Satisfied,
    /// 基本满意
    Basic,
    /// 不满意
    Dissatisfied,
    /// 非常不满意
    VeryDissatisfied,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::VerySatisfied,
        Level::Satisfied,
        Level::Basic,
        Level::Dissatisfied,
        Level::VeryDissatisfied,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Level::VerySatisfied => "very_satisfied",
            Level::Satisfied => "satisfied",
            Level::Basic => "basic",
            Level::Dissatisfied => "dissatisfied",
            Level::VeryDissatisfied => "very_dissatisfied",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
    /// 不满意 and 非常不满意 are bad ratings (差评).
    pub fn is_bad(self) -> bool {
        matches!(self, Level::Dissatisfied | Level::VeryDissatisfied)
    }
}

/// Online (a case) or offline (a visit to a window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Channel {
    Online,
    Offline,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Offline => "offline",
        }
    }
    /// The sub-indicators each channel asks for, overall first.
    pub fn indicators(self) -> &'static [&'static str] {
        match self {
            Channel::Online => &[
                "overall",
                "efficiency",
                "guide_accuracy",
                "convenience",
                "platform_usability",
            ],
            Channel::Offline => &["overall", "efficiency", "service_level", "attitude"],
        }
    }
}

/// Working days after the service within which a person may rate.
pub const RATING_WINDOW_DAYS: u32 = 5;
/// Working days for a real-name bad rating with a reasonable demand (the seed's rule).
pub const URGENT_RECTIFY_DAYS: u32 = 1;

/// A rating as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRating {
    /// One level per sub-indicator of the channel (`overall` required), e.g.
    /// `{"overall": "satisfied", "efficiency": "very_satisfied", …}`.
    pub scores: std::collections::BTreeMap<String, Level>,
    #[serde(default)]
    pub comment: String,
    /// The person asks for something to be done (诉求), which makes a real-name bad rating urgent.
    #[serde(default)]
    pub demand: String,
    /// Give one's name and phone for the callback (实名评价). Anonymous otherwise.
    #[serde(default)]
    pub real_name: Option<RealName>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RealName {
    pub name: String,
    pub phone: String,
}

impl NewRating {
    /// Checks the scores against the channel's sub-indicators, naming each bad field.
    pub fn validate(&self, channel: Channel) -> Result<Level, FieldErrors> {
        let mut e = FieldErrors::new();
        let wanted = channel.indicators();
        for k in self.scores.keys() {
            if !wanted.contains(&k.as_str()) {
                e.push_detail(
                    format!("scores.{k}"),
                    "unknown_indicator",
                    wanted.join(", "),
                );
            }
        }
        for k in wanted {
            if !self.scores.contains_key(*k) {
                e.push(format!("scores.{k}"), "required");
            }
        }
        e.optional_text("comment", &self.comment, 500);
        e.optional_text("demand", &self.demand, 500);
        if let Some(r) = &self.real_name {
            e.text("real_name.name", &r.name, 50);
            if !crate::cases::valid_phone(r.phone.trim()) {
                e.push("real_name.phone", "phone_format");
            }
        }
        let overall = self.scores.get("overall").copied();
        e.into_result(overall.unwrap_or(Level::Basic))
    }
}

/// A stored rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    pub id: String,
    pub channel: Channel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_id: Option<String>,
    /// The window ticket number of an offline visit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_number: Option<String>,
    pub unit: String,
    #[serde(default)]
    pub item_code: String,
    #[serde(default)]
    pub item_name: String,
    pub overall: Level,
    pub scores: std::collections::BTreeMap<String, Level>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub demand: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_name: Option<RealName>,
    /// The account that rated online (never shown to staff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rater: Option<String>,
    pub at: Timestamp,
    /// Removed on appeal: not counted.
    #[serde(default)]
    pub removed: bool,
}

impl Rating {
    /// What staff of the unit see: the rating and the demand, not who gave it. Whether it was
    /// real-name stays visible (it decides the deadline).
    pub fn for_staff(&self) -> Rating {
        let mut r = self.clone();
        r.rater = None;
        r.real_name = self.real_name.as_ref().map(|n| RealName {
            name: n.name.chars().take(1).collect::<String>() + "*",
            phone: mask_phone(&n.phone),
        });
        r
    }
}

fn mask_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() < 7 {
        return "****".into();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Is `now` within the rating window of a service delivered at `served`?
pub fn within_window(
    served: Timestamp,
    now: Timestamp,
    cal: &Calendar,
) -> Result<bool, CalendarError> {
    Ok(
        cal.working_days_between(local_date(served), local_date(now))?
            <= i64::from(RATING_WINDOW_DAYS),
    )
}

/// How a unit dealt with a bad rating (整改方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Remedy {
    /// 立行立改: fixed at once where clear.
    Fixed,
    /// 建立台账: complex, put on a ledger with a deadline.
    Ledger,
    /// 解释说明: no legal basis for the demand, explained.
    Explained,
}

impl Remedy {
    pub fn as_str(self) -> &'static str {
        match self {
            Remedy::Fixed => "fixed",
            Remedy::Ledger => "ledger",
            Remedy::Explained => "explained",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TicketState {
    /// Waiting for the unit.
    Open,
    /// The unit reported what it did; waiting for the callback.
    Rectified,
    /// The unit appealed; a supervisor re-examines.
    Appealed,
    /// Called back (or the rating was removed on appeal): done.
    Closed,
}

impl TicketState {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketState::Open => "open",
            TicketState::Rectified => "rectified",
            TicketState::Appealed => "appealed",
            TicketState::Closed => "closed",
        }
    }
}

/// A rectification ticket (整改工单) for one bad rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RectificationTicket))]
pub struct Ticket {
    pub id: String,
    pub rating_id: String,
    pub unit: String,
    pub state: TicketState,
    pub opened_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
    /// Real-name with a demand: the 1-working-day rule applies.
    pub urgent: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<Remedy>,
    #[serde(default)]
    pub action_taken: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectified_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<Callback>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal: Option<Appeal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Callback {
    pub at: Timestamp,
    pub by: String,
    /// The person's satisfaction with the rectification.
    pub satisfied: bool,
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AppealGround {
    /// 误评
    Mistaken,
    /// 恶意差评
    Malicious,
}

impl AppealGround {
    pub fn as_str(self) -> &'static str {
        match self {
            AppealGround::Mistaken => "mistaken",
            AppealGround::Malicious => "malicious",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Appeal {
    pub ground: AppealGround,
    pub reason: String,
    pub by: String,
    pub at: Timestamp,
    /// The supervisor's re-examination: `Some(true)` removed, `Some(false)` upheld.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<bool>,
    #[serde(default)]
    pub decision: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
}

/// A change to a ticket, as the API receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TicketCommand {
    /// The unit: what was done.
    Rectify {
        remedy: Remedy,
        action_taken: String,
    },
    /// The supervisors' office: the callback to the person and their satisfaction.
    CallBack { satisfied: bool, note: String },
    /// The unit: the rating was mistaken or malicious.
    Appeal {
        ground: AppealGround,
        reason: String,
    },
    /// A supervisor: upheld (the unit must rectify) or removed, with reasons.
    Reexamine { remove: bool, decision: String },
}

impl TicketCommand {
    pub fn name(&self) -> &'static str {
        match self {
            TicketCommand::Rectify { .. } => "rectify",
            TicketCommand::CallBack { .. } => "call_back",
            TicketCommand::Appeal { .. } => "appeal",
            TicketCommand::Reexamine { .. } => "reexamine",
        }
    }
}

/// Who acts on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketParty {
    /// Staff of the unit the ticket is for.
    Unit,
    Supervisor,
    Other,
}

/// Why a rectification command was refused (the one domain refusal).
pub type TicketError = crate::refusal::Refusal;

/// What the ticket allows this party now.
pub fn ticket_actions(t: &Ticket, party: TicketParty) -> Vec<&'static str> {
    use TicketState::*;
    let mut v = Vec::new();
    match (t.state, party) {
        (Open, TicketParty::Unit) => {
            v.push("rectify");
            if t.appeal.is_none() {
                v.push("appeal");
            }
        }
        // The callback is the office's: it alone sees the rater's phone.
        (Rectified, TicketParty::Supervisor) => v.push("call_back"),
        (Appealed, TicketParty::Supervisor) => v.push("reexamine"),
        _ => {}
    }
    v
}

/// Applies a ticket command; returns the ticket and whether the rating is now removed.
pub fn apply_ticket(
    t: &Ticket,
    cmd: &TicketCommand,
    party: TicketParty,
    actor: &str,
    now: Timestamp,
) -> Result<(Ticket, TicketEffects), TicketError> {
    if party == TicketParty::Other {
        return Err(TicketError::Forbidden);
    }
    let allowed = ticket_actions(t, party);
    if !allowed.contains(&cmd.name()) {
        return Err(TicketError::NotAllowed {
            action: cmd.name(),
            state: t.state.as_str(),
            allowed,
            reason: None,
        });
    }
    let mut t = t.clone();
    let mut e = FieldErrors::new();
    let mut removed = false;
    match cmd {
        TicketCommand::Rectify {
            remedy,
            action_taken,
        } => {
            e.text("action_taken", action_taken, 2000);
            t.remedy = Some(*remedy);
            t.action_taken = action_taken.trim().to_string();
            t.rectified_at = Some(now);
            t.state = TicketState::Rectified;
        }
        TicketCommand::CallBack { satisfied, note } => {
            e.text("note", note, 1000);
            t.callback = Some(Callback {
                at: now,
                by: actor.into(),
                satisfied: *satisfied,
                note: note.trim().into(),
            });
            t.state = TicketState::Closed;
        }
        TicketCommand::Appeal { ground, reason } => {
            e.text("reason", reason, 2000);
            t.appeal = Some(Appeal {
                ground: *ground,
                reason: reason.trim().into(),
                by: actor.into(),
                at: now,
                removed: None,
                decision: String::new(),
                decided_by: None,
            });
            t.state = TicketState::Appealed;
        }
        TicketCommand::Reexamine { remove, decision } => {
            e.text("decision", decision, 2000);
            if let Some(a) = t.appeal.as_mut() {
                a.removed = Some(*remove);
                a.decision = decision.trim().into();
                a.decided_by = Some(actor.into());
            }
            if *remove {
                t.state = TicketState::Closed;
                removed = true;
            } else {
                // Upheld: the unit must rectify after all, on the same deadline.
                t.state = TicketState::Open;
            }
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok((
        t,
        TicketEffects {
            remove_rating: removed,
        },
    ))
}

/// What a rectification ticket's change caused besides the new ticket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TicketEffects {
    /// The re-examination found the rating mistaken or malicious: remove it from the statistics.
    pub remove_rating: bool,
}

/// Who the reader is to a rectification ticket: a supervisor (or administrator), the unit that
/// must rectify, or no one.
pub fn ticket_party(role: crate::accounts::Role, unit: Option<&str>, t: &Ticket) -> TicketParty {
    use crate::accounts::Role;
    match role {
        Role::Supervisor | Role::Admin => TicketParty::Supervisor,
        Role::Clerk | Role::Approver if unit == Some(t.unit.as_str()) => TicketParty::Unit,
        _ => TicketParty::Other,
    }
}

/// The deadline of a new ticket: 1 working day for a real-name rating with a demand, else the
/// office's deadline (working days).
pub fn ticket_due(
    urgent: bool,
    office_days: u32,
    now: Timestamp,
    cal: &Calendar,
) -> Result<Date, CalendarError> {
    let days = if urgent {
        URGENT_RECTIFY_DAYS
    } else {
        office_days
    };
    cal.add_working_days(local_date(now), days)
}

/// One rating's part in the statistics.
#[derive(Debug, Clone, Copy)]
pub struct RatingFact {
    pub level: Level,
    pub removed: bool,
}

/// One ticket's part in the statistics.
#[derive(Debug, Clone, Copy)]
pub struct TicketFact {
    pub rectified_on: Option<Date>,
    pub due: Date,
    pub callback_satisfied: Option<bool>,
}

/// Public statistics of a unit or an item, each figure with what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stats {
    /// Services delivered: issued cases and window visits.
    pub services: usize,
    pub ratings: usize,
    /// Good ratings (非常满意, 满意, 基本满意) / ratings.
    pub good_rate: crate::cases::indicators::Ratio,
    /// Good ratings given actively / services delivered.
    pub active_good_rate: crate::cases::indicators::Ratio,
    /// Services without a rating / services.
    pub unrated_rate: crate::cases::indicators::Ratio,
    /// Tickets rectified by their due date / tickets rectified.
    pub rectified_on_time: crate::cases::indicators::Ratio,
    /// Callbacks where the person was satisfied / callbacks (target 100 %).
    pub callback_satisfaction: crate::cases::indicators::Ratio,
}

/// What the statistics are made of, counted from the records or read from the tallies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub services: usize,
    /// Every rating given, removed on appeal or not.
    pub given: usize,
    /// Ratings not removed, and the good ones among them.
    pub kept: usize,
    pub good: usize,
    pub rectified: usize,
    pub rectified_on_time: usize,
    pub callbacks: usize,
    pub callbacks_satisfied: usize,
}

impl Stats {
    pub fn of(c: Counts) -> Stats {
        use crate::cases::indicators::Ratio;
        let f = |n: usize| n as f64;
        let rated = c.given.min(c.services);
        Stats {
            services: c.services,
            ratings: c.kept,
            good_rate: Ratio::new(f(c.good), f(c.kept)),
            active_good_rate: Ratio::new(f(c.good), f(c.services)),
            unrated_rate: Ratio::new(f(c.services - rated), f(c.services)),
            rectified_on_time: Ratio::new(f(c.rectified_on_time), f(c.rectified)),
            callback_satisfaction: Ratio::new(f(c.callbacks_satisfied), f(c.callbacks)),
        }
    }
}

/// The statistics counted from every rating and ticket (an item's, which the tallies do not
/// keep apart).
pub fn stats(services: usize, ratings: &[RatingFact], tickets: &[TicketFact]) -> Stats {
    let kept: Vec<&RatingFact> = ratings.iter().filter(|r| !r.removed).collect();
    let rectified: Vec<&TicketFact> = tickets
        .iter()
        .filter(|t| t.rectified_on.is_some())
        .collect();
    let calls: Vec<bool> = tickets
        .iter()
        .filter_map(|t| t.callback_satisfied)
        .collect();
    Stats::of(Counts {
        services,
        given: ratings.len(),
        kept: kept.len(),
        good: kept.iter().filter(|r| !r.level.is_bad()).count(),
        rectified: rectified.len(),
        rectified_on_time: rectified
            .iter()
            .filter(|t| t.rectified_on.is_some_and(|d| d <= t.due))
            .count(),
        callbacks: calls.len(),
        callbacks_satisfied: calls.iter().filter(|s| **s).count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rating(level: Level) -> RatingFact {
        RatingFact {
            level,
            removed: false,
        }
    }

    #[test]
    fn channel_indicators_are_checked() {
        let mut r = NewRating {
            scores: [("overall".to_string(), Level::Satisfied)].into(),
            comment: String::new(),
            demand: String::new(),
            real_name: None,
        };
        let e = r.validate(Channel::Offline).unwrap_err();
        assert_eq!(e.0.len(), 3);
        for k in ["efficiency", "service_level", "attitude"] {
            r.scores.insert(k.into(), Level::VeryDissatisfied);
        }
        assert_eq!(r.validate(Channel::Offline).unwrap(), Level::Satisfied);
        r.scores.insert("platform_usability".into(), Level::Basic);
        assert!(r.validate(Channel::Offline).is_err());
    }

    #[test]
    fn tickets_go_rectify_callback_or_appeal_reexamine() {
        let now = Timestamp::UNIX_EPOCH;
        let t = Ticket {
            id: "R1".into(),
            rating_id: "P1".into(),
            unit: "XH-SPJ".into(),
            state: TicketState::Open,
            opened_at: now,
            due: "2026-11-03".parse().unwrap(),
            urgent: true,
            remedy: None,
            action_taken: String::new(),
            rectified_at: None,
            callback: None,
            appeal: None,
        };
        assert!(matches!(
            apply_ticket(
                &t,
                &TicketCommand::CallBack {
                    satisfied: true,
                    note: "x".into()
                },
                TicketParty::Unit,
                "u",
                now
            ),
            Err(TicketError::NotAllowed { .. })
        ));
        let (a, _) = apply_ticket(
            &t,
            &TicketCommand::Appeal {
                ground: AppealGround::Malicious,
                reason: "同一人连续差评".into(),
            },
            TicketParty::Unit,
            "clerk",
            now,
        )
        .unwrap();
        assert_eq!(a.state, TicketState::Appealed);
        assert!(matches!(
            apply_ticket(
                &a,
                &TicketCommand::Reexamine {
                    remove: true,
                    decision: "x".into()
                },
                TicketParty::Unit,
                "u",
                now
            ),
            Err(TicketError::NotAllowed { .. })
        ));
        let (upheld, removed) = apply_ticket(
            &a,
            &TicketCommand::Reexamine {
                remove: false,
                decision: "评价属实".into(),
            },
            TicketParty::Supervisor,
            "sup",
            now,
        )
        .unwrap();
        assert!(!removed.remove_rating);
        assert_eq!(upheld.state, TicketState::Open);
        assert!(
            !ticket_actions(&upheld, TicketParty::Unit).contains(&"appeal"),
            "one appeal"
        );
        let (r, _) = apply_ticket(
            &upheld,
            &TicketCommand::Rectify {
                remedy: Remedy::Fixed,
                action_taken: "已当场补办".into(),
            },
            TicketParty::Unit,
            "clerk",
            now,
        )
        .unwrap();
        let (c, _) = apply_ticket(
            &r,
            &TicketCommand::CallBack {
                satisfied: true,
                note: "回访满意".into(),
            },
            TicketParty::Supervisor,
            "sup",
            now,
        )
        .unwrap();
        assert_eq!(c.state, TicketState::Closed);
    }

    #[test]
    fn statistics_count_from_the_records() {
        let ratings = [
            rating(Level::VerySatisfied),
            rating(Level::Basic),
            rating(Level::Dissatisfied),
            RatingFact {
                level: Level::VeryDissatisfied,
                removed: true,
            },
        ];
        let d = |s: &str| -> Date { s.parse().unwrap() };
        let tickets = [
            TicketFact {
                rectified_on: Some(d("2026-11-03")),
                due: d("2026-11-03"),
                callback_satisfied: Some(true),
            },
            TicketFact {
                rectified_on: Some(d("2026-11-05")),
                due: d("2026-11-03"),
                callback_satisfied: Some(false),
            },
        ];
        let s = stats(10, &ratings, &tickets);
        assert_eq!(s.ratings, 3);
        assert_eq!(s.good_rate.value, Some(2.0 / 3.0));
        assert_eq!(s.active_good_rate.value, Some(0.2));
        assert_eq!(s.unrated_rate.value, Some(0.6));
        assert_eq!(s.rectified_on_time.value, Some(0.5));
        assert_eq!(s.callback_satisfaction.value, Some(0.5));
    }
}

/// The years without a loaded holiday notice that the open deadline was counted over.
pub fn provisional_years(t: &Ticket, cal: &Calendar) -> Vec<i16> {
    if t.rectified_at.is_some() {
        return Vec::new();
    }
    cal.provisional_years(local_date(t.opened_at), t.due)
}

/// The rectification ticket as a new holiday notice leaves it: the deadline of a ticket not yet
/// rectified follows the notice (it binds the unit).
pub fn recount(
    t: &Ticket,
    old: &Calendar,
    new: &Calendar,
) -> Result<(Ticket, Vec<crate::calendar::Moved>), CalendarError> {
    use crate::calendar::{Binds, recount_moved};
    let mut t = t.clone();
    let mut moved = Vec::new();
    if t.rectified_at.is_none() {
        let anchor = local_date(t.opened_at);
        if let Some(m) = recount_moved("due", old, new, anchor, t.due, Binds::Administration)? {
            t.due = m.after;
            moved.push(m);
        }
    }
    Ok((t, moved))
}
