//! The 12345 hotline through HTTP, on both stores: a ticket through dispatch, return,
//! re-dispatch, reply, callback, reopening and closing; the return window; merging duplicates;
//! the business-environment line; who sees the caller; the per-unit indicators.

use crate::cases::{Who, ok};
use crate::harness::{TestApp, backends};
use serde_json::{Value, json};

fn act(app: &TestApp, who: &Who, id: &str, body: Value) -> crate::harness::Resp {
    app.json(
        "POST",
        &format!("/api/v1/hotline/tickets/{id}/actions"),
        &who.h(),
        &body,
    )
}

fn created(r: crate::harness::Resp) -> Value {
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["item"].clone()
}

fn complaint(matter: &str) -> Value {
    json!({"category": "complaint", "matter": matter,
        "caller": {"name": "王五", "phone": "13907910002", "confidential": true},
        "location": {"address": "西湖区朝阳中路88号小区门口"}, "street": "XH-NP"})
}

#[test]
fn a_ticket_through_dispatch_return_redispatch_reply_callback_and_reopening() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let operator = Who::new(&app, "operator");
        let (cjj, np, scj) = (
            Who::new(&app, "clerk.cjj"),
            Who::new(&app, "clerk.np"),
            Who::new(&app, "clerk.scj"),
        );
        app.set_now("2026-11-02 09:00");
        let mut bad = complaint("路灯");
        bad["location"] = json!({});
        bad["street"] = json!("XH-NOPE");
        let r = app.json("POST", "/api/v1/hotline/tickets", &operator.h(), &bad);
        assert_eq!(r.status, 422);
        let problem = r.json();
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["location", "street"]);

        let r = app.json(
            "POST",
            "/api/v1/hotline/tickets",
            &operator.h(),
            &complaint("小区门口路灯不亮，晚上很危险"),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let t = r.json()["item"].clone();
        let id = t["id"].as_str().unwrap().to_string();
        assert_eq!(t["source"], "phone");
        assert_eq!(t["suggestions"][0]["code"], "street-light", "{t}");
        assert_eq!(t["suggestions"][0]["lead"], "XH-CJJ");

        // Dispatched to the suggested unit, which sees the matter but not the confidential caller.
        let t = ok(act(
            &app,
            &operator,
            &id,
            json!({"action": "dispatch", "lead": "XH-CJJ"}),
        ));
        assert_eq!(
            t["dispatches"][0]["reply_due"], "2026-11-09",
            "complaints: 5 working days"
        );
        let seen = ok(app.get_with(&format!("/api/v1/hotline/tickets/{id}"), &cjj.h()));
        assert_eq!(seen["caller"]["name"], "（保密）");
        assert_eq!(seen["caller"]["phone"], "");
        assert_eq!(
            app.get_with(&format!("/api/v1/hotline/tickets/{id}"), &scj.h())
                .status,
            404
        );
        assert_eq!(
            act(
                &app,
                &cjj,
                &id,
                json!({"action": "dispatch", "lead": "XH-GA"})
            )
            .status,
            409
        );

        // Not theirs: returned within 2 working days; the office re-dispatches to the street.
        app.set_now("2026-11-03 10:00");
        let t = ok(act(
            &app,
            &cjj,
            &id,
            json!({"action": "return", "reason": "小区内路灯由物业和街道管理"}),
        ));
        assert_eq!(t["state"], "returned");
        let t = ok(act(
            &app,
            &operator,
            &id,
            json!({"action": "redispatch", "lead": "XH-NP", "assisting": ["XH-CJJ"]}),
        ));
        assert_eq!(t["returns"][0]["outcome"], "redispatched");
        let queue = app.get_with("/api/v1/hotline/tickets", &np.h()).json();
        assert!(
            queue["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["id"] == id.as_str())
        );
        let queue = app.get_with("/api/v1/hotline/tickets", &cjj.h()).json();
        assert!(
            queue["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["id"] == id.as_str()),
            "assisting units see it"
        );
        assert_eq!(
            act(&app, &cjj, &id, json!({"action": "reply", "text": "x"})).status,
            403,
            "assisting units do not reply"
        );

        // Reply; the callback finds it not fixed: reopened to the same unit.
        app.set_now("2026-11-04 10:00");
        ok(act(
            &app,
            &np,
            &id,
            json!({"action": "reply", "text": "已联系物业更换灯泡"}),
        ));
        let t = ok(act(
            &app,
            &operator,
            &id,
            json!({"action": "call_back", "satisfied": false, "note": "来电人反映仍不亮"}),
        ));
        assert_eq!(t["state"], "dispatched");
        assert_eq!(t["reopened"], 1);
        app.set_now("2026-11-05 10:00");
        ok(act(
            &app,
            &np,
            &id,
            json!({"action": "reply", "text": "已更换线路，路灯恢复"}),
        ));
        let t = ok(act(
            &app,
            &operator,
            &id,
            json!({"action": "call_back", "satisfied": true, "note": "来电人满意"}),
        ));
        assert_eq!(t["state"], "closed");

        // A duplicate merges into an open ticket, not a closed one.
        let first = created(app.json(
            "POST",
            "/api/v1/hotline/tickets",
            &operator.h(),
            &complaint("夜间施工噪音扰民"),
        ))["id"]
            .as_str()
            .unwrap()
            .to_string();
        let dup = created(app.json(
            "POST",
            "/api/v1/hotline/tickets",
            &operator.h(),
            &complaint("又是夜间施工噪音"),
        ))["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            act(
                &app,
                &operator,
                &dup,
                json!({"action": "merge_into", "ticket": id})
            )
            .status,
            422
        );
        let t = ok(act(
            &app,
            &operator,
            &dup,
            json!({"action": "merge_into", "ticket": first}),
        ));
        assert_eq!(t["state"], "merged");
        let f = ok(app.get_with(&format!("/api/v1/hotline/tickets/{first}"), &operator.h()));
        assert_eq!(f["merged"], json!([dup]));

        // Returning after the window is refused, naming the rule.
        ok(act(
            &app,
            &operator,
            &first,
            json!({"action": "dispatch", "lead": "XH-GA"}),
        ));
        let ga = Who::new(&app, "clerk.ga");
        app.set_now("2026-11-10 10:00");
        let r = act(
            &app,
            &ga,
            &first,
            json!({"action": "return", "reason": "不是我们的"}),
        );
        assert_eq!(r.status, 409);
        assert_eq!(r.json()["errors"][0]["code"], "return_window_passed");

        // Indicators from the records.
        let ind = app.get("/api/v1/indicators/hotline").json();
        let np_ind = ind["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["unit"] == "XH-NP")
            .unwrap()
            .clone();
        assert_eq!(np_ind["reopenings"], 1);
        assert_eq!(np_ind["satisfaction"]["value"], 0.5);
        assert_eq!(np_ind["on_time_reply"]["value"], 1.0);
        let cjj_ind = ind["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["unit"] == "XH-CJJ")
            .unwrap()
            .clone();
        assert_eq!(cjj_ind["returns"], 1);
        assert!(
            crate::harness::runtime()
                .block_on(app.store.verify_audit())
                .unwrap()
                .is_ok()
        );
    }
}

#[test]
fn enterprises_run_on_the_business_environment_line() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let operator = Who::new(&app, "operator");
        let company = Who::new(&app, "company");
        let citizen = Who::new(&app, "citizen");
        app.set_now("2026-11-02 09:00");
        let r = app.json(
            "POST",
            "/api/v1/hotline/tickets",
            &company.h(),
            &json!({"category": "complaint", "matter": "办理审批时被要求重复提交已共享的材料",
                "location": {"address": "西湖区政务服务中心"}, "enterprise_uscc": "91360103MA39K2R741",
                "service_code": "business-environment"}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let t = r.json()["item"].clone();
        let id = t["id"].as_str().unwrap().to_string();
        assert_eq!(t["source"], "web");
        assert_eq!(t["business"], true);
        let t = ok(act(
            &app,
            &operator,
            &id,
            json!({"action": "dispatch", "lead": "XH-SPJ", "assisting": ["XH-YSB"]}),
        ));
        assert_eq!(
            t["dispatches"][0]["reply_due"], "2026-11-05",
            "the business line: 3 working days"
        );
        let board = app
            .get_with("/api/v1/hotline/tickets?business=true", &operator.h())
            .json();
        assert_eq!(board["meta"]["total"], 1);
        // The enterprise sees its own ticket; another person does not.
        assert_eq!(
            app.get_with("/api/v1/hotline/tickets", &company.h()).json()["meta"]["total"],
            1
        );
        assert_eq!(
            app.get_with("/api/v1/hotline/tickets", &citizen.h()).json()["meta"]["total"],
            0
        );
        assert_eq!(
            app.get_with(&format!("/api/v1/hotline/tickets/{id}"), &citizen.h())
                .status,
            404
        );
        // Unknown service codes and bad parameters are named.
        let r = app.json("POST", "/api/v1/hotline/tickets", &company.h(),
            &json!({"category": "help", "matter": "x", "location": {"lat": 28.67, "long": 115.89}, "service_code": "nope"}));
        assert_eq!(r.status, 422);
        assert_eq!(
            app.get_with("/api/v1/hotline/tickets?state=bogus", &operator.h())
                .status,
            422
        );
        // The office edits the routing catalog.
        let admin = Who::new(&app, "admin");
        let route = json!({"code": "parking", "name": "停车管理", "category": "complaint", "keywords": ["停车", "占道"], "lead": "XH-GA", "assisting": []});
        assert_eq!(
            app.json(
                "PUT",
                "/api/v1/hotline/routes/parking",
                &company.h(),
                &route
            )
            .status,
            403
        );
        assert_eq!(
            app.json("PUT", "/api/v1/hotline/routes/parking", &admin.h(), &route)
                .status,
            200
        );
        let s = app.get("/api/v1/hotline/suggest?matter=%E5%B0%8F%E5%8C%BA%E9%97%A8%E5%8F%A3%E5%8D%A0%E9%81%93%E5%81%9C%E8%BD%A6&category=complaint").json();
        assert_eq!(s["items"][0]["code"], "parking");
    }
}
