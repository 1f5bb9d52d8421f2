//! The expression language of conditions, table cells and amount formulas.
//!
//! Small on purpose: literals (`12`, `5000元`, `20万元`, `5%`, `"text"`, `true`), fact names
//! (`enterprise.employees`, `form.licence_valid_until`, `table.tier`), arithmetic, comparisons,
//! `and`/`or`/`not`, and a few functions (`min`, `max`, `if`, `date`, `days_between`,
//! `years_between`). Money is integer fen, percentages integer parts per million; every
//! operation is checked, so overflow or division by zero is "cannot decide", never a wrong number.

mod parse;

use super::{Type, Value};
use jiff::civil::Date;
pub use parse::*;
use std::fmt;

/// One million: percentages are stored as parts per million (5% = 50 000).
pub const PPM: i128 = 1_000_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(Value),
    Fact(String),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Min,
    Max,
    If,
    Date,
    DaysBetween,
    YearsBetween,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

/// Why an expression was refused when a rule set was saved. `at` is the 1-based character
/// column in the expression's text (0 where the whole expression is meant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub code: &'static str,
    pub detail: String,
    pub at: usize,
}

impl ExprError {
    pub(crate) fn new(code: &'static str, detail: impl Into<String>, at: usize) -> Self {
        ExprError {
            code,
            detail: detail.into(),
            at,
        }
    }
}

/// Why an evaluation cannot decide. Never a panic, never a guess.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "reason", content = "detail", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Undecided {
    /// A fact the rule reads has no value for this applicant.
    MissingFact(String),
    /// A division whose divisor is zero.
    DivisionByZero(String),
    /// A result outside the range of 64-bit integers (about ±9.2 × 10¹⁸ fen).
    Overflow(String),
    /// No row of a decision table matches (possible only when a fact is outside the range the
    /// table was checked over).
    NoTableRow(String),
    /// The amount formula gave a negative amount.
    NegativeAmount(String),
}

impl Undecided {
    pub fn code(&self) -> &'static str {
        match self {
            Undecided::MissingFact(_) => "missing_fact",
            Undecided::DivisionByZero(_) => "division_by_zero",
            Undecided::Overflow(_) => "overflow",
            Undecided::NoTableRow(_) => "no_table_row",
            Undecided::NegativeAmount(_) => "negative_amount",
        }
    }
    pub fn detail(&self) -> &str {
        match self {
            Undecided::MissingFact(s)
            | Undecided::DivisionByZero(s)
            | Undecided::Overflow(s)
            | Undecided::NoTableRow(s)
            | Undecided::NegativeAmount(s) => s,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Type checking

/// Resolves a name to its type while checking (facts, form fields, tables).
pub trait Scope {
    fn type_of(&self, name: &str) -> Option<Type>;
}

impl Parsed {
    /// Checks the types of the whole expression; errors name the column of a bad fact name.
    pub fn check(&self, scope: &dyn Scope) -> Result<Type, ExprError> {
        let mut facts = self.positions.iter();
        check(&self.expr, scope, &mut facts)
    }

    /// Names of the facts the expression reads, in order of appearance, without repeats.
    pub fn facts(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for (n, _) in &self.positions {
            if !v.contains(n) {
                v.push(n.clone());
            }
        }
        v
    }
}

fn check<'a>(
    e: &Expr,
    scope: &dyn Scope,
    facts: &mut impl Iterator<Item = &'a (String, usize)>,
) -> Result<Type, ExprError> {
    use Type::*;
    Ok(match e {
        Expr::Lit(v) => v.ty(),
        Expr::Fact(name) => {
            let at = facts.next().map_or(0, |(_, a)| *a);
            scope
                .type_of(name)
                .ok_or_else(|| ExprError::new("unknown_fact", name.clone(), at))?
        }
        Expr::Unary(UnOp::Neg, x) => match check(x, scope, facts)? {
            t @ (Int | Money | Percent) => t,
            t => return Err(type_error(format!("-{}", t.key()))),
        },
        Expr::Unary(UnOp::Not, x) => match check(x, scope, facts)? {
            Bool => Bool,
            t => return Err(type_error(format!("not {}", t.key()))),
        },
        Expr::Binary(op, l, r) => {
            let (a, b) = (check(l, scope, facts)?, check(r, scope, facts)?);
            binary_type(*op, a, b)
                .ok_or_else(|| type_error(format!("{} {} {}", a.key(), op.symbol(), b.key())))?
        }
        Expr::Call(f, args) => {
            let ts = args
                .iter()
                .map(|a| check(a, scope, facts))
                .collect::<Result<Vec<_>, _>>()?;
            match f {
                Func::Min | Func::Max => {
                    let t = ts[0];
                    if !matches!(t, Int | Money | Percent | Date) || ts.iter().any(|x| *x != t) {
                        return Err(type_error(call_sig(*f, &ts)));
                    }
                    t
                }
                Func::If => {
                    if ts[0] != Bool || ts[1] != ts[2] {
                        return Err(type_error(call_sig(*f, &ts)));
                    }
                    ts[1]
                }
                Func::DaysBetween | Func::YearsBetween => {
                    if ts != [Date, Date] {
                        return Err(type_error(call_sig(*f, &ts)));
                    }
                    Int
                }
                Func::Date => Date,
            }
        }
    })
}

fn type_error(detail: String) -> ExprError {
    ExprError::new("type_mismatch", detail, 0)
}

fn call_sig(f: Func, ts: &[Type]) -> String {
    let name = match f {
        Func::Min => "min",
        Func::Max => "max",
        Func::If => "if",
        Func::Date => "date",
        Func::DaysBetween => "days_between",
        Func::YearsBetween => "years_between",
    };
    let args: Vec<&str> = ts.iter().map(|t| t.key()).collect();
    format!("{name}({})", args.join(", "))
}

/// The type of `a op b`, or `None` when the combination means nothing (money + integer…).
pub fn binary_type(op: BinOp, a: Type, b: Type) -> Option<Type> {
    use BinOp::*;
    use Type::*;
    match op {
        And | Or => (a == Bool && b == Bool).then_some(Bool),
        Eq | Ne => (a == b).then_some(Bool),
        Lt | Le | Gt | Ge => (a == b && matches!(a, Int | Money | Percent | Date)).then_some(Bool),
        Add | Sub => (a == b && matches!(a, Int | Money | Percent)).then_some(a),
        Mul => match (a, b) {
            (Int, Int) => Some(Int),
            (Money, Int) | (Int, Money) | (Money, Percent) | (Percent, Money) => Some(Money),
            (Percent, Int) | (Int, Percent) => Some(Int),
            (Percent, Percent) => Some(Percent),
            _ => None,
        },
        Div => match (a, b) {
            (Int, Int) => Some(Int),
            (Money, Int) => Some(Money),
            (Money, Money) | (Percent, Percent) => Some(Percent),
            (Percent, Int) => Some(Percent),
            _ => None,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// Where evaluation reads facts from.
pub trait Env {
    fn get(&self, name: &str) -> Option<Value>;
}

/// Evaluates a checked expression. `and`/`or` look at the right side only when the left does
/// not settle the answer, so `false and <missing>` is false, `true or <missing>` is true.
pub fn eval(e: &Expr, env: &dyn Env) -> Result<Value, Undecided> {
    match e {
        Expr::Lit(v) => Ok(v.clone()),
        Expr::Fact(name) => env
            .get(name)
            .ok_or_else(|| Undecided::MissingFact(name.clone())),
        Expr::Unary(UnOp::Not, x) => Ok(Value::Bool(!eval(x, env)?.as_bool())),
        Expr::Unary(UnOp::Neg, x) => {
            let v = eval(x, env)?;
            let n = v
                .number()
                .checked_neg()
                .ok_or_else(|| Undecided::Overflow(format!("-{v}")))?;
            Ok(v.with_number(n))
        }
        Expr::Binary(BinOp::And, l, r) => {
            if !eval(l, env)?.as_bool() {
                return Ok(Value::Bool(false));
            }
            Ok(Value::Bool(eval(r, env)?.as_bool()))
        }
        Expr::Binary(BinOp::Or, l, r) => {
            if eval(l, env)?.as_bool() {
                return Ok(Value::Bool(true));
            }
            Ok(Value::Bool(eval(r, env)?.as_bool()))
        }
        Expr::Binary(op, l, r) => {
            let (a, b) = (eval(l, env)?, eval(r, env)?);
            binary(*op, &a, &b)
        }
        Expr::Call(f, args) => call(*f, args, env),
    }
}

fn call(f: Func, args: &[Expr], env: &dyn Env) -> Result<Value, Undecided> {
    match f {
        Func::If => {
            if eval(&args[0], env)?.as_bool() {
                eval(&args[1], env)
            } else {
                eval(&args[2], env)
            }
        }
        Func::Min | Func::Max => {
            let mut best = eval(&args[0], env)?;
            for a in &args[1..] {
                let v = eval(a, env)?;
                let better = if f == Func::Min {
                    v.order_key() < best.order_key()
                } else {
                    v.order_key() > best.order_key()
                };
                if better {
                    best = v;
                }
            }
            Ok(best)
        }
        Func::DaysBetween | Func::YearsBetween => {
            let (Value::Date(a), Value::Date(b)) = (eval(&args[0], env)?, eval(&args[1], env)?)
            else {
                unreachable!("checked: both arguments are dates")
            };
            let unit = if f == Func::DaysBetween {
                jiff::Unit::Day
            } else {
                jiff::Unit::Year
            };
            // Dates are within jiff's range (years -9999..=9999), so this cannot fail.
            let span = a.until((unit, b)).expect("span between two civil dates");
            Ok(Value::Int(if f == Func::DaysBetween {
                i64::from(span.get_days())
            } else {
                i64::from(span.get_years())
            }))
        }
        Func::Date => unreachable!("date() is folded to a literal when parsed"),
    }
}

/// Floor division (towards minus infinity), as the formulas promise: amounts never round up.
fn floor_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

/// Applies a checked binary operator to two values of matching types.
pub fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value, Undecided> {
    use BinOp::*;
    use Value as V;
    let show = || format!("{a} {} {b}", op.symbol());
    let fit = |x: i128| i64::try_from(x).map_err(|_| Undecided::Overflow(show()));
    let (x, y) = (a.number() as i128, b.number() as i128);
    match op {
        Eq => return Ok(V::Bool(a == b)),
        Ne => return Ok(V::Bool(a != b)),
        Lt => return Ok(V::Bool(a.order_key() < b.order_key())),
        Le => return Ok(V::Bool(a.order_key() <= b.order_key())),
        Gt => return Ok(V::Bool(a.order_key() > b.order_key())),
        Ge => return Ok(V::Bool(a.order_key() >= b.order_key())),
        And | Or => unreachable!("evaluated with short-circuit"),
        _ => {}
    }
    let result_ty = binary_type(op, a.ty(), b.ty()).expect("type-checked");
    let n: i128 = match op {
        Add => x + y,
        Sub => x - y,
        Mul => match (a, b) {
            // A percentage scales the other side: multiply, then floor back from ppm.
            (V::Percent(_), _) | (_, V::Percent(_)) => floor_div(x * y, PPM),
            _ => x
                .checked_mul(y)
                .ok_or_else(|| Undecided::Overflow(show()))?,
        },
        Div => {
            if y == 0 {
                return Err(Undecided::DivisionByZero(show()));
            }
            match (a, b) {
                // Money / money and percent / percent give a ratio in ppm.
                (V::Money(_), V::Money(_)) | (V::Percent(_), V::Percent(_)) => {
                    floor_div(x * PPM, y)
                }
                _ => floor_div(x, y),
            }
        }
        _ => unreachable!(),
    };
    let n = fit(n)?;
    Ok(match result_ty {
        Type::Int => V::Int(n),
        Type::Money => V::Money(n),
        Type::Percent => V::Percent(n),
        _ => unreachable!("arithmetic gives numbers"),
    })
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Lit(Value::Text(s)) => write!(f, "\"{s}\""),
            Expr::Lit(Value::Date(d)) => write!(f, "date(\"{d}\")"),
            Expr::Lit(v) => write!(f, "{}", v.literal()),
            Expr::Fact(n) => f.write_str(n),
            Expr::Unary(UnOp::Neg, x) => write!(f, "-({x})"),
            Expr::Unary(UnOp::Not, x) => write!(f, "not ({x})"),
            Expr::Binary(op, l, r) => write!(f, "({l} {} {r})", op.symbol()),
            Expr::Call(func, args) => {
                let name = call_sig(*func, &[]);
                let name = name.trim_end_matches("()");
                let parts: Vec<String> = args.iter().map(|a| a.to_string()).collect();
                write!(f, "{name}({})", parts.join(", "))
            }
        }
    }
}
