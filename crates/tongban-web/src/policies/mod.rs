//! Policy redemption (惠企政策兑现) over HTTP: the public list with summaries, interpretations,
//! flowcharts, figures and beneficiaries; matching for the signed-in enterprise; declaration
//! with materials; joint sign-off by departments; payout; 免申即享 runs.

pub mod api;
pub mod pages;

use crate::AppState;
use crate::error::{AppError, AppResult};
use serde::Serialize;
use tongban_domain::accounts::{ApplicantIdentity, Role};
use tongban_domain::policies::{Declaration, DeclarationState};
use tongban_store::accounts::User;
use tongban_store::policies::PolicyRow;
use utoipa::ToSchema;

/// Who runs 免申即享 and edits policies: administrators and the business-environment office.
pub const OFFICE: &[Role] = &[Role::Admin, Role::Supervisor];

/// The enterprise code of a signed-in enterprise applicant.
pub fn enterprise_of(user: &User) -> Option<&str> {
    match (&user.role, &user.identity) {
        (Role::Applicant, Some(ApplicantIdentity::Enterprise(u))) => Some(u.as_str()),
        _ => None,
    }
}

/// Whether the reader may see a declaration: the enterprise, the departments that sign or pay
/// for it, the office.
pub fn visible(user: &User, d: &Declaration, p: &PolicyRow) -> bool {
    if OFFICE.contains(&user.role) {
        return true;
    }
    if enterprise_of(user) == Some(d.uscc.as_str()) {
        return true;
    }
    match (&user.role, &user.unit) {
        (Role::Clerk | Role::Approver, Some(u)) => {
            d.departments.contains(u) || &p.policy.payer == u || p.policy.departments.contains(u)
        }
        _ => false,
    }
}

pub async fn load_visible(
    state: &AppState,
    user: &User,
    id: &str,
) -> AppResult<(Declaration, PolicyRow)> {
    let d = state
        .store
        .declaration(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = state
        .store
        .policy(&d.policy)
        .await?
        .ok_or(AppError::NotFound)?;
    if !visible(user, &d, &p) {
        return Err(AppError::NotFound);
    }
    Ok((d, p))
}

/// A policy's figures, computed from its declarations and grants.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct PolicyFigures {
    pub declarations: usize,
    pub grants: usize,
    pub under_review: usize,
    pub approved: usize,
    pub rejected: usize,
    pub budget_exhausted: usize,
    pub paid: usize,
    pub paid_fen: i64,
    /// Natural days from declaration (or grant) to the money, over paid claims.
    pub average_days_to_money: Option<f64>,
    pub max_days_to_money: Option<i64>,
}

pub fn figures(ds: &[Declaration]) -> PolicyFigures {
    let mut f = PolicyFigures::default();
    let mut days = Vec::new();
    for d in ds {
        if d.exempt {
            f.grants += 1;
        } else {
            f.declarations += 1;
        }
        match d.state {
            DeclarationState::UnderReview => f.under_review += 1,
            DeclarationState::Approved => f.approved += 1,
            DeclarationState::Rejected => f.rejected += 1,
            DeclarationState::BudgetExhausted => f.budget_exhausted += 1,
            DeclarationState::Paid => {
                f.paid += 1;
                f.paid_fen += d.amount_fen;
                if let Some(n) = d.days_to_money() {
                    days.push(n);
                }
            }
        }
    }
    if !days.is_empty() {
        f.average_days_to_money = Some(days.iter().sum::<i64>() as f64 / days.len() as f64);
        f.max_days_to_money = days.iter().max().copied();
    }
    f
}

/// Every claim on one policy (the district's scale: hundreds, not millions).
pub async fn claims(state: &AppState, code: &str) -> AppResult<Vec<Declaration>> {
    let f = tongban_store::policies::DeclarationFilter {
        policy: Some(code.into()),
        ..Default::default()
    };
    Ok(state.store.declarations(&f, 100_000).await?)
}

/// A beneficiary as published: name, amount, how it was granted, when paid. No people's data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Beneficiary {
    pub enterprise_name: String,
    pub uscc: String,
    pub amount_fen: i64,
    pub exempt: bool,
    pub state: DeclarationState,
    #[schema(value_type = Option<String>, format = Date)]
    pub paid_on: Option<jiff::civil::Date>,
}

pub fn beneficiaries(ds: &[Declaration]) -> Vec<Beneficiary> {
    ds.iter()
        .filter(|d| matches!(d.state, DeclarationState::Approved | DeclarationState::Paid))
        .map(|d| Beneficiary {
            enterprise_name: d.enterprise_name.clone(),
            uscc: d.uscc.clone(),
            amount_fen: d.amount_fen,
            exempt: d.exempt,
            state: d.state,
            paid_on: d.payout.as_ref().map(|p| p.paid_on),
        })
        .collect()
}
