//! 好差评 through HTTP, on both stores: a bad online rating through rectification, appeal,
//! re-examination and callback; a window visit rated from its code without an account, removed
//! on appeal; the rating window; the public statistics; who sees the rater.

use crate::harness::flows::*;
use crate::harness::{TestApp, backends};
use serde_json::json;

fn online(overall: &str) -> serde_json::Value {
    json!({"scores": {"overall": overall, "efficiency": overall, "guide_accuracy": "satisfied",
        "convenience": "satisfied", "platform_usability": "satisfied"}})
}

#[test]
fn a_bad_rating_through_rectification_appeal_reexamination_and_callback() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let (company, citizen) = (Who::new(&app, "company"), Who::new(&app, "citizen"));
        let (clerk, approver) = (Who::new(&app, "clerk.spj"), Who::new(&app, "approver.spj"));
        let supervisor = Who::new(&app, "supervisor");
        app.set_now("2026-11-02 09:00");
        let early = submitted(&app, &company);
        let r = app.json(
            "POST",
            &format!("/api/v1/cases/{early}/rating"),
            &company.h(),
            &online("satisfied"),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["code"], "not_served_yet");
        let id = issued_case(&app, &company, &clerk, &approver);
        let path = format!("/api/v1/cases/{id}/rating");
        // No one rates what they did not receive; the indicators are checked.
        assert_eq!(
            app.json("POST", &path, &citizen.h(), &online("satisfied"))
                .status,
            404
        );
        let r = app.json(
            "POST",
            &path,
            &company.h(),
            &json!({"scores": {"overall": "satisfied", "attitude": "satisfied"}}),
        );
        assert_eq!(r.status, 422);
        // A real-name bad rating with a demand: a ticket due in one working day.
        app.set_now("2026-11-03 10:00");
        let mut bad = online("very_dissatisfied");
        bad["comment"] = json!("窗口反复要求提交已共享的营业执照");
        bad["demand"] = json!("请说明为何要求重复提交材料");
        bad["real_name"] = json!({"name": "李四", "phone": "13800138000"});
        let r = app.json("POST", &path, &company.h(), &bad);
        assert_eq!(r.status, 201, "{}", r.body);
        let ticket = r.json()["item"]["rectification"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            app.json("POST", &path, &company.h(), &online("satisfied"))
                .status,
            409,
            "one rating per case"
        );

        // The unit sees the demand, not who gave it; the office sees the phone for the callback.
        let t = ok(app.get_with(&format!("/api/v1/rectifications/{ticket}"), &clerk.h()));
        assert_eq!(t["urgent"], true);
        assert_eq!(t["due"], "2026-11-04");
        assert_eq!(t["rating"]["real_name"]["name"], "李*");
        assert_eq!(t["rating"]["real_name"]["phone"], "138****8000");
        assert!(t["rating"].get("rater").is_none());
        let t = ok(app.get_with(&format!("/api/v1/rectifications/{ticket}"), &supervisor.h()));
        assert_eq!(t["rating"]["real_name"]["phone"], "13800138000");
        let other = Who::new(&app, "clerk.scj");
        assert_eq!(
            app.get_with(&format!("/api/v1/rectifications/{ticket}"), &other.h())
                .status,
            404
        );

        // The unit appeals; the supervisor upholds; the unit rectifies; the office calls back.
        let actp = format!("/api/v1/rectifications/{ticket}/actions");
        let r = app.json(
            "POST",
            &actp,
            &clerk.h(),
            &json!({"action": "appeal", "ground": "mistaken", "reason": "申请人未注意共享提示"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            app.json(
                "POST",
                &actp,
                &clerk.h(),
                &json!({"action": "reexamine", "remove": true, "decision": "x"})
            )
            .status,
            409
        );
        let r = app.json(
            "POST",
            &actp,
            &supervisor.h(),
            &json!({"action": "reexamine", "remove": false, "decision": "材料确已共享，评价属实"}),
        );
        assert_eq!(ok(r)["state"], "open");
        assert_eq!(
            app.json(
                "POST",
                &actp,
                &clerk.h(),
                &json!({"action": "appeal", "ground": "malicious", "reason": "再诉"})
            )
            .status,
            409,
            "one appeal"
        );
        app.set_now("2026-11-04 11:00");
        let r = app.json("POST", &actp, &clerk.h(), &json!({"action": "rectify", "remedy": "fixed", "action_taken": "已向申请人说明并改进共享材料提示"}));
        assert_eq!(ok(r)["state"], "rectified");
        assert_eq!(
            app.json(
                "POST",
                &actp,
                &clerk.h(),
                &json!({"action": "call_back", "satisfied": true, "note": "x"})
            )
            .status,
            409,
            "the office calls back"
        );
        let r = app.json(
            "POST",
            &actp,
            &supervisor.h(),
            &json!({"action": "call_back", "satisfied": true, "note": "电话回访，申请人表示满意"}),
        );
        assert_eq!(ok(r)["state"], "closed");
        let trail = app
            .get_with(
                &format!("/api/v1/audit?entity=rectification&entity_id={ticket}"),
                &supervisor.h(),
            )
            .json();
        let actions: Vec<&str> = trail["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for a in [
            "rectification.open",
            "rectification.appeal",
            "rectification.reexamine",
            "rectification.rectify",
            "rectification.call_back",
        ] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }

        // Public statistics: one service, one bad rating, rectified on time, callback satisfied.
        let s = ok(app.get("/api/v1/reviews/stats?unit=XH-SPJ"));
        assert_eq!(s["services"], 1);
        assert_eq!(s["good_rate"]["value"], 0.0);
        assert_eq!(s["unrated_rate"]["value"], 0.0);
        assert_eq!(s["rectified_on_time"]["value"], 1.0);
        assert_eq!(s["callback_satisfaction"]["value"], 1.0);
        assert!(
            crate::harness::runtime()
                .block_on(app.store.verify_audit())
                .unwrap()
                .is_ok()
        );
    }
}

#[test]
fn a_window_visit_is_rated_from_its_code_and_a_malicious_rating_removed_on_appeal() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let clerk = Who::new(&app, "clerk.spj");
        let supervisor = Who::new(&app, "supervisor");
        app.set_now("2026-11-02 09:00");
        // The office sets its deadline for ordinary bad ratings.
        assert_eq!(
            app.get("/api/v1/reviews/settings").json()["item"]["office_rectify_days"],
            5
        );
        let three = json!({"office_rectify_days": 3});
        assert_eq!(
            app.json("PUT", "/api/v1/reviews/settings", &clerk.h(), &three)
                .status,
            403
        );
        assert_eq!(
            app.json(
                "PUT",
                "/api/v1/reviews/settings",
                &supervisor.h(),
                &json!({"office_rectify_days": 0})
            )
            .status,
            422
        );
        ok(app.json("PUT", "/api/v1/reviews/settings", &supervisor.h(), &three));
        let r = app.json(
            "POST",
            "/api/v1/visits",
            &clerk.h(),
            &json!({"item_code": "XH-SPJ-000101001000"}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let v = r.json()["item"].clone();
        assert_eq!(v["ticket"], "A001");
        let token = v["token"].as_str().unwrap().to_string();
        // Applicants cannot record visits.
        let company = Who::new(&app, "company");
        assert_eq!(
            app.json("POST", "/api/v1/visits", &company.h(), &json!({}))
                .status,
            403
        );

        // Anyone holding the code rates, without an account; the offline indicators apply.
        let path = format!("/api/v1/visits/{token}/rating");
        let r = app.json(
            "POST",
            &path,
            &[],
            &json!({"scores": {"overall": "dissatisfied"}}),
        );
        assert_eq!(r.status, 422);
        let bad = json!({"scores": {"overall": "dissatisfied", "efficiency": "dissatisfied", "service_level": "basic", "attitude": "dissatisfied"}, "comment": "差"});
        let r = app.json("POST", &path, &[], &bad);
        assert_eq!(r.status, 201, "{}", r.body);
        let ticket = r.json()["item"]["rectification"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            app.json("POST", &path, &[], &bad).status,
            409,
            "one rating per visit"
        );
        let t = ok(app.get_with(&format!("/api/v1/rectifications/{ticket}"), &clerk.h()));
        assert_eq!(t["urgent"], false);
        assert_eq!(t["due"], "2026-11-05", "the office's three working days");
        let actp = format!("/api/v1/rectifications/{ticket}/actions");
        ok(app.json("POST", &actp, &clerk.h(), &json!({"action": "appeal", "ground": "malicious", "reason": "监控显示评价人未在窗口办理业务"})));
        let r = app.json("POST", &actp, &supervisor.h(), &json!({"action": "reexamine", "remove": true, "decision": "经核查系恶意差评，予以撤销"}));
        assert_eq!(ok(r)["state"], "closed");
        let s = ok(app.get("/api/v1/reviews/stats?unit=XH-SPJ"));
        assert_eq!(s["ratings"], 0, "removed ratings are not counted");
        assert_eq!(s["services"], 1);

        // Five working days after the service, the code no longer rates.
        let r = app.json("POST", "/api/v1/visits", &clerk.h(), &json!({}));
        let late = r.json()["item"]["token"].as_str().unwrap().to_string();
        app.set_now("2026-11-10 09:00");
        let good = json!({"scores": {"overall": "satisfied", "efficiency": "satisfied", "service_level": "satisfied", "attitude": "satisfied"}});
        let r = app.json("POST", &format!("/api/v1/visits/{late}/rating"), &[], &good);
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["errors"][0]["code"], "rating_window_passed");

        // The pages: the window shows the code; the pad rates without an account.
        app.set_now("2026-11-10 10:00");
        let (cookie, csrf) = app.login("clerk.spj", "clerk-spj-demo-2026");
        let r = app.form("/window", &cookie, &[("csrf", &csrf)]);
        assert_eq!(r.status, 303);
        let page = app.get_with(r.header("location").unwrap(), &[("cookie", &cookie)]);
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
