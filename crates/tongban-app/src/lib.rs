//! Tongban's use cases, one module per capability: what a person does, written once over the
//! store and the domain, and called by every edge alike — the web handlers, the CLI, the demo
//! loader and the benchmarks. A use case takes the store, the acting user and a parsed input;
//! it loads, lets the domain decide (who may act, the transition) and writes through the store's
//! one write. Nothing here knows HTTP: errors are [`Error`], which the web maps to problems.
//!
//! Moving in capability by capability (see ARCHITECTURE.md): accounts, bundles, the catalog's
//! import and export, the commands on cases, uploaded files, policies (declarations, grants,
//! sign-off, payout), the hotline, reviews and the rules' view of a case are here; the rest still lives in `tongban-web/src/<cap>/`. The message catalog
//! ([`messages`]) is here too, because every edge speaks to people: pages, e-mails,
//! spreadsheets, the command line.

pub mod accounts;
pub mod bundles;
pub mod cases;
pub mod catalog;
pub mod credit;
pub mod dashboard;
pub mod files;
pub mod hotline;
pub mod inspection;
pub mod licences;
pub mod messages;
pub mod plan;
pub mod policies;
pub mod reviews;
pub mod rules;
pub mod table;
pub mod warnings;

use tongban_domain::FieldErrors;
use tongban_domain::refusal::Refusal;
use tongban_store::StoreError;

impl From<tongban_domain::calendar::CalendarError> for Error {
    fn from(e: tongban_domain::calendar::CalendarError) -> Self {
        Error::Refused(e.into())
    }
}

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such record, or not one the actor may see (the two are not told apart).
    #[error("not found")]
    NotFound,
    /// The actor may not do this at all.
    #[error("forbidden")]
    Forbidden,
    #[error(transparent)]
    Invalid(#[from] FieldErrors),
    /// The domain refused the command.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An uploaded file larger than the edge accepts.
    #[error("file too large")]
    TooLarge,
    /// An uploaded file that cannot be read as what it claims to be (`file_type`,
    /// `file_unreadable`, `file_empty`, `csv_not_utf8`).
    #[error("file cannot be read: {0}")]
    Unreadable(&'static str),
    /// Something that should not happen (a bundle item not published, a worker that died).
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
