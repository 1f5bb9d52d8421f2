//! What many tests do: who acts (a demo user's API token), a case taken through its steps, a
//! hotline ticket taken in. Every test file takes these from here rather than writing its own.

use super::{Resp, TestApp, backends};
use serde_json::{Value, json};

/// Public sanitary licence (公共场所卫生许可): legal 20 working days, promised 3.
pub const ITEM: &str = "XH-SPJ-000101007000";

pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

pub fn each_app(test: impl Fn(&TestApp)) {
    for b in backends() {
        let app = TestApp::demo(&b);
        eprintln!("-- {}", app.backend_name);
        test(&app);
    }
}

/// The demo users a test acts as, in one line rather than one `Who::new` each.
pub fn people<const N: usize>(app: &TestApp, users: [&str; N]) -> [Who; N] {
    users.map(|u| Who::new(app, u))
}

pub struct Who {
    pub auth: String,
}

impl Who {
    pub fn new(app: &TestApp, user: &str) -> Who {
        Who {
            auth: format!("Bearer {}", app.token_for(user)),
        }
    }
    pub fn h(&self) -> [(&str, &str); 1] {
        [("authorization", self.auth.as_str())]
    }
}

/// A GET as `who`.
pub fn get_as(app: &TestApp, who: &Who, path: &str) -> Resp {
    app.get_with(path, &who.h())
}

/// A JSON POST as `who`: the shape of nearly every write the tests make.
pub fn post_as(app: &TestApp, who: &Who, path: &str, body: Value) -> Resp {
    app.json("POST", path, &who.h(), &body)
}

/// A case as `who` sees it (asserting they may).
pub fn case_as(app: &TestApp, who: &Who, id: &str) -> Value {
    ok(get_as(app, who, &format!("/api/v1/cases/{id}")))
}

pub fn act(app: &TestApp, who: &Who, id: &str, body: Value) -> Resp {
    post_as(app, who, &format!("/api/v1/cases/{id}/actions"), body)
}

pub fn ok(r: Resp) -> Value {
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["item"].clone()
}

/// Creates a draft as `who`, uploads every required material, and returns its id.
pub fn draft(app: &TestApp, who: &Who) -> String {
    draft_of(app, who, ITEM)
}

pub fn draft_of(app: &TestApp, who: &Who, item: &str) -> String {
    let r = app.json(
        "POST",
        "/api/v1/cases",
        &who.h(),
        &json!({"item_code": item, "form": {
            "contact_name": "李四", "contact_phone": "13800138000", "details": "申请公共场所卫生许可"}}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let case = r.json()["item"].clone();
    assert_eq!(case["state"], "draft");
    upload_materials(app, who, &case, |m| {
        m["required"] == true && m.get("shared_by").is_none()
    })
}

/// Uploads a scan for each material of a new draft that `which` picks; returns the case id.
pub fn upload_materials(
    app: &TestApp,
    who: &Who,
    case: &Value,
    which: impl Fn(&Value) -> bool,
) -> String {
    let id = case["id"].as_str().unwrap().to_string();
    for (i, m) in case["materials"].as_array().unwrap().iter().enumerate() {
        if which(m) {
            let path = format!("/api/v1/cases/{id}/materials/{i}");
            let r = app.upload(&path, &who.h(), "scan.pdf", PDF, None);
            assert_eq!(r.status, 200, "{}", r.body);
        }
    }
    id
}

/// Submits a case as its applicant; returns the case.
pub fn submit(app: &TestApp, who: &Who, id: &str) -> Value {
    ok(act(app, who, id, json!({"action": "submit"})))
}

/// Accepts a case plainly as the clerk; returns the case.
pub fn accept(app: &TestApp, clerk: &Who, id: &str) -> Value {
    ok(act(app, clerk, id, json!({"action": "accept"})))
}

pub fn submitted(app: &TestApp, who: &Who) -> String {
    let id = draft(app, who);
    let c = submit(app, who, &id);
    assert_eq!(c["state"], "submitted");
    id
}

pub fn run_clock(app: &TestApp, admin: &Who) -> Value {
    ok(app.json("POST", "/api/v1/clock/run", &admin.h(), &json!({})))
}

/// One step by the clerk or the approver, whichever may: complete a step, approve, issue.
pub fn c_step(app: &TestApp, clerk: &Who, approver: &Who, id: &str) -> bool {
    for who in [clerk, approver] {
        let allowed = allowed_actions(&case_as(app, who, id));
        let Some(body) = first_allowed(
            &allowed,
            vec![
                json!({"action": "complete_step", "opinion": "符合简易注销条件"}),
                json!({"action": "approve", "reasons": "公告期满无异议，准予简易注销"}),
                json!({"action": "issue"}),
            ],
        ) else {
            continue;
        };
        ok(act(app, who, id, body));
        return true;
    }
    false
}

/// Accepts, completes the review step, approves and issues: the whole way to the result.
pub fn decide(app: &TestApp, id: &str) -> Value {
    let clerk = Who::new(app, "clerk.spj");
    let approver = Who::new(app, "approver.spj");
    ok(act(
        app,
        &clerk,
        id,
        json!({"action": "complete_step", "opinion": "现场核查符合要求"}),
    ));
    let c = ok(act(
        app,
        &approver,
        id,
        json!({"action": "approve", "reasons": "经审查符合法定条件"}),
    ));
    assert_eq!(c["state"], "approved");
    ok(act(app, &clerk, id, json!({"action": "issue"})))
}

pub fn issued_case(app: &TestApp, company: &Who, clerk: &Who, approver: &Who) -> String {
    let id = submitted(app, company);
    accept(app, clerk, &id);
    while c_step(app, clerk, approver, &id) {}
    id
}

// ---- the 12345 hotline ----

/// An action on a hotline ticket.
pub fn ticket_act(app: &TestApp, who: &Who, id: &str, body: Value) -> Resp {
    post_as(
        app,
        who,
        &format!("/api/v1/hotline/tickets/{id}/actions"),
        body,
    )
}

pub fn created(r: Resp) -> Value {
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["item"].clone()
}

pub fn complaint(matter: &str) -> Value {
    json!({"category": "complaint", "matter": matter,
        "caller": {"name": "王五", "phone": "13907910002", "confidential": true},
        "location": {"address": "西湖区朝阳中路88号小区门口"}, "street": "XH-NP"})
}

/// A non-confidential street-light complaint taken by `operator` and dispatched to `lead`:
/// the ticket id and the ticket as dispatched.
pub fn dispatched_complaint(app: &TestApp, operator: &Who, lead: &str) -> (String, Value) {
    let r = post_as(
        app,
        operator,
        "/api/v1/hotline/tickets",
        json!({"category": "complaint", "matter": "小区门口路灯不亮",
            "caller": {"name": "王五", "phone": "13907910002", "confidential": false},
            "location": {"address": "西湖区朝阳中路88号"}, "street": "XH-NP"}),
    );
    let id = created(r)["id"].as_str().unwrap().to_string();
    let t = ok(ticket_act(
        app,
        operator,
        &id,
        json!({"action": "dispatch", "lead": lead}),
    ));
    (id, t)
}

/// The unit's reply and the office's callback, the two steps that close or reopen a ticket;
/// returns the ticket after the callback.
pub fn reply_and_call_back(
    app: &TestApp,
    (unit, operator): (&Who, &Who),
    id: &str,
    reply: &str,
    (satisfied, note): (bool, &str),
) -> Value {
    ok(ticket_act(
        app,
        unit,
        id,
        json!({"action": "reply", "text": reply}),
    ));
    ok(ticket_act(
        app,
        operator,
        id,
        json!({"action": "call_back", "satisfied": satisfied, "note": note}),
    ))
}

// ---- ratings ----

/// An online rating of a case: `overall` and `efficiency` as given, the rest satisfied.
pub fn online_rating(overall: &str) -> Value {
    json!({"scores": {"overall": overall, "efficiency": overall, "guide_accuracy": "satisfied",
        "convenience": "satisfied", "platform_usability": "satisfied"}})
}

/// Rates a case as its applicant.
pub fn rate_case(app: &TestApp, who: &Who, id: &str, rating: Value) -> Resp {
    post_as(app, who, &format!("/api/v1/cases/{id}/rating"), rating)
}

// ---- the calendar ----

/// Loads a year's holiday notice (TOML) as `who`, as an administrator does without a release.
pub fn load_calendar_year(app: &TestApp, who: &Who, toml: &str) -> Resp {
    app.raw_post(
        "/api/v1/calendar/years",
        &[
            ("authorization", &who.auth),
            ("content-type", "application/toml"),
        ],
        toml.as_bytes().to_vec(),
    )
}

// ---- reading answers ----

/// The `items` of a list answer, to search or count without the unwrapping each time.
pub fn items(list: &Value) -> &Vec<Value> {
    list["items"].as_array().expect("a list answer has items")
}

/// The `key` of every element of a JSON array, as strings: kinds, fields, actions.
pub fn values_of(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .expect("a JSON array")
        .iter()
        .map(|e| e[key].as_str().unwrap().to_string())
        .collect()
}

/// What a case (as JSON) says its reader may do next.
pub fn allowed_actions(case: &Value) -> Vec<String> {
    let list = case["allowed_actions"].as_array().expect("allowed actions");
    list.iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

/// The first of `choices` (action bodies, most wanted first) that `allowed` permits: how the
/// step-by-step drivers pick their next move.
pub fn first_allowed(allowed: &[String], choices: Vec<Value>) -> Option<Value> {
    choices
        .into_iter()
        .find(|body| allowed.iter().any(|a| body["action"] == a.as_str()))
}

/// Whether any element of a JSON array answers `pred`: a notice, a message, a listed record.
pub fn any_of(list: &Value, pred: impl Fn(&Value) -> bool) -> bool {
    list.as_array().expect("a JSON array").iter().any(pred)
}

/// The first element of a JSON array answering `pred`; there must be one.
pub fn first_of(list: &Value, pred: impl Fn(&Value) -> bool) -> &Value {
    let found = list
        .as_array()
        .expect("a JSON array")
        .iter()
        .find(|v| pred(v));
    found.expect("an element answering the test")
}

/// The fields a validation problem names, in its order.
pub fn error_fields(r: &Resp) -> Vec<String> {
    values_of(&r.json()["errors"], "field")
}

/// The actions recorded in one entity's audit trail, newest first, as `who` reads them.
pub fn audit_actions(app: &TestApp, who: &Who, entity: &str, id: &str) -> Vec<String> {
    let path = format!("/api/v1/audit?entity={entity}&entity_id={id}");
    values_of(&get_as(app, who, &path).json()["items"], "action")
}

/// Asserts each of `want` is among `have` (kinds, actions), naming the one missing.
pub fn assert_includes(have: &[String], want: &[&str]) {
    for w in want {
        assert!(have.iter().any(|h| h == w), "{w} in {have:?}");
    }
}

/// Asserts the audit trail's hash chain is intact: every test that writes ends with this.
pub fn assert_audit_intact(app: &TestApp) {
    assert!(
        super::runtime()
            .block_on(app.store.verify_audit())
            .unwrap()
            .is_ok()
    );
}
