//! The draw of 双随机、一公开, as a function anyone can rerun: which entities are inspected and
//! which inspectors go, from the frozen lists, the plan's ratios and a seed nobody controls alone.
//!
//! Before the draw a plan publishes the SHA-256 of its frozen entity and inspector lists and a
//! commitment to a secret nonce (its SHA-256). At the draw the nonce is revealed and mixed with an
//! outside value fixed in advance (say, a named evening's welfare-lottery numbers, entered by the
//! supervisor), so neither the district nor the lottery alone decides the seed. The published
//! [`DrawRecord`] carries everything; [`verify`] reruns it byte for byte.
//!
//! ## The selection function (format `tongban-draw/1`)
//! - **Lists** are canonical when sorted by `id`, strictly (no duplicates); a list's hash is the
//!   SHA-256 of its compact JSON (these structs' fields in their declared order, as serde_json
//!   writes them), in lower-case hex.
//! - **Seed** = SHA-256 of `tongban-draw/1`, the plan id, both list hashes, the nonce (hex) and the
//!   outside value, each followed by one zero byte.
//! - **Streams**: a stream with label `L` yields the 32-byte blocks SHA-256(seed ‖ L ‖ 0x00 ‖
//!   counter as 8 bytes big-endian), counter from 0; each block is read as four u64, big-endian.
//! - **uniform(n)**: the next u64 `x` of the stream, rejected while `x > u64::MAX - (2⁶⁴ mod n)`,
//!   then `x mod n` (no modulo bias).
//! - **Entities**: for each grade in the order high, medium-high, medium, low: the entities of that
//!   grade in list order, `k = ceil(count × ratio / 10 000)` (ratios in basis points), picked by the
//!   first `k` steps of a Fisher–Yates shuffle on stream `entities/<grade>` (step `i` swaps `i`
//!   with `i + uniform(count − i)`). Checks are listed in that order.
//! - **Inspectors**: the qualified pool is every inspector qualified for at least one of the plan's
//!   matters, in list order. For each check in order, the eligible are the pool without those in
//!   conflict (the inspector's unit licensed the entity within the past year, or the inspector
//!   declared a relationship with it); the team is the first `team_size` steps of a Fisher–Yates
//!   shuffle of the eligible on the one stream `inspectors`, continued from check to check.
//!
//! Our own specification, not a library's shuffle, so that the output cannot change with a
//! dependency's version; golden vectors in the tests pin it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The format of this function and of its record; a new selection rule is a new format.
pub const FORMAT: &str = "tongban-draw/1";

/// Ratios are in basis points: 10 000 is everyone.
pub const WHOLE: u32 = 10_000;

/// Credit risk grade of a market entity (信用风险分类).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RiskGrade {
    High,
    MediumHigh,
    Medium,
    Low,
}

impl RiskGrade {
    /// The order in which grades are drawn.
    pub const ALL: [RiskGrade; 4] = [
        RiskGrade::High,
        RiskGrade::MediumHigh,
        RiskGrade::Medium,
        RiskGrade::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RiskGrade::High => "high",
            RiskGrade::MediumHigh => "medium_high",
            RiskGrade::Medium => "medium",
            RiskGrade::Low => "low",
        }
    }
}

/// The share of each grade to inspect, in basis points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DrawRatios))]
pub struct Ratios {
    pub high: u32,
    pub medium_high: u32,
    pub medium: u32,
    pub low: u32,
}

impl Default for Ratios {
    /// The district's defaults: high risk 30 %, medium-high 10 %, medium 2 %, low 1 %.
    fn default() -> Self {
        Ratios {
            high: 3_000,
            medium_high: 1_000,
            medium: 200,
            low: 100,
        }
    }
}

impl Ratios {
    /// The same ratio for every grade.
    pub fn flat(bp: u32) -> Ratios {
        Ratios {
            high: bp,
            medium_high: bp,
            medium: bp,
            low: bp,
        }
    }

    pub fn of(&self, g: RiskGrade) -> u32 {
        match g {
            RiskGrade::High => self.high,
            RiskGrade::MediumHigh => self.medium_high,
            RiskGrade::Medium => self.medium,
            RiskGrade::Low => self.low,
        }
    }
}

/// A market entity as frozen in the directory for one draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DrawEntity))]
pub struct Entity {
    /// 统一社会信用代码.
    pub id: String,
    pub grade: RiskGrade,
    /// Units that licensed it within the past year: their inspectors may not inspect it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licensed_by: Vec<String>,
}

/// An inspector (执法检查人员) as frozen in the directory for one draw: active ones only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DrawInspector))]
pub struct Inspector {
    pub id: String,
    pub unit: String,
    /// The inspection matters (codes of the 抽查事项清单) the inspector is qualified for.
    pub matters: Vec<String>,
    /// Entities the inspector declared a relationship with (回避).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
}

/// What a plan fixes and publishes before its draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DrawPlan))]
pub struct Plan {
    pub id: String,
    /// The matters inspected in one visit (several units' matters make a joint draw).
    pub matters: Vec<String>,
    pub ratios: Ratios,
    /// Inspectors per check, at least two.
    pub team_size: u32,
    pub entities_sha256: String,
    pub inspectors_sha256: String,
    /// SHA-256 of the nonce (hex), published before the draw.
    pub nonce_sha256: String,
    /// Where the outside value comes from, named before the draw.
    pub outside_source: String,
}

/// One check: an entity and the team sent to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DrawCheck))]
pub struct Check {
    pub entity: String,
    pub grade: RiskGrade,
    pub inspectors: Vec<String>,
}

/// The published record of a draw: everything needed to rerun it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrawRecord {
    pub format: String,
    pub plan: Plan,
    pub entities: Vec<Entity>,
    pub inspectors: Vec<Inspector>,
    /// The nonce, revealed at the draw (hex).
    pub nonce: String,
    /// The outside value as entered.
    pub outside_value: String,
    /// The seed (hex), for reading; [`verify`] recomputes it.
    pub seed: String,
    pub checks: Vec<Check>,
}

/// Why a draw cannot be made, or why a record does not verify: the field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {code}")]
pub struct DrawError {
    /// Where, as a path into the record (`plan.team_size`, `entities[41].id`, `checks[7]`).
    pub field: String,
    /// What, as a stable code (`not_sorted`, `hash_mismatch`, `too_few_inspectors`, `differs`…).
    pub code: &'static str,
    pub detail: Option<String>,
}

impl DrawError {
    fn new(field: impl Into<String>, code: &'static str) -> DrawError {
        DrawError {
            field: field.into(),
            code,
            detail: None,
        }
    }
    fn detail(mut self, d: impl Into<String>) -> DrawError {
        self.detail = Some(d.into());
        self
    }
}

/// SHA-256 in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hash a plan publishes for a frozen list.
pub fn list_sha256<T: Serialize>(list: &[T]) -> String {
    sha256_hex(&serde_json::to_vec(list).expect("lists serialise"))
}

/// The seed of a draw.
pub fn seed(plan: &Plan, nonce: &str, outside_value: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [
        FORMAT,
        &plan.id,
        &plan.entities_sha256,
        &plan.inspectors_sha256,
        nonce,
        outside_value,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().into()
}

/// A stream of uniform numbers drawn from the seed under one label.
pub struct Stream {
    prefix: Sha256,
    counter: u64,
    buf: [u64; 4],
    left: usize,
}

impl Stream {
    pub fn new(seed: &[u8; 32], label: &str) -> Stream {
        let mut prefix = Sha256::new();
        prefix.update(seed);
        prefix.update(label.as_bytes());
        prefix.update([0u8]);
        Stream {
            prefix,
            counter: 0,
            buf: [0; 4],
            left: 0,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        if self.left == 0 {
            let mut h = self.prefix.clone();
            h.update(self.counter.to_be_bytes());
            self.counter += 1;
            let block: [u8; 32] = h.finalize().into();
            for (i, chunk) in block.chunks_exact(8).enumerate() {
                self.buf[i] = u64::from_be_bytes(chunk.try_into().expect("8 bytes"));
            }
            self.left = 4;
        }
        let x = self.buf[4 - self.left];
        self.left -= 1;
        x
    }

    /// A number in `0..n`, without modulo bias (`n` > 0).
    pub fn uniform(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let rem = (u64::MAX % n + 1) % n; // 2⁶⁴ mod n
        loop {
            let x = self.next_u64();
            if x <= u64::MAX - rem {
                return x % n;
            }
        }
    }

    /// The first `k` steps of a Fisher–Yates shuffle of `items`: afterwards `items[..k]` are the
    /// picks, in order.
    pub fn pick<T>(&mut self, items: &mut [T], k: usize) {
        let n = items.len();
        for i in 0..k.min(n) {
            let j = i + self.uniform((n - i) as u64) as usize;
            items.swap(i, j);
        }
    }
}

/// How many of `count` entities a ratio selects: rounded up, so a grade with anyone in it and a
/// ratio above zero is never skipped.
pub fn quota(count: usize, ratio_bp: u32) -> usize {
    (count as u64 * u64::from(ratio_bp)).div_ceil(u64::from(WHOLE)) as usize
}

fn check_sorted<'a>(what: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), DrawError> {
    let mut prev: Option<&str> = None;
    for (i, id) in ids.enumerate() {
        if id.is_empty() {
            return Err(DrawError::new(format!("{what}[{i}].id"), "required"));
        }
        if prev.is_some_and(|p| p >= id) {
            return Err(DrawError::new(format!("{what}[{i}].id"), "not_sorted").detail(id));
        }
        prev = Some(id);
    }
    Ok(())
}

/// Everything a draw needs checked before it runs: the plan's own bounds, the frozen lists
/// against the hashes the plan published, the nonce against its commitment.
fn check_inputs(
    plan: &Plan,
    entities: &[Entity],
    inspectors: &[Inspector],
    nonce: &str,
    outside_value: &str,
) -> Result<(), DrawError> {
    if plan.matters.is_empty() {
        return Err(DrawError::new("plan.matters", "required"));
    }
    if plan.team_size < 2 {
        return Err(DrawError::new("plan.team_size", "out_of_range").detail("2–"));
    }
    for g in RiskGrade::ALL {
        if plan.ratios.of(g) > WHOLE {
            let field = format!("plan.ratios.{}", g.as_str());
            return Err(DrawError::new(field, "out_of_range").detail("0–10000"));
        }
    }
    check_sorted("entities", entities.iter().map(|e| e.id.as_str()))?;
    check_sorted("inspectors", inspectors.iter().map(|i| i.id.as_str()))?;
    if list_sha256(entities) != plan.entities_sha256 {
        return Err(DrawError::new("plan.entities_sha256", "hash_mismatch"));
    }
    if list_sha256(inspectors) != plan.inspectors_sha256 {
        return Err(DrawError::new("plan.inspectors_sha256", "hash_mismatch"));
    }
    if nonce.is_empty() || sha256_hex(nonce.as_bytes()) != plan.nonce_sha256 {
        return Err(DrawError::new("nonce", "commitment_mismatch"));
    }
    if outside_value.trim().is_empty() {
        return Err(DrawError::new("outside_value", "required"));
    }
    Ok(())
}

/// Draws a plan: checks the inputs, then runs the selection function described above.
pub fn draw(
    plan: &Plan,
    entities: &[Entity],
    inspectors: &[Inspector],
    nonce: &str,
    outside_value: &str,
) -> Result<DrawRecord, DrawError> {
    check_inputs(plan, entities, inspectors, nonce, outside_value)?;
    let seed = seed(plan, nonce, outside_value);

    // The entities, grade by grade.
    let mut picked: Vec<usize> = Vec::new();
    for g in RiskGrade::ALL {
        let mut of_grade: Vec<usize> = (0..entities.len())
            .filter(|&i| entities[i].grade == g)
            .collect();
        let k = quota(of_grade.len(), plan.ratios.of(g));
        Stream::new(&seed, &format!("entities/{}", g.as_str())).pick(&mut of_grade, k);
        picked.extend_from_slice(&of_grade[..k]);
    }

    // The qualified pool, and who may not go where.
    let pool: Vec<usize> = (0..inspectors.len())
        .filter(|&i| {
            inspectors[i]
                .matters
                .iter()
                .any(|m| plan.matters.contains(m))
        })
        .collect();
    let team = plan.team_size as usize;
    if pool.len() < team {
        return Err(
            DrawError::new("inspectors", "too_few_inspectors").detail(format!(
                "{} < {}",
                pool.len(),
                plan.team_size
            )),
        );
    }
    let barred = Barred::new(inspectors, &pool);
    let mut stream = Stream::new(&seed, "inspectors");
    let mut checks = Vec::with_capacity(picked.len());
    let mut excluded: Vec<usize> = Vec::new();
    for &e in &picked {
        let entity = &entities[e];
        barred.positions(entity, &mut excluded);
        let eligible = pool.len() - excluded.len();
        if eligible < team {
            return Err(
                DrawError::new(format!("checks[{}]", checks.len()), "no_team")
                    .detail(entity.id.clone()),
            );
        }
        // The first `team` steps of a Fisher–Yates shuffle of the eligible, without writing the
        // list out: positions not yet swapped hold themselves.
        let mut swapped: Vec<(usize, usize)> = Vec::with_capacity(2 * team);
        let at = |swapped: &[(usize, usize)], i: usize| {
            swapped
                .iter()
                .rev()
                .find(|(p, _)| *p == i)
                .map_or(i, |(_, v)| *v)
        };
        for i in 0..team {
            let j = i + stream.uniform((eligible - i) as u64) as usize;
            let (vi, vj) = (at(&swapped, i), at(&swapped, j));
            swapped.push((i, vj));
            swapped.push((j, vi));
        }
        let members = (0..team)
            .map(|i| {
                let pos = eligible_to_pool(at(&swapped, i), &excluded);
                inspectors[pool[pos]].id.clone()
            })
            .collect();
        checks.push(Check {
            entity: entity.id.clone(),
            grade: entity.grade,
            inspectors: members,
        });
    }
    Ok(DrawRecord {
        format: FORMAT.to_string(),
        plan: plan.clone(),
        entities: entities.to_vec(),
        inspectors: inspectors.to_vec(),
        nonce: nonce.to_string(),
        outside_value: outside_value.to_string(),
        seed: hex::encode(seed),
        checks,
    })
}

/// Who may not inspect which entity, as positions in the qualified pool: the pool positions of
/// each unit's inspectors (for the unit that licensed an entity) and of the inspectors who
/// declared a relationship with it.
struct Barred<'a> {
    by_unit: HashMap<&'a str, Vec<usize>>,
    by_entity: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Barred<'a> {
    fn new(inspectors: &'a [Inspector], pool: &[usize]) -> Barred<'a> {
        let mut by_unit: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_entity: HashMap<&str, Vec<usize>> = HashMap::new();
        for (pos, &i) in pool.iter().enumerate() {
            by_unit
                .entry(inspectors[i].unit.as_str())
                .or_default()
                .push(pos);
            for e in &inspectors[i].related {
                by_entity.entry(e.as_str()).or_default().push(pos);
            }
        }
        Barred { by_unit, by_entity }
    }

    /// The barred pool positions for one entity, sorted and without repeats, into `out`.
    fn positions(&self, entity: &Entity, out: &mut Vec<usize>) {
        out.clear();
        for u in &entity.licensed_by {
            out.extend(self.by_unit.get(u.as_str()).into_iter().flatten());
        }
        out.extend(self.by_entity.get(entity.id.as_str()).into_iter().flatten());
        out.sort_unstable();
        out.dedup();
    }
}

/// The pool position of the `i`-th eligible inspector, skipping the barred (`excluded`, sorted).
fn eligible_to_pool(i: usize, excluded: &[usize]) -> usize {
    let mut pos = i;
    for &x in excluded {
        if x <= pos {
            pos += 1;
        } else {
            break;
        }
    }
    pos
}

/// Reruns a published record and compares: `Ok` when it reproduces byte for byte, else the first
/// difference (a tampered list fails its hash, a tampered check is named by its place).
pub fn verify(record: &DrawRecord) -> Result<(), DrawError> {
    if record.format != FORMAT {
        return Err(DrawError::new("format", "unknown_format").detail(record.format.clone()));
    }
    let again = draw(
        &record.plan,
        &record.entities,
        &record.inspectors,
        &record.nonce,
        &record.outside_value,
    )?;
    if again.seed != record.seed {
        return Err(DrawError::new("seed", "differs").detail(again.seed));
    }
    for (i, (want, got)) in again.checks.iter().zip(&record.checks).enumerate() {
        if want.entity != got.entity || want.grade != got.grade {
            return Err(DrawError::new(format!("checks[{i}].entity"), "differs")
                .detail(want.entity.clone()));
        }
        if want.inspectors != got.inspectors {
            return Err(DrawError::new(format!("checks[{i}].inspectors"), "differs")
                .detail(want.inspectors.join(",")));
        }
    }
    if again.checks.len() != record.checks.len() {
        return Err(DrawError::new("checks", "differs").detail(format!(
            "{} checks, not {}",
            again.checks.len(),
            record.checks.len()
        )));
    }
    Ok(())
}
