//! Why the domain refused a command: one type for every capability, so each edge maps it once
//! (the API to a problem, a page to its message, the CLI to a line).

use crate::calendar::CalendarError;
use crate::validation::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The actor has no part in this action on this record.
    #[error("not permitted")]
    Forbidden,
    /// The action is not allowed in the record's state; `allowed` lists what is.
    #[error("{action} is not allowed in state {state}")]
    NotAllowed {
        action: &'static str,
        /// The record's state, as its capability names it (`review`, `dispatched`, …).
        state: &'static str,
        allowed: Vec<&'static str>,
        /// Why, when the state alone does not say (a stable code for the message catalog).
        reason: Option<&'static str>,
    },
    /// A rule of the capability refused it, with a stable code of its own (the API's problem
    /// type), e.g. `already_signed` on `unit`.
    #[error("conflict on {field}: {code}")]
    Conflict {
        field: &'static str,
        code: &'static str,
    },
    /// The input is wrong, field by field.
    #[error(transparent)]
    Invalid(#[from] FieldErrors),
    /// A date could not be counted.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl Refusal {
    /// The action is not allowed in this state.
    pub fn not_allowed(
        action: &'static str,
        state: &'static str,
        allowed: Vec<&'static str>,
    ) -> Refusal {
        Refusal::NotAllowed {
            action,
            state,
            allowed,
            reason: None,
        }
    }

    /// The same refusal, with why (a code of the message catalog).
    pub fn because(self, why: &'static str) -> Refusal {
        match self {
            Refusal::NotAllowed {
                action,
                state,
                allowed,
                ..
            } => Refusal::NotAllowed {
                action,
                state,
                allowed,
                reason: Some(why),
            },
            other => other,
        }
    }
}
