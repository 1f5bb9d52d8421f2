//! The licence transparency log on both stores: heads and proofs read from the stored subtrees
//! agree with a recomputation from the entries; the database refuses edits, and an edit made
//! behind its back is found and named by `verify_log`.

use crate::harness::{Backend, backends, fresh_store_url, runtime};
use tongban_domain::licences::log;
use tongban_domain::licences::tree::Query;
use tongban_store::Store;
use tongban_store::log::LogFault;
use tongban_store::sqlx::{self, AssertSqlSafe};

#[test]
fn the_log_proves_what_it_holds_and_names_what_was_changed() {
    for b in backends() {
        let key =
            tongban_domain::licences::note::SignerKey::from_seed("test/log", [4; 32]).unwrap();
        let s = runtime()
            .block_on(Store::open(&fresh_store_url(&b)))
            .expect("store opens")
            .with_log_key("test/log", key);
        runtime().block_on(async {
            let entries: Vec<String> = (0..37)
                .map(|i| format!("{{\"licence\":\"L{i:03}\",\"version\":1}}"))
                .collect();
            for (i, e) in entries.iter().enumerate() {
                assert_eq!(s.log_append_entry("test", e).await.unwrap(), i as u64);
            }
            let leaves: Vec<log::Hash> = entries
                .iter()
                .map(|e| log::leaf_hash(e.as_bytes()))
                .collect();
            assert_eq!(s.log_size().await.unwrap(), 37);
            for size in [1u64, 2, 5, 16, 17, 37] {
                let head = s.log_query(Query::Root { size }).await.unwrap()[0];
                assert_eq!(head, log::root(&leaves[..size as usize]), "head of {size}");
                for i in 0..size {
                    let proof = s
                        .log_query(Query::Inclusion { index: i, size })
                        .await
                        .unwrap();
                    log::verify_inclusion(i, size, &leaves[i as usize], &proof, &head).unwrap();
                }
            }
            let head = log::root(&leaves);
            for m in 1..=37u64 {
                let proof = s
                    .log_query(Query::Consistency {
                        first: m,
                        second: 37,
                    })
                    .await
                    .unwrap();
                let earlier = log::root(&leaves[..m as usize]);
                log::verify_consistency(m, 37, &proof, &earlier, &head).unwrap();
            }
            assert!(
                s.log_query(Query::Root { size: 38 }).await.is_err(),
                "beyond the log"
            );
            assert_eq!(s.verify_log().await.unwrap(), Ok(37));

            // The database refuses to edit the log.
            let edit = sqlx::query("UPDATE log_entries SET entry = 'x' WHERE idx = 3");
            assert!(
                s.raw_execute(edit).await.is_err(),
                "log_entries is append-only"
            );
            // Someone with database access drops the guard and forges entry 12: named.
            let drops: &[&str] = match b {
                Backend::Sqlite => &["DROP TRIGGER log_entries_no_update"],
                Backend::Postgres => &["DROP TRIGGER log_entries_no_change ON log_entries"],
            };
            for d in drops {
                s.raw_execute(sqlx::query(AssertSqlSafe(*d))).await.unwrap();
            }
            let set = |idx: i64, entry: &str| {
                sqlx::query("UPDATE log_entries SET entry = $1 WHERE idx = $2")
                    .bind(entry.to_string())
                    .bind(idx)
            };
            s.raw_execute(set(12, "{\"licence\":\"forged\"}"))
                .await
                .unwrap();
            assert_eq!(
                s.verify_log().await.unwrap(),
                Err(LogFault::Node {
                    level: 0,
                    index: 12
                })
            );
            s.raw_execute(set(12, &entries[12])).await.unwrap();
            assert_eq!(s.verify_log().await.unwrap(), Ok(37));
            // A subtree hash rewritten (entries 8..16, kept with entry 15, which finished it)
            // is named too.
            let nodes_of = |idx: i64, nodes: String| {
                sqlx::query("UPDATE log_entries SET nodes = $1 WHERE idx = $2")
                    .bind(nodes)
                    .bind(idx)
            };
            let mut forged: Vec<String> = (0..5)
                .map(|l| {
                    let id = tongban_domain::licences::tree::NodeId::new(l, 15 >> l);
                    let (lo, hi) = ((id.index << l) as usize, ((id.index + 1) << l) as usize);
                    hex::encode(log::root(&leaves[lo..hi]))
                })
                .collect();
            let honest = forged.concat();
            forged[3] = "00".repeat(32);
            s.raw_execute(nodes_of(15, forged.concat())).await.unwrap();
            assert_eq!(
                s.verify_log().await.unwrap(),
                Err(LogFault::Node { level: 3, index: 1 })
            );
            // The last entry removed leaves no gap in the numbering, and is still found.
            let drop_delete: &[&str] = match b {
                Backend::Sqlite => &["DROP TRIGGER log_entries_no_delete"],
                Backend::Postgres => &[],
            };
            for d in drop_delete {
                s.raw_execute(sqlx::query(AssertSqlSafe(*d))).await.unwrap();
            }
            s.raw_execute(nodes_of(15, honest)).await.unwrap();
            assert_eq!(s.verify_log().await.unwrap(), Ok(37));
            // The last entry removed after a checkpoint published the size: found.
            s.log_sign_checkpoint().await.unwrap();
            s.raw_execute(sqlx::query("DELETE FROM log_entries WHERE idx = 36"))
                .await
                .unwrap();
            assert_eq!(s.verify_log().await.unwrap(), Err(LogFault::Gap { at: 36 }));
        });
        runtime().block_on(s.close());
    }
}

/// A case whose item issues a licence type issues version 1 in its own write: the licence, its
/// log entry (provable against the log's head) and its audit entry; the holder lists it; its page
/// shows it valid with a QR code; a wrong check character finds nothing.
#[test]
fn an_issued_case_issues_a_licence_into_the_log() {
    use crate::harness::TestApp;
    use crate::harness::flows::*;
    use tongban_domain::licences::identifier::Identifier;
    for b in backends() {
        let app = TestApp::demo(&b);
        let [company, clerk, approver] = people(&app, ["company", "clerk.spj", "approver.spj"]);
        let case = issued_case(&app, &company, &clerk, &approver);
        let s = &app.store;
        let (licence, size) = runtime().block_on(async {
            let l = s.licence_of_case(&case).await.unwrap().expect("a licence");
            (l, s.log_size().await.unwrap())
        });
        assert_eq!(licence.type_name, "公共场所卫生许可证");
        assert_eq!(licence.holder.id, "91360103MA39K2R741");
        let id = Identifier::parse(&licence.identifier).unwrap();
        assert_eq!((id.version, id.type_code.as_str()), (1, "320200"));
        assert_eq!(size, 1);
        runtime().block_on(async {
            let head = s.log_query(Query::Root { size }).await.unwrap()[0];
            let proof = s
                .log_query(Query::Inclusion { index: 0, size })
                .await
                .unwrap();
            // The entry is the issuing unit's signed note over the licence's core.
            let entry = s.log_entry(0).await.unwrap().unwrap();
            assert!(entry.starts_with(&licence.entry()) && entry.contains("\n— XH-SPJ "));
            let leaf = log::leaf_hash(entry.as_bytes());
            log::verify_inclusion(0, size, &leaf, &proof, &head).unwrap();
            assert_eq!(s.verify_log().await.unwrap(), Ok(1));
        });
        // The signed checkpoint over HTTP opens with the published key and states that head;
        // the proof over HTTP holds against it.
        use base64::Engine;
        use tongban_domain::licences::note::{Checkpoint, VerifierKey};
        let key = VerifierKey::parse(&app.get("/log/key").body).unwrap();
        let note = app.get("/log/checkpoint").body;
        let cp = Checkpoint::open(&note, crate::harness::LOG_ORIGIN, &key).unwrap();
        assert_eq!(cp.size, 1);
        let r = app.get("/log/proof/inclusion?index=0&size=1").json();
        let proof: Vec<log::Hash> = r["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                base64::engine::general_purpose::STANDARD
                    .decode(h.as_str().unwrap())
                    .unwrap()
                    .try_into()
                    .unwrap()
            })
            .collect();
        let leaf = log::leaf_hash(app.get("/log/entries/0").body.as_bytes());
        log::verify_inclusion(0, 1, &leaf, &proof, &cp.root).unwrap();
        assert_eq!(app.get("/log/proof/inclusion?index=1&size=1").status, 422);
        let page = app.get(&format!("/licences/{}", licence.identifier));
        assert_eq!(page.status, 200);
        assert!(page.body.contains("id=\"licence-status\"") && page.body.contains("有效"));
        assert!(page.body.contains("<svg"), "a QR code");
        let mine = app.page(&app.session("company"), "/licences/mine");
        assert!(mine.body.contains(&licence.identifier));
        let mut wrong = licence.identifier.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        assert_eq!(app.get(&format!("/licences/{wrong}")).status, 404);
        let admin = Who::new(&app, "admin");
        let trail = audit_actions(&app, &admin, "licence", &licence.identifier);
        assert_eq!(trail, vec!["licence.issue"]);
        assert_audit_intact(&app);
    }
}

/// Issue → verify offline → change → the old version superseded → revoke → revoked, given the
/// newer status; forged, truncated, foreign and unreadable inputs each with their reason; a
/// rotated key still verifies what it signed; tiles give the log to a mirror; a witness cosigns
/// and its cosignature travels in the QR code.
#[test]
fn licences_verify_offline_through_change_revocation_and_witnesses() {
    use crate::harness::TestApp;
    use crate::harness::flows::*;
    use tongban_app::licences::verify_offline;
    use tongban_domain::licences::proof::{LicenceProof, Status, Trust};
    for b in backends() {
        let app = TestApp::demo(&b);
        let [company, clerk, approver] = people(&app, ["company", "clerk.spj", "approver.spj"]);
        let case = issued_case(&app, &company, &clerk, &approver);
        let s = &app.store;
        let v1 = runtime()
            .block_on(s.licence_of_case(&case))
            .unwrap()
            .unwrap();
        let today = tongban_domain::cases::local_date(s.now());
        let trust = Trust::parse(&app.get("/log/trust").body).expect("a trust file");
        assert_eq!(trust.issuers[0].unit, "XH-SPJ");
        let proof1 = app.get(&format!("/licences/{}/proof.txt", v1.identifier));
        assert_eq!(proof1.status, 200);
        let p1 = LicenceProof::from_text(&proof1.body).unwrap();
        let v = verify_offline(proof1.body.as_bytes(), None, &trust, today);
        assert_eq!((v.status, v.reason), (Status::Valid, "valid"));
        assert_eq!(v.licence.unwrap().identifier, v1.identifier);
        // The licence page's QR code is the same proof (at the newest checkpoint).
        let page = app.get(&format!("/licences/{}", v1.identifier));
        assert!(page.body.contains("id=\"proof-file\""));
        assert!(
            !page.body.contains("id=\"licence-actions\""),
            "not for the public"
        );

        // The CLI, with nothing but the files: valid, exit 0.
        let dir = crate::harness::scratch_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let (pf, tf) = (dir.join("proof.txt"), dir.join("trust.txt"));
        std::fs::write(&pf, &proof1.body).unwrap();
        std::fs::write(&tf, trust.text()).unwrap();
        let cli = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_tongban"))
                .args(["licence", "verify"])
                .args(args)
                .args([
                    "--trust",
                    tf.to_str().unwrap(),
                    "--today",
                    &today.to_string(),
                ])
                .output()
                .expect("tongban runs")
        };
        let out = cli(&[pf.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("valid: "));

        // The unit's clerk changes it: version 2; the first is superseded.
        let clerk_s = app.session("clerk.spj");
        let other = app.session("clerk.scj");
        let path = |id: &str, what: &str| format!("/licences/{id}/{what}");
        let mut fields: Vec<(String, String)> = v1
            .fields
            .iter()
            .map(|(k, v)| (format!("field.{k}"), v.clone()))
            .collect();
        fields[0].1 = "变更后的内容".into();
        let form: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            app.post_form(&other, &path(&v1.identifier, "change"), &form)
                .status,
            403
        );
        let r = app.post_form(&clerk_s, &path(&v1.identifier, "change"), &form);
        assert_eq!(r.status, 303, "{}", r.body);
        let v2_id = r
            .header("location")
            .unwrap()
            .trim_start_matches("/licences/")
            .to_string();
        assert!(v2_id.contains(".2."), "{v2_id}");
        // Changing the old version again is refused: it is superseded.
        assert_eq!(
            app.post_form(&clerk_s, &path(&v1.identifier, "renew"), &[])
                .status,
            409
        );
        let status = app.get(&format!(
            "/licences/{}/status.txt?since={}",
            v1.identifier, p1.checkpoint.size
        ));
        let v = verify_offline(
            proof1.body.as_bytes(),
            Some(status.body.as_bytes()),
            &trust,
            today,
        );
        assert_eq!((v.status, v.reason), (Status::Superseded, "superseded"));
        assert_eq!(v.latest.unwrap().identifier, v2_id);
        // The server's /verify says the same of the old code, and valid of the new one.
        let verdict = |code: &str| {
            let r = app.multipart("/verify", &[], &[("code", code)], &[]);
            let status = r
                .body
                .split("data-status=\"")
                .nth(1)
                .map(|t| t[..t.find('"').unwrap()].to_string());
            (r.status, status.unwrap_or_default())
        };
        assert_eq!(verdict(&proof1.body), (200, "superseded".to_string()));
        let proof2 = app.get(&format!("/licences/{v2_id}/proof.txt")).body;
        assert_eq!(verdict(&proof2), (200, "valid".to_string()));
        // A picture of the code (as a phone saves it) reads the same.
        let r = app.upload("/verify", &[], "code.png", &qr_png(proof2.trim()), None);
        assert_eq!(r.status, 200);
        assert!(
            r.body.contains("data-status=\"valid\""),
            "the picture is read"
        );

        // A rotated key: what it signed still verifies; the next version is signed by the new one.
        s.keyring().rotate("XH-SPJ", today).unwrap();
        let trust = Trust::parse(&app.get("/log/trust").body).unwrap();
        assert_eq!(trust.issuers.len(), 2);
        assert_eq!(
            verify_offline(proof2.as_bytes(), None, &trust, today).status,
            Status::Valid
        );

        // Revoked: a reason is required; then the old codes say revoked given the newer status.
        let r = app.post_form(&clerk_s, &path(&v2_id, "revoke"), &[("reason", " ")]);
        assert_eq!(r.status, 422);
        assert!(r.body.contains("id=\"errors\""));
        let r = app.post_form(
            &clerk_s,
            &path(&v2_id, "revoke"),
            &[("reason", "企业申请注销")],
        );
        assert_eq!(r.status, 303);
        let status = app.get(&format!(
            "/licences/{v2_id}/status.txt?since={}",
            p1.checkpoint.size
        ));
        let v = verify_offline(
            proof1.body.as_bytes(),
            Some(status.body.as_bytes()),
            &trust,
            today,
        );
        assert_eq!((v.status, v.reason), (Status::Revoked, "revoked_later"));
        assert_eq!(verdict(&proof2), (200, "revoked".to_string()));
        let page = app.page(&clerk_s, &format!("/licences/{v2_id}"));
        assert!(
            !page.body.contains("id=\"licence-actions\""),
            "nothing follows a revocation"
        );

        // Bad input: each a verdict with its reason, never a 500.
        let mut forged = LicenceProof::from_text(&proof2).unwrap();
        forged.entry = forged.entry.replacen("变更后的内容", "伪造", 1);
        forged.entry = forged
            .entry
            .replacen("\"holder\":{\"id\":\"9", "\"holder\":{\"id\":\"8", 1);
        assert_eq!(
            verify_offline(forged.to_text().as_bytes(), None, &trust, today).reason,
            "issuer_signature"
        );
        assert_eq!(verdict(&forged.to_text()), (200, "forged".to_string()));
        let mut truncated = LicenceProof::from_text(&proof2).unwrap();
        truncated.inclusion.pop();
        let t = truncated.to_text();
        assert_eq!(
            verify_offline(t.as_bytes(), None, &trust, today).reason,
            "proof_length"
        );
        assert_eq!(
            verdict("https://example.com/not-a-licence"),
            (422, "unreadable".to_string())
        );
        assert_eq!(
            verdict(&proof2[..proof2.len() / 2]),
            (422, "unreadable".to_string())
        );
        let r = app.upload("/verify", &[], "photo.png", b"\x89PNG not really", None);
        assert_eq!(r.status, 422);
        assert!(r.body.contains("无法打开这张图片"));
        let out = cli(&["TB1:NOT A LICENCE"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("unreadable"));
        let out = cli(&[t.as_str()]);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("forged"),
            "truncated proof"
        );

        // Tiles: the entries tile and the level-0 hash tile agree; a full tile is not there yet.
        let size = runtime().block_on(s.log_size()).unwrap();
        let entries = app.get(&format!("/log/tile/entries/000.p/{size}"));
        assert_eq!(entries.status, 200);
        let hashes = app.get(&format!("/log/tile/0/000.p/{size}")).bytes;
        let mut at = 0;
        let raw = entries.bytes.clone();
        for i in 0..size as usize {
            let n = u16::from_be_bytes([raw[at], raw[at + 1]]) as usize;
            let leaf = log::leaf_hash(&raw[at + 2..at + 2 + n]);
            assert_eq!(&hashes[i * 32..i * 32 + 32], &leaf[..], "leaf {i}");
            at += 2 + n;
        }
        assert_eq!(at, raw.len());
        assert_eq!(app.get("/log/tile/0/000").status, 404);
        assert_eq!(app.get("/log/tile/0/1").status, 404);

        // A witness: registered, it cosigns; the cosignature is published and travels in the QR
        // code; after more appends it checks consistency and cosigns again.
        let wkey = tongban_domain::licences::note::SignerKey::from_seed("witness.example", [5; 32])
            .unwrap();
        runtime()
            .block_on(s.register_witness("admin", &wkey.verifier().to_string()))
            .unwrap();
        let state = dir.join("witness.state");
        let base = app.url("");
        let witnessed = tongban::licences::witness(&base, &wkey, &state, None).unwrap();
        assert_eq!(witnessed, size);
        assert!(
            app.get("/log/checkpoint")
                .body
                .contains("— witness.example ")
        );
        let trust = Trust::parse(&app.get("/log/trust").body).unwrap();
        let p = app.get(&format!("/licences/{v2_id}/proof.txt")).body;
        let v = verify_offline(p.as_bytes(), None, &trust, today);
        assert_eq!(v.signed_by, [crate::harness::LOG_ORIGIN, "witness.example"]);
        let another = issued_case(&app, &company, &clerk, &approver);
        assert!(
            runtime()
                .block_on(s.licence_of_case(&another))
                .unwrap()
                .is_some()
        );
        assert_eq!(
            tongban::licences::witness(&base, &wkey, &state, None).unwrap(),
            size + 1
        );
        // A witness whose memory disagrees with the log refuses to cosign.
        let text = std::fs::read_to_string(&state).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        let fake = "A".repeat(43) + "=";
        lines[2] = &fake;
        std::fs::write(&state, lines.join("\n") + "\n").unwrap();
        let e = tongban::licences::witness(&base, &wkey, &state, None).unwrap_err();
        assert!(e.contains("changed its tree"), "{e}");
        // A stranger's cosignature is refused.
        let stranger =
            tongban_domain::licences::note::SignerKey::from_seed("stranger", [6; 32]).unwrap();
        let r = app.json(
            "POST",
            "/log/cosignature",
            &[],
            &serde_json::json!({"size": 1, "signature": stranger.signature_line("x\n")}),
        );
        assert_eq!(r.status, 422);

        // Every version and cosignature is in the audit trail; the log verifies.
        let admin = Who::new(&app, "admin");
        let trail = audit_actions(&app, &admin, "licence", &v2_id);
        assert_eq!(trail, vec!["licence.change"]);
        assert_eq!(runtime().block_on(s.verify_log()).unwrap(), Ok(size + 1));
        assert_audit_intact(&app);
    }
}

/// 免提交: a licence the applicant holds stands in for the material it certifies in a new
/// application, the clerk sees it verified, and the renewal it is for renews it (a new version
/// in the same write as the issued case) instead of issuing another.
#[test]
fn a_held_licence_fills_its_material_and_its_renewal_renews_it() {
    use crate::harness::TestApp;
    use crate::harness::flows::*;
    use serde_json::json;
    for b in backends() {
        let app = TestApp::demo(&b);
        let [company, clerk, approver] = people(&app, ["company", "clerk.spj", "approver.spj"]);
        let first = issued_case(&app, &company, &clerk, &approver);
        let held = runtime()
            .block_on(app.store.licence_of_case(&first))
            .unwrap()
            .unwrap();
        let until = held.valid_until.unwrap().to_string();
        let r = app.json(
            "POST",
            "/api/v1/cases",
            &company.h(),
            &json!({"item_code": "XH-SPJ-000101016000", "form": {
                "contact_name": "李四", "contact_phone": "13800138000", "details": "公共场所卫生许可证延续",
                "fields": {"licence_no": held.identifier, "valid_until": until,
                           "test_passed": "是", "premises_unchanged": "是"}}}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let case = r.json()["item"].clone();
        let slot = case["materials"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == "原公共场所卫生许可证")
            .expect("the licence's material")
            .clone();
        assert_eq!(
            slot["licence"],
            held.identifier.as_str(),
            "filled by the held licence"
        );
        assert_eq!(case["licences"][0]["status"], "valid");
        let id = upload_materials(&app, &company, &case, |m| {
            m["required"] == true && m.get("licence").is_none()
        });
        // The page shows it held and verified, with no upload for it.
        let page = app.page(&app.session("company"), &format!("/cases/{id}"));
        assert!(page.body.contains("电子证照免提交") && page.body.contains("licence-valid"));
        // Submitted: the rules approve and issue at once; the held licence is renewed.
        let c = submit(&app, &company, &id);
        assert_eq!(c["state"], "issued", "{c}");
        let renewed = runtime()
            .block_on(app.store.licence_of_case(&id))
            .unwrap()
            .expect("the renewal");
        assert_eq!(renewed.id().base(), held.id().base());
        assert_eq!(renewed.id().version, 2);
        assert_eq!(
            renewed.valid_from,
            held.valid_until.unwrap().tomorrow().unwrap()
        );
        // The clerk now sees the licence that stood in as superseded by this renewal.
        let view = get_as(&app, &clerk, &format!("/api/v1/cases/{id}")).json();
        assert_eq!(
            view["item"]["licences"][0]["status"], "superseded",
            "{view}"
        );
        // A revoked licence no longer stands in for anything.
        let s = app.session("clerk.spj");
        let r = app.post_form(
            &s,
            &format!("/licences/{}/revoke", renewed.identifier),
            &[("reason", "停业")],
        );
        assert_eq!(r.status, 303);
        let r = app.json(
            "POST",
            "/api/v1/cases",
            &company.h(),
            &json!({"item_code": "XH-SPJ-000101016000", "form": {
                "contact_name": "李四", "contact_phone": "13800138000", "details": "再次延续"}}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let m = r.json()["item"]["materials"].clone();
        assert!(
            m.as_array()
                .unwrap()
                .iter()
                .all(|m| m.get("licence").is_none()),
            "{m}"
        );
        assert_audit_intact(&app);
    }
}

/// A PNG picture of `text`'s QR code: 4 pixels a module, a quiet zone of 4 modules, grey.
fn qr_png(text: &str) -> Vec<u8> {
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::L).unwrap();
    let (w, scale, quiet) = (code.width(), 4, 4);
    let side = (w + 2 * quiet) * scale;
    let colors = code.to_colors();
    let mut grey = vec![255u8; side * side];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (
                (x / scale).wrapping_sub(quiet),
                (y / scale).wrapping_sub(quiet),
            );
            if mx < w && my < w && colors[my * w + mx] == qrcode::Color::Dark {
                grey[y * side + x] = 30;
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, side as u32, side as u32);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(&grey).unwrap();
    out
}

/// Servers sharing a keys directory: a unit's first key made by two at once is one key for both
/// (never half a file, never two), and a key rotated by one is signed with by the other from its
/// next licence on.
#[test]
fn servers_sharing_a_keys_directory_sign_with_one_key_per_unit() {
    use tongban_store::keyring::Keyring;
    let dir = crate::harness::scratch_dir().join("keys");
    let rings = [Keyring::in_dir(dir.clone()), Keyring::in_dir(dir.clone())];
    let units: Vec<String> = (0..40).map(|i| format!("XH-T{i:02}")).collect();
    let start = std::sync::Barrier::new(4);
    let seen: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (ring, units, start) = (&rings[t % 2], &units, &start);
                s.spawn(move || {
                    start.wait();
                    units
                        .iter()
                        .map(|u| ring.signer(u).unwrap().verifier().to_string())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(seen.iter().all(|v| v == &seen[0]), "one key per unit");
    let leftovers = std::fs::read_dir(dir.join("units"))
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            !name.to_string_lossy().ends_with(".key")
        })
        .count();
    assert_eq!(leftovers, 0, "no half-made key files left");

    let today = jiff::civil::date(2026, 12, 7);
    let new = rings[0]
        .rotate("XH-T00", today)
        .unwrap()
        .verifier()
        .to_string();
    assert_ne!(new, seen[0][0]);
    assert_eq!(
        rings[1].signer("XH-T00").unwrap().verifier().to_string(),
        new
    );
    let issuers = rings[1].issuers().unwrap();
    assert_eq!(
        issuers.iter().filter(|k| k.unit == "XH-T00").count(),
        2,
        "the retired key still verifies what it signed"
    );
}
