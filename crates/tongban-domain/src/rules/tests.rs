use super::expr::{self, Env, Undecided};
use super::*;
use proptest::prelude::*;

fn facts(pairs: &[(&str, Value)]) -> Facts {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

const GAZELLE: &str = r#"
code = "dl-award"
name = "瞪羚企业奖励"
reference = "西湖区优化营商环境若干措施"
valid_from = "2026-01-01"

[[tables]]
id = "tier"
name = "奖励档次"
reference = "第三条"
inputs = ["enterprise.revenue"]
rows = [
  ["< 1亿元", "50万元"],
  ["[1亿元, 5亿元)", "100万元"],
  [">= 5亿元", "200万元"],
]

[[rules]]
id = "gazelle"
name = "已认定瞪羚企业"
reference = "第三条第一款"
when = "enterprise.gazelle"

[[rules]]
id = "growth"
name = "营业收入增长率不低于20%"
reference = "第三条第二款"
when = "enterprise.revenue_growth >= 20%"

[amount]
formula = "table.tier"
reference = "第三条第三款"
"#;

#[test]
fn a_table_and_rules_decide_with_a_trace() {
    let rs = compile(GAZELLE).expect("valid");
    let f = facts(&[
        ("enterprise.gazelle", Value::Bool(true)),
        ("enterprise.revenue_growth", Value::Percent(250_000)),
        ("enterprise.revenue", Value::Money(20_000_000_000)),
    ]);
    let d = rs.decide(&f);
    assert_eq!(d.outcome, Outcome::Pass);
    assert_eq!(d.amount_fen, Some(100_000_000));
    assert_eq!(d.trace.len(), 4);
    let table = &d.trace[0];
    assert!(table.expression.starts_with("#2 "), "{}", table.expression);
    assert_eq!(table.facts[0].label, "企业上年度营业收入");
    assert_eq!(table.facts[0].value.as_deref(), Some("200,000,000.00元"));
    assert_eq!(d.trace[2].facts[0].value.as_deref(), Some("25%"));
    assert_eq!(
        d.trace[3].result,
        StepResult::Value {
            value: "1,000,000.00元".into()
        }
    );

    // One rule fails: the whole set fails and no amount is given.
    let mut f2 = f.clone();
    f2.insert("enterprise.revenue_growth".into(), Value::Percent(199_999));
    let d = rs.decide(&f2);
    assert_eq!(d.outcome, Outcome::Fail);
    assert_eq!(d.amount_fen, None);
    assert_eq!(
        d.blocking().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["growth"]
    );

    // A missing fact: cannot decide, naming it.
    let mut f3 = f.clone();
    f3.remove("enterprise.gazelle");
    let d = rs.decide(&f3);
    assert_eq!(d.outcome, Outcome::Undecided);
    let why = d.blocking().next().unwrap();
    assert_eq!(
        why.result,
        StepResult::Undecided {
            why: Undecided::MissingFact("enterprise.gazelle".into())
        }
    );
    assert_eq!(why.facts[0].value, None);
}

fn errors(src: &str) -> Vec<(String, &'static str, Option<String>)> {
    compile(src)
        .expect_err("invalid")
        .0
        .into_iter()
        .map(|e| (e.field, e.code, e.detail))
        .collect()
}

#[test]
fn validation_names_unknown_facts_type_errors_and_table_gaps() {
    let bad = GAZELLE
        .replace("enterprise.gazelle\"", "enterprise.gazele\"")
        .replace(">= 20%", ">= 20")
        .replace(
            "[\"[1亿元, 5亿元)\", \"100万元\"],",
            "[\"[1亿元, 4亿元)\", \"100万元\"],",
        );
    let e = errors(&bad);
    assert!(
        e.contains(&(
            "rules[0].when".into(),
            "unknown_fact",
            Some("enterprise.gazele @1".into())
        )),
        "{e:?}"
    );
    assert!(
        e.contains(&(
            "rules[1].when".into(),
            "type_mismatch",
            Some("percent >= int".into())
        )),
        "{e:?}"
    );
    assert!(
        e.iter().any(|(f, c, d)| f == "tables[0].rows"
            && *c == "table_missing_row"
            && d.as_deref() == Some("enterprise.revenue = 400,000,000.00元")),
        "{e:?}"
    );

    // The gap [4亿元, 5亿元) is reported once, at its first value.
    assert_eq!(
        e.iter().filter(|x| x.1 == "table_missing_row").count(),
        1,
        "{e:?}"
    );

    let overlap = GAZELLE.replace(
        "[\">= 5亿元\", \"200万元\"],",
        "[\">= 4亿元\", \"200万元\"],",
    );
    let e = errors(&overlap);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].1, "table_overlap");
    assert_eq!(
        e[0].2.as_deref(),
        Some("2, 3: enterprise.revenue = 400,000,000.00元")
    );

    let e = errors(&GAZELLE.replace("formula = \"table.tier\"", "formula = \"table.tier > 0元\""));
    assert_eq!(
        e,
        [("amount.formula".into(), "not_money", Some("bool".into()))]
    );

    let e = errors(&GAZELLE.replace("valid_from = \"2026-01-01\"", "valid_from = \"2026-02-30\""));
    assert_eq!(e[0].1, "bad_date");
    let e = errors("code = \"x\"\nname = ");
    assert_eq!(e[0].1, "toml_syntax");
    let e = errors(&GAZELLE.replace("id = \"growth\"", "id = \"gazelle\""));
    assert_eq!(
        e,
        [("rules[1].id".into(), "duplicate_id", Some("gazelle".into()))]
    );
    let e = errors(&GAZELLE.replace(
        "when = \"enterprise.gazelle\"",
        "when = \"enterprise.gazelle and (\"",
    ));
    assert_eq!(e[0].1, "unexpected_end");
    let e = errors(&GAZELLE.replace(
        "when = \"enterprise.gazelle\"",
        "when = \"enterprise.employees\"",
    ));
    assert_eq!(
        e,
        [(
            "rules[0].when".into(),
            "not_a_condition",
            Some("int".into())
        )]
    );
}

#[test]
fn text_columns_need_a_row_for_other_values_unless_closed() {
    let src = r#"
code = "t"
name = "t"
valid_from = "2026-01-01"
[[form]]
key = "kind"
label = "经营类别"
type = "text"
[[tables]]
id = "fee"
name = "档次"
inputs = ["form.kind"]
rows = [["\"批发\"", "1"], ["\"零售\"", "2"]]
[[rules]]
id = "r"
name = "r"
reference = "r"
when = "table.fee > 0"
"#;
    let e = errors(src);
    assert_eq!(
        e,
        [(
            "tables[0].rows".into(),
            "table_missing_row",
            Some("form.kind = （其他值）".into())
        )]
    );
    let closed = src.replace(
        "type = \"text\"",
        "type = \"text\"\nvalues = [\"批发\", \"零售\"]",
    );
    assert!(compile(&closed).is_ok());
    let other = src.replace(
        "[\"\\\"零售\\\"\", \"2\"]]",
        "[\"\\\"零售\\\"\", \"2\"], [\"-\", \"3\"]]",
    );
    // "-" overlaps both named rows.
    let e = errors(&other);
    assert_eq!(
        e.iter().filter(|x| x.1 == "table_overlap").count(),
        2,
        "{e:?}"
    );
}

#[test]
fn validity_periods_pick_the_version_in_force() {
    let v1 = compile(&GAZELLE.replace(
        "valid_from = \"2026-01-01\"",
        "valid_from = \"2026-01-01\"\nvalid_to = \"2026-07-01\"",
    ))
    .unwrap();
    let d = |s: &str| s.parse::<Date>().unwrap();
    assert!(v1.in_force(d("2026-01-01")));
    assert!(v1.in_force(d("2026-06-30")));
    assert!(!v1.in_force(d("2026-07-01")));
    assert!(!v1.in_force(d("2025-12-31")));
    let e = errors(&GAZELLE.replace(
        "valid_from = \"2026-01-01\"",
        "valid_from = \"2026-01-01\"\nvalid_to = \"2026-01-01\"",
    ));
    assert_eq!(e[0].1, "valid_to_before_from");
}

struct IntScope;
impl expr::Scope for IntScope {
    fn type_of(&self, name: &str) -> Option<Type> {
        ["a", "b"].contains(&name).then_some(Type::Int)
    }
}

struct Map(Facts);
impl Env for Map {
    fn get(&self, name: &str) -> Option<Value> {
        self.0.get(name).cloned()
    }
}

fn run(src: &str, f: &[(&str, Value)]) -> Result<Value, Undecided> {
    let p = expr::parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    expr::eval(&p.expr, &Map(facts(f)))
}

#[test]
fn literals_units_and_rounding() {
    assert_eq!(run("20万元", &[]), Ok(Value::Money(20_000_000)));
    assert_eq!(run("1.5亿元", &[]), Ok(Value::Money(15_000_000_000)));
    assert_eq!(run("1,000.05元", &[]), Ok(Value::Money(100_005)));
    assert_eq!(run("12.5%", &[]), Ok(Value::Percent(125_000)));
    // 5% of 0.99元 is 0.0495元: floored to 4 fen.
    assert_eq!(run("0.99元 * 5%", &[]), Ok(Value::Money(4)));
    assert_eq!(run("-0.99元 * 5%", &[]), Ok(Value::Money(-5)));
    assert_eq!(run("10元 / 3", &[]), Ok(Value::Money(333)));
    assert_eq!(run("1元 / 4元", &[]), Ok(Value::Percent(250_000)));
    assert_eq!(run("min(3, 2, 5)", &[]), Ok(Value::Int(2)));
    assert_eq!(run("if(1 < 2, 1元, 2元)", &[]), Ok(Value::Money(100)));
    assert_eq!(
        run(
            "days_between(date(\"2026-02-27\"), date(\"2026-03-02\"))",
            &[]
        ),
        Ok(Value::Int(3))
    );
    assert_eq!(
        run(
            "years_between(date(\"2020-03-01\"), date(\"2026-02-28\"))",
            &[]
        ),
        Ok(Value::Int(5))
    );
    assert!(matches!(
        run("1元 / (2 - 2)", &[]),
        Err(Undecided::DivisionByZero(_))
    ));
    assert!(matches!(
        run("9223372036854775807 + 1", &[]),
        Err(Undecided::Overflow(_))
    ));
    assert!(matches!(run("x > 1", &[]), Err(Undecided::MissingFact(n)) if n == "x"));
    // The right side of `and` is not needed when the left is false.
    assert_eq!(run("false and x", &[]), Ok(Value::Bool(false)));
    assert_eq!(
        expr::parse("1.234元").unwrap_err().code,
        "too_many_decimals"
    );
    assert_eq!(
        expr::parse("1 < 2 < 3").unwrap_err().code,
        "chained_comparison"
    );
    assert_eq!(expr::parse("foo(1)").unwrap_err().code, "unknown_function");
    assert_eq!(
        expr::parse("date(\"2026-13-01\")").unwrap_err().code,
        "bad_date"
    );
}

#[test]
fn an_overflowing_or_dividing_amount_cannot_decide_and_never_approves() {
    let src = GAZELLE.replace(
        "formula = \"table.tier\"",
        "formula = \"table.tier * enterprise.employees / (enterprise.employees - 10)\"",
    );
    let rs = compile(&src).unwrap();
    let mut f = facts(&[
        ("enterprise.gazelle", Value::Bool(true)),
        ("enterprise.revenue_growth", Value::Percent(250_000)),
        ("enterprise.revenue", Value::Money(0)),
        ("enterprise.employees", Value::Int(10)),
    ]);
    let d = rs.decide(&f);
    assert_eq!(d.outcome, Outcome::Undecided);
    assert_eq!(d.amount_fen, None);
    f.insert("enterprise.employees".into(), Value::Int(i64::MAX / 2));
    let d = rs.decide(&f);
    assert_eq!(d.outcome, Outcome::Undecided);
    let last = d.trace.last().unwrap();
    assert!(
        matches!(
            &last.result,
            StepResult::Undecided {
                why: Undecided::Overflow(_)
            }
        ),
        "{last:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Property tests: the evaluator against a plain i128 reference on random integer formulas.

#[derive(Debug, Clone)]
enum Ref {
    N(i64),
    Add(Box<Ref>, Box<Ref>),
    Sub(Box<Ref>, Box<Ref>),
    Mul(Box<Ref>, Box<Ref>),
    Div(Box<Ref>, Box<Ref>),
    Neg(Box<Ref>),
    Min(Box<Ref>, Box<Ref>),
}

impl Ref {
    fn text(&self) -> String {
        match self {
            // Negative numbers are written as negation of a literal.
            Ref::N(n) if *n < 0 => format!("(-{})", n.unsigned_abs()),
            Ref::N(n) => n.to_string(),
            Ref::Add(a, b) => format!("({} + {})", a.text(), b.text()),
            Ref::Sub(a, b) => format!("({} - {})", a.text(), b.text()),
            Ref::Mul(a, b) => format!("({} * {})", a.text(), b.text()),
            Ref::Div(a, b) => format!("({} / {})", a.text(), b.text()),
            Ref::Neg(a) => format!("-{}", a.text()),
            Ref::Min(a, b) => format!("min({}, {})", a.text(), b.text()),
        }
    }
    /// None: cannot decide (overflow or division by zero), as the engine must say.
    fn eval(&self) -> Option<i64> {
        let fit = |x: i128| i64::try_from(x).ok();
        Some(match self {
            Ref::N(n) => *n,
            Ref::Add(a, b) => fit(a.eval()? as i128 + b.eval()? as i128)?,
            Ref::Sub(a, b) => fit(a.eval()? as i128 - b.eval()? as i128)?,
            Ref::Mul(a, b) => fit(a.eval()? as i128 * b.eval()? as i128)?,
            Ref::Div(a, b) => {
                let (x, y) = (a.eval()? as i128, b.eval()? as i128);
                if y == 0 {
                    return None;
                }
                let q = x / y;
                fit(if x % y != 0 && ((x < 0) != (y < 0)) {
                    q - 1
                } else {
                    q
                })?
            }
            Ref::Neg(a) => fit(-(a.eval()? as i128))?,
            Ref::Min(a, b) => a.eval()?.min(b.eval()?),
        })
    }
}

fn arb_ref() -> impl Strategy<Value = Ref> {
    let leaf = prop_oneof![
        (-1000i64..1000).prop_map(Ref::N),
        (i64::MIN + 1..=i64::MAX).prop_map(Ref::N),
        Just(Ref::N(0)),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Ref::Add(a.into(), b.into())),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Ref::Sub(a.into(), b.into())),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Ref::Mul(a.into(), b.into())),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Ref::Div(a.into(), b.into())),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Ref::Min(a.into(), b.into())),
            inner.prop_map(|a| Ref::Neg(a.into())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Integer formulas give exactly the checked i128 answer, or "cannot decide" exactly when
    /// the reference overflows or divides by zero; never a panic, never a wrong number.
    #[test]
    fn integer_formulas_match_the_reference(r in arb_ref()) {
        let got = run(&r.text(), &[]);
        match r.eval() {
            Some(n) => prop_assert_eq!(got, Ok(Value::Int(n))),
            None => prop_assert!(
                matches!(got, Err(Undecided::Overflow(_) | Undecided::DivisionByZero(_))),
                "{} gave {:?}", r.text(), got
            ),
        }
    }

    /// A percentage of an amount is floor(amount × ppm / 10⁶), within the amount's bounds for
    /// percentages up to 100 %, and a cap holds.
    #[test]
    fn percentages_floor_and_caps_hold(fen in 0i64..=i64::MAX / 2, ppm in 0i64..=1_000_000, cap in 0i64..=10_000_000_000) {
        let f = [("a", Value::Money(fen)), ("p", Value::Percent(ppm)), ("c", Value::Money(cap))];
        let got = run("min(a * p, c)", &f).unwrap().number();
        let exact = (fen as i128 * ppm as i128 / 1_000_000) as i64;
        prop_assert_eq!(got, exact.min(cap));
        prop_assert!(got <= fen && got <= cap);
    }

    /// Any text that parses and type-checks evaluates without panicking, whatever the facts.
    #[test]
    fn random_text_never_panics(s in "[ab0-9.+*/()<>=! -]{0,24}|(min|max|if)\\([ab0-9<,+*/ -]{0,16}\\)", n in any::<i64>()) {
        if let Ok(p) = expr::parse(&s)
            && p.check(&IntScope).is_ok()
        {
            let env = Map(facts(&[("a", Value::Int(n)), ("b", Value::Int(0))]));
            let _ = expr::eval(&p.expr, &env);
        }
    }
}

#[test]
fn typed_input_is_read_by_its_type() {
    assert_eq!(
        parse_value(Type::Money, "1234.5"),
        Some(Value::Money(123_450))
    );
    assert_eq!(
        parse_value(Type::Money, "20万元"),
        Some(Value::Money(20_000_000))
    );
    assert_eq!(parse_value(Type::Money, "1.234"), None);
    assert_eq!(
        parse_value(Type::Percent, "4.35"),
        Some(Value::Percent(43_500))
    );
    assert_eq!(parse_value(Type::Int, "-3"), Some(Value::Int(-3)));
    assert_eq!(parse_value(Type::Int, "3元"), None);
    assert_eq!(parse_value(Type::Bool, "是"), Some(Value::Bool(true)));
    assert_eq!(parse_value(Type::Bool, "maybe"), None);
    assert_eq!(parse_value(Type::Date, "2026-02-30"), None);
}

// ---------------------------------------------------------------------------------------------
// The column-wise path decides exactly as the one-at-a-time path.

const DEMO_RULE_SETS: &[&str] = &[
    include_str!("../../../../data/xihu/rules/kj-rd.toml"),
    include_str!("../../../../data/xihu/rules/gx-award.toml"),
    include_str!("../../../../data/xihu/rules/dl-award.toml"),
    include_str!("../../../../data/xihu/rules/grad.toml"),
    include_str!("../../../../data/xihu/rules/talent.toml"),
    include_str!("../../../../data/xihu/rules/seal.toml"),
    include_str!("../../../../data/xihu/rules/cyxd.toml"),
    include_str!("../../../../data/xihu/rules/food-licence-renewal.toml"),
    include_str!("../../../../data/xihu/rules/getihu-name-change.toml"),
];

/// Arithmetic that can divide by zero, overflow, go negative, and read a text fact.
const EDGY: &str = r#"
code = "edgy"
name = "edgy"
valid_from = "2026-01-01"
[[form]]
key = "kind"
label = "类别"
type = "text"
values = ["A", "B"]
[[tables]]
id = "rate"
name = "费率"
inputs = ["form.kind", "enterprise.employees"]
rows = [["\"A\"", "< 10", "10%"], ["\"A\"", ">= 10", "if(enterprise.tech_sme, 20%, 15%)"], ["\"B\"", "-", "enterprise.revenue_growth"]]
[[rules]]
id = "r1"
name = "r1"
reference = "r1"
when = "enterprise.revenue / enterprise.employees > 1000元 or not enterprise.gazelle"
[[rules]]
id = "r2"
name = "r2"
reference = "r2"
when = "years_between(enterprise.established, today) >= 1 and form.kind != \"C\""
[amount]
formula = "max(enterprise.loan * table.rate - enterprise.rd_expense, -1元) * enterprise.talents"
reference = "a"
"#;

fn arb_value(ty: Type) -> BoxedStrategy<Option<Value>> {
    let v: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int => prop_oneof![0i64..100, any::<i64>(), Just(0)]
            .prop_map(Value::Int)
            .boxed(),
        Type::Money => prop_oneof![0i64..10_000_000_000, any::<i64>()]
            .prop_map(Value::Money)
            .boxed(),
        Type::Percent => prop_oneof![0i64..1_000_000, any::<i64>()]
            .prop_map(Value::Percent)
            .boxed(),
        Type::Date => (2000i16..2030, 1i8..=12, 1i8..=28)
            .prop_map(|(y, m, d)| Value::Date(Date::new(y, m, d).unwrap()))
            .boxed(),
        Type::Text => prop_oneof![Just("A"), Just("B"), Just("C")]
            .prop_map(|s| Value::Text(s.into()))
            .boxed(),
    };
    // Sometimes missing, sometimes of the wrong type (counts as missing).
    prop_oneof![
        8 => v.prop_map(Some),
        1 => Just(None),
        1 => Just(Some(Value::Text("?".into()))),
    ]
    .boxed()
}

fn arb_facts() -> impl Strategy<Value = Facts> {
    let mut keys: Vec<(String, Type)> =
        builtin_facts().into_iter().map(|f| (f.key, f.ty)).collect();
    keys.push(("form.kind".into(), Type::Text));
    for (k, t) in [
        ("form.valid_until", Type::Date),
        ("form.conditions_unchanged", Type::Bool),
        ("form.penalties", Type::Int),
        ("form.new_name", Type::Text),
        ("form.old_name", Type::Text),
    ] {
        keys.push((k.into(), t));
    }
    let strategies: Vec<_> = keys.iter().map(|(_, t)| arb_value(*t)).collect();
    strategies.prop_map(move |vals| {
        keys.iter()
            .zip(vals)
            .filter_map(|((k, _), v)| v.map(|v| (k.clone(), v)))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn batches_decide_exactly_as_single_decisions(rows in proptest::collection::vec(arb_facts(), 1..40)) {
        let batch = batch::Batch::from_facts(&rows);
        for src in DEMO_RULE_SETS.iter().copied().chain([EDGY]) {
            let rs = compile(src).unwrap();
            let got = rs.decide_batch(&batch);
            for (i, f) in rows.iter().enumerate() {
                let d = rs.decide(f);
                prop_assert_eq!(
                    (got[i].outcome, got[i].amount_fen),
                    (d.outcome, d.amount_fen),
                    "{} row {}: {:?}", rs.code, i, f
                );
            }
        }
    }
}

#[test]
fn day_numbers_match_the_calendar() {
    let epoch: Date = "1970-01-01".parse().unwrap();
    for s in [
        "1970-01-01",
        "2000-02-29",
        "2026-11-26",
        "1899-12-31",
        "2100-03-01",
    ] {
        let d: Date = s.parse().unwrap();
        let days = i64::from(epoch.until((jiff::Unit::Day, d)).unwrap().get_days());
        assert_eq!(batch::day_number(d), days, "{s}");
    }
}
