//! Policy redemption (惠企政策兑现): who sees which declaration, the matches of an enterprise,
//! declaring with materials, 免申即享 runs, the departments' sign-off and the payout.

use crate::files::{self, Upload};
use crate::{Error, Result};
use tongban_domain::accounts::{ApplicantIdentity, Role};
use tongban_domain::cases::local_date;
use tongban_domain::policies::{Declaration, DeclarationState, DeclaredMaterial};
use tongban_domain::refusal::Refusal;
use tongban_domain::rules::{Decision, Outcome};
use tongban_domain::{FieldError, FieldErrors};
use tongban_store::Store;
use tongban_store::accounts::User;
use tongban_store::policies::{DeclarationFilter, GrantReport, PolicyRow};

/// Who runs 免申即享 and edits policies: administrators and the business-environment office.
pub const OFFICE: &[Role] = &[Role::Admin, Role::Supervisor];

fn conflict(field: &'static str, code: &'static str) -> Error {
    Error::Refused(Refusal::Conflict { field, code })
}

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

/// A declaration with its policy, if the user may see it (not found otherwise).
pub async fn load_visible(
    store: &Store,
    user: &User,
    id: &str,
) -> Result<(Declaration, PolicyRow)> {
    let d = store.declaration(id).await?.ok_or(Error::NotFound)?;
    let p = store.policy(&d.policy).await?.ok_or(Error::NotFound)?;
    if !visible(user, &d, &p) {
        return Err(Error::NotFound);
    }
    Ok((d, p))
}

/// One policy open today as the rules judge an enterprise, with its claim if it made one.
pub struct Match {
    pub row: PolicyRow,
    /// `None` when no rule-set version is in force today.
    pub decision: Option<Decision>,
    pub claim: Option<Declaration>,
}

/// The policies open today, judged for the signed-in enterprise.
pub async fn matches(store: &Store, user: &User) -> Result<Vec<Match>> {
    let uscc = enterprise_of(user).ok_or(Error::Forbidden)?;
    let today = local_date(store.now());
    let Some((_, _, ms)) = store.match_enterprise(uscc, today).await? else {
        return Ok(Vec::new());
    };
    let filter = DeclarationFilter {
        uscc: Some(uscc.into()),
        ..Default::default()
    };
    let mine = store.declarations(&filter, 1000).await?;
    Ok(ms
        .into_iter()
        .map(|m| Match {
            claim: mine
                .iter()
                .find(|d| d.policy == m.policy.policy.code)
                .cloned(),
            row: m.policy,
            decision: m.decision,
        })
        .collect())
}

/// An enterprise declares for a policy with one file per material it asks for (`material_0`,
/// `material_1`, …). The rules decide eligibility and the amount at once; only a pass with an
/// amount may be declared.
pub async fn declare(
    store: &Store,
    user: &User,
    code: &str,
    mut uploads: Vec<(String, Upload)>,
) -> Result<Declaration> {
    if user.role != Role::Applicant {
        return Err(Error::Forbidden);
    }
    let uscc = enterprise_of(user).ok_or(Error::Forbidden)?.to_string();
    let p = store.policy(code).await?.ok_or(Error::NotFound)?;
    let today = local_date(store.now());
    if p.policy.exempt {
        return Err(conflict("policy", "exempt_no_declaration"));
    }
    let rs = store.policy_rule_set(&p.policy, today).await?;
    let (name, facts) = store
        .enterprise_facts(&uscc, today)
        .await?
        .ok_or_else(|| conflict("enterprise", "enterprise_not_registered"))?;
    let decision = rs.decide(&facts);
    if decision.outcome != Outcome::Pass || decision.amount_fen.unwrap_or(0) <= 0 {
        return Err(conflict("policy", "not_eligible"));
    }
    let mut e = FieldErrors::new();
    let mut materials = Vec::new();
    for (i, material) in p.policy.materials.iter().enumerate() {
        let field = format!("material_{i}");
        let Some(k) = uploads.iter().position(|(n, _)| *n == field) else {
            e.push(format!("materials[{i}]"), "required");
            continue;
        };
        let (_, up) = uploads.swap_remove(k);
        match files::keep(store, up).await {
            Ok(f) => materials.push(DeclaredMaterial {
                name: material.clone(),
                file: Some(f),
            }),
            Err(Error::Invalid(fe)) => e.0.extend(fe.0.into_iter().map(|x| FieldError {
                field: format!("materials[{i}]"),
                ..x
            })),
            Err(other) => return Err(other),
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let username = &user.username;
    Ok(store
        .declare(
            username, &p.policy, &uscc, &name, &facts, decision, materials,
        )
        .await?)
}

/// Runs 免申即享 for an exempt policy: every qualifying enterprise not yet granted is granted,
/// budget permitting (the office, or the policy's departments).
pub async fn grant(store: &Store, user: &User, code: &str) -> Result<GrantReport> {
    let p = store.policy(code).await?.ok_or(Error::NotFound)?;
    let department = user.role == Role::Approver
        && user
            .unit
            .as_ref()
            .is_some_and(|u| p.policy.departments.contains(u));
    if !OFFICE.contains(&user.role) && !department {
        return Err(Error::Forbidden);
    }
    Ok(store.grant_exempt(&user.username, code).await?)
}

/// The declarations a reader may see: an enterprise its own; a department those of its
/// policies (or, `pending`, only those waiting for its sign-off); the office all.
pub async fn declarations(
    store: &Store,
    user: &User,
    policy: Option<String>,
    state: Option<DeclarationState>,
    pending: bool,
) -> Result<Vec<Declaration>> {
    let mut f = DeclarationFilter {
        policy,
        state,
        ..Default::default()
    };
    if let Some(uscc) = enterprise_of(user) {
        f.uscc = Some(uscc.into());
    } else if pending && matches!(user.role, Role::Clerk | Role::Approver) {
        // Only the departments sign claims off: a queue is theirs.
        f.pending_unit = Some(user.unit.clone().ok_or(Error::Forbidden)?);
    } else if pending {
        return Err(Error::Forbidden);
    } else if !OFFICE.contains(&user.role) && !matches!(user.role, Role::Clerk | Role::Approver) {
        return Err(Error::Forbidden);
    }
    let all = store.declarations(&f, 1000).await?;
    let policies = store.policies().await?;
    Ok(all
        .into_iter()
        .filter(|d| {
            policies
                .iter()
                .find(|p| p.policy.code == d.policy)
                .is_some_and(|p| visible(user, d, p))
        })
        .collect())
}

/// A clerk or approver who may see the declaration, with their unit (the store then checks
/// that the unit signs or pays for it).
async fn department_of<'u>(store: &Store, user: &'u User, id: &str) -> Result<&'u str> {
    if !matches!(user.role, Role::Clerk | Role::Approver) {
        return Err(Error::Forbidden);
    }
    load_visible(store, user, id).await?;
    user.unit.as_deref().ok_or(Error::Forbidden)
}

/// A department's sign-off; the last agreement reserves the amount from the budget.
pub async fn sign_off(
    store: &Store,
    user: &User,
    id: &str,
    approved: bool,
    opinion: &str,
) -> Result<Declaration> {
    let unit = department_of(store, user, id).await?;
    Ok(store
        .sign_declaration(&user.username, unit, id, approved, opinion)
        .await?)
}

/// The paying department records the payment.
pub async fn pay(
    store: &Store,
    user: &User,
    id: &str,
    paid_on: jiff::civil::Date,
    voucher: &str,
) -> Result<Declaration> {
    let unit = department_of(store, user, id).await?;
    Ok(store
        .pay_declaration(&user.username, unit, id, paid_on, voucher)
        .await?)
}
