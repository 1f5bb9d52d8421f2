//! The JSON API through HTTP, on both stores.

use crate::harness::TestApp;
use crate::harness::flows::*;
use serde_json::json;

#[test]
fn public_catalog_search_filters_and_guides() {
    each_app(|app| {
        let r = app.get("/api/v1/items?q=%E5%85%AC%E7%AB%A0"); // 公章
        assert_eq!(r.status, 200);
        let body = r.json();
        assert!(body["meta"]["total"].as_i64().unwrap() >= 1);
        assert_eq!(body["items"][0]["name"], "印章刻制备案");
        let seal = &body["items"][0];
        let on_the_spot = seal["promised_limit"]["unit"] == "on_the_spot";
        assert_eq!(
            seal["handling"],
            if on_the_spot { "immediate" } else { "promised" }
        );

        let r = app
            .get("/api/v1/items?level=community&per_page=3&page=2")
            .json();
        assert_eq!(r["meta"]["per_page"], 3);
        assert!(items(&r).iter().all(|i| i["level"] == "community"));

        let r = app.get("/api/v1/items?unit=XH-GA").json();
        assert!(items(&r).iter().all(|i| i["unit"] == "XH-GA"));

        let r = app.get("/api/v1/items/XH-SPJ-000101001000");
        assert_eq!(r.status, 200);
        let item = &r.json()["item"];
        assert_eq!(item["name"], "企业设立登记");
        assert_eq!(item["version"], 1);
        assert!(item["published_at"].as_str().unwrap().ends_with("+08:00"));

        let missing = app.get("/api/v1/items/NOPE-0000");
        assert_eq!(missing.status, 404);
        assert_eq!(
            missing.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(missing.json()["type"], "/problems/not_found");
    });
}

#[test]
fn malformed_queries_name_each_bad_parameter() {
    each_app(|app| {
        let r = app.get("/api/v1/items?page=0&per_page=1000&level=city");
        assert_eq!(r.status, 422);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(r.json()["type"], "/problems/validation");
        assert_eq!(error_fields(&r), vec!["level", "page", "per_page"]);
    });
}

#[test]
fn administrators_write_through_the_api_and_others_cannot() {
    each_app(|app| {
        let mut guide = app.get("/api/v1/items/XH-SPJ-000101001000").json()["item"].clone();
        for k in ["handling", "version", "published_at"] {
            guide.as_object_mut().unwrap().remove(k);
        }
        // Anonymous: 401; a clerk: 403.
        assert_eq!(
            app.json("PUT", "/api/v1/items/XH-SPJ-000101001000", &[], &guide)
                .status,
            401
        );
        let clerk = app.token_for("clerk.spj");
        let auth_clerk = format!("Bearer {clerk}");
        assert_eq!(
            app.json(
                "PUT",
                "/api/v1/items/XH-SPJ-000101001000",
                &[("authorization", &auth_clerk)],
                &guide
            )
            .status,
            403
        );

        let admin = format!("Bearer {}", app.token_for("admin"));
        let h = [("authorization", admin.as_str())];
        // A promised limit longer than the legal one, a bad phone, an unknown unit: each named.
        let mut bad = guide.clone();
        bad["promised_limit"] = json!({"unit": "working_days", "days": 999});
        bad["consult_phone"] = json!("abc");
        bad["unit"] = json!("XH-NOWHERE");
        let r = app.json("PUT", "/api/v1/items/XH-SPJ-000101001000", &h, &bad);
        assert_eq!(r.status, 422);
        assert_eq!(
            error_fields(&r),
            vec!["unit", "promised_limit", "consult_phone"]
        );
        // Malformed JSON is a problem too.
        let r = app.raw_post(
            "/api/v1/items",
            &[
                ("authorization", &admin),
                ("content-type", "application/json"),
            ],
            b"{\"code\":".to_vec(),
        );
        assert_eq!(r.status, 400);
        assert_eq!(r.json()["type"], "/problems/malformed_json");
        // A duplicate code on create is a conflict naming `code`.
        let r = app.json("POST", "/api/v1/items", &h, &guide);
        assert_eq!(r.status, 409);
        assert_eq!(r.json()["errors"][0]["field"], "code");

        // Create a new item, publish it, find it.
        let mut new = guide.clone();
        new["code"] = json!("XH-SPJ-TEST-0001");
        new["name"] = json!("测试事项甲乙");
        let r = app.json("POST", "/api/v1/items", &h, &new);
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(
            app.get("/api/v1/items/XH-SPJ-TEST-0001").status,
            404,
            "unpublished items are not public"
        );
        let r = app.json(
            "POST",
            "/api/v1/items/XH-SPJ-TEST-0001/publish",
            &h,
            &json!({"note": "首次公布"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["item"]["version"], 1);
        let found = app.get("/api/v1/items?q=%E7%94%B2%E4%B9%99").json(); // 甲乙
        assert_eq!(found["meta"]["total"], 1);
        let again = app.json(
            "POST",
            "/api/v1/items/XH-SPJ-TEST-0001/publish",
            &h,
            &json!({}),
        );
        assert_eq!(again.status, 409);
        assert_eq!(again.json()["type"], "/problems/nothing_to_publish");

        // Every change is in the audit trail, readable by supervisors and administrators only.
        let trail = "/api/v1/audit?entity=item&entity_id=XH-SPJ-TEST-0001";
        assert_eq!(app.get(trail).status, 401);
        assert_eq!(
            app.get_with(trail, &[("authorization", &auth_clerk)])
                .status,
            403
        );
        let r = app.get_with(trail, &h).json();
        assert_eq!(
            values_of(&r["items"], "action"),
            vec!["item.publish", "item.create"],
            "newest first, the refused publish left no entry"
        );
        assert!(items(&r).iter().all(|e| e["actor"] == "admin"));
        assert_eq!(r["meta"]["total"], 2);
    });
}

#[test]
fn uniformity_and_indicators_are_computed_from_the_records() {
    each_app(|app| {
        assert_eq!(app.get("/api/v1/catalog/uniformity").status, 401);
        let sup = format!("Bearer {}", app.token_for("supervisor"));
        let r = app.get_with("/api/v1/catalog/uniformity", &[("authorization", &sup)]);
        assert_eq!(r.status, 200);
        let report = &r.json()["item"];
        assert!(report["groups_with_differences"].as_i64().unwrap() >= 3);
        let groups = report["groups"].as_array().unwrap();
        let pension = groups
            .iter()
            .find(|g| g["basic_code"] == "000201001000")
            .expect("pension group compared");
        let materials = pension["differences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["field"] == "materials")
            .expect("material difference found");
        assert!(
            materials["variants"][0]["value"]
                .as_str()
                .unwrap()
                .contains("户口簿")
        );

        let before = app.get("/api/v1/indicators/catalog").json()["item"].clone();
        let items = before["items"].as_f64().unwrap();
        let online = &before["online_overall"];
        assert_eq!(online["denominator"].as_f64().unwrap(), items);
        // Change the records and watch the figure move: a window-only item becomes fully online.
        let admin = format!("Bearer {}", app.token_for("admin"));
        let h = [("authorization", admin.as_str())];
        let list = app.get("/api/v1/items?per_page=100").json();
        let window = first_of(&list["items"], |i| i["online_depth"] != "fully_online").clone();
        let code = window["code"].as_str().unwrap().to_string();
        let mut g = window.clone();
        for k in ["handling", "version", "published_at"] {
            g.as_object_mut().unwrap().remove(k);
        }
        g["online_depth"] = json!("fully_online");
        g["visits"] = json!(0);
        assert_eq!(
            app.json("PUT", &format!("/api/v1/items/{code}"), &h, &g)
                .status,
            200
        );
        assert_eq!(
            app.json(
                "POST",
                &format!("/api/v1/items/{code}/publish"),
                &h,
                &json!({})
            )
            .status,
            200
        );
        let after = app.get("/api/v1/indicators/catalog").json()["item"].clone();
        assert_eq!(
            after["online_overall"]["numerator"].as_f64().unwrap(),
            online["numerator"].as_f64().unwrap() + 1.0
        );
    });
}

#[test]
fn openapi_and_health_describe_the_running_server() {
    let app = TestApp::demo(&crate::harness::Backend::Sqlite);
    let doc = app.get("/api/openapi.json").json();
    for path in [
        "/api/v1/items",
        "/api/v1/items/{code}",
        "/api/v1/catalog/uniformity",
        "/api/v1/indicators/catalog",
        "/api/v1/items/{code}/publish",
    ] {
        assert!(doc["paths"].get(path).is_some(), "openapi documents {path}");
    }
    assert!(doc["components"]["schemas"].get("ItemGuide").is_some());
    // The problem schema is the struct every error is sent as, fields and all.
    let problem = &doc["components"]["schemas"]["Problem"]["properties"];
    for field in [
        "type",
        "title",
        "status",
        "detail",
        "errors",
        "state",
        "allowed_actions",
        "request_id",
    ] {
        assert!(
            problem.get(field).is_some(),
            "Problem documents {field}: {problem}"
        );
    }
    let error = &doc["components"]["schemas"]["ProblemError"]["properties"];
    assert!(error.get("message").is_some(), "{error}");
    assert_eq!(app.get("/healthz").json()["status"], "ok");
}

/// Ready means the database answers with every migration this build knows; every answer — a
/// page, the API, a problem, a 404 — carries the security headers, and no page has an inline
/// script the policy would block.
#[test]
fn readiness_and_security_headers_on_every_answer() {
    each_app(|app| {
        let r = app.get("/readyz");
        assert_eq!(r.status, 200, "{}", r.body);
        let ready = r.json();
        assert_eq!(ready["status"], "ready");
        assert_eq!(ready["migrations"]["applied"], ready["migrations"]["known"]);
        assert!(ready["migrations"]["known"].as_i64().unwrap() >= 19);
        for path in [
            "/",
            "/items",
            "/api/v1/items",
            "/api/v1/items/NOPE",
            "/no-such-page",
            "/readyz",
        ] {
            let r = app.get(path);
            let csp = r.header("content-security-policy").unwrap_or_default();
            assert!(
                csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
                "{path}: {csp}"
            );
            assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{path}");
            assert_eq!(
                r.header("x-content-type-options"),
                Some("nosniff"),
                "{path}"
            );
            assert_eq!(
                r.header("referrer-policy"),
                Some("strict-origin-when-cross-origin"),
                "{path}"
            );
            assert!(!r.body.contains("<script>"), "{path} has an inline script");
        }
    });
}
