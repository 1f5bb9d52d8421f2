//! Cases on the statutory clock through HTTP, on both stores: the calendar API, the whole
//! lifecycle with correction, commitment, pause, extension, overdue and revocation, who may see
//! and do what, notices, the inbox, the overdue board and the indicators.

use crate::harness::flows::*;
use crate::harness::mail::{smtp_sink, subject};
use crate::harness::{TestApp, backends};
use serde_json::json;

#[test]
fn calendar_api_counts_as_the_law_counts() {
    each_app(|app| {
        // 国庆 2026: Oct 1–7 off; Sep 30 + 1 working day is Oct 8.
        let r = app.get("/api/v1/calendar/add?from=2026-09-30&working_days=1");
        assert_eq!(r.json()["due"], "2026-10-08");
        // The make-up Saturday Oct 10 counts.
        let r = app.get("/api/v1/calendar/add?from=2026-10-09&working_days=1");
        assert_eq!(r.json()["due"], "2026-10-10");
        let r = app.get("/api/v1/calendar/between?from=2026-09-30&to=2026-10-10");
        assert_eq!(r.json()["working_days"], 3);
        // Missing and malformed parameters are named.
        let r = app.get("/api/v1/calendar/add?from=2026-13-01");
        assert_eq!(r.status, 422);
        let problem = r.json();
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["from", "working_days"]);
        app.set_now("2026-12-07 09:00");
        let r = app.get("/api/v1/calendar/add?from=2026-09-30&working_days=1");
        assert_eq!(r.json()["provisional"], false);
        // A year with no notice yet is counted on the statutory holidays, and says so:
        // Friday 25 December + 10 = 28–31 Dec, 元旦 off, 4–8 Jan, Monday 11 January.
        let r = app.get("/api/v1/calendar/add?from=2026-12-25&working_days=10");
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["due"], "2027-01-11");
        assert_eq!(r.json()["provisional"], true);
        assert_eq!(r.json()["provisional_years"], json!([2027]));
        let r = app.get("/api/v1/calendar/between?from=2026-12-25&to=2027-01-11");
        assert_eq!(r.json()["working_days"], 10);
        assert_eq!(r.json()["provisional"], true);
        let years = app.get("/api/v1/calendar/years").json();
        assert_eq!(years["meta"]["total"], 3);
        assert_eq!(years["items"][2]["year"], 2027);
        assert_eq!(years["items"][2]["provisional"], true);
        assert!(years["items"][2].get("loaded_at").is_none());
        // Before the revised law (2025) a year with no schedule is an explicit error.
        let r = app.get("/api/v1/calendar/add?from=2024-12-25&working_days=10");
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.json()["type"], "/problems/calendar_year_not_loaded");
        assert_eq!(r.json()["errors"][0]["detail"], "2024");

        // An administrator loads 2027 without a release; the same question then has an answer.
        let admin = Who::new(app, "admin");
        let year = "year = 2027\nnotice = \"测试用2027年安排\"\n[[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-01\"\n";
        let r = app.raw_post(
            "/api/v1/calendar/years",
            &[
                ("authorization", &admin.auth),
                ("content-type", "application/toml"),
            ],
            year.as_bytes().to_vec(),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.get("/api/v1/calendar/add?from=2026-12-25&working_days=10");
        assert_eq!(r.json()["due"], "2027-01-11");
        assert_eq!(r.json()["provisional"], false);
        let years = app.get("/api/v1/calendar/years").json();
        assert_eq!(years["meta"]["total"], 3);
        assert_eq!(years["items"][2]["provisional"], false);
        // A bad file names the field; applicants may not load years.
        let bad =
            "year = 2028\nnotice = \"x\"\n[[workday]]\ndate = \"2028-01-05\"\nfor = \"元旦\"\n";
        let r = app.raw_post(
            "/api/v1/calendar/years",
            &[
                ("authorization", &admin.auth),
                ("content-type", "application/toml"),
            ],
            bad.as_bytes().to_vec(),
        );
        assert_eq!(r.status, 422);
        assert!(r.body.contains("workday[0]"), "{}", r.body);
        let company = Who::new(app, "company");
        let r = app.raw_post(
            "/api/v1/calendar/years",
            &[
                ("authorization", &company.auth),
                ("content-type", "application/toml"),
            ],
            year.as_bytes().to_vec(),
        );
        assert_eq!(r.status, 403);
    });
}

#[test]
fn whole_lifecycle_with_correction_pause_extension_and_notices() {
    each_app(|app| {
        let company = Who::new(app, "company");
        let clerk = Who::new(app, "clerk.spj");
        let approver = Who::new(app, "approver.spj");
        let other_clerk = Who::new(app, "clerk.scj");
        let citizen = Who::new(app, "citizen");
        // Monday 2 November 2026.
        app.set_now("2026-11-02 09:00");

        // A file that is not PDF/JPEG/PNG/OFD is refused by its content, whatever its name.
        let id = draft(app, &company);
        let r = app.upload(
            &format!("/api/v1/cases/{id}/materials/0"),
            &company.h(),
            "fake.pdf",
            b"MZ\x90\x00 not a pdf",
            None,
        );
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["errors"][0]["code"], "material_type");
        // A form that fails validation is refused on submission, naming the field.
        let r = app.json(
            "PUT",
            &format!("/api/v1/cases/{id}"),
            &company.h(),
            &json!({"form": {"contact_name": "李四", "contact_phone": "12345", "details": "x"}}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let r = act(app, &company, &id, json!({"action": "submit"}));
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["errors"][0]["field"], "form.contact_phone");
        let r = app.json(
            "PUT",
            &format!("/api/v1/cases/{id}"),
            &company.h(),
            &json!({"form": {"contact_name": "李四", "contact_phone": "13800138000", "details": "申请卫生许可"}}),
        );
        assert_eq!(r.status, 200);
        let c = ok(act(app, &company, &id, json!({"action": "submit"})));
        assert_eq!(c["clock"]["correction_deadline"], "2026-11-09");

        // Only the applicant and the implementing unit see it.
        assert_eq!(
            get_as(app, &other_clerk, &format!("/api/v1/cases/{id}")).status,
            404
        );
        assert_eq!(
            get_as(app, &citizen, &format!("/api/v1/cases/{id}")).status,
            404
        );
        let r = act(app, &other_clerk, &id, json!({"action": "accept"}));
        assert_eq!(r.status, 404);
        let queue = get_as(app, &clerk, "/api/v1/cases").json();
        assert!(
            queue["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == id.as_str())
        );
        let theirs = get_as(app, &other_clerk, "/api/v1/cases").json();
        assert!(
            !theirs["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == id.as_str())
        );

        // Correction, once, listing every problem.
        app.set_now("2026-11-03 10:00");
        let c = ok(act(
            app,
            &clerk,
            &id,
            json!({"action": "request_correction", "items": [
            {"material": "公共场所卫生检测或者评价报告", "problem": "检测报告已过有效期"},
            {"material": "公共场所平面布局图", "problem": "缺少比例尺"}]}),
        ));
        assert_eq!(c["state"], "correction");
        assert_eq!(c["notices"][0]["kind"], "correction");
        let number = c["notices"][0]["number"].as_str().unwrap().to_string();
        assert!(number.contains("补字〔2026〕"), "{number}");
        // The applicant corrects and resubmits; a second request is refused, naming the rule.
        let r = app.upload(
            &format!("/api/v1/cases/{id}/materials/2"),
            &company.h(),
            "report.pdf",
            b"%PDF-1.7 new report",
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        app.set_now("2026-11-04 09:30");
        ok(act(app, &company, &id, json!({"action": "submit"})));
        let r = act(
            app,
            &clerk,
            &id,
            json!({"action": "request_correction", "items": [{"material": "营业执照", "problem": "x"}]}),
        );
        assert_eq!(r.status, 409);
        let p = r.json();
        assert_eq!(p["type"], "/problems/action_not_allowed");
        assert_eq!(p["errors"][0]["code"], "correction_once");
        assert!(
            p["allowed_actions"]
                .as_array()
                .unwrap()
                .contains(&json!("accept"))
        );

        // Accepted Wednesday 11-04 14:00: legal 20 → 12-02, promised 3 → 11-09.
        app.set_now("2026-11-04 14:00");
        let c = ok(act(app, &clerk, &id, json!({"action": "accept"})));
        assert_eq!(c["state"], "review");
        assert_eq!(c["clock"]["legal_due"], "2026-12-02");
        assert_eq!(c["clock"]["promised_due"], "2026-11-09");
        assert_eq!(c["clock"]["promised_left"], 3);
        assert!(
            c["notices"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["kind"] == "acceptance")
        );

        // Approving before the review step is a 409 listing what is allowed.
        let r = act(
            app,
            &approver,
            &id,
            json!({"action": "approve", "reasons": "符合"}),
        );
        assert_eq!(r.status, 409);
        assert_eq!(r.json()["errors"][0]["code"], "steps_pending");
        // The applicant may not decide; an unknown action is a 400 naming the body.
        assert_eq!(
            act(
                app,
                &company,
                &id,
                json!({"action": "approve", "reasons": "x"})
            )
            .status,
            403
        );
        assert_eq!(
            act(app, &clerk, &id, json!({"action": "explode"})).status,
            400
        );

        app.set_now("2026-11-05 09:00");
        ok(act(
            app,
            &clerk,
            &id,
            json!({"action": "complete_step", "opinion": "现场核查符合要求"}),
        ));
        // Expert review pauses the clock Thu 11-05 → Tue 11-10: 3 working days not counted.
        ok(act(
            app,
            &clerk,
            &id,
            json!({"action": "pause", "kind": "expert_review", "reason": "组织专家评审"}),
        ));
        app.set_now("2026-11-10 10:00");
        let c = ok(get_as(app, &company, &format!("/api/v1/cases/{id}")));
        assert_eq!(c["state"], "paused");
        let c = ok(act(app, &clerk, &id, json!({"action": "resume"})));
        assert_eq!(c["clock"]["paused_working_days"], 3);
        assert_eq!(c["clock"]["promised_due"], "2026-11-12");
        // One extension by the approver, with reasons.
        let r = act(
            app,
            &approver,
            &id,
            json!({"action": "extend", "days": 11, "reason": "复杂"}),
        );
        assert_eq!(r.status, 422);
        let c = ok(act(
            app,
            &approver,
            &id,
            json!({"action": "extend", "days": 10, "reason": "情况复杂需进一步核实"}),
        ));
        assert_eq!(c["clock"]["legal_due"], "2026-12-21");
        let r = act(
            app,
            &approver,
            &id,
            json!({"action": "extend", "days": 1, "reason": "再延"}),
        );
        assert_eq!(r.status, 409);
        assert_eq!(r.json()["errors"][0]["code"], "extension_once");

        app.set_now("2026-11-11 16:00");
        let c = ok(act(
            app,
            &approver,
            &id,
            json!({"action": "approve", "reasons": "经审查符合法定条件"}),
        ));
        assert_eq!(c["state"], "approved");
        assert_eq!(c["clock"]["status"], "finished_on_time");
        // The applicant can no longer withdraw after the decision.
        let r = act(
            app,
            &company,
            &id,
            json!({"action": "withdraw", "reason": "x"}),
        );
        assert_eq!(r.status, 409);
        let c = ok(act(app, &clerk, &id, json!({"action": "issue"})));
        assert_eq!(c["state"], "issued");

        // Notices are printable pages with their numbers.
        let (cookie, _) = app.login("company", "company-demo-2026");
        for kind in ["correction", "acceptance", "approval"] {
            let r = app.get_with(
                &format!("/cases/{id}/notices/{kind}"),
                &[("cookie", &cookie)],
            );
            assert_eq!(r.status, 200, "{kind}");
            assert!(r.body.contains("〔2026〕"), "{kind}");
        }
        let r = app.get_with(
            &format!("/cases/{id}/notices/correction"),
            &[("cookie", &cookie)],
        );
        assert!(r.body.contains(&number) && r.body.contains("检测报告已过有效期"));
        // Files come back byte for byte, to those who may see the case.
        let c = ok(get_as(app, &company, &format!("/api/v1/cases/{id}")));
        let sha = c["materials"][0]["file"]["sha256"]
            .as_str()
            .unwrap()
            .to_string();
        let f = get_as(app, &clerk, &format!("/api/v1/cases/{id}/files/{sha}"));
        assert_eq!(f.status, 200);
        assert_eq!(f.bytes, PDF);
        assert_eq!(
            get_as(
                app,
                &other_clerk,
                &format!("/api/v1/cases/{id}/files/{sha}")
            )
            .status,
            404
        );

        // The applicant was told at each step; the audit trail has every change and is intact.
        let inbox = get_as(app, &company, "/api/v1/inbox").json();
        let kinds: Vec<&str> = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["kind"].as_str().unwrap())
            .collect();
        for k in [
            "correction",
            "accepted",
            "paused",
            "resumed",
            "extended",
            "approved",
            "issued",
        ] {
            assert!(kinds.contains(&k), "{k} in {kinds:?}");
        }
        let supervisor = Who::new(app, "supervisor");
        let trail = get_as(
            app,
            &supervisor,
            &format!("/api/v1/audit?entity=case&entity_id={id}"),
        )
        .json();
        let actions: Vec<&str> = trail["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for a in [
            "case.create",
            "case.attach",
            "case.submit",
            "case.request_correction",
            "case.accept",
            "case.complete_step",
            "case.pause",
            "case.resume",
            "case.extend",
            "case.approve",
            "case.issue",
        ] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
        assert!(
            crate::harness::runtime()
                .block_on(app.store.verify_audit())
                .unwrap()
                .is_ok()
        );

        // Indicators are computed from the records.
        let ind = app.get("/api/v1/indicators/cases").json()["item"].clone();
        assert_eq!(ind["finished"], 1);
        assert_eq!(ind["on_time_legal"]["numerator"], 1.0);
        assert_eq!(ind["on_time_promised"]["value"], 1.0);
    });
}

#[test]
fn commitments_overdue_revocation_and_receipt_acceptance() {
    each_app(|app| {
        let company = Who::new(app, "company");
        let clerk = Who::new(app, "clerk.spj");
        let approver = Who::new(app, "approver.spj");
        let admin = Who::new(app, "admin");
        let supervisor = Who::new(app, "supervisor");
        app.set_now("2026-11-02 09:00");

        // Accepted on a written commitment to bring the floor plan by Friday 11-06.
        let promised = submitted(app, &company);
        let c = ok(act(
            app,
            &clerk,
            &promised,
            json!({"action": "accept", "commitments": [
            {"material": "公共场所平面布局图", "due": "2026-11-06"}]}),
        ));
        assert_eq!(c["commitments"][0]["due"], "2026-11-06");
        // A second case, accepted plainly, left to run past its promised date (3 days → 11-05).
        let late = submitted(app, &company);
        ok(act(app, &clerk, &late, json!({"action": "accept"})));
        // A third, received but never looked at.
        let ignored = submitted(app, &company);

        // Wednesday: the plain case is due soon; the job says so once.
        app.set_now("2026-11-04 09:00");
        let r = run_clock(app, &admin);
        assert_eq!(r["due_soon"], 2, "{r}");
        assert_eq!(run_clock(app, &admin)["due_soon"], 0);

        // Monday 11-09: the commitment is broken, the plain case overdue, the ignored one is
        // accepted on receipt (§32: no correction request within 5 working days)… not yet: 11-09
        // is the fifth working day.
        app.set_now("2026-11-09 10:00");
        let r = run_clock(app, &admin);
        assert_eq!(r["commitments_broken"], 1, "{r}");
        assert_eq!(r["overdue"], 1, "{r}");
        assert_eq!(r["deemed_accepted"], 0, "{r}");
        assert_eq!(run_clock(app, &admin)["overdue"], 0, "no second notice");
        app.set_now("2026-11-10 09:00");
        assert_eq!(run_clock(app, &admin)["deemed_accepted"], 1);
        let c = ok(get_as(app, &clerk, &format!("/api/v1/cases/{ignored}")));
        assert_eq!(c["state"], "review");
        assert_eq!(c["deemed_accepted"], true);
        assert_eq!(c["clock"]["started_on"], "2026-11-02");

        // The broken promise: revocation path, recorded for credit, so no more commitments.
        let c = ok(get_as(app, &company, &format!("/api/v1/cases/{promised}")));
        assert_eq!(c["state"], "revocation_pending");
        assert_eq!(c["commitments"][0]["broken"], true);
        let again = submitted(app, &company);
        let r = act(
            app,
            &clerk,
            &again,
            json!({"action": "accept", "commitments": [
            {"material": "公共场所平面布局图", "due": "2026-11-20"}]}),
        );
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["errors"][0]["code"], "commitment_barred");
        let c = ok(act(
            app,
            &approver,
            &promised,
            json!({"action": "revoke", "reasons": "未按承诺期限补交平面布局图"}),
        ));
        assert_eq!(c["state"], "revoked");
        // Nobody outside the clock job breaks commitments by hand.
        assert_eq!(
            act(
                app,
                &clerk,
                &late,
                json!({"action": "break_commitment", "material": "x"})
            )
            .status,
            403
        );

        // The overdue case is on the unit's inbox, the supervisor's board and the API filter.
        let inbox = get_as(app, &clerk, "/api/v1/inbox").json();
        assert!(
            inbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["kind"] == "overdue" && m["case_id"] == late.as_str())
        );
        let overdue = get_as(app, &supervisor, "/api/v1/cases?clock=overdue").json();
        assert!(
            overdue["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == late.as_str())
        );
        let (cookie, _) = app.login("supervisor", "supervisor-demo-2026");
        let board = app.get_with("/supervision/overdue", &[("cookie", &cookie)]);
        assert_eq!(board.status, 200);
        assert!(board.body.contains(&late), "board lists the overdue case");
        let (cookie, _) = app.login("company", "company-demo-2026");
        assert_eq!(
            app.get_with("/supervision/overdue", &[("cookie", &cookie)])
                .status,
            403
        );

        // The applicant withdraws the last one before any decision.
        let c = ok(act(
            app,
            &company,
            &again,
            json!({"action": "withdraw", "reason": "不再需要"}),
        ));
        assert_eq!(c["state"], "withdrawn");
        let r = app.get("/api/v1/cases?state=bogus");
        assert_eq!(r.status, 401);
        let r = get_as(app, &company, "/api/v1/cases?state=bogus");
        assert_eq!(r.status, 422);
    });
}

#[test]
fn proxy_applications_and_material_reuse() {
    each_app(|app| {
        let company = Who::new(app, "company");
        let citizen = Who::new(app, "citizen");
        let clerk = Who::new(app, "clerk.spj");
        app.set_now("2026-11-02 09:00");
        // The citizen files for the company as its agent (代办).
        let r = app.json(
            "POST",
            "/api/v1/cases",
            &citizen.h(),
            &json!({"item_code": ITEM, "form": {"contact_name": "王五", "contact_phone": "13900139000", "details": "代办"},
                    "on_behalf_of": {"applicant": "company", "authorisation": "委托书 2026-17"}}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let c = r.json()["item"].clone();
        assert_eq!(c["applicant"], "company");
        assert_eq!(c["proxy"]["agent"], "citizen");
        let last = c["materials"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["name"], "授权委托书");
        let id = c["id"].as_str().unwrap().to_string();
        // Both principal and agent see it.
        assert_eq!(
            get_as(app, &company, &format!("/api/v1/cases/{id}")).status,
            200
        );
        let r = app.json(
            "POST",
            "/api/v1/cases",
            &citizen.h(),
            &json!({"item_code": ITEM, "form": {"contact_name": "王五", "contact_phone": "13900139000", "details": "代办"},
                    "on_behalf_of": {"applicant": "nobody", "authorisation": ""}}),
        );
        assert_eq!(r.status, 422);
        let problem = r.json();
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["on_behalf_of.authorisation", "on_behalf_of.applicant"]
        );
        // Staff cannot apply; unknown items are named.
        let r = app.json("POST", "/api/v1/cases", &clerk.h(), &json!({"item_code": ITEM, "form": {"contact_name": "", "contact_phone": "", "details": ""}}));
        assert_eq!(r.status, 403);
        let r = app.json("POST", "/api/v1/cases", &company.h(), &json!({"item_code": "NOPE-1", "form": {"contact_name": "", "contact_phone": "", "details": ""}}));
        assert_eq!(r.status, 422);

        // Material the government already holds is offered for reuse on the next application.
        let first = submitted(app, &company);
        let r = app.json(
            "POST",
            "/api/v1/cases",
            &company.h(),
            &json!({"item_code": ITEM, "form": {"contact_name": "李四", "contact_phone": "13800138000", "details": "再次申请"}}),
        );
        let c = r.json()["item"].clone();
        let second = c["id"].as_str().unwrap().to_string();
        let offered = c["reusable"].as_array().unwrap();
        assert!(
            offered.iter().any(|h| h["case_id"] == first.as_str()),
            "{c}"
        );
        let c = ok(app.json(
            "POST",
            &format!("/api/v1/cases/{second}/materials/0/reuse"),
            &company.h(),
            &json!({"from_case": first}),
        ));
        assert_eq!(c["materials"][0]["reused_from"], first.as_str());
        // Reuse only from one's own cases.
        let r = app.json(
            "POST",
            &format!("/api/v1/cases/{id}/materials/0/reuse"),
            &citizen.h(),
            &json!({"from_case": "2026-999999"}),
        );
        assert_eq!(r.status, 422);
    });
}

#[test]
fn e_mail_notices_go_out_over_smtp_once() {
    for b in backends() {
        let app = TestApp::demo_with_mail(&b);
        let company = Who::new(&app, "company");
        let clerk = Who::new(&app, "clerk.spj");
        let id = submitted(&app, &company);
        ok(act(&app, &clerk, &id, json!({"action": "accept"})));
        let rt = crate::harness::runtime();
        // A relay that is down: the failure is recorded and the message waits.
        let down = tongban::mail::SmtpConfig {
            relay: "127.0.0.1:9".into(),
            from: "tongban@xihu.example".into(),
            public_url: "https://tongban.example".into(),
        };
        assert_eq!(
            rt.block_on(tongban::mail::send_pending(&app.store, &down)),
            Ok(0)
        );
        let (relay, got) = smtp_sink();
        let up = tongban::mail::SmtpConfig { relay, ..down };
        // The unit's staff with an address are told of the submission, the company of the
        // acceptance.
        assert_eq!(
            rt.block_on(tongban::mail::send_pending(&app.store, &up)),
            Ok(2)
        );
        assert_eq!(
            rt.block_on(tongban::mail::send_pending(&app.store, &up)),
            Ok(0),
            "sent once"
        );
        let got = got.lock().unwrap().clone();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "clerk.spj@xihu.example");
        assert!(subject(&got[0].1).contains("收到新的申请"));
        assert_eq!(got[1].0, "company@example.com");
        let s = subject(&got[1].1);
        assert!(s.contains(&id) && s.contains("已受理"), "{s}");
    }
}

/// Every capability's messages go one way: a dispatched hotline ticket and a rectification reach
/// the unit's inbox with a link to the ticket, and its staff by e-mail.
#[test]
fn a_units_messages_link_to_their_record_and_go_out_by_e_mail() {
    for b in backends() {
        let app = TestApp::demo_with_mail(&b);
        let operator = Who::new(&app, "operator");
        let company = Who::new(&app, "company");
        let r = app.json(
            "POST",
            "/api/v1/hotline/tickets",
            &operator.h(),
            &json!({"category": "complaint", "matter": "小区门口路灯不亮",
                "caller": {"name": "王五", "phone": "13907910002", "confidential": false},
                "location": {"address": "西湖区朝阳中路88号"}, "street": "XH-NP"}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let ticket = r.json()["item"]["id"].as_str().unwrap().to_string();
        ok(app.json(
            "POST",
            &format!("/api/v1/hotline/tickets/{ticket}/actions"),
            &operator.h(),
            &json!({"action": "dispatch", "lead": "XH-CJJ"}),
        ));
        let case = submitted(&app, &company);
        ok(act(
            &app,
            &Who::new(&app, "clerk.spj"),
            &case,
            json!({"action": "accept"}),
        ));
        decide(&app, &case);
        let r = app.json(
            "POST",
            &format!("/api/v1/cases/{case}/rating"),
            &company.h(),
            &json!({"scores": {"overall": "very_dissatisfied", "efficiency": "dissatisfied",
                "guide_accuracy": "satisfied", "convenience": "satisfied",
                "platform_usability": "satisfied"}, "comment": "等候时间太长"}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let rectification = r.json()["item"]["rectification"]
            .as_str()
            .unwrap()
            .to_string();

        // In the inbox: the record's kind and id, and a link to its page.
        let inbox = |user: &str| {
            app.get_with("/api/v1/inbox", &Who::new(&app, user).h())
                .json()
        };
        let cjj = inbox("clerk.cjj");
        let m = &cjj["items"][0];
        assert_eq!(
            (m["kind"].as_str(), m["about_kind"].as_str()),
            (Some("hotline"), Some("hotline_ticket"))
        );
        assert_eq!(m["about_id"], ticket.as_str());
        let spj = inbox("clerk.spj");
        let m = &spj["items"][0];
        assert_eq!(m["kind"], "rectification");
        assert_eq!(
            (m["about_kind"].as_str(), m["about_id"].as_str()),
            (Some("rectification"), Some(rectification.as_str()))
        );
        let (cookie, _) = app.login("clerk.cjj", "clerk-cjj-demo-2026");
        let page = app.get_with("/inbox", &[("cookie", &cookie)]);
        assert!(
            page.body
                .contains(&format!("href=\"/hotline/tickets/{ticket}\"")),
            "{}",
            page.body
        );

        // By e-mail, to the units' staff, with the link.
        let (relay, got) = smtp_sink();
        let smtp = tongban::mail::SmtpConfig {
            relay,
            from: "tongban@xihu.example".into(),
            public_url: "https://tongban.example".into(),
        };
        crate::harness::runtime()
            .block_on(tongban::mail::send_pending(&app.store, &smtp))
            .unwrap();
        let got = got.lock().unwrap().clone();
        let to_cjj: Vec<&(String, String)> = got
            .iter()
            .filter(|(to, _)| to == "clerk.cjj@xihu.example")
            .collect();
        assert_eq!(to_cjj.len(), 1);
        assert!(subject(&to_cjj[0].1).contains(&format!("12345工单 {ticket}")));
        let rect = got
            .iter()
            .find(|(to, m)| to == "clerk.spj@xihu.example" && subject(m).contains("差评整改"))
            .expect("the rectification went out by e-mail");
        assert!(
            subject(&rect.1).contains(&rectification),
            "{}",
            subject(&rect.1)
        );
    }
}

/// 企业简易注销登记: a 20-natural-day public notice period after acceptance, open to objections
/// from anyone; without one the clock runs again the day after and the case is decided within a
/// working day; with one the simple path stops, with the objection as the reason.
#[test]
fn simple_deregistration_with_and_without_objection() {
    const DEREG: &str = "XH-SPJ-000101004000";
    each_app(|app| {
        let company = Who::new(app, "company");
        let clerk = Who::new(app, "clerk.spj");
        let approver = Who::new(app, "approver.spj");
        let admin = Who::new(app, "admin");
        app.set_now("2026-11-02 09:00");
        let quiet = draft_of(app, &company, DEREG);
        ok(act(app, &company, &quiet, json!({"action": "submit"})));
        let contested = draft_of(app, &company, DEREG);
        ok(act(app, &company, &contested, json!({"action": "submit"})));
        app.set_now("2026-11-02 10:00");
        let c = ok(act(app, &clerk, &quiet, json!({"action": "accept"})));
        assert_eq!(c["state"], "paused");
        assert_eq!(c["pauses"][0]["kind"], "public_notice");
        assert_eq!(c["pauses"][0]["until"], "2026-11-22");
        ok(act(app, &clerk, &contested, json!({"action": "accept"})));

        // Listed publicly, with the code, to anyone.
        let list = app.get("/api/v1/public-notices").json();
        let listed: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["case_id"].as_str().unwrap())
            .collect();
        assert!(listed.contains(&quiet.as_str()) && listed.contains(&contested.as_str()));
        assert_eq!(list["items"][0]["applicant_code"], "91360103MA39K2R741");
        assert_eq!(list["items"][0]["until"], "2026-11-22");

        // Nobody shortens the period by hand.
        app.set_now("2026-11-10 10:00");
        let r = act(app, &clerk, &quiet, json!({"action": "resume"}));
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(
            act(
                app,
                &approver,
                &quiet,
                json!({"action": "approve", "reasons": "x"})
            )
            .status,
            409
        );

        // An objection: bad input named; then the simple path stops, with the reason.
        let path = format!("/api/v1/public-notices/{contested}/objections");
        let r = app.json(
            "POST",
            &path,
            &[],
            &json!({"name": "", "phone": "123", "reason": "欠款"}),
        );
        assert_eq!(r.status, 422);
        let problem = r.json();
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["name", "phone", "reason"]);
        // Through the public page's form, which needs no account.
        let page = app.get("/public-notices");
        assert!(page.body.contains(&contested));
        let token = page.cookie("tongban_csrf").unwrap();
        let csrf = page.hidden("csrf").unwrap();
        let r = app.form(
            &format!("/public-notices/{contested}/objections"),
            &format!("tongban_csrf={token}"),
            &[
                ("csrf", &csrf),
                ("name", "南昌某建材公司"),
                ("phone", "13907910002"),
                ("reason", "该企业尚欠货款12万元未清偿"),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let c = ok(app.get_with(&format!("/api/v1/cases/{contested}"), &company.h()));
        assert_eq!(c["state"], "rejected");
        assert!(
            c["decision"]["reasons"]
                .as_str()
                .unwrap()
                .contains("尚欠货款")
        );
        assert!(
            c["notices"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["kind"] == "rejection")
        );
        assert_eq!(
            app.json(
                "POST",
                &path,
                &[],
                &json!({"name": "x", "phone": "13907910002", "reason": "再次异议内容"})
            )
            .status,
            404
        );
        let inbox = app.get_with("/api/v1/inbox", &company.h()).json();
        assert!(
            inbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["kind"] == "objection")
        );

        // The quiet one: still paused on the last day; the clock runs again the day after.
        app.set_now("2026-11-22 20:00");
        assert_eq!(run_clock(app, &admin)["notice_periods_ended"], 0);
        app.set_now("2026-11-23 00:30");
        assert_eq!(run_clock(app, &admin)["notice_periods_ended"], 1);
        let c = ok(app.get_with(&format!("/api/v1/cases/{quiet}"), &clerk.h()));
        assert_eq!(c["state"], "review");
        // One working day to decide after the notice: due Tuesday 11-24.
        assert_eq!(c["clock"]["promised_due"], "2026-11-24");
        app.set_now("2026-11-23 10:00");
        while c_step(app, &clerk, &approver, &quiet) {}
        let c = ok(app.get_with(&format!("/api/v1/cases/{quiet}"), &clerk.h()));
        assert_eq!(c["state"], "issued");
        assert_eq!(c["clock"]["status"], "finished_on_time");
        assert!(
            app.get("/api/v1/public-notices").json()["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    });
}
