//! The expression language of conditions, table cells and amount formulas.
//!
//! Small on purpose: literals (`12`, `5000元`, `20万元`, `5%`, `"text"`, `true`), fact names
//! (`enterprise.employees`, `form.licence_valid_until`, `table.tier`), arithmetic, comparisons,
//! `and`/`or`/`not`, and a few functions (`min`, `max`, `if`, `date`, `days_between`,
//! `years_between`). Money is integer fen, percentages integer parts per million; every
//! operation is checked, so overflow or division by zero is "cannot decide", never a wrong number.

use super::{Type, Value};
use jiff::civil::Date;
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
// Lexing and parsing

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num {
        int: String,
        frac: String,
        unit: Unit,
    },
    Str(String),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    None,
    Yuan,
    Wan,
    Yi,
    Percent,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let mut int = String::new();
            while i < chars.len()
                && (chars[i].is_ascii_digit() || chars[i] == ',' || chars[i] == '_')
            {
                // Thousands separators inside a number (`1,000,000`) but not the comma of an
                // argument list: a separator must be followed by exactly three digits.
                if chars[i] == ',' || chars[i] == '_' {
                    let three =
                        (1..=3).all(|k| chars.get(i + k).is_some_and(|d| d.is_ascii_digit()));
                    let fourth = chars.get(i + 4).is_some_and(|d| d.is_ascii_digit());
                    if !three || fourth {
                        break;
                    }
                } else {
                    int.push(chars[i]);
                }
                i += 1;
            }
            let mut frac = String::new();
            if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    frac.push(chars[i]);
                    i += 1;
                }
            }
            let rest: String = chars[i..].iter().take(2).collect();
            let unit = if rest.starts_with("万元") {
                i += 2;
                Unit::Wan
            } else if rest.starts_with("亿元") {
                i += 2;
                Unit::Yi
            } else if rest.starts_with('元') {
                i += 1;
                Unit::Yuan
            } else if rest.starts_with('%') {
                i += 1;
                Unit::Percent
            } else {
                Unit::None
            };
            out.push((Tok::Num { int, frac, unit }, at));
            continue;
        }
        if c == '"' || c == '“' {
            let close = if c == '"' { '"' } else { '”' };
            let mut s = String::new();
            i += 1;
            while i < chars.len() && chars[i] != close {
                s.push(chars[i]);
                i += 1;
            }
            if i >= chars.len() {
                return Err(ExprError::new("unterminated_string", "", at));
            }
            i += 1;
            out.push((Tok::Str(s), at));
            continue;
        }
        if is_ident_start(c) {
            let mut s = String::new();
            while i < chars.len() && is_ident_char(chars[i]) {
                s.push(chars[i]);
                i += 1;
            }
            let tok = match s.as_str() {
                "and" => Tok::Op("and"),
                "or" => Tok::Op("or"),
                "not" => Tok::Op("not"),
                _ => Tok::Ident(s),
            };
            out.push((tok, at));
            continue;
        }
        let two: String = chars[i..].iter().take(2).collect();
        let op2 = ["<=", ">=", "==", "!=", "&&", "||"]
            .into_iter()
            .find(|o| two == *o);
        if let Some(o) = op2 {
            let o = match o {
                "&&" => "and",
                "||" => "or",
                o => o,
            };
            out.push((Tok::Op(o), at));
            i += 2;
            continue;
        }
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            ',' => Tok::Comma,
            '+' => Tok::Op("+"),
            '-' => Tok::Op("-"),
            '*' => Tok::Op("*"),
            '/' => Tok::Op("/"),
            '<' => Tok::Op("<"),
            '>' => Tok::Op(">"),
            '=' => Tok::Op("=="),
            '!' => Tok::Op("not"),
            _ => return Err(ExprError::new("unexpected_character", c.to_string(), at)),
        };
        out.push((tok, at));
        i += 1;
    }
    Ok(out)
}

/// A parsed expression with the column of every node, for naming errors precisely.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub expr: Expr,
    pub source: String,
    /// Column of each fact reference, in order of appearance (for error messages).
    positions: Vec<(String, usize)>,
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
    positions: Vec<(String, usize)>,
}

/// Parses one expression. Errors name the column where the text stops making sense.
pub fn parse(src: &str) -> Result<Parsed, ExprError> {
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(ExprError::new("empty_expression", "", 0));
    }
    let end = src.chars().count() + 1;
    let mut p = Parser {
        toks,
        pos: 0,
        end,
        positions: Vec::new(),
    };
    let expr = p.or()?;
    if let Some((t, at)) = p.toks.get(p.pos) {
        return Err(ExprError::new("unexpected_token", tok_text(t), *at));
    }
    Ok(Parsed {
        expr,
        source: src.trim().to_string(),
        positions: p.positions,
    })
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Num { int, frac, .. } if frac.is_empty() => int.clone(),
        Tok::Num { int, frac, .. } => format!("{int}.{frac}"),
        Tok::Str(s) => format!("\"{s}\""),
        Tok::Ident(s) => s.clone(),
        Tok::Op(o) => (*o).to_string(),
        Tok::LParen => "(".into(),
        Tok::RParen => ")".into(),
        Tok::Comma => ",".into(),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }
    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, a)| *a)
    }
    fn eat_op(&mut self, ops: &[&'static str]) -> Option<&'static str> {
        if let Some(Tok::Op(o)) = self.peek()
            && let Some(found) = ops.iter().find(|x| *x == o)
        {
            self.pos += 1;
            return Some(found);
        }
        None
    }
    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut l = self.and()?;
        while self.eat_op(&["or"]).is_some() {
            let r = self.and()?;
            l = Expr::Binary(BinOp::Or, Box::new(l), Box::new(r));
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut l = self.not()?;
        while self.eat_op(&["and"]).is_some() {
            let r = self.not()?;
            l = Expr::Binary(BinOp::And, Box::new(l), Box::new(r));
        }
        Ok(l)
    }
    fn not(&mut self) -> Result<Expr, ExprError> {
        if self.eat_op(&["not"]).is_some() {
            let e = self.not()?;
            return Ok(Expr::Unary(UnOp::Not, Box::new(e)));
        }
        self.cmp()
    }
    fn cmp(&mut self) -> Result<Expr, ExprError> {
        let l = self.add()?;
        let ops = ["==", "!=", "<=", ">=", "<", ">"];
        if let Some(o) = self.eat_op(&ops) {
            let op = match o {
                "==" => BinOp::Eq,
                "!=" => BinOp::Ne,
                "<=" => BinOp::Le,
                ">=" => BinOp::Ge,
                "<" => BinOp::Lt,
                _ => BinOp::Gt,
            };
            let r = self.add()?;
            if let Some(Tok::Op(o2)) = self.peek()
                && ops.contains(o2)
            {
                return Err(ExprError::new("chained_comparison", *o2, self.at()));
            }
            return Ok(Expr::Binary(op, Box::new(l), Box::new(r)));
        }
        Ok(l)
    }
    fn add(&mut self) -> Result<Expr, ExprError> {
        let mut l = self.mul()?;
        while let Some(o) = self.eat_op(&["+", "-"]) {
            let op = if o == "+" { BinOp::Add } else { BinOp::Sub };
            let r = self.mul()?;
            l = Expr::Binary(op, Box::new(l), Box::new(r));
        }
        Ok(l)
    }
    fn mul(&mut self) -> Result<Expr, ExprError> {
        let mut l = self.unary()?;
        while let Some(o) = self.eat_op(&["*", "/"]) {
            let op = if o == "*" { BinOp::Mul } else { BinOp::Div };
            let r = self.unary()?;
            l = Expr::Binary(op, Box::new(l), Box::new(r));
        }
        Ok(l)
    }
    fn unary(&mut self) -> Result<Expr, ExprError> {
        if self.eat_op(&["-"]).is_some() {
            let e = self.unary()?;
            return Ok(Expr::Unary(UnOp::Neg, Box::new(e)));
        }
        self.primary()
    }
    fn primary(&mut self) -> Result<Expr, ExprError> {
        let at = self.at();
        let Some((tok, _)) = self.toks.get(self.pos).cloned() else {
            return Err(ExprError::new("unexpected_end", "", at));
        };
        self.pos += 1;
        match tok {
            Tok::Num { int, frac, unit } => number(&int, &frac, unit, at).map(Expr::Lit),
            Tok::Str(s) => Ok(Expr::Lit(Value::Text(s))),
            Tok::LParen => {
                let e = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(ExprError::new("expected_close_paren", "", self.at()));
                }
                self.pos += 1;
                Ok(e)
            }
            Tok::Ident(name) => match name.as_str() {
                "true" | "是" => Ok(Expr::Lit(Value::Bool(true))),
                "false" | "否" => Ok(Expr::Lit(Value::Bool(false))),
                _ if self.peek() == Some(&Tok::LParen) => self.call(&name, at),
                _ => {
                    if name.ends_with('.') || name.contains("..") {
                        return Err(ExprError::new("bad_name", name, at));
                    }
                    self.positions.push((name.clone(), at));
                    Ok(Expr::Fact(name))
                }
            },
            t => Err(ExprError::new("unexpected_token", tok_text(&t), at)),
        }
    }
    fn call(&mut self, name: &str, at: usize) -> Result<Expr, ExprError> {
        let f = match name {
            "min" => Func::Min,
            "max" => Func::Max,
            "if" => Func::If,
            "date" => Func::Date,
            "days_between" => Func::DaysBetween,
            "years_between" => Func::YearsBetween,
            _ => return Err(ExprError::new("unknown_function", name, at)),
        };
        self.pos += 1; // (
        let mut args = Vec::new();
        if self.peek() == Some(&Tok::RParen) {
            self.pos += 1;
        } else {
            loop {
                args.push(self.or()?);
                match self.peek() {
                    Some(Tok::Comma) => self.pos += 1,
                    Some(Tok::RParen) => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(ExprError::new("expected_close_paren", "", self.at())),
                }
            }
        }
        let arity_ok = match f {
            Func::Min | Func::Max => args.len() >= 2,
            Func::If => args.len() == 3,
            Func::Date => args.len() == 1,
            Func::DaysBetween | Func::YearsBetween => args.len() == 2,
        };
        if !arity_ok {
            return Err(ExprError::new("wrong_argument_count", name, at));
        }
        if f == Func::Date {
            // A date literal: checked now, so a typo is a save-time error.
            let Expr::Lit(Value::Text(s)) = &args[0] else {
                return Err(ExprError::new("date_literal", name, at));
            };
            let d: Date = s
                .parse()
                .map_err(|_| ExprError::new("bad_date", s.clone(), at))?;
            return Ok(Expr::Lit(Value::Date(d)));
        }
        Ok(Expr::Call(f, args))
    }
}

/// Turns a number token into a value: no unit is an integer, `元`/`万元`/`亿元` money in fen
/// (at most two decimals of 元), `%` a percentage in ppm (at most four decimals).
fn number(int: &str, frac: &str, unit: Unit, at: usize) -> Result<Value, ExprError> {
    let text = if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    };
    // Scale: how many fen (or ppm) one unit is, and how many decimals that allows.
    let (scale, max_decimals): (i128, usize) = match unit {
        Unit::None => (1, 0),
        Unit::Yuan => (100, 2),
        Unit::Wan => (1_000_000, 6),
        Unit::Yi => (10_000_000_000, 10),
        Unit::Percent => (10_000, 4),
    };
    if frac.len() > max_decimals {
        return Err(ExprError::new("too_many_decimals", text, at));
    }
    let too_big = || ExprError::new("number_too_large", text.clone(), at);
    let whole: i128 = int.parse().map_err(|_| too_big())?;
    let mut v = whole.checked_mul(scale).ok_or_else(too_big)?;
    if !frac.is_empty() {
        let f: i128 = frac.parse().map_err(|_| too_big())?;
        let denom = 10i128.pow(frac.len() as u32);
        v += f * scale / denom;
    }
    let v = i64::try_from(v).map_err(|_| too_big())?;
    Ok(match unit {
        Unit::None => Value::Int(v),
        Unit::Percent => Value::Percent(v),
        _ => Value::Money(v),
    })
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
