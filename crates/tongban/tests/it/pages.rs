//! Browser-facing flows through HTTP: sign-in, CSRF, throttling, registration, the admin forms,
//! import and export.

use crate::harness::flows::{assert_audit_intact, first_of};
use crate::harness::{Backend, Session, TestApp, backends};

#[test]
fn sign_in_sessions_csrf_and_throttling() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let r = app.get("/admin/items?q=x");
        assert_eq!(r.status, 303, "admin pages need a session");
        assert_eq!(
            r.header("location"),
            Some("/login?next=/admin/items%3Fq%3Dx"),
            "signing in leads back to the page"
        );
        let (cookie, csrf) = app.login("admin", "admin-demo-2026");
        let r = app.get_with("/admin/items?q=XH-SPJ-000101001000", &[("cookie", &cookie)]);
        assert_eq!(r.status, 200);
        assert!(r.body.contains("企业设立登记"));
        // A form posted without the session's CSRF token is refused.
        let r = app.form(
            "/admin/items/XH-SPJ-000101001000/publish",
            &cookie,
            &[("note", "x")],
        );
        assert_eq!(r.status, 400);
        assert!(r.body.contains("表单"), "the refusal is a Chinese page");
        // A clerk may not open administration.
        let (clerk, _) = app.login("clerk.spj", "clerk-spj-demo-2026");
        assert_eq!(
            app.get_with("/admin/items", &[("cookie", &clerk)]).status,
            403
        );
        // Sign out ends the session.
        let r = app.form("/logout", &cookie, &[("csrf", &csrf)]);
        assert_eq!(r.status, 303);
        let r = app.get_with("/admin/items", &[("cookie", &cookie)]);
        assert_eq!(r.status, 303, "a signed-out session is no session");
        assert!(
            r.header("location")
                .is_some_and(|l| l.starts_with("/login?next=")),
            "{:?}",
            r.header("location")
        );

        // Five wrong passwords lock the name for this address; the right one is refused too.
        let page = app.get("/login");
        let pre = page.cookie("tongban_csrf").unwrap();
        let token = page.hidden("csrf").unwrap();
        for _ in 0..5 {
            let r = app.form(
                "/login",
                &format!("tongban_csrf={pre}"),
                &[
                    ("username", "supervisor"),
                    ("password", "wrong-password"),
                    ("csrf", &token),
                ],
            );
            assert_eq!(r.status, 401);
        }
        let r = app.form(
            "/login",
            &format!("tongban_csrf={pre}"),
            &[
                ("username", "supervisor"),
                ("password", "supervisor-demo-2026"),
                ("csrf", &token),
            ],
        );
        assert_eq!(r.status, 429);
        assert!(r.header("retry-after").is_some());
    }
}

#[test]
fn registration_checks_identity_check_characters() {
    let app = TestApp::demo(&Backend::Sqlite);
    let page = app.get("/register");
    let pre = page.cookie("tongban_csrf").unwrap();
    let token = page.hidden("csrf").unwrap();
    let cookie = format!("tongban_csrf={pre}");
    let bad = app.form(
        "/register",
        &cookie,
        &[
            ("csrf", &token),
            ("kind", "enterprise"),
            ("identity", "91350100M000100Y44"),
            ("username", "acme"),
            ("display_name", "某公司"),
            ("password", "long-enough-pw"),
        ],
    );
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("校验码不正确"), "{}", bad.body);
    let token = bad.hidden("csrf").unwrap();
    let pre = bad.cookie("tongban_csrf").unwrap();
    let ok = app.form(
        "/register",
        &format!("tongban_csrf={pre}"),
        &[
            ("csrf", &token),
            ("kind", "enterprise"),
            ("identity", "91350100M000100Y43"),
            ("username", "acme"),
            ("display_name", "某公司"),
            ("password", "long-enough-pw"),
        ],
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    app.login("acme", "long-enough-pw");
}

#[test]
fn admin_edit_form_names_bad_fields_then_saves_and_publishes() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let (cookie, csrf) = app.login("admin", "admin-demo-2026");
        let code = "XH-SPJ-000101001000";
        let page = app.get_with(&format!("/admin/items/{code}/edit"), &[("cookie", &cookie)]);
        assert_eq!(page.status, 200);
        let mut fields = form_fields(&page.body);
        fields.retain(|(k, _)| k != "csrf");
        let set = |fields: &mut Vec<(String, String)>, k: &str, v: &str| {
            fields.iter_mut().find(|(f, _)| f == k).unwrap().1 = v.to_string();
        };
        // The form as the browser would post it, the session's token last.
        let save = |fields: &[(String, String)]| {
            let mut post: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            post.push(("csrf", &csrf));
            app.form(&format!("/admin/items/{code}/edit"), &cookie, &post)
        };
        set(&mut fields, "promised_limit", "999工作日");
        set(&mut fields, "materials", "申请书|原件|1|是\n|彩印|0|也许");
        let r = save(&fields);
        assert_eq!(r.status, 422);
        for msg in [
            "承诺时限不得长于法定时限",
            "材料形式（第2项）",
            "无法识别的取值",
        ] {
            assert!(
                r.body.contains(msg),
                "edit page names the error: {msg}\n{}",
                r.body
            );
        }
        set(&mut fields, "promised_limit", "即办");
        set(&mut fields, "materials", "公司登记（备案）申请书|原件|1|是");
        let r = save(&fields);
        assert_eq!(r.status, 303, "{}", r.body);
        let r = app.form(
            &format!("/admin/items/{code}/publish"),
            &cookie,
            &[("csrf", &csrf), ("note", "改为即办")],
        );
        assert_eq!(r.status, 303);
        let history = app.get_with(
            &format!("/admin/items/{code}/history?from=1&to=2"),
            &[("cookie", &cookie)],
        );
        assert!(history.body.contains("改为即办") && history.body.contains("id=\"diff\""));
        assert!(history.body.contains("承诺办结时限"));
        let public = app.get(&format!("/api/v1/items/{code}")).json();
        assert_eq!(public["item"]["handling"], "immediate");
        assert_eq!(public["item"]["version"], 2);
    }
}

/// The inputs, selects and textareas of the item form, in order, with the values a browser
/// would post.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let form = &html[html.find("id=\"item-form\"").expect("item form")..];
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find("name=\"") {
        let after = &rest[i + 6..];
        let name = &after[..after.find('"').unwrap()];
        let tag_start = rest[..i].rfind('<').unwrap();
        let value = if rest[tag_start..].starts_with("<textarea") {
            let open_end = after.find('>').unwrap() + 1;
            let close = after.find("</textarea>").unwrap();
            unescape(&after[open_end..close])
        } else if rest[tag_start..].starts_with("<select") {
            let options = &after[..after.find("</select>").unwrap()];
            let selected = options
                .split("<option")
                .find(|o| o.contains(" selected"))
                .expect("a selected option");
            let v = selected.find("value=\"").unwrap() + 7;
            unescape(&selected[v..v + selected[v..].find('"').unwrap()])
        } else {
            let tag = &after[..after.find('>').unwrap()];
            tag.find("value=\"")
                .map(|v| unescape(&tag[v + 7..v + 7 + tag[v + 7..].find('"').unwrap()]))
                .unwrap_or_default()
        };
        out.push((name.to_string(), value));
        rest = &after[name.len()..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn multipart(csrf: &str, file_name: &str, bytes: &[u8], publish: bool) -> (String, Vec<u8>) {
    let boundary = "----tongbanTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    if publish {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"publish\"\r\n\r\n1\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a catalogue file to the import page as the session, asking to publish what it brings.
fn import(app: &TestApp, s: &Session, file_name: &str, bytes: &[u8]) -> crate::harness::Resp {
    let (ct, body) = multipart(&s.csrf, file_name, bytes, true);
    app.raw_post(
        "/admin/import",
        &[("cookie", &s.cookie), ("content-type", &ct)],
        body,
    )
}

#[test]
fn import_is_all_or_nothing_and_export_round_trips() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let admin = app.session("admin");
        let before = app.get("/api/v1/items?per_page=1").json()["meta"]["total"]
            .as_i64()
            .unwrap();
        let header = "实施编码,基本编码,事项名称,事项类型,行使层级,实施主体,申请材料,办理流程,法定办结时限,承诺办结时限,网办深度,到现场次数,收费标准（分）,设定依据,受理条件,办理地点,办理时间,咨询电话,监督投诉电话\n";
        let good = "XH-SPJ-IMP-0001,000999000001,导入测试事项一,行政许可,区级,XH-SPJ,申请书|原件|1|是,\"申请|申请人\n受理|窗口\",10工作日,2工作日,全程网办,0,0,依据,条件,地址,时间,0791-86520000,12345\n";
        let bad = "XH-SPJ-IMP-0002,000999000002,导入测试事项二,许可证,区级,XH-NOPE,申请书|原件|1|是,申请|申请人,5工作日,9工作日,全程网办,2,0,依据,条件,地址,时间,0791-86520000,12345\n";
        let csv = format!("\u{feff}{header}{good}{bad}");
        let r = import(&app, &admin, "items.csv", csv.as_bytes());
        assert_eq!(r.status, 422);
        // Row 3 is wrong in four columns; each is reported, and row 2 was not imported either.
        for reason in ["事项类型", "实施主体", "承诺办结时限", "到现场次数"] {
            assert!(
                r.body.contains(reason),
                "import report names {reason}\n{}",
                r.body
            );
        }
        assert!(r.body.contains("<td>3</td>"));
        assert_eq!(
            app.get("/api/v1/items?per_page=1").json()["meta"]["total"]
                .as_i64()
                .unwrap(),
            before,
            "nothing imported"
        );

        let r = import(
            &app,
            &admin,
            "items.csv",
            format!("{header}{good}").as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(app.get("/api/v1/items/XH-SPJ-IMP-0001").status, 200);

        // Export to .xlsx and import it back: nothing changes.
        let x = app.page(&admin, "/admin/export.xlsx");
        assert_eq!(x.status, 200);
        assert!(x.bytes.starts_with(b"PK"), "an .xlsx is a zip");
        let r = import(&app, &admin, "catalog.xlsx", &x.bytes);
        assert_eq!(r.status, 200, "{}", r.body);
        let total = before + 1;
        assert!(
            r.body.contains(&format!("未变化 {total}")),
            "every exported row imports back unchanged"
        );
        // Not a spreadsheet at all.
        assert_eq!(
            import(&app, &admin, "catalog.xlsx", b"not a zip").status,
            400
        );
    }
}

#[test]
fn retained_certificate_list_is_kept_by_administrators() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let before = app.get("/api/v1/retained-certificates").json()["meta"]["total"]
            .as_i64()
            .unwrap();
        let admin = app.session("admin");
        // An entry pointing at an item that does not exist is refused, naming the field.
        let add = |item_code: &str| {
            app.post_form(
                &admin,
                "/admin/certificates",
                &[
                    ("name", "测试证明"),
                    ("legal_basis", "某条例"),
                    ("issuer", "某单位"),
                    ("item_code", item_code),
                ],
            )
        };
        let r = add("XH-NOPE-0000");
        assert_eq!(r.status, 422);
        assert!(r.body.contains("事项编码不存在"), "{}", r.body);
        assert_eq!(add("XH-SPJ-000101001000").status, 303);
        let list = app.get("/api/v1/retained-certificates").json();
        assert_eq!(list["meta"]["total"].as_i64().unwrap(), before + 1);
        let added = first_of(&list["items"], |c| c["name"] == "测试证明").clone();
        assert!(
            app.get("/items/XH-SPJ-000101001000")
                .body
                .contains("测试证明"),
            "the guide shows its retained certificates"
        );
        // A clerk cannot change the list.
        let clerk = app.session("clerk.spj");
        let delete = format!(
            "/admin/certificates/{}/delete",
            added["id"].as_str().unwrap()
        );
        assert_eq!(app.post_form(&clerk, &delete, &[]).status, 403);
        assert_eq!(app.post_form(&admin, &delete, &[]).status, 303);
        assert_eq!(
            app.get("/api/v1/retained-certificates").json()["meta"]["total"]
                .as_i64()
                .unwrap(),
            before
        );
    }
}

#[test]
fn oversize_uploads_are_refused_and_nothing_is_imported() {
    let app = TestApp::demo(&Backend::Sqlite);
    let admin = app.session("admin");
    let big = vec![b'a'; 17 * 1024 * 1024];
    let r = import(&app, &admin, "huge.csv", &big);
    assert_eq!(r.status, 413);
    assert!(
        r.body.contains("文件过大"),
        "a Chinese page says the file is too large"
    );
}

#[test]
fn pages_are_chinese_unless_english_is_chosen() {
    let app = TestApp::demo(&Backend::Sqlite);
    let page = app.get_with("/items", &[("accept-language", "en-US,en;q=0.9")]);
    assert!(page.body.contains("lang=\"zh-CN\"") && page.body.contains("办事指南"));
    let switch = app.get("/lang/en?back=/items%3Fq%3Dabc");
    assert_eq!(switch.status, 303);
    assert_eq!(switch.header("location"), Some("/items?q=abc"));
    for elsewhere in [
        "//evil.example/x",
        "/%5Cevil.example",
        "https://evil.example/",
    ] {
        let r = app.get(&format!("/lang/en?back={elsewhere}"));
        assert_eq!(
            r.header("location"),
            Some("/"),
            "no redirect to another site via {elsewhere}"
        );
    }
    let lang = switch.cookie("lang").expect("the choice is remembered");
    let page = app.get_with("/items", &[("cookie", &format!("lang={lang}"))]);
    assert!(page.body.contains("lang=\"en\"") && page.body.contains("Service guides"));
}

/// The case pages without JavaScript: apply, upload, submit with a bad phone (a Chinese error on
/// the page), the clerk's queue and acceptance, and the administrator's calendar upload.
#[test]
fn case_pages_work_as_plain_forms() {
    for b in backends() {
        let app = TestApp::demo(&b);
        let company = app.session("company");
        let guide = app.page(&company, "/items/XH-SPJ-000101007000");
        assert!(guide.body.contains("/items/XH-SPJ-000101007000/apply"));
        let r = app.page(&company, "/items/XH-SPJ-000101007000/apply");
        assert_eq!(r.status, 200);
        let r = app.post_form(
            &company,
            "/cases",
            &[
                ("item_code", "XH-SPJ-000101007000"),
                ("contact_name", "李四"),
                ("contact_phone", "123"),
                ("details", "申请公共场所卫生许可"),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let case = r.header("location").unwrap().to_string();
        assert!(case.starts_with("/cases/2"));
        let (act_path, form_path) = (format!("{case}/act"), format!("{case}/form"));
        assert!(app.page(&company, &case).body.contains("草稿"));
        let upload = |i: usize, name: &str, bytes: &[u8]| {
            let path = format!("{case}/materials/{i}");
            let cookie = [("cookie", company.cookie.as_str())];
            app.upload(&path, &cookie, name, bytes, Some(&company.csrf))
        };
        let r = upload(0, "申请表.pdf", b"%PDF-1.4 x");
        assert_eq!(r.status, 303, "{}", r.body);
        let r = upload(2, "x.exe", b"MZ");
        assert_eq!(r.status, 422);
        assert!(
            r.body.contains("仅支持"),
            "the refusal reads in Chinese: {}",
            r.body
        );
        let r = app.post_form(&company, &act_path, &[("action", "submit")]);
        assert_eq!(r.status, 422);
        assert!(
            r.body.contains("联系电话：电话号码格式不正确"),
            "{}",
            r.body
        );
        let fixed = [
            ("contact_name", "李四"),
            ("contact_phone", "13800138000"),
            ("details", "申请公共场所卫生许可"),
        ];
        assert_eq!(app.post_form(&company, &form_path, &fixed).status, 303);
        let r = app.post_form(&company, &act_path, &[("action", "submit")]);
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.page(&company, &case);
        assert!(page.body.contains("已提交") && page.body.contains("申请表.pdf"));

        // The clerk sees it in the queue and accepts it with a commitment for one material.
        let clerk = app.session("clerk.spj");
        let id = case.trim_start_matches("/cases/");
        assert!(app.page(&clerk, "/cases").body.contains(id));
        let bad_date = [("action", "accept"), ("commit_4", "2026-13-01")];
        assert_eq!(app.post_form(&clerk, &act_path, &bad_date).status, 422);
        let r = app.post_form(&clerk, &act_path, &[("action", "accept")]);
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.page(&clerk, &case);
        assert!(page.body.contains("审查中") && page.body.contains("受理通知书"));
        // Other units' clerks and other applicants get "not found".
        let other = app.session("clerk.scj");
        assert_eq!(app.page(&other, &case).status, 404);

        // The administrator loads a year on the calendar page; a bad file is refused in Chinese.
        let admin = app.session("admin");
        let r = app.page(&admin, "/admin/calendar");
        assert!(r.body.contains("2026") && r.body.contains("国务院办公厅"));
        let load = |toml: &[u8]| {
            let cookie = [("cookie", admin.cookie.as_str())];
            app.upload(
                "/admin/calendar",
                &cookie,
                "2027.toml",
                toml,
                Some(&admin.csrf),
            )
        };
        let bad = b"year = 2027\nnotice = \"x\"\n[[holiday]]\nname = \"a\"\nfrom = \"2027-01-03\"\nto = \"2027-01-01\"\n";
        let r = load(bad);
        assert_eq!(r.status, 422);
        assert!(r.body.contains("放假结束"), "{}", r.body);
        let good = "year = 2027\nnotice = \"测试用2027年安排\"\n[[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-01\"\n";
        let r = load(good.as_bytes());
        assert_eq!(r.status, 303, "post/redirect/get");
        let r = app.page(&admin, r.header("location").unwrap());
        assert!(r.body.contains("已载入2027年工作日历"));
        assert!(r.body.contains("测试用2027年安排"));
        assert_eq!(app.page(&clerk, "/admin/calendar").status, 403);
    }
}

/// `serve --demo` shows a working district on the first morning: cases in the queue, one overdue
/// once the clock job has run, indicators from the finished ones.
#[test]
fn the_demo_has_cases_in_every_state() {
    let app = TestApp::empty(&Backend::Sqlite);
    crate::harness::runtime()
        .block_on(tongban::demo::load_if_empty(&app.store))
        .unwrap();
    let report = crate::harness::runtime()
        .block_on(app.store.run_clock())
        .unwrap();
    assert!(report.overdue >= 1, "{report:?}");
    let (clerk, _) = app.login("clerk.spj", "clerk-spj-demo-2026");
    let queue = app.get_with("/cases", &[("cookie", &clerk)]);
    for state in ["审查中", "待补正", "已办结", "准予许可", "已提交"] {
        assert!(queue.body.contains(state), "{state}");
    }
    let ind = app.get("/api/v1/indicators/cases").json();
    assert!(ind["item"]["finished"].as_u64().unwrap() >= 2);
    assert_audit_intact(&app);
}
