//! Catalog search through HTTP and the uniformity report (`tongban bench catalog`).

use super::*;

/// Generates `n` published items from the demo catalog: new codes, the demo's names and fields,
/// basic codes shared by groups of four units so the uniformity report has work to do.
pub(super) fn generated_items(n: usize) -> Vec<ItemGuide> {
    let demo = crate::demo::items();
    (0..n)
        .map(|i| {
            let group = i / 4;
            let mut g = demo[group % demo.len()].clone();
            g.basic_code = format!("9{group:011}");
            g.code = format!("{}-B{i:07}", g.unit);
            g.name = format!("{}（{}）", g.name, group);
            if i % 4 == 3 {
                g.promised_limit = g.legal_limit; // one in four differs from its group
            }
            g
        })
        .collect()
}

pub(super) async fn catalog(
    n: usize,
    requests: usize,
    database_url: Option<String>,
) -> Result<(), String> {
    let (scratch, url) = bench_store_url(database_url)?;
    let store = Store::open(&url).await.map_err(|e| e.to_string())?;
    store
        .upsert_units("bench", &crate::demo::units())
        .await
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    for chunk in generated_items(n).chunks(1_000) {
        store
            .import_items("bench", chunk, true, "bench")
            .await
            .map_err(|e| e.to_string())?;
    }
    let load = started.elapsed();
    let hash = tongban_app::accounts::hash_password("bench-password-1".into())
        .await
        .map_err(|e| e.to_string())?;
    let supervisor = NewUser {
        username: "bench.supervisor".into(),
        display_name: "bench".into(),
        role: Role::Supervisor,
        unit: Some("XH-YSB".into()),
        identity: None,
    };
    store
        .create_user("bench", &supervisor, &hash)
        .await
        .map_err(|e| e.to_string())?;
    let auth = bearer_for(&store, "bench.supervisor").await?;

    let running = crate::spawn(store.clone(), "127.0.0.1:0", Default::default())
        .await
        .map_err(|e| e.to_string())?;
    let bare = bare_server().await.map_err(|e| e.to_string())?;

    // Two-character Chinese words, a multi-word query, and filters, in rotation.
    let paths = [
        "/api/v1/items?q=%E5%85%AC%E7%AB%A0",              // 公章
        "/api/v1/items?q=%E7%A4%BE%E4%BF%9D",              // 社保
        "/api/v1/items?q=%E7%99%BB%E8%AE%B0&level=street", // 登记, street level
        "/api/v1/items?q=%E9%A3%9F%E5%93%81%20%E8%AE%B8%E5%8F%AF", // 食品 许可
        "/api/v1/items?unit=XH-SPJ&page=3",
        "/api/v1/items?theme=%E4%BC%81%E4%B8%9A%E5%BC%80%E5%8A%9E", // 企业开办
    ];
    let search = time_requests(running.addr, &paths, requests, None).await?;
    let baseline = time_requests(bare, &["/"], requests, None).await?;
    let uniformity = time_requests(
        running.addr,
        &["/api/v1/catalog/uniformity"],
        5,
        Some(&auth),
    )
    .await?;
    let (search_p50, search_p99) = (percentile(&search, 50), percentile(&search, 99));
    let (bare_p50, bare_p99) = (percentile(&baseline, 50), percentile(&baseline, 99));

    println!(
        "tongban bench catalog: {n} items ({:?} store), {requests} search requests over one keep-alive connection",
        store.backend()
    );
    println!(
        "  load (import + publish, 1000 per transaction): {:.1} s",
        load.as_secs_f64()
    );
    println!(
        "  search            p50 {:>9.3} ms   p99 {:>9.3} ms",
        ms(search_p50),
        ms(search_p99)
    );
    println!(
        "  bare axum handler p50 {:>9.3} ms   p99 {:>9.3} ms",
        ms(bare_p50),
        ms(bare_p99)
    );
    println!(
        "  ratio search / bare: p50 {:.1}x   p99 {:.1}x",
        search_p50.as_secs_f64() / bare_p50.as_secs_f64(),
        search_p99.as_secs_f64() / bare_p99.as_secs_f64()
    );
    println!(
        "  uniformity report over {n} items (HTTP, median of 5): {:.1} ms   ({:.0}x the bare handler's p50)",
        ms(percentile(&uniformity, 50)),
        percentile(&uniformity, 50).as_secs_f64() / bare_p50.as_secs_f64()
    );
    running.stop().await;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
