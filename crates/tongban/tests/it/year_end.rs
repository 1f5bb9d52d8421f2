//! The clock through the year's end, on both stores: a case lifecycle on 7 December 2026 whose
//! limit runs into 2027, one in June 2027 with no 2027 notice (provisional), and loading a 2027
//! notice while cases are open (recounted, the applicant's correction date never earlier).

use crate::harness::flows::*;
use crate::harness::{TestApp, backends};
use serde_json::{Value, json};

/// A 2027 notice for the test (not the real one): 春节 Saturday 6 – Sunday 14 February,
/// worked Saturday 30 January and Saturday 20 February.
const NOTICE_2027: &str = "year = 2027\nnotice = \"测试用2027年节假日安排\"\n\
    [[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-03\"\n\
    [[holiday]]\nname = \"春节\"\nfrom = \"2027-02-06\"\nto = \"2027-02-14\"\n\
    [[workday]]\ndate = \"2027-01-30\"\nfor = \"春节\"\n\
    [[workday]]\ndate = \"2027-02-20\"\nfor = \"春节\"\n";

#[test]
fn a_limit_that_runs_into_next_year_is_provisional_and_says_so() {
    each_app(|app| {
        let [company, clerk, approver] = people(app, ["company", "clerk.spj", "approver.spj"]);
        app.set_now("2026-12-07 09:30");
        let id = submitted(app, &company);
        // Accepted Monday 7 December: 20 working days are 8–31 December (18), 元旦 off, 4 and 5
        // January 2027, counted on the law's statutory days because 2027 is not loaded.
        app.set_now("2026-12-07 10:00");
        let c = accept(app, &clerk, &id);
        assert_eq!(c["clock"]["legal_due"], "2027-01-05");
        assert_eq!(c["clock"]["promised_due"], "2026-12-10");
        assert_eq!(c["clock"]["provisional"], true);
        assert_eq!(c["clock"]["provisional_years"], json!([2027]));
        let acceptance = first_of(&c["notices"], |n| n["kind"] == "acceptance");
        assert_eq!(acceptance["provisional"], true);
        // The extension runs further into 2027 and is still answered.
        let extend = json!({"action": "extend", "days": 10, "reason": "情况复杂需进一步核实"});
        let c = ok(act(app, &approver, &id, extend));
        assert_eq!(c["clock"]["legal_due"], "2027-01-19");
        // The case page and the notice say 暂定, with the year.
        let (cookie, _) = app.login("company", "company-demo-2026");
        let page = app.get_with(&format!("/cases/{id}"), &[("cookie", &cookie)]);
        assert!(
            page.body.contains("id=\"clock-provisional\""),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("2027年"),
            "the explanation names the year"
        );
        let notice = app.get_with(
            &format!("/cases/{id}/notices/acceptance"),
            &[("cookie", &cookie)],
        );
        assert!(notice.body.contains("id=\"notice-provisional\""));
        assert!(notice.body.contains("法定节假日"));
        // And the case is decided as usual.
        app.set_now("2026-12-09 15:00");
        let c = decide(app, &id);
        assert_eq!(c["state"], "issued");
        assert_eq!(c["clock"]["status"], "finished_on_time");

        // Administrators and supervisors see the reminder; the clock job tells administrators
        // once.
        let (admin_cookie, _) = app.login("admin", "admin-demo-2026");
        let page = app.get_with("/admin/calendar", &[("cookie", &admin_cookie)]);
        assert!(
            page.body.contains("id=\"calendar-banner\""),
            "{}",
            page.body
        );
        assert!(page.body.contains("2027年节假日安排尚未载入"));
        assert!(
            page.body.contains("暂定：通知未载入"),
            "2027 listed as provisional"
        );
        let page = app.get_with("/", &[("cookie", &cookie)]);
        assert!(
            !page.body.contains("calendar-banner"),
            "applicants are not bothered"
        );
        let admin = Who::new(app, "admin");
        assert_eq!(run_clock(app, &admin)["calendar_reminders"], 1);
        assert_eq!(run_clock(app, &admin)["calendar_reminders"], 0);
        let inbox = app.get_with("/inbox", &[("cookie", &admin_cookie)]);
        assert!(
            inbox.body.contains("请载入下一年度节假日安排"),
            "{}",
            inbox.body
        );
    });
}

#[test]
fn in_a_year_without_a_notice_cases_run_on_the_statutory_days() {
    each_app(|app| {
        let [company, clerk] = people(app, ["company", "clerk.spj"]);
        app.set_now("2027-06-01 09:30");
        let id = submitted(app, &company);
        app.set_now("2027-06-01 10:00");
        let c = accept(app, &clerk, &id);
        // Tuesday 1 June 2027 + 20: 端午 (Wednesday 9 June) off, Wednesday 30 June.
        assert_eq!(c["clock"]["legal_due"], "2027-06-30");
        assert_eq!(c["clock"]["provisional"], true);
        let r = app.get("/api/v1/calendar/add?from=2027-06-01&working_days=20");
        assert_eq!(r.json()["due"], "2027-06-30");
        assert_eq!(r.json()["provisional"], true);
        app.set_now("2027-06-03 11:00");
        assert_eq!(decide(app, &id)["state"], "issued");
    });
}

#[test]
fn loading_the_notice_recounts_open_records_and_never_shortens_the_applicants_time() {
    each_app(|app| {
        let [company, clerk, admin, supervisor, operator] = people(
            app,
            ["company", "clerk.spj", "admin", "supervisor", "operator"],
        );
        // Monday 25 January 2027, no 2027 notice yet.
        app.set_now("2027-01-25 09:30");
        let [corrected, accepted, served] = [(); 3].map(|_| submitted(app, &company));
        app.set_now("2027-01-25 10:00");
        // Served today: the applicant may rate for 5 working days, to Monday 1 February.
        accept(app, &clerk, &served);
        assert_eq!(decide(app, &served)["state"], "issued");
        // The correction notice asks for the material in 10 working days: 26 January – 4
        // February (8), 除夕 to the 补假 (5–10 February) off, 11 and 12 February.
        let c = ok(act(
            app,
            &clerk,
            &corrected,
            json!({"action": "request_correction", "items": [
                {"material": "公共场所平面布局图", "problem": "缺少比例尺"}]}),
        ));
        assert_eq!(c["correction"]["supply_by"], "2027-02-12");
        assert_eq!(c["notices"][0]["supply_by"], "2027-02-12");
        assert_eq!(c["notices"][0]["provisional"], true);
        // Accepted the same day: 20 working days end Friday 26 February provisionally.
        let c = accept(app, &clerk, &accepted);
        assert_eq!(c["clock"]["legal_due"], "2027-02-26");
        assert_eq!(c["clock"]["promised_due"], "2027-01-28");
        // A complaint dispatched the same day: 5 working days, Monday 1 February.
        let (ticket, t) = dispatched_complaint(app, &operator, "XH-CJJ");
        assert_eq!(t["dispatches"][0]["reply_due"], "2027-02-01");
        assert_eq!(t["provisional"], true);
        // A risk warning raised the same day: 5 working days too.
        let s = app.session("clerk.ga");
        let warn = [
            ("entity", "91360103MA3B7Q5X27"),
            ("entity_name", "南昌市西湖区恒通商贸有限公司"),
            ("unit", "XH-SCJ"),
            ("reason", "仓库存放无标签食品"),
        ];
        let r = app.post_form(&s, "/warnings", &warn);
        assert_eq!(r.status, 303, "{}", r.body);
        let warning = r
            .header("location")
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        // And a dispute the company raises the same day against a record: 5 working days.
        let scj = Who::new(app, "clerk.scj");
        let penalty = json!({"subject_kind": "enterprise", "subject_id": "91360103MA39K2R741",
            "subject_name": "南昌市西湖区洪城数智科技有限公司", "kind": "penalty",
            "severity": "ordinary", "unit": "XH-SCJ", "document": "洪西市监罚〔2027〕3号",
            "decided_on": "2027-01-20", "legal_basis": "《中华人民共和国广告法》第五十五条"});
        let record = post_as(app, &scj, "/api/v1/credit/records", penalty);
        assert_eq!(record.status, 201, "{}", record.body);
        let record = record.json()["item"]["id"].as_str().unwrap().to_string();
        let d = ok(post_as(
            app,
            &company,
            &format!("/api/v1/credit/records/{record}/actions"),
            json!({"action": "dispute", "text": "处罚决定已被复议撤销"}),
        ));
        assert_eq!(d["disputes"][0]["answer_by"], "2027-02-01");

        // A file with a mistake is refused field by field and moves nothing.
        let bad = NOTICE_2027.replace("2027-02-14", "2027-02-04");
        let r = load_calendar_year(app, &admin, &bad);
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("holiday[1].to"), "{}", r.body);
        assert_eq!(
            case_as(app, &company, &accepted)["clock"]["legal_due"],
            "2027-02-26"
        );

        // The notice: the worked Saturdays bring the unit's date a day earlier; the date the
        // applicant was given stays.
        app.set_now("2027-01-26 09:00");
        let r = load_calendar_year(app, &admin, NOTICE_2027);
        assert_eq!(r.status, 200, "{}", r.body);
        let moves = r.json()["item"]["moves"].clone();
        let at = moves[0]["moved_at"].clone();
        assert_eq!(
            moves,
            json!([{"year": 2027, "moved_at": at, "record_kind": "case",
                "record_id": accepted, "unit": "XH-SPJ", "field": "legal_due",
                "binds": "administration", "before": "2027-02-26", "after": "2027-02-25",
                "days": -1},
                // The worked Saturday 30 January is the fifth working day of the complaint.
                {"year": 2027, "moved_at": at, "record_kind": "hotline_ticket",
                "record_id": ticket, "unit": "XH-CJJ", "field": "reply_due",
                "binds": "administration", "before": "2027-02-01", "after": "2027-01-30",
                "days": -2},
                                {"year": 2027, "moved_at": at, "record_kind": "risk_warning",
                "record_id": warning, "unit": "XH-SCJ", "field": "due",
                "binds": "administration", "before": "2027-02-01", "after": "2027-01-30",
                "days": -2},
                {"year": 2027, "moved_at": at, "record_kind": "credit_record",
                "record_id": record, "unit": "XH-SCJ", "field": "answer_by",
                "binds": "administration", "before": "2027-02-01", "after": "2027-01-30",
                "days": -2}]),
        );
        let t = ok(get_as(
            app,
            &operator,
            &format!("/api/v1/hotline/tickets/{ticket}"),
        ));
        assert_eq!(t["dispatches"][0]["reply_due"], "2027-01-30");
        assert_eq!(t["provisional"], false);
        let cjj = get_as(app, &Who::new(app, "clerk.cjj"), "/api/v1/inbox").json();
        let moved = |m: &Value, key: &str, id: &str| m["kind"] == "deadline_moved" && m[key] == id;
        assert!(
            any_of(&cjj["items"], |m| moved(m, "about_id", &ticket)),
            "{cjj}"
        );
        let c = case_as(app, &company, &accepted);
        assert_eq!(c["clock"]["legal_due"], "2027-02-25");
        assert_eq!(c["clock"]["provisional"], false);
        let c = case_as(app, &company, &corrected);
        assert_eq!(c["correction"]["supply_by"], "2027-02-12", "never earlier");
        // On the notice the fifth working day after the service is Saturday 30 January; the
        // applicant, told 1 February, may still rate on 1 February.
        app.set_now("2027-02-01 16:00");
        let r = rate_case(app, &company, &served, online_rating("satisfied"));
        assert_eq!(r.status, 201, "{}", r.body);
        app.set_now("2027-01-26 09:30");
        // Both sides of the moved case are told, with the dates.
        let (cookie, _) = app.login("company", "company-demo-2026");
        let inbox = app.get_with("/inbox", &[("cookie", &cookie)]);
        assert!(
            inbox.body.contains("法定期限 2027-02-26 → 2027-02-25"),
            "{}",
            inbox.body
        );
        let unit = get_as(app, &clerk, "/api/v1/inbox").json();
        assert!(
            any_of(&unit["items"], |m| moved(m, "case_id", &accepted)),
            "{unit}"
        );
        // The list stays for administrators and supervisors, not for applicants.
        let moves = "/api/v1/calendar/years/2027/moves";
        assert_eq!(get_as(app, &supervisor, moves).json()["meta"]["total"], 4);
        assert_eq!(get_as(app, &company, moves).status, 403);
        let (admin_cookie, _) = app.login("admin", "admin-demo-2026");
        let page = app.get_with("/admin/calendar?loaded=2027", &[("cookie", &admin_cookie)]);
        assert!(page.body.contains("id=\"calendar-moves\""), "{}", page.body);
        assert!(page.body.contains(&accepted));
        // Every recount is in the audit trail.
        let audit = get_as(app, &supervisor, "/api/v1/audit?per_page=100").json();
        assert!(
            any_of(&audit["items"], |e| e["action"] == "case.recount"
                && e["entity_id"] == accepted.as_str()),
            "{audit}"
        );
    });
}

#[test]
fn the_demo_loads_in_a_year_without_a_notice() {
    for b in backends() {
        let app = TestApp::empty(&b);
        app.set_now("2027-06-01 10:00");
        let loaded = crate::harness::runtime()
            .block_on(tongban::demo::load_if_empty(&app.store))
            .expect("the demo loads");
        assert!(loaded);
        let cases = app.get_with("/api/v1/cases", &Who::new(&app, "supervisor").h());
        assert!(
            cases.json()["meta"]["total"].as_i64().unwrap() > 5,
            "{}",
            cases.body
        );
        // Its policies are this year's round.
        let p = app.get("/api/v1/policies/KJ-RD").json();
        assert_eq!(p["item"]["opens"], "2027-01-01");
    }
}

/// A case that finished over the Spring Festival before the year's notice was loaded counted its
/// working days over the statutory days; loading the notice counts its part in the dashboard's
/// tallies again, so the tallies stay those of the records.
#[test]
fn a_loaded_notice_counts_finished_cases_again_in_the_tallies() {
    each_app(|app| {
        let [company, clerk, admin] = people(app, ["company", "clerk.spj", "admin"]);
        // Accepted after the festival, decided the Monday after the worked Saturday (20 February).
        app.set_now("2027-02-16 09:30");
        let id = submitted(app, &company);
        accept(app, &clerk, &id);
        app.set_now("2027-02-22 10:00");
        assert_eq!(decide(app, &id)["state"], "issued");
        let before = crate::harness::runtime()
            .block_on(app.store.all_tally_sums())
            .unwrap()
            .cells();
        let r = load_calendar_year(app, &admin, NOTICE_2027);
        assert_eq!(r.status, 200, "{}", r.body);
        let after = crate::harness::runtime()
            .block_on(app.store.all_tally_sums())
            .unwrap()
            .cells();
        assert_ne!(
            before, after,
            "the worked Saturdays change the working days the case used"
        );
        crate::dashboard::assert_tallies_equal_recount(app, "the 2027 notice");
    });
}
