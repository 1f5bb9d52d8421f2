//! The draw of 双随机、一公开 at scale (`tongban bench inspection`): a draw over a million
//! graded entities and a thousand inspectors with conflicts, and its verification, beside a plain
//! Fisher–Yates shuffle of the same million ids on the same random stream.

use super::*;
use tongban_domain::inspection::draw::{
    self, Entity, Inspector, Plan, Ratios, RiskGrade, Stream, list_sha256, sha256_hex,
};

/// `n` entities sorted by id, graded 5 % high, 15 % medium-high, 50 % medium, 30 % low; one in
/// ten licensed within the year by one of twenty units.
fn entities(n: usize) -> Vec<Entity> {
    (0..n)
        .map(|i| Entity {
            id: format!("91360103E{i:09}"),
            grade: match i % 100 {
                0..5 => RiskGrade::High,
                5..20 => RiskGrade::MediumHigh,
                20..70 => RiskGrade::Medium,
                _ => RiskGrade::Low,
            },
            licensed_by: if i % 10 == 0 {
                vec![format!("U{:02}", i % 20)]
            } else {
                vec![]
            },
        })
        .collect()
}

/// `n` inspectors of twenty units, nine in ten qualified for the matter, one in seven with
/// declared relationships to five entities.
fn inspectors(n: usize, entities: usize) -> Vec<Inspector> {
    (0..n)
        .map(|j| Inspector {
            id: format!("I{j:05}"),
            unit: format!("U{:02}", j % 20),
            matters: vec![if j % 10 == 9 { "M2" } else { "M1" }.to_string()],
            related: if j % 7 == 0 {
                (0..5)
                    .map(|k| format!("91360103E{:09}", (j * 7919 + k * 104_729) % entities))
                    .collect()
            } else {
                vec![]
            },
        })
        .collect()
}

pub(super) fn inspection_bench(n: usize, inspectors_n: usize, ratio_bp: u32) -> Result<(), String> {
    let entities = entities(n);
    let inspectors = inspectors(inspectors_n, n);
    let started = Instant::now();
    let nonce = "bench-nonce-2026";
    let plan = Plan {
        id: "BENCH".into(),
        matters: vec!["M1".into()],
        ratios: Ratios::flat(ratio_bp),
        team_size: 2,
        entities_sha256: list_sha256(&entities),
        inspectors_sha256: list_sha256(&inspectors),
        nonce_sha256: sha256_hex(nonce.as_bytes()),
        outside_source: "bench".into(),
    };
    let freeze = started.elapsed();

    let started = Instant::now();
    let record =
        draw::draw(&plan, &entities, &inspectors, nonce, "3 7 1").map_err(|e| e.to_string())?;
    let drawn = started.elapsed();

    let started = Instant::now();
    draw::verify(&record).map_err(|e| e.to_string())?;
    let verified = started.elapsed();

    // The limit: a plain Fisher–Yates over the same ids, on the same kind of stream.
    let started = Instant::now();
    let mut ids: Vec<&str> = entities.iter().map(|e| e.id.as_str()).collect();
    let n_ids = ids.len();
    Stream::new(&[0u8; 32], "plain").pick(&mut ids, n_ids);
    let plain = started.elapsed();
    std::hint::black_box(&ids);

    println!(
        "inspection draw: {n} entities, {inspectors_n} inspectors, ratio {}.{:02} %",
        ratio_bp / 100,
        ratio_bp % 100
    );
    println!("  checks drawn:          {}", record.checks.len());
    println!("  freeze (hash lists):   {:.1} ms", ms(freeze));
    println!("  draw:                  {:.1} ms", ms(drawn));
    println!("  verify:                {:.1} ms", ms(verified));
    println!("  plain Fisher–Yates:    {:.1} ms", ms(plain));
    println!(
        "  draw / plain:          {:.1}×",
        drawn.as_secs_f64() / plain.as_secs_f64()
    );
    Ok(())
}
