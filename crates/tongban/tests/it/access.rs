//! The table of who may do what (`ACCESS.md`) against the running server: every route in the code
//! has a row and every row is a route; every route is asked by no one and by each role's demo
//! account, and each answer must be what its cell says. `Y`: not refused (and a page that exists
//! for it, not 404); `N`: refused (401, 403, or the sign-in page); `O`: the handler decides by the
//! record, so any answer but a server error.

use crate::harness::flows::{ITEM, created, issued_case, online_rating, people, rate_case};
use crate::harness::{Resp, Session, TestApp, backends, runtime, test_web_config};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use tongban_web::auth::access::{COLUMNS, Cell, Row, rows};

/// Each column's demo account (the first column signs in as no one).
const ACCOUNTS: [&str; 8] = [
    "",
    "company",
    "clerk.spj",
    "approver.spj",
    "operator",
    "supervisor",
    "admin",
    "evaluator",
];

#[test]
fn every_route_has_a_row_and_every_row_a_route() {
    let table: BTreeSet<(String, String)> = rows()
        .into_iter()
        .map(|r| (r.method.to_string(), r.route))
        .collect();
    let code = routes_in_code();
    let missing: Vec<_> = code.difference(&table).collect();
    let stale: Vec<_> = table.difference(&code).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in ACCESS.md (add one): {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows in ACCESS.md that are no route: {stale:?}"
    );
}

#[test]
fn every_route_answers_as_the_table_says() {
    for b in backends() {
        let app = TestApp::empty_with(
            &b,
            tongban_web::WebConfig {
                metrics_token: "access-test-metrics".into(),
                ..test_web_config()
            },
        );
        runtime()
            // A month of history too: tickets, ratings, the plan's reports and rounds, a monthly
            // report — records every route can be asked about.
            .block_on(tongban::demo::load_with_history(&app.store, 1, 2))
            .expect("demo loads");
        eprintln!("-- {}", app.backend_name);
        let sessions: Vec<Option<Session>> = ACCOUNTS
            .iter()
            .map(|a| (!a.is_empty()).then(|| app.session(a)))
            .collect();
        let mut table = rows();
        // Reads first, so that no write changes what a read finds; signing out last.
        table.sort_by_key(|r| (r.method != "GET", r.route == "/logout", r.route.clone()));
        let paths = Fixtures::find(&app, &sessions, &table);
        let mut wrong = Vec::new();
        for row in &table {
            let path = paths.path_for(&row.route);
            for (col, cell) in row.cells.iter().enumerate() {
                let r = ask(&app, row, &path, sessions[col].as_ref());
                if let Some(why) = disagrees(row, *cell, col > 0, &r) {
                    wrong.push(format!(
                        "{} {path} as {}: the table says {cell:?}, the server answered {} ({why})",
                        row.method, COLUMNS[col], r.status
                    ));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{} answers differ from ACCESS.md:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }
}

/// Records this walk does not make (each takes a long way: a drawn inspection plan and an
/// inspector's photo, a report's evidence, an Open311 service that answers with a token); their
/// own tests ask for them. Here only the refusals are checked.
const UNMADE: [&str; 3] = [
    "/inspection/checks/{id}/files/{sha}",
    "/plan/reports/{id}/evidence/{sha}",
    "/open311/v2/tokens/{file}",
];

/// Why an answer is not what the cell says, if it is not.
fn disagrees(row: &Row, cell: Cell, signed_in: bool, r: &Resp) -> Option<&'static str> {
    let refused = r.status == 401
        || r.status == 403
        || (r.status == 303
            && r.header("location")
                .is_some_and(|l| l.starts_with("/login")));
    if r.status >= 500 {
        return Some("a server error");
    }
    match cell {
        Cell::Yes if refused => Some("refused"),
        Cell::Yes
            if row.method == "GET" && r.status == 404 && !UNMADE.contains(&row.route.as_str()) =>
        {
            Some("no such page: a fixture?")
        }
        Cell::Never if !refused => Some("not refused"),
        // A refused page still shows the reader's own header: their name, the way out.
        Cell::Never
            if signed_in
                && r.status == 403
                && !row.route.starts_with("/api/")
                && !row.route.starts_with("/open311/")
                && !r.body.contains("action=\"/logout\"") =>
        {
            Some("the refusal page does not know who is signed in")
        }
        _ => None,
    }
}

/// One request as a browser would send it: a page form carries the session's CSRF field, an API
/// write its header. Bodies are empty: a refusal must come before any validation, and an allowed
/// caller gets past the guard to the handler's own answer.
fn ask(app: &TestApp, row: &Row, path: &str, s: Option<&Session>) -> Resp {
    let cookie = s.map_or(String::new(), |s| s.cookie.clone());
    let csrf = s.map_or(String::new(), |s| s.csrf.clone());
    let mut headers = vec![("cookie", cookie.as_str())];
    if row.route == "/metrics" {
        headers.push(("authorization", "Bearer access-test-metrics"));
    }
    match row.method.as_str() {
        "GET" => app.get_with(path, &headers),
        _ if path.starts_with("/api/") => {
            headers.push(("x-csrf-token", csrf.as_str()));
            app.json(row.method.as_str(), path, &headers, &serde_json::json!({}))
        }
        _ => app.form(path, &cookie, &[("csrf", csrf.as_str())]),
    }
}

/// Every (method, route) the code serves: the API's from its OpenAPI document, the pages' from
/// the `.route("…", get(…).post(…))` calls in the web crate's sources.
fn routes_in_code() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let (_, doc) = tongban_web::router::api();
    let doc = serde_json::to_value(doc).expect("document serialises");
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tongban-web/src");
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("source dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                // The metrics listener is a server of its own, not this router.
                && !path.ends_with("ops/metrics.rs")
            {
                let text = std::fs::read_to_string(&path).expect("source");
                out.extend(route_calls(&text));
            }
        }
    }
    out
}

/// The (method, path) pairs of each `.route("path", get(a).post(b))` call in a source text.
fn route_calls(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let Some(open) = rest.find('"') else { break };
        let Some(len) = rest[open + 1..].find('"') else {
            break;
        };
        let path = &rest[open + 1..open + 1 + len];
        // The call's arguments end where its parenthesis closes.
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map_or(rest.len(), |(i, _)| i);
        let args = &rest[open + len + 2..end];
        for method in ["get", "post", "put", "patch", "delete"] {
            let call = format!("{method}(");
            let called = args.match_indices(&call).any(|(i, _)| {
                args[..i].ends_with("routing::")
                    || !args[..i]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
            });
            if called {
                out.push((method.to_uppercase(), path.to_string()));
            }
        }
        rest = &rest[end..];
    }
    out
}

/// A concrete path for every route template, found by reading the demo's pages as the people who
/// see most (a route's records are the ones its pages link to), with a few set by hand.
struct Fixtures {
    /// Template → a path the pages link to.
    linked: BTreeMap<String, String>,
}

impl Fixtures {
    fn find(app: &TestApp, sessions: &[Option<Session>], table: &[Row]) -> Fixtures {
        let gets: Vec<&str> = table
            .iter()
            .filter(|r| r.method == "GET")
            .map(|r| r.route.as_str())
            .collect();
        // Literal routes before templates, so `/plan/reports/new` is not a report.
        let mut templates: Vec<&str> = table.iter().map(|r| r.route.as_str()).collect();
        templates.sort_by_key(|t| (t.matches('{').count(), *t));
        templates.dedup();
        let (mut linked, starts) = made(app, sessions);
        // Admin and the supervisor see the most; the applicant its own records; the clerk its
        // unit's.
        for col in [6, 5, 1, 2, 3, 4] {
            let cookie = sessions[col]
                .as_ref()
                .map_or(String::new(), |s| s.cookie.clone());
            let mut seen = BTreeSet::new();
            let mut visits_per_template: BTreeMap<&str, u32> = BTreeMap::new();
            // Every page without parameters and the records made above, then what they link to.
            let mut queue: VecDeque<String> = starts
                .iter()
                .cloned()
                .chain(
                    gets.iter()
                        .filter(|t| !t.contains('{'))
                        .map(|t| t.to_string()),
                )
                .collect();
            while let Some(page) = queue.pop_front() {
                if !seen.insert(page.clone()) || seen.len() > 400 {
                    continue;
                }
                let r = app.get_with(&page, &[("cookie", &cookie)]);
                if r.status != 200 || !r.body.contains("<html") {
                    continue;
                }
                for href in hrefs(&r.body) {
                    let bare = href.split(['?', '#']).next().unwrap_or_default();
                    let Some(t) = templates.iter().find(|t| matches(t, bare)) else {
                        continue;
                    };
                    linked.entry(t.to_string()).or_insert(href.clone());
                    let n = visits_per_template.entry(t).or_default();
                    let readable = gets.contains(t)
                        && !bare.ends_with(".xlsx")
                        && !bare.ends_with(".pdf")
                        && !bare.starts_with("/lang/");
                    if readable && *n < 2 {
                        *n += 1;
                        queue.push_back(href.clone());
                    }
                }
            }
        }
        // Open311 serves the hotline's tickets by their number.
        if let Some(ticket) = linked.get("/hotline/tickets/{id}").cloned() {
            let id = ticket.rsplit('/').next().unwrap_or_default();
            linked.insert(
                "/open311/v2/requests/{file}".into(),
                format!("/open311/v2/requests/{id}.json"),
            );
        }
        Fixtures { linked }
    }

    /// The path to ask for a route: one its pages link to, or one of the same shape with the
    /// values the pages gave its parameters, or the values set by hand.
    fn path_for(&self, template: &str) -> String {
        if let Some(p) = self.linked.get(template) {
            return p.clone();
        }
        if let Some(p) = by_hand(template) {
            return p;
        }
        let (prefix, page_template) = match template.strip_prefix("/api/v1") {
            Some(rest) => ("/api/v1", rest),
            None => ("", template),
        };
        let segments: Vec<&str> = page_template.split('/').collect();
        let mut out = Vec::new();
        for (k, seg) in segments.iter().enumerate() {
            if !seg.starts_with('{') {
                out.push(seg.to_string());
                continue;
            }
            // A linked path whose template has the same shape up to this parameter lends its value.
            let shape = |t: &str| {
                t.split('/')
                    .take(k + 1)
                    .map(|s| if s.starts_with('{') { "{}" } else { s })
                    .collect::<Vec<_>>()
                    .join("/")
            };
            // Of those, the one most like this route (`/plans/{id}/record.json` for
            // `/api/v1/plans/{id}/record`).
            let want = shape(page_template);
            let alike = |t: &str| {
                t.chars()
                    .zip(page_template.chars())
                    .take_while(|(a, b)| a == b)
                    .count()
            };
            let value = self
                .linked
                .iter()
                .filter(|(t, _)| t.split('/').count() > k && shape(t) == want)
                .max_by_key(|(t, _)| alike(t))
                .and_then(|(_, p)| {
                    p.split(['?', '#'])
                        .next()
                        .unwrap_or_default()
                        .split('/')
                        .nth(k)
                })
                .unwrap_or("no-such-record");
            out.push(value.to_string());
        }
        format!("{prefix}{}", out.join("/"))
    }
}

/// Records the demo does not have, made the way their people make them: an issued case (its
/// files, its licence in the log), a poor rating (a rectification), a window visit (the rating
/// pad's code) and a monthly report. Returns the paths known so far and pages to start from.
fn made(app: &TestApp, sessions: &[Option<Session>]) -> (BTreeMap<String, String>, Vec<String>) {
    let [company, clerk, approver] = people(app, ["company", "clerk.spj", "approver.spj"]);
    let case = issued_case(app, &company, &clerk, &approver);
    let rated = created(rate_case(
        app,
        &company,
        &case,
        online_rating("dissatisfied"),
    ));
    let mut linked = BTreeMap::new();
    if let Some(t) = rated["rectification"].as_str() {
        linked.insert(
            "/rectifications/{id}".to_string(),
            format!("/rectifications/{t}"),
        );
    }
    let checkpoint = app.get("/log/checkpoint").body;
    let size: u64 = checkpoint
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    if size > 0 {
        linked.insert(
            "/log/tile/{*path}".into(),
            format!("/log/tile/0/000.p/{size}"),
        );
    }
    let [clerk_s, supervisor_s] = [2, 5].map(|c| sessions[c].as_ref().expect("signed in"));
    let window = app.post_form(clerk_s, "/window", &[]);
    let monthly = app.post_form(supervisor_s, "/dashboard/monthly", &[("month", "2026-11")]);
    let mut starts = vec![format!("/cases/{case}")];
    for r in [window, monthly] {
        assert_eq!(r.status, 303, "{}", r.body);
        starts.extend(r.header("location").map(String::from));
    }
    (linked, starts)
}

/// Values no page links to.
fn by_hand(template: &str) -> Option<String> {
    Some(
        match template {
            "/api/v1/items/{code}/versions/{version}" => format!("/api/v1/items/{ITEM}/versions/1"),
            "/api/v1/calendar/years/{year}/moves" => "/api/v1/calendar/years/2026/moves".into(),
            "/lang/{lang}" => "/lang/zh".into(),
            "/api/v1/credit/lists/{list}" => "/api/v1/credit/lists/black".into(),
            "/api/v1/rules/{code}" => "/api/v1/rules/food-licence-renewal".into(),
            "/problems/{code}" => "/problems/not_found".into(),
            "/open311/v2/{file}" => "/open311/v2/discovery.json".into(),
            "/open311/v2/services/{file}" => "/open311/v2/services/street-light.json".into(),
            _ => return None,
        }
        .to_string(),
    )
}

/// Whether a concrete path fits a route template (`{x}` one segment, `{*x}` the rest).
fn matches(template: &str, path: &str) -> bool {
    let mut t = template.split('/');
    let mut p = path.split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(_)) if ts.starts_with("{*") => return true,
            (Some(ts), Some(ps)) if ts.starts_with('{') && ts.ends_with('}') => {
                if ps.is_empty() {
                    return false;
                }
            }
            (Some(ts), Some(ps)) if ts.contains('{') => {
                // `{file}` inside a segment, as in `/open311/v2/requests/{file}`.
                let (head, _) = ts.split_once('{').unwrap_or((ts, ""));
                if !ps.starts_with(head) || ps.len() == head.len() {
                    return false;
                }
            }
            (Some(ts), Some(ps)) if ts == ps => {}
            _ => return false,
        }
    }
}

/// The local links of an HTML page.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}
