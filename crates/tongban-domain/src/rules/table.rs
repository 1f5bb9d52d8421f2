//! Decision tables: rows of cells over input columns, one output per row. Saved tables are
//! checked to be complete and unambiguous — every combination of inputs meets exactly one row —
//! by testing one point of every region the cells' boundaries cut the inputs into.

use super::expr::{self, Env, ExprError, Parsed, Undecided};
use super::{Type, Value};

/// One cell: a condition on its column's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Any,
    /// `lo <= x < hi` on the column's number (either end open when `None`).
    Range {
        lo: Option<i64>,
        hi: Option<i64>,
    },
    /// `x` is one of these values (text or boolean columns, or `= n` on numbers).
    OneOf(Vec<Value>),
}

impl Cell {
    pub fn matches(&self, v: &Value) -> bool {
        match self {
            Cell::Any => true,
            Cell::Range { lo, hi } => {
                let n = v.order_key();
                lo.is_none_or(|l| n >= l) && hi.is_none_or(|h| n < h)
            }
            Cell::OneOf(vs) => vs.contains(v),
        }
    }
}

/// Parses a cell for a column of type `ty`: `-` (any), `< x`, `<= x`, `> x`, `>= x`, `= x`,
/// `[a, b)` (a ≤ x < b), `a..b` (the same), or a value (`是`, `"批发"`, `"A" | "B"`).
pub fn parse_cell(text: &str, ty: Type) -> Result<Cell, ExprError> {
    let t = text.trim();
    if t.is_empty() || t == "-" || t == "—" || t == "任意" {
        return Ok(Cell::Any);
    }
    let lit = |s: &str| -> Result<Value, ExprError> {
        let p = expr::parse(s)?;
        match p.expr {
            expr::Expr::Lit(v) if v.ty() == ty => Ok(v),
            expr::Expr::Unary(expr::UnOp::Neg, ref inner) => match &**inner {
                expr::Expr::Lit(v) if v.ty() == ty && ty.is_number() => {
                    Ok(v.with_number(-v.number()))
                }
                _ => Err(cell_error(s, ty)),
            },
            _ => Err(cell_error(s, ty)),
        }
    };
    let num = |s: &str| -> Result<i64, ExprError> { Ok(lit(s)?.order_key()) };
    if ty.is_ordered() {
        for (op, mk) in [("<=", 0u8), (">=", 1), ("<", 2), (">", 3), ("=", 4)] {
            if let Some(rest) = t.strip_prefix(op) {
                let n = num(rest)?;
                let sat = |x: i64| {
                    x.checked_add(1)
                        .ok_or_else(|| ExprError::new("number_too_large", rest.trim(), 0))
                };
                return Ok(match mk {
                    0 => Cell::Range {
                        lo: None,
                        hi: Some(sat(n)?),
                    },
                    1 => Cell::Range {
                        lo: Some(n),
                        hi: None,
                    },
                    2 => Cell::Range {
                        lo: None,
                        hi: Some(n),
                    },
                    3 => Cell::Range {
                        lo: Some(sat(n)?),
                        hi: None,
                    },
                    _ => Cell::Range {
                        lo: Some(n),
                        hi: Some(sat(n)?),
                    },
                });
            }
        }
        if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(')'))
            && let Some((a, b)) = inner.split_once(',').or_else(|| inner.split_once('，'))
        {
            return range(num(a)?, num(b)?, t);
        }
        if let Some((a, b)) = t.split_once("..") {
            return range(num(a)?, num(b)?, t);
        }
    }
    let values = t
        .split('|')
        .map(|s| lit(s.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if ty.is_ordered() && values.len() == 1 {
        let n = values[0].order_key();
        Cell::Range {
            lo: Some(n),
            hi: n.checked_add(1),
        }
    } else {
        Cell::OneOf(values)
    })
}

fn range(lo: i64, hi: i64, text: &str) -> Result<Cell, ExprError> {
    if lo >= hi {
        return Err(ExprError::new("empty_range", text, 0));
    }
    Ok(Cell::Range {
        lo: Some(lo),
        hi: Some(hi),
    })
}

fn cell_error(s: &str, ty: Type) -> ExprError {
    ExprError::new("bad_cell", format!("{s} ({})", ty.key()), 0)
}

/// A checked decision table.
#[derive(Debug, Clone)]
pub struct Table {
    pub id: String,
    pub name: String,
    pub reference: String,
    pub inputs: Vec<Parsed>,
    pub input_types: Vec<Type>,
    /// Whether each input is a single non-negative fact (so negative values need no row).
    pub non_negative: Vec<bool>,
    pub rows: Vec<Row>,
    pub output_type: Type,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub cell_text: Vec<String>,
    pub output: Parsed,
}

/// A gap or an overlap found when the table was checked; `example` names the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableProblem {
    Missing {
        example: String,
    },
    Overlap {
        rows: (usize, usize),
        example: String,
    },
    TooLarge,
}

/// The most input combinations a table check will visit.
const MAX_POINTS: usize = 200_000;

impl Table {
    /// Finds inputs that meet no row or two rows (at most a few of each).
    pub fn problems(&self, text_values: &dyn Fn(usize) -> Vec<Value>) -> Vec<TableProblem> {
        let mut axes: Vec<Vec<Value>> = Vec::new();
        for (c, ty) in self.input_types.iter().enumerate() {
            let cells = self.rows.iter().map(|r| &r.cells[c]);
            let points = match ty {
                Type::Bool => vec![Value::Bool(false), Value::Bool(true)],
                Type::Text => {
                    let mut vs = text_values(c);
                    for cell in cells {
                        if let Cell::OneOf(x) = cell {
                            for v in x {
                                if !vs.contains(v) {
                                    vs.push(v.clone());
                                }
                            }
                        }
                    }
                    // A value no row names: the table must say what happens to it too, unless
                    // the fact has a closed list of values.
                    if text_values(c).is_empty() {
                        vs.push(Value::Text("\u{2063}其他".into()));
                    }
                    vs
                }
                _ => {
                    let mut ns: Vec<i64> = Vec::new();
                    for cell in cells {
                        let bounds: Vec<i64> = match cell {
                            Cell::Range { lo, hi } => lo.iter().chain(hi.iter()).copied().collect(),
                            Cell::OneOf(vs) => vs.iter().map(|v| v.order_key()).collect(),
                            Cell::Any => Vec::new(),
                        };
                        for b in bounds {
                            ns.extend([b.saturating_sub(1), b, b.saturating_add(1)]);
                        }
                    }
                    if ns.is_empty() {
                        ns.push(0);
                    }
                    if self.non_negative[c] {
                        ns.retain(|n| *n >= 0);
                        ns.push(0);
                    }
                    ns.sort_unstable();
                    ns.dedup();
                    ns.into_iter().map(|n| ty.from_key(n)).collect()
                }
            };
            axes.push(points);
        }
        let total = axes
            .iter()
            .try_fold(1usize, |acc, a| acc.checked_mul(a.len()));
        if total.is_none_or(|t| t > MAX_POINTS) {
            return vec![TableProblem::TooLarge];
        }
        let mut out = Vec::new();
        let (mut missing, mut overlaps) = (0, 0);
        let mut gap_at: Option<Vec<usize>> = None;
        let mut idx = vec![0usize; axes.len()];
        loop {
            let point: Vec<&Value> = idx.iter().enumerate().map(|(c, i)| &axes[c][*i]).collect();
            let hits: Vec<usize> = self
                .rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.cells.iter().zip(&point).all(|(cell, v)| cell.matches(v)))
                .map(|(i, _)| i)
                .collect();
            let example = || self.describe(&point);
            // A gap met again one step further along the first input is the same gap.
            let same_gap = gap_at
                .as_ref()
                .is_some_and(|g: &Vec<usize>| g[0] + 1 == idx[0] && g[1..] == idx[1..]);
            if hits.is_empty() {
                if !same_gap && missing < 3 {
                    missing += 1;
                    out.push(TableProblem::Missing { example: example() });
                }
                gap_at = Some(idx.clone());
            } else if hits.len() > 1 && overlaps < 3 {
                let pair = (hits[0] + 1, hits[1] + 1);
                let seen = out
                    .iter()
                    .any(|p| matches!(p, TableProblem::Overlap { rows, .. } if *rows == pair));
                if !seen {
                    overlaps += 1;
                    out.push(TableProblem::Overlap {
                        rows: pair,
                        example: example(),
                    });
                }
            }
            // Next point (odometer).
            let mut c = 0;
            loop {
                if c == idx.len() {
                    return out;
                }
                idx[c] += 1;
                if idx[c] < axes[c].len() {
                    break;
                }
                idx[c] = 0;
                c += 1;
            }
        }
    }

    fn describe(&self, point: &[&Value]) -> String {
        let parts: Vec<String> = self
            .inputs
            .iter()
            .zip(point)
            .map(|(i, v)| {
                let shown = match v {
                    Value::Text(t) if t.starts_with('\u{2063}') => "（其他值）".to_string(),
                    v => v.to_string(),
                };
                format!("{} = {shown}", i.source)
            })
            .collect();
        parts.join("，")
    }

    /// The first row whose cells all match, with its index.
    pub fn lookup(&self, inputs: &[Value]) -> Option<(usize, &Row)> {
        self.rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.cells.iter().zip(inputs).all(|(c, v)| c.matches(v)))
    }

    /// Evaluates the inputs, finds the row, evaluates its output.
    pub fn eval(&self, env: &dyn Env) -> Result<(usize, Value, Vec<Value>), Undecided> {
        let inputs = self
            .inputs
            .iter()
            .map(|i| expr::eval(&i.expr, env))
            .collect::<Result<Vec<_>, _>>()?;
        let (i, row) = self
            .lookup(&inputs)
            .ok_or_else(|| Undecided::NoTableRow(self.id.clone()))?;
        let v = expr::eval(&row.output.expr, env)?;
        Ok((i, v, inputs))
    }
}
