//! The action plan over HTTP (R11): the plan document, the units' progress reports, the supervision rounds (pages, their API
//! and their spreadsheets). The use
//! cases are `tongban_app::plan`; the plan and the report rules `tongban_domain::plan`.

pub mod api;
pub mod export;
pub mod pages;
