//! Accounts and roles. Every account except an applicant's is scoped to one unit.

use crate::ids::{IdNumber, Uscc};
use crate::validation::FieldErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Applicant,
    Clerk,
    Approver,
    HotlineOperator,
    Supervisor,
    Admin,
    /// A third-party evaluator (第三方评估): reads what the dashboard shows, nothing else.
    Evaluator,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Applicant,
        Role::Clerk,
        Role::Approver,
        Role::HotlineOperator,
        Role::Supervisor,
        Role::Admin,
        Role::Evaluator,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::Clerk => "clerk",
            Role::Approver => "approver",
            Role::HotlineOperator => "hotline_operator",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Evaluator => "evaluator",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
    /// Staff work inside a unit; applicants and the outside evaluator do not.
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Applicant | Role::Evaluator)
    }
}

/// Who an applicant is: an enterprise by its credit code, or a citizen by identity number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ApplicantIdentity {
    Enterprise(Uscc),
    Citizen(IdNumber),
}

/// A new account as the CLI, the demo loader or self-registration ask for it.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: Option<String>,
    pub identity: Option<ApplicantIdentity>,
}

pub const PASSWORD_MIN: usize = 10;

impl NewUser {
    /// Checks the account's shape. `unit_exists` answers whether a unit code is known.
    pub fn validate(
        &self,
        password: &str,
        unit_exists: &dyn Fn(&str) -> bool,
    ) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        let u = &self.username;
        if !(3..=32).contains(&u.len())
            || !u
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        {
            e.push("username", "username_format");
        }
        e.text("display_name", &self.display_name, 50);
        if password.chars().count() < PASSWORD_MIN {
            e.push_detail("password", "password_too_short", PASSWORD_MIN.to_string());
        }
        if password.len() > 200 {
            e.push_detail("password", "too_long", "200");
        }
        match (self.role, &self.unit, &self.identity) {
            (Role::Applicant, None, Some(_)) => {}
            (Role::Applicant, _, None) => e.push("identity", "required"),
            (Role::Applicant, Some(_), _) => e.push("unit", "applicant_has_no_unit"),
            (_, Some(unit), None) if unit_exists(unit) => {}
            (_, Some(_), None) => e.push("unit", "unknown_unit"),
            // A third-party evaluator belongs to no unit of the district.
            (Role::Evaluator, None, None) => {}
            (_, None, _) => e.push("unit", "required"),
            (_, Some(_), Some(_)) => e.push("identity", "staff_has_no_identity"),
        }
        e.into_result(())
    }
}
