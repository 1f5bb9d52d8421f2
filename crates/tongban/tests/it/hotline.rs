//! The 12345 hotline through HTTP, on both stores: a ticket through dispatch, return,
//! re-dispatch, reply, callback, reopening and closing; the return window; merging duplicates;
//! the business-environment line; who sees the caller; the per-unit indicators.

use crate::harness::flows::*;
use crate::harness::{TestApp, backends};
use serde_json::{Value, json};

#[test]
fn a_ticket_through_dispatch_return_redispatch_reply_callback_and_reopening() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let [operator, cjj, np, scj] =
            people(&app, ["operator", "clerk.cjj", "clerk.np", "clerk.scj"]);
        app.set_now("2026-11-02 09:00");
        let take_call = |body: Value| post_as(&app, &operator, "/api/v1/hotline/tickets", body);
        let mut bad = complaint("路灯");
        bad["location"] = json!({});
        bad["street"] = json!("XH-NOPE");
        let r = take_call(bad);
        assert_eq!(r.status, 422);
        assert_eq!(error_fields(&r), ["location", "street"]);

        let t = created(take_call(complaint("小区门口路灯不亮，晚上很危险")));
        let id = t["id"].as_str().unwrap().to_string();
        assert_eq!(t["source"], "phone");
        assert_eq!(t["suggestions"][0]["code"], "street-light", "{t}");
        assert_eq!(t["suggestions"][0]["lead"], "XH-CJJ");

        // Dispatched to the suggested unit, which sees the matter but not the confidential caller.
        let t = ok(ticket_act(
            &app,
            &operator,
            &id,
            json!({"action": "dispatch", "lead": "XH-CJJ"}),
        ));
        assert_eq!(
            t["dispatches"][0]["reply_due"], "2026-11-09",
            "complaints: 5 working days"
        );
        let ticket = format!("/api/v1/hotline/tickets/{id}");
        let seen = ok(get_as(&app, &cjj, &ticket));
        assert_eq!(seen["caller"]["name"], "（保密）");
        assert_eq!(seen["caller"]["phone"], "");
        assert_eq!(get_as(&app, &scj, &ticket).status, 404);
        let elsewhere = json!({"action": "dispatch", "lead": "XH-GA"});
        assert_eq!(ticket_act(&app, &cjj, &id, elsewhere).status, 409);

        // Not theirs: returned within 2 working days; the office re-dispatches to the street.
        app.set_now("2026-11-03 10:00");
        let t = ok(ticket_act(
            &app,
            &cjj,
            &id,
            json!({"action": "return", "reason": "小区内路灯由物业和街道管理"}),
        ));
        assert_eq!(t["state"], "returned");
        let t = ok(ticket_act(
            &app,
            &operator,
            &id,
            json!({"action": "redispatch", "lead": "XH-NP", "assisting": ["XH-CJJ"]}),
        ));
        assert_eq!(t["returns"][0]["outcome"], "redispatched");
        let queued = |who: &Who| {
            let queue = get_as(&app, who, "/api/v1/hotline/tickets").json();
            any_of(&queue["items"], |t| t["id"] == id.as_str())
        };
        assert!(queued(&np));
        assert!(queued(&cjj), "assisting units see it");
        assert_eq!(
            ticket_act(&app, &cjj, &id, json!({"action": "reply", "text": "x"})).status,
            403,
            "assisting units do not reply"
        );

        // Reply; the callback finds it not fixed: reopened to the same unit.
        app.set_now("2026-11-04 10:00");
        let unit_and_office = (&np, &operator);
        let not_fixed = (false, "来电人反映仍不亮");
        let t = reply_and_call_back(&app, unit_and_office, &id, "已联系物业更换灯泡", not_fixed);
        assert_eq!(t["state"], "dispatched");
        assert_eq!(t["reopened"], 1);
        app.set_now("2026-11-05 10:00");
        let fixed = (true, "来电人满意");
        let t = reply_and_call_back(&app, unit_and_office, &id, "已更换线路，路灯恢复", fixed);
        assert_eq!(t["state"], "closed");

        // A duplicate merges into an open ticket, not a closed one.
        let [first, dup] = ["夜间施工噪音扰民", "又是夜间施工噪音"].map(|matter| {
            created(take_call(complaint(matter)))["id"]
                .as_str()
                .unwrap()
                .to_string()
        });
        let merge_into = |into: &str| {
            ticket_act(
                &app,
                &operator,
                &dup,
                json!({"action": "merge_into", "ticket": into}),
            )
        };
        assert_eq!(merge_into(&id).status, 422);
        let t = ok(merge_into(&first));
        assert_eq!(t["state"], "merged");
        let f = ok(get_as(
            &app,
            &operator,
            &format!("/api/v1/hotline/tickets/{first}"),
        ));
        assert_eq!(f["merged"], json!([dup]));

        // Returning after the window is refused, naming the rule.
        ok(ticket_act(
            &app,
            &operator,
            &first,
            json!({"action": "dispatch", "lead": "XH-GA"}),
        ));
        let ga = Who::new(&app, "clerk.ga");
        app.set_now("2026-11-10 10:00");
        let r = ticket_act(
            &app,
            &ga,
            &first,
            json!({"action": "return", "reason": "不是我们的"}),
        );
        assert_eq!(r.status, 409);
        assert_eq!(r.json()["errors"][0]["code"], "return_window_passed");

        // Indicators from the records.
        let ind = app.get("/api/v1/indicators/hotline").json();
        let of_unit = |unit: &str| first_of(&ind["items"], |i| i["unit"] == unit).clone();
        let np_ind = of_unit("XH-NP");
        assert_eq!(np_ind["reopenings"], 1);
        assert_eq!(np_ind["satisfaction"]["value"], 0.5);
        assert_eq!(np_ind["on_time_reply"]["value"], 1.0);
        assert_eq!(of_unit("XH-CJJ")["returns"], 1);
        assert_audit_intact(&app);
    }
}

#[test]
fn enterprises_run_on_the_business_environment_line() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let [operator, company, citizen] = people(&app, ["operator", "company", "citizen"]);
        app.set_now("2026-11-02 09:00");
        let t = created(post_as(
            &app,
            &company,
            "/api/v1/hotline/tickets",
            json!({"category": "complaint", "matter": "办理审批时被要求重复提交已共享的材料",
                "location": {"address": "西湖区政务服务中心"}, "enterprise_uscc": "91360103MA39K2R741",
                "service_code": "business-environment"}),
        ));
        let id = t["id"].as_str().unwrap().to_string();
        assert_eq!(t["source"], "web");
        assert_eq!(t["business"], true);
        let t = ok(ticket_act(
            &app,
            &operator,
            &id,
            json!({"action": "dispatch", "lead": "XH-SPJ", "assisting": ["XH-YSB"]}),
        ));
        assert_eq!(
            t["dispatches"][0]["reply_due"], "2026-11-05",
            "the business line: 3 working days"
        );
        let total = |who: &Who, path: &str| get_as(&app, who, path).json()["meta"]["total"].clone();
        assert_eq!(total(&operator, "/api/v1/hotline/tickets?business=true"), 1);
        // The enterprise sees its own ticket; another person does not.
        assert_eq!(total(&company, "/api/v1/hotline/tickets"), 1);
        assert_eq!(total(&citizen, "/api/v1/hotline/tickets"), 0);
        let r = get_as(&app, &citizen, &format!("/api/v1/hotline/tickets/{id}"));
        assert_eq!(r.status, 404);
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
        let put_route =
            |who: &Who| app.json("PUT", "/api/v1/hotline/routes/parking", &who.h(), &route);
        assert_eq!(put_route(&company).status, 403);
        assert_eq!(put_route(&admin).status, 200);
        let s = app.get("/api/v1/hotline/suggest?matter=%E5%B0%8F%E5%8C%BA%E9%97%A8%E5%8F%A3%E5%8D%A0%E9%81%93%E5%81%9C%E8%BD%A6&category=complaint").json();
        assert_eq!(s["items"][0]["code"], "parking");
    }
}

fn form_post(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> crate::harness::Resp {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    app.raw_post(
        path,
        &[("content-type", "application/x-www-form-urlencoded")],
        body.into_bytes(),
    )
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// GeoReport v2 round trips in JSON and XML through HTTP, then the same API read by the
/// third-party `georeport` client from PyPI (skipped loudly when Python or the package is missing).
#[test]
fn open311_georeport_v2_in_json_and_xml() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let key = app.token_for("company");
        app.set_now("2026-11-02 09:00");
        // Errors are arrays of {code, description}, in the asked format.
        let r = form_post(
            &app,
            "/open311/v2/requests.json",
            &[
                ("service_code", "noise"),
                ("lat", "28.67"),
                ("long", "115.89"),
            ],
        );
        assert_eq!(r.status, 403);
        assert_eq!(r.json()[0]["code"], 403);
        let r = form_post(
            &app,
            "/open311/v2/requests.xml",
            &[("api_key", "wrong"), ("service_code", "noise")],
        );
        assert_eq!(r.status, 403);
        assert!(
            r.body.contains("<errors><error><code>403</code>"),
            "{}",
            r.body
        );
        let r = form_post(
            &app,
            "/open311/v2/requests.json",
            &[
                ("api_key", &key),
                ("service_code", ""),
                ("lat", "28.67"),
                ("long", "115.89"),
            ],
        );
        assert_eq!(r.status, 400, "an empty parameter counts as absent");
        let r = form_post(
            &app,
            "/open311/v2/requests.json",
            &[
                ("api_key", &key),
                ("service_code", "nope"),
                ("lat", "28.67"),
                ("long", "115.89"),
            ],
        );
        assert_eq!(r.status, 404);
        let r = form_post(
            &app,
            "/open311/v2/requests.json",
            &[("api_key", &key), ("service_code", "noise")],
        );
        assert_eq!(r.status, 400);
        assert!(
            r.json()[0]["description"]
                .as_str()
                .unwrap()
                .contains("location")
        );

        // A request from a client: api_key in the body; the service is realtime, so the answer
        // carries the id and no token (GeoReport v2 returns one or the other).
        let r = form_post(
            &app,
            "/open311/v2/requests.json",
            &[
                ("api_key", &key),
                ("service_code", "noise"),
                ("lat", "28.6712"),
                ("long", "115.8923"),
                ("description", "夜间施工噪音扰民"),
                ("first_name", "Lan"),
                ("phone", "13907910002"),
            ],
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.json()[0]["service_request_id"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(r.json()[0].get("token").is_none(), "{}", r.body);
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        // …and with the key in the query, in XML.
        let r = form_post(
            &app,
            &format!("/open311/v2/requests.xml?api_key={key}"),
            &[
                ("service_code", "street-light"),
                ("address_string", "西湖区朝阳中路88号"),
                ("attribute[category]", "help"),
            ],
        );
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(
            r.body.contains("<service_requests><request>")
                && r.body.contains("<service_request_id>H2026-"),
            "{}",
            r.body
        );

        // Reading back: one request as an array of one, dates with their offset, no caller.
        let one = app.get(&format!("/open311/v2/requests/{id}.json")).json();
        assert_eq!(one.as_array().unwrap().len(), 1);
        assert_eq!(one[0]["status"], "open");
        assert_eq!(one[0]["service_code"], "noise");
        assert_eq!(one[0]["lat"], 28.6712);
        assert!(
            one[0]["requested_datetime"]
                .as_str()
                .unwrap()
                .ends_with("+08:00")
        );
        assert!(
            !one.to_string().contains("13907910002"),
            "callers are never served"
        );
        let xml = app.get(&format!("/open311/v2/requests/{id}.xml")).body;
        assert!(
            xml.contains(&format!("<service_request_id>{id}</service_request_id>"))
                && xml.contains("<status>open</status>")
        );
        assert_eq!(
            app.get("/open311/v2/requests/H2000-000001.json").status,
            404
        );
        assert_eq!(app.get("/open311/v2/tokens/no-such-token.json").status, 404);

        // Once the office dispatches and closes it, Open311 says closed with the detail in notes.
        let [operator, ga] = people(&app, ["operator", "clerk.ga"]);
        ok(ticket_act(
            &app,
            &operator,
            &id,
            json!({"action": "dispatch", "lead": "XH-GA"}),
        ));
        let one = app.get(&format!("/open311/v2/requests/{id}.json")).json();
        assert!(
            one[0]["status_notes"]
                .as_str()
                .unwrap()
                .contains("dispatched")
        );
        assert!(
            one[0]["expected_datetime"]
                .as_str()
                .unwrap()
                .starts_with("2026-11-09T17:30:00+08:00")
        );
        let office = (&ga, &operator);
        reply_and_call_back(&app, office, &id, "已责令停止夜间施工", (true, "满意"));

        // Filters: status, service code, ids (overriding the rest), dates; empty ones ignored.
        let closed = app.get("/open311/v2/requests.json?status=closed").json();
        assert_eq!(closed.as_array().unwrap().len(), 1);
        assert_eq!(closed[0]["service_request_id"], id.as_str());
        let lights = app
            .get("/open311/v2/requests.json?service_code=street-light&status=")
            .json();
        assert_eq!(lights.as_array().unwrap().len(), 1);
        let both = app
            .get(&format!(
                "/open311/v2/requests.json?service_request_id={id},{}&status=open",
                lights[0]["service_request_id"].as_str().unwrap()
            ))
            .json();
        assert_eq!(both.as_array().unwrap().len(), 2);
        let future = app
            .get("/open311/v2/requests.json?start_date=2027-01-01T00:00:00Z")
            .json();
        assert!(future.as_array().unwrap().is_empty());
        assert_eq!(
            app.get("/open311/v2/requests.json?status=pending").status,
            400
        );

        // Discovery and services in both formats.
        let services = app.get("/open311/v2/services.json").json();
        assert!(
            services
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["service_code"] == "noise" && s["metadata"] == true)
        );
        let xml = app.get("/open311/v2/services.xml").body;
        assert!(
            xml.contains("<services><service>")
                && xml.contains("<service_code>noise</service_code>"),
            "{xml}"
        );
        let def = app.get("/open311/v2/services/noise.json").json();
        assert_eq!(def["attributes"][0]["code"], "category");
        assert!(
            app.get("/open311/v2/services/noise.xml")
                .body
                .contains("<attributes><attribute>")
        );
        assert_eq!(app.get("/open311/v2/services/nope.json").status, 404);
        assert!(
            app.get("/open311/v2/discovery.json").json()["endpoints"][0]["formats"]
                .as_array()
                .unwrap()
                .len()
                == 2
        );
        assert!(
            app.get("/open311/v2/discovery.xml")
                .body
                .contains("<format>application/json</format>")
        );

        // The third-party client, in JSON and XML.
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/open311/check.py");
        let has_client = std::process::Command::new("python3")
            .args(["-c", "import georeport"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !has_client {
            eprintln!(
                "\n!!!!!!!! OPEN311 THIRD-PARTY CLIENT SKIPPED: pip install -r tests/open311/requirements.txt !!!!!!!!\n"
            );
            continue;
        }
        let out = std::process::Command::new("python3")
            .args([script, &app.base, &id, "noise"])
            .output()
            .expect("python3 runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("open311 client: ok"),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The hotline pages without JavaScript: the operator takes a call, sees the suggestion and
/// dispatches; the unit sees the ticket without the confidential caller and replies.
#[test]
fn hotline_pages_as_plain_forms() {
    let app = TestApp::demo(&crate::harness::Backend::Sqlite);
    app.set_now("2026-11-02 09:00");
    let op = app.session("operator");
    let r = app.post_form(
        &op,
        "/hotline/new",
        &[("category", "help"), ("matter", ""), ("address", "")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("诉求内容"), "{}", r.body);
    let r = app.post_form(
        &op,
        "/hotline/new",
        &[
            ("category", "help"),
            ("matter", "小区楼道路灯不亮"),
            ("address", "南浦路12号"),
            ("street", "XH-NP"),
            ("caller_name", "赵六"),
            ("caller_phone", "13907910003"),
            ("confidential", "1"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page_path = r.header("location").unwrap().to_string();
    let act_path = format!("{page_path}/act");
    let page = app.page(&op, &page_path);
    assert!(page.body.contains("派单目录建议") && page.body.contains("赵六"));
    // The public's Open311 list shows the request, not a confidential caller's words or place.
    let ticket = page_path.trim_start_matches("/hotline/tickets/");
    let public = app
        .get(&format!("/open311/v2/requests/{ticket}.json"))
        .json();
    assert_eq!(public[0]["status"], "open");
    assert_eq!(public[0]["description"], "");
    let listed = app.get("/open311/v2/requests.json").body;
    assert!(
        listed.contains(ticket)
            && !listed.contains("小区楼道路灯不亮")
            && !listed.contains("南浦路12号"),
        "{listed}"
    );
    let dispatch = [("action", "dispatch"), ("lead", "XH-NP"), ("assisting", "")];
    let r = app.post_form(&op, &act_path, &dispatch);
    assert_eq!(r.status, 303, "{}", r.body);
    let np = app.session("clerk.np");
    let page = app.page(&np, &page_path);
    assert!(page.body.contains("（保密）") && !page.body.contains("13907910003"));
    let board = app.page(&np, "/hotline");
    assert!(board.body.contains(ticket));
    let r = app.post_form(
        &np,
        &act_path,
        &[("action", "reply"), ("text", "已安排物业维修")],
    );
    assert_eq!(r.status, 303);
    assert!(app.page(&op, &page_path).body.contains("已答复待回访"));

    // The office edits the routing catalog on its page, which also shows the indicators.
    let routes = app.page(&op, "/hotline/routes");
    assert!(routes.body.contains("street-light") && routes.body.contains("hotline-indicators"));
    let r = app.post_form(
        &op,
        "/hotline/routes",
        &[
            ("code", "Bad Code"),
            ("name", "x"),
            ("category", "help"),
            ("keywords", ""),
            ("lead", "XH-NOPE"),
        ],
    );
    assert_eq!(r.status, 422);
    let r = app.post_form(
        &op,
        "/hotline/routes",
        &[
            ("code", "pets"),
            ("name", "宠物扰民"),
            ("category", "complaint"),
            ("keywords", "狗、宠物"),
            ("lead", "XH-GA"),
            ("assisting", "XH-NP"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(app.get("/api/v1/hotline/routes").body.contains("宠物扰民"));
    assert_eq!(app.page(&np, "/hotline/routes").status, 403);
}
