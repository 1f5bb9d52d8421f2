//! Electronic licences on the web: a printable page per licence with its QR code and its
//! versions, and the holder's list. (Offline verification from the QR code comes with the
//! log's signed checkpoints and proofs.)

pub mod log;
pub mod pages;
