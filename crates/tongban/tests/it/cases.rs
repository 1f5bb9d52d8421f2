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
        assert_eq!(error_fields(&r), ["from", "working_days"]);
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
        let [admin, company] = people(app, ["admin", "company"]);
        let year = "year = 2027\nnotice = \"测试用2027年安排\"\n[[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-01\"\n";
        let r = load_calendar_year(app, &admin, year);
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
        let r = load_calendar_year(app, &admin, bad);
        assert_eq!(r.status, 422);
        assert!(r.body.contains("workday[0]"), "{}", r.body);
        assert_eq!(load_calendar_year(app, &company, year).status, 403);
    });
}

#[test]
fn whole_lifecycle_with_correction_pause_extension_and_notices() {
    each_app(|app| {
        let [company, clerk, approver, other_clerk, citizen] = people(
            app,
            [
                "company",
                "clerk.spj",
                "approver.spj",
                "clerk.scj",
                "citizen",
            ],
        );
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
        let put_form = |phone: &str, details: &str| {
            let form = json!({"contact_name": "李四", "contact_phone": phone, "details": details});
            app.json(
                "PUT",
                &format!("/api/v1/cases/{id}"),
                &company.h(),
                &json!({ "form": form }),
            )
        };
        let r = put_form("12345", "x");
        assert_eq!(r.status, 200, "{}", r.body);
        let r = act(app, &company, &id, json!({"action": "submit"}));
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["errors"][0]["field"], "form.contact_phone");
        assert_eq!(put_form("13800138000", "申请卫生许可").status, 200);
        let c = submit(app, &company, &id);
        assert_eq!(c["clock"]["correction_deadline"], "2026-11-09");

        // Only the applicant and the implementing unit see it.
        for outsider in [&other_clerk, &citizen] {
            let r = get_as(app, outsider, &format!("/api/v1/cases/{id}"));
            assert_eq!(r.status, 404);
        }
        let r = act(app, &other_clerk, &id, json!({"action": "accept"}));
        assert_eq!(r.status, 404);
        let listed = |who: &Who| {
            let queue = get_as(app, who, "/api/v1/cases").json();
            any_of(&queue["items"], |c| c["id"] == id.as_str())
        };
        assert!(listed(&clerk));
        assert!(!listed(&other_clerk));

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
        // The unit's clerk sees the case but may not attach to it; the refused file is not even
        // read and kept.
        let kept = || files_under(&app.files);
        let before = kept();
        let r = app.upload(
            &format!("/api/v1/cases/{id}/materials/1"),
            &clerk.h(),
            "plan.pdf",
            b"%PDF-1.7 not the clerk's to give",
            None,
        );
        assert_eq!(r.status, 403, "{}", r.body);
        assert_eq!(kept(), before);
        app.set_now("2026-11-04 09:30");
        submit(app, &company, &id);
        let again = json!({"action": "request_correction", "items": [{"material": "营业执照", "problem": "x"}]});
        let r = act(app, &clerk, &id, again);
        assert_eq!(r.status, 409);
        let p = r.json();
        assert_eq!(p["type"], "/problems/action_not_allowed");
        assert_eq!(p["errors"][0]["code"], "correction_once");
        assert!(any_of(&p["allowed_actions"], |a| *a == "accept"));

        // Accepted Wednesday 11-04 14:00: legal 20 → 12-02, promised 3 → 11-09.
        app.set_now("2026-11-04 14:00");
        let c = accept(app, &clerk, &id);
        assert_eq!(c["state"], "review");
        assert_eq!(c["clock"]["legal_due"], "2026-12-02");
        assert_eq!(c["clock"]["promised_due"], "2026-11-09");
        assert_eq!(c["clock"]["promised_left"], 3);
        assert!(any_of(&c["notices"], |n| n["kind"] == "acceptance"));

        // Approving before the review step is a 409 listing what is allowed.
        let early = json!({"action": "approve", "reasons": "符合"});
        let r = act(app, &approver, &id, early);
        assert_eq!(r.status, 409);
        assert_eq!(r.json()["errors"][0]["code"], "steps_pending");
        // The applicant may not decide; an unknown action is a 400 naming the body.
        let by_applicant = json!({"action": "approve", "reasons": "x"});
        assert_eq!(act(app, &company, &id, by_applicant).status, 403);
        let unknown = json!({"action": "explode"});
        assert_eq!(act(app, &clerk, &id, unknown).status, 400);

        app.set_now("2026-11-05 09:00");
        let step = json!({"action": "complete_step", "opinion": "现场核查符合要求"});
        ok(act(app, &clerk, &id, step));
        // Expert review pauses the clock Thu 11-05 → Tue 11-10: 3 working days not counted.
        let pause = json!({"action": "pause", "kind": "expert_review", "reason": "组织专家评审"});
        ok(act(app, &clerk, &id, pause));
        app.set_now("2026-11-10 10:00");
        assert_eq!(case_as(app, &company, &id)["state"], "paused");
        let c = ok(act(app, &clerk, &id, json!({"action": "resume"})));
        assert_eq!(c["clock"]["paused_working_days"], 3);
        assert_eq!(c["clock"]["promised_due"], "2026-11-12");
        // One extension by the approver, with reasons.
        let extend = |days: u32, reason: &str| {
            act(
                app,
                &approver,
                &id,
                json!({"action": "extend", "days": days, "reason": reason}),
            )
        };
        assert_eq!(extend(11, "复杂").status, 422);
        let c = ok(extend(10, "情况复杂需进一步核实"));
        assert_eq!(c["clock"]["legal_due"], "2026-12-21");
        let r = extend(1, "再延");
        assert_eq!(r.status, 409);
        assert_eq!(r.json()["errors"][0]["code"], "extension_once");

        app.set_now("2026-11-11 16:00");
        let decision = json!({"action": "approve", "reasons": "经审查符合法定条件"});
        let c = ok(act(app, &approver, &id, decision));
        assert_eq!(c["state"], "approved");
        assert_eq!(c["clock"]["status"], "finished_on_time");
        // The applicant can no longer withdraw after the decision.
        let withdraw = json!({"action": "withdraw", "reason": "x"});
        assert_eq!(act(app, &company, &id, withdraw).status, 409);
        let c = ok(act(app, &clerk, &id, json!({"action": "issue"})));
        assert_eq!(c["state"], "issued");

        // Notices are printable pages with their numbers.
        let (cookie, _) = app.login("company", "company-demo-2026");
        let notice = |kind: &str| {
            app.get_with(
                &format!("/cases/{id}/notices/{kind}"),
                &[("cookie", &cookie)],
            )
        };
        for kind in ["correction", "acceptance", "approval"] {
            let r = notice(kind);
            assert_eq!(r.status, 200, "{kind}");
            assert!(r.body.contains("〔2026〕"), "{kind}");
        }
        let r = notice("correction");
        assert!(r.body.contains(&number) && r.body.contains("检测报告已过有效期"));
        // Files come back byte for byte, to those who may see the case.
        let c = case_as(app, &company, &id);
        let sha = c["materials"][0]["file"]["sha256"].as_str().unwrap();
        let file = format!("/api/v1/cases/{id}/files/{sha}");
        let f = get_as(app, &clerk, &file);
        assert_eq!(f.status, 200);
        assert_eq!(f.bytes, PDF);
        assert_eq!(get_as(app, &other_clerk, &file).status, 404);

        // The applicant was told at each step; the audit trail has every change and is intact.
        let inbox = get_as(app, &company, "/api/v1/inbox").json();
        assert_includes(
            &values_of(&inbox["items"], "kind"),
            &[
                "correction",
                "accepted",
                "paused",
                "resumed",
                "extended",
                "approved",
                "issued",
            ],
        );
        let supervisor = Who::new(app, "supervisor");
        assert_includes(
            &audit_actions(app, &supervisor, "case", &id),
            &[
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
            ],
        );
        assert_audit_intact(app);

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
        app.set_now("2026-11-02 09:00");
        let [company, clerk, approver, admin, supervisor] = people(
            app,
            [
                "company",
                "clerk.spj",
                "approver.spj",
                "admin",
                "supervisor",
            ],
        );

        // Accepted on a written commitment to bring the floor plan by Friday 11-06.
        let promised = submitted(app, &company);
        let accept_promising = |id: &str, due: &str| {
            act(
                app,
                &clerk,
                id,
                json!({"action": "accept", "commitments": [
                {"material": "公共场所平面布局图", "due": due}]}),
            )
        };
        let c = ok(accept_promising(&promised, "2026-11-06"));
        assert_eq!(c["commitments"][0]["due"], "2026-11-06");
        // A second case, accepted plainly, left to run past its promised date (3 days → 11-05).
        let late = submitted(app, &company);
        accept(app, &clerk, &late);
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
        let c = case_as(app, &clerk, &ignored);
        assert_eq!(c["state"], "review");
        assert_eq!(c["deemed_accepted"], true);
        assert_eq!(c["clock"]["started_on"], "2026-11-02");

        // The broken promise: revocation path, recorded for credit, so no more commitments.
        let c = case_as(app, &company, &promised);
        assert_eq!(c["state"], "revocation_pending");
        assert_eq!(c["commitments"][0]["broken"], true);
        let again = submitted(app, &company);
        let r = accept_promising(&again, "2026-11-20");
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["errors"][0]["code"], "commitment_barred");
        // …and a risk warning for the market regulator to verify the enterprise.
        let page = app.page(&app.session("clerk.scj"), "/warnings");
        assert!(page.body.contains("违背告知承诺"), "{}", page.body);
        let revoke = json!({"action": "revoke", "reasons": "未按承诺期限补交平面布局图"});
        let c = ok(act(app, &approver, &promised, revoke));
        assert_eq!(c["state"], "revoked");
        // Nobody outside the clock job breaks commitments by hand.
        let by_hand = json!({"action": "break_commitment", "material": "x"});
        assert_eq!(act(app, &clerk, &late, by_hand).status, 403);

        // The overdue case is on the unit's inbox, the supervisor's board and the API filter.
        let inbox = get_as(app, &clerk, "/api/v1/inbox").json();
        assert!(any_of(&inbox["items"], |m| m["kind"] == "overdue"
            && m["case_id"] == late.as_str()));
        let overdue = get_as(app, &supervisor, "/api/v1/cases?clock=overdue").json();
        assert!(any_of(&overdue["items"], |c| c["id"] == late.as_str()));
        let (cookie, _) = app.login("supervisor", "supervisor-demo-2026");
        let board = app.get_with("/supervision/overdue", &[("cookie", &cookie)]);
        assert_eq!(board.status, 200);
        assert!(board.body.contains(&late), "board lists the overdue case");
        let (cookie, _) = app.login("company", "company-demo-2026");
        let board = app.get_with("/supervision/overdue", &[("cookie", &cookie)]);
        assert_eq!(board.status, 403);

        // The applicant withdraws the last one before any decision.
        let withdraw = json!({"action": "withdraw", "reason": "不再需要"});
        assert_eq!(
            ok(act(app, &company, &again, withdraw))["state"],
            "withdrawn"
        );
        let r = app.get("/api/v1/cases?state=bogus");
        assert_eq!(r.status, 401);
        let r = get_as(app, &company, "/api/v1/cases?state=bogus");
        assert_eq!(r.status, 422);
    });
}

#[test]
fn proxy_applications_and_material_reuse() {
    each_app(|app| {
        let [company, citizen, clerk] = people(app, ["company", "citizen", "clerk.spj"]);
        app.set_now("2026-11-02 09:00");
        // The citizen files for the company as its agent (代办).
        let by_proxy = |applicant: &str, authorisation: &str| {
            post_as(
                app,
                &citizen,
                "/api/v1/cases",
                json!({"item_code": ITEM, "form": {"contact_name": "王五", "contact_phone": "13900139000", "details": "代办"},
                    "on_behalf_of": {"applicant": applicant, "authorisation": authorisation}}),
            )
        };
        let c = created(by_proxy("company", "委托书 2026-17"));
        assert_eq!(c["applicant"], "company");
        assert_eq!(c["proxy"]["agent"], "citizen");
        let last = c["materials"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["name"], "授权委托书");
        let id = c["id"].as_str().unwrap().to_string();
        // Both principal and agent see it.
        let r = get_as(app, &company, &format!("/api/v1/cases/{id}"));
        assert_eq!(r.status, 200);
        let r = by_proxy("nobody", "");
        assert_eq!(r.status, 422);
        assert_eq!(
            error_fields(&r),
            ["on_behalf_of.authorisation", "on_behalf_of.applicant"]
        );
        // Staff cannot apply; unknown items are named.
        let empty = |who: &Who, item: &str| {
            let form = json!({"contact_name": "", "contact_phone": "", "details": ""});
            post_as(
                app,
                who,
                "/api/v1/cases",
                json!({"item_code": item, "form": form}),
            )
        };
        assert_eq!(empty(&clerk, ITEM).status, 403);
        assert_eq!(empty(&company, "NOPE-1").status, 422);

        // Material the government already holds is offered for reuse on the next application.
        let first = submitted(app, &company);
        let r = post_as(
            app,
            &company,
            "/api/v1/cases",
            json!({"item_code": ITEM, "form": {"contact_name": "李四", "contact_phone": "13800138000", "details": "再次申请"}}),
        );
        let c = r.json()["item"].clone();
        let second = c["id"].as_str().unwrap().to_string();
        assert!(
            any_of(&c["reusable"], |h| h["case_id"] == first.as_str()),
            "{c}"
        );
        let reuse = |who: &Who, case: &str, from: &str| {
            let path = format!("/api/v1/cases/{case}/materials/0/reuse");
            post_as(app, who, &path, json!({ "from_case": from }))
        };
        let c = ok(reuse(&company, &second, &first));
        assert_eq!(c["materials"][0]["reused_from"], first.as_str());
        // Reuse only from one's own cases.
        assert_eq!(reuse(&citizen, &id, "2026-999999").status, 422);
    });
}

#[test]
fn e_mail_notices_go_out_over_smtp_once() {
    for b in backends() {
        let app = TestApp::demo_with_mail(&b);
        let [company, clerk] = people(&app, ["company", "clerk.spj"]);
        let id = submitted(&app, &company);
        accept(&app, &clerk, &id);
        let rt = crate::harness::runtime();
        // A relay that is down: the failure is recorded and the message waits.
        let down = tongban::mail::SmtpConfig {
            relay: "127.0.0.1:9".into(),
            from: "tongban@xihu.example".into(),
            public_url: "https://tongban.example".into(),
        };
        let send = |smtp: &tongban::mail::SmtpConfig| {
            rt.block_on(tongban::mail::send_pending(&app.store, smtp, "test-sender"))
        };
        assert_eq!(send(&down), Ok(0));
        let (relay, got) = smtp_sink();
        let up = tongban::mail::SmtpConfig { relay, ..down };
        // The unit's staff with an address are told of the submission, the company of the
        // acceptance.
        assert_eq!(send(&up), Ok(2));
        assert_eq!(send(&up), Ok(0), "sent once");
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
        let [operator, company, clerk] = people(&app, ["operator", "company", "clerk.spj"]);
        let (ticket, _) = dispatched_complaint(&app, &operator, "XH-CJJ");
        let case = submitted(&app, &company);
        accept(&app, &clerk, &case);
        decide(&app, &case);
        let mut rating = online_rating("very_dissatisfied");
        rating["scores"]["efficiency"] = json!("dissatisfied");
        rating["comment"] = json!("等候时间太长");
        let rectification = created(rate_case(&app, &company, &case, rating))["rectification"]
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
            .block_on(tongban::mail::send_pending(
                &app.store,
                &smtp,
                "test-sender",
            ))
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
        let [company, clerk, approver, admin] =
            people(app, ["company", "clerk.spj", "approver.spj", "admin"]);
        app.set_now("2026-11-02 09:00");
        let [quiet, contested] = [(); 2].map(|_| {
            let id = draft_of(app, &company, DEREG);
            submit(app, &company, &id);
            id
        });
        app.set_now("2026-11-02 10:00");
        let c = accept(app, &clerk, &quiet);
        assert_eq!(c["state"], "paused");
        assert_eq!(c["pauses"][0]["kind"], "public_notice");
        assert_eq!(c["pauses"][0]["until"], "2026-11-22");
        accept(app, &clerk, &contested);

        // Listed publicly, with the code, to anyone.
        let list = app.get("/api/v1/public-notices").json();
        let listed = values_of(&list["items"], "case_id");
        assert!(listed.contains(&quiet) && listed.contains(&contested));
        assert_eq!(list["items"][0]["applicant_code"], "91360103MA39K2R741");
        assert_eq!(list["items"][0]["until"], "2026-11-22");

        // Nobody shortens the period by hand.
        app.set_now("2026-11-10 10:00");
        let r = act(app, &clerk, &quiet, json!({"action": "resume"}));
        assert_eq!(r.status, 409, "{}", r.body);
        let early = json!({"action": "approve", "reasons": "x"});
        assert_eq!(act(app, &approver, &quiet, early).status, 409);

        // An objection: bad input named; then the simple path stops, with the reason.
        let path = format!("/api/v1/public-notices/{contested}/objections");
        let object = |name: &str, phone: &str, reason: &str| {
            let body = json!({"name": name, "phone": phone, "reason": reason});
            app.json("POST", &path, &[], &body)
        };
        let r = object("", "123", "欠款");
        assert_eq!(r.status, 422);
        assert_eq!(error_fields(&r), ["name", "phone", "reason"]);
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
        let c = case_as(app, &company, &contested);
        assert_eq!(c["state"], "rejected");
        let reasons = c["decision"]["reasons"].as_str().unwrap();
        assert!(reasons.contains("尚欠货款"));
        assert!(any_of(&c["notices"], |n| n["kind"] == "rejection"));
        assert_eq!(object("x", "13907910002", "再次异议内容").status, 404);
        let inbox = get_as(app, &company, "/api/v1/inbox").json();
        assert!(any_of(&inbox["items"], |m| m["kind"] == "objection"));

        // The quiet one: still paused on the last day; the clock runs again the day after.
        app.set_now("2026-11-22 20:00");
        assert_eq!(run_clock(app, &admin)["notice_periods_ended"], 0);
        app.set_now("2026-11-23 00:30");
        assert_eq!(run_clock(app, &admin)["notice_periods_ended"], 1);
        let c = case_as(app, &clerk, &quiet);
        assert_eq!(c["state"], "review");
        // One working day to decide after the notice: due Tuesday 11-24.
        assert_eq!(c["clock"]["promised_due"], "2026-11-24");
        app.set_now("2026-11-23 10:00");
        while c_step(app, &clerk, &approver, &quiet) {}
        let c = case_as(app, &clerk, &quiet);
        assert_eq!(c["state"], "issued");
        assert_eq!(c["clock"]["status"], "finished_on_time");
        let list = app.get("/api/v1/public-notices").json();
        assert!(items(&list).is_empty());
    });
}

/// How many files a files directory holds, at any depth.
fn files_under(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                let p = e.path();
                if p.is_dir() { files_under(&p) } else { 1 }
            })
            .sum()
    })
}
