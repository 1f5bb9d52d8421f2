//! Policy redemption (惠企政策兑现) over HTTP: the public list with summaries, interpretations,
//! flowcharts, figures and beneficiaries; matching for the signed-in enterprise; declaration
//! with materials; joint sign-off by departments; payout; 免申即享 runs.

pub mod api;
pub mod pages;

use crate::AppState;
use crate::error::AppResult;
use serde::Serialize;
use tongban_domain::policies::{Declaration, DeclarationState};
use tongban_store::accounts::User;
use tongban_store::policies::PolicyRow;
use utoipa::ToSchema;

pub use tongban_app::policies::{OFFICE, enterprise_of};

/// A declaration with its policy, if the user may see it.
pub async fn load_visible(
    state: &AppState,
    user: &User,
    id: &str,
) -> AppResult<(Declaration, PolicyRow)> {
    Ok(tongban_app::policies::load_visible(&state.store, user, id).await?)
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
