use super::tests_support::guide;
use super::*;
use crate::calendar::{Calendar, OfficeHours, bundled_schedules};

fn cal() -> Calendar {
    Calendar::new(bundled_schedules(), OfficeHours::default())
}

fn at(s: &str) -> Timestamp {
    // District wall-clock time, e.g. "2026-11-02 10:00".
    let dt: jiff::civil::DateTime = s.replace(' ', "T").parse().unwrap();
    dt.to_zoned(district_tz()).unwrap().timestamp()
}

fn step(name: &str, actor: StepActor) -> Step {
    Step {
        name: name.into(),
        actor,
        description: String::new(),
    }
}

fn draft(now: Timestamp) -> Case {
    new_draft(NewCase {
        id: "2026-000001".into(),
        guide: &guide(),
        item_version: 1,
        applicant: "company".into(),
        applicant_name: "公司".into(),
        applicant_id_number: "91360103MA39K2R741".into(),
        proxy: None,
        form: ApplicationForm {
            contact_name: "张三".into(),
            contact_phone: "13800000000".into(),
            address: String::new(),
            details: "申请食品经营许可".into(),
            fields: Default::default(),
        },
        now,
    })
}

const APPLICANT: Actor = Actor {
    username: "company",
    role: Role::Applicant,
    unit: None,
};
const CLERK: Actor = Actor {
    username: "clerk.spj",
    role: Role::Clerk,
    unit: Some("XH-SPJ"),
};
const APPROVER: Actor = Actor {
    username: "approver.spj",
    role: Role::Approver,
    unit: Some("XH-SPJ"),
};

struct Run {
    cal: Calendar,
    case: Case,
}

impl Run {
    fn new(now: &str) -> Run {
        Run {
            cal: cal(),
            case: draft(at(now)),
        }
    }
    fn try_do(&mut self, when: &str, actor: &Actor, cmd: Command) -> Result<Effects, CaseError> {
        let ctx = Context {
            now: at(when),
            calendar: &self.cal,
            standing: ApplicantStanding::default(),
        };
        let (c, fx) = apply(&self.case, &cmd, actor, &ctx)?;
        self.case = c;
        Ok(fx)
    }
    fn act(&mut self, when: &str, actor: &Actor, cmd: Command) -> Effects {
        self.try_do(when, actor, cmd).unwrap()
    }
    fn clock(&self, when: &str) -> ClockView {
        ClockView::compute(&self.case, at(when), &self.cal).unwrap()
    }
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

#[test]
fn process_splits_acceptance_review_decision_and_issuance() {
    let p = Process::from_steps(&guide().steps);
    assert_eq!(p.review.len(), 1);
    assert_eq!(p.review[0].name, "审查");
    assert_eq!(p.decision.name, "决定");
    assert_eq!(p.issuance.len(), 1);
    // No approver: the last staff step decides, by the clerk.
    let p = Process::from_steps(&[
        step("网上申请", StepActor::Applicant),
        step("备案", StepActor::Clerk),
        step("交付", StepActor::Clerk),
    ]);
    assert_eq!(p.decision.name, "交付");
    assert_eq!(p.review.len(), 1);
}

#[test]
fn whole_lifecycle_on_the_clock() {
    // Monday 2026-11-02.
    let mut r = Run::new("2026-11-02 09:00");
    let fx = r.act("2026-11-02 09:30", &APPLICANT, Command::Submit);
    assert_eq!(fx.notify_unit, Some("submitted"));
    assert_eq!(r.case.state, CaseState::Submitted);
    assert_eq!(
        r.clock("2026-11-02 10:00").correction_deadline,
        Some(d("2026-11-09"))
    );

    let fx = r.act(
        "2026-11-03 10:00",
        &CLERK,
        Command::RequestCorrection {
            items: vec![CorrectionItem {
                material: "场所证明".into(),
                problem: "缺少房产证复印件".into(),
            }],
        },
    );
    assert_eq!(fx.notices, vec![NoticeKind::Correction]);
    // Once only.
    r.act("2026-11-04 10:00", &APPLICANT, Command::Submit);
    let err = r
        .try_do(
            "2026-11-04 11:00",
            &CLERK,
            Command::RequestCorrection { items: vec![] },
        )
        .unwrap_err();
    assert!(matches!(
        err,
        CaseError::NotAllowed {
            reason: Some("correction_once"),
            ..
        }
    ));
    // Accepted Wednesday 2026-11-04: 20 working days → 2026-12-02; promised 5 → 2026-11-11.
    r.act(
        "2026-11-04 14:00",
        &CLERK,
        Command::Accept {
            commitments: vec![],
        },
    );
    let v = r.clock("2026-11-04 15:00");
    assert_eq!(v.legal_due, Some(d("2026-12-02")));
    assert_eq!(v.promised_due, Some(d("2026-11-11")));
    assert_eq!(v.promised_left, Some(5));
    assert_eq!(v.status, ClockStatus::OnTime);
    // An hour of office time used: 14:00–15:00 = 60 / 420 of a day.
    assert!((v.used_working_days - 60.0 / 420.0).abs() < 1e-9);

    // Approve is refused while review steps are pending, with the allowed actions listed.
    match r
        .try_do(
            "2026-11-05 09:00",
            &APPROVER,
            Command::Approve {
                reasons: "符合".into(),
            },
        )
        .unwrap_err()
    {
        CaseError::NotAllowed {
            allowed, reason, ..
        } => {
            assert_eq!(reason, Some("steps_pending"));
            assert!(allowed.contains(&"extend"));
        }
        e => panic!("{e:?}"),
    }
    // The approver cannot do the clerk's step.
    assert!(matches!(
        r.try_do(
            "2026-11-05 09:00",
            &APPROVER,
            Command::CompleteStep {
                opinion: "x".into()
            }
        ),
        Err(CaseError::Forbidden)
    ));
    r.act(
        "2026-11-05 09:00",
        &CLERK,
        Command::CompleteStep {
            opinion: "材料齐全".into(),
        },
    );
    // Expert review pauses the clock Thursday 11-05 to Tuesday 11-10: 3 working days.
    r.act(
        "2026-11-05 10:00",
        &CLERK,
        Command::Pause {
            kind: PauseKind::ExpertReview,
            reason: "专家评审".into(),
        },
    );
    assert_eq!(r.clock("2026-11-06 10:00").status, ClockStatus::Paused);
    r.act("2026-11-10 10:00", &CLERK, Command::Resume);
    let v = r.clock("2026-11-10 11:00");
    assert_eq!(v.paused_working_days, 3);
    assert_eq!(v.promised_due, Some(d("2026-11-16")));
    // One extension of at most 10 days, by the approver.
    assert!(matches!(
        r.try_do(
            "2026-11-10 11:00",
            &APPROVER,
            Command::Extend {
                days: 11,
                reason: "复杂".into()
            }
        ),
        Err(CaseError::Invalid(_))
    ));
    r.act(
        "2026-11-10 11:00",
        &APPROVER,
        Command::Extend {
            days: 10,
            reason: "情况复杂".into(),
        },
    );
    assert!(
        r.try_do(
            "2026-11-10 11:00",
            &APPROVER,
            Command::Extend {
                days: 1,
                reason: "再延".into()
            }
        )
        .is_err()
    );
    assert_eq!(r.clock("2026-11-10 11:00").legal_due, Some(d("2026-12-21")));
    let fx = r.act(
        "2026-11-11 16:00",
        &APPROVER,
        Command::Approve {
            reasons: "符合条件".into(),
        },
    );
    assert_eq!(fx.notices, vec![NoticeKind::Approval]);
    let v = r.clock("2026-11-30 10:00");
    assert_eq!(v.status, ClockStatus::FinishedOnTime);
    // The clock stopped at the decision.
    assert_eq!(v.promised_left, Some(3));
    r.act("2026-11-12 09:00", &CLERK, Command::Issue);
    assert_eq!(r.case.state, CaseState::Issued);
    assert!(r.case.state.is_closed());
    assert!(matches!(
        r.try_do(
            "2026-11-12 10:00",
            &APPLICANT,
            Command::Withdraw { reason: "x".into() }
        ),
        Err(CaseError::NotAllowed { .. })
    ));
}

#[test]
fn unflagged_receipt_counts_as_accepted_on_receipt() {
    let mut r = Run::new("2026-11-02 09:00");
    r.act("2026-11-02 09:30", &APPLICANT, Command::Submit);
    // Five working days later the window is still open; six later it has closed.
    let ctx = |when| Context {
        now: at(when),
        calendar: &r.cal,
        standing: ApplicantStanding::default(),
    };
    assert!(
        !allowed_actions(&r.case, &Actor::system(), &ctx("2026-11-09 17:00")).contains(&"accept")
    );
    assert!(
        allowed_actions(&r.case, &Actor::system(), &ctx("2026-11-10 09:00")).contains(&"accept")
    );
    assert!(
        !allowed_actions(&r.case, &CLERK, &ctx("2026-11-10 09:00")).contains(&"request_correction")
    );
    r.act(
        "2026-11-10 09:00",
        &Actor::system(),
        Command::Accept {
            commitments: vec![],
        },
    );
    assert!(r.case.deemed_accepted);
    assert_eq!(r.case.accepted_at, Some(at("2026-11-02 09:30")));
    // The clock ran from receipt: promised 5 days → 11-09, already past.
    assert_eq!(r.clock("2026-11-10 10:00").status, ClockStatus::Overdue);
}

#[test]
fn commitments_barred_by_credit_and_broken_when_unmet() {
    let mut r = Run::new("2026-11-02 09:00");
    r.act("2026-11-02 09:30", &APPLICANT, Command::Submit);
    let promise = Command::Accept {
        commitments: vec![CommitmentRequest {
            material: "场所证明".into(),
            due: d("2026-11-13"),
        }],
    };
    let barred = Context {
        now: at("2026-11-02 10:00"),
        calendar: &r.cal,
        standing: ApplicantStanding {
            commitment_barred: true,
            ..Default::default()
        },
    };
    match apply(&r.case, &promise, &CLERK, &barred).unwrap_err() {
        CaseError::Invalid(e) => assert_eq!(e.0[0].code, "commitment_barred"),
        e => panic!("{e:?}"),
    }
    r.act("2026-11-02 10:00", &CLERK, promise);
    assert_eq!(r.case.open_commitments().count(), 1);
    // Not due yet: the job may not break it.
    assert!(
        r.try_do(
            "2026-11-13 10:00",
            &Actor::system(),
            Command::BreakCommitment {
                material: "场所证明".into()
            }
        )
        .is_err()
    );
    let fx = r.act(
        "2026-11-14 00:10",
        &Actor::system(),
        Command::BreakCommitment {
            material: "场所证明".into(),
        },
    );
    assert!(fx.false_promise);
    assert_eq!(r.case.state, CaseState::RevocationPending);
    r.act(
        "2026-11-16 09:00",
        &APPROVER,
        Command::Revoke {
            reasons: "未按承诺补交材料".into(),
        },
    );
    assert_eq!(r.case.state, CaseState::Revoked);
}

#[test]
fn outsiders_are_refused_and_applicants_may_withdraw() {
    let mut r = Run::new("2026-11-02 09:00");
    let other = Actor {
        username: "citizen",
        role: Role::Applicant,
        unit: None,
    };
    assert!(matches!(
        r.try_do("2026-11-02 09:10", &other, Command::Submit),
        Err(CaseError::Forbidden)
    ));
    let other_unit = Actor {
        username: "clerk.scj",
        role: Role::Clerk,
        unit: Some("XH-SCJ"),
    };
    r.act("2026-11-02 09:30", &APPLICANT, Command::Submit);
    assert!(!r.case.visible_to(&other_unit));
    assert!(matches!(
        r.try_do(
            "2026-11-02 09:40",
            &other_unit,
            Command::Refuse {
                reasons: "x".into()
            }
        ),
        Err(CaseError::Forbidden)
    ));
    // Bad form input is named field by field.
    let mut bad = draft(at("2026-11-02 09:00"));
    bad.form.contact_phone = "12345".into();
    let ctx = Context {
        now: at("2026-11-02 10:00"),
        calendar: &r.cal,
        standing: ApplicantStanding::default(),
    };
    match apply(&bad, &Command::Submit, &APPLICANT, &ctx).unwrap_err() {
        CaseError::Invalid(e) => assert_eq!(e.0[0].field, "form.contact_phone"),
        e => panic!("{e:?}"),
    }
    r.act(
        "2026-11-03 09:00",
        &APPLICANT,
        Command::Withdraw {
            reason: "不再需要".into(),
        },
    );
    assert_eq!(r.case.state, CaseState::Withdrawn);
}

#[test]
fn a_deadline_in_a_year_without_a_notice_is_provisional() {
    let mut r = Run::new("2026-12-20 09:00");
    r.act("2026-12-21 09:30", &APPLICANT, Command::Submit);
    r.act(
        "2026-12-21 10:00",
        &CLERK,
        Command::Accept {
            commitments: vec![],
        },
    );
    let clock = ClockView::compute(&r.case, at("2026-12-21 11:00"), &r.cal).unwrap();
    // 20 working days from Monday 21 December: 8 in 2026, 元旦 off, 12 more in January.
    assert_eq!(clock.legal_due, Some(jiff::civil::date(2027, 1, 19)));
    assert!(clock.provisional);
    assert_eq!(clock.provisional_years, vec![2027]);
    // A case whose dates stay in 2026 is not provisional.
    let mut r = Run::new("2026-11-02 09:00");
    r.act("2026-11-02 09:30", &APPLICANT, Command::Submit);
    let clock = ClockView::compute(&r.case, at("2026-11-02 11:00"), &r.cal).unwrap();
    assert!(!clock.provisional && clock.provisional_years.is_empty());
}

#[test]
fn phones() {
    assert!(valid_phone("13800000000"));
    assert!(valid_phone("0791-86888888"));
    assert!(!valid_phone("12345"));
    assert!(!valid_phone("1380000000a"));
}
