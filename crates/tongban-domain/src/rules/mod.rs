//! Rules as data (R4, R12): typed facts, conditions, decision tables and amount formulas that
//! an administrator writes as a TOML document, checked when saved and evaluated with a trace
//! a clerk and an applicant can read. One engine decides automatic approvals of cases and the
//! eligibility and amount of enterprise-benefit policies.
//!
//! A rule set is judged as a whole: it passes when every rule holds; it fails when some rule
//! does not; it "cannot decide" when no rule failed but one could not be evaluated (a missing
//! fact, a division by zero, an overflow). Only a pass ever leads to an automatic decision.

pub mod batch;
mod compile;
mod decide;
pub mod expr;
pub mod table;

pub use compile::*;
pub use decide::*;
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
    (
        "applicant.credit.dishonest",
        "申请人有公示中的失信行为（按信用行为清单）",
        Type::Bool,
    ),
    (
        "applicant.credit.trustworthy",
        "申请人为守信激励对象且无失信行为",
        Type::Bool,
    ),
    (
        "applicant.credit.no_policy",
        "措施清单：限制享受财政资金支持政策",
        Type::Bool,
    ),
    (
        "applicant.credit.benefit",
        "措施清单：享受信易+激励",
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
