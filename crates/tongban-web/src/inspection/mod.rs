//! 双随机、一公开 on the web: the public plans, lists, draw records and their verification; the
//! staff's plans, checks and results; risk warnings.

pub mod api;
pub mod pages;
pub mod warnings;
