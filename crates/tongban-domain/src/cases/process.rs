//! A case's process, read from the item's steps (办理流程): what the applicant does, the
//! acceptance (受理), the review steps in order, the decision and what follows it (制证/送达).

use crate::catalog::{Step, StepActor};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Process {
    /// Review steps between acceptance and decision, each done by the role it names.
    pub review: Vec<Step>,
    /// The decision step (准予/不予): the last approver step, or the last step if none is.
    pub decision: Step,
    /// Steps after the decision (制证, 送达…), done by the clerk's "issue" action.
    pub issuance: Vec<Step>,
}

impl Process {
    /// Splits the guide's steps. Leading applicant steps are the application itself; a first
    /// staff step named …受理… is the acceptance, which the accept action performs.
    pub fn from_steps(steps: &[Step]) -> Process {
        let staff: Vec<&Step> = steps
            .iter()
            .skip_while(|s| s.actor == StepActor::Applicant)
            .collect();
        let start = usize::from(staff.first().is_some_and(|s| s.name.contains("受理")));
        let staff = &staff[start.min(staff.len())..];
        let decision_at = staff
            .iter()
            .rposition(|s| s.actor == StepActor::Approver)
            .or_else(|| staff.len().checked_sub(1));
        match decision_at {
            Some(d) => Process {
                review: staff[..d]
                    .iter()
                    .filter(|s| s.actor != StepActor::Applicant)
                    .map(|s| (*s).clone())
                    .collect(),
                decision: staff[d].clone(),
                issuance: staff[d + 1..].iter().map(|s| (*s).clone()).collect(),
            },
            // A guide whose only staff step is the acceptance: the clerk decides.
            None => Process {
                review: Vec::new(),
                decision: Step {
                    name: "决定".into(),
                    actor: StepActor::Clerk,
                    description: String::new(),
                },
                issuance: Vec::new(),
            },
        }
    }
}
