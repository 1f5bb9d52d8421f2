//! Case lifecycles through the write path beside plain inserts (`tongban bench cases`).

use super::*;

/// One lifecycle through the same calls the API makes: returns the number of write transactions
/// and of notices numbered (each a counter row).
pub(super) async fn lifecycle(
    store: &Store,
    guide: &ItemGuide,
    version: i64,
    users: &[tongban_store::accounts::User; 3],
) -> Result<(usize, usize), String> {
    use tongban_domain::cases::{self, ApplicationForm, Command};
    use tongban_domain::catalog::StepActor;
    let [applicant, clerk, approver] = users;
    let case = store
        .create_case(&applicant.username, |id, now| {
            cases::new_draft(cases::NewCase {
                id,
                guide,
                item_version: version,
                applicant: applicant.username.clone(),
                applicant_name: applicant.display_name.clone(),
                applicant_id_number: String::new(),
                proxy: None,
                form: ApplicationForm {
                    contact_name: "基准".into(),
                    contact_phone: "13800138000".into(),
                    address: String::new(),
                    details: "基准测试".into(),
                    fields: Default::default(),
                },
                now,
            })
        })
        .await
        .map_err(|e| e.to_string())?;
    let mut steps = vec![
        (applicant, Command::Submit),
        (
            clerk,
            Command::Accept {
                commitments: vec![],
            },
        ),
    ];
    for s in &case.process.review {
        let who = if s.actor == StepActor::Approver {
            approver
        } else {
            clerk
        };
        steps.push((
            who,
            Command::CompleteStep {
                opinion: "符合".into(),
            },
        ));
    }
    let decider = if case.process.decision.actor == StepActor::Approver {
        approver
    } else {
        clerk
    };
    steps.push((
        decider,
        Command::Approve {
            reasons: "符合法定条件".into(),
        },
    ));
    steps.push((clerk, Command::Issue));
    let writes = 1 + steps.len();
    let mut notices = 0;
    for (who, cmd) in steps {
        tongban_app::cases::apply_recorded(store, who, &case.id, &cmd)
            .await
            .map_err(|e| format!("{}: {e}", cmd.name()))
            .map(|c| notices = c.notices.len())?;
    }
    Ok((writes, notices))
}

pub(super) async fn cases_bench(n: usize, database_url: Option<String>) -> Result<(), String> {
    use tongban_domain::cases::ClockView;
    let (scratch, store) = super::bench_store(database_url, true).await?;
    let item = store
        .published_item(BENCH_ITEM)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("demo item missing")?;
    let user = |name: &'static str| {
        let store = store.clone();
        async move {
            store
                .user(name)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("demo user {name} missing"))
        }
    };
    let users = [
        user("company").await?,
        user("clerk.spj").await?,
        user("approver.spj").await?,
    ];
    // Warm up, then time the lifecycles one after another (as a unit's clerks would).
    for _ in 0..n / 10 {
        lifecycle(&store, &item.guide, item.version, &users).await?;
    }
    let inbox = ["user:company".to_string(), "unit:XH-SPJ".to_string()];
    let inbox_before = store
        .inbox(&inbox, i64::MAX)
        .await
        .map_err(|e| e.to_string())?
        .len();
    let started = Instant::now();
    let (mut writes, mut notices) = (0, 0);
    for _ in 0..n {
        let (w, k) = lifecycle(&store, &item.guide, item.version, &users).await?;
        writes += w;
        notices += k;
    }
    let life = started.elapsed();
    let messages = store
        .inbox(&inbox, i64::MAX)
        .await
        .map_err(|e| e.to_string())?
        .len()
        - inbox_before;
    // Rows the lifecycles wrote: the case row and an audit entry per change, the inbox messages,
    // and a notice-number counter per notice.
    let rows_written = 2 * writes + messages + notices;

    // The physical limit: as many single-row inserts as the lifecycles wrote rows, one
    // transaction each.
    store
        .raw_execute(tongban_store::sqlx::query(
            "CREATE TABLE bench_raw_inserts (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)",
        ))
        .await
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    for i in 0..rows_written {
        store
            .raw_execute(
                tongban_store::sqlx::query(
                    "INSERT INTO bench_raw_inserts (id, payload) VALUES ($1, $2)",
                )
                .bind(i as i64)
                .bind("基准测试 payload of a modest size, like a short audit entry"),
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    let raw = started.elapsed();
    store
        .raw_execute(tongban_store::sqlx::query("DROP TABLE bench_raw_inserts"))
        .await
        .map_err(|e| e.to_string())?;

    // One deadline: add N working days, and a whole clock view of a case under review.
    let cal = store.calendar();
    let from: jiff::civil::Date = "2026-01-05".parse().expect("date");
    let reps = 1_000_000u32;
    let started = Instant::now();
    let mut sink = 0i64;
    for i in 0..reps {
        let d = cal
            .add_working_days(from, 1 + i % 200)
            .map_err(|e| e.to_string())?;
        sink += i64::from(d.day());
    }
    let add = started.elapsed() / reps;
    let (rows, _) = store
        .list_cases(
            &tongban_store::cases::CaseFilter::default(),
            tongban_store::Page {
                page: 1,
                per_page: 1,
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    let mut case = rows.first().ok_or("no case")?.case.clone();
    case.decision = None;
    case.closed_at = None;
    let now = store.now();
    let reps_view = 100_000u32;
    let started = Instant::now();
    for _ in 0..reps_view {
        let v = ClockView::compute(&case, now, &cal).map_err(|e| e.to_string())?;
        sink += v.legal_left.unwrap_or(0);
    }
    let view = started.elapsed() / reps_view;
    std::hint::black_box(sink);

    let life_rate = n as f64 / life.as_secs_f64();
    let write_rate = writes as f64 / life.as_secs_f64();
    let row_rate = rows_written as f64 / life.as_secs_f64();
    let raw_rate = rows_written as f64 / raw.as_secs_f64();
    println!(
        "tongban bench cases: {n} lifecycles ({:?} store): {} write transactions and {:.1} rows each",
        store.backend(),
        writes / n,
        rows_written as f64 / n as f64
    );
    println!("  lifecycles                      {life_rate:>10.1} /s");
    println!(
        "  write transactions              {write_rate:>10.1} /s   (each with its audit entry)"
    );
    println!("  rows written by the lifecycles  {row_rate:>10.1} /s");
    println!(
        "  plain single-row inserts        {raw_rate:>10.1} /s   (one transaction each, {rows_written} rows)"
    );
    println!(
        "  ratio, rows written / plain inserts: {:.2}   per write transaction: {:.2}   per lifecycle: {:.3}",
        row_rate / raw_rate,
        write_rate / raw_rate,
        life_rate / raw_rate
    );
    println!(
        "  one deadline (add_working_days): {} ns   a whole clock view of a case: {} ns",
        add.as_nanos(),
        view.as_nanos()
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// 公共场所卫生许可: a licence with a review step and an approver's decision.
pub(super) const BENCH_ITEM: &str = "XH-SPJ-000101007000";

/// Drives one case to its end as the staff of its unit would: accept, review steps, decide,
/// issue. `staff` maps a unit to its clerk and approver.
pub(super) async fn drive_case(
    store: &Store,
    id: &str,
    staff: &std::collections::HashMap<String, [tongban_store::accounts::User; 2]>,
) -> Result<usize, String> {
    use tongban_domain::cases::{self, Command, Context};
    let mut writes = 0;
    let mut case = store
        .case(id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("case vanished")?
        .case;
    loop {
        let Some(people) = staff.get(&case.unit) else {
            return Err(format!("no staff for {}", case.unit));
        };
        let mut acted = false;
        for who in people {
            let cal = store.calendar();
            let ctx = Context {
                now: store.now(),
                calendar: &cal,
                standing: Default::default(),
            };
            let allowed = cases::allowed_actions(&case, &tongban_app::cases::actor(who), &ctx);
            let cmd = if allowed.contains(&"accept") {
                Command::Accept {
                    commitments: vec![],
                }
            } else if allowed.contains(&"complete_step") {
                Command::CompleteStep {
                    opinion: "符合".into(),
                }
            } else if allowed.contains(&"approve") {
                Command::Approve {
                    reasons: "符合法定条件".into(),
                }
            } else if allowed.contains(&"issue") {
                Command::Issue
            } else {
                continue;
            };
            case = tongban_app::cases::apply_recorded(store, who, id, &cmd)
                .await
                .map_err(|e| format!("{id} {}: {e}", cmd.name()))?;
            writes += 1;
            acted = true;
            break;
        }
        if !acted {
            return Ok(writes);
        }
    }
}
