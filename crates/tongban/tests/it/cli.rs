//! The command line against a real store.

use std::process::Command;

fn tongban(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env("TONGBAN_LOG", "warn")
        .output()
        .expect("tongban runs")
}

#[test]
fn token_create_prints_a_working_token_and_audit_verify_catches_tampering() {
    let dir = std::env::temp_dir().join(format!("tongban-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(tongban(&dir, &["demo"]).status.success());
    let out = tongban(&dir, &["token", "create", "--user", "admin"]);
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string();
    assert!(token.starts_with("tb_") && token.len() > 40);
    let out = tongban(&dir, &["token", "create", "--user", "nobody"]);
    assert!(
        !out.status.success(),
        "a token for an unknown user is refused"
    );

    let verify = tongban(&dir, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    // Tamper with the file directly, as someone with disk access could.
    crate::harness::runtime().block_on(async {
        use tongban_store::sqlx::{self, Connection};
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(&format!("sqlite://{}", dir.join("tongban.db").display())).await.unwrap();
        sqlx::raw_sql("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET after_json = '{}' WHERE seq = 3;").execute(&mut c).await.unwrap();
    });
    let verify = tongban(&dir, &["audit", "verify"]);
    assert!(!verify.status.success());
    assert!(String::from_utf8_lossy(&verify.stderr).contains("Altered { seq: 3 }"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn calendar_commands_print_the_answer_alone_and_load_a_year() {
    let dir = std::env::temp_dir().join(format!("tongban-cli-cal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = |o: std::process::Output| {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    // 春节 2026: Feb 15–23 off, Saturday Feb 14 and Feb 28 worked.
    assert_eq!(
        stdout(tongban(&dir, &["calendar", "add", "2026-02-13", "1"])),
        "2026-02-14\n"
    );
    assert_eq!(
        stdout(tongban(&dir, &["calendar", "add", "2026-02-14", "1"])),
        "2026-02-24\n"
    );
    assert_eq!(
        stdout(tongban(
            &dir,
            &["calendar", "between", "2026-02-13", "2026-02-28"]
        )),
        "6\n"
    );
    // 2027 has no notice yet: counted on the statutory holidays, and the answer says so.
    // Dec 28 (Mon) + 5: Dec 29, 30, 31, 元旦 off, Jan 4, 5.
    assert_eq!(
        stdout(tongban(&dir, &["calendar", "add", "2026-12-28", "5"])),
        "2027-01-05\tprovisional (2027)\n"
    );
    let years = stdout(tongban(&dir, &["calendar", "years"]));
    assert!(years.contains("2026\tloaded\t"), "{years}");
    assert!(years.contains("2027\tprovisional\t"), "{years}");
    let out = tongban(&dir, &["calendar", "add", "2024-12-28", "5"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2024"));
    let bad = tongban(&dir, &["calendar", "add", "2026-2-30", "1"]);
    assert!(!bad.status.success());

    // Loading the next year's file (as published each November) without a release.
    let file = dir.join("2027.toml");
    std::fs::write(
        &file,
        "year = 2027\nnotice = \"测试用2027年安排\"\n[[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-03\"\n",
    )
    .unwrap();
    assert_eq!(
        stdout(tongban(
            &dir,
            &["calendar", "import", file.to_str().unwrap()]
        )),
        "loaded 2027\n"
    );
    // Dec 28 (Mon) + 5: Dec 29, 30, 31, then Jan 4, 5; no longer provisional.
    assert_eq!(
        stdout(tongban(&dir, &["calendar", "add", "2026-12-28", "5"])),
        "2027-01-05\n"
    );
    let years = stdout(tongban(&dir, &["calendar", "years"]));
    assert!(years.contains("2027\tloaded\t"), "{years}");
    std::fs::write(&file, "year = 2027\nnotice = \"x\"\n[[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-03\"\nto = \"2027-01-01\"\n").unwrap();
    let out = tongban(&dir, &["calendar", "import", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("holiday[0].to"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A published draw record is rerun by the CLI with no store, and by the independent Python
/// replay (`tests/inspection/replay_draw.py`); a tampered record is refused, naming the place.
#[test]
fn inspection_verify_reruns_a_published_draw_and_names_a_tampered_place() {
    use tongban_domain::inspection::draw::{
        self, Entity, Inspector, Plan, Ratios, RiskGrade, list_sha256, sha256_hex,
    };
    let entities: Vec<Entity> = (0..200)
        .map(|i| Entity {
            id: format!("91360103E{i:09}"),
            grade: [RiskGrade::High, RiskGrade::Medium, RiskGrade::Low][i % 3],
            licensed_by: if i % 5 == 0 {
                vec!["XH-SCJ".into()]
            } else {
                vec![]
            },
        })
        .collect();
    let inspectors: Vec<Inspector> = (0..8)
        .map(|j| Inspector {
            id: format!("I{j:02}"),
            unit: if j < 3 { "XH-SCJ" } else { "XH-CJJ" }.into(),
            matters: vec!["XH-SCJ-001".into()],
            related: if j == 4 {
                vec!["91360103E000000007".into()]
            } else {
                vec![]
            },
        })
        .collect();
    let nonce = "a3f1e2d4c5b6";
    let plan = Plan {
        id: "P2026-12".into(),
        matters: vec!["XH-SCJ-001".into()],
        ratios: Ratios::default(),
        team_size: 2,
        entities_sha256: list_sha256(&entities),
        inspectors_sha256: list_sha256(&inspectors),
        nonce_sha256: sha256_hex(nonce.as_bytes()),
        outside_source: "福彩3D 2026-12-08 晚间开奖号码".into(),
    };
    let record = draw::draw(&plan, &entities, &inspectors, nonce, "3 7 1").unwrap();
    assert!(!record.checks.is_empty());

    let dir = std::env::temp_dir().join(format!("tongban-draw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("draw.json");
    std::fs::write(&good, serde_json::to_string_pretty(&record).unwrap()).unwrap();
    let mut tampered = record.clone();
    tampered.checks[1].inspectors.swap(0, 1);
    let bad = dir.join("tampered.json");
    std::fs::write(&bad, serde_json::to_string(&tampered).unwrap()).unwrap();

    let verify = |file: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_tongban"))
            .args(["inspection", "verify"])
            .arg(file)
            .output()
            .expect("tongban runs")
    };
    let out = verify(&good);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&format!("draw reproduced: {} checks", record.checks.len())));
    let out = verify(&bad);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("checks[1].inspectors: differs"), "{stderr}");

    // The independent replay agrees on both.
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/inspection/replay_draw.py"
    );
    let replay = |file: &std::path::Path| Command::new("python3").arg(script).arg(file).output();
    match replay(&good) {
        Ok(out) => {
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(stdout.contains("draw reproduced"), "{stdout}");
            let out = replay(&bad).unwrap();
            assert!(!out.status.success());
            assert!(String::from_utf8_lossy(&out.stdout).contains("checks[1]"));
        }
        Err(_) => eprintln!("\n!!!!!!!! INDEPENDENT DRAW REPLAY SKIPPED: no python3 !!!!!!!!\n"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
