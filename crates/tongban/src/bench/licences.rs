//! The licence transparency log (`tongban bench licences`): durable appends, each an issuer's
//! signed entry with its subtrees and a signed checkpoint in one write, beside plain single-row
//! inserts in the same store and run; then inclusion proofs and their verification at a large
//! tree size, computed from the nodes a proof needs (at most two per level, whatever the size);
//! and the size of a licence's QR code when the log holds a million entries.

use super::*;
use std::collections::HashMap;
use tongban_domain::licences::log::{self, Hash};
use tongban_domain::licences::note::{self, SignerKey};
use tongban_domain::licences::proof::{CompactCheckpoint, LicenceProof};
use tongban_domain::licences::tree::{self, Query};
use tongban_store::sqlx;

pub(super) async fn licences_bench(
    appends: usize,
    leaves: u64,
    proofs: usize,
    database_url: Option<String>,
) -> Result<(), String> {
    let (scratch, url) = bench_store_url(database_url)?;
    let key =
        SignerKey::from_seed("bench.tongban.example/log", [5; 32]).map_err(|e| e.to_string())?;
    let store = Store::open(&url)
        .await
        .map_err(|e| e.to_string())?
        .with_log_key("bench.tongban.example/log", key);
    let e = |e: tongban_store::StoreError| e.to_string();

    // Durable appends: the issuer signs the entry; entry and subtrees, each in its own write;
    // then the checkpoint over them, signed when the log is next read.
    let unit = SignerKey::from_seed("XH-SPJ", [6; 32]).map_err(|e| e.to_string())?;
    let entry = |i: usize| {
        format!(
            "{{\"format\":\"tongban-licence/1\",\"identifier\":\"L{i:09}\",\"fields\":{{\"scope\":\"预包装食品销售\"}}}}\n"
        )
    };
    let started = Instant::now();
    for i in 0..appends {
        let signed = note::sign(&entry(i), &[&unit]).map_err(|e| e.to_string())?;
        store.log_append_entry("bench", &signed).await.map_err(e)?;
    }
    // The checkpoint over them all, as the next reader of the log has it signed.
    store.log_sign_checkpoint().await.map_err(e)?;
    let appended = started.elapsed();

    // The limit: the same number of single-row inserts of the same entries, each committed.
    store
        .raw_execute(sqlx::query(
            "CREATE TABLE bench_plain (idx BIGINT PRIMARY KEY, entry TEXT NOT NULL)",
        ))
        .await
        .map_err(e)?;
    let started = Instant::now();
    for i in 0..appends {
        let q = sqlx::query("INSERT INTO bench_plain (idx, entry) VALUES ($1, $2)")
            .bind(i as i64)
            .bind(entry(i));
        store.raw_execute(q).await.map_err(e)?;
    }
    let plain = started.elapsed();

    // The same single-row inserts, each in the platform's write (the one every record change
    // takes: its transaction holds the audit trail's head), without an audit entry.
    store
        .raw_execute(sqlx::query(
            "CREATE TABLE bench_written (idx BIGINT PRIMARY KEY, entry TEXT NOT NULL)",
        ))
        .await
        .map_err(e)?;
    let started = Instant::now();
    for i in 0..appends {
        let mut w = store.begin_write("bench").await.map_err(e)?;
        sqlx::query("INSERT INTO bench_written (idx, entry) VALUES ($1, $2)")
            .bind(i as i64)
            .bind(entry(i))
            .execute(w.conn())
            .await
            .map_err(|x| x.to_string())?;
        w.commit().await.map_err(e)?;
    }
    let written = started.elapsed();

    // A proof from the store (reading its nodes in one query) at the appended size.
    let size = store.log_size().await.map_err(e)?;
    let started = Instant::now();
    for i in 0..proofs.min(size as usize) {
        let q = Query::Inclusion {
            index: (i as u64 * 7919) % size,
            size,
        };
        std::hint::black_box(store.log_query(q).await.map_err(e)?);
    }
    let stored_proof = started.elapsed() / proofs.min(size as usize).max(1) as u32;

    // At `leaves`: the nodes a proof needs (any values), the proof computed from them, and its
    // verification against the head those nodes give.
    let mut gen_total = Duration::ZERO;
    let mut verify_total = Duration::ZERO;
    let mut most_nodes = 0;
    for i in 0..proofs {
        let index = (i as u64).wrapping_mul(2_654_435_761) % leaves;
        let leaf: Hash = log::leaf_hash(format!("leaf {index}").as_bytes());
        let q = Query::Inclusion {
            index,
            size: leaves,
        };
        let started = Instant::now();
        let ids = tree::needed(q).map_err(|e| e.to_string())?;
        let nodes: HashMap<_, Hash> = ids
            .iter()
            .map(|id| {
                let h = if id.level == 0 && id.index == index {
                    leaf
                } else {
                    log::leaf_hash(&id.index.to_be_bytes())
                };
                (*id, h)
            })
            .collect();
        let proof = tree::compute(q, &nodes).map_err(|e| e.to_string())?;
        gen_total += started.elapsed();
        most_nodes = most_nodes.max(ids.len());
        // The head of a tree holding those nodes: recomputed from the leaf and the proof.
        let head = {
            let mut root_nodes = nodes.clone();
            root_nodes.insert(tree::NodeId::new(0, index), leaf);
            let needed = tree::needed(Query::Root { size: leaves }).map_err(|e| e.to_string())?;
            for id in needed {
                root_nodes
                    .entry(id)
                    .or_insert_with(|| log::leaf_hash(&id.index.to_be_bytes()));
            }
            tree::compute(Query::Root { size: leaves }, &root_nodes).map_err(|e| e.to_string())?[0]
        };
        let started = Instant::now();
        let ok = log::verify_inclusion(index, leaves, &leaf, &proof, &head).is_ok();
        verify_total += started.elapsed();
        std::hint::black_box(ok);
    }

    // What a QR code carries at a million entries: a realistic signed core, 20 hashes of proof,
    // the log's and a witness's signatures; the smallest code at error correction L.
    let qr = qr_at_a_million(&unit)?;

    println!("licence log: {appends} durable appends, proofs at {leaves} leaves");
    println!(
        "  appends (signed entry + subtrees, checkpoint):  {:.0}/s",
        appends as f64 / appended.as_secs_f64()
    );
    println!(
        "  plain single-row inserts:                       {:.0}/s",
        appends as f64 / plain.as_secs_f64()
    );
    println!(
        "  single-row inserts in the platform's write:     {:.0}/s",
        appends as f64 / written.as_secs_f64()
    );
    println!(
        "  append / plain insert:                          {:.2}×",
        appended.as_secs_f64() / plain.as_secs_f64()
    );
    println!(
        "  append / insert in the platform's write:        {:.2}×",
        appended.as_secs_f64() / written.as_secs_f64()
    );
    println!(
        "  inclusion proof from the store at {size}:        {:.3} ms",
        ms(stored_proof)
    );
    println!(
        "  inclusion proof at {leaves} (≤ {most_nodes} nodes):  {:.4} ms",
        ms(gen_total / proofs.max(1) as u32)
    );
    println!(
        "  verification at {leaves}:                       {:.4} ms",
        ms(verify_total / proofs.max(1) as u32)
    );
    println!(
        "  QR code at 1000000 entries: {} characters (TB1: + Base45 of {} bytes), version {} at level L ({}×{} modules)",
        qr.0, qr.1, qr.2, qr.3, qr.3
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// (characters, bytes, QR version, modules a side) of a typical licence's proof at 1 M entries.
fn qr_at_a_million(unit: &SignerKey) -> Result<(usize, usize, i16, usize), String> {
    use tongban_domain::licences::licence::{Holder, Licence, LicenceTypes};
    let types = LicenceTypes::read(include_str!("../../../../data/xihu/licences/types.toml"))?;
    let ty = types.get("320200").ok_or("type 320200")?;
    let issuer = tongban_domain::org::unit_uscc("XH-SPJ");
    let fields = ty
        .fields
        .iter()
        .map(|f| {
            (
                f.key.clone(),
                "西湖区桃花南路76号一层至三层 住宿、美容美发".to_string(),
            )
        })
        .collect();
    let l = Licence::issue(
        ty,
        Holder {
            id: "91360103MA39K2R741".into(),
            name: "南昌市西湖区洪城数智科技有限公司".into(),
        },
        "XH-SPJ",
        issuer.as_str(),
        123_456,
        fields,
        jiff::civil::date(2026, 12, 7),
    )
    .map_err(|e| format!("{e:?}"))?;
    let p = LicenceProof {
        entry: note::sign(&l.entry(), &[unit]).map_err(|e| e.to_string())?,
        index: 987_654,
        checkpoint: CompactCheckpoint {
            size: 1_000_000,
            root: [7; 32],
            signatures: vec![(1, [1; 64]), (2, [2; 64])],
        },
        inclusion: vec![[9; 32]; 20],
        consistency: None,
    };
    let text = p.to_text();
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::L)
        .map_err(|e| e.to_string())?;
    let version = match code.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    };
    Ok((text.len(), p.to_bytes().len(), version, code.width()))
}
