//! The OpenAPI document tells the truth: schemathesis (PyPI, `tests/schemathesis`) sends
//! generated requests to every operation, reads and writes, anonymously and as each kind of
//! user, and checks every answer against the document: a documented status, a documented
//! content type, a body that fits its schema, and never a server error.

use crate::harness::{TestApp, backends};
use std::fmt::Write as _;
use std::process::Command;

/// Who the runs act as: nobody, then one user of each kind the API serves.
const AS: &[Option<&str>] = &[
    None,
    Some("admin"),
    Some("company"),
    Some("clerk.spj"),
    Some("operator"),
];

/// The operations that name a record, given a real one of the demo so that the generated
/// requests reach the handlers' work and not only their 404s: (path pattern, parameter,
/// the list it is read from, the field of its first entry).
const RECORDS: &[(&str, &str, &str, &str)] = &[
    (
        "^/api/v1/cases/\\{id\\}",
        "id",
        "/api/v1/cases?per_page=1",
        "id",
    ),
    (
        "^/api/v1/bundles/\\{id\\}",
        "id",
        "/api/v1/bundles?per_page=1",
        "id",
    ),
    (
        "^/api/v1/hotline/tickets/\\{id\\}",
        "id",
        "/api/v1/hotline/tickets?per_page=1",
        "id",
    ),
    (
        "^/api/v1/rectifications/\\{id\\}",
        "id",
        "/api/v1/rectifications",
        "id",
    ),
    (
        "^/api/v1/declarations/\\{id\\}",
        "id",
        "/api/v1/declarations",
        "id",
    ),
    (
        "^/api/v1/policies/\\{code\\}",
        "code",
        "/api/v1/policies",
        "code",
    ),
    (
        "^/api/v1/items/\\{code\\}",
        "code",
        "/api/v1/items?per_page=1",
        "code",
    ),
    ("^/api/v1/rules/\\{code\\}", "code", "/api/v1/rules", "code"),
    (
        "^/api/v1/hotline/routes/\\{code\\}",
        "code",
        "/api/v1/hotline/routes",
        "code",
    ),
    // The demo's plans: the newest is published (its record a documented 404), the first drawn.
    (
        "^/api/v1/inspection/plans/\\{id\\}",
        "id",
        "/api/v1/inspection/plans",
        "id",
    ),
    (
        "^/api/v1/inspection/checks/\\{id\\}",
        "id",
        "/api/v1/inspection/plans/CJ2026-0001/checks",
        "id",
    ),
];

fn schemathesis_installed() -> bool {
    Command::new("schemathesis")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A schemathesis configuration that gives each record-naming operation a real record.
fn config(app: &TestApp, admin: &str) -> String {
    let mut toml = String::new();
    let auth = format!("Bearer {admin}");
    for (pattern, param, list, field) in RECORDS {
        let r = app.get_with(list, &[("authorization", &auth)]);
        assert_eq!(r.status, 200, "{list}: {}", r.body);
        let Some(value) = r.json()["items"][0][field].as_str().map(str::to_owned) else {
            continue;
        };
        writeln!(
            toml,
            "[[operations]]\ninclude-path-regex = '{pattern}'\nparameters = {{ \"path.{param}\" = \"{value}\" }}\n"
        )
        .unwrap();
    }
    toml
}

#[test]
fn every_operation_answers_as_documented() {
    if !schemathesis_installed() {
        eprintln!(
            "\n!!!!!!!! OPENAPI CHECK SKIPPED: pip install -r tests/schemathesis/requirements.txt !!!!!!!!\n"
        );
        return;
    }
    let hooks = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/schemathesis");
    for b in backends() {
        let app = TestApp::demo(&b);
        crate::harness::runtime()
            .block_on(tongban::demo::load_inspection(&app.store))
            .expect("demo plans load");
        let admin = app.token_for("admin");
        let dir = std::env::temp_dir().join(format!(
            "tongban-openapi-{}-{}",
            app.backend_name,
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let config_file = dir.join("schemathesis.toml");
        std::fs::write(&config_file, config(&app, &admin)).unwrap();
        for who in AS {
            let mut cmd = Command::new("schemathesis");
            cmd.current_dir(&dir)
                .env("SCHEMATHESIS_HOOKS", "hooks")
                .env("PYTHONPATH", hooks)
                .arg("--config-file")
                .arg(&config_file)
                .args(["run", &app.url("/api/openapi.json")])
                .args([
                    "--checks",
                    "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                    "--phases",
                    "examples,coverage,fuzzing",
                    "--max-examples",
                    "10",
                    // One worker: schemathesis's threads have crashed inside Python's parser.
                    "--workers",
                    "1",
                    "--no-color",
                    // A fixed seed: the same requests on every run, so a failure can be replayed.
                    "--seed",
                    "20261207",
                ]);
            if let Some(user) = who {
                let token = if *user == "admin" {
                    admin.clone()
                } else {
                    app.token_for(user)
                };
                cmd.args(["--header", &format!("Authorization: Bearer {token}")]);
            }
            let out = cmd.output().expect("schemathesis runs");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{} as {}: the API answers what its document does not say\n{stdout}{}",
                app.backend_name,
                who.unwrap_or("nobody"),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Two types with one name (a case's `Decision` and a rule's) are merged into one schema
/// and one of them is documented wrongly, silently. Every type that derives `ToSchema`, in
/// every crate, must therefore have a name of its own (`#[schema(as = …)]` gives one).
#[test]
fn no_two_types_share_a_schema_name() {
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    rust_files(&crates, &mut files);
    let mut seen = std::collections::HashMap::new();
    for file in files
        .iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "target"))
    {
        let text = std::fs::read_to_string(file).unwrap();
        // The attributes above an item, then the item.
        let (mut derives, mut renamed) = (false, None::<String>);
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[") {
                derives |= line.contains("ToSchema");
                if let Some(rest) = line.split("schema(as = ").nth(1) {
                    renamed = rest.split(')').next().map(str::to_owned);
                }
                continue;
            }
            let item = line
                .strip_prefix("pub struct ")
                .or_else(|| line.strip_prefix("pub enum "))
                .map(|r| {
                    r.split(|c: char| !c.is_alphanumeric() && c != '_')
                        .next()
                        .unwrap()
                });
            if let (true, Some(item)) = (derives, item) {
                let name = renamed.clone().unwrap_or_else(|| item.to_owned());
                let here = format!("{}", file.display());
                if let Some(other) = seen.insert(name.clone(), here.clone()) {
                    panic!(
                        "`{name}` is the schema of a type in {other} and of one in {here}: give one `#[schema(as = …)]`"
                    );
                }
            }
            if !line.starts_with("///") && !line.is_empty() {
                (derives, renamed) = (false, None);
            }
        }
    }
    assert!(
        seen.len() > 50,
        "the scan finds the schemas ({})",
        seen.len()
    );
}
