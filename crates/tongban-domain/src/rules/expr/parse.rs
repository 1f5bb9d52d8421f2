//! Lexing and parsing of expressions, with the column of every problem.

use super::*;

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
    pub(in crate::rules) positions: Vec<(String, usize)>,
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
