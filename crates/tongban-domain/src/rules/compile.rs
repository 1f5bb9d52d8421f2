//! The rule-set document an administrator writes, and `compile`, which checks it into a
//! [`RuleSet`] naming every problem with its place.

use super::*;

// ---------------------------------------------------------------------------------------------
// The document an administrator writes

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetDoc {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub reference: String,
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: Option<String>,
    /// Facts the application form asks for (read as `form.<key>`).
    #[serde(default)]
    pub form: Vec<FormFieldDoc>,
    #[serde(default)]
    pub tables: Vec<TableDoc>,
    #[serde(default)]
    pub rules: Vec<RuleDoc>,
    #[serde(default)]
    pub amount: Option<AmountDoc>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FormFieldDoc {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TableDoc {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub reference: String,
    pub inputs: Vec<String>,
    /// One row per line: a cell per input, then the output expression.
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    pub id: String,
    pub name: String,
    pub reference: String,
    pub when: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AmountDoc {
    pub formula: String,
    pub reference: String,
}

// ---------------------------------------------------------------------------------------------
// The checked rule set

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub reference: String,
    pub when: Parsed,
}

#[derive(Debug, Clone)]
pub struct Amount {
    pub formula: Parsed,
    pub reference: String,
}

/// A rule set that passed every check; only these are stored or evaluated.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub code: String,
    pub name: String,
    pub reference: String,
    /// Set by the store (0 for a draft not yet saved).
    pub version: i64,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub form: Vec<FactDef>,
    pub tables: Vec<Table>,
    pub rules: Vec<Rule>,
    pub amount: Option<Amount>,
    /// The TOML it was compiled from, kept verbatim.
    pub source: String,
    pub(super) labels: BTreeMap<String, String>,
    /// The declared type of every name the rule set may read (facts, form, tables).
    pub(super) types: BTreeMap<String, Type>,
}

impl RuleSet {
    /// Whether this version governs decisions on `date` (valid_from ≤ date < valid_to).
    pub fn in_force(&self, date: Date) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|t| date < t)
    }

    /// The declared type of a fact the rule set may read.
    pub fn type_of(&self, key: &str) -> Option<Type> {
        self.types.get(key).copied()
    }

    pub fn label(&self, key: &str) -> String {
        self.labels
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// `code@vN`, the name the audit trail gives an automatic decision's actor.
    pub fn actor(&self) -> String {
        format!("rules:{}@v{}", self.code, self.version)
    }
}

struct CompileScope<'a> {
    types: &'a BTreeMap<String, Type>,
}

impl Scope for CompileScope<'_> {
    fn type_of(&self, name: &str) -> Option<Type> {
        self.types.get(name).copied()
    }
}

fn push_expr_error(e: &mut FieldErrors, field: String, err: ExprError) {
    let detail = if err.at > 0 {
        format!("{} @{}", err.detail, err.at)
    } else {
        err.detail
    };
    e.push_detail(field, err.code, detail);
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Checks a rule-set document and compiles it. Every problem is named with its place
/// (`rules[2].when`, `tables[0].rows`), a stable code and the detail (the unknown fact, the two
/// types that do not fit, the gap in a table with an example).
pub fn compile(source: &str) -> Result<RuleSet, FieldErrors> {
    let mut e = FieldErrors::new();
    let doc: RuleSetDoc = match toml::from_str(source) {
        Ok(d) => d,
        Err(err) => {
            let msg = err.message().to_string();
            let at = err
                .span()
                .map(|s| source[..s.start.min(source.len())].lines().count().max(1));
            let detail = match at {
                Some(line) => format!("{msg} @line {line}"),
                None => msg,
            };
            e.push_detail("source", "toml_syntax", detail);
            return Err(e);
        }
    };
    if !valid_id(&doc.code) {
        e.push_detail("code", "bad_id", doc.code.clone());
    }
    e.text("name", &doc.name, 100);
    let valid_from = doc.valid_from.parse::<Date>();
    if valid_from.is_err() {
        e.push_detail("valid_from", "bad_date", doc.valid_from.clone());
    }
    let valid_to = match doc.valid_to.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => match s.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                e.push_detail("valid_to", "bad_date", s);
                None
            }
        },
    };
    if let (Ok(f), Some(t)) = (&valid_from, valid_to)
        && t <= *f
    {
        e.push("valid_to", "valid_to_before_from");
    }

    let mut types: BTreeMap<String, Type> = BTreeMap::new();
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    let mut defs: BTreeMap<String, FactDef> = BTreeMap::new();
    for f in builtin_facts() {
        types.insert(f.key.clone(), f.ty);
        labels.insert(f.key.clone(), f.label.clone());
        defs.insert(f.key.clone(), f);
    }
    let mut form = Vec::new();
    for (i, f) in doc.form.iter().enumerate() {
        let key = format!("form.{}", f.key);
        if !valid_id(&f.key) {
            e.push_detail(format!("form[{i}].key"), "bad_id", f.key.clone());
        } else if types.contains_key(&key) {
            e.push_detail(format!("form[{i}].key"), "duplicate_id", f.key.clone());
        }
        e.text(&format!("form[{i}].label"), &f.label, 60);
        let Some(ty) = Type::parse(&f.ty) else {
            e.push_detail(format!("form[{i}].type"), "unknown_type", f.ty.clone());
            continue;
        };
        let def = FactDef {
            key: key.clone(),
            label: f.label.clone(),
            ty,
            values: f.values.clone(),
            non_negative: ty.is_number(),
        };
        types.insert(key.clone(), ty);
        labels.insert(key.clone(), f.label.clone());
        defs.insert(key, def.clone());
        form.push(def);
    }

    let mut ids: Vec<String> = Vec::new();
    let check_id = |e: &mut FieldErrors, ids: &mut Vec<String>, field: String, id: &str| {
        if !valid_id(id) {
            e.push_detail(field, "bad_id", id);
        } else if ids.iter().any(|x| x == id) {
            e.push_detail(field, "duplicate_id", id);
        }
        ids.push(id.to_string());
    };

    let mut tables = Vec::new();
    for (ti, t) in doc.tables.iter().enumerate() {
        let at = |s: &str| format!("tables[{ti}].{s}");
        check_id(&mut e, &mut ids, at("id"), &t.id);
        e.text(&at("name"), &t.name, 100);
        if t.inputs.is_empty() {
            e.push(at("inputs"), "required");
            continue;
        }
        let scope = CompileScope { types: &types };
        let mut inputs = Vec::new();
        let mut input_types = Vec::new();
        let mut non_negative = Vec::new();
        for (c, src) in t.inputs.iter().enumerate() {
            match expr::parse(src).and_then(|p| p.check(&scope).map(|ty| (p, ty))) {
                Ok((p, ty)) if ty == Type::Date => {
                    e.push_detail(
                        format!("tables[{ti}].inputs[{c}]"),
                        "bad_column_type",
                        ty.key(),
                    );
                    inputs.push(p);
                }
                Ok((p, ty)) => {
                    let nonneg = match &p.expr {
                        expr::Expr::Fact(k) => defs.get(k).is_some_and(|d| d.non_negative),
                        _ => false,
                    };
                    non_negative.push(nonneg);
                    input_types.push(ty);
                    inputs.push(p);
                }
                Err(err) => push_expr_error(&mut e, format!("tables[{ti}].inputs[{c}]"), err),
            }
        }
        if input_types.len() != t.inputs.len() {
            continue;
        }
        if t.rows.is_empty() {
            e.push(at("rows"), "required");
            continue;
        }
        let mut rows = Vec::new();
        let mut output_type: Option<Type> = None;
        for (ri, r) in t.rows.iter().enumerate() {
            let field = format!("tables[{ti}].rows[{ri}]");
            if r.len() != t.inputs.len() + 1 {
                e.push_detail(field, "row_length", (t.inputs.len() + 1).to_string());
                continue;
            }
            let mut cells = Vec::new();
            for (c, text) in r[..t.inputs.len()].iter().enumerate() {
                match table::parse_cell(text, input_types[c]) {
                    Ok(cell) => cells.push(cell),
                    Err(err) => push_expr_error(&mut e, format!("{field}[{c}]"), err),
                }
            }
            let out_src = &r[t.inputs.len()];
            let out = match expr::parse(out_src).and_then(|p| p.check(&scope).map(|ty| (p, ty))) {
                Ok(x) => x,
                Err(err) => {
                    push_expr_error(&mut e, format!("{field}[{}]", t.inputs.len()), err);
                    continue;
                }
            };
            match output_type {
                None => output_type = Some(out.1),
                Some(ty) if ty != out.1 => {
                    e.push_detail(
                        format!("{field}[{}]", t.inputs.len()),
                        "output_types_differ",
                        format!("{} / {}", ty.key(), out.1.key()),
                    );
                }
                _ => {}
            }
            if cells.len() == t.inputs.len() {
                rows.push(Row {
                    cells,
                    cell_text: r[..t.inputs.len()].to_vec(),
                    output: out.0,
                });
            }
        }
        if rows.len() != t.rows.len() {
            continue;
        }
        let table = Table {
            id: t.id.clone(),
            name: t.name.clone(),
            reference: t.reference.clone(),
            inputs,
            input_types,
            non_negative,
            rows,
            output_type: output_type.expect("at least one row"),
        };
        let closed_values = |c: usize| -> Vec<Value> {
            match &table.inputs[c].expr {
                expr::Expr::Fact(k) => defs
                    .get(k)
                    .map(|d| d.values.iter().map(|v| Value::Text(v.clone())).collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            }
        };
        for p in table.problems(&closed_values) {
            match p {
                TableProblem::Missing { example } => {
                    e.push_detail(at("rows"), "table_missing_row", example)
                }
                TableProblem::Overlap { rows, example } => e.push_detail(
                    at("rows"),
                    "table_overlap",
                    format!("{}, {}: {example}", rows.0, rows.1),
                ),
                TableProblem::TooLarge => e.push(at("rows"), "table_too_large"),
            }
        }
        let key = format!("table.{}", t.id);
        types.insert(key.clone(), table.output_type);
        labels.insert(key, t.name.clone());
        tables.push(table);
    }

    let scope = CompileScope { types: &types };
    let mut rules = Vec::new();
    if doc.rules.is_empty() {
        e.push("rules", "no_rules");
    }
    for (i, r) in doc.rules.iter().enumerate() {
        check_id(&mut e, &mut ids, format!("rules[{i}].id"), &r.id);
        e.text(&format!("rules[{i}].name"), &r.name, 100);
        e.text(&format!("rules[{i}].reference"), &r.reference, 200);
        match expr::parse(&r.when).and_then(|p| p.check(&scope).map(|ty| (p, ty))) {
            Ok((p, Type::Bool)) => rules.push(Rule {
                id: r.id.clone(),
                name: r.name.clone(),
                reference: r.reference.clone(),
                when: p,
            }),
            Ok((_, ty)) => e.push_detail(format!("rules[{i}].when"), "not_a_condition", ty.key()),
            Err(err) => push_expr_error(&mut e, format!("rules[{i}].when"), err),
        }
    }
    let amount = match &doc.amount {
        None => None,
        Some(a) => {
            e.text("amount.reference", &a.reference, 200);
            match expr::parse(&a.formula).and_then(|p| p.check(&scope).map(|ty| (p, ty))) {
                Ok((p, Type::Money)) => Some(Amount {
                    formula: p,
                    reference: a.reference.clone(),
                }),
                Ok((_, ty)) => {
                    e.push_detail("amount.formula", "not_money", ty.key());
                    None
                }
                Err(err) => {
                    push_expr_error(&mut e, "amount.formula".into(), err);
                    None
                }
            }
        }
    };
    if !e.is_empty() {
        return Err(e);
    }
    Ok(RuleSet {
        code: doc.code,
        name: doc.name,
        reference: doc.reference,
        version: 0,
        valid_from: valid_from.expect("checked"),
        valid_to,
        form,
        tables,
        rules,
        amount,
        source: source.to_string(),
        labels,
        types,
    })
}
