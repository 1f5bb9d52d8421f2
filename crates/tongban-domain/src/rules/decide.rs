//! Decisions and their trace: a checked rule set judged against one subject's facts.

use super::*;

// ---------------------------------------------------------------------------------------------
// Decisions and their trace

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RuleOutcome))]
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
#[cfg_attr(feature = "openapi", schema(as = RuleStep))]
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
#[cfg_attr(feature = "openapi", schema(as = RuleDecision))]
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
