//! The message catalog: both languages complete, limits and errors read naturally.

use tongban_domain::FieldError;
use tongban_domain::catalog::TimeLimit;
use tongban_web::i18n::{Lang, catalog, local_minutes};

#[test]
fn both_languages_have_the_same_keys() {
    let c = catalog();
    assert_eq!(c.keys(Lang::Zh), c.keys(Lang::En));
}

#[test]
fn limits_read_in_each_language() {
    let c = catalog();
    assert_eq!(c.limit(Lang::Zh, &TimeLimit::OnTheSpot), "即办");
    assert_eq!(c.limit(Lang::Zh, &TimeLimit::WorkingDays(3)), "3个工作日");
    assert_eq!(
        c.limit(Lang::En, &TimeLimit::NaturalDays(30)),
        "30 natural days"
    );
}

#[test]
fn promised_exceeds_legal_names_the_legal_limit() {
    let c = catalog();
    let e = FieldError {
        field: "promised_limit".into(),
        code: "promised_exceeds_legal",
        detail: Some("3工作日".into()),
    };
    assert_eq!(
        c.field_error(Lang::Zh, &e),
        "承诺办结时限：承诺时限不得长于法定时限（3个工作日）"
    );
    let bare = FieldError { detail: None, ..e };
    assert_eq!(
        c.field_error(Lang::En, &bare),
        "Promised time limit: must not exceed the legal limit"
    );
}

#[test]
fn timestamps_show_to_the_minute() {
    assert_eq!(
        local_minutes("2026-11-27T03:09:41.5+08:00"),
        "2026-11-27 03:09"
    );
    assert_eq!(local_minutes("garbage"), "garbage");
}

/// Every message a template asks for by a literal key exists in both languages, so no page
/// shows the ‹?› marker.
#[test]
fn every_template_key_exists() {
    let c = catalog();
    let zh = c.keys(Lang::Zh);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tongban-web/templates");
    let mut missing = Vec::new();
    // Templates sit in a folder per capability.
    let mut paths = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                paths.push(path);
            }
        }
    }
    assert!(paths.len() > 40, "templates found: {}", paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        for part in text.split("t.get(\"").skip(1) {
            let key = part.split('"').next().unwrap();
            if !zh.contains(&key) {
                missing.push(format!("{}: {key}", path.display()));
            }
        }
        // `t.label("prefix", "value")` with two literals.
        for part in text.split("t.label(\"").skip(1) {
            let bits: Vec<&str> = part.splitn(4, '"').collect();
            if bits.len() == 4 && bits[1].trim() == "," {
                let key = format!("{}.{}", bits[0], bits[2]);
                if !zh.contains(&key.as_str()) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "missing messages: {missing:#?}");
}
