//! 双随机、一公开 on both stores: the lists as versioned documents, a plan published before its
//! draw and drawn on its day with conflicts excluded, the record rerun by anyone and a tampered one
//! refused, results entered on a phone within the publication limit, a penalty become a credit
//! record.

use crate::harness::flows::*;
use crate::harness::{Backend, TestApp};
use serde_json::{Value, json};
use tongban_domain::inspection::draw::{self, DrawRecord};

/// A plan over the given matters, to be drawn on 10 December.
fn plan(matters: &[&str], ratio_pct: u32) -> Value {
    let bp = ratio_pct * 100;
    json!({
        "title": "2026年第四季度登记事项和年报公示抽查",
        "matters": matters,
        "ratios": { "high": bp, "medium_high": bp, "medium": bp, "low": bp },
        "team_size": 2,
        "outside_source": "中国福利彩票“快乐8”2026年12月10日开奖号码",
        "draw_on": "2026-12-10",
    })
}

fn codes(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["field"].as_str().unwrap_or(""),
                e["code"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// Publishes and draws a plan through the API; returns its id.
fn drawn_plan(app: &TestApp, supervisor: &Who, matters: &[&str], ratio_pct: u32) -> String {
    let p = created(post_as(
        app,
        supervisor,
        "/api/v1/inspection/plans",
        plan(matters, ratio_pct),
    ));
    let id = p["id"].as_str().unwrap().to_string();
    app.set_now("2026-12-10 20:40");
    let r = post_as(
        app,
        supervisor,
        &format!("/api/v1/inspection/plans/{id}/draw"),
        json!({ "outside_value": "02 09 13 17 22 25 31 36 40 43 47 51 55 59 62 68 71 74 76 79" }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    id
}

#[test]
fn a_plan_is_drawn_on_its_day_with_conflicts_excluded_and_rerun_by_anyone() {
    each_app(|app| {
        let [supervisor, clerk] = people(app, ["supervisor", "clerk.scj"]);
        // Bad input, each named: a matter off the list, a team of one, a draw day not ahead.
        let mut bad = plan(&["SCJ-01", "XX-99"], 2);
        bad["team_size"] = json!(1);
        bad["draw_on"] = json!("2026-12-07");
        let r = post_as(app, &supervisor, "/api/v1/inspection/plans", bad);
        assert_eq!(r.status, 422, "{}", r.body);
        let got = codes(&r.json());
        for want in [
            "matters:not_in_matter_list",
            "team_size:out_of_range",
            "draw_on:not_in_future",
        ] {
            assert!(got.contains(&want.to_string()), "{got:?}");
        }
        // A clerk does not plan; an approver only for their own unit's matters.
        let r = post_as(
            app,
            &clerk,
            "/api/v1/inspection/plans",
            plan(&["SCJ-01"], 2),
        );
        assert_eq!(r.status, 403, "{}", r.body);

        let p = created(post_as(
            app,
            &supervisor,
            "/api/v1/inspection/plans",
            plan(&["SCJ-01", "SCJ-02"], 100),
        ));
        let id = p["id"].as_str().unwrap().to_string();
        assert_eq!(p["state"], "published");
        assert_eq!(
            p["entities"], 8,
            "every registered entity: the matters apply to all"
        );
        assert!(
            p["nonce"].is_null(),
            "the nonce stays secret until the draw"
        );
        // The frozen lists match the hashes published before the draw.
        let lists = app
            .get(&format!("/inspection/plans/{id}/lists.json"))
            .json();
        assert_eq!(
            draw::list_sha256(
                &serde_json::from_value::<Vec<draw::Entity>>(lists["entities"].clone()).unwrap()
            ),
            p["published"]["entities_sha256"].as_str().unwrap()
        );
        assert_eq!(
            draw::list_sha256(
                &serde_json::from_value::<Vec<draw::Inspector>>(lists["inspectors"].clone())
                    .unwrap()
            ),
            p["published"]["inspectors_sha256"].as_str().unwrap()
        );
        assert_eq!(
            app.get(&format!("/api/v1/inspection/plans/{id}/record"))
                .status,
            404
        );

        // Not before its day.
        let draw_path = format!("/api/v1/inspection/plans/{id}/draw");
        let value = json!({ "outside_value": "02 09 13 17 22 25 31 36 40 43 47 51 55 59 62 68 71 74 76 79" });
        let r = post_as(app, &supervisor, &draw_path, value.clone());
        assert_eq!(r.status, 409, "{}", r.body);
        app.set_now("2026-12-10 20:40");
        let r = post_as(
            app,
            &supervisor,
            &draw_path,
            json!({ "outside_value": " " }),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        let r = post_as(app, &supervisor, &draw_path, value.clone());
        assert_eq!(r.status, 200, "{}", r.body);
        let drawn = r.json()["item"].clone();
        assert_eq!(drawn["state"], "drawn");
        assert_eq!(
            draw::sha256_hex(drawn["nonce"].as_str().unwrap().as_bytes()),
            p["published"]["nonce_sha256"].as_str().unwrap(),
            "the revealed nonce is the one committed to"
        );
        assert_eq!(
            post_as(app, &supervisor, &draw_path, value.clone()).status,
            409,
            "drawn once"
        );

        // Everyone drawn (100 %), two inspectors each, never one who declared a relationship.
        let record: DrawRecord = serde_json::from_value(
            app.get(&format!("/api/v1/inspection/plans/{id}/record"))
                .json(),
        )
        .unwrap();
        assert_eq!(record.checks.len(), 8);
        let related = "91360103MA39K2R741";
        let check = record.checks.iter().find(|c| c.entity == related).unwrap();
        assert!(
            !check.inspectors.contains(&"36010301003".to_string()),
            "{check:?}"
        );
        assert!(
            record.inspectors.iter().all(|i| i.id != "36010301005"),
            "suspended: not drawn"
        );
        for c in &record.checks {
            assert_eq!(c.inspectors.len(), 2);
        }

        // Anyone reruns it: the library, the API, the page; a tampered record names the place.
        draw::verify(&record).unwrap();
        let as_json = serde_json::to_value(&record).unwrap();
        let r = app.json("POST", "/api/v1/inspection/verify", &[], &as_json);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["checks"], 8);
        let mut tampered = record.clone();
        tampered.checks[3].inspectors.reverse();
        let r = app.json(
            "POST",
            "/api/v1/inspection/verify",
            &[],
            &serde_json::to_value(&tampered).unwrap(),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(codes(&r.json()), vec!["checks[3].inspectors:differs"]);
        let text = serde_json::to_string(&tampered).unwrap();
        let page = app.multipart("/inspection/verify", &[], &[("record", &text)], &[]);
        assert_eq!(page.status, 422);
        assert!(
            page.body.contains("id=\"verdict-bad\"") && page.body.contains("checks[3].inspectors")
        );
        let page = app.multipart(
            "/inspection/verify",
            &[],
            &[],
            &[(
                "file",
                "r.json",
                serde_json::to_string(&record).unwrap().as_bytes(),
            )],
        );
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("id=\"verdict-ok\""));
        let page = app.multipart(
            "/inspection/verify",
            &[],
            &[("record", "{\"format\":")],
            &[],
        );
        assert_eq!(page.status, 422);
        // And offline, by the command line, from the record as the server published it.
        let downloaded = app.get(&format!("/inspection/plans/{id}/record.json")).body;
        let dir = std::env::temp_dir().join(format!(
            "tongban-plan-{}-{}",
            app.backend_name,
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let cli = |name: &str, text: &str| {
            let file = dir.join(name);
            std::fs::write(&file, text).unwrap();
            std::process::Command::new(env!("CARGO_BIN_EXE_tongban"))
                .args(["inspection", "verify"])
                .arg(&file)
                .output()
                .expect("tongban runs")
        };
        let out = cli("draw.json", &downloaded);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("draw reproduced: 8 checks"));
        let out = cli("tampered.json", &text);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("checks[3].inspectors: differs"));
        let _ = std::fs::remove_dir_all(&dir);

        // The checks, public, without the team's accounts; the draw in the audit trail.
        let checks = app
            .get(&format!("/api/v1/inspection/plans/{id}/checks"))
            .json();
        assert_eq!(checks["items"].as_array().unwrap().len(), 8);
        assert!(checks["items"][0]["team"][0]["account"].is_null());
        let admin = Who::new(app, "admin");
        let trail = audit_actions(app, &admin, "inspection_plan", &id);
        assert_eq!(trail, vec!["inspection.draw", "inspection.publish"]);

        // Teams of three from two qualified inspectors: the draw is refused, naming why, and
        // nothing is written.
        let mut three = plan(&["WJW-01"], 100);
        three["team_size"] = json!(3);
        three["draw_on"] = json!("2026-12-11");
        let p = created(post_as(app, &supervisor, "/api/v1/inspection/plans", three));
        let small = p["id"].as_str().unwrap().to_string();
        app.set_now("2026-12-11 20:40");
        let r = post_as(
            app,
            &supervisor,
            &format!("/api/v1/inspection/plans/{small}/draw"),
            value.clone(),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(codes(&r.json()), vec!["inspectors:too_few_inspectors"]);
        let again = app.get(&format!("/api/v1/inspection/plans/{small}")).json();
        assert_eq!(again["item"]["state"], "published");
        assert_audit_intact(app);
    });
}

#[test]
fn a_team_member_enters_a_result_on_time_and_a_penalty_becomes_a_credit_record() {
    each_app(|app| {
        let [supervisor, spj] = people(app, ["supervisor", "clerk.spj"]);
        // Special equipment: two qualified inspectors, so both go on every check.
        let id = drawn_plan(app, &supervisor, &["SCJ-04"], 100);
        let checks = app
            .get(&format!("/api/v1/inspection/plans/{id}/checks"))
            .json();
        let items = checks["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 4, "the industries the matter applies to");
        let first = items[0]["id"].as_str().unwrap().to_string();
        let second = items[1]["id"].as_str().unwrap().to_string();
        let due = items[0]["due"].as_str().unwrap().to_string();
        assert!(
            due.as_str() > "2026-12-31",
            "20 working days from 10 December: {due}"
        );

        // The team is told; someone else may not enter a result.
        let inspector = Who::new(app, "inspector.scj");
        let inbox = get_as(app, &inspector, "/api/v1/inbox").json();
        assert!(any_of(&inbox["items"], |m| m["kind"]
            == "inspection_check_assigned"));
        let s = app.session("clerk.spj");
        let path = format!("/inspection/checks/{first}/result");
        let fields = [
            ("csrf", s.csrf.as_str()),
            ("checked_on", "2026-12-10"),
            ("outcome", "no_problem"),
            ("findings", ""),
        ];
        let r = app.multipart(&path, &[("cookie", &s.cookie)], &fields, &[]);
        assert_eq!(r.status, 403, "{}", r.body);
        drop(spj);

        // On the phone: a violation without findings is refused and the entries kept; with
        // findings, a penalty and a photo it is published, and the penalty is a credit record.
        app.set_now("2026-12-14 16:00");
        let s = app.session("inspector.scj");
        let page = app.page(&s, &format!("/inspection/checks/{first}"));
        assert!(page.body.contains("id=\"result-form\""), "{}", page.body);
        let mut fields = vec![
            ("csrf", s.csrf.as_str()),
            ("checked_on", "2026-12-14"),
            ("outcome", "violation"),
            ("findings", ""),
            ("penalty_unit", "XH-SCJ"),
            ("penalty_document", "洪西市监罚〔2026〕101号"),
            (
                "penalty_legal_basis",
                "《中华人民共和国特种设备安全法》第八十四条",
            ),
            ("penalty_severity", "ordinary"),
        ];
        let photo: &[u8] = &[
            0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R',
        ];
        let h = [("cookie", s.cookie.as_str())];
        let r = app.multipart(&path, &h, &fields, &[("photos", "site.png", photo)]);
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("洪西市监罚〔2026〕101号") && r.body.contains("id=\"result-errors\"")
        );
        fields[3].1 = "叉车未按期检验仍在使用";
        let r = app.multipart(&path, &h, &fields, &[("photos", "site.png", photo)]);
        assert_eq!(r.status, 303, "{}", r.body);
        let check = app
            .get(&format!("/api/v1/inspection/checks/{first}"))
            .json()["item"]
            .clone();
        let result = &check["result"];
        assert_eq!(result["outcome"], "violation");
        assert_eq!(result["published_on"], "2026-12-14");
        let record = result["credit_record"].as_str().unwrap().to_string();
        let cr = app.get(&format!("/api/v1/credit/records/{record}")).json()["item"].clone();
        assert_eq!(cr["kind"], "penalty");
        assert_eq!(cr["subject_id"], check["entity"]);
        assert_eq!(cr["unit"], "XH-SCJ");
        assert_eq!(cr["document"], "洪西市监罚〔2026〕101号");
        // The photo: the team sees it, the public does not.
        let sha = result["photos"][0]["sha256"].as_str().unwrap();
        let photo_path = format!("/inspection/checks/{first}/files/{sha}");
        assert_eq!(app.page(&s, &photo_path).status, 200);
        assert_eq!(app.get(&photo_path).status, 303, "to the sign-in page");
        // Once only.
        let r = app.multipart(&path, &h, &fields, &[]);
        assert_eq!(r.status, 409, "{}", r.body);

        // The second check is published after its deadline: late, and counted so.
        app.set_now(&format!("{} 09:00", next_day(&due)));
        let s = app.session("inspector.scj");
        let late_path = format!("/inspection/checks/{second}/result");
        let today = next_day(&due);
        let fields = [
            ("csrf", s.csrf.as_str()),
            ("checked_on", today.as_str()),
            ("outcome", "no_problem"),
            ("findings", ""),
        ];
        let r = app.multipart(&late_path, &[("cookie", &s.cookie)], &fields, &[]);
        assert_eq!(r.status, 303, "{}", r.body);
        let board = app.page(&app.session("supervisor"), "/inspection/board");
        assert!(board.body.contains("1 / 2"), "{}", board.body);
        assert!(app.get("/inspection").body.contains("50.0%"));
        let admin = Who::new(app, "admin");
        let trail = audit_actions(app, &admin, "inspection_check", &first);
        assert_eq!(trail, vec!["inspection.result", "inspection.check"]);
        assert_audit_intact(app);
    });
}

fn next_day(d: &str) -> String {
    let d: jiff::civil::Date = d.parse().unwrap();
    d.tomorrow().unwrap().to_string()
}

#[test]
fn the_lists_are_versioned_and_checked_against_each_other() {
    let app = TestApp::demo(&Backend::Sqlite);
    let s = app.session("supervisor");
    let page = app.page(&s, "/inspection/lists");
    assert!(page.body.contains("id=\"edit-matters\""));
    let current = app.get("/inspection/lists/matters/1").body;
    // Unreadable, and a matter removed that inspectors are still qualified for.
    let r = app.post_form(
        &s,
        "/inspection/lists/matters",
        &[("document", "[[matter]]\ncode = "), ("note", "x")],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let without_04 = current
        .split("[[matter]]")
        .filter(|m| !m.contains("SCJ-04"))
        .collect::<Vec<_>>()
        .join("[[matter]]");
    let r = app.post_form(
        &s,
        "/inspection/lists/matters",
        &[("document", &without_04), ("note", "删除特种设备事项")],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("检查人员名录中仍有人员具备该事项资格"),
        "{}",
        r.body
    );
    // A new matter: version 2, both versions kept.
    let added = format!(
        "{current}\n[[matter]]\ncode = \"SCJ-05\"\nname = \"广告发布行为的检查\"\nunit = \"XH-SCJ\"\nlegal_basis = \"《中华人民共和国广告法》第四十九条\"\nmethod = \"网络监测、书面检查\"\n"
    );
    let r = app.post_form(
        &s,
        "/inspection/lists/matters",
        &[("document", &added), ("note", "新增广告检查事项")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get("/inspection/lists").body;
    assert!(page.contains("id=\"matter-SCJ-05\"") && page.contains("/inspection/lists/matters/2"));
    assert!(
        !page.contains("/inspection/lists/inspectors/1"),
        "no link the public cannot open"
    );
    assert_eq!(
        app.get("/inspection/lists/matters/1").body,
        current,
        "the old version stays"
    );
    // An inspector qualified for a matter not on the list is refused; a clerk edits nothing.
    // The inspectors' list names their accounts: the office reads it, the public does not.
    assert_eq!(app.get("/inspection/lists/inspectors/1").status, 303);
    let dir = app
        .page(&s, "/inspection/lists/inspectors/1")
        .body
        .replacen("\"SCJ-01\"", "\"SCJ-99\"", 1);
    let r = app.post_form(
        &s,
        "/inspection/lists/inspectors",
        &[("document", &dir), ("note", "x")],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let c = app.session("clerk.scj");
    let r = app.post_form(
        &c,
        "/inspection/lists/matters",
        &[("document", &added), ("note", "x")],
    );
    assert_eq!(r.status, 403);
    assert_eq!(app.page(&c, "/inspection/lists/inspectors/1").status, 403);
    // The entity directory (staff only) shows the grade the credit records give.
    assert_eq!(app.get("/inspection/entities").status, 303);
    let page = app.page(&c, "/inspection/entities").body;
    let row = &page[page.find("id=\"entity-91360103MA3B7Q5X27\"").unwrap()..];
    assert!(
        row[..row.find("</tr>").unwrap()].contains("grade-high"),
        "the demo trader is on the black list"
    );
}

/// Risk warnings: a unit raises one for the market regulator, which answers on time; three
/// hotline complaints about one entity within 30 days raise one by themselves, once; a late
/// answer counts against the public rate.
#[test]
fn risk_warnings_reach_the_responsible_unit_and_their_timeliness_is_public() {
    each_app(|app| {
        let [operator, scj, ga] = people(app, ["operator", "clerk.scj", "clerk.ga"]);
        let ga_s = app.session("clerk.ga");
        let bad = [
            ("entity", "91360103MA3B7Q5X28"),
            ("entity_name", "南昌市西湖区恒通商贸有限公司"),
            ("unit", "XH-SCJ"),
            ("reason", ""),
        ];
        let r = app.post_form(&ga_s, "/warnings", &bad);
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("id=\"warning-errors\""));
        let mut good = bad;
        good[0].1 = "91360103MA3B7Q5X27";
        good[3].1 = "治安检查发现该企业仓库存放大量无标识散装食品";
        let r = app.post_form(&ga_s, "/warnings", &good);
        assert_eq!(r.status, 303, "{}", r.body);
        let path = r.header("location").unwrap().to_string();
        // The regulator is told and sees it; another unit does not.
        let inbox = get_as(app, &scj, "/api/v1/inbox").json();
        assert!(any_of(&inbox["items"], |m| m["kind"] == "risk_warning_raised"));
        assert_eq!(app.page(&app.session("clerk.spj"), &path).status, 404);
        let s = app.session("clerk.scj");
        let page = app.page(&s, &path);
        assert!(page.body.contains("id=\"answer-form\""), "{}", page.body);
        let r = app.post_form(
            &s,
            &format!("{path}/answer"),
            &[("confirmed", "yes"), ("action", "")],
        );
        assert_eq!(r.status, 422);
        let answer = [
            ("confirmed", "yes"),
            ("action", "已现场核查，责令下架并立案调查"),
        ];
        assert_eq!(
            app.post_form(&s, &format!("{path}/answer"), &answer).status,
            303
        );
        assert_eq!(
            app.post_form(&s, &format!("{path}/answer"), &answer).status,
            409
        );
        let inbox = get_as(app, &ga, "/api/v1/inbox").json();
        assert!(any_of(&inbox["items"], |m| m["kind"] == "risk_warning_answered"));
        assert!(app.get("/inspection").body.contains("100.0%"));

        // Three complaints about one entity: a warning by the platform, once.
        let about = |n: usize| {
            let mut t = complaint(&format!("第{n}次反映该超市销售过期食品"));
            t["about_uscc"] = json!("91360103MA3B7Q5X27");
            let r = post_as(app, &operator, "/api/v1/hotline/tickets", t);
            assert_eq!(r.status, 201, "{}", r.body);
        };
        let repeat = |app: &TestApp| {
            let page = app.page(&app.session("clerk.scj"), "/warnings").body;
            page.matches("12345热线重复投诉").count()
        };
        about(1);
        about(2);
        assert_eq!(repeat(app), 0);
        about(3);
        assert_eq!(repeat(app), 1);
        about(4);
        assert_eq!(repeat(app), 1, "one open warning is enough");

        // Left past its deadline it is overdue; answered late it counts so.
        app.set_now("2026-12-21 09:00");
        let s = app.session("clerk.scj");
        let page = app.page(&s, "/warnings").body;
        let id = page
            .split("href=\"/warnings/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        assert!(page.contains("已逾期"));
        let late = [("confirmed", "no"), ("action", "经核查，该超市已整改")];
        assert_eq!(
            app.post_form(&s, &format!("/warnings/{id}/answer"), &late)
                .status,
            303
        );
        assert!(app.get("/inspection").body.contains("50.0%"));
        assert_audit_intact(app);
    });
}
