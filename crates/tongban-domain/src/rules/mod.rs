//! Rules as data (R4, R12): typed facts, conditions, decision tables and amount formulas that
//! an administrator writes as a TOML document, checked when saved and evaluated with a trace
//! a clerk and an applicant can read. One engine decides automatic approvals of cases and the
//! eligibility and amount of enterprise-benefit policies.
//!
//! A rule set is judged as a whole: it passes when every rule holds; it fails when some rule
//! does not; it "cannot decide" when no rule failed but one could not be evaluated (a missing
//! fact, a division by zero, an overflow). Only a pass ever leads to an automatic decision.

pub mod batch;
pub mod expr;
pub mod table;
#[cfg(test)]
mod tests;

use crate::FieldErrors;
use expr::{Env, ExprError, Parsed, Scope, Undecided};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use table::{Row, Table, TableProblem};

/// The type of a fact or an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Type {
    Bool,
    Int,
    /// Integer fen (分).
    Money,
    /// Parts per million (5% = 50 000).
    Percent,
    Date,
    Text,
}

impl Type {
    pub fn key(self) -> &'static str {
        match self {
            Type::Bool => "bool",
            Type::Int => "int",
            Type::Money => "money",
            Type::Percent => "percent",
            Type::Date => "date",
            Type::Text => "text",
        }
    }
    pub fn parse(s: &str) -> Option<Type> {
        [
            Type::Bool,
            Type::Int,
            Type::Money,
            Type::Percent,
            Type::Date,
            Type::Text,
        ]
        .into_iter()
        .find(|t| t.key() == s)
    }
    pub fn is_number(self) -> bool {
        matches!(self, Type::Int | Type::Money | Type::Percent)
    }
    /// Columns of these types take ranges in decision tables.
    pub fn is_ordered(self) -> bool {
        self.is_number()
    }
    fn from_key(self, n: i64) -> Value {
        match self {
            Type::Money => Value::Money(n),
            Type::Percent => Value::Percent(n),
            _ => Value::Int(n),
        }
    }
}

/// A typed value. Stored with its type, e.g. `{"money": 2000000}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    Bool(bool),
    Int(i64),
    Money(i64),
    Percent(i64),
    Date(Date),
    Text(String),
}

impl Value {
    pub fn ty(&self) -> Type {
        match self {
            Value::Bool(_) => Type::Bool,
            Value::Int(_) => Type::Int,
            Value::Money(_) => Type::Money,
            Value::Percent(_) => Type::Percent,
            Value::Date(_) => Type::Date,
            Value::Text(_) => Type::Text,
        }
    }
    /// The integer inside a number (0 for other types; callers have type-checked).
    pub fn number(&self) -> i64 {
        match self {
            Value::Int(n) | Value::Money(n) | Value::Percent(n) => *n,
            _ => 0,
        }
    }
    pub fn with_number(&self, n: i64) -> Value {
        self.ty().from_key(n)
    }
    /// A key that orders values of one type (dates as yyyymmdd).
    pub fn order_key(&self) -> i64 {
        match self {
            Value::Date(d) => {
                i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
            }
            Value::Bool(b) => i64::from(*b),
            v => v.number(),
        }
    }
    pub fn as_bool(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
    /// The value as the expression language writes it.
    pub fn literal(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Money(n) => {
                let sign = if *n < 0 { "-" } else { "" };
                let a = n.unsigned_abs();
                format!("{sign}{}.{:02}元", a / 100, a % 100)
            }
            Value::Percent(n) => format!("{}%", percent_text(*n)),
            Value::Date(d) => d.to_string(),
            Value::Text(s) => s.clone(),
        }
    }
}

fn percent_text(ppm: i64) -> String {
    let sign = if ppm < 0 { "-" } else { "" };
    let a = ppm.unsigned_abs();
    let (whole, frac) = (a / 10_000, a % 10_000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let f = format!("{frac:04}");
        format!("{sign}{whole}.{}", f.trim_end_matches('0'))
    }
}

/// As people read it: `12,345.00元`, `5%`, `是`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(true) => f.write_str("是"),
            Value::Bool(false) => f.write_str("否"),
            Value::Money(n) => {
                let sign = if *n < 0 { "-" } else { "" };
                let a = n.unsigned_abs();
                let yuan = (a / 100).to_string();
                let mut grouped = String::new();
                for (i, c) in yuan.chars().enumerate() {
                    if i > 0 && (yuan.len() - i) % 3 == 0 {
                        grouped.push(',');
                    }
                    grouped.push(c);
                }
                write!(f, "{sign}{grouped}.{:02}元", a % 100)
            }
            v => f.write_str(&v.literal()),
        }
    }
}

/// Facts about one applicant and application, by name.
pub type Facts = BTreeMap<String, Value>;

/// A fact a rule may read: its name, its Chinese label and its type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactDef {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub ty: Type,
    /// For text facts with a closed list of values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Counts and amounts are never negative: decision tables need no row below zero.
    #[serde(default)]
    pub non_negative: bool,
}

/// The facts the platform knows about every applicant, enterprise and application.
/// `form.*` facts are declared by each rule set; `table.*` are its decision tables.
pub const BUILTIN_FACTS: &[(&str, &str, Type)] = &[
    ("today", "判定日期（受理或申报之日）", Type::Date),
    ("applicant.is_enterprise", "申请人为企业", Type::Bool),
    (
        "applicant.credit_good",
        "申请人信用良好（无严重失信、无虚假承诺记录）",
        Type::Bool,
    ),
    ("case.materials_complete", "必需材料已全部提交", Type::Bool),
    ("case.proxy", "由他人代办", Type::Bool),
    (
        "case.name_available",
        "拟用名称通过比对（不同名、不近似）",
        Type::Bool,
    ),
    ("enterprise.employees", "企业职工人数", Type::Int),
    ("enterprise.revenue", "企业上年度营业收入", Type::Money),
    ("enterprise.rd_expense", "企业上年度研发费用", Type::Money),
    ("enterprise.established", "企业成立日期", Type::Date),
    ("enterprise.tech_sme", "已入库科技型中小企业", Type::Bool),
    ("enterprise.high_tech", "已认定高新技术企业", Type::Bool),
    ("enterprise.gazelle", "已认定瞪羚企业", Type::Bool),
    (
        "enterprise.revenue_growth",
        "企业上年度营业收入增长率",
        Type::Percent,
    ),
    (
        "enterprise.new_graduates",
        "当年新招用高校毕业生人数",
        Type::Int,
    ),
    ("enterprise.talents", "当年引进高层次人才人数", Type::Int),
    ("enterprise.loan", "财园信贷通贷款本金", Type::Money),
    (
        "enterprise.loan_rate",
        "财园信贷通贷款年利率",
        Type::Percent,
    ),
];

/// Reads a value a person typed (a form field, a spreadsheet cell, demo data) as `ty`:
/// `是/否/true/false/on`, integers, amounts in 元 (`1234.5`, `20万元`), percentages (`5`, `5%`),
/// ISO dates. `None` when it is not one.
pub fn parse_value(ty: Type, text: &str) -> Option<Value> {
    let t = text.trim();
    match ty {
        Type::Text => Some(Value::Text(t.to_string())),
        Type::Bool => match t {
            "是" | "true" | "on" | "1" | "yes" => Some(Value::Bool(true)),
            "否" | "false" | "off" | "0" | "no" => Some(Value::Bool(false)),
            _ => None,
        },
        Type::Date => t.parse().ok().map(Value::Date),
        Type::Int | Type::Money | Type::Percent => {
            let unit = match ty {
                Type::Money if !t.ends_with('元') => "元",
                Type::Percent if !t.ends_with('%') => "%",
                _ => "",
            };
            let negative = t.starts_with('-');
            let body = format!("{}{unit}", t.trim_start_matches('-'));
            match expr::parse(&body).ok()?.expr {
                expr::Expr::Lit(v) if v.ty() == ty => Some(if negative {
                    v.with_number(-v.number())
                } else {
                    v
                }),
                _ => None,
            }
        }
    }
}

pub fn builtin_facts() -> Vec<FactDef> {
    BUILTIN_FACTS
        .iter()
        .map(|(k, l, t)| FactDef {
            key: (*k).into(),
            label: (*l).into(),
            ty: *t,
            values: Vec::new(),
            non_negative: t.is_number(),
        })
        .collect()
}

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
    labels: BTreeMap<String, String>,
    /// The declared type of every name the rule set may read (facts, form, tables).
    types: BTreeMap<String, Type>,
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

// ---------------------------------------------------------------------------------------------
// Decisions and their trace

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// Every rule holds.
    Pass,
    /// At least one rule does not hold.
    Fail,
    /// No rule failed, but one could not be evaluated.
    Undecided,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Undecided => "undecided",
        }
    }
}

/// One fact a step read, with the value it had (`None`: missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactUse {
    pub key: String,
    pub label: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StepResult {
    Passed,
    Failed,
    /// A table's row or the amount.
    Value {
        value: String,
    },
    /// Could not be evaluated, with the reason.
    Undecided {
        why: Undecided,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StepKind {
    Table,
    Rule,
    Amount,
}

/// One line of the explanation: which rule, which facts with which values, which reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    pub kind: StepKind,
    pub id: String,
    pub name: String,
    pub reference: String,
    /// The condition or formula as written; for a table, the row that matched.
    pub expression: String,
    pub facts: Vec<FactUse>,
    #[serde(flatten)]
    pub result: StepResult,
}

/// The result of judging one applicant by one rule-set version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    pub rule_set: String,
    pub version: i64,
    pub outcome: Outcome,
    /// The amount in fen, when the rule set has a formula and the outcome is a pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_fen: Option<i64>,
    pub trace: Vec<Step>,
}

impl Decision {
    /// Whether a second decision differs in what it decides (outcome or amount).
    pub fn differs(&self, other: &Decision) -> bool {
        self.outcome != other.outcome || self.amount_fen != other.amount_fen
    }
    /// The steps that stopped a pass (failed or undecided), for a short "why".
    pub fn blocking(&self) -> impl Iterator<Item = &Step> {
        self.trace
            .iter()
            .filter(|s| matches!(s.result, StepResult::Failed | StepResult::Undecided { .. }))
    }
}

/// Evaluation environment: the given facts, the tables decided so far, and a log of reads.
struct DecideEnv<'a> {
    facts: &'a Facts,
    types: &'a BTreeMap<String, Type>,
    tables: BTreeMap<String, Value>,
    reads: RefCell<Vec<String>>,
}

impl Env for DecideEnv<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        let mut r = self.reads.borrow_mut();
        if !r.iter().any(|x| x == name) {
            r.push(name.to_string());
        }
        self.get_quiet(name)
    }
}

impl RuleSet {
    /// Judges one applicant. Tables first (in order), then every rule (all of them, so the trace
    /// shows every reason), then the amount if every rule passed.
    pub fn decide(&self, facts: &Facts) -> Decision {
        let mut env = DecideEnv {
            facts,
            types: &self.types,
            tables: BTreeMap::new(),
            reads: RefCell::new(Vec::new()),
        };
        let mut trace = Vec::new();
        let reads = |env: &DecideEnv| -> Vec<FactUse> {
            env.reads
                .borrow_mut()
                .drain(..)
                .filter(|k| !k.starts_with("table.") || env.tables.contains_key(k))
                .map(|k| FactUse {
                    label: self.label(&k),
                    value: env.get_quiet(&k).map(|v| v.to_string()),
                    key: k,
                })
                .collect()
        };
        for t in &self.tables {
            let (expression, result) = match t.eval(&env) {
                Ok((row, v, _)) => {
                    let r = &t.rows[row];
                    let cells: Vec<String> = t
                        .inputs
                        .iter()
                        .zip(&r.cell_text)
                        .map(|(i, c)| format!("{} {}", i.source, c.trim()))
                        .collect();
                    let text = format!("#{} {} → {}", row + 1, cells.join("，"), r.output.source);
                    env.tables.insert(format!("table.{}", t.id), v.clone());
                    (
                        text,
                        StepResult::Value {
                            value: v.to_string(),
                        },
                    )
                }
                Err(why) => (String::new(), StepResult::Undecided { why }),
            };
            trace.push(Step {
                kind: StepKind::Table,
                id: t.id.clone(),
                name: t.name.clone(),
                reference: t.reference.clone(),
                expression,
                facts: reads(&env),
                result,
            });
        }
        let (mut failed, mut undecided) = (false, false);
        for r in &self.rules {
            let result = match expr::eval(&r.when.expr, &env) {
                Ok(v) if v.as_bool() => StepResult::Passed,
                Ok(_) => {
                    failed = true;
                    StepResult::Failed
                }
                Err(why) => {
                    undecided = true;
                    StepResult::Undecided { why }
                }
            };
            trace.push(Step {
                kind: StepKind::Rule,
                id: r.id.clone(),
                name: r.name.clone(),
                reference: r.reference.clone(),
                expression: r.when.source.clone(),
                facts: reads(&env),
                result,
            });
        }
        let mut outcome = if failed {
            Outcome::Fail
        } else if undecided {
            Outcome::Undecided
        } else {
            Outcome::Pass
        };
        let mut amount_fen = None;
        if let (Outcome::Pass, Some(a)) = (outcome, &self.amount) {
            let result = match expr::eval(&a.formula.expr, &env) {
                Ok(Value::Money(n)) if n < 0 => {
                    Err(Undecided::NegativeAmount(Value::Money(n).to_string()))
                }
                Ok(v) => Ok(v),
                Err(why) => Err(why),
            };
            let result = match result {
                Ok(v) => {
                    amount_fen = Some(v.number());
                    StepResult::Value {
                        value: v.to_string(),
                    }
                }
                Err(why) => {
                    outcome = Outcome::Undecided;
                    StepResult::Undecided { why }
                }
            };
            trace.push(Step {
                kind: StepKind::Amount,
                id: "amount".into(),
                name: String::new(),
                reference: a.reference.clone(),
                expression: a.formula.source.clone(),
                facts: reads(&env),
                result,
            });
        }
        Decision {
            rule_set: self.code.clone(),
            version: self.version,
            outcome,
            amount_fen,
            trace,
        }
    }
}

impl DecideEnv<'_> {
    /// A fact given with another type than declared counts as missing: never a type error
    /// at run time.
    fn get_quiet(&self, name: &str) -> Option<Value> {
        if name.starts_with("table.") {
            return self.tables.get(name).cloned();
        }
        self.facts
            .get(name)
            .filter(|v| self.types.get(name) == Some(&v.ty()))
            .cloned()
    }
}
