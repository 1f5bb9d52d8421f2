//! Policy redemption through HTTP, on both stores: matching with amounts and reasons, a
//! declaration from materials to joint sign-off to payout, refusal with reasons, 免申即享
//! grants, published beneficiaries, and a budget that concurrent approvals cannot overspend.

use crate::harness::flows::*;
use crate::harness::{TestApp, backends, runtime};
use crate::rules::failed_rules;
use serde_json::{Value, json};

fn declare(app: &TestApp, who: &Who, code: &str, with_material: bool) -> crate::harness::Resp {
    let path = format!("/api/v1/policies/{code}/declarations");
    if with_material {
        app.upload_as(&path, &who.h(), "material_0", "proof.pdf", PDF, None)
    } else {
        app.upload_as(&path, &who.h(), "unrelated", "proof.pdf", PDF, None)
    }
}

fn sign(app: &TestApp, who: &Who, id: &str, approved: bool, opinion: &str) -> crate::harness::Resp {
    let path = format!("/api/v1/declarations/{id}/sign-off");
    post_as(
        app,
        who,
        &path,
        json!({"approved": approved, "opinion": opinion}),
    )
}

fn matches(app: &TestApp, who: &Who) -> Vec<Value> {
    let r = app.get_with("/api/v1/policies/matches", &who.h());
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"].as_array().unwrap().clone()
}

fn judged<'a>(ms: &'a [Value], code: &str) -> &'a Value {
    ms.iter().find(|m| m["code"] == code).unwrap()
}

fn problem_type(r: &crate::harness::Resp) -> String {
    r.json()["type"].as_str().unwrap_or("").to_string()
}

#[test]
fn a_policy_from_matching_to_payout_with_joint_sign_off() {
    for b in backends() {
        let app = TestApp::demo(&b);
        app.set_now("2026-11-20 10:00");
        let [company, trader, supervisor] = people(&app, ["company", "trader", "supervisor"]);
        let [jkt, czj, rsj, scj, treasury] = people(
            &app,
            [
                "approver.jkt",
                "approver.czj",
                "approver.rsj",
                "clerk.scj",
                "clerk.czj",
            ],
        );

        // Matching: each policy with its amount (in fen) and why.
        let ms = matches(&app, &company);
        let amount = |code: &str| judged(&ms, code)["decision"]["amount_fen"].as_i64();
        assert_eq!(amount("KJ-RD"), Some(15_000_000)); // 300万元 × 5%
        assert_eq!(amount("DL-AWARD"), Some(50_000_000)); // revenue under 1亿元
        assert_eq!(amount("GX-AWARD"), Some(30_000_000));
        assert_eq!(amount("GRAD"), Some(1_200_000)); // 6 × 2000元
        assert_eq!(amount("TALENT"), Some(10_000_000)); // 2 × 5万元
        assert_eq!(amount("CYXD"), Some(10_875_000)); // 500万元 × 4.35% × 50%
        assert_eq!(judged(&ms, "SEAL")["decision"]["outcome"], "fail");
        let dl = &judged(&ms, "DL-AWARD")["decision"]["trace"][0];
        assert_eq!(dl["kind"], "table");
        assert!(
            dl["expression"].as_str().unwrap().starts_with("#1 "),
            "{dl}"
        );
        // Bad credit: nothing that needs good credit.
        let ms = matches(&app, &trader);
        assert_eq!(judged(&ms, "GRAD")["decision"]["outcome"], "fail");
        assert_eq!(failed_rules(&judged(&ms, "GRAD")["decision"]), ["credit"]);
        // Only enterprises are matched.
        assert_eq!(
            app.get_with("/api/v1/policies/matches", &jkt.h()).status,
            403
        );

        // Declaring needs the materials; only a qualifying enterprise, once; never an exempt policy.
        let r = declare(&app, &company, "KJ-RD", false);
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "materials[0]");
        assert_eq!(
            problem_type(&declare(&app, &trader, "GRAD", true)),
            "/problems/not_eligible"
        );
        assert_eq!(
            problem_type(&declare(&app, &company, "GX-AWARD", true)),
            "/problems/exempt_no_declaration"
        );
        let r = declare(&app, &company, "KJ-RD", true);
        assert_eq!(r.status, 201, "{}", r.body);
        let d = r.json()["item"].clone();
        let id = d["id"].as_str().unwrap().to_string();
        assert_eq!(d["state"], "under_review");
        assert_eq!(d["amount_fen"], 15_000_000);
        assert_eq!(d["decision"]["outcome"], "pass");
        assert_eq!(
            problem_type(&declare(&app, &company, "KJ-RD", true)),
            "/problems/already_declared"
        );

        // Joint sign-off: each named department once; others cannot see it.
        assert_eq!(sign(&app, &scj, &id, true, "").status, 404);
        let d = ok(sign(&app, &jkt, &id, true, "研发费用审计报告属实"));
        assert_eq!(d["state"], "under_review");
        assert_eq!(
            problem_type(&sign(&app, &jkt, &id, true, "")),
            "/problems/already_signed"
        );
        let pending = get_as(&app, &czj, "/api/v1/declarations?pending=true").json();
        assert_eq!(items(&pending).len(), 1);
        let pay = |who: &Who, on: &str| {
            let path = format!("/api/v1/declarations/{id}/payout");
            post_as(
                &app,
                who,
                &path,
                json!({"paid_on": on, "voucher": "XHCZ-2026-0817"}),
            )
        };
        assert_eq!(
            problem_type(&pay(&czj, "2026-11-20")),
            "/problems/not_awaiting_payment"
        );
        let d = ok(sign(&app, &czj, &id, true, ""));
        assert_eq!(d["state"], "approved");
        // On the claim's page the signer is told a colleague pays; the colleague gets the form.
        let page = |user: &str| {
            app.page(&app.session(user), &format!("/declarations/{id}"))
                .body
        };
        let signer = page("approver.czj");
        assert!(
            signer.contains("id=\"payout-by-another\"") && !signer.contains("id=\"form-payout\""),
            "{signer}"
        );
        assert!(page("clerk.czj").contains("id=\"form-payout\""));
        let p = ok(app.get("/api/v1/policies/KJ-RD"));
        assert_eq!(
            (p["committed_fen"].as_i64(), p["remaining_fen"].as_i64()),
            (Some(15_000_000), Some(485_000_000))
        );

        // Payout by the payer only, on a real date.
        assert_eq!(
            problem_type(&pay(&jkt, "2026-11-20")),
            "/problems/not_the_payer"
        );
        // Whoever signed it off does not also record its money (不相容岗位分离).
        assert_eq!(
            problem_type(&pay(&czj, "2026-11-20")),
            "/problems/signer_may_not_pay"
        );
        assert_eq!(pay(&treasury, "2026-11-28").status, 422);
        app.set_now("2026-11-27 15:00");
        let d = ok(pay(&treasury, "2026-11-26"));
        assert_eq!(d["state"], "paid");
        assert_eq!(d["payout"]["voucher"], "XHCZ-2026-0817");
        // Each step reached the inboxes it concerns.
        let inbox = |who: &Who| -> Vec<(String, String)> {
            items(&get_as(&app, who, "/api/v1/inbox").json())
                .iter()
                .filter(|m| m["case_id"] == id.as_str())
                .map(|m| {
                    (
                        m["kind"].as_str().unwrap().into(),
                        m["recipient"].as_str().unwrap().into(),
                    )
                })
                .collect()
        };
        let to_jkt = inbox(&jkt);
        assert!(
            to_jkt.contains(&("declaration_submitted".into(), "unit:XH-JKT".into())),
            "{to_jkt:?}"
        );
        let to_czj = inbox(&czj);
        assert!(
            to_czj.contains(&("declaration_to_pay".into(), "unit:XH-CZJ".into())),
            "{to_czj:?}"
        );
        let mut to_company: Vec<String> = inbox(&company).into_iter().map(|(k, _)| k).collect();
        to_company.sort();
        assert_eq!(to_company, ["declaration_approved", "declaration_paid"]);
        let p = ok(app.get("/api/v1/policies/KJ-RD"));
        assert_eq!(p["paid_fen"], 15_000_000);
        assert_eq!(p["figures"]["paid"], 1);
        assert_eq!(p["figures"]["average_days_to_money"], 6.0);
        let b = app.get("/api/v1/policies/KJ-RD/beneficiaries").json();
        assert_eq!(
            b["items"][0]["enterprise_name"],
            "南昌市西湖区洪城数智科技有限公司"
        );
        assert_eq!(b["items"][0]["paid_on"], "2026-11-26");

        // A refusal needs reasons and ends the declaration at once.
        let r = declare(&app, &company, "TALENT", true);
        let tid = r.json()["item"]["id"].as_str().unwrap().to_string();
        assert_eq!(sign(&app, &rsj, &tid, false, " ").status, 422);
        let d = ok(sign(&app, &rsj, &tid, false, "人才认定证明不在有效期内"));
        assert_eq!(
            (d["state"].as_str(), d["reasons"].as_str()),
            (Some("rejected"), Some("人才认定证明不在有效期内"))
        );
        assert_eq!(
            problem_type(&sign(&app, &czj, &tid, true, "")),
            "/problems/declaration_not_open"
        );

        // 免申即享: every qualifying enterprise, once, without declaring.
        let grant = |who: &Who, code: &str| {
            post_as(
                &app,
                who,
                &format!("/api/v1/policies/{code}/grants"),
                json!({}),
            )
        };
        assert_eq!(grant(&company, "GX-AWARD").status, 403);
        for (who, granted, already) in [(&supervisor, 2, 0), (&jkt, 0, 2)] {
            let g = ok(grant(who, "GX-AWARD"));
            assert_eq!(
                (g["granted"].as_u64(), g["already_granted"].as_u64()),
                (Some(granted), Some(already)),
                "{g}"
            );
        }
        assert_eq!(
            judged(&matches(&app, &company), "GX-AWARD")["claim"]["state"],
            "approved"
        );
        assert_eq!(
            problem_type(&grant(&supervisor, "KJ-RD")),
            "/problems/not_exempt"
        );
        let b = app.get("/api/v1/policies/GX-AWARD/beneficiaries").json();
        assert_eq!(items(&b).len(), 2);
        // Paid, a grant that certifies a recognition is an electronic licence of the payer
        // (惠企政策兑现确认书), logged in the payment's write.
        let mine = get_as(&app, &company, "/api/v1/declarations").json();
        let gx = items(&mine)
            .iter()
            .find(|d| d["policy"] == "GX-AWARD")
            .expect("the company's grant")["id"]
            .as_str()
            .unwrap()
            .to_string();
        let paid = post_as(
            &app,
            &czj,
            &format!("/api/v1/declarations/{gx}/payout"),
            json!({"paid_on": "2026-11-27", "voucher": "XHCZ-2026-0901"}),
        );
        assert_eq!(ok(paid)["state"], "paid");
        let held = crate::harness::runtime()
            .block_on(app.store.licences_of("91360103MA39K2R741"))
            .unwrap();
        let cert = held
            .iter()
            .find(|l| l.type_code == "340100")
            .expect("the grant's licence");
        assert_eq!(cert.issuer_unit, "XH-CZJ");
        assert_eq!(cert.fields["amount"], "300,000.00元");
        assert_eq!(cert.fields["paid_on"], "2026-11-27");
        assert_eq!(
            app.get(&format!("/licences/{}", cert.identifier)).status,
            200
        );
        // Every enterprise with graduates, but not the one with bad credit.
        let mut auto = app.get("/api/v1/policies/GRAD").json()["item"].clone();
        for k in ["committed_fen", "paid_fen", "remaining_fen", "figures"] {
            auto.as_object_mut().unwrap().remove(k);
        }
        auto["code"] = json!("GRAD-AUTO");
        auto["exempt"] = json!(true);
        let r = app.json("PUT", "/api/v1/policies/GRAD-AUTO", &supervisor.h(), &auto);
        assert_eq!(r.status, 200, "{}", r.body);
        let g = ok(grant(&supervisor, "GRAD-AUTO"));
        assert_eq!(
            (g["granted"].as_u64(), g["not_eligible"].as_u64()),
            (Some(5), Some(1)),
            "{g}"
        );
        let beneficiaries = app.get("/api/v1/policies/GRAD-AUTO/beneficiaries").json();
        let names = values_of(&beneficiaries["items"], "enterprise_name");
        assert!(!names.iter().any(|n| n.contains("恒通商贸")), "{names:?}");

        // An enterprise sees its own declarations only; the audit trail has every change.
        let declarations = |who: &Who| get_as(&app, who, "/api/v1/declarations").json();
        assert_eq!(items(&declarations(&company)).len(), 4);
        assert_eq!(items(&declarations(&trader)).len(), 0);
        let r = get_as(&app, &trader, &format!("/api/v1/declarations/{id}"));
        assert_eq!(r.status, 404);
        let admin = Who::new(&app, "admin");
        assert_includes(
            &audit_actions(&app, &admin, "declaration", &id),
            &[
                "declaration.create",
                "declaration.sign_off",
                "declaration.pay",
            ],
        );
    }
}

#[test]
fn concurrent_approvals_never_overspend_the_budget() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let supervisor = Who::new(&app, "supervisor");
        app.set_now("2026-11-20 10:00");
        // A small talent policy: 2 × 5万元 each, room for two of the eight enterprises.
        let policy = json!({
            "code": "TALENT-PILOT", "name": "人才引进试点奖励", "reference": "试点通知",
            "summary": "试点", "interpretation": "试点", "flow": ["申报", "审核", "拨付"],
            "rule_set": "talent", "departments": ["XH-RSJ"], "payer": "XH-CZJ",
            "budget_fen": 25_000_000, "opens": "2026-01-01", "closes": "2026-12-31",
            "materials": ["人才认定证明"]});
        let put = |body: &Value| {
            app.json(
                "PUT",
                "/api/v1/policies/TALENT-PILOT",
                &supervisor.h(),
                body,
            )
        };
        let r = put(&policy);
        assert_eq!(r.status, 200, "{}", r.body);
        let mut bad = policy.clone();
        bad["budget_fen"] = json!(0);
        bad["departments"] = json!(["XH-NOPE"]);
        assert_eq!(put(&bad).status, 422);

        let mut ids = Vec::new();
        for n in 0..8u32 {
            let uscc = tongban_domain::ids::new_enterprise_uscc("360103", 700_000 + n)
                .unwrap()
                .as_str()
                .to_string();
            let username = format!("pilot{n}");
            runtime().block_on(async {
                let s = &app.store;
                s.register_enterprise("test", &uscc, &format!("南昌市西湖区试点{n}号科技有限公司"))
                    .await
                    .unwrap();
                let mut facts = tongban_domain::rules::Facts::new();
                facts.insert(
                    "enterprise.talents".into(),
                    tongban_domain::rules::Value::Int(2),
                );
                s.set_enterprise_facts("test", &uscc, &facts).await.unwrap();
                let user = tongban_domain::accounts::NewUser {
                    username: username.clone(),
                    display_name: format!("试点{n}号"),
                    role: tongban_domain::accounts::Role::Applicant,
                    unit: None,
                    identity: Some(tongban_domain::accounts::ApplicantIdentity::Enterprise(
                        tongban_domain::ids::Uscc::parse(&uscc).unwrap(),
                    )),
                };
                s.create_user("test", &user, "not-a-login").await.unwrap();
            });
            let who = Who::new(&app, &username);
            let r = declare(&app, &who, "TALENT-PILOT", true);
            assert_eq!(r.status, 201, "{}", r.body);
            assert_eq!(r.json()["item"]["amount_fen"], 10_000_000);
            ids.push(r.json()["item"]["id"].as_str().unwrap().to_string());
        }

        // Eight final sign-offs at once, from two approvers of the department.
        let rsj = Who::new(&app, "approver.rsj");
        let clerk = Who::new(&app, "clerk.rsj");
        let states: Vec<String> = std::thread::scope(|s| {
            let hs: Vec<_> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let who = if i % 2 == 0 { &rsj } else { &clerk };
                    let app = &app;
                    s.spawn(move || {
                        ok(sign(app, who, id, true, ""))["state"]
                            .as_str()
                            .unwrap()
                            .to_string()
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let approved = states.iter().filter(|s| *s == "approved").count();
        let exhausted = states.iter().filter(|s| *s == "budget_exhausted").count();
        assert_eq!((approved, exhausted), (2, 6), "{states:?}");
        let p = ok(app.get("/api/v1/policies/TALENT-PILOT"));
        assert_eq!(p["committed_fen"], 20_000_000);
        assert_eq!(p["figures"]["budget_exhausted"], 6);
        // The budget cannot be cut below what is reserved.
        let mut cut = policy.clone();
        cut["budget_fen"] = json!(15_000_000);
        assert_eq!(problem_type(&put(&cut)), "/problems/budget_below_committed");
    }
}
