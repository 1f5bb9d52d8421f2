//! 好差评 (R5) over HTTP: rating a case online, rating a window visit from its QR code or the
//! window's pad (no account), rectification tickets for bad ratings, appeals and
//! re-examination, and the public statistics. The rules live in `tongban_domain::reviews`.

pub mod api;
pub mod pages;

pub use tongban_app::reviews::{OFFICE_RECTIFY_DAYS, OFFICE_RECTIFY_KEY, party};

use tongban_domain::accounts::Role;
use tongban_domain::reviews::Rating;
use tongban_store::accounts::User;

/// The rating as this reader may see it: the office in full (for the callback), the unit
/// without the rater's identity.
pub fn rating_for(user: &User, r: &Rating) -> Rating {
    if matches!(user.role, Role::Supervisor | Role::Admin) {
        r.clone()
    } else {
        r.for_staff()
    }
}

/// A fresh unguessable token for a visit's QR code.
pub fn visit_token() -> String {
    crate::auth::random_token()[..24].to_string()
}
