//! Hotline intake and Open311 lists over a large table (`tongban bench hotline`).

use super::*;

pub(super) async fn hotline_bench(
    n: usize,
    intake: usize,
    queries: usize,
    database_url: Option<String>,
) -> Result<(), String> {
    let (scratch, store) = super::bench_store(database_url, false).await?;
    let auth = bearer_for(&store, "operator").await?;
    let running = crate::spawn(store.clone(), "127.0.0.1:0", Default::default())
        .await
        .map_err(|e| e.to_string())?;
    let bare = bare_server().await.map_err(|e| e.to_string())?;

    // Intake and dispatch through the API, over one keep-alive connection.
    let stream = TcpStream::connect(running.addr)
        .await
        .map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut conn = BufReader::new(stream);
    let matters = [
        "小区门口路灯不亮",
        "夜间施工噪音扰民",
        "餐馆食品过期",
        "社保缴费咨询",
        "发票申领咨询",
    ];
    let started = Instant::now();
    let mut template = serde_json::Value::Null;
    for i in 0..intake {
        let body = serde_json::json!({"category": "complaint", "matter": matters[i % matters.len()],
            "location": {"address": "西湖区朝阳中路88号"}, "street": "XH-NP"});
        let (status, v) = call(&mut conn, "POST", "/api/v1/hotline/tickets", &auth, &body).await?;
        if status != 201 {
            return Err(format!("intake answered {status}: {v}"));
        }
        let id = v["item"]["id"].as_str().ok_or("no id")?.to_string();
        let lead = v["item"]["suggestions"][0]["lead"]
            .as_str()
            .unwrap_or("XH-NP")
            .to_string();
        let (status, v) = call(
            &mut conn,
            "POST",
            &format!("/api/v1/hotline/tickets/{id}/actions"),
            &auth,
            &serde_json::json!({"action": "dispatch", "lead": lead}),
        )
        .await?;
        if status != 200 {
            return Err(format!("dispatch answered {status}: {v}"));
        }
        template = v["item"].clone();
    }
    let intake_time = started.elapsed();

    // The big table: generated tickets spread over the past year, inserted 500 to a statement.
    let routes = store.routes().await.map_err(|e| e.to_string())?;
    let now = store.now();
    let started = Instant::now();
    let mut obj = template;
    if let Some(m) = obj.as_object_mut() {
        m.remove("suggestions");
        m.remove("allowed_actions");
    }
    let mut i = 0usize;
    while i < n {
        let mut w = store
            .begin_write("bench")
            .await
            .map_err(|e| e.to_string())?;
        for _ in 0..20 {
            if i >= n {
                break;
            }
            let rows = 500.min(n - i);
            let mut text = String::from(
                "INSERT INTO hotline_tickets (id, token, source, category, state, business, lead, service_code, \
                 filed_by, received_at, updated_at, reply_due, ticket_json, units) VALUES ",
            );
            let mut values = Vec::with_capacity(rows * 14);
            for r in 0..rows {
                let k = i + r;
                let route = &routes[k % routes.len()];
                let at = now
                    - jiff::SignedDuration::from_secs((k as i64 * 31_536_000) / n.max(1) as i64);
                let at_s = tongban_store::rfc3339(at);
                let id = format!("B{k:09}");
                let state = if k % 3 == 0 { "dispatched" } else { "closed" };
                let mut t = obj.clone();
                t["id"] = serde_json::json!(id);
                t["received_at"] = serde_json::json!(at.to_string());
                t["service_code"] = serde_json::json!(route.code);
                t["state"] = serde_json::json!(state);
                t["lead"] = serde_json::json!(route.lead);
                let base = r * 14;
                text.push_str(&format!(
                    "{}(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    if r == 0 { "" } else { ", " },
                    base + 1,
                    base + 2,
                    base + 3,
                    base + 4,
                    base + 5,
                    base + 6,
                    base + 7,
                    base + 8,
                    base + 9,
                    base + 10,
                    base + 11,
                    base + 12,
                    base + 13,
                    base + 14
                ));
                values.push(serde_json::json!([
                    id,
                    format!("bench{k}"),
                    "open311",
                    "complaint",
                    state,
                    0,
                    route.lead,
                    route.code,
                    "bench",
                    at_s,
                    at_s,
                    serde_json::Value::Null,
                    t.to_string(),
                    format!(",{},", route.lead)
                ]));
            }
            let mut q = tongban_store::sqlx::query(tongban_store::sqlx::AssertSqlSafe(text));
            for v in &values {
                for (j, x) in v.as_array().expect("row").iter().enumerate() {
                    q = match (j, x) {
                        (5, _) => q.bind(0i64),
                        (_, serde_json::Value::Null) => q.bind(None::<String>),
                        (_, x) => q.bind(x.as_str().unwrap_or_default().to_string()),
                    };
                }
            }
            q.execute(w.conn()).await.map_err(|e| e.to_string())?;
            i += rows;
        }
        w.commit().await.map_err(|e| e.to_string())?;
    }
    let load = started.elapsed();

    // Open311 list queries over the table: by service and status, by ids, by a date range,
    // and the default (the last 90 days).
    let day = |d: i64| tongban_store::rfc3339(now - jiff::SignedDuration::from_hours(24 * d));
    let range = format!(
        "/open311/v2/requests.json?start_date={}&end_date={}",
        day(200).replace('+', "%2B"),
        day(190).replace('+', "%2B")
    );
    let paths = [
        "/open311/v2/requests.json?service_code=noise&status=open".to_string(),
        "/open311/v2/requests.json?service_request_id=B000000010,B000000020,B000000030".to_string(),
        range,
        "/open311/v2/requests.json".to_string(),
        "/open311/v2/requests.xml?service_code=street-light".to_string(),
    ];
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let times = time_requests(running.addr, &refs, queries, None).await?;
    let baseline = time_requests(bare, &["/"], queries, None).await?;
    let (p50, p99) = (percentile(&times, 50), percentile(&times, 99));
    let (b50, b99) = (percentile(&baseline, 50), percentile(&baseline, 99));
    println!(
        "tongban bench hotline: {n} tickets in the table ({:?} store)",
        store.backend()
    );
    println!(
        "  intake + dispatch through the API: {:.1} tickets/s ({intake} tickets, two requests each)",
        intake as f64 / intake_time.as_secs_f64()
    );
    println!("  table load: {:.1} s", load.as_secs_f64());
    println!(
        "  Open311 list queries (≤ {} requests each) p50 {:>8.3} ms   p99 {:>8.3} ms",
        tongban_web::open311::MAX_REQUESTS,
        ms(p50),
        ms(p99)
    );
    println!(
        "  bare axum handler                  p50 {:>8.3} ms   p99 {:>8.3} ms",
        ms(b50),
        ms(b99)
    );
    println!(
        "  ratio Open311 / bare: p50 {:.1}x   p99 {:.1}x",
        p50.as_secs_f64() / b50.as_secs_f64(),
        p99.as_secs_f64() / b99.as_secs_f64()
    );
    running.stop().await;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
