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

/// Every staff account that may act on construction parts, any unit.
const PROJECT_STAFF: [&str; 10] = [
    "clerk.fgw",
    "approver.fgw",
    "clerk.zrzy",
    "approver.zrzy",
    "clerk.cjj",
    "approver.cjj",
    "clerk.spj",
    "approver.spj",
    "admin",
    "company",
];

/// Takes one step on a case as whoever may: accept, complete a step, sign off, approve, issue.
/// `accept` overrides the accept body (a commitment). Returns the action taken.
fn project_step(
    app: &TestApp,
    auth: &HashMap<&str, String>,
    case: &str,
    accept: Option<Value>,
) -> Option<String> {
    for user in PROJECT_STAFF.iter().take(8) {
        let h = [("authorization", auth[user].as_str())];
        let c = app.get_with(&format!("/api/v1/cases/{case}"), &h);
        if c.status != 200 {
            continue;
        }
        let c = c.json()["item"].clone();
        let allowed: Vec<String> = c["allowed_actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        let has = |a: &str| allowed.iter().any(|x| x == a);
        let body = if has("accept") {
            accept.clone().unwrap_or(json!({"action": "accept"}))
        } else if has("complete_step") {
            json!({"action": "complete_step", "opinion": "符合要求"})
        } else if has("sign_off") {
            json!({"action": "sign_off", "opinion": "本单位审查通过"})
        } else if has("approve") {
            json!({"action": "approve", "reasons": "符合法定条件"})
        } else if has("issue") {
            json!({"action": "issue"})
        } else {
            continue;
        };
        let action = body["action"].as_str().unwrap().to_string();
        let r = app.json("POST", &format!("/api/v1/cases/{case}/actions"), &h, &body);
        assert_eq!(r.status, 200, "{user} {action} on {case}: {}", r.body);
        return Some(action);
    }
    None
}

#[test]
fn a_construction_project_through_four_stages_with_a_commitment_a_pause_and_joint_sign_off() {
    for backend in backends() {
        let app = TestApp::demo(&backend);
        let auth: HashMap<&str, String> = PROJECT_STAFF
            .iter()
            .chain(["supervisor"].iter())
            .map(|u| (*u, format!("Bearer {}", app.token_for(u))))
            .collect();
        let h = |u: &str| [("authorization", auth[u].clone())];
        let get = |u: &str, path: &str| {
            let h = h(u);
            app.get_with(path, &[(h[0].0, h[0].1.as_str())]).json()["item"].clone()
        };
        let post = |u: &str, path: &str, body: Value| {
            let h = h(u);
            app.json("POST", path, &[(h[0].0, h[0].1.as_str())], &body)
        };
        app.set_now("2026-11-02 09:00");
        let project = json!({
            "project_name": "西湖区朝农科创园一期", "location": "南昌市西湖区朝农路18号",
            "land_area_m2": 20000, "floor_area_m2": 56000, "investment_fen": 30_000_000_000i64,
            "description": "研发楼、配套用房", "contact_name": "周工", "contact_phone": "13907910123", "major": true
        });
        let mut bad = project.clone();
        bad["contact_phone"] = json!("1");
        bad["land_area_m2"] = json!(0);
        let r = post("company", "/api/v1/bundles/construction", bad);
        assert_eq!(r.status, 422);
        let r = post("company", "/api/v1/bundles/construction", project);
        assert_eq!(r.status, 201, "{}", r.body);
        let b = r.json()["item"].clone();
        let id = b["id"].as_str().unwrap().to_string();
        let case_of = |b: &Value, key: &str| part(b, key)["case_id"].as_str().map(str::to_string);
        // Stage 1 runs its two items in parallel; nothing of stage 2 yet.
        assert!(case_of(&b, "filing").is_some() && case_of(&b, "land_planning").is_some());
        assert!(case_of(&b, "works_planning").is_none());
        assert_eq!(b["current_stage"], 1);

        // The project manager is a supervisor, assigned by a supervisor.
        assert_eq!(
            post(
                "supervisor",
                &format!("/api/v1/bundles/{id}/manager"),
                json!({"username": "clerk.spj"})
            )
            .status,
            422
        );
        let r = post(
            "supervisor",
            &format!("/api/v1/bundles/{id}/manager"),
            json!({"username": "supervisor"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["item"]["project_manager"], "supervisor");

        // Stage 1: the land-use permit accepted on a written commitment (容缺后补).
        let filing = case_of(&b, "filing").unwrap();
        let land = case_of(&b, "land_planning").unwrap();
        while project_step(&app, &auth, &filing, None).is_some() {}
        let promise = json!({"action": "accept", "commitments": [{"material": "国有建设用地使用权出让合同", "due": "2026-11-13"}]});
        project_step(&app, &auth, &land, Some(promise));
        app.set_now("2026-11-04 10:00");
        while project_step(&app, &auth, &land, None).is_some() {}
        let b = get("company", &format!("/api/v1/bundles/{id}"));
        // Both issued, but the promised contract is still out: stage 2 cannot start.
        assert!(case_of(&b, "works_planning").is_none(), "{b}");
        assert_eq!(b["blockers"][0]["reason"], "commitment_open");
        assert_eq!(b["current_stage"], 1);
        // The proof arrives; the clerk confirms it; stage 2 starts.
        app.set_now("2026-11-05 09:00");
        let r = post(
            "clerk.zrzy",
            &format!("/api/v1/cases/{land}/actions"),
            json!({"action": "fulfil_commitment", "material": "国有建设用地使用权出让合同"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let b = get("company", &format!("/api/v1/bundles/{id}"));
        let works = case_of(&b, "works_planning").expect("stage 2 started");
        let drawings = case_of(&b, "drawing_review").expect("stage 2 started");
        assert_eq!(b["current_stage"], 2);

        // Stage 2: the works-planning permit pauses for expert review (not counted).
        project_step(&app, &auth, &works, None); // accept
        let r = post(
            "clerk.zrzy",
            &format!("/api/v1/cases/{works}/actions"),
            json!({"action": "pause", "kind": "expert_review", "reason": "设计方案专家评审"}),
        );
        assert_eq!(r.status, 200);
        // The joint drawing review: approval waits for both co-signing units.
        project_step(&app, &auth, &drawings, None); // accept
        let r = post(
            "clerk.cjj",
            &format!("/api/v1/cases/{drawings}/actions"),
            json!({"action": "complete_step", "opinion": "联合审查意见汇总"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let r = post(
            "approver.cjj",
            &format!("/api/v1/cases/{drawings}/actions"),
            json!({"action": "approve", "reasons": "合格"}),
        );
        assert_eq!(r.status, 409);
        assert_eq!(r.json()["errors"][0]["code"], "signoffs_pending");
        // A co-signing unit sees the case in its queue and signs once.
        let zq = app
            .get_with(
                "/api/v1/cases",
                &[("authorization", auth["clerk.zrzy"].as_str())],
            )
            .json();
        assert!(
            zq["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == drawings.as_str())
        );
        let r = post(
            "clerk.zrzy",
            &format!("/api/v1/cases/{drawings}/actions"),
            json!({"action": "sign_off", "opinion": "符合规划条件"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let r = post(
            "approver.zrzy",
            &format!("/api/v1/cases/{drawings}/actions"),
            json!({"action": "sign_off", "opinion": "再签"}),
        );
        assert_eq!(r.status, 409, "once per unit: {}", r.body);
        let b = get("supervisor", &format!("/api/v1/bundles/{id}"));
        let reasons: Vec<&str> = b["blockers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["reason"].as_str().unwrap())
            .collect();
        assert!(
            reasons.contains(&"paused") && reasons.contains(&"awaiting_signoff"),
            "{reasons:?}"
        );
        while project_step(&app, &auth, &drawings, None).is_some() {}
        app.set_now("2026-11-10 09:00");
        assert_eq!(
            post(
                "clerk.zrzy",
                &format!("/api/v1/cases/{works}/actions"),
                json!({"action": "resume"})
            )
            .status,
            200
        );
        app.set_now("2026-11-12 09:00");
        while project_step(&app, &auth, &works, None).is_some() {}

        // Stages 3 and 4 follow in order.
        app.set_now("2026-11-13 09:00");
        let b = get("company", &format!("/api/v1/bundles/{id}"));
        let permit = case_of(&b, "construction_permit").expect("stage 3 started");
        assert!(case_of(&b, "joint_acceptance").is_none());
        while project_step(&app, &auth, &permit, None).is_some() {}
        app.set_now("2026-11-16 09:00");
        let b = get("company", &format!("/api/v1/bundles/{id}"));
        for key in ["joint_acceptance", "drainage"] {
            let case = case_of(&b, key).expect("stage 4 started");
            while project_step(&app, &auth, &case, None).is_some() {}
        }
        let b = get("supervisor", &format!("/api/v1/bundles/{id}"));
        assert_eq!(b["state"], "done", "{b}");
        let k = &b["project"];
        assert_eq!(k["status"], "finished_on_time");
        // Stage 2 ran 11-05 → 11-12 (5 working days); the expert review's three (11-05 → 11-10)
        // are not counted.
        assert_eq!(k["stages"][1]["used"], 2, "{k}");
        assert!(k["used"].as_i64().unwrap() <= 70);
        // The pages: the project with its stages, the board, the form's errors in Chinese.
        let (sup, _) = app.login("supervisor", "supervisor-demo-2026");
        let board = app.get_with("/supervision/projects", &[("cookie", &sup)]);
        assert!(board.body.contains("西湖区朝农科创园一期"));
        let (co, csrf) = app.login("company", "company-demo-2026");
        let page = app.get_with(&format!("/bundles/{id}"), &[("cookie", &co)]);
        assert!(page.body.contains("project-stages") && page.body.contains("竣工验收"));
        let r = app.form(
            "/bundles/construction",
            &co,
            &[
                ("csrf", &csrf),
                ("project_name", "x"),
                ("land_area_m2", "0"),
            ],
        );
        assert_eq!(r.status, 422);
        assert!(r.body.contains("用地面积"), "{}", r.body);
        let ind = app.get("/api/v1/indicators/bundles").json()["item"].clone();
        assert_eq!(ind["projects_finished"], 1);
        assert_eq!(ind["projects_within_70_days"]["value"], 1.0);
        let ja = case_of(&b, "joint_acceptance").unwrap();
        let jc = get("clerk.cjj", &format!("/api/v1/cases/{ja}"));
        assert_eq!(jc["signoffs"].as_array().unwrap().len(), 2);
        assert!(
            crate::harness::runtime()
                .block_on(app.store.verify_audit())
                .unwrap()
                .is_ok()
        );
    }
}
