//! Bundles (一件事): the company start-up bundle's one form, its parts and its one clock. The
//! API (`api.rs`), the pages (`pages.rs`) and the timeline chart (`gantt.rs`) share the rules
//! here: who may see a bundle, how a new one is checked and planned.

pub mod api;
pub mod gantt;
pub mod pages;

use crate::AppState;
use crate::error::{AppError, AppResult};
use serde::Serialize;
use tongban_domain::accounts::Role;
use tongban_domain::bundles::construction::{self, Blocker, ProjectClock};
use tongban_domain::bundles::{self, Bundle, BundleClock, BundleKind};
use tongban_domain::cases::indicators::Ratio;
use tongban_store::accounts::User;
use utoipa::ToSchema;

/// A bundle as the API and pages show it: the record, its clock now, what the reader may do.
#[derive(Serialize, ToSchema)]
pub struct BundleView {
    #[serde(flatten)]
    pub bundle: Bundle,
    /// The start-up clock (office minutes against one working day). `None` for a construction
    /// project, or when the calendar does not cover the time since acceptance.
    pub clock: Option<BundleClock>,
    /// A construction project's clock: working days per stage against the 70-day budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<ProjectClock>,
    /// The stage under way and what holds it up (construction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_stage: Option<u8>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blockers: Vec<Blocker>,
    pub can_withdraw: bool,
}

/// Applicants see their own bundles; staff those with a part in their unit (or co-signed by
/// it); supervisors and administrators all.
pub fn visible(user: &User, b: &Bundle) -> bool {
    match user.role {
        Role::Applicant => b.applicant == user.username,
        Role::Clerk | Role::Approver => b.parts.iter().any(|p| {
            Some(&p.unit) == user.unit.as_ref()
                || user.unit.as_ref().is_some_and(|u| p.cosigners.contains(u))
        }),
        Role::Supervisor | Role::Admin => true,
        Role::HotlineOperator | Role::Evaluator => false,
    }
}

pub async fn view(state: &AppState, user: &User, bundle: Bundle) -> AppResult<BundleView> {
    let (now, cal) = (state.store.now(), state.store.calendar());
    let (mut clock, mut project, mut current_stage, mut blockers) = (None, None, None, vec![]);
    match bundle.kind {
        BundleKind::Startup => clock = bundles::clock(&bundle, now, &cal).ok(),
        BundleKind::Construction => {
            let cases = state.store.bundle_cases(&bundle.id).await?;
            project = construction::project_clock(&bundle, &cases, now, &cal).ok();
            (current_stage, blockers) = construction::blockers(&bundle, &cases);
        }
    }
    Ok(BundleView {
        can_withdraw: user.username == bundle.applicant && !bundle.state.is_closed(),
        clock,
        project,
        current_stage,
        blockers,
        bundle,
    })
}

pub async fn load_visible(state: &AppState, user: &User, id: &str) -> AppResult<Bundle> {
    let row = state.store.bundle(id).await?.ok_or(AppError::NotFound)?;
    if !visible(user, &row.bundle) {
        return Err(AppError::NotFound);
    }
    Ok(row.bundle)
}

/// Bundle indicators from the records: the share of finished start-up bundles done within one
/// working day and within half a day, and of finished construction projects within 70 working
/// days.
#[derive(Serialize, ToSchema)]
pub struct BundleIndicators {
    pub finished: usize,
    pub within_one_day: Ratio,
    pub within_half_day: Ratio,
    pub projects_finished: usize,
    pub projects_within_70_days: Ratio,
}

pub async fn indicators(state: &AppState) -> AppResult<BundleIndicators> {
    use tongban_app::dashboard::totals::{self, Totals};
    let k = totals::bundles(&Totals::read(&state.store, "bundle").await?);
    let f = |n: usize| n as f64;
    Ok(BundleIndicators {
        finished: k.startups,
        within_one_day: Ratio::new(f(k.one_day), f(k.startups)),
        within_half_day: Ratio::new(f(k.half_day), f(k.startups)),
        projects_finished: k.projects,
        projects_within_70_days: Ratio::new(f(k.within_70), f(k.projects)),
    })
}
