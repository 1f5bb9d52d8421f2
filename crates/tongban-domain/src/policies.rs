//! Policy redemption (惠企政策兑现, R4 and R12): benefit policies with their plain-language
//! summary, interpretation and flowchart; eligibility and amount decided by a rule set;
//! declarations approved jointly by the departments a policy names; payouts recorded with their
//! date. "免申即享" policies are granted by the rules alone, without a declaration.

use crate::FieldErrors;
use crate::cases::FileRef;
use crate::rules::Decision;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Declaration numbers are `ZC<year>-<serial>`; case numbers are `<year>-<serial>`.
pub fn is_declaration_id(id: &str) -> bool {
    id.starts_with("ZC")
}

/// A benefit policy as the district publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Policy {
    pub code: String,
    pub name: String,
    /// Issuing document and article (政策依据).
    pub reference: String,
    /// 一句话看懂: who gets what, in plain words.
    pub summary: String,
    /// 政策解读: the longer explanation, paragraphs separated by blank lines.
    pub interpretation: String,
    /// The steps of the flowchart (办理流程图), in order.
    pub flow: Vec<String>,
    /// Code of the rule set that decides eligibility and the amount.
    pub rule_set: String,
    /// Departments that approve each declaration jointly (parallel sign-off).
    pub departments: Vec<String>,
    /// The department that pays out (usually the finance bureau).
    pub payer: String,
    pub budget_fen: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub opens: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub closes: Date,
    /// 免申即享: granted to every qualifying enterprise without a declaration.
    #[serde(default)]
    pub exempt: bool,
    /// Materials a declaration must carry.
    #[serde(default)]
    pub materials: Vec<String>,
    /// 政策标签, e.g. 科技创新, 人才, for the list's filter.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Policy {
    pub fn validate(&self, unit_exists: &dyn Fn(&str) -> bool) -> FieldErrors {
        let mut e = FieldErrors::new();
        e.text("code", &self.code, 40);
        e.text("name", &self.name, 100);
        e.text("summary", &self.summary, 300);
        e.text("interpretation", &self.interpretation, 5000);
        e.text("rule_set", &self.rule_set, 40);
        if self.flow.is_empty() {
            e.push("flow", "required");
        }
        if self.departments.is_empty() {
            e.push("departments", "required");
        }
        for (i, d) in self.departments.iter().chain([&self.payer]).enumerate() {
            if !unit_exists(d) {
                e.push_detail(format!("departments[{i}]"), "unknown_unit", d.clone());
            }
        }
        if self.budget_fen <= 0 {
            e.push("budget_fen", "must_be_positive");
        }
        if self.closes < self.opens {
            e.push("closes", "closes_before_opens");
        }
        e
    }

    /// Whether declarations are taken on `day`.
    pub fn open_on(&self, day: Date) -> bool {
        self.opens <= day && day <= self.closes
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeclarationState {
    /// Declared; the departments are signing off.
    UnderReview,
    /// Every department agreed and the budget was reserved; waiting for the money.
    Approved,
    /// A department refused, with reasons.
    Rejected,
    /// Approved on its merits, but the policy's budget was already spent.
    BudgetExhausted,
    /// The money has been paid.
    Paid,
}

impl DeclarationState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeclarationState::UnderReview => "under_review",
            DeclarationState::Approved => "approved",
            DeclarationState::Rejected => "rejected",
            DeclarationState::BudgetExhausted => "budget_exhausted",
            DeclarationState::Paid => "paid",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DeclarationSignOff))]
pub struct SignOff {
    pub unit: String,
    pub approved: bool,
    pub opinion: String,
    pub by: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeclaredMaterial {
    pub name: String,
    pub file: Option<FileRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payout {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub paid_on: Date,
    /// 拨付凭证号.
    pub voucher: String,
    pub by: String,
    pub recorded_at: Timestamp,
}

/// One enterprise's claim on one policy: declared by the enterprise, or granted by the rules
/// (免申即享).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Declaration {
    pub id: String,
    pub policy: String,
    pub policy_name: String,
    pub uscc: String,
    pub enterprise_name: String,
    /// The account that declared; `None` for a grant without declaration.
    pub declared_by: Option<String>,
    pub exempt: bool,
    pub state: DeclarationState,
    pub amount_fen: i64,
    /// The rules' decision, with its trace, when it was declared or granted.
    pub decision: Decision,
    pub materials: Vec<DeclaredMaterial>,
    /// Departments that must sign, and their sign-offs so far.
    pub departments: Vec<String>,
    pub signoffs: Vec<SignOff>,
    pub declared_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payout: Option<Payout>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reasons: String,
}

/// Why a declaration command was refused (the one domain refusal).
pub type DeclarationError = crate::refusal::Refusal;

/// What the store must do after a sign-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterSignOff {
    Waiting,
    /// Every department agreed: reserve the amount from the budget, then approve or mark the
    /// budget exhausted.
    ReserveBudget,
    Rejected,
}

/// Who an enterprise and a new claim are.
pub struct Claimant<'a> {
    pub uscc: &'a str,
    pub enterprise_name: &'a str,
    /// The declaring account; `None` for a grant without declaration (免申即享).
    pub declared_by: Option<&'a str>,
}

impl Declaration {
    /// A new claim under review, with the rules' decision: a declaration goes to the policy's
    /// departments; a grant has no departments (the rules are its approval).
    pub fn new(
        id: String,
        policy: &Policy,
        who: Claimant,
        decision: Decision,
        materials: Vec<DeclaredMaterial>,
        now: Timestamp,
    ) -> Declaration {
        let exempt = who.declared_by.is_none();
        Declaration {
            id,
            policy: policy.code.clone(),
            policy_name: policy.name.clone(),
            uscc: who.uscc.into(),
            enterprise_name: who.enterprise_name.into(),
            declared_by: who.declared_by.map(str::to_string),
            exempt,
            state: DeclarationState::UnderReview,
            amount_fen: decision.amount_fen.unwrap_or(0),
            decision,
            materials,
            departments: if exempt {
                Vec::new()
            } else {
                policy.departments.clone()
            },
            signoffs: Vec::new(),
            declared_at: now,
            approved_at: None,
            payout: None,
            reasons: String::new(),
        }
    }

    pub fn pending_units(&self) -> Vec<&str> {
        self.departments
            .iter()
            .filter(|d| !self.signoffs.iter().any(|s| &s.unit == *d))
            .map(String::as_str)
            .collect()
    }

    /// A department signs: agreement, or refusal with reasons (which rejects the declaration
    /// at once; the other departments need not sign). Returns the declaration after it and what
    /// the store must do next.
    pub fn sign_off(
        &self,
        unit: &str,
        by: &str,
        approved: bool,
        opinion: &str,
        now: Timestamp,
    ) -> Result<(Declaration, AfterSignOff), DeclarationError> {
        if self.state != DeclarationState::UnderReview {
            return Err(DeclarationError::Conflict {
                field: "state",
                code: "declaration_not_open",
            });
        }
        if !self.departments.iter().any(|d| d == unit) {
            return Err(DeclarationError::Conflict {
                field: "unit",
                code: "not_a_signing_department",
            });
        }
        if self.signoffs.iter().any(|s| s.unit == unit) {
            return Err(DeclarationError::Conflict {
                field: "unit",
                code: "already_signed",
            });
        }
        let mut e = FieldErrors::new();
        if approved {
            e.optional_text("opinion", opinion, 500);
        } else {
            e.text("opinion", opinion, 500);
        }
        if !e.is_empty() {
            return Err(DeclarationError::Invalid(e));
        }
        let mut d = self.clone();
        d.signoffs.push(SignOff {
            unit: unit.into(),
            approved,
            opinion: opinion.trim().into(),
            by: by.into(),
            at: now,
        });
        if !approved {
            d.state = DeclarationState::Rejected;
            d.reasons = opinion.trim().into();
            return Ok((d, AfterSignOff::Rejected));
        }
        let next = if d.pending_units().is_empty() {
            AfterSignOff::ReserveBudget
        } else {
            AfterSignOff::Waiting
        };
        Ok((d, next))
    }

    /// The declaration after the budget reservation that follows the last agreement (or a
    /// grant): approved, or the budget exhausted.
    pub fn budget_reserved(&self, reserved: bool, now: Timestamp) -> Declaration {
        let mut d = self.clone();
        if reserved {
            d.state = DeclarationState::Approved;
            d.approved_at = Some(now);
        } else {
            d.state = DeclarationState::BudgetExhausted;
            d.reasons = "budget_exhausted".into();
        }
        d
    }

    /// Whether `who` signed the claim off. Who agreed to a claim does not also record its money
    /// (不相容岗位分离): the payment is someone else's at the paying department.
    pub fn signed_by(&self, who: &str) -> bool {
        self.signoffs.iter().any(|s| s.by == who)
    }

    /// The payer records the payment: the declaration after it.
    pub fn pay(
        &self,
        paid_on: Date,
        voucher: &str,
        by: &str,
        now: Timestamp,
        today: Date,
    ) -> Result<Declaration, DeclarationError> {
        if self.state != DeclarationState::Approved {
            return Err(DeclarationError::Conflict {
                field: "state",
                code: "not_awaiting_payment",
            });
        }
        if self.signed_by(by) {
            return Err(DeclarationError::Conflict {
                field: "by",
                code: "signer_may_not_pay",
            });
        }
        let mut e = FieldErrors::new();
        e.text("voucher", voucher, 60);
        let declared = crate::cases::local_date(self.declared_at);
        if paid_on > today {
            e.push("paid_on", "in_future");
        } else if paid_on < declared {
            e.push("paid_on", "before_declaration");
        }
        if !e.is_empty() {
            return Err(DeclarationError::Invalid(e));
        }
        let mut d = self.clone();
        d.state = DeclarationState::Paid;
        d.payout = Some(Payout {
            paid_on,
            voucher: voucher.trim().into(),
            by: by.into(),
            recorded_at: now,
        });
        Ok(d)
    }

    /// Natural days from declaration (or grant) to the money, once paid.
    pub fn days_to_money(&self) -> Option<i64> {
        let p = self.payout.as_ref()?;
        let declared = crate::cases::local_date(self.declared_at);
        let span = declared.until((jiff::Unit::Day, p.paid_on)).ok()?;
        Some(i64::from(span.get_days()))
    }
}
