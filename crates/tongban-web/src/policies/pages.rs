//! Policy pages (惠企政策兑现): the public list and each policy with its plain-language summary,
//! interpretation, flowchart, budget, figures and beneficiaries; the enterprise's matches with
//! the rules' reasons and the declaration with materials; the departments' review queue, the
//! joint sign-off and the payout; 免申即享 runs. Forms post back and redirect; a refused form
//! shows the page again with the reasons in the reader's language.

use super::api::{
    DeclarationQuery, PayoutRequest, PolicyMatchView, SignOffRequest, declarations_for,
    declare_with, grants_by, my_matches, pay_by, sign_off_by,
};
use super::{OFFICE, PolicyFigures, enterprise_of, load_visible};
use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::pages::see_other;
use crate::pages::{Chrome, render, unit_names};
use crate::rules::pages::{TraceView, yuan};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::cases::local_date;
use tongban_domain::policies::{Declaration, DeclarationState, Policy};
use tongban_domain::rules::Outcome;
use tongban_store::policies::{GrantReport, PolicyRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/policies", get(list))
        .route("/policies/review", get(review))
        .route("/policies/{code}", get(detail))
        .route("/policies/{code}/declare", post(declare))
        .route("/policies/{code}/grants", post(run_grants))
        .route("/policies/{code}/beneficiaries", get(beneficiaries))
        .route("/my/policies", get(my_policies))
        .route("/declarations/{id}", get(declaration))
        .route("/declarations/{id}/sign-off", post(sign_off))
        .route("/declarations/{id}/payout", post(payout))
        .route("/declarations/{id}/files/{sha}", get(file))
}

fn minutes(t: jiff::Timestamp) -> String {
    crate::i18n::local_minutes(&tongban_store::rfc3339(t))
}

// ---- a policy as the pages show it ---------------------------------------------------------

/// A policy with its budget and figures, amounts already written in 元.
struct PolicyCard {
    p: Policy,
    budget: String,
    committed: String,
    paid: String,
    remaining: String,
    /// Share of the budget reserved, 0–100.
    used_pct: i64,
    open: bool,
    figures: PolicyFigures,
    paid_total: String,
    average_days: String,
}

async fn card(state: &AppState, row: PolicyRow) -> AppResult<PolicyCard> {
    let claims = super::claims(state, &row.policy.code).await?;
    let figures = super::figures(&claims);
    let today = local_date(state.store.now());
    let budget = row.policy.budget_fen.max(1);
    Ok(PolicyCard {
        budget: yuan(row.policy.budget_fen),
        committed: yuan(row.committed_fen),
        paid: yuan(row.paid_fen),
        remaining: yuan(row.remaining_fen()),
        used_pct: (row.committed_fen.saturating_mul(100) / budget).clamp(0, 100),
        open: row.policy.open_on(today),
        paid_total: yuan(figures.paid_fen),
        average_days: figures
            .average_days_to_money
            .map_or_else(|| "—".into(), |d| format!("{d:.1}")),
        figures,
        p: row.policy,
    })
}

/// An enterprise's claim on a policy, for the lists.
struct ClaimView {
    id: String,
    state: &'static str,
    amount: String,
    exempt: bool,
}

impl ClaimView {
    fn new(d: &Declaration) -> ClaimView {
        ClaimView {
            id: d.id.clone(),
            state: d.state.as_str(),
            amount: yuan(d.amount_fen),
            exempt: d.exempt,
        }
    }
}

/// One policy judged for the signed-in enterprise.
struct MatchView {
    code: String,
    name: String,
    exempt: bool,
    /// `pass`, `fail`, `undecided`, or `none` when no rule-set version is in force.
    outcome: &'static str,
    amount: Option<String>,
    trace: Option<TraceView>,
    /// The steps that stopped a pass.
    why: String,
    claim: Option<ClaimView>,
    /// Eligible, declared by application, open, not declared yet.
    can_declare: bool,
}

impl MatchView {
    fn new(c: &Chrome, m: &PolicyMatchView) -> MatchView {
        let trace = m.decision.as_ref().map(|d| TraceView::new(c.t, d));
        let outcome = m.decision.as_ref().map_or("none", |d| d.outcome.as_str());
        let amount = m
            .decision
            .as_ref()
            .filter(|d| d.outcome == Outcome::Pass)
            .and_then(|d| d.amount_fen)
            .map(yuan);
        let eligible = m
            .decision
            .as_ref()
            .is_some_and(|d| d.outcome == Outcome::Pass && d.amount_fen.is_some_and(|a| a > 0));
        MatchView {
            code: m.code.clone(),
            name: m.name.clone(),
            exempt: m.exempt,
            outcome,
            amount,
            why: trace.as_ref().map(|t| t.blocking()).unwrap_or_default(),
            trace,
            claim: m.claim.as_ref().map(ClaimView::new),
            can_declare: eligible && !m.exempt && m.claim.is_none(),
        }
    }
}

// ---- the list ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "policies/list.html")]
struct ListPage {
    c: Chrome,
    cards: Vec<PolicyCard>,
    enterprise: bool,
}

async fn list(State(state): State<AppState>, c: Chrome, viewer: Viewer) -> AppResult<Response> {
    let mut cards = Vec::new();
    for p in state.store.policies().await? {
        cards.push(card(&state, p).await?);
    }
    let enterprise = viewer.user.as_ref().and_then(enterprise_of).is_some();
    Ok(render(&ListPage {
        c,
        cards,
        enterprise,
    }))
}

// ---- one policy ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "policies/detail.html")]
struct DetailPage {
    c: Chrome,
    card: PolicyCard,
    paragraphs: Vec<String>,
    departments: Vec<String>,
    payer: String,
    /// For a signed-in enterprise: how the rules judge it for this policy.
    mine: Option<MatchView>,
    /// A signed-in enterprise whose company is not on the platform.
    enterprise: bool,
    can_grant: bool,
    report: Option<GrantReport>,
    errors: Vec<String>,
}

async fn detail_page(
    state: &AppState,
    c: Chrome,
    viewer: &Viewer,
    code: &str,
    report: Option<GrantReport>,
    errors: Vec<String>,
) -> AppResult<DetailPage> {
    let row = state.store.policy(code).await?.ok_or(AppError::NotFound)?;
    let units = unit_names(state, &c).await?;
    let name = |u: &String| units.get(u).cloned().unwrap_or_else(|| u.clone());
    let departments = row.policy.departments.iter().map(name).collect();
    let payer = name(&row.policy.payer);
    let paragraphs = row
        .policy
        .interpretation
        .split("\n\n")
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let user = viewer.user.as_ref();
    let enterprise = user.and_then(enterprise_of).is_some();
    let mine = if enterprise {
        my_matches(state, viewer)
            .await?
            .iter()
            .find(|m| m.code == code)
            .map(|m| MatchView::new(&c, m))
    } else {
        None
    };
    let can_grant = row.policy.exempt
        && user.is_some_and(|u| {
            OFFICE.contains(&u.role)
                || (u.role == Role::Approver
                    && u.unit
                        .as_ref()
                        .is_some_and(|x| row.policy.departments.contains(x)))
        });
    Ok(DetailPage {
        card: card(state, row).await?,
        c,
        paragraphs,
        departments,
        payer,
        mine,
        enterprise,
        can_grant,
        report,
        errors,
    })
}

async fn detail(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(code): Path<String>,
) -> AppResult<Response> {
    Ok(render(
        &detail_page(&state, c, &viewer, &code, None, vec![]).await?,
    ))
}

/// The enterprise declares with one file per material (`material_0`, `material_1`, …).
async fn declare(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(code): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    // Signed in first: an anonymous declaration is sent to sign in, not told its token is bad.
    viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let parts = crate::cases::read_parts(multipart).await?;
    viewer.check_csrf(parts.fields.get("csrf").map(String::as_str))?;
    match declare_with(&state, &viewer, &code, parts).await {
        Ok(d) => Ok(see_other(&format!("/declarations/{}", d.id))),
        Err(e) => {
            let (errors, status) = crate::pages::refused_on_page(&c, e)?;
            Ok(crate::pages::with_status(
                render(&detail_page(&state, c, &viewer, &code, None, errors).await?),
                status,
            ))
        }
    }
}

/// Runs 免申即享 and shows what it did.
async fn run_grants(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(code): Path<String>,
    _: CsrfForm,
) -> AppResult<Response> {
    match grants_by(&state, &viewer, &code).await {
        Ok(report) => Ok(render(
            &detail_page(&state, c, &viewer, &code, Some(report), vec![]).await?,
        )),
        Err(e) => {
            let (errors, status) = crate::pages::refused_on_page(&c, e)?;
            Ok(crate::pages::with_status(
                render(&detail_page(&state, c, &viewer, &code, None, errors).await?),
                status,
            ))
        }
    }
}

// ---- beneficiaries -------------------------------------------------------------------------

struct BeneficiaryRow {
    enterprise_name: String,
    uscc: String,
    amount: String,
    exempt: bool,
    state: &'static str,
    paid_on: String,
}

#[derive(Template)]
#[template(path = "policies/beneficiaries.html")]
struct BeneficiariesPage {
    c: Chrome,
    code: String,
    name: String,
    rows: Vec<BeneficiaryRow>,
    total: String,
}

async fn beneficiaries(
    State(state): State<AppState>,
    c: Chrome,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let row = state.store.policy(&code).await?.ok_or(AppError::NotFound)?;
    let claims = super::claims(&state, &code).await?;
    let list = super::beneficiaries(&claims);
    let total = yuan(list.iter().map(|b| b.amount_fen).sum());
    let rows = list
        .into_iter()
        .map(|b| BeneficiaryRow {
            enterprise_name: b.enterprise_name,
            uscc: b.uscc,
            amount: yuan(b.amount_fen),
            exempt: b.exempt,
            state: b.state.as_str(),
            paid_on: b.paid_on.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    Ok(render(&BeneficiariesPage {
        c,
        code,
        name: row.policy.name,
        rows,
        total,
    }))
}

// ---- the enterprise's matches --------------------------------------------------------------

#[derive(Template)]
#[template(path = "policies/mine.html")]
struct MinePage {
    c: Chrome,
    rows: Vec<MatchView>,
    enterprise_name: String,
    /// Sum of the amounts of the eligible policies not yet claimed.
    open_total: String,
    eligible: usize,
}

async fn my_policies(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
) -> AppResult<Response> {
    let matches = my_matches(&state, &viewer).await?;
    let enterprise_name = viewer
        .user
        .as_ref()
        .map(|u| u.display_name.clone())
        .unwrap_or_default();
    let rows: Vec<MatchView> = matches.iter().map(|m| MatchView::new(&c, m)).collect();
    let eligible = rows.iter().filter(|r| r.outcome == "pass").count();
    let open_total = yuan(
        matches
            .iter()
            .filter(|m| m.claim.is_none())
            .filter_map(|m| m.decision.as_ref())
            .filter(|d| d.outcome == Outcome::Pass)
            .filter_map(|d| d.amount_fen)
            .sum(),
    );
    Ok(render(&MinePage {
        c,
        rows,
        enterprise_name,
        open_total,
        eligible,
    }))
}

// ---- one declaration -----------------------------------------------------------------------

/// One department's part in the joint review.
struct SignRow {
    unit: String,
    /// `pending`, `approved` or `refused`.
    status: &'static str,
    opinion: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "policies/declaration.html")]
struct DeclarationPage {
    c: Chrome,
    d: Declaration,
    trace: TraceView,
    amount: String,
    declared_at: String,
    approved_at: String,
    signs: Vec<SignRow>,
    payer: String,
    can_sign: bool,
    can_pay: bool,
    /// The reader is at the paying department but signed the claim: a colleague pays.
    pays_another: bool,
    today: String,
    days_to_money: Option<i64>,
    errors: Vec<String>,
}

async fn declaration_page(
    state: &AppState,
    c: Chrome,
    viewer: &Viewer,
    id: &str,
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let (d, p) = load_visible(state, user, id).await?;
    let units = unit_names(state, &c).await?;
    let name = |u: &str| units.get(u).cloned().unwrap_or_else(|| u.to_string());
    let signs = d
        .departments
        .iter()
        .map(|u| match d.signoffs.iter().find(|s| &s.unit == u) {
            Some(s) => SignRow {
                unit: name(u),
                status: if s.approved { "approved" } else { "refused" },
                opinion: s.opinion.clone(),
                by: s.by.clone(),
                at: minutes(s.at),
            },
            None => SignRow {
                unit: name(u),
                status: "pending",
                opinion: String::new(),
                by: String::new(),
                at: String::new(),
            },
        })
        .collect();
    let staff = matches!(user.role, Role::Clerk | Role::Approver);
    let unit = user.unit.as_deref().unwrap_or("");
    let can_sign =
        staff && d.state == DeclarationState::UnderReview && d.pending_units().contains(&unit);
    let at_payer = staff && d.state == DeclarationState::Approved && p.policy.payer == unit;
    let signed_here = d.signed_by(&user.username);
    let can_pay = at_payer && !signed_here;
    let pays_another = at_payer && signed_here;
    let mut r = render(&DeclarationPage {
        trace: TraceView::new(c.t, &d.decision),
        amount: yuan(d.amount_fen),
        declared_at: minutes(d.declared_at),
        approved_at: d.approved_at.map(minutes).unwrap_or_default(),
        signs,
        payer: name(&p.policy.payer),
        can_sign,
        can_pay,
        pays_another,
        today: local_date(state.store.now()).to_string(),
        days_to_money: d.days_to_money(),
        errors,
        d,
        c,
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn declaration(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    declaration_page(&state, c, &viewer, &id, vec![], StatusCode::OK).await
}

/// Shows the declaration again with the reasons, or goes back to it on success.
async fn after(
    state: &AppState,
    c: Chrome,
    viewer: &Viewer,
    id: &str,
    result: AppResult<Declaration>,
) -> AppResult<Response> {
    match result {
        Ok(_) => Ok(see_other(&format!("/declarations/{id}"))),
        Err(e) => {
            let (errors, status) = crate::pages::refused_on_page(&c, e)?;
            declaration_page(state, c, viewer, id, errors, status).await
        }
    }
}

/// 同意 or 不同意 (`decision` = `approve` / `refuse`), with an opinion (required to refuse).
async fn sign_off(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let req = SignOffRequest {
        approved: f.get("decision").map(String::as_str) == Some("approve"),
        opinion: f.get("opinion").cloned().unwrap_or_default(),
    };
    let r = sign_off_by(&state, &viewer, &id, req).await;
    after(&state, c, &viewer, &id, r).await
}

/// The payer records the payment: the date and the voucher.
async fn payout(
    State(state): State<AppState>,
    c: Chrome,
    viewer: Viewer,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> AppResult<Response> {
    let r = match f
        .get("paid_on")
        .map(|s| s.trim())
        .unwrap_or("")
        .parse::<jiff::civil::Date>()
    {
        Ok(paid_on) => {
            let req = PayoutRequest {
                paid_on,
                voucher: f.get("voucher").cloned().unwrap_or_default(),
            };
            pay_by(&state, &viewer, &id, req).await
        }
        Err(_) => {
            let mut e = FieldErrors::new();
            e.push_detail("paid_on", "date_format", "YYYY-MM-DD");
            Err(e.into())
        }
    };
    after(&state, c, &viewer, &id, r).await
}

/// A material of a declaration, for the enterprise and the departments that may see it.
async fn file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, sha)): Path<(String, String)>,
) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Unauthorized)?;
    let (d, _) = load_visible(&state, user, &id).await?;
    let files = d.materials.iter().filter_map(|m| m.file.as_ref());
    crate::cases::serve_file(&state, files, &sha).await
}

// ---- the departments' queue ----------------------------------------------------------------

struct QueueRow {
    id: String,
    policy_name: String,
    enterprise_name: String,
    amount: String,
    declared_at: String,
    /// Departments still to sign.
    waiting: Vec<String>,
}

#[derive(Template)]
#[template(path = "policies/review.html")]
struct ReviewPage {
    c: Chrome,
    unit: String,
    pending: Vec<QueueRow>,
    to_pay: Vec<QueueRow>,
    payer: bool,
}

async fn review(State(state): State<AppState>, c: Chrome, viewer: Viewer) -> AppResult<Response> {
    let roles: Vec<Role> = [Role::Clerk, Role::Approver]
        .into_iter()
        .chain(OFFICE.iter().copied())
        .collect();
    let user = viewer.require(&roles)?.clone();
    let units = unit_names(&state, &c).await?;
    let name = |u: &str| units.get(u).cloned().unwrap_or_else(|| u.to_string());
    let office = OFFICE.contains(&user.role);
    let query = |pending: bool, st: Option<&str>| DeclarationQuery {
        policy: None,
        state: st.map(str::to_string),
        pending,
    };
    let pending = if office {
        declarations_for(&state, &viewer, &query(false, Some("under_review"))).await?
    } else {
        declarations_for(&state, &viewer, &query(true, None)).await?
    };
    let policies = state.store.policies().await?;
    let unit = user.unit.clone().unwrap_or_default();
    let paid_by_me = |d: &Declaration| {
        office
            || policies
                .iter()
                .any(|p| p.policy.code == d.policy && p.policy.payer == unit)
    };
    let approved = declarations_for(&state, &viewer, &query(false, Some("approved"))).await?;
    let to_pay: Vec<Declaration> = approved.into_iter().filter(|d| paid_by_me(d)).collect();
    let payer = office || policies.iter().any(|p| p.policy.payer == unit);
    let row = |d: &Declaration| QueueRow {
        id: d.id.clone(),
        policy_name: d.policy_name.clone(),
        enterprise_name: d.enterprise_name.clone(),
        amount: yuan(d.amount_fen),
        declared_at: minutes(d.declared_at),
        waiting: d.pending_units().iter().map(|u| name(u)).collect(),
    };
    Ok(render(&ReviewPage {
        unit: if unit.is_empty() {
            String::new()
        } else {
            name(&unit)
        },
        pending: pending.iter().map(row).collect(),
        to_pay: to_pay.iter().map(row).collect(),
        payer,
        c,
    }))
}
