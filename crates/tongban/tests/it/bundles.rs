//! Bundles through HTTP, on both stores: a company start-up bundle from the one form to the
//! issued 统一社会信用代码 and every part done, a licence refused (the rest cancelled, nothing
//! orphaned), a withdrawal, the name check and who may see what.

use crate::harness::{TestApp, backends};
use serde_json::{Value, json};
use std::collections::HashMap;

struct Staff {
    auth: HashMap<&'static str, String>,
}

const STAFF: [(&str, &str); 14] = [
    ("XH-SPJ", "clerk.spj"),
    ("XH-SPJ", "approver.spj"),
    ("XH-GA", "clerk.ga"),
    ("XH-GA", "approver.ga"),
    ("XH-SWJ", "clerk.swj"),
    ("XH-SWJ", "approver.swj"),
    ("XH-RSJ", "clerk.rsj"),
    ("XH-RSJ", "approver.rsj"),
    ("XH-YBJ", "clerk.ybj"),
    ("XH-YBJ", "approver.ybj"),
    ("XH-GJJ", "clerk.gjj"),
    ("XH-GJJ", "approver.gjj"),
    ("", "citizen"),
    ("", "admin"),
];

impl Staff {
    fn new(app: &TestApp) -> Staff {
        Staff {
            auth: STAFF
                .iter()
                .map(|(_, u)| (*u, format!("Bearer {}", app.token_for(u))))
                .collect(),
        }
    }
    fn h(&self, user: &str) -> [(&'static str, String); 1] {
        [("authorization", self.auth[user].clone())]
    }
}

fn get(app: &TestApp, s: &Staff, user: &str, path: &str) -> crate::harness::Resp {
    let h = s.h(user);
    app.get_with(path, &[(h[0].0, h[0].1.as_str())])
}

fn post(app: &TestApp, s: &Staff, user: &str, path: &str, body: Value) -> crate::harness::Resp {
    let h = s.h(user);
    app.json("POST", path, &[(h[0].0, h[0].1.as_str())], &body)
}

fn form(name: &str) -> Value {
    json!({
        "company_name": name,
        "company_type": "limited_liability",
        "registered_capital_fen": 100_000_000,
        "domicile": "南昌市西湖区中山西路100号",
        "business_scope": "软件开发；信息技术咨询服务",
        "legal_representative": {"name": "陈志强", "id_number": "360103199003120276", "phone": "13807910001"},
        "shareholders": [{"name": "陈志强", "id_number": "360103199003120276", "contribution_fen": 100_000_000}],
        "staff": 5,
        "seal": "free_set",
        "invoices": "ordinary",
        "first_invoices": 25,
        "social_insurance": true,
        "housing_fund": true,
        "bank": "江西银行西湖支行"
    })
}

fn bundle(app: &TestApp, s: &Staff, id: &str) -> Value {
    let r = get(app, s, "citizen", &format!("/api/v1/bundles/{id}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["item"].clone()
}

fn part<'a>(b: &'a Value, key: &str) -> &'a Value {
    b["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == key)
        .unwrap()
}

/// Takes one step on a part case as whichever staff member of its unit may: accept, complete a
/// review step, decide, issue (or `reject` when `refuse` is set). Returns false when none can.
fn step(app: &TestApp, s: &Staff, case: &str, unit: &str, refuse: bool) -> bool {
    for (u, user) in STAFF.iter().filter(|(u, _)| *u == unit) {
        let _ = u;
        let c = get(app, s, user, &format!("/api/v1/cases/{case}")).json()["item"].clone();
        let allowed: Vec<&str> = c["allowed_actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let body = if allowed.contains(&"accept") {
            json!({"action": "accept"})
        } else if allowed.contains(&"complete_step") {
            json!({"action": "complete_step", "opinion": "符合要求"})
        } else if refuse && allowed.contains(&"reject") {
            json!({"action": "reject", "reasons": "经营范围含需前置审批项目，材料不符"})
        } else if allowed.contains(&"approve") {
            json!({"action": "approve", "reasons": "符合登记条件"})
        } else if allowed.contains(&"issue") {
            json!({"action": "issue"})
        } else {
            continue;
        };
        let r = post(app, s, user, &format!("/api/v1/cases/{case}/actions"), body);
        assert_eq!(r.status, 200, "{user} on {case}: {}", r.body);
        return true;
    }
    false
}

/// Drives a part case to its end.
fn finish(app: &TestApp, s: &Staff, b: &Value, key: &str) {
    let p = part(b, key);
    let (case, unit) = (p["case_id"].as_str().unwrap(), p["unit"].as_str().unwrap());
    while step(app, s, case, unit, false) {}
    let c = get(app, s, "admin", &format!("/api/v1/cases/{case}")).json()["item"].clone();
    assert_eq!(c["state"], "issued", "{key}: {c}");
}

#[test]
fn company_start_up_from_one_form_to_the_code_and_every_part_done() {
    for backend in backends() {
        let app = TestApp::demo(&backend);
        let s = Staff::new(&app);
        // Monday morning.
        app.set_now("2026-11-02 09:00");

        // The name check: the same name and the same 字号 are refused, with the reason.
        let r = app.get("/api/v1/bundles/name-check?name=%E5%8D%97%E6%98%8C%E5%B8%82%E8%A5%BF%E6%B9%96%E5%8C%BA%E6%B4%AA%E5%9F%8E%E6%95%B0%E6%99%BA%E7%A7%91%E6%8A%80%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8");
        assert_eq!(r.json()["available"], false);
        let r = post(
            &app,
            &s,
            "citizen",
            "/api/v1/bundles/startup",
            form("西湖区洪城数智科技有限责任公司"),
        );
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["errors"][0]["code"], "trade_name_taken");
        let mut bad = form("南昌市西湖区赣江源科技有限公司");
        bad["shareholders"][0]["contribution_fen"] = json!(1);
        bad["legal_representative"]["id_number"] = json!("360103199003120277");
        let r = post(&app, &s, "citizen", "/api/v1/bundles/startup", bad);
        assert_eq!(r.status, 422);
        let problem = r.json();
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["legal_representative.id_number", "shareholders"]);
        // Staff cannot start one.
        assert_eq!(
            post(
                &app,
                &s,
                "clerk.spj",
                "/api/v1/bundles/startup",
                form("南昌市西湖区赣江源科技有限公司")
            )
            .status,
            403
        );

        let r = post(
            &app,
            &s,
            "citizen",
            "/api/v1/bundles/startup",
            form("南昌市西湖区赣江源科技有限公司"),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let b = r.json()["item"].clone();
        let id = b["id"].as_str().unwrap().to_string();
        assert_eq!(b["state"], "in_progress");
        // The licence and the bank appointment start at once; the rest wait for the licence.
        assert!(part(&b, "licence")["case_id"].is_string());
        assert!(part(&b, "bank")["case_id"].is_string());
        assert!(part(&b, "seal")["case_id"].is_null());
        assert_eq!(b["clock"]["status"], "not_started");
        // Each unit sees only what concerns it.
        assert_eq!(
            get(&app, &s, "clerk.ga", &format!("/api/v1/bundles/{id}")).status,
            200
        );
        let company = format!("Bearer {}", app.token_for("company"));
        assert_eq!(
            app.get_with(
                &format!("/api/v1/bundles/{id}"),
                &[("authorization", &company)]
            )
            .status,
            404
        );

        // The licence: accepted 09:10, approved 09:40 — the code is issued with the approval.
        let licence = part(&b, "licence")["case_id"].as_str().unwrap().to_string();
        app.set_now("2026-11-02 09:10");
        assert!(step(&app, &s, &licence, "XH-SPJ", false)); // accept
        app.set_now("2026-11-02 09:40");
        while bundle(&app, &s, &id)["uscc"].is_null() {
            assert!(step(&app, &s, &licence, "XH-SPJ", false));
        }
        let b = bundle(&app, &s, &id);
        let uscc = b["uscc"].as_str().unwrap().to_string();
        assert!(tongban_domain::ids::Uscc::parse(&uscc).is_ok(), "{uscc}");
        assert!(uscc.starts_with("91360103MA"));
        let lc =
            get(&app, &s, "clerk.spj", &format!("/api/v1/cases/{licence}")).json()["item"].clone();
        assert_eq!(lc["issued_uscc"], uscc.as_str());
        assert!(
            part(&b, "seal")["case_id"].is_null(),
            "others wait for the licence itself"
        );
        // Issued at 10:00: five parts start by themselves, carrying the code; invoices wait for tax.
        app.set_now("2026-11-02 10:00");
        finish(&app, &s, &b, "licence");
        let b = bundle(&app, &s, &id);
        for key in [
            "seal",
            "tax",
            "social_insurance",
            "medical_insurance",
            "housing_fund",
        ] {
            assert!(part(&b, key)["case_id"].is_string(), "{key} started");
        }
        assert!(part(&b, "invoices")["case_id"].is_null());
        let seal = part(&b, "seal")["case_id"].as_str().unwrap();
        let sc = get(&app, &s, "clerk.ga", &format!("/api/v1/cases/{seal}")).json()["item"].clone();
        assert!(sc["form"]["details"].as_str().unwrap().contains(&uscc));
        assert_eq!(sc["state"], "submitted");
        assert_eq!(sc["materials"][0]["in_bundle_form"], true);
        assert_eq!(b["clock"]["status"], "on_time");

        app.set_now("2026-11-02 10:40");
        for key in [
            "bank",
            "seal",
            "tax",
            "social_insurance",
            "medical_insurance",
            "housing_fund",
        ] {
            finish(&app, &s, &b, key);
        }
        let b = bundle(&app, &s, &id);
        app.set_now("2026-11-02 11:10");
        finish(&app, &s, &b, "invoices");
        let b = bundle(&app, &s, &id);
        assert_eq!(b["state"], "done", "{b}");
        // 09:10 → 11:10: two office hours, within half a working day.
        assert_eq!(b["clock"]["used_minutes"], 120);
        assert_eq!(b["clock"]["status"], "finished_on_time");
        assert_eq!(b["clock"]["within_best"], true);
        let ind = app.get("/api/v1/indicators/bundles").json()["item"].clone();
        assert_eq!(ind["finished"], 1);
        assert_eq!(ind["within_one_day"]["value"], 1.0);
        // The name is now registered: a second start-up with it is refused.
        let r = post(
            &app,
            &s,
            "citizen",
            "/api/v1/bundles/startup",
            form("南昌市西湖区赣江源科技有限公司"),
        );
        assert_eq!(r.json()["errors"][0]["code"], "name_taken");

        // The bundle page shows the timeline and the code.
        let (cookie, _) = app.login("citizen", "citizen-demo-2026");
        let page = app.get_with(&format!("/bundles/{id}"), &[("cookie", &cookie)]);
        assert_eq!(page.status, 200);
        assert!(page.body.contains("<svg") && page.body.contains(&uscc));
        assert!(
            crate::harness::runtime()
                .block_on(app.store.verify_audit())
                .unwrap()
                .is_ok()
        );
    }
}

#[test]
fn a_refused_licence_stops_the_bundle_and_a_withdrawal_cancels_the_rest() {
    for backend in backends() {
        let app = TestApp::demo(&backend);
        let s = Staff::new(&app);
        app.set_now("2026-11-02 09:00");
        let b = post(
            &app,
            &s,
            "citizen",
            "/api/v1/bundles/startup",
            form("南昌市西湖区青山湖畔科技有限公司"),
        )
        .json()["item"]
            .clone();
        let id = b["id"].as_str().unwrap().to_string();
        let licence = part(&b, "licence")["case_id"].as_str().unwrap().to_string();
        let bank = part(&b, "bank")["case_id"].as_str().unwrap().to_string();
        while step(&app, &s, &licence, "XH-SPJ", true) {}
        let b = bundle(&app, &s, &id);
        assert_eq!(b["state"], "stopped", "{b}");
        assert_eq!(b["outcome"]["reason"], "key_part_failed");
        assert_eq!(b["outcome"]["cancelled"], json!(["bank"]));
        assert_eq!(part(&b, "seal")["skipped"], "bundle_stopped");
        let bc =
            get(&app, &s, "clerk.spj", &format!("/api/v1/cases/{bank}")).json()["item"].clone();
        assert_eq!(bc["state"], "cancelled");
        assert!(bc["allowed_actions"].as_array().unwrap().is_empty());
        let inbox = get(&app, &s, "citizen", "/api/v1/inbox").json();
        assert!(
            inbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["kind"] == "cancelled")
        );

        // A second bundle withdrawn while its licence is under review.
        let b = post(
            &app,
            &s,
            "citizen",
            "/api/v1/bundles/startup",
            form("南昌市西湖区滕王阁科技有限公司"),
        )
        .json()["item"]
            .clone();
        let id = b["id"].as_str().unwrap().to_string();
        let licence = part(&b, "licence")["case_id"].as_str().unwrap().to_string();
        assert!(step(&app, &s, &licence, "XH-SPJ", false));
        // Only the applicant may withdraw it.
        assert_eq!(
            post(
                &app,
                &s,
                "clerk.spj",
                &format!("/api/v1/bundles/{id}/withdraw"),
                json!({})
            )
            .status,
            403
        );
        let r = post(
            &app,
            &s,
            "citizen",
            &format!("/api/v1/bundles/{id}/withdraw"),
            json!({}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let b = r.json()["item"].clone();
        assert_eq!(b["state"], "withdrawn");
        assert_eq!(b["outcome"]["cancelled"], json!(["licence", "bank"]));
        let lc =
            get(&app, &s, "clerk.spj", &format!("/api/v1/cases/{licence}")).json()["item"].clone();
        assert_eq!(lc["state"], "cancelled");
        assert_eq!(
            post(
                &app,
                &s,
                "citizen",
                &format!("/api/v1/bundles/{id}/withdraw"),
                json!({})
            )
            .status,
            422
        );
        assert!(
            crate::harness::runtime()
                .block_on(app.store.verify_audit())
                .unwrap()
                .is_ok()
        );
    }
}
