//! The 12345 hotline over HTTP: intake (operator, web, and later Open311), the routing catalog,
//! the ticket workflow and per-unit indicators. The rules live in `tongban_domain::hotline`.

pub mod api;
pub mod pages;

pub use tongban_app::hotline::{for_reader, load, party, visible};
