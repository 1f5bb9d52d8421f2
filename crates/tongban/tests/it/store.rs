//! The store contract, checked on both backends.

use crate::harness::{Backend, backends, fresh_store_url, runtime};
use tongban_domain::audit::ChainBreak;
use tongban_store::sqlx::{self, AssertSqlSafe};
use tongban_store::{Page, Store, StoreError};

fn each_store(test: impl Fn(&Store, &Backend)) {
    for b in backends() {
        let store = runtime()
            .block_on(Store::open(&fresh_store_url(&b)))
            .expect("store opens");
        runtime()
            .block_on(tongban::demo::load_if_empty(&store))
            .expect("demo loads");
        test(&store, &b);
        runtime().block_on(store.close());
    }
}

#[test]
fn publishing_freezes_versions_and_search_finds_chinese_terms() {
    each_store(|s, _| {
        runtime().block_on(async {
            let code = "XH-SPJ-000101001000";
            let rec = s.item_record(code).await.unwrap().unwrap();
            assert_eq!(rec.published_version, Some(1));
            assert!(!rec.unpublished_edits);
            // Publishing with nothing changed is refused.
            assert!(matches!(
                s.publish_item("admin", code, "").await,
                Err(StoreError::Conflict {
                    code: "nothing_to_publish",
                    ..
                })
            ));
            let v1 = s.item_version(code, 1).await.unwrap().unwrap();
            let mut g = v1.clone();
            g.promise_note = "当场办结".into();
            let rec = s.update_item("admin", &g).await.unwrap();
            assert!(rec.unpublished_edits);
            // The public still sees version 1 until publication.
            assert_eq!(s.published_item(code).await.unwrap().unwrap().guide, v1);
            assert_eq!(s.publish_item("admin", code, "说明").await.unwrap(), 2);
            assert_eq!(
                s.item_version(code, 1).await.unwrap().unwrap(),
                v1,
                "published versions never change"
            );
            assert_eq!(
                s.published_item(code)
                    .await
                    .unwrap()
                    .unwrap()
                    .guide
                    .promise_note,
                "当场办结"
            );
            let versions = s.item_versions(code).await.unwrap();
            assert_eq!(
                versions.iter().map(|v| v.version).collect::<Vec<_>>(),
                vec![2, 1]
            );

            // Duplicate codes are refused.
            assert!(matches!(
                s.create_item("admin", &g).await,
                Err(StoreError::Conflict { field: "code", .. })
            ));

            let page = Page {
                page: 1,
                per_page: 5,
            };
            let find = |terms: &[&str]| tongban_store::catalog::ItemFilter {
                terms: terms.iter().map(|t| t.to_string()).collect(),
                ..Default::default()
            };
            let (items, total) = s.search_items(&find(&["公章"]), page).await.unwrap();
            assert!(
                total >= 1 && items[0].guide.name.contains("印章"),
                "公章 finds the seal item"
            );
            let (_, total) = s.search_items(&find(&["社保"]), page).await.unwrap();
            assert!(total >= 2);
            let (_, none) = s
                .search_items(&find(&["公章", "社保"]), page)
                .await
                .unwrap();
            assert!(none < total, "all terms must match");
            // LIKE wildcards in input are literal.
            let (_, pct) = s.search_items(&find(&["%"]), page).await.unwrap();
            assert_eq!(pct, 0);
            let street = tongban_store::catalog::ItemFilter {
                level: Some(tongban_domain::catalog::Level::Street),
                ..Default::default()
            };
            let (items, total) = s
                .search_items(
                    &street,
                    Page {
                        page: 2,
                        per_page: 5,
                    },
                )
                .await
                .unwrap();
            assert!(
                total > 10
                    && items.len() == 5
                    && items
                        .iter()
                        .all(|i| i.guide.level == tongban_domain::catalog::Level::Street)
            );
            let theme = tongban_store::catalog::ItemFilter {
                theme: Some("企业开办".into()),
                ..Default::default()
            };
            let (items, _) = s.search_items(&theme, page).await.unwrap();
            assert!(
                !items.is_empty()
                    && items
                        .iter()
                        .all(|i| i.guide.themes.iter().any(|t| t == "企业开办"))
            );
        });
    });
}

#[test]
fn audit_chain_detects_altered_and_removed_rows() {
    each_store(|s, backend| {
        runtime().block_on(async {
            let n = s
                .verify_audit()
                .await
                .unwrap()
                .expect("fresh chain is intact");
            assert!(n > 100, "every demo write was audited ({n})");
            // The database itself refuses to edit the trail.
            let edit = sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 5");
            assert!(
                s.raw_execute(edit).await.is_err(),
                "audit_log is append-only"
            );
            // Someone with database access drops the guard and alters a row.
            let drops: &[&str] = match backend {
                Backend::Sqlite => &[
                    "DROP TRIGGER audit_log_no_update",
                    "DROP TRIGGER audit_log_no_delete",
                ],
                Backend::Postgres => &["DROP TRIGGER audit_log_no_change ON audit_log"],
            };
            for d in drops {
                s.raw_execute(sqlx::query(AssertSqlSafe(*d))).await.unwrap();
            }
            s.raw_execute(sqlx::query(
                "UPDATE audit_log SET actor = 'mallory' WHERE seq = 7",
            ))
            .await
            .unwrap();
            assert_eq!(
                s.verify_audit().await.unwrap(),
                Err(ChainBreak::Altered { seq: 7 })
            );
            s.raw_execute(sqlx::query(
                "UPDATE audit_log SET actor = 'system' WHERE seq = 7",
            ))
            .await
            .unwrap();
            assert!(
                s.verify_audit().await.unwrap().is_ok(),
                "restoring the row restores the chain"
            );
            s.raw_execute(sqlx::query("DELETE FROM audit_log WHERE seq = 9"))
                .await
                .unwrap();
            assert_eq!(
                s.verify_audit().await.unwrap(),
                Err(ChainBreak::Gap {
                    seq: 10,
                    expected_seq: 9
                })
            );
        });
    });
}

#[test]
fn concurrent_writers_never_fork_the_chain() {
    each_store(|s, _| {
        runtime().block_on(async {
            let mut tasks = Vec::new();
            for i in 0..20 {
                let s = s.clone();
                tasks.push(tokio::spawn(async move {
                    let c = tongban_domain::catalog::RetainedCertificate {
                        name: format!("证明{i}"),
                        legal_basis: "依据".into(),
                        issuer: "单位".into(),
                        item_code: None,
                        note: String::new(),
                    };
                    s.save_retained_certificate("admin", Some(&format!("BL-{:04}", 1 + i % 5)), &c)
                        .await
                }));
            }
            for t in tasks {
                t.await.unwrap().unwrap();
            }
            s.verify_audit()
                .await
                .unwrap()
                .expect("chain intact after concurrent writes");
        });
    });
}
