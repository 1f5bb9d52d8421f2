//! Company start-up bundles end to end beside single cases (`tongban bench bundles`).

use super::cases::{BENCH_ITEM, drive_case, lifecycle};
use super::*;

pub(super) async fn bundles_bench(n: usize, database_url: Option<String>) -> Result<(), String> {
    use tongban_domain::bundles::{BundleState, StartupForm};
    let (scratch, store) = super::bench_store(database_url, false).await?;
    // Every unit's clerk and approver, from the demo accounts.
    let mut staff: std::collections::HashMap<String, [tongban_store::accounts::User; 2]> =
        Default::default();
    let users = store.users().await.map_err(|e| e.to_string())?;
    for clerk in users.iter().filter(|u| u.role == Role::Clerk) {
        let unit = clerk.unit.clone().unwrap_or_default();
        if let Some(approver) = users
            .iter()
            .find(|u| u.role == Role::Approver && u.unit.as_deref() == Some(unit.as_str()))
        {
            staff.insert(unit, [clerk.clone(), approver.clone()]);
        }
    }
    let founder = store
        .user("citizen")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("demo user citizen missing")?;
    let form = |i: usize| StartupForm {
        business_scope: "软件开发".into(),
        staff: 3,
        first_invoices: 10,
        ..StartupForm::sample(
            &format!("南昌市西湖区基准{i:05}科技有限公司"),
            "陈志强",
            "360103199003120276",
        )
    };
    // One bundle end to end: start it, then drive every part as soon as it has started.
    let run_bundle = |i: usize| {
        let (staff, founder, store) = (staff.clone(), founder.clone(), store.clone());
        async move {
            let b = tongban_app::bundles::start_startup(&store, &founder, form(i))
                .await
                .map_err(|e| format!("{e:?}"))?;
            let mut done = std::collections::HashSet::new();
            let mut writes = 1;
            loop {
                let b = store
                    .bundle(&b.id)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or("bundle vanished")?
                    .bundle;
                let ready: Vec<String> = b
                    .parts
                    .iter()
                    .filter_map(|p| p.case_id.clone())
                    .filter(|id| !done.contains(id))
                    .collect();
                if ready.is_empty() {
                    if b.state != BundleState::Done {
                        return Err(format!("bundle {} ended {:?}", b.id, b.state));
                    }
                    return Ok::<(usize, usize), String>((b.parts.len(), writes));
                }
                for id in ready {
                    writes += drive_case(&store, &id, &staff).await?;
                    done.insert(id);
                }
            }
        }
    };
    let item = store
        .published_item(BENCH_ITEM)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("demo item missing")?;
    let people = [
        founder.clone(),
        staff["XH-SPJ"][0].clone(),
        staff["XH-SPJ"][1].clone(),
    ];
    // Warm up both, then time them one after another in the same run.
    run_bundle(1_000_000).await?;
    lifecycle(&store, &item.guide, item.version, &people).await?;
    let started = Instant::now();
    let (mut parts, mut bundle_writes) = (0, 0);
    for i in 0..n {
        let (p, w) = run_bundle(i).await?;
        parts += p;
        bundle_writes += w;
    }
    let bundles_time = started.elapsed();
    let singles = parts;
    let started = Instant::now();
    let mut single_writes = 0;
    for _ in 0..singles {
        single_writes += lifecycle(&store, &item.guide, item.version, &people)
            .await?
            .0;
    }
    let single_time = started.elapsed();
    let per_bundle = bundles_time.as_secs_f64() / n as f64;
    let per_case = single_time.as_secs_f64() / singles as f64;
    let parts_per_bundle = parts as f64 / n as f64;
    println!(
        "tongban bench bundles: {n} start-up bundles of {parts_per_bundle:.1} parts ({:?} store)",
        store.backend()
    );
    println!(
        "  bundles completed end to end   {:>8.2} /s   ({:.1} write transactions each)",
        1.0 / per_bundle,
        bundle_writes as f64 / n as f64
    );
    println!(
        "  single-case lifecycles         {:>8.2} /s   ({:.1} write transactions each)",
        1.0 / per_case,
        single_writes as f64 / singles as f64
    );
    println!(
        "  ratio: one bundle costs {:.2} single cases for {parts_per_bundle:.1} parts ({:.2} per part)",
        per_bundle / per_case,
        per_bundle / per_case / parts_per_bundle
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
