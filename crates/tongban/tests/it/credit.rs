//! 信用西湖 on both stores: records entered by a unit, found by the public, published on their
//! clock, repaired by the deciding unit, and the 告知承诺 bar that follows them.

use crate::harness::flows::*;
use crate::harness::{TestApp, backends, fresh_store_url, local_time, runtime};
use serde_json::{Value, json};
use tongban_store::Store;

/// A penalty entered by the market regulator against the demo company on the pinned day.
fn penalty() -> Value {
    json!({
        "subject_kind": "enterprise",
        "subject_id": "91360103MA39K2R741",
        "subject_name": "南昌市西湖区洪城数智科技有限公司",
        "kind": "penalty",
        "severity": "ordinary",
        "unit": "XH-SCJ",
        "document": "洪西市监罚〔2026〕88号",
        "decided_on": "2026-12-07",
        "legal_basis": "《中华人民共和国广告法》第五十五条",
        "summary": "发布虚假广告"
    })
}

#[test]
fn a_units_record_is_published_found_and_refused_when_malformed() {
    each_app(|app| {
        let [clerk, other_clerk, company] = people(app, ["clerk.scj", "clerk.spj", "company"]);
        let r = post_as(app, &clerk, "/api/v1/credit/records", penalty());
        let rec = created(r);
        let id = rec["id"].as_str().unwrap().to_string();
        assert!(id.starts_with("CR2026-"), "{id}");
        assert_eq!(rec["standing"], "published");
        // The clock: published 2026-12-07 to 2027-12-06, repair from 2027-03-07.
        assert_eq!(rec["window"]["until"], "2027-12-06");
        assert_eq!(rec["window"]["repair_from"], "2027-03-07");

        // Another unit cannot enter records in the regulator's name.
        let r = post_as(app, &other_clerk, "/api/v1/credit/records", penalty());
        assert_eq!(r.status, 403, "{}", r.body);
        // Bad input: each field named, nothing written.
        let mut bad = penalty();
        bad["subject_id"] = json!("91360103MA39K2R742");
        bad["legal_basis"] = json!("");
        bad["publish_months"] = json!(2);
        let r = post_as(app, &clerk, "/api/v1/credit/records", bad);
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(
            error_fields(&r),
            ["subject_id", "legal_basis", "publish_months"]
        );

        // The public finds it by name and by code, without a token.
        let found = app.get("/api/v1/credit/records?q=洪城数智");
        assert_eq!(found.status, 200, "{}", found.body);
        assert!(any_of(&found.json()["items"], |x| x["id"] == id.as_str()));
        let by_code = app.get("/api/v1/credit/records?q=91360103MA39K2R741");
        assert!(any_of(&by_code.json()["items"], |x| x["id"] == id.as_str()));
        assert_eq!(app.get("/api/v1/credit/records?q=洪").status, 422);
        // The company sees it among its own, with its repair date.
        let mine = get_as(app, &company, "/api/v1/credit/mine").json();
        assert!(any_of(&mine["items"], |x| x["id"] == id.as_str()));

        // A person's number is masked for the public, whole for the person's unit.
        let mut person = penalty();
        person["subject_kind"] = json!("person");
        person["subject_id"] = json!("360103199003120276");
        person["subject_name"] = json!("陈志强");
        let pid = created(post_as(app, &clerk, "/api/v1/credit/records", person))["id"]
            .as_str()
            .unwrap()
            .to_string();
        let public = app.get(&format!("/api/v1/credit/records/{pid}")).json();
        let shown = public["item"]["subject_id"].as_str().unwrap();
        assert!(
            shown.contains('*') && !shown.contains("199003120"),
            "{shown}"
        );
        assert!(
            !app.get("/api/v1/credit/records?q=陈志强")
                .body
                .contains("360103199003120276")
        );
        let full = ok(get_as(
            app,
            &clerk,
            &format!("/api/v1/credit/records/{pid}"),
        ));
        assert_eq!(full["subject_id"], "360103199003120276");
        // An honour puts the company on the red list, open-ended.
        let mut honour = penalty();
        honour["kind"] = json!("honour");
        honour["document"] = json!("洪西市监〔2026〕守信1号");
        let h = created(post_as(app, &clerk, "/api/v1/credit/records", honour));
        assert_eq!(h["window"]["until"], Value::Null);
        let red = app.get("/api/v1/credit/lists/red").json();
        assert!(any_of(&red["items"], |x| x["id"] == h["id"]));
        assert_audit_intact(app);
    });
}

#[test]
fn repair_after_the_minimum_lifts_the_commitment_bar_and_publication_ends_by_itself() {
    each_app(|app| {
        let [trader, clerk, other_clerk] = people(app, ["trader", "clerk.scj", "clerk.spj"]);
        let barred = || {
            runtime()
                .block_on(app.store.commitment_barred("trader"))
                .unwrap()
        };
        // The demo's serious-dishonesty record, decided two months before the pinned day.
        let mine = get_as(app, &trader, "/api/v1/credit/mine").json();
        let rec = first_of(&mine["items"], |x| x["kind"] == "serious_dishonesty").clone();
        let id = rec["id"].as_str().unwrap().to_string();
        assert_eq!(rec["standing"], "published");
        assert_eq!(rec["window"]["repair_from"], "2027-10-07");
        assert!(barred());
        let on_black = || {
            let r = app.get("/api/v1/credit/lists/black");
            assert_eq!(r.status, 200, "{}", r.body);
            any_of(&r.json()["items"], |x| x["id"] == id.as_str())
        };
        assert!(on_black(), "the serious-dishonesty list names it");
        assert!(
            app.get("/credit/lists")
                .body
                .contains("南昌市西湖区恒通商贸有限公司")
        );
        assert_eq!(app.get("/api/v1/credit/lists/green").status, 404);
        let actions = format!("/api/v1/credit/records/{id}/actions");
        let ask = json!({"action": "request_repair", "correction": "已履行行政处罚决定",
            "obligations": "罚款及滞纳金已缴清", "commitment": "承诺依法诚信经营"});

        // Before the minimum period: refused, saying why.
        let r = post_as(app, &trader, &actions, ask.clone());
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["code"], "before_minimum_period");

        // A year on: the subject asks, the deciding unit (not another) decides.
        app.set_now("2027-10-08 09:30");
        let asked = ok(post_as(app, &trader, &actions, ask));
        assert_eq!(asked["repairs"][0]["decide_by"], "2027-10-15");
        assert!(barred(), "the bar stays until the unit decides");
        let approve = json!({"action": "decide_repair", "approved": true, "reasons": ""});
        let r = post_as(app, &other_clerk, &actions, approve.clone());
        assert_eq!(r.status, 403, "{}", r.body);
        let repaired = ok(post_as(app, &clerk, &actions, approve));
        assert_eq!(repaired["standing"], "repaired");
        assert!(!barred(), "a repair lifts the bar at once");
        assert!(!on_black(), "and takes it off the black list");
        let trail = audit_actions(app, &Who::new(app, "admin"), "credit_record", &id);
        assert_includes(
            &trail,
            &[
                "credit.record",
                "credit.request_repair",
                "credit.decide_repair",
            ],
        );

        // An ordinary record ends by itself a year after its decision.
        app.set_now("2026-12-07 10:00");
        let p = created(post_as(app, &clerk, "/api/v1/credit/records", penalty()));
        let pid = p["id"].as_str().unwrap();
        app.set_now("2027-12-07 10:00");
        let later = app.get(&format!("/api/v1/credit/records/{pid}")).json();
        assert_eq!(later["item"]["standing"], "expired");
        assert_audit_intact(app);
    });
}

/// Credit marks of earlier versions become records at start-up, each kept with its note, date
/// and case, and the bar they set still holds.
#[test]
fn credit_marks_of_earlier_versions_become_records_without_loss() {
    for b in backends() {
        let url = fresh_store_url(&b);
        let store = runtime().block_on(Store::open(&url)).unwrap();
        runtime()
            .block_on(tongban::demo::load_base_if_empty(&store))
            .unwrap();
        runtime().block_on(async {
            use tongban_store::sqlx::{self, Connection};
            store.close().await;
            // A mark as an earlier version wrote it, straight into its table.
            sqlx::any::install_default_drivers();
            let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
            sqlx::raw_sql(
                "INSERT INTO credit_marks (subject, kind, case_id, note, created_at)
                 VALUES ('citizen', 'false_promise', NULL, '旧版本的虚假承诺标记', '2026-10-01T10:00:00+08:00')",
            )
            .execute(&mut c)
            .await
            .unwrap();
            c.close().await.unwrap();
        });
        let pinned = local_time("2026-12-07 10:00");
        let store = runtime()
            .block_on(Store::open(&url))
            .unwrap()
            .with_clock(std::sync::Arc::new(move || pinned));
        runtime().block_on(async {
            let records = store.credit_records_of("360103199003120276").await.unwrap();
            assert_eq!(records.len(), 1);
            let r = &records[0];
            assert_eq!(r.entered.kind.as_str(), "broken_commitment");
            assert_eq!(r.entered.summary, "旧版本的虚假承诺标记");
            assert_eq!(r.entered.decided_on.to_string(), "2026-10-01");
            assert!(store.commitment_barred("citizen").await.unwrap());
            assert!(store.verify_audit().await.unwrap().is_ok());
            store.close().await;
        });
        // Opening again moves nothing twice.
        let store = runtime().block_on(Store::open(&url)).unwrap();
        let n = runtime()
            .block_on(store.credit_records_of("360103199003120276"))
            .unwrap()
            .len();
        assert_eq!(n, 1);
        runtime().block_on(store.close());
    }
}

/// The same on pages, as the regulator's clerk and the enterprise use them: the entry form
/// refuses bad input and keeps it, a repair is asked and decided by forms, and each side is told
/// in its inbox with a link to the record.
#[test]
fn units_and_subjects_use_the_forms_and_are_told() {
    let app = TestApp::demo(&crate::harness::Backend::Sqlite);
    let clerk = app.session("clerk.scj");
    assert_eq!(app.page(&clerk, "/credit/new").status, 200);
    let fields = [
        ("subject_kind", "enterprise"),
        ("subject_id", "91360103MA39K2R742"),
        ("subject_name", "南昌市西湖区洪城数智科技有限公司"),
        ("kind", "penalty"),
        ("severity", "ordinary"),
        ("publish_months", ""),
        ("document", "洪西市监罚〔2026〕90号"),
        ("decided_on", "2026-12-07"),
        ("legal_basis", ""),
        ("summary", "未按规定公示年度报告"),
    ];
    let r = app.post_form(&clerk, "/credit/new", &fields);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("洪西市监罚〔2026〕90号"),
        "entries are kept"
    );
    assert!(r.body.contains("id=\"credit-errors\""));
    let mut good = fields;
    good[1].1 = "91360103MA39K2R741";
    good[8].1 = "《企业信息公示暂行条例》第十八条";
    let r = app.post_form(&clerk, "/credit/new", &good);
    assert_eq!(r.status, 303, "{}", r.body);
    let record = r.header("location").unwrap().to_string();
    assert!(record.starts_with("/credit/records/CR2026-"), "{record}");
    let id = record.rsplit('/').next().unwrap().to_string();
    assert!(app.page(&clerk, "/credit/unit").body.contains(&id));

    // A year on, the company asks for repair on the record's page.
    app.set_now("2027-03-08 10:00");
    let company = app.session("company");
    assert!(app.page(&company, "/credit/mine").body.contains(&id));
    assert!(
        app.page(&company, "/credit")
            .body
            .contains("href=\"/credit/mine\"")
    );
    let page = app.page(&company, &record);
    assert!(page.body.contains("id=\"repair-form\""), "{}", page.body);
    let empty = [("correction", ""), ("obligations", ""), ("commitment", "")];
    let r = app.post_form(&company, &format!("{record}/repair"), &empty);
    assert_eq!(r.status, 422, "{}", r.body);
    let ask = [
        ("correction", "已补报并公示年度报告"),
        ("obligations", "无罚款"),
        ("commitment", "承诺按时公示年度报告"),
    ];
    assert_eq!(
        app.post_form(&company, &format!("{record}/repair"), &ask)
            .status,
        303
    );

    // The unit is told, with a link; its list shows the deadline; it decides (signed in again:
    // three months passed).
    let clerk = app.session("clerk.scj");
    assert_eq!(app.page(&clerk, "/credit/mine").status, 403);
    let scj = Who::new(&app, "clerk.scj");
    let inbox = get_as(&app, &scj, "/api/v1/inbox").json();
    let told = first_of(&inbox["items"], |m| m["kind"] == "credit_repair_requested");
    assert_eq!(told["about_id"], id.as_str());
    let page = app.page(&clerk, "/inbox").body;
    let main = &page[page.find("<main").unwrap_or(0)..];
    assert!(main.contains(&format!("href=\"{record}\"")), "{main}");
    assert!(app.page(&clerk, "/credit/unit").body.contains("2027-03-15"));
    let refuse = [("decision", "refuse"), ("reasons", "")];
    assert_eq!(
        app.post_form(&clerk, &format!("{record}/decide"), &refuse)
            .status,
        422
    );
    let approve = [("decision", "approve"), ("reasons", "")];
    assert_eq!(
        app.post_form(&clerk, &format!("{record}/decide"), &approve)
            .status,
        303
    );
    assert!(app.page(&company, &record).body.contains("已修复"));
    let co = Who::new(&app, "company");
    let inbox = get_as(&app, &co, "/api/v1/inbox").json();
    assert!(any_of(&inbox["items"], |m| m["kind"] == "credit_repair_decided"));
    assert_audit_intact(&app);
}

/// A subject disputes a record (异议); the unit upholds it and the record is withdrawn: gone from
/// the public search, the lists and the 告知承诺 bar, kept for the subject and the unit.
#[test]
fn an_upheld_dispute_withdraws_a_record_everywhere() {
    each_app(|app| {
        let [trader, clerk] = people(app, ["trader", "clerk.scj"]);
        let mine = get_as(app, &trader, "/api/v1/credit/mine").json();
        let id = first_of(&mine["items"], |x| x["kind"] == "serious_dishonesty")["id"]
            .as_str()
            .unwrap()
            .to_string();
        let actions = format!("/api/v1/credit/records/{id}/actions");
        let r = post_as(
            app,
            &trader,
            &actions,
            json!({"action": "dispute", "text": ""}),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        let disputed = ok(post_as(
            app,
            &trader,
            &actions,
            json!({"action": "dispute", "text": "处罚决定已被复议撤销"}),
        ));
        assert_eq!(disputed["allowed_actions"], json!([]));
        let answered = ok(post_as(
            app,
            &clerk,
            &actions,
            json!({"action": "answer_dispute", "upheld": true, "text": "复议撤销，予以撤销"}),
        ));
        assert_eq!(answered["standing"], "withdrawn");
        assert!(
            !runtime()
                .block_on(app.store.commitment_barred("trader"))
                .unwrap()
        );
        assert!(
            !app.get("/api/v1/credit/records?q=恒通商贸")
                .body
                .contains(&id)
        );
        assert_eq!(app.get(&format!("/api/v1/credit/records/{id}")).status, 404);
        assert!(!app.get("/api/v1/credit/lists/black").body.contains(&id));
        // The subject still sees it, with the answer.
        let own = ok(get_as(
            app,
            &trader,
            &format!("/api/v1/credit/records/{id}"),
        ));
        assert_eq!(own["disputes"][0]["answer"]["upheld"], true);
        assert_audit_intact(app);
    });
}

/// A unit imports a spreadsheet of its records: every problem of a bad file named by row, column
/// and reason and nothing entered; a good file entered whole, each record in the audit trail.
#[test]
fn a_unit_imports_its_records_all_or_nothing() {
    use tongban_app::credit::import::{example_row, template_xlsx};
    each_app(|app| {
        let clerk = app.session("clerk.scj");
        let template = app.page(&clerk, "/credit/import/template.xlsx");
        assert_eq!(template.status, 200);
        assert!(template.bytes.starts_with(b"PK"), "an .xlsx is a zip");
        let good = example_row();
        let mut person = example_row();
        person[0] = "自然人".into();
        person[1] = "360103199003120276".into();
        person[2] = "陈志强".into();
        person[3] = "经营异常名录".into();
        person[4] = "轻微".into();
        person[5] = "洪西市监异〔2026〕2号".into();
        let mut no_basis = example_row();
        no_basis[7] = String::new();
        let mut bad_values = example_row();
        bad_values[3] = "表扬".into();
        bad_values[6] = "2026-13-01".into();
        let upload = |name: &str, bytes: &[u8]| {
            app.multipart(
                "/credit/import",
                &[("cookie", &clerk.cookie)],
                &[("csrf", &clerk.csrf)],
                &[("file", name, bytes)],
            )
        };
        let before = app.get("/api/v1/credit/records?q=洪城数智").json()["items"]
            .as_array()
            .unwrap()
            .len();
        let bad = template_xlsx(&[good.clone(), no_basis, bad_values]).unwrap();
        let r = upload("records.xlsx", &bad);
        assert_eq!(r.status, 422, "{}", r.body);
        let errors = &r.body[r.body.find("id=\"import-errors\"").unwrap()..];
        for want in [
            "<td>3</td><td>法律依据</td>",
            "<td>4</td><td>信息类别</td>",
            "<td>4</td><td>决定日期</td>",
        ] {
            assert!(errors.contains(want), "{want} in {errors}");
        }
        let after = app.get("/api/v1/credit/records?q=洪城数智").json()["items"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(after, before, "nothing entered");
        assert_eq!(upload("records.txt", b"x").status, 400, "not a spreadsheet");
        let r = upload("records.csv", "名称,颜色\n甲,红\n".as_bytes());
        assert_eq!(r.status, 422);
        assert!(r.body.contains("颜色"), "the unknown column is named");

        let ok = template_xlsx(&[good, person]).unwrap();
        let r = upload("records.xlsx", &ok);
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("id=\"import-summary\""), "{}", r.body);
        let found = app.get("/api/v1/credit/records?q=洪城数智").json();
        assert_eq!(found["items"].as_array().unwrap().len(), before + 1);
        assert!(
            r.body.contains("陈志强") && r.body.contains("经营异常名录"),
            "on the unit's list"
        );
        // Another role may not import.
        let company = app.session("company");
        let r = app.multipart(
            "/credit/import",
            &[("cookie", &company.cookie)],
            &[("csrf", &company.csrf)],
            &[("file", "records.xlsx", &ok)],
        );
        assert_eq!(r.status, 403);
        assert_audit_intact(app);
    });
}

/// The three lists drive the measures: an honour from the credit office puts the company's
/// next case in the green channel, first in the queue and marked 容缺受理; the office edits the
/// measures list and the next case follows the new version; the data list refuses a record from
/// a unit that does not supply that kind; rules read `applicant.credit.*`.
#[test]
fn the_three_lists_drive_the_measures() {
    each_app(|app| {
        let [fgw, ga, company, clerk, citizen] = people(
            app,
            ["clerk.fgw", "clerk.ga", "company", "clerk.spj", "citizen"],
        );
        let page = app.get("/credit/measures");
        assert_eq!(page.status, 200);
        assert!(page.body.contains("id=\"measure-M01\"") && page.body.contains("不适用告知承诺"));
        // The data list: abnormal operation comes from the market regulator only.
        let mut abnormal = penalty();
        abnormal["kind"] = json!("abnormal_operation");
        abnormal["unit"] = json!("XH-GA");
        let r = post_as(app, &ga, "/api/v1/credit/records", abnormal);
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(error_fields(&r), vec!["kind"]);

        // A citizen's case before: no green channel.
        let before = submitted(app, &citizen);
        assert_eq!(
            case_as(app, &citizen, &before)["green_channel"],
            Value::Null
        );
        // The credit office puts the company on the red list: its next case is in the green
        // channel and first in the clerk's queue.
        let mut honour = penalty();
        honour["kind"] = json!("honour");
        honour["unit"] = json!("XH-FGW");
        honour["document"] = json!("洪西发改信〔2026〕5号");
        created(post_as(app, &fgw, "/api/v1/credit/records", honour));
        let id = submitted(app, &company);
        let case = case_as(app, &company, &id);
        assert_eq!(case["green_channel"], true);
        assert_eq!(case["tolerance"], true);
        let queue = get_as(app, &clerk, "/api/v1/cases?state=submitted").json();
        assert_eq!(
            items(&queue)[0]["id"],
            id.as_str(),
            "the green channel first"
        );
        let page = app.page(&app.session("clerk.spj"), "/cases");
        assert!(page.body.contains("绿色通道"));
        // Rules read the lists' facts.
        let facts = get_as(app, &clerk, "/api/v1/rules/facts").json();
        assert!(facts.to_string().contains("applicant.credit.trustworthy"));
        let mine = app.page(&app.session("company"), "/credit/mine");
        assert!(mine.body.contains("id=\"measure-M06\""), "{}", mine.body);

        // The office drops the green channel from the measures list: the next case follows.
        let office = app.session("clerk.fgw");
        let page = app.page(&office, "/credit/measures");
        assert!(page.body.contains("id=\"edit-measures\""));
        let current = tongban_domain::credit::lists::BASELINE;
        let without = current.replace(
            "effect = \"green_channel\"\nbehaviours = [\"B10\"]",
            "effect = \"green_channel\"\nbehaviours = [\"B99\"]",
        );
        let r = app.post_form(
            &office,
            "/credit/measures",
            &[("document", &without), ("note", "x")],
        );
        assert_eq!(r.status, 422, "an unknown behaviour is named: {}", r.body);
        assert!(r.body.contains("B99"));
        let start = current.find("[[measure]]\ncode = \"M06\"").unwrap();
        let end = start + current[start..].find("\n[[measure]]").unwrap();
        let edited = format!("{}{}", &current[..start], &current[end + 1..]);
        let r = app.post_form(
            &office,
            "/credit/measures",
            &[("document", &edited), ("note", "取消绿色通道措施")],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(
            app.get("/credit/measures")
                .body
                .contains("取消绿色通道措施")
        );
        let next = submitted(app, &company);
        let case = case_as(app, &company, &next);
        assert_eq!(case["green_channel"], Value::Null);
        assert_eq!(case["tolerance"], true, "容缺受理 stays");
        // Only the credit office keeps the lists.
        let other = app.session("clerk.spj");
        let r = app.post_form(
            &other,
            "/credit/measures",
            &[("document", &edited), ("note", "x")],
        );
        assert_eq!(r.status, 403);
        assert_audit_intact(app);
    });
}

/// Government integrity: a unit enters the district's commitment to an enterprise; kept, late or
/// broken follows from the dates alone, unit by unit, on a public page; only the promising unit
/// records the fulfilment.
#[test]
fn the_districts_commitments_are_kept_late_or_broken_by_their_dates() {
    each_app(|app| {
        let czj = app.session("approver.czj");
        let form = |content: &str, due: &str| {
            vec![
                ("enterprise", "91360103MA39K2R741"),
                ("enterprise_name", "南昌市西湖区洪城数智科技有限公司"),
                ("kind", "policy"),
                ("content", content),
                ("document", "西财企〔2026〕12号"),
                ("promised_on", "2026-11-02"),
                ("due", due),
            ]
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect::<Vec<_>>()
        };
        let post = |s: &crate::harness::Session, path: &str, f: &[(&str, String)]| {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(s, path, &f)
        };
        let r = post(
            &czj,
            "/credit/integrity",
            &form("研发费用补助", "2026-10-01"),
        );
        assert_eq!(r.status, 422, "due before the promise: {}", r.body);
        let r = post(
            &czj,
            "/credit/integrity",
            &form("研发费用补助30万元", "2026-12-10"),
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let kept = r.header("location").unwrap().to_string();
        let r = post(
            &czj,
            "/credit/integrity",
            &form("人才公寓补贴", "2026-12-09"),
        );
        let late = r.header("location").unwrap().to_string();
        assert!(app.get("/credit/integrity").body.contains("未到期"));
        // Another unit may not record the fulfilment.
        let other = app.session("approver.jkt");
        let done = |on: &str| vec![("on", on.to_string()), ("note", "资金已拨付".to_string())];
        assert_eq!(
            post(&other, &format!("{kept}/fulfil"), &done("2026-12-07")).status,
            403
        );
        assert_eq!(
            post(&czj, &format!("{kept}/fulfil"), &done("2026-12-08")).status,
            422,
            "not in the future"
        );
        assert_eq!(
            post(&czj, &format!("{kept}/fulfil"), &done("2026-12-07")).status,
            303
        );
        // A week on, the second is broken until it is done, then late.
        app.set_now("2026-12-14 10:00");
        assert!(app.get(&late).body.contains("到期未兑现"));
        let page = app.get("/credit/integrity").body;
        assert!(page.contains("50.0%"), "one of two kept on time: {page}");
        let czj = app.session("approver.czj");
        assert_eq!(
            post(&czj, &format!("{late}/fulfil"), &done("2026-12-14")).status,
            303
        );
        assert!(app.get(&late).body.contains("逾期兑现"));
        assert_eq!(
            post(&czj, &format!("{late}/fulfil"), &done("2026-12-14")).status,
            409
        );
        assert_audit_intact(app);
    });
}

/// A licence the platform issues to an enterprise is published as a credit record of the issuing
/// unit (双公示) in the case's write; it counts neither for nor against the enterprise.
#[test]
fn a_licence_the_platform_issues_is_published() {
    each_app(|app| {
        let [company, clerk, approver] = people(app, ["company", "clerk.spj", "approver.spj"]);
        let id = issued_case(app, &company, &clerk, &approver);
        let found = app
            .get("/api/v1/credit/records?q=91360103MA39K2R741")
            .json();
        let licence = first_of(&found["items"], |r| {
            r["kind"] == "licence" && r["case_id"] == id.as_str()
        });
        assert_eq!(licence["unit"], case_as(app, &company, &id)["unit"]);
        assert_eq!(licence["standing"], "published");
        assert!(
            licence["document"].as_str().unwrap().contains("字〔"),
            "{licence}"
        );
        let mine = app.page(&app.session("company"), "/credit/mine").body;
        assert!(
            mine.contains("目前没有适用于您的信用措施"),
            "a licence triggers no measure"
        );
        assert_audit_intact(app);
    });
}
