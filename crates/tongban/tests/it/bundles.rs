//! Bundles through HTTP, on both stores: a company start-up bundle from the one form to the
//! issued 统一社会信用代码 and every part done, a licence refused (the rest cancelled, nothing
//! orphaned), a withdrawal, the name check and who may see what.

use crate::harness::flows::{allowed_actions, any_of, assert_audit_intact, error_fields, first_of};
use crate::harness::flows::{assert_includes, first_allowed, values_of};
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

/// A case as `user` sees it.
fn case_as(app: &TestApp, s: &Staff, user: &str, case: &str) -> Value {
    get(app, s, user, &format!("/api/v1/cases/{case}")).json()["item"].clone()
}

/// Starts a company start-up bundle as `user` from the one form.
fn start_up(app: &TestApp, s: &Staff, user: &str, name: &str) -> crate::harness::Resp {
    post(app, s, user, "/api/v1/bundles/startup", form(name))
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
    first_of(&b["parts"], |p| p["key"] == key)
}

/// The case behind a bundle's part, which must have started.
fn part_case(b: &Value, key: &str) -> String {
    part(b, key)["case_id"].as_str().unwrap().to_string()
}

/// Takes one step on a part case as whichever staff member of its unit may: accept, complete a
/// review step, decide, issue (or `reject` when `refuse` is set). Returns false when none can.
fn step(app: &TestApp, s: &Staff, case: &str, unit: &str, refuse: bool) -> bool {
    for (u, user) in STAFF.iter().filter(|(u, _)| *u == unit) {
        let _ = u;
        let allowed = allowed_actions(&case_as(app, s, user, case));
        let mut choices = vec![
            json!({"action": "accept"}),
            json!({"action": "complete_step", "opinion": "符合要求"}),
        ];
        if refuse {
            choices
                .push(json!({"action": "reject", "reasons": "经营范围含需前置审批项目，材料不符"}));
        }
        choices.push(json!({"action": "approve", "reasons": "符合登记条件"}));
        choices.push(json!({"action": "issue"}));
        let Some(body) = first_allowed(&allowed, choices) else {
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
    let (case, unit) = (part_case(b, key), part(b, key)["unit"].as_str().unwrap());
    while step(app, s, &case, unit, false) {}
    let c = case_as(app, s, "admin", &case);
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
        let r = start_up(&app, &s, "citizen", "西湖区洪城数智科技有限责任公司");
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["errors"][0]["code"], "trade_name_taken");
        let mut bad = form("南昌市西湖区赣江源科技有限公司");
        bad["shareholders"][0]["contribution_fen"] = json!(1);
        bad["legal_representative"]["id_number"] = json!("360103199003120277");
        let r = post(&app, &s, "citizen", "/api/v1/bundles/startup", bad);
        assert_eq!(r.status, 422);
        assert_eq!(
            error_fields(&r),
            ["legal_representative.id_number", "shareholders"]
        );
        // Staff cannot start one.
        let name = "南昌市西湖区赣江源科技有限公司";
        assert_eq!(start_up(&app, &s, "clerk.spj", name).status, 403);

        let r = start_up(&app, &s, "citizen", name);
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
        let licence = part_case(&b, "licence");
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
        let lc = case_as(&app, &s, "clerk.spj", &licence);
        assert_eq!(lc["issued_uscc"], uscc.as_str());
        assert!(
            part(&b, "seal")["case_id"].is_null(),
            "others wait for the licence itself"
        );
        // Issued at 10:00: five parts start by themselves, carrying the code; invoices wait for tax.
        app.set_now("2026-11-02 10:00");
        finish(&app, &s, &b, "licence");
        let b = bundle(&app, &s, &id);
        for key in WITH_THE_CODE {
            assert!(part(&b, key)["case_id"].is_string(), "{key} started");
        }
        assert!(part(&b, "invoices")["case_id"].is_null());
        let sc = case_as(&app, &s, "clerk.ga", &part_case(&b, "seal"));
        assert!(sc["form"]["details"].as_str().unwrap().contains(&uscc));
        assert_eq!(sc["state"], "submitted");
        assert_eq!(sc["materials"][0]["in_bundle_form"], true);
        assert_eq!(b["clock"]["status"], "on_time");

        app.set_now("2026-11-02 10:40");
        for key in std::iter::once("bank").chain(WITH_THE_CODE) {
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
        let r = start_up(&app, &s, "citizen", name);
        assert_eq!(r.json()["errors"][0]["code"], "name_taken");

        // The bundle page shows the timeline and the code.
        let (cookie, _) = app.login("citizen", "citizen-demo-2026");
        let page = app.get_with(&format!("/bundles/{id}"), &[("cookie", &cookie)]);
        assert_eq!(page.status, 200);
        assert!(page.body.contains("<svg") && page.body.contains(&uscc));
        assert_audit_intact(&app);
    }
}

#[test]
fn a_refused_licence_stops_the_bundle_and_a_withdrawal_cancels_the_rest() {
    for backend in backends() {
        let app = TestApp::demo(&backend);
        let s = Staff::new(&app);
        app.set_now("2026-11-02 09:00");
        let started = |name: &str| {
            let b = start_up(&app, &s, "citizen", name).json()["item"].clone();
            let id = b["id"].as_str().unwrap().to_string();
            (id, part_case(&b, "licence"), part_case(&b, "bank"))
        };
        let (id, licence, bank) = started("南昌市西湖区青山湖畔科技有限公司");
        while step(&app, &s, &licence, "XH-SPJ", true) {}
        let b = bundle(&app, &s, &id);
        assert_eq!(b["state"], "stopped", "{b}");
        assert_eq!(b["outcome"]["reason"], "key_part_failed");
        assert_eq!(b["outcome"]["cancelled"], json!(["bank"]));
        assert_eq!(part(&b, "seal")["skipped"], "bundle_stopped");
        let bc = case_as(&app, &s, "clerk.spj", &bank);
        assert_eq!(bc["state"], "cancelled");
        assert!(allowed_actions(&bc).is_empty());
        let inbox = get(&app, &s, "citizen", "/api/v1/inbox").json();
        assert!(any_of(&inbox["items"], |m| m["kind"] == "cancelled"));

        // A second bundle withdrawn while its licence is under review.
        let (id, licence, _) = started("南昌市西湖区滕王阁科技有限公司");
        assert!(step(&app, &s, &licence, "XH-SPJ", false));
        // Only the applicant may withdraw it.
        let withdraw = |user: &str| {
            post(
                &app,
                &s,
                user,
                &format!("/api/v1/bundles/{id}/withdraw"),
                json!({}),
            )
        };
        assert_eq!(withdraw("clerk.spj").status, 403);
        let r = withdraw("citizen");
        assert_eq!(r.status, 200, "{}", r.body);
        let b = r.json()["item"].clone();
        assert_eq!(b["state"], "withdrawn");
        assert_eq!(b["outcome"]["cancelled"], json!(["licence", "bank"]));
        assert_eq!(
            case_as(&app, &s, "clerk.spj", &licence)["state"],
            "cancelled"
        );
        assert_eq!(withdraw("citizen").status, 422);
        assert_audit_intact(&app);
    }
}

/// The parts that start by themselves, carrying the code, once the licence is issued.
const WITH_THE_CODE: [&str; 5] = [
    "seal",
    "tax",
    "social_insurance",
    "medical_insurance",
    "housing_fund",
];

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
        let allowed = allowed_actions(&c.json()["item"]);
        let choices = vec![
            accept.clone().unwrap_or(json!({"action": "accept"})),
            json!({"action": "complete_step", "opinion": "符合要求"}),
            json!({"action": "sign_off", "opinion": "本单位审查通过"}),
            json!({"action": "approve", "reasons": "符合法定条件"}),
            json!({"action": "issue"}),
        ];
        let Some(body) = first_allowed(&allowed, choices) else {
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
        let act = |u: &str, case: &str, body: Value| {
            post(u, &format!("/api/v1/cases/{case}/actions"), body)
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
        let bundle = |u: &str| get(u, &format!("/api/v1/bundles/{id}"));
        let case_of = |b: &Value, key: &str| part(b, key)["case_id"].as_str().map(str::to_string);
        // Stage 1 runs its two items in parallel; nothing of stage 2 yet.
        assert!(case_of(&b, "filing").is_some() && case_of(&b, "land_planning").is_some());
        assert!(case_of(&b, "works_planning").is_none());
        assert_eq!(b["current_stage"], 1);

        // The project manager is a supervisor, assigned by a supervisor.
        let manager = |username: &str| {
            let path = format!("/api/v1/bundles/{id}/manager");
            post("supervisor", &path, json!({ "username": username }))
        };
        assert_eq!(manager("clerk.spj").status, 422);
        let r = manager("supervisor");
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["item"]["project_manager"], "supervisor");

        // Stage 1: the land-use permit accepted on a written commitment (容缺后补).
        let filing = case_of(&b, "filing").unwrap();
        let land = case_of(&b, "land_planning").unwrap();
        let to_the_end = |case: &str| while project_step(&app, &auth, case, None).is_some() {};
        to_the_end(&filing);
        let promise = json!({"action": "accept", "commitments": [{"material": "国有建设用地使用权出让合同", "due": "2026-11-13"}]});
        project_step(&app, &auth, &land, Some(promise));
        app.set_now("2026-11-04 10:00");
        to_the_end(&land);
        let b = bundle("company");
        // Both issued, but the promised contract is still out: stage 2 cannot start.
        assert!(case_of(&b, "works_planning").is_none(), "{b}");
        assert_eq!(b["blockers"][0]["reason"], "commitment_open");
        assert_eq!(b["current_stage"], 1);
        // The proof arrives; the clerk confirms it; stage 2 starts.
        app.set_now("2026-11-05 09:00");
        let proof =
            json!({"action": "fulfil_commitment", "material": "国有建设用地使用权出让合同"});
        let r = act("clerk.zrzy", &land, proof);
        assert_eq!(r.status, 200, "{}", r.body);
        let b = bundle("company");
        let works = case_of(&b, "works_planning").expect("stage 2 started");
        let drawings = case_of(&b, "drawing_review").expect("stage 2 started");
        assert_eq!(b["current_stage"], 2);

        // Stage 2: the works-planning permit pauses for expert review (not counted).
        project_step(&app, &auth, &works, None); // accept
        let pause =
            json!({"action": "pause", "kind": "expert_review", "reason": "设计方案专家评审"});
        assert_eq!(act("clerk.zrzy", &works, pause).status, 200);
        // The joint drawing review: approval waits for both co-signing units.
        project_step(&app, &auth, &drawings, None); // accept
        let summary = json!({"action": "complete_step", "opinion": "联合审查意见汇总"});
        let r = act("clerk.cjj", &drawings, summary);
        assert_eq!(r.status, 200, "{}", r.body);
        let approve = json!({"action": "approve", "reasons": "合格"});
        let r = act("approver.cjj", &drawings, approve);
        assert_eq!(r.status, 409);
        assert_eq!(r.json()["errors"][0]["code"], "signoffs_pending");
        // A co-signing unit sees the case in its queue and signs once.
        let zq = app
            .get_with(
                "/api/v1/cases",
                &[("authorization", auth["clerk.zrzy"].as_str())],
            )
            .json();
        assert!(any_of(&zq["items"], |c| c["id"] == drawings.as_str()));
        let sign = |u: &str, opinion: &str| {
            act(
                u,
                &drawings,
                json!({"action": "sign_off", "opinion": opinion}),
            )
        };
        let r = sign("clerk.zrzy", "符合规划条件");
        assert_eq!(r.status, 200, "{}", r.body);
        let r = sign("approver.zrzy", "再签");
        assert_eq!(r.status, 409, "once per unit: {}", r.body);
        let b = bundle("supervisor");
        let reasons = values_of(&b["blockers"], "reason");
        assert_includes(&reasons, &["paused", "awaiting_signoff"]);
        to_the_end(&drawings);
        app.set_now("2026-11-10 09:00");
        assert_eq!(
            act("clerk.zrzy", &works, json!({"action": "resume"})).status,
            200
        );
        app.set_now("2026-11-12 09:00");
        to_the_end(&works);

        // Stages 3 and 4 follow in order.
        app.set_now("2026-11-13 09:00");
        let b = bundle("company");
        let permit = case_of(&b, "construction_permit").expect("stage 3 started");
        assert!(case_of(&b, "joint_acceptance").is_none());
        to_the_end(&permit);
        app.set_now("2026-11-16 09:00");
        let b = bundle("company");
        for key in ["joint_acceptance", "drainage"] {
            to_the_end(&case_of(&b, key).expect("stage 4 started"));
        }
        let b = bundle("supervisor");
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
        assert_audit_intact(&app);
    }
}
