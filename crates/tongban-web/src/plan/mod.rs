//! The action plan over HTTP (R11): the plan document and the units' progress reports. The use
//! cases are `tongban_app::plan`; the plan and the report rules `tongban_domain::plan`.

pub mod pages;
