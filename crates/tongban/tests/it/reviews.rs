//! 好差评 through HTTP, on both stores: a bad online rating through rectification, appeal,
//! re-examination and callback; a window visit rated from its code without an account, removed
//! on appeal; the rating window; the public statistics; who sees the rater.

use crate::harness::flows::*;
use crate::harness::{TestApp, backends};
use serde_json::{Value, json};

/// A rectification ticket as `who` sees it.
fn rectification(app: &TestApp, who: &Who, ticket: &str) -> crate::harness::Resp {
    get_as(app, who, &format!("/api/v1/rectifications/{ticket}"))
}

/// An action on a rectification ticket.
fn rectify_act(app: &TestApp, who: &Who, ticket: &str, body: Value) -> crate::harness::Resp {
    post_as(
        app,
        who,
        &format!("/api/v1/rectifications/{ticket}/actions"),
        body,
    )
}

#[test]
fn a_bad_rating_through_rectification_appeal_reexamination_and_callback() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let [company, citizen, clerk, approver, supervisor] = people(
            &app,
            [
                "company",
                "citizen",
                "clerk.spj",
                "approver.spj",
                "supervisor",
            ],
        );
        app.set_now("2026-11-02 09:00");
        let early = submitted(&app, &company);
        let r = rate_case(&app, &company, &early, online_rating("satisfied"));
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["code"], "not_served_yet");
        let id = issued_case(&app, &company, &clerk, &approver);
        // No one rates what they did not receive; the indicators are checked.
        let r = rate_case(&app, &citizen, &id, online_rating("satisfied"));
        assert_eq!(r.status, 404);
        let wrong = json!({"scores": {"overall": "satisfied", "attitude": "satisfied"}});
        assert_eq!(rate_case(&app, &company, &id, wrong).status, 422);
        // A real-name bad rating with a demand: a ticket due in one working day.
        app.set_now("2026-11-03 10:00");
        let mut bad = online_rating("very_dissatisfied");
        bad["comment"] = json!("窗口反复要求提交已共享的营业执照");
        bad["demand"] = json!("请说明为何要求重复提交材料");
        bad["real_name"] = json!({"name": "李四", "phone": "13800138000"});
        let rated = created(rate_case(&app, &company, &id, bad));
        let ticket = rated["rectification"].as_str().unwrap().to_string();
        assert_eq!(
            rate_case(&app, &company, &id, online_rating("satisfied")).status,
            409,
            "one rating per case"
        );

        // The unit sees the demand, not who gave it; the office sees the phone for the callback.
        let t = ok(rectification(&app, &clerk, &ticket));
        assert_eq!(t["urgent"], true);
        assert_eq!(t["due"], "2026-11-04");
        assert_eq!(t["rating"]["real_name"]["name"], "李*");
        assert_eq!(t["rating"]["real_name"]["phone"], "138****8000");
        assert!(t["rating"].get("rater").is_none());
        let t = ok(rectification(&app, &supervisor, &ticket));
        assert_eq!(t["rating"]["real_name"]["phone"], "13800138000");
        let other = Who::new(&app, "clerk.scj");
        assert_eq!(rectification(&app, &other, &ticket).status, 404);

        // The unit appeals; the supervisor upholds; the unit rectifies; the office calls back.
        let rect = |who: &Who, body: Value| rectify_act(&app, who, &ticket, body);
        let appeal =
            json!({"action": "appeal", "ground": "mistaken", "reason": "申请人未注意共享提示"});
        let r = rect(&clerk, appeal);
        assert_eq!(r.status, 200, "{}", r.body);
        let by_unit = json!({"action": "reexamine", "remove": true, "decision": "x"});
        assert_eq!(rect(&clerk, by_unit).status, 409);
        let uphold =
            json!({"action": "reexamine", "remove": false, "decision": "材料确已共享，评价属实"});
        assert_eq!(ok(rect(&supervisor, uphold))["state"], "open");
        let second = json!({"action": "appeal", "ground": "malicious", "reason": "再诉"});
        assert_eq!(rect(&clerk, second).status, 409, "one appeal");
        app.set_now("2026-11-04 11:00");
        let r = rect(
            &clerk,
            json!({"action": "rectify", "remedy": "fixed", "action_taken": "已向申请人说明并改进共享材料提示"}),
        );
        assert_eq!(ok(r)["state"], "rectified");
        let call_back =
            |note: &str| json!({"action": "call_back", "satisfied": true, "note": note});
        assert_eq!(
            rect(&clerk, call_back("x")).status,
            409,
            "the office calls back"
        );
        let r = rect(&supervisor, call_back("电话回访，申请人表示满意"));
        assert_eq!(ok(r)["state"], "closed");
        assert_includes(
            &audit_actions(&app, &supervisor, "rectification", &ticket),
            &[
                "rectification.open",
                "rectification.appeal",
                "rectification.reexamine",
                "rectification.rectify",
                "rectification.call_back",
            ],
        );

        // Public statistics: one service, one bad rating, rectified on time, callback satisfied.
        let s = ok(app.get("/api/v1/reviews/stats?unit=XH-SPJ"));
        assert_eq!(s["services"], 1);
        assert_eq!(s["good_rate"]["value"], 0.0);
        assert_eq!(s["unrated_rate"]["value"], 0.0);
        assert_eq!(s["rectified_on_time"]["value"], 1.0);
        assert_eq!(s["callback_satisfaction"]["value"], 1.0);
        assert_audit_intact(&app);
    }
}

#[test]
fn a_window_visit_is_rated_from_its_code_and_a_malicious_rating_removed_on_appeal() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let [clerk, supervisor] = people(&app, ["clerk.spj", "supervisor"]);
        app.set_now("2026-11-02 09:00");
        // The office sets its deadline for ordinary bad ratings.
        assert_eq!(
            app.get("/api/v1/reviews/settings").json()["item"]["office_rectify_days"],
            5
        );
        let settings = |who: &Who, days: u32| {
            let body = json!({ "office_rectify_days": days });
            app.json("PUT", "/api/v1/reviews/settings", &who.h(), &body)
        };
        assert_eq!(settings(&clerk, 3).status, 403);
        assert_eq!(settings(&supervisor, 0).status, 422);
        ok(settings(&supervisor, 3));
        let v = created(post_as(
            &app,
            &clerk,
            "/api/v1/visits",
            json!({"item_code": "XH-SPJ-000101001000"}),
        ));
        assert_eq!(v["ticket"], "A001");
        let token = v["token"].as_str().unwrap().to_string();
        // Applicants cannot record visits.
        let company = Who::new(&app, "company");
        let r = post_as(&app, &company, "/api/v1/visits", json!({}));
        assert_eq!(r.status, 403);

        // Anyone holding the code rates, without an account; the offline indicators apply.
        let rate_visit = |token: &str, rating: &Value| {
            app.json(
                "POST",
                &format!("/api/v1/visits/{token}/rating"),
                &[],
                rating,
            )
        };
        let r = rate_visit(&token, &json!({"scores": {"overall": "dissatisfied"}}));
        assert_eq!(r.status, 422);
        let bad = json!({"scores": {"overall": "dissatisfied", "efficiency": "dissatisfied", "service_level": "basic", "attitude": "dissatisfied"}, "comment": "差"});
        let rated = created(rate_visit(&token, &bad));
        let ticket = rated["rectification"].as_str().unwrap().to_string();
        assert_eq!(rate_visit(&token, &bad).status, 409, "one rating per visit");
        let t = ok(rectification(&app, &clerk, &ticket));
        assert_eq!(t["urgent"], false);
        assert_eq!(t["due"], "2026-11-05", "the office's three working days");
        ok(rectify_act(
            &app,
            &clerk,
            &ticket,
            json!({"action": "appeal", "ground": "malicious", "reason": "监控显示评价人未在窗口办理业务"}),
        ));
        let r = rectify_act(
            &app,
            &supervisor,
            &ticket,
            json!({"action": "reexamine", "remove": true, "decision": "经核查系恶意差评，予以撤销"}),
        );
        assert_eq!(ok(r)["state"], "closed");
        let s = ok(app.get("/api/v1/reviews/stats?unit=XH-SPJ"));
        assert_eq!(s["ratings"], 0, "removed ratings are not counted");
        assert_eq!(s["services"], 1);

        // Five working days after the service, the code no longer rates.
        let r = post_as(&app, &clerk, "/api/v1/visits", json!({}));
        let late = r.json()["item"]["token"].as_str().unwrap().to_string();
        app.set_now("2026-11-10 09:00");
        let good = json!({"scores": {"overall": "satisfied", "efficiency": "satisfied", "service_level": "satisfied", "attitude": "satisfied"}});
        let r = rate_visit(&late, &good);
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["errors"][0]["code"], "rating_window_passed");

        // The pages: the window shows the code; the pad rates without an account.
        app.set_now("2026-11-10 10:00");
        let window = app.session("clerk.spj");
        let r = app.post_form(&window, "/window", &[]);
        assert_eq!(r.status, 303);
        let page = app.page(&window, r.header("location").unwrap());
        assert!(
            page.body.contains("<svg") && page.body.contains("/rate/"),
            "QR code shown"
        );
        let start = page.body.find("href=\"/rate/").unwrap() + 6;
        let rate_path = page.body[start..].split('"').next().unwrap().to_string();
        let pad = app.get(&rate_path);
        assert_eq!(pad.status, 200);
        let pre = pad.cookie("tongban_csrf").unwrap();
        let form_csrf = pad.hidden("csrf").unwrap();
        let r = app.form(
            &rate_path,
            &format!("tongban_csrf={pre}"),
            &[
                ("csrf", &form_csrf),
                ("score_overall", "very_satisfied"),
                ("score_efficiency", "very_satisfied"),
                ("score_service_level", "satisfied"),
                ("score_attitude", "very_satisfied"),
            ],
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("感谢"));
    }
}
