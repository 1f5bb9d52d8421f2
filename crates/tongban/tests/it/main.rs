//! The one integration-test binary: every test runs against the real server, over SQLite and
//! (when a cluster is available) PostgreSQL.

mod access;
mod api;
mod browser;
mod bundles;
mod cases;
mod cli;
mod crash;
mod credit;
mod dashboard;
mod harness;
mod hotline;
mod i18n;
mod inspection;
mod licences;
mod openapi;
mod ops;
mod pages;
mod plan;
mod policies;
mod reviews;
mod rules;
mod store;
mod year_end;
