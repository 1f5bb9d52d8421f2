//! Department assessment (绩效考核, §5(三)): a score per unit from the indicators, with weights
//! the office keeps as a document (`data/xihu/assessment.toml` is the first version) that must
//! sum to 100. A unit's score is Σ weight × attainment over the weighted indicators it has
//! something counted in, divided by the weights that took part, × 100; attainment is the share of
//! the target met (capped at 1), or the share itself for a rate without a target.

use super::indicators::{self, Better, Figure, Indicator, Source};
use crate::FieldErrors;
use serde::{Deserialize, Serialize};

pub const BASELINE: &str = include_str!("../../../../data/xihu/assessment.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    pub weight: Vec<Weight>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weight {
    pub indicator: String,
    pub weight: u32,
}

impl Weights {
    /// Reads and checks the weights: known indicators, each once, summing to 100.
    pub fn parse(text: &str) -> Result<Weights, FieldErrors> {
        let w: Weights = toml::from_str(text).map_err(crate::validation::invalid_toml)?;
        w.check()?;
        Ok(w)
    }

    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        for (i, w) in self.weight.iter().enumerate() {
            if indicators::find(&w.indicator).is_none() {
                e.push_detail(
                    format!("weight[{i}].indicator"),
                    "unknown_dashboard_indicator",
                    w.indicator.clone(),
                );
            }
            if self.weight[..i].iter().any(|o| o.indicator == w.indicator) {
                e.push_detail(
                    format!("weight[{i}].indicator"),
                    "duplicate",
                    w.indicator.clone(),
                );
            }
        }
        let sum: u32 = self.weight.iter().map(|w| w.weight).sum();
        if sum != 100 {
            e.push_detail("weights", "sum_not_100", sum.to_string());
        }
        e.into_result(())
    }

    /// The document as the office saves it.
    pub fn to_toml(&self) -> String {
        let mut s = String::from("# 绩效考核权重（合计 100）\n");
        for w in &self.weight {
            s.push_str(&format!(
                "\n[[weight]]\nindicator = \"{}\"\nweight = {}\n",
                w.indicator, w.weight
            ));
        }
        s
    }
}

/// How much of its target a figure meets, in [0, 1]; a rate without a target counts as its
/// share; none when there is nothing counted or nothing to measure against.
pub fn attainment(ind: &Indicator, f: &Figure, target: Option<f64>) -> Option<f64> {
    let v = f.value?;
    let a = match (target, ind.better) {
        (Some(t), Better::Higher) if t > 0.0 => v / t,
        (Some(t), Better::Lower) if v > 0.0 => t / v,
        (Some(_), Better::Lower) => 1.0,
        (Some(_), Better::Higher) => 1.0,
        (None, Better::Higher)
            if matches!(ind.source, Source::Share { .. } | Source::Catalog(_)) =>
        {
            v / 100.0
        }
        (None, _) => return None,
    };
    Some(a.clamp(0.0, 1.0))
}

/// One indicator's part in a unit's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub indicator: &'static str,
    pub weight: u32,
    pub figure: Figure,
    pub target: Option<f64>,
    /// None: the indicator did not take part (nothing counted, or nothing to measure against).
    pub attainment: Option<f64>,
    /// Points earned, after the weights of the indicators that took part are rescaled to 100.
    pub points: Option<f64>,
}

/// A unit's score from its parts (points filled in); none when no indicator took part.
pub fn score(parts: &mut [Part]) -> Option<f64> {
    let taking: u32 = parts
        .iter()
        .filter(|p| p.attainment.is_some())
        .map(|p| p.weight)
        .sum();
    if taking == 0 {
        return None;
    }
    let mut total = 0.0;
    for p in parts.iter_mut() {
        p.points = p
            .attainment
            .map(|a| (a * f64::from(p.weight) * 100.0 / f64::from(taking) * 10.0).round() / 10.0);
        total += p.points.unwrap_or(0.0);
    }
    Some((total * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_districts_weights_sum_to_100_and_bad_ones_are_named() {
        let w = Weights::parse(BASELINE).unwrap();
        assert_eq!(Weights::parse(&w.to_toml()).unwrap(), w);
        let mut bad = w.clone();
        bad.weight[0].weight += 1;
        bad.weight[1].indicator = "cases.nothing".into();
        let e = bad.check().unwrap_err();
        let got: Vec<(&str, &str, Option<&str>)> =
            e.0.iter()
                .map(|f| (f.field.as_str(), f.code, f.detail.as_deref()))
                .collect();
        assert!(
            got.contains(&("weights", "sum_not_100", Some("101"))),
            "{got:?}"
        );
        assert!(got.contains(&(
            "weight[1].indicator",
            "unknown_dashboard_indicator",
            Some("cases.nothing")
        )));
    }

    #[test]
    fn scores_rescale_to_the_indicators_that_took_part() {
        let on_time = indicators::find("cases.on_time_legal").unwrap();
        let days = indicators::find("cases.avg_used_days").unwrap();
        // 90 % against a 100 % target: 0.9; 3 days against a 2-day target: 2/3; nothing counted: out.
        assert_eq!(
            attainment(on_time, &Figure::share(9.0, 10.0), Some(100.0)),
            Some(0.9)
        );
        assert_eq!(
            attainment(days, &Figure::average(30.0, 10.0), Some(2.0)).map(|a| (a * 1000.0).round()),
            Some(667.0)
        );
        assert_eq!(attainment(on_time, &Figure::EMPTY, Some(100.0)), None);
        assert_eq!(
            attainment(on_time, &Figure::share(9.0, 10.0), None),
            Some(0.9)
        );
        assert_eq!(attainment(days, &Figure::average(30.0, 10.0), None), None);
        let part = |w, a| Part {
            indicator: "x",
            weight: w,
            figure: Figure::EMPTY,
            target: None,
            attainment: a,
            points: None,
        };
        let mut parts = vec![part(60, Some(1.0)), part(20, Some(0.5)), part(20, None)];
        // (60 × 1 + 20 × 0.5) / 80 × 100 = 87.5
        assert_eq!(score(&mut parts), Some(87.5));
        assert_eq!(parts[0].points, Some(75.0));
        assert_eq!(parts[2].points, None);
        assert_eq!(score(&mut [part(100, None)]), None);
    }
}
