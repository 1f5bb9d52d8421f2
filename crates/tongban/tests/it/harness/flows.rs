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

pub fn act(app: &TestApp, who: &Who, id: &str, body: Value) -> Resp {
    app.json(
        "POST",
        &format!("/api/v1/cases/{id}/actions"),
        &who.h(),
        &body,
    )
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
    let id = case["id"].as_str().unwrap().to_string();
    for (i, m) in case["materials"].as_array().unwrap().iter().enumerate() {
        if m["required"] == true && m.get("shared_by").is_none() {
            let r = app.upload(
                &format!("/api/v1/cases/{id}/materials/{i}"),
                &who.h(),
                "scan.pdf",
                PDF,
                None,
            );
            assert_eq!(r.status, 200, "{}", r.body);
        }
    }
    id
}

pub fn submitted(app: &TestApp, who: &Who) -> String {
    let id = draft(app, who);
    let c = ok(act(app, who, &id, json!({"action": "submit"})));
    assert_eq!(c["state"], "submitted");
    id
}

pub fn run_clock(app: &TestApp, admin: &Who) -> Value {
    ok(app.json("POST", "/api/v1/clock/run", &admin.h(), &json!({})))
}

/// One step by the clerk or the approver, whichever may: complete a step, approve, issue.
pub fn c_step(app: &TestApp, clerk: &Who, approver: &Who, id: &str) -> bool {
    for who in [clerk, approver] {
        let c = ok(app.get_with(&format!("/api/v1/cases/{id}"), &who.h()));
        let allowed: Vec<String> = c["allowed_actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        let body = if allowed.iter().any(|a| a == "complete_step") {
            json!({"action": "complete_step", "opinion": "符合简易注销条件"})
        } else if allowed.iter().any(|a| a == "approve") {
            json!({"action": "approve", "reasons": "公告期满无异议，准予简易注销"})
        } else if allowed.iter().any(|a| a == "issue") {
            json!({"action": "issue"})
        } else {
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
    ok(act(app, clerk, &id, json!({"action": "accept"})));
    while c_step(app, clerk, approver, &id) {}
    id
}

// ---- the 12345 hotline ----

/// An action on a hotline ticket.
pub fn ticket_act(app: &TestApp, who: &Who, id: &str, body: Value) -> Resp {
    app.json(
        "POST",
        &format!("/api/v1/hotline/tickets/{id}/actions"),
        &who.h(),
        &body,
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
