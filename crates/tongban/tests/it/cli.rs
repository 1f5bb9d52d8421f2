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
