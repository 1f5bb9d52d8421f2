//! Column-wise evaluation: one rule set over many applicants at once (policy matching for every
//! enterprise, what-if over thousands of past decisions). Each expression node runs as one tight
//! loop over a column, as a vectorised engine does; the per-row semantics are exactly those of
//! [`RuleSet::decide`] (same checked arithmetic, same "cannot decide"), without the trace.
//! A property test holds the two paths equal.

use super::expr::{BinOp, Expr, Func, PPM, UnOp};
use super::{Outcome, RuleSet, Type, Value};
use jiff::civil::Date;
use std::borrow::Cow;
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
    cols: HashMap<String, Vec<(Col, Option<Vec<u8>>)>>,
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
        let missing = present.map(|p| p.iter().map(|x| if *x { OK } else { MISSING }).collect());
        let cols = self.cols.entry(key.to_string()).or_default();
        cols.retain(|(c, _)| c.ty() != col.ty());
        cols.push((col, missing));
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
/// Columns read from the batch are borrowed, never copied.
struct V<'a> {
    col: Cow<'a, Col>,
    err: Cow<'a, [u8]>,
}

fn owned<'a>(col: Col, err: Vec<u8>) -> V<'a> {
    V {
        col: Cow::Owned(col),
        err: Cow::Owned(err),
    }
}

struct Eval<'a> {
    batch: &'a Batch,
    rules: &'a RuleSet,
    tables: HashMap<String, V<'a>>,
    /// All rows decided: the error column of a fact present everywhere.
    ok: Vec<u8>,
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

    fn eval<'s>(&'s self, e: &Expr) -> V<'s> {
        let n = self.n();
        match e {
            Expr::Lit(v) => V {
                col: Cow::Owned(Col::broadcast(v, n)),
                err: Cow::Borrowed(&self.ok),
            },
            Expr::Fact(name) => {
                let declared = self
                    .rules
                    .type_of(name)
                    .expect("type-checked: a known name");
                let found: Option<(&Col, &[u8])> = if name.starts_with("table.") {
                    self.tables.get(name).map(|v| (&*v.col, &*v.err))
                } else {
                    let cols = self.batch.cols.get(name);
                    let col = cols.and_then(|cs| cs.iter().find(|(c, _)| c.ty() == declared));
                    col.map(|(c, missing)| (c, missing.as_deref().unwrap_or(&self.ok)))
                };
                match found {
                    Some((col, err)) => V {
                        col: Cow::Borrowed(col),
                        err: Cow::Borrowed(err),
                    },
                    // Missing (or of another type) for every row: every row is undecided.
                    None => owned(Col::zeros(declared, n), vec![MISSING; n]),
                }
            }
            Expr::Unary(UnOp::Not, x) => {
                let v = self.eval(x);
                let col = Col::Bool(v.col.bools().iter().map(|x| !x).collect());
                V {
                    col: Cow::Owned(col),
                    err: v.err,
                }
            }
            Expr::Unary(UnOp::Neg, x) => {
                let v = self.eval(x);
                let (mut col, mut err) = (v.col.into_owned(), v.err.into_owned());
                if let Col::Num(_, xs) = &mut col {
                    for (i, x) in xs.iter_mut().enumerate() {
                        match x.checked_neg() {
                            Some(y) => *x = y,
                            None if err[i] == OK => err[i] = OVERFLOW,
                            None => {}
                        }
                    }
                }
                owned(col, err)
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
                owned(Col::Bool(out), err)
            }
            Expr::Binary(op, l, r) => {
                let (a, b) = (self.eval(l), self.eval(r));
                self.binary(*op, a, b)
            }
            Expr::Call(f, args) => self.call(*f, args),
        }
    }

    fn binary<'s>(&'s self, op: BinOp, a: V<'s>, b: V<'s>) -> V<'s> {
        let n = self.n();
        let mut err = first_err(&a.err, &b.err);
        let (ca, cb) = (&*a.col, &*b.col);
        let numeric =
            matches!(ca, Col::Num(..) | Col::Date(_)) && matches!(cb, Col::Num(..) | Col::Date(_));
        let cmp = |f: fn(&i64, &i64) -> bool| -> Col {
            if numeric {
                Col::Bool(
                    ca.nums()
                        .iter()
                        .zip(cb.nums())
                        .map(|(x, y)| f(x, y))
                        .collect(),
                )
            } else {
                Col::Bool((0..n).map(|i| f(&ca.key(i), &cb.key(i))).collect())
            }
        };
        let col = match op {
            BinOp::Eq | BinOp::Ne => {
                let eq: Vec<bool> = match (ca, cb) {
                    (Col::Text(x), Col::Text(y)) => x.iter().zip(y).map(|(p, q)| p == q).collect(),
                    _ => (0..n).map(|i| ca.key(i) == cb.key(i)).collect(),
                };
                Col::Bool(if op == BinOp::Eq {
                    eq
                } else {
                    eq.into_iter().map(|x| !x).collect()
                })
            }
            BinOp::Lt => cmp(i64::lt),
            BinOp::Le => cmp(i64::le),
            BinOp::Gt => cmp(i64::gt),
            BinOp::Ge => cmp(i64::ge),
            BinOp::And | BinOp::Or => unreachable!("short-circuit above"),
            _ => {
                let (ta, tb) = (ca.ty(), cb.ty());
                let ty = super::expr::binary_type(op, ta, tb).expect("type-checked");
                let (xs, ys) = (ca.nums(), cb.nums());
                let percent = ta == Type::Percent || tb == Type::Percent;
                let ratio = ta == tb && matches!(ta, Type::Money | Type::Percent);
                // Each kernel is one loop; a row that overflows or divides by zero gets its
                // reason unless an operand was already undecided.
                let mut fail = |i: usize, code: u8| {
                    if err[i] == OK {
                        err[i] = code;
                    }
                    0
                };
                let wide = |r: i128| i64::try_from(r).ok();
                let out: Vec<i64> = match op {
                    BinOp::Add => (0..n)
                        .map(|i| {
                            xs[i]
                                .checked_add(ys[i])
                                .unwrap_or_else(|| fail(i, OVERFLOW))
                        })
                        .collect(),
                    BinOp::Sub => (0..n)
                        .map(|i| {
                            xs[i]
                                .checked_sub(ys[i])
                                .unwrap_or_else(|| fail(i, OVERFLOW))
                        })
                        .collect(),
                    BinOp::Mul if percent => (0..n)
                        .map(|i| {
                            wide(floor_div(xs[i] as i128 * ys[i] as i128, PPM))
                                .unwrap_or_else(|| fail(i, OVERFLOW))
                        })
                        .collect(),
                    BinOp::Mul => (0..n)
                        .map(|i| {
                            xs[i]
                                .checked_mul(ys[i])
                                .unwrap_or_else(|| fail(i, OVERFLOW))
                        })
                        .collect(),
                    BinOp::Div => (0..n)
                        .map(|i| {
                            let (x, y) = (xs[i] as i128, ys[i] as i128);
                            if y == 0 {
                                fail(i, DIV_ZERO)
                            } else {
                                let q = if ratio {
                                    floor_div(x * PPM, y)
                                } else {
                                    floor_div(x, y)
                                };
                                wide(q).unwrap_or_else(|| fail(i, OVERFLOW))
                            }
                        })
                        .collect(),
                    _ => unreachable!("arithmetic"),
                };
                Col::Num(ty, out)
            }
        };
        owned(col, err)
    }

    fn call<'s>(&'s self, f: Func, args: &[Expr]) -> V<'s> {
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
                let col = match (&*a.col, &*b.col) {
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
                owned(col, err)
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
                    let col = match &*best.col {
                        Col::Date(_) => Col::Date(merged),
                        Col::Num(t, _) => Col::Num(*t, merged),
                        _ => unreachable!("type-checked: numbers or dates"),
                    };
                    best = owned(col, err);
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
                owned(Col::Num(Type::Int, out), err)
            }
            Func::Date => unreachable!("folded when parsed"),
        }
    }

    fn table(&self, t: &super::table::Table) -> V<'static> {
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
                    .all(|(c, v)| cell_hit(c, &v.col, i))
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
                    .map(|i| match (pick[i], outputs.get(pick[i]).map(|o| &*o.col)) {
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
        owned(col, err)
    }
}

/// `Cell::matches` on row `i` of a column, without building a value for numbers.
fn cell_hit(c: &super::table::Cell, col: &Col, i: usize) -> bool {
    use super::table::Cell;
    match (c, col) {
        (Cell::Any, _) => true,
        (Cell::Range { lo, hi }, Col::Num(_, v)) => {
            lo.is_none_or(|l| v[i] >= l) && hi.is_none_or(|h| v[i] < h)
        }
        (c, col) => c.matches(&col.value(i)),
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
            ok: vec![OK; n],
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
