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
