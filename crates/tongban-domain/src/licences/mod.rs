//! Electronic licences anyone can verify (R10): every issuance, change and revocation is an
//! entry of a public, append-only transparency log, so no licence can be issued, changed or
//! revoked in secret.
//!
//! - [`identifier`]: `1.2.156.3005.2.type.issuer.serial.version.check` (MOD 37-2 check);
//! - [`licence`]: licence types as data, a licence's versions (issue, change, renew, revoke);
//! - [`log`]: the tree of RFC 9162, heads and both proofs; [`tree`]: the same over the stored
//!   complete subtrees; [`note`]: signed notes and checkpoints (C2SP);
//! - [`proof`]: what a QR code carries and the offline verdict (valid, expired, superseded,
//!   revoked, forged, unreadable); [`tiles`]: the C2SP tile paths a mirror reads.

pub mod identifier;
pub mod licence;
pub mod log;
pub mod note;
pub mod proof;
pub mod tiles;
pub mod tree;
