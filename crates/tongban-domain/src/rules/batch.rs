//! Column-wise evaluation: one rule set over many applicants at once (policy matching for every
//! enterprise, what-if over thousands of past decisions). Each expression node runs as one tight
//! loop over a column, as a vectorised engine does; the per-row semantics are exactly those of
//! [`RuleSet::decide`] (same checked arithmetic, same "cannot decide"), without the trace.
//! A property test holds the two paths equal.

use super::expr::{BinOp, Expr, Func, PPM, UnOp};
use super::{Outcome, RuleSet, Type, Value};
use jiff::civil::Date;
use std::collections::HashMap;

/// Why a row cannot be decided (0 = decided), mirroring [`super::expr::Undecided`].
const OK: u8 = 0;
const MISSING: u8 = 1;
const DIV_ZERO: u8 = 2;
const OVERFLOW: u8 = 3;
const NO_ROW: u8 = 4;

/// Days since 1970-01-01 of a civil date (proleptic Gregorian), without a time-zone library.
pub fn day_number(d: Date) -> i64 {
    let (y, m, dd) = (
        i64::from(d.year()),
        i64::from(d.month()),
        i64::from(d.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn date_of(n: i64) -> Option<Date> {
    let z = n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Date::new(i16::try_from(y).ok()?, m as i8, d as i8).ok()
}

/// A column of one type.
#[derive(Debug, Clone)]
pub enum Col {
    Bool(Vec<bool>),
    /// Int, Money or Percent.
    Num(Type, Vec<i64>),
    /// Day numbers.
    Date(Vec<i64>),
    Text(Vec<String>),
}

impl Col {
    fn ty(&self) -> Type {
        match self {
            Col::Bool(_) => Type::Bool,
            Col::Num(t, _) => *t,
            Col::Date(_) => Type::Date,
            Col::Text(_) => Type::Text,
        }
    }
    /// Order key of row `i` (numbers, day numbers, booleans as 0/1).
    fn key(&self, i: usize) -> i64 {
        match self {
            Col::Bool(v) => i64::from(v[i]),
            Col::Num(_, v) | Col::Date(v) => v[i],
            Col::Text(_) => 0,
        }
    }
    fn value(&self, i: usize) -> Value {
        match self {
            Col::Bool(v) => Value::Bool(v[i]),
            Col::Num(t, v) => t.from_key(v[i]),
            Col::Date(v) => date_of(v[i]).map_or(Value::Int(v[i]), Value::Date),
            Col::Text(v) => Value::Text(v[i].clone()),
        }
    }
    fn zeros(ty: Type, n: usize) -> Col {
        match ty {
            Type::Bool => Col::Bool(vec![false; n]),
            Type::Date => Col::Date(vec![0; n]),
            Type::Text => Col::Text(vec![String::new(); n]),
            t => Col::Num(t, vec![0; n]),
        }
    }
    fn broadcast(v: &Value, n: usize) -> Col {
        match v {
            Value::Bool(b) => Col::Bool(vec![*b; n]),
            Value::Date(d) => Col::Date(vec![day_number(*d); n]),
            Value::Text(s) => Col::Text(vec![s.clone(); n]),
            v => Col::Num(v.ty(), vec![v.number(); n]),
        }
    }
    fn bools(&self) -> &[bool] {
        match self {
            Col::Bool(v) => v,
            _ => unreachable!("type-checked: a condition"),
        }
    }
    fn nums(&self) -> &[i64] {
        match self {
            Col::Num(_, v) | Col::Date(v) => v,
            _ => unreachable!("type-checked: a number"),
        }
    }
}

/// Facts for many applicants, one column per fact (absent rows marked).
#[derive(Debug, Clone, Default)]
pub struct Batch {
    len: usize,
    /// Per fact, its column(s): one per type given (a fact given with another type than the
    /// rule set declares counts as missing, as in a single decision).
    cols: HashMap<String, Vec<(Col, Option<Vec<bool>>)>>,
}

impl Batch {
    pub fn new(len: usize) -> Self {
        Batch {
            len,
            cols: HashMap::new(),
        }
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Adds a fact's column; `present[i] == false` marks the fact missing for row `i`.
    pub fn insert(&mut self, key: &str, col: Col, present: Option<Vec<bool>>) {
        let cols = self.cols.entry(key.to_string()).or_default();
        cols.retain(|(c, _)| c.ty() != col.ty());
        cols.push((col, present));
    }
    pub fn insert_dates(&mut self, key: &str, dates: &[Date]) {
        let col = Col::Date(dates.iter().map(|d| day_number(*d)).collect());
        self.insert(key, col, None);
    }
    /// Builds the columns from per-applicant facts (a fact of the wrong type counts as missing).
    pub fn from_facts(rows: &[super::Facts]) -> Batch {
        let mut b = Batch::new(rows.len());
        let mut keys: Vec<(&String, Type)> = Vec::new();
        for r in rows {
            for (k, v) in r {
                if !keys.iter().any(|(x, t)| *x == k && *t == v.ty()) {
                    keys.push((k, v.ty()));
                }
            }
        }
        for (k, ty) in keys {
            let present: Vec<bool> = rows
                .iter()
                .map(|r| r.get(k).is_some_and(|v| v.ty() == ty))
                .collect();
            fn typed<'r>(r: &'r super::Facts, k: &str, ty: Type) -> Option<&'r Value> {
                r.get(k).filter(|v| v.ty() == ty)
            }
            let get = |r| typed(r, k, ty);
            let col = match ty {
                Type::Bool => Col::Bool(
                    rows.iter()
                        .map(|r| get(r).is_some_and(Value::as_bool))
                        .collect(),
                ),
                Type::Date => Col::Date(
                    rows.iter()
                        .map(|r| match get(r) {
                            Some(Value::Date(d)) => day_number(*d),
                            _ => 0,
                        })
                        .collect(),
                ),
                Type::Text => Col::Text(
                    rows.iter()
                        .map(|r| match get(r) {
                            Some(Value::Text(s)) => s.clone(),
                            _ => String::new(),
                        })
                        .collect(),
                ),
                t => Col::Num(
                    t,
                    rows.iter()
                        .map(|r| get(r).map_or(0, Value::number))
                        .collect(),
                ),
            };
            let all = present.iter().all(|p| *p);
            b.insert(k, col, (!all).then_some(present));
        }
        b
    }
}

/// An evaluated column with a reason code per row (0: decided).
struct V {
    col: Col,
    err: Vec<u8>,
}

struct Eval<'a> {
    batch: &'a Batch,
    rules: &'a RuleSet,
    tables: HashMap<String, V>,
}

fn first_err(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter()
        .zip(b)
        .map(|(x, y)| if *x != OK { *x } else { *y })
        .collect()
}

fn floor_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

impl Eval<'_> {
    fn n(&self) -> usize {
        self.batch.len
    }

    fn eval(&self, e: &Expr) -> V {
        let n = self.n();
        match e {
            Expr::Lit(v) => V {
                col: Col::broadcast(v, n),
                err: vec![OK; n],
            },
            Expr::Fact(name) => {
                let declared = self
                    .rules
                    .type_of(name)
                    .expect("type-checked: a known name");
                let found = if name.starts_with("table.") {
                    self.tables
                        .get(name)
                        .map(|v| (v.col.clone(), v.err.clone()))
                } else {
                    let cols = self.batch.cols.get(name);
                    let col = cols.and_then(|cs| cs.iter().find(|(c, _)| c.ty() == declared));
                    col.map(|(c, present)| {
                        let err = match present {
                            Some(p) => p.iter().map(|x| if *x { OK } else { MISSING }).collect(),
                            None => vec![OK; n],
                        };
                        (c.clone(), err)
                    })
                };
                match found {
                    Some((col, err)) => V { col, err },
                    // Missing (or of another type) for every row: every row is undecided.
                    None => V {
                        col: Col::zeros(declared, n),
                        err: vec![MISSING; n],
                    },
                }
            }
            Expr::Unary(UnOp::Not, x) => {
                let v = self.eval(x);
                let col = match &v.col {
                    Col::Bool(b) => Col::Bool(b.iter().map(|x| !x).collect()),
                    _ => Col::Bool(vec![false; n]),
                };
                V { col, err: v.err }
            }
            Expr::Unary(UnOp::Neg, x) => {
                let mut v = self.eval(x);
                if let Col::Num(_, xs) = &mut v.col {
                    for (i, x) in xs.iter_mut().enumerate() {
                        match x.checked_neg() {
                            Some(y) => *x = y,
                            None if v.err[i] == OK => v.err[i] = OVERFLOW,
                            None => {}
                        }
                    }
                }
                v
            }
            Expr::Binary(BinOp::And, l, r) | Expr::Binary(BinOp::Or, l, r) => {
                let is_and = matches!(e, Expr::Binary(BinOp::And, ..));
                let (a, b) = (self.eval(l), self.eval(r));
                let (ab, bb) = (a.col.bools(), b.col.bools());
                let mut out = Vec::with_capacity(n);
                let mut err = Vec::with_capacity(n);
                for i in 0..n {
                    if a.err[i] != OK {
                        out.push(false);
                        err.push(a.err[i]);
                    } else if ab[i] != is_and {
                        // The left side settles it: false for `and`, true for `or`.
                        out.push(ab[i]);
                        err.push(OK);
                    } else {
                        out.push(bb[i]);
                        err.push(b.err[i]);
                    }
                }
                V {
                    col: Col::Bool(out),
                    err,
                }
            }
            Expr::Binary(op, l, r) => {
                let (a, b) = (self.eval(l), self.eval(r));
                self.binary(*op, a, b)
            }
            Expr::Call(f, args) => self.call(*f, args),
        }
    }

    fn binary(&self, op: BinOp, a: V, b: V) -> V {
        let n = self.n();
        let mut err = first_err(&a.err, &b.err);
        let cmp = |f: fn(i64, i64) -> bool| -> Col {
            Col::Bool((0..n).map(|i| f(a.col.key(i), b.col.key(i))).collect())
        };
        let col = match op {
            BinOp::Eq | BinOp::Ne => {
                let eq: Vec<bool> = match (&a.col, &b.col) {
                    (Col::Text(x), Col::Text(y)) => x.iter().zip(y).map(|(p, q)| p == q).collect(),
                    _ => (0..n).map(|i| a.col.key(i) == b.col.key(i)).collect(),
                };
                Col::Bool(if op == BinOp::Eq {
                    eq
                } else {
                    eq.into_iter().map(|x| !x).collect()
                })
            }
            BinOp::Lt => cmp(|x, y| x < y),
            BinOp::Le => cmp(|x, y| x <= y),
            BinOp::Gt => cmp(|x, y| x > y),
            BinOp::Ge => cmp(|x, y| x >= y),
            BinOp::And | BinOp::Or => unreachable!("short-circuit above"),
            _ => {
                let (ta, tb) = (a.col.ty(), b.col.ty());
                let ty = super::expr::binary_type(op, ta, tb).expect("type-checked");
                let (xs, ys) = (a.col.nums(), b.col.nums());
                let percent = ta == Type::Percent || tb == Type::Percent;
                let ratio = ta == tb && matches!(ta, Type::Money | Type::Percent);
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    let (x, y) = (xs[i] as i128, ys[i] as i128);
                    let r: Result<i128, u8> = match op {
                        BinOp::Add => Ok(x + y),
                        BinOp::Sub => Ok(x - y),
                        BinOp::Mul if percent => Ok(floor_div(x * y, PPM)),
                        BinOp::Mul => Ok(x * y),
                        BinOp::Div if y == 0 => Err(DIV_ZERO),
                        BinOp::Div if ratio => Ok(floor_div(x * PPM, y)),
                        BinOp::Div => Ok(floor_div(x, y)),
                        _ => unreachable!(),
                    };
                    let r = r.and_then(|v| i64::try_from(v).map_err(|_| OVERFLOW));
                    match r {
                        Ok(v) => out.push(v),
                        Err(code) => {
                            out.push(0);
                            if err[i] == OK {
                                err[i] = code;
                            }
                        }
                    }
                }
                Col::Num(ty, out)
            }
        };
        V { col, err }
    }

    fn call(&self, f: Func, args: &[Expr]) -> V {
        let n = self.n();
        match f {
            Func::If => {
                let (c, a, b) = (
                    self.eval(&args[0]),
                    self.eval(&args[1]),
                    self.eval(&args[2]),
                );
                let cb = c.col.bools();
                let pick = |i: usize| if cb[i] { &a } else { &b };
                let err = (0..n)
                    .map(|i| {
                        if c.err[i] != OK {
                            c.err[i]
                        } else {
                            pick(i).err[i]
                        }
                    })
                    .collect();
                let col = match (&a.col, &b.col) {
                    (Col::Text(x), Col::Text(y)) => Col::Text(
                        (0..n)
                            .map(|i| if cb[i] { x[i].clone() } else { y[i].clone() })
                            .collect(),
                    ),
                    (Col::Bool(x), Col::Bool(y)) => {
                        Col::Bool((0..n).map(|i| if cb[i] { x[i] } else { y[i] }).collect())
                    }
                    (Col::Date(x), Col::Date(y)) => {
                        Col::Date((0..n).map(|i| if cb[i] { x[i] } else { y[i] }).collect())
                    }
                    (Col::Num(t, x), Col::Num(_, y)) => Col::Num(
                        *t,
                        (0..n).map(|i| if cb[i] { x[i] } else { y[i] }).collect(),
                    ),
                    _ => unreachable!("type-checked: both branches alike"),
                };
                V { col, err }
            }
            Func::Min | Func::Max => {
                let mut best = self.eval(&args[0]);
                for a in &args[1..] {
                    let v = self.eval(a);
                    let err = first_err(&best.err, &v.err);
                    let (bs, vs) = (best.col.nums(), v.col.nums());
                    let merged: Vec<i64> = bs
                        .iter()
                        .zip(vs)
                        .map(|(x, y)| if f == Func::Min { *x.min(y) } else { *x.max(y) })
                        .collect();
                    let col = match best.col {
                        Col::Date(_) => Col::Date(merged),
                        Col::Num(t, _) => Col::Num(t, merged),
                        _ => unreachable!("type-checked: numbers or dates"),
                    };
                    best = V { col, err };
                }
                best
            }
            Func::DaysBetween | Func::YearsBetween => {
                let (a, b) = (self.eval(&args[0]), self.eval(&args[1]));
                let err = first_err(&a.err, &b.err);
                let (xs, ys) = (a.col.nums(), b.col.nums());
                let out = (0..n)
                    .map(|i| {
                        if f == Func::DaysBetween {
                            ys[i] - xs[i]
                        } else {
                            match (date_of(xs[i]), date_of(ys[i])) {
                                (Some(p), Some(q)) => p
                                    .until((jiff::Unit::Year, q))
                                    .map_or(0, |s| i64::from(s.get_years())),
                                _ => 0,
                            }
                        }
                    })
                    .collect();
                V {
                    col: Col::Num(Type::Int, out),
                    err,
                }
            }
            Func::Date => unreachable!("folded when parsed"),
        }
    }

    fn table(&self, t: &super::table::Table) -> V {
        let n = self.n();
        let inputs: Vec<V> = t.inputs.iter().map(|p| self.eval(&p.expr)).collect();
        let outputs: Vec<V> = t.rows.iter().map(|r| self.eval(&r.output.expr)).collect();
        let mut err = vec![OK; n];
        let mut pick = vec![usize::MAX; n];
        for i in 0..n {
            if let Some(e) = inputs.iter().map(|v| v.err[i]).find(|e| *e != OK) {
                err[i] = e;
                continue;
            }
            let row = t.rows.iter().position(|r| {
                r.cells
                    .iter()
                    .zip(&inputs)
                    .all(|(c, v)| c.matches(&v.col.value(i)))
            });
            match row {
                None => err[i] = NO_ROW,
                Some(k) => {
                    pick[i] = k;
                    err[i] = outputs[k].err[i];
                }
            }
        }
        let col = match t.output_type {
            Type::Bool => Col::Bool(
                (0..n)
                    .map(|i| pick[i] != usize::MAX && outputs[pick[i]].col.key(i) != 0)
                    .collect(),
            ),
            Type::Text => Col::Text(
                (0..n)
                    .map(|i| match (pick[i], outputs.get(pick[i]).map(|o| &o.col)) {
                        (k, Some(Col::Text(v))) if k != usize::MAX => v[i].clone(),
                        _ => String::new(),
                    })
                    .collect(),
            ),
            Type::Date => Col::Date(
                (0..n)
                    .map(|i| outputs.get(pick[i]).map_or(0, |o| o.col.key(i)))
                    .collect(),
            ),
            ty => Col::Num(
                ty,
                (0..n)
                    .map(|i| outputs.get(pick[i]).map_or(0, |o| o.col.key(i)))
                    .collect(),
            ),
        };
        V { col, err }
    }
}

/// One applicant's result from a batch: the outcome and, for a pass, the amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchResult {
    pub outcome: Outcome,
    pub amount_fen: Option<i64>,
}

impl RuleSet {
    /// Decides every applicant of the batch; row `i` gets exactly the outcome and amount that
    /// [`RuleSet::decide`] gives for the same facts.
    pub fn decide_batch(&self, batch: &Batch) -> Vec<BatchResult> {
        let n = batch.len();
        let mut ev = Eval {
            batch,
            rules: self,
            tables: HashMap::new(),
        };
        for t in &self.tables {
            let v = ev.table(t);
            ev.tables.insert(format!("table.{}", t.id), v);
        }
        let mut failed = vec![false; n];
        let mut undecided = vec![false; n];
        for r in &self.rules {
            let v = ev.eval(&r.when.expr);
            let b = v.col.bools();
            for i in 0..n {
                if v.err[i] != OK {
                    undecided[i] = true;
                } else if !b[i] {
                    failed[i] = true;
                }
            }
        }
        let amount = self.amount.as_ref().map(|a| ev.eval(&a.formula.expr));
        (0..n)
            .map(|i| {
                if failed[i] {
                    return BatchResult {
                        outcome: Outcome::Fail,
                        amount_fen: None,
                    };
                }
                if undecided[i] {
                    return BatchResult {
                        outcome: Outcome::Undecided,
                        amount_fen: None,
                    };
                }
                match &amount {
                    None => BatchResult {
                        outcome: Outcome::Pass,
                        amount_fen: None,
                    },
                    Some(v) => {
                        let a = v.col.key(i);
                        // A negative amount cannot be decided (as `NEGATIVE` in the trace).
                        if v.err[i] != OK || a < 0 {
                            BatchResult {
                                outcome: Outcome::Undecided,
                                amount_fen: None,
                            }
                        } else {
                            BatchResult {
                                outcome: Outcome::Pass,
                                amount_fen: Some(a),
                            }
                        }
                    }
                }
            })
            .collect()
    }
}
