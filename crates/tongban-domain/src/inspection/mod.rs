//! 双随机、一公开 (R8): inspections by lot — the matters that may be inspected, the entities and
//! inspectors drawn, and the results published. The draw is a function anyone can rerun from its
//! published record ([`draw`]); plans, checks and results are in [`plan`]; risk warnings, which
//! send a unit to verify an entity between draws, in [`warning`].

pub mod draw;
pub mod plan;
pub mod warning;

#[cfg(test)]
mod tests;
