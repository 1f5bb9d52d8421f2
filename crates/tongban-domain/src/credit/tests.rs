use super::*;
use crate::calendar::{OfficeHours, bundled_schedules};
use crate::records::Notify;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn calendar() -> Calendar {
    Calendar::new(bundled_schedules(), OfficeHours::default())
}

fn entered(kind: CreditKind, severity: Severity, decided_on: &str) -> NewRecord {
    NewRecord {
        subject_kind: SubjectKind::Enterprise,
        subject_id: "91360103MA39K2R741".into(),
        subject_name: "南昌市西湖区洪城数智科技有限公司".into(),
        kind,
        severity,
        unit: "XH-SCJ".into(),
        document: "洪西市监罚〔2026〕12号".into(),
        decided_on: d(decided_on),
        legal_basis: "《中华人民共和国广告法》第五十五条".into(),
        summary: "发布虚假广告".into(),
        publish_months: None,
        case_id: None,
    }
}

#[test]
fn the_clock_follows_the_severity() {
    let w = window(&entered(
        CreditKind::Penalty,
        Severity::Ordinary,
        "2026-01-15",
    ))
    .unwrap();
    assert_eq!(w.from, d("2026-01-15"));
    assert_eq!(w.repair_from, Some(d("2026-04-15")));
    assert_eq!(w.until, Some(d("2027-01-14")));
    let w = window(&entered(
        CreditKind::SeriousDishonesty,
        Severity::Serious,
        "2026-02-28",
    ))
    .unwrap();
    assert_eq!(w.repair_from, Some(d("2027-02-28")));
    assert_eq!(w.until, Some(d("2029-02-27")));
    // A month's end clamps: 2026-11-30 plus 3 months is 2027-02-28.
    let mut minor = entered(CreditKind::Penalty, Severity::Minor, "2026-11-30");
    assert_eq!(
        window(&minor),
        None,
        "a minor record is normally not published"
    );
    minor.publish_months = Some(3);
    let w = window(&minor).unwrap();
    assert_eq!(w.until, Some(d("2027-02-27")));
    assert_eq!(w.repair_from, Some(d("2026-11-30")));
    // Licences and honours are published without an end and are not repaired.
    let w = window(&entered(CreditKind::Honour, Severity::Minor, "2026-05-01")).unwrap();
    assert_eq!((w.until, w.repair_from), (None, None));
}

#[test]
fn standing_ends_by_itself_and_with_a_repair() {
    let r = CreditRecord::new(
        "CR1".into(),
        entered(CreditKind::Penalty, Severity::Ordinary, "2026-01-15"),
    );
    assert_eq!(r.standing(d("2026-01-14")), Standing::Unpublished);
    assert_eq!(r.standing(d("2026-01-15")), Standing::Published);
    assert!(r.dishonest_on(d("2027-01-14")));
    assert_eq!(r.standing(d("2027-01-15")), Standing::Expired);
    assert!(!r.dishonest_on(d("2027-01-15")));

    let cal = calendar();
    let ask = Command::RequestRepair {
        correction: "已下架广告并更正".into(),
        obligations: "罚款已缴清".into(),
        commitment: "承诺今后依法经营".into(),
    };
    // Before the minimum period: refused, saying why.
    let e = apply(&r, &ask, Party::Subject, "company", d("2026-04-14"), &cal).unwrap_err();
    assert!(
        matches!(
            e,
            Refusal::NotAllowed {
                reason: Some("before_minimum_period"),
                ..
            }
        ),
        "{e:?}"
    );
    let today = d("2026-04-15");
    assert_eq!(
        allowed(&r, Party::Subject, today),
        vec!["request_repair", "dispute"]
    );
    assert!(matches!(
        apply(&r, &ask, Party::Other, "x", today, &cal),
        Err(Refusal::Forbidden)
    ));
    let (asked, fx) = apply(&r, &ask, Party::Subject, "company", today, &cal).unwrap();
    assert_eq!(
        fx.messages,
        [Notify::unit("XH-SCJ", "credit_repair_requested")]
    );
    let pending = asked.pending_repair().unwrap();
    // 2026-04-15 is a Wednesday: five working days later is Wednesday 2026-04-22.
    assert_eq!(pending.decide_by, d("2026-04-22"));
    assert!(
        !allowed(&asked, Party::Subject, today).contains(&"request_repair"),
        "one request at a time"
    );
    assert_eq!(
        allowed(&asked, Party::DecidingUnit, today),
        vec!["decide_repair"]
    );
    // Still published until the unit decides.
    assert!(asked.dishonest_on(today));

    let refuse = Command::DecideRepair {
        approved: false,
        reasons: " ".into(),
    };
    let e = apply(
        &asked,
        &refuse,
        Party::DecidingUnit,
        "clerk.scj",
        today,
        &cal,
    )
    .unwrap_err();
    assert!(
        matches!(e, Refusal::Invalid(_)),
        "reasons are required to refuse"
    );
    let approve = Command::DecideRepair {
        approved: true,
        reasons: String::new(),
    };
    let (repaired, fx) = apply(
        &asked,
        &approve,
        Party::DecidingUnit,
        "clerk.scj",
        d("2026-04-20"),
        &cal,
    )
    .unwrap();
    assert_eq!(
        fx.messages,
        [Notify::user("company", "credit_repair_decided")]
    );
    assert_eq!(repaired.standing(d("2026-04-20")), Standing::Repaired);
    assert!(!repaired.dishonest_on(d("2026-04-20")));
    assert!(allowed(&repaired, Party::Subject, d("2026-06-01")).is_empty());
}

#[test]
fn entries_are_checked_field_by_field() {
    let mut r = entered(CreditKind::Penalty, Severity::Ordinary, "2026-01-15");
    assert!(r.validate().is_ok());
    r.legal_basis = " ".into();
    r.subject_id = "91360103MA39K2R742".into();
    r.publish_months = Some(2);
    let e = r.validate().unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["subject_id", "legal_basis", "publish_months"]);
    let mut minor = entered(CreditKind::Penalty, Severity::Minor, "2026-01-15");
    minor.publish_months = Some(4);
    assert_eq!(minor.validate().unwrap_err().0[0].code, "out_of_range");
}

#[test]
fn a_persons_number_is_masked_in_public() {
    let mut p = entered(CreditKind::Penalty, Severity::Ordinary, "2026-01-15");
    p.subject_kind = SubjectKind::Person;
    p.subject_id = "360103199003120276".into();
    assert!(p.validate().is_ok());
    let r = CreditRecord::new("CR2".into(), p);
    let shown = r.public_subject_id();
    assert_ne!(shown, "360103199003120276");
    assert!(shown.contains('*'));
}

#[test]
fn a_record_reads_back_from_its_json() {
    let mut r = CreditRecord::new(
        "CR2026-000001".into(),
        entered(CreditKind::Penalty, Severity::Ordinary, "2026-01-15"),
    );
    r.repairs.push(Repair {
        requested_on: d("2026-05-06"),
        requested_by: "company".into(),
        correction: "已更正".into(),
        obligations: "已缴清".into(),
        commitment: "承诺".into(),
        decide_by: d("2026-05-13"),
        decision: None,
    });
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<CreditRecord>(&json).unwrap(), r);
}

#[test]
fn an_upheld_dispute_withdraws_the_record_and_a_rejected_one_leaves_it() {
    let cal = calendar();
    let r = CreditRecord::new(
        "CR3".into(),
        entered(
            CreditKind::SeriousDishonesty,
            Severity::Serious,
            "2026-11-02",
        ),
    );
    let today = d("2026-12-07");
    assert!(allowed(&r, Party::Subject, today).contains(&"dispute"));
    let dispute = Command::Dispute {
        text: "决定书已被行政复议撤销".into(),
    };
    let (disputed, fx) = apply(&r, &dispute, Party::Subject, "trader", today, &cal).unwrap();
    assert_eq!(
        fx.messages,
        [Notify::unit("XH-SCJ", "credit_dispute_raised")]
    );
    assert_eq!(disputed.unit_due(), Some(d("2026-12-14")));
    let e = apply(&disputed, &dispute, Party::Subject, "trader", today, &cal).unwrap_err();
    assert!(
        matches!(
            e,
            Refusal::NotAllowed {
                reason: Some("dispute_pending"),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(disputed.dishonest_on(today), "in force until answered");

    let reject = Command::AnswerDispute {
        upheld: false,
        text: "经核查，决定书合法有效".into(),
    };
    let (kept, fx) = apply(
        &disputed,
        &reject,
        Party::DecidingUnit,
        "clerk.scj",
        today,
        &cal,
    )
    .unwrap();
    assert_eq!(
        fx.messages,
        [Notify::user("trader", "credit_dispute_answered")]
    );
    assert_eq!(kept.standing(today), Standing::Published);
    let (again, _) = apply(&kept, &dispute, Party::Subject, "trader", today, &cal).unwrap();
    let uphold = Command::AnswerDispute {
        upheld: true,
        text: "复议决定撤销原处罚，予以撤销".into(),
    };
    let (gone, _) = apply(
        &again,
        &uphold,
        Party::DecidingUnit,
        "clerk.scj",
        today,
        &cal,
    )
    .unwrap();
    assert_eq!(gone.standing(today), Standing::Withdrawn);
    assert!(!gone.dishonest_on(today));
    let lists = lists::CreditLists::baseline();
    assert!(
        lists
            .standing(std::slice::from_ref(&kept), today)
            .has(lists::Effect::NoCommitment)
    );
    assert!(
        !lists
            .standing(std::slice::from_ref(&gone), today)
            .has(lists::Effect::NoCommitment)
    );
    assert!(allowed(&gone, Party::Subject, today).is_empty());
}

fn record_of(kind: CreditKind, severity: Severity, decided_on: Date) -> CreditRecord {
    CreditRecord::new(
        "CR2026-000001".into(),
        NewRecord {
            subject_kind: SubjectKind::Enterprise,
            subject_id: "91360103MA39K2R741".into(),
            subject_name: "南昌市西湖区洪城数智科技有限公司".into(),
            kind,
            severity,
            unit: "XH-SCJ".into(),
            document: "洪西市监〔2026〕1号".into(),
            decided_on,
            legal_basis: "依据".into(),
            summary: String::new(),
            publish_months: None,
            case_id: None,
        },
    )
}

/// The measures come from the lists: a serious penalty bars commitments and policy money, an
/// ordinary one only raises the inspection ratio; an honour gives the green channel and 容缺受理
/// only while no dishonesty counts; the end of publication lifts everything.
#[test]
fn the_three_lists_decide_the_measures() {
    use lists::{CreditLists, Effect};
    let lists = CreditLists::baseline();
    let units: std::collections::BTreeSet<String> =
        ["XH-SCJ", "XH-FGW"].map(String::from).into_iter().collect();
    assert_eq!(CreditLists::parse(lists::BASELINE, &units).unwrap(), lists);
    let today = jiff::civil::date(2026, 12, 7);
    let decided = jiff::civil::date(2026, 11, 2);
    let serious = record_of(CreditKind::Penalty, Severity::Serious, decided);
    let s = lists.standing(std::slice::from_ref(&serious), today);
    assert!(s.dishonest && !s.trustworthy);
    for e in [
        Effect::NoCommitment,
        Effect::NoPolicy,
        Effect::HigherInspection,
    ] {
        assert!(s.has(e), "{e:?}");
    }
    assert_eq!(s.behaviours, vec!["B02"]);
    let ordinary = record_of(CreditKind::Penalty, Severity::Ordinary, decided);
    let s = lists.standing(std::slice::from_ref(&ordinary), today);
    assert!(s.has(Effect::HigherInspection) && !s.has(Effect::NoCommitment));
    let honour = record_of(CreditKind::Honour, Severity::Minor, decided);
    let s = lists.standing(std::slice::from_ref(&honour), today);
    assert!(s.trustworthy && s.has(Effect::GreenChannel) && s.has(Effect::Tolerance));
    let s = lists.standing(&[honour.clone(), ordinary.clone()], today);
    assert!(
        !s.trustworthy && !s.has(Effect::GreenChannel),
        "dishonesty outweighs an honour"
    );
    // An ordinary penalty is published at most a year: after it, nothing.
    let later = jiff::civil::date(2027, 11, 3);
    assert_eq!(lists.standing(&[ordinary], later).effects.len(), 0);
    // The data list: abnormal operation only from the market regulator.
    assert!(lists.collects(CreditKind::AbnormalOperation, "XH-SCJ"));
    assert!(!lists.collects(CreditKind::AbnormalOperation, "XH-GA"));
    assert!(lists.collects(CreditKind::Penalty, "XH-GA"));
    // A measure without basis, an unknown behaviour, a licence as a behaviour: each named.
    let bad = lists::BASELINE
        .replacen(
            "legal_basis = \"《中华人民共和国政府采购法》第二十二条\"",
            "legal_basis = \"\"",
            1,
        )
        .replacen("behaviours = [\"B10\"]", "behaviours = [\"B99\"]", 1)
        .replacen(
            "kind = \"honour\"\nconduct",
            "kind = \"licence\"\nconduct",
            1,
        );
    let e = CreditLists::parse(&bad, &units).unwrap_err();
    let codes: Vec<&str> = e.0.iter().map(|f| f.code).collect();
    for want in ["required", "unknown_behaviour", "conduct_mismatch"] {
        assert!(codes.contains(&want), "{codes:?}");
    }
}
