//! Rules as data through HTTP, on both stores: rule sets checked with named errors, versions
//! chosen by date, traces, what-if over past decisions; automatic approval end to end (and the
//! refusals that go to a clerk); "cannot decide" instead of a guess.

use crate::harness::flows::*;
use crate::harness::{TestApp, backends};
use serde_json::{Value, json};

pub(crate) const FOOD_RENEWAL: &str = "XH-SPJ-000101015000";

/// The ids of the rules a decision (as JSON) found not to hold.
pub(crate) fn failed_rules(decision: &Value) -> Vec<&str> {
    decision["trace"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["result"] == "failed")
        .map(|s| s["id"].as_str().unwrap())
        .collect()
}

fn field_errors(r: &crate::harness::Resp) -> Vec<(String, String, String)> {
    r.json()["errors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or("").to_string(),
                e["code"].as_str().unwrap_or("").to_string(),
                e["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The demo's food-licence renewal rules with another penalty limit, valid from `from`.
fn food_rules(penalties: &str, from: &str) -> String {
    include_str!("../../../../data/xihu/rules/food-licence-renewal.toml")
        .replace(
            "form.penalties == 0",
            &format!("form.penalties {penalties}"),
        )
        .replace(
            "valid_from = \"2025-01-01\"",
            &format!("valid_from = \"{from}\""),
        )
}

/// A draft of the food-licence renewal with the given answers and every material uploaded.
fn renewal_draft(app: &TestApp, who: &Who, fields: Value) -> Result<String, crate::harness::Resp> {
    let r = app.json(
        "POST",
        "/api/v1/cases",
        &who.h(),
        &json!({"item_code": FOOD_RENEWAL, "form": {
            "contact_name": "李四", "contact_phone": "13800138000", "details": "食品经营许可证到期延续",
            "fields": fields}}),
    );
    if r.status != 201 {
        return Err(r);
    }
    let case = r.json()["item"].clone();
    Ok(upload_materials(app, who, &case, |m| m["required"] == true))
}

fn answers(valid_until: &str, penalties: &str) -> Value {
    json!({"licence_no": "JY13601030012345", "valid_until": valid_until,
        "conditions_unchanged": "是", "penalties": penalties})
}

#[test]
fn rule_sets_are_checked_versioned_by_date_and_explained() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let [admin, clerk] = people(&app, ["admin", "clerk.spj"]);

        // Every problem is named with its place and detail.
        let bad = food_rules("== 0", "2026-12-01")
            .replace("form.conditions_unchanged\"", "form.conditions_unchangd\"")
            .replace(
                "days_between(today, form.valid_until) >= 30",
                "form.valid_until >= 30",
            )
            .replace("id = \"no-penalty\"", "id = \"credit\"");
        let check = |source: &str| {
            post_as(
                &app,
                &admin,
                "/api/v1/rules/check",
                json!({ "source": source }),
            )
        };
        let r = check(&bad);
        assert_eq!(r.status, 422, "{}", r.body);
        let errors = field_errors(&r);
        assert!(
            errors.contains(&(
                "rules[2].when".into(),
                "type_mismatch".into(),
                "date >= int".into()
            )),
            "{errors:?}"
        );
        assert!(
            errors.contains(&(
                "rules[4].when".into(),
                "unknown_fact".into(),
                "form.conditions_unchangd @1".into()
            )),
            "{errors:?}"
        );
        assert!(
            errors.contains(&("rules[5].id".into(), "duplicate_id".into(), "credit".into())),
            "{errors:?}"
        );
        assert_eq!(field_errors(&check("code = "))[0].1, "toml_syntax");

        // Only administrators save; a clerk may check and evaluate.
        let v2 = food_rules("<= 1", "2026-12-01");
        let r = post_as(
            &app,
            &clerk,
            "/api/v1/rules",
            json!({"source": v2, "publish": true}),
        );
        assert_eq!(r.status, 403);
        let r = post_as(&app, &admin, "/api/v1/rules", json!({ "source": v2 }));
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.json()["item"]["version"], 2);
        assert_eq!(r.json()["item"]["status"], "draft");

        // A draft decides nothing: v1 still governs December.
        let facts = |penalties: &str| {
            json!({
            "applicant.credit_good": "是", "case.materials_complete": "是",
            "form.valid_until": "2027-01-20", "form.conditions_unchanged": "是",
            "form.penalties": penalties})
        };
        let eval = |date: &str, f: Value| {
            let path = "/api/v1/rules/food-licence-renewal/evaluate";
            post_as(&app, &clerk, path, json!({"date": date, "facts": f}))
        };
        let d = ok(eval("2026-12-10", facts("1")));
        assert_eq!(
            (d["version"].as_i64(), d["outcome"].as_str()),
            (Some(1), Some("fail"))
        );
        let publish = || {
            let path = "/api/v1/rules/food-licence-renewal/versions/2/publish";
            post_as(&app, &admin, path, json!({}))
        };
        let r = publish();
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(publish().status, 409);

        // November is judged by v1, December by v2.
        let d = ok(eval("2026-11-20", facts("1")));
        assert_eq!(
            (d["version"].as_i64(), d["outcome"].as_str()),
            (Some(1), Some("fail"))
        );
        let failed: Vec<&Value> = d["trace"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["result"] == "failed")
            .collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0]["id"], "no-penalty");
        assert_eq!(failed[0]["name"], "有效期内无食品安全行政处罚");
        assert_eq!(failed[0]["reference"], "第三十四条第二款");
        assert_eq!(
            failed[0]["facts"][0]["label"],
            "有效期内受到食品安全行政处罚次数"
        );
        assert_eq!(failed[0]["facts"][0]["value"], "1");
        let d = ok(eval("2026-12-10", facts("1")));
        assert_eq!(
            (d["version"].as_i64(), d["outcome"].as_str()),
            (Some(2), Some("pass"))
        );
        // 2026-12-10 is 41 days before 2027-01-20.
        let in_time = &d["trace"].as_array().unwrap()[2];
        assert_eq!(in_time["facts"][0]["key"], "today");
        assert_eq!(in_time["facts"][0]["value"], "2026-12-10");

        // A missing fact: cannot decide, naming it; a bad value is a 422.
        let mut f = facts("0");
        f.as_object_mut().unwrap().remove("form.valid_until");
        let d = ok(eval("2026-11-20", f));
        assert_eq!(d["outcome"], "undecided");
        let why = d["trace"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["result"] == "undecided")
            .unwrap();
        assert_eq!(
            why["why"],
            json!({"reason": "missing_fact", "detail": "form.valid_until"})
        );
        let r = eval("2026-11-20", json!({"form.penalties": "几次", "nope": "1"}));
        assert_eq!(r.status, 422);
        let mut errs = field_errors(&r);
        errs.sort();
        assert_eq!(
            errs,
            [
                (
                    "facts.form.penalties".into(),
                    "bad_value".into(),
                    "int".into()
                ),
                ("facts.nope".into(), "unknown_fact".into(), "nope".into()),
            ]
        );
        // Before any version was valid: an explicit conflict, not a guess.
        assert_eq!(eval("2024-06-01", facts("0")).status, 409);

        // The audit trail has the saves and the publication.
        let actions = audit_actions(&app, &admin, "rule_set", "food-licence-renewal");
        assert_includes(&actions, &["rule_set.publish"]);
    }
}

#[test]
fn a_renewal_is_approved_by_the_rules_in_the_same_request_or_goes_to_a_clerk_with_the_trace() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let [admin, company, trader, clerk] =
            people(&app, ["admin", "company", "trader", "clerk.spj"]);
        app.set_now("2026-11-20 10:00");

        // Questions are checked as typed, and must all be answered to submit.
        let r = renewal_draft(
            &app,
            &company,
            json!({"valid_until": "下个月", "nope": "x"}),
        )
        .unwrap_err();
        assert_eq!(r.status, 422);
        let mut errs: Vec<(String, String)> =
            field_errors(&r).into_iter().map(|e| (e.0, e.1)).collect();
        errs.sort();
        assert_eq!(
            errs,
            [
                ("form.fields.nope".into(), "unknown_field".into()),
                ("form.fields.valid_until".into(), "bad_value".into()),
            ]
        );
        let id = renewal_draft(&app, &company, json!({"licence_no": "JY1"})).unwrap();
        let r = act(&app, &company, &id, json!({"action": "submit"}));
        assert_eq!(r.status, 422, "{}", r.body);
        let fields: Vec<String> = field_errors(&r).into_iter().map(|e| e.0).collect();
        assert_eq!(fields, ["form.fields.valid_until", "form.fields.penalties"]);

        // All rules hold: accepted, approved and issued in the submitting request.
        let id = renewal_draft(&app, &company, answers("2027-01-10", "0")).unwrap();
        let c = submit(&app, &company, &id);
        assert_eq!(c["state"], "issued", "{c}");
        assert_eq!(c["decision"]["approved"], true);
        assert_eq!(c["decision"]["by"], "rules:food-licence-renewal@v1");
        assert_eq!(c["rule_decision"]["outcome"], "pass");
        assert_eq!(c["rule_decision"]["trace"].as_array().unwrap().len(), 6);
        assert_includes(
            &values_of(&c["notices"], "kind"),
            &["acceptance", "approval"],
        );
        let r = get_as(
            &app,
            &admin,
            &format!("/api/v1/audit?entity=case&entity_id={id}"),
        );
        let mut trail: Vec<(String, String)> = items(&r.json())
            .iter()
            .map(|e| {
                (
                    e["actor"].as_str().unwrap().to_string(),
                    e["action"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        trail.sort_by_key(|(_, a)| a.clone());
        let by_rules: Vec<&str> = trail
            .iter()
            .filter(|(who, _)| who == "rules:food-licence-renewal@v1")
            .map(|(_, a)| a.as_str())
            .collect();
        assert_eq!(
            by_rules,
            ["case.accept", "case.approve", "case.issue"],
            "{trail:?}"
        );
        assert!(trail.contains(&("company".into(), "case.submit".into())));

        // One rule fails: the case waits for a clerk, with the trace saying which.
        let id = renewal_draft(&app, &company, answers("2027-01-10", "1")).unwrap();
        let c = submit(&app, &company, &id);
        assert_eq!(c["state"], "submitted");
        assert_eq!(c["rule_decision"]["outcome"], "fail");
        assert_eq!(failed_rules(&c["rule_decision"]), ["no-penalty"]);
        let c = case_as(&app, &clerk, &id);
        assert!(allowed_actions(&c).contains(&"accept".to_string()));
        assert_eq!(c["rule_decision"]["outcome"], "fail");
        let referred = id.clone();

        // Bad credit: never approved by the rules, even with every answer right.
        let id = renewal_draft(&app, &trader, answers("2027-01-10", "0")).unwrap();
        let c = submit(&app, &trader, &id);
        assert_eq!(c["state"], "submitted");
        assert_eq!(failed_rules(&c["rule_decision"]), ["credit"]);
        // Too early to renew.
        let id = renewal_draft(&app, &company, answers("2027-06-01", "0")).unwrap();
        assert_eq!(submit(&app, &company, &id)["state"], "submitted");

        // What-if: allowing one penalty would change the referred case, and nothing else.
        let draft = food_rules("<= 1", "2025-01-01");
        let w = ok(post_as(
            &app,
            &clerk,
            "/api/v1/rules/what-if",
            json!({ "source": draft }),
        ));
        assert_eq!(w["compared"], 4);
        let changed = w["changed"].as_array().unwrap();
        assert_eq!(changed.len(), 1, "{w}");
        assert_eq!(changed[0]["subject_id"], referred.as_str());
        assert_eq!(changed[0]["before"]["outcome"], "fail");
        assert_eq!(changed[0]["after"]["outcome"], "pass");

        // A later version governs cases accepted on or after its first day.
        let v2 = json!({"source": food_rules("<= 1", "2026-12-01"), "publish": true});
        let r = post_as(&app, &admin, "/api/v1/rules", v2);
        assert_eq!(r.status, 201, "{}", r.body);
        let id = renewal_draft(&app, &company, answers("2027-01-10", "1")).unwrap();
        assert_eq!(submit(&app, &company, &id)["state"], "submitted");
        app.set_now("2026-12-02 10:00");
        let id = renewal_draft(&app, &company, answers("2027-01-10", "1")).unwrap();
        let c = submit(&app, &company, &id);
        assert_eq!(c["state"], "issued");
        assert_eq!(c["decision"]["by"], "rules:food-licence-renewal@v2");

        // An item handed back to clerks is decided by people again.
        let r = app.json(
            "PUT",
            "/api/v1/rules/items",
            &admin.h(),
            &json!({"item_code": FOOD_RENEWAL, "rule_set": null}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let r = renewal_draft(&app, &company, json!({"penalties": "0"})).unwrap_err();
        assert_eq!(
            field_errors(&r)[0].1,
            "unknown_field",
            "questions are no longer asked"
        );
        let id = renewal_draft(&app, &company, json!({})).unwrap();
        assert_eq!(submit(&app, &company, &id)["state"], "submitted");
    }
}
