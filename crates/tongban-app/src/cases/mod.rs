//! Commands on cases: who the actor is to the domain, the applicant's standing, and running a
//! command (with automatic approval on submission of an item decided by rules) in one write.

pub mod application;

use crate::{Error, Result};
use tongban_domain::cases::{self, Actor, ApplicantStanding, Case, Command, Context};
use tongban_store::Store;
use tongban_store::accounts::User;

/// The viewer as the domain sees an actor.
pub fn actor(user: &User) -> Actor<'_> {
    Actor {
        username: &user.username,
        role: user.role,
        unit: user.unit.as_deref(),
    }
}

pub async fn standing(store: &Store, case: &Case) -> Result<ApplicantStanding> {
    use tongban_domain::credit::lists::Effect;
    let credit = store.credit_standing_of_user(&case.applicant).await?;
    Ok(ApplicantStanding {
        commitment_barred: credit.has(Effect::NoCommitment),
        green_channel: credit.has(Effect::GreenChannel),
        tolerance: credit.has(Effect::Tolerance),
    })
}

/// Runs a command as the viewer, in one write with its audit entry.
pub async fn run_command(store: &Store, user: &User, id: &str, cmd: Command) -> Result<Case> {
    let row = store.case(id).await?.ok_or(Error::NotFound)?;
    if !row.case.visible_to(&actor(user)) {
        return Err(Error::NotFound);
    }
    let standing = standing(store, &row.case).await?;
    let rules = match cmd {
        Command::Submit => auto_rules(store, user, &row.case, standing).await?,
        _ => None,
    };
    change(store, user, id, &cmd, standing, rules).await
}

/// Applies a command as recorded, straight through the domain: no visibility check, no
/// automatic approval, a clean standing. For replaying a known history (the demo's cases) and
/// for timing the write path (the benchmarks); people's commands go through [`run_command`].
pub async fn apply_recorded(store: &Store, user: &User, id: &str, cmd: &Command) -> Result<Case> {
    change(store, user, id, cmd, ApplicantStanding::default(), None).await
}

/// The one write of a case command: the domain decides inside the store's write.
async fn change(
    store: &Store,
    user: &User,
    id: &str,
    cmd: &Command,
    standing: ApplicantStanding,
    rules: Option<tongban_store::cases::auto_approval::AutoRules>,
) -> Result<Case> {
    let detail = serde_json::to_value(cmd).expect("commands serialise");
    let case = store
        .change_case_with_rules(
            &user.username,
            id,
            cmd.name(),
            Some(&detail),
            |c, cal, now| {
                let ctx = Context {
                    now,
                    calendar: cal,
                    standing,
                };
                cases::apply(c, cmd, &actor(user), &ctx)
            },
            rules,
        )
        .await?;
    Ok(case)
}

/// For the applicant's submission of an item decided by rules: the rule set in force and the
/// facts it reads (the answers to its questions must be complete), so the rules decide in the
/// same write (automatic approval, or to the clerk with the trace).
async fn auto_rules(
    store: &Store,
    user: &User,
    case: &Case,
    standing: ApplicantStanding,
) -> Result<Option<tongban_store::cases::auto_approval::AutoRules>> {
    if case.party(&actor(user)) != cases::Party::Applicant {
        return Ok(None);
    }
    let Some(rs) = crate::rules::rule_set_for_item(store, &case.item_code).await? else {
        return Ok(None);
    };
    let e = crate::rules::check_fields(&rs.form, &case.form.fields, true);
    if !e.is_empty() {
        return Err(e.into());
    }
    let facts = crate::rules::case_facts(store, case, &rs).await?;
    Ok(Some(tongban_store::cases::auto_approval::AutoRules {
        rule_set: rs,
        facts,
        standing,
    }))
}
