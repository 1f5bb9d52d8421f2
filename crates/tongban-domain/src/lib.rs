//! Tongban's pure domain: no clock, database or HTTP inside. Time and randomness are passed in.
//! One module per capability; later capabilities (cases, bundles, reviews, hotline, credit…)
//! become new modules here and new folders in the store and web crates.

pub mod accounts;
pub mod audit;
pub mod bundles;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod credit;
pub mod dashboard;
pub mod hotline;
pub mod ids;
pub mod inspection;
pub mod licences;
pub mod org;
pub mod plan;
pub mod policies;
pub mod records;
pub mod refusal;
pub mod reviews;
pub mod rules;
pub mod validation;

pub use validation::{FieldError, FieldErrors};
