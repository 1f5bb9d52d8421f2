//! `tongban bench rules`: the rules engine beside OpenFisca (PyPI `openfisca-core`) computing
//! the same eligibility and amounts of the demo's seven policies for the same enterprises, in
//! the same run. The OpenFisca side is `bench/openfisca/run.py`; both sides' counts and sums
//! must agree, or the bench fails.

use std::collections::BTreeMap;
use std::time::Instant;
use tongban_domain::rules::batch::{Batch, Col, day_number};
use tongban_domain::rules::{Facts, Outcome, RuleSet, Type, Value, compile};

/// One generated enterprise, as both engines read it (money in fen, rates in ppm).
struct Row {
    uscc: String,
    employees: i64,
    revenue: i64,
    rd_expense: i64,
    established: jiff::civil::Date,
    tech_sme: bool,
    high_tech: bool,
    gazelle: bool,
    growth: i64,
    graduates: i64,
    talents: i64,
    loan: i64,
    loan_rate: i64,
    credit_good: bool,
}

/// A small deterministic generator (xorshift64*), so every run judges the same enterprises.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn upto(&mut self, max: i64) -> i64 {
        (self.next() % (max as u64 + 1)) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    /// Mostly uniform in 0..=max; one time in fifty a policy threshold or a neighbour of it,
    /// so every boundary is judged by both engines.
    fn pick(&mut self, max: i64, edges: &[i64]) -> i64 {
        if self.chance(2) {
            let e = edges[self.upto(edges.len() as i64 - 1) as usize];
            (e + self.upto(2) - 1).max(0)
        } else {
            self.upto(max)
        }
    }
}

fn generate(n: usize, today: jiff::civil::Date) -> Vec<Row> {
    let mut r = Rng(0x7ec4_2026_0001_5eed);
    (0..n)
        .map(|i| {
            let days = r.pick(400, &[0, 90, 91]) - i64::from(r.chance(1));
            Row {
                uscc: format!("91360103{i:010}"),
                employees: r.pick(500, &[0, 1]),
                revenue: r.pick(100_000_000_000, &[10_000_000_000, 50_000_000_000]),
                rd_expense: r.pick(5_000_000_000, &[50_000_000, 400_000_000]),
                established: today - jiff::Span::new().days(days),
                tech_sme: r.chance(40),
                high_tech: r.chance(30),
                gazelle: r.chance(30),
                growth: r.pick(600_000, &[200_000]),
                graduates: r.pick(80, &[0, 1, 50]),
                talents: r.pick(15, &[0, 1, 10]),
                loan: r.pick(1_000_000_000, &[0, 1, 1_666_666_667]),
                loan_rate: r.pick(100_000, &[0, 1, 60_000]),
                credit_good: r.chance(80),
            }
        })
        .collect()
}

fn facts(row: &Row, today: jiff::civil::Date) -> Facts {
    let mut f = Facts::new();
    let mut put = |k: &str, v: Value| {
        f.insert(k.to_string(), v);
    };
    put("today", Value::Date(today));
    put("applicant.credit_good", Value::Bool(row.credit_good));
    put("enterprise.employees", Value::Int(row.employees));
    put("enterprise.revenue", Value::Money(row.revenue));
    put("enterprise.rd_expense", Value::Money(row.rd_expense));
    put("enterprise.established", Value::Date(row.established));
    put("enterprise.tech_sme", Value::Bool(row.tech_sme));
    put("enterprise.high_tech", Value::Bool(row.high_tech));
    put("enterprise.gazelle", Value::Bool(row.gazelle));
    put("enterprise.revenue_growth", Value::Percent(row.growth));
    put("enterprise.new_graduates", Value::Int(row.graduates));
    put("enterprise.talents", Value::Int(row.talents));
    put("enterprise.loan", Value::Money(row.loan));
    put("enterprise.loan_rate", Value::Percent(row.loan_rate));
    f
}

/// The same facts as columns, as a vectorised engine takes its inputs.
fn batch_of(rows: &[Row], today: jiff::civil::Date) -> Batch {
    let n = rows.len();
    let mut b = Batch::new(n);
    let num = |ty: Type, f: fn(&Row) -> i64| Col::Num(ty, rows.iter().map(f).collect());
    let flag = |f: fn(&Row) -> bool| Col::Bool(rows.iter().map(f).collect());
    b.insert("today", Col::Date(vec![day_number(today); n]), None);
    b.insert("applicant.credit_good", flag(|r| r.credit_good), None);
    b.insert(
        "enterprise.employees",
        num(Type::Int, |r| r.employees),
        None,
    );
    b.insert("enterprise.revenue", num(Type::Money, |r| r.revenue), None);
    b.insert(
        "enterprise.rd_expense",
        num(Type::Money, |r| r.rd_expense),
        None,
    );
    b.insert(
        "enterprise.established",
        Col::Date(rows.iter().map(|r| day_number(r.established)).collect()),
        None,
    );
    b.insert("enterprise.tech_sme", flag(|r| r.tech_sme), None);
    b.insert("enterprise.high_tech", flag(|r| r.high_tech), None);
    b.insert("enterprise.gazelle", flag(|r| r.gazelle), None);
    b.insert(
        "enterprise.revenue_growth",
        num(Type::Percent, |r| r.growth),
        None,
    );
    b.insert(
        "enterprise.new_graduates",
        num(Type::Int, |r| r.graduates),
        None,
    );
    b.insert("enterprise.talents", num(Type::Int, |r| r.talents), None);
    b.insert("enterprise.loan", num(Type::Money, |r| r.loan), None);
    b.insert(
        "enterprise.loan_rate",
        num(Type::Percent, |r| r.loan_rate),
        None,
    );
    b
}

/// Every enterprise against every policy, column-wise, in chunks over the machine's cores.
fn judge_batch(policies: &[(String, RuleSet)], rows: &[Row], today: jiff::civil::Date) -> Totals {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = rows.len().div_ceil(threads).max(1);
    let parts: Vec<Totals> = std::thread::scope(|s| {
        let hs: Vec<_> = rows
            .chunks(per)
            .map(|part| {
                s.spawn(move || {
                    let mut t = Totals::new();
                    for chunk in part.chunks(8192) {
                        let b = batch_of(chunk, today);
                        for (code, rs) in policies {
                            let e = t.entry(code.clone()).or_default();
                            for r in rs.decide_batch(&b) {
                                if r.outcome == Outcome::Pass {
                                    e.0 += 1;
                                    e.1 += r.amount_fen.unwrap_or(0);
                                }
                            }
                        }
                    }
                    t
                })
            })
            .collect();
        hs.into_iter()
            .map(|h| h.join().expect("bench thread"))
            .collect()
    });
    let mut totals = Totals::new();
    for p in parts {
        for (k, (n, sum)) in p {
            let e = totals.entry(k).or_default();
            e.0 += n;
            e.1 += sum;
        }
    }
    totals
}

fn write_csv(rows: &[Row], path: &std::path::Path) -> std::io::Result<()> {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        w,
        "uscc,employees,revenue_fen,rd_expense_fen,established,tech_sme,high_tech,gazelle,revenue_growth_ppm,new_graduates,talents,loan_fen,loan_rate_ppm,credit_good"
    )?;
    for r in rows {
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.uscc,
            r.employees,
            r.revenue,
            r.rd_expense,
            r.established,
            u8::from(r.tech_sme),
            u8::from(r.high_tech),
            u8::from(r.gazelle),
            r.growth,
            r.graduates,
            r.talents,
            r.loan,
            r.loan_rate,
            u8::from(r.credit_good)
        )?;
    }
    w.flush()
}

/// Eligible count and total amount per policy code.
type Totals = BTreeMap<String, (u64, i64)>;

fn judge_all(policies: &[(String, RuleSet)], f: &Facts, totals: Option<&mut Totals>) -> i64 {
    let mut sum = 0;
    let mut totals = totals;
    for (code, rs) in policies {
        let d = rs.decide(f);
        if d.outcome == Outcome::Pass {
            let a = d.amount_fen.unwrap_or(0);
            sum += a;
            if let Some(t) = totals.as_deref_mut() {
                let e = t.entry(code.clone()).or_default();
                e.0 += 1;
                e.1 += a;
            }
        }
    }
    sum
}

pub async fn run(
    enterprises: usize,
    python: String,
    script: std::path::PathBuf,
    single_reps: usize,
) -> Result<(), String> {
    let today: jiff::civil::Date = "2026-11-26".parse().expect("date");
    let policies: Vec<(String, RuleSet)> = crate::demo::policies()
        .into_iter()
        .map(|p| {
            let src = crate::demo::RULE_SETS
                .iter()
                .find(|s| s.contains(&format!("code = \"{}\"", p.rule_set)))
                .ok_or_else(|| format!("no rule set {}", p.rule_set))?;
            let rs = compile(src).map_err(|e| format!("{}: {e:?}", p.rule_set))?;
            Ok((p.code, rs))
        })
        .collect::<Result<_, String>>()?;
    println!("generating {enterprises} enterprises …");
    let rows = generate(enterprises.max(2), today);
    let single_row = 1;

    // One decision: the facts of one enterprise built and judged against all seven policies,
    // with every trace (what a page shows), as OpenFisca builds a simulation and calculates.
    let reps = single_reps.max(1) * 500;
    let mut guard = 0i64;
    let t = Instant::now();
    for _ in 0..reps {
        let f = facts(&rows[single_row], today);
        guard = guard.wrapping_add(judge_all(&policies, &f, None));
    }
    let single_us = t.elapsed().as_secs_f64() * 1e6 / reps as f64;
    std::hint::black_box(guard);

    // One decision per enterprise with its trace, one thread: what the matching page does.
    let t = Instant::now();
    let mut traced = Totals::new();
    for r in &rows {
        judge_all(&policies, &facts(r, today), Some(&mut traced));
    }
    let traced_ms = t.elapsed().as_secs_f64() * 1e3;

    // The batch, column-wise (building the columns included), best of 3.
    let mut best_ms = f64::MAX;
    let mut totals = Totals::new();
    for _ in 0..3 {
        let t = Instant::now();
        totals = judge_batch(&policies, &rows, today);
        best_ms = best_ms.min(t.elapsed().as_secs_f64() * 1e3);
    }
    if totals != traced {
        return Err("the column-wise and the traced paths disagree".into());
    }
    println!("rules engine (Rust):");
    println!("  one decision, 7 policies with traces: {single_us:.1} µs");
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "  {} enterprises × 7 policies, column-wise: {best_ms:.1} ms (columns built and judged, best of 3, {threads} threads)",
        rows.len()
    );
    println!("  the same one by one with traces: {traced_ms:.0} ms (one thread)");

    let dir = std::env::temp_dir().join(format!("tongban-bench-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let csv = dir.join("enterprises.csv");
    write_csv(&rows, &csv).map_err(|e| e.to_string())?;
    println!("OpenFisca ({python} {}) …", script.display());
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg("--input")
        .arg(&csv)
        .arg("--today")
        .arg(today.to_string())
        .arg("--single-row")
        .arg(single_row.to_string())
        .arg("--single-reps")
        .arg(single_reps.to_string())
        .output()
        .map_err(|e| format!("cannot run {python}: {e}; see bench/openfisca/README.md"))?;
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return Err(format!(
            "OpenFisca side failed (install it as bench/openfisca/README.md says):\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let of: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("OpenFisca output: {e}"))?;

    // Both engines must have decided the same.
    let mut disagreements = Vec::new();
    for (code, _) in &policies {
        let (n, sum) = totals.get(code).copied().unwrap_or((0, 0));
        let p = &of["policies"][code];
        if p["eligible"].as_u64() != Some(n) || p["amount_fen"].as_i64() != Some(sum) {
            disagreements.push(format!("{code}: tongban {n} / {sum} fen, OpenFisca {p}"));
        }
    }
    let f = facts(&rows[single_row], today);
    for (code, rs) in &policies {
        let d = rs.decide(&f);
        let s = &of["single"][code];
        let pass = d.outcome == Outcome::Pass;
        let amount = if pass { d.amount_fen.unwrap_or(0) } else { 0 };
        if s["eligible"].as_bool() != Some(pass) || s["amount_fen"].as_i64() != Some(amount) {
            disagreements.push(format!(
                "{code} (one enterprise): tongban {pass} / {amount}, OpenFisca {s}"
            ));
        }
    }
    if !disagreements.is_empty() {
        return Err(format!(
            "the engines disagree:\n{}",
            disagreements.join("\n")
        ));
    }
    let of_single = of["single_mean_us"].as_f64().unwrap_or(f64::NAN);
    let of_batch = of["batch_ms"].as_f64().unwrap_or(f64::NAN);
    let of_setup = of["batch_setup_ms"].as_f64().unwrap_or(f64::NAN);
    println!(
        "OpenFisca {}:",
        of["openfisca_core"].as_str().unwrap_or("?")
    );
    println!("  one decision (build + calculate 14 variables): {of_single:.0} µs");
    println!("  vectorised batch: {of_batch:.1} ms calculation + {of_setup:.1} ms setting inputs");
    println!("both engines agree on every policy's eligible count and total amount");
    for (code, (n, sum)) in &totals {
        println!("  {code}: {n} eligible, {:.2} 元", *sum as f64 / 100.0);
    }
    println!(
        "single decision: {:.0}× faster than OpenFisca's Python API (target ≥ 100×)",
        of_single / single_us
    );
    println!(
        "batch: {best_ms:.1} ms vs {:.1} ms (calculation + inputs): {:.1}× as fast (target ≥ 1×)",
        of_batch + of_setup,
        (of_batch + of_setup) / best_ms
    );
    Ok(())
}
