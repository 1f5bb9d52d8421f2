//! R3: "the same item has the same requirements at every level". Items sharing a basic code
//! (基本编码) are compared field by field; every difference is listed with the items on each side.

use super::ItemGuide;
use serde::Serialize;
use std::collections::BTreeMap;

/// Fields R3 requires to be uniform. Materials and intermediary services are compared element
/// by element so that one extra material shows as exactly that.
const WHOLE_FIELDS: [&str; 6] = [
    "name",
    "conditions",
    "steps",
    "legal_limit",
    "promised_limit",
    "fee_fen",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupMember {
    pub code: String,
    pub unit: String,
    pub level: super::Level,
}

/// One value of a field and the items that carry it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Variant {
    pub value: String,
    pub codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Difference {
    pub field: &'static str,
    /// For `materials` and `intermediary_services`: one variant per element that not every item
    /// has, listing the items that have it. For other fields: one variant per distinct value.
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    pub basic_code: String,
    pub name: String,
    pub members: Vec<GroupMember>,
    pub differences: Vec<Difference>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// Basic codes offered by more than one unit.
    pub groups_compared: usize,
    /// Of those, how many carry at least one difference.
    pub groups_with_differences: usize,
    pub groups: Vec<Group>,
}

/// Builds the report over the published guides. Groups without differences are kept (with an
/// empty list) so that the report also shows what was checked and found uniform.
pub fn report<'a>(guides: impl IntoIterator<Item = &'a ItemGuide>) -> Report {
    let mut by_basic: BTreeMap<&str, Vec<&ItemGuide>> = BTreeMap::new();
    for g in guides {
        by_basic.entry(&g.basic_code).or_default().push(g);
    }
    let mut groups: Vec<Group> = by_basic
        .into_iter()
        .filter(|(_, items)| items.len() > 1)
        .map(|(basic, mut items)| {
            items.sort_by(|a, b| (a.level, &a.unit).cmp(&(b.level, &b.unit)));
            compare(basic, &items)
        })
        .collect();
    // Groups with differences first, most differences first.
    groups.sort_by(|a, b| {
        b.differences
            .len()
            .cmp(&a.differences.len())
            .then(a.basic_code.cmp(&b.basic_code))
    });
    Report {
        groups_compared: groups.len(),
        groups_with_differences: groups.iter().filter(|g| !g.differences.is_empty()).count(),
        groups,
    }
}

fn compare(basic_code: &str, items: &[&ItemGuide]) -> Group {
    let fields: Vec<_> = items.iter().map(|g| g.fields()).collect();
    let mut differences = Vec::new();
    for field in WHOLE_FIELDS {
        let mut variants: Vec<Variant> = Vec::new();
        for (g, f) in items.iter().zip(&fields) {
            let value = &f[field];
            match variants.iter_mut().find(|v| &v.value == value) {
                Some(v) => v.codes.push(g.code.clone()),
                None => variants.push(Variant {
                    value: value.clone(),
                    codes: vec![g.code.clone()],
                }),
            }
        }
        if variants.len() > 1 {
            differences.push(Difference { field, variants });
        }
    }
    let material_key = |m: &super::Material| {
        format!(
            "{}（{}×{}{}）",
            m.name,
            m.form.as_str(),
            m.copies,
            if m.required { "" } else { "，非必需" }
        )
    };
    let elementwise: [(&'static str, Vec<Vec<String>>); 2] = [
        (
            "materials",
            items
                .iter()
                .map(|g| g.materials.iter().map(material_key).collect())
                .collect(),
        ),
        (
            "intermediary_services",
            items
                .iter()
                .map(|g| g.intermediary_services.clone())
                .collect(),
        ),
    ];
    for (field, per_item) in elementwise {
        let mut presence: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (g, elements) in items.iter().zip(&per_item) {
            for el in elements {
                presence.entry(el).or_default().push(g.code.clone());
            }
        }
        let variants: Vec<Variant> = presence
            .into_iter()
            .filter(|(_, codes)| codes.len() < items.len())
            .map(|(value, codes)| Variant {
                value: value.to_string(),
                codes,
            })
            .collect();
        if !variants.is_empty() {
            differences.push(Difference { field, variants });
        }
    }
    Group {
        basic_code: basic_code.to_string(),
        name: items[0].name.clone(),
        members: items
            .iter()
            .map(|g| GroupMember {
                code: g.code.clone(),
                unit: g.unit.clone(),
                level: g.level,
            })
            .collect(),
        differences,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Material, MaterialForm, TimeLimit, tests::sample};

    #[test]
    fn extra_material_and_longer_limit_are_listed_with_their_items() {
        let a = sample();
        let mut b = sample();
        b.code = "XH-NP-000101".into();
        b.unit = "XH-NP".into();
        b.materials.push(Material {
            name: "户口簿复印件".into(),
            form: MaterialForm::Copy,
            copies: 1,
            required: true,
            shared_by: None,
            note: String::new(),
        });
        b.promised_limit = TimeLimit::WorkingDays(3);
        let mut c = sample();
        c.code = "XH-CYZ-000101".into();
        let mut lone = sample();
        lone.basic_code = "999999".into();

        let r = report([&a, &b, &c, &lone]);
        assert_eq!(r.groups_compared, 1);
        assert_eq!(r.groups_with_differences, 1);
        let d = &r.groups[0].differences;
        assert_eq!(
            d.iter().map(|d| d.field).collect::<Vec<_>>(),
            vec!["promised_limit", "materials"]
        );
        assert_eq!(d[0].variants.len(), 2);
        assert_eq!(d[1].variants[0].codes, vec!["XH-NP-000101".to_string()]);
        assert!(d[1].variants[0].value.starts_with("户口簿复印件"));
    }

    #[test]
    fn identical_copies_report_no_difference() {
        let a = sample();
        let mut b = sample();
        b.code = "XH-NP-000101".into();
        b.unit = "XH-NP".into();
        b.address = "另一个地址".into(); // place and phone may differ by nature
        let r = report([&a, &b]);
        assert_eq!(r.groups_with_differences, 0);
        assert!(r.groups[0].differences.is_empty());
    }
}
