//! The action plan on both stores: the office sets reporting going; the clock job tells a lead
//! unit once of each report it owes past its due date; the unit reports on a page with evidence
//! and reported figures (never a computed one, never another unit's task); the office returns and
//! accepts; the evaluator reads and cannot act.

use crate::harness::flows::*;
use crate::harness::{TestApp, backends};

fn inbox_kinds(app: &TestApp, who: &Who) -> Vec<String> {
    values_of(&get_as(app, who, "/api/v1/inbox").json()["items"], "kind")
}

#[test]
fn units_report_on_their_tasks_and_the_office_reviews() {
    for b in backends() {
        let app = TestApp::demo(&b);
        app.set_now("2026-11-02 10:00");
        let [admin, swj] = people(&app, ["admin", "clerk.swj"]);
        // No reporting start in the district's first plan: nobody is chased.
        run_clock(&app, &admin);
        assert!(!inbox_kinds(&app, &swj).contains(&"plan_report_overdue".to_string()));

        // The office sets reporting going from the first quarter of 2026.
        let office = app.session("supervisor");
        let plan = tongban_domain::plan::BASELINE.replacen(
            "\n[[task]]",
            "\nreporting_from = \"2026-01-01\"\n\n[[task]]",
            1,
        );
        let r = app.post_form(
            &office,
            "/plan",
            &[("document", &plan), ("note", "自2026年一季度起按季报送")],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        run_clock(&app, &admin);
        run_clock(&app, &admin);
        let overdue = |who: &Who| {
            inbox_kinds(&app, who)
                .iter()
                .filter(|k| *k == "plan_report_overdue")
                .count()
        };
        // The tax office leads task 5 alone: Q1, Q2 and Q3 are past due, each told once.
        assert_eq!(overdue(&swj), 3);
        let s = app.session("clerk.swj");
        let list = app.page(&s, "/plan/reports");
        assert!(list.body.contains("逾期未报"), "{}", list.body);

        // The unit reports Q3 with a reported figure and evidence.
        let send = |s: &crate::harness::Session, fields: &[(&str, &str)]| {
            let mut all = vec![("csrf", s.csrf.as_str())];
            all.extend_from_slice(fields);
            app.multipart(
                "/plan/reports/new",
                &[("cookie", &s.cookie)],
                &all,
                &[("evidence", "办税时间统计.pdf", b"%PDF-1.4 demo evidence")],
            )
        };
        let r = send(
            &s,
            &[
                ("task", "4.05"),
                ("period", "2026-Q3"),
                ("text", "推行非接触式办税"),
                ("figure.4.05.tax_hours", "96"),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let at = r.header("location").unwrap().to_string();
        let page = app.page(&s, &at);
        assert!(
            page.body.contains("已报送，待审核")
                && page.body.contains("96")
                && page.body.contains("逾期报送")
        );
        let sha = page
            .body
            .split("/evidence/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(app.page(&s, &format!("{at}/evidence/{sha}")).status, 200);
        let other = app.session("clerk.scj");
        assert_eq!(
            app.page(&other, &format!("{at}/evidence/{sha}")).status,
            404
        );
        assert_eq!(app.page(&other, &at).status, 404);

        // Another unit's task, a computed target, a quarter not begun: refused by name.
        let r = send(
            &other,
            &[("task", "4.05"), ("period", "2026-Q3"), ("text", "x")],
        );
        assert_eq!(r.status, 422);
        assert!(r.body.contains("本单位不是该任务的牵头单位"));
        let spj = app.session("clerk.spj");
        let r = send(
            &spj,
            &[
                ("task", "4.04"),
                ("period", "2026-Q3"),
                ("text", "x"),
                ("figure.4.04.online", "99"),
            ],
        );
        assert_eq!(r.status, 422);
        assert!(r.body.contains("该目标由平台根据记录计算"), "{}", r.body);
        let r = send(
            &s,
            &[("task", "4.05"), ("period", "2027-Q1"), ("text", "x")],
        );
        assert!(r.status == 422 && r.body.contains("该季度尚未开始"));
        // Reported once: a second report of the same quarter waits for the review.
        let r = send(
            &s,
            &[("task", "4.05"), ("period", "2026-Q3"), ("text", "再报")],
        );
        assert_eq!(r.status, 409, "{}", r.body);

        // The office returns it (saying why), the unit reports again, the office accepts.
        let r = app.post_form(&office, &at, &[("decision", "return"), ("note", "")]);
        assert_eq!(r.status, 422);
        let r = app.post_form(
            &office,
            &at,
            &[("decision", "return"), ("note", "请补充出口退税办理时间")],
        );
        assert_eq!(r.status, 303);
        assert!(inbox_kinds(&app, &swj).contains(&"plan_report_returned".to_string()));
        let r = send(
            &s,
            &[
                ("task", "4.05"),
                ("period", "2026-Q3"),
                ("text", "补充：出口退税平均6个工作日"),
                ("figure.4.05.export_refund", "6"),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let r = app.post_form(&office, &at, &[("decision", "accept"), ("note", "")]);
        assert_eq!(r.status, 303);
        let page = app.page(&s, &at);
        assert!(page.body.contains("审核通过") && page.body.contains("请补充出口退税办理时间"));
        assert_eq!(
            page.body.matches("/evidence/").count(),
            2,
            "the evidence of both submissions"
        );
        let id = at.rsplit('/').next().unwrap();
        assert_includes(
            &audit_actions(&app, &admin, "plan_report", id),
            &["plan_report.submit", "plan_report.review"],
        );

        // The evaluator reads the reports (a page, a spreadsheet, the API) and cannot act on them.
        let ev = app.session("evaluator");
        assert_eq!(app.page(&ev, "/plan/reports").status, 200);
        let book = app.page(&ev, "/plan/reports.xlsx");
        assert_eq!(book.status, 200);
        let rows = tongban_app::table::read_table("x.xlsx", &book.bytes).unwrap();
        let api = app.get_with("/api/v1/plan/reports", &[("cookie", &ev.cookie)]);
        assert_eq!(api.status, 200, "{}", api.body);
        let owed = api.json()["items"].as_array().unwrap().clone();
        assert_eq!(rows.len(), owed.len() + 1, "a row for every report owed");
        assert!(owed.iter().any(|o| o["report"]["id"].as_str() == Some(id)));
        assert_eq!(app.page(&ev, &at).status, 200);
        assert_eq!(
            app.post_form(&ev, &at, &[("decision", "accept")]).status,
            403
        );
        assert_eq!(
            send(
                &ev,
                &[("task", "4.05"), ("period", "2026-Q2"), ("text", "x")]
            )
            .status,
            403
        );
        assert_audit_intact(&app);
    }
}

/// A supervision round: the office records findings, publishes the notice (the units named are
/// told), each criticised unit reports its rectification, late ones marked; others cannot act.
#[test]
fn a_supervision_round_names_units_and_they_rectify() {
    for b in backends() {
        let app = TestApp::demo(&b);
        app.set_now("2026-11-02 10:00");
        let [admin, spj, swj] = people(&app, ["admin", "clerk.spj", "clerk.swj"]);
        let office = app.session("supervisor");
        let r = app.post_form(
            &office,
            "/plan/rounds",
            &[
                ("title", "四季度营商环境定期督查"),
                ("kind", "periodic"),
                ("held_on", "2026-11-02"),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let at = r.header("location").unwrap().to_string();
        let add =
            |fields: &[(&str, &str)]| app.post_form(&office, &format!("{at}/findings"), fields);
        // A problem needs its date; praise has none; a unit must exist.
        let r = add(&[
            ("unit", "XH-SPJ"),
            ("task", "4.04"),
            ("kind", "problem"),
            ("text", "综窗受理事项未全覆盖"),
            ("rectify_by", ""),
        ]);
        assert_eq!(r.status, 422);
        assert!(r.body.contains("整改期限"), "{}", r.body);
        let r = add(&[("unit", "XH-NOPE"), ("kind", "praise"), ("text", "x")]);
        assert_eq!(r.status, 422);
        assert_eq!(
            add(&[
                ("unit", "XH-SPJ"),
                ("task", "4.04"),
                ("kind", "problem"),
                ("text", "综窗受理事项未全覆盖"),
                ("rectify_by", "2026-11-10")
            ])
            .status,
            303
        );
        assert_eq!(
            add(&[
                ("unit", "XH-SWJ"),
                ("task", "4.05"),
                ("kind", "praise"),
                ("text", "办税事项全程网办")
            ])
            .status,
            303
        );
        // Before the notice the units see nothing and cannot act.
        let s = app.session("clerk.spj");
        assert_eq!(app.page(&s, &at).status, 404);
        let r = app.post_form(
            &s,
            &format!("{at}/findings"),
            &[("unit", "XH-SPJ"), ("kind", "praise"), ("text", "自夸")],
        );
        assert_eq!(r.status, 404);
        // The notice goes out numbered; the units named are told.
        let r = app.post_form(
            &office,
            &format!("{at}/publish"),
            &[(
                "notice",
                "对区税务局通报表扬；对区行政审批局通报批评，限期整改。",
            )],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.page(&office, &at);
        assert!(
            page.body.contains("西湖营商督〔2026〕第0001号"),
            "{}",
            page.body
        );
        for who in [&spj, &swj] {
            assert!(
                values_of(&get_as(&app, who, "/api/v1/inbox").json()["items"], "kind")
                    .contains(&"supervision_notice".to_string())
            );
        }
        // Late: the bureau reports after the date; the round shows it so.
        app.set_now("2026-11-12 10:00");
        let s = app.session("clerk.spj");
        let page = app.page(&s, &at);
        assert!(page.body.contains("逾期未整改"));
        let other = app.session("clerk.swj");
        let r = app.post_form(
            &other,
            &format!("{at}/rectify"),
            &[("finding", "0"), ("text", "代为整改")],
        );
        assert_eq!(r.status, 403, "another unit's finding");
        let r = app.post_form(
            &other,
            &format!("{at}/rectify"),
            &[("finding", "1"), ("text", "表扬无需整改")],
        );
        assert_eq!(r.status, 409, "praise is not rectified");
        let r = app.post_form(
            &s,
            &format!("{at}/rectify"),
            &[("finding", "0"), ("text", "已将全部依申请事项纳入综窗受理")],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let office = app.session("supervisor");
        let page = app.page(&office, &at);
        assert!(
            page.body.contains("已将全部依申请事项纳入综窗受理") && page.body.contains("逾期报送")
        );
        let id = at.rsplit('/').next().unwrap();
        assert_includes(
            &audit_actions(&app, &admin, "supervision_round", id),
            &[
                "round.create",
                "round.add_finding",
                "round.publish",
                "round.rectify",
            ],
        );
        // The evaluator reads the round and its notice, as a page, a spreadsheet and the API.
        let ev = app.session("evaluator");
        assert_eq!(app.page(&ev, "/plan/rounds").status, 200);
        let book = app.page(&ev, "/plan/rounds.xlsx");
        assert_eq!(book.status, 200);
        let rows = tongban_app::table::read_table("x.xlsx", &book.bytes).unwrap();
        assert_eq!(rows[0][0], "督查日期");
        assert!(
            rows.iter().any(|r| r
                .iter()
                .any(|c| c.contains("已将全部依申请事项纳入综窗受理") && c.contains("逾期报送"))),
            "{rows:?}"
        );
        let api = app.get_with("/api/v1/plan/rounds", &[("cookie", &ev.cookie)]);
        assert_eq!(api.status, 200, "{}", api.body);
        let round = &api.json()["items"][0];
        assert!(
            round["notice"]["number"]
                .as_str()
                .unwrap()
                .contains("西湖营商督")
        );
        assert!(app.page(&ev, &at).body.contains("通报"));
        assert_eq!(
            app.post_form(&ev, &format!("{at}/publish"), &[("notice", "x")])
                .status,
            403
        );
    }
}
