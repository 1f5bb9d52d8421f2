//! The district's dashboard on both stores: the tallies every write maintains equal a recount
//! from the raw records after any sequence of changes (the demo's whole history first, then
//! random sequences of cases, ratings, rectifications, removals on appeal and hotline tickets).

// The demo's deterministic generator: each seed is one sequence of changes.
use crate::harness::flows::*;
use crate::harness::{TestApp, backends, runtime};
use serde_json::json;
use tongban::demo::history::Dice;

/// The tallies as maintained, and as counted again from every record.
pub(crate) fn assert_tallies_equal_recount(app: &TestApp, after: &str) {
    let (kept, counted) = runtime().block_on(async {
        (
            app.store.all_tally_sums().await.unwrap().cells(),
            app.store.recount_tallies().await.unwrap().cells(),
        )
    });
    assert_eq!(kept, counted, "{} after {after}", app.backend_name);
}

#[test]
fn tallies_equal_a_recount_after_any_sequence_of_changes() {
    for b in backends() {
        let app = TestApp::empty(&b);
        runtime()
            .block_on(tongban::demo::load_if_empty(&app.store))
            .unwrap();
        assert_tallies_equal_recount(&app, "the demo's history");
        let counted = runtime().block_on(app.store.all_tally_sums()).unwrap();
        assert!(!counted.cells().is_empty(), "the demo counts in something");

        let [company, clerk, approver, supervisor, operator, unit] = people(
            &app,
            [
                "company",
                "clerk.spj",
                "approver.spj",
                "supervisor",
                "operator",
                "clerk.cjj",
            ],
        );
        for seed in [7u64, 1234567, 0x9e37_79b9] {
            let mut dice = Dice(seed);
            let mut day = 18;
            let mut issued: Vec<String> = Vec::new();
            let mut tickets: Vec<String> = Vec::new();
            for step in 0..8 {
                // Days pass, sometimes into the next month.
                day += 1 + dice.roll(3) as i64;
                let date = jiff::civil::date(2026, 11, 1) + jiff::Span::new().days(day);
                app.set_now(&format!("{date} 10:00"));
                let what = match dice.roll(5) {
                    0 | 1 => {
                        issued.push(issued_case(&app, &company, &clerk, &approver));
                        "a case issued"
                    }
                    2 if !issued.is_empty() => {
                        // The newest: a rating is given within five working days of the service.
                        let id = issued.pop().unwrap();
                        let bad = dice.roll(2) == 0;
                        let mut r = online_rating(if bad { "dissatisfied" } else { "satisfied" });
                        if bad && dice.roll(2) == 0 {
                            r["demand"] = json!("请说明原因");
                            r["real_name"] = json!({"name": "李四", "phone": "13800138000"});
                        }
                        let rated = created(rate_case(&app, &company, &id, r));
                        if let Some(t) = rated["rectification"].as_str() {
                            tickets.push(t.to_string());
                        }
                        "a rating"
                    }
                    3 if !tickets.is_empty() => {
                        let t = tickets.swap_remove(dice.roll(tickets.len() as u64) as usize);
                        let path = format!("/api/v1/rectifications/{t}/actions");
                        if dice.roll(3) == 0 {
                            let appeal = json!({"action": "appeal", "ground": "malicious", "reason": "恶意评价"});
                            ok(post_as(&app, &clerk, &path, appeal));
                            let remove = json!({"action": "reexamine", "remove": true, "decision": "属恶意评价，予以删除"});
                            ok(post_as(&app, &supervisor, &path, remove));
                            "a rating removed on appeal"
                        } else {
                            let fix = json!({"action": "rectify", "remedy": "fixed", "action_taken": "已整改"});
                            ok(post_as(&app, &clerk, &path, fix));
                            let call = json!({"action": "call_back", "satisfied": dice.roll(2) == 0, "note": "回访"});
                            ok(post_as(&app, &supervisor, &path, call));
                            "a rectification and its callback"
                        }
                    }
                    _ => {
                        let (id, _) = dispatched_complaint(&app, &operator, "XH-CJJ");
                        reply_and_call_back(
                            &app,
                            (&unit, &operator),
                            &id,
                            "已修复路灯",
                            (dice.roll(2) == 0, "回访"),
                        );
                        "a hotline ticket replied and called back"
                    }
                };
                assert_tallies_equal_recount(&app, &format!("seed {seed} step {step}: {what}"));
            }
        }
        // A rebuild from the records changes nothing.
        let before = runtime()
            .block_on(app.store.all_tally_sums())
            .unwrap()
            .cells();
        runtime()
            .block_on(app.store.rebuild_tallies("admin"))
            .unwrap();
        let after = runtime()
            .block_on(app.store.all_tally_sums())
            .unwrap()
            .cells();
        assert_eq!(before, after);
    }
}

/// Every tallied figure on the board is its drill-down lists' sums; the evaluator reads the
/// dashboard and the plan and nothing else; bad periods, units and plans are refused by name.
#[test]
fn figures_are_the_sums_of_their_records_and_the_evaluator_only_reads() {
    for b in backends() {
        let app = TestApp::empty(&b);
        runtime()
            .block_on(tongban::demo::load_if_empty(&app.store))
            .unwrap();
        let [evaluator, supervisor, clerk, company] =
            people(&app, ["evaluator", "supervisor", "clerk.spj", "company"]);
        let board = ok(get_as(&app, &evaluator, "/api/v1/dashboard"));
        let period = board["period"].as_str().unwrap().to_string();
        let mut checked = 0;
        for row in board["indicators"].as_array().unwrap() {
            if row["snapshot"] == true {
                continue;
            }
            let id = row["id"].as_str().unwrap();
            let d = ok(get_as(
                &app,
                &evaluator,
                &format!("/api/v1/dashboard/{id}/records?period={period}"),
            ));
            let sum = |list: &str, field: &str| -> f64 {
                d[list]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r[field].as_f64().unwrap())
                    .sum()
            };
            let num = if row["unit"] == "percent" {
                sum("numerator", "n")
            } else {
                sum("numerator", "amount") / 100.0
            };
            assert_eq!(row["figure"]["numerator"].as_f64().unwrap(), num, "{id}");
            assert_eq!(
                row["figure"]["denominator"].as_f64().unwrap(),
                sum("denominator", "n"),
                "{id}"
            );
            if row["figure"]["denominator"] == 0.0 {
                assert!(
                    row["figure"]["value"].is_null(),
                    "{id}: nothing counted is no number"
                );
            } else {
                checked += 1;
            }
        }
        assert!(
            checked >= 3,
            "the demo's history counts in several indicators"
        );

        // Every table as a workbook: the board's rows (an empty period honest, with —), the
        // records behind a figure adding up to it.
        let book = |path: &str| {
            let r = app.get_with(path, &[("authorization", &evaluator.auth)]);
            assert_eq!(r.status, 200, "{path}");
            assert!(
                r.header("content-type").unwrap().contains("spreadsheetml"),
                "{path}"
            );
            tongban_app::table::read_table("x.xlsx", &r.bytes).unwrap()
        };
        let rows = book(&format!("/dashboard/export.xlsx?period={period}"));
        assert_eq!(
            rows.len(),
            1 + board["indicators"].as_array().unwrap().len()
        );
        assert!(rows.iter().any(|r| r[0] == "办件法定时限内办结率"));
        let empty = book("/dashboard/export.xlsx?period=2001");
        let cases = empty
            .iter()
            .find(|r| r[0] == "办件法定时限内办结率")
            .unwrap();
        assert_eq!((cases[2].as_str(), cases[4].as_str()), ("—", "0"));
        let on_time = board["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "cases.on_time_legal")
            .unwrap();
        let listed = book(&format!(
            "/dashboard/cases.on_time_legal/records.xlsx?period={period}"
        ));
        let den = listed.iter().filter(|r| r[0] == "分母").count() as f64;
        assert_eq!(den, on_time["figure"]["denominator"].as_f64().unwrap());
        for path in [
            "/dashboard/cases.on_time_legal/units.xlsx",
            "/dashboard/cases.on_time_legal/trend.xlsx",
            "/dashboard/assessment/export.xlsx",
        ] {
            assert!(book(path).len() > 1, "{path}");
        }
        assert_eq!(get_as(&app, &company, "/dashboard/export.xlsx").status, 403);

        // The evaluator reads the dashboard and the plan, and nothing of the cases themselves.
        let s = app.session("evaluator");
        for path in [
            "/dashboard",
            "/plan",
            "/dashboard/cases.on_time_legal",
            "/dashboard/cases.on_time_legal/records",
        ] {
            assert_eq!(app.page(&s, path).status, 200, "{path}");
        }
        // Charts are drawn on the server with a text alternative, the target as a line, and the
        // table behind them; unit names are escaped.
        let page = app.page(&s, "/dashboard/catalog.online?by=streets");
        for part in [
            "<svg class=\"chart\"",
            "<title>",
            "class=\"target\"",
            "id=\"unit-table\"",
        ] {
            assert!(page.body.contains(part), "{part}");
        }
        let page = app.page(&s, "/dashboard/cases.on_time_legal");
        assert!(
            page.body.contains("class=\"this-year\"") && page.body.contains("id=\"trend-table\"")
        );
        assert_eq!(get_as(&app, &evaluator, "/api/v1/cases").status, 403);
        assert_eq!(app.page(&s, "/cases").status, 403);
        assert_eq!(app.page(&s, "/hotline").status, 403);
        // Nor files a hotline ticket (it reads, and changes nothing).
        let filed = post_as(
            &app,
            &evaluator,
            "/api/v1/hotline/tickets",
            complaint("路灯不亮"),
        );
        assert_eq!(filed.status, 403, "{}", filed.body);
        let r = app.post_form(&s, "/plan", &[("document", "title = \"x\""), ("note", "n")]);
        assert_eq!(r.status, 403);
        // Applicants see no dashboard; a unit's staff no other unit's records.
        assert_eq!(get_as(&app, &company, "/api/v1/dashboard").status, 403);
        assert_eq!(
            get_as(
                &app,
                &clerk,
                "/api/v1/dashboard/cases.on_time_legal/records?unit=XH-SCJ"
            )
            .status,
            403
        );
        assert_eq!(
            get_as(
                &app,
                &clerk,
                "/api/v1/dashboard/cases.on_time_legal/records?unit=XH-SPJ"
            )
            .status,
            200
        );

        // Bad input is named; an empty period is an honest empty figure.
        for (q, field) in [
            ("period=2026-13", "period"),
            ("period=1999", "period"),
            ("unit=NOPE", "unit"),
        ] {
            let r = get_as(&app, &supervisor, &format!("/api/v1/dashboard?{q}"));
            assert_eq!(r.status, 422, "{q}");
            assert_eq!(error_fields(&r), vec![field.to_string()], "{q}");
        }
        assert_eq!(
            get_as(&app, &supervisor, "/api/v1/dashboard/nothing/records").status,
            404
        );
        let empty = ok(get_as(
            &app,
            &supervisor,
            "/api/v1/dashboard?period=2001-02",
        ));
        let cases = empty["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "cases.on_time_legal")
            .unwrap();
        assert_eq!(
            (
                cases["figure"]["denominator"].as_f64(),
                cases["figure"]["value"].is_null()
            ),
            (Some(0.0), true)
        );

        // The office saves the plan; a plan that does not read is refused with its places.
        let s = app.session("supervisor");
        let bad =
            tongban_domain::plan::BASELINE.replace("lead = [\"XH-SWJ\"]", "lead = [\"XH-NOPE\"]");
        let r = app.post_form(&s, "/plan", &[("document", &bad), ("note", "改牵头单位")]);
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("单位编码不存在"), "{}", r.body);
        let better = tongban_domain::plan::BASELINE
            .replace("\"2023\" = 100 }", "\"2023\" = 100, \"2027\" = 100 }");
        let r = app.post_form(
            &s,
            "/plan",
            &[("document", &better), ("note", "延至2027年")],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.page(&s, "/plan");
        assert!(page.body.contains("延至2027年"));
    }
}

/// The served demo's history: a year and more of cases, ratings and hotline tickets made by the
/// use cases at their past times, counted like today's, so the board compares with last year.
#[test]
fn the_demo_history_gives_a_trend_and_a_last_year() {
    for b in backends() {
        let app = TestApp::empty(&b);
        runtime()
            .block_on(tongban::demo::load_with_history(&app.store, 13, 3))
            .unwrap();
        assert_tallies_equal_recount(&app, "the demo with its history");
        let supervisor = Who::new(&app, "supervisor");
        let board = ok(get_as(&app, &supervisor, "/api/v1/dashboard"));
        let row = |id: &str| {
            board["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == id)
                .unwrap()
                .clone()
        };
        for id in [
            "cases.on_time_legal",
            "reviews.good_rate",
            "hotline.on_time_reply",
        ] {
            let r = row(id);
            assert!(r["figure"]["value"].is_number(), "{id}: {r}");
            assert!(r["last_year"]["value"].is_number(), "{id} last year: {r}");
        }
        // The capabilities' own statistics, now read from the tallies, are what counting every
        // record says (the scans they replaced).
        the_statistics_pages_equal_a_scan(&app);
        // A year's drill-down lists its first 200 records a section and says how many there are
        // (the spreadsheet has them all).
        let path = "dashboard/cases.on_time_legal/records?period=2026";
        let api = ok(get_as(&app, &supervisor, &format!("/api/v1/{path}")));
        let all = api["denominator"].as_array().unwrap().len();
        assert!(all > 200, "the history has more than a page: {all}");
        let page = app
            .page(&app.session("supervisor"), &format!("/{path}"))
            .body;
        let listed = page.split("id=\"numerator\"").nth(1).unwrap_or_default();
        let denominator = listed
            .split("id=\"denominator\"")
            .nth(1)
            .unwrap_or_default();
        assert_eq!(
            denominator.matches("<tr>").count(),
            1 + 200,
            "the header and 200 rows"
        );
        assert!(
            denominator.contains(&format!("仅列出前 200 条，共 {all} 条")),
            "{denominator}"
        );
        // Some cases were late: the rate is a measurement, not a constant.
        let late = row("cases.on_time_promised");
        assert!(
            late["figure"]["numerator"].as_f64() < late["figure"]["denominator"].as_f64(),
            "{late}"
        );
    }
}

/// The text of a PDF as poppler's `pdftotext` reads it (installed by `.ci/run`): a reader that
/// is not ours, so "it opens" means what it says.
fn pdf_text(bytes: &[u8]) -> String {
    let file = crate::harness::scratch_dir().join("report.pdf");
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "pdftotext cannot open the report: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn no_spaces(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_monthly_report_is_made_once_opens_as_a_pdf_and_is_drawn_again_identically() {
    use tongban_app::dashboard::monthly::catch_up;
    use tongban_app::messages::{Lang, catalog};
    for b in backends() {
        let app = TestApp::empty(&b);
        runtime()
            .block_on(tongban::demo::load_with_history(&app.store, 13, 2))
            .unwrap();
        // The month ends: the job makes its report once, however often it runs.
        app.set_now("2027-01-01 00:05");
        let made = runtime()
            .block_on(catch_up(&app.store))
            .unwrap()
            .expect("the job makes December's report");
        assert_eq!((made.id.as_str(), made.scheduled), ("YB202612-1", true));
        assert!(runtime().block_on(catch_up(&app.store)).unwrap().is_none());

        let supervisor = app.session("supervisor");
        let list = app.page(&supervisor, "/dashboard/monthly");
        assert_eq!(list.status, 200);
        assert!(list.body.contains("YB202612-1"), "{}", list.body);
        let pdf = app.page(&supervisor, "/dashboard/monthly/YB202612-1/report.pdf");
        assert_eq!(pdf.status, 200);
        assert_eq!(pdf.header("content-type"), Some("application/pdf"));
        use sha2::Digest;
        assert_eq!(
            hex::encode(sha2::Sha256::digest(&pdf.bytes)),
            made.pdf_sha256
        );
        let text = no_spaces(&pdf_text(&pdf.bytes));
        assert!(text.contains("2026年12月"), "{text}");
        assert!(
            text.contains(&made.inputs_sha256),
            "the inputs' hash is printed"
        );
        for ind in tongban_domain::dashboard::indicators::ALL {
            let name = catalog().get(Lang::Zh, &format!("indicator.{}.name", ind.id));
            assert!(
                text.contains(&no_spaces(name)),
                "{name} in the report: {text}"
            );
        }
        // Drawn again from the kept inputs: the same bytes.
        let check = app.page(&supervisor, "/dashboard/monthly/YB202612-1/check");
        assert!(check.body.contains("id=\"identical\""), "{}", check.body);

        // On demand: another version of any begun month; a month not begun or unreadable is
        // refused by name.
        let r = app.post_form(&supervisor, "/dashboard/monthly", &[("month", "2026-12")]);
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.header("location"), Some("/dashboard/monthly/YB202612-2"));
        let again = app.page(&supervisor, "/dashboard/monthly/YB202612-2");
        assert_eq!(again.status, 200);
        assert!(again.body.contains("id=\"pdf-sha\""), "{}", again.body);
        for (month, says) in [("2027-02", "该月份尚未开始"), ("2026-13", "须为月份")] {
            let r = app.post_form(&supervisor, "/dashboard/monthly", &[("month", month)]);
            assert_eq!(r.status, 422, "{month}");
            assert!(r.body.contains(says), "{month}: {}", r.body);
        }

        // The evaluator reads and checks every report but makes none; an applicant sees none.
        let evaluator = app.session("evaluator");
        let r = app.page(&evaluator, "/dashboard/monthly/YB202612-1/report.pdf");
        assert_eq!(r.status, 200);
        assert!(
            !app.page(&evaluator, "/dashboard/monthly")
                .body
                .contains("monthly-form")
        );
        let r = app.post_form(&evaluator, "/dashboard/monthly", &[("month", "2026-12")]);
        assert_eq!(r.status, 403);
        let company = app.session("company");
        let r = app.page(&company, "/dashboard/monthly/YB202612-1/report.pdf");
        assert_eq!(r.status, 403);
        let kept = runtime().block_on(app.store.monthly_reports()).unwrap();
        assert_eq!(kept.len(), 2, "{}", app.backend_name);
        let api = app.get_with(
            "/api/v1/dashboard/monthly",
            &[("cookie", &evaluator.cookie)],
        );
        let listed = api.json()["items"].as_array().unwrap().clone();
        assert_eq!(listed.len(), 2, "{}", api.body);
        assert_eq!(listed[1]["pdf_sha256"], made.pdf_sha256.as_str());
        let api = app.get_with("/api/v1/dashboard/monthly", &[("cookie", &company.cookie)]);
        assert_eq!(api.status, 403);
    }
}

/// Numbers equal to a hundredth of a working day per case (the tallies keep hundredths); all
/// else exactly.
fn close(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= 0.005 * x.abs().max(1.0), "{at}: {x} ≠ {y}");
        }
        (V::Object(x), V::Object(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (k, v) in x {
                close(v, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

fn ok_many(r: crate::harness::Resp) -> Vec<serde_json::Value> {
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"].as_array().unwrap().clone()
}

fn the_statistics_pages_equal_a_scan(app: &TestApp) {
    let now = app.store.now();
    let cal = app.store.calendar();
    let mut compared = 0;
    for unit in [None, Some("XH-SPJ"), Some("XH-SCJ"), Some("XH-NONE")] {
        let scanned = runtime().block_on(app.store.finished_cases(unit)).unwrap();
        let scanned = tongban_domain::cases::indicators::compute(&scanned, now, &cal);
        let q = unit.map_or(String::new(), |u| format!("?unit={u}"));
        let api = ok(app.get(&format!("/api/v1/indicators/cases{q}")));
        close(
            &api,
            &serde_json::to_value(&scanned).unwrap(),
            &format!("cases {unit:?}"),
        );
        compared += scanned.finished;

        let (services, ratings, tickets) = runtime()
            .block_on(app.store.review_facts(unit.unwrap_or(""), ""))
            .unwrap();
        let scanned = tongban_domain::reviews::stats(services, &ratings, &tickets);
        let api = ok(app.get(&format!("/api/v1/reviews/stats{q}")));
        close(
            &api,
            &serde_json::to_value(&scanned).unwrap(),
            &format!("reviews {unit:?}"),
        );
        compared += scanned.services;
    }
    // The hotline's indicators of every unit a ticket was dispatched to.
    let api = ok_many(app.get("/api/v1/indicators/hotline"));
    for u in runtime().block_on(app.store.units()).unwrap() {
        let tickets = runtime()
            .block_on(app.store.hotline_tickets_of(&u.code))
            .unwrap();
        let scanned = tongban_domain::hotline::indicators(&u.code, &tickets);
        if scanned.dispatched == 0 {
            continue;
        }
        let served = api.iter().find(|i| i["unit"] == u.code.as_str());
        let served = served.unwrap_or_else(|| panic!("{} in {api:?}", u.code));
        close(served, &serde_json::to_value(&scanned).unwrap(), &u.code);
        compared += scanned.dispatched;
    }
    assert!(compared > 0, "the demo has something to compare");
}
