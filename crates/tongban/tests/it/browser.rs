//! Browser journeys in headless Chromium, driven by `tests/browser/journeys.mjs`
//! (playwright-core). Skipped loudly when Node, Chromium or the script's packages are missing;
//! `.ci/run` installs them.

use crate::harness::{Backend, TestApp};
use std::path::Path;
use std::process::Command;

#[test]
fn public_search_and_admin_publish_journeys_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("tests/browser/journeys.mjs");
    let missing = [
        (
            "node",
            Command::new("node").arg("--version").output().is_ok(),
        ),
        ("/usr/bin/chromium", Path::new("/usr/bin/chromium").exists()),
        ("tests/browser/journeys.mjs", script.exists()),
        (
            "tests/browser/node_modules (npm ci)",
            root.join("tests/browser/node_modules/playwright-core")
                .exists()
                && root.join("tests/browser/node_modules/axe-core").exists(),
        ),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(what, _)| what)
    .collect::<Vec<_>>();
    if !missing.is_empty() {
        eprintln!(
            "\n!!!!!!!! BROWSER JOURNEYS SKIPPED: missing {} !!!!!!!!\n",
            missing.join(", ")
        );
        return;
    }
    let app = TestApp::demo(&Backend::Sqlite);
    // The demo's inspection plans: the inspector's journey enters a result on the drawn one.
    crate::harness::runtime()
        .block_on(tongban::demo::load_inspection(&app.store))
        .expect("demo plans load");
    let shots = root.join("target/browser-shots");
    let out = Command::new("node")
        .arg(&script)
        .arg(&app.base)
        .arg(&shots)
        // The server's clock is pinned; the journeys count their dates from the same day.
        .arg(crate::harness::PINNED_START.split(' ').next().unwrap())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "browser journeys failed");
    assert!(
        stdout.contains("browser: 14 passed, 0 failed"),
        "every journey passed"
    );

    // Every page each demo role can reach, on a desktop and on a phone, against WCAG 2.2 AA.
    let out = Command::new("node")
        .arg(root.join("tests/browser/axe.mjs"))
        .arg(&app.base)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "axe found violations:\n{stdout}");
    assert!(stdout.contains(", 0 failed"), "{stdout}");
}
