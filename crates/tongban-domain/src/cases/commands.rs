//! What people do to a case: the commands, who may give them in which state, and `apply`, the
//! one function that turns a case and a command into the next case and its effects.

use super::*;

/// A state change, as the API receives it (`{"action": "accept", …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CaseCommand))]
pub enum Command {
    /// Applicant: send the draft (or the corrected application) to the unit.
    Submit,
    /// Clerk: ask once, within 5 working days of receipt, for every missing or faulty material.
    RequestCorrection { items: Vec<CorrectionItem> },
    /// Clerk: accept (受理). Commitments, if any, name each proof promised and its due date.
    Accept {
        #[serde(default)]
        commitments: Vec<CommitmentRequest>,
    },
    /// Clerk: refuse to accept (不予受理), with reasons.
    Refuse { reasons: String },
    /// The role named by the current review step: complete it.
    CompleteStep { opinion: String },
    /// Clerk or approver: pause the clock for a §45 procedure.
    Pause { kind: PauseKind, reason: String },
    /// Clerk or approver: end the pause.
    Resume,
    /// Approver: extend the legal limit once (§42), with reasons.
    Extend { days: u16, reason: String },
    /// Clerk: record that a promised proof has been received.
    FulfilCommitment { material: String },
    /// The decision step's role: grant (准予许可).
    Approve { reasons: String },
    /// The decision step's role: refuse (不予许可).
    Reject { reasons: String },
    /// Clerk: the result has been issued (制证/送达).
    Issue,
    /// Applicant: withdraw before the decision.
    Withdraw { reason: String },
    /// Clock job: a commitment's due date passed unmet.
    BreakCommitment { material: String },
    /// Approver: revoke (or terminate) after a broken commitment.
    Revoke { reasons: String },
    /// Clerk: record a visit to the window (for the average-visits indicator).
    RecordVisit,
    /// The bundle it belongs to stopped or was withdrawn (system only).
    Cancel { reason: String },
    /// Staff of a co-signing unit: sign the joint case with an opinion.
    SignOff { opinion: String },
    /// Someone objects during the public notice period (public, recorded by the system): the
    /// simple path stops with the objection as the reason.
    Object {
        name: String,
        phone: String,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitmentRequest {
    pub material: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Submit => "submit",
            Command::RequestCorrection { .. } => "request_correction",
            Command::Accept { .. } => "accept",
            Command::Refuse { .. } => "refuse",
            Command::CompleteStep { .. } => "complete_step",
            Command::Pause { .. } => "pause",
            Command::Resume => "resume",
            Command::Extend { .. } => "extend",
            Command::FulfilCommitment { .. } => "fulfil_commitment",
            Command::Approve { .. } => "approve",
            Command::Reject { .. } => "reject",
            Command::Issue => "issue",
            Command::Withdraw { .. } => "withdraw",
            Command::BreakCommitment { .. } => "break_commitment",
            Command::Revoke { .. } => "revoke",
            Command::RecordVisit => "record_visit",
            Command::Cancel { .. } => "cancel",
            Command::Object { .. } => "object",
            Command::SignOff { .. } => "sign_off",
        }
    }
}

/// Every action name, for listing what is allowed.
pub const ACTIONS: [&str; 19] = [
    "submit",
    "request_correction",
    "accept",
    "refuse",
    "complete_step",
    "pause",
    "resume",
    "extend",
    "fulfil_commitment",
    "approve",
    "reject",
    "issue",
    "withdraw",
    "break_commitment",
    "revoke",
    "record_visit",
    "cancel",
    "object",
    "sign_off",
];

/// Facts about the applicant the domain needs but does not own.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplicantStanding {
    /// Serious bad credit or a past false promise: no commitments allowed.
    pub commitment_barred: bool,
    /// Trustworthy under the credit lists: 绿色通道 and 容缺受理.
    pub green_channel: bool,
    pub tolerance: bool,
}

/// Why a case command was refused (the one domain refusal).
pub type CaseError = crate::refusal::Refusal;

/// What a change caused besides the new state: notices to number and people to notify.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    pub notices: Vec<NoticeKind>,
    /// Message keys for the applicant's inbox (`inbox.case.<key>`).
    pub notify_applicant: Option<&'static str>,
    /// Message key for the unit's inbox.
    pub notify_unit: Option<&'static str>,
    /// A commitment was broken: record a false promise against the applicant (credit).
    pub false_promise: bool,
}

impl Effects {
    /// The messages to send about the case: the applicant's key to the applicant (and their
    /// agent), the unit's key to the unit.
    pub fn messages(&self, case: &Case) -> Vec<crate::records::Notify> {
        let mut out = Vec::new();
        if let Some(kind) = self.notify_applicant {
            for to in case.applicant_recipients() {
                out.push(crate::records::Notify { to, kind });
            }
        }
        if let Some(kind) = self.notify_unit {
            out.push(crate::records::Notify::unit(&case.unit, kind));
        }
        out
    }
}

/// Everything the domain needs about "now" to judge a command.
pub struct Context<'a> {
    pub now: Timestamp,
    pub calendar: &'a Calendar,
    pub standing: ApplicantStanding,
}

/// Working days the clerk has to flag incomplete material (§32).
pub const CORRECTION_WINDOW_DAYS: u32 = 5;
/// Working days the correction notice gives the applicant to supply the material. The law fixes
/// no period; this is the district's choice, stated on the notice so the applicant can plan.
pub const CORRECTION_SUPPLY_DAYS: u32 = 10;
/// The §42 extension: 10 working days, 15 for joint handling (legal limit 45).
pub fn max_extension(legal: TimeLimit) -> u16 {
    match legal {
        TimeLimit::WorkingDays(45) => 15,
        _ => 10,
    }
}

/// Applies a command. Returns the new case and its effects, or why not.
pub fn apply(
    case: &Case,
    cmd: &Command,
    actor: &Actor,
    ctx: &Context,
) -> Result<(Case, Effects), CaseError> {
    let party = case.party(actor);
    if party == Party::Outsider {
        return Err(CaseError::Forbidden);
    }
    let allowed = allowed_actions(case, actor, ctx);
    let name = cmd.name();
    if !allowed.contains(&name) {
        // Distinguish "never yours to do" (403) from "not now" (409).
        if !actions_for_party(case, party).contains(&name) {
            return Err(CaseError::Forbidden);
        }
        return Err(CaseError::NotAllowed {
            action: name,
            state: case.state.as_str(),
            allowed,
            reason: blocking_reason(case, name, ctx),
        });
    }
    let mut c = case.clone();
    let mut fx = Effects::default();
    let now = ctx.now;
    let mut note = String::new();
    match cmd {
        Command::Submit => {
            let mut e = FieldErrors::new();
            c.form.validate(&mut e);
            if !e.is_empty() {
                return Err(e.into());
            }
            if case.state == CaseState::Correction {
                if let Some(corr) = c.correction.as_mut() {
                    corr.corrected_at = Some(now);
                }
            }
            c.submitted_at = Some(now);
            c.state = CaseState::Submitted;
            // The measures stand as at submission (a later record does not reorder the queue).
            c.green_channel = ctx.standing.green_channel;
            c.tolerance = ctx.standing.tolerance;
            fx.notify_unit = Some("submitted");
        }
        Command::RequestCorrection { items } => {
            let mut e = FieldErrors::new();
            if items.is_empty() {
                e.push("items", "required");
            }
            for (i, it) in items.iter().enumerate() {
                if !c.materials.iter().any(|m| m.name == it.material) {
                    e.push(format!("items[{i}].material"), "unknown_material");
                }
                e.text(&format!("items[{i}].problem"), &it.problem, 500);
            }
            if !e.is_empty() {
                return Err(e.into());
            }
            c.correction = Some(Correction {
                requested_at: now,
                requested_by: actor.username.into(),
                items: items.clone(),
                corrected_at: None,
                supply_by: ctx
                    .calendar
                    .add_working_days(local_date(now), CORRECTION_SUPPLY_DAYS)
                    .ok(),
            });
            c.state = CaseState::Correction;
            fx.notices.push(NoticeKind::Correction);
            fx.notify_applicant = Some("correction");
            note = items
                .iter()
                .map(|i| format!("{}：{}", i.material, i.problem))
                .collect::<Vec<_>>()
                .join("；");
        }
        Command::Accept { commitments } => {
            let mut e = FieldErrors::new();
            let today = local_date(now);
            for (i, r) in commitments.iter().enumerate() {
                if !c.materials.iter().any(|m| m.name == r.material) {
                    e.push(format!("commitments[{i}].material"), "unknown_material");
                }
                if r.due <= today {
                    e.push(format!("commitments[{i}].due"), "not_in_future");
                }
            }
            if !commitments.is_empty() && ctx.standing.commitment_barred {
                e.push("commitments", "commitment_barred");
            }
            if !e.is_empty() {
                return Err(e.into());
            }
            let submitted = c.submitted_at.unwrap_or(now);
            // §32: without a correction request in 5 working days the case was accepted on receipt.
            let deemed = c.correction.is_none() && correction_window_passed(&c, ctx)?;
            c.accepted_at = Some(if deemed { submitted } else { now });
            c.deemed_accepted = deemed;
            c.commitments = commitments
                .iter()
                .map(|r| Commitment {
                    material: r.material.clone(),
                    due: r.due,
                    fulfilled_at: None,
                    broken: false,
                })
                .collect();
            c.state = CaseState::Review;
            fx.notices.push(NoticeKind::Acceptance);
            fx.notify_applicant = Some("accepted");
            if deemed {
                note = "deemed_accepted".into();
            }
            // Items with a statutory public notice period (简易注销 公告期) go straight into it.
            if let Some(days) = notice_period::days(&c.item_code) {
                let until = local_date(now)
                    .checked_add(jiff::Span::new().days(i64::from(days)))
                    .map_err(|_| FieldErrors::single("accept", "date_out_of_range"))?;
                c.pauses.push(Pause {
                    kind: PauseKind::PublicNotice,
                    reason: notice_period::REASON.into(),
                    started_at: now,
                    ended_at: None,
                    until: Some(until),
                });
                c.state = CaseState::Paused;
                fx.notify_applicant = Some("public_notice");
            }
        }
        Command::Refuse { reasons } => {
            reasons_required(reasons)?;
            c.state = CaseState::Refused;
            c.closing_reasons = reasons.clone();
            c.closed_at = Some(now);
            fx.notices.push(NoticeKind::Refusal);
            fx.notify_applicant = Some("refused");
            note = reasons.clone();
        }
        Command::CompleteStep { opinion } => {
            let mut e = FieldErrors::new();
            e.text("opinion", opinion, 2000);
            if !e.is_empty() {
                return Err(e.into());
            }
            let step = c
                .next_step()
                .cloned()
                .expect("allowed only with a step left");
            note = format!("{}：{}", step.name, opinion);
            c.steps_done.push(StepRecord {
                name: step.name,
                actor: step.actor,
                by: actor.username.into(),
                at: now,
                opinion: opinion.clone(),
            });
        }
        Command::Pause { kind, reason } => {
            reasons_required(reason)?;
            c.pauses.push(Pause {
                kind: *kind,
                reason: reason.clone(),
                started_at: now,
                ended_at: None,
                until: None,
            });
            c.state = CaseState::Paused;
            fx.notify_applicant = Some("paused");
            note = format!("{}：{}", kind.as_str(), reason);
        }
        Command::Resume => {
            if let Some(p) = c.pauses.iter_mut().find(|p| p.ended_at.is_none()) {
                p.ended_at = Some(now);
            }
            c.state = CaseState::Review;
            fx.notify_applicant = Some("resumed");
        }
        Command::Extend { days, reason } => {
            let mut e = FieldErrors::new();
            let max = max_extension(c.legal_limit);
            if *days == 0 || *days > max {
                e.push_detail("days", "out_of_range", format!("1–{max}"));
            }
            e.text("reason", reason, 1000);
            if !e.is_empty() {
                return Err(e.into());
            }
            c.extension = Some(Extension {
                days: *days,
                reason: reason.clone(),
                approved_by: actor.username.into(),
                at: now,
            });
            fx.notify_applicant = Some("extended");
            note = format!("+{days}：{reason}");
        }
        Command::FulfilCommitment { material } => {
            let Some(cm) = c
                .commitments
                .iter_mut()
                .find(|cm| &cm.material == material && cm.fulfilled_at.is_none())
            else {
                return Err(FieldErrors::single("material", "unknown_commitment").into());
            };
            cm.fulfilled_at = Some(now);
            note = material.clone();
        }
        Command::Approve { reasons } | Command::Reject { reasons } => {
            reasons_required(reasons)?;
            let approved = matches!(cmd, Command::Approve { .. });
            c.decision = Some(Decision {
                approved,
                reasons: reasons.clone(),
                by: actor.username.into(),
                at: now,
            });
            if approved {
                c.state = CaseState::Approved;
                fx.notices.push(NoticeKind::Approval);
                fx.notify_applicant = Some("approved");
            } else {
                c.state = CaseState::Rejected;
                c.closed_at = Some(now);
                fx.notices.push(NoticeKind::Rejection);
                fx.notify_applicant = Some("rejected");
            }
            note = reasons.clone();
        }
        Command::Issue => {
            c.state = CaseState::Issued;
            c.closed_at = Some(now);
            fx.notify_applicant = Some("issued");
        }
        Command::Withdraw { reason } => {
            reasons_required(reason)?;
            if let Some(p) = c.pauses.iter_mut().find(|p| p.ended_at.is_none()) {
                p.ended_at = Some(now);
            }
            c.state = CaseState::Withdrawn;
            c.closing_reasons = reason.clone();
            c.closed_at = Some(now);
            fx.notify_unit = Some("withdrawn");
            note = reason.clone();
        }
        Command::BreakCommitment { material } => {
            let today = local_date(now);
            let Some(cm) = c
                .commitments
                .iter_mut()
                .find(|cm| &cm.material == material && cm.fulfilled_at.is_none() && !cm.broken)
            else {
                return Err(FieldErrors::single("material", "unknown_commitment").into());
            };
            if cm.due >= today {
                return Err(FieldErrors::single("material", "commitment_not_due").into());
            }
            cm.broken = true;
            if let Some(p) = c.pauses.iter_mut().find(|p| p.ended_at.is_none()) {
                p.ended_at = Some(now);
            }
            c.state = CaseState::RevocationPending;
            fx.false_promise = true;
            fx.notify_applicant = Some("commitment_broken");
            fx.notify_unit = Some("commitment_broken");
            note = material.clone();
        }
        Command::Revoke { reasons } => {
            reasons_required(reasons)?;
            c.state = CaseState::Revoked;
            c.closing_reasons = reasons.clone();
            c.closed_at = Some(now);
            fx.notify_applicant = Some("revoked");
            note = reasons.clone();
        }
        Command::RecordVisit => {
            c.visits = c.visits.saturating_add(1);
            c.online = false;
        }
        Command::SignOff { opinion } => {
            let mut e = FieldErrors::new();
            e.text("opinion", opinion, 2000);
            if !e.is_empty() {
                return Err(e.into());
            }
            let unit = actor.unit.unwrap_or_default().to_string();
            c.signoffs.push(SignOff {
                unit: unit.clone(),
                by: actor.username.into(),
                at: now,
                opinion: opinion.clone(),
            });
            note = format!("{unit}：{opinion}");
        }
        Command::Object {
            name,
            phone,
            reason,
        } => {
            let mut e = FieldErrors::new();
            e.text("name", name, 50);
            if !valid_phone(phone.trim()) {
                e.push("phone", "phone_format");
            }
            e.text("reason", reason, 1000);
            if !reason.trim().is_empty() && reason.trim().chars().count() < 5 {
                e.push_detail("reason", "too_short", "5");
            }
            if !e.is_empty() {
                return Err(e.into());
            }
            if let Some(p) = c.pauses.iter_mut().find(|p| p.ended_at.is_none()) {
                p.ended_at = Some(now);
            }
            c.objections.push(Objection {
                name: name.trim().into(),
                phone: phone.trim().into(),
                reason: reason.trim().into(),
                at: now,
            });
            let reasons = format!("{}{}", notice_period::OBJECTION_STOPS, reason.trim());
            c.decision = Some(Decision {
                approved: false,
                reasons: reasons.clone(),
                by: actor.username.into(),
                at: now,
            });
            c.state = CaseState::Rejected;
            c.closed_at = Some(now);
            fx.notices.push(NoticeKind::Rejection);
            fx.notify_applicant = Some("objection");
            fx.notify_unit = Some("objection");
            note = reasons;
        }
        Command::Cancel { reason } => {
            if let Some(p) = c.pauses.iter_mut().find(|p| p.ended_at.is_none()) {
                p.ended_at = Some(now);
            }
            c.state = CaseState::Cancelled;
            c.closing_reasons = reason.clone();
            c.closed_at = Some(now);
            fx.notify_applicant = Some("cancelled");
            fx.notify_unit = Some("cancelled");
            note = reason.clone();
        }
    }
    c.history.push(HistoryEntry {
        at: now,
        by: actor.username.into(),
        action: name.into(),
        note,
    });
    Ok((c, fx))
}

fn reasons_required(reasons: &str) -> Result<(), CaseError> {
    let mut e = FieldErrors::new();
    e.text("reasons", reasons, 2000);
    if e.is_empty() { Ok(()) } else { Err(e.into()) }
}

/// Has the §32 window (5 working days after receipt) passed?
pub fn correction_window_passed(c: &Case, ctx: &Context) -> Result<bool, CalendarError> {
    let Some(sub) = c.submitted_at else {
        return Ok(false);
    };
    let received = local_date(sub);
    let today = local_date(ctx.now);
    Ok(ctx.calendar.working_days_between(received, today)? > i64::from(CORRECTION_WINDOW_DAYS))
}

/// Actions a party may ever take, regardless of state.
fn actions_for_party(case: &Case, party: Party) -> Vec<&'static str> {
    let step_role = |actor: StepActor| -> bool {
        matches!(
            (actor, party),
            (StepActor::Clerk, Party::Clerk) | (StepActor::Approver, Party::Approver)
        )
    };
    let mut v = Vec::new();
    match party {
        Party::Applicant => v.extend(["submit", "withdraw"]),
        Party::Clerk => v.extend([
            "request_correction",
            "accept",
            "refuse",
            "pause",
            "resume",
            "fulfil_commitment",
            "issue",
            "record_visit",
        ]),
        Party::Approver => v.extend(["pause", "resume", "extend", "revoke"]),
        // The clock job: §32 acceptance on receipt, and broken commitments.
        Party::System => v.extend(["accept", "break_commitment", "cancel", "resume", "object"]),
        Party::Cosigner => v.push("sign_off"),
        // Automatic approval: every step of the process, and nothing that refuses.
        Party::Rules => {
            v.extend(["accept", "issue", "approve"]);
            if case.next_step().is_some() {
                v.push("complete_step");
            }
        }
        Party::Outsider => {}
    }
    if case.next_step().is_some_and(|s| step_role(s.actor)) {
        v.push("complete_step");
    }
    if step_role(case.process.decision.actor) {
        v.extend(["approve", "reject"]);
    }
    v
}

/// Whether the state (not the actor) allows an action.
fn state_allows(case: &Case, action: &str) -> bool {
    use CaseState::*;
    let s = case.state;
    match action {
        "submit" => matches!(s, Draft | Correction),
        "request_correction" => s == Submitted && case.correction.is_none(),
        "accept" | "refuse" => s == Submitted,
        "complete_step" => s == Review && case.next_step().is_some(),
        "pause" => s == Review,
        "resume" => s == Paused,
        "extend" => s.in_review() && case.extension.is_none(),
        "fulfil_commitment" => {
            matches!(s, Review | Paused | Approved | Issued)
                && case.open_commitments().next().is_some()
        }
        "approve" => s == Review && case.next_step().is_none() && case.unsigned().is_empty(),
        "reject" => s == Review && case.next_step().is_none(),
        "sign_off" => s == Review && !case.unsigned().is_empty(),
        "issue" => s == Approved,
        "withdraw" => matches!(s, Draft | Submitted | Correction | Review | Paused),
        "break_commitment" => {
            matches!(s, Review | Paused | Approved | Issued)
                && case.open_commitments().any(|c| !c.broken)
        }
        "revoke" => s == RevocationPending,
        "record_visit" => !matches!(s, Draft) && !s.is_closed(),
        "cancel" => matches!(
            s,
            Draft | Submitted | Correction | Review | Paused | Approved
        ),
        "object" => {
            s == Paused
                && case
                    .open_pause()
                    .is_some_and(|p| p.kind == PauseKind::PublicNotice)
        }
        _ => false,
    }
}

/// Why an action that the state seems to allow is still refused, as a message code.
fn blocking_reason(case: &Case, action: &str, ctx: &Context) -> Option<&'static str> {
    match action {
        "request_correction" if case.correction.is_some() => Some("correction_once"),
        "request_correction" if correction_window_passed(case, ctx).unwrap_or(false) => {
            Some("correction_window_passed")
        }
        "extend" if case.extension.is_some() => Some("extension_once"),
        "approve" | "reject" if case.next_step().is_some() => Some("steps_pending"),
        "approve" | "reject" if case.state == CaseState::Paused => Some("paused"),
        "approve" if !case.unsigned().is_empty() => Some("signoffs_pending"),
        "sign_off" if case.state == CaseState::Review => Some("already_signed"),
        _ => None,
    }
}

/// The actions this actor may take on this case now.
pub fn allowed_actions(case: &Case, actor: &Actor, ctx: &Context) -> Vec<&'static str> {
    let party = case.party(actor);
    actions_for_party(case, party)
        .into_iter()
        .filter(|a| state_allows(case, a))
        .filter(|a| match *a {
            // §32: one request, within 5 working days of receipt.
            "request_correction" => !correction_window_passed(case, ctx).unwrap_or(true),
            "accept" if party == Party::System => {
                correction_window_passed(case, ctx).unwrap_or(false)
            }
            // A fixed-length pause (a statutory notice period) is ended by the clock job the day
            // after its last day, and by nobody before.
            "resume" => match case.open_pause().and_then(|p| p.until) {
                Some(until) => party == Party::System && local_date(ctx.now) > until,
                None => party != Party::System,
            },
            // Each co-signing unit signs once.
            "sign_off" => actor.unit.is_some_and(|u| case.unsigned().contains(&u)),
            // A withdrawn draft is simply never submitted; drafts are deleted instead.
            "withdraw" => case.state != CaseState::Draft,
            _ => true,
        })
        .collect()
}
