use super::*;
use crate::calendar::{OfficeHours, bundled_schedules};

fn at(s: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = s.replace(' ', "T").parse().unwrap();
    dt.to_zoned(crate::cases::district_tz())
        .unwrap()
        .timestamp()
}

fn intake(category: Category) -> NewTicket {
    NewTicket {
        category,
        matter: "朝阳新城小区门口路灯不亮".into(),
        caller: Some(Caller {
            name: "王五".into(),
            phone: "13907910002".into(),
            confidential: true,
        }),
        location: Location {
            address: "西湖区朝阳中路".into(),
            lat: None,
            long: None,
        },
        street: None,
        enterprise_uscc: None,
        about_uscc: None,
        business_environment: false,
        service_code: None,
    }
}

#[test]
fn dispatch_return_redispatch_reply_callback_reopen() {
    let cal = Calendar::new(bundled_schedules(), OfficeHours::default());
    let yes = |_: &str| true;
    let t = new_ticket(
        "H1".into(),
        Source::Phone,
        intake(Category::Complaint),
        "operator",
        at("2026-11-02 09:00"),
    );
    let run = |t: &Ticket, cmd: Command, p: Party, when: &str| {
        apply(t, &cmd, p, "x", at(when), &cal, &yes, &yes).map(|(t, _)| t)
    };
    let t = run(
        &t,
        Command::Dispatch {
            lead: "XH-CJJ".into(),
            assisting: vec![],
        },
        Party::Office,
        "2026-11-02 09:10",
    )
    .unwrap();
    assert_eq!(
        t.reply_due(),
        Some("2026-11-09".parse().unwrap()),
        "complaints: 5 working days"
    );
    // Three working days later the unit can no longer return it.
    let late = run(
        &t,
        Command::Return {
            reason: "非我单位职责".into(),
        },
        Party::Lead,
        "2026-11-05 09:00",
    )
    .unwrap_err();
    assert!(matches!(
        late,
        Error::NotAllowed {
            reason: Some("return_window_passed"),
            ..
        }
    ));
    let t = run(
        &t,
        Command::Return {
            reason: "路灯由街道管理".into(),
        },
        Party::Lead,
        "2026-11-03 09:00",
    )
    .unwrap();
    assert_eq!(t.state, State::Returned);
    let t = run(
        &t,
        Command::Redispatch {
            lead: "XH-NP".into(),
            assisting: vec!["XH-CJJ".into()],
        },
        Party::Office,
        "2026-11-03 10:00",
    )
    .unwrap();
    assert_eq!(t.returns[0].outcome, "redispatched");
    let t = run(
        &t,
        Command::Reply {
            text: "已安排维修".into(),
        },
        Party::Lead,
        "2026-11-04 10:00",
    )
    .unwrap();
    let t = run(
        &t,
        Command::CallBack {
            satisfied: false,
            note: "仍未修好".into(),
        },
        Party::Office,
        "2026-11-05 10:00",
    )
    .unwrap();
    assert_eq!(t.state, State::Dispatched);
    assert_eq!(t.reopened, 1);
    let t = run(
        &t,
        Command::Reply {
            text: "已修复".into(),
        },
        Party::Lead,
        "2026-11-06 10:00",
    )
    .unwrap();
    let t = run(
        &t,
        Command::CallBack {
            satisfied: true,
            note: "满意".into(),
        },
        Party::Office,
        "2026-11-06 15:00",
    )
    .unwrap();
    assert_eq!(t.state, State::Closed);
    assert_eq!(t.intake.clone().caller.unwrap().name, "王五");
    assert_eq!(t.for_units().intake.caller.unwrap().name, "（保密）");
    let ind = indicators("XH-NP", &[t.clone()]);
    assert_eq!(ind.on_time_reply.value, Some(1.0));
    assert_eq!(ind.satisfaction.value, Some(0.5));
    assert_eq!(ind.reopenings, 1);
    assert_eq!(indicators("XH-CJJ", &[t]).returns, 1);
}

#[test]
fn enterprises_run_on_the_business_line_and_routes_are_suggested() {
    let mut i = intake(Category::Complaint);
    i.enterprise_uscc = Some("91360103MA39K2R741".into());
    let t = new_ticket(
        "H2".into(),
        Source::Web,
        i,
        "company",
        at("2026-11-02 09:00"),
    );
    assert!(t.business);
    assert_eq!(Category::Complaint.reply_days(true), 3);
    let routes = vec![
        Route {
            code: "street-light".into(),
            name: "路灯".into(),
            category: Category::Help,
            keywords: vec!["路灯".into()],
            lead: "XH-CJJ".into(),
            assisting: vec![],
            description: String::new(),
        },
        Route {
            code: "noise".into(),
            name: "噪音".into(),
            category: Category::Complaint,
            keywords: vec!["噪音".into()],
            lead: "XH-GA".into(),
            assisting: vec![],
            description: String::new(),
        },
    ];
    let s = suggest(&routes, "小区门口路灯不亮", Category::Complaint);
    assert_eq!(s[0].code, "street-light");
    assert!(suggest(&routes, "其他事情", Category::Suggestion).is_empty());
}
