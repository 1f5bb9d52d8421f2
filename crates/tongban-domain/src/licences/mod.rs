//! Electronic licences anyone can verify (R10): every issuance, change and revocation is an
//! entry of a public, append-only transparency log ([`log`]), so no licence can be issued,
//! changed or revoked in secret. (In progress: the log's tree and proofs, and the signed notes and
//! checkpoints it publishes ([`note`]); licences, tiles and witnesses next.)

pub mod identifier;
pub mod log;
pub mod note;
pub mod tree;
