//! Catalog indicators of the action plan (§3, §4.4), computed from the published guides:
//! share of items fully online per level, compression of promised vs legal limits, materials cut
//! vs the recorded baseline. Each figure carries its numerator and denominator so it can be checked.

use super::{ItemGuide, Level, OnlineDepth, TimeLimit};
use serde::Serialize;

/// Targets for the share of items handled fully online, by year (§3: 60 % in 2021, 90 % in 2022,
/// 100 % from 2023).
pub fn online_target_percent(year: i16) -> u8 {
    match year {
        ..=2021 => 60,
        2022 => 90,
        _ => 100,
    }
}
pub const COMPRESSION_TARGET_PERCENT: u8 = 60;
pub const MATERIALS_CUT_TARGET_PERCENT: u8 = 30;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ItemRatio))]
pub struct Ratio {
    pub numerator: f64,
    pub denominator: f64,
    /// Percentage rounded to one decimal; `None` when there is nothing to measure.
    pub percent: Option<f64>,
}

impl Ratio {
    fn new(numerator: f64, denominator: f64) -> Self {
        let percent =
            (denominator > 0.0).then(|| (numerator / denominator * 1000.0).round() / 10.0);
        Ratio {
            numerator,
            denominator,
            percent,
        }
    }
    pub fn meets(&self, target: u8) -> bool {
        self.percent.is_some_and(|p| p >= f64::from(target))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelOnline {
    pub level: Level,
    /// Fully online items / published items of the level.
    pub fully_online: Ratio,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogIndicators {
    /// The year whose online target applies.
    pub year: i16,
    pub items: usize,
    pub online_target_percent: u8,
    pub online_by_level: Vec<LevelOnline>,
    pub online_overall: Ratio,
    /// Mean over items with a non-zero legal limit of (legal − promised) / legal, in percent
    /// (numerator: sum of per-item compressions, denominator: number of items).
    pub compression_target_percent: u8,
    pub compression: Ratio,
    /// (baseline materials − materials still asked) / baseline materials, summed over items.
    pub materials_cut_target_percent: u8,
    pub materials_cut: Ratio,
    /// Items finished on the spot (即办件).
    pub immediate: Ratio,
}

pub fn compute<'a>(
    guides: impl IntoIterator<Item = &'a ItemGuide>,
    year: i16,
) -> CatalogIndicators {
    let guides: Vec<&ItemGuide> = guides.into_iter().collect();
    let online = |gs: &mut dyn Iterator<Item = &&ItemGuide>| {
        let (mut n, mut d) = (0.0, 0.0);
        for g in gs {
            d += 1.0;
            if g.online_depth == OnlineDepth::FullyOnline {
                n += 1.0;
            }
        }
        Ratio::new(n, d)
    };
    let online_by_level = Level::ALL
        .into_iter()
        .map(|level| LevelOnline {
            level,
            fully_online: online(&mut guides.iter().filter(|g| g.level == level)),
        })
        .collect();
    let (mut comp_sum, mut comp_n) = (0.0, 0.0);
    for g in &guides {
        let legal = g.legal_limit.approx_working_days();
        if legal > 0.0 {
            comp_sum += (legal - g.promised_limit.approx_working_days()) / legal;
            comp_n += 1.0;
        }
    }
    let (mut cut, mut base) = (0.0, 0.0);
    for g in guides.iter().filter(|g| g.baseline_materials > 0) {
        base += f64::from(g.baseline_materials);
        cut += f64::from(g.baseline_materials) - g.materials_asked() as f64;
    }
    let immediate = guides
        .iter()
        .filter(|g| g.promised_limit == TimeLimit::OnTheSpot)
        .count();
    CatalogIndicators {
        year,
        items: guides.len(),
        online_target_percent: online_target_percent(year),
        online_by_level,
        online_overall: online(&mut guides.iter()),
        compression_target_percent: COMPRESSION_TARGET_PERCENT,
        compression: Ratio::new(comp_sum, comp_n),
        materials_cut_target_percent: MATERIALS_CUT_TARGET_PERCENT,
        materials_cut: Ratio::new(cut, base),
        immediate: Ratio::new(immediate as f64, guides.len() as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::sample;

    #[test]
    fn figures_come_from_the_guides() {
        let a = sample(); // 15 → 1 working days, fully online, 1 of 4 materials
        let mut b = sample();
        b.level = Level::Street;
        b.online_depth = OnlineDepth::Window;
        b.visits = 1;
        b.legal_limit = TimeLimit::WorkingDays(10);
        b.promised_limit = TimeLimit::WorkingDays(5);
        b.baseline_materials = 1;
        let i = compute([&a, &b], 2026);
        assert_eq!(i.online_target_percent, 100);
        assert_eq!(i.online_by_level[0].fully_online.percent, Some(100.0));
        assert_eq!(i.online_by_level[1].fully_online.percent, Some(0.0));
        assert_eq!(i.online_by_level[2].fully_online.percent, None);
        assert_eq!(i.online_overall.percent, Some(50.0));
        // (14/15 + 5/10) / 2 = 71.7 %
        assert_eq!(i.compression.percent, Some(71.7));
        assert!(i.compression.meets(60));
        // baseline 4 + 1, asked 1 + 1 → 3/5 cut
        assert_eq!(i.materials_cut.percent, Some(60.0));
    }
}
