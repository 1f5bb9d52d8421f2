//! The catalog as a table: one row per item, one column per guide field. The same cell formats
//! serve the edit form, `.xlsx`/`.csv` import and `.xlsx` export, so what is exported imports
//! back unchanged.
//!
//! List cells: themes, keywords and intermediary services are separated by `、` `,` or new lines.
//! Materials: one per line, `名称|形式|份数|必需|共享单位|备注` (form: 原件, 复印件, 原件和复印件,
//! 电子件; required: 是/否). Steps: one per line, `名称|办理人|说明` (办理人: 申请人, 窗口, 审批人).
//! Limits: `即办`, `20工作日`, `30自然日`.

use crate::Result;
use crate::messages::{Lang, catalog};
use std::collections::{BTreeMap, HashSet};
use tongban_domain::FieldErrors;
use tongban_domain::catalog::{
    ItemGuide, ItemKind, Level, Material, MaterialForm, OnlineDepth, Step, StepActor, TimeLimit,
};

use crate::table::choose;
pub use crate::table::{MAX_UPLOAD_BYTES, RowError, names_value, read_table};
pub const MAX_ROWS: usize = 20_000;

/// Columns in export order; their labels come from the message catalog (`field.<key>`).
pub const COLUMNS: [&str; 27] = [
    "code",
    "basic_code",
    "name",
    "kind",
    "level",
    "unit",
    "themes",
    "keywords",
    "legal_basis",
    "conditions",
    "materials",
    "baseline_materials",
    "steps",
    "legal_limit",
    "promised_limit",
    "promise_note",
    "online_depth",
    "visits",
    "fee_fen",
    "fee_basis",
    "intermediary_services",
    "special_procedures",
    "address",
    "hours",
    "consult_phone",
    "complaint_phone",
    "online_url",
];

/// One row of cells keyed by column.
pub type Cells = BTreeMap<String, String>;

fn label(lang: Lang, key: &str) -> String {
    catalog().get(lang, key).to_string()
}

const ACTORS: [StepActor; 3] = [StepActor::Applicant, StepActor::Clerk, StepActor::Approver];

fn split_list(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', '\n', ';', '；'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// Reads a guide from cells and validates it, naming every bad cell (`materials[1].form`,
/// `legal_limit`, `unit`…) at once: cells that cannot be read and rules the guide breaks.
pub fn guide_from_cells(
    cells: &Cells,
    unit_exists: &dyn Fn(&str) -> bool,
) -> Result<ItemGuide, FieldErrors> {
    let (guide, mut errors) = read_cells(cells);
    if let Err(rules) = guide.validate(unit_exists) {
        // A limit that could not be read was replaced by a placeholder: don't compare it.
        let limits_unread = errors.0.iter().any(|e| e.field.ends_with("_limit"));
        errors.0.extend(
            rules
                .0
                .into_iter()
                .filter(|e| !(limits_unread && e.field.ends_with("_limit"))),
        );
    }
    errors.into_result(guide)
}

/// Reads the cells into a guide, with placeholders where a cell cannot be read, and the errors.
fn read_cells(cells: &Cells) -> (ItemGuide, FieldErrors) {
    let mut e = FieldErrors::new();
    let get = |k: &str| {
        cells
            .get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let raw = |k: &str| cells.get(k).cloned().unwrap_or_default();
    let number = |k: &str, max: u32, e: &mut FieldErrors| -> u32 {
        let v = get(k);
        if v.is_empty() {
            return 0;
        }
        match v.parse::<u32>() {
            Ok(n) if n <= max => n,
            _ => {
                e.push_detail(k, "out_of_range", format!("0–{max}"));
                0
            }
        }
    };
    let kind = choose(&get("kind"), &ItemKind::ALL, ItemKind::as_str, "kind");
    if kind.is_none() {
        e.push(
            "kind",
            if get("kind").is_empty() {
                "required"
            } else {
                "unknown_value"
            },
        );
    }
    let level = choose(&get("level"), &Level::ALL, Level::as_str, "level");
    if level.is_none() {
        e.push(
            "level",
            if get("level").is_empty() {
                "required"
            } else {
                "unknown_value"
            },
        );
    }
    let depth = choose(
        &get("online_depth"),
        &OnlineDepth::ALL,
        OnlineDepth::as_str,
        "depth",
    );
    if depth.is_none() {
        e.push(
            "online_depth",
            if get("online_depth").is_empty() {
                "required"
            } else {
                "unknown_value"
            },
        );
    }
    let limit = |k: &str, e: &mut FieldErrors| {
        let v = get(k);
        TimeLimit::parse(&v).unwrap_or_else(|| {
            e.push(
                k,
                if v.is_empty() {
                    "required"
                } else {
                    "limit_format"
                },
            );
            TimeLimit::OnTheSpot
        })
    };
    let legal_limit = limit("legal_limit", &mut e);
    let promised_limit = limit("promised_limit", &mut e);
    let mut materials = Vec::new();
    for (i, line) in lines(&raw("materials")).enumerate() {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let at = |f: &str| format!("materials[{i}].{f}");
        let form = match parts.get(1).filter(|s| !s.is_empty()) {
            None => MaterialForm::Original,
            Some(s) => {
                choose(s, &MaterialForm::ALL, MaterialForm::as_str, "form").unwrap_or_else(|| {
                    e.push(at("form"), "unknown_value");
                    MaterialForm::Original
                })
            }
        };
        let copies = match parts.get(2).filter(|s| !s.is_empty()) {
            None => 1,
            Some(s) => s.parse::<u8>().unwrap_or_else(|_| {
                e.push_detail(at("copies"), "out_of_range", "1–20");
                1
            }),
        };
        let required = match parts.get(3).copied().unwrap_or("是") {
            "" | "是" | "必需" | "yes" | "true" | "1" => true,
            "否" | "非必需" | "no" | "false" | "0" => false,
            _ => {
                e.push(at("required"), "unknown_value");
                true
            }
        };
        materials.push(Material {
            name: parts[0].to_string(),
            form,
            copies,
            required,
            shared_by: parts
                .get(4)
                .filter(|s| !s.is_empty())
                .map(|s| s.to_string()),
            note: parts.get(5).map(|s| s.to_string()).unwrap_or_default(),
        });
    }
    let mut steps = Vec::new();
    for (i, line) in lines(&raw("steps")).enumerate() {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let actor = choose(
            parts.get(1).copied().unwrap_or(""),
            &ACTORS,
            StepActor::as_str,
            "actor",
        )
        .unwrap_or_else(|| {
            e.push(format!("steps[{i}].actor"), "unknown_value");
            StepActor::Clerk
        });
        steps.push(Step {
            name: parts[0].to_string(),
            actor,
            description: parts.get(2).map(|s| s.to_string()).unwrap_or_default(),
        });
    }
    let baseline_materials = number("baseline_materials", 200, &mut e) as u16;
    let visits = number("visits", 10, &mut e) as u8;
    let fee_fen = number("fee_fen", 100_000_000, &mut e) as i64;
    let guide = ItemGuide {
        code: get("code").to_ascii_uppercase(),
        basic_code: get("basic_code").to_ascii_uppercase(),
        name: get("name"),
        kind: kind.unwrap_or(ItemKind::PublicService),
        level: level.unwrap_or(Level::District),
        unit: get("unit"),
        themes: split_list(&raw("themes")),
        keywords: split_list(&raw("keywords")),
        legal_basis: get("legal_basis"),
        conditions: get("conditions"),
        materials,
        baseline_materials,
        steps,
        legal_limit,
        promised_limit,
        promise_note: get("promise_note"),
        online_depth: depth.unwrap_or(OnlineDepth::Window),
        visits,
        fee_fen,
        fee_basis: get("fee_basis"),
        intermediary_services: split_list(&raw("intermediary_services")),
        special_procedures: get("special_procedures"),
        address: get("address"),
        hours: get("hours"),
        consult_phone: get("consult_phone"),
        complaint_phone: get("complaint_phone"),
        online_url: get("online_url"),
    };
    (guide, e)
}

/// Writes a guide as cells (Chinese labels for enumerations, so the sheet reads naturally).
pub fn cells_from_guide(g: &ItemGuide) -> Cells {
    let zh = |k: String| label(Lang::Zh, &k);
    let materials = g
        .materials
        .iter()
        .map(|m| {
            format!(
                "{}|{}|{}|{}|{}|{}",
                m.name,
                zh(format!("form.{}", m.form.as_str())),
                m.copies,
                if m.required { "是" } else { "否" },
                m.shared_by.clone().unwrap_or_default(),
                m.note
            )
            .trim_end_matches('|')
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let steps = g
        .steps
        .iter()
        .map(|s| {
            format!(
                "{}|{}|{}",
                s.name,
                zh(format!("actor.{}", s.actor.as_str())),
                s.description
            )
            .trim_end_matches('|')
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let pairs = [
        ("code", g.code.clone()),
        ("basic_code", g.basic_code.clone()),
        ("name", g.name.clone()),
        ("kind", zh(format!("kind.{}", g.kind.as_str()))),
        ("level", zh(format!("level.{}", g.level.as_str()))),
        ("unit", g.unit.clone()),
        ("themes", g.themes.join("、")),
        ("keywords", g.keywords.join("、")),
        ("legal_basis", g.legal_basis.clone()),
        ("conditions", g.conditions.clone()),
        ("materials", materials),
        ("baseline_materials", g.baseline_materials.to_string()),
        ("steps", steps),
        ("legal_limit", g.legal_limit.compact()),
        ("promised_limit", g.promised_limit.compact()),
        ("promise_note", g.promise_note.clone()),
        (
            "online_depth",
            zh(format!("depth.{}", g.online_depth.as_str())),
        ),
        ("visits", g.visits.to_string()),
        ("fee_fen", g.fee_fen.to_string()),
        ("fee_basis", g.fee_basis.clone()),
        ("intermediary_services", g.intermediary_services.join("、")),
        ("special_procedures", g.special_procedures.clone()),
        ("address", g.address.clone()),
        ("hours", g.hours.clone()),
        ("consult_phone", g.consult_phone.clone()),
        ("complaint_phone", g.complaint_phone.clone()),
        ("online_url", g.online_url.clone()),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Turns table rows into guides, or every problem found with row, column and reason.
/// `unit_exists` checks unit codes; codes must be unique within the file.
pub fn parse_rows(
    rows: &[Vec<String>],
    lang: Lang,
    unit_exists: &dyn Fn(&str) -> bool,
) -> std::result::Result<Vec<ItemGuide>, Vec<RowError>> {
    let i18n = catalog();
    let Some(header) = rows.first() else {
        return Err(vec![RowError {
            row: 1,
            column: String::new(),
            reason: i18n.get(lang, "import.empty").into(),
        }]);
    };
    let (columns, mut errors) = crate::table::match_header(
        header,
        &COLUMNS,
        &["field"],
        &["code", "name", "unit"],
        lang,
    );
    if rows.len() - 1 > MAX_ROWS {
        errors.push(RowError {
            row: MAX_ROWS + 2,
            column: String::new(),
            reason: i18n.get(lang, "import.too_many_rows").into(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut seen = HashSet::new();
    let mut guides = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = i + 1;
        let cells: Cells = columns
            .iter()
            .zip(row)
            .filter_map(|(k, v)| k.map(|k| (k.to_string(), v.clone())))
            .collect();
        let column_of = |field: &str| {
            let top = field.split(['[', '.']).next().unwrap_or(field);
            let col = columns
                .iter()
                .position(|k| *k == Some(top))
                .and_then(|p| header.get(p))
                .cloned()
                .unwrap_or_else(|| top.to_string());
            if field == top {
                col
            } else {
                format!("{col}（{}）", i18n.field_label(lang, field))
            }
        };
        let guide = guide_from_cells(&cells, unit_exists);
        match guide {
            Ok(g) => {
                if !seen.insert(g.code.clone()) {
                    errors.push(RowError {
                        row: line,
                        column: column_of("code"),
                        reason: i18n.get(lang, "error.duplicate_in_file").into(),
                    });
                }
                guides.push(g);
            }
            Err(fe) => {
                for f in fe.0 {
                    let reason = crate::table::reason(lang, f.code, f.detail.as_deref());
                    errors.push(RowError {
                        row: line,
                        column: column_of(&f.field),
                        reason,
                    });
                }
            }
        }
    }
    if guides.is_empty() && errors.is_empty() {
        errors.push(RowError {
            row: 2,
            column: String::new(),
            reason: i18n.get(lang, "import.empty").into(),
        });
    }
    if errors.is_empty() {
        Ok(guides)
    } else {
        Err(errors)
    }
}

/// The whole published catalog as an `.xlsx` workbook with Chinese headers.
pub fn export_xlsx(guides: &[ItemGuide]) -> Result<Vec<u8>> {
    let header: Vec<String> = COLUMNS
        .iter()
        .map(|k| label(Lang::Zh, &format!("field.{k}")))
        .collect();
    let rows: Vec<Vec<String>> = guides
        .iter()
        .map(|g| {
            let cells = cells_from_guide(g);
            COLUMNS.iter().map(|k| cells[*k].clone()).collect()
        })
        .collect();
    crate::table::write_xlsx(&label(Lang::Zh, "export.sheet"), &header, &rows)
}
