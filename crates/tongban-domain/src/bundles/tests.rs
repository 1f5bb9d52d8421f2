use super::startup::InvoiceNeed;
use super::*;
use crate::calendar::{OfficeHours, bundled_schedules};
use crate::cases::{ApplicationForm, BundleLink, NewCase, new_draft};
use crate::catalog::{ItemGuide, Step, StepActor, TimeLimit};

fn at(s: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = s.replace(' ', "T").parse().unwrap();
    dt.to_zoned(district_tz()).unwrap().timestamp()
}

pub fn form() -> StartupForm {
    StartupForm::sample(
        "南昌市西湖区赣江源科技有限公司",
        "陈志强",
        "360103199003120276",
    )
}

fn bundle(f: &StartupForm) -> Bundle {
    let parts = f
        .plan()
        .into_iter()
        .map(|p| {
            let name = p.key.to_string();
            p.into_part(name, "XH-SPJ".into())
        })
        .collect();
    new_bundle(
        "B2026-000001".into(),
        "citizen".into(),
        "陈志强".into(),
        BundleForm::Startup(f.clone()),
        parts,
        vec![],
        at("2026-11-02 09:00"),
    )
}

fn case_for(key: &str, state: CaseState) -> Case {
    let guide = ItemGuide {
        steps: vec![Step {
            name: "审核".into(),
            actor: StepActor::Approver,
            description: String::new(),
        }],
        legal_limit: TimeLimit::WorkingDays(3),
        promised_limit: TimeLimit::OnTheSpot,
        ..crate::cases::tests_support::guide()
    };
    let mut c = new_draft(NewCase {
        id: format!("2026-{key}"),
        guide: &guide,
        item_version: 1,
        applicant: "citizen".into(),
        applicant_name: "陈志强".into(),
        applicant_id_number: String::new(),
        proxy: None,
        form: ApplicationForm::default(),
        now: at("2026-11-02 09:00"),
    });
    c.bundle = Some(BundleLink {
        id: "B2026-000001".into(),
        part: key.into(),
    });
    c.state = state;
    c.submitted_at = Some(at("2026-11-02 09:00"));
    if !matches!(state, CaseState::Submitted) {
        c.accepted_at = Some(at("2026-11-02 09:30"));
    }
    if state.is_closed() {
        c.closed_at = Some(at("2026-11-02 13:45"));
    }
    c
}

fn run(b: &Bundle, cases: &[Case]) -> (Bundle, Vec<Action>) {
    let map: HashMap<String, &Case> = cases
        .iter()
        .map(|c| (c.bundle.as_ref().unwrap().part.clone(), c))
        .collect();
    advance(b, &map, at("2026-11-02 14:00"))
}

#[test]
fn the_form_names_every_bad_field() {
    assert!(form().validate().is_ok());
    let mut f = form();
    f.company_name = "赣江源".into();
    f.legal_representative.id_number = "360103199003120277".into();
    f.shareholders[0].contribution_fen = 5;
    f.invoices = InvoiceNeed::None;
    f.first_invoices = 3;
    let e = f.validate().unwrap_err();
    let fields: Vec<(&str, &str)> = e.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(
        fields,
        [
            ("company_name", "company_name_form"),
            ("legal_representative.id_number", "id_check"),
            ("shareholders", "contributions_mismatch"),
            ("first_invoices", "no_invoices_asked"),
        ]
    );
}

#[test]
fn independent_parts_start_at_once_dependent_ones_after_their_inputs() {
    let b = bundle(&form());
    let (b, actions) = run(&b, &[]);
    assert_eq!(
        actions,
        [
            Action::Start("licence".into()),
            Action::Start("bank".into())
        ]
    );
    // Licence approved: the code is issued; the others still wait for the licence itself.
    let (b, actions) = run(
        &b,
        &[
            case_for("licence", CaseState::Approved),
            case_for("bank", CaseState::Issued),
        ],
    );
    assert_eq!(actions, [Action::IssueUscc]);
    let mut b = b;
    b.uscc = Some("91360103MA00000010".into());
    let (b, actions) = run(
        &b,
        &[
            case_for("licence", CaseState::Issued),
            case_for("bank", CaseState::Issued),
        ],
    );
    let started: Vec<&Action> = actions.iter().collect();
    assert_eq!(started.len(), 5, "{actions:?}");
    assert!(
        !actions.contains(&Action::Start("invoices".into())),
        "invoices wait for tax"
    );
    let mut all: Vec<Case> = [
        "licence",
        "bank",
        "seal",
        "tax",
        "social_insurance",
        "medical_insurance",
        "housing_fund",
    ]
    .iter()
    .map(|k| case_for(k, CaseState::Issued))
    .collect();
    let (b, actions) = run(&b, &all);
    assert_eq!(actions, [Action::Start("invoices".into())]);
    assert_eq!(b.state, BundleState::InProgress);
    all.push(case_for("invoices", CaseState::Issued));
    let (b, actions) = run(&b, &all);
    assert!(actions.is_empty());
    assert_eq!(b.state, BundleState::Done);
    // 09:30 → 13:45 is 150 + 15 office minutes: within the day, not within half a day's 210.
    let cal = Calendar::new(bundled_schedules(), OfficeHours::default());
    let k = clock(&b, at("2026-11-03 10:00"), &cal).unwrap();
    assert_eq!(k.used_minutes, 165);
    assert_eq!(k.status, "finished_on_time");
    assert!(k.within_best);
}

#[test]
fn a_failed_licence_stops_everything_and_says_what_happened() {
    let b = bundle(&form());
    let (b, _) = run(&b, &[]);
    let (b, actions) = run(
        &b,
        &[
            case_for("licence", CaseState::Rejected),
            case_for("bank", CaseState::Review),
        ],
    );
    assert_eq!(actions, [Action::Cancel("bank".into(), "bundle_stopped")]);
    assert_eq!(b.state, BundleState::Stopped);
    let o = b.outcome.unwrap();
    assert_eq!(o.part.as_deref(), Some("licence"));
    assert_eq!(o.cancelled, ["bank"]);
    assert_eq!(o.skipped.len(), 6);
}

#[test]
fn a_failed_side_part_leaves_the_rest_and_the_bundle_partly_done() {
    let mut f = form();
    f.invoices = InvoiceNeed::None;
    f.first_invoices = 0;
    f.social_insurance = false;
    f.housing_fund = false;
    f.bank = String::new();
    let b = bundle(&f);
    let (mut b, _) = run(&b, &[]);
    b.uscc = Some("x".into());
    let cases = [
        case_for("licence", CaseState::Issued),
        case_for("seal", CaseState::Refused),
        case_for("tax", CaseState::Issued),
    ];
    let (b, actions) = run(&b, &cases);
    assert!(actions.is_empty());
    assert_eq!(b.state, BundleState::PartlyDone);
    assert_eq!(b.outcome.as_ref().unwrap().part.as_deref(), Some("seal"));
    // Withdrawing a closed bundle is refused.
    assert!(withdraw(&b, at("2026-11-03 09:00")).is_err());
}
