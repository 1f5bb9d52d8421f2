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
        let s = runtime()
            .block_on(Store::open(&fresh_store_url(&b)))
            .expect("store opens");
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
                Backend::Sqlite => &[
                    "DROP TRIGGER log_entries_no_update",
                    "DROP TRIGGER log_nodes_no_update",
                ],
                Backend::Postgres => &[
                    "DROP TRIGGER log_entries_no_change ON log_entries",
                    "DROP TRIGGER log_nodes_no_change ON log_nodes",
                ],
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
            // A subtree hash rewritten (entries 8..16) is named too.
            let node = sqlx::query("UPDATE log_nodes SET hash = $1 WHERE level = 3 AND idx = 1")
                .bind("00".repeat(32));
            s.raw_execute(node).await.unwrap();
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
            let restore = sqlx::query("UPDATE log_nodes SET hash = $1 WHERE level = 3 AND idx = 1")
                .bind(hex::encode(log::root(&leaves[8..16])));
            s.raw_execute(restore).await.unwrap();
            assert_eq!(s.verify_log().await.unwrap(), Ok(37));
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
            let leaf = log::leaf_hash(licence.entry().as_bytes());
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
