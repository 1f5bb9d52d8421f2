//! 信用西湖 over HTTP: the public search and a subject's records, units' entries, repair.
//! The use cases are `tongban_app::credit`; the domain (the clock, repair) `tongban_domain::credit`.

pub mod api;
pub mod pages;
